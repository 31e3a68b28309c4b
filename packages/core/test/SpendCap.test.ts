import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Either, Option, TestClock } from "effect"
import { SpendCap } from "../src/index.js"

describe("SpendCap", () => {
  it("parses NANOGEN_SPEND_CAP", () => {
    assert.deepStrictEqual(SpendCap.parse("50/1d"), Either.right({ limitUsd: 50, period: Duration.days(1) }))
    assert.deepStrictEqual(SpendCap.parse("2.5/h"), Either.right({ limitUsd: 2.5, period: Duration.hours(1) }))
    assert.strictEqual(SpendCap.parse("50 dollars")._tag, "Left")
    assert.strictEqual(SpendCap.parse("0/1d")._tag, "Left")
  })

  it.effect("config: unset or empty is none; malformed is a ConfigError", () =>
    Effect.gen(function*() {
      const read = (entries: ReadonlyArray<readonly [string, string]>) =>
        Effect.withConfigProvider(Effect.either(SpendCap.config), ConfigProvider.fromMap(new Map(entries)))
      assert.deepStrictEqual(yield* read([]), Either.right(Option.none()))
      assert.deepStrictEqual(yield* read([["NANOGEN_SPEND_CAP", " "]]), Either.right(Option.none()))
      assert.deepStrictEqual(
        yield* read([["NANOGEN_SPEND_CAP", "50/1d"]]),
        Either.right(Option.some({ limitUsd: 50, period: Duration.days(1) }))
      )
      assert.isTrue(Either.isLeft(yield* read([["NANOGEN_SPEND_CAP", "fifty"]])))
    }))

  it.effect("memory: reservations count until the cap; an exceeded one counts nothing", () =>
    Effect.gen(function*() {
      const spend = yield* SpendCap.makeMemory({ limitUsd: 1, period: "1 day" })
      assert.deepStrictEqual(yield* spend.reserve(0.6), { _tag: "Reserved", spentUsd: 0 })
      assert.deepStrictEqual(yield* spend.reserve(0.5), {
        _tag: "Exceeded",
        spentUsd: 0.6,
        cap: { limitUsd: 1, period: Duration.days(1) }
      })
      assert.deepStrictEqual(yield* spend.reserve(0.4), { _tag: "Reserved", spentUsd: 0.6 })
      // at the cap even a free call is refused
      assert.strictEqual((yield* spend.reserve(0))._tag, "Exceeded")
      yield* spend.adjust(-0.25) // the reported cost was lower than the estimate
      assert.closeTo(yield* spend.spent, 0.75, 1e-9)
      assert.strictEqual((yield* spend.reserve(0.2))._tag, "Reserved")
    }))

  it.effect("memory: the window rolls in 60 buckets", () =>
    Effect.gen(function*() {
      const spend = yield* SpendCap.makeMemory({ limitUsd: 10, period: "1 hour" })
      yield* spend.reserve(6)
      yield* TestClock.adjust("30 minutes")
      yield* spend.reserve(4)
      assert.strictEqual((yield* spend.reserve(1))._tag, "Exceeded")
      yield* TestClock.adjust("31 minutes") // the first 6 left the window
      assert.strictEqual(yield* spend.spent, 4)
      assert.deepStrictEqual(yield* spend.reserve(5), { _tag: "Reserved", spentUsd: 4 })
    }))

  it.effect("memory without a cap counts, never refuses", () =>
    Effect.gen(function*() {
      const spend = yield* SpendCap.makeMemory(undefined)
      assert.strictEqual(spend.cap, undefined)
      assert.strictEqual((yield* spend.reserve(1e6))._tag, "Reserved")
      assert.strictEqual(yield* spend.spent, 1e6)
    }))
})
