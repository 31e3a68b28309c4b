import { assert, describe, it } from "@effect/vitest"
import type { ImageRequest } from "@nanogen/core"
import { DataUrl, ProviderClient } from "@nanogen/core"
import { fixture, fixtureJson } from "@nanogen/test-utils"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { readdirSync } from "node:fs"
import * as path from "node:path"
import * as Images from "../src/internal/images.js"

// Pure decoding of every file of fixtures/openrouter-images/ to the outcome its SOURCES.md gives, and the exact
// `POST /images` bodies.

const DIR = "openrouter-images"
const context: Images.Context = { model: "google/gemini-3.1-flash-image", scrub: (text) => text }
const PNG_8X8 = { mimeType: "image/png", width: 8, height: 8 }

const headers = (entries: Record<string, string> = {}) => entries as ProviderClient.JsonResponse["headers"]

const jsonResult = (file: string, status = 200, extra: Record<string, string> = {}) =>
  Either.flatMap(
    Images.fromJson({ status, headers: headers(extra), body: fixtureJson(DIR, file) }, context),
    (answer) => Images.toAnswer(answer, context)
  )

const jsonError = (file: string, status: number, extra: Record<string, string> = {}) => {
  const result = jsonResult(file, status, extra)
  if (Either.isRight(result)) throw new Error(`${file}: expected an error`)
  return result.left
}

const streamResult = (file: string) =>
  Images.fromStream({
    status: 200,
    headers: headers({ "content-type": "text/event-stream" }),
    body: undefined,
    events: ProviderClient.splitEvents(fixture(DIR, file)).events
  }, context).pipe(Effect.flatMap((answer) => Images.toAnswer(answer, context)))

const tested = new Set<string>()
const covers = (...files: ReadonlyArray<string>) => files.forEach((file) => tested.add(file))

