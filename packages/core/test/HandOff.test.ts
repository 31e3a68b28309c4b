import { assert, describe, it } from "@effect/vitest"
import { Cause, Duration, Effect, Exit, Option, Supervisor, Tracer } from "effect"
import { ImageProvider, ImageProviderTest, ModelCatalog } from "../src/index.js"
import * as Deadline from "../src/internal/deadline.js"
import * as HandOff from "../src/internal/handOff.js"

/** A large value stand-in: tests look for it by identity in what fibers and spans keep. */
const image = () => ({ data: new Uint8Array(16) })

/** Keeps the exit of every fiber that ends under it. */
class Exits extends Supervisor.AbstractSupervisor<ReadonlyArray<Exit.Exit<unknown, unknown>>> {
  readonly exits: Array<Exit.Exit<unknown, unknown>> = []
  get value() {
    return Effect.sync(() => this.exits)
  }
  override onEnd<A, E>(exit: Exit.Exit<A, E>): void {
    this.exits.push(exit)
  }
}

/** Runs `effect` and gives its value and the exits of every fiber it forked. */
const forkedExits = <A, E>(effect: Effect.Effect<A, E>) =>
  Effect.gen(function*() {
    const supervisor = new Exits()
    const value = yield* Effect.supervised(effect, supervisor)
    return { value, exits: yield* supervisor.value }
  })

/** Whether `value` is, or holds within a few levels, one of `targets`. */
const holds = (value: unknown, targets: ReadonlyArray<unknown>, depth = 4): boolean => {
  if (targets.includes(value)) return true
  if (depth === 0 || typeof value !== "object" || value === null) return false
  return Object.values(value).some((inner) => holds(inner, targets, depth - 1))
}

/** Whether one of the exits has one of `targets` as its value, or in it. */
const kept = (exits: ReadonlyArray<Exit.Exit<unknown, unknown>>, targets: ReadonlyArray<unknown>) =>
  exits.some((exit) => Exit.isSuccess(exit) && holds(exit.value, targets))

/** A tracer over Effect's own that keeps every span it creates. */
const recording = () => {
  const spans: Array<Tracer.Span> = []
  const tracer = Effect.map(Effect.tracer, (base) =>
    Tracer.make({
      span: (...args) => {
        const span = base.span(...args)
        spans.push(span)
        return span
      },
      context: base.context
    }))
  return { spans, tracer }
}

const endedWith = (span: Tracer.Span) => span.status._tag === "Ended" ? span.status.exit : undefined

describe("HandOff", () => {
  it.live("Deadline.timeoutFail: the value comes back, no forked fiber keeps it", () =>
    Effect.gen(function*() {
      const value = image()
      const result = yield* forkedExits(
        Effect.succeed(value).pipe(
          Deadline.timeoutFail({ duration: Duration.seconds(10), onTimeout: () => "timed out" as const })
        )
      )
      assert.strictEqual(result.value, value)
      assert.isAbove(result.exits.length, 0)
      assert.isFalse(kept(result.exits, [value]))
    }))

  it.effect("forEach: the values in order, no forked fiber keeping them", () =>
    Effect.gen(function*() {
      const values = [image(), image(), image()]
      const result = yield* forkedExits(
        HandOff.forEach([2, 0, 1], (delay, index) =>
          Effect.as(Effect.yieldNow().pipe(Effect.repeatN(delay)), values[index]!), { concurrency: 3 })
      )
      assert.deepStrictEqual(result.value, values)
      assert.strictEqual(result.value[0], values[0])
      assert.isAtLeast(result.exits.length, 3)
      assert.isFalse(kept(result.exits, values))
    }))

  it.effect("forEach: the first failure is the failure, the other calls interrupted", () =>
    Effect.gen(function*() {
      let finished = 0
      const exit = yield* Effect.exit(HandOff.forEach([0, 1, 2], (index) =>
        index === 1
          ? Effect.fail(`call ${index}`)
          : Effect.never.pipe(Effect.onInterrupt(() => Effect.sync(() => finished++))), { concurrency: "unbounded" }))
      assert.isTrue(Exit.isFailure(exit))
      assert.deepStrictEqual(Exit.isFailure(exit) ? Cause.failureOption(exit.cause) : undefined, Option.some("call 1"))
      assert.strictEqual(finished, 2)
    }))

  it("runSync: a success is the value itself, a failure its cause", () => {
    const value = image()
    const success = HandOff.runSync(Effect.succeed(value))
    assert.isTrue(Exit.isSuccess(success) && success.value === value)
    assert.deepStrictEqual(HandOff.runSync(Effect.fail("bad")), Exit.fail("bad"))
  })

  it("a cell is emptied as it is taken", () => {
    const cell = HandOff.cell<object>()
    const value = image()
    cell.put(value)
    assert.strictEqual(cell.take(), value)
    assert.isUndefined(cell.take())
  })

  it.effect("withSpan: the span ends with Exit.void on success and with the failure on failure", () =>
    Effect.gen(function*() {
      const { spans, tracer } = recording()
      const value = image()
      const got = yield* Effect.succeed(value).pipe(HandOff.withSpan("ok", {}), Effect.withTracer(yield* tracer))
      const failed = yield* Effect.fail("bad").pipe(
        HandOff.withSpan("failing", { attributes: { a: 1 } }),
        Effect.withTracer(yield* tracer),
        Effect.exit
      )
      assert.strictEqual(got, value)
      assert.deepStrictEqual(failed, Exit.fail("bad"))
      assert.deepStrictEqual(spans.map((span) => span.name), ["ok", "failing"])
      assert.deepStrictEqual(endedWith(spans[0]!), Exit.void)
      assert.deepStrictEqual(endedWith(spans[1]!), Exit.fail("bad"))
      assert.strictEqual(spans[1]!.attributes.get("a"), 1)
    }))

  it.effect("ImageProvider.make: its span ends without the result, nor do the fan-out's fibers", () =>
    Effect.gen(function*() {
      const { spans, tracer } = recording()
      const png = ImageProviderTest.defaultPng
      const models: ModelCatalog.Table = {
        "nano-banana-pro": {
          generate: ModelCatalog.capability("nano-banana-pro", { id: "acme/pro", inputTypes: ["image/png"] })
        }
      }
      // One image per call: n = 2 is two calls, forked.
      const provider = ImageProvider.make({ name: "acme", models }, {
        call: () =>
          Effect.succeed({
            images: [{ data: png, mimeType: "image/png" }] as unknown as ImageProvider.Answer["images"]
          })
      })
      const result = yield* forkedExits(
        provider.generate({ prompt: "a nano banana", model: "nano-banana-pro", n: 2 }).pipe(
          Effect.withTracer(yield* tracer)
        )
      )
      assert.strictEqual(result.value.images.length, 2)
      assert.strictEqual(result.value.images[0]!.data, png)
      const generate = spans.find((span) => span.name === "nanogen.provider.generate")
      assert.isDefined(generate)
      assert.deepStrictEqual(endedWith(generate!), Exit.void)
      assert.isAtLeast(result.exits.length, 2)
      assert.isFalse(kept(result.exits, [png, ...result.value.images]))
    }))
})
