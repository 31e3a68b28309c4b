import { assert, describe, it } from "@effect/vitest"
import { Deferred, Effect, Fiber, Layer, Ref } from "effect"
import type { ImageResult, ImageTurn } from "../src/index.js"
import { ImageBytes, ImageGenerationError, ImageProvider, ImageProviderTest, ImageSession } from "../src/index.js"

const png = ImageProviderTest.defaultPng
const pngBase64 = ImageBytes.toBase64(png)

/**
 * A Gemini-like backend: answers each call with a model turn whose parts carry a signature naming the call, and
 * records every request exactly as it was given (history included).
 */
const fakeGemini = (
  options: { readonly fail?: (index: number) => ImageGenerationError.ImageGenerationError | undefined } = {}
) =>
  Effect.gen(function*() {
    const received = yield* Ref.make<ReadonlyArray<any>>([])
    const provider = ImageProvider.ImageProvider.of({
      name: "fake-gemini",
      generate: (input) =>
        Effect.gen(function*() {
          const index = (yield* Ref.getAndUpdate(received, (all) => [...all, input])).length
          const failure = options.fail?.(index)
          if (failure !== undefined) return yield* Effect.fail(failure)
          const turn: ImageTurn.GeminiTurn = {
            role: "model",
            provider: "fake-gemini",
            model: input.model ?? "nano-banana-2",
            modelId: "gemini-3.1-flash-image",
            format: "gemini",
            parts: [
              { text: "thinking", thought: true },
              { inlineData: { mimeType: "image/png", data: pngBase64 }, thought: true },
              { inlineData: { mimeType: "image/png", data: pngBase64 }, thoughtSignature: `sig-${index}` }
            ]
          }
          const result: ImageResult.ImageResult = {
            images: [{ data: png, mimeType: "image/png", thoughtSignature: `sig-${index}` }],
            provider: "fake-gemini",
            model: input.model ?? "nano-banana-2",
            usage: {},
            attempts: [],
            warnings: []
          }
          return { ...result, turn } as ImageResult.ImageResult
        })
    })
    return { layer: Layer.succeed(ImageProvider.ImageProvider, provider), requests: Ref.get(received) }
  })

