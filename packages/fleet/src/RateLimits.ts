/**
 * Request budgets for a whole fleet: core's `RateLimits` service with its counts in Redis through
 * `@effect/experimental`'s `RateLimiter` Redis store (fixed window, Redis-side expiry), and pauses from a backend's
 * own 429 kept as Redis keys that expire with the pause. When Redis is down each instance counts on its own.
 *
 * @since 0.1.0
 */
import * as RateLimiter from "@effect/experimental/RateLimiter"
import * as RateLimiterRedis from "@effect/experimental/RateLimiter/Redis"
import { RateLimits } from "@nanogen/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { Redis } from "ioredis"
import { call, defineScripts, RedisConnection } from "./RedisConnection.js"

const scripts = {
  // KEYS: pause; ARGV: ms — a longer pause already set stays
  pauseExtend: `
if redis.call("PTTL", KEYS[1]) < tonumber(ARGV[1]) then redis.call("SET", KEYS[1], "1", "PX", ARGV[1]) end
return 1`
} as const

interface PauseCommands {
  pauseExtend(key: string, millis: number): Promise<number>
}

/**
 * Builds the Redis-backed service on the fleet's connection (the `RateLimiter` store opens its own connection with
 * the same settings), with the in-memory service (same budgets) for outages.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { RateLimits, RedisConnection } from "@nanogen/fleet"
 *
 * const limits = Effect.scoped(RateLimits.makeRedis({ budgets: { openrouter: { limit: 60, window: "1 minute" } } })).pipe(
 *   Effect.provide(RedisConnection.layer())
 * )
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const makeRedis = (options: RateLimits.Options = {}) =>
  Effect.gen(function*() {
    const redis = yield* RedisConnection
    const local = yield* RateLimits.makeMemory(options)
    defineScripts(redis.client, scripts, { pauseExtend: 1 })
    const commands = redis.client as unknown as Redis & PauseCommands
    const pauseKey = (provider: string) => `${redis.prefix}pause:${provider}`
    const pauses: RateLimits.PauseStore<Error> = {
      pausedFor: (provider) => Effect.map(call(() => commands.pttl(pauseKey(provider))), (ms) => Math.max(0, ms)),
      extend: (provider, millis) => Effect.asVoid(call(() => commands.pauseExtend(pauseKey(provider), millis)))
    }
    // the RateLimiter store has a connection of its own, rebuilt after each reconnection
    const shared = yield* redis.reconnecting(Effect.gen(function*() {
      const store = yield* RateLimiterRedis.make(
        { ...redis.storeOptions, prefix: `${redis.prefix}ratelimit:` } as Parameters<typeof RateLimiterRedis.make>[0]
      )
      const limiter = yield* Effect.provideService(RateLimiter.make, RateLimiter.RateLimiterStore, store)
      return RateLimits.make(options.budgets, limiter, pauses)
    }))
    return RateLimits.RateLimits.of({
      take: (provider) =>
        redis.attempt("rate limits", Effect.flatMap(shared, (limits) => limits.take(provider)), local.take(provider)),
      pause: (provider, retryAfter) =>
        redis.attempt(
          "rate limits",
          Effect.flatMap(shared, (limits) => limits.pause(provider, retryAfter)),
          local.pause(provider, retryAfter)
        )
    })
  })

/**
 * Core's `RateLimits` service, fleet-wide in Redis.
 *
 * @example
 * ```ts
 * import { RateLimits, RedisConnection } from "@nanogen/fleet"
 * import { Layer } from "effect"
 *
 * const Limits = RateLimits.layerRedis({ budgets: { openrouter: { limit: 60, window: "1 minute" } } }).pipe(
 *   Layer.provide(RedisConnection.layer({ url: "redis://127.0.0.1:6379" }))
 * )
 * ```
 * @since 0.1.0
 * @category Layers
 */
export const layerRedis = (
  options: RateLimits.Options = {}
): Layer.Layer<RateLimits.RateLimits, never, RedisConnection> => Layer.scoped(RateLimits.RateLimits, makeRedis(options))
