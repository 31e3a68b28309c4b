import { assert, layer } from "@effect/vitest"
import { DataUrl, ImageBytes, ImageProvider, ImageSession, ImageTurn } from "@nanogen/core"
import * as Emulator from "@nanogen/emulator"
import { HttpClientLive } from "@nanogen/test-utils"
import { Effect, Layer } from "effect"
import { execFile } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { deploymentEnv, emulatedChain } from "./utils.js"

const DOCS = "https://ai.google.dev/gemini-api/docs/thought-signatures#model-behavior"

const reset = Effect.map(Emulator.EmulatorService, (emu) => {
  emu.reset()
  return emu
})

const bodies = (emu: Emulator.Emulator, server: Emulator.ServerName) =>
  emu.requests(server).map((request) => request.body as any)

/** Runs `resume-session.ts` in a new node process (TypeScript through tsx, workspace sources). */
const resumeInNewProcess = (file: string, prompt: string, env: Record<string, string>) =>
  Effect.async<{ readonly code: number; readonly stdout: string; readonly stderr: string }>((resume) => {
    execFile(
      process.execPath,
      [
        "--conditions=@nanogen/source",
        "--import",
        "tsx",
        Path.join(import.meta.dirname, "resume-session.ts"),
        file,
        prompt
      ],
      { cwd: Path.join(import.meta.dirname, ".."), env: { PATH: process.env.PATH ?? "", ...env }, timeout: 60_000 },
      (error, stdout, stderr) =>
        resume(Effect.succeed({ code: error === null ? 0 : Number(error.code ?? -1), stdout, stderr }))
    )
  })

