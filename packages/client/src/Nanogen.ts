/**
 * The configuration-driven assembly over a registry of provider definitions: which backends, in what order, with
 * which keys, URLs, default model and per-attempt timeout — read from the environment (`layerConfig`) or given
 * explicitly (`layer`) — composed into one failover `ImageProvider`. Every list (names, variables, messages, help)
 * is derived from the registry: a third-party backend joins with `layerConfigWith({ providers: [...builtins, it] })`.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import { definition as aimlapi } from "@nanogen/aimlapi"
import { Fallback, type ImageProvider, ProviderDefinition } from "@nanogen/core"
import { Fleet } from "@nanogen/fleet"
import { definition as googleDirect } from "@nanogen/google-direct"
import { definition as openrouter } from "@nanogen/openrouter"
import { definition as vertex } from "@nanogen/vertex"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type * as Redacted from "effect/Redacted"

/**
 * A backend as the assembly sees it: any provider package's `definition`.
 *
 * @example
 * ```ts
 * import { Nanogen } from "@nanogen/client"
 * const first: Nanogen.Definition = Nanogen.builtins[0]!
 * ```
 * @since 0.2.0
 * @category Models
 */
export type Definition = ProviderDefinition.ProviderDefinition<any>

/**
 * The built-in backends, in the default fallback order (openrouter, google-direct, aimlapi). This is the only
 * list of backends in the client and the CLI: names, aliases, variables, help text and messages derive from it.
 *
 * @example
 * ```ts
 * import { Nanogen } from "@nanogen/client"
 * Nanogen.builtins.map((definition) => definition.name) // ["openrouter", "google-direct", "aimlapi"]
 * ```
 * @since 0.2.0
 * @category Registry
 */
export const builtins: ReadonlyArray<Definition> = [openrouter, googleDirect, vertex, aimlapi]

/**
 * A backend in a `providers` list: a definition, or the name (or alias) of a built-in one or of a definition
 * listed beside it.
 *
 * @example
 * ```ts
 * import { Nanogen } from "@nanogen/client"
 * const entries: ReadonlyArray<Nanogen.ProviderEntry> = ["google", ...Nanogen.builtins.slice(0, 1)]
 * ```
 * @since 0.2.0
 * @category Models
 */
export type ProviderEntry = string | Definition

/**
 * The names of the built-in backends, in the default fallback order.
 *
 * @example
 * ```ts
 * import { Nanogen } from "@nanogen/client"
 * Nanogen.providerNames.join(", ") // "openrouter, google-direct, aimlapi"
 * ```
 * @since 0.1.0
 * @category Registry
 */
export const providerNames: ReadonlyArray<string> = builtins.map((definition) => definition.name)

/**
 * The key variables of a backend as people read them: `GEMINI_API_KEY (or GOOGLE_API_KEY)`.
 *
 * @example
 * ```ts
 * import { Nanogen } from "@nanogen/client"
 * Nanogen.builtins.map(Nanogen.keyVariables) // ["OPENROUTER_API_KEY", "GEMINI_API_KEY (or GOOGLE_API_KEY)", "AIML_API_KEY"]
 * ```
 * @since 0.2.0
 * @category Registry
 */
export const keyVariables = (definition: Definition): string => {
  const [first, ...rest] = definition.credentials.apiKey
  return rest.length === 0 ? first : `${first} (or ${rest.join(" or ")})`
}

/**
 * Every environment variable a backend reads, described (its key variables, its URL variable with the default,
 * then its own further variables): what help text and `nanogen providers` show.
 *
 * @example
 * ```ts
 * import { Nanogen } from "@nanogen/client"
 * Nanogen.variablesOf(Nanogen.builtins[0]!).map((variable) => variable.name) // ["OPENROUTER_API_KEY", "OPENROUTER_API_URL"]
 * ```
 * @since 0.2.0
 * @category Registry
 */
export const variablesOf = (definition: Definition): ReadonlyArray<ProviderDefinition.Variable> => [
  ...definition.credentials.apiKey.map((name, index) => ({
    name,
    description: `${definition.name} API key${
      index === 0 ? "" : ` (read when ${definition.credentials.apiKey[0]} is not set)`
    }`
  })),
  { name: definition.apiUrl.env, description: `${definition.name} base URL, default ${definition.apiUrl.default}` },
  ...definition.variables
]

