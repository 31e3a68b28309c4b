/**
 * The configuration-driven assembly: which backends, in what order, with which keys, URLs, default model and
 * per-attempt timeout — read from the environment (`layerConfig`) or given explicitly (`layer`) — composed into
 * one failover `ImageProvider`.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import { AimlApiImageProvider } from "@nanogen/aimlapi"
import { Fallback, type ImageProvider } from "@nanogen/core"
import { GoogleImageProvider } from "@nanogen/google-direct"
import { OpenRouterImageProvider } from "@nanogen/openrouter"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"

/**
 * Every backend, in the default fallback order.
 *
 * @since 0.1.0
 * @category Models
 */
export const providerNames = ["openrouter", "google-direct", "aimlapi"] as const

/**
 * @since 0.1.0
 * @category Models
 */
export type ProviderName = typeof providerNames[number]

/**
 * The environment variables of each backend and its default URL.
 *
 * @example
 * ```ts
 * import { Nanogen } from "@nanogen/client"
 * Nanogen.variables["google-direct"].key // ["GEMINI_API_KEY", "GOOGLE_API_KEY"]
 * ```
 * @since 0.1.0
 * @category Models
 */
export const variables: {
  readonly [K in ProviderName]: {
    readonly key: readonly [string, ...Array<string>]
    readonly url: string
    readonly defaultUrl: string
  }
} = {
  openrouter: { key: ["OPENROUTER_API_KEY"], url: "OPENROUTER_API_URL", defaultUrl: "https://openrouter.ai/api/v1" },
  "google-direct": {
    key: ["GEMINI_API_KEY", "GOOGLE_API_KEY"],
    url: "GEMINI_API_URL",
    defaultUrl: "https://generativelanguage.googleapis.com/v1beta"
  },
  aimlapi: { key: ["AIML_API_KEY"], url: "AIML_API_URL", defaultUrl: "https://api.aimlapi.com/v1" }
}

/** Other spellings accepted in `NANOGEN_PROVIDERS`. */
const aliases: Readonly<Record<string, ProviderName>> = {
  google: "google-direct",
  gemini: "google-direct",
  aiml: "aimlapi"
}

/**
 * One configured backend.
 *
 * @since 0.1.0
 * @category Models
 */
export interface ProviderSettings {
  readonly name: ProviderName
  readonly apiKey: Redacted.Redacted
  readonly apiUrl: string
}

/**
 * Resolved settings: the backends in fallback order (at least one), the default model, the per-attempt timeout.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Settings {
  readonly providers: readonly [ProviderSettings, ...Array<ProviderSettings>]
  readonly model: string | undefined
  readonly timeout: Duration.Duration | undefined
}

/**
 * What the layers accept beside the settings.
 *
 * @since 0.1.0
 * @category Models
 */
export interface LayerOptions {
  /** Further fallback options (attempts, backoff, deadline, health, `n > 1` mode…). */
  readonly fallback?: Omit<Fallback.Options, "attemptTimeout" | "defaultModel"> | undefined
  /**
   * Let providers download from `http:` and loopback/private addresses (the AI/ML API answers with image URLs).
   * Only for `@nanogen/emulator` and tests; off by default (SSRF).
   */
  readonly allowPrivateNetwork?: boolean | undefined
}

/**
 * Explicit settings for `layer` (the CLI and the Promise facade use it).
 *
 * @since 0.1.0
 * @category Models
 */
export interface Options extends LayerOptions {
  /** Fallback order. Default: every backend with a key, in the order openrouter, google-direct, aimlapi. */
  readonly providers?: ReadonlyArray<string> | undefined
  /** API keys by backend; a plain string is wrapped in `Redacted` at once. */
  readonly apiKeys?: { readonly [K in ProviderName]?: Redacted.Redacted | string | undefined } | undefined
  /** Base URLs by backend (emulators, proxies). */
  readonly apiUrls?: { readonly [K in ProviderName]?: string | undefined } | undefined
  /** Model alias used when a request names none. */
  readonly model?: string | undefined
  /** Per-attempt timeout: a duration (`"90 seconds"`), or a number of seconds (`90`, `"90"`). Default 120 s. */
  readonly timeout?: Duration.DurationInput | string | undefined
}

