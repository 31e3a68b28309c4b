/**
 * Redis killed in the middle of a run: generations go on, health and limits in local memory, the cache skipped.
 */
import { describe, expect, it } from "@effect/vitest"
import { Fallback } from "@nanogen/core"
import { makeLogRecorder } from "@nanogen/test-utils"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Schedule from "effect/Schedule"
import { Redis } from "ioredis"
import { ProviderHealth, RateLimits, RedisConnection, ResultCache } from "../src/index.js"
import { startBackend } from "./fixtures/backend.js"
import { loopbackProvider } from "./fixtures/provider.js"
import { startRedis } from "./redisServer.js"
import { uniquePrefix } from "./utils.js"

describe("Redis killed mid-run", () => {
  it.scopedLive("generations go on: health and limits fall back to local memory, the cache is skipped", () =>
    Effect.gen(function*() {
      const logs = makeLogRecorder()
      const redis = yield* Effect.acquireRelease(
        Effect.promise(() => startRedis()),
        (server) => Effect.promise(server.stop)
      )
      const backend = yield* Effect.acquireRelease(
        Effect.promise(() => startBackend({ a: { _tag: "ok" }, b: { _tag: "ok" } })),
        (server) => Effect.promise(server.close)
      )
      // Fleet.layer's Redis half, with the connection kept visible to watch it reconnect
      const context = yield* Layer.build(
        Layer.mergeAll(
          ProviderHealth.layerRedis({ failureThreshold: 2, cooldown: "1 minute" }),
          RateLimits.layerRedis({ budgets: { a: { limit: 100, window: "1 minute" } } }),
          ResultCache.layerRedis()
        ).pipe(Layer.provideMerge(RedisConnection.layer({ url: redis.url, prefix: uniquePrefix() })))
      )
      // the fallback finds the services in its context: limits and health per attempt, the cache around it all
      const fallback = yield* Fallback.make([
        loopbackProvider("a", backend.url),
        loopbackProvider("b", backend.url)
      ], { attempts: 1 }).pipe(Effect.provide(context))
      const run = Effect.succeed((prompt: string, idempotencyKey?: string) =>
        Effect.map(
          fallback.generate({ prompt, ...(idempotencyKey === undefined ? {} : { idempotencyKey }) }),
          (result) => ({ result, cached: result.cached === true })
        )
      )
      const generate = yield* run

      expect((yield* generate("before", "order-1")).cached).toBe(false)
      expect((yield* generate("before again", "order-1")).cached).toBe(true)
      yield* Effect.promise(redis.stop)

      // the cache is skipped: the same key generates again, and nothing fails
      const afterKill = yield* generate("after", "order-1").pipe(Effect.provide(logs.layer))
      expect(afterKill.cached).toBe(false)
      expect(backend.requests("a")).toBe(2)
      // the circuit still works, in this process's memory: a goes down, two failures, then it is skipped
      backend.setMode("a", { _tag: "down" })
      const results = yield* Effect.forEach([1, 2, 3, 4], (i) => generate(`down ${i}`)).pipe(Effect.provide(logs.layer))
      expect(results.map((r) => r.result.provider)).toEqual(["b", "b", "b", "b"])
      expect(backend.requests("a")).toBe(4) // 2 + the threshold of 2, then skipped
      const warnings = logs.lines().filter((line) => line.includes("level=WARN"))
      expect(warnings.some((line) => line.includes("using local memory until it is back"))).toBe(true)
      expect(warnings.some((line) => line.includes("result cache (redis) read failed"))).toBe(true)

      // Redis is back (same port): the client reconnects, the stores' own connections are rebuilt, state is shared
      const restarted = yield* Effect.acquireRelease(
        Effect.promise(() => startRedis(redis.port)),
        (server) => Effect.promise(server.stop)
      )
      const connection = Context.get(context, RedisConnection.RedisConnection)
      yield* connection.isUp.pipe(
        Effect.filterOrFail((up) => up),
        Effect.retry({ schedule: Schedule.spaced("50 millis"), times: 200 })
      )
      backend.setMode("a", { _tag: "ok" })
      const fresh = yield* generate("back", "order-2").pipe(Effect.provide(logs.layer))
      const repeat = yield* generate("back again", "order-2")
      expect([fresh.cached, repeat.cached]).toEqual([false, true])
      expect(logs.lines().some((line) => line.includes("is back; fleet state is shared again"))).toBe(true)
      const client = new Redis(restarted.url)
      const keys = yield* Effect.promise(() => client.keys("*ratelimit:a"))
      yield* Effect.promise(() => client.quit())
      expect(keys).toHaveLength(1)
    }))
})