/**
 * The variables of the assembly itself (beside each backend's own).
 *
 * @example
 * ```ts
 * import { Nanogen } from "@nanogen/client"
 * Nanogen.assemblyVariables.map((variable) => variable.name) // ["NANOGEN_PROVIDERS", "NANOGEN_MODEL", "NANOGEN_TIMEOUT"]
 * ```
 * @since 0.2.0
 * @category Registry
 */
export const assemblyVariables: ReadonlyArray<ProviderDefinition.Variable> = [
  {
    name: "NANOGEN_PROVIDERS",
    description: "fallback order, comma-separated names; default every backend with a key, in the default order"
  },
  { name: "NANOGEN_MODEL", description: "model alias used when a request names none (default nano-banana-2)" },
  { name: "NANOGEN_TIMEOUT", description: "per-attempt timeout, e.g. \"90 seconds\" or 90 (default 2 minutes)" },
  {
    name: "NANOGEN_ALLOW_PRIVATE_NETWORK",
    description: "1 to allow image downloads from http: and private addresses (the emulator only)"
  },
  { name: "NANOGEN_REDIS_URL", description: "redis://… shares health, rate limits, results and spend across a fleet" },
  {
    name: "NANOGEN_RATE_LIMITS",
    description: "request budgets per backend, e.g. \"openrouter=60/1m,google-direct=10/1m\""
  },
  { name: "NANOGEN_SPEND_CAP", description: "rolling spend limit in USD, e.g. \"50/1d\"" }
]

/**
 * The message when no backend of the registry is configured, naming every key variable to set.
 *
 * @example
 * ```ts
 * import { Nanogen } from "@nanogen/client"
 * Nanogen.noProviderMessage()
 * // "No image provider is configured: set at least one of OPENROUTER_API_KEY, GEMINI_API_KEY (or GOOGLE_API_KEY), …"
 * ```
 * @since 0.2.0
 * @category Registry
 */
export const noProviderMessage = (registry: ReadonlyArray<Definition> = builtins): string =>
  `No image provider is configured: set at least one of ${
    registry.map(keyVariables).join(", ")
  }, and optionally NANOGEN_PROVIDERS to choose the order`

/**
 * The registry a `providers` list stands for: its definitions, and the built-in ones its names designate, in list
 * order; without a list, `builtins`. Two definitions answering to the same name or alias are a `ConfigError`, and
 * so is a name that designates none.
 *
 * @example
 * ```ts
 * import { Nanogen } from "@nanogen/client"
 * Nanogen.registry(["google", "openrouter"]) // Either.right([google-direct, openrouter])
 * ```
 * @since 0.2.0
 * @category Registry
 */
export const registry = (
  providers?: ReadonlyArray<ProviderEntry> | undefined
): Either.Either<ReadonlyArray<Definition>, ConfigError.ConfigError> => {
  if (providers === undefined) return Either.right(builtins)
  const given = providers.filter((entry): entry is Definition => typeof entry !== "string")
  const known = [
    ...given,
    ...builtins.filter((builtin) => !given.some((definition) => definition.name === builtin.name))
  ]
  const result: Array<Definition> = []
  for (const entry of providers) {
    const definition = typeof entry === "string" ? ProviderDefinition.find(known, entry) : entry
    if (definition === undefined) {
      return Either.left(unknownProvider("providers", entry as string, known))
    }
    const clash = result.find((other) =>
      [definition.name, ...definition.aliases].some((spelled) => ProviderDefinition.matches(other, spelled))
    )
    if (clash !== undefined) {
      return Either.left(ConfigError.InvalidData(
        ["providers"],
        clash === definition
          ? `providers lists ${definition.name} more than once`
          : `providers lists two backends answering to the same name: ${clash.name} and ${definition.name}`
      ))
    }
    result.push(definition)
  }
  if (result.length === 0) return Either.left(ConfigError.InvalidData(["providers"], "providers lists no backend"))
  return Either.right(result)
}

