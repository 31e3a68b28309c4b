/**
 * The provider contract suite: the rows every backend must satisfy, registered as vitest tests by one call from a
 * provider package's `test/contract.test.ts`. The suite is typed structurally (it does not import core, which
 * depends on this package for its own tests): pass the provider's `definition`, core's `ImageProvider` tag and
 * `ProviderDefinition.layerConfig`, and a loopback server (the emulator, or a `node:http` server) it can script.
 */
import { assert, describe, it } from "@effect/vitest"
import * as ConfigProvider from "effect/ConfigProvider"
import type * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { afterAll } from "vitest"
import { assertNoSecret, CANARY_KEY, HttpClientLive, makeLogRecorder, makeSpanRecorder } from "./index.js"

/** One API call as the server received it. */
export interface ContractCall {
  readonly path: string
  readonly body: unknown
}

/** A scripted answer: status, body text and headers (the content type included). */
export interface ContractAnswer {
  readonly status: number
  readonly body: string
  readonly headers?: Record<string, string> | undefined
}

/** The loopback server a provider's contract runs against, started with `CANARY_KEY` as its accepted key. */
export interface ContractServer {
  /** The provider's `apiUrl` for this server. */
  readonly apiUrl: string
  /** The API calls received since the last `reset` (downloads excluded). */
  readonly calls: () => ReadonlyArray<ContractCall>
  /** Queues answers for the next API calls (one each). */
  readonly answer: (...answers: ReadonlyArray<ContractAnswer>) => void
  readonly reset: () => void
  readonly stop: () => Promise<void>
}

/** What the suite calls on the provider service. */
export interface ContractService {
  readonly name: string
  readonly generate: (request: any) => Effect.Effect<any, any>
}

/** The fields of a provider definition the suite reads. */
export interface ContractDefinition {
  readonly name: string
  readonly credentials: { readonly apiKey: ReadonlyArray<string> }
  readonly apiUrl: { readonly env: string; readonly default: string }
  readonly layer: (options: any) => Layer.Layer<any, never, any>
}

/** A row of the error table: the backend's answer and the error it must become. */
export interface ErrorRow {
  readonly answer: ContractAnswer
  readonly tag: string
  /** Expected `status` field of the error (default: the answer's status). */
  readonly status?: number | undefined
  /** Expected `retryAfter` in seconds. */
  readonly retryAfterSeconds?: number | undefined
}

/** A recorded fixture the provider must decode: served as the answer, checked by `check`. */
export interface FixtureRow {
  readonly name: string
  readonly answer: ContractAnswer
  readonly request?: Record<string, unknown> | undefined
  readonly check: (outcome: { readonly result?: any; readonly error?: any }) => void
}

/** Options of `providerContract`. */
export interface ContractOptions {
  readonly definition: ContractDefinition
  /** Core's `ImageProvider` tag. */
  readonly tag: Context.Tag<any, ContractService>
  /** Core's `ProviderDefinition.layerConfig`. */
  readonly layerConfig: (definition: any, options?: any) => Layer.Layer<any, any, any>
  /** Starts the loopback server accepting `key`. */
  readonly start: (key: string) => Promise<ContractServer>
  /** The request the error, canary and layerConfig rows send (default `{ prompt: "x" }`, the default model). */
  readonly request?: Record<string, unknown> | undefined
  /** Further layer options (e.g. `download: { allowPrivateNetwork: true }` for a loopback CDN). */
  readonly options?: Record<string, unknown> | undefined
  /** The backend's error body carrying `message` at `status`. */
  readonly errorBody: (status: number, message: string) => unknown
  /** Requests refused before the wire, with the field each must name. */
  readonly invalid: ReadonlyArray<{ readonly request: Record<string, unknown>; readonly field: string }>
  /** A request with `n` whose calls the suite counts; `calls` = ⌈n / maxPerCall⌉. */
  readonly batching: { readonly request: Record<string, unknown>; readonly calls: number }
  /** Backend-specific rows added to the common error table. */
  readonly errors?: ReadonlyArray<ErrorRow> | undefined
  readonly fixtures?: ReadonlyArray<FixtureRow> | undefined
}

const json = { "content-type": "application/json" }

