import { describe, expect, it } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { RateLimits } from "../src/index.js"
import { deadUrl, instance, rawClient, uniquePrefix } from "./utils.js"

const limits = (prefix: string, options: Parameters<typeof RateLimits.makeRedis>[0], url?: string) =>
  instance(prefix, RateLimits.makeRedis(options), url === undefined ? {} : { url })

const budgets = { "google-direct": { limit: 10, window: "1 minute" } } as const

describe("RateLimits.layerRedis", () => {
  it.scopedLive("a 10/min budget holds across instances", () =>
    Effect.gen(function*() {
      const prefix = uniquePrefix()
      const instances = yield* Effect.all([1, 2, 3].map(() => limits(prefix, { budgets })))
      const permits = yield* Effect.all(
        instances.flatMap((each) => Array.from({ length: 7 }, () => each.take("google-direct"))),
        { concurrency: "unbounded" }
      )
      expect(permits.filter((p) => p._tag === "Granted")).toHaveLength(10)
      const limited = permits.filter((p) => p._tag === "Limited")
      expect(limited).toHaveLength(11)
      for (const permit of limited) {
        expect(permit).toMatchObject({ reason: "budget" })
        const ms = Duration.toMillis((permit as { retryAfter: Duration.Duration }).retryAfter)
        expect(ms).toBeGreaterThan(0)
        expect(ms).toBeLessThanOrEqual(60_000)
      }
      // a backend without a budget is never limited
      expect((yield* instances[0]!.take("openrouter"))._tag).toBe("Granted")
    }))

  it.scopedLive("a backend's own 429 pauses it for every instance, and the pause expires in Redis", () =>
    Effect.gen(function*() {
      const prefix = uniquePrefix()
      const redis = yield* rawClient
      const [a, b] = yield* Effect.all([1, 2].map(() => limits(prefix, {})))
      yield* a!.pause("openrouter", "20 seconds")
      yield* b!.pause("openrouter", "5 seconds") // shorter: the longer pause stays
      const permit = yield* b!.take("openrouter")
      expect(permit).toMatchObject({ _tag: "Limited", reason: "paused" })
      const ms = Duration.toMillis((permit as { retryAfter: Duration.Duration }).retryAfter)
      expect(ms).toBeGreaterThan(15_000)
      expect(ms).toBeLessThanOrEqual(20_000)
      const ttl = yield* Effect.promise(() => redis.pttl(`${prefix}pause:openrouter`))
      expect(ttl).toBeGreaterThan(15_000)
      yield* a!.pause("aimlapi", "150 millis")
      expect((yield* b!.take("aimlapi"))._tag).toBe("Limited")
      yield* Effect.sleep("250 millis")
      expect((yield* b!.take("aimlapi"))._tag).toBe("Granted")
    }))

  it.scopedLive("budget counts live under the prefix with an expiry", () =>
    Effect.gen(function*() {
      const prefix = uniquePrefix()
      const redis = yield* rawClient
      const a = yield* limits(prefix, { budgets })
      yield* a.take("google-direct")
      const keys = yield* Effect.promise(() => redis.keys(`${prefix}ratelimit:*`))
      expect(keys).toEqual([`${prefix}ratelimit:google-direct`])
      const ttl = yield* Effect.promise(() => redis.pttl(keys[0]!))
      expect(ttl).toBeGreaterThan(0)
      expect(ttl).toBeLessThanOrEqual(6_000) // one token of a 10/min window
    }))

  it.scopedLive("a budget that does not divide its window is held in Redis too", () =>
    Effect.gen(function*() {
      const prefix = uniquePrefix()
      const redis = yield* rawClient
      const a = yield* limits(prefix, { budgets: { openrouter: { limit: 7, window: "1 minute" } } })
      const permits = yield* Effect.all(Array.from({ length: 8 }, () => a.take("openrouter")))
      expect(permits.map((p) => p._tag)).toEqual([...Array(7).fill("Granted"), "Limited"])
      expect(yield* Effect.promise(() => redis.get(`${prefix}ratelimit:openrouter`))).toBe("7")
    }))

  it.scopedLive("Redis unreachable: budgets are held per instance", () =>
    Effect.gen(function*() {
      const a = yield* limits(uniquePrefix(), { budgets: { openrouter: { limit: 2, window: "1 minute" } } }, deadUrl)
      const permits = yield* Effect.all([1, 2, 3].map(() => a.take("openrouter")))
      expect(permits.map((p) => p._tag)).toEqual(["Granted", "Granted", "Limited"])
    }))
})
