/**
 * OpenRouter's error envelope mapped into nanogen's error union (PROVIDERS.md §1.7, §1.8).
 *
 * @since 0.1.0
 * @internal
 */
import { HttpFailure, ImageGenerationError, RetryAfter } from "@nanogen/core"
import type * as Duration from "effect/Duration"
import type { WireError } from "./wire.js"

/** @internal */
export const PROVIDER = "openrouter"

const MAX_UPSTREAM = 500

const clip = (text: string): string => text.length > MAX_UPSTREAM ? `${text.slice(0, MAX_UPSTREAM)}…` : text

/**
 * What an upstream message can say: used to remove a credential that an upstream echoed back.
 *
 * @internal
 */
export type Scrub = (text: string) => string

/** Finds the human message inside `metadata.raw` (a string, a JSON string, or an object). */
const rawMessage = (raw: unknown): string | undefined => {
  if (raw === undefined || raw === null) return undefined
  if (typeof raw === "string") {
    const trimmed = raw.trim()
    if (trimmed === "") return undefined
    if (trimmed.startsWith("{") && trimmed.length < 100_000) {
      try {
        return rawMessage(JSON.parse(trimmed)) ?? trimmed
      } catch {
        return trimmed
      }
    }
    return trimmed
  }
  if (typeof raw === "object") {
    const record = raw as Record<string, unknown>
    const inner = record.error
    if (typeof inner === "string") return inner
    if (typeof inner === "object" && inner !== null) {
      const message = (inner as Record<string, unknown>).message
      if (typeof message === "string") return message
    }
    if (typeof record.message === "string") return record.message
    try {
      return JSON.stringify(raw)
    } catch {
      return undefined
    }
  }
  return String(raw)
}

/**
 * The readable message of an error envelope: OpenRouter's `message`, then the upstream's own words from
 * `metadata.raw` with `metadata.provider_name` (the top-level message is often just "Provider returned error").
 *
 * @internal
 */
export const upstreamMessage = (error: WireError, scrub: Scrub): string | undefined => {
  const base = error.message ?? undefined
  const metadata = error.metadata ?? {}
  const providerName = typeof metadata.provider_name === "string" ? metadata.provider_name : undefined
  const raw = rawMessage(metadata.raw)
  const upstream = raw === undefined || raw === base
    ? undefined
    : `${providerName === undefined ? "" : `${providerName}: `}${clip(raw)}`
  const text = base === undefined
    ? upstream
    : upstream === undefined
    ? `${base}${providerName === undefined ? "" : ` (${providerName})`}`
    : `${base} — ${upstream}`
  return text === undefined ? undefined : scrub(clip(text))
}

/** `metadata.error_type`, or the `error_type` some documented bodies carry inside `error`. */
const errorType = (error: WireError): string | undefined => {
  const fromMetadata = error.metadata?.error_type
  return typeof fromMetadata === "string" ? fromMetadata : error.error_type ?? undefined
}

const moderationReasons = (error: WireError): ReadonlyArray<string> | undefined => {
  const reasons = error.metadata?.reasons
  if (!Array.isArray(reasons)) return undefined
  return reasons.filter((reason): reason is string => typeof reason === "string")
}

const retryAfterOf = (
  error: WireError,
  header: string | undefined,
  message: string | undefined
): Duration.Duration | undefined => {
  const fromHeader = RetryAfter.fromHeader(header)
  if (fromHeader !== undefined) return fromHeader
  const availability = error.availability?.retry_after
  if (availability !== undefined && availability !== null) {
    const fromBody = RetryAfter.fromHeader(String(availability))
    if (fromBody !== undefined) return fromBody
  }
  return RetryAfter.fromMessage(message)
}

/** @internal */
export interface ErrorContext {
  /** The HTTP status the answer came with (200 for errors inside a successful answer). */
  readonly httpStatus: number
  readonly model: string
  readonly retryAfterHeader?: string | undefined
  readonly scrub: Scrub
}

/**
 * Maps an OpenRouter error envelope. For HTTP-200 errors (`choices[].error`, a top-level `error`, a mid-stream
 * error chunk) the status is the envelope's numeric `code`.
 *
 * - 403 with moderation metadata (`reasons`, `flagged_input`) → `ContentBlocked`, reason = the reasons;
 * - `content_policy_violation` / `refusal` (typed 400s) → `ContentBlocked`;
 * - `model_not_found` (a 400 on OpenRouter) → `UnsupportedRequest`: another backend may know the model;
 * - `availability.retryable` decides between `ProviderUnavailable` (true) and `UnsupportedRequest` (false) for
 *   availability errors (404 `no_endpoints`, 503 routing requirements);
 * - everything else: `HttpFailure.fromStatus` (429 → `RateLimited` with `Retry-After`, the body's
 *   `availability.retry_after` or a hint in the message).
 *
 * @internal
 */
export const fromEnvelope = (error: WireError, context: ErrorContext): ImageGenerationError.AttemptError => {
  const { model, scrub } = context
  const inBody = context.httpStatus >= 200 && context.httpStatus < 300
  const code = typeof error.code === "number" ? error.code : Number.parseInt(String(error.code ?? ""), 10)
  const status = inBody ? (Number.isInteger(code) && code >= 400 ? code : undefined) : context.httpStatus
  const detail = upstreamMessage(error, scrub)
  const type = errorType(error)
  const where = inBody ? " (an error inside an HTTP 200 answer)" : ""
  const message = detail === undefined ? (where === "" ? undefined : where.slice(1)) : `${detail}${where}`
  const statusText = status === undefined ? "" : `HTTP ${status} — `
  const fields = { provider: PROVIDER, model, ...(status === undefined ? {} : { status }) }

  const reasons = moderationReasons(error)
  if (status === 403 && reasons !== undefined) {
    const reason = reasons.length > 0 ? reasons.join(", ") : "moderation"
    return new ImageGenerationError.ContentBlocked({
      ...fields,
      reason,
      message: `${PROVIDER}: ${statusText}the input was flagged by moderation (${reason})${
        detail === undefined ? "" : `: ${detail}`
      }`
    })
  }
  if (type === "content_policy_violation" || type === "refusal") {
    return new ImageGenerationError.ContentBlocked({
      ...fields,
      reason: type,
      message: `${PROVIDER}: ${statusText}${message ?? type}`
    })
  }
  if (type === "model_not_found" || (status === 400 && detail !== undefined && /not a valid model/i.test(detail))) {
    return new ImageGenerationError.UnsupportedRequest({
      ...fields,
      field: "model",
      message: `${PROVIDER}: ${statusText}model ${model} is not available${detail === undefined ? "" : `: ${detail}`}`
    })
  }
  if (status === undefined) {
    return new ImageGenerationError.ProviderUnavailable({
      ...fields,
      message: `${PROVIDER}: the provider failed${message === undefined ? "" : `: ${message}`}`
    })
  }
  const retryable = error.availability?.retryable
  if (retryable === true && status >= 400 && status < 500 && status !== 429) {
    return new ImageGenerationError.ProviderUnavailable({
      ...fields,
      status,
      message: `${PROVIDER}: ${statusText}${message ?? "no provider is available right now"}`
    })
  }
  if (retryable === false && status >= 500) {
    return new ImageGenerationError.UnsupportedRequest({
      ...fields,
      status,
      message: `${PROVIDER}: ${statusText}${message ?? "no provider can serve this request"}`
    })
  }
  return HttpFailure.fromStatus({
    provider: PROVIDER,
    status,
    model,
    message,
    retryAfter: status === 429 ? retryAfterOf(error, context.retryAfterHeader, detail) : undefined
  })
}
