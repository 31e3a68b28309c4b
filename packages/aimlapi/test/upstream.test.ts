import { assert, layer } from "@effect/vitest"
import * as Emulator from "@nanogen/emulator"
import { HttpClientLive } from "@nanogen/test-utils"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { apiCalls, generate, PNG_1x1, PNG_1x1_DATA_URL } from "./helpers.js"

const setup = Effect.map(Emulator.EmulatorService, (emu) => {
  emu.reset()
  return emu
})

// The AI/ML API's `provider` field (auto | google | fal) as a typed option, and usd_spent as the reported cost.
layer(Layer.mergeAll(Emulator.layer(), HttpClientLive))("AI/ML API provider option and usd_spent", (it) => {
  it.effect("the layer option is sent on every model whose schema has it (2.5, Pro; text-to-image and edit)", () =>
    Effect.gen(function*() {
      const emu = yield* setup
      yield* generate(emu, { prompt: "a", model: "nano-banana" }, { provider: "fal" })
      yield* generate(emu, { prompt: "b", model: "nano-banana-pro", images: [{ data: PNG_1x1 }] }, { provider: "auto" })
      assert.deepStrictEqual(apiCalls(emu).map((call) => call.body), [
        { model: "google/gemini-2.5-flash-image", prompt: "a", provider: "fal" },
        { model: "google/gemini-3-pro-image-edit", prompt: "b", image_urls: [PNG_1x1_DATA_URL], provider: "auto" }
      ])
    }))

  it.effect("providerOptions.aimlapi.provider overrides the layer option per request", () =>
    Effect.gen(function*() {
      const emu = yield* setup
      const result = yield* generate(emu, {
        prompt: "c",
        model: "nano-banana-pro",
        providerOptions: { aimlapi: { provider: "google" } }
      }, { provider: "fal" })
      assert.deepStrictEqual(apiCalls(emu)[0]!.body, {
        model: "google/nano-banana-pro",
        prompt: "c",
        provider: "google"
      })
      assert.strictEqual(result.images[0].mimeType, "image/jpeg")
    }))

  it.effect("models without the field (Nano Banana 2, Lite, 2.1): not sent, with a warning; no 400", () =>
    Effect.gen(function*() {
      const emu = yield* setup
      const result = yield* generate(emu, { prompt: "d", model: "nano-banana-2-lite" }, { provider: "google" })
      assert.deepStrictEqual(apiCalls(emu)[0]!.body, { model: "google/gemini-3-1-flash-lite-image", prompt: "d" })
      assert.include(
        result.warnings,
        "provider is not accepted by google/gemini-3-1-flash-lite-image on aimlapi and was ignored"
      )
    }))

  it.effect("a value other than auto, google or fal is InvalidRequest naming the field, before any call", () =>
    Effect.gen(function*() {
      const emu = yield* setup
      const error = yield* Effect.flip(
        generate(emu, { prompt: "e", model: "nano-banana", providerOptions: { aimlapi: { provider: "replicate" } } })
      )
      assert.strictEqual(error._tag, "InvalidRequest")
      assert.strictEqual((error as { field?: string }).field, "providerOptions.aimlapi.provider")
      assert.strictEqual(apiCalls(emu).length, 0)
    }))

  it.effect("the newer schemas' meta.usage.usd_spent is the reported cost (Lite); absent, no cost (Nano Banana 2)", () =>
    Effect.gen(function*() {
      const emu = yield* setup
      const lite = yield* generate(emu, { prompt: "f", model: "nano-banana-2-lite" })
      assert.strictEqual(lite.cost?.source, "reported")
      assert.isAbove(lite.cost?.usd ?? 0, 0)
      const nb2 = yield* generate(emu, { prompt: "g", model: "nano-banana-2" })
      assert.isUndefined(nb2.cost)
    }))
})
