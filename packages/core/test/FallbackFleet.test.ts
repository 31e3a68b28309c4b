/**
 * The fallback with the fleet services in its context (their in-memory implementations): request budgets, pauses
 * from a backend's own 429, the result cache around a generation and the spend cap.
 */
import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Either, Fiber, Layer, TestClock } from "effect"
import {
  Fallback,
  ImageGenerationError as E,
  ImageProviderTest,
  ModelCatalog,
  RateLimits,
  ResultCache,
  SpendCap
} from "../src/index.js"
import { setup } from "./fallbackSetup.js"

const outcomes = (result: { readonly attempts: ReadonlyArray<{ provider: string; outcome: string }> }) =>
  result.attempts.map((a) => `${a.provider}:${a.outcome}`)

describe("Fallback with RateLimits", () => {
  it.effect("over its budget a backend is skipped when the next slot is beyond maxRetryAfter; the trail says so", () =>
    Effect.gen(function*() {
      const { calls, fallback } = yield* setup([{ name: "a" }, { name: "b" }], { maxRetryAfter: "30 seconds" })
      const first = yield* fallback.generate({ prompt: "one" })
      const second = yield* fallback.generate({ prompt: "two" })
      assert.deepStrictEqual(outcomes(first), ["a:success"])
      assert.deepStrictEqual(outcomes(second), ["a:RateLimited", "b:success"])
      assert.strictEqual(second.provider, "b")
      assert.include(second.attempts[0]!.message, "a is over its request budget; the next slot is in 1m")
      assert.strictEqual(second.attempts[0]!.durationMs, 0)
      assert.deepStrictEqual([yield* calls(0), yield* calls(1)], [1, 1])
    }).pipe(Effect.provide(RateLimits.layerMemory({ budgets: { a: { limit: 1, window: "1 minute" } } }))))

  it.effect("within maxRetryAfter the chain waits for the slot and calls the same backend", () =>
    Effect.gen(function*() {
      const { calls, fallback } = yield* setup([{ name: "a" }, { name: "b" }], { maxRetryAfter: "30 seconds" })
      yield* fallback.generate({ prompt: "one" })
      const fiber = yield* Effect.fork(fallback.generate({ prompt: "two" }))
      yield* TestClock.adjust("9 seconds")
      assert.strictEqual(yield* calls(0), 1) // still waiting
      yield* TestClock.adjust("1 second")
      const second = yield* Fiber.join(fiber)
      assert.deepStrictEqual(outcomes(second), ["a:success"])
      assert.deepStrictEqual([yield* calls(0), yield* calls(1)], [2, 0])
    }).pipe(Effect.provide(RateLimits.layerMemory({ budgets: { a: { limit: 1, window: "10 seconds" } } }))))

  it.effect("every backend over its budget: AllProvidersFailed with a RateLimited per backend, no call made", () =>
    Effect.gen(function*() {
      const { calls, fallback } = yield* setup([{ name: "a" }, { name: "b" }], { maxRetryAfter: "1 second" })
      yield* fallback.generate({ prompt: "one" })
      yield* fallback.generate({ prompt: "two" })
      const failed = yield* Effect.flip(fallback.generate({ prompt: "three" }))
      assert.strictEqual(failed._tag, "AllProvidersFailed")
      if (failed._tag === "AllProvidersFailed") {
        assert.deepStrictEqual(failed.errors.map((e) => `${e.provider}:${e._tag}`), ["a:RateLimited", "b:RateLimited"])
        assert.deepStrictEqual(failed.errors.map((e) => e._tag === "RateLimited" && e.retryAfter), [
          Duration.minutes(1),
          Duration.minutes(1)
        ])
      }
      assert.deepStrictEqual([yield* calls(0), yield* calls(1)], [1, 1])
    }).pipe(Effect.provide(RateLimits.layerMemory({
      budgets: { a: { limit: 1, window: "1 minute" }, b: { limit: 1, window: "1 minute" } }
    }))))

  it.effect("a backend's own 429 Retry-After pauses it for every later call sharing the limits", () =>
    Effect.gen(function*() {
      const limited = new E.RateLimited({
        provider: "a",
        message: "HTTP 429",
        status: 429,
        retryAfter: Duration.seconds(40)
      })
      const { calls, fallback } = yield* setup([{ name: "a", respond: [limited] }, { name: "b" }], {
        attempts: 1,
        maxRetryAfter: "5 seconds"
      })
      const first = yield* fallback.generate({ prompt: "one" })
      assert.deepStrictEqual(outcomes(first), ["a:RateLimited", "b:success"])
      const second = yield* fallback.generate({ prompt: "two" })
      assert.deepStrictEqual(outcomes(second), ["a:RateLimited", "b:success"])
      assert.include(second.attempts[0]!.message, "asked to be left alone (Retry-After) for 40s more")
      assert.strictEqual(yield* calls(0), 1) // the second call never reached a
      yield* TestClock.adjust("40 seconds")
      assert.deepStrictEqual(outcomes(yield* fallback.generate({ prompt: "three" })), ["a:success"])
    }).pipe(Effect.provide(RateLimits.layerMemory())))
})

