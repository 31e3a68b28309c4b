import { assert, describe, it } from "@effect/vitest"
import { createImageClient, ImageClient, Nanogen } from "@nanogen/client"
import { ImageBytes, ImageGenerationError, ImageProvider, ImageProviderTest } from "@nanogen/core"
import * as Emulator from "@nanogen/emulator"
import { assertNoSecret, CANARY_KEY, HttpClientLive } from "@nanogen/test-utils"
import { ConfigError, ConfigProvider, Effect, Layer, Redacted } from "effect"
import { afterAll, afterEach, beforeAll } from "vitest"

let emulator: Emulator.Emulator

beforeAll(async () => {
  emulator = await Emulator.start()
})
afterAll(() => emulator.stop())
afterEach(() => emulator.reset())

const options = (): ImageClient.ImageClientOptions => ({
  env: {},
  providers: ["openrouter", "google-direct"],
  apiKeys: { openrouter: emulator.keys.openrouter, "google-direct": emulator.keys.google },
  apiUrls: { openrouter: emulator.urls.openrouter, "google-direct": emulator.urls.google },
  fallback: { attempts: 1 }
})

describe("createImageClient", () => {
  it("generates through the configured chain and closes", async () => {
    const client = createImageClient(options())
    try {
      const result = await client.generate({ prompt: "a nano banana", aspectRatio: "16:9", imageSize: "1K" })
      assert.strictEqual(result.provider, "openrouter")
      assert.strictEqual(result.images[0].mimeType, "image/jpeg") // Nano Banana 2 answers JPEG, as live
      assert.deepStrictEqual(ImageBytes.dimensions(result.images[0].data), { width: 1344, height: 768 })
      // The runtime is reused: a second call on the same client works too.
      const again = await client.generate({ prompt: "another banana" })
      assert.strictEqual(again.images.length, 1)
    } finally {
      await client.close()
    }
    await client.close() // idempotent
    const afterClose = await client.generate({ prompt: "too late" }).catch((error) => error)
    assert.strictEqual(afterClose._tag, "ConfigurationError")
  })

  it("fails over and reports the attempts", async () => {
    emulator.script("openrouter", { kind: "status", status: 503 })
    const client = createImageClient(options())
    try {
      const result = await client.generate({ prompt: "a nano banana" })
      assert.strictEqual(result.provider, "google-direct")
      assert.deepStrictEqual(result.attempts.map((attempt) => attempt.outcome), ["ProviderUnavailable", "success"])
    } finally {
      await client.close()
    }
  })

  it("rejects with the tagged error instances themselves", async () => {
    emulator.scriptWith("openrouter", () => ({ kind: "status", status: 503 }))
    emulator.scriptWith("google", () => ({ kind: "status", status: 429, retryAfter: 120 }))
    const client = createImageClient(options())
    try {
      const error = await client.generate({ prompt: "a nano banana" }).then(
        () => assert.fail("expected a rejection"),
        (error: unknown) => error
      )
      assert.instanceOf(error, ImageGenerationError.AllProvidersFailed)
      assert.strictEqual((error as ImageGenerationError.AllProvidersFailed)._tag, "AllProvidersFailed")
      const tags = (error as ImageGenerationError.AllProvidersFailed).errors.map((e) => e._tag)
      assert.deepStrictEqual(tags, ["ProviderUnavailable", "RateLimited"])
      assert.isTrue(ImageGenerationError.isImageGenerationError(error))

      const invalid = await client.generate({ prompt: "" }).catch((e: unknown) => e)
      assert.instanceOf(invalid, ImageGenerationError.InvalidRequest)
      assert.strictEqual((invalid as ImageGenerationError.InvalidRequest).field, "prompt")
    } finally {
      await client.close()
    }
  })

  it("rejects with ConfigurationError naming the variables when nothing is configured", async () => {
    const client = createImageClient({ env: {} })
    try {
      const error = await client.generate({ prompt: "a nano banana" }).catch((e: unknown) => e)
      assert.instanceOf(error, ImageClient.ConfigurationError)
      assert.strictEqual((error as ImageClient.ConfigurationError)._tag, "ConfigurationError")
      assert.include((error as Error).message, "OPENROUTER_API_KEY")
      assert.include((error as Error).message, "GEMINI_API_KEY")
    } finally {
      await client.close()
    }
  })

  it("reads the environment map when no options are given", async () => {
    const client = createImageClient({
      env: { GEMINI_API_KEY: emulator.keys.google, GEMINI_API_URL: emulator.urls.google }
    })
    try {
      const result = await client.generate({ prompt: "a nano banana", model: "nano-banana" })
      assert.strictEqual(result.provider, "google-direct")
      assert.strictEqual(result.model, "gemini-2.5-flash-image")
    } finally {
      await client.close()
    }
  })

  it("accepts any provider layer (ImageProviderTest) for unit tests", async () => {
    const client = createImageClient({ layer: ImageProviderTest.layer({ name: "mock" }) })
    try {
      const result = await client.generate({ prompt: "a nano banana" })
      assert.strictEqual(result.provider, "mock")
    } finally {
      await client.close()
    }
  })

  it("stops when the caller aborts, rejecting with an AbortError whose cause is the signal's reason", async () => {
    emulator.script("openrouter", { kind: "hang" })
    const client = createImageClient(options())
    try {
      const controller = new AbortController()
      const pending = client.generate({ prompt: "a nano banana" }, { signal: controller.signal })
      // Abort once the request is on the wire (the emulator holds it).
      while (emulator.requests("openrouter").length === 0) await new Promise((resolve) => setTimeout(resolve, 10))
      const reason = new Error("the user left")
      controller.abort(reason)
      const error = await pending.then(() => undefined, (e: unknown) => e)
      assert.instanceOf(error, DOMException)
      assert.strictEqual((error as DOMException).name, "AbortError")
      assert.strictEqual((error as Error).cause, reason)
      assert.strictEqual(emulator.requests("google").length, 0)

      // Aborted before the call: the same rejection, the default reason (a DOMException of its own) as cause.
      const early = new AbortController()
      early.abort()
      const before = await client.generate({ prompt: "x" }, { signal: early.signal }).catch((e: unknown) => e)
      assert.strictEqual((before as Error).name, "AbortError")
      assert.strictEqual((before as Error).cause, early.signal.reason)
    } finally {
      await client.close()
    }
  })
})