/** The parts of `@nanogen/emulator`'s `Emulator` the adapter uses (typed structurally). */
export interface EmulatorLike {
  readonly urls: Record<string, string>
  readonly requests: (server: any) => ReadonlyArray<ContractCall>
  readonly script: (server: any, ...faults: Array<any>) => void
  readonly reset: () => void
  readonly stop: () => Promise<void>
}

/**
 * A `ContractServer` over one of the emulator's servers: its API calls are the requests whose path ends with
 * `apiPath`, and answers are scripted as `raw` faults.
 *
 * @example
 * ```ts
 * import * as Emulator from "@nanogen/emulator"
 * const start = emulatorServer((key) => Emulator.start({ keys: { aimlapi: key } }), "aimlapi", "/images/generations")
 * ```
 */
export const emulatorServer = (
  start: (key: string) => Promise<EmulatorLike>,
  server: string,
  apiPath: string | RegExp,
  urlKey: string = server
) =>
async (key: string): Promise<ContractServer> => {
  const emu = await start(key)
  const isApi = (path: string) => typeof apiPath === "string" ? path.endsWith(apiPath) : apiPath.test(path)
  return {
    apiUrl: emu.urls[urlKey]!,
    calls: () => emu.requests(server).filter((call) => isApi(call.path)),
    answer: (...answers) => emu.script(server, ...answers.map((answer) => ({ kind: "raw", ...answer }))),
    reset: emu.reset,
    stop: emu.stop
  }
}

/**
 * The error table every backend shares: statuses with the backend's own error body, a non-JSON 502 page, and a 429
 * whose `Retry-After` header is honoured.
 */
const commonRows = (errorBody: ContractOptions["errorBody"]): ReadonlyArray<ErrorRow> => {
  const row = (status: number, tag: string): ErrorRow => ({
    answer: { status, body: JSON.stringify(errorBody(status, `failure ${status}`)), headers: json },
    tag
  })
  return [
    row(401, "AuthenticationFailed"),
    row(402, "InsufficientCredits"),
    row(500, "ProviderUnavailable"),
    row(503, "ProviderUnavailable"),
    {
      answer: {
        status: 502,
        body: "<html><body><h1>502 Bad Gateway</h1></body></html>",
        headers: { "content-type": "text/html" }
      },
      tag: "ProviderUnavailable"
    },
    {
      answer: {
        status: 429,
        body: JSON.stringify(errorBody(429, "slow down")),
        headers: { ...json, "retry-after": "7" }
      },
      tag: "RateLimited",
      retryAfterSeconds: 7
    }
  ]
}

/**
 * Registers the contract tests of one provider.
 *
 * @example
 * ```ts
 * import { ImageProvider, ProviderDefinition } from "@nanogen/core"
 * import { providerContract } from "@nanogen/test-utils/contract"
 * import { definition } from "../src/index.js"
 *
 * providerContract({
 *   definition, tag: ImageProvider.ImageProvider, layerConfig: ProviderDefinition.layerConfig,
 *   start: startServer, errorBody: (_status, message) => ({ message }),
 *   invalid: [{ request: { prompt: "" }, field: "prompt" }],
 *   batching: { request: { prompt: "x", n: 3 }, calls: 3 }
 * })
 * ```
 */
