import { assert, layer } from "@effect/vitest"
import { ImageProvider } from "@nanogen/core"
import * as Emulator from "@nanogen/emulator"
import { assertNoSecret, CANARY_KEY, HttpClientLive, makeLogRecorder, makeSpanRecorder } from "@nanogen/test-utils"
import { Effect, Layer } from "effect"
import { emulatedChain } from "./utils.js"

const TestLayer = Layer.mergeAll(
  Emulator.layer({ keys: { openrouter: CANARY_KEY, aimlapi: CANARY_KEY, google: CANARY_KEY } }),
  HttpClientLive
)

/** A generation through `Nanogen.layerConfigWith` configured from an environment map. */
const generate = (
  providers: string,
  options: { readonly env?: Record<string, string>; readonly attempts?: number } = {}
) =>
  Effect.gen(function*() {
    const emu = yield* Emulator.EmulatorService
    return yield* ImageProvider.generate({ prompt: "a nano banana", aspectRatio: "1:1" }).pipe(
      Effect.provide(emulatedChain(emu, providers, options))
    )
  })

const reset = Effect.map(Emulator.EmulatorService, (emu) => {
  emu.reset()
  return emu
})

layer(TestLayer, { timeout: 30_000, excludeTestServices: true })(
  "Nanogen over the emulator, the three real providers",
  (it) => {
    it.effect("primary 503 → the secondary serves", () =>
      Effect.gen(function*() {
        const emu = yield* reset
        emu.script("openrouter", { kind: "status", status: 503, message: "upstream overloaded" })
        const result = yield* generate("openrouter,google-direct,aimlapi")
        assert.strictEqual(result.provider, "google-direct")
        assert.deepStrictEqual(result.attempts.map((a) => [a.provider, a.outcome, a.status]), [
          ["openrouter", "ProviderUnavailable", 503],
          ["google-direct", "success", undefined]
        ])
        assert.strictEqual(result.images[0].mimeType, "image/jpeg") // Nano Banana 2 answers JPEG, as live
        assert.strictEqual(emu.requests("openrouter").length, 1)
        assert.strictEqual(emu.requests("google").length, 1)
        assert.strictEqual(emu.requests("aimlapi").length, 0)
      }))

    it.effect("primary 429 with Retry-After: 1 → retried after a second and served by the primary", () =>
      Effect.gen(function*() {
        const emu = yield* reset
        emu.script("google", { kind: "status", status: 429, retryAfter: 1, message: "slow down" })
        const started = Date.now()
        const result = yield* generate("google-direct,openrouter", { attempts: 2 })
        const elapsed = Date.now() - started
        assert.strictEqual(result.provider, "google-direct")
        assert.deepStrictEqual(result.attempts.map((a) => [a.provider, a.outcome]), [
          ["google-direct", "RateLimited"],
          ["google-direct", "success"]
        ])
        assert.isAtLeast(elapsed, 1000)
        assert.strictEqual(emu.requests("google").length, 2)
        assert.strictEqual(emu.requests("openrouter").length, 0)
      }))

    it.effect("all three down → AllProvidersFailed with three attempts", () =>
      Effect.gen(function*() {
        const emu = yield* reset
        emu.script("aimlapi", { kind: "status", status: 500 })
        emu.script("openrouter", { kind: "status", status: 502 })
        emu.script("google", { kind: "status", status: 503 })
        const error = yield* Effect.flip(generate("aimlapi,openrouter,google-direct"))
        assert.strictEqual(error._tag, "AllProvidersFailed")
        if (error._tag !== "AllProvidersFailed") return
        assert.deepStrictEqual(error.attempts.map((a) => [a.provider, a.outcome, a.status]), [
          ["aimlapi", "ProviderUnavailable", 500],
          ["openrouter", "ProviderUnavailable", 502],
          ["google-direct", "ProviderUnavailable", 503]
        ])
        assert.strictEqual(error.errors.length, 3)
        assert.match(
          error.message,
          /^All providers failed after 3 attempts: 1\. aimlapi \(.+\): ProviderUnavailable 500/
        )
      }))

    it.effect("a hanging primary times out (NANOGEN_TIMEOUT) and the secondary serves", () =>
      Effect.gen(function*() {
        const emu = yield* reset
        emu.script("openrouter", { kind: "hang" })
        const started = Date.now()
        const result = yield* generate("openrouter,aimlapi", { env: { NANOGEN_TIMEOUT: "1" } })
        const elapsed = Date.now() - started
        assert.strictEqual(result.provider, "aimlapi")
        assert.deepStrictEqual(result.attempts.map((a) => [a.provider, a.outcome]), [
          ["openrouter", "Timeout"],
          ["aimlapi", "success"]
        ])
        assert.isAtLeast(result.attempts[0]!.durationMs, 900)
        assert.isBelow(elapsed, 10_000)
      }))

    it.effect("NANOGEN_MODEL applies to requests that name no model", () =>
      Effect.gen(function*() {
        const emu = yield* reset
        const result = yield* generate("google-direct", { env: { NANOGEN_MODEL: "nano-banana" } })
        assert.strictEqual(result.model, "gemini-2.5-flash-image")
        assert.include(emu.requests("google")[0]!.path, "gemini-2.5-flash-image")
      }))

    it.effect("no credential in spans, logs, errors or results of a failover run", () =>
      Effect.gen(function*() {
        const emu = yield* reset
        const spans = makeSpanRecorder()
        const logs = makeLogRecorder()
        emu.script("openrouter", { kind: "status", status: 401, message: "bad key" })
        emu.script("google", { kind: "status", status: 503 })
        emu.script("aimlapi", { kind: "status", status: 429, retryAfter: 3600 })
        const [failed, served] = yield* Effect.all([
          Effect.flip(generate("openrouter,google-direct,aimlapi")),
          Effect.sync(() => emu.script("openrouter", { kind: "status", status: 503 })),
          generate("openrouter,google-direct")
        ]).pipe(
          Effect.map(([failed, , served]) => [failed, served] as const),
          Effect.provide(Layer.merge(spans.layer, logs.layer))
        )
        assert.strictEqual(failed._tag, "AllProvidersFailed")
        assert.strictEqual(served.provider, "google-direct")
        const recorded = spans.spans()
        const attempts = recorded.filter((span) => span.name === "nanogen.attempt")
        assert.strictEqual(recorded.filter((span) => span.name === "nanogen.generate").length, 2)
        assert.deepStrictEqual(
          attempts.map((span) => [
            span.attributes.get("nanogen.provider"),
            span.attributes.get("nanogen.attempt"),
            span.attributes.get("nanogen.outcome"),
            span.attributes.get("http.status")
          ]),
          [
            ["openrouter", 1, "AuthenticationFailed", 401],
            ["google-direct", 2, "ProviderUnavailable", 503],
            ["aimlapi", 3, "RateLimited", 429],
            ["openrouter", 1, "ProviderUnavailable", 503],
            ["google-direct", 2, "success", undefined]
          ]
        )
        assert.isTrue(attempts.every((span) => span.parent === "nanogen.generate"))
        assert.isTrue(logs.lines().some((line) => line.includes("nanogen: attempt 1 openrouter")))
        // Every span in full: names, attributes and exits, the HTTP client spans included (core's ProviderClient
        // replaces the platform span, whose exit held the request headers in clear text).
        const exported = recorded.map((span) => ({
          name: span.name,
          attributes: [...span.attributes],
          status: span.status
        }))
        assertNoSecret(CANARY_KEY, failed, served, exported, logs.lines())
        assert.isTrue(emu.requests().every((request) => request.credentialOk))
      }))
  }
)