/** Every backend's key and URL on the emulator, as facade options. */
const allThree = (): ImageClient.ImageClientOptions => ({
  env: {},
  apiKeys: {
    openrouter: emulator.keys.openrouter,
    "google-direct": emulator.keys.google,
    aimlapi: emulator.keys.aimlapi
  },
  apiUrls: {
    openrouter: emulator.urls.openrouter,
    "google-direct": emulator.urls.google,
    aimlapi: emulator.urls.aimlapi
  },
  allowPrivateNetwork: true,
  fallback: { attempts: 1, health: false }
})

describe("the facade's providers option (an order other than the default)", () => {
  it("createImageClient({ providers: [\"google-direct\"] }) calls neither openrouter nor aimlapi", async () => {
    emulator.scriptWith("google", () => ({ kind: "status", status: 503 }))
    const client = createImageClient({ ...allThree(), providers: ["google-direct"] })
    try {
      const error = await client.generate({ prompt: "a nano banana" }).catch((e: unknown) => e)
      assert.instanceOf(error, ImageGenerationError.AllProvidersFailed)
      assert.deepStrictEqual(
        (error as ImageGenerationError.AllProvidersFailed).attempts.map((
          attempt
        ) => [attempt.provider, attempt.outcome]),
        [["google-direct", "ProviderUnavailable"]]
      )
      assert.strictEqual(emulator.requests("google").length, 1)
      assert.strictEqual(emulator.requests("openrouter").length, 0)
      assert.strictEqual(emulator.requests("aimlapi").length, 0)
    } finally {
      await client.close()
    }
  })

  it("a comma-separated order with aliases, honoured in that order", async () => {
    emulator.script("aimlapi", { kind: "status", status: 503 })
    const client = createImageClient({ ...allThree(), providers: "aiml, google" })
    try {
      const result = await client.generate({ prompt: "a nano banana" })
      assert.deepStrictEqual(result.attempts.map((attempt) => [attempt.provider, attempt.outcome]), [
        ["aimlapi", "ProviderUnavailable"],
        ["google-direct", "success"]
      ])
      assert.strictEqual(emulator.requests("openrouter").length, 0)
    } finally {
      await client.close()
    }
  })

  it("generateOnce honours providers", async () => {
    const result = await ImageClient.generateOnce({ prompt: "a nano banana" }, {
      ...allThree(),
      providers: ["aimlapi"]
    })
    assert.strictEqual(result.provider, "aimlapi")
    assert.strictEqual(emulator.requests("openrouter").length, 0)
    assert.strictEqual(emulator.requests("google").length, 0)
  })

  it("ImageClient.layer honours providers", async () => {
    const result = await Effect.runPromise(
      ImageProvider.generate({ prompt: "a nano banana" }).pipe(
        Effect.provide(ImageClient.layer({ ...allThree(), providers: ["google-direct", "openrouter"] }))
      )
    )
    assert.strictEqual(result.provider, "google-direct")
    assert.strictEqual(emulator.requests("openrouter").length, 0)
    assert.strictEqual(emulator.requests("aimlapi").length, 0)
  })
})

