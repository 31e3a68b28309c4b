import { assert, describe, it } from "@effect/vitest"
import { makeSpanRecorder } from "@nanogen/test-utils"
import { Effect, Exit, Ref, Schema } from "effect"
import type { ImageGenerationError, ImageRequest } from "../src/index.js"
import { ImageBytes, ImageProvider, ImageProviderTest, ImageTurn, ModelCatalog } from "../src/index.js"

const png = ImageProviderTest.defaultPng
const PNG = ["image/png"]

/** A backend that serves two models: Pro one image per call, Nano Banana 2 up to four. */
const models: ModelCatalog.Table = {
  "nano-banana-pro": { generate: ModelCatalog.capability("nano-banana-pro", { id: "acme/pro", inputTypes: PNG }) },
  "nano-banana-2": {
    generate: ModelCatalog.capability("nano-banana-2", { id: "acme/nb2", inputTypes: PNG, maxPerCall: 4 })
  }
}
const nativeAliases: ModelCatalog.NativeAliases = {
  "acme/pro-preview": { alias: "nano-banana-pro", lifecycle: { status: "shutdown", replacement: "acme/pro" } }
}

const Options = Schema.Struct({ quality: Schema.optional(Schema.Literal("draft", "final")) })

interface Seen {
  readonly count: number
  readonly index: number
  readonly model: string
  readonly options: typeof Options.Type
}

const setup = (
  behaviour?: (call: ImageProvider.Call<typeof Options.Type, void>) => Effect.Effect<ImageProvider.Answer, any>
) =>
  Effect.gen(function*() {
    const seen = yield* Ref.make<ReadonlyArray<Seen>>([])
    const service = ImageProvider.make({ name: "acme", models, nativeAliases }, {
      options: Options,
      scrub: (text) => text.replaceAll("sk-secret", "<redacted>"),
      call: (call) =>
        Effect.gen(function*() {
          yield* Ref.update(seen, (all) => [...all, {
            count: call.count,
            index: call.index,
            model: call.resolved.model,
            options: call.options
          }])
          if (behaviour !== undefined) return yield* behaviour(call)
          const images = Array.from({ length: call.count }, () => ({ data: png, mimeType: "image/png" }))
          return {
            images: images as unknown as ImageProvider.Answer["images"],
            usage: { totalTokens: 10 * call.count },
            warnings: ["from the call"]
          }
        })
    })
    return { service, seen: Ref.get(seen) }
  })

