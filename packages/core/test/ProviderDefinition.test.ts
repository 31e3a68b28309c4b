import { assert, describe, it } from "@effect/vitest"
import { CANARY_KEY, HttpClientLive } from "@nanogen/test-utils"
import { Config, ConfigProvider, Effect, Either, Layer, Redacted } from "effect"
import { ImageProvider, ProviderDefinition } from "../src/index.js"

const received: Array<ProviderDefinition.Options> = []

const definition = ProviderDefinition.make({
  name: "example",
  aliases: ["ex"],
  description: "An example backend",
  credentials: { apiKey: ["EXAMPLE_API_KEY", "EXAMPLE_KEY"] },
  apiUrl: { env: "EXAMPLE_API_URL", default: "https://api.example.com/v1" },
  models: {},
  layer: (options: ProviderDefinition.Options & { readonly flavour?: string }) => {
    received.push(options)
    return Layer.succeed(ImageProvider.ImageProvider, {
      name: "example",
      generate: () => Effect.die("not called")
    })
  }
})

const withEnv = (env: Record<string, string>) =>
  Effect.withConfigProvider(ConfigProvider.fromMap(new Map(Object.entries(env))))

const build = (env: Record<string, string>, options?: { readonly flavour?: string }) =>
  Layer.build(ProviderDefinition.layerConfig(definition, options).pipe(Layer.provide(HttpClientLive))).pipe(
    Effect.scoped,
    withEnv(env),
    Effect.either
  )

describe("ProviderDefinition", () => {
  it("fills the optional lists and finds a definition by name or alias, case-insensitively", () => {
    const bare = ProviderDefinition.make({ ...definition, aliases: undefined, variables: undefined })
    assert.deepStrictEqual([bare.aliases, bare.variables, bare.nativeAliases], [[], [], {}])
    assert.strictEqual(ProviderDefinition.find([definition], " EX ")?.name, "example")
    assert.strictEqual(ProviderDefinition.find([definition], "example")?.name, "example")
    assert.isUndefined(ProviderDefinition.find([definition], "exam"))
  })

  it.effect("layerConfig reads the first key variable set, the URL variable, and passes the options through", () =>
    Effect.gen(function*() {
      received.length = 0
      const built = yield* build(
        { EXAMPLE_KEY: ` ${CANARY_KEY} `, EXAMPLE_API_URL: "http://127.0.0.1:9/v1" },
        { flavour: "x" }
      )
      assert.isTrue(Either.isRight(built))
      assert.strictEqual(received.length, 1)
      const options = received[0]! as ProviderDefinition.Options & { readonly flavour?: string }
      assert.strictEqual(Redacted.value(options.apiKey), CANARY_KEY)
      assert.strictEqual(options.apiUrl, "http://127.0.0.1:9/v1")
      assert.strictEqual(options.flavour, "x")

      received.length = 0
      yield* build({ EXAMPLE_API_KEY: "first", EXAMPLE_KEY: "second", EXAMPLE_API_URL: "  " })
      assert.strictEqual(Redacted.value(received[0]!.apiKey), "first")
      assert.strictEqual(received[0]!.apiUrl, "https://api.example.com/v1")
    }))

  it.effect("a blank first variable falls through to the next; none set is a ConfigError naming them", () =>
    Effect.gen(function*() {
      received.length = 0
      yield* build({ EXAMPLE_API_KEY: "  ", EXAMPLE_KEY: "second" })
      assert.strictEqual(Redacted.value(received[0]!.apiKey), "second")
      const missing = yield* build({})
      assert.isTrue(Either.isLeft(missing))
      if (Either.isLeft(missing)) {
        assert.include(String(missing.left), "set EXAMPLE_API_KEY (or EXAMPLE_KEY) to use example")
      }
    }))

  it.effect("a key with a character that cannot go in a header is a ConfigError naming the variable, not the key", () =>
    Effect.gen(function*() {
      for (const bad of [`${CANARY_KEY}…`, `sk-or-\u00a0${CANARY_KEY}`, `"${CANARY_KEY}\n"x`]) {
        received.length = 0
        const result = yield* build({ EXAMPLE_API_KEY: bad })
        assert.isTrue(Either.isLeft(result), bad)
        assert.strictEqual(received.length, 0)
        if (Either.isLeft(result)) {
          const text = String(result.left)
          assert.include(text, "EXAMPLE_API_KEY holds a character that cannot be sent in an HTTP header")
          assert.notInclude(text, CANARY_KEY)
        }
      }
      const explicit = ProviderDefinition.checkApiKey("apiKeys.example", "sk-or-…")
      assert.isTrue(Either.isLeft(explicit))
      assert.deepStrictEqual(ProviderDefinition.checkApiKey("X", "   "), Either.right(undefined))
    }))

  it.effect("isConfigured says whether a key variable is set (a malformed one counts, for the layer to report)", () =>
    Effect.gen(function*() {
      assert.isFalse(yield* ProviderDefinition.isConfigured(definition).pipe(withEnv({ EXAMPLE_API_KEY: " " })))
      assert.isTrue(yield* ProviderDefinition.isConfigured(definition).pipe(withEnv({ EXAMPLE_KEY: "k…" })))
      assert.isFalse(yield* ProviderDefinition.isConfigured(definition).pipe(withEnv({})))
    }))

  it.effect("a definition's own layerConfig and isConfigured replace the derived ones", () =>
    Effect.gen(function*() {
      let called = 0
      const custom = ProviderDefinition.make({
        ...definition,
        layerConfig: () => {
          called++
          return definition.layer({ apiKey: Redacted.make("from-custom") })
        },
        isConfigured: Config.succeed(true)
      })
      received.length = 0
      yield* Layer.build(ProviderDefinition.layerConfig(custom).pipe(Layer.provide(HttpClientLive))).pipe(
        Effect.scoped,
        withEnv({})
      )
      assert.isTrue(yield* ProviderDefinition.isConfigured(custom).pipe(withEnv({})))
      assert.strictEqual(called, 1)
      assert.strictEqual(Redacted.value(received[0]!.apiKey), "from-custom")
    }))
})
