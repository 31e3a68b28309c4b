import { assert, layer } from "@effect/vitest"
import { ImageProvider } from "@nanogen/core"
import * as Emulator from "@nanogen/emulator"
import {
  assertNoSecret,
  CANARY_KEY,
  HttpClientLive,
  makeLogRecorder,
  makeSpanRecorder,
  type RecordedSpan
} from "@nanogen/test-utils"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { OpenRouterImageProvider } from "../src/index.js"
import { rawFixture } from "./helpers.js"

const CanaryLayer = Layer.mergeAll(Emulator.layer({ keys: { openrouter: CANARY_KEY } }), HttpClientLive)

/** The emulator, reset for the test. */
const freshEmulator = Effect.map(Emulator.EmulatorService, (emu) => {
  emu.reset()
  return emu
})

/** Runs `program` under a span and a log recorder: what it returned, with the spans and log lines recorded. */
const recorded = <A, E, R>(program: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const spans = makeSpanRecorder()
    const logs = makeLogRecorder()
    const value = yield* program.pipe(Effect.provide(Layer.merge(spans.layer, logs.layer)))
    return { value, spans: spans.spans(), logs: logs.lines() }
  })

/** The canary key is in none of `values`, none of the recorded span attributes and none of the log lines. */
const assertKeyNowhere = (
  run: { readonly spans: ReadonlyArray<RecordedSpan>; readonly logs: ReadonlyArray<string> },
  ...values: ReadonlyArray<unknown>
) => assertNoSecret(CANARY_KEY, ...values, run.spans.map((span) => Object.fromEntries(span.attributes)), run.logs)

/** A generation through `layerConfig(options)`, configured from an environment pointing at the emulator. */
const generateConfigured = (
  emu: Emulator.Emulator,
  options: Parameters<typeof OpenRouterImageProvider.layerConfig>[0]
) =>
  ImageProvider.generate({ prompt: "x", model: "nano-banana" }).pipe(
    Effect.provide(
      OpenRouterImageProvider.layerConfig(options).pipe(
        Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(
          new Map([["OPENROUTER_API_KEY", CANARY_KEY], ["OPENROUTER_API_URL", emu.urls.openrouter]])
        )))
      )
    )
  )

layer(CanaryLayer)("OpenRouter canary key", (it) => {
  it.effect("the key appears in no error, result, span attribute or log line", () =>
    Effect.gen(function*() {
      const emu = yield* freshEmulator
      const json = yield* OpenRouterImageProvider.make({
        apiKey: Redacted.make(CANARY_KEY),
        apiUrl: emu.urls.openrouter
      })
      const streaming = yield* OpenRouterImageProvider.make({
        apiKey: Redacted.make(CANARY_KEY),
        apiUrl: emu.urls.openrouter,
        stream: true
      })
      emu.script(
        "openrouter",
        { kind: "ok" },
        { kind: "ok" },
        // an upstream that echoes the key back in its message: it must be scrubbed
        { kind: "status", status: 401, message: `Invalid key ${CANARY_KEY}` },
        rawFixture("error-429-provider-rate-limited.json", 429),
        { kind: "refusal", form: "moderation" },
        { kind: "http200Error", form: "top-level", code: 500, message: `boom ${CANARY_KEY}` },
        { kind: "refusal", form: "content_filter" },
        { kind: "reset" },
        { kind: "html", status: 502 },
        { kind: "textOnly" }
      )
      const program = Effect.gen(function*() {
        const results = [
          yield* json.generate({ prompt: "a nano banana" }),
          yield* streaming.generate({ prompt: "a nano banana", model: "nano-banana" })
        ]
        const errors: Array<unknown> = []
        for (let index = 0; index < 8; index++) {
          errors.push(yield* Effect.flip(json.generate({ prompt: "x" })))
        }
        return { results, errors }
      })
      const run = yield* recorded(program)
      const { errors, results } = run.value

      assert.deepStrictEqual(
        errors.map((error: any) => error._tag),
        [
          "AuthenticationFailed",
          "RateLimited",
          "ContentBlocked",
          "ProviderUnavailable",
          "ContentBlocked",
          "ProviderUnavailable",
          "ProviderUnavailable",
          "NoImageReturned"
        ]
      )
      assert.include((errors[0] as Error).message, "Invalid key <redacted>")
      assert.include((errors[3] as Error).message, "boom <redacted>")
      assert.isTrue(emu.requests("openrouter").every((request) => request.credentialOk))
      const generateSpans = run.spans.filter((span) => span.name === "nanogen.provider.generate")
      assert.strictEqual(generateSpans.length, 10)
      assert.strictEqual(generateSpans[0]!.attributes.get("nanogen.provider"), "openrouter")
      assert.strictEqual(generateSpans[0]!.attributes.get("nanogen.model"), "google/gemini-3.1-flash-image")
      assert.isTrue(run.spans.length > generateSpans.length, "the HTTP client spans are recorded too")
      assert.isTrue(run.logs.some((line) => line.includes("openrouter: POST /chat/completions")))
      assertKeyNowhere(run, errors, results)
    }))
})

