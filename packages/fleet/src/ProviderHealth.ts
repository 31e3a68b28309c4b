/**
 * Provider health for a whole fleet: core's `ProviderHealth` service kept in Redis. One circuit per backend:
 * consecutive failures are counted atomically (a success resets them when the backend had failures as the call
 * began) (Lua scripts, Redis server time), the cooldown is shared, and at its
 * end exactly one caller in the fleet gets the probe (`SET NX PX`). Every key expires on its own. When Redis is
 * down each instance falls back to its own in-memory circuit.
 *
 * @since 0.1.0
 */
import { ProviderHealth } from "@nanogen/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { Redis } from "ioredis"
import { randomUUID } from "node:crypto"
import { call, defineScripts, RedisConnection } from "./RedisConnection.js"

/**
 * @since 0.1.0
 * @category Models
 */
export interface RedisOptions extends ProviderHealth.MemoryOptions {
  /** How long the probe reservation lasts if its caller never reports (crashed). Default 150 seconds. */
  readonly probeTimeout?: Duration.DurationInput | undefined
  /** How long a backend's failure count lives without a new failure. Default 10 minutes. */
  readonly stateTtl?: Duration.DurationInput | undefined
}

const NOW = `local t = redis.call("TIME") local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)`

const scripts = {
  // KEYS: state, probe; ARGV: token, probe ms
  healthAcquire: `
local untilMs = tonumber(redis.call("HGET", KEYS[1], "until"))
if not untilMs then
  if redis.call("EXISTS", KEYS[1]) == 0 then return "clean" end
  return "available"
end
${NOW}
if now < untilMs then return "cooling-down" end
if redis.call("SET", KEYS[2], ARGV[1], "NX", "PX", ARGV[2]) then return "probe" end
return "cooling-down"`,
  // KEYS: state, probe; ARGV: threshold, cooldown ms, state ttl ms
  healthFailure: `
local failures = redis.call("HINCRBY", KEYS[1], "failures", 1)
if redis.call("EXISTS", KEYS[2]) == 1 or failures >= tonumber(ARGV[1]) then
  ${NOW}
  redis.call("HSET", KEYS[1], "until", now + tonumber(ARGV[2]))
  redis.call("DEL", KEYS[2])
end
redis.call("PEXPIRE", KEYS[1], ARGV[3])
return failures`,
  // KEYS: probe; ARGV: token
  healthRelease: `
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end
return 0`
} as const

interface HealthCommands {
  healthAcquire(
    state: string,
    probe: string,
    token: string,
    probeMs: number
  ): Promise<ProviderHealth.Decision | "clean">
  healthFailure(state: string, probe: string, threshold: number, cooldownMs: number, ttlMs: number): Promise<number>
  healthRelease(probe: string, token: string): Promise<number>
}

const millis = (input: Duration.DurationInput) => Math.max(1, Math.round(Duration.toMillis(Duration.decode(input))))

/**
 * Builds the Redis-backed health store on the fleet's connection, with an in-memory store (same options) for
 * outages.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ProviderHealth, RedisConnection } from "@nanogen/fleet"
 *
 * const health = ProviderHealth.makeRedis({ failureThreshold: 3, cooldown: "30 seconds" }).pipe(
 *   Effect.provide(RedisConnection.layer({ url: "redis://127.0.0.1:6379" }))
 * )
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const makeRedis = (options: RedisOptions = {}) =>
  Effect.gen(function*() {
    const redis = yield* RedisConnection
    const local = yield* ProviderHealth.makeMemory(options)
    const threshold = Math.max(1, options.failureThreshold ?? ProviderHealth.defaults.failureThreshold)
    const cooldownMs = millis(options.cooldown ?? ProviderHealth.defaults.cooldown)
    const probeMs = millis(options.probeTimeout ?? Duration.seconds(150))
    const stateTtlMs = Math.max(millis(options.stateTtl ?? Duration.minutes(10)), cooldownMs + probeMs)
    const token = randomUUID()
    defineScripts(redis.client, scripts, { healthAcquire: 2, healthFailure: 2, healthRelease: 1 })
    const commands = redis.client as unknown as Redis & HealthCommands
    const base = `${redis.prefix}health:`
    // backends whose last acquire found no failure at all: their success has nothing to reset (saves a round trip)
    const clean = new Set<string>()
    const state = (provider: string) => `${base}${provider}`
    const probe = (provider: string) => `${base}${provider}:probe`
    return ProviderHealth.ProviderHealth.of({
      acquire: (provider) =>
        redis.attempt(
          "health",
          Effect.map(
            call(() => commands.healthAcquire(state(provider), probe(provider), token, probeMs)),
            (decision) => {
              if (decision === "clean") clean.add(provider)
              else clean.delete(provider)
              return decision === "clean" ? "available" : decision
            }
          ),
          local.acquire(provider)
        ),
      success: (provider) =>
        redis.attempt(
          "health",
          Effect.suspend(() =>
            clean.has(provider)
              ? Effect.void
              : Effect.asVoid(call(() => commands.del(state(provider), probe(provider))))
          ),
          local.success(provider)
        ),
      failure: (provider) =>
        redis.attempt(
          "health",
          Effect.suspend(() => {
            clean.delete(provider)
            return Effect.asVoid(
              call(() => commands.healthFailure(state(provider), probe(provider), threshold, cooldownMs, stateTtlMs))
            )
          }),
          local.failure(provider)
        ),
      release: (provider) =>
        redis.attempt(
          "health",
          Effect.asVoid(call(() => commands.healthRelease(probe(provider), token))),
          local.release(provider)
        ),
      snapshot: redis.attempt(
        "health",
        Effect.gen(function*() {
          const keys: Array<string> = []
          let cursor = "0"
          do {
            const [next, found] = yield* call(() => commands.scan(cursor, "MATCH", `${base}*`, "COUNT", 100))
            cursor = next
            keys.push(...found.filter((key) => !key.endsWith(":probe")))
          } while (cursor !== "0")
          return yield* Effect.forEach(keys, (key) =>
            Effect.gen(function*() {
              const provider = key.slice(base.length)
              const [fields, probing] = yield* Effect.all([
                call(() => commands.hgetall(key)),
                call(() => commands.exists(probe(provider)))
              ], { concurrency: 2 })
              const until = fields.until === undefined ? undefined : Number(fields.until)
              return {
                provider,
                consecutiveFailures: Number(fields.failures ?? 0),
                coolingDownUntil: until,
                probing: probing === 1
              } satisfies ProviderHealth.State
            }))
        }),
        local.snapshot
      )
    })
  })

/**
 * Core's `ProviderHealth` service, fleet-wide in Redis. Provide it to the fallback (it then ignores its own
 * `health` option).
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { Fallback, ImageProviderTest } from "@nanogen/core"
 * import { ProviderHealth, RedisConnection } from "@nanogen/fleet"
 *
 * const Live = Fallback.layer([ImageProviderTest.layer({ name: "a" }), ImageProviderTest.layer({ name: "b" })]).pipe(
 *   Layer.provide(ProviderHealth.layerRedis({ failureThreshold: 3, cooldown: "30 seconds" })),
 *   Layer.provide(RedisConnection.layer({ url: "redis://127.0.0.1:6379" }))
 * )
 * ```
 * @since 0.1.0
 * @category Layers
 */
export const layerRedis = (
  options: RedisOptions = {}
): Layer.Layer<ProviderHealth.ProviderHealth, never, RedisConnection> =>
  Layer.effect(ProviderHealth.ProviderHealth, makeRedis(options))
