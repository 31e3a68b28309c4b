import { assert, layer } from "@effect/vitest"
import { Fallback, ImageBytes, ImageProviderTest } from "@nanogen/core"
import * as Emulator from "@nanogen/emulator"
import { HttpClientLive } from "@nanogen/test-utils"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as TestClock from "effect/TestClock"
import { okCompletion, PNG_1x1, rawJson, setup, TestLayer } from "./helpers.js"

const PNG_DATA_URL = `data:image/png;base64,${Buffer.from(PNG_1x1).toString("base64")}`

const posts = (emu: Emulator.Emulator) => emu.requests("openrouter").filter((r) => r.method === "POST")
const gets = (emu: Emulator.Emulator) => emu.requests("openrouter").filter((r) => r.method === "GET")

layer(TestLayer)("OpenRouter Image API (api: \"images\") against the emulator", (it) => {
  it.effect("text-to-image: POST /api/v1/images with the exact body; image, usage and reported cost decoded", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup({ api: "images", appName: "nanogen tests" })
      const result = yield* provider.generate({
        prompt: "a nano banana dish",
        model: "nano-banana-pro",
        aspectRatio: "16:9",
        imageSize: "2K",
        seed: 42
      })
      const [request] = posts(emu)
      assert.strictEqual(emu.requests("openrouter").length, 1)
      assert.strictEqual(request!.path, "/api/v1/images")
      assert.isTrue(request!.credentialOk)
      assert.strictEqual(request!.headers["authorization"], "<redacted>")
      assert.strictEqual(request!.headers["x-openrouter-title"], "nanogen tests")
      assert.deepStrictEqual(request!.body, {
        model: "google/gemini-3-pro-image",
        prompt: "a nano banana dish",
        resolution: "2K",
        aspect_ratio: "16:9",
        seed: 42
      })
      assert.strictEqual(result.provider, "openrouter")
      assert.strictEqual(result.model, "google/gemini-3-pro-image")
      assert.strictEqual(result.images.length, 1)
      // Gemini 3 models answer JPEG natively; the type is sniffed from the bytes
      assert.strictEqual(result.images[0].mimeType, "image/jpeg")
      assert.isAbove(result.images[0].width ?? 0, 1000)
      assert.isDefined(result.usage.outputTokens)
      assert.strictEqual(result.cost?.source, "reported")
      assert.isAbove(result.cost?.usd ?? 0, 0)
      assert.isUndefined(result.text)
      assert.deepStrictEqual(result.attempts.map((a) => [a.provider, a.model, a.outcome]), [[
        "openrouter",
        "google/gemini-3-pro-image",
        "success"
      ]])
    }))

  it.effect("edit with routing and output_format: input_references, provider, output_format on the wire", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup({
        api: "images",
        images: {
          outputFormat: "webp",
          routing: { order: ["google-vertex"], only: ["google-vertex", "google-ai-studio"], allowFallbacks: false }
        }
      })
      const result = yield* provider.generate({
        prompt: "make it blue",
        model: "nano-banana",
        images: [{ data: PNG_1x1 }, { url: PNG_DATA_URL }]
      })
      assert.deepStrictEqual(posts(emu)[0]!.body, {
        model: "google/gemini-2.5-flash-image",
        prompt: "make it blue",
        input_references: [
          { type: "image_url", image_url: { url: PNG_DATA_URL } },
          { type: "image_url", image_url: { url: PNG_DATA_URL } }
        ],
        output_format: "webp",
        provider: {
          order: ["google-vertex"],
          only: ["google-vertex", "google-ai-studio"],
          allow_fallbacks: false
        }
      })
      assert.strictEqual(result.images[0].mimeType, "image/webp")
    }))

  it.effect("n: one call per image by default; maxPerCall sends n in one call", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup({ api: "images" })
      const split = yield* provider.generate({ prompt: "three", model: "nano-banana", n: 3 })
      assert.strictEqual(split.images.length, 3)
      assert.deepStrictEqual(
        posts(emu).map((r) => r.body),
        Array.from({ length: 3 }, () => ({ model: "google/gemini-2.5-flash-image", prompt: "three" }))
      )
      const batched = yield* setup({ api: "images", images: { maxPerCall: 4 } })
      const result = yield* batched.provider.generate({ prompt: "three", model: "nano-banana", n: 3 })
      assert.deepStrictEqual(posts(batched.emu).map((r) => r.body), [
        { model: "google/gemini-2.5-flash-image", prompt: "three", n: 3 }
      ])
      assert.strictEqual(result.images.length, 3)
      assert.strictEqual(new Set(result.images.map((image) => Buffer.from(image.data).toString("base64"))).size, 3)
      assert.deepStrictEqual(result.attempts.map((a) => [a.outcome, a.count]), [["success", 3]])
    }))

  it.effect("providerOptions.openrouter is merged into the body (provider key by key); an unknown key is refused", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup({ api: "images", images: { routing: { only: ["google-ai-studio"] } } })
      yield* provider.generate({
        prompt: "x",
        model: "nano-banana",
        providerOptions: { openrouter: { quality: "high", provider: { sort: "price" } } }
      })
      assert.deepStrictEqual(posts(emu)[0]!.body, {
        model: "google/gemini-2.5-flash-image",
        prompt: "x",
        quality: "high",
        provider: { only: ["google-ai-studio"], sort: "price" }
      })
      const error = yield* Effect.flip(
        provider.generate({ prompt: "x", providerOptions: { openrouter: { modalities: ["image"] } } })
      )
      assert.strictEqual(error._tag, "InvalidRequest")
      assert.strictEqual(posts(emu).length, 1)
    }))

  it.effect("stream: SSE events (partial then completed) are decoded; a buffered JSON answer too", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup({ api: "images", stream: true })
      emu.script("openrouter", { kind: "ok", imagesSse: true })
      const streamed = yield* provider.generate({ prompt: "s", model: "nano-banana" })
      assert.deepStrictEqual(posts(emu)[0]!.body, { model: "google/gemini-2.5-flash-image", prompt: "s", stream: true })
      assert.strictEqual(posts(emu)[0]!.headers["accept"], "text/event-stream")
      assert.strictEqual(streamed.images.length, 1)
      assert.strictEqual(streamed.images[0].mimeType, "image/png")
      assert.strictEqual(streamed.cost?.source, "reported")
      // Gemini endpoints ignore stream and answer the buffered JSON
      const buffered = yield* provider.generate({ prompt: "s", model: "nano-banana" })
      assert.strictEqual(buffered.images[0].mimeType, "image/png")
    }))

  it.effect("errors: routing to no endpoint 404, refusal 502 (not billed), 429 Retry-After, empty data, stream error", () =>
    Effect.gen(function*() {
      const routed = yield* setup({ api: "images", images: { routing: { only: ["nobody"] } } })
      const none = yield* Effect.flip(routed.provider.generate({ prompt: "x", model: "nano-banana" }))
      assert.strictEqual(none._tag, "UnsupportedRequest")
      assert.strictEqual(none.status, 404)

      const { emu, provider } = yield* setup({ api: "images" })
      emu.script(
        "openrouter",
        { kind: "refusal" },
        { kind: "status", status: 429, retryAfter: 3 },
        { kind: "refusal", form: "empty" },
        { kind: "status", status: 524 }
      )
      const refused = yield* Effect.flip(provider.generate({ prompt: "x", model: "nano-banana" }))
      assert.strictEqual(refused._tag, "ProviderUnavailable")
      assert.strictEqual(refused.status, 502)
      assert.include(refused.message, "not billed")
      const limited = yield* Effect.flip(provider.generate({ prompt: "x", model: "nano-banana" }))
      assert.strictEqual(limited._tag, "RateLimited")
      if (limited._tag === "RateLimited") assert.deepStrictEqual(limited.retryAfter, Duration.seconds(3))
      const empty = yield* Effect.flip(provider.generate({ prompt: "x", model: "nano-banana" }))
      assert.strictEqual(empty._tag, "NoImageReturned")
      const timedOut = yield* Effect.flip(provider.generate({ prompt: "x", model: "nano-banana" }))
      assert.strictEqual(timedOut._tag, "ProviderUnavailable")
      assert.strictEqual(timedOut.status, 524)

      const streaming = yield* setup({ api: "images", stream: true })
      streaming.emu.script("openrouter", { kind: "http200Error" })
      const failed = yield* Effect.flip(streaming.provider.generate({ prompt: "x", model: "nano-banana" }))
      assert.strictEqual(failed._tag, "ProviderUnavailable")
    }))

  it.effect("discovery: reads the endpoints once per TTL (no credential), then sends n per call as listed", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup({ api: "images", images: { discovery: { ttl: "1 hour" } } })
      const first = yield* provider.generate({ prompt: "four", model: "nano-banana-pro", n: 4 })
      assert.strictEqual(first.images.length, 4)
      const [listing] = gets(emu)
      assert.strictEqual(listing!.path, "/api/v1/images/models/google/gemini-3-pro-image/endpoints")
      assert.isUndefined(listing!.headers["authorization"])
      assert.deepStrictEqual(posts(emu).map((r) => r.body), [
        { model: "google/gemini-3-pro-image", prompt: "four", n: 4 }
      ])
      // the service's table is refreshed: Fallback reads maxPerCall from it
      assert.strictEqual(provider.models?.["nano-banana-pro"]?.generate.maxPerCall, 10)

      yield* provider.generate({ prompt: "again", model: "nano-banana-pro" })
      assert.strictEqual(gets(emu).length, 1)
      yield* TestClock.adjust("61 minutes")
      yield* provider.generate({ prompt: "later", model: "nano-banana-pro" })
      assert.strictEqual(gets(emu).length, 2)
    }))

  it.effect("discovery: concurrent first requests share one listing request", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup({ api: "images", images: { discovery: true } })
      const results = yield* Effect.all(
        Array.from({ length: 4 }, (_, index) => provider.generate({ prompt: `p${index}`, model: "nano-banana" })),
        { concurrency: "unbounded" }
      )
      assert.strictEqual(results.length, 4)
      assert.strictEqual(gets(emu).length, 1)
      assert.strictEqual(posts(emu).length, 4)
    }))

  it.effect("discovery checks the request against the listing before the call; a listing error keeps the table", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup({ api: "images", images: { discovery: true } })
      emu.script(
        "openrouter",
        rawJson(200, {
          id: "google/gemini-3-pro-image",
          endpoints: [{
            provider_slug: "google-ai-studio",
            supported_parameters: {
              resolution: { type: "enum", values: ["1K"] },
              aspect_ratio: { type: "enum", values: ["1:1", "16:9"] },
              n: { type: "range", min: 1, max: 2 },
              input_references: { type: "range", min: 0, max: 1 }
            }
          }]
        })
      )
      const error = yield* Effect.flip(provider.generate({ prompt: "x", model: "nano-banana-pro", imageSize: "4K" }))
      assert.strictEqual(error._tag, "UnsupportedRequest")
      assert.strictEqual((error as { field?: string }).field, "imageSize")
      assert.strictEqual(posts(emu).length, 0)
      const pro = provider.models?.["nano-banana-pro"]?.generate
      assert.deepStrictEqual(
        [pro?.imageSizes, pro?.aspectRatios, pro?.maxPerCall, pro?.maxImages, pro?.seed],
        [["1K"], ["1:1", "16:9"], 2, 1, false]
      )
      // no seed in the listing: the seed is not sent, with a warning
      const result = yield* provider.generate({ prompt: "x", model: "nano-banana-pro", n: 3, seed: 1 })
      assert.deepStrictEqual(posts(emu).map((r) => r.body), [
        { model: "google/gemini-3-pro-image", prompt: "x", n: 2 },
        { model: "google/gemini-3-pro-image", prompt: "x" }
      ])
      assert.strictEqual(result.images.length, 3)
      assert.isTrue(result.warnings.some((warning) => warning.startsWith("seed is not supported")))

      const failing = yield* setup({ api: "images", images: { discovery: true } })
      failing.emu.script("openrouter", { kind: "status", status: 500 })
      const served = yield* failing.provider.generate({ prompt: "x", model: "nano-banana-pro", imageSize: "4K" })
      assert.strictEqual(served.images.length, 1)
      assert.strictEqual(gets(failing.emu).length, 1)
      assert.deepStrictEqual(posts(failing.emu).map((r) => r.body), [
        { model: "google/gemini-3-pro-image", prompt: "x", resolution: "4K" }
      ])
      // a failed listing is asked again on the next request
      yield* failing.provider.generate({ prompt: "x", model: "nano-banana-pro" })
      assert.strictEqual(gets(failing.emu).length, 2)
    }))

  it.effect("discovery that finds no allowed endpoint keeps the built-in table; invalid input never lists", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup({
        api: "images",
        images: { discovery: true, routing: { only: ["nobody"] } }
      })
      const error = yield* Effect.flip(provider.generate({ prompt: "x", model: "nano-banana" }))
      assert.strictEqual(error._tag, "UnsupportedRequest")
      assert.strictEqual(gets(emu).length, 1)
      assert.strictEqual(provider.models?.["nano-banana"]?.generate.maxPerCall, 1)
      const invalid = yield* Effect.flip(provider.generate({ prompt: "", model: "nano-banana-pro" }))
      assert.strictEqual(invalid._tag, "InvalidRequest")
      assert.strictEqual(gets(emu).length, 1)
    }))
})

