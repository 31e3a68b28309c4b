/**
 * The assembly over a registry: a third-party backend, defined here (a tiny provider over a loopback node:http
 * server), joins through `layerConfigWith({ providers })`, is chosen by `NANOGEN_PROVIDERS` (name or alias), is
 * described, and fails over to a built-in backend served by the emulator.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { assert, describe, it } from "@effect/vitest"
import { createImageClient, Nanogen, Settings } from "@nanogen/client"
import { ImageGenerationError, ImageProvider, ImageProviderTest, ProviderDefinition } from "@nanogen/core"
import * as Emulator from "@nanogen/emulator"
import { assertNoSecret, CANARY_KEY, HttpClientLive } from "@nanogen/test-utils"
import type { ConfigError } from "effect"
import { Config, ConfigProvider, Duration, Effect, Either, Layer, Redacted } from "effect"
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import { afterAll, afterEach, beforeAll } from "vitest"
import { describedOpenRouter, emulatorEnv } from "./utils.js"

interface Received {
  readonly method: string | undefined
  readonly url: string | undefined
  readonly authorization: string | undefined
  readonly body: string
}

let emulator: Emulator.Emulator
let server: Http.Server
let serverUrl: string
const received: Array<Received> = []
const statuses: Array<number> = []
const layerOptions: Array<ProviderDefinition.Options> = []

beforeAll(async () => {
  emulator = await Emulator.start()
  server = Http.createServer((req, res) => {
    const chunks: Array<Buffer> = []
    req.on("data", (chunk: Buffer) => chunks.push(chunk))
    req.on("end", () => {
      received.push({
        method: req.method,
        url: req.url,
        authorization: req.headers.authorization,
        body: Buffer.concat(chunks).toString("utf8")
      })
      const status = statuses.shift() ?? 200
      if (status !== 200) {
        res.writeHead(status, { "content-type": "text/plain" }).end("down")
        return
      }
      res.writeHead(200, { "content-type": "image/png" }).end(ImageProviderTest.defaultPng)
    })
  })
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
  serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}/v1`
})
afterAll(async () => {
  await emulator.stop()
  await new Promise((resolve) => server.close(resolve))
})
afterEach(() => {
  emulator.reset()
  received.length = 0
  statuses.length = 0
  layerOptions.length = 0
})

/** A third-party backend: `POST {apiUrl}/images` with a bearer key, answered with the PNG bytes. */
const loopback = ProviderDefinition.make({
  name: "loopback",
  aliases: ["lb"],
  description: "A loopback test backend",
  credentials: { apiKey: ["LOOPBACK_API_KEY", "LB_KEY"] },
  apiUrl: { env: "LOOPBACK_API_URL", default: "http://127.0.0.1:9/v1" },
  variables: [{ name: "LOOPBACK_FLAVOUR", description: "unused, listed in help" }],
  models: {},
  layer: (options: ProviderDefinition.Options) => {
    layerOptions.push(options)
    return Layer.effect(
      ImageProvider.ImageProvider,
      Effect.map(
        HttpClient.HttpClient,
        (client) =>
          ImageProvider.make("loopback", (request) =>
            HttpClientRequest.post(`${options.apiUrl}/images`).pipe(
              HttpClientRequest.bearerToken(Redacted.value(options.apiKey as Redacted.Redacted<string>)),
              HttpClientRequest.bodyUnsafeJson({ prompt: request.prompt }),
              client.execute,
              Effect.flatMap(HttpClientResponse.filterStatusOk),
              Effect.flatMap((response) => response.arrayBuffer),
              Effect.map((bytes) => ({
                ...ImageProviderTest.defaultResult(request, "loopback"),
                images: [{ data: new Uint8Array(bytes), mimeType: "image/png", width: 8, height: 8 }] as const
              })),
              Effect.mapError(() =>
                new ImageGenerationError.ProviderUnavailable({ provider: "loopback", message: "loopback is down" })
              )
            ))
      )
    )
  }
})

const registry = [...Nanogen.builtins, loopback]

