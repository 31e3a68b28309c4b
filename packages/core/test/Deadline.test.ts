import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, FiberRef, TestClock } from "effect"
import * as Deadline from "../src/internal/deadline.js"

const timeout = (ms: number) =>
  Deadline.timeoutFail({ duration: Duration.millis(ms), onTimeout: () => "timed out" as const })

describe("Deadline.timeoutFail", () => {
  it.live("an effect done in time gives its value, and its fiber refs as a join would", () =>
    Effect.gen(function*() {
      const ref = FiberRef.unsafeMake(0)
      const value = yield* FiberRef.set(ref, 7).pipe(
        Effect.zipRight(Effect.sleep("5 millis")),
        Effect.as("done"),
        timeout(1_000)
      )
      assert.strictEqual(value, "done")
      assert.strictEqual(yield* FiberRef.get(ref), 7)
    }))

  it.live("its own failure is the failure", () =>
    Effect.gen(function*() {
      const exit = yield* Effect.exit(Effect.fail("upstream").pipe(timeout(1_000)))
      assert.deepStrictEqual(exit, Exit.fail("upstream"))
    }))

  it.live("too slow: interrupted, its finalizers run, then the timeout's error", () =>
    Effect.gen(function*() {
      let finalized = false
      const started = Date.now()
      const exit = yield* Effect.exit(
        Effect.never.pipe(
          Effect.ensuring(Effect.sleep("20 millis").pipe(Effect.zipRight(Effect.sync(() => finalized = true)))),
          timeout(30)
        )
      )
      assert.deepStrictEqual(exit, Exit.fail("timed out"))
      assert.isTrue(finalized)
      assert.isAtLeast(Date.now() - started, 30)
    }))

  it.live("interrupting the caller interrupts the effect (its finalizers run first)", () =>
    Effect.gen(function*() {
      let finalized = false
      const fiber = yield* Effect.fork(
        Effect.never.pipe(Effect.ensuring(Effect.sync(() => finalized = true)), timeout(60_000))
      )
      yield* Effect.sleep("10 millis")
      yield* Fiber.interrupt(fiber)
      assert.isTrue(finalized)
    }))

  it.effect("under TestClock, time is the test's: the timeout fires when the clock is moved past it", () =>
    Effect.gen(function*() {
      const fiber = yield* Effect.fork(Effect.exit(Effect.never.pipe(timeout(5_000))))
      yield* TestClock.adjust("4 seconds")
      assert.isNull(fiber.unsafePoll())
      yield* TestClock.adjust("2 seconds")
      assert.deepStrictEqual(yield* Fiber.join(fiber), Exit.fail("timed out"))
    }))
})