export const providerContract = (options: ContractOptions): void => {
  const { definition } = options
  const base = options.request ?? { prompt: "x" }
  describe(`${definition.name} provider contract`, () => {
    let server: ContractServer | undefined
    const useServer = Effect.promise(async () => {
      server ??= await options.start(CANARY_KEY)
      server.reset()
      return server
    })
    /** Runs `f` with the service built by `layer` (the layer's scope lasts as long as `f`). */
    const withService = <A, E>(
      layer: Layer.Layer<any, any, any>,
      f: (service: ContractService) => Effect.Effect<A, E>
    ) =>
      Effect.flatMap(options.tag, f).pipe(Effect.provide(Layer.provide(layer, HttpClientLive))) as Effect.Effect<
        A,
        any
      >
    const withProvider = <A, E>(srv: ContractServer, f: (service: ContractService) => Effect.Effect<A, E>) =>
      withService(
        definition.layer({ ...options.options, apiKey: Redacted.make(CANARY_KEY), apiUrl: srv.apiUrl }),
        f
      )
    const flipped = (srv: ContractServer, request: Record<string, unknown>) =>
      withProvider(srv, (service) => Effect.flip(service.generate(request)))

    it.live("validation happens before the wire: bad input is InvalidRequest naming the field, no call made", () =>
      Effect.gen(function*() {
        const srv = yield* useServer
        for (const { field, request } of options.invalid) {
          const error = yield* flipped(srv, request)
          assert.deepStrictEqual([error._tag, error.field], ["InvalidRequest", field], JSON.stringify(request))
        }
        assert.strictEqual(srv.calls().length, 0)
      }))

    for (const row of [...commonRows(options.errorBody), ...(options.errors ?? [])]) {
      const label = `HTTP ${row.answer.status} ${row.answer.headers?.["content-type"] ?? ""} → ${row.tag}`
      it.live(`error table: ${label}`, () =>
        Effect.gen(function*() {
          const srv = yield* useServer
          srv.answer(row.answer)
          const error = yield* flipped(srv, base)
          assert.strictEqual(error._tag, row.tag, error.message)
          assert.strictEqual(error.provider, definition.name)
          assert.strictEqual(error.status, row.status ?? row.answer.status)
          if (row.retryAfterSeconds !== undefined) {
            assert.strictEqual(Duration.toSeconds(error.retryAfter), row.retryAfterSeconds)
          }
          assert.strictEqual(srv.calls().length, 1)
        }))
    }

    it.live("the canary key never shows in results, errors, logs, spans or their exits", () =>
      Effect.gen(function*() {
        const srv = yield* useServer
        const spans = makeSpanRecorder()
        const logs = makeLogRecorder()
        const echo = `invalid key ${CANARY_KEY} (Bearer ${CANARY_KEY}, ${encodeURIComponent(CANARY_KEY)})`
        srv.answer(
          { status: 401, body: JSON.stringify(options.errorBody(401, echo)), headers: json },
          { status: 500, body: JSON.stringify(options.errorBody(500, echo)), headers: json },
          { status: 502, body: `<html>${echo}</html>`, headers: { "content-type": "text/html" } }
        )
        const outcomes = []
        for (let index = 0; index < 4; index++) {
          outcomes.push(
            yield* withProvider(srv, (service) => Effect.either(service.generate(base))).pipe(
              Effect.provide(Layer.merge(spans.layer, logs.layer))
            )
          )
        }
        assert.deepStrictEqual(outcomes.map((outcome) => outcome._tag), ["Left", "Left", "Left", "Right"])
        assert.isAbove(spans.spans().length, 0)
        assertNoSecret(CANARY_KEY, outcomes, spans.spans(), logs.lines())
      }))

    it.live("layerConfig reads the definition's key and URL variables", () =>
      Effect.gen(function*() {
        const srv = yield* useServer
        const env = new Map([[definition.credentials.apiKey[0]!, CANARY_KEY], [definition.apiUrl.env, srv.apiUrl]])
        const name = yield* withService(
          options.layerConfig(definition, options.options),
          (service) => Effect.as(service.generate(base), service.name)
        ).pipe(Effect.withConfigProvider(ConfigProvider.fromMap(env)))
        assert.strictEqual(name, definition.name)
        assert.strictEqual(srv.calls().length, 1)
        const missing = yield* Effect.flip(
          withService(options.layerConfig(definition, options.options), Effect.succeed)
        ).pipe(
          Effect.withConfigProvider(ConfigProvider.fromMap(new Map()))
        )
        assert.include(String(missing), definition.credentials.apiKey[0]!)
      }))

    it.live("n is split into calls by maxPerCall", () =>
      Effect.gen(function*() {
        const srv = yield* useServer
        const result = yield* withProvider(srv, (service) => service.generate(options.batching.request))
        assert.strictEqual(result.images.length, options.batching.request.n)
        assert.strictEqual(srv.calls().length, options.batching.calls)
      }))

    for (const row of options.fixtures ?? []) {
      it.live(`decodes the recorded fixture ${row.name}`, () =>
        Effect.gen(function*() {
          const srv = yield* useServer
          srv.answer(row.answer)
          const outcome = yield* withProvider(srv, (service) => Effect.either(service.generate(row.request ?? base)))
          row.check(outcome._tag === "Right" ? { result: outcome.right } : { error: outcome.left })
        }))
    }

    afterAll(async () => {
      await server?.stop()
      server = undefined
    })
  })
}
