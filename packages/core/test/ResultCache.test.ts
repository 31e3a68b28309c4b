import { NodeFileSystem } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Deferred, Duration, Effect, Fiber, Option, Ref, TestClock } from "effect"
import * as fs from "node:fs/promises"
import * as os from "node:os"
import * as path from "node:path"
import { type ImageResult, ResultCache } from "../src/index.js"

// A 1×1 PNG; bytes after IEND keep it a PNG and make each image distinct.
const png = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8BQDwAEhQGAhKmMIQAAAABJRU5ErkJggg==",
  "base64"
)
const image = (marker: string) => new Uint8Array(Buffer.concat([png, Buffer.from(marker)]))
const resultOf = (...markers: ReadonlyArray<string>): ImageResult.ImageResult => ({
  images: markers.map((marker) => ({ data: image(marker), mimeType: "image/png", width: 1, height: 1 })) as any,
  provider: "openrouter",
  model: "google/gemini-2.5-flash-image",
  usage: { inputTokens: 12, outputTokens: 1290 },
  cost: { usd: 0.0387, source: "reported" },
  attempts: [{ provider: "openrouter", model: "google/gemini-2.5-flash-image", outcome: "success", durationMs: 900 }],
  warnings: []
})

const request = { prompt: "a nano banana", model: "nano-banana", images: [], n: 1 } as const

const counting = Effect.gen(function*() {
  const calls = yield* Ref.make(0)
  return {
    calls: Ref.get(calls),
    generate: (marker: string) => Effect.as(Ref.update(calls, (n) => n + 1), resultOf(marker))
  }
})

describe("ResultCache keys", () => {
  it("an idempotencyKey keys the request; hashing is opt-in", () => {
    const keyed = ResultCache.keyOf({ ...request, idempotencyKey: "order-1" }, false)
    assert.isTrue(Option.isSome(keyed))
    assert.match(Option.getOrThrow(keyed), /^idem-[0-9a-f]{64}$/)
    assert.deepStrictEqual(ResultCache.keyOf(request, false), Option.none())
    assert.match(Option.getOrThrow(ResultCache.keyOf(request, true)), /^req-[0-9a-f]{64}$/)
    // the key wins over the hash, whatever the request
    assert.deepStrictEqual(ResultCache.keyOf({ ...request, prompt: "else", idempotencyKey: "order-1" }, true), keyed)
  })

  it("the hash is the normalised request: spacing and key order do not matter, every deciding field does", () => {
    const key = (r: ResultCache.Keyed) => Option.getOrThrow(ResultCache.keyOf(r, true))
    const base = key({ ...request, providerOptions: { openrouter: { a: 1, b: 2 } } })
    assert.strictEqual(
      key({ ...request, prompt: "  a nano banana\n", providerOptions: { openrouter: { b: 2, a: 1 } } }),
      base
    )
    for (
      const changed of [
        { prompt: "a nano banana!" },
        { model: "nano-banana-pro" },
        { aspectRatio: "16:9" },
        { imageSize: "2K" },
        { seed: 7 },
        { n: 2 },
        { images: [{ data: image("ref") }] },
        { providerOptions: { openrouter: { a: 1, b: 3 } } }
      ]
    ) {
      assert.notStrictEqual(key({ ...request, providerOptions: { openrouter: { a: 1, b: 2 } }, ...changed }), base)
    }
    // reference images by their bytes' digest: the same bytes, the same key
    assert.strictEqual(
      key({ ...request, images: [{ data: image("ref") }] }),
      key({ ...request, images: [{ data: image("ref") }] })
    )
    assert.notStrictEqual(
      key({ ...request, images: [{ data: image("ref") }] }),
      key({ ...request, images: [{ data: image("rex") }] })
    )
    assert.include(ResultCache.normalise({ ...request, images: [{ url: "https://example.com/a.png" }] }), "url-sha256:")
  })

  it("split and join round-trip; a mismatched entry is a miss", () => {
    const result = resultOf("a", "b")
    const { images, metadata } = ResultCache.split(result)
    const json = JSON.parse(JSON.stringify(metadata))
    assert.deepStrictEqual(ResultCache.join(json, images), Option.some(result))
    assert.deepStrictEqual(ResultCache.join(json, [images[0]!]), Option.none())
    assert.deepStrictEqual(ResultCache.join(json, [images[0]!, image("longer one")]), Option.none())
    assert.deepStrictEqual(ResultCache.join(json, [images[0]!, null]), Option.none())
    assert.deepStrictEqual(ResultCache.join({ nonsense: true }, images), Option.none())
  })
})

