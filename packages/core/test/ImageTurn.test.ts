import { assert, describe, it } from "@effect/vitest"
import { fixtureJson } from "@nanogen/test-utils"
import { Either, ParseResult, Schema } from "effect"
import { DataUrl, ImageBytes, ImageProviderTest, ImageRequest, ImageTurn } from "../src/index.js"

const png = ImageProviderTest.defaultPng
const pngBase64 = ImageBytes.toBase64(png)

/** The model content of a recorded Gemini answer, exactly as parsed from the wire. */
const recordedContent = (file: string) => (fixtureJson("google", file) as any).candidates[0].content

const geminiTurn = (parts: ReadonlyArray<unknown>, extra: Partial<ImageTurn.GeminiTurn> = {}) =>
  ({
    role: "model",
    provider: "google-direct",
    model: "nano-banana-pro",
    modelId: "gemini-3-pro-image-preview",
    format: "gemini",
    parts,
    ...extra
  }) as ImageTurn.GeminiTurn

const user = (prompt: string, images?: ReadonlyArray<ImageTurn.ReferenceImageJson>) => ({
  role: "user" as const,
  prompt,
  ...(images === undefined ? {} : { images })
})

describe("ImageTurn schemas", () => {
  it("a history round-trips through JSON text unchanged: parts, signatures, thought images, unknown fields, key order", () => {
    const proParts = recordedContent("gemini-3-pro-image-preview-text-and-jpeg.json").parts
    const thoughtParts = recordedContent("thought-image-then-final-image.json").parts
    const json = [
      user("a nano banana", [{ data: pngBase64, mimeType: "image/png" }, { url: "https://example.com/ref.png" }]),
      {
        role: "model",
        provider: "vertex",
        model: "nano-banana-pro",
        modelId: "gemini-3-pro-image-preview",
        reseeded: false,
        format: "gemini",
        parts: proParts
      },
      user("now on a black plate"),
      geminiTurn([...thoughtParts, { text: "", thoughtSignature: "trailing==", futureField: { nested: [1, "x"] } }]),
      user("as a chat"),
      {
        role: "model",
        provider: "openrouter",
        model: "nano-banana",
        modelId: "google/gemini-2.5-flash-image",
        format: "chat",
        message: {
          role: "assistant",
          content: "Here you go",
          refusal: null,
          reasoning_details: [{ type: "reasoning.encrypted", data: "opaque", format: "google-gemini-v1", index: 0 }],
          images: [{ type: "image_url", image_url: { url: `data:image/png;base64,${pngBase64}` }, index: 0 }]
        }
      },
      user("stateless"),
      {
        role: "model",
        provider: "aimlapi",
        model: "nano-banana-2",
        modelId: "google/nano-banana-2",
        format: "stateless",
        image: { data: pngBase64, mimeType: "image/png" }
      }
    ]
    const text = JSON.stringify(json)
    const decoded = Schema.decodeUnknownSync(ImageTurn.History)(JSON.parse(text))
    // decoded images are bytes; Gemini parts stay as received
    const first = decoded[0] as ImageTurn.UserTurn
    assert.deepStrictEqual(first.images?.[0], { data: ImageBytes.fromBase64(pngBase64), mimeType: "image/png" })
    const pro = decoded[1] as ImageTurn.GeminiTurn
    assert.deepStrictEqual(pro.parts, proParts)
    assert.strictEqual(pro.parts[1]!.thoughtSignature, proParts[1].thoughtSignature)
    assert.strictEqual(JSON.stringify(Schema.encodeSync(ImageTurn.History)(decoded)), text)
  })

  it("refuses a history that does not alternate or ends with a user turn, naming the turn", () => {
    const problem = (input: unknown) =>
      Either.match(Schema.decodeUnknownEither(ImageTurn.History, { errors: "first" })(input), {
        onLeft: (error) => ParseResult.ArrayFormatter.formatErrorSync(error)[0],
        onRight: () => undefined
      })
    assert.deepStrictEqual(problem([user("a"), user("b")]), {
      _tag: "Type",
      path: [1],
      message: "must be a model turn: turns alternate user, model, user, model…"
    })
    assert.deepStrictEqual(problem([user("a"), geminiTurn([{ text: "x" }]), user("b")])?.path, [2])
    assert.deepStrictEqual(problem([user("a"), geminiTurn([{ thoughtSignature: 42 }])])?.path, [
      1,
      "parts",
      0,
      "thoughtSignature"
    ])
    assert.deepStrictEqual(problem([user("a"), { role: "model", format: "html" }]), {
      _tag: "Type",
      path: [1, "format"],
      message: "must be \"gemini\", \"chat\" or \"stateless\""
    })
    assert.isUndefined(problem([]))
  })
})