describe("Fallback with ResultCache", () => {
  it.effect("a repeated idempotencyKey is served from the cache: cached true, no second call", () =>
    Effect.gen(function*() {
      const { calls, fallback } = yield* setup([{ name: "a" }])
      const first = yield* fallback.generate({ prompt: "one", idempotencyKey: "order-1" })
      const again = yield* fallback.generate({ prompt: "one", idempotencyKey: "order-1" })
      assert.strictEqual(first.cached, undefined)
      assert.strictEqual(again.cached, true)
      assert.deepStrictEqual(again.images, first.images)
      assert.strictEqual(yield* calls(0), 1)
      // without a key (and without hashRequests) nothing is cached
      yield* fallback.generate({ prompt: "one" })
      yield* fallback.generate({ prompt: "one" })
      assert.strictEqual(yield* calls(0), 3)
    }).pipe(Effect.provide(ResultCache.layerMemory())))

  it.effect("with hashRequests, 8 concurrent identical calls make one backend request", () =>
    Effect.gen(function*() {
      const built = yield* ImageProviderTest.make({ name: "a", delay: "1 second" })
      const fallback = yield* Fallback.make([built.provider])
      const fiber = yield* Effect.fork(
        Effect.all(Array.from({ length: 8 }, () => fallback.generate({ prompt: "same", aspectRatio: "16:9" })), {
          concurrency: "unbounded"
        })
      )
      yield* TestClock.adjust("1 second")
      const results = yield* Fiber.join(fiber)
      assert.strictEqual((yield* built.recorder.requests).length, 1)
      assert.strictEqual(results.filter((r) => r.cached === true).length, 7)
    }).pipe(Effect.provide(ResultCache.layerMemory({ hashRequests: true }))))
})

describe("Fallback with SpendCap", () => {
  const estimate = ModelCatalog.estimate(ModelCatalog.entries["nano-banana-pro"], { imageSize: "4K", n: 1 })

  it.effect("refuses a generation before any call once the cap would be passed", () =>
    Effect.gen(function*() {
      const { calls, fallback } = yield* setup([{ name: "a" }])
      const request = { prompt: "x", model: "nano-banana-pro", imageSize: "4K" } as const
      yield* fallback.generate(request)
      const refused = yield* Effect.flip(fallback.generate(request))
      assert.strictEqual(refused._tag, "BudgetExceeded")
      if (refused._tag === "BudgetExceeded") {
        assert.strictEqual(refused.estimateUsd, estimate)
        assert.strictEqual(refused.limitUsd, estimate * 1.5)
        assert.include(refused.message, `the spend cap of $${estimate * 1.5} per 1d is reached`)
      }
      assert.strictEqual(yield* calls(0), 1)
      const spend = yield* SpendCap.SpendCap
      assert.closeTo(yield* spend.spent, estimate, 1e-12)
    }).pipe(Effect.provide(SpendCap.layerMemory({ limitUsd: estimate * 1.5, period: "1 day" }))))

  it.effect("counts the reported cost, gives the reservation back on failure, nothing for a cached result", () =>
    Effect.gen(function*() {
      const unavailable = new E.ProviderUnavailable({ provider: "a", message: "HTTP 503", status: 503 })
      const { fallback } = yield* setup([{
        name: "a",
        respond: [{ cost: { usd: 0.2, source: "reported" } }, unavailable]
      }], { attempts: 1 })
      const spend = yield* SpendCap.SpendCap
      const request = { prompt: "x", model: "nano-banana-pro", imageSize: "4K", idempotencyKey: "k" } as const
      yield* fallback.generate(request)
      assert.closeTo(yield* spend.spent, 0.2, 1e-12)
      yield* fallback.generate(request) // cached
      assert.closeTo(yield* spend.spent, 0.2, 1e-12)
      const failed = yield* Effect.either(fallback.generate({ ...request, idempotencyKey: "other" }))
      assert.isTrue(Either.isLeft(failed))
      assert.closeTo(yield* spend.spent, 0.2, 1e-12)
    }).pipe(
      Effect.provide(Layer.merge(SpendCap.layerMemory({ limitUsd: 10, period: "1 day" }), ResultCache.layerMemory()))
    ))
})