describe("ResultCache over memory", () => {
  it.effect("a repeat within the TTL is served from the store; after it, generated again", () =>
    Effect.gen(function*() {
      const { calls, generate } = yield* counting
      const cache = yield* Effect.flatMap(
        ResultCache.makeStoreMemory(),
        (store) => ResultCache.make(store, { ttl: "1 hour" })
      )
      const first = yield* cache.run("k", generate("one"))
      const second = yield* cache.run("k", generate("two"))
      assert.deepStrictEqual([first.cached, second.cached], [false, true])
      assert.deepStrictEqual(second.result, first.result)
      yield* TestClock.adjust("1 hour")
      const third = yield* cache.run("k", generate("three"))
      assert.isFalse(third.cached)
      assert.deepStrictEqual(third.result, resultOf("three"))
      assert.strictEqual(yield* calls, 2)
    }))

  it.effect("8 concurrent identical calls make one generation; every caller gets its result", () =>
    Effect.gen(function*() {
      const { calls, generate } = yield* counting
      const gate = yield* Deferred.make<void>()
      const cache = yield* Effect.flatMap(ResultCache.makeStoreMemory(), (store) => ResultCache.make(store))
      const fiber = yield* Effect.fork(
        Effect.all(
          Array.from({ length: 8 }, () => cache.run("k", Effect.zipRight(Deferred.await(gate), generate("x")))),
          {
            concurrency: "unbounded"
          }
        )
      )
      yield* Effect.yieldNow()
      yield* Deferred.succeed(gate, undefined)
      const served = yield* Fiber.join(fiber)
      assert.strictEqual(yield* calls, 1)
      assert.deepStrictEqual(served.map((s) => s.cached).sort(), [false, true, true, true, true, true, true, true])
      for (const s of served) assert.deepStrictEqual(s.result, resultOf("x"))
    }))

  it.effect("callers waiting on a failed generation get its failure; nothing is stored", () =>
    Effect.gen(function*() {
      const gate = yield* Deferred.make<void>()
      const cache = yield* Effect.flatMap(ResultCache.makeStoreMemory(), (store) => ResultCache.make(store))
      const failing = Effect.zipRight(Deferred.await(gate), Effect.fail("RateLimited" as const))
      const fiber = yield* Effect.fork(Effect.all([cache.run("k", failing), cache.run("k", failing)], {
        concurrency: "unbounded",
        mode: "either"
      }))
      yield* Effect.yieldNow()
      yield* Deferred.succeed(gate, undefined)
      const outcomes = yield* Fiber.join(fiber)
      assert.deepStrictEqual(outcomes.map((o) => o._tag), ["Left", "Left"])
      const after = yield* cache.run("k", Effect.succeed(resultOf("later")))
      assert.isFalse(after.cached)
    }))

  it.effect("when the first caller is interrupted, a waiting caller generates instead", () =>
    Effect.gen(function*() {
      const { calls, generate } = yield* counting
      const cache = yield* Effect.flatMap(ResultCache.makeStoreMemory(), (store) => ResultCache.make(store))
      const first = yield* Effect.fork(cache.run("k", Effect.zipRight(Effect.never, generate("never"))))
      yield* Effect.yieldNow()
      const second = yield* Effect.fork(cache.run("k", generate("second")))
      yield* Effect.yieldNow()
      yield* Fiber.interrupt(first)
      const served = yield* Fiber.join(second)
      assert.deepStrictEqual(served, { result: resultOf("second"), cached: false })
      assert.strictEqual(yield* calls, 1)
    }))

  it.effect("the memory store is bounded: the least recently used result goes first", () =>
    Effect.gen(function*() {
      const bytes = image("a").byteLength + 1024
      const store = yield* ResultCache.makeStoreMemory({ maxBytes: bytes * 2 })
      yield* store.set("a", resultOf("a"), Duration.hours(1))
      yield* store.set("b", resultOf("b"), Duration.hours(1))
      yield* store.get("a") // a is now the most recent
      yield* store.set("c", resultOf("c"), Duration.hours(1))
      assert.isTrue(Option.isSome(yield* store.get("a")))
      assert.isTrue(Option.isNone(yield* store.get("b")))
      assert.isTrue(Option.isSome(yield* store.get("c")))
      // a result larger than the bound is not kept
      yield* store.set("big", resultOf("x".repeat(bytes * 2)), Duration.hours(1))
      assert.isTrue(Option.isNone(yield* store.get("big")))
    }))

  it.effect("a failing store never fails the generation: the cache is skipped", () =>
    Effect.gen(function*() {
      const { calls, generate } = yield* counting
      const broken: ResultCache.Store<Error> = {
        name: "broken",
        get: () => Effect.fail(new Error("down")),
        set: () => Effect.fail(new Error("down")),
        lock: () => Effect.fail(new Error("down"))
      }
      const cache = yield* ResultCache.make(broken)
      assert.deepStrictEqual(yield* cache.run("k", generate("a")), { result: resultOf("a"), cached: false })
      assert.deepStrictEqual(yield* cache.run("k", generate("b")), { result: resultOf("b"), cached: false })
      assert.strictEqual(yield* calls, 2)
    }))
})