const unknownProvider = (label: string, spelled: string, known: ReadonlyArray<Definition>) =>
  ConfigError.InvalidData(
    [label],
    `${label} names an unknown provider "${spelled.trim()}"; expected a comma-separated list of ${
      known.map((definition) => definition.name).join(", ")
    }`
  )

/**
 * One configured backend. `apiKey` is `undefined` only for a backend read from the environment through its own
 * `layerConfig` (one that reads more than a key, such as a credentials file).
 *
 * @example
 * ```ts
 * import { Either, Redacted } from "effect"
 * import { Nanogen } from "@nanogen/client"
 * const [first] = Either.getOrThrow(Nanogen.resolve({ apiKeys: { aimlapi: "k" } })).providers
 * first.name // "aimlapi"
 * ```
 * @since 0.1.0
 * @category Models
 */
export interface ProviderSettings {
  readonly name: string
  readonly definition: Definition
  readonly apiKey: Redacted.Redacted | undefined
  readonly apiUrl: string
  /** `environment`: built by the definition's own `layerConfig` when it has one; `options`: by its `layer`. */
  readonly source: "environment" | "options"
}

/**
 * Resolved settings: the backends in fallback order (at least one), the default model, the per-attempt timeout.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Nanogen } from "@nanogen/client"
 * const model = Effect.map(Nanogen.config, (settings: Nanogen.Settings) => settings.model ?? "nano-banana-2")
 * ```
 * @since 0.1.0
 * @category Models
 */
export interface Settings {
  readonly providers: readonly [ProviderSettings, ...Array<ProviderSettings>]
  readonly model: string | undefined
  readonly timeout: Duration.Duration | undefined
  /** `NANOGEN_ALLOW_PRIVATE_NETWORK` (environment only): the default of `LayerOptions.allowPrivateNetwork`. */
  readonly allowPrivateNetwork?: boolean | undefined
}

/**
 * What the layers accept beside the settings.
 *
 * @example
 * ```ts
 * import type { Nanogen } from "@nanogen/client"
 * const options: Nanogen.LayerOptions = { fallback: { attempts: 2 }, allowPrivateNetwork: true }
 * ```
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
 * Options of `layerConfigWith`: the registry (`providers`, default `builtins`: the backends that may be used, in
 * the default fallback order) and the layer options.
 *
 * @example
 * ```ts
 * import { Nanogen } from "@nanogen/client"
 * declare const myDefinition: Nanogen.Definition
 * const options: Nanogen.ConfigOptions = { providers: [...Nanogen.builtins, myDefinition] }
 * ```
 * @since 0.2.0
 * @category Models
 */
export interface ConfigOptions extends LayerOptions {
  readonly providers?: ReadonlyArray<ProviderEntry> | undefined
}

/**
 * Explicit settings for `layer`.
 *
 * @example
 * ```ts
 * import type { Nanogen } from "@nanogen/client"
 * const options: Nanogen.Options = {
 *   providers: ["google", "openrouter"],
 *   apiKeys: { google: "AIza…", openrouter: "sk-or-…" },
 *   apiUrls: { openrouter: "http://127.0.0.1:8080/api/v1" },
 *   timeout: "90 seconds"
 * }
 * ```
 * @since 0.1.0
 * @category Models
 */
export interface Options extends LayerOptions {
  /**
   * Fallback order: names (or aliases) of built-in backends, or definitions (a definition also makes its name
   * known). Default: every built-in backend with a key in `apiKeys`, in the default order.
   */
  readonly providers?: ReadonlyArray<ProviderEntry> | undefined
  /** API keys by backend name (or alias); a plain string is wrapped in `Redacted` at once. */
  readonly apiKeys?: Readonly<Record<string, Redacted.Redacted | string | undefined>> | undefined
  /** Base URLs by backend name (or alias): emulators, proxies. */
  readonly apiUrls?: Readonly<Record<string, string | undefined>> | undefined
  /** Model alias used when a request names none. */
  readonly model?: string | undefined
  /** Per-attempt timeout: a duration (`"90 seconds"`), or a number of seconds (`90`, `"90"`). Default 120 s. */
  readonly timeout?: Duration.DurationInput | string | undefined
}

