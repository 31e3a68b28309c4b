import { assert, layer } from "@effect/vitest"
import { ImageProvider, ModelCatalog, ProviderDefinition } from "@nanogen/core"
import * as Emulator from "@nanogen/emulator"
import { CANARY_KEY } from "@nanogen/test-utils"
import { ConfigProvider, Effect, Either, Layer } from "effect"
import { definition, models, nativeAliases } from "../src/index.js"
import { okCompletion, rawJson, setup, TestLayer } from "./helpers.js"

// OpenRouter's slugs, written out again on purpose: a wrong table entry must fail a test.
const ids = {
  "nano-banana": "google/gemini-2.5-flash-image",
  "nano-banana-2": "google/gemini-3.1-flash-image",
  "nano-banana-2-lite": "google/gemini-3.1-flash-lite-image",
  "nano-banana-2.1": "google/gemini-nano-banana-2.1",
  "nano-banana-pro": "google/gemini-3-pro-image"
} as const

layer(TestLayer)("OpenRouter definition and the open contract", (it) => {
  it("describes the backend: name, variables, GA ids for every model, preview slugs as native aliases", () => {
    assert.strictEqual(definition.name, "openrouter")
    assert.deepStrictEqual(definition.credentials.apiKey, ["OPENROUTER_API_KEY"])
    assert.deepStrictEqual(definition.apiUrl, { env: "OPENROUTER_API_URL", default: "https://openrouter.ai/api/v1" })
    for (const alias of ModelCatalog.aliases) assert.strictEqual(models[alias]?.generate.id, ids[alias], alias)
    assert.deepStrictEqual(models["nano-banana-2-lite"]?.generate.imageSizes, ["1K"])
    assert.deepStrictEqual(models["nano-banana-2"]?.generate.imageSizes, ["512", "1K", "2K", "4K"])
    assert.deepStrictEqual(models["nano-banana"]?.generate.imageSizes, [])
    assert.strictEqual(nativeAliases["google/gemini-3.1-flash-image-preview"]?.alias, "nano-banana-2")
  })

  it.effect("Lite and 2.1 go on the wire with their slugs; Lite 2K is refused before any call", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      emu.script("openrouter", rawJson(200, okCompletion()), rawJson(200, okCompletion()))
      yield* provider.generate({ prompt: "x", model: "nano-banana-2-lite", aspectRatio: "1:8", imageSize: "1K" })
      yield* provider.generate({ prompt: "x", model: "nano-banana-2.1", imageSize: "4K" })
      assert.deepStrictEqual(emu.requests("openrouter").map((r) => r.body), [
        {
          model: "google/gemini-3.1-flash-lite-image",
          modalities: ["image", "text"],
          messages: [{ role: "user", content: [{ type: "text", text: "x" }] }],
          image_config: { aspect_ratio: "1:8", image_size: "1K" }
        },
        {
          model: "google/gemini-nano-banana-2.1",
          modalities: ["image", "text"],
          messages: [{ role: "user", content: [{ type: "text", text: "x" }] }],
          image_config: { image_size: "4K" }
        }
      ])
      const lite2K = yield* Effect.flip(
        provider.generate({ prompt: "x", model: "nano-banana-2-lite", imageSize: "2K" })
      )
      assert.deepStrictEqual([lite2K._tag, (lite2K as any).field], ["UnsupportedRequest", "imageSize"])
      assert.strictEqual(emu.requests("openrouter").length, 2)
    }))

  it.effect("providerOptions.openrouter: unknown keys refused before the wire; other entries ignored", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      const typo = yield* Effect.flip(
        provider.generate({ prompt: "x", providerOptions: { openrouter: { provder: {} } } })
      )
      assert.deepStrictEqual([typo._tag, (typo as any).field], ["InvalidRequest", "providerOptions.openrouter.provder"])
      assert.strictEqual(emu.requests("openrouter").length, 0)
      yield* provider.generate({ prompt: "x", model: "nano-banana", providerOptions: { aimlapi: { provider: "fal" } } })
      assert.deepStrictEqual(Object.keys(emu.requests("openrouter")[0]!.body as object).sort(), [
        "messages",
        "modalities",
        "model"
      ])
    }))

  it.effect("grounding and thinkingLevel are not sent on chat completions: a warning says so", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      const result = yield* provider.generate({
        prompt: "x",
        model: "nano-banana-pro",
        grounding: { googleSearch: true },
        thinkingLevel: "high"
      })
      assert.deepStrictEqual(result.warnings, [
        "grounding is not supported by openrouter and was ignored",
        "thinkingLevel is not supported by openrouter and was ignored"
      ])
      const body = emu.requests("openrouter")[0]!.body as Record<string, unknown>
      assert.isUndefined(body.tools)
      assert.isUndefined(body.reasoning)
    }))

  it.effect("layerConfig derives from the definition; a key with an ellipsis is a ConfigError naming the variable", () =>
    Effect.gen(function*() {
      const built = yield* Layer.build(ProviderDefinition.layerConfig(definition)).pipe(
        Effect.scoped,
        Effect.withConfigProvider(ConfigProvider.fromMap(new Map([["OPENROUTER_API_KEY", `${CANARY_KEY}…`]]))),
        Effect.either
      )
      assert.isTrue(Either.isLeft(built))
      if (Either.isLeft(built)) {
        assert.include(String(built.left), "OPENROUTER_API_KEY holds a character that cannot be sent in an HTTP header")
        assert.notInclude(String(built.left), CANARY_KEY)
      }
    }))

  it.effect("OPENROUTER_API=images selects the Image API from the environment; an api given in code wins", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      const environment = (api: string) =>
        ConfigProvider.fromMap(
          new Map([
            ["OPENROUTER_API_KEY", emu.keys.openrouter],
            ["OPENROUTER_API_URL", emu.urls.openrouter],
            ["OPENROUTER_API", api]
          ])
        )
      const generate = (api: string, options: { readonly api?: "chat" | "images" } = {}) =>
        ImageProvider.generate({ prompt: "x", model: "nano-banana-pro" }).pipe(
          Effect.provide(ProviderDefinition.layerConfig(definition, options)),
          Effect.withConfigProvider(environment(api))
        )
      yield* generate(" images ")
      yield* generate("images", { api: "chat" })
      yield* generate("")
      assert.deepStrictEqual(emu.requests("openrouter").map((request) => request.path), [
        "/api/v1/images",
        "/api/v1/chat/completions",
        "/api/v1/chat/completions"
      ])
      const wrong = yield* Effect.flip(generate("image"))
      assert.strictEqual(wrong._tag, "ConfigError")
      assert.include(String(wrong), "OPENROUTER_API must be chat or images, not \"image\"")
      assert.strictEqual(emu.requests("openrouter").length, 3)
    }))
})
