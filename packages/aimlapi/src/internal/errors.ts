/**
 * The AI/ML API error body `{message, path, requestId, statusCode, timestamp}` (PROVIDERS.md §2.5, §2.6) and its
 * mapping into nanogen's error union. Only what differs from `HttpFailure.fromStatus` is refined here: 403 "run
 * out of credits" is `InsufficientCredits`, and a 429 honours `Retry-After`.
 *
 * @since 0.1.0
 * @internal
 */
import type * as Headers from "@effect/platform/Headers"
import { HttpFailure, ImageGenerationError, ProviderClient, RetryAfter } from "@nanogen/core"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Wire from "./wire.js"

const decodeError = Schema.decodeUnknownEither(Wire.WireError)

/**
 * The message and status an error body carries, if it is one.
 *
 * @since 0.1.0
 * @category Constructors
 * @internal
 */
export const read = (body: unknown): { readonly message?: string; readonly statusCode?: number } => {
  const decoded = decodeError(body)
  if (Either.isLeft(decoded)) return {}
  const { error, message, statusCode } = decoded.right
  const text = typeof message === "string"
    ? message
    : Array.isArray(message)
    ? message.join("; ")
    : typeof error === "string"
    ? error
    : typeof error === "object" && error !== null && typeof (error as { message?: unknown }).message === "string"
    ? (error as { message: string }).message
    : undefined
  const code = typeof statusCode === "number" ? statusCode : Number(statusCode)
  return {
    ...(text === undefined || text === "" ? {} : { message: text }),
    ...(Number.isInteger(code) && code >= 100 && code <= 599 ? { statusCode: code } : {})
  }
}

/**
 * Whether a 2xx body is in fact an error envelope (no image fields, a `statusCode` of 400 or more).
 *
 * @since 0.1.0
 * @category Guards
 * @internal
 */
export const embeddedStatus = (body: unknown): number | undefined => {
  if (typeof body !== "object" || body === null) return undefined
  if ("data" in body || "images" in body || "output" in body) return undefined
  const { statusCode } = read(body)
  return statusCode !== undefined && statusCode >= 400 ? statusCode : undefined
}

const OUT_OF_CREDITS = /out of credits|top up your balance|insufficient (?:credits|balance|funds)/i

/**
 * Maps a failed exchange: the status, the body's message and the `Retry-After` header.
 *
 * @since 0.1.0
 * @category Errors
 * @internal
 */
export const fromResponse = (options: {
  readonly provider: string
  readonly model: string
  readonly status: number
  readonly headers: Headers.Headers
  readonly body: unknown
  /** Removes any credential an upstream message echoes back (`ProviderClient.scrub`), as a last line of defence. */
  readonly scrub: (text: string) => string
}): ImageGenerationError.AttemptError => {
  const { model, provider, status } = options
  const raw = read(options.body).message
  const message = raw === undefined ? raw : options.scrub(raw)
  const retryAfter = status === 429
    ? ProviderClient.retryAfter(options) ?? RetryAfter.fromMessage(message)
    : undefined
  if (status === 403 && message !== undefined && OUT_OF_CREDITS.test(message)) {
    return new ImageGenerationError.InsufficientCredits({
      provider,
      model,
      status,
      message: `${provider}: HTTP ${status} — ${message}`
    })
  }
  return HttpFailure.fromStatus({ provider, model, status, message, retryAfter })
}