const parseTimeout = (
  value: Duration.DurationInput | string | undefined
): Either.Either<Duration.Duration | undefined, ConfigError.ConfigError> => {
  if (value === undefined || (typeof value === "string" && value.trim() === "")) return Either.right(undefined)
  const decoded = typeof value === "string" && /^\s*\d+(\.\d+)?\s*$/.test(value)
    ? Option.some(Duration.seconds(Number(value)))
    : typeof value === "number"
    ? Option.some(Duration.seconds(value))
    : Duration.decodeUnknown(typeof value === "string" ? value.trim() : value)
  if (Option.isNone(decoded) || !Duration.isFinite(decoded.value) || Duration.toMillis(decoded.value) <= 0) {
    return Either.left(ConfigError.InvalidData(
      ["NANOGEN_TIMEOUT"],
      `NANOGEN_TIMEOUT must be a positive duration such as "90 seconds", "2 minutes" or a number of seconds (got ${
        JSON.stringify(String(value))
      })`
    ))
  }
  return Either.right(decoded.value)
}

const parseModel = (value: string | undefined): string | undefined => {
  const model = value?.trim()
  return model === undefined || model === "" ? undefined : model
}

/** The definitions a spelled order designates, in order; `undefined` when the order is unset or blank. */
const select = (
  known: ReadonlyArray<Definition>,
  spelled: ReadonlyArray<string> | undefined,
  label: string
): Either.Either<Array<Definition> | undefined, ConfigError.ConfigError> => {
  const names = (spelled ?? []).map((name) => name.trim()).filter((name) => name !== "")
  if (names.length === 0) return Either.right(undefined)
  const order: Array<Definition> = []
  for (const name of names) {
    const definition = ProviderDefinition.find(known, name)
    if (definition === undefined) return Either.left(unknownProvider(label, name, known))
    if (order.includes(definition)) {
      return Either.left(ConfigError.InvalidData([label], `${label} lists ${definition.name} more than once`))
    }
    order.push(definition)
  }
  return Either.right(order)
}

const missingKeys = (label: string, missing: ReadonlyArray<Definition>): ConfigError.ConfigError =>
  ConfigError.MissingData(
    [missing[0]!.credentials.apiKey[0]],
    `${label} lists ${missing.map((definition) => definition.name).join(", ")} but ${
      missing.length === 1 ? "its key is" : "their keys are"
    } not set: set ${missing.map(keyVariables).join(", ")}, or remove ${
      missing.length === 1 ? "it" : "them"
    } from ${label}`
  )

/**
 * The entry of a per-backend record (`apiKeys`, `apiUrls`) that belongs to a backend: under its name, else one of
 * its aliases.
 */
const entryOf = <A>(
  record: Readonly<Record<string, A | undefined>> | undefined,
  definition: Definition
): { readonly key: string; readonly value: A } | undefined => {
  if (record === undefined) return undefined
  for (const key of [definition.name, ...definition.aliases]) {
    for (const [spelled, value] of Object.entries(record)) {
      if (value !== undefined && spelled.trim().toLowerCase() === key.toLowerCase()) return { key: spelled, value }
    }
  }
  return undefined
}

/**
 * Checks that every key of a per-backend record (`apiKeys`, `apiUrls`) names a backend of the registry.
 *
 * @example
 * ```ts
 * import { Nanogen } from "@nanogen/client"
 * Nanogen.checkKeys("apiKeys", { dalle: "k" }, Nanogen.builtins)
 * // Either.left(ConfigError: apiKeys names an unknown provider "dalle"; expected one of openrouter, google-direct, aimlapi)
 * ```
 * @since 0.2.0
 * @category Registry
 */
export const checkKeys = (
  label: string,
  record: Readonly<Record<string, unknown>> | undefined,
  known: ReadonlyArray<Definition>
): Either.Either<void, ConfigError.ConfigError> => {
  for (const spelled of Object.keys(record ?? {})) {
    if (ProviderDefinition.find(known, spelled) === undefined) {
      return Either.left(ConfigError.InvalidData(
        [label],
        `${label} names an unknown provider "${spelled}"; expected one of ${
          known.map((definition) => definition.name).join(", ")
        }`
      ))
    }
  }
  return Either.void
}

