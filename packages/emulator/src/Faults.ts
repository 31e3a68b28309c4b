/**
 * Scriptable faults: what one API call answers with, queued per server (FIFO) or computed from the request.
 *
 * @since 0.1.0
 */

/**
 * The emulated backends (`vertex` since 0.2.0).
 *
 * @since 0.1.0
 * @category Models
 */
export type ServerName = "openrouter" | "aimlapi" | "google" | "vertex"

/**
 * One received request, as recorded in the request log.
 *
 * @since 0.1.0
 * @category Models
 */
export interface RecordedRequest {
  readonly server: ServerName
  readonly method: string
  /** Path without the query string, e.g. `/api/v1/chat/completions` or `/cdn/<id>.png`. */
  readonly path: string
  /** Query parameters; a `key` parameter (Gemini credential) is replaced by `"<redacted>"`. */
  readonly query: Record<string, string>
  /** Lower-case header names; `authorization` / `x-goog-api-key` values are replaced by `"<redacted>"`. */
  readonly headers: Record<string, string>
  /** Whether the credential matched the configured key. */
  readonly credentialOk: boolean
  /** Parsed JSON body (`undefined` if none / not JSON). */
  readonly body: unknown
}

/**
 * What one API call answers with. Consumed one per matching API call (CDN downloads consume nothing; a `cdn404`
 * is consumed by the API call and makes the CDN URLs of that answer 404).
 *
 * - `ok`: a normal answer. `aimlForm` picks the AI/ML shape, `text` the model's text, `thoughtImages` the number of
 *   interim `thought:true` images on Gemini 3 models (default 1 with `includeThoughts: true`, else 0), `imagesSse`
 *   makes OpenRouter's `POST /images` with `stream: true` answer SSE events.
 * - `status`: any status with that provider's own error body. `retryAfter` sets the `Retry-After` header on OpenRouter
 *   and AI/ML, and a `google.rpc.RetryInfo` detail (`retryDelay`) on Google (use `headers` for a Google header).
 * - `delay` / `hang` / `slowBody` / `reset` / `truncated` / `html` / `raw`: transport faults.
 * - `http200Error`: HTTP 200 carrying an error (OpenRouter `choices[].error` or top-level `error`; other servers send
 *   their own error body with status 200).
 * - `refusal`: the provider's refusal forms (see the `form` values in docs/emulator-api.md).
 * - `textOnly`: HTTP 200 with a text answer and no image.
 * - `cdn404`: AI/ML answers normally, but its CDN URLs answer 404.
 *
 * @since 0.1.0
 * @category Models
 */
export type Fault =
  | {
    readonly kind: "ok"
    readonly delayMs?: number
    readonly aimlForm?: "data-url" | "data-b64" | "images"
    readonly text?: string
    readonly thoughtImages?: number
    /** OpenRouter `POST /images` with `stream: true`: answer SSE events (§6.5) instead of the buffered JSON. */
    readonly imagesSse?: boolean
  }
  | {
    readonly kind: "status"
    readonly status: number
    readonly message?: string
    readonly retryAfter?: number | string
    readonly headers?: Record<string, string>
    readonly google?: { readonly status?: string; readonly details?: Array<unknown> }
    readonly openrouter?: { readonly metadata?: Record<string, unknown> }
  }
  | { readonly kind: "delay"; readonly ms: number }
  | { readonly kind: "hang" }
  | { readonly kind: "slowBody"; readonly chunkDelayMs: number; readonly chunks?: number }
  | { readonly kind: "reset" }
  | { readonly kind: "truncated" }
  | { readonly kind: "html"; readonly status?: number }
  | {
    readonly kind: "http200Error"
    readonly form?: "choice" | "top-level"
    readonly code?: number
    readonly message?: string
  }
  | { readonly kind: "refusal"; readonly form?: string; readonly reason?: string }
  | { readonly kind: "textOnly"; readonly text?: string }
  | { readonly kind: "cdn404" }
  | {
    readonly kind: "raw"
    readonly status: number
    readonly body: string | Uint8Array
    readonly headers?: Record<string, string>
  }

/**
 * The fault script of one server: a FIFO queue, then an optional function of the request, then `ok`.
 *
 * @example
 * ```ts
 * import { Faults } from "@nanogen/emulator"
 * const script = new Faults.FaultScript()
 * script.push({ kind: "status", status: 429 }, { kind: "ok" })
 * script.pending() // 2
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export class FaultScript {
  private queue: Array<Fault> = []
  private fn: ((request: RecordedRequest) => Fault | undefined) | undefined = undefined

  /** Appends faults to the queue. */
  push(...faults: ReadonlyArray<Fault>): void {
    this.queue.push(...faults)
  }

  /** Sets the function consulted when the queue is empty. */
  setFunction(fn: (request: RecordedRequest) => Fault | undefined): void {
    this.fn = fn
  }

  /** Faults not yet consumed. */
  pending(): number {
    return this.queue.length
  }

  /** Consumes the fault for one API call. */
  next(request: RecordedRequest): Fault {
    const queued = this.queue.shift()
    if (queued !== undefined) return queued
    return this.fn?.(request) ?? { kind: "ok" }
  }

  /** Clears the queue and the function. */
  reset(): void {
    this.queue = []
    this.fn = undefined
  }
}

/**
 * Replaces credential values in recorded headers.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const redactHeaders = (headers: Record<string, string | Array<string> | undefined>): Record<string, string> => {
  const out: Record<string, string> = {}
  for (const [name, value] of Object.entries(headers)) {
    if (value === undefined) continue
    const lower = name.toLowerCase()
    out[lower] = lower === "authorization" || lower === "x-goog-api-key" || lower === "x-api-key"
      ? "<redacted>"
      : Array.isArray(value)
      ? value.join(", ")
      : value
  }
  return out
}