describe("ResultCache over the file system", () => {
  const tempDir = Effect.acquireRelease(
    Effect.promise(() => fs.mkdtemp(path.join(os.tmpdir(), "nanogen-cache-"))),
    (dir) => Effect.promise(() => fs.rm(dir, { recursive: true, force: true }))
  )

  it.scoped("stores each image as its own bytes file and the metadata as JSON; another process's store reads it", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const a = yield* ResultCache.makeStoreFileSystem({ directory: `${dir}/cache` })
      const b = yield* ResultCache.makeStoreFileSystem({ directory: `${dir}/cache/` })
      const result = resultOf("first", "second")
      yield* a.set("idem-1", result, Duration.hours(1))
      const files = (yield* Effect.promise(() => fs.readdir(`${dir}/cache`))).sort()
      assert.deepStrictEqual(files, ["idem-1.0.bin", "idem-1.1.bin", "idem-1.json"])
      assert.deepStrictEqual(
        new Uint8Array(yield* Effect.promise(() => fs.readFile(`${dir}/cache/idem-1.1.bin`))),
        image("second")
      )
      const json = JSON.parse(yield* Effect.promise(() => fs.readFile(`${dir}/cache/idem-1.json`, "utf8")))
      assert.deepStrictEqual(json.metadata.images[0], {
        mimeType: "image/png",
        width: 1,
        height: 1,
        byteLength: image("first").byteLength
      })
      assert.deepStrictEqual(yield* b.get("idem-1"), Option.some(result))
      assert.deepStrictEqual(yield* b.get("idem-2"), Option.none())
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("an expired entry is a miss and is deleted; a truncated one is a miss", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const store = yield* ResultCache.makeStoreFileSystem({ directory: dir })
      yield* store.set("k", resultOf("a"), Duration.minutes(1))
      yield* TestClock.adjust("2 minutes")
      assert.deepStrictEqual(yield* store.get("k"), Option.none())
      assert.deepStrictEqual(yield* Effect.promise(() => fs.readdir(dir)), [])
      yield* store.set("t", resultOf("a"), Duration.minutes(10))
      yield* Effect.promise(() => fs.writeFile(`${dir}/t.0.bin`, png.subarray(0, 10)))
      assert.deepStrictEqual(yield* store.get("t"), Option.none())
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("the lock file is exclusive, released by its owner only, taken over once expired", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const [a, b] = yield* Effect.all([
        ResultCache.makeStoreFileSystem({ directory: dir }),
        ResultCache.makeStoreFileSystem({ directory: dir })
      ])
      const lock = Option.getOrThrow(yield* a.lock("k", Duration.seconds(30)))
      assert.isTrue(Option.isNone(yield* b.lock("k", Duration.seconds(30))))
      assert.isTrue(yield* lock.refresh)
      yield* TestClock.adjust("31 seconds")
      const taken = Option.getOrThrow(yield* b.lock("k", Duration.seconds(30)))
      assert.isFalse(yield* lock.refresh)
      yield* lock.release // not a's any more: stays
      assert.isTrue(Option.isNone(yield* a.lock("k", Duration.seconds(30))))
      yield* taken.release
      assert.isTrue(Option.isSome(yield* a.lock("k", Duration.seconds(30))))
    }).pipe(Effect.provide(NodeFileSystem.layer)))

  it.scoped("layerFileSystem: a repeated key is served from disk", () =>
    Effect.gen(function*() {
      const dir = yield* tempDir
      const { calls, generate } = yield* counting
      const run = (marker: string) =>
        Effect.flatMap(ResultCache.ResultCache, (cache) => cache.run("idem-x", generate(marker))).pipe(
          Effect.provide(ResultCache.layerFileSystem({ directory: dir }))
        )
      const first = yield* run("a")
      const second = yield* run("b") // a new layer: nothing in memory
      assert.deepStrictEqual([first.cached, second.cached], [false, true])
      assert.deepStrictEqual(second.result, resultOf("a"))
      assert.strictEqual(yield* calls, 1)
    }).pipe(Effect.provide(NodeFileSystem.layer)))
})
