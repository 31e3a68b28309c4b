/**
 * Shared mapping of HTTP failures into nanogen's error union: status codes, transport errors, and reading a
 * response body with a size cap. Providers refine the result with what their own error bodies say.
 *
 * @since 0.1.0
 */
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
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
 * @since 0.1.0
 * @category Constructors
 */
export const readBody = (
  provider: string,
  response: HttpClientResponse.HttpClientResponse,
  maxBytes: number = defaultMaxBodyBytes
): Effect.Effect<Buffer, MalformedResponse | ProviderUnavailable> => {
  const declared = Number(response.headers["content-length"])
  if (Number.isFinite(declared) && declared > maxBytes) {
    return Effect.fail(tooLarge(provider, response.status, maxBytes))
  }
  return Effect.suspend(() => {
    const chunks: Array<Uint8Array> = []
    let size = 0
    return response.stream.pipe(
      Stream.runForEach((chunk) => {
        size += chunk.byteLength
        if (size > maxBytes) return Effect.fail(tooLarge(provider, response.status, maxBytes))
        chunks.push(chunk)
        return Effect.void
      }),
      Effect.catchTag("ResponseError", (error) => Effect.fail(fromHttpClientError(provider, error))),
      Effect.map(() => Buffer.concat(chunks, size))
    )
  })
}

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
      const truncated = text.length > 0 && /end of JSON input|Unterminated string|Expected .* after/i.test(reason) &&
        /^\s*[[{]/.test(text)
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
 * Reads and parses a JSON body with the size cap of `readBody`.
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
    (body) => parseJson(provider, response.status, body.toString("utf8"))
  )
