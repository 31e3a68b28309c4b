/**
 * Shared mapping of HTTP failures into nanogen's error union: status codes, transport errors, and reading a
 * response body with a size cap. Providers refine the result with what their own error bodies say.
 *
 * @since 0.1.0
 */
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { isAscii } from "node:buffer"
import {
  type AttemptError,
  AuthenticationFailed,
  InsufficientCredits,
  InvalidRequest,
  MalformedResponse,
  ProviderUnavailable,
  RateLimited,
  UnsupportedRequest
} from "./ImageGenerationError.js"
import * as CpuTurn from "./internal/cpuTurn.js"
import * as LargeStrings from "./internal/largeStrings.js"
import * as RetryAfter from "./RetryAfter.js"

/**
 * What a provider knows about a failed HTTP exchange.
 *
 * @since 0.1.0
 * @category Models
 */
export interface StatusFailure {
  readonly provider: string
  readonly status: number
  /** The upstream's own message, already extracted from its error body. */
  readonly message?: string | undefined
  readonly model?: string | undefined
  /** For 429s: the wait the backend asked for. */
  readonly retryAfter?: Duration.Duration | undefined
}

/**
 * The default error for an HTTP status (DESIGN.md's table): 400/413/422 → `InvalidRequest`; 401/403 →
 * `AuthenticationFailed`; 402 → `InsufficientCredits`; 404 and other 4xx → `UnsupportedRequest`; 429 →
 * `RateLimited`; 408, 409, 425, 5xx, 524, 529 → `ProviderUnavailable`.
 *
 * @example
 * ```ts
 * import { HttpFailure } from "@nanogen/core"
 * HttpFailure.fromStatus({ provider: "openrouter", status: 402, message: "Insufficient credits" })._tag
 * // "InsufficientCredits"
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const fromStatus = (failure: StatusFailure): AttemptError => {
  const { provider, status } = failure
  const message = `${provider}: HTTP ${status}${failure.message ? ` — ${failure.message}` : ""}`
  const fields = { provider, status, message, ...(failure.model === undefined ? {} : { model: failure.model }) }
  switch (status) {
    case 400:
    case 413:
    case 422:
      return new InvalidRequest(fields)
    case 401:
    case 403:
      return new AuthenticationFailed(fields)
    case 402:
      return new InsufficientCredits(fields)
    case 429:
      return new RateLimited(failure.retryAfter === undefined ? fields : { ...fields, retryAfter: failure.retryAfter })
    case 408:
    case 409:
    case 425:
      return new ProviderUnavailable(fields)
  }
  if (status >= 500) return new ProviderUnavailable(fields)
  if (status >= 400) return new UnsupportedRequest(fields)
  return new MalformedResponse({ ...fields, message: `${provider}: unexpected HTTP ${status}` })
}

/**
 * Maps a transport-level failure (`RequestError`, or a `ResponseError` while reading the body) to
 * `ProviderUnavailable`. The message names the reason and the method and URL, never headers.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const fromHttpClientError = (
  provider: string,
  error: HttpClientError.HttpClientError
): ProviderUnavailable | MalformedResponse => {
  const detail = describeCause(error.cause)
  const where = `${error.request.method} ${error.request.url}`
  if (error._tag === "RequestError" && error.reason !== "Transport") {
    return new MalformedResponse({
      provider,
      message: `${provider}: could not send the request (${error.reason}) to ${where}`
    })
  }
  const status = error._tag === "ResponseError" ? error.response.status : undefined
  return new ProviderUnavailable({
    provider,
    message: `${provider}: ${
      error._tag === "RequestError" ? "connection failed" : "the response body could not be read"
    } (${where})${detail === undefined ? "" : `: ${detail}`}`,
    ...(status === undefined ? {} : { status })
  })
}

const describeCause = (cause: unknown): string | undefined => {
  if (!(cause instanceof Error)) return undefined
  const code = (cause as { code?: unknown }).code
  const inner = (cause as { cause?: unknown }).cause
  const innerText = inner instanceof Error ? `: ${inner.message}` : ""
  return `${typeof code === "string" ? `${code} ` : ""}${cause.message}${innerText}`
}

/**
 * The `Retry-After` header of a response, parsed.
 *
 * @since 0.1.0
 * @category Accessors
 */
