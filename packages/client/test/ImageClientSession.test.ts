import { ImageProvider, ImageProviderTest } from "@nanogen/core"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import { afterEach, assert, describe, it } from "vitest"
import { ImageClientSession } from "../src/index.js"

/** A backend that accepts any request (history included) and records each one as given. */
const recording = () => {
  const requests: Array<any> = []
  const provider = ImageProvider.ImageProvider.of({
    name: "recording",
    generate: (input) =>
      Effect.sync(() => {
        requests.push(input)
        return ImageProviderTest.defaultResult({
          prompt: input.prompt,
          model: input.model ?? "nano-banana-2",
          n: 1,
          images: []
        }, "recording")
      })
  })
  return { requests, layer: Layer.succeed(ImageProvider.ImageProvider, provider) }
}

/** The facade's way of running an effect: reject with the tagged error itself. */
const runOn =
  (runtime: ManagedRuntime.ManagedRuntime<ImageProvider.ImageProvider, never>): ImageClientSession.Run =>
  async (effect, options) => {
    const exit = await runtime.runPromiseExit(
      effect,
      options?.signal === undefined ? undefined : { signal: options.signal }
    )
    if (Exit.isSuccess(exit)) return exit.value
    const failure = Cause.failureOption(exit.cause)
    throw Option.isSome(failure) ? failure.value : Cause.squash(exit.cause)
  }

const runtimes: Array<ManagedRuntime.ManagedRuntime<any, any>> = []
afterEach(async () => {
  await Promise.all(runtimes.splice(0).map((runtime) => runtime.dispose()))
})

const client = () => {
  const backend = recording()
  const runtime = ManagedRuntime.make(backend.layer)
  runtimes.push(runtime)
  return { ...backend, run: runOn(runtime) }
}

describe("ImageClientSession (client.session())", () => {
  it("send grows the history; export → JSON → resume continues it, here or on another client", async () => {
    const first = client()
    const session = ImageClientSession.make(first.run, { defaults: { model: "nano-banana-pro" } })
    await session.send({ prompt: "a nano banana on a marble plate" })
    const result = await session.send({ prompt: "now make the plate black" })
    assert.strictEqual(result.provider, "recording")
    assert.deepStrictEqual((await session.history()).map((turn) => turn.role), ["user", "model", "user", "model"])
    assert.deepStrictEqual(first.requests[1].history, (await session.history()).slice(0, 2))
    const stored = JSON.stringify(await session.export())

    const second = client()
    const resumed = ImageClientSession.make(second.run, { resume: JSON.parse(stored) })
    await resumed.send({ prompt: "add a second banana" })
    assert.deepStrictEqual(second.requests[0], {
      model: "nano-banana-pro",
      prompt: "add a second banana",
      history: await session.history()
    })
    assert.strictEqual((await resumed.history()).length, 6)
  })

  it("concurrent sends run one after the other", async () => {
    const { requests, run } = client()
    const session = ImageClientSession.make(run)
    await Promise.all([session.send({ prompt: "one" }), session.send({ prompt: "two" })])
    assert.deepStrictEqual(requests.map((request) => request.history?.length ?? 0), [0, 2])
  })

  it("a bad state rejects with InvalidRequest naming the field, before any call", async () => {
    const { requests, run } = client()
    const session = ImageClientSession.make(run, { resume: { version: 1, defaults: {}, history: [{ role: "model" }] } })
    const error = await session.send({ prompt: "x" }).catch((e) => e)
    assert.strictEqual(error._tag, "InvalidRequest")
    assert.strictEqual(error.field, "history[0].format")
    assert.strictEqual(requests.length, 0)
  })
})
