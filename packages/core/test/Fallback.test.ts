import { assert, describe, it } from "@effect/vitest"
import { Duration, Effect, Exit, Fiber, Layer, Metric, Ref, TestClock } from "effect"
import {
  Fallback,
  ImageGenerationError as E,
  ImageProvider,
  ImageProviderTest,
  ModelCatalog,
  ProviderHealth
} from "../src/index.js"
import { setup } from "./fallbackSetup.js"

type Outcome = ImageProviderTest.Outcome

const unavailable = (provider: string) => new E.ProviderUnavailable({ provider, message: "HTTP 503", status: 503 })
const rateLimited = (provider: string, retryAfter?: Duration.DurationInput) =>
  new E.RateLimited({
    provider,
    message: "HTTP 429",
    status: 429,
    ...(retryAfter === undefined ? {} : { retryAfter: Duration.decode(retryAfter) })
  })

/** One error of every attempt tag, from provider `p`. */
const errorOf = (tag: E.AttemptError["_tag"], p: string): E.AttemptError => {
  const common = { provider: p, message: `${tag} from ${p}` }
  switch (tag) {
    case "InvalidRequest":
      return new E.InvalidRequest({ ...common, status: 400 })
    case "UnsupportedRequest":
      return new E.UnsupportedRequest(common)
    case "AuthenticationFailed":
      return new E.AuthenticationFailed({ ...common, status: 401 })
    case "InsufficientCredits":
      return new E.InsufficientCredits({ ...common, status: 402 })
    case "RateLimited":
      return rateLimited(p)
    case "ContentBlocked":
      return new E.ContentBlocked({ ...common, reason: "IMAGE_SAFETY" })
    case "ProviderUnavailable":
      return unavailable(p)
    case "Timeout":
      return new E.Timeout(common)
    case "NoImageReturned":
      return new E.NoImageReturned({ ...common, text: "I cannot draw" })
    case "MalformedResponse":
      return new E.MalformedResponse(common)
    case "BudgetExceeded":
      return new E.BudgetExceeded({ ...common, estimateUsd: 0.5, limitUsd: 0.1 })
  }
}