layer(CanaryLayer)("OpenRouter Image API canary key", (it) => {
  it.effect("api: \"images\" with discovery: the key is in no error, result, span attribute or log line", () =>
    Effect.gen(function*() {
      const emu = yield* freshEmulator
      const images = yield* OpenRouterImageProvider.make({
        apiKey: Redacted.make(CANARY_KEY),
        apiUrl: emu.urls.openrouter,
        api: "images",
        images: { discovery: true }
      })
      emu.script(
        "openrouter",
        { kind: "ok" }, // the endpoints listing
        { kind: "ok" },
        { kind: "status", status: 401, message: `Invalid key ${CANARY_KEY}` },
        { kind: "http200Error", code: 500, message: `boom ${CANARY_KEY}` },
        { kind: "refusal" }
      )
      const program = Effect.gen(function*() {
        const result = yield* images.generate({ prompt: "a nano banana", model: "nano-banana" })
        const errors: Array<unknown> = []
        for (let index = 0; index < 3; index++) {
          errors.push(yield* Effect.flip(images.generate({ prompt: "x", model: "nano-banana" })))
        }
        return { result, errors }
      })
      const run = yield* recorded(program)
      const { errors, result } = run.value
      assert.deepStrictEqual(errors.map((error: any) => error._tag), [
        "AuthenticationFailed",
        "ProviderUnavailable",
        "ProviderUnavailable"
      ])
      assert.include((errors[0] as Error).message, "Invalid key <redacted>")
      assert.include((errors[1] as Error).message, "boom <redacted>")
      const [listing] = emu.requests("openrouter")
      assert.strictEqual(listing!.method, "GET")
      assert.isUndefined(listing!.headers["authorization"])
      assert.isTrue(run.spans.some((span) => span.name === "nanogen.openrouter.discover"))
      assert.isTrue(run.logs.some((line) => line.includes("openrouter: POST /images")))
      assertKeyNowhere(run, errors, result)
    }))
})

layer(CanaryLayer)("OpenRouter layerConfig", (it) => {
  it.effect("layerConfig({ api: \"images\" }) generates through POST /images", () =>
    Effect.gen(function*() {
      const emu = yield* freshEmulator
      const result = yield* generateConfigured(emu, { api: "images" })
      assert.strictEqual(result.provider, "openrouter")
      assert.deepStrictEqual(emu.requests("openrouter").map((request) => request.path), ["/api/v1/images"])
    }))

  it.effect("reads OPENROUTER_API_KEY and OPENROUTER_API_URL", () =>
    Effect.gen(function*() {
      const emu = yield* freshEmulator
      const result = yield* generateConfigured(emu, { appName: "cfg" })
      assert.strictEqual(result.provider, "openrouter")
      const [request] = emu.requests("openrouter")
      assert.isTrue(request!.credentialOk)
      assert.strictEqual(request!.headers["x-openrouter-title"], "cfg")
    }))

  it.effect("layer(options) provides the ImageProvider service", () =>
    Effect.gen(function*() {
      const emu = yield* freshEmulator
      const service = yield* ImageProvider.ImageProvider.pipe(
        Effect.provide(
          OpenRouterImageProvider.layer({ apiKey: Redacted.make(CANARY_KEY), apiUrl: emu.urls.openrouter })
        )
      )
      assert.strictEqual(service.name, "openrouter")
    }))

  it.effect("a missing OPENROUTER_API_KEY is a ConfigError naming it", () =>
    Effect.gen(function*() {
      const error = yield* Layer.build(
        OpenRouterImageProvider.layerConfig().pipe(
          Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map())))
        )
      ).pipe(Effect.scoped, Effect.flip)
      assert.include(String(error), "OPENROUTER_API_KEY")
    }))
})