describe("OpenRouter Image API: fixtures", () => {
  it("docs-response-png.json → 1 image/png, usage 0/4175/4175, reported cost 0.04", () => {
    covers("docs-response-png.json")
    const result = Either.getOrThrow(jsonResult("docs-response-png.json"))
    assert.strictEqual(result.images.length, 1)
    assert.deepStrictEqual({ ...result.images[0], data: undefined }, { ...PNG_8X8, data: undefined })
    assert.deepStrictEqual(result.usage, { inputTokens: 0, outputTokens: 4175, totalTokens: 4175 })
    assert.deepStrictEqual(result.cost, { usd: 0.04, source: "reported" })
    assert.deepStrictEqual(result.warnings, [])
  })

  it("docs-response-svg.json → refused as MalformedResponse naming image/svg+xml (no crash)", () => {
    covers("docs-response-svg.json")
    const error = jsonError("docs-response-svg.json", 200)
    assert.strictEqual(error._tag, "MalformedResponse")
    assert.include(error.message, "image/svg+xml")
  })

  it("openapi-response-no-media-type.json → 1 image, sniffed image/png, cost 0.04", () => {
    covers("openapi-response-no-media-type.json")
    const result = Either.getOrThrow(jsonResult("openapi-response-no-media-type.json"))
    assert.strictEqual(result.images[0].mimeType, "image/png")
    assert.deepStrictEqual(result.cost, { usd: 0.04, source: "reported" })
  })

  it("litellm-docstring-cost-details.json → created 0 accepted, cost 0.06, usage 0/4175/4175", () => {
    covers("litellm-docstring-cost-details.json")
    const result = Either.getOrThrow(jsonResult("litellm-docstring-cost-details.json"))
    assert.strictEqual(result.images[0].mimeType, "image/png")
    assert.deepStrictEqual(result.usage, { inputTokens: 0, outputTokens: 4175, totalTokens: 4175 })
    assert.deepStrictEqual(result.cost, { usd: 0.06, source: "reported" })
  })

  it("aisdk-images-single.json → 1 sniffed image/png (1x1), usage 10/100/110, no cost", () => {
    covers("aisdk-images-single.json")
    const result = Either.getOrThrow(jsonResult("aisdk-images-single.json"))
    assert.strictEqual(result.images.length, 1)
    assert.strictEqual(result.images[0].mimeType, "image/png")
    assert.strictEqual(result.images[0].width, 1)
    assert.deepStrictEqual(result.usage, { inputTokens: 10, outputTokens: 100, totalTokens: 110 })
    assert.isUndefined(result.cost)
  })

  it("aisdk-images-no-created-no-usage.json → 1 image; usage and cost absent, not zero", () => {
    covers("aisdk-images-no-created-no-usage.json")
    const result = Either.getOrThrow(jsonResult("aisdk-images-no-created-no-usage.json"))
    assert.strictEqual(result.images.length, 1)
    assert.deepStrictEqual(result.usage, {})
    assert.isFalse("cost" in result)
  })

  it("aisdk-images-two.json → 2 images, usage 10/200/210", () => {
    covers("aisdk-images-two.json")
    const result = Either.getOrThrow(jsonResult("aisdk-images-two.json"))
    assert.strictEqual(result.images.length, 2)
    assert.deepStrictEqual(result.images.map((image) => image.mimeType), ["image/png", "image/png"])
    assert.deepStrictEqual(result.usage, { inputTokens: 10, outputTokens: 200, totalTokens: 210 })
  })

  it("aisdk-images-empty-data.json → NoImageReturned", () => {
    covers("aisdk-images-empty-data.json")
    const error = jsonError("aisdk-images-empty-data.json", 200)
    assert.strictEqual(error._tag, "NoImageReturned")
    assert.strictEqual(error.provider, "openrouter")
  })

  it.effect("docs-stream-partial-then-completed.txt → the completed image only, usage 16/272/288, cost 0.011", () =>
    Effect.gen(function*() {
      covers("docs-stream-partial-then-completed.txt")
      const result = yield* streamResult("docs-stream-partial-then-completed.txt")
      assert.strictEqual(result.images.length, 1)
      assert.strictEqual(result.images[0].mimeType, "image/png")
      assert.deepStrictEqual(result.usage, { inputTokens: 16, outputTokens: 272, totalTokens: 288 })
      assert.deepStrictEqual(result.cost, { usd: 0.011, source: "reported" })
    }))

  for (const file of ["docs-stream-error.txt", "openapi-stream-error-event.txt"]) {
    it.effect(`${file} → ProviderUnavailable (retryable), no image`, () =>
      Effect.gen(function*() {
        covers(file)
        const error = yield* Effect.flip(streamResult(file))
        assert.strictEqual(error._tag, "ProviderUnavailable")
        assert.include(error.message, file === "docs-stream-error.txt" ? "Generation failed" : "upstream provider")
      }))
  }

  const errors: ReadonlyArray<readonly [number, string, string?]> = [
    [400, "InvalidRequest"],
    [401, "AuthenticationFailed"],
    [402, "InsufficientCredits"],
    [403, "AuthenticationFailed"],
    [404, "UnsupportedRequest"],
    [413, "InvalidRequest", "images"],
    [429, "RateLimited"],
    [500, "ProviderUnavailable"],
    [502, "ProviderUnavailable"],
    [524, "ProviderUnavailable"],
    [529, "ProviderUnavailable"]
  ]
  for (const [status, tag, field] of errors) {
    it(`openapi-error-${status}.json → ${tag}${field === undefined ? "" : ` on ${field}`}`, () => {
      const file = `openapi-error-${status}.json`
      covers(file)
      const error = jsonError(file, status, status === 429 ? { "retry-after": "7" } : {})
      assert.strictEqual(error._tag, tag)
      assert.strictEqual(error.status, status)
      assert.strictEqual(error.model, context.model)
      const message = (fixtureJson(DIR, file) as { error: { message: string } }).error.message
      assert.include(error.message, message)
      if (field !== undefined) assert.strictEqual((error as { field?: string }).field, field)
      if (status === 429 && error._tag === "RateLimited") {
        assert.deepStrictEqual(error.retryAfter, Duration.seconds(7))
      }
      if (status === 502) assert.include(error.message, "not billed")
    })
  }

  it("docs-images-models-list.json → the model list with its descriptors", () => {
    covers("docs-images-models-list.json")
    const models = Either.getOrThrow(
      ProviderClient.decode("openrouter", Images.Models, fixtureJson(DIR, "docs-images-models-list.json")).pipe(
        Effect.either,
        Effect.runSync
      )
    )
    assert.strictEqual(models.data[0]?.id, "bytedance-seed/seedream-4.5")
    assert.deepStrictEqual(models.data[0]?.supported_parameters?.resolution?.values, ["1K", "2K", "4K"])
    assert.strictEqual(models.data[0]?.supported_parameters?.seed?.type, "boolean")
  })

  it("docs-image-model-endpoints.json → per-endpoint data; discovery reads 1K/2K/4K, seed, one per call", () => {
    covers("docs-image-model-endpoints.json")
    const listing = Effect.runSync(
      ProviderClient.decode("openrouter", Images.Endpoints, fixtureJson(DIR, "docs-image-model-endpoints.json"))
    )
    const [endpoint] = listing.endpoints
    assert.strictEqual(endpoint?.provider_slug, "bytedance")
    assert.strictEqual(endpoint?.provider_tag, "bytedance")
    assert.deepStrictEqual(endpoint?.allowed_passthrough_parameters, [])
    assert.strictEqual(endpoint?.supports_streaming, false)
    assert.deepStrictEqual(endpoint?.pricing, [{ billable: "output_image", unit: "image", cost_usd: 0.05 }])
    const discovered = Images.discover(listing, "bytedance-seed/seedream-4.5", ["1:1", "16:9"], [
      "512",
      "1K",
      "2K",
      "4K"
    ])
    assert.deepStrictEqual(discovered, {
      model: "bytedance-seed/seedream-4.5",
      providers: ["bytedance"],
      imageSizes: ["1K", "2K", "4K"],
      aspectRatios: undefined,
      maxPerCall: 1,
      maxImages: 0,
      seed: true,
      outputFormats: undefined
    })
    assert.isUndefined(Images.discover(listing, "x", [], [], { only: ["google-vertex"] }))
  })

  it("every file of fixtures/openrouter-images is decoded above", () => {
    const dir = path.resolve(import.meta.dirname, "../../../fixtures", DIR)
    const files = readdirSync(dir).filter((file) => file !== "SOURCES.md").sort()
    assert.deepStrictEqual(files.filter((file) => !tested.has(file)), [])
  })
})