export const retryAfterHeader = (response: HttpClientResponse.HttpClientResponse): Duration.Duration | undefined =>
  RetryAfter.fromHeader(response.headers["retry-after"])

/**
 * Default cap for a response body: 64 MiB, room for a 4K image as base64 in JSON with margin.
 *
 * @since 0.1.0
 * @category Models
 */
export const defaultMaxBodyBytes = 64 * 1024 * 1024

/**
 * Reads a whole response body as bytes, refusing (with `MalformedResponse`, before reading) a declared
 * `Content-Length` over `maxBytes` and stopping as soon as a streamed body passes it. Transport failures while
 * reading become `ProviderUnavailable`.
 *
 * On Node clients (`NodeHttpClient.layerUndici` or `NodeHttpClient.layer`) the body is read straight from the
 * underlying `Readable`, without an Effect `Stream` step per chunk, into one buffer preallocated from the
 * declared `Content-Length` (no chunk list, no concatenation copy). Other clients use `response.stream`.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const readBody = (
  provider: string,
  response: HttpClientResponse.HttpClientResponse,
  maxBytes: number = defaultMaxBodyBytes
): Effect.Effect<Buffer, MalformedResponse | ProviderUnavailable> => {
  const header = response.headers["content-length"]
  const declared = header === undefined || header === "" ? NaN : Number(header)
  if (Number.isFinite(declared) && declared > maxBytes) {
    return Effect.fail(tooLarge(provider, response.status, maxBytes))
  }
  const expected = Number.isSafeInteger(declared) && declared > 0 ? declared : undefined
  const node = nodeReadableOf(response)
  return node === undefined
    ? readStream(provider, response, maxBytes, expected)
    : readNode(provider, response, node.readable, node.abort, maxBytes, expected)
}

/** The subset of a Node `Readable` that `readNode` uses. */
interface NodeReadable {
  on(event: string, listener: (...args: Array<any>) => void): unknown
  removeListener(event: string, listener: (...args: Array<any>) => void): unknown
  destroy(error?: Error): unknown
  readonly readableEnded?: boolean
  readonly destroyed?: boolean
}

const isNodeReadable = (value: unknown): value is NodeReadable =>
  typeof value === "object" && value !== null && typeof (value as NodeReadable).on === "function" &&
  typeof (value as NodeReadable).removeListener === "function" &&
  typeof (value as NodeReadable).destroy === "function" && typeof (value as { pipe?: unknown }).pipe === "function" &&
  "readableFlowing" in value

/**
 * The Node `Readable` behind a response of `@effect/platform-node`'s clients: undici's `ResponseData.body`, or the
 * `IncomingMessage` itself, looked up through the platform's `InterruptibleResponse` wrapper (`original`).
 * `undefined` for other clients (fetch, test doubles) and bodies already consumed.
 */
const nodeReadableOf = (
  response: HttpClientResponse.HttpClientResponse
): { readonly readable: NodeReadable; readonly abort: (() => void) | undefined } | undefined => {
  let current: unknown = response
  let abort: (() => void) | undefined
  for (let depth = 0; depth < 4; depth++) {
    const controller = (current as { readonly controller?: unknown }).controller
    if (abort === undefined && controller instanceof AbortController) abort = () => controller.abort()
    const original = (current as { readonly original?: unknown }).original
    if (typeof original !== "object" || original === null) break
    current = original
  }
  const source = (current as { readonly source?: unknown }).source
  if (typeof source !== "object" || source === null) return undefined
  const body = (source as { readonly body?: unknown }).body
  const readable = isNodeReadable(body) ? body : isNodeReadable(source) ? source : undefined
  return readable === undefined || readable.readableEnded === true || readable.destroyed === true
    ? undefined
    : { readable, abort }
}