layer(Layer.mergeAll(Emulator.layer(), HttpClientLive), { timeout: 90_000, excludeTestServices: true })(
  "Sessions over the emulator",
  (it) => {
    it.effect("google-direct, three turns: model turns go back with their parts and signatures byte for byte", () =>
      Effect.gen(function*() {
        const emu = yield* reset
        const session = yield* ImageSession.make({
          model: "nano-banana-2",
          providerOptions: { "google-direct": { generationConfig: { thinkingConfig: { includeThoughts: true } } } }
        }).pipe(Effect.provide(emulatedChain(emu, "google-direct")))
        const first = yield* session.send({ prompt: "a nano banana on a marble plate" })
        const second = yield* session.send({ prompt: "now make the plate black" })
        yield* session.send({ prompt: "add a second banana" })
        const history = yield* session.history
        const [one, two, three] = bodies(emu, "google")
        assert.deepStrictEqual(one.contents, [{ role: "user", parts: [{ text: "a nano banana on a marble plate" }] }])
        const model1 = history[1] as ImageTurn.GeminiTurn
        const model2 = history[3] as ImageTurn.GeminiTurn
        assert.deepStrictEqual(two.contents, [
          one.contents[0],
          { role: "model", parts: model1.parts },
          { role: "user", parts: [{ text: "now make the plate black" }] }
        ])
        assert.deepStrictEqual(three.contents, [
          ...two.contents,
          { role: "model", parts: model2.parts },
          { role: "user", parts: [{ text: "add a second banana" }] }
        ])
        // thought parts (a thought image included) stay in the history, never in the results
        assert.deepStrictEqual(model1.parts.map((part) => [part.thought === true, part.inlineData !== undefined]), [
          [true, false],
          [true, true],
          [false, true]
        ])
        assert.strictEqual(first.images.length, 1)
        // the signature sent back is the one received, on the same part
        const signed = two.contents[1].parts[2]
        assert.strictEqual(signed.thoughtSignature, first.images[0].thoughtSignature)
        assert.strictEqual(three.contents[3].parts[2].thoughtSignature, second.images[0].thoughtSignature)
        assert.strictEqual(signed.inlineData.data, ImageBytes.toBase64(first.images[0].data))
        assert.deepStrictEqual(
          [model1.provider, model1.modelId, model1.format, model1.reseeded],
          ["google-direct", "gemini-3.1-flash-image", "gemini", undefined]
        )
      }))

    it.effect("a dropped signature fails with the live error text: InvalidRequest on history, no retry, no failover", () =>
      Effect.gen(function*() {
        const emu = yield* reset
        const session = yield* ImageSession.make({ model: "nano-banana-2" }).pipe(
          Effect.provide(emulatedChain(emu, "google-direct"))
        )
        yield* session.send({ prompt: "a cat" })
        const [user, model] = (yield* session.history) as [ImageTurn.UserTurn, ImageTurn.GeminiTurn]
        const dropped: ImageTurn.GeminiTurn = {
          ...model,
          parts: model.parts.map(({ thoughtSignature: _, ...part }) => part)
        }
        const error = yield* Effect.flip(
          ImageProvider.generate({ model: "nano-banana-2", prompt: "again", history: [user, dropped] }).pipe(
            Effect.provide(emulatedChain(emu, "google-direct,openrouter"))
          )
        )
        assert.strictEqual(error._tag, "InvalidRequest")
        assert.deepStrictEqual(error._tag === "InvalidRequest" ? [error.status, error.field] : [], [400, "history"])
        assert.include(
          error.message,
          `Image part is missing a thought_signature in content position 2, part position 1. Please refer to ${DOCS} for more details.`
        )
        // one call for the first turn, one refused: not retried, and OpenRouter never asked
        assert.strictEqual(emu.requests("google").length, 2)
        assert.strictEqual(emu.requests("openrouter").length, 0)
      }))

    it.effect("openrouter, Nano Banana: earlier turns go back as user and assistant messages, exactly as received", () =>
      Effect.gen(function*() {
        const emu = yield* reset
        const session = yield* ImageSession.make({ model: "nano-banana" }).pipe(
          Effect.provide(emulatedChain(emu, "openrouter"))
        )
        yield* session.send({ prompt: "a nano banana on a marble plate" })
        yield* session.send({ prompt: "now make the plate black" })
        const third = yield* session.send({ prompt: "add a second banana" })
        const history = yield* session.history
        const [one, two, three] = bodies(emu, "openrouter")
        const user = (text: string) => ({ role: "user", content: [{ type: "text", text }] })
        assert.deepStrictEqual(one.messages, [user("a nano banana on a marble plate")])
        assert.deepStrictEqual(two.messages, [
          user("a nano banana on a marble plate"),
          (history[1] as ImageTurn.ChatTurn).message,
          user("now make the plate black")
        ])
        assert.deepStrictEqual(three.messages, [
          ...two.messages,
          (history[3] as ImageTurn.ChatTurn).message,
          user("add a second banana")
        ])
        assert.strictEqual((history[1] as ImageTurn.ChatTurn).message.images?.length, 1)
        assert.isUndefined(third.attempts[0]!.reseeded)
      }))

    it.effect("openrouter, Gemini 3: each later turn is an edit of the latest image (a re-seed), marked reseeded", () =>
      Effect.gen(function*() {
        const emu = yield* reset
        const session = yield* ImageSession.make({ model: "nano-banana-2" }).pipe(
          Effect.provide(emulatedChain(emu, "openrouter"))
        )
        yield* session.send({ prompt: "a nano banana on a marble plate" })
        const before = yield* session.history
        const second = yield* session.send({ prompt: "now make the plate black" })
        const [, two] = bodies(emu, "openrouter")
        const seed = ImageTurn.reseed(before, { prompt: "now make the plate black" })
        const url = (before[1] as ImageTurn.ChatTurn).message.images![0]!.image_url.url
        assert.deepStrictEqual(two.messages, [{
          role: "user",
          content: [{ type: "text", text: seed.prompt }, { type: "image_url", image_url: { url } }]
        }])
        assert.strictEqual(
          seed.prompt,
          "The first image is the result of these earlier instructions: \"a nano banana on a marble plate\".\n" +
            "Apply this next instruction to it: now make the plate black"
        )
        assert.isTrue(second.attempts[0]!.reseeded)
        assert.isTrue(second.turn?.reseeded)
      }))

    it.effect("aimlapi (stateless): a later turn sends the latest image as a reference with the re-seeded prompt", () =>
      Effect.gen(function*() {
        const emu = yield* reset
        // base64 answers: nothing to download from the emulator's CDN
        emu.script("aimlapi", { kind: "ok", aimlForm: "data-b64" }, { kind: "ok", aimlForm: "data-b64" })
        const session = yield* ImageSession.make({ model: "nano-banana-2" }).pipe(
          Effect.provide(emulatedChain(emu, "aimlapi"))
        )
        const first = yield* session.send({ prompt: "a nano banana on a marble plate" })
        const second = yield* session.send({ prompt: "now make the plate black" })
        const [, two] = bodies(emu, "aimlapi")
        const history = yield* session.history
        assert.strictEqual(
          two.prompt,
          ImageTurn.reseed(history.slice(0, 2), { prompt: "now make the plate black" }).prompt
        )
        assert.deepStrictEqual(two.image_urls, [
          `data:${first.images[0].mimeType};base64,${ImageBytes.toBase64(first.images[0].data)}`
        ])
        assert.isTrue(second.attempts[0]!.reseeded)
        assert.deepStrictEqual([
          history[1]!.role === "model" && history[1]!.format,
          history[3]!.role === "model" && history[3]!.reseeded
        ], [
          "stateless",
          true
        ])
      }))

    it.effect("backend down at turn 2: the next backend gets a re-seed (reseeded in the trail); turn 3 resumes from the exported JSON in a new process", () =>
      Effect.gen(function*() {
        const emu = yield* reset
        const session = yield* ImageSession.make({ model: "nano-banana-2" }).pipe(
          Effect.provide(emulatedChain(emu, "google-direct,openrouter"))
        )
        const first = yield* session.send({ prompt: "a nano banana on a marble plate" })
        assert.strictEqual(first.provider, "google-direct")
        emu.script("google", { kind: "status", status: 503 })
        const second = yield* session.send({ prompt: "now make the plate black" })
        assert.strictEqual(second.provider, "openrouter")
        assert.deepStrictEqual(second.attempts.map((a) => [a.provider, a.outcome, a.reseeded]), [
          ["google-direct", "ProviderUnavailable", undefined],
          ["openrouter", "success", true]
        ])
        const history = yield* session.history
        // nothing rewritten: google's turn is kept as google returned it, openrouter's turn marked reseeded
        assert.deepStrictEqual(
          history.map((turn) => turn.role === "model" ? [turn.provider, turn.reseeded] : turn.prompt),
          [
            "a nano banana on a marble plate",
            ["google-direct", undefined],
            "now make the plate black",
            ["openrouter", true]
          ]
        )
        const googleImage = ImageBytes.toBase64(first.images[0].data)
        const reseed = bodies(emu, "openrouter")[0]
        assert.strictEqual(
          reseed.messages[0].content[1].image_url.url,
          `data:${first.images[0].mimeType};base64,${googleImage}`
        )

        const dir = Fs.mkdtempSync(Path.join(Os.tmpdir(), "nanogen-session-"))
        const file = Path.join(dir, "session.json")
        Fs.writeFileSync(file, JSON.stringify(yield* session.export))
        const child = yield* resumeInNewProcess(
          file,
          "add a second banana",
          deploymentEnv(emu, "google-direct,openrouter")
        )
        assert.strictEqual(child.code, 0, child.stderr)
        const out = JSON.parse(child.stdout)
        assert.strictEqual(out.provider, "google-direct")
        assert.strictEqual(out.turns, 6)
        // google is back, but the latest turn is openrouter's: google gets a re-seed from openrouter's image
        assert.deepStrictEqual(out.attempts.map((a: any) => [a.provider, a.outcome, a.reseeded]), [
          ["google-direct", "success", true]
        ])
        const resumed = bodies(emu, "google").at(-1)
        const openrouterUrl = (history[3] as ImageTurn.ChatTurn).message.images![0]!.image_url.url
        assert.deepStrictEqual(resumed.contents, [{
          role: "user",
          parts: [
            { text: ImageTurn.reseed(history, { prompt: "add a second banana" }).prompt },
            {
              inlineData: {
                mimeType: DataUrl.parse(openrouterUrl)!.mimeType,
                data: openrouterUrl.slice(openrouterUrl.indexOf(",") + 1)
              }
            }
          ]
        }])
        // the stored file holds the whole session, the first turns unchanged
        const stored = JSON.parse(Fs.readFileSync(file, "utf8"))
        assert.strictEqual(stored.history.length, 6)
        assert.deepStrictEqual(stored.history.slice(0, 4), (yield* session.export).history)
      }))
  }
)