describe("OpenRouter Image API: hostile answers", () => {
  const answer = (items: ReadonlyArray<Images.Item>) =>
    Images.toAnswer({ items, usage: undefined, error: undefined }, context)

  for (
    const [what, b64] of [
      ["text", Buffer.from("hello world").toString("base64")],
      ["an SVG with a script", Buffer.from("<svg><script>alert(1)</script></svg>").toString("base64")],
      ["base64 garbage", "!!!!not-base64$$$$"],
      ["one byte", "AA=="]
    ] as const
  ) {
    it(`${what} labelled image/png → MalformedResponse`, () => {
      const result = answer([{ b64_json: b64, media_type: "image/png" }])
      assert.isTrue(Either.isLeft(result))
      if (Either.isLeft(result)) assert.strictEqual(result.left._tag, "MalformedResponse")
    })
  }

  it("a url-only item → MalformedResponse (the API documents b64_json only)", () => {
    const result = answer([{ url: "https://example.com/a.png" }])
    assert.isTrue(Either.isLeft(result) && result.left._tag === "MalformedResponse")
  })

  it("a body of the wrong shape → MalformedResponse; a 200 with an error envelope → its error", () => {
    const wrong = Images.fromJson({ status: 200, headers: headers(), body: { data: "nope" } }, context)
    assert.isTrue(Either.isLeft(wrong) && wrong.left._tag === "MalformedResponse")
    const inBody = Either.flatMap(
      Images.fromJson({ status: 200, headers: headers(), body: { error: { code: 429, message: "slow" } } }, context),
      (a) => Images.toAnswer(a, context)
    )
    assert.isTrue(Either.isLeft(inBody) && inBody.left._tag === "RateLimited")
  })

  it.effect("a stream answered as buffered JSON (Gemini ignores stream) decodes like JSON", () =>
    Effect.gen(function*() {
      const result = yield* Images.fromStream({
        status: 200,
        headers: headers(),
        body: fixtureJson(DIR, "docs-response-png.json"),
        events: undefined
      }, context).pipe(Effect.flatMap((a) => Images.toAnswer(a, context, 2)))
      assert.strictEqual(result.images.length, 1)
      assert.deepStrictEqual(result.warnings, ["openrouter: asked the Image API for 2 images in one call and got 1"])
    }))

  it.effect("a stream event that is not JSON → MalformedResponse", () =>
    Effect.gen(function*() {
      const error = yield* Effect.flip(Images.fromStream({
        status: 200,
        headers: headers(),
        body: undefined,
        events: ["{not json"]
      }, context))
      assert.strictEqual(error._tag, "MalformedResponse")
    }))
})

