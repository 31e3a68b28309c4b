import { assert, describe, it } from "@effect/vitest"
import { createImageClient, ImageClient } from "@nanogen/client"
import { ImageBytes, ImageGenerationError, ImageProviderTest } from "@nanogen/core"
import * as Emulator from "@nanogen/emulator"
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
      assert.strictEqual(result.images[0].mimeType, "image/png")
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

  it("stops when the caller aborts", async () => {
    emulator.script("openrouter", { kind: "hang" })
    const client = createImageClient(options())
    try {
      const controller = new AbortController()
      const pending = client.generate({ prompt: "a nano banana" }, { signal: controller.signal })
      setTimeout(() => controller.abort(), 200)
      const error = await pending.then(() => undefined, (e: unknown) => e)
      assert.isDefined(error)
    } finally {
      await client.close()
    }
  })
})
