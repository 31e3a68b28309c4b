import { assert, describe, layer } from "@effect/vitest"
import * as Emulator from "@nanogen/emulator"
import { HttpClientLive, largePng } from "@nanogen/test-utils"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { generate, raw } from "./helpers.js"

// An answer far above the 64 KiB from which core decodes a base64 string as it arrives (`decodeImages`).
const LARGE = largePng(600_000)
const LARGE_B64 = LARGE.toString("base64")
const answer = (item: Record<string, unknown>) => ({ data: [item], meta: { usage: { credits_used: 1 } } })

const checkImage = (data: Uint8Array) => {
  assert.isTrue(Buffer.from(data).equals(LARGE))
  // Decoded by core as the body arrived (a view of its image buffer), not by `Buffer.from(base64)`.
  assert.isFalse(Buffer.isBuffer(data))
}

layer(Layer.merge(Emulator.layer(), HttpClientLive), { timeout: 60_000 })(
  "AI/ML API reads images as they arrive (decodeImages)",
  (it) => {
    describe("a 600 KB inline image", () => {
      for (
        const [name, item] of [
          ["b64_json", { b64_json: LARGE_B64, url: null }],
          ["b64_json as a data URL", { b64_json: `data:image/png;base64,${LARGE_B64}` }],
          ["image_base64", { image_base64: LARGE_B64 }],
          ["url as a data URL", { url: `data:image/png;base64,${LARGE_B64}` }]
        ] as const
      ) {
        it.effect(`${name}: the same bytes, decoded from the wire`, () =>
          Effect.gen(function*() {
            const emu = yield* Emulator.EmulatorService
            emu.reset()
            raw(emu, 200, answer(item))
            const result = yield* generate(emu, { prompt: "x" })
            checkImage(result.images[0]!.data)
            assert.strictEqual(result.images[0]!.mimeType, "image/png")
          }))
      }

      it.effect("cut inside the image → ProviderUnavailable; over maxBodyBytes → MalformedResponse", () =>
        Effect.gen(function*() {
          const emu = yield* Emulator.EmulatorService
          emu.reset()
          const body = JSON.stringify(answer({ b64_json: LARGE_B64 }))
          raw(emu, 200, body.slice(0, body.length / 2))
          const cut = yield* Effect.flip(generate(emu, { prompt: "x" }))
          assert.strictEqual(cut._tag, "ProviderUnavailable")
          raw(emu, 200, body)
          const over = yield* Effect.flip(generate(emu, { prompt: "x" }, { maxBodyBytes: 300_000 }))
          assert.strictEqual(over._tag, "MalformedResponse")
          assert.include(over.message, "300000-byte cap")
        }))

      it.effect("base64 that is not one canonical run falls back to its text, decoded as before", () =>
        Effect.gen(function*() {
          const emu = yield* Emulator.EmulatorService
          emu.reset()
          // MIME-style line breaks (escaped in JSON): `Buffer` skips them, as it always did.
          raw(emu, 200, answer({ b64_json: LARGE_B64.replace(/.{76}/g, "$&\n") }))
          const result = yield* generate(emu, { prompt: "x" })
          assert.isTrue(Buffer.from(result.images[0]!.data).equals(LARGE))
        }))
    })
  }
)
