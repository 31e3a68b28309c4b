import { assert, describe, it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { randomBytes } from "node:crypto"
import { DataUrl, JsonBody, ResponseBody } from "../src/index.js"

const base64 = (bytes: number) => randomBytes(bytes).toString("base64")
const big = base64(300_000)
const parse = (text: string | Buffer) =>
  Effect.runSync(
    Effect.either(JsonBody.parseBytes("test", 200, Buffer.isBuffer(text) ? text : Buffer.from(text)))
  )

describe("JsonBody.parseBytes", () => {
  it("gives exactly JSON.parse of the text for image-sized bodies", () => {
    const bodies = [
      { choices: [{ message: { content: "ok", images: [{ image_url: { url: `data:image/png;base64,${big}` } }] } }] },
      { candidates: [{ content: { parts: [{ text: "x" }, { inlineData: { mimeType: "image/png", data: big } }] } }] },
      { data: [{ b64_json: big, url: null }, { b64_json: big.slice(1000), url: null }], meta: { n: 1.5e3 } },
      [big, "small", big, { nested: [big] }],
      { [big]: "a large key stays a key", value: big },
      { escaped: `${big}\n"/\\`, plain: big },
      { slashes: JSON.stringify(big).replace(/\//g, "\\/") },
      { unicode: "naïve ☃ \u2028", image: big },
      { "nanogen-large-0": "looks like a placeholder", image: big }
    ]
    for (const body of bodies) {
      for (const text of [JSON.stringify(body), JSON.stringify(body, null, 2)]) {
        const result = parse(text)
        assert.isTrue(Either.isRight(result))
        assert.deepStrictEqual(Either.getOrThrow(result), JSON.parse(text))
      }
    }
  })

  it.effect("hands large base64 data URLs to DataUrl without a copy, and they stay ordinary strings", () =>
    Effect.gen(function*() {
      const png = randomBytes(400_000)
      const url = `data:image/png;base64,${png.toString("base64")}`
      const body = { choices: [{ message: { images: [{ image_url: { url } }] } }] }
      const parsed = yield* JsonBody.parseBytes("test", 200, Buffer.from(JSON.stringify(body)))
      const value = (parsed as typeof body).choices[0]!.message.images[0]!.image_url.url
      assert.isTrue(DataUrl.isDataUrl(value))
      const decoded = DataUrl.parse(value)!
      assert.strictEqual(decoded.mimeType, "image/png")
      assert.isTrue(Buffer.from(decoded.data).equals(png))
      // Later (the hand-off is gone) the same string still parses, and compares equal to the original.
      yield* Effect.promise(() => new Promise((resolve) => setImmediate(resolve)))
      assert.isTrue(Buffer.from(DataUrl.parse(value)!.data).equals(png))
      assert.strictEqual(value, url)
      assert.strictEqual(value.slice(0, 22), "data:image/png;base64,")
    }))

  it("keeps JSON.parse's errors: control characters, cut-short and non-JSON bodies", () => {
    const control = `{"data":"${big.slice(0, 100_000)}\u0001${big.slice(100_000)}"}`
    const controlError = parse(control)
    assert.isTrue(Either.isLeft(controlError))
    assert.strictEqual(Either.flip(controlError).pipe(Either.getOrThrow)._tag, "MalformedResponse")

    const cut = JSON.stringify({ data: [{ b64_json: big }] }).slice(0, 350_000)
    const cutError = Either.flip(parse(cut)).pipe(Either.getOrThrow)
    assert.strictEqual(cutError._tag, "ProviderUnavailable")
    assert.match(cutError.message, /cut short/)

    for (const text of [`{"data":"${big}"} trailing`, `{"data":"${big}",}`, `{"data":"${big}" "x"}`]) {
      const slow = Effect.runSync(Effect.either(JsonBody.parse("test", 200, text)))
      const fast = parse(text)
      assert.isTrue(Either.isLeft(fast))
      assert.strictEqual(Either.flip(fast).pipe(Either.getOrThrow)._tag, Either.flip(slow).pipe(Either.getOrThrow)._tag)
    }

    const html = Either.flip(parse(`<html>${big}</html>`)).pipe(Either.getOrThrow)
    assert.strictEqual(html._tag, "MalformedResponse")
  })

  it("decodes text the same way for ASCII and UTF-8 bodies", () => {
    for (const text of ["{\"a\":\"plain\"}", "{\"a\":\"naïve ☃\"}", ""]) {
      assert.strictEqual(ResponseBody.decodeText(Buffer.from(text)), text)
    }
  })
})

describe("JsonBody.parse truncation heuristic", () => {
  const tagOf = (text: string) => Effect.runSync(Effect.flip(JsonBody.parse("p", 200, text)))._tag
  it("a body that ends mid-value is cut short; trailing garbage is not", () => {
    assert.strictEqual(tagOf("{\"a\":1"), "ProviderUnavailable")
    assert.strictEqual(tagOf("{\"a\":\"abc"), "ProviderUnavailable")
    assert.strictEqual(tagOf("{\"a\":[1,2"), "ProviderUnavailable")
    assert.strictEqual(tagOf("{\"a\":1}x"), "MalformedResponse")
    assert.strictEqual(tagOf("{\"a\":1} {\"b\":2}"), "MalformedResponse")
    assert.strictEqual(tagOf("<html>502</html>"), "MalformedResponse")
  })
})