/**
 * The API key of a backend in an explicit `apiKeys` record, checked (`ProviderDefinition.checkApiKey`): a key
 * with a character that cannot be sent in a header is a `ConfigError` naming `apiKeys.<name>`.
 *
 * @example
 * ```ts
 * import { Nanogen } from "@nanogen/client"
 * Nanogen.apiKeyOf({ openrouter: "sk-or-…" }, Nanogen.builtins[0]!) // Either.left(ConfigError: apiKeys.openrouter holds …)
 * ```
 * @since 0.2.0
 * @category Registry
 */
export const apiKeyOf = (
  apiKeys: Options["apiKeys"],
  definition: Definition
): Either.Either<Redacted.Redacted | undefined, ConfigError.ConfigError> => {
  const entry = entryOf(apiKeys, definition)
  return entry === undefined
    ? Either.right(undefined)
    : ProviderDefinition.checkApiKey(`apiKeys.${entry.key}`, entry.value)
}

/**
 * Turns explicit options into `Settings`, or a `ConfigError` whose message names what to set. Nothing is read
 * from the environment.
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
export const resolve = (options: Options): Either.Either<Settings, ConfigError.ConfigError> =>
  Either.gen(function*() {
    const given = (options.providers ?? []).filter((entry): entry is Definition => typeof entry !== "string")
    const known = yield* registry([
      ...given,
      ...builtins.filter((builtin) => !given.some((definition) => definition.name === builtin.name))
    ])
    yield* checkKeys("apiKeys", options.apiKeys, known)
    yield* checkKeys("apiUrls", options.apiUrls, known)
    const keys = new Map<Definition, Redacted.Redacted | undefined>()
    for (const definition of known) keys.set(definition, yield* apiKeyOf(options.apiKeys, definition))
    const listed = yield* select(
      known,
      options.providers?.map((entry) => typeof entry === "string" ? entry : entry.name),
      "providers"
    )
    let order: Array<Definition>
    if (listed === undefined) {
      order = builtins.filter((definition) => keys.get(definition) !== undefined)
      if (order.length === 0) return yield* Either.left(ConfigError.MissingData([], noProviderMessage(builtins)))
    } else {
      order = listed
      const missing = order.filter((definition) => keys.get(definition) === undefined)
      if (missing.length > 0) return yield* Either.left(missingKeys("providers", missing))
    }
    const timeout = yield* parseTimeout(options.timeout)
    const providers = order.map((definition): ProviderSettings => ({
      name: definition.name,
      definition,
      apiKey: keys.get(definition),
      apiUrl: entryOf(options.apiUrls, definition)?.value.trim() || definition.apiUrl.default,
      source: "options"
    }))
    return {
      providers: providers as unknown as Settings["providers"],
      model: parseModel(options.model),
      timeout
    }
  })

/**
 * The settings read from the environment over a registry: `NANOGEN_PROVIDERS` (names or aliases of the registry;
 * default every configured backend, in registry order), each selected backend's key and URL variables (from its
 * definition), `NANOGEN_MODEL`, `NANOGEN_TIMEOUT`, `NANOGEN_ALLOW_PRIVATE_NETWORK`. A key that cannot be sent in a header is a `ConfigError` naming
 * its variable.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Nanogen } from "@nanogen/client"
 * declare const myDefinition: Nanogen.Definition
 * const order = Effect.map(
 *   Nanogen.configWith({ providers: [...Nanogen.builtins, myDefinition] }),
 *   (settings) => settings.providers.map((p) => p.name)
 * )
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const configWith = (
  options: Pick<ConfigOptions, "providers"> = {}
): Effect.Effect<Settings, ConfigError.ConfigError> =>
  Effect.gen(function*() {
    const known = yield* registry(options.providers)
    const listed = yield* select(
      known,
      (yield* ProviderDefinition.variable("NANOGEN_PROVIDERS"))?.split(","),
      "NANOGEN_PROVIDERS"
    )
    const configured = yield* Effect.filter(
      listed ?? known,
      (definition) => ProviderDefinition.isConfigured(definition)
    )
    if (listed === undefined && configured.length === 0) {
      return yield* Effect.fail(ConfigError.MissingData([], noProviderMessage(known)))
    }
    const missing = (listed ?? []).filter((definition) =>
      definition.layerConfig === undefined && !configured.includes(definition)
    )
    if (missing.length > 0) return yield* Effect.fail(missingKeys("NANOGEN_PROVIDERS", missing))
    const providers: Array<ProviderSettings> = []
    for (const definition of listed ?? configured) {
      const credential = yield* ProviderDefinition.credentialConfig(definition)
      providers.push({
        name: definition.name,
        definition,
        apiKey: Option.getOrUndefined(Option.map(credential, (found) => found.apiKey)),
        apiUrl: yield* ProviderDefinition.apiUrlConfig(definition),
        source: "environment"
      })
    }
    const timeout = yield* parseTimeout(yield* ProviderDefinition.variable("NANOGEN_TIMEOUT"))
    const allowPrivateNetwork = yield* Config.boolean("NANOGEN_ALLOW_PRIVATE_NETWORK").pipe(Config.withDefault(false))
    return {
      providers: providers as unknown as Settings["providers"],
      model: parseModel(yield* ProviderDefinition.variable("NANOGEN_MODEL")),
      timeout,
      ...(allowPrivateNetwork ? { allowPrivateNetwork } : {})
    }
  })

/**
 * `configWith` over `builtins`: `NANOGEN_PROVIDERS`, `OPENROUTER_API_KEY` / `OPENROUTER_API_URL`, `GEMINI_API_KEY`
 * (or `GOOGLE_API_KEY`) / `GEMINI_API_URL`, `AIML_API_KEY` / `AIML_API_URL`, `NANOGEN_MODEL`, `NANOGEN_TIMEOUT`.
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
export const config: Effect.Effect<Settings, ConfigError.ConfigError> = configWith()

const providerLayer = (
  provider: ProviderSettings,
  timeout: Duration.Duration | undefined,
  options: LayerOptions
): Layer.Layer<ImageProvider.ImageProvider, ConfigError.ConfigError, HttpClient.HttpClient> => {
  const common = {
    ...(timeout === undefined ? {} : { timeout }),
    ...(options.allowPrivateNetwork === true ? { download: { allowPrivateNetwork: true } } : {})
  }
  const { definition } = provider
  if (provider.source === "environment" && definition.layerConfig !== undefined) {
    return ProviderDefinition.layerConfig(definition, common)
  }
  if (provider.apiKey === undefined) {
    return Layer.fail(ConfigError.MissingData([definition.credentials.apiKey[0]], `${definition.name}: no API key`))
  }
  return definition.layer({ ...common, apiKey: provider.apiKey, apiUrl: provider.apiUrl })
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
): Layer.Layer<ImageProvider.ImageProvider, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Fallback.layer(
    settings.providers.map((provider) =>
      providerLayer(provider, settings.timeout, {
        ...options,
        allowPrivateNetwork: options.allowPrivateNetwork ?? settings.allowPrivateNetwork
      })
    ),
    {
      ...options.fallback,
      ...(settings.timeout === undefined ? {} : { attemptTimeout: settings.timeout }),
      ...(settings.model === undefined ? {} : { defaultModel: settings.model })
    }
  )

/**
 * The failover `ImageProvider` from explicit settings (nothing is read from the environment). Invalid settings
 * fail the layer with a `ConfigError`.
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
 * The failover `ImageProvider` from the environment over a registry (default `builtins`), with further options
 * (fallback tuning, private-network downloads for emulators). A third-party backend is one more definition.
 *
 * @example
 * ```ts
 * import { Nanogen } from "@nanogen/client"
 * declare const myDefinition: Nanogen.Definition
 *
 * // NANOGEN_PROVIDERS=my-backend,openrouter MY_BACKEND_API_KEY=… OPENROUTER_API_KEY=…
 * const Live = Nanogen.layerConfigWith({ providers: [...Nanogen.builtins, myDefinition], fallback: { attempts: 3 } })
 * ```
 * @since 0.1.0
 * @category Layers
 */