/** Collects chunks into a buffer preallocated from the declared length, or into a list when there is none. */
class Collector {
  private target: Buffer | undefined
  private readonly chunks: Array<Uint8Array> = []
  size = 0
  constructor(expected: number | undefined) {
    this.target = expected === undefined ? undefined : Buffer.allocUnsafe(expected)
  }
  add(chunk: Uint8Array): void {
    const start = this.size
    this.size += chunk.byteLength
    if (this.target !== undefined && this.size <= this.target.length) {
      this.target.set(chunk, start)
      return
    }
    if (this.target !== undefined) {
      // More than declared (a lying or absent framing): keep what was copied and go on with a list.
      this.chunks.push(this.target.subarray(0, start))
      this.target = undefined
    }
    this.chunks.push(chunk)
  }
  result(): Buffer {
    return this.target !== undefined ? this.target.subarray(0, this.size) : Buffer.concat(this.chunks, this.size)
  }
}

const readNode = (
  provider: string,
  response: HttpClientResponse.HttpClientResponse,
  readable: NodeReadable,
  abort: (() => void) | undefined,
  maxBytes: number,
  expected: number | undefined
): Effect.Effect<Buffer, MalformedResponse | ProviderUnavailable> =>
  Effect.async<Buffer, MalformedResponse | ProviderUnavailable>((resume) => {
    const collector = new Collector(expected)
    let done = false
    const cleanup = () => {
      readable.removeListener("data", onData)
      readable.removeListener("end", onEnd)
      readable.removeListener("error", onError)
      readable.removeListener("close", onClose)
    }
    const finish = (result: Effect.Effect<Buffer, MalformedResponse | ProviderUnavailable>) => {
      if (done) return
      done = true
      cleanup()
      resume(result)
    }
    function onData(chunk: Uint8Array | string) {
      if (done) return
      collector.add(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk)
      if (collector.size > maxBytes) {
        finish(Effect.fail(tooLarge(provider, response.status, maxBytes)))
        readable.destroy()
        abort?.()
      }
    }
    function onEnd() {
      finish(Effect.succeed(collector.result()))
    }
    function onError(cause: unknown) {
      finish(Effect.fail(fromHttpClientError(
        provider,
        new HttpClientError.ResponseError({ request: response.request, response, reason: "Decode", cause })
      )))
    }
    function onClose() {
      onError(new Error("the connection closed before the body ended"))
    }
    readable.on("data", onData)
    readable.on("end", onEnd)
    readable.on("error", onError)
    readable.on("close", onClose)
    // Interrupted (the deadline, or the caller): stop reading and abort the exchange, as the platform does.
    return Effect.sync(() => {
      if (done) return
      done = true
      cleanup()
      readable.destroy()
      abort?.()
    })
  })

const readStream = (
  provider: string,
  response: HttpClientResponse.HttpClientResponse,
  maxBytes: number,
  expected: number | undefined
): Effect.Effect<Buffer, MalformedResponse | ProviderUnavailable> =>
  Effect.suspend(() => {
    const collector = new Collector(expected)
    return response.stream.pipe(
      Stream.runForEach((chunk) => {
        collector.add(chunk)
        return collector.size > maxBytes ? Effect.fail(tooLarge(provider, response.status, maxBytes)) : Effect.void
      }),
      Effect.catchTag("ResponseError", (error) => Effect.fail(fromHttpClientError(provider, error))),
      Effect.map(() => collector.result())
    )
  })

const tooLarge = (provider: string, status: number, maxBytes: number) =>
  new MalformedResponse({
    provider,
    status,
    message: `${provider}: the response body is larger than the ${maxBytes}-byte cap`
  })

