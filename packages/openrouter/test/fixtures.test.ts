import { assert, layer } from "@effect/vitest"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { rawFixture, setup, TestLayer } from "./helpers.js"

// Every file of fixtures/openrouter with the outcome SOURCES.md lists.
layer(TestLayer)("OpenRouter recorded fixtures", (it) => {
  it.effect("gemini-2.5-flash-image-text-and-image.json → image/png, text, stop, usage, no cost", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      emu.script("openrouter", rawFixture("gemini-2.5-flash-image-text-and-image.json"))
      const result = yield* provider.generate({ prompt: "A cat", model: "nano-banana" })
      assert.strictEqual(result.images.length, 1)
      assert.strictEqual(result.images[0].mimeType, "image/png")
      assert.strictEqual(result.images[0].width, 16)
      assert.strictEqual(result.text, "Here is a cat for you! ")
      assert.strictEqual(result.finishReason, "stop")
      assert.deepStrictEqual(result.usage, { inputTokens: 3, outputTokens: 1298, totalTokens: 1301 })
      assert.isUndefined(result.cost)
    }))

  it.effect("gemini-2.5-flash-image-story-with-cost.json → image/png, long text, reported cost", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      emu.script("openrouter", rawFixture("gemini-2.5-flash-image-story-with-cost.json"))
      const result = yield* provider.generate({ prompt: "A story", model: "nano-banana" })
      assert.strictEqual(result.images[0].mimeType, "image/png")
      assert.isTrue(result.text?.startsWith("A curious axolotl named Pip explored"))
      assert.deepStrictEqual(result.usage, { inputTokens: 16, outputTokens: 1339, totalTokens: 1355 })
      assert.deepStrictEqual(result.cost, { usd: 0.0388273, source: "reported" })
      assert.strictEqual(result.finishReason, "stop")
    }))

  it.effect("gemini-2.5-flash-image-text-only.json → NoImageReturned with the text (not ContentBlocked)", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      emu.script("openrouter", rawFixture("gemini-2.5-flash-image-text-only.json"))
      const error = yield* Effect.flip(provider.generate({ prompt: "What is in this image?", model: "nano-banana" }))
      assert.strictEqual(error._tag, "NoImageReturned")
      if (error._tag !== "NoImageReturned") return
      assert.isTrue(error.text?.startsWith("It looks like a fluffy cat"))
      assert.strictEqual(error.finishReason, "stop")
      assert.include(error.message, "no image")
      assert.include(error.message, "native_finish_reason STOP")
    }))

  it.effect("gemini-2.5-flash-image-stream-keepalive.txt (streaming) → comments skipped, 1 PNG, usage, cost", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup({ stream: true })
      emu.script("openrouter", rawFixture("gemini-2.5-flash-image-stream-keepalive.txt"))
      const result = yield* provider.generate({ prompt: "x", model: "nano-banana", aspectRatio: "3:2" })
      assert.strictEqual(result.images.length, 1)
      assert.strictEqual(result.images[0].mimeType, "image/png")
      assert.strictEqual(result.images[0].width, 16)
      assert.strictEqual(result.images[0].height, 11)
      assert.isUndefined(result.text)
      assert.strictEqual(result.finishReason, "stop")
      assert.deepStrictEqual(result.usage, { inputTokens: 2, outputTokens: 1290, totalTokens: 1292 })
      assert.deepStrictEqual(result.cost, { usd: 0.0387006, source: "reported" })
    }))

  it.effect("error-429-provider-rate-limited.json (HTTP 429) → RateLimited, no retryAfter, message from metadata.raw", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      emu.script("openrouter", rawFixture("error-429-provider-rate-limited.json", 429))
      const error = yield* Effect.flip(provider.generate({ prompt: "x" }))
      assert.strictEqual(error._tag, "RateLimited")
      if (error._tag !== "RateLimited") return
      assert.strictEqual(error.status, 429)
      assert.isUndefined(error.retryAfter)
      assert.include(error.message, "is temporarily rate-limited upstream. Please retry shortly")
      assert.include(error.message, "Google: ")
      assert.include(error.message, "Provider returned error")
    }))

  it.effect("aisdk-image-model-text-and-image.json → 1×1 PNG, text, stop, usage 10/100/110", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      emu.script("openrouter", rawFixture("aisdk-image-model-text-and-image.json"))
      const result = yield* provider.generate({ prompt: "x", model: "nano-banana" })
      assert.strictEqual(result.images[0].mimeType, "image/png")
      assert.strictEqual(result.images[0].width, 1)
      assert.strictEqual(result.images[0].height, 1)
      assert.strictEqual(result.text, "Here is the generated image.")
      assert.strictEqual(result.finishReason, "stop")
      assert.deepStrictEqual(result.usage, { inputTokens: 10, outputTokens: 100, totalTokens: 110 })
    }))

  it.effect("aisdk-image-model-text-refusal-no-images.json → NoImageReturned with the text", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      emu.script("openrouter", rawFixture("aisdk-image-model-text-refusal-no-images.json"))
      const error = yield* Effect.flip(provider.generate({ prompt: "x" }))
      assert.strictEqual(error._tag, "NoImageReturned")
      if (error._tag !== "NoImageReturned") return
      assert.strictEqual(error.text, "I cannot generate that image.")
      assert.include(error.message, "I cannot generate that image.")
    }))

  it.effect("aisdk-image-model-empty-choices.json → NoImageReturned", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      emu.script("openrouter", rawFixture("aisdk-image-model-empty-choices.json"))
      const error = yield* Effect.flip(provider.generate({ prompt: "x" }))
      assert.strictEqual(error._tag, "NoImageReturned")
      if (error._tag !== "NoImageReturned") return
      assert.isUndefined(error.text)
    }))

  it.effect("aisdk-stream-image-chunk.txt (streaming) → truncated PNG sniffed from magic bytes, usage 53/17/70", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup({ stream: true })
      emu.script("openrouter", rawFixture("aisdk-stream-image-chunk.txt"))
      const result = yield* provider.generate({ prompt: "x" })
      assert.strictEqual(result.images.length, 1)
      assert.strictEqual(result.images[0].mimeType, "image/png")
      // the IHDR declares 1024×1024; the pixels are cut off and never decoded
      assert.strictEqual(result.images[0].width, 1024)
      assert.isUndefined(result.text)
      assert.strictEqual(result.finishReason, "stop")
      assert.deepStrictEqual(result.usage, { inputTokens: 53, outputTokens: 17, totalTokens: 70 })
      assert.isUndefined(result.cost)
    }))

  it.effect("aisdk-http200-error-payload.json (HTTP 200) → ProviderUnavailable, status 500 from error.code", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      emu.script("openrouter", rawFixture("aisdk-http200-error-payload.json"))
      const error = yield* Effect.flip(provider.generate({ prompt: "x" }))
      assert.strictEqual(error._tag, "ProviderUnavailable")
      assert.strictEqual(error.status, 500)
      assert.include(error.message, "Internal Server Error")
    }))

  it.effect("JSON fixtures still decode when streaming was asked but the answer is plain JSON", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup({ stream: true })
      emu.script(
        "openrouter",
        rawFixture("gemini-2.5-flash-image-story-with-cost.json"),
        rawFixture("aisdk-http200-error-payload.json"),
        rawFixture("error-429-provider-rate-limited.json", 429, { "retry-after": "3" })
      )
      const result = yield* provider.generate({ prompt: "x" })
      assert.deepStrictEqual(result.cost, { usd: 0.0388273, source: "reported" })
      const http200 = yield* Effect.flip(provider.generate({ prompt: "x" }))
      assert.strictEqual(http200._tag, "ProviderUnavailable")
      assert.strictEqual(http200.status, 500)
      const limited = yield* Effect.flip(provider.generate({ prompt: "x" }))
      assert.strictEqual(limited._tag, "RateLimited")
      assert.deepStrictEqual(limited._tag === "RateLimited" ? limited.retryAfter : undefined, Duration.seconds(3))
    }))
})