const keyVariables = (name: ProviderName): string => {
  const [first, ...rest] = variables[name].key
  return rest.length === 0 ? first : `${first} (or ${rest.join(" or ")})`
}

const noKeyMessage = `No image provider is configured: set at least one of ${
  providerNames.map(keyVariables).join(", ")
}, and optionally NANOGEN_PROVIDERS to choose the order`

/**
 * Turns raw values (environment or explicit options) into `Settings`, or a `ConfigError` whose message names the
 * exact variables to set.
 *
 * @example
 * ```ts
 * import { Nanogen } from "@nanogen/client"
 *
 * const settings = Nanogen.resolve({ providers: ["google-direct"], apiKeys: { "google-direct": "AIza…" } })
 * // Either.right({ providers: [{ name: "google-direct", apiUrl: "https://generativelanguage…", … }], … })
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const resolve = (options: Options): Either.Either<Settings, ConfigError.ConfigError> => {
  const keyOf = (name: ProviderName): Redacted.Redacted | undefined => {
    const key = options.apiKeys?.[name]
    if (key === undefined) return undefined
    const redacted = typeof key === "string" ? Redacted.make(key.trim()) : key
    return Redacted.value(redacted).trim() === "" ? undefined : redacted
  }
  let order: Array<ProviderName>
  if (options.providers === undefined || options.providers.every((name) => name.trim() === "")) {
    order = providerNames.filter((name) => keyOf(name) !== undefined)
    if (order.length === 0) return Either.left(ConfigError.MissingData([], noKeyMessage))
  } else {
    order = []
    for (const raw of options.providers) {
      const spelled = raw.trim().toLowerCase()
      if (spelled === "") continue
      const name = (providerNames as ReadonlyArray<string>).includes(spelled)
        ? spelled as ProviderName
        : aliases[spelled]
      if (name === undefined) {
        return Either.left(ConfigError.InvalidData(
          ["NANOGEN_PROVIDERS"],
          `NANOGEN_PROVIDERS names an unknown provider "${raw.trim()}"; expected a comma-separated list of ${
            providerNames.join(", ")
          }`
        ))
      }
      if (order.includes(name)) {
        return Either.left(
          ConfigError.InvalidData(["NANOGEN_PROVIDERS"], `NANOGEN_PROVIDERS lists ${name} more than once`)
        )
      }
      order.push(name)
    }
    const missing = order.filter((name) => keyOf(name) === undefined)
    if (missing.length > 0) {
      return Either.left(ConfigError.MissingData(
        [variables[missing[0]!].key[0]],
        `NANOGEN_PROVIDERS lists ${missing.join(", ")} but ${
          missing.length === 1 ? "its key is" : "their keys are"
        } not set: set ${missing.map(keyVariables).join(", ")}, or remove ${
          missing.length === 1 ? "it" : "them"
        } from NANOGEN_PROVIDERS`
      ))
    }
  }
  const model = options.model?.trim()
  let timeout: Duration.Duration | undefined
  if (options.timeout !== undefined) {
    const decoded = typeof options.timeout === "string" && /^\s*\d+(\.\d+)?\s*$/.test(options.timeout)
      ? Option.some(Duration.seconds(Number(options.timeout)))
      : typeof options.timeout === "number"
      ? Option.some(Duration.seconds(options.timeout))
      : Duration.decodeUnknown(typeof options.timeout === "string" ? options.timeout.trim() : options.timeout)
    if (Option.isNone(decoded) || !Duration.isFinite(decoded.value) || Duration.toMillis(decoded.value) <= 0) {
      return Either.left(ConfigError.InvalidData(
        ["NANOGEN_TIMEOUT"],
        `NANOGEN_TIMEOUT must be a positive duration such as "90 seconds", "2 minutes" or a number of seconds (got ${
          JSON.stringify(String(options.timeout))
        })`
      ))
    }
    timeout = decoded.value
  }
  const providers = order.map((name): ProviderSettings => ({
    name,
    apiKey: keyOf(name)!,
    apiUrl: options.apiUrls?.[name]?.trim() || variables[name].defaultUrl
  }))
  return Either.right({
    providers: providers as unknown as Settings["providers"],
    model: model === undefined || model === "" ? undefined : model,
    timeout
  })
}

const optionalString = (name: string): Config.Config<string | undefined> =>
  Config.string(name).pipe(Config.option, Config.map(Option.getOrUndefined))

const optionalRedacted = (name: string): Config.Config<Redacted.Redacted | undefined> =>
  Config.redacted(name).pipe(Config.option, Config.map(Option.getOrUndefined))

/**
 * The settings read from the environment: `NANOGEN_PROVIDERS`, `OPENROUTER_API_KEY` / `OPENROUTER_API_URL`,
 * `GEMINI_API_KEY` (or `GOOGLE_API_KEY`) / `GEMINI_API_URL`, `AIML_API_KEY` / `AIML_API_URL`, `NANOGEN_MODEL`,
 * `NANOGEN_TIMEOUT`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Nanogen } from "@nanogen/client"
 * const order = Effect.map(Nanogen.config, (settings) => settings.providers.map((p) => p.name))
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const config: Config.Config<Settings> = Config.all({
  providers: optionalString("NANOGEN_PROVIDERS"),
  openrouter: optionalRedacted("OPENROUTER_API_KEY"),
  gemini: optionalRedacted("GEMINI_API_KEY"),
  google: optionalRedacted("GOOGLE_API_KEY"),
  aimlapi: optionalRedacted("AIML_API_KEY"),
  openrouterUrl: optionalString("OPENROUTER_API_URL"),
  googleUrl: optionalString("GEMINI_API_URL"),
  aimlapiUrl: optionalString("AIML_API_URL"),
  model: optionalString("NANOGEN_MODEL"),
  timeout: optionalString("NANOGEN_TIMEOUT")
}).pipe(Config.mapOrFail((env) => {
  const nonEmpty = (key: Redacted.Redacted | undefined) =>
    key === undefined || Redacted.value(key).trim() === "" ? undefined : key
  return resolve({
    providers: env.providers?.split(","),
    apiKeys: {
      openrouter: env.openrouter,
      "google-direct": nonEmpty(env.gemini) ?? env.google,
      aimlapi: env.aimlapi
    },
    apiUrls: { openrouter: env.openrouterUrl, "google-direct": env.googleUrl, aimlapi: env.aimlapiUrl },
    model: env.model,
    timeout: env.timeout?.trim() === "" ? undefined : env.timeout
  })
}))

const providerLayer = (
  provider: ProviderSettings,
  timeout: Duration.Duration | undefined,
  options: LayerOptions
): Layer.Layer<ImageProvider.ImageProvider, never, HttpClient.HttpClient> => {
  const common = { apiKey: provider.apiKey, apiUrl: provider.apiUrl, ...(timeout === undefined ? {} : { timeout }) }
  const download = options.allowPrivateNetwork === true ? { download: { allowPrivateNetwork: true } } : {}
  switch (provider.name) {
    case "openrouter":
      return OpenRouterImageProvider.layer({ ...common, ...download })
    case "google-direct":
      return GoogleImageProvider.layer({ ...common, ...download })
    case "aimlapi":
      return AimlApiImageProvider.layer({ ...common, ...download })
  }
}

/**
 * The failover `ImageProvider` for resolved settings.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Nanogen } from "@nanogen/client"
 *
 * const settings = Either.getOrThrow(Nanogen.resolve({ apiKeys: { openrouter: "sk-or-…" } }))
 * const Live = Nanogen.layerSettings(settings, { fallback: { attempts: 3 } })
 * ```
 * @since 0.1.0
 * @category Layers
 */
