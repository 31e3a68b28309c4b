import { assert, describe, it } from "@effect/vitest"
import { Nanogen } from "@nanogen/client"
import { ImageProvider } from "@nanogen/core"
import { CANARY_KEY, HttpClientLive, render } from "@nanogen/test-utils"
import { ConfigError, ConfigProvider, Duration, Effect, Either, Layer, Redacted } from "effect"
import { describedOpenRouter } from "./utils.js"

const withEnv = (env: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

const settingsOf = (env: Record<string, string>) => Nanogen.config.pipe(withEnv(env))

const configError = (env: Record<string, string>) =>
  Effect.gen(function*() {
    const error = yield* Effect.flip(settingsOf(env))
    assert.isTrue(ConfigError.isConfigError(error))
    return error
  })

const messageOf = (error: ConfigError.ConfigError): string =>
  error._op === "And" || error._op === "Or" ? `${messageOf(error.left)} ${messageOf(error.right)}` : error.message

describe("Nanogen configuration", () => {
  it.effect("defaults to every backend with a key, in the order openrouter, google-direct, aimlapi", () =>
    Effect.gen(function*() {
      const settings = yield* settingsOf({ AIML_API_KEY: "a", OPENROUTER_API_KEY: "o", GEMINI_API_KEY: "g" })
      assert.deepStrictEqual(settings.providers.map((p) => p.name), ["openrouter", "google-direct", "aimlapi"])
      assert.deepStrictEqual(settings.providers.map((p) => p.apiUrl), [
        "https://openrouter.ai/api/v1",
        "https://generativelanguage.googleapis.com/v1beta",
        "https://api.aimlapi.com/v1"
      ])
      assert.deepStrictEqual(settings.providers.map((p) => Redacted.value(p.apiKey!)), ["o", "g", "a"])
      assert.strictEqual(settings.model, undefined)
      assert.strictEqual(settings.timeout, undefined)
    }))

  it.effect("only the backends whose key is set", () =>
    Effect.gen(function*() {
      const settings = yield* settingsOf({ AIML_API_KEY: "a", GOOGLE_API_KEY: "g" })
      assert.deepStrictEqual(settings.providers.map((p) => p.name), ["google-direct", "aimlapi"])
    }))

  it.effect("NANOGEN_PROVIDERS sets the order; URLs, model and timeout are read", () =>
    Effect.gen(function*() {
      const settings = yield* settingsOf({
        NANOGEN_PROVIDERS: " aimlapi , openrouter ",
        OPENROUTER_API_KEY: "o",
        AIML_API_KEY: "a",
        GEMINI_API_KEY: "g",
        AIML_API_URL: "http://127.0.0.1:9/v1",
        OPENROUTER_API_URL: "http://127.0.0.1:8/api/v1",
        NANOGEN_MODEL: "nano-banana-pro",
        NANOGEN_TIMEOUT: "90 seconds"
      })
      assert.deepStrictEqual(settings.providers.map((p) => [p.name, p.apiUrl]), [
        ["aimlapi", "http://127.0.0.1:9/v1"],
        ["openrouter", "http://127.0.0.1:8/api/v1"]
      ])
      assert.strictEqual(settings.model, "nano-banana-pro")
      assert.isTrue(Duration.equals(settings.timeout!, Duration.seconds(90)))
    }))

  it.effect("GEMINI_API_KEY wins over GOOGLE_API_KEY; aliases google/aiml are accepted", () =>
    Effect.gen(function*() {
      const settings = yield* settingsOf({
        NANOGEN_PROVIDERS: "google,aiml",
        GEMINI_API_KEY: "gemini",
        GOOGLE_API_KEY: "google",
        AIML_API_KEY: "a",
        GEMINI_API_URL: "http://127.0.0.1:7/v1beta"
      })
      assert.deepStrictEqual(settings.providers.map((p) => p.name), ["google-direct", "aimlapi"])
      assert.strictEqual(Redacted.value(settings.providers[0].apiKey!), "gemini")
      assert.strictEqual(settings.providers[0].apiUrl, "http://127.0.0.1:7/v1beta")
    }))

  it.effect("NANOGEN_TIMEOUT accepts a number of seconds", () =>
    Effect.gen(function*() {
      const settings = yield* settingsOf({ OPENROUTER_API_KEY: "o", NANOGEN_TIMEOUT: "45" })
      assert.strictEqual(Duration.toMillis(settings.timeout!), 45_000)
    }))

  describe("errors name the variables to set", () => {
    it.effect("no key at all", () =>
      Effect.gen(function*() {
        const error = yield* configError({ NANOGEN_MODEL: "nano-banana" })
        assert.strictEqual(
          messageOf(error),
          "No image provider is configured: set at least one of OPENROUTER_API_KEY, GEMINI_API_KEY (or GOOGLE_API_KEY), " +
            "VERTEX_API_KEY, AIML_API_KEY, and optionally NANOGEN_PROVIDERS to choose the order"
        )
      }))

    it.effect("empty keys count as unset", () =>
      Effect.gen(function*() {
        const error = yield* configError({ OPENROUTER_API_KEY: "  ", GEMINI_API_KEY: "" })
        assert.include(messageOf(error), "No image provider is configured")
      }))

    it.effect("an unknown provider name", () =>
      Effect.gen(function*() {
        const error = yield* configError({ NANOGEN_PROVIDERS: "openrouter,dalle", OPENROUTER_API_KEY: "o" })
        assert.strictEqual(
          messageOf(error),
          `NANOGEN_PROVIDERS names an unknown provider "dalle"; expected a comma-separated list of openrouter, google-direct, vertex, aimlapi`
        )
        assert.isTrue(error._op === "InvalidData" && error.path.join(".") === "NANOGEN_PROVIDERS")
      }))

    it.effect("a provider listed twice", () =>
      Effect.gen(function*() {
        const error = yield* configError({ NANOGEN_PROVIDERS: "openrouter,openrouter", OPENROUTER_API_KEY: "o" })
        assert.strictEqual(messageOf(error), "NANOGEN_PROVIDERS lists openrouter more than once")
      }))

    it.effect("a listed provider without its key", () =>
      Effect.gen(function*() {
        const error = yield* configError({ NANOGEN_PROVIDERS: "openrouter,google-direct", OPENROUTER_API_KEY: "o" })
        assert.strictEqual(
          messageOf(error),
          "NANOGEN_PROVIDERS lists google-direct but its key is not set: set GEMINI_API_KEY (or GOOGLE_API_KEY), " +
            "or remove it from NANOGEN_PROVIDERS"
        )
      }))

    it.effect("several listed providers without keys", () =>
      Effect.gen(function*() {
        const error = yield* configError({ NANOGEN_PROVIDERS: "aimlapi,openrouter" })
        assert.strictEqual(
          messageOf(error),
          "NANOGEN_PROVIDERS lists aimlapi, openrouter but their keys are not set: set AIML_API_KEY, OPENROUTER_API_KEY, " +
            "or remove them from NANOGEN_PROVIDERS"
        )
      }))

    it.effect("a bad NANOGEN_TIMEOUT", () =>
      Effect.gen(function*() {
        for (const value of ["soon", "0", "-3 seconds"]) {
          const error = yield* configError({ OPENROUTER_API_KEY: "o", NANOGEN_TIMEOUT: value })
          assert.strictEqual(
            messageOf(error),
            `NANOGEN_TIMEOUT must be a positive duration such as "90 seconds", "2 minutes" or a number of seconds (got "${value}")`
          )
        }
      }))

    it.effect("layerConfig fails with the ConfigError when the layer is built", () =>
      Effect.gen(function*() {
        const error = yield* ImageProvider.generate({ prompt: "x" }).pipe(
          Effect.provide(Nanogen.layerConfig().pipe(Layer.provide(HttpClientLive))),
          Effect.provide(Layer.setConfigProvider(ConfigProvider.fromMap(new Map()))),
          Effect.flip
        )
        assert.isTrue(ConfigError.isConfigError(error))
        assert.include(String(error), "OPENROUTER_API_KEY")
      }))

    it.effect("the explicit layer(options) fails with the same errors", () =>
      Effect.gen(function*() {
        const error = yield* ImageProvider.generate({ prompt: "x" }).pipe(
          Effect.provide(Nanogen.layer({ providers: ["aimlapi"] }).pipe(Layer.provide(HttpClientLive))),
          Effect.flip
        )
        assert.isTrue(ConfigError.isConfigError(error))
        assert.include(String(error), "set AIML_API_KEY")
      }))
  })

  it.effect("describe shows providers in order with keys redacted", () =>
    Effect.gen(function*() {
      const env = {
        NANOGEN_PROVIDERS: "google-direct,openrouter",
        OPENROUTER_API_KEY: CANARY_KEY,
        GEMINI_API_KEY: CANARY_KEY,
        NANOGEN_MODEL: "nano-banana",
        NANOGEN_TIMEOUT: "2 minutes"
      }
      const providers = yield* Nanogen.describe.pipe(withEnv(env))
      assert.deepStrictEqual(providers, [
        {
          position: 1,
          name: "google-direct",
          description: Nanogen.builtins[1]!.description,
          apiUrl: "https://generativelanguage.googleapis.com/v1beta",
          apiKey: "<redacted>",
          keyVariables: "GEMINI_API_KEY (or GOOGLE_API_KEY)",
          urlVariable: "GEMINI_API_URL"
        },
        describedOpenRouter(2)
      ])
      const full = yield* Nanogen.describeConfig.pipe(withEnv(env))
      assert.strictEqual(full.model, "nano-banana")
      assert.strictEqual(full.timeout, "2m")
      const settings = yield* settingsOf(env)
      assert.notInclude(render(full), CANARY_KEY)
      assert.notInclude(render(settings), CANARY_KEY)
    }))

  it("resolve takes explicit options, plain string keys wrapped in Redacted", () => {
    const settings = Either.getOrThrow(
      Nanogen.resolve({ apiKeys: { aimlapi: CANARY_KEY }, timeout: 30, model: "nano-banana" })
    )
    assert.strictEqual(settings.providers[0].name, "aimlapi")
    assert.isTrue(Redacted.isRedacted(settings.providers[0].apiKey))
    assert.strictEqual(Duration.toMillis(settings.timeout!), 30_000)
    assert.notInclude(render(settings), CANARY_KEY)
  })
})
