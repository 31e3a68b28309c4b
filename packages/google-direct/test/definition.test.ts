import { assert, layer } from "@effect/vitest"
import { type ImageRequest, ModelCatalog } from "@nanogen/core"
import { EmulatorService, layer as emulatorLayer } from "@nanogen/emulator"
import { fixture, HttpClientLive } from "@nanogen/test-utils"
import { Effect, Layer, Redacted } from "effect"
import { definition, GoogleImageProvider, models, nativeAliases } from "../src/index.js"

// The Gemini API ids, written out again on purpose: a wrong table entry must fail a test.
const ids = {
  "nano-banana": "gemini-2.5-flash-image",
  "nano-banana-2": "gemini-3.1-flash-image",
  "nano-banana-2-lite": "gemini-3.1-flash-lite-image",
  "nano-banana-2.1": "gemini-nano-banana-2.1",
  "nano-banana-pro": "gemini-3-pro-image"
} as const

const ok = { kind: "raw", status: 200, body: fixture("google", "gemini-3-pro-image-image-only.json") } as const

const run = (input: ImageRequest.Input) =>
  Effect.gen(function*() {
    const emu = yield* EmulatorService
    emu.reset()
    emu.script("google", { ...ok, headers: { "content-type": "application/json" } })
    const provider = yield* GoogleImageProvider.make({
      apiKey: Redacted.make(emu.keys.google),
      apiUrl: emu.urls.google
    })
    const result = yield* Effect.either(provider.generate(input))
    return { result, requests: emu.requests("google") }
  })

layer(Layer.merge(emulatorLayer(), HttpClientLive))("Gemini API definition and the open contract", (it) => {
  it("describes the backend: name, aliases, both key variables, GA ids, shut-down preview ids", () => {
    assert.strictEqual(definition.name, GoogleImageProvider.name)
    assert.deepStrictEqual(definition.aliases, ["google", "gemini"])
    assert.deepStrictEqual(definition.credentials.apiKey, ["GEMINI_API_KEY", "GOOGLE_API_KEY"])
    for (const alias of ModelCatalog.aliases) assert.strictEqual(models[alias]?.generate.id, ids[alias], alias)
    assert.deepStrictEqual(models["nano-banana-2-lite"]?.generate.imageSizes, ["1K"])
    assert.strictEqual(nativeAliases["gemini-3.1-flash-image-preview"]?.lifecycle?.status, "shutdown")
  })

  it.effect("Lite and 2.1 on the wire: their ids, Lite's 1:8 at 1K; Lite 2K refused before the wire", () =>
    Effect.gen(function*() {
      const lite = yield* run({ prompt: "x", model: "nano-banana-2-lite", aspectRatio: "1:8", imageSize: "1K" })
      assert.strictEqual(lite.requests[0]!.path, "/v1beta/models/gemini-3.1-flash-lite-image:generateContent")
      assert.deepStrictEqual((lite.requests[0]!.body as any).generationConfig.imageConfig, {
        aspectRatio: "1:8",
        imageSize: "1K"
      })
      const v21 = yield* run({ prompt: "x", model: "nano-banana-2.1", imageSize: "2K" })
      assert.strictEqual(v21.requests[0]!.path, "/v1beta/models/gemini-nano-banana-2.1:generateContent")
      const big = yield* run({ prompt: "x", model: "nano-banana-2-lite", imageSize: "2K" })
      assert.isTrue(big.result._tag === "Left" && big.result.left._tag === "UnsupportedRequest")
      assert.strictEqual(big.requests.length, 0)
    }))

  it.effect("grounding → tools google_search; thinkingLevel → generationConfig.thinkingConfig.thinkingLevel", () =>
    Effect.gen(function*() {
      const web = yield* run({
        prompt: "x",
        model: "nano-banana-2.1",
        grounding: { googleSearch: true },
        thinkingLevel: "high"
      })
      assert.deepStrictEqual(web.requests[0]!.body, {
        contents: [{ role: "user", parts: [{ text: "x" }] }],
        generationConfig: { responseModalities: ["TEXT", "IMAGE"], thinkingConfig: { thinkingLevel: "HIGH" } },
        tools: [{ google_search: {} }]
      })
      const images = yield* run({
        prompt: "x",
        model: "nano-banana-2.1",
        grounding: { googleSearch: true, imageSearch: true }
      })
      assert.deepStrictEqual((images.requests[0]!.body as any).tools, [
        { google_search: { search_types: { web_search: {}, image_search: {} } } }
      ])
      // Pro has web search only and no "minimal" thinking: both warned, neither sent
      const pro = yield* run({
        prompt: "x",
        model: "nano-banana-pro",
        grounding: { imageSearch: true },
        thinkingLevel: "minimal"
      })
      const body = pro.requests[0]!.body as any
      assert.isUndefined(body.tools)
      assert.isUndefined(body.generationConfig.thinkingConfig)
      assert.isTrue(pro.result._tag === "Right" && pro.result.right.warnings.length === 2)
    }))

  it.effect("providerOptions[\"google-direct\"]: an unknown key is refused before the wire", () =>
    Effect.gen(function*() {
      const typo = yield* run({ prompt: "x", providerOptions: { "google-direct": { generationConfg: {} } } })
      assert.isTrue(typo.result._tag === "Left")
      if (typo.result._tag === "Left") {
        assert.strictEqual((typo.result.left as any).field, "providerOptions.google-direct.generationConfg")
      }
      assert.strictEqual(typo.requests.length, 0)
    }))
})