describe("OpenRouter Image API: request body", () => {
  const png = DataUrl.parse(
    `data:image/png;base64,${
      (fixtureJson(DIR, "docs-response-png.json") as { data: [{ b64_json: string }] }).data[0].b64_json
    }`
  )!.data
  const request: Pick<ImageRequest.ImageRequest, "prompt" | "images" | "seed"> = {
    prompt: "a nano banana",
    images: [{ data: png }, { url: "https://example.com/ref.jpg" }],
    seed: 42
  }

  it("maps n, resolution, aspect_ratio, input_references, seed, output_format and routing exactly", () => {
    const body = Images.build(request, {
      model: "google/gemini-3.1-flash-image",
      aspectRatio: "16:9",
      imageSize: "512",
      capability: { seed: true }
    }, {
      n: 3,
      outputFormat: "webp",
      routing: {
        order: ["google-vertex", "google-ai-studio"],
        only: ["google-vertex"],
        ignore: ["x"],
        allowFallbacks: false
      },
      stream: true
    })
    assert.deepStrictEqual(body, {
      model: "google/gemini-3.1-flash-image",
      prompt: "a nano banana",
      n: 3,
      resolution: "512",
      aspect_ratio: "16:9",
      input_references: [
        { type: "image_url", image_url: { url: DataUrl.format(png) } },
        { type: "image_url", image_url: { url: "https://example.com/ref.jpg" } }
      ],
      seed: 42,
      output_format: "webp",
      provider: {
        order: ["google-vertex", "google-ai-studio"],
        only: ["google-vertex"],
        ignore: ["x"],
        allow_fallbacks: false
      },
      stream: true
    })
    assert.isTrue(DataUrl.format(png).startsWith("data:image/png;base64,"))
  })

  it("the minimal body: model and prompt only (n 1, no size, no seed where the model takes none)", () => {
    const body = Images.build({ prompt: "p", images: [], seed: 7 }, {
      model: "google/gemini-2.5-flash-image",
      aspectRatio: undefined,
      imageSize: undefined,
      capability: { seed: false }
    }, { n: 1, routing: {} })
    assert.deepStrictEqual(body, { model: "google/gemini-2.5-flash-image", prompt: "p" })
  })

  it("a pass-through slug sends the seed as asked", () => {
    const body = Images.build({ prompt: "p", images: [], seed: 7 }, {
      model: "vendor/other",
      aspectRatio: "1:1",
      imageSize: "2K",
      capability: undefined
    }, { n: 1 })
    assert.deepStrictEqual(body, { model: "vendor/other", prompt: "p", resolution: "2K", aspect_ratio: "1:1", seed: 7 })
  })
})

describe("OpenRouter Image API: discovery", () => {
  const listing: Images.Endpoints = {
    id: "google/gemini-3.1-flash-image",
    endpoints: [
      {
        provider_slug: "google-ai-studio",
        provider_tag: "google-ai-studio",
        supported_parameters: {
          resolution: { type: "enum", values: ["512", "1K", "2K", "4K"] },
          aspect_ratio: { type: "enum", values: ["1:1", "16:9", "9:16", "auto", "9:19.5"] },
          n: { type: "range", min: 1, max: 10 },
          seed: { type: "boolean" },
          input_references: { type: "range", min: 0, max: 14 },
          output_format: { type: "enum", values: ["png", "jpeg", "webp"] }
        }
      },
      {
        provider_slug: "google-vertex",
        provider_tag: null,
        supported_parameters: {
          resolution: { type: "enum", values: ["1K", "2K"] },
          aspect_ratio: { type: "enum", values: ["1:1", "16:9"] },
          n: { type: "range", min: 1, max: 4 },
          input_references: { type: "range", min: 0, max: 3 }
        }
      }
    ]
  }
  const ratios: ReadonlyArray<ImageRequest.AspectRatio> = ["1:1", "16:9", "9:16"]
  const sizes: ReadonlyArray<ImageRequest.ImageSize> = ["512", "1K", "2K", "4K"]

  it("intersects the endpoints OpenRouter may route to, keeping only values nanogen knows", () => {
    assert.deepStrictEqual(Images.discover(listing, listing.id!, ratios, sizes), {
      model: "google/gemini-3.1-flash-image",
      providers: ["google-ai-studio", "google-vertex"],
      imageSizes: ["1K", "2K"],
      aspectRatios: ["1:1", "16:9"],
      maxPerCall: 4,
      maxImages: 3,
      seed: false,
      // google-vertex lists no output_format: absent means unsupported there
      outputFormats: []
    })
  })

  it("routing narrows the endpoints: only, ignore, order without fallbacks", () => {
    const studio: Images.Discovered = {
      model: "google/gemini-3.1-flash-image",
      providers: ["google-ai-studio"],
      imageSizes: ["512", "1K", "2K", "4K"],
      aspectRatios: ["1:1", "16:9", "9:16"],
      maxPerCall: 10,
      maxImages: 14,
      seed: true,
      outputFormats: ["png", "jpeg", "webp"]
    }
    assert.deepStrictEqual(Images.discover(listing, listing.id!, ratios, sizes, { only: ["Google-AI-Studio"] }), studio)
    assert.deepStrictEqual(Images.discover(listing, listing.id!, ratios, sizes, { ignore: ["google-vertex"] }), studio)
    assert.deepStrictEqual(
      Images.discover(listing, listing.id!, ratios, sizes, { order: ["google-ai-studio"], allowFallbacks: false }),
      studio
    )
    assert.deepStrictEqual(
      Images.discover(listing, listing.id!, ratios, sizes, { order: ["google-ai-studio"] })?.providers,
      ["google-ai-studio", "google-vertex"]
    )
  })
})
