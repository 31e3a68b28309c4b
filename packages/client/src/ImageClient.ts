/**
 * The Promise facade, for applications that do not use Effect: `createImageClient(options?)` returns
 * `{ generate, close }` running on one managed runtime (Undici HTTP client + the configured fallback chain).
 * Rejections are nanogen's tagged error instances themselves, so `error._tag` works in plain TypeScript.
 *
 * @since 0.1.0
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import type { ImageRequest, ImageResult } from "@nanogen/core"
import { ImageProvider } from "@nanogen/core"
import * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import type * as Nanogen from "./Nanogen.js"
import * as Settings from "./Settings.js"

/**
 * A backend name.
 *
 * @example
 * ```ts
 * import type { ImageClient } from "@nanogen/client"
 * const order: ReadonlyArray<ImageClient.ProviderName> = ["google-direct", "openrouter"]
 * ```
 * @since 0.1.0
 * @category Models
 */
export type ProviderName = "openrouter" | "aimlapi" | "google-direct"

/**
 * Per-backend values (keys, URLs). `google` is accepted as another name for `google-direct`.
 *
 * @example
 * ```ts
 * import type { ImageClient } from "@nanogen/client"
 * const urls: ImageClient.PerProvider = { openrouter: "http://127.0.0.1:8080/api/v1" }
 * ```
 * @since 0.1.0
 * @category Models
 */
export interface PerProvider<A = string> {
  readonly openrouter?: A | undefined
  readonly aimlapi?: A | undefined
  readonly "google-direct"?: A | undefined
  readonly google?: A | undefined
}

/**
 * Options of `createImageClient`. Everything left out is read from the environment (DESIGN.md variables).
 *
 * @example
 * ```ts
 * import type { ImageClient } from "@nanogen/client"
 * const options: ImageClient.ImageClientOptions = { providers: ["openrouter"], timeout: "90 seconds" }
 * ```
 * @since 0.1.0
 * @category Models
 */
export interface ImageClientOptions {
  /** Fallback order, e.g. `["openrouter", "google-direct"]` (overrides `NANOGEN_PROVIDERS`). */
  readonly providers?: ReadonlyArray<ProviderName> | string | undefined
  /** API keys per backend (override `OPENROUTER_API_KEY`, `AIML_API_KEY`, `GEMINI_API_KEY`). */
  readonly apiKeys?: PerProvider<string | Redacted.Redacted> | undefined
  /** Base URLs per backend (override `OPENROUTER_API_URL`, `AIML_API_URL`, `GEMINI_API_URL`). */
  readonly apiUrls?: PerProvider | undefined
  /** Per-attempt timeout: milliseconds or a Duration input such as `"90 seconds"` (overrides `NANOGEN_TIMEOUT`). */
  readonly timeout?: Duration.DurationInput | undefined
  /** Default model alias (overrides `NANOGEN_MODEL`). */
  readonly model?: string | undefined
  /** Further fallback options: attempts per provider, backoff, deadline, health, `n > 1` mode. */
  readonly fallback?: Nanogen.LayerOptions["fallback"]
  /** Let providers reach `http:` and loopback addresses (only for `@nanogen/emulator` and tests). */
  readonly allowPrivateNetwork?: boolean | undefined
  /** Where the rest of the configuration is read; default `process.env`. */
  readonly env?: Readonly<Record<string, string | undefined>> | undefined
  /**
   * Use this provider layer instead of the configured chain (for example `ImageProviderTest.layer()` in tests, or
   * your own `Fallback.layer([...])`). `HttpClient` is provided for it.
   */
  readonly layer?: Layer.Layer<ImageProvider.ImageProvider, unknown, HttpClient.HttpClient> | undefined
}

/**
 * The configuration was incomplete or wrong: `message` names what to set (for example `OPENROUTER_API_KEY`).
 *
 * @example
 * ```ts
 * import { createImageClient, ImageClient } from "@nanogen/client"
 * const error = await createImageClient({ env: {} }).generate({ prompt: "x" }).catch((e) => e)
 * error instanceof ImageClient.ConfigurationError // true: "No image provider is configured: set …"
 * ```
 * @since 0.1.0
 * @category Errors
 */
export class ConfigurationError extends Data.TaggedError("ConfigurationError")<{ readonly message: string }> {}

/**
 * The client: `generate` returns a Promise of the result and rejects with the tagged error itself
 * (`InvalidRequest`, `RateLimited`, `AllProvidersFailed`…, or `ConfigurationError`); `close` releases the runtime
 * (HTTP connections, health state).
 *
 * @example
 * ```ts
 * import { createImageClient } from "@nanogen/client"
 * const client = createImageClient()
 * await client.close()
 * ```
 * @since 0.1.0
 * @category Models
 */
export interface ImageClient {
  readonly generate: (
    request: ImageRequest.Input,
    options?: { readonly signal?: AbortSignal | undefined }
  ) => Promise<ImageResult.ImageResult>
  readonly close: () => Promise<void>
}

