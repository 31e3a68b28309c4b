import { assert, layer } from "@effect/vitest"
import * as Emulator from "@nanogen/emulator"
import { assertNoSecret, CANARY_KEY, HttpClientLive, makeLogRecorder, makeSpanRecorder } from "@nanogen/test-utils"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { apiCalls, generate, PNG_1x1, raw } from "./helpers.js"

const TestLayer = Layer.merge(Emulator.layer({ keys: { aimlapi: CANARY_KEY } }), HttpClientLive)

// Live clock: the deadline case needs real time.
layer(TestLayer, { excludeTestServices: true })("AimlApiImageProvider canary key", (it) => {
  it.effect("the key never shows up in results, errors, spans or logs", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      assert.strictEqual(emu.keys.aimlapi, CANARY_KEY)
      const spans = makeSpanRecorder()
      const logs = makeLogRecorder()
      const run = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
        effect.pipe(Effect.either, Effect.provide(Layer.merge(spans.layer, logs.layer)))

      const successes = [
        yield* run(generate(emu, { prompt: "p", aspectRatio: "16:9" })),
        yield* run(generate(emu, { prompt: "p", model: "nano-banana-pro", images: [{ data: PNG_1x1 }], n: 2 })),
        yield* run(generate(emu, { prompt: "p", model: "nano-banana", n: 2 }))
      ]
      for (const outcome of successes) assert.strictEqual(outcome._tag, "Right")
      assert.isTrue(apiCalls(emu).every((call) => call.credentialOk))

      emu.script(
        "aimlapi",
        { kind: "status", status: 400 },
        { kind: "status", status: 403 },
        { kind: "status", status: 429, retryAfter: 3 },
        { kind: "status", status: 504 },
        { kind: "cdn404" },
        { kind: "html", status: 502 },
        { kind: "truncated" },
        { kind: "refusal", form: "description" }
      )
      const failures = []
      for (let index = 0; index < 8; index++) failures.push(yield* run(generate(emu, { prompt: "p" })))
      // An upstream that echoes the key in its message: scrubbed.
      raw(emu, 401, { message: `Invalid key ${CANARY_KEY}`, statusCode: 401 })
      failures.push(yield* run(generate(emu, { prompt: "p" })))
      // Transport failure, private-address refusal and a deadline.
      raw(emu, 200, { data: [{ url: "http://127.0.0.1:1/cdn/x.png" }] })
      failures.push(yield* run(generate(emu, { prompt: "p" })))
      failures.push(yield* run(generate(emu, { prompt: "p" }, { download: { allowPrivateNetwork: false } })))
      emu.script("aimlapi", { kind: "hang" })
      failures.push(yield* run(generate(emu, { prompt: "p" }, { timeout: "200 millis" })))

      const tags = failures.map((outcome) =>
        outcome._tag === "Left" ? (outcome.left as { _tag: string })._tag : "Right"
      )
      assert.deepStrictEqual(tags, [
        "InvalidRequest",
        "InsufficientCredits",
        "RateLimited",
        "ProviderUnavailable",
        "NoImageReturned",
        "ProviderUnavailable",
        "ProviderUnavailable",
        "NoImageReturned",
        "AuthenticationFailed",
        "ProviderUnavailable",
        "MalformedResponse",
        "Timeout"
      ])
      const scrubbed = failures[8]!
      assert.include(scrubbed._tag === "Left" ? (scrubbed.left as Error).message : "", "Invalid key <redacted>")
      assert.isAbove(spans.spans().length, 0)
      assert.isAbove(logs.lines().length, 0)
      assertNoSecret(CANARY_KEY, successes, failures, spans.spans(), logs.lines())
    }))
})
