import { assert, describe, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import * as fc from "effect/FastCheck"
import { ImageProviderTest, ImageRequest } from "../src/index.js"

const png = ImageProviderTest.defaultPng
const decode = (input: unknown) => Effect.runSync(Effect.either(ImageRequest.decode(input)))
const failure = (input: unknown) => {
  const result = decode(input)
  assert.isTrue(Either.isLeft(result), `expected ${JSON.stringify(input)} to be refused`)
  return (result as Either.Left<any, any>).left
}

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
      "unknown provider options",
      { prompt: "x", providerOptions: { vertex: {} } },
      "providerOptions.vertex",
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
