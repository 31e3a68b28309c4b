import { assert, describe, layer } from "@effect/vitest"
import type { Fault } from "@nanogen/emulator"
import { largePng } from "@nanogen/test-utils"
import { Effect } from "effect"
import { isDeepStrictEqual } from "node:util"
import { okCompletion, rawJson, rawStream, setup, TestLayer } from "./helpers.js"

// An answer far above the 64 KiB from which core decodes a base64 string as it arrives (`decodeImages`).
const LARGE = largePng(600_000)
const LARGE_B64 = LARGE.toString("base64")
const DATA_URL = `data:image/png;base64,${LARGE_B64}`

const completion = okCompletion()
const message = {
  role: "assistant",
  content: "ok",
  images: [{ type: "image_url", image_url: { url: DATA_URL } }]
}
const large = { ...completion, choices: [{ ...completion.choices[0], message }] }
const body = JSON.stringify(large)

/** The first half of a body, sent whole (its JSON ends inside the image). */
const firstHalf = (text: string, contentType: string): Fault => ({
  kind: "raw",
  status: 200,
  body: text.slice(0, text.length / 2),
  headers: { "content-type": contentType }
})

const checkImage = (data: Uint8Array) => {
  assert.isTrue(Buffer.from(data).equals(LARGE))
  // Decoded by core as the body arrived (a view of its image buffer), not by `Buffer.from(base64)`.
  assert.isFalse(Buffer.isBuffer(data))
}

layer(TestLayer, { timeout: 60_000 })("OpenRouter reads images as they arrive (decodeImages)", (it) => {
  describe("chat completions, a 600 KB data URL", () => {
    it.effect("JSON: the same bytes, decoded from the wire", () =>
      Effect.gen(function*() {
        const { emu, provider } = yield* setup()
        emu.script("openrouter", rawJson(200, large))
        const result = yield* provider.generate({ prompt: "x" })
        checkImage(result.images[0]!.data)
        assert.strictEqual(result.images[0]!.mimeType, "image/png")
      }))

    it.effect("stream: true: the same bytes, decoded from the event", () =>
      Effect.gen(function*() {
        const { emu, provider } = yield* setup({ stream: true })
        emu.script(
          "openrouter",
          rawStream(
            { choices: [{ delta: { role: "assistant", content: "o" } }] },
            { choices: [{ delta: { content: "k", images: message.images } }] },
            { choices: [{ delta: {}, finish_reason: "stop" }], usage: { total_tokens: 3 } },
            "data: [DONE]\n\n"
          )
        )
        const result = yield* provider.generate({ prompt: "x" })
        checkImage(result.images[0]!.data)
        assert.strictEqual(result.text, "ok")
      }))

    it.effect("a session's turn keeps the message as received: the data URL, not decoded bytes", () =>
      Effect.gen(function*() {
        const { emu, provider } = yield* setup()
        emu.script("openrouter", rawJson(200, large))
        const result = yield* provider.generate({ prompt: "x", model: "nano-banana", history: [] })
        const turn = result.turn as { readonly format: string; readonly message: unknown }
        assert.strictEqual(turn.format, "chat")
        // (compared without a diff of megabytes of base64 on failure)
        assert.isTrue(isDeepStrictEqual(turn.message, message))
        checkImage(result.images[0]!.data)
      }))

    it.effect("cut inside the image → ProviderUnavailable; over maxBodyBytes → MalformedResponse", () =>
      Effect.gen(function*() {
        const { emu, provider } = yield* setup()
        emu.script("openrouter", firstHalf(body, "application/json"))
        const cut = yield* Effect.flip(provider.generate({ prompt: "x" }))
        assert.strictEqual(cut._tag, "ProviderUnavailable")
        const capped = yield* setup({ maxBodyBytes: 300_000 })
        capped.emu.script("openrouter", rawJson(200, large))
        const over = yield* Effect.flip(capped.provider.generate({ prompt: "x" }))
        assert.strictEqual(over._tag, "MalformedResponse")
        assert.include(over.message, "300000-byte cap")
      }))

    it.effect("a stream cut inside the image's event → ProviderUnavailable", () =>
      Effect.gen(function*() {
        const { emu, provider } = yield* setup({ stream: true })
        const event = `data: ${JSON.stringify({ choices: [{ delta: { images: message.images } }] })}\n\n`
        emu.script("openrouter", firstHalf(event, "text/event-stream"))
        const cut = yield* Effect.flip(provider.generate({ prompt: "x" }))
        assert.strictEqual(cut._tag, "ProviderUnavailable")
      }))
  })

  describe("the Image API (api: \"images\"), a 600 KB b64_json", () => {
    it.effect("JSON and stream: true: the same bytes, decoded from the wire", () =>
      Effect.gen(function*() {
        const json = yield* setup({ api: "images" })
        json.emu.script("openrouter", rawJson(200, { created: 1, data: [{ b64_json: LARGE_B64 }] }))
        checkImage((yield* json.provider.generate({ prompt: "x" })).images[0]!.data)
        const sse = yield* setup({ api: "images", stream: true })
        sse.emu.script(
          "openrouter",
          rawStream(
            { type: "image_generation.completed", b64_json: LARGE_B64, media_type: "image/png" },
            "data: [DONE]\n\n"
          )
        )
        checkImage((yield* sse.provider.generate({ prompt: "x" })).images[0]!.data)
      }))

    it.effect("a data URL where b64_json belongs is still no image (MalformedResponse), as before", () =>
      Effect.gen(function*() {
        const { emu, provider } = yield* setup({ api: "images" })
        emu.script("openrouter", rawJson(200, { created: 1, data: [{ b64_json: DATA_URL }] }))
        const error = yield* Effect.flip(provider.generate({ prompt: "x" }))
        assert.strictEqual(error._tag, "MalformedResponse")
      }))
  })
})