layer(Layer.mergeAll(Emulator.layer({ openrouter: { maxImagesBodyBytes: 4096 } }), HttpClientLive))(
  "OpenRouter Image API: 413",
  (it) => {
    it.effect("a body above the API's cap → InvalidRequest on images", () =>
      Effect.gen(function*() {
        const { provider } = yield* setup({ api: "images" })
        const big = new Uint8Array(8192)
        big.set(PNG_1x1)
        const error = yield* Effect.flip(
          provider.generate({ prompt: "x", model: "nano-banana", images: [{ data: big }] })
        )
        assert.strictEqual(error._tag, "InvalidRequest")
        assert.strictEqual(error.status, 413)
        assert.strictEqual((error as { field?: string }).field, "images")
      }))
  }
)

// Issue 12 item 4: a data URL labelled image/* whose bytes are no image is refused, so the chain fails over.
const hostile: ReadonlyArray<readonly [string, string]> = [
  ["text", `data:image/png;base64,${Buffer.from("hello world").toString("base64")}`],
  [
    "an SVG with a script",
    `data:image/svg+xml;base64,${Buffer.from("<svg><script>alert(1)</script></svg>").toString("base64")}`
  ],
  ["base64 garbage", "data:image/png;base64,@@@@not*base64"],
  ["one byte", "data:image/jpeg;base64,/w=="]
]

