/**
 * The closed union of errors every `ImageProvider` fails with, and how each one is classified
 * (retry the same backend? fail over to the next?).
 *
 * @since 0.1.0
 */
import type * as Duration from "effect/Duration"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import { Attempt } from "./ImageResult.js"

/**
 * @since 0.1.0
 * @category Guards
 */
export const TypeId: unique symbol = Symbol.for("@nanogen/core/ImageGenerationError")

/**
 * @since 0.1.0
 * @category Guards
 */
export type TypeId = typeof TypeId

const common = {
  /** The backend the error came from (`"openrouter"`, `"aimlapi"`, `"google-direct"`, `"fallback"`, …). */
  provider: Schema.String,
  /** A readable message. Never contains a credential. */
  message: Schema.String,
  /** The HTTP status that caused the error, if one did. */
  status: Schema.optional(Schema.Number),
  /** The native model id the attempt used, when known. */
  model: Schema.optional(Schema.String),
  cause: Schema.optional(Schema.Defect)
}

/**
 * Input invalid for every backend (empty prompt, unknown ratio, too many images…), or an HTTP 400/413/422.
 * `field` names the offending request field when known.
 *
 * @since 0.1.0
 * @category Errors
 */
export class InvalidRequest extends Schema.TaggedError<InvalidRequest>("@nanogen/core/InvalidRequest")(
  "InvalidRequest",
  { ...common, field: Schema.optional(Schema.String) }
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
}

/**
 * A valid request that this backend or model cannot serve (a ratio its API lacks, 4K on a model without it,
 * a model it does not know).
 *
 * @since 0.1.0
 * @category Errors
 */
export class UnsupportedRequest extends Schema.TaggedError<UnsupportedRequest>("@nanogen/core/UnsupportedRequest")(
  "UnsupportedRequest",
  { ...common, field: Schema.optional(Schema.String) }
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
}

/**
 * The credential was missing, invalid, or not allowed to use this model (401, most 403s).
 *
 * @since 0.1.0
 * @category Errors
 */
export class AuthenticationFailed
  extends Schema.TaggedError<AuthenticationFailed>("@nanogen/core/AuthenticationFailed")("AuthenticationFailed", common)
{
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
}

/**
 * The account has no credits or its quota is exhausted (402, AI/ML API's 403 "run out of credits", daily quotas).
 *
 * @since 0.1.0
 * @category Errors
 */
export class InsufficientCredits
  extends Schema.TaggedError<InsufficientCredits>("@nanogen/core/InsufficientCredits")("InsufficientCredits", common)
{
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
}

/**
 * HTTP 429. `retryAfter` comes from `Retry-After`, Gemini's `RetryInfo.retryDelay`, or the message.
 *
 * @since 0.1.0
 * @category Errors
 */
export class RateLimited extends Schema.TaggedError<RateLimited>("@nanogen/core/RateLimited")("RateLimited", {
  ...common,
  retryAfter: Schema.optional(Schema.DurationFromMillis)
}) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
}

/**
 * A safety or moderation refusal. `reason` is the backend's own word for it (`IMAGE_SAFETY`,
 * `PROHIBITED_CONTENT`, `content_filter`, moderation reasons…).
 *
 * @since 0.1.0
 * @category Errors
 */
export class ContentBlocked extends Schema.TaggedError<ContentBlocked>("@nanogen/core/ContentBlocked")(
  "ContentBlocked",
  { ...common, reason: Schema.String, text: Schema.optional(Schema.String) }
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
}

/**
 * The backend is down or overloaded: 5xx, 408, 524/529, a refused or reset connection, a truncated body.
 *
 * @since 0.1.0
 * @category Errors
 */
export class ProviderUnavailable
  extends Schema.TaggedError<ProviderUnavailable>("@nanogen/core/ProviderUnavailable")("ProviderUnavailable", common)
{
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
}

/**
 * The attempt outlived its deadline.
 *
 * @since 0.1.0
 * @category Errors
 */
export class Timeout extends Schema.TaggedError<Timeout>("@nanogen/core/Timeout")("Timeout", {
  ...common,
  timeout: Schema.optional(Schema.DurationFromMillis)
}) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
}

/**
 * HTTP 200 without an image: a text-only answer, an empty `data`, `NO_IMAGE`. `text` carries what the model said.
 *
 * @since 0.1.0
 * @category Errors
 */
export class NoImageReturned extends Schema.TaggedError<NoImageReturned>("@nanogen/core/NoImageReturned")(
  "NoImageReturned",
  { ...common, text: Schema.optional(Schema.String), finishReason: Schema.optional(Schema.String) }
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
}

/**
 * A body that cannot be decoded (not JSON, wrong shape, over the size cap).
 *
 * @since 0.1.0
 * @category Errors
 */
export class MalformedResponse
  extends Schema.TaggedError<MalformedResponse>("@nanogen/core/MalformedResponse")("MalformedResponse", common)
{
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId
}

/**
 * The request's estimated cost is above its `maxCostUsd` (or a spend cap): refused before any call, never retried,
 * never failed over.
 *
 * @since 0.2.0
 * @category Errors
 */
export class BudgetExceeded extends Schema.TaggedError<BudgetExceeded>("@nanogen/core/BudgetExceeded")(
  "BudgetExceeded",
  { ...common, estimateUsd: Schema.Number, limitUsd: Schema.Number }
) {
  /** @since 0.2.0 */
  readonly [TypeId]: TypeId = TypeId
}