export const layerConfigWith = (
  options: ConfigOptions = {}
): Layer.Layer<ImageProvider.ImageProvider, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.map(configWith(options), (settings) => layerSettings(settings, options))).pipe(
    // Fleet mode from the environment: NANOGEN_REDIS_URL shares health, budgets, results and spend through Redis;
    // without it the same services run in memory (NANOGEN_RATE_LIMITS and NANOGEN_SPEND_CAP apply either way).
    Layer.provide(Fleet.layerConfig())
  )

/**
 * The failover `ImageProvider` from the environment over `builtins` (see `config`). Swapping backends is a change
 * of environment.
 *
 * @example
 * ```ts
 * import { Effect, Layer } from "effect"
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { ImageProvider } from "@nanogen/core"
 * import { Nanogen } from "@nanogen/client"
 *
 * // NANOGEN_PROVIDERS=openrouter,google-direct OPENROUTER_API_KEY=… GEMINI_API_KEY=…
 * const Live = Nanogen.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici))
 * const result = ImageProvider.generate({ prompt: "a nano banana" }).pipe(Effect.provide(Live))
 * ```
 * @since 0.1.0
 * @category Layers
 */
export const layerConfig = (): Layer.Layer<
  ImageProvider.ImageProvider,
  ConfigError.ConfigError,
  HttpClient.HttpClient