const withEnv = (env: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

const generateWith = (env: Record<string, string>, providers: ReadonlyArray<Nanogen.ProviderEntry> = registry) =>
  ImageProvider.generate({ prompt: "a nano banana" }).pipe(
    Effect.provide(
      Nanogen.layerConfigWith({ providers, fallback: { attempts: 1, health: false } }).pipe(
        Layer.provide(HttpClientLive),
        Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env)))))
      )
    )
  )

const messageOf = (error: ConfigError.ConfigError): string =>
  error._op === "And" || error._op === "Or" ? `${messageOf(error.left)} ${messageOf(error.right)}` : error.message

describe("a third-party backend in the registry", () => {
  it.effect("is chosen by NANOGEN_PROVIDERS (by alias), gets its key and URL from its definition, fails over", () =>
    Effect.gen(function*() {
      const env = {
        ...emulatorEnv(emulator),
        NANOGEN_PROVIDERS: "lb,google-direct",
        LB_KEY: CANARY_KEY,
        LOOPBACK_API_URL: serverUrl,
        NANOGEN_TIMEOUT: "30"
      }
      const served = yield* generateWith(env)
      assert.strictEqual(served.provider, "loopback")
      assert.deepStrictEqual(served.images[0]!.data, ImageProviderTest.defaultPng)
      assert.deepStrictEqual(received, [{
        method: "POST",
        url: "/v1/images",
        authorization: `Bearer ${CANARY_KEY}`,
        body: JSON.stringify({ prompt: "a nano banana" })
      }])
      assert.strictEqual(layerOptions[0]!.apiUrl, serverUrl)
      assert.isTrue(Duration.equals(Duration.decode(layerOptions[0]!.timeout!), Duration.seconds(30)))
      assert.isUndefined(layerOptions[0]!.download)
      assert.strictEqual(emulator.requests().length, 0)

      statuses.push(503)
      const failedOver = yield* generateWith(env)
      assert.strictEqual(failedOver.provider, "google-direct")
      assert.deepStrictEqual(failedOver.attempts.map((attempt) => [attempt.provider, attempt.outcome]), [
        ["loopback", "ProviderUnavailable"],
        ["google-direct", "success"]
      ])
      assert.strictEqual(emulator.requests("google").length, 1)
      assert.strictEqual(emulator.requests("openrouter").length, 0)
      assert.strictEqual(emulator.requests("aimlapi").length, 0)
      assertNoSecret(CANARY_KEY, served, failedOver)
    }))

  it.effect("joins the default order (registry order) when its key is set, and is described", () =>
    Effect.gen(function*() {
      const env = { OPENROUTER_API_KEY: "o", LOOPBACK_API_KEY: CANARY_KEY, NANOGEN_MODEL: "nano-banana" }
      const description = yield* Nanogen.describeConfigWith({ providers: registry }).pipe(withEnv(env))
      assert.deepStrictEqual(description.providers, [
        describedOpenRouter(1),
        {
          position: 2,
          name: "loopback",
          description: "A loopback test backend",
          apiUrl: "http://127.0.0.1:9/v1",
          apiKey: "<redacted>",
          keyVariables: "LOOPBACK_API_KEY (or LB_KEY)",
          urlVariable: "LOOPBACK_API_URL"
        }
      ])
      assert.strictEqual(description.model, "nano-banana")
      assertNoSecret(CANARY_KEY, description)

      const viaSettings = yield* Settings.describe("loopback", { registry, env })
      assert.deepStrictEqual(viaSettings.providers.map((provider) => provider.name), ["loopback"])
      assert.deepStrictEqual(Nanogen.variablesOf(loopback).map((variable) => variable.name), [
        "LOOPBACK_API_KEY",
        "LB_KEY",
        "LOOPBACK_API_URL",
        "LOOPBACK_FLAVOUR"
      ])
    }))

  it.effect("messages list the registry's names and key variables", () =>
    Effect.gen(function*() {
      const unknown = yield* Effect.flip(
        Nanogen.configWith({ providers: registry }).pipe(
          withEnv({ NANOGEN_PROVIDERS: "dalle", LOOPBACK_API_KEY: "k" })
        )
      )
      assert.strictEqual(
        messageOf(unknown),
        `NANOGEN_PROVIDERS names an unknown provider "dalle"; expected a comma-separated list of openrouter, google-direct, vertex, aimlapi, loopback`
      )
      const none = yield* Effect.flip(Nanogen.configWith({ providers: registry }).pipe(withEnv({})))
      assert.strictEqual(messageOf(none), Nanogen.noProviderMessage(registry))
      assert.include(messageOf(none), "AIML_API_KEY, LOOPBACK_API_KEY (or LB_KEY), and optionally NANOGEN_PROVIDERS")
      const missing = yield* Effect.flip(
        Nanogen.configWith({ providers: registry }).pipe(
          withEnv({ NANOGEN_PROVIDERS: "loopback" })
        )
      )
      assert.strictEqual(
        messageOf(missing),
        "NANOGEN_PROVIDERS lists loopback but its key is not set: set LOOPBACK_API_KEY (or LB_KEY), or remove it from NANOGEN_PROVIDERS"
      )
    }))

  it.effect("NANOGEN_ALLOW_PRIVATE_NETWORK=1 reaches every layer as download.allowPrivateNetwork", () =>
    Effect.gen(function*() {
      const env = { LOOPBACK_API_KEY: "k", LOOPBACK_API_URL: serverUrl }
      yield* generateWith({ ...env, NANOGEN_ALLOW_PRIVATE_NETWORK: "1" })
      yield* generateWith(env)
      assert.deepStrictEqual(layerOptions.map((options) => options.download), [
        { allowPrivateNetwork: true },
        undefined
      ])
      const bad = yield* Effect.flip(generateWith({ ...env, NANOGEN_ALLOW_PRIVATE_NETWORK: "perhaps" }))
      assert.include(String(bad), "NANOGEN_ALLOW_PRIVATE_NETWORK")
    }))

  it("two definitions answering to one name are refused", () => {
    const clash = Nanogen.registry([...Nanogen.builtins, { ...loopback, name: "loopback2", aliases: ["aiml"] }])
    assert.isTrue(Either.isLeft(clash))
    if (Either.isLeft(clash)) {
      assert.strictEqual(
        messageOf(clash.left),
        "providers lists two backends answering to the same name: aimlapi and loopback2"
      )
    }
  })

  it.effect("a definition with its own layerConfig and isConfigured (no key variable needed)", () =>
    Effect.gen(function*() {
      const projectBacked = ProviderDefinition.make({
        ...loopback,
        name: "project",
        aliases: [],
        credentials: { apiKey: ["PROJECT_API_KEY"] },
        isConfigured: Config.string("PROJECT_ID").pipe(Config.option, Config.map((id) => id._tag === "Some")),
        layerConfig: () =>
          Layer.unwrapEffect(
            Effect.map(Config.string("PROJECT_ID"), (id) =>
              loopback.layer({ apiKey: Redacted.make(CANARY_KEY), apiUrl: `${serverUrl}/${id}` }))
          )
      })
      const env = { PROJECT_ID: "p-1" }
      const description = yield* Nanogen.describeConfigWith({ providers: [...Nanogen.builtins, projectBacked] }).pipe(
        withEnv(env)
      )
      assert.deepStrictEqual(description.providers.map((p) => [p.name, p.apiKey]), [["project", "-"]])
      const served = yield* generateWith(env, [...Nanogen.builtins, projectBacked])
      assert.strictEqual(served.provider, "loopback")
      assert.strictEqual(received[0]!.url, "/v1/p-1/images")
    }))

  it("the Promise facade takes a definition in providers, with its key and URL by name", async () => {
    const client = createImageClient({
      env: {},
      providers: [loopback, "google"],
      apiKeys: { loopback: CANARY_KEY, google: emulator.keys.google },
      apiUrls: { loopback: serverUrl, "google-direct": emulator.urls.google },
      fallback: { attempts: 1 }
    })
    try {
      const result = await client.generate({ prompt: "a nano banana" })
      assert.strictEqual(result.provider, "loopback")
      assert.strictEqual(received[0]!.authorization, `Bearer ${CANARY_KEY}`)
      statuses.push(503)
      const failedOver = await client.generate({ prompt: "a nano banana" })
      assert.strictEqual(failedOver.provider, "google-direct")
      assert.strictEqual(emulator.requests("openrouter").length + emulator.requests("aimlapi").length, 0)
    } finally {
      await client.close()
    }
  })
})