describe("ImageTurn.outputImages / latestImage", () => {
  it("takes the final Gemini image, never a thought image", () => {
    const parts = recordedContent("thought-image-then-final-image.json").parts
    const images = ImageTurn.outputImages(geminiTurn(parts))
    assert.strictEqual(images.length, 1)
    assert.deepStrictEqual(images[0], { data: ImageBytes.fromBase64(parts[1].inlineData.data), mimeType: "image/jpeg" })
  })

  it("reads an assistant message's images: data URLs, raw base64, https URLs", () => {
    const chat = (url: string): ImageTurn.ChatTurn => ({
      role: "model",
      provider: "openrouter",
      model: "nano-banana",
      modelId: "google/gemini-2.5-flash-image",
      format: "chat",
      message: { role: "assistant", content: null, images: [{ image_url: { url } }] }
    })
    assert.deepStrictEqual(ImageTurn.outputImages(chat(DataUrl.format(png))), [{ data: png, mimeType: "image/png" }])
    assert.deepStrictEqual(ImageTurn.outputImages(chat(pngBase64)), [{ data: png, mimeType: "image/png" }])
    assert.deepStrictEqual(ImageTurn.outputImages(chat("https://cdn.example/x.png")), [{
      url: "https://cdn.example/x.png"
    }])
    const inContent: ImageTurn.ChatTurn = {
      ...chat(""),
      message: { role: "assistant", content: [{ type: "image_url", image_url: { url: DataUrl.format(png) } }] }
    }
    assert.deepStrictEqual(ImageTurn.outputImages(inContent), [{ data: png, mimeType: "image/png" }])
  })

  it("the latest image is the last model turn's, else the latest user image", () => {
    const jpeg = recordedContent("thought-image-then-final-image.json").parts[1]
    const history: Array<ImageTurn.Turn> = [
      { role: "user", prompt: "a", images: [{ data: png }] },
      geminiTurn([{ text: "no image" }])
    ]
    assert.deepStrictEqual(ImageTurn.latestImage(history), { data: png })
    history.push({ role: "user", prompt: "b" }, geminiTurn([jpeg]))
    assert.deepStrictEqual(ImageTurn.latestImage(history), {
      data: ImageBytes.fromBase64(jpeg.inlineData.data),
      mimeType: "image/jpeg"
    })
    assert.isUndefined(ImageTurn.latestImage([]))
  })
})

describe("ImageTurn.reseed", () => {
  const image = { data: png, mimeType: "image/png" }
  const stateless = (prompt: string): ReadonlyArray<ImageTurn.Turn> => [
    { role: "user", prompt },
    {
      role: "model",
      provider: "aimlapi",
      model: "nano-banana-2",
      modelId: "google/nano-banana-2",
      format: "stateless",
      image
    }
  ]

  it("latest image first, then the new references; the prompt summarises the earlier ones", () => {
    const history = [...stateless("a nano banana on a marble plate"), ...stateless("now make  the plate\nblack")]
    const extra = { url: "https://example.com/logo.png" }
    assert.deepStrictEqual(ImageTurn.reseed(history, { prompt: "add a logo", images: [extra] }), {
      prompt: "The first image is the result of these earlier instructions: \"a nano banana on a marble plate\"; " +
        "then \"now make the plate black\".\nApply this next instruction to it: add a logo",
      images: [image, extra]
    })
  })

  it("drops the summary rather than exceed the longest prompt a request takes", () => {
    const prompt = "y".repeat(ImageRequest.limits.maxPromptLength - 20)
    assert.strictEqual(ImageTurn.reseed(stateless("earlier"), { prompt }).prompt, prompt)
  })

  it("with no earlier turn it is the turn itself", () => {
    assert.deepStrictEqual(ImageTurn.reseed([], { prompt: "a cat" }), { prompt: "a cat", images: [] })
  })

  it("keeps the summary short: the latest prompts only, each cut", () => {
    const long = "x".repeat(500)
    const history = Array.from({ length: 8 }, (_, index) => stateless(index === 7 ? long : `p${index}`)).flat()
    const { prompt } = ImageTurn.reseed(history, { prompt: "next" })
    assert.strictEqual(
      prompt,
      `The first image is the result of these earlier instructions: (2 earlier omitted) "p2"; then "p3"; then "p4"; ` +
        `then "p5"; then "p6"; then "${"x".repeat(200)}…".\nApply this next instruction to it: next`
    )
  })
})