describe("Fallback", () => {
  it.effect("serves from the first provider when it succeeds, with a one-attempt trail", () =>
    Effect.gen(function*() {
      const { calls, fallback } = yield* setup([{ name: "a" }, { name: "b" }])
      const result = yield* fallback.generate({ prompt: "banana" })
      assert.strictEqual(result.provider, "a")
      assert.strictEqual(fallback.name, "fallback")
      assert.deepStrictEqual(result.attempts, [{
        provider: "a",
        model: "nano-banana-2",
        outcome: "success",
        durationMs: 0,
        image: 0,
        attempt: 1
      }])
      assert.strictEqual(yield* calls(1), 0)
    }))

  it.effect("invalid input fails before any attempt", () =>
    Effect.gen(function*() {
      const { calls, fallback } = yield* setup([{ name: "a" }, { name: "b" }])
      const error = yield* Effect.flip(fallback.generate({ prompt: "  " }))
      assert.strictEqual(error._tag, "InvalidRequest")
      assert.strictEqual(error.provider, "fallback")
      assert.strictEqual((yield* calls(0)) + (yield* calls(1)), 0)
    }))

  it.effect("applies defaultModel only to requests that name no model", () =>
    Effect.gen(function*() {
      const { fallback } = yield* setup([{ name: "a" }], { defaultModel: "nano-banana-pro" })
      assert.strictEqual((yield* fallback.generate({ prompt: "x" })).model, "nano-banana-pro")
      assert.strictEqual((yield* fallback.generate({ prompt: "x", model: "nano-banana" })).model, "nano-banana")
    }))

  describe("classification", () => {
    const table: ReadonlyArray<[E.AttemptError["_tag"], retries: number, failsOver: boolean]> = [
      ["UnsupportedRequest", 0, true],
      ["AuthenticationFailed", 0, true],
      ["InsufficientCredits", 0, true],
      ["RateLimited", 2, true],
      ["ProviderUnavailable", 2, true],
      ["Timeout", 2, true],
      ["NoImageReturned", 1, true],
      ["MalformedResponse", 0, true],
      ["InvalidRequest", 0, false],
      ["ContentBlocked", 0, false],
      ["BudgetExceeded", 0, false]
    ]
    for (const [tag, retries, failsOver] of table) {
      it.effect(`${tag}: ${retries} retr${retries === 1 ? "y" : "ies"}, ${failsOver ? "fails over" : "stops"}`, () =>
        Effect.gen(function*() {
          const { calls, fallback } = yield* setup(
            [{ name: "a", respond: Array.from({ length: 3 }, () => errorOf(tag, "a")) }, { name: "b" }],
            { attempts: 3 }
          )
          const fiber = yield* Effect.fork(Effect.exit(fallback.generate({ prompt: "banana" })))
          yield* TestClock.adjust("1 minute")
          const exit = yield* Fiber.join(fiber)
          assert.strictEqual(yield* calls(0), 1 + retries)
          assert.strictEqual(yield* calls(1), failsOver ? 1 : 0)
          if (failsOver) {
            assert.isTrue(Exit.isSuccess(exit))
            if (Exit.isSuccess(exit)) {
              assert.strictEqual(exit.value.provider, "b")
              assert.deepStrictEqual(exit.value.attempts.map((a) => `${a.provider}:${a.outcome}`), [
                ...Array.from({ length: 1 + retries }, () => `a:${tag}`),
                "b:success"
              ])
            }
          } else {
            assert.deepStrictEqual(Exit.isFailure(exit) && exit.cause._tag === "Fail" && exit.cause.error._tag, tag)
          }
        }))
    }

    it.effect("ContentBlocked fails over when failoverOnContentBlocked is set", () =>
      Effect.gen(function*() {
        const { calls, fallback } = yield* setup(
          [{ name: "a", respond: [errorOf("ContentBlocked", "a")] }, { name: "b" }],
          { failoverOnContentBlocked: true }
        )
        const result = yield* fallback.generate({ prompt: "banana" })
        assert.strictEqual(result.provider, "b")
        assert.strictEqual(yield* calls(0), 1)
        assert.deepStrictEqual(result.attempts.map((a) => a.outcome), ["ContentBlocked", "success"])
      }))
  })

  describe("retry timing", () => {
    it.effect("backs off exponentially (500 ms, 1 s) without jitter", () =>
      Effect.gen(function*() {
        const { calls, fallback } = yield* setup(
          [{ name: "a", respond: [unavailable("a"), unavailable("a")] }],
          { attempts: 3 }
        )
        const fiber = yield* Effect.fork(fallback.generate({ prompt: "banana" }))
        yield* TestClock.adjust("499 millis")
        assert.strictEqual(yield* calls(0), 1)
        yield* TestClock.adjust("1 millis")
        assert.strictEqual(yield* calls(0), 2)
        yield* TestClock.adjust("999 millis")
        assert.strictEqual(yield* calls(0), 2)
        yield* TestClock.adjust("1 millis")
        const result = yield* Fiber.join(fiber)
        assert.strictEqual(yield* calls(0), 3)
        assert.strictEqual(result.provider, "a")
      }))

    it.effect("jitter keeps the wait within ±jitter of the backoff, and the cap holds", () =>
      Effect.gen(function*() {
        const { calls, fallback } = yield* setup(
          [{ name: "a", respond: [unavailable("a")] }],
          { attempts: 2, backoff: { initial: "10 seconds", max: "1 second", jitter: 0.5 } }
        )
        const fiber = yield* Effect.fork(fallback.generate({ prompt: "banana" }))
        yield* TestClock.adjust("499 millis")
        assert.strictEqual(yield* calls(0), 1)
        yield* TestClock.adjust("1001 millis")
        yield* Fiber.join(fiber)
        assert.strictEqual(yield* calls(0), 2)
      }))

    it.effect("waits at least retryAfter before retrying the same provider", () =>
      Effect.gen(function*() {
        const { calls, fallback } = yield* setup(
          [{ name: "a", respond: [rateLimited("a", "5 seconds")] }, { name: "b" }]
        )
        const fiber = yield* Effect.fork(fallback.generate({ prompt: "banana" }))
        yield* TestClock.adjust("4999 millis")
        assert.strictEqual(yield* calls(0), 1)
        yield* TestClock.adjust("1 millis")
        const result = yield* Fiber.join(fiber)
        assert.strictEqual(result.provider, "a")
        assert.strictEqual(yield* calls(0), 2)
        assert.strictEqual(yield* calls(1), 0)
        assert.deepStrictEqual(result.attempts.map((a) => [a.outcome, a.status]), [["RateLimited", 429], [
          "success",
          undefined
        ]])
      }))

    it.effect("fails over at once when retryAfter exceeds maxRetryAfter", () =>
      Effect.gen(function*() {
        const { calls, fallback } = yield* setup(
          [{ name: "a", respond: [rateLimited("a", "2 minutes")] }, { name: "b" }],
          { maxRetryAfter: "30 seconds" }
        )
        const result = yield* fallback.generate({ prompt: "banana" })
        assert.strictEqual(result.provider, "b")
        assert.strictEqual(yield* calls(0), 1)
      }))
  })

  describe("timeouts", () => {
    it.effect("a hanging provider times out after attemptTimeout and the next one serves", () =>
      Effect.gen(function*() {
        const { calls, fallback } = yield* setup(
          [{ name: "a", respond: [Effect.never] }, { name: "b" }],
          { attempts: 1, attemptTimeout: "10 seconds" }
        )
        const fiber = yield* Effect.fork(fallback.generate({ prompt: "banana" }))
        yield* TestClock.adjust("9 seconds")
        assert.strictEqual(yield* calls(1), 0)
        yield* TestClock.adjust("1 second")
        const result = yield* Fiber.join(fiber)
        assert.strictEqual(result.provider, "b")
        assert.deepStrictEqual(result.attempts[0], {
          provider: "a",
          model: "nano-banana-2",
          outcome: "Timeout",
          durationMs: 10_000,
          message: "a did not answer within 10s",
          image: 0,
          attempt: 1
        })
      }))

    it.effect("the default attempt timeout is 120 seconds", () =>
      Effect.gen(function*() {
        const { fallback } = yield* setup([{ name: "a", respond: [Effect.never] }], { attempts: 1 })
        const fiber = yield* Effect.fork(Effect.flip(fallback.generate({ prompt: "banana" })))
        yield* TestClock.adjust("120 seconds")
        const error = yield* Fiber.join(fiber)
        assert.strictEqual(error._tag, "AllProvidersFailed")
        if (error._tag === "AllProvidersFailed") assert.strictEqual(error.attempts[0]!.durationMs, 120_000)
      }))

    it.effect("the overall deadline cuts the running attempt and stops the chain", () =>
      Effect.gen(function*() {
        const { calls, fallback } = yield* setup(
          [{ name: "a", respond: [Effect.never] }, { name: "b", respond: [Effect.never] }, { name: "c" }],
          { attempts: 1, attemptTimeout: "40 seconds", deadline: "1 minute" }
        )
        const fiber = yield* Effect.fork(Effect.flip(fallback.generate({ prompt: "banana" })))
        yield* TestClock.adjust("2 minutes")
        const error = yield* Fiber.join(fiber)
        assert.strictEqual(error._tag, "AllProvidersFailed")
        if (error._tag === "AllProvidersFailed") {
          assert.deepStrictEqual(error.attempts.map((a) => a.durationMs), [40_000, 20_000])
          assert.include(error.message, "the overall deadline of 1m ran out")
        }
        assert.strictEqual(yield* calls(2), 0)
      }))
  })

  it.effect("interruption stops the chain at once and interrupts the in-flight call", () =>
    Effect.gen(function*() {
      const interrupted = yield* Ref.make(false)
      const hanging = Effect.never.pipe(Effect.onInterrupt(() => Ref.set(interrupted, true)))
      const { calls, fallback } = yield* setup(
        [{ name: "a", respond: [unavailable("a"), hanging] }, { name: "b" }],
        { attempts: 3 }
      )
      const fiber = yield* Effect.fork(fallback.generate({ prompt: "banana" }))
      yield* TestClock.adjust("500 millis")
      assert.strictEqual(yield* calls(0), 2)
      const exit = yield* Fiber.interrupt(fiber)
      assert.isTrue(Exit.isInterrupted(exit))
      assert.isTrue(yield* Ref.get(interrupted))
      yield* TestClock.adjust("10 minutes")
      assert.strictEqual(yield* calls(0), 2)
      assert.strictEqual(yield* calls(1), 0)
    }))

  it.effect("AllProvidersFailed carries every error and attempt, and summarises them in one paragraph", () =>
    Effect.gen(function*() {
      const { fallback } = yield* setup(
        [
          { name: "a", respond: [unavailable("a")] },
          { name: "b", respond: [errorOf("AuthenticationFailed", "b")] },
          { name: "c", respond: [rateLimited("c", "1 hour")] }
        ],
        { attempts: 1 }
      )
      const error = yield* Effect.flip(fallback.generate({ prompt: "banana" }))
      assert.strictEqual(error._tag, "AllProvidersFailed")
      if (error._tag !== "AllProvidersFailed") return
      assert.deepStrictEqual(error.errors.map((e) => `${e.provider}:${e._tag}`), [
        "a:ProviderUnavailable",
        "b:AuthenticationFailed",
        "c:RateLimited"
      ])
      assert.deepStrictEqual(error.attempts.map((a) => [a.provider, a.model, a.outcome, a.status]), [
        ["a", "nano-banana-2", "ProviderUnavailable", 503],
        ["b", "nano-banana-2", "AuthenticationFailed", 401],
        ["c", "nano-banana-2", "RateLimited", 429]
      ])
      assert.strictEqual(
        error.message,
        "All providers failed after 3 attempts: 1. a (nano-banana-2): ProviderUnavailable 503 — HTTP 503; " +
          "2. b (nano-banana-2): AuthenticationFailed 401 — AuthenticationFailed from b; " +
          "3. c (nano-banana-2): RateLimited 429 — HTTP 429"
      )
      assert.notInclude(error.message, "\n")
    }))

  it.effect("the trail lists every attempt in order with durations and native models", () =>
    Effect.gen(function*() {
      const { fallback } = yield* setup([
        {
          name: "a",
          delay: "2 seconds",
          respond: [new E.ProviderUnavailable({ provider: "a", message: "down", status: 502, model: "a-native" })]
        },
        { name: "b", respond: [{ model: "b-native" }] }
      ], { attempts: 2 })
      const fiber = yield* Effect.fork(fallback.generate({ prompt: "banana" }))
      yield* TestClock.adjust("2 seconds")
      yield* TestClock.adjust("500 millis")
      yield* TestClock.adjust("2 seconds")
      const result = yield* Fiber.join(fiber)
      assert.deepStrictEqual(result.attempts, [
        {
          provider: "a",
          model: "a-native",
          outcome: "ProviderUnavailable",
          durationMs: 2000,
          status: 502,
          message: "down",
          image: 0,
          attempt: 1
        },
        { provider: "a", model: "nano-banana-2", outcome: "success", durationMs: 2000, image: 0, attempt: 2 }
      ])
    }))

  describe("health", () => {
    it.effect("skips a provider in cooldown, then one probe brings it back", () =>
      Effect.gen(function*() {
        const { calls, fallback } = yield* setup(
          [{ name: "a", respond: [unavailable("a"), unavailable("a"), unavailable("a")] }, { name: "b" }],
          { attempts: 1, health: { failureThreshold: 2, cooldown: "30 seconds" } }
        )
        yield* fallback.generate({ prompt: "1" })
        yield* fallback.generate({ prompt: "2" })
        assert.strictEqual(yield* calls(0), 2)
        // cooling down: a costs nothing
        const skipped = yield* fallback.generate({ prompt: "3" })
        assert.strictEqual(yield* calls(0), 2)
        assert.deepStrictEqual(skipped.attempts.map((a) => a.provider), ["b"])
        assert.deepStrictEqual(skipped.warnings, ["skipped a: cooling down after repeated failures"])
        // cooldown over: one probe, which fails → another cooldown
        yield* TestClock.adjust("30 seconds")
        yield* fallback.generate({ prompt: "4" })
        assert.strictEqual(yield* calls(0), 3)
        yield* fallback.generate({ prompt: "5" })
        assert.strictEqual(yield* calls(0), 3)
        // next probe succeeds → a is back
        yield* TestClock.adjust("30 seconds")
        const probed = yield* fallback.generate({ prompt: "6" })
        assert.strictEqual(probed.provider, "a")
        const back = yield* fallback.generate({ prompt: "7" })
        assert.strictEqual(back.provider, "a")
        assert.strictEqual(yield* calls(0), 5)
      }))

    it.effect("only one caller probes while the others skip", () =>
      Effect.gen(function*() {
        const health = yield* ProviderHealth.makeMemory({ failureThreshold: 1, cooldown: "10 seconds" })
        yield* health.failure("a")
        assert.strictEqual(yield* health.acquire("a"), "cooling-down")
        yield* TestClock.adjust("10 seconds")
        assert.strictEqual(yield* health.acquire("a"), "probe")
        assert.strictEqual(yield* health.acquire("a"), "cooling-down")
        yield* health.release("a")
        assert.strictEqual(yield* health.acquire("a"), "probe")
        yield* health.success("a")
        assert.strictEqual(yield* health.acquire("a"), "available")
      }))

    it.effect("fails fast when every provider is cooling down, and a shared ProviderHealth is used", () =>
      Effect.gen(function*() {
        const health = yield* ProviderHealth.ProviderHealth
        yield* health.failure("a")
        yield* health.failure("b")
        const { calls, fallback } = yield* setup([{ name: "a" }, { name: "b" }])
        const error = yield* Effect.flip(fallback.generate({ prompt: "x" }))
        assert.strictEqual(error._tag, "AllProvidersFailed")
        assert.include(error.message, "no provider was available to try")
        assert.include(error.message, "skipped while cooling down: a, b")
        assert.strictEqual((yield* calls(0)) + (yield* calls(1)), 0)
      }).pipe(Effect.provide(ProviderHealth.layerMemory({ failureThreshold: 1 }))))

    it.effect("refusals and unsupported requests do not count against health", () =>
      Effect.gen(function*() {
        const { calls, fallback } = yield* setup(
          [{
            name: "a",
            respond: [
              errorOf("UnsupportedRequest", "a"),
              errorOf("ContentBlocked", "a"),
              errorOf("UnsupportedRequest", "a")
            ]
          }, { name: "b" }],
          { attempts: 1, health: { failureThreshold: 1 } }
        )
        yield* fallback.generate({ prompt: "1" })
        yield* Effect.flip(fallback.generate({ prompt: "2" }))
        yield* fallback.generate({ prompt: "3" })
        assert.strictEqual(yield* calls(0), 3)
      }))
  })

  describe("n > 1", () => {
    it.effect("runs one chain per image and merges them, all or nothing by default", () =>
      Effect.gen(function*() {
        const { calls, fallback } = yield* setup([{ name: "a", respond: [{}, unavailable("a")] }, { name: "b" }], {
          attempts: 1,
          concurrency: 1
        })
        const result = yield* fallback.generate({ prompt: "banana", n: 3 })
        assert.strictEqual(result.images.length, 3)
        assert.strictEqual(yield* calls(0), 3)
        assert.strictEqual(yield* calls(1), 1)
        assert.deepStrictEqual(result.attempts.map((a) => `${a.provider}:${a.outcome}`), [
          "a:success",
          "a:ProviderUnavailable",
          "b:success",
          "a:success"
        ])
      }))

    it.effect("fails the whole request when one image fails", () =>
      Effect.gen(function*() {
        const { fallback } = yield* setup([{ name: "a", respond: [{}, unavailable("a"), {}] }], {
          attempts: 1,
          concurrency: 1
        })
        const error = yield* Effect.flip(fallback.generate({ prompt: "banana", n: 3 }))
        assert.strictEqual(error._tag, "AllProvidersFailed")
      }))

    it.effect("partial: returns the images that succeeded with a warning per failed one", () =>
      Effect.gen(function*() {
        const { fallback } = yield* setup([{ name: "a", respond: [{}, unavailable("a"), {}] }], {
          attempts: 1,
          concurrency: 1,
          partial: true
        })
        const result = yield* fallback.generate({ prompt: "banana", n: 3 })
        assert.strictEqual(result.images.length, 2)
        assert.strictEqual(result.warnings.length, 1)
        assert.match(
          result.warnings[0]!,
          /^image 2 of 3 failed \(AllProvidersFailed\): All providers failed after 1 attempt/
        )
        assert.deepStrictEqual(result.attempts.map((a) => a.outcome), ["success", "success", "ProviderUnavailable"])
      }))

    it.effect("partial: fails when no image succeeded", () =>
      Effect.gen(function*() {
        const { fallback } = yield* setup([{ name: "a", respond: [unavailable("a"), unavailable("a")] }], {
          attempts: 1,
          partial: true,
          health: false
        })
        const error = yield* Effect.flip(fallback.generate({ prompt: "banana", n: 2 }))
        assert.strictEqual(error._tag, "AllProvidersFailed")
      }))

    it.effect("bounds the concurrency of the chains", () =>
      Effect.gen(function*() {
        const { calls, fallback } = yield* setup([{ name: "a", delay: "1 second" }], { concurrency: 2 })
        const fiber = yield* Effect.fork(fallback.generate({ prompt: "banana", n: 4 }))
        yield* TestClock.adjust("0 millis")
        assert.strictEqual(yield* calls(0), 2)
        yield* TestClock.adjust("1 second")
        assert.strictEqual(yield* calls(0), 4)
        yield* TestClock.adjust("1 second")
        assert.strictEqual((yield* Fiber.join(fiber)).images.length, 4)
      }))
  })

  describe("n across backends, defects, trails per image (open contract)", () => {
    const PNG = ["image/png"]
    /** A backend built on ImageProvider.make: `maxPerCall` for nano-banana-2, calls counted, scripted answers. */
    const backend = (
      name: string,
      maxPerCall: number,
      answer: (count: number, call: number) => Effect.Effect<ImageProvider.Answer, E.AttemptError> = (count) =>
        Effect.succeed({
          images: Array.from(
            { length: count },
            () => ({ data: ImageProviderTest.defaultPng, mimeType: "image/png" })
          ) as any
        })
    ) =>
      Effect.gen(function*() {
        const counts = yield* Ref.make<ReadonlyArray<number>>([])
        const service = ImageProvider.make({
          name,
          models: {
            "nano-banana-2": {
              generate: ModelCatalog.capability("nano-banana-2", { id: `${name}/nb2`, inputTypes: PNG, maxPerCall })
            }
          }
        }, {
          call: ({ count }) =>
            Effect.flatMap(Ref.getAndUpdate(counts, (all) => [...all, count]), (before) => answer(count, before.length))
        })
        return { service, counts: Ref.get(counts) }
      })

    it.effect("passes n through to a backend that serves several per call", () =>
      Effect.gen(function*() {
        const many = yield* backend("many", 4)
        const fallback = yield* Fallback.make([many.service], { health: false })
        const result = yield* fallback.generate({ prompt: "banana", n: 4 })
        assert.deepStrictEqual(yield* many.counts, [4])
        assert.strictEqual(result.images.length, 4)
        assert.deepStrictEqual(result.attempts.map((a) => [a.provider, a.outcome, a.image, a.count, a.attempt]), [
          ["many", "success", 0, 4, 1]
        ])
        const six = yield* fallback.generate({ prompt: "banana", n: 6 })
        assert.deepStrictEqual(yield* many.counts, [4, 4, 2])
        assert.deepStrictEqual(six.attempts.map((a) => [a.image, a.count]), [[0, 4], [4, 2]])
      }))

    it.effect("splits only what the first backend cannot serve; a fallback backend splits its own calls", () =>
      Effect.gen(function*() {
        const down = yield* backend("down", 2, () => Effect.fail(unavailable("down")))
        const many = yield* backend("many", 4)
        const fallback = yield* Fallback.make([down.service, many.service], { health: false, attempts: 1 })
        const result = yield* fallback.generate({ prompt: "banana", n: 3 })
        // the two chains run at once: compare the calls' sizes, not their order
        assert.deepStrictEqual([...(yield* down.counts)].sort(), [1, 2])
        assert.deepStrictEqual([...(yield* many.counts)].sort(), [1, 2])
        assert.strictEqual(result.images.length, 3)
        assert.deepStrictEqual(result.attempts.map((a) => [a.provider, a.outcome, a.image, a.count, a.attempt]), [
          ["down", "ProviderUnavailable", 0, 2, 1],
          ["many", "success", 0, 2, 2],
          ["down", "ProviderUnavailable", 2, undefined, 1],
          ["many", "success", 2, undefined, 2]
        ])
      }))

    it.effect("a provider defect fails that attempt (recorded in the trail) and the next backend serves", () =>
      Effect.gen(function*() {
        const broken = ImageProvider.ImageProvider.of({
          name: "broken",
          generate: () => Effect.die(new RangeError("Maximum call stack size exceeded"))
        })
        const good = yield* backend("good", 1)
        const fallback = yield* Fallback.make([broken, good.service], { health: false })
        const result = yield* fallback.generate({ prompt: "banana" })
        assert.strictEqual(result.provider, "good")
        assert.deepStrictEqual(result.attempts.map((a) => [a.provider, a.outcome, a.message, a.attempt]), [
          [
            "broken",
            "MalformedResponse",
            "broken failed unexpectedly (RangeError: Maximum call stack size exceeded)",
            1
          ],
          ["good", "success", undefined, 2]
        ])
      }))

    it.effect("interruption is not a defect: it still interrupts the chain", () =>
      Effect.gen(function*() {
        const stuck = ImageProvider.ImageProvider.of({ name: "stuck", generate: () => Effect.interrupt })
        const fallback = yield* Fallback.make([stuck], { health: false })
        const exit = yield* Effect.exit(fallback.generate({ prompt: "banana" }))
        assert.isTrue(Exit.isInterrupted(exit))
      }))

    it.effect("BudgetExceeded is neither retried nor failed over, and no backend is called", () =>
      Effect.gen(function*() {
        const first = yield* backend("first", 1)
        const second = yield* backend("second", 1)
        const fallback = yield* Fallback.make([first.service, second.service], { health: false, attempts: 3 })
        const error = yield* Effect.flip(
          fallback.generate({ prompt: "banana", model: "nano-banana-2", imageSize: "4K", maxCostUsd: 0.01 })
        )
        assert.strictEqual(error._tag, "BudgetExceeded")
        assert.deepStrictEqual([yield* first.counts, yield* second.counts], [[], []])
      }))
  })

  describe("layer", () => {
    it.effect("builds each provider layer once, not per call, and provides one ImageProvider", () =>
      Effect.gen(function*() {
        const builds = yield* Ref.make<ReadonlyArray<string>>([])
        const counted = (name: string, respond?: ReadonlyArray<Outcome>) =>
          Layer.effect(
            ImageProvider.ImageProvider,
            Effect.zipRight(
              Ref.update(builds, (all) => [...all, name]),
              Effect.map(ImageProviderTest.make({ name, ...(respond ? { respond } : {}) }), (m) => m.provider)
            )
          )
        const live = Fallback.layer([counted("a", [unavailable("a"), unavailable("a")]), counted("b")], {
          attempts: 1,
          health: false
        })
        const results = yield* Effect.forEach(
          [1, 2, 3],
          (i) => ImageProvider.generate({ prompt: `p${i}` })
        ).pipe(Effect.provide(live))
        assert.deepStrictEqual(results.map((r) => r.provider), ["b", "b", "a"])
        assert.deepStrictEqual(yield* Ref.get(builds), ["a", "b"])
      }))

    it.effect("releases provider resources when the fallback layer's scope closes", () =>
      Effect.gen(function*() {
        const released = yield* Ref.make(0)
        const scoped = Layer.scoped(
          ImageProvider.ImageProvider,
          Effect.acquireRelease(
            Effect.map(ImageProviderTest.make({ name: "a" }), (m) => m.provider),
            () => Ref.update(released, (n) => n + 1)
          )
        )
        yield* ImageProvider.generate({ prompt: "x" }).pipe(Effect.provide(Fallback.layer([scoped])))
        assert.strictEqual(yield* Ref.get(released), 1)
      }))
  })

  it.effect("counts attempts by provider and outcome", () =>
    Effect.gen(function*() {
      const { fallback } = yield* setup([{ name: "metric-a", respond: [unavailable("metric-a")] }, {
        name: "metric-b"
      }], {
        attempts: 1
      })
      yield* fallback.generate({ prompt: "x" })
      const failed = yield* Metric.value(
        Fallback.attemptsTotal.pipe(
          Metric.tagged("provider", "metric-a"),
          Metric.tagged("outcome", "ProviderUnavailable")
        )
      )
      const served = yield* Metric.value(
        Fallback.attemptsTotal.pipe(Metric.tagged("provider", "metric-b"), Metric.tagged("outcome", "success"))
      )
      assert.strictEqual(failed.count, 1)
      assert.strictEqual(served.count, 1)
      const latency = yield* Metric.value(Fallback.attemptLatency.pipe(Metric.tagged("provider", "metric-b")))
      assert.strictEqual(latency.count, 1)
    }))
})
