/**
 * Gemini error bodies (`{error:{code,message,status,details}}`) mapped into nanogen's error union
 * (PROVIDERS.md §3.5, §3.6).
 *
 * @since 0.1.0
 * @internal
 */
import { HttpFailure, ImageGenerationError, RetryAfter } from "@nanogen/core"
import type * as Duration from "effect/Duration"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Wire from "./wire.js"

type AttemptError = ImageGenerationError.AttemptError

const { AuthenticationFailed, InsufficientCredits, InvalidRequest, RateLimited, UnsupportedRequest } =
  ImageGenerationError

const TYPE = "type.googleapis.com/google.rpc."

const isRecord = Predicate.isRecord

const detailsOf = (details: ReadonlyArray<unknown> | undefined, type: string): ReadonlyArray<Record<string, unknown>> =>
  (details ?? []).filter((detail): detail is Record<string, unknown> =>
    isRecord(detail) && detail["@type"] === `${TYPE}${type}`
  )

/** `ErrorInfo.reason` values of the details (e.g. `API_KEY_INVALID`). @internal */
export const errorReasons = (details: ReadonlyArray<unknown> | undefined): ReadonlyArray<string> =>
  detailsOf(details, "ErrorInfo").flatMap((detail) => typeof detail.reason === "string" ? [detail.reason] : [])

/** `QuotaFailure` quota ids of the details. @internal */
export const quotaIds = (details: ReadonlyArray<unknown> | undefined): ReadonlyArray<string> =>
  detailsOf(details, "QuotaFailure").flatMap((detail) =>
    Array.isArray(detail.violations)
      ? detail.violations.flatMap((violation: unknown) =>
        isRecord(violation) && typeof violation.quotaId === "string" ? [violation.quotaId] : []
      )
      : []
  )

/** `RetryInfo.retryDelay` of the details, parsed. @internal */
export const retryDelay = (details: ReadonlyArray<unknown> | undefined): Duration.Duration | undefined => {
  for (const detail of detailsOf(details, "RetryInfo")) {
    const delay = RetryAfter.fromProtoDuration(detail.retryDelay)
    if (delay !== undefined) return delay
  }
  return undefined
}

/** A daily quota (`…PerDay…`): waiting a few seconds will not help. @internal */
export const isDailyQuota = (quotaId: string): boolean => /per_?day/i.test(quotaId)

/**
 * The first `{ error }` object of a body: an object, or (streaming endpoints without `alt=sse`) an array of them.
 *
 * @internal
 */
export const errorOf = (body: unknown): Wire.ErrorBody["error"] | undefined => {
  const candidate = Array.isArray(body) ? body[0] : body
  return Option.getOrUndefined(Option.map(Wire.decodeErrorBody(candidate), (decoded) => decoded.error))
}

/** What the mapping needs to know about a failed exchange. @internal */
export interface Failure {
  readonly provider: string
  readonly model: string
  readonly status: number
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly body: unknown
  /** Removes any credential an upstream message echoes back (`ProviderClient.scrub`). */
  readonly scrub: (text: string) => string
}

/**
 * Maps a non-2xx Gemini answer (or an `{error}` event inside a stream) into the error union.
 *
 * @internal
 */
export const fromFailure = (failure: Failure): AttemptError => {
  const { model, provider, status } = failure
  const error = errorOf(failure.body)
  const raw = error?.message
  const upstream = raw === undefined ? raw : failure.scrub(raw)
  const grpcStatus = error?.status
  const details = error?.details
  const detail = [grpcStatus, upstream].filter((part) => part !== undefined && part !== "").join(": ")
  const message = `${provider}: HTTP ${status}${detail === "" ? "" : ` — ${detail}`}`
  const fields = { provider, status, model, message }
  if (status === 400) {
    if (errorReasons(details).includes("API_KEY_INVALID")) return new AuthenticationFailed(fields)
    if (grpcStatus === "FAILED_PRECONDITION") return new UnsupportedRequest(fields)
    // a model turn of the history lacks its signature or carries an altered or foreign one: the history is wrong,
    // not the backend (no retry, no failover: the same history fails everywhere)
    if (upstream !== undefined && /thought[_ ]signature/i.test(upstream)) {
      return new InvalidRequest({ ...fields, field: "history" })
    }
  }
  if (status === 429) {
    const daily = quotaIds(details).find(isDailyQuota)
    if (daily !== undefined) {
      return new InsufficientCredits({ ...fields, message: `${message} (daily quota ${daily} exhausted)` })
    }
    const retryAfter = retryDelay(details) ?? RetryAfter.fromMessage(upstream) ??
      RetryAfter.fromHeader(failure.headers["retry-after"])
    return new RateLimited(retryAfter === undefined ? fields : { ...fields, retryAfter })
  }
  return HttpFailure.fromStatus({ provider, status, model, message: detail === "" ? undefined : detail })
}