describe("ImageProvider.make (the per-call skeleton)", () => {
  it.effect("splits n by maxPerCall, stamps one attempt per call with its image index, merges in order", () =>
    Effect.gen(function*() {
      const { seen, service } = yield* setup()
      assert.strictEqual(service.models, models)
      const result = yield* service.generate({ prompt: "x", n: 6 })
      assert.deepStrictEqual((yield* seen).map(({ count, index, model }) => [index, count, model]), [
        [0, 4, "acme/nb2"],
        [4, 2, "acme/nb2"]
      ])
      assert.strictEqual(result.images.length, 6)
      assert.deepStrictEqual(result.usage, { totalTokens: 60 })
      assert.deepStrictEqual(result.attempts.map((a) => [a.provider, a.model, a.outcome, a.image, a.count]), [
        ["acme", "acme/nb2", "success", 0, 4],
        ["acme", "acme/nb2", "success", 4, 2]
      ])
      // nano-banana-2 is deprecated: the warning names the replacement; the call's own warning comes once
      assert.deepStrictEqual(result.warnings, [
        "nano-banana-2 (Nano Banana 2 (Gemini 3.1 Flash Image)) is deprecated since 2026-10-06; use nano-banana-2.1",
        "from the call"
      ])
      const pro = yield* service.generate({ prompt: "x", model: "nano-banana-pro", n: 3 })
      assert.deepStrictEqual(pro.attempts.map((a) => [a.image, a.count]), [[0, undefined], [1, undefined], [
        2,
        undefined
      ]])
    }))

  it.effect("opens one nanogen.provider.generate span with the provider and the native model", () =>
    Effect.gen(function*() {
      const recorder = makeSpanRecorder()
      const { service } = yield* setup()
      yield* service.generate({ prompt: "x", model: "nano-banana-pro" }).pipe(
        Effect.provide(recorder.layer)
      )
      const spans = recorder.spans().filter((span) => span.name === "nanogen.provider.generate")
      assert.strictEqual(spans.length, 1)
      assert.strictEqual(spans[0]!.attributes.get("nanogen.provider"), "acme")
      assert.strictEqual(spans[0]!.attributes.get("nanogen.model"), "acme/pro")
    }))

  it.effect("decodes its own providerOptions entry, refuses unknown keys in it, ignores other providers' entries", () =>
    Effect.gen(function*() {
      const { seen, service } = yield* setup()
      yield* service.generate({ prompt: "x", providerOptions: { acme: { quality: "final" }, other: { anything: 1 } } })
      assert.deepStrictEqual((yield* seen)[0]!.options, { quality: "final" })
      const typo = yield* Effect.flip(service.generate({ prompt: "x", providerOptions: { acme: { qualty: "final" } } }))
      assert.strictEqual(typo._tag, "InvalidRequest")
      if (typo._tag === "InvalidRequest") assert.strictEqual(typo.field, "providerOptions.acme.qualty")
      const bad = yield* Effect.flip(service.generate({ prompt: "x", providerOptions: { acme: { quality: "best" } } }))
      if (bad._tag === "InvalidRequest") assert.strictEqual(bad.field, "providerOptions.acme.quality")
      assert.strictEqual((yield* seen).length, 1)
    }))

  it.effect("maxCostUsd above the estimate is BudgetExceeded before any call; within it, the call goes", () =>
    Effect.gen(function*() {
      const { seen, service } = yield* setup()
      const error = yield* Effect.flip(
        service.generate({ prompt: "x", model: "nano-banana-pro", imageSize: "4K", n: 2, maxCostUsd: 0.4 })
      )
      assert.strictEqual(error._tag, "BudgetExceeded")
      if (error._tag === "BudgetExceeded") {
        assert.closeTo(error.estimateUsd, 0.48, 1e-9)
        assert.strictEqual(error.limitUsd, 0.4)
        assert.strictEqual(
          error.message,
          "acme: the estimated cost of 2 4K images with acme/pro is $0.4800, above maxCostUsd $0.4"
        )
      }
      assert.strictEqual((yield* seen).length, 0)
      yield* service.generate({ prompt: "x", model: "nano-banana-pro", imageSize: "4K", n: 2, maxCostUsd: 0.5 })
      assert.strictEqual((yield* seen).length, 2)
      const unknown = yield* service.generate({ prompt: "x", model: "acme/other", maxCostUsd: 0.01 })
      assert.include(unknown.warnings, "maxCostUsd was not checked: acme/other has no known price")
    }))

  it.effect("a shut-down id is refused before any call; a model the table lacks is UnsupportedRequest", () =>
    Effect.gen(function*() {
      const { seen, service } = yield* setup()
      const shut = yield* Effect.flip(service.generate({ prompt: "x", model: "acme/pro-preview" }))
      assert.deepStrictEqual([shut._tag, shut.message], [
        "UnsupportedRequest",
        "acme: acme/pro-preview was shut down; use acme/pro"
      ])
      const lite = yield* Effect.flip(service.generate({ prompt: "x", model: "nano-banana-2-lite" }))
      assert.strictEqual(lite._tag, "UnsupportedRequest")
      assert.strictEqual((yield* seen).length, 0)
    }))

  it.effect("an exception while decoding an answer (a 100 000-deep JSON) is MalformedResponse, scrubbed, never a defect", () =>
    Effect.gen(function*() {
      const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`
      const Answer = Schema.Struct({ choices: Schema.Array(Schema.String) })
      const { service } = yield* setup(() =>
        Effect.sync(() => {
          const json = JSON.parse(`{"choices":${deep}}`)
          // formatting the failure of a 100 000-deep value overflows the stack
          Schema.decodeUnknownSync(Answer)(json)
          return { images: [{ data: png, mimeType: "image/png" }] } as const
        })
      )
      const exit = yield* Effect.exit(service.generate({ prompt: "x" }))
      assert.isTrue(Exit.isFailure(exit) && exit.cause._tag === "Fail")
      const error = (exit as any).cause.error as ImageGenerationError.ImageGenerationError
      assert.strictEqual(error._tag, "MalformedResponse")
      assert.match(error.message, /^acme: the answer could not be read \((RangeError|ParseError)/)

      const { service: leaky } = yield* setup(() => Effect.die(new TypeError("bad token sk-secret in answer")))
      const scrubbed = yield* Effect.flip(leaky.generate({ prompt: "x" }))
      assert.strictEqual(
        scrubbed.message,
        "acme: the answer could not be read (TypeError: bad token <redacted> in answer)"
      )
    }))

  it.effect("the bare form validates the request and hands it over unchanged", () =>
    Effect.gen(function*() {
      const service = ImageProvider.make("bare", (request) =>
        Effect.succeed(ImageProviderTest.defaultResult(request, "bare")))
      assert.isUndefined(service.models)
      assert.strictEqual((yield* service.generate({ prompt: "x", n: 2 })).images.length, 2)
      assert.strictEqual((yield* Effect.flip(service.generate({ prompt: "" })))._tag, "InvalidRequest")
    }))
})

describe("ImageProvider.make with a session history", () => {
  const png64 = ImageBytes.toBase64(png)
  const geminiTurn = (modelId: string): ImageTurn.GeminiTurn => ({
    role: "model",
    provider: "acme",
    model: "nano-banana-pro",
    modelId,
    format: "gemini",
    parts: [{ inlineData: { mimeType: "image/png", data: png64 }, thoughtSignature: "sig" }]
  })
  const recordingBackend = (continuation: ImageProvider.Implementation<{}, void>["continuation"]) =>
    Effect.gen(function*() {
      const seen = yield* Ref.make<ReadonlyArray<ImageRequest.ImageRequest>>([])
      const service = ImageProvider.make({ name: "acme", models }, {
        continuation,
        call: ({ request }) =>
          Effect.as(Ref.update(seen, (all) => [...all, request]), {
            images: [{ data: png, mimeType: "image/png" }] as const,
            ...(continuation === undefined ? {} : { turn: { format: "gemini" as const, parts: [{ text: "ok" }] } })
          })
      })
      return { service, seen: Ref.get(seen) }
    })

  it.effect("continues its own turns as they are and returns its turn", () =>
    Effect.gen(function*() {
      const { seen, service } = yield* recordingBackend(() => "gemini")
      const history = [{ role: "user" as const, prompt: "a cat" }, geminiTurn("acme/pro")]
      const result = yield* service.generate({ model: "nano-banana-pro", prompt: "now blue", history })
      const [request] = yield* seen
      assert.deepStrictEqual([request!.prompt, request!.images, request!.history], ["now blue", [], history])
      assert.deepStrictEqual(result.turn, {
        role: "model",
        provider: "acme",
        model: "nano-banana-pro",
        modelId: "acme/pro",
        format: "gemini",
        parts: [{ text: "ok" }]
      })
      assert.isUndefined(result.attempts[0]!.reseeded)
    }))

  it.effect("re-seeds another model's turns, marking the attempt and the turn", () =>
    Effect.gen(function*() {
      const { seen, service } = yield* recordingBackend(() => "gemini")
      const history = [{ role: "user" as const, prompt: "a cat" }, geminiTurn("other/pro")]
      const result = yield* service.generate({ model: "nano-banana-pro", prompt: "now blue", history })
      const [request] = yield* seen
      const seed = ImageTurn.reseed(history, { prompt: "now blue" })
      assert.deepStrictEqual([request!.prompt, request!.images, request!.history], [seed.prompt, seed.images, []])
      assert.deepStrictEqual(request!.images, [{ data: png, mimeType: "image/png" }])
      assert.isTrue(result.attempts[0]!.reseeded)
      assert.isTrue(result.turn?.reseeded)
    }))

  it.effect("a stateless backend gets a re-seed and a stateless turn; without history no turn at all", () =>
    Effect.gen(function*() {
      const { seen, service } = yield* recordingBackend(undefined)
      const plain = yield* service.generate({ model: "nano-banana-pro", prompt: "a cat" })
      assert.isUndefined(plain.turn)
      const first = yield* service.generate({ model: "nano-banana-pro", prompt: "a cat", history: [] })
      assert.deepStrictEqual(first.turn, {
        role: "model",
        provider: "acme",
        model: "nano-banana-pro",
        modelId: "acme/pro",
        format: "stateless",
        image: { data: png, mimeType: "image/png" }
      })
      const second = yield* service.generate({
        model: "nano-banana-pro",
        prompt: "now blue",
        history: [{ role: "user", prompt: "a cat" }, first.turn!]
      })
      assert.strictEqual((yield* seen)[2]!.images.length, 1)
      assert.isTrue(second.turn?.reseeded)
    }))

  it.effect("a history that does not alternate is refused before any call, naming the turn", () =>
    Effect.gen(function*() {
      const { seen, service } = yield* recordingBackend(() => "gemini")
      const error = yield* Effect.flip(
        service.generate({ prompt: "x", history: [{ role: "user", prompt: "a" }, { role: "user", prompt: "b" }] })
      )
      assert.deepStrictEqual([error._tag, error._tag === "InvalidRequest" ? error.field : ""], [
        "InvalidRequest",
        "history[1]"
      ])
      assert.deepStrictEqual(yield* seen, [])
    }))
})