/**
 * Every error a single backend attempt can end with.
 *
 * @since 0.1.0
 * @category Errors
 */
export const AttemptError = Schema.Union(
  InvalidRequest,
  UnsupportedRequest,
  AuthenticationFailed,
  InsufficientCredits,
  RateLimited,
  ContentBlocked,
  ProviderUnavailable,
  Timeout,
  NoImageReturned,
  MalformedResponse,
  BudgetExceeded
)

/**
 * @since 0.1.0
 * @category Errors
 */
export type AttemptError = typeof AttemptError.Type

/**
 * The fallback chain ran out. `errors` holds every attempt's error, `attempts` the trail, in order.
 *
 * @since 0.1.0
 * @category Errors
 */
export class AllProvidersFailed extends Schema.TaggedError<AllProvidersFailed>("@nanogen/core/AllProvidersFailed")(
  "AllProvidersFailed",
  { ...common, errors: Schema.Array(AttemptError), attempts: Schema.Array(Attempt) }
) {
  /** @since 0.1.0 */
  readonly [TypeId]: TypeId = TypeId

  /**
   * Builds the error with a one-paragraph message summarising every attempt.
   *
   * @since 0.1.0
   */
  static fromAttempts(
    errors: ReadonlyArray<AttemptError>,
    attempts: ReadonlyArray<Attempt>,
    provider = "fallback"
  ): AllProvidersFailed {
    const summary = attempts.length === 0
      ? "no provider was available to try"
      : attempts.map((attempt, index) =>
        `${index + 1}. ${attempt.provider} (${attempt.model}): ${attempt.outcome}${
          attempt.status === undefined ? "" : ` ${attempt.status}`
        }${attempt.message === undefined ? "" : ` — ${attempt.message}`}`
      ).join("; ")
    return new AllProvidersFailed({
      provider,
      message: `All providers failed after ${attempts.length} attempt${attempts.length === 1 ? "" : "s"}: ${summary}`,
      errors: [...errors],
      attempts: [...attempts]
    })
  }
}

/**
 * The closed union of everything `ImageProvider.generate` fails with.
 *
 * @since 0.1.0
 * @category Errors
 */
export const ImageGenerationError = Schema.Union(AttemptError, AllProvidersFailed)

/**
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ImageProvider } from "@nanogen/core"
 *
 * const program = ImageProvider.generate({ prompt: "a nano banana" }).pipe(
 *   Effect.catchTags({
 *     RateLimited: (e) => Effect.logWarning(`slow down for ${e.retryAfter}`),
 *     ContentBlocked: (e) => Effect.logWarning(`refused: ${e.reason}`)
 *   })
 * )
 * ```
 * @since 0.1.0
 * @category Errors
 */
export type ImageGenerationError = typeof ImageGenerationError.Type

/**
 * Every tag of the union.
 *
 * @since 0.1.0
 * @category Models
 */
export type Tag = ImageGenerationError["_tag"]

/**
 * How an error is handled: `retry` says whether the same backend is tried again (`"once"`: at most one more
 * time), `failover` whether the next backend is tried (`"optional"`: only when the fallback enables it).
 *
 * @since 0.1.0
 * @category Models
 */
export interface Classification {
  readonly retry: "never" | "once" | "always"
  readonly failover: "never" | "optional" | "always"
}

/**
 * The classification of every tag: the table of DESIGN.md as data, so the fallback reads it instead of
 * deciding again.
 *
 * @example
 * ```ts
 * import { ImageGenerationError } from "@nanogen/core"
 * ImageGenerationError.classification.RateLimited // { retry: "always", failover: "always" }
 * ```
 * @since 0.1.0
 * @category Models
 */
export const classification: { readonly [K in Tag]: Classification } = {
  InvalidRequest: { retry: "never", failover: "never" },
  UnsupportedRequest: { retry: "never", failover: "always" },
  AuthenticationFailed: { retry: "never", failover: "always" },
  InsufficientCredits: { retry: "never", failover: "always" },
  RateLimited: { retry: "always", failover: "always" },
  ContentBlocked: { retry: "never", failover: "optional" },
  ProviderUnavailable: { retry: "always", failover: "always" },
  Timeout: { retry: "always", failover: "always" },
  NoImageReturned: { retry: "once", failover: "always" },
  MalformedResponse: { retry: "never", failover: "always" },
  BudgetExceeded: { retry: "never", failover: "never" },
  AllProvidersFailed: { retry: "never", failover: "never" }
}

/**
 * The classification of one error.
 *
 * @since 0.1.0
 * @category Models
 */
export const classify = (error: ImageGenerationError): Classification => classification[error._tag]

/**
 * Whether a value is one of nanogen's errors.
 *
 * @since 0.1.0
 * @category Guards
 */
export const isImageGenerationError = (u: unknown): u is ImageGenerationError => Predicate.hasProperty(u, TypeId)

/**
 * The wait a `RateLimited` error asks for, if any.
 *
 * @since 0.1.0
 * @category Accessors
 */
export const retryAfter = (error: ImageGenerationError): Duration.Duration | undefined =>
  error._tag === "RateLimited" ? error.retryAfter : undefined
