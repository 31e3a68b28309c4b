import * as Duration from "effect/Duration"
import * as Either from "effect/Either"

const units: Readonly<Record<string, number>> = { ms: 1, s: 1_000, m: 60_000, h: 3_600_000, d: 86_400_000 }

/**
 * Parses `"<amount>/<count?><unit>"` (`"60/1m"`, `"10/30s"`, `"50/1d"`, `"2.5/h"`): an amount per period, the
 * unit one of `ms`, `s`, `m`, `h`, `d`.
 *
 * @internal
 */
export const parseRate = (
  text: string,
  integer: boolean
): Either.Either<{ readonly amount: number; readonly period: Duration.Duration }, string> => {
  const match = /^\s*(\d+(?:\.\d+)?)\s*\/\s*(\d+(?:\.\d+)?)?\s*(ms|s|m|h|d)\s*$/.exec(text)
  if (match === null) {
    return Either.left(`${JSON.stringify(text)} is not "<amount>/<period>" such as "60/1m" (units ms, s, m, h, d)`)
  }
  const amount = Number(match[1])
  const periodMs = Number(match[2] ?? "1") * units[match[3]!]!
  if (integer && !Number.isInteger(amount)) {
    return Either.left(`${JSON.stringify(text)}: the amount must be a whole number`)
  }
  if (amount <= 0 || periodMs <= 0) return Either.left(`${JSON.stringify(text)}: amount and period must be above zero`)
  return Either.right({ amount, period: Duration.millis(periodMs) })
}
