import { assert, describe, it } from "@effect/vitest"
import { ConfigProvider, Duration, Effect, Either, TestClock } from "effect"
import { RateLimits } from "../src/index.js"

const permits = (limits: RateLimits.Service, provider: string, count: number) =>
  Effect.all(Array.from({ length: count }, () => limits.take(provider)))

describe("RateLimits", () => {
  it("parses NANOGEN_RATE_LIMITS", () => {
    assert.deepStrictEqual(
      RateLimits.parse("openrouter=60/1m, google-direct=10/30s,aimlapi=1000/d"),
      Either.right({
        openrouter: { limit: 60, window: Duration.minutes(1) },
        "google-direct": { limit: 10, window: Duration.seconds(30) },
        aimlapi: { limit: 1000, window: Duration.days(1) }
      })
    )
    assert.deepStrictEqual(RateLimits.parse(""), Either.right({}))
    assert.deepStrictEqual(
      RateLimits.parse("openrouter=60"),
      Either.left(`openrouter: "60" is not "<amount>/<period>" such as "60/1m" (units ms, s, m, h, d)`)
    )
    assert.deepStrictEqual(
      RateLimits.parse("openrouter=1.5/1m"),
      Either.left(`openrouter: "1.5/1m": the amount must be a whole number`)
    )
    assert.deepStrictEqual(RateLimits.parse("=5/1m"), Either.left(`"=5/1m" is not "<backend>=<limit>/<window>"`))
    assert.deepStrictEqual(RateLimits.parse("openrouter=0/1m")._tag, "Left")
  })

  it("budgets are whole milliseconds per request", () => {
    assert.deepStrictEqual(
      RateLimits.decodeBudgets({
        budgets: {
          a: { limit: 7, window: "1 minute" },
          b: { limit: 1e6, window: "1 second" },
          c: { limit: 0.5, window: "1 second" }
        }
      }),
      {
        a: { limit: 7, window: Duration.millis(60_004) },
        b: { limit: 1e6, window: Duration.millis(1e6) },
        c: { limit: 1, window: Duration.millis(1_000) }
      }
    )
  })

  it.effect("config reads NANOGEN_RATE_LIMITS; a bad value is a ConfigError naming the variable", () =>
    Effect.gen(function*() {
      const read = (value: string) =>
        Effect.withConfigProvider(
          Effect.either(RateLimits.config),
          ConfigProvider.fromMap(new Map([["NANOGEN_RATE_LIMITS", value]]))
        )
      assert.deepStrictEqual(
        yield* read("openrouter=60/1m"),
        Either.right({ openrouter: { limit: 60, window: Duration.minutes(1) } })
      )
      const bad = yield* read("openrouter=lots")
      assert.isTrue(Either.isLeft(bad))
      assert.include(String(Either.getLeft(bad).pipe((o) => o._tag === "Some" ? o.value : "")), "NANOGEN_RATE_LIMITS")
      const unset = yield* Effect.withConfigProvider(RateLimits.config, ConfigProvider.fromMap(new Map()))
      assert.deepStrictEqual(unset, {})
    }))

  it.effect("memory: a budget grants `limit` calls per window, then says how long to wait", () =>
    Effect.gen(function*() {
      const limits = yield* RateLimits.makeMemory({ budgets: { openrouter: { limit: 3, window: "1 minute" } } })
      const first = yield* permits(limits, "openrouter", 4)
      assert.deepStrictEqual(first.slice(0, 3), [{ _tag: "Granted" }, { _tag: "Granted" }, { _tag: "Granted" }])
      const limited = first[3]!
      assert.strictEqual(limited._tag, "Limited")
      if (limited._tag === "Limited") {
        assert.strictEqual(limited.reason, "budget")
        assert.strictEqual(Duration.toMillis(limited.retryAfter), 60_000)
      }
      // other backends are untouched; a backend without a budget is never limited
      assert.deepStrictEqual(
        yield* permits(limits, "aimlapi", 100),
        Array.from({ length: 100 }, () => ({ _tag: "Granted" }))
      )
      yield* TestClock.adjust("1 minute")
      assert.deepStrictEqual(yield* limits.take("openrouter"), { _tag: "Granted" })
    }))

  it.effect("memory: a pause holds a backend until it ends; a shorter pause never shortens it", () =>
    Effect.gen(function*() {
      const limits = yield* RateLimits.makeMemory()
      yield* limits.pause("google-direct", "20 seconds")
      yield* limits.pause("google-direct", "5 seconds")
      yield* limits.pause("aimlapi", 0)
      assert.deepStrictEqual(yield* limits.take("google-direct"), {
        _tag: "Limited",
        reason: "paused",
        retryAfter: Duration.seconds(20)
      })
      assert.deepStrictEqual(yield* limits.take("aimlapi"), { _tag: "Granted" })
      yield* TestClock.adjust("19 seconds")
      assert.deepStrictEqual(yield* limits.take("google-direct"), {
        _tag: "Limited",
        reason: "paused",
        retryAfter: Duration.seconds(1)
      })
      yield* TestClock.adjust("1 second")
      assert.deepStrictEqual(yield* limits.take("google-direct"), { _tag: "Granted" })
    }))

  it.effect("layerMemoryConfig uses the budgets of NANOGEN_RATE_LIMITS", () =>
    Effect.gen(function*() {
      const limits = yield* RateLimits.RateLimits
      const all = yield* permits(limits, "openrouter", 2)
      assert.deepStrictEqual(all.map((p) => p._tag), ["Granted", "Limited"])
    }).pipe(
      Effect.provide(RateLimits.layerMemoryConfig),
      Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["NANOGEN_RATE_LIMITS", "openrouter=1/1h"]])))
    ))
})