export const layerSettings = (
  settings: Settings,
  options: LayerOptions = {}
): Layer.Layer<ImageProvider.ImageProvider, never, HttpClient.HttpClient> =>
  Fallback.layer(
    settings.providers.map((provider) => providerLayer(provider, settings.timeout, options)),
    {
      ...options.fallback,
      ...(settings.timeout === undefined ? {} : { attemptTimeout: settings.timeout }),
      ...(settings.model === undefined ? {} : { defaultModel: settings.model })
    }
  )

/**
 * The failover `ImageProvider` from explicit settings. Invalid settings fail the layer with the same
 * `ConfigError` as `layerConfig`.
 *
 * @example
 * ```ts
 * import { Effect, Layer, Redacted } from "effect"
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { ImageProvider } from "@nanogen/core"
 * import { Nanogen } from "@nanogen/client"
 *
 * const Live = Nanogen.layer({
 *   providers: ["google-direct", "openrouter"],
 *   apiKeys: { "google-direct": Redacted.make("AIza…"), openrouter: Redacted.make("sk-or-…") },
 *   timeout: "90 seconds"
 * }).pipe(Layer.provide(NodeHttpClient.layerUndici))
 * const result = ImageProvider.generate({ prompt: "a nano banana" }).pipe(Effect.provide(Live))
 * ```
 * @since 0.1.0
 * @category Layers
 */
