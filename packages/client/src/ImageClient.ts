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
import { ImageProvider, ProviderDefinition } from "@nanogen/core"
import * as Cause from "effect/Cause"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Option from "effect/Option"
import * as Redacted from "effect/Redacted"
import * as ImageClientSession from "./ImageClientSession.js"
import * as Nanogen from "./Nanogen.js"
import * as Settings from "./Settings.js"

/**
 * Per-backend values (keys, URLs), keyed by backend name or alias (`google` for `google-direct`); a key that
 * names no backend of the registry is a `ConfigurationError` naming it.
 *
 * @example
 * ```ts
 * import type { ImageClient } from "@nanogen/client"
 * const urls: ImageClient.PerProvider = { openrouter: "http://127.0.0.1:8080/api/v1" }
 * ```
 * @since 0.1.0
 * @category Models
 */
export type PerProvider<A = string> = Readonly<Record<string, A | undefined>>

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
  /**
   * Fallback order (overrides `NANOGEN_PROVIDERS`): names or aliases, as an array (`["openrouter",
   * "google-direct"]`) or comma-separated; an entry may also be a definition (a third-party backend), which joins
   * the registry.
   */
  readonly providers?: ReadonlyArray<Nanogen.ProviderEntry> | string | undefined
  /** API keys by backend name (each overrides the backend's first key variable, e.g. `OPENROUTER_API_KEY`). */
  readonly apiKeys?: PerProvider<string | Redacted.Redacted> | undefined
  /** Base URLs by backend name (each overrides the backend's URL variable, e.g. `OPENROUTER_API_URL`). */
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
  /** A multi-turn editing session over this client's chain (see `ImageClientSession`). */
  readonly session: (options?: ImageClientSession.Options) => ImageClientSession.ImageClientSession
  readonly close: () => Promise<void>
}

const layerOptions = (options: ImageClientOptions): Nanogen.LayerOptions => ({
  ...(options.fallback === undefined ? {} : { fallback: options.fallback }),
  ...(options.allowPrivateNetwork === undefined ? {} : { allowPrivateNetwork: options.allowPrivateNetwork })
})

/** `providers` as a list of entries (a comma-separated string split), blanks dropped; `undefined` when unset. */
const orderOf = (options: ImageClientOptions): ReadonlyArray<Nanogen.ProviderEntry> | undefined => {
  const entries = typeof options.providers === "string" ? options.providers.split(",") : options.providers
  const order = entries?.filter((entry) => typeof entry !== "string" || entry.trim() !== "")
  return order === undefined || order.length === 0 ? undefined : order
}

/**
 * The registry the options stand for (`Nanogen.builtins`, and the definitions listed in `providers`), with every
 * option checked against it: the names in `providers`, the keys of `apiKeys` and `apiUrls` (an unknown one is named),
 * and each API key (one holding a character that cannot be sent in a header names `apiKeys.<name>`).
 */
const registryOf = (options: ImageClientOptions) =>
  Either.gen(function*() {
    const order = orderOf(options)
    const listed = order === undefined ? Nanogen.builtins : yield* Nanogen.registry(order)
    const registry = yield* Nanogen.registry([
      ...listed.filter((definition) => !Nanogen.builtins.includes(definition)),
      ...Nanogen.builtins
    ])
    yield* Nanogen.checkKeys("apiKeys", options.apiKeys, registry)
    yield* Nanogen.checkKeys("apiUrls", options.apiUrls, registry)
    for (const definition of registry) yield* Nanogen.apiKeyOf(options.apiKeys, definition)
    return registry
  })

const configuredLayer = (options: ImageClientOptions) =>
  options.layer ?? Layer.unwrapEffect(
    Effect.map(Effect.mapError(registryOf(options), Settings.toSettingsError), (registry) =>
      Settings.providerLayer(undefined, {
        overrides: toOverrides(options, registry),
        env: options.env,
        layerOptions: { ...layerOptions(options), providers: registry }
      }))
  )

