/**
 * The seam between the CLI / facade and the configuration-driven assembly (`Nanogen`): the provider layer from
 * the environment (with overrides), the description of the configured providers, and configuration errors as
 * readable lines.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import type { ImageProvider } from "@nanogen/core"
import * as ConfigError from "effect/ConfigError"
import * as ConfigProvider from "effect/ConfigProvider"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Nanogen from "./Nanogen.js"

/**
 * A configuration error as the CLI and the facade report it: one readable line per problem.
 *
 * @example
 * ```ts
 * import { Settings } from "@nanogen/client"
 * const error = new Settings.SettingsError({ message: "set OPENROUTER_API_KEY", lines: ["configuration error: …"] })
 * ```
 * @since 0.1.0
 */
export class SettingsError extends Data.TaggedError("SettingsError")<{
  readonly message: string
  readonly lines: ReadonlyArray<string>
}> {}

/**
 * The distinct messages of a `ConfigError` (every branch of an `And` / `Or`), one line each, prefixed by the
 * variable unless the message already starts with it.
 *
 * @example
 * ```ts
 * import { ConfigError } from "effect"
 * import { Settings } from "@nanogen/client"
 * Settings.configErrorLines(ConfigError.MissingData(["AIML_API_KEY"], "set it"))
 * // ["configuration error: AIML_API_KEY: set it"]
 * ```
 * @since 0.1.0
 */
export const configErrorLines = (error: ConfigError.ConfigError): Array<string> => {
  const messages = new Set<string>()
  const walk = (e: ConfigError.ConfigError): void => {
    switch (e._op) {
      case "And":
      case "Or":
        walk(e.left)
        walk(e.right)
        return
      default:
        messages.add(
          e.path.length === 0 || e.message.startsWith(e.path.join("."))
            ? e.message
            : `${e.path.join(".")}: ${e.message}`
        )
    }
  }
  walk(error)
  return [...messages].map((message) => `configuration error: ${message}`)
}

/**
 * Any configuration failure (a `ConfigError`, an `Error`, anything) as a `SettingsError`.
 *
 * @example
 * ```ts
 * import { ConfigError } from "effect"
 * import { Settings } from "@nanogen/client"
 * Settings.toSettingsError(ConfigError.InvalidData(["NANOGEN_TIMEOUT"], "NANOGEN_TIMEOUT must be …")).lines
 * // ["configuration error: NANOGEN_TIMEOUT must be …"]
 * ```
 * @since 0.1.0
 */
export const toSettingsError = (error: unknown): SettingsError => {
  if (error instanceof SettingsError) return error
  if (ConfigError.isConfigError(error)) {
    const lines = configErrorLines(error)
    return new SettingsError({ message: lines.join("; "), lines })
  }
  const message = error instanceof Error ? error.message : String(error)
  return new SettingsError({ message, lines: [`configuration error: ${message}`] })
}

/**
 * A config provider that answers `overrides` first, then the environment (or `env` when given).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Nanogen, Settings } from "@nanogen/client"
 * const settings = Nanogen.config.pipe(
 *   Effect.withConfigProvider(Settings.configProvider({ NANOGEN_PROVIDERS: "aimlapi" }, { AIML_API_KEY: "k" }))
 * )
 * ```
 * @since 0.1.0
 */
export const configProvider = (
  overrides: Readonly<Record<string, string | undefined>>,
  env?: Readonly<Record<string, string | undefined>>
): ConfigProvider.ConfigProvider => {
  const entries = Object.entries(overrides).filter((entry): entry is [string, string] => entry[1] !== undefined)
  const base = env === undefined
    ? ConfigProvider.fromEnv()
    : ConfigProvider.fromMap(
      new Map(Object.entries(env).filter((entry): entry is [string, string] => entry[1] !== undefined))
    )
  return entries.length === 0 ? base : ConfigProvider.fromMap(new Map(entries)).pipe(ConfigProvider.orElse(() => base))
}

/**
 * The fallback layer configured from the environment (or `env` when given) over the registry of `layerOptions`
 * (default `Nanogen.builtins`); `providers` (a comma-separated list), when given, overrides `NANOGEN_PROVIDERS`, and
 * `overrides` answer before the environment.
 *
 * @example
 * ```ts
 * import { Settings } from "@nanogen/client"
 * const layer = Settings.providerLayer("google-direct,openrouter", { layerOptions: { fallback: { attempts: 2 } } })
 * ```
 * @since 0.1.0
 */
export const providerLayer = (
  providers?: string,
  options: {
    readonly layerOptions?: Nanogen.ConfigOptions | undefined
    readonly overrides?: Readonly<Record<string, string | undefined>> | undefined
    readonly env?: Readonly<Record<string, string | undefined>> | undefined
  } = {}
): Layer.Layer<ImageProvider.ImageProvider, SettingsError, HttpClient.HttpClient> =>
  Nanogen.layerConfigWith(options.layerOptions).pipe(
    Layer.mapError(toSettingsError),
    Layer.provide(Layer.setConfigProvider(configProvider(withOrder(options.overrides, providers), options.env)))
  )

const withOrder = (
  overrides: Readonly<Record<string, string | undefined>> | undefined,
  providers: string | undefined
): Readonly<Record<string, string | undefined>> =>
  providers === undefined ? { ...overrides } : { ...overrides, NANOGEN_PROVIDERS: providers }

/**
 * The configured providers (keys redacted) over a registry (default `Nanogen.builtins`); `providers`, when given,
 * overrides `NANOGEN_PROVIDERS`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Settings } from "@nanogen/client"
 * const names = Effect.map(Settings.describe("google,openrouter"), (d) => d.providers.map((p) => p.name))
 * ```
 * @since 0.1.0
 */
export const describe = (
  providers?: string,
  options: {
    readonly registry?: ReadonlyArray<Nanogen.ProviderEntry> | undefined
    readonly env?: Readonly<Record<string, string | undefined>> | undefined
  } = {}
): Effect.Effect<Nanogen.Description, SettingsError> =>
  Nanogen.describeConfigWith({ providers: options.registry }).pipe(
    Effect.mapError(toSettingsError),
    Effect.withConfigProvider(configProvider(withOrder({}, providers), options.env))
  )
