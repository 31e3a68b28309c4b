import { assert, describe, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { ImageProviderTest, ImageRequest, ModelCatalog } from "../src/index.js"

// Google's facts, written out again here on purpose: a wrong catalog entry must fail a test.
const TEN = ["1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"]
const FOURTEEN = [...TEN, "1:4", "4:1", "1:8", "8:1"]
const FIVE = ["1:1", "3:4", "4:3", "9:16", "16:9"] as const

const facts = {
  "nano-banana": { ratios: TEN, sizes: ["1K"], images: 3, status: "deprecated", replacement: "nano-banana-2.1" },
  "nano-banana-2": {
    ratios: FOURTEEN,
    sizes: ["512", "1K", "2K", "4K"],
    images: 14,
    status: "deprecated",
    replacement: "nano-banana-2.1"
  },
  "nano-banana-2-lite": { ratios: FOURTEEN, sizes: ["1K", "2K", "4K"], images: 14, status: "ga" },
  "nano-banana-2.1": { ratios: FOURTEEN, sizes: ["1K", "2K", "4K"], images: 14, status: "ga" },
  "nano-banana-pro": { ratios: TEN, sizes: ["1K", "2K", "4K"], images: 14, status: "ga" }
} as const

const request = (input: ImageRequest.Input) => Effect.runSync(ImageRequest.decode(input))
const png = ImageProviderTest.defaultPng
const PNG_ONLY = ["image/png"]

/** Two made-up backends: core must work for any table. */
const wide: ModelCatalog.Table = {
  "nano-banana": { generate: ModelCatalog.capability("nano-banana", { id: "w/nb", inputTypes: PNG_ONLY, seed: true }) },
  "nano-banana-2": {
    generate: ModelCatalog.capability("nano-banana-2", { id: "w/nb2", inputTypes: PNG_ONLY, maxPerCall: 4 })
  },
  "nano-banana-2.1": { generate: ModelCatalog.capability("nano-banana-2.1", { id: "w/nb21", inputTypes: PNG_ONLY }) },
  "nano-banana-pro": {
    generate: ModelCatalog.capability("nano-banana-pro", { id: "w/pro", inputTypes: PNG_ONLY, maxImages: 0 }),
    edit: ModelCatalog.capability("nano-banana-pro", {
      id: "w/pro-edit",
      inputTypes: PNG_ONLY,
      aspectRatios: FIVE,
      maxImages: 5
    })
  }
}
const wideAliases: ModelCatalog.NativeAliases = {
  "w/pro-preview": {
    alias: "nano-banana-pro",
    lifecycle: { status: "shutdown", shutdownOn: "2026-06-25", replacement: "w/pro" }
  },
  "w/pro-old": { alias: "nano-banana-pro", lifecycle: { status: "deprecated", replacement: "w/pro" } },
  "w/pro-2025": { alias: "nano-banana-pro" }
}
const resolve = (input: ImageRequest.Input, table = wide) =>
  ModelCatalog.resolve(table, request(input), "wide", wideAliases)
const left = (resolved: ReturnType<typeof resolve>) => {
  assert.isTrue(Either.isLeft(resolved), "expected a refusal")
  return (resolved as Either.Left<any, any>).left
}

describe("ModelCatalog entries hold Google's facts", () => {
  for (const [alias, want] of Object.entries(facts)) {
    it(alias, () => {
      const entry = ModelCatalog.entries[alias as ModelCatalog.Alias]
      assert.strictEqual(entry.alias, alias)
      assert.deepStrictEqual([...entry.aspectRatios].sort(), [...want.ratios].sort())
      assert.deepStrictEqual([...entry.imageSizes], [...want.sizes])
      assert.strictEqual(entry.maxImages, want.images)
      assert.strictEqual(entry.status, want.status)
      if ("replacement" in want) assert.strictEqual(entry.replacement, want.replacement)
      for (const size of entry.imageSizes) assert.isAbove(entry.outputTokens[size] ?? 0, 0, `${alias} ${size} tokens`)
    })
  }

  it("lists the five aliases and names no backend", () => {
    assert.deepStrictEqual([...ModelCatalog.aliases].sort(), Object.keys(facts).sort())
    const text = JSON.stringify(ModelCatalog.entries)
    for (const backend of ["openrouter", "aimlapi", "google-direct", "vertex"]) assert.notInclude(text, backend)
  })

  it("2.1 takes no 512 tier: refused locally as InvalidRequest, before any call", () => {
    const error = left(resolve({ prompt: "x", model: "nano-banana-2.1", imageSize: "512" }))
    assert.strictEqual(error._tag, "InvalidRequest")
    assert.strictEqual(error.field, "imageSize")
  })
})

describe("ModelCatalog.lookup / capabilityFor", () => {
  it("finds aliases, native aliases and the table's own ids", () => {
    assert.strictEqual(ModelCatalog.lookup(wide, "nano-banana")?.alias, "nano-banana")
    assert.strictEqual(ModelCatalog.lookup(wide, "w/pro-edit")?.alias, "nano-banana-pro")
    assert.strictEqual(ModelCatalog.lookup(wide, "w/pro-2025", wideAliases)?.alias, "nano-banana-pro")
    assert.isUndefined(ModelCatalog.lookup(wide, "w/pro-2025"))
    assert.isUndefined(ModelCatalog.lookup(wide, "acme/flux"))
  })

  it("answers the capability a request would use (edit id with reference images)", () => {
    assert.strictEqual(ModelCatalog.capabilityFor(wide, { model: "nano-banana-2", images: [] })?.maxPerCall, 4)
    assert.strictEqual(
      ModelCatalog.capabilityFor(wide, { model: "nano-banana-pro", images: [{ data: png }] })?.id,
      "w/pro-edit"
    )
    assert.isUndefined(ModelCatalog.capabilityFor(wide, { model: "nano-banana-2-lite", images: [] }))
    assert.isUndefined(ModelCatalog.capabilityFor(wide, { model: "acme/flux", images: [] }))
  })

  it("capability takes the model's ceilings as defaults; a fixed-size model sends no size", () => {
    const pro = ModelCatalog.capability("nano-banana-pro", { id: "p", inputTypes: PNG_ONLY })
    assert.deepStrictEqual([pro.imageSizes, pro.maxImages, pro.maxPerCall, pro.seed], [
      ["1K", "2K", "4K"],
      14,
      1,
      false
    ])
    assert.deepStrictEqual(ModelCatalog.capability("nano-banana", { id: "n", inputTypes: PNG_ONLY }).imageSizes, [])
  })
})

describe("ModelCatalog.resolve (any backend's table)", () => {
  it("maps an alias to the table's native id", () => {
    const resolved = Either.getOrThrow(
      resolve({ prompt: "x", model: "nano-banana-pro", aspectRatio: "16:9", imageSize: "4K" })
    )
    assert.deepStrictEqual([resolved.model, resolved.aspectRatio, resolved.imageSize], ["w/pro", "16:9", "4K"])
    assert.deepStrictEqual(resolved.warnings, [])
  })

  it("uses the edit capability when reference images are present", () => {
    const resolved = Either.getOrThrow(resolve({ prompt: "x", model: "nano-banana-pro", images: [{ data: png }] }))
    assert.strictEqual(resolved.model, "w/pro-edit")
  })

  it("a deprecated model works, with a warning naming the replacement", () => {
    const resolved = Either.getOrThrow(resolve({ prompt: "x", model: "nano-banana-2" }))
    assert.strictEqual(resolved.model, "w/nb2")
    assert.deepStrictEqual(resolved.warnings, [
      "nano-banana-2 (Nano Banana 2 (Gemini 3.1 Flash Image)) is deprecated since 2026-10-06; use nano-banana-2.1"
    ])
  })

  it("a shut-down native id is refused before any call with UnsupportedRequest naming it and its replacement", () => {
    const error = left(resolve({ prompt: "x", model: "w/pro-preview" }))
    assert.strictEqual(error._tag, "UnsupportedRequest")
    assert.strictEqual(error.field, "model")
    assert.strictEqual(error.message, "wide: w/pro-preview was shut down on 2026-06-25; use w/pro")
    const old = Either.getOrThrow(resolve({ prompt: "x", model: "w/pro-old" }))
    assert.strictEqual(old.model, "w/pro-old")
    assert.deepStrictEqual(old.warnings, ["w/pro-old is deprecated; use w/pro"])
    assert.strictEqual(Either.getOrThrow(resolve({ prompt: "x", model: "w/pro-2025" })).model, "w/pro-2025")
  })

  it("a shut-down model is refused whichever table serves it", () => {
    const shut: ModelCatalog.Table = { "nano-banana-2-lite": wide["nano-banana-2.1"]! }
    const error = left(
      ModelCatalog.resolve(shut, request({ prompt: "x", model: "lite-old" }), "shut", {
        "lite-old": { alias: "nano-banana-2-lite", lifecycle: { status: "shutdown" } }
      })
    )
    assert.strictEqual(error.message, "shut: lite-old was shut down")
  })

  it("a model the table leaves out is UnsupportedRequest (another backend may serve it)", () => {
    const error = left(resolve({ prompt: "x", model: "nano-banana-2-lite" }))
    assert.strictEqual(error._tag, "UnsupportedRequest")
    assert.match(error.message, /wide does not serve nano-banana-2-lite/)
  })

  it("answers InvalidRequest when the model itself cannot do it", () => {
    assert.strictEqual(
      left(resolve({ prompt: "x", model: "nano-banana-pro", aspectRatio: "1:8" })).field,
      "aspectRatio"
    )
    assert.strictEqual(left(resolve({ prompt: "x", model: "nano-banana", imageSize: "4K" })).field, "imageSize")
    const images = left(resolve({ prompt: "x", model: "nano-banana", images: [1, 2, 3, 4].map(() => ({ data: png })) }))
    assert.deepStrictEqual([images._tag, images.field], ["InvalidRequest", "images"])
  })

  it("answers UnsupportedRequest when the model can but the backend cannot", () => {
    const ratio = left(resolve({ prompt: "x", model: "nano-banana-pro", aspectRatio: "21:9", images: [{ data: png }] }))
    assert.deepStrictEqual([ratio._tag, ratio.field], ["UnsupportedRequest", "aspectRatio"])
    assert.match(ratio.message, /w\/pro-edit on wide accepts aspectRatio 1:1, 3:4, 4:3, 9:16, 16:9 only \(got 21:9\)/)
    const many = left(
      resolve({ prompt: "x", model: "nano-banana-pro", images: Array.from({ length: 6 }, () => ({ data: png })) })
    )
    assert.deepStrictEqual([many._tag, many.field], ["UnsupportedRequest", "images"])
  })

  it("refuses input types a backend does not take", () => {
    const gif = new Uint8Array([0x47, 0x49, 0x46, 0x38, 0x39, 0x61, 1, 0, 1, 0])
    const error = left(resolve({ prompt: "x", model: "nano-banana-2.1", images: [{ data: gif }] }))
    assert.deepStrictEqual([error._tag, error.field], ["UnsupportedRequest", "images[0]"])
  })

  it("treats 1K on a fixed-size model as satisfied and sends no size", () => {
    assert.isUndefined(Either.getOrThrow(resolve({ prompt: "x", model: "nano-banana", imageSize: "1K" })).imageSize)
  })

  it("warns when the backend ignores the seed", () => {
    const kept = Either.getOrThrow(resolve({ prompt: "x", model: "nano-banana", seed: 7 }))
    assert.isFalse(kept.warnings.some((warning) => warning.includes("seed")))
    const dropped = Either.getOrThrow(resolve({ prompt: "x", model: "nano-banana-2.1", seed: 7 }))
    assert.deepStrictEqual(dropped.warnings, ["seed is not supported by w/nb21 on wide and was ignored"])
  })

  it("keeps the thinking level and grounding the model takes, and warns for the rest", () => {
    const kept = Either.getOrThrow(resolve({
      prompt: "x",
      model: "nano-banana-2.1",
      thinkingLevel: "medium",
      grounding: { googleSearch: true, imageSearch: true }
    }))
    assert.strictEqual(kept.thinkingLevel, "medium")
    assert.deepStrictEqual(kept.grounding, { googleSearch: true, imageSearch: true })
    assert.deepStrictEqual(kept.warnings, [])
    const pro = Either.getOrThrow(resolve({
      prompt: "x",
      model: "nano-banana-pro",
      thinkingLevel: "minimal",
      grounding: { googleSearch: true, imageSearch: true }
    }))
    assert.isUndefined(pro.thinkingLevel)
    assert.deepStrictEqual(pro.grounding, { googleSearch: true, imageSearch: false })
    assert.deepStrictEqual(pro.warnings, [
      "thinkingLevel \"minimal\" is not one of low, high for Nano Banana Pro (Gemini 3 Pro Image) and was ignored",
      "grounding.imageSearch is not supported by Nano Banana Pro (Gemini 3 Pro Image) and was ignored"
    ])
    const none = Either.getOrThrow(resolve({ prompt: "x", model: "nano-banana", grounding: { googleSearch: true } }))
    assert.isUndefined(none.grounding)
  })

  it("passes unknown native ids through unchecked", () => {
    const resolved = Either.getOrThrow(
      resolve({ prompt: "x", model: "acme/new-image-model", aspectRatio: "8:1", imageSize: "4K", thinkingLevel: "low" })
    )
    assert.deepStrictEqual([resolved.model, resolved.entry, resolved.imageSize, resolved.thinkingLevel], [
      "acme/new-image-model",
      undefined,
      "4K",
      "low"
    ])
  })

  it("checks a table's own native id with that id's capability", () => {
    assert.isTrue(Either.isLeft(resolve({ prompt: "x", model: "w/nb", imageSize: "2K" })))
    assert.strictEqual(
      Either.getOrThrow(resolve({ prompt: "x", model: "w/pro-edit", images: [{ data: png }] })).model,
      "w/pro-edit"
    )
  })
})

describe("ModelCatalog.table", () => {
  it("builds capabilities from the ceilings, the backend's defaults and each entry's own fields", () => {
    const built = ModelCatalog.table({ inputTypes: PNG_ONLY, seed: true }, {
      "nano-banana-pro": "v/pro",
      "nano-banana-2-lite": { id: "v/lite", imageSizes: ["1K"] },
      "nano-banana": { generate: { id: "v/nb", maxImages: 0, maxPerCall: 4 }, edit: "v/nb-edit" }
    })
    assert.deepStrictEqual(Object.keys(built).sort(), ["nano-banana", "nano-banana-2-lite", "nano-banana-pro"])
    assert.deepStrictEqual(built["nano-banana-pro"], {
      generate: ModelCatalog.capability("nano-banana-pro", { id: "v/pro", inputTypes: PNG_ONLY, seed: true })
    })
    assert.deepStrictEqual(built["nano-banana-2-lite"]?.generate.imageSizes, ["1K"])
    assert.deepStrictEqual(
      [
        built["nano-banana"]?.generate.maxPerCall,
        built["nano-banana"]?.generate.maxImages,
        built["nano-banana"]?.edit?.id
      ],
      [4, 0, "v/nb-edit"]
    )
    assert.strictEqual(built["nano-banana"]?.edit?.maxImages, 3)
  })
})

describe("ModelCatalog.estimateCost / estimate", () => {
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

  it("estimates a request: image price × the size tier's tokens × n (1K when no size is named)", () => {
    assert.closeTo(
      ModelCatalog.estimate(ModelCatalog.entries["nano-banana-pro"], { imageSize: "4K", n: 2 }),
      0.48,
      1e-9
    )
    assert.closeTo(ModelCatalog.estimate(ModelCatalog.entries["nano-banana-pro"], { n: 1 }), 0.1344, 1e-9)
    assert.closeTo(
      ModelCatalog.estimate(ModelCatalog.entries["nano-banana-2"], { imageSize: "512", n: 3 }),
      0.13446,
      1e-9
    )
    assert.closeTo(ModelCatalog.estimate(ModelCatalog.entries["nano-banana"], { n: 1 }), 0.0387, 1e-9)
    const cheaper = { inputPerMTok: 0, textOutputPerMTok: 0, imageOutputPerMTok: 10 }
    assert.closeTo(ModelCatalog.estimate(ModelCatalog.entries["nano-banana-2"], { n: 1 }, cheaper), 0.0112, 1e-9)
  })
})