/**
 * The environment-variable overrides the options stand for, over a registry (default `Nanogen.builtins`): each
 * `apiKeys` entry as its backend's first key variable, each `apiUrls` entry as its URL variable, `providers` as
 * `NANOGEN_PROVIDERS`, `model` as `NANOGEN_MODEL`, `timeout` as `NANOGEN_TIMEOUT`. Entries naming no backend of the
 * registry are left out (the client refuses them before).
 *
 * @example
 * ```ts
 * import { ImageClient } from "@nanogen/client"
 * ImageClient.toOverrides({ providers: ["aimlapi"], apiKeys: { google: "AIza…" } })
 * // { GEMINI_API_KEY: "AIza…", NANOGEN_PROVIDERS: "aimlapi", … }
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const toOverrides = (
  options: ImageClientOptions,
  registry: ReadonlyArray<Nanogen.Definition> = Nanogen.builtins
): Record<string, string | undefined> => {
  const overrides: Record<string, string | undefined> = {}
  for (const [spelled, value] of Object.entries(options.apiKeys ?? {})) {
    const definition = ProviderDefinition.find(registry, spelled)
    if (definition !== undefined && value !== undefined) {
      overrides[definition.credentials.apiKey[0]] = typeof value === "string" ? value : Redacted.value(value)
    }
  }
  for (const [spelled, value] of Object.entries(options.apiUrls ?? {})) {
    const definition = ProviderDefinition.find(registry, spelled)
    if (definition !== undefined && value !== undefined) overrides[definition.apiUrl.env] = value
  }
  const order = orderOf(options)
  overrides.NANOGEN_PROVIDERS = order?.map((entry) => typeof entry === "string" ? entry.trim() : entry.name).join(",")
  overrides.NANOGEN_MODEL = options.model
  overrides.NANOGEN_TIMEOUT = options.timeout === undefined
    ? undefined
    : `${Duration.toMillis(Duration.decode(options.timeout))} millis`
  return overrides
}

const toConfigurationError = (error: unknown) =>
  error instanceof Settings.SettingsError
    ? new ConfigurationError({ message: error.message })
    : error

/**
 * The rejection of a call cancelled through its `AbortSignal`, as `fetch` rejects: a `DOMException` named
 * `AbortError` whose `cause` is the signal's reason.
 *
 * @example
 * ```ts
 * import { ImageClient } from "@nanogen/client"
 * const controller = new AbortController()
 * controller.abort("user left")
 * ImageClient.abortError(controller.signal).cause // "user left"
 * ```
 * @since 0.2.0
 * @category Errors
 */
export const abortError = (signal: AbortSignal): DOMException =>
  new DOMException("This operation was aborted", { name: "AbortError", cause: signal.reason })

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
  const run: ImageClientSession.Run = async <A, E>(
    effect: Effect.Effect<A, E, ImageProvider.ImageProvider>,
    callOptions?: { readonly signal?: AbortSignal | undefined }
  ): Promise<A> => {
    if (closed) {
      throw new ConfigurationError({ message: "this nanogen client was closed; create a new one" })
    }
    // The result comes out through `value`, not as the exit value of the call's fiber: a finished fiber keeps its
    // exit value, and images it holds then outlive young-generation collections (≈ 2× the CPU per call in GC).
    let value: A | undefined
    const exit = await runtime.runPromiseExit(
      Effect.map(effect, (result) => {
        value = result
      }),
      callOptions?.signal === undefined ? undefined : { signal: callOptions.signal }
    )
    if (Exit.isSuccess(exit)) {
      const result = value as A
      value = undefined
      return result
    }
    const signal = callOptions?.signal
    if (signal?.aborted === true && Cause.isInterruptedOnly(exit.cause)) throw abortError(signal)
    const failure = Cause.failureOption(exit.cause)
    if (Option.isSome(failure)) throw failure.value
    throw Cause.squash(exit.cause)
  }
  return {
    generate: (request, callOptions) => run(ImageProvider.generate(request), callOptions),
    session: (sessionOptions) => ImageClientSession.make(run, sessionOptions),
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