const keyVariables = { openrouter: "OPENROUTER_API_KEY", aimlapi: "AIML_API_KEY", "google-direct": "GEMINI_API_KEY" }
const urlVariables = { openrouter: "OPENROUTER_API_URL", aimlapi: "AIML_API_URL", "google-direct": "GEMINI_API_URL" }

const plain = (value: string | Redacted.Redacted | undefined): string | undefined =>
  value === undefined ? undefined : typeof value === "string" ? value : Redacted.value(value)

const perProvider = (
  values: PerProvider<string | Redacted.Redacted> | undefined,
  variables: Record<ProviderName, string>
): Record<string, string | undefined> =>
  values === undefined ? {} : {
    [variables.openrouter]: plain(values.openrouter),
    [variables.aimlapi]: plain(values.aimlapi),
    [variables["google-direct"]]: plain(values["google-direct"] ?? values.google)
  }

const layerOptions = (options: ImageClientOptions): Nanogen.LayerOptions => ({
  ...(options.fallback === undefined ? {} : { fallback: options.fallback }),
  ...(options.allowPrivateNetwork === undefined ? {} : { allowPrivateNetwork: options.allowPrivateNetwork })
})

const configuredLayer = (options: ImageClientOptions) =>
  options.layer ?? Settings.providerLayer(undefined, {
    overrides: toOverrides(options),
    env: options.env,
    layerOptions: layerOptions(options)
  })

/**
 * The environment-variable overrides the options stand for.
 *
 * @example
 * ```ts
 * import { ImageClient } from "@nanogen/client"
 * ImageClient.toOverrides({ providers: ["aimlapi"] }).NANOGEN_PROVIDERS // "aimlapi"
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const toOverrides = (options: ImageClientOptions): Record<string, string | undefined> => ({
  ...perProvider(options.apiKeys, keyVariables),
  ...perProvider(options.apiUrls, urlVariables),
  NANOGEN_PROVIDERS: options.providers === undefined
    ? undefined
    : typeof options.providers === "string"
    ? options.providers
    : options.providers.join(","),
  NANOGEN_MODEL: options.model,
  NANOGEN_TIMEOUT: options.timeout === undefined
    ? undefined
    : `${Duration.toMillis(Duration.decode(options.timeout))} millis`
})

const toConfigurationError = (error: unknown) =>
  error instanceof Settings.SettingsError
    ? new ConfigurationError({ message: error.message })
    : error

/**
 * Creates a client. Nothing is contacted until the first `generate`; a configuration error rejects that call.
 *
 * @example
 * ```ts
 * import { createImageClient } from "@nanogen/client"
 *
 * const client = createImageClient({ apiKeys: { openrouter: process.env.OPENROUTER_API_KEY } })
 * try {
 *   const result = await client.generate({ prompt: "a nano banana", aspectRatio: "16:9" })
 *   console.log(result.provider, result.images[0].mimeType)
 * } catch (error: any) {
 *   console.error(error._tag, error.message) // e.g. "AllProvidersFailed", "All providers failed after 2 attempts: …"
 * } finally {
 *   await client.close()
 * }
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const createImageClient = (options: ImageClientOptions = {}): ImageClient => {
  const runtime = ManagedRuntime.make(
    configuredLayer(options).pipe(Layer.mapError(toConfigurationError), Layer.provide(NodeHttpClient.layerUndici))
  )
  let closed = false
  return {
    generate: async (request, callOptions) => {
      if (closed) {
        throw new ConfigurationError({ message: "this nanogen client was closed; create a new one" })
      }
      const exit = await runtime.runPromiseExit(
        ImageProvider.generate(request),
        callOptions?.signal === undefined ? undefined : { signal: callOptions.signal }
      )
      if (Exit.isSuccess(exit)) return exit.value
      const failure = Cause.failureOption(exit.cause)
      if (Option.isSome(failure)) throw failure.value
      throw Cause.squash(exit.cause)
    },
    close: async () => {
      if (closed) return
      closed = true
      await runtime.dispose()
    }
  }
}

/**
 * The facade's `generate` as one call that creates a client, generates and closes it.
 *
 * @example
 * ```ts
 * import { ImageClient } from "@nanogen/client"
 * const result = await ImageClient.generateOnce({ prompt: "a nano banana" }, { providers: ["google-direct"] })
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const generateOnce = async (
  request: ImageRequest.Input,
  options: ImageClientOptions = {}
): Promise<ImageResult.ImageResult> => {
  const client = createImageClient(options)
  try {
    return await client.generate(request)
  } finally {
    await client.close()
  }
}

/**
 * The client's provider layer (configured the same way, `HttpClient` included), for Effect code that shares its configuration.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ImageProvider } from "@nanogen/core"
 * import { ImageClient } from "@nanogen/client"
 * const result = ImageProvider.generate({ prompt: "a nano banana" }).pipe(Effect.provide(ImageClient.layer({ providers: ["openrouter"] })))
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const layer = (
  options: ImageClientOptions = {}
): Layer.Layer<ImageProvider.ImageProvider, unknown> =>
  configuredLayer(options).pipe(
    Layer.mapError(toConfigurationError),
    Layer.provide(NodeHttpClient.layerUndici)
  )