describe("ImageSession", () => {
  it.effect("sends the history so far with each turn and grows it by the user turn and the model turn", () =>
    Effect.gen(function*() {
      const fake = yield* fakeGemini()
      const session = yield* ImageSession.make({ model: "nano-banana-pro", aspectRatio: "16:9" }).pipe(
        Effect.provide(fake.layer)
      )
      const reference = { data: png, mimeType: "image/png" }
      yield* session.send({ prompt: "a nano banana on a marble plate", images: [reference] })
      yield* session.send({ prompt: "now make the plate black", imageSize: "2K" })
      yield* session.send({ prompt: "add a second banana" })
      const requests = yield* fake.requests
      const history = yield* session.history
      assert.deepStrictEqual(requests[0], {
        model: "nano-banana-pro",
        aspectRatio: "16:9",
        prompt: "a nano banana on a marble plate",
        images: [reference],
        history: []
      })
      assert.deepStrictEqual(requests[1], {
        model: "nano-banana-pro",
        aspectRatio: "16:9",
        prompt: "now make the plate black",
        imageSize: "2K",
        history: history.slice(0, 2)
      })
      assert.deepStrictEqual(requests[2].history, history.slice(0, 4))
      assert.deepStrictEqual(history.map((turn) => turn.role), ["user", "model", "user", "model", "user", "model"])
      assert.deepStrictEqual(history[0], {
        role: "user",
        prompt: "a nano banana on a marble plate",
        images: [reference]
      })
      assert.deepStrictEqual(history[2], { role: "user", prompt: "now make the plate black" })
      // the model turns are kept exactly as returned: thought parts and signatures included
      const second = history[3] as ImageTurn.GeminiTurn
      assert.deepStrictEqual(second.parts.map((part) => [part.thought ?? false, part.thoughtSignature]), [
        [true, undefined],
        [true, undefined],
        [false, "sig-1"]
      ])
    }))

  it.effect("export → JSON text → resume continues with the same history and defaults", () =>
    Effect.gen(function*() {
      const fake = yield* fakeGemini()
      const first = yield* ImageSession.make({ model: "nano-banana-2", seed: 7 }).pipe(Effect.provide(fake.layer))
      yield* first.send({ prompt: "a cat", images: [{ url: "https://example.com/cat.png" }] })
      yield* first.send({ prompt: "make it blue" })
      const text = JSON.stringify(yield* first.export)
      const state = JSON.parse(text)
      assert.strictEqual(state.version, 1)
      assert.deepStrictEqual(state.defaults, { model: "nano-banana-2", seed: 7 })
      assert.strictEqual(state.history[3].parts[2].thoughtSignature, "sig-1")

      const other = yield* fakeGemini()
      const resumed = yield* ImageSession.resume(JSON.parse(text)).pipe(Effect.provide(other.layer))
      assert.deepStrictEqual(yield* resumed.history, yield* first.history)
      assert.deepStrictEqual(resumed.defaults, first.defaults)
      yield* resumed.send({ prompt: "now green" })
      const [sent] = yield* other.requests
      assert.deepStrictEqual(sent, {
        model: "nano-banana-2",
        seed: 7,
        prompt: "now green",
        history: yield* first.history
      })
      const again = JSON.parse(JSON.stringify(yield* resumed.export))
      assert.strictEqual(again.history.length, 6)
      assert.deepStrictEqual(again.history.slice(0, 4), state.history)
      // overriding a default on resume
      const larger = yield* ImageSession.resume(state, { imageSize: "4K" }).pipe(Effect.provide(other.layer))
      assert.deepStrictEqual(larger.defaults, { model: "nano-banana-2", seed: 7, imageSize: "4K" })
    }))

  it.effect("a failed turn leaves the history unchanged", () =>
    Effect.gen(function*() {
      const fake = yield* fakeGemini({
        fail: (index) =>
          index === 1 ? new ImageGenerationError.ProviderUnavailable({ provider: "fake", message: "down" }) : undefined
      })
      const session = yield* ImageSession.make().pipe(Effect.provide(fake.layer))
      yield* session.send({ prompt: "one" })
      const error = yield* Effect.flip(session.send({ prompt: "two" }))
      assert.strictEqual(error._tag, "ProviderUnavailable")
      assert.strictEqual((yield* session.history).length, 2)
      yield* session.send({ prompt: "two again" })
      const requests = yield* fake.requests
      assert.deepStrictEqual(requests[2].history, requests[1].history)
    }))

  it.effect("one send at a time: a second send waits and sees the first one's turns", () =>
    Effect.gen(function*() {
      const started = yield* Deferred.make<void>()
      const gate = yield* Deferred.make<void>()
      const received = yield* Ref.make<ReadonlyArray<any>>([])
      const provider = ImageProvider.ImageProvider.of({
        name: "gated",
        generate: (input) =>
          Effect.gen(function*() {
            const index = (yield* Ref.getAndUpdate(received, (all) => [...all, input])).length
            if (index === 0) {
              yield* Deferred.succeed(started, undefined)
              yield* Deferred.await(gate)
            }
            return ImageProviderTest.defaultResult({ prompt: input.prompt, model: "nano-banana-2", n: 1, images: [] })
          })
      })
      const session = yield* ImageSession.make().pipe(Effect.provideService(ImageProvider.ImageProvider, provider))
      const one = yield* Effect.fork(session.send({ prompt: "one" }))
      yield* Deferred.await(started)
      const two = yield* Effect.fork(session.send({ prompt: "two" }))
      yield* Effect.yieldNow({ priority: 1 })
      yield* Effect.yieldNow({ priority: 1 })
      assert.strictEqual((yield* Ref.get(received)).length, 1)
      // reading the history does not wait for the send in flight
      assert.deepStrictEqual(yield* session.history, [])
      yield* Deferred.succeed(gate, undefined)
      yield* Fiber.join(one)
      yield* Fiber.join(two)
      const requests = yield* Ref.get(received)
      assert.deepStrictEqual(requests[1].history.map((turn: ImageTurn.Turn) => turn.role), ["user", "model"])
      assert.strictEqual((yield* session.history).length, 4)
    }))

  it.effect("a result without a turn of its own (the mock layer) is kept as a stateless turn", () =>
    Effect.gen(function*() {
      const session = yield* ImageSession.make({ model: "nano-banana" })
      const result = yield* session.send({ prompt: "one" })
      assert.deepStrictEqual(yield* session.history, [
        { role: "user", prompt: "one" },
        {
          role: "model",
          provider: "test",
          model: "nano-banana",
          modelId: "nano-banana",
          format: "stateless",
          image: { data: result.images[0].data, mimeType: "image/png" }
        }
      ])
      const exported = yield* session.export
      assert.deepStrictEqual(exported.history[1], {
        role: "model",
        provider: "test",
        model: "nano-banana",
        modelId: "nano-banana",
        format: "stateless",
        image: { data: pngBase64, mimeType: "image/png" }
      })
    }).pipe(Effect.provide(ImageProviderTest.layer())))

  it.effect("bad defaults and bad states fail with InvalidRequest naming the field", () =>
    Effect.gen(function*() {
      const badDefaults = yield* Effect.flip(ImageSession.make({ aspectRatio: "7:5" as "1:1" }))
      assert.strictEqual(badDefaults._tag, "InvalidRequest")
      assert.strictEqual(badDefaults.field, "aspectRatio")
      const state = {
        version: 1,
        defaults: {},
        history: [
          { role: "user", prompt: "a" },
          { role: "model", provider: "x", model: "m", modelId: "m", format: "gemini", parts: [{ thoughtSignature: 1 }] }
        ]
      }
      const badState = yield* Effect.flip(ImageSession.resume(state))
      assert.strictEqual(badState._tag, "InvalidRequest")
      assert.strictEqual(badState.field, "history[1].parts[0].thoughtSignature")
      const notAState = yield* Effect.flip(ImageSession.resume("nope"))
      assert.strictEqual(notAState._tag, "InvalidRequest")
      const badStoredDefault = yield* Effect.flip(ImageSession.resume({ ...state, history: [], defaults: { n: 3 } }))
      assert.strictEqual(badStoredDefault.field, "n")
    }).pipe(Effect.provide(ImageProviderTest.layer())))

  it.effect("a turn that does not validate is a MalformedResponse of its backend, and the history is unchanged", () =>
    Effect.gen(function*() {
      const provider = ImageProvider.ImageProvider.of({
        name: "broken",
        generate: (input) =>
          Effect.succeed({
            ...ImageProviderTest.defaultResult(
              { prompt: input.prompt, model: "nano-banana-2", n: 1, images: [] },
              "broken"
            ),
            turn: {
              role: "model",
              provider: "broken",
              model: "m",
              modelId: "m",
              format: "gemini",
              parts: [{ text: 1 }]
            }
          } as unknown as ImageResult.ImageResult)
      })
      const session = yield* ImageSession.make().pipe(Effect.provideService(ImageProvider.ImageProvider, provider))
      const error = yield* Effect.flip(session.send({ prompt: "one" }))
      assert.strictEqual(error._tag, "MalformedResponse")
      assert.strictEqual(error.provider, "broken")
      assert.deepStrictEqual(yield* session.history, [])
    }))
})