export const layer = (
  options: Options
): Layer.Layer<ImageProvider.ImageProvider, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(resolve(options), (settings) => layerSettings(settings, options)))

/**
 * `layerConfig` with further options (fallback tuning, private-network downloads for emulators).
 *
 * @example
 * ```ts
 * import { Nanogen } from "@nanogen/client"
 * const Live = Nanogen.layerConfigWith({ fallback: { attempts: 3, failoverOnContentBlocked: true } })
 * ```
 * @since 0.1.0
 * @category Layers
 */
export const layerConfigWith = (
  options: LayerOptions = {}
): Layer.Layer<ImageProvider.ImageProvider, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(config, (settings) => layerSettings(settings, options)))

/**
 * The failover `ImageProvider` from the environment (see `config`). Swapping backends is a change of environment.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { ImageProvider } from "@nanogen/core"
 * import { Nanogen } from "@nanogen/client"
 *
 * // NANOGEN_PROVIDERS=openrouter,google-direct OPENROUTER_API_KEY=… GEMINI_API_KEY=…
 * const Live = Nanogen.layerConfig.pipe(Layer.provide(NodeHttpClient.layerUndici))
 * const result = ImageProvider.generate({ prompt: "a nano banana" }).pipe(Effect.provide(Live))
 * ```
 * @since 0.1.0
 * @category Layers
 */
export const layerConfig: Layer.Layer<ImageProvider.ImageProvider, ConfigError.ConfigError, HttpClient.HttpClient> =
  layerConfigWith()

/**
 * One configured backend as shown to people (`nanogen providers`): the key is never shown.
 *
 * @since 0.1.0
 * @category Models
 */
export interface ProviderDescription {
  readonly position: number
  readonly name: ProviderName
  readonly apiUrl: string
  readonly apiKey: "<redacted>"
  readonly keyVariables: string
  readonly urlVariable: string
}

/**
 * @since 0.1.0
 * @category Models
 */
export interface Description {
  readonly providers: ReadonlyArray<ProviderDescription>
  readonly model: string | undefined
  readonly timeout: string
}

/**
 * Describes settings with keys redacted.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { Nanogen } from "@nanogen/client"
 * const d = Nanogen.describeSettings(Either.getOrThrow(Nanogen.resolve({ apiKeys: { aimlapi: "k" } })))
 * // d.providers: [{ position: 1, name: "aimlapi", apiUrl: "https://api.aimlapi.com/v1", apiKey: "<redacted>", … }]
 * ```
 * @since 0.1.0
 * @category Accessors
 */
export const describeSettings = (settings: Settings): Description => ({
  providers: settings.providers.map((provider, index) => ({
    position: index + 1,
    name: provider.name,
    apiUrl: provider.apiUrl,
    apiKey: "<redacted>",
    keyVariables: keyVariables(provider.name),
    urlVariable: variables[provider.name].url
  })),
  model: settings.model,
  timeout: Duration.format(settings.timeout ?? Fallback.defaults.attemptTimeout)
})

/**
 * The configured providers, read from the environment, keys redacted, in fallback order (`nanogen providers`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Nanogen } from "@nanogen/client"
 * const lines = Effect.map(Nanogen.describe, (providers) => providers.map((p) => `${p.position}. ${p.name} ${p.apiUrl}`))
 * ```
 * @since 0.1.0
 * @category Accessors
 */
export const describe: Effect.Effect<ReadonlyArray<ProviderDescription>, ConfigError.ConfigError> = Effect.map(
  config,
  (settings) => describeSettings(settings).providers
)

/**
 * `describeSettings` of the environment: providers, default model and per-attempt timeout.
 *
 * @since 0.1.0
 * @category Accessors
 */
export const describeConfig: Effect.Effect<Description, ConfigError.ConfigError> = Effect.map(config, describeSettings)