> => layerConfigWith()

/**
 * One configured backend as shown to people (`nanogen providers`): the key is never shown.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Nanogen } from "@nanogen/client"
 * const urls = Effect.map(Nanogen.describe, (rows: ReadonlyArray<Nanogen.ProviderDescription>) => rows.map((r) => r.apiUrl))
 * ```
 * @since 0.1.0
 * @category Models
 */
export interface ProviderDescription {
  readonly position: number
  readonly name: string
  readonly description: string
  readonly apiUrl: string
  /** `<redacted>`, or `-` for a backend whose own configuration holds no key (a credentials file). */
  readonly apiKey: "<redacted>" | "-"
  readonly keyVariables: string
  readonly urlVariable: string
}

/**
 * The configured assembly as shown to people: backends in order, default model, per-attempt timeout.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Nanogen } from "@nanogen/client"
 * const line = Effect.map(Nanogen.describeConfig, (d: Nanogen.Description) => `${d.providers.length} backends, ${d.timeout}`)
 * ```
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
    description: provider.definition.description,
    apiUrl: provider.apiUrl,
    apiKey: provider.apiKey === undefined ? "-" : "<redacted>",
    keyVariables: keyVariables(provider.definition),
    urlVariable: provider.definition.apiUrl.env
  })),
  model: settings.model,
  timeout: Duration.format(settings.timeout ?? Fallback.defaults.attemptTimeout)
})

/**
 * `describeSettings` of the environment over a registry (default `builtins`): providers, default model and
 * per-attempt timeout, keys redacted (what `nanogen providers` prints).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Nanogen } from "@nanogen/client"
 * declare const myDefinition: Nanogen.Definition
 * const names = Effect.map(
 *   Nanogen.describeConfigWith({ providers: [...Nanogen.builtins, myDefinition] }),
 *   (description) => description.providers.map((p) => p.name)
 * )
 * ```
 * @since 0.2.0
 * @category Accessors
 */
export const describeConfigWith = (
  options: Pick<ConfigOptions, "providers"> = {}
): Effect.Effect<Description, ConfigError.ConfigError> => Effect.map(configWith(options), describeSettings)

/**
 * `describeConfigWith` over `builtins`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Nanogen } from "@nanogen/client"
 * const timeout = Effect.map(Nanogen.describeConfig, (description) => description.timeout)
 * ```
 * @since 0.1.0
 * @category Accessors
 */
export const describeConfig: Effect.Effect<Description, ConfigError.ConfigError> = describeConfigWith()

/**
 * The configured providers, read from the environment, keys redacted, in fallback order.
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
  describeConfig,
  (description) => description.providers
)
