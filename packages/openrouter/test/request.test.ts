import { assert, describe, it, layer } from "@effect/vitest"
import { ImageRequest } from "@nanogen/core"
import * as Effect from "effect/Effect"
import { OpenRouterImageProvider } from "../src/index.js"
import { okCompletion, PNG_1x1, rawJson, setup, TestLayer } from "./helpers.js"

const PNG_DATA_URL = `data:image/png;base64,${Buffer.from(PNG_1x1).toString("base64")}`

layer(TestLayer)("OpenRouterImageProvider wire request", (it) => {
  it.effect("text-to-image: exact path, headers and body (real emulator answer)", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup({ appUrl: "https://example.app", appName: "nanogen tests" })
      const result = yield* provider.generate({ prompt: "a nano banana dish", aspectRatio: "16:9", imageSize: "2K" })
      const [request] = emu.requests("openrouter")
      assert.strictEqual(emu.requests("openrouter").length, 1)
      assert.strictEqual(request!.method, "POST")
      assert.strictEqual(request!.path, "/api/v1/chat/completions")
      assert.isTrue(request!.credentialOk)
      assert.strictEqual(request!.headers["authorization"], "<redacted>")
      assert.strictEqual(request!.headers["http-referer"], "https://example.app")
      assert.strictEqual(request!.headers["x-openrouter-title"], "nanogen tests")
      assert.include(request!.headers["content-type"], "application/json")
      assert.deepStrictEqual(request!.body, {
        model: "google/gemini-3.1-flash-image",
        modalities: ["image", "text"],
        messages: [{ role: "user", content: [{ type: "text", text: "a nano banana dish" }] }],
        image_config: { aspect_ratio: "16:9", image_size: "2K" }
      })
      assert.strictEqual(result.provider, "openrouter")
      assert.strictEqual(result.model, "google/gemini-3.1-flash-image")
      assert.strictEqual(result.images.length, 1)
      assert.strictEqual(result.images[0].mimeType, "image/jpeg")
      assert.strictEqual(result.finishReason, "stop")
      assert.strictEqual(result.text, "Here is your image.")
      assert.isDefined(result.usage.inputTokens)
      assert.strictEqual(result.cost?.source, "reported")
      assert.deepStrictEqual(result.attempts.map((a) => [a.provider, a.model, a.outcome]), [[
        "openrouter",
        "google/gemini-3.1-flash-image",
        "success"
      ]])
      // the default model, Nano Banana 2, is deprecated: it works, with a warning naming its replacement
      assert.deepStrictEqual(result.warnings, [
        "nano-banana-2 (Nano Banana 2 (Gemini 3.1 Flash Image)) is deprecated since 2026-10-06; use nano-banana-2.1"
      ])
    }))

  it.effect("no attribution headers and no image_config when nothing is set", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      emu.script("openrouter", rawJson(200, okCompletion()))
      yield* provider.generate({ prompt: "x", model: "nano-banana" })
      const [request] = emu.requests("openrouter")
      assert.isUndefined(request!.headers["http-referer"])
      assert.isUndefined(request!.headers["x-openrouter-title"])
      assert.deepStrictEqual(request!.body, {
        model: "google/gemini-2.5-flash-image",
        modalities: ["image", "text"],
        messages: [{ role: "user", content: [{ type: "text", text: "x" }] }]
      })
    }))

  it.effect("each catalog model maps to its native id (real emulator answers)", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      const cases = [
        ["nano-banana", "google/gemini-2.5-flash-image", "image/png"],
        // the emulator answers JPEG for every Gemini 3 model, as the live recordings are
        ["nano-banana-2", "google/gemini-3.1-flash-image", "image/jpeg"],
        ["nano-banana-pro", "google/gemini-3-pro-image", "image/jpeg"],
        ["google/gemini-3-pro-image-preview", "google/gemini-3-pro-image-preview", "image/jpeg"]
      ] as const
      for (const [model, id, mime] of cases) {
        const result = yield* provider.generate({ prompt: "a cat", model, imageSize: "1K" })
        assert.strictEqual(result.model, id)
        assert.strictEqual(result.images[0].mimeType, mime, model)
      }
      const bodies = emu.requests("openrouter").map((r) => r.body as any)
      assert.deepStrictEqual(bodies.map((b) => b.model), cases.map((c) => c[1]))
      // 2.5 Flash Image has one fixed size: "1K" is satisfied without sending image_size
      assert.isUndefined(bodies[0].image_config)
      assert.deepStrictEqual(bodies[1].image_config, { image_size: "1K" })
      assert.deepStrictEqual(bodies[2].image_config, { image_size: "1K" })
    }))

  it.effect("every aspect ratio of Nano Banana 2 goes to image_config.aspect_ratio", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      emu.scriptWith("openrouter", () => rawJson(200, okCompletion()))
      for (const ratio of ImageRequest.aspectRatios) {
        yield* provider.generate({ prompt: "x", aspectRatio: ratio })
      }
      assert.deepStrictEqual(
        emu.requests("openrouter").map((r) => (r.body as any).image_config),
        ImageRequest.aspectRatios.map((ratio) => ({ aspect_ratio: ratio }))
      )
    }))

  it.effect("size tiers: 512 → 0.5K, 1K/2K/4K uppercase (the emulator accepts 0.5K)", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      // a real emulator answer for 0.5K: the emulator validates image_size against its own table
      const small = yield* provider.generate({ prompt: "x", imageSize: "512", aspectRatio: "1:1" })
      assert.strictEqual(small.images[0].width, 512)
      emu.scriptWith("openrouter", () => rawJson(200, okCompletion()))
      for (const size of ["1K", "2K", "4K"] as const) yield* provider.generate({ prompt: "x", imageSize: size })
      yield* provider.generate({ prompt: "x", model: "nano-banana-pro", imageSize: "4K", aspectRatio: "21:9" })
      assert.deepStrictEqual(emu.requests("openrouter").map((r) => (r.body as any).image_config), [
        { aspect_ratio: "1:1", image_size: "0.5K" },
        { image_size: "1K" },
        { image_size: "2K" },
        { image_size: "4K" },
        { aspect_ratio: "21:9", image_size: "4K" }
      ])
    }))

  it.effect("edit with two references: text first, then bytes as a sniffed data URL, then the URL as is", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      const result = yield* provider.generate({
        prompt: "put these together",
        model: "nano-banana-pro",
        // the mimeType hint is wrong on purpose: the sniffed type wins
        images: [{ data: PNG_1x1, mimeType: "image/jpeg" }, { url: "https://example.com/cat.png" }],
        aspectRatio: "4:3"
      })
      assert.strictEqual(result.images[0].mimeType, "image/jpeg")
      const [request] = emu.requests("openrouter")
      assert.deepStrictEqual(request!.body, {
        model: "google/gemini-3-pro-image",
        modalities: ["image", "text"],
        messages: [{
          role: "user",
          content: [
            { type: "text", text: "put these together" },
            { type: "image_url", image_url: { url: PNG_DATA_URL } },
            { type: "image_url", image_url: { url: "https://example.com/cat.png" } }
          ]
        }],
        image_config: { aspect_ratio: "4:3" }
      })
    }))

  it.effect("a data URL reference is passed through unchanged", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      emu.script("openrouter", rawJson(200, okCompletion()))
      yield* provider.generate({ prompt: "edit", images: [{ url: PNG_DATA_URL }] })
      const content = (emu.requests("openrouter")[0]!.body as any).messages[0].content
      assert.deepStrictEqual(content[1], { type: "image_url", image_url: { url: PNG_DATA_URL } })
    }))

  it.effect("seed and providerOptions.openrouter (provider routing, image_config merged key by key)", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      emu.script("openrouter", rawJson(200, okCompletion()))
      yield* provider.generate({
        prompt: "x",
        seed: 42,
        aspectRatio: "3:2",
        providerOptions: {
          openrouter: {
            provider: { only: ["google-ai-studio"], allow_fallbacks: false },
            image_config: { image_size: "2K" },
            temperature: 0.2
          }
        }
      })
      assert.deepStrictEqual(emu.requests("openrouter")[0]!.body, {
        model: "google/gemini-3.1-flash-image",
        modalities: ["image", "text"],
        messages: [{ role: "user", content: [{ type: "text", text: "x" }] }],
        image_config: { aspect_ratio: "3:2", image_size: "2K" },
        seed: 42,
        provider: { only: ["google-ai-studio"], allow_fallbacks: false },
        temperature: 0.2
      })
    }))

  it.effect("stream: true is sent when the option is on", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup({ stream: true })
      const result = yield* provider.generate({ prompt: "x", model: "nano-banana" })
      assert.strictEqual((emu.requests("openrouter")[0]!.body as any).stream, true)
      assert.strictEqual(result.images[0].mimeType, "image/png")
      assert.strictEqual(result.finishReason, "stop")
      assert.strictEqual(result.text, "Here is your image.")
      assert.isDefined(result.cost)
    }))

  it.effect("an unknown native id passes through", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      emu.script("openrouter", rawJson(200, okCompletion()))
      const result = yield* provider.generate({ prompt: "x", model: "acme/image-9", aspectRatio: "1:8", seed: 1 })
      assert.strictEqual(result.model, "acme/image-9")
      const body = emu.requests("openrouter")[0]!.body as any
      assert.strictEqual(body.model, "acme/image-9")
      assert.deepStrictEqual(body.image_config, { aspect_ratio: "1:8" })
      assert.strictEqual(body.seed, 1)
    }))
})

