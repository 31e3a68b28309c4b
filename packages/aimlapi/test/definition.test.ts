import { assert, layer } from "@effect/vitest"
import { Fallback, ModelCatalog } from "@nanogen/core"
import * as Emulator from "@nanogen/emulator"
import { HttpClientLive } from "@nanogen/test-utils"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { definition, models } from "../src/index.js"
import { apiCalls, generate, provider } from "./helpers.js"

// The AI/ML API ids, written out again on purpose: a wrong table entry must fail a test.
const ids = {
  "nano-banana": ["google/gemini-2.5-flash-image", "google/nano-banana-edit", 4],
  "nano-banana-2": ["google/nano-banana-2", undefined, 1],
  "nano-banana-2-lite": ["google/gemini-3-1-flash-lite-image", undefined, 1],
  "nano-banana-2.1": ["google/gemini-nano-banana-2.1", undefined, 1],
  "nano-banana-pro": ["google/nano-banana-pro", "google/gemini-3-pro-image-edit", 4]
} as const

const setup = Effect.map(Emulator.EmulatorService, (emu) => {
  emu.reset()
  return emu
})

layer(Layer.mergeAll(Emulator.layer(), HttpClientLive))("AI/ML API definition and the open contract", (it) => {
  it("describes the backend: name, alias aiml, every model's ids and images per call", () => {
    assert.strictEqual(definition.name, "aimlapi")
    assert.deepStrictEqual(definition.aliases, ["aiml"])
    assert.deepStrictEqual(definition.credentials.apiKey, ["AIML_API_KEY"])
    for (const alias of ModelCatalog.aliases) {
      const [id, edit, perCall] = ids[alias]
      assert.strictEqual(models[alias]?.generate.id, id, alias)
      assert.strictEqual(models[alias]?.edit?.id, edit, alias)
      assert.strictEqual(models[alias]?.generate.maxPerCall, perCall, alias)
    }
  })

  it.effect("Lite and 2.1 go on the wire with their ids and a resolution; the table is checked before the wire", () =>
    Effect.gen(function*() {
      const emu = yield* setup
      yield* Effect.either(
        generate(emu, { prompt: "x", model: "nano-banana-2-lite", imageSize: "2K", aspectRatio: "9:16" })
      )
      yield* Effect.either(generate(emu, { prompt: "x", model: "nano-banana-2.1", imageSize: "4K" }))
      assert.deepStrictEqual(apiCalls(emu).map((call) => call.body), [
        { model: "google/gemini-3-1-flash-lite-image", prompt: "x", aspect_ratio: "9:16", resolution: "2K" },
        { model: "google/gemini-nano-banana-2.1", prompt: "x", resolution: "4K" }
      ])
      const ratio = yield* Effect.flip(generate(emu, { prompt: "x", model: "nano-banana-2-lite", aspectRatio: "21:9" }))
      assert.strictEqual(ratio._tag, "UnsupportedRequest")
      assert.strictEqual(apiCalls(emu).length, 2)
    }))

  it.effect("providerOptions.aimlapi is merged; an unknown key in it is refused before the wire", () =>
    Effect.gen(function*() {
      const emu = yield* setup
      const typo = yield* Effect.flip(
        generate(emu, { prompt: "x", providerOptions: { aimlapi: { providr: "google" } } })
      )
      assert.strictEqual((typo as any).field, "providerOptions.aimlapi.providr")
      assert.strictEqual(apiCalls(emu).length, 0)
      yield* generate(emu, {
        prompt: "x",
        model: "nano-banana-pro",
        providerOptions: { aimlapi: { provider: "google" } }
      })
      assert.deepStrictEqual(apiCalls(emu)[0]!.body, {
        model: "google/nano-banana-pro",
        prompt: "x",
        provider: "google"
      })
    }))

  it.effect("through Fallback, n passes through as num_images: one call for four images", () =>
    Effect.gen(function*() {
      const emu = yield* setup
      const service = yield* provider(emu)
      const fallback = yield* Fallback.make([service], { health: false })
      const result = yield* fallback.generate({ prompt: "four", model: "nano-banana-pro", n: 4 })
      assert.deepStrictEqual(apiCalls(emu).map((call) => (call.body as { num_images?: number }).num_images), [4])
      assert.strictEqual(result.images.length, 4)
      assert.deepStrictEqual(result.attempts.map((a) => [a.provider, a.outcome, a.image, a.count, a.attempt]), [
        ["aimlapi", "success", 0, 4, 1]
      ])
    }))

  it.effect("grounding and thinkingLevel are not mapped: a warning says so", () =>
    Effect.gen(function*() {
      const emu = yield* setup
      const result = yield* generate(emu, { prompt: "x", model: "nano-banana-pro", thinkingLevel: "high" })
      assert.include(result.warnings, "thinkingLevel is not supported by aimlapi and was ignored")
    }))
})
