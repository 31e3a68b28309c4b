/**
 * A spend cap for a whole fleet: core's `SpendCap` service counted in Redis — 60 buckets per period, each an
 * `INCRBYFLOAT` counter that expires on its own; reserving sums the live buckets and counts the amount in one Lua
 * script (Redis server time), so two instances never both pass the cap on the same dollar. When Redis is down
 * each instance counts on its own.
 *
 * @since 0.1.0
 */
import { SpendCap } from "@nanogen/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type { Redis } from "ioredis"
import { call, defineScripts, RedisConnection } from "./RedisConnection.js"

const scripts = {
  // KEYS: bucket prefix; ARGV: usd, limit (or "none"), bucket ms, buckets, mode ("reserve" | "add" | "read")
  spendUpdate: `
local t = redis.call("TIME")
local now = tonumber(t[1]) * 1000 + math.floor(tonumber(t[2]) / 1000)
local bucketMs = tonumber(ARGV[3])
local count = tonumber(ARGV[4])
local current = math.floor(now / bucketMs)
local keys = {}
for i = 0, count - 1 do keys[#keys + 1] = KEYS[1] .. (current - i) end
local spent = 0
for _, value in ipairs(redis.call("MGET", unpack(keys))) do
  if value then spent = spent + tonumber(value) end
end
local usd = tonumber(ARGV[1])
if ARGV[5] == "reserve" and ARGV[2] ~= "none" then
  local limit = tonumber(ARGV[2])
  if spent >= limit or spent + usd > limit then return { 0, tostring(spent) } end
end
if ARGV[5] ~= "read" and usd ~= 0 then
  redis.call("INCRBYFLOAT", keys[1], usd)
  redis.call("PEXPIRE", keys[1], bucketMs * (count + 1))
end
return { 1, tostring(spent) }`
} as const

interface SpendCommands {
  spendUpdate(
    prefix: string,
    usd: number,
    limit: number | "none",
    bucketMs: number,
    buckets: number,
    mode: "reserve" | "add" | "read"
  ): Promise<[number, string]>
}

/**
 * Builds the Redis-backed counter on the fleet's connection, with the in-memory one for outages. `undefined`
 * counts without a cap.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { RedisConnection, SpendCap } from "@nanogen/fleet"
 *
 * const spend = SpendCap.makeRedis({ limitUsd: 50, period: "1 day" }).pipe(Effect.provide(RedisConnection.layer()))
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const makeRedis = (capInput: SpendCap.CapInput | undefined) =>
  Effect.gen(function*() {
    const redis = yield* RedisConnection
    const local = yield* SpendCap.makeMemory(capInput)
    const cap = SpendCap.decodeCap(capInput)
    const bucketMs = Math.max(1, Math.round(Duration.toMillis(cap?.period ?? Duration.days(1)) / SpendCap.buckets))
    defineScripts(redis.client, scripts, { spendUpdate: 1 })
    const commands = redis.client as unknown as Redis & SpendCommands
    // the bucket size is in the key, so two caps of different periods never mix their buckets
    const prefix = `${redis.prefix}spend:${bucketMs}:`
    const update = (usd: number, mode: "reserve" | "add" | "read") =>
      Effect.map(
        call(() => commands.spendUpdate(prefix, usd, cap?.limitUsd ?? "none", bucketMs, SpendCap.buckets, mode)),
        ([ok, spent]) => ({ ok: ok === 1, spentUsd: Number(spent) })
      )
    return SpendCap.SpendCap.of({
      cap,
      reserve: (usd) =>
        redis.attempt(
          "spend cap",
          Effect.map(
            update(usd, "reserve"),
            ({ ok, spentUsd }): SpendCap.Verdict =>
              ok || cap === undefined ? { _tag: "Reserved", spentUsd } : { _tag: "Exceeded", spentUsd, cap }
          ),
          local.reserve(usd)
        ),
      adjust: (usd) => redis.attempt("spend cap", Effect.asVoid(update(usd, "add")), local.adjust(usd)),
      spent: redis.attempt("spend cap", Effect.map(update(0, "read"), ({ spentUsd }) => spentUsd), local.spent)
    })
  })

/**
 * Core's `SpendCap` service, fleet-wide in Redis.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { RedisConnection, SpendCap } from "@nanogen/fleet"
 *
 * const Spend = SpendCap.layerRedis({ limitUsd: 50, period: "1 day" }).pipe(Layer.provide(RedisConnection.layer()))
 * ```
 * @since 0.1.0
 * @category Layers
 */
export const layerRedis = (
  cap: SpendCap.CapInput | undefined
): Layer.Layer<SpendCap.SpendCap, never, RedisConnection> => Layer.effect(SpendCap.SpendCap, makeRedis(cap))
