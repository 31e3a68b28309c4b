import { assert, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Emulator from "../src/index.js"
import { close, meta, pixel, post, solidPng } from "./helpers.js"

const DOCS = "https://ai.google.dev/gemini-api/docs/thought-signatures#model-behavior"

const invalidArgument = (message: string) => ({ error: { code: 400, message, status: "INVALID_ARGUMENT" } })

const user = (text: string, extra: Array<unknown> = []) => ({ role: "user", parts: [{ text }, ...extra] })

layer(Emulator.layer())("multi-turn thought signatures", (it) => {
  const gemini = (emu: Emulator.Emulator, model: string, contents: Array<unknown>, config: unknown = {}) =>
    post(
      `${emu.urls.google}/models/${model}:generateContent`,
      { contents, generationConfig: config },
      { "x-goog-api-key": emu.keys.google }
    )
  const vertex = (emu: Emulator.Emulator, model: string, contents: Array<unknown>) =>
    post(
      `${emu.urls.vertex}/projects/${emu.vertex.project}/locations/global/publishers/google/models/${model}:generateContent`,
      { contents },
      { authorization: `Bearer ${emu.keys.vertexToken}` }
    )

  it.effect("Gemini API: a three-turn edit echoing each model turn byte for byte is accepted and edits the last image", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      const green = yield* solidPng(64, 64, [10, 200, 30])
      const turn1 = [user("a square", [{ inlineData: { mimeType: "image/png", data: green.toString("base64") } }])]
      const first = yield* gemini(emu, "gemini-3.1-flash-image", turn1, { thinkingConfig: { includeThoughts: true } })
      assert.strictEqual(first.status, 200)
      const model1 = first.json.candidates[0].content
      // thought parts (text and image) carry no signature; the final image does
      assert.deepStrictEqual(model1.parts.map((p: any) => [p.thought === true, typeof p.thoughtSignature]), [
        [true, "undefined"],
        [true, "undefined"],
        [false, "string"]
      ])
      const turn2 = [...turn1, model1, user("make it rounder")]
      const second = yield* gemini(emu, "gemini-3.1-flash-image", turn2)
      assert.strictEqual(second.status, 200)
      const model2 = second.json.candidates[0].content
      const third = yield* gemini(emu, "gemini-3.1-flash-image", [...turn2, model2, user("now blue")])
      assert.strictEqual(third.status, 200)
      // without a new user image the edit starts from the last model image (itself derived from the green square,
      // so its centre is still green)
      const lastImage = Buffer.from(third.json.candidates[0].content.parts.at(-1).inlineData.data, "base64")
      assert.strictEqual((yield* meta(lastImage)).format, "jpeg")
      assert.isTrue(close(yield* pixel(lastImage, 512, 512), [10, 200, 30], 24))
      // just inside this turn's frame lies turn 2's frame (prompts of all user turns joined)
      const turn2Frame = Emulator.Images.frameColour("a square\nmake it rounder", undefined, "")
      assert.isTrue(close(yield* pixel(lastImage, 64 + 20, 512), turn2Frame, 24))
      const sent = emu.requests("google").at(-1)!.body as any
      assert.strictEqual(sent.contents[1].parts.at(-1).thoughtSignature, model1.parts.at(-1).thoughtSignature)
    }))

  it.effect("Gemini API: a dropped, altered, moved, foreign or dummy signature answers 400 with the live texts", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      const turn1 = [user("a cat")]
      const answer = (yield* gemini(emu, "gemini-3.1-flash-image", turn1)).json.candidates[0].content
      const image = answer.parts[0]
      const replay = (part: unknown, model = "gemini-3.1-flash-image") =>
        gemini(emu, model, [...turn1, { role: "model", parts: [part] }, user("again")])
      const missing = yield* replay({ inlineData: image.inlineData })
      assert.deepStrictEqual([missing.status, missing.json], [
        400,
        invalidArgument(
          `Image part is missing a thought_signature in content position 2, part position 1. Please refer to ${DOCS} for more details.`
        )
      ])
      const invalid = invalidArgument(
        `Unable to submit request because it has an invalid thought signature for content at index 1. Please refer to ${DOCS} for more details.`
      )
      const flipped = image.thoughtSignature.startsWith("A")
        ? `B${image.thoughtSignature.slice(1)}`
        : `A${image.thoughtSignature.slice(1)}`
      assert.deepStrictEqual((yield* replay({ ...image, thoughtSignature: flipped })).json, invalid)
      const otherBytes = {
        ...image,
        inlineData: { ...image.inlineData, data: `${image.inlineData.data.slice(0, -8)}AAAAAAA=` }
      }
      assert.deepStrictEqual((yield* replay(otherBytes)).json, invalid)
      assert.deepStrictEqual(
        (yield* replay({ ...image, thoughtSignature: "skip_thought_signature_validator" })).json,
        invalid
      )
      // a signature is model-specific: 2.1 refuses a 3.1 Flash signature
      assert.deepStrictEqual((yield* replay(image, "gemini-nano-banana-2.1")).json, invalid)
      // 2.5 Flash Image does not check signatures at all
      assert.strictEqual((yield* replay({ inlineData: image.inlineData }, "gemini-2.5-flash-image")).status, 200)
      assert.strictEqual((yield* replay(image)).status, 200)
    }))

  it.effect("Vertex enforces the same rules (signatures shared with the Gemini API), except for 3 Pro Image", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      const turn1 = [user("a cat")]
      const fromGemini = (yield* gemini(emu, "gemini-3.1-flash-image", turn1)).json.candidates[0].content
      const ok = yield* vertex(emu, "gemini-3.1-flash-image", [...turn1, fromGemini, user("again")])
      assert.strictEqual(ok.status, 200)
      const dropped = { role: "model", parts: [{ inlineData: fromGemini.parts[0].inlineData }] }
      const refused = yield* vertex(emu, "gemini-3.1-flash-image", [...turn1, dropped, user("again")])
      assert.strictEqual(refused.status, 400)
      assert.match(refused.json.error.message, /^Image part is missing a thought_signature in content position 2/)
      const pro = yield* vertex(emu, "gemini-3-pro-image", [...turn1, dropped, user("again")])
      assert.strictEqual(pro.status, 200)
    }))
})
