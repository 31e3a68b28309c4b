/**
 * `ProviderDefinition`: everything the layers above the providers (the assembly, the facade, the CLI) need to know
 * about one backend — its name and other spellings, its environment variables, its capability table keyed by
 * Google's model aliases, and how to build its layer. A backend package exports one `definition`; code above the
 * providers iterates a list of them and never names a backend.
 *
 * @since 0.2.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as ImageDownload from "./ImageDownload.js"
import * as ImageProvider from "./ImageProvider.js"
import type * as ModelCatalog from "./ModelCatalog.js"

/**
 * The options every provider layer accepts beside its credential and URL: the same names and meaning on every
 * backend.
 *
 * @example
 * ```ts
 * import type { ProviderDefinition } from "@nanogen/core"
 * const common: ProviderDefinition.CommonOptions = { timeout: "90 seconds", download: { allowPrivateNetwork: true } }
 * ```
 * @since 0.2.0
 * @category Models
 */
export interface CommonOptions {
  /** Deadline of one API call. Default 120 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Cap on an API answer body, in bytes. Default 64 MiB. */
  readonly maxBodyBytes?: number | undefined
  /** Parallel API calls when `n` needs more than one call. Default: all at once (`n` is at most 10). */
  readonly concurrency?: number | undefined
  /** Policy of every image download (generated images answered by URL, reference images given by URL). */
  readonly download?: ImageDownload.Options | undefined
  /** A last transformation of the underlying `HttpClient` (proxies, tracing…). */
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

/**
 * The explicit options of a provider layer: the credential, the base URL, and the common options. A provider's own
 * options extend these with optional fields only.
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import type { ProviderDefinition } from "@nanogen/core"
 * const options: ProviderDefinition.Options = { apiKey: Redacted.make("sk-…"), apiUrl: "http://127.0.0.1:8080/v1" }
 * ```
 * @since 0.2.0
 * @category Models
 */
export interface Options extends CommonOptions {
  /** The API key, revealed only when a request is put on the wire. */
  readonly apiKey: Redacted.Redacted
  /** Base URL; default the definition's `apiUrl.default`. */
  readonly apiUrl?: string | undefined
}

/**
 * A further environment variable a backend reads (for help text and `nanogen providers`).
 *
 * @example
 * ```ts
 * import type { ProviderDefinition } from "@nanogen/core"
 * const location: ProviderDefinition.Variable = { name: "GOOGLE_CLOUD_LOCATION", description: "region, default global" }
 * ```
 * @since 0.2.0
 * @category Models
 */
export interface Variable {
  readonly name: string
  readonly description: string
}

/**
 * One backend, described.
 *
 * @example
 * ```ts
 * import type { ProviderDefinition } from "@nanogen/core"
 * declare const definitions: ReadonlyArray<ProviderDefinition.ProviderDefinition>
 * const names = definitions.map((definition) => definition.name)
 * ```
 * @since 0.2.0
 * @category Models
 */
export interface ProviderDefinition<O extends CommonOptions = Options> {
  /** The name in results, attempts, errors and `NANOGEN_PROVIDERS`. */
  readonly name: string
  /** Other spellings accepted in `NANOGEN_PROVIDERS` (compared case-insensitively). */
  readonly aliases: ReadonlyArray<string>
  /** One line for help text: what the backend is. */
  readonly description: string
  /** Environment variables holding the API key, in order: the first one set wins. Read as `Redacted`. */
  readonly credentials: { readonly apiKey: readonly [string, ...Array<string>] }
  /** The environment variable of the base URL, and the URL used when it is not set. */
  readonly apiUrl: { readonly env: string; readonly default: string }
  /** Further variables the backend reads, for help text. */
  readonly variables: ReadonlyArray<Variable>
  /** The backend's capability table, keyed by Google's model alias. */
  readonly models: ModelCatalog.Table
  /** Other native ids the backend serves for a model (older or preview ids), with their lifecycle. */
  readonly nativeAliases: ModelCatalog.NativeAliases
  /** The layer from explicit options. */
  readonly layer: LayerOf<O>
  /**
   * The layer from the environment, when the backend reads more than a key and a URL (a project, a credentials
   * file…). Without it `ProviderDefinition.layerConfig` reads `credentials` and `apiUrl`.
   */
  readonly layerConfig?: LayerConfigOf<O> | undefined
  /**
   * Further options read from the environment (its `variables`) by `ProviderDefinition.layerConfig`; options given
   * in code win over them.
   */
  readonly options?: Config.Config<Partial<Omit<O, "apiKey" | "apiUrl">>> | undefined
  /** Whether the environment configures the backend, when that is more than "a key variable is set". */
  readonly isConfigured?: Config.Config<boolean> | undefined
}

/**
 * What `make` takes: the definition, with `aliases`, `variables` and `nativeAliases` optional.
 *
 * @since 0.2.0
 * @category Models
 */
export interface Fields<O extends CommonOptions>
  extends Omit<ProviderDefinition<O>, "aliases" | "variables" | "nativeAliases">
{
  readonly aliases?: ReadonlyArray<string> | undefined
  readonly variables?: ReadonlyArray<Variable> | undefined
  readonly nativeAliases?: ModelCatalog.NativeAliases | undefined
}

/**
 * Builds a definition, filling the optional lists.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { ImageProvider, ProviderDefinition } from "@nanogen/core"
 * declare const myLayer: (options: ProviderDefinition.Options) => Layer.Layer<ImageProvider.ImageProvider, never, any>
 *
 * export const definition = ProviderDefinition.make({
 *   name: "my-backend",
 *   description: "My backend's images/generations endpoint",
 *   credentials: { apiKey: ["MY_BACKEND_API_KEY"] },
 *   apiUrl: { env: "MY_BACKEND_API_URL", default: "https://api.example.com/v1" },
 *   models: {},
 *   layer: myLayer
 * })
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const make = <O extends CommonOptions>(fields: Fields<O>): ProviderDefinition<O> => ({
  ...fields,
  aliases: fields.aliases ?? [],
  variables: fields.variables ?? [],
  nativeAliases: fields.nativeAliases ?? {}
})

/**
 * Whether `spelled` names the definition (its name or one of its aliases, case-insensitively, spaces trimmed).
 *
 * @example
 * ```ts
 * import { ProviderDefinition } from "@nanogen/core"
 * declare const definition: ProviderDefinition.ProviderDefinition
 * ProviderDefinition.matches(definition, " Google ")
 * ```
 * @since 0.2.0
 * @category Guards
 */
export const matches = (definition: ProviderDefinition<any>, spelled: string): boolean => {
  const wanted = spelled.trim().toLowerCase()
  return definition.name.toLowerCase() === wanted ||
    definition.aliases.some((alias) => alias.toLowerCase() === wanted)
}

/**
 * The definition a name or alias designates in a list, if any.
 *
 * @example
 * ```ts
 * import { ProviderDefinition } from "@nanogen/core"
 * declare const definitions: ReadonlyArray<ProviderDefinition.ProviderDefinition>
 * ProviderDefinition.find(definitions, "aiml")?.name
 * ```
 * @since 0.2.0
 * @category Accessors
 */
export const find = <D extends ProviderDefinition<any>>(
  definitions: ReadonlyArray<D>,
  spelled: string
): D | undefined => definitions.find((definition) => matches(definition, spelled))

const headerUnsafe = /[^\x21-\x7e]/

/**
 * Checks an API key read from `variable` (or given explicitly under that name): spaces around it are dropped, an
 * empty key is `undefined`, and a key holding a character that cannot be sent in an HTTP header (a pasted `…`, a
 * non-breaking space, a line break) is a `ConfigError` naming the variable — never a failed request later.
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import { ProviderDefinition } from "@nanogen/core"
 * ProviderDefinition.checkApiKey("OPENROUTER_API_KEY", Redacted.make("sk-or-…"))
 * // Either.left(ConfigError: OPENROUTER_API_KEY holds a character that cannot be sent in an HTTP header (U+2026) …)
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const checkApiKey = (
  variable: string,
  key: Redacted.Redacted | string | undefined
): Either.Either<Redacted.Redacted | undefined, ConfigError.ConfigError> => {
  if (key === undefined) return Either.right(undefined)
  const raw = typeof key === "string" ? key : Redacted.value(key as Redacted.Redacted<string>)
  const trimmed = raw.trim()
  if (trimmed === "") return Either.right(undefined)
  const bad = headerUnsafe.exec(trimmed)
  if (bad !== null) {
    const codePoint = bad[0].codePointAt(0)!.toString(16).toUpperCase().padStart(4, "0")
    return Either.left(ConfigError.InvalidData(
      [variable],
      `${variable} holds a character that cannot be sent in an HTTP header (U+${codePoint}); paste the key again, ` +
        "without ellipsis, quotes or spaces"
    ))
  }
  return Either.right(trimmed === raw && typeof key !== "string" ? key : Redacted.make(trimmed))
}

/**
 * A credential read from the environment: its value and the variable it came from.
 *
 * @since 0.2.0
 * @category Models
 */
export interface Credential {
  readonly variable: string
  readonly apiKey: Redacted.Redacted
}

/**
 * The API key from the environment: the first of `credentials.apiKey` that is set and not blank, checked with
 * `checkApiKey`. `None` when none is set.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ProviderDefinition } from "@nanogen/core"
 * declare const definition: ProviderDefinition.ProviderDefinition
 * const variable = Effect.map(ProviderDefinition.credentialConfig(definition), (found) => found._tag)
 * ```
 * @since 0.2.0
 * @category Config
 */
export const credentialConfig = (definition: ProviderDefinition<any>): Config.Config<Option.Option<Credential>> =>
  Config.all(
    definition.credentials.apiKey.map((variable) =>
      Config.redacted(variable).pipe(Config.option, Config.map((value) => [variable, value] as const))
    )
  ).pipe(Config.mapOrFail((values) => {
    for (const [variable, value] of values) {
      if (Option.isNone(value)) continue
      const checked = checkApiKey(variable, value.value)
      if (Either.isLeft(checked)) return Either.left(checked.left)
      if (checked.right !== undefined) return Either.right(Option.some({ variable, apiKey: checked.right }))
    }
    return Either.right(Option.none())
  }))

/**
 * An optional environment variable, spaces around it dropped; blank counts as unset (`undefined`).
 *
 * @example
 * ```ts
 * import { ProviderDefinition } from "@nanogen/core"
 * const project = ProviderDefinition.variable("GOOGLE_CLOUD_PROJECT") // Config<string | undefined>
 * ```
 * @since 0.2.0
 * @category Config
 */
export const variable = (name: string): Config.Config<string | undefined> =>
  Config.string(name).pipe(Config.option, Config.map((value) => Option.getOrUndefined(value)?.trim() || undefined))

/**
 * Whether one of the variables is set and not blank.
 *
 * @example
 * ```ts
 * import { ProviderDefinition } from "@nanogen/core"
 * const configured = ProviderDefinition.anySet(["VERTEX_API_KEY", "GOOGLE_APPLICATION_CREDENTIALS"])
 * ```
 * @since 0.2.0
 * @category Config
 */
export const anySet = (names: ReadonlyArray<string>): Config.Config<boolean> =>
  Config.map(Config.all(names.map(variable)), (values) => values.some((value) => value !== undefined))

/**
 * The base URL from the environment (`apiUrl.env`), else `apiUrl.default`; a blank value counts as unset.
 *
 * @example
 * ```ts
 * import { ProviderDefinition } from "@nanogen/core"
 * declare const definition: ProviderDefinition.ProviderDefinition
 * const url = ProviderDefinition.apiUrlConfig(definition)
 * ```
 * @since 0.2.0
 * @category Config
 */
export const apiUrlConfig = (definition: ProviderDefinition<any>): Config.Config<string> =>
  Config.map(variable(definition.apiUrl.env), (url) => url ?? definition.apiUrl.default)

/**
 * Whether the environment configures the backend: its own `isConfigured` when it has one, else whether one of its
 * key variables is set (a set but malformed key counts as configured, so that the layer reports it).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ProviderDefinition } from "@nanogen/core"
 * declare const definitions: ReadonlyArray<ProviderDefinition.ProviderDefinition>
 * const configured = Effect.filter(definitions, (definition) => ProviderDefinition.isConfigured(definition))
 * ```
 * @since 0.2.0
 * @category Config
 */
export const isConfigured = (definition: ProviderDefinition<any>): Config.Config<boolean> =>
  definition.isConfigured ?? anySet(definition.credentials.apiKey)

const missingKey = (definition: ProviderDefinition<any>): ConfigError.ConfigError => {
  const [first, ...rest] = definition.credentials.apiKey
  return ConfigError.MissingData(
    [first],
    `${definition.name}: set ${first}${rest.length === 0 ? "" : ` (or ${rest.join(" or ")})`} to use ${definition.name}`
  )
}

/**
 * The backend's layer configured from the environment: the definition's own `layerConfig` when it has one, else
 * the key (`credentials.apiKey`, required), the URL (`apiUrl`) and the definition's `options` read from the
 * environment and passed to `layer` with `options` (which win over the environment's).
 *
 * @example
 * ```ts
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { Effect, Layer } from "effect"
 * import { ImageProvider, ProviderDefinition } from "@nanogen/core"
 * declare const definition: ProviderDefinition.ProviderDefinition
 *
 * const Live = ProviderDefinition.layerConfig(definition, { timeout: "90 seconds" }).pipe(
 *   Layer.provide(NodeHttpClient.layerUndici)
 * )
 * const program = ImageProvider.generate({ prompt: "a nano banana" }).pipe(Effect.provide(Live))
 * ```
 * @since 0.2.0
 * @category Layers
 */
export const layerConfig = <O extends CommonOptions>(
  definition: ProviderDefinition<O>,
  options?: Omit<O, "apiKey" | "apiUrl">
): Layer.Layer<ImageProvider.ImageProvider, ConfigError.ConfigError, HttpClient.HttpClient> => {
  const rest = (options ?? {}) as Omit<O, "apiKey" | "apiUrl">
  if (definition.layerConfig !== undefined) return definition.layerConfig(rest)
  return Layer.unwrapEffect(
    Effect.gen(function*() {
      const credential = yield* credentialConfig(definition)
      if (Option.isNone(credential)) return yield* Effect.fail(missingKey(definition))
      const apiUrl = yield* apiUrlConfig(definition)
      const fromEnvironment = definition.options === undefined ? {} : yield* definition.options
      return definition.layer({ ...fromEnvironment, ...rest, apiKey: credential.value.apiKey, apiUrl } as unknown as O)
    })
  )
}

/**
 * The type of a provider's `layer`: explicit options in, the `ImageProvider` layer out.
 *
 * @since 0.2.0
 * @category Layers
 */
export type LayerOf<O> = (options: O) => Layer.Layer<ImageProvider.ImageProvider, never, HttpClient.HttpClient>

/**
 * The type of a provider's `layerConfig`: the options beside the credential and URL in, the layer reading the
 * environment out.
 *
 * @since 0.2.0
 * @category Layers
 */
export type LayerConfigOf<O> = (
  options?: Omit<O, "apiKey" | "apiUrl">
) => Layer.Layer<ImageProvider.ImageProvider, ConfigError.ConfigError, HttpClient.HttpClient>

/**
 * A provider's `layer`, from its `make` (the service built from the ambient `HttpClient`).
 *
 * @example
 * ```ts
 * import type { HttpClient } from "@effect/platform"
 * import type { Effect } from "effect"
 * import { type ImageProvider, ProviderDefinition } from "@nanogen/core"
 * declare const make: (options: ProviderDefinition.Options) => Effect.Effect<ImageProvider.ImageProvider.Service, never, HttpClient.HttpClient>
 *
 * export const layer = ProviderDefinition.layerOf(make)
 * ```
 * @since 0.2.0
 * @category Layers
 */
export const layerOf = <O>(
  make: (options: O) => Effect.Effect<ImageProvider.ImageProvider.Service, never, HttpClient.HttpClient>
): LayerOf<O> =>
(options) => Layer.effect(ImageProvider.ImageProvider, make(options))

/**
 * A provider's `layerConfig`: `layerConfig(definition, options)`, the definition given lazily (the definition
 * module and the provider module import each other).
 *
 * @example
 * ```ts
 * import { ProviderDefinition } from "@nanogen/core"
 * declare const definition: ProviderDefinition.ProviderDefinition
 *
 * export const layerConfig = ProviderDefinition.layerConfigOf(() => definition)
 * ```
 * @since 0.2.0
 * @category Layers
 */
export const layerConfigOf =
  <O extends CommonOptions>(definition: () => ProviderDefinition<O>): LayerConfigOf<O> => (options) =>
    layerConfig(definition(), options)
