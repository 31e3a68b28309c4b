import { assert, describe, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { ImageProviderTest, ImageRequest, ModelCatalog } from "../src/index.js"

// The tables of PROVIDERS.md, written out again here on purpose: a wrong catalog entry must fail a test.
const TEN = ["1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"]
const FOURTEEN = [...TEN, "1:4", "4:1", "1:8", "8:1"]
const FIVE = ["1:1", "3:4", "4:3", "9:16", "16:9"]

const expected = {
  "nano-banana": {
    openrouter: { id: "google/gemini-2.5-flash-image", ratios: TEN, sizes: [] },
    "google-direct": { id: "gemini-2.5-flash-image", ratios: TEN, sizes: [] },
    aimlapi: {
      id: "google/gemini-2.5-flash-image",
      ratios: TEN,
      sizes: [],
      edit: "google/nano-banana-edit",
      editRatios: FIVE,
      editMax: 3
    }
  },
  "nano-banana-2": {
    openrouter: { id: "google/gemini-3.1-flash-image-preview", ratios: FOURTEEN, sizes: ["512", "1K", "2K", "4K"] },
    "google-direct": { id: "gemini-3.1-flash-image", ratios: FOURTEEN, sizes: ["512", "1K", "2K", "4K"] },
    aimlapi: { id: "google/nano-banana-2", ratios: FIVE, sizes: ["1K", "2K", "4K"], max: 5 }
  },
  "nano-banana-pro": {
    openrouter: { id: "google/gemini-3-pro-image-preview", ratios: TEN, sizes: ["1K", "2K", "4K"] },
    "google-direct": { id: "gemini-3-pro-image", ratios: TEN, sizes: ["1K", "2K", "4K"], max: 14 },
    aimlapi: {
      id: "google/nano-banana-pro",
      ratios: TEN,
      sizes: ["1K", "2K", "4K"],
      edit: "google/gemini-3-pro-image-edit",
      editRatios: FIVE,
      editMax: 5
    }
  }
} as const

const request = (input: ImageRequest.Input) => Effect.runSync(ImageRequest.decode(input))
const png = ImageProviderTest.defaultPng

describe("ModelCatalog tables match PROVIDERS.md", () => {
  for (const [alias, perBackend] of Object.entries(expected)) {
    for (const [backend, want] of Object.entries(perBackend)) {
      it(`${alias} on ${backend}`, () => {
        const entry = ModelCatalog.entries[alias as ModelCatalog.Alias].backends[backend as ModelCatalog.Backend]
        assert.strictEqual(entry.generate.id, want.id)
        assert.deepStrictEqual([...entry.generate.aspectRatios].sort(), [...want.ratios].sort())
        assert.deepStrictEqual([...entry.generate.imageSizes], [...want.sizes])
        if ("max" in want) assert.strictEqual(entry.generate.maxImages, want.max)
        if ("edit" in want) {
          assert.strictEqual(entry.edit?.id, want.edit)
          assert.deepStrictEqual([...(entry.edit?.aspectRatios ?? [])].sort(), [...want.editRatios].sort())
          assert.strictEqual(entry.edit?.maxImages, want.editMax)
        } else {
          assert.isUndefined(entry.edit)
        }
      })
    }
  }

  it("Gemini 3.1 Flash Image alone has 512 and the extreme ratios", () => {
    for (const entry of Object.values(ModelCatalog.entries)) {
      const has512 = entry.imageSizes.includes("512")
      assert.strictEqual(has512, entry.alias === "nano-banana-2")
      assert.strictEqual(entry.aspectRatios.includes("1:8"), entry.alias === "nano-banana-2")
    }
  })

  it("the AI/ML API tables have no 512 tier", () => {
    for (const entry of Object.values(ModelCatalog.entries)) {
      assert.isFalse(entry.backends.aimlapi.generate.imageSizes.includes("512"))
    }
  })
})

describe("ModelCatalog.lookup", () => {
  it("finds aliases, native ids and preview/GA names", () => {
    assert.strictEqual(ModelCatalog.lookup("openrouter", "nano-banana")?.alias, "nano-banana")
    assert.strictEqual(ModelCatalog.lookup("google-direct", "gemini-3-pro-image-preview")?.alias, "nano-banana-pro")
    assert.strictEqual(ModelCatalog.lookup("google-direct", "gemini-3.1-flash-image")?.alias, "nano-banana-2")
    assert.strictEqual(ModelCatalog.lookup("aimlapi", "google/gemini-3-pro-image-edit")?.alias, "nano-banana-pro")
    assert.strictEqual(ModelCatalog.lookup("aimlapi", "google/gemini-3-1-flash-image-preview")?.alias, "nano-banana-2")
    assert.isUndefined(ModelCatalog.lookup("openrouter", "black-forest-labs/flux-1.1-pro"))
  })
})

describe("ModelCatalog.resolve", () => {
  const resolve = (backend: ModelCatalog.Backend, input: ImageRequest.Input) =>
    ModelCatalog.resolve(backend, request(input))

  it("maps an alias to each backend's native id", () => {
    for (const backend of ModelCatalog.backends) {
      const resolved = resolve(backend, { prompt: "x", model: "nano-banana-pro", aspectRatio: "16:9", imageSize: "4K" })
      assert.isTrue(Either.isRight(resolved))
      const right = (resolved as Either.Right<any, ModelCatalog.Resolved>).right
      assert.strictEqual(right.model, expected["nano-banana-pro"][backend].id)
      assert.strictEqual(right.aspectRatio, "16:9")
      assert.strictEqual(right.imageSize, "4K")
    }
  })

  it("uses the AI/ML API edit id when reference images are present", () => {
    const resolved = resolve("aimlapi", { prompt: "x", model: "nano-banana-pro", images: [{ data: png }] })
    assert.strictEqual(Either.getOrThrow(resolved).model, "google/gemini-3-pro-image-edit")
    const nb2 = resolve("aimlapi", { prompt: "x", model: "nano-banana-2", images: [{ data: png }] })
    assert.strictEqual(Either.getOrThrow(nb2).model, "google/nano-banana-2")
  })

  it("answers InvalidRequest when the model itself cannot do it", () => {
    const ratio = resolve("google-direct", { prompt: "x", model: "nano-banana-pro", aspectRatio: "1:8" })
    assert.isTrue(Either.isLeft(ratio) && ratio.left._tag === "InvalidRequest" && ratio.left.field === "aspectRatio")
    const size = resolve("openrouter", { prompt: "x", model: "nano-banana", imageSize: "4K" })
    assert.isTrue(Either.isLeft(size) && size.left._tag === "InvalidRequest" && size.left.field === "imageSize")
    const images = resolve("openrouter", {
      prompt: "x",
      model: "nano-banana",
      images: [1, 2, 3, 4].map(() => ({ data: png }))
    })
    assert.isTrue(Either.isLeft(images) && images.left._tag === "InvalidRequest" && images.left.field === "images")
  })

  it("answers UnsupportedRequest when the model can but the backend cannot", () => {
    const ratio = resolve("aimlapi", { prompt: "x", model: "nano-banana-2", aspectRatio: "21:9" })
    assert.isTrue(Either.isLeft(ratio))
    const left = (ratio as Either.Left<any, any>).left
    assert.strictEqual(left._tag, "UnsupportedRequest")
    assert.strictEqual(left.field, "aspectRatio")
    assert.match(
      left.message,
      /google\/nano-banana-2 on aimlapi accepts aspectRatio 1:1, 3:4, 4:3, 9:16, 16:9 only \(got 21:9\)/
    )
    const small = resolve("aimlapi", { prompt: "x", model: "nano-banana-2", imageSize: "512" })
    assert.isTrue(Either.isLeft(small) && small.left._tag === "UnsupportedRequest" && small.left.field === "imageSize")
    const editRatio = resolve("aimlapi", {
      prompt: "x",
      model: "nano-banana-pro",
      aspectRatio: "21:9",
      images: [{ data: png }]
    })
    assert.isTrue(Either.isLeft(editRatio) && editRatio.left._tag === "UnsupportedRequest")
    const many = resolve("aimlapi", {
      prompt: "x",
      model: "nano-banana-2",
      images: Array.from({ length: 6 }, () => ({ data: png }))
    })
    assert.isTrue(Either.isLeft(many) && many.left._tag === "UnsupportedRequest" && many.left.field === "images")
  })

  it("refuses input types a backend does not take", () => {
    const gif = new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0, 1, 0])
    const resolved = resolve("google-direct", { prompt: "x", images: [{ data: gif }] })
    assert.isTrue(
      Either.isLeft(resolved) && resolved.left._tag === "UnsupportedRequest" && resolved.left.field === "images[0]"
    )
    assert.isTrue(Either.isRight(resolve("openrouter", { prompt: "x", images: [{ data: gif }] })))
  })

  it("treats 1K on a fixed-size model as satisfied and sends no size", () => {
    const resolved = Either.getOrThrow(resolve("google-direct", { prompt: "x", model: "nano-banana", imageSize: "1K" }))
    assert.isUndefined(resolved.imageSize)
  })

  it("warns when the backend ignores the seed", () => {
    assert.deepStrictEqual(Either.getOrThrow(resolve("google-direct", { prompt: "x", seed: 7 })).warnings, [])
    const aiml = Either.getOrThrow(resolve("aimlapi", { prompt: "x", seed: 7 }))
    assert.match(aiml.warnings[0] ?? "", /seed is not supported by google\/nano-banana-2 on aimlapi/)
  })

  it("passes unknown native ids through unchecked", () => {
    const resolved = Either.getOrThrow(
      resolve("openrouter", { prompt: "x", model: "acme/new-image-model", aspectRatio: "8:1", imageSize: "4K" })
    )
    assert.strictEqual(resolved.model, "acme/new-image-model")
    assert.isUndefined(resolved.entry)
    assert.strictEqual(resolved.imageSize, "4K")
  })

  it("checks a backend's own native id with that id's capability", () => {
    const resolved = resolve("google-direct", { prompt: "x", model: "gemini-2.5-flash-image", imageSize: "2K" })
    assert.isTrue(Either.isLeft(resolved))
    const kept = Either.getOrThrow(resolve("google-direct", { prompt: "x", model: "gemini-3-pro-image-preview" }))
    assert.strictEqual(kept.model, "gemini-3-pro-image-preview")
  })
})

describe("ModelCatalog.estimateCost", () => {
  it("prices image tokens at the image rate", () => {
    const usd = ModelCatalog.estimateCost(ModelCatalog.entries["nano-banana"].price, { imageOutputTokens: 1290 })
    assert.closeTo(usd, 0.0387, 0.0001)
    const pro = ModelCatalog.estimateCost(ModelCatalog.entries["nano-banana-pro"].price, {
      inputTokens: 1_000_000,
      textOutputTokens: 1_000_000,
      imageOutputTokens: 1120
    })
    assert.closeTo(pro, 2 + 12 + 0.1344, 0.0001)
  })
})
