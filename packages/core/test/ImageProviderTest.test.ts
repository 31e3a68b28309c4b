import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Fiber, Option, TestClock } from "effect"
import sharp from "sharp"
import { ImageGenerationError, ImageProvider, ImageProviderTest } from "../src/index.js"

describe("ImageProviderTest (the mock users put in their own tests)", () => {
  it.effect("answers a real, decodable PNG by default and records the validated request", () =>
    Effect.gen(function*() {
      const result = yield* ImageProvider.generate({ prompt: "a banana", aspectRatio: "1:1" })
      assert.strictEqual(result.provider, "test")
      assert.strictEqual(result.images[0].mimeType, "image/png")
      const meta = yield* Effect.promise(() => sharp(result.images[0].data).metadata())
      assert.deepStrictEqual([meta.format, meta.width, meta.height], ["png", 8, 8])
      const requests = yield* ImageProviderTest.requests
      assert.deepStrictEqual(requests, [{
        prompt: "a banana",
        aspectRatio: "1:1",
        images: [],
        model: "nano-banana-2",
        n: 1
      }])
    }).pipe(Effect.provide(ImageProviderTest.layer())))

  it.effect("plays a script of errors and results in order, then the default", () =>
    Effect.gen(function*() {
      const first = yield* Effect.flip(ImageProvider.generate({ prompt: "1" }))
      assert.strictEqual(first._tag, "RateLimited")
      const second = yield* ImageProvider.generate({ prompt: "2" })
      assert.strictEqual(second.text, "scripted")
      assert.strictEqual(second.provider, "mock")
      const third = yield* ImageProvider.generate({ prompt: "3" })
      assert.isUndefined(third.text)
      assert.strictEqual((yield* ImageProviderTest.requests).length, 3)
    }).pipe(Effect.provide(ImageProviderTest.layer({
      name: "mock",
      respond: [new ImageGenerationError.RateLimited({ provider: "mock", message: "slow down" }), { text: "scripted" }]
    }))))

  it.effect("answers as a function of the request", () =>
    Effect.gen(function*() {
      const blocked = yield* Effect.flip(ImageProvider.generate({ prompt: "forbidden thing" }))
      assert.strictEqual(blocked._tag, "ContentBlocked")
      const ok = yield* ImageProvider.generate({ prompt: "fine", n: 3 })
      assert.strictEqual(ok.images.length, 3)
    }).pipe(Effect.provide(ImageProviderTest.layer({
      respond: (request) =>
        request.prompt.includes("forbidden")
          ? new ImageGenerationError.ContentBlocked({ provider: "test", message: "no", reason: "IMAGE_SAFETY" })
          : {}
    }))))

  it.effect("validates before answering, like every provider", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(ImageProvider.generate({ prompt: "" }))
      assert.strictEqual(error._tag, "InvalidRequest")
      assert.deepStrictEqual(yield* ImageProviderTest.requests, [])
    }).pipe(Effect.provide(ImageProviderTest.layer())))

  it.effect("delays follow the TestClock", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(ImageProvider.generate({ prompt: "slow" }))
      yield* TestClock.adjust(Duration.seconds(9))
      assert.isTrue(Option.isNone(yield* Fiber.poll(fiber)))
      yield* TestClock.adjust(Duration.seconds(1))
      const result = yield* Fiber.join(fiber)
      assert.strictEqual(result.images.length, 1)
    }).pipe(Effect.provide(ImageProviderTest.layerDelayed("10 seconds"))))
})

describe("ImageProvider.fanOut", () => {
  it.effect("runs one call per image and merges usage and cost", () =>
    Effect.gen(function*() {
      const provider = yield* ImageProvider.ImageProvider
      const merged = yield* ImageProvider.fanOut(3, (index) =>
        Effect.map(provider.generate({ prompt: `p${index}` }), (result) => ({
          ...result,
          usage: { inputTokens: 1, outputTokens: 10 },
          cost: { usd: 0.5, source: "reported" as const }
        })), { concurrency: 2 })
      assert.strictEqual(merged.images.length, 3)
      assert.deepStrictEqual(merged.usage, { inputTokens: 3, outputTokens: 30 })
      assert.deepStrictEqual(merged.cost, { usd: 1.5, source: "reported" })
      assert.strictEqual(merged.attempts.length, 3)
    }).pipe(Effect.provide(ImageProviderTest.layer())))
})