/**
 * Parses JSON text. A body cut short (the connection closed mid-body) is `ProviderUnavailable`; anything else
 * that is not JSON (an HTML error page…) is `MalformedResponse`.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const parseJson = (
  provider: string,
  status: number,
  text: string
): Effect.Effect<unknown, MalformedResponse | ProviderUnavailable> =>
  Effect.suspend(() => {
    try {
      return Effect.succeed(JSON.parse(text))
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      // Cut short: the parser ran out of input (V8 says so, or fails at the very end of the text). Trailing
      // garbage ("Unexpected non-whitespace character after JSON at position N" before the end) is not.
      const position = Number(/at position (\d+)/.exec(reason)?.[1] ?? Number.NaN)
      const truncated = /^\s*[[{]/.test(text) &&
        (/end of JSON input|Unterminated string/i.test(reason) || position >= text.trimEnd().length)
      const snippet = text.slice(0, 80).replace(/\s+/g, " ")
      return Effect.fail(
        truncated
          ? new ProviderUnavailable({
            provider,
            status,
            message: `${provider}: the response body was cut short (${reason})`
          })
          : new MalformedResponse({
            provider,
            status,
            message: `${provider}: the response is not JSON (${reason}): ${JSON.stringify(snippet)}`
          })
      )
    }
  })

/**
 * Decodes a body as UTF-8 text. An all-ASCII body (every image answer: base64 inside JSON) takes Node's
 * one-byte fast path instead of the general UTF-8 decoder; the text is the same.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const decodeText = (bytes: Uint8Array): string => {
  const buffer = asBuffer(bytes)
  return isAscii(buffer) ? buffer.toString("latin1") : buffer.toString("utf8")
}

const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)

/** Strings at least this long are cut out of the text before `JSON.parse` (see `parseJsonBytes`). */
const LARGE_STRING = 64 * 1024
/** Bodies smaller than this are parsed as they are. */
const LARGE_BODY = 256 * 1024

/**
 * Parses a JSON body given as bytes, with the errors of `parseJson`. The result is exactly `JSON.parse` of the
 * UTF-8 text.
 *
 * Large bodies are image answers: a few hundred bytes of JSON around one or more multi-megabyte base64
 * strings. For those (all-ASCII bodies), every string of 64 KiB or more without escapes or control characters
 * is sliced out of the bytes directly as a one-byte string, and `JSON.parse` runs only over the small rest with
 * placeholders, which are then swapped back. The multi-megabyte text of the whole body is never built, and the
 * base64 is neither decoded nor scanned by the JSON parser: one copy from the bytes instead of three passes. Any
 * body this does not cover exactly (not ASCII, escapes or control characters in a large string, unbalanced
 * quotes, invalid JSON) goes through `JSON.parse` of the whole text, which reports the error.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const parseJsonBytes = (
  provider: string,
  status: number,
  bytes: Uint8Array
): Effect.Effect<unknown, MalformedResponse | ProviderUnavailable> =>
  Effect.suspend(() => {
    const buffer = asBuffer(bytes)
    if (buffer.length >= LARGE_BODY && isAscii(buffer)) {
      const parsed = parseSpliced(buffer)
      if (parsed !== undefined) return Effect.succeed(parsed.value)
    }
    return parseJson(provider, status, decodeText(buffer))
  })

const QUOTE = 0x22
const BACKSLASH = 0x5c

/** Whether the quote at `index` is escaped (preceded by an odd number of backslashes). */
const isEscaped = (bytes: Buffer, index: number): boolean => {
  let count = 0
  for (let i = index - 1; i >= 0 && bytes[i] === BACKSLASH; i--) count++
  return (count & 1) === 1
}

/**
 * Whether `bytes[start, end)`, already known to be ASCII, holds no control character (< 0x20), which JSON
 * forbids unescaped inside a string. Eight 32-bit words at a time: for bytes under 0x80, `b + 0x60` has its top
 * bit set exactly when `b >= 0x20`, and no byte carries into the next.
 */
const noControlCharacters = (bytes: Buffer, start: number, end: number): boolean => {
  let i = start
  const base = bytes.byteOffset
  while (i < end && ((base + i) & 3) !== 0) {
    if (bytes[i]! < 0x20) return false
    i++
  }
  const words = (end - i) >>> 2
  const u = new Uint32Array(bytes.buffer, base + i, words)
  const K = 0x60606060
  const M = 0x80808080 | 0
  const unrolled = words & ~7
  for (let w = 0; w < unrolled; w += 8) {
    if (
      ((u[w]! + K) & (u[w + 1]! + K) & (u[w + 2]! + K) & (u[w + 3]! + K) & (u[w + 4]! + K) & (u[w + 5]! + K) &
        (u[w + 6]! + K) & (u[w + 7]! + K) & M) !== M
    ) return false
  }
  for (let w = unrolled; w < words; w++) {
    if (((u[w]! + K) & M) !== M) return false
  }
  for (i += words * 4; i < end; i++) {
    if (bytes[i]! < 0x20) return false
  }
  return true
}