layer(TestLayer)("OpenRouter chat: non-image bytes labelled image/*", (it) => {
  for (const [what, url] of hostile) {
    it.effect(`${what} → MalformedResponse`, () =>
      Effect.gen(function*() {
        const { emu, provider } = yield* setup()
        const completion = okCompletion()
        const body = {
          ...completion,
          choices: [{
            ...completion.choices[0],
            message: { ...completion.choices[0]!.message, images: [{ type: "image_url", image_url: { url } }] }
          }]
        }
        emu.script("openrouter", rawJson(200, body))
        const error = yield* Effect.flip(provider.generate({ prompt: "x", model: "nano-banana" }))
        assert.strictEqual(error._tag, "MalformedResponse")
        assert.include(error.message, "is not an image")
      }))
  }

  it.effect("through Fallback: the next backend serves the request, the trail records the refusal", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      const completion = okCompletion()
      emu.script(
        "openrouter",
        rawJson(200, {
          ...completion,
          choices: [{
            ...completion.choices[0],
            message: {
              ...completion.choices[0]!.message,
              images: [{ type: "image_url", image_url: { url: hostile[0]![1] } }]
            }
          }]
        })
      )
      const next = yield* ImageProviderTest.make({ name: "next" })
      const chain = yield* Fallback.make([provider, next.provider], { health: false })
      const result = yield* chain.generate({ prompt: "x", model: "nano-banana" })
      assert.strictEqual(result.provider, "next")
      assert.isDefined(ImageBytes.sniffMimeType(result.images[0].data))
      assert.deepStrictEqual(result.attempts.map((a) => [a.provider, a.outcome]), [
        ["openrouter", "MalformedResponse"],
        ["next", "success"]
      ])
    }))
})
