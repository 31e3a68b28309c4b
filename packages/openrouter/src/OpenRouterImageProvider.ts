/**
 * `OpenRouterImageProvider`: nanogen's `ImageProvider` over OpenRouter chat completions
 * (`POST /chat/completions` with `modalities: ["image","text"]` and `image_config`), plain JSON or SSE.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import { ImageProvider, ImageRequest, ProviderClient, ProviderDefinition } from "@nanogen/core"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { definition } from "./definition.js"
import type * as Errors from "./internal/errors.js"
import * as Request from "./internal/request.js"
import * as Response from "./internal/response.js"

/**
 * The provider name used in results, attempts and errors.
 *
 * @since 0.1.0
 * @category Models
 */
export const name = "openrouter"

/**
 * The default API base URL.
 *
 * @since 0.1.0
 * @category Models
 */
export const defaultApiUrl = "https://openrouter.ai/api/v1"

/**
 * @since 0.1.0
 * @category Models
 */
export interface Options extends ProviderDefinition.Options {
  /** Sent as `HTTP-Referer` (OpenRouter attribution). */
  readonly appUrl?: string | undefined
  /** Sent as `X-OpenRouter-Title` (OpenRouter attribution). */
  readonly appName?: string | undefined
  /** Ask for an SSE answer (`stream: true`); keep-alive comments keep long generations from idling out. Default false. */
  readonly stream?: boolean | undefined
}

/**
 * The fields `providerOptions.openrouter` may set; they are merged into the wire body (`image_config` key by key).
 *
 * @since 0.2.0
 * @category Schemas
 */
export const ProviderOptions = ImageRequest.wireFields(
  "provider",
  "image_config",
  "models",
  "route",
  "transforms",
  "plugins",
  "reasoning",
  "include_reasoning",
  "reasoning_effort",
  "usage",
  "user",
  "temperature",
  "top_p",
  "top_k",
  "max_tokens",
  "stop",
  "frequency_penalty",
  "presence_penalty",
  "response_format"
)

/**
 * Builds the service from the ambient `HttpClient`.
 *
 * @example
 * ```ts
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { Effect, Redacted } from "effect"
 * import { OpenRouterImageProvider } from "@nanogen/openrouter"
 *
 * const program = Effect.gen(function*() {
 *   const provider = yield* OpenRouterImageProvider.make({ apiKey: Redacted.make("sk-or-…") })
 *   const result = yield* provider.generate({ prompt: "a nano banana", aspectRatio: "16:9" })
 *   return result.images[0].mimeType
 * }).pipe(Effect.provide(NodeHttpClient.layerUndici))
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const make = (
  options: Options
): Effect.Effect<ImageProvider.ImageProvider.Service, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const headers: Record<string, string | Redacted.Redacted> = {
      authorization: Redacted.make(`Bearer ${Redacted.value(options.apiKey)}`)
    }
    if (options.appUrl !== undefined) headers["http-referer"] = options.appUrl
    if (options.appName !== undefined) headers["x-openrouter-title"] = options.appName
    const client = yield* ProviderClient.make({
      provider: name,
      apiUrl: options.apiUrl ?? defaultApiUrl,
      headers,
      timeout: options.timeout,
      maxBodyBytes: options.maxBodyBytes,
      download: options.download,
      transformClient: options.transformClient
    })
    const stream = options.stream ?? false
    const scrub: Errors.Scrub = client.scrub

    return ImageProvider.make(definition, {
      options: ProviderOptions,
      concurrency: options.concurrency,
      scrub,
      call: ({ options: extra, request, resolved }) =>
        Effect.gen(function*() {
          const context: Response.Context = { model: resolved.model, scrub, download: client.download }
          const body = Request.build(request, resolved, extra, stream)
          yield* Effect.logDebug("openrouter: POST /chat/completions").pipe(
            Effect.annotateLogs({
              model: resolved.model,
              images: request.images.length,
              aspectRatio: resolved.aspectRatio ?? "default",
              imageSize: resolved.imageSize ?? "default",
              stream
            })
          )
          const answer = yield* (stream
            ? Effect.flatMap(
              client.postEvents("/chat/completions", body),
              (response) => Response.fromEventsResponse(response, context)
            )
            : Effect.flatMap(
              client.postJson("/chat/completions", body),
              (response) => Response.fromJsonResponse(response, context)
            ))
          return yield* Response.toAnswer(answer, context, Request.unmapped(resolved))
        })
    })
  })

/**
 * The provider as a layer; `HttpClient` stays a requirement.
 *
 * @example
 * ```ts
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { Effect, Layer, Redacted } from "effect"
 * import { ImageProvider } from "@nanogen/core"
 * import { OpenRouterImageProvider } from "@nanogen/openrouter"
 *
 * const OpenRouter = OpenRouterImageProvider.layer({ apiKey: Redacted.make("sk-or-…"), appName: "my-app" }).pipe(
 *   Layer.provide(NodeHttpClient.layerUndici)
 * )
 * const program = ImageProvider.generate({ prompt: "a nano banana" }).pipe(Effect.provide(OpenRouter))
 * ```
 * @since 0.1.0
 * @category Layers
 */
export const layer = (options: Options): Layer.Layer<ImageProvider.ImageProvider, never, HttpClient.HttpClient> =>
  Layer.effect(ImageProvider.ImageProvider, make(options))

/**
 * The provider configured from the environment: `OPENROUTER_API_KEY` (required, read as `Redacted`) and
 * `OPENROUTER_API_URL` (default `https://openrouter.ai/api/v1`); the other options are passed as they are.
 *
 * @example
 * ```ts
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { Effect, Layer } from "effect"
 * import { ImageProvider } from "@nanogen/core"
 * import { OpenRouterImageProvider } from "@nanogen/openrouter"
 *
 * const OpenRouter = OpenRouterImageProvider.layerConfig({ stream: true }).pipe(Layer.provide(NodeHttpClient.layerUndici))
 * const program = ImageProvider.generate({ prompt: "a nano banana" }).pipe(Effect.provide(OpenRouter))
 * ```
 * @since 0.1.0
 * @category Layers
 */
export const layerConfig = (
  options: Omit<Options, "apiKey" | "apiUrl"> = {}
): Layer.Layer<ImageProvider.ImageProvider, ConfigError.ConfigError, HttpClient.HttpClient> =>
  ProviderDefinition.layerConfig(definition, options)