/** Whether the string closed at `close` is an object key (the next non-blank byte is a colon). */
const isKey = (bytes: Buffer, close: number): boolean => {
  for (let i = close + 1; i < bytes.length; i++) {
    const byte = bytes[i]
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return byte === 0x3a
  }
  return false
}

const BASE64_HEADER = /^data:[^,]*;base64$/i

/**
 * `bytes[start, end)` as a string. A base64 `data:` URL becomes `header + payload` with the payload as its own
 * external string, remembered for `DataUrl` (see `internal/largeStrings.ts`).
 */
const largeString = (bytes: Buffer, start: number, end: number): string => {
  if (bytes.toString("latin1", start, start + 5).toLowerCase() === "data:") {
    const comma = bytes.indexOf(0x2c, start)
    if (comma !== -1 && comma - start <= 512 && comma < end) {
      const header = bytes.toString("latin1", start, comma)
      if (BASE64_HEADER.test(header)) {
        const payload = bytes.toString("latin1", comma + 1, end)
        const url = `${header},${payload}`
        LargeStrings.remember(url, { header, payload })
        return url
      }
    }
  }
  return bytes.toString("latin1", start, end)
}

/** `parseJsonBytes`'s fast path; `undefined` when it does not apply or the rest is not valid JSON. */
const parseSpliced = (bytes: Buffer): { readonly value: unknown } | undefined => {
  const large: Array<string> = []
  const pieces: Array<string> = []
  let emitted = 0
  let open = bytes.indexOf(QUOTE)
  while (open !== -1) {
    let close = bytes.indexOf(QUOTE, open + 1)
    while (close !== -1 && isEscaped(bytes, close)) close = bytes.indexOf(QUOTE, close + 1)
    if (close === -1) return undefined // unbalanced: truncated or not JSON
    if (close - open - 1 >= LARGE_STRING && !isKey(bytes, close)) {
      const escape = bytes.indexOf(BACKSLASH, open + 1)
      if (escape === -1 || escape > close) {
        if (!noControlCharacters(bytes, open + 1, close)) return undefined
        pieces.push(bytes.toString("latin1", emitted, open + 1))
        pieces.push(`${placeholder}${large.length}`)
        large.push(largeString(bytes, open + 1, close))
        emitted = close
      }
    }
    open = bytes.indexOf(QUOTE, close + 1)
  }
  if (large.length === 0) return undefined
  pieces.push(bytes.toString("latin1", emitted))
  let value: unknown
  try {
    value = JSON.parse(
      pieces.join(""),
      (_key, item: unknown) =>
        typeof item === "string" && item.length < placeholder.length + 8 && item.startsWith(placeholder)
          ? large[Number(item.slice(placeholder.length))] ?? item
          : item
    )
  } catch {
    return undefined
  }
  return { value }
}

/** Unguessable per process, so no string of a real answer can be taken for a placeholder. */
const placeholder = `nanogen-large-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}-`

/**
 * Reads and parses a JSON body with the size cap of `readBody`. A large body (an image answer) is parsed in a
 * later event-loop turn shared with other large answers (a few milliseconds of parsing per turn), so that many
 * answers finishing together do not block the event loop for all of them at once.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpClient } from "@effect/platform"
 * import { HttpFailure } from "@nanogen/core"
 *
 * const body = HttpClient.get("http://127.0.0.1:8080/x").pipe(
 *   Effect.flatMap((response) => HttpFailure.readJson("openrouter", response))
 * )
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const readJson = (
  provider: string,
  response: HttpClientResponse.HttpClientResponse,
  maxBytes?: number
): Effect.Effect<unknown, MalformedResponse | ProviderUnavailable> =>
  Effect.flatMap(
    readBody(provider, response, maxBytes),
    (body) =>
      body.length >= LARGE_BODY
        ? CpuTurn.run(parseJsonBytes(provider, response.status, body))
        : parseJsonBytes(provider, response.status, body)
  )
