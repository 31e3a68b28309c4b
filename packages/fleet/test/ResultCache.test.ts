import { describe, expect, it } from "@effect/vitest"
import { ResultCache as Core } from "@nanogen/core"
import { makeLogRecorder } from "@nanogen/test-utils"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import { ResultCache } from "../src/index.js"
import { pngWith, resultOf } from "./fixtures/images.js"
import { deadUrl, instance, rawClient, uniquePrefix } from "./utils.js"

const store = (prefix: string, url?: string) =>
  instance(prefix, ResultCache.makeStoreRedis, url === undefined ? {} : { url })
const cache = (prefix: string, options: Core.Options = {}, url?: string) =>
  Effect.flatMap(store(prefix, url), (s) => Core.make(s, options))

describe("ResultCache.layerRedis", () => {
  it.scopedLive("stores image bytes as binary values and the metadata as JSON, both expiring", () =>
    Effect.gen(function*() {
      const prefix = uniquePrefix()
      const redis = yield* rawClient
      const s = yield* store(prefix)
      const images = [pngWith("first"), pngWith("second")]
      const result = resultOf(images)
      yield* s.set("idem-abc", result, Core.defaults.ttl)
      const raw = yield* Effect.promise(() => redis.getBuffer(`${prefix}result:idem-abc:image:1`))
      expect(new Uint8Array(raw!)).toEqual(images[1])
      const meta = JSON.parse((yield* Effect.promise(() => redis.get(`${prefix}result:idem-abc`)))!)
      expect(meta.images).toEqual([
        { mimeType: "image/png", width: 1, height: 1, byteLength: images[0]!.byteLength },
        { mimeType: "image/png", width: 1, height: 1, byteLength: images[1]!.byteLength }
      ])
      expect(meta.provider).toBe("openrouter")
      const metaTtl = yield* Effect.promise(() => redis.pttl(`${prefix}result:idem-abc`))
      const imageTtl = yield* Effect.promise(() => redis.pttl(`${prefix}result:idem-abc:image:0`))
      expect(metaTtl).toBeGreaterThan(86_000_000)
      expect(metaTtl).toBeLessThanOrEqual(86_400_000)
      expect(imageTtl).toBeGreaterThan(metaTtl)
      const read = yield* s.get("idem-abc")
      expect(read).toEqual(Option.some(result))
      // a missing image value is a miss, never a broken result
      yield* Effect.promise(() => redis.del(`${prefix}result:idem-abc:image:1`))
      expect(yield* s.get("idem-abc")).toEqual(Option.none())
    }))

  it.scopedLive("a repeated key is served from Redis by another instance, without generating", () =>
    Effect.gen(function*() {
      const prefix = uniquePrefix()
      const [a, b] = yield* Effect.all([cache(prefix), cache(prefix)])
      const calls = yield* Ref.make(0)
      const generate = Effect.as(Ref.update(calls, (n) => n + 1), resultOf([pngWith("one")]))
      const first = yield* a.run("idem-order-1", generate)
      const second = yield* b.run("idem-order-1", generate)
      expect(first.cached).toBe(false)
      expect(second.cached).toBe(true)
      expect(second.result).toEqual(first.result)
      expect(yield* Ref.get(calls)).toBe(1)
    }))

  it.scopedLive("concurrent identical calls on several instances make one generation; the lock is released", () =>
    Effect.gen(function*() {
      const prefix = uniquePrefix()
      const redis = yield* rawClient
      const instances = yield* Effect.all([1, 2, 3, 4].map(() => cache(prefix)))
      const calls = yield* Ref.make(0)
      const gate = yield* Deferred.make<void>()
      const generate = Effect.zipRight(
        Ref.update(calls, (n) => n + 1),
        Effect.as(Deferred.await(gate), resultOf([pngWith("coalesced")]))
      )
      const fibers = yield* Effect.fork(
        Effect.all(instances.flatMap((each) => [each.run("req-x", generate), each.run("req-x", generate)]), {
          concurrency: "unbounded"
        })
      )
      yield* Effect.sleep("100 millis")
      expect(yield* Ref.get(calls)).toBe(1)
      yield* Deferred.succeed(gate, undefined)
      const served = yield* fibers.await.pipe(Effect.flatten)
      expect(served).toHaveLength(8)
      expect(served.filter((s) => !s.cached)).toHaveLength(1)
      expect(new Set(served.map((s) => Buffer.from(s.result.images[0].data).toString("hex"))).size).toBe(1)
      expect(yield* Ref.get(calls)).toBe(1)
      expect(yield* Effect.promise(() => redis.exists(`${prefix}result:req-x:lock`))).toBe(0)
    }))

  it.scopedLive("a failed generation is not stored and frees the lock: the next call generates", () =>
    Effect.gen(function*() {
      const prefix = uniquePrefix()
      const a = yield* cache(prefix)
      const failed = yield* Effect.either(a.run("idem-f", Effect.fail("boom" as const)))
      expect(failed._tag).toBe("Left")
      const next = yield* a.run("idem-f", Effect.succeed(resultOf([pngWith("after")])))
      expect(next.cached).toBe(false)
    }))

  it.scopedLive("the lock is exclusive, refreshed only by its owner, and expires", () =>
    Effect.gen(function*() {
      const prefix = uniquePrefix()
      const redis = yield* rawClient
      const [a, b] = yield* Effect.all([store(prefix), store(prefix)])
      const lock = yield* a.lock("k", Core.defaults.lockTtl)
      expect(Option.isSome(lock)).toBe(true)
      expect(Option.isNone(yield* b.lock("k", Core.defaults.lockTtl))).toBe(true)
      expect(yield* Option.getOrThrow(lock).refresh).toBe(true)
      const ttl = yield* Effect.promise(() => redis.pttl(`${prefix}result:k:lock`))
      expect(ttl).toBeGreaterThan(25_000)
      yield* Option.getOrThrow(lock).release
      const short = yield* b.lock("k", Duration.millis(100))
      expect(Option.isSome(short)).toBe(true)
      expect(yield* Option.getOrThrow(lock).refresh).toBe(false) // a's lock is gone: b holds the key now
      yield* Effect.sleep("200 millis")
      expect(Option.isSome(yield* a.lock("k", Core.defaults.lockTtl))).toBe(true)
    }))

  const logs = makeLogRecorder()
  it.scopedLive("Redis unreachable: the cache is skipped, every call generates, one warning", () =>
    Effect.gen(function*() {
      const a = yield* cache(uniquePrefix(), {}, deadUrl)
      const calls = yield* Ref.make(0)
      const generate = Effect.as(Ref.update(calls, (n) => n + 1), resultOf([pngWith("x")]))
      const first = yield* a.run("idem-1", generate)
      const second = yield* a.run("idem-1", generate)
      expect([first.cached, second.cached]).toEqual([false, false])
      expect(yield* Ref.get(calls)).toBe(2)
      const warnings = logs.lines().filter((line) => line.includes("level=WARN") && line.includes("result cache"))
      expect(warnings).toHaveLength(1)
    }).pipe(Effect.provide(logs.layer)))
})
