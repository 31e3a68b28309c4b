/**
 * Shared mapping of HTTP failures into nanogen's error union: status codes and transport errors. Providers refine
 * the result with what their own error bodies say. (Reading bodies moved to `ResponseBody`, parsing them to
 * `JsonBody`; the old names below still work.)
 *
 * @since 0.1.0
 */
import type * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Duration from "effect/Duration"
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
import * as JsonBody from "./JsonBody.js"
import * as ResponseBody from "./ResponseBody.js"
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
  // The errors' Schema check of their fields costs ≈ 60 µs per error (a failover's hot path); it is skipped only when
  // the fields are already known to pass it (`message` is built here), so anything else still fails it as before.
  const checked = typeof provider === "string" && typeof status === "number" &&
    (failure.model === undefined || typeof failure.model === "string")
  switch (status) {
    case 400:
    case 413:
    case 422:
      return new InvalidRequest(fields, checked)
    case 401:
    case 403:
      return new AuthenticationFailed(fields, checked)
    case 402:
      return new InsufficientCredits(fields, checked)
    case 429:
      return failure.retryAfter === undefined
        ? new RateLimited(fields, checked)
        : new RateLimited(
          { ...fields, retryAfter: failure.retryAfter },
          checked && Duration.isDuration(failure.retryAfter)
        )
    case 408:
    case 409:
    case 425:
      return new ProviderUnavailable(fields, checked)
  }
  if (status >= 500) return new ProviderUnavailable(fields, checked)
  if (status >= 400) return new UnsupportedRequest(fields, checked)
  return new MalformedResponse({ ...fields, message: `${provider}: unexpected HTTP ${status}` }, checked)
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
 * @deprecated Use `ResponseBody.defaultMaxBytes`.
 * @since 0.1.0
 * @category Models
 */
export const defaultMaxBodyBytes: number = 64 * 1024 * 1024

/**
 * @deprecated Use `ResponseBody.read`.
 * @since 0.1.0
 * @category Constructors
 */
export const readBody: typeof ResponseBody.read = (provider, response, maxBytes) =>
  ResponseBody.read(provider, response, maxBytes)

/**
 * @deprecated Use `ResponseBody.decodeText`.
 * @since 0.1.0
 * @category Constructors
 */
export const decodeText: typeof ResponseBody.decodeText = (bytes) => ResponseBody.decodeText(bytes)

/**
 * @deprecated Use `JsonBody.parse`.
 * @since 0.1.0
 * @category Constructors
 */
export const parseJson: typeof JsonBody.parse = (provider, status, text) => JsonBody.parse(provider, status, text)

/**
 * @deprecated Use `JsonBody.parseBytes`.
 * @since 0.1.0
 * @category Constructors
 */
export const parseJsonBytes: typeof JsonBody.parseBytes = (provider, status, bytes) =>
  JsonBody.parseBytes(provider, status, bytes)

/**
 * @deprecated Use `JsonBody.read`.
 * @since 0.1.0
 * @category Constructors
 */
export const readJson: typeof JsonBody.read = (provider, response, maxBytes) =>
  JsonBody.read(provider, response, maxBytes)
