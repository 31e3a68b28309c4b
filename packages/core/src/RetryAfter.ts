/**
 * Reading how long a backend asks us to wait: the `Retry-After` header (seconds or HTTP date), protobuf
 * durations (`"34.4s"`, Gemini `RetryInfo.retryDelay`) and "Please retry in 48.8s" hints inside messages.
 *
 * @since 0.1.0
 */
import * as Duration from "effect/Duration"

/**
 * Parses a `Retry-After` header value: delta-seconds (integer or decimal) or an HTTP date. A date in the past
 * answers zero. `undefined` for anything else.
 *
 * @example
 * ```ts
 * import { RetryAfter } from "@nanogen/core"
 * RetryAfter.fromHeader("2") // Duration of 2 seconds
 * RetryAfter.fromHeader("Wed, 21 Oct 2026 07:28:00 GMT", Date.parse("Wed, 21 Oct 2026 07:27:00 GMT")) // 60 seconds
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const fromHeader = (
  value: string | undefined | null,
  now: number = Date.now()
): Duration.Duration | undefined => {
  if (value === undefined || value === null) return undefined
  const trimmed = value.trim()
  if (trimmed === "") return undefined
  if (/^\d+(\.\d+)?$/.test(trimmed)) return Duration.millis(Math.round(Number(trimmed) * 1000))
  const date = Date.parse(trimmed)
  if (Number.isNaN(date) || !/[a-z]/i.test(trimmed)) return undefined
  return Duration.millis(Math.max(0, date - now))
}

/**
 * Parses a protobuf JSON `Duration` (`"34.4s"`, `"22s"`, `"0.5s"`).
 *
 * @example
 * ```ts
 * import { RetryAfter } from "@nanogen/core"
 * RetryAfter.fromProtoDuration("34.4s") // Duration of 34400 millis
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const fromProtoDuration = (value: unknown): Duration.Duration | undefined => {
  if (typeof value !== "string") return undefined
  const match = /^\s*(\d+(?:\.\d+)?)s\s*$/.exec(value)
  return match === null ? undefined : Duration.millis(Math.round(Number(match[1]) * 1000))
}

const HINT = /retry (?:in|after) (\d+(?:\.\d+)?)\s*(ms|milliseconds?|s|sec|secs|seconds?|m|min|minutes?)\b/i

/**
 * Finds a wait hint in a human message: "Please retry in 48.805646254s.", "retry after 30 seconds".
 *
 * @example
 * ```ts
 * import { RetryAfter } from "@nanogen/core"
 * RetryAfter.fromMessage("Quota exceeded. Please retry in 48.805646254s.") // ≈ 48806 millis
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const fromMessage = (message: string | undefined): Duration.Duration | undefined => {
  if (message === undefined) return undefined
  const match = HINT.exec(message)
  if (match === null) return undefined
  const amount = Number(match[1])
  const unit = match[2]!.toLowerCase()
  const millis = unit.startsWith("m") && unit !== "m" && !unit.startsWith("min")
    ? amount
    : unit === "m" || unit.startsWith("min")
    ? amount * 60_000
    : amount * 1000
  return Duration.millis(Math.round(millis))
}