describe("ImageTurn.plan", () => {
  const target = { format: "gemini", modelId: "gemini-3-pro-image-preview" } as const
  const signed = geminiTurn([{ inlineData: { mimeType: "image/png", data: pngBase64 }, thoughtSignature: "sig1" }])
  const chat: ImageTurn.ChatTurn = {
    role: "model",
    provider: "openrouter",
    model: "nano-banana-pro",
    modelId: "google/gemini-3-pro-image-preview",
    format: "chat",
    message: { role: "assistant", content: "", images: [{ image_url: { url: DataUrl.format(png) } }] }
  }

  it("continues its own turns as they are", () => {
    const history = [{ role: "user", prompt: "a" } as const, signed, { role: "user", prompt: "b" } as const, signed]
    assert.deepStrictEqual(ImageTurn.plan(history, { prompt: "c" }, target), { _tag: "Continue", turns: history })
    assert.deepStrictEqual(ImageTurn.plan([], { prompt: "c" }, target), { _tag: "Continue", turns: [] })
  })

  it("re-seeds after another backend's turn, another model's turn, or on a stateless backend", () => {
    const foreign = [{ role: "user", prompt: "a" } as const, chat]
    const reseed = { _tag: "Reseed" as const, ...ImageTurn.reseed(foreign, { prompt: "b" }) }
    assert.deepStrictEqual(ImageTurn.plan(foreign, { prompt: "b" }, target), reseed)
    const otherModel = [
      { role: "user", prompt: "a" } as const,
      geminiTurn(signed.parts, { modelId: "gemini-3.1-flash-image" })
    ]
    assert.strictEqual(ImageTurn.plan(otherModel, { prompt: "b" }, target)._tag, "Reseed")
    assert.strictEqual(
      ImageTurn.plan([{ role: "user", prompt: "a" }, signed], { prompt: "b" }, undefined)._tag,
      "Reseed"
    )
    // own turns after a foreign one that were not produced from a re-seed cannot be continued faithfully
    const mixed = [...foreign, { role: "user", prompt: "b" } as const, signed]
    assert.strictEqual(ImageTurn.plan(mixed, { prompt: "c" }, target)._tag, "Reseed")
  })

  it("continues its own turns opened by a re-seed, rebuilding that re-seeded user turn exactly", () => {
    const before = [{ role: "user", prompt: "a" } as const, chat]
    const afterFailover = [
      ...before,
      { role: "user", prompt: "b" } as const,
      geminiTurn(signed.parts, { reseeded: true }),
      { role: "user", prompt: "c" } as const,
      signed
    ]
    const seeded = ImageTurn.reseed(before, { prompt: "b" })
    assert.deepStrictEqual(ImageTurn.plan(afterFailover, { prompt: "d" }, target), {
      _tag: "Continue",
      turns: [{ role: "user", prompt: seeded.prompt, images: seeded.images }, ...afterFailover.slice(3)]
    })
    // back on the original backend, its own turn is not the latest any more: re-seed
    const chatTarget = { format: "chat", modelId: "google/gemini-3-pro-image-preview" } as const
    assert.strictEqual(ImageTurn.plan(afterFailover, { prompt: "d" }, chatTarget)._tag, "Reseed")
  })
})