describe("configuration errors of the facade name what to fix", () => {
  const rejection = async (options: ImageClient.ImageClientOptions): Promise<ImageClient.ConfigurationError> => {
    const client = createImageClient(options)
    try {
      const error = await client.generate({ prompt: "a nano banana" }).catch((e: unknown) => e)
      assert.instanceOf(error, ImageClient.ConfigurationError)
      return error as ImageClient.ConfigurationError
    } finally {
      await client.close()
    }
  }

  it("a key with a character that cannot go in a header: explicit apiKeys, then the environment", async () => {
    const pasted = `${CANARY_KEY}…`
    const explicit = await rejection({ ...allThree(), apiKeys: { openrouter: pasted } })
    assert.include(
      explicit.message,
      "apiKeys.openrouter holds a character that cannot be sent in an HTTP header (U+2026)"
    )
    const redacted = await rejection({ ...allThree(), apiKeys: { google: Redacted.make(`sk-${"\u00a0"}x`) } })
    assert.include(redacted.message, "apiKeys.google holds a character that cannot be sent in an HTTP header (U+00A0)")
    const fromEnv = await rejection({
      env: { GEMINI_API_KEY: pasted, GEMINI_API_URL: emulator.urls.google },
      providers: ["google-direct"]
    })
    assert.include(fromEnv.message, "GEMINI_API_KEY holds a character that cannot be sent in an HTTP header (U+2026)")
    assert.strictEqual(emulator.requests().length, 0)
    assertNoSecret(CANARY_KEY, explicit, explicit.message, redacted, fromEnv, fromEnv.message)
  })

  it("an unknown name in providers, apiKeys or apiUrls is named", async () => {
    const order = await rejection({ ...allThree(), providers: ["openrouter", "dalle"] })
    assert.include(
      order.message,
      `providers names an unknown provider "dalle"; expected a comma-separated list of ${
        Nanogen.providerNames.join(", ")
      }`
    )
    const key = await rejection({ ...allThree(), apiKeys: { openruoter: "k" } })
    assert.include(
      key.message,
      `apiKeys names an unknown provider "openruoter"; expected one of openrouter, google-direct, vertex, aimlapi`
    )
    const url = await rejection({ ...allThree(), apiUrls: { gemini: emulator.urls.google, vertexx: "http://x" } })
    assert.include(url.message, `apiUrls names an unknown provider "vertexx"`)
    assert.strictEqual(emulator.requests().length, 0)
  })
})

describe("header-unsafe keys through Nanogen.layerConfig and Nanogen.layer", () => {
  const build = (layer: Layer.Layer<ImageProvider.ImageProvider, ConfigError.ConfigError, never>) =>
    Effect.runPromise(Effect.flip(ImageProvider.generate({ prompt: "x" }).pipe(Effect.provide(layer))))

  it("layerConfig names the variable, layer names apiKeys.<name>; nothing is sent", async () => {
    const fromEnv = await build(
      Nanogen.layerConfig().pipe(
        Layer.provide(HttpClientLive),
        Layer.provide(Layer.setConfigProvider(ConfigProvider.fromMap(
          new Map([["OPENROUTER_API_KEY", `sk-or-${CANARY_KEY}…`], ["OPENROUTER_API_URL", emulator.urls.openrouter]])
        )))
      )
    )
    assert.isTrue(ConfigError.isConfigError(fromEnv))
    assert.include(
      String(fromEnv),
      "OPENROUTER_API_KEY holds a character that cannot be sent in an HTTP header (U+2026)"
    )
    const explicit = await build(
      Nanogen.layer({ apiKeys: { aimlapi: `${CANARY_KEY}\n` + "x" }, apiUrls: { aimlapi: emulator.urls.aimlapi } })
        .pipe(
          Layer.provide(HttpClientLive)
        )
    )
    assert.include(String(explicit), "apiKeys.aimlapi holds a character that cannot be sent in an HTTP header (U+000A)")
    assert.strictEqual(emulator.requests().length, 0)
    assertNoSecret(CANARY_KEY, fromEnv, String(fromEnv), explicit, String(explicit))
  })
})
