import { assert, describe, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import * as fc from "effect/FastCheck"
import { ImageProviderTest, ImageRequest } from "../src/index.js"

const png = ImageProviderTest.defaultPng
const decode = (input: unknown) => Effect.runSync(Effect.either(ImageRequest.decode(input)))
const failure = (input: unknown) => {
  const result = decode(input)
  assert.isTrue(Either.isLeft(result), "expected the input to be refused")
  return (result as Either.Left<any, any>).left
}

const cyclic: Record<string, unknown> = { self: {} }
;(cyclic.self as Record<string, unknown>).again = cyclic
/** A PNG signature followed by zeros: `bytes` long. */
const big = (bytes: number) => {
  const data = new Uint8Array(bytes)
  data.set(png.subarray(0, 16))
  return data
}
const bigDataUrl = (bytes: number) => `data:image/png;base64,${Buffer.from(big(bytes)).toString("base64")}`

describe("ImageRequest.decode", () => {
  it("fills the defaults of a minimal request", () => {
    const result = decode({ prompt: "a nano banana" })
    assert.deepStrictEqual(result, Either.right({ prompt: "a nano banana", images: [], model: "nano-banana-2", n: 1 }))
  })

  it("accepts every field at once", () => {
    const input = {
      prompt: "edit this",
      images: [{ data: png, mimeType: "image/png" }, { url: "https://example.com/a.jpg" }, {
        url: "data:image/png;base64,iVBORw0KGgo="
      }],
      model: "nano-banana-pro",
      aspectRatio: "21:9",
      imageSize: "4K",
      n: 3,
      seed: 42,
      providerOptions: { openrouter: { provider: { only: ["google-ai-studio"] } }, "google-direct": { tools: [] } }
    }
    const result = decode(input)
    assert.isTrue(Either.isRight(result))
    assert.deepStrictEqual((result as Either.Right<any, any>).right, input)
  })

  const cases: ReadonlyArray<[string, unknown, string, RegExp]> = [
    ["missing prompt", {}, "prompt", /prompt is required/],
    ["empty prompt", { prompt: "" }, "prompt", /prompt must be a non-empty string/],
    ["blank prompt", { prompt: "  \n " }, "prompt", /non-empty/],
    ["prompt not a string", { prompt: 42 }, "prompt", /Expected string, actual 42/],
    ["huge prompt", { prompt: "x".repeat(32_001) }, "prompt", /at most 32000 characters/],
    [
      "unknown ratio",
      { prompt: "x", aspectRatio: "7:5" },
      "aspectRatio",
      /must be one of "1:1", .*"8:1" \(got "7:5"\)/
    ],
    [
      "lowercase size",
      { prompt: "x", imageSize: "4k" },
      "imageSize",
      /"512", "1K", "2K", "4K" \(got "4k"\); note the uppercase K/
    ],
    ["512px", { prompt: "x", imageSize: "512px" }, "imageSize", /got "512px"/],
    ["n = 0", { prompt: "x", n: 0 }, "n", /integer from 1 to 10 \(got 0\)/],
    ["n too large", { prompt: "x", n: 11 }, "n", /got 11/],
    ["n fractional", { prompt: "x", n: 1.5 }, "n", /got 1.5/],
    ["seed fractional", { prompt: "x", seed: 0.5 }, "seed", /must be an integer/],
    ["empty model", { prompt: "x", model: " " }, "model", /must not be empty/],
    ["http url", { prompt: "x", images: [{ url: "http://example.com/a.png" }] }, "images[0].url", /https URL/],
    ["ftp url", { prompt: "x", images: [{ url: "ftp://x/a.png" }] }, "images[0].url", /https URL/],
    ["text data url", { prompt: "x", images: [{ url: "data:text/plain;base64,aGk=" }] }, "images[0].url", /data:image/],
    [
      "bytes that are no image",
      { prompt: "x", images: [{ data: new Uint8Array([1, 2, 3, 4]) }] },
      "images[0].data",
      /PNG, JPEG, WebP, GIF or HEIC/
    ],
    ["data and url", { prompt: "x", images: [{ data: png, url: "https://e.com/a.png" }] }, "images[0]", /either/],
    ["neither data nor url", { prompt: "x", images: [{}] }, "images[0]", /either/],
    ["unknown image field", { prompt: "x", images: [{ bytes: png }] }, "images[0].bytes", /not a known field/],
    [
      "too many images",
      { prompt: "x", images: Array.from({ length: 15 }, () => ({ data: png })) },
      "images",
      /at most 14/
    ],
    ["snake_case typo", { prompt: "x", aspect_ratio: "1:1" }, "aspect_ratio", /not a known field/],
    [
      "a provider options entry that is not an object",
      { prompt: "x", providerOptions: { vertex: 3 } },
      "providerOptions.vertex",
      /wrong type/
    ],
    [
      "a BigInt provider option",
      { prompt: "x", providerOptions: { acme: { seed: 1n } } },
      "providerOptions.acme.seed",
      /BigInt/
    ],
    [
      "a cyclic provider option",
      { prompt: "x", providerOptions: { acme: cyclic } },
      // the entry is decoded (copied) first: the cycle closes one level further, on the caller's own object
      "providerOptions.acme.self.again.self",
      /refers back to itself/
    ],
    [
      "a provider option that is not JSON",
      { prompt: "x", providerOptions: { acme: { list: [1, new Date(0)] } } },
      "providerOptions.acme.list[1]",
      /not a plain object/
    ],
    [
      "a NaN provider option",
      { prompt: "x", providerOptions: { acme: { x: Number.NaN } } },
      "providerOptions.acme.x",
      /NaN/
    ],
    ["a prompt of zero-width characters", { prompt: "\u200b\u200c\u200d\ufeff \u2060" }, "prompt", /visible text/],
    [
      "a data URL reference whose payload is not an image",
      { prompt: "x", images: [{ url: `data:image/png;base64,${Buffer.from("hello world").toString("base64")}` }] },
      "images[0].url",
      /payload is not a PNG, JPEG, WebP, GIF or HEIC\/HEIF image/
    ],
    [
      "a reference image over the per-image cap",
      { prompt: "x", images: [{ data: png }, { data: big(ImageRequest.limits.maxImageBytes + 1) }] },
      "images[1]",
      /is 20 MiB; a reference image may hold at most 20 MiB/
    ],
    [
      "a data URL over the per-image cap",
      { prompt: "x", images: [{ url: bigDataUrl(ImageRequest.limits.maxImageBytes + 3) }] },
      "images[0]",
      /a reference image may hold at most 20 MiB/
    ],
    [
      "reference images over the total cap",
      { prompt: "x", images: [1, 2, 3].map(() => ({ data: big(18 * 1024 * 1024) })) },
      "images",
      /hold 54 MiB in total; the reference images of one request may hold at most 50 MiB/
    ],
    [
      "a non-positive maxCostUsd",
      { prompt: "x", maxCostUsd: 0 },
      "maxCostUsd",
      /positive number of US dollars \(got 0\)/
    ],
    ["an infinite maxCostUsd", { prompt: "x", maxCostUsd: Infinity }, "maxCostUsd", /got Infinity/],
    ["a blank idempotencyKey", { prompt: "x", idempotencyKey: " " }, "idempotencyKey", /non-empty string/],
    ["a huge idempotencyKey", { prompt: "x", idempotencyKey: "k".repeat(257) }, "idempotencyKey", /at most 256/],
    [
      "an unknown thinkingLevel",
      { prompt: "x", thinkingLevel: "max" },
      "thinkingLevel",
      /"minimal", "low", "medium", "high" \(got "max"\)/
    ],
    [
      "an unknown grounding field",
      { prompt: "x", grounding: { webSearch: true } },
      "grounding.webSearch",
      /not a known field/
    ]
  ]
  for (const [name, input, field, message] of cases) {
    it(`refuses ${name}, naming ${field}`, () => {
      const error = failure(input)
      assert.strictEqual(error._tag, "InvalidRequest")
      assert.strictEqual(error.field, field)
      assert.match(error.message, message)
      assert.match(error.message, /^Invalid request: /)
    })
  }

  it("hostile values (null prototype, a throwing toString, a throwing getter) are InvalidRequest, never a defect", () => {
    const bare = Object.create(null)
    const liar = {
      toString() {
        throw new Error("boom")
      },
      valueOf() {
        throw new Error("boom")
      }
    }
    for (const field of ["n", "aspectRatio", "imageSize", "seed", "thinkingLevel", "maxCostUsd", "prompt"]) {
      for (const value of [bare, liar, [bare], Symbol("s")]) {
        const error = failure({ prompt: "x", [field]: value })
        assert.strictEqual(error._tag, "InvalidRequest")
        assert.strictEqual(error.field, field)
      }
    }
    const nullPrototypeRequest = Object.assign(Object.create(null), { prompt: "x", n: 2 })
    assert.isTrue(Either.isRight(decode(nullPrototypeRequest)))
    const getter = {
      prompt: "x",
      get n(): number {
        throw new Error("boom")
      }
    }
    assert.strictEqual(failure(getter)._tag, "InvalidRequest")
  })

  it("takes the new typed fields and any provider's options entry", () => {
    const input = {
      prompt: "x",
      maxCostUsd: 0.25,
      idempotencyKey: "order-42",
      grounding: { googleSearch: true, imageSearch: false },
      thinkingLevel: "high",
      providerOptions: { vertex: { labels: { team: "a" } }, "my-backend": { deep: [[{ x: null }]] } }
    }
    assert.deepStrictEqual(decode(input), Either.right({ ...input, images: [], model: "nano-banana-2", n: 1 }) as any)
  })

  it("a deeply nested provider option is walked without overflowing the stack", () => {
    let deep: unknown = 1n
    for (let i = 0; i < 100_000; i++) deep = [deep]
    const error = failure({ prompt: "x", providerOptions: { acme: { deep } } })
    assert.match(error.message, /nests deeper than 64 levels/)
    assert.isTrue(error.field.startsWith("providerOptions.acme.deep[0][0]"))
  })

  it("refuses a non-object", () => {
    for (const input of [null, "prompt", 3, undefined]) {
      assert.strictEqual(failure(input)._tag, "InvalidRequest")
    }
  })

  it("names the provider it validated for", () => {
    const result = Effect.runSync(Effect.either(ImageRequest.decode({ prompt: "" }, "openrouter")))
    assert.isTrue(Either.isLeft(result) && result.left.provider === "openrouter")
  })

  it("property: every well-formed request decodes and keeps its values", () => {
    const arbitrary = fc.record({
      prompt: fc.string({ minLength: 1, maxLength: 200 }).filter((s) => s.trim().length > 0),
      aspectRatio: fc.constantFrom(...ImageRequest.aspectRatios),
      imageSize: fc.constantFrom(...ImageRequest.imageSizes),
      n: fc.integer({ min: 1, max: 10 }),
      seed: fc.integer({ min: -(2 ** 31), max: 2 ** 31 }),
      images: fc.array(fc.constant({ data: png }), { maxLength: 14 })
    }, { requiredKeys: ["prompt"] })
    fc.assert(
      fc.property(arbitrary, (input) => {
        const result = decode(input)
        if (Either.isLeft(result)) return false
        const value = result.right
        return value.prompt === input.prompt && value.n === (input.n ?? 1) &&
          value.aspectRatio === input.aspectRatio && value.imageSize === input.imageSize &&
          value.images.length === (input.images?.length ?? 0)
      }),
      { numRuns: 300 }
    )
  })

  it("property: any aspect ratio outside the closed set is refused on aspectRatio", () => {
    fc.assert(
      fc.property(
        fc.string().filter((s) => !(ImageRequest.aspectRatios as ReadonlyArray<string>).includes(s)),
        (ratio) => {
          const result = decode({ prompt: "x", aspectRatio: ratio })
          return Either.isLeft(result) && result.left.field === "aspectRatio"
        }
      ),
      { numRuns: 300 }
    )
  })

  it("property: any n that is not an integer in 1..10 is refused on n", () => {
    fc.assert(
      fc.property(
        fc.oneof(fc.integer().filter((n) => n < 1 || n > 10), fc.double().filter((n) => !Number.isInteger(n))),
        (n) => {
          const result = decode({ prompt: "x", n })
          return Either.isLeft(result) && result.left.field === "n"
        }
      ),
      { numRuns: 300 }
    )
  })
})