layer(TestLayer)("OpenRouterImageProvider validation before any request", (it) => {
  const cases: ReadonlyArray<[string, unknown, string, string | undefined]> = [
    ["empty prompt", { prompt: " " }, "InvalidRequest", "prompt"],
    ["unknown ratio", { prompt: "x", aspectRatio: "7:5" }, "InvalidRequest", "aspectRatio"],
    ["lowercase size", { prompt: "x", imageSize: "4k" }, "InvalidRequest", "imageSize"],
    ["1:8 on Pro", { prompt: "x", model: "nano-banana-pro", aspectRatio: "1:8" }, "InvalidRequest", "aspectRatio"],
    ["512 on Pro", { prompt: "x", model: "nano-banana-pro", imageSize: "512" }, "InvalidRequest", "imageSize"],
    ["2K on 2.5 Flash", { prompt: "x", model: "nano-banana", imageSize: "2K" }, "InvalidRequest", "imageSize"],
    [
      "4 images on 2.5 Flash",
      { prompt: "x", model: "nano-banana", images: Array.from({ length: 4 }, () => ({ data: PNG_1x1 })) },
      "InvalidRequest",
      "images"
    ],
    [
      "not an image",
      { prompt: "x", images: [{ data: new Uint8Array([1, 2, 3]) }] },
      "InvalidRequest",
      "images[0].data"
    ],
    ["n = 0", { prompt: "x", n: 0 }, "InvalidRequest", "n"]
  ]
  for (const [title, input, tag, field] of cases) {
    it.effect(`${title} → ${tag} naming ${field}, no request sent`, () =>
      Effect.gen(function*() {
        const { emu, provider } = yield* setup()
        const error = yield* Effect.flip(provider.generate(input as any))
        assert.strictEqual(error._tag, tag)
        assert.strictEqual((error as any).field, field)
        assert.strictEqual(error.provider, "openrouter")
        assert.strictEqual(emu.requests("openrouter").length, 0)
      }))
  }
})

describe("OpenRouterImageProvider module", () => {
  it("exports its name and default URL", () => {
    assert.strictEqual(OpenRouterImageProvider.name, "openrouter")
    assert.strictEqual(OpenRouterImageProvider.defaultApiUrl, "https://openrouter.ai/api/v1")
  })
})
