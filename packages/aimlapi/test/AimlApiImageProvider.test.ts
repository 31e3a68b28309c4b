import { assert, describe, layer } from "@effect/vitest"
import { ImageProvider } from "@nanogen/core"
import * as Emulator from "@nanogen/emulator"
import { fixture, HttpClientLive, makeSpanRecorder } from "@nanogen/test-utils"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { AimlApiImageProvider } from "../src/index.js"
import { apiCalls, cdnCalls, cdnImage, fixtureWithUrl, generate, PNG_1x1, PNG_1x1_DATA_URL, raw } from "./helpers.js"

const wrongKey = Redacted.make("not-the-emulator-key")

const TestLayer = Layer.merge(Emulator.layer(), HttpClientLive)

const setup = Effect.map(Emulator.EmulatorService, (emu) => {
  emu.reset()
  return emu
})

const onlyCall = (emu: Emulator.Emulator) => {
  const calls = apiCalls(emu)
  assert.strictEqual(calls.length, 1)
  return calls[0]!
}

layer(TestLayer)("AimlApiImageProvider", (it) => {
  describe("wire request, text-to-image", () => {
    it.effect("Nano Banana 2: native id, aspect_ratio, resolution, bearer key; PNG from the CDN", () =>
      Effect.gen(function*() {
        const emu = yield* setup
        const result = yield* generate(emu, {
          prompt: "A T-Rex relaxing on a beach",
          aspectRatio: "16:9",
          imageSize: "2K"
        })
        const call = onlyCall(emu)
        assert.strictEqual(call.method, "POST")
        assert.strictEqual(call.path, "/v1/images/generations")
        assert.isTrue(call.credentialOk)
        assert.strictEqual(call.headers.authorization, "<redacted>")
        assert.include(call.headers["content-type"], "application/json")
        assert.deepStrictEqual(call.body, {
          model: "google/nano-banana-2",
          prompt: "A T-Rex relaxing on a beach",
          aspect_ratio: "16:9",
          resolution: "2K"
        })
        assert.strictEqual(cdnCalls(emu).length, 1)
        assert.strictEqual(result.images.length, 1)
        assert.strictEqual(result.images[0].mimeType, "image/png")
        assert.deepStrictEqual([result.images[0].width, result.images[0].height], [2688, 1536])
        assert.strictEqual(result.provider, "aimlapi")
        assert.strictEqual(result.model, "google/nano-banana-2")
        assert.isUndefined(result.text)
        assert.isUndefined(result.cost)
        assert.deepStrictEqual(result.usage, {})
        assert.strictEqual(result.attempts.length, 1)
        assert.strictEqual(result.attempts[0]!.outcome, "success")
        assert.strictEqual(result.attempts[0]!.provider, "aimlapi")
        assert.strictEqual(result.attempts[0]!.model, "google/nano-banana-2")
        // Nano Banana 2 is deprecated: it works, with a warning naming its replacement
        assert.deepStrictEqual(result.warnings, [
          "nano-banana-2 (Nano Banana 2 (Gemini 3.1 Flash Image)) is deprecated since 2026-10-06; use nano-banana-2.1"
        ])
      }))

    it.effect("Nano Banana Pro: num_images for n, JPEG, tokens_used as usage", () =>
      Effect.gen(function*() {
        const emu = yield* setup
        const result = yield* generate(emu, {
          prompt: "a nano banana dish",
          model: "nano-banana-pro",
          aspectRatio: "21:9",
          imageSize: "1K",
          n: 2
        })
        assert.deepStrictEqual(onlyCall(emu).body, {
          model: "google/nano-banana-pro",
          prompt: "a nano banana dish",
          aspect_ratio: "21:9",
          resolution: "1K",
          num_images: 2
        })
        assert.strictEqual(result.images.length, 2)
        assert.deepStrictEqual(result.images.map((image) => image.mimeType), ["image/jpeg", "image/jpeg"])
        assert.isNumber(result.usage.totalTokens)
        assert.isUndefined(result.text, "an empty description is no text")
        assert.strictEqual(result.attempts.length, 1)
      }))

    it.effect("Nano Banana (2.5): no resolution for its fixed size, providerOptions merged, images[] form", () =>
      Effect.gen(function*() {
        const emu = yield* setup
        const result = yield* generate(emu, {
          prompt: "a racoon eating ice cream",
          model: "nano-banana",
          aspectRatio: "3:2",
          imageSize: "1K",
          providerOptions: { aimlapi: { provider: "google" } }
        })
        assert.deepStrictEqual(onlyCall(emu).body, {
          model: "google/gemini-2.5-flash-image",
          prompt: "a racoon eating ice cream",
          aspect_ratio: "3:2",
          provider: "google"
        })
        assert.strictEqual(result.images[0].mimeType, "image/png")
        assert.strictEqual(result.text, "Here is the image you asked for.")
        assert.strictEqual(result.model, "google/gemini-2.5-flash-image")
      }))

    it.effect("no aspect_ratio and no resolution when none is asked", () =>
      Effect.gen(function*() {
        const emu = yield* setup
        yield* generate(emu, { prompt: "p", model: "nano-banana-pro" })
        assert.deepStrictEqual(onlyCall(emu).body, { model: "google/nano-banana-pro", prompt: "p" })
      }))
  })

  describe("wire request, edit", () => {
    it.effect("Nano Banana 2 keeps its id and sends image_urls (bytes → data URL, data URLs as given)", () =>
      Effect.gen(function*() {
        const emu = yield* setup
        const result = yield* generate(emu, {
          prompt: "combine them",
          images: [{ data: PNG_1x1 }, { url: PNG_1x1_DATA_URL }],
          aspectRatio: "4:3",
          imageSize: "1K",
          seed: 7
        })
        assert.deepStrictEqual(onlyCall(emu).body, {
          model: "google/nano-banana-2",
          prompt: "combine them",
          image_urls: [PNG_1x1_DATA_URL, PNG_1x1_DATA_URL],
          aspect_ratio: "4:3",
          resolution: "1K"
        })
        assert.strictEqual(result.images[0].mimeType, "image/png")
        assert.deepStrictEqual(result.warnings, [
          "nano-banana-2 (Nano Banana 2 (Gemini 3.1 Flash Image)) is deprecated since 2026-10-06; use nano-banana-2.1",
          "seed is not supported by google/nano-banana-2 on aimlapi and was ignored"
        ])
      }))

    it.effect("Nano Banana Pro uses the catalog's edit id; usd_spent is a reported cost", () =>
      Effect.gen(function*() {
        const emu = yield* setup
        const result = yield* generate(emu, {
          prompt: "add sunglasses",
          model: "nano-banana-pro",
          images: [{ data: PNG_1x1 }],
          aspectRatio: "9:16",
          imageSize: "2K",
          n: 3
        })
        assert.deepStrictEqual(onlyCall(emu).body, {
          model: "google/gemini-3-pro-image-edit",
          prompt: "add sunglasses",
          image_urls: [PNG_1x1_DATA_URL],
          aspect_ratio: "9:16",
          resolution: "2K",
          num_images: 3
        })
        assert.strictEqual(result.images.length, 3)
        assert.strictEqual(result.model, "google/gemini-3-pro-image-edit")
        assert.strictEqual(result.cost?.source, "reported")
        assert.isAbove(result.cost?.usd ?? 0, 0)
        assert.strictEqual(cdnCalls(emu).length, 3)
      }))

    it.effect("Nano Banana (2.5) uses its edit id, takes a seed, and has no resolution", () =>
      Effect.gen(function*() {
        const emu = yield* setup
        const result = yield* generate(emu, {
          prompt: "make it blue",
          model: "nano-banana",
          images: [{ data: PNG_1x1 }],
          seed: 42
        })
        assert.deepStrictEqual(onlyCall(emu).body, {
          model: "google/nano-banana-edit",
          prompt: "make it blue",
          image_urls: [PNG_1x1_DATA_URL],
          seed: 42
        })
        assert.deepStrictEqual(result.warnings, [
          "nano-banana (Nano Banana (Gemini 2.5 Flash Image)) is deprecated, shutdown announced for 2026-10-02; use nano-banana-2.1"
        ])
        assert.strictEqual(result.images.length, 1)
      }))

    it.effect("https reference URLs are passed through unchanged", () =>
      Effect.gen(function*() {
        const emu = yield* setup
        raw(emu, 200, {
          data: [{ mime_type: "image/png", b64_json: Buffer.from(PNG_1x1).toString("base64"), url: null }]
        })
        yield* generate(emu, {
          prompt: "p",
          model: "nano-banana-pro",
          images: [{ url: "https://raw.githubusercontent.com/aimlapi/api-docs/main/reference-files/t-rex.png" }]
        })
        assert.deepStrictEqual((onlyCall(emu).body as { image_urls: unknown }).image_urls, [
          "https://raw.githubusercontent.com/aimlapi/api-docs/main/reference-files/t-rex.png"
        ])
      }))
  })

  describe("n > 1", () => {
    it.effect("Nano Banana 2 (one image per call): n parallel calls without num_images, one attempt each", () =>
      Effect.gen(function*() {
        const emu = yield* setup
        const result = yield* generate(emu, { prompt: "three bananas", n: 3 })
        const calls = apiCalls(emu)
        assert.strictEqual(calls.length, 3)
        for (const call of calls) {
          assert.deepStrictEqual(call.body, { model: "google/nano-banana-2", prompt: "three bananas" })
        }
        assert.strictEqual(result.images.length, 3)
        assert.deepStrictEqual(result.attempts.map((attempt) => attempt.image), [0, 1, 2])
      }))

    it.effect("Nano Banana Pro: n = 6 is split into calls of at most 4 (num_images 4 + 2)", () =>
      Effect.gen(function*() {
        const emu = yield* setup
        const result = yield* generate(emu, { prompt: "six", model: "nano-banana-pro", n: 6 }, { concurrency: 1 })
        assert.deepStrictEqual(apiCalls(emu).map((call) => (call.body as { num_images?: number }).num_images), [4, 2])
        assert.strictEqual(result.images.length, 6)
        assert.deepStrictEqual(result.attempts.map((attempt) => [attempt.image, attempt.count]), [[0, 4], [4, 2]])
        assert.isNumber(result.usage.totalTokens)
      }))
  })

  describe("response forms", () => {
    it.effect("data[] with b64_json (no download), mime type from the bytes", () =>
      Effect.gen(function*() {
        const emu = yield* setup
        emu.script("aimlapi", { kind: "ok", aimlForm: "data-b64" })
        const result = yield* generate(emu, { prompt: "p", aspectRatio: "1:1" })
        assert.strictEqual(cdnCalls(emu).length, 0)
        assert.strictEqual(result.images[0].mimeType, "image/png")
        assert.deepStrictEqual([result.images[0].width, result.images[0].height], [1024, 1024])
      }))

    it.effect("images[] form on a model that normally answers data[]", () =>
      Effect.gen(function*() {
        const emu = yield* setup
        emu.script("aimlapi", { kind: "ok", aimlForm: "images" })
        const result = yield* generate(emu, { prompt: "p", model: "nano-banana-pro" })
        assert.strictEqual(result.images[0].mimeType, "image/jpeg")
        assert.strictEqual(result.text, "Here is the image you asked for.")
      }))

    it.effect("the label is not trusted: a JPEG labelled image/png is image/jpeg", () =>
      Effect.gen(function*() {
        const emu = yield* setup
        const url = yield* cdnImage(emu, "image/jpeg")
        raw(emu, 200, { data: [{ mime_type: "image/png", b64_json: null, url }] })
        const result = yield* generate(emu, { prompt: "p" })
        assert.strictEqual(result.images[0].mimeType, "image/jpeg")
      }))

    it.effect("LiteLLM's output.choices[] form, b64_json as a data URL, usd_spent and credits", () =>
      Effect.gen(function*() {
        const emu = yield* setup
        raw(emu, 200, {
          output: { choices: [{ image_base64: Buffer.from(PNG_1x1).toString("base64") }] },
          data: [{ b64_json: PNG_1x1_DATA_URL, content_type: "image/webp" }],
          meta: { usage: { credits_used: 120000, usd_spent: 0.06 } }
        })
        const result = yield* generate(emu, { prompt: "p" })
        assert.deepStrictEqual(result.images.map((image) => [image.mimeType, image.width, image.height]), [
          ["image/png", 1, 1],
          ["image/png", 1, 1]
        ])
        assert.deepStrictEqual(result.cost, { usd: 0.06, source: "reported" })
      }))

    it.effect("several URL images are downloaded in parallel", () =>
      Effect.gen(function*() {
        const emu = yield* setup
        const first = yield* cdnImage(emu, "image/png")
        const second = yield* cdnImage(emu, "image/jpeg")
        raw(emu, 200, { data: [{ url: first }, { url: second }] })
        const result = yield* generate(emu, { prompt: "p" })
        assert.deepStrictEqual(result.images.map((image) => image.mimeType), ["image/png", "image/jpeg"])
        assert.strictEqual(cdnCalls(emu).length, 2)
      }))
  })

  describe("recorded fixtures (SOURCES.md)", () => {
    it.effect("nano-banana-2-t2i-docs.json: one PNG by URL, no text, no USD cost", () =>
      Effect.gen(function*() {
        const emu = yield* setup
        const url = yield* cdnImage(emu, "image/png")
        raw(emu, 200, fixtureWithUrl("nano-banana-2-t2i-docs.json", url))
        const result = yield* generate(emu, { prompt: "A T-Rex", aspectRatio: "16:9" })
        assert.deepStrictEqual(cdnCalls(emu).map((call) => call.path), [new URL(url).pathname])
        assert.strictEqual(result.images.length, 1)
        assert.strictEqual(result.images[0].mimeType, "image/png")
        assert.isUndefined(result.text)
        assert.isUndefined(result.cost)
      }))

    it.effect("nano-banana-pro-t2i-docs.json: one PNG by URL, empty description → no text", () =>
      Effect.gen(function*() {
        const emu = yield* setup
        const url = yield* cdnImage(emu, "image/png")
        raw(emu, 200, fixtureWithUrl("nano-banana-pro-t2i-docs.json", url))
        const result = yield* generate(emu, { prompt: "p", model: "nano-banana-pro" })
        assert.strictEqual(result.images.length, 1)
        assert.strictEqual(result.images[0].mimeType, "image/png")
        assert.isUndefined(result.text)
        assert.deepStrictEqual(result.usage, { totalTokens: 315000 })
        assert.isUndefined(result.cost)
      }))

    it.effect("gemini-2.5-flash-image-t2i-docs.json: images[] form, one JPEG, description as text", () =>
      Effect.gen(function*() {
        const emu = yield* setup
        const url = yield* cdnImage(emu, "image/jpeg")
        raw(emu, 200, fixtureWithUrl("gemini-2.5-flash-image-t2i-docs.json", url))
        const result = yield* generate(emu, { prompt: "p", model: "nano-banana" })
        assert.strictEqual(result.images.length, 1)
        assert.strictEqual(result.images[0].mimeType, "image/jpeg")
        assert.strictEqual(result.text, "Sounds adorable! Here's a racoon enjoying some ice cream: ")
      }))

    it.effect("error-429-free-tier-docs.json: RateLimited, status 429 (string statusCode), no retryAfter", () =>
      Effect.gen(function*() {
        const emu = yield* setup
        raw(emu, 429, fixture("aimlapi", "error-429-free-tier-docs.json"))
        const error = yield* Effect.flip(generate(emu, { prompt: "p" }))
        assert.strictEqual(error._tag, "RateLimited")
        assert.strictEqual(error.status, 429)
        assert.include(error.message, "Free-tier limit: You've reached your free limit for the hour.")
        assert.isUndefined(error._tag === "RateLimited" ? error.retryAfter : "not rate limited")
      }))
  })

  describe("image download", () => {
    it.effect("a CDN URL answering 404 → NoImageReturned (404)", () =>
      Effect.gen(function*() {
        const emu = yield* setup
        emu.script("aimlapi", { kind: "cdn404" })
        const error = yield* Effect.flip(generate(emu, { prompt: "p" }))
        assert.strictEqual(error._tag, "NoImageReturned")
        assert.strictEqual(error.status, 404)
        assert.strictEqual(cdnCalls(emu).length, 1)
      }))

    it.effect("an image over the size cap → MalformedResponse", () =>
      Effect.gen(function*() {
        const emu = yield* setup
        const error = yield* Effect.flip(
          generate(emu, { prompt: "p" }, { download: { maxBytes: 1000, allowPrivateNetwork: true } })
        )
        assert.strictEqual(error._tag, "MalformedResponse")
        assert.include(error.message, "larger than 1000 bytes")
      }))

    it.effect("a CDN that refuses connections → ProviderUnavailable", () =>
      Effect.gen(function*() {
        const emu = yield* setup
        raw(emu, 200, { data: [{ url: "http://127.0.0.1:1/cdn/x.png" }] })
        const error = yield* Effect.flip(generate(emu, { prompt: "p" }))
        assert.strictEqual(error._tag, "ProviderUnavailable")
      }))

    it.effect("by default, loopback / private / http URLs are refused without being fetched", () =>
      Effect.gen(function*() {
        const emu = yield* setup
        const own = yield* cdnImage(emu, "image/png")
        for (const url of [own, "https://127.0.0.1:9/a.png", "https://10.1.2.3/a.png", "https://[::1]/a.png"]) {
          emu.reset()
          raw(emu, 200, { data: [{ url }] })
          const error = yield* Effect.flip(generate(emu, { prompt: "p" }, { download: { allowPrivateNetwork: false } }))
          assert.strictEqual(error._tag, "MalformedResponse", url)
          assert.match(error.message, /not a public address|only https/, url)
          assert.strictEqual(cdnCalls(emu).length, 0)
        }
      }))
  })

  describe("no image", () => {
    it.effect("empty data[] → NoImageReturned without text", () =>
      Effect.gen(function*() {
        const emu = yield* setup
        emu.script("aimlapi", { kind: "refusal", form: "empty" })
        const error = yield* Effect.flip(generate(emu, { prompt: "p" }))
        assert.strictEqual(error._tag, "NoImageReturned")
        assert.isUndefined(error._tag === "NoImageReturned" ? error.text : "x")
      }))

    it.effect("a refusal in description → NoImageReturned carrying the text", () =>
      Effect.gen(function*() {
        const emu = yield* setup
        emu.script("aimlapi", { kind: "refusal", form: "description", reason: "I can't draw that." })
        const error = yield* Effect.flip(generate(emu, { prompt: "p" }))
        assert.strictEqual(error._tag, "NoImageReturned")
        assert.strictEqual(error._tag === "NoImageReturned" ? error.text : undefined, "I can't draw that.")
        assert.include(error.message, "I can't draw that.")
      }))

    it.effect("a text-only images[] answer (2.5) → NoImageReturned with the text", () =>
      Effect.gen(function*() {
        const emu = yield* setup
        emu.script("aimlapi", { kind: "textOnly", text: "Just words." })
        const error = yield* Effect.flip(generate(emu, { prompt: "p", model: "nano-banana" }))
        assert.strictEqual(error._tag, "NoImageReturned")
        assert.strictEqual(error._tag === "NoImageReturned" ? error.text : undefined, "Just words.")
      }))
  })

  describe("errors (§2.5, §2.6)", () => {
    const rows: ReadonlyArray<readonly [number, string | undefined, string]> = [
      [400, "Body validation error! [prompt]: too long", "InvalidRequest"],
      [401, undefined, "AuthenticationFailed"],
      [403, "You've run out of credits. Please top up your balance to continue.", "InsufficientCredits"],
      [403, "Your key is not allowed to use this model.", "AuthenticationFailed"],
      [404, "Not Found", "UnsupportedRequest"],
      [429, "Too Many Requests", "RateLimited"],
      [500, "Something wrong with the server. Please, try again later.", "ProviderUnavailable"],
      [502, "Bad Gateway", "ProviderUnavailable"],
      [503, "Service unavailable", "ProviderUnavailable"],
      [504, "Generation timeout", "ProviderUnavailable"]
    ]
    for (const [status, message, tag] of rows) {
      it.effect(`${status} ${message ?? ""} → ${tag}`, () =>
        Effect.gen(function*() {
          const emu = yield* setup
          emu.script("aimlapi", { kind: "status", status, ...(message === undefined ? {} : { message }) })
          const error = yield* Effect.flip(generate(emu, { prompt: "p" }))
          assert.strictEqual(error._tag, tag)
          assert.strictEqual(error.status, status)
          assert.strictEqual(error.provider, "aimlapi")
          assert.strictEqual(error.model, "google/nano-banana-2")
          if (message !== undefined) assert.include(error.message, message)
          assert.strictEqual(onlyCall(emu).path, "/v1/images/generations")
        }))
    }

    it.effect("a wrong key → AuthenticationFailed (401) from the emulator's own check", () =>
      Effect.gen(function*() {
        const emu = yield* setup
        const error = yield* Effect.flip(generate(emu, { prompt: "p" }, { apiKey: wrongKey }))
        assert.strictEqual(error._tag, "AuthenticationFailed")
        assert.strictEqual(error.status, 401)
        assert.isFalse(onlyCall(emu).credentialOk)
      }))

    it.effect("statusCode as a string or number, 403 credits through a raw body", () =>
      Effect.gen(function*() {
        const emu = yield* setup
        raw(emu, 403, {
          message: "You've run out of credits. Please top up your balance to continue.",
          path: "/v1/images/generations",
          requestId: "r",
          statusCode: "403",
          timestamp: "2026-01-01T00:00:00.000Z"
        })
        const error = yield* Effect.flip(generate(emu, { prompt: "p" }))
        assert.strictEqual(error._tag, "InsufficientCredits")
        assert.strictEqual(error.status, 403)
      }))

    it.effect("an error envelope sent with HTTP 200 is mapped by its statusCode", () =>
      Effect.gen(function*() {
        const emu = yield* setup
        emu.script("aimlapi", { kind: "http200Error", code: 503, message: "Service unavailable" })
        const error = yield* Effect.flip(generate(emu, { prompt: "p" }))
        assert.strictEqual(error._tag, "ProviderUnavailable")
        assert.strictEqual(error.status, 503)
      }))

    it.effect("a truncated body → ProviderUnavailable", () =>
      Effect.gen(function*() {
        const emu = yield* setup
        emu.script("aimlapi", { kind: "truncated" })
        const error = yield* Effect.flip(generate(emu, { prompt: "p" }))
        assert.strictEqual(error._tag, "ProviderUnavailable")
      }))

    it.effect("undecodable 200 bodies → MalformedResponse", () =>
      Effect.gen(function*() {
        const emu = yield* setup
        for (const body of ["not json at all", JSON.stringify({ data: "nope" }), JSON.stringify([1, 2])]) {
          raw(emu, 200, body)
          const error = yield* Effect.flip(generate(emu, { prompt: "p" }))
          assert.strictEqual(error._tag, "MalformedResponse", body)
        }
        raw(emu, 200, { data: [{ b64_json: Buffer.from("not an image").toString("base64") }] })
        const notImage = yield* Effect.flip(generate(emu, { prompt: "p" }))
        assert.strictEqual(notImage._tag, "MalformedResponse")
      }))
  })

  describe("validation before any request", () => {
    const cases: ReadonlyArray<readonly [string, unknown, string, string | undefined]> = [
      ["empty prompt", { prompt: " " }, "InvalidRequest", "prompt"],
      ["unknown ratio", { prompt: "p", aspectRatio: "7:5" }, "InvalidRequest", "aspectRatio"],
      [
        "a ratio Nano Banana 2 lacks on this API",
        { prompt: "p", aspectRatio: "21:9" },
        "UnsupportedRequest",
        "aspectRatio"
      ],
      ["4K on the 2.5 model", { prompt: "p", model: "nano-banana", imageSize: "4K" }, "InvalidRequest", "imageSize"],
      [
        "more reference images than Nano Banana 2 takes here",
        { prompt: "p", images: Array.from({ length: 6 }, () => ({ data: PNG_1x1 })) },
        "UnsupportedRequest",
        "images"
      ],
      [
        "a ratio the Pro edit id lacks",
        { prompt: "p", model: "nano-banana-pro", images: [{ data: PNG_1x1 }], aspectRatio: "21:9" },
        "UnsupportedRequest",
        "aspectRatio"
      ],
      ["n out of range", { prompt: "p", n: 11 }, "InvalidRequest", "n"]
    ]
    for (const [name, request, tag, field] of cases) {
      it.effect(`${name} → ${tag}`, () =>
        Effect.gen(function*() {
          const emu = yield* setup
          const error = yield* Effect.flip(generate(emu, request as never))
          assert.strictEqual(error._tag, tag)
          assert.strictEqual((error as { field?: string }).field, field)
          assert.strictEqual(emu.requests().length, 0)
        }))
    }
  })

  describe("layers", () => {
    it.effect("layer provides the ImageProvider named aimlapi, with a span per call", () =>
      Effect.gen(function*() {
        const emu = yield* setup
        const spans = makeSpanRecorder()
        const provider = AimlApiImageProvider.layer({
          apiKey: wrongKey,
          apiUrl: emu.urls.aimlapi,
          download: { allowPrivateNetwork: true }
        })
        const service = yield* Effect.provide(ImageProvider.ImageProvider, provider)
        assert.strictEqual(service.name, "aimlapi")
        yield* Effect.flip(service.generate({ prompt: "p", model: "nano-banana-pro" })).pipe(
          Effect.provide(spans.layer)
        )
        const span = spans.spans().find((s) => s.name === "nanogen.provider.generate")
        assert.isDefined(span)
        assert.strictEqual(span?.attributes.get("nanogen.provider"), "aimlapi")
        assert.strictEqual(span?.attributes.get("nanogen.model"), "google/nano-banana-pro")
      }))
  })
})
