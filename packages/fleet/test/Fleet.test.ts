import { describe, expect, it } from "@effect/vitest"
import { Fallback, ImageProviderTest, RateLimits, SpendCap } from "@nanogen/core"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Fleet } from "../src/index.js"
import { rawClient, redisUrl, uniquePrefix } from "./utils.js"

const withEnv = (entries: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(entries))))

describe("Fleet.layerConfig", () => {
  it.scopedLive("NANOGEN_REDIS_URL turns the Redis stores on; the budgets and the cap come from the environment", () =>
    Effect.gen(function*() {
      const redis = yield* rawClient
      const prefix = uniquePrefix()
      const program = Effect.gen(function*() {
        const limits = yield* RateLimits.RateLimits
        const spend = yield* SpendCap.SpendCap
        expect(spend.cap).toMatchObject({ limitUsd: 50 })
        const permits = yield* Effect.all([1, 2, 3].map(() => limits.take("openrouter")))
        expect(permits.map((p) => p._tag)).toEqual(["Granted", "Granted", "Limited"])
        const fallback = yield* Fallback.make([(yield* ImageProviderTest.make({ name: "aimlapi" })).provider])
        const result = yield* fallback.generate({ prompt: "x", idempotencyKey: "k" })
        expect((yield* fallback.generate({ prompt: "x", idempotencyKey: "k" })).cached).toBe(true)
        return result
      })
      yield* program.pipe(
        Effect.provide(Fleet.layerConfig({ redis: { prefix } })),
        withEnv({ NANOGEN_REDIS_URL: redisUrl(), NANOGEN_RATE_LIMITS: "openrouter=2/1m", NANOGEN_SPEND_CAP: "50/1d" })
      )
      const keys = yield* Effect.promise(() => redis.keys(`${prefix}*`))
      expect(keys.some((key) => key === `${prefix}ratelimit:openrouter`)).toBe(true)
      expect(keys.some((key) => key.startsWith(`${prefix}result:idem-`))).toBe(true)
      expect(keys.some((key) => key.startsWith(`${prefix}spend:`))).toBe(true)
    }))

  it.effect("without NANOGEN_REDIS_URL everything stays in memory", () =>
    Effect.gen(function*() {
      const limits = yield* RateLimits.RateLimits
      const permits = yield* Effect.all([1, 2].map(() => limits.take("google-direct")))
      expect(permits.map((p) => p._tag)).toEqual(["Granted", "Limited"])
    }).pipe(Effect.provide(Fleet.layerConfig()), withEnv({ NANOGEN_RATE_LIMITS: "google-direct=1/1h" })))

  it.effect("a malformed variable fails the layer with a ConfigError naming it", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Layer.build(Fleet.layerConfig()).pipe(Effect.scoped))
      expect(String(error)).toContain("NANOGEN_SPEND_CAP")
    }).pipe(withEnv({ NANOGEN_SPEND_CAP: "lots" })))
})
