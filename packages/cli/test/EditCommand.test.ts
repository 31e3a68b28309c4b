import * as Command from "@effect/cli/Command"
import * as NodeContext from "@effect/platform-node/NodeContext"
import { assert, layer } from "@effect/vitest"
import { ImageBytes, ImageProviderTest } from "@nanogen/core"
import * as Emulator from "@nanogen/emulator"
import { Effect, Layer } from "effect"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { EditCommand } from "../src/index.js"

const run = Command.run(EditCommand.edit, { name: "nanogen-edit", version: "0.2.0" })

/** The command reads its configuration from the environment, as the bin does. */
const withEnv = (emu: Emulator.Emulator) =>
  Object.assign(process.env, {
    NANOGEN_PROVIDERS: "google-direct",
    GEMINI_API_KEY: emu.keys.google,
    GEMINI_API_URL: emu.urls.google
  })

layer(Layer.mergeAll(Emulator.layer(), NodeContext.layer), { timeout: 60_000, excludeTestServices: true })(
  "nanogen edit",
  (it) => {
    it.effect("--session: the first call starts the session, the second continues it with the whole history", () =>
      Effect.gen(function*() {
        const emu = yield* Emulator.EmulatorService
        emu.reset()
        withEnv(emu)
        const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "nanogen-edit-"))
        const photo = Path.join(dir, "photo.png")
        Fs.writeFileSync(photo, ImageProviderTest.defaultPng)
        const session = Path.join(dir, "session.json")
        const step1 = Path.join(dir, "step1.png")
        const step2 = Path.join(dir, "step2.png")
        yield* run(["node", "nanogen-edit", photo, "make the sky purple", "--session", session, "--out", step1])
        const stored = JSON.parse(Fs.readFileSync(session, "utf8"))
        assert.strictEqual(stored.version, 1)
        assert.deepStrictEqual(stored.history.map((turn: any) => turn.role), ["user", "model"])
        assert.deepStrictEqual(stored.history[0].images, [{
          data: ImageBytes.toBase64(ImageProviderTest.defaultPng),
          mimeType: "image/png"
        }])
        // the previous output (its extension follows the real type): the edit continues from it, no re-upload
        const written = Path.join(dir, Fs.readdirSync(dir).find((name) => name.startsWith("step1."))!)
        yield* run(["node", "nanogen-edit", written, "add a moon", "--session", session, "--out", step2])
        const [first, second] = emu.requests("google").map((request) => request.body as any)
        assert.deepStrictEqual(first.contents[0].parts, [
          { text: "make the sky purple" },
          { inlineData: { mimeType: "image/png", data: ImageBytes.toBase64(ImageProviderTest.defaultPng) } }
        ])
        assert.deepStrictEqual(second.contents, [
          first.contents[0],
          { role: "model", parts: stored.history[1].parts },
          { role: "user", parts: [{ text: "add a moon" }] }
        ])
        assert.isTrue(Fs.readdirSync(dir).some((name) => name.startsWith("step2.")))
        assert.strictEqual(JSON.parse(Fs.readFileSync(session, "utf8")).history.length, 4)
      }))
  }
)
