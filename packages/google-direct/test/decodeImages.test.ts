import { assert, describe, layer } from "@effect/vitest"
import { EmulatorService, layer as emulatorLayer } from "@nanogen/emulator"
import { HttpClientLive, largePng } from "@nanogen/test-utils"
import { Effect, Layer, Redacted } from "effect"
import { randomBytes } from "node:crypto"
import { isDeepStrictEqual } from "node:util"
import { GoogleImageProvider } from "../src/index.js"

// An answer far above the 64 KiB from which core decodes a base64 string as it arrives (`decodeImages`).
const LARGE = largePng(600_000)
const LARGE_B64 = LARGE.toString("base64")
const SIGNATURE = randomBytes(120_000).toString("base64")

const answer = {
  candidates: [{
    content: {
      role: "model",
      parts: [
        { text: "here it is" },
        { inlineData: { mimeType: "image/png", data: LARGE_B64 }, thoughtSignature: SIGNATURE }
      ]
    },
    finishReason: "STOP"
  }],
  usageMetadata: { promptTokenCount: 3, candidatesTokenCount: 1290, totalTokenCount: 1293 }
}
const body = JSON.stringify(answer)
const json = { "content-type": "application/json; charset=utf-8" }

const provider = (options: Partial<GoogleImageProvider.Options> = {}) =>
  Effect.gen(function*() {
    const emu = yield* EmulatorService
    return yield* GoogleImageProvider.make({
      apiKey: Redacted.make(emu.keys.google),
      apiUrl: emu.urls.google,
      ...options
    })
  })

layer(Layer.merge(emulatorLayer(), HttpClientLive), { timeout: 60_000, excludeTestServices: true })(
  "GoogleImageProvider reads images as they arrive (decodeImages)",
  (it) => {
    describe("a 600 KB image", () => {
      for (const stream of [false, true]) {
        it.effect(`${stream ? "stream: true" : "generateContent"}: the same bytes, decoded from the wire`, () =>
          Effect.gen(function*() {
            const emu = yield* EmulatorService
            emu.reset()
            emu.script(
              "google",
              stream
                ? {
                  kind: "raw",
                  status: 200,
                  body:
                    `data: ${JSON.stringify({ candidates: [{ content: { parts: [{ text: "here" }] } }] })}\r\n\r\n` +
                    `data: ${body}\r\n\r\n`,
                  headers: { "content-type": "text/event-stream" }
                }
                : { kind: "raw", status: 200, body, headers: json }
            )
            const google = yield* provider({ stream })
            const result = yield* google.generate({ prompt: "x", model: "nano-banana-pro" })
            const image = result.images[0]!
            assert.isTrue(Buffer.from(image.data).equals(LARGE))
            assert.strictEqual(image.mimeType, "image/png")
            assert.strictEqual(image.thoughtSignature, SIGNATURE)
            // Decoded by core as the body arrived (a view of its image buffer), not by `Buffer.from(base64)`.
            assert.isFalse(Buffer.isBuffer(image.data))
          }))
      }

      it.effect("a session's turn keeps the parts as received: base64 text, not decoded bytes", () =>
        Effect.gen(function*() {
          const emu = yield* EmulatorService
          emu.reset()
          emu.script("google", { kind: "raw", status: 200, body, headers: json })
          const google = yield* provider()
          const result = yield* google.generate({ prompt: "x", model: "nano-banana-pro", history: [] })
          const turn = result.turn as { readonly format: string; readonly parts: ReadonlyArray<unknown> }
          assert.strictEqual(turn.format, "gemini")
          // (compared without a diff of megabytes of base64 on failure)
          assert.isTrue(isDeepStrictEqual(turn.parts, answer.candidates[0].content.parts))
          assert.isTrue(Buffer.from(result.images[0]!.data).equals(LARGE))
        }))

      it.effect("cut inside the image → ProviderUnavailable; over maxBodyBytes → MalformedResponse", () =>
        Effect.gen(function*() {
          const emu = yield* EmulatorService
          emu.reset()
          emu.script("google", { kind: "raw", status: 200, body: body.slice(0, body.length / 2), headers: json })
          const google = yield* provider()
          const cut = yield* Effect.flip(google.generate({ prompt: "x", model: "nano-banana-pro" }))
          assert.strictEqual(cut._tag, "ProviderUnavailable")
          emu.script("google", { kind: "raw", status: 200, body, headers: json })
          const capped = yield* provider({ maxBodyBytes: 300_000 })
          const over = yield* Effect.flip(capped.generate({ prompt: "x", model: "nano-banana-pro" }))
          assert.strictEqual(over._tag, "MalformedResponse")
          assert.include(over.message, "300000-byte cap")
        }))

      it.effect("a base64 string that is not canonical falls back to its text, decoded as before", () =>
        Effect.gen(function*() {
          const emu = yield* EmulatorService
          emu.reset()
          // A line break every 76 characters (MIME style): not one base64 run, `Buffer` skips the breaks.
          const wrapped = LARGE_B64.replace(/.{76}/g, "$&\n")
          emu.script("google", {
            kind: "raw",
            status: 200,
            body: JSON.stringify({
              candidates: [{ content: { parts: [{ inlineData: { mimeType: "image/png", data: wrapped } }] } }]
            }),
            headers: json
          })
          const google = yield* provider()
          const result = yield* google.generate({ prompt: "x", model: "nano-banana-pro" })
          assert.isTrue(Buffer.from(result.images[0]!.data).equals(LARGE))
          assert.isTrue(Buffer.isBuffer(result.images[0]!.data))
        }))
    })
  }
)
