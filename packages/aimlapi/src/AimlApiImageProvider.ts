/**
 * `AimlApiImageProvider`: the `ImageProvider` over the AI/ML API `POST /v1/images/generations` endpoint
 * (PROVIDERS.md §2). Generated images arrive as CDN URLs (or `b64_json`) and are downloaded with the same
 * `HttpClient`, SSRF-checked.
 *
 * @since 0.1.0
 */
import * as Headers from "@effect/platform/Headers"
import type * as HttpClient from "@effect/platform/HttpClient"
import {
  ImageGenerationError,
  ImageProvider,
  type ImageRequest,
  ImageResult,
  ModelCatalog,
  ProviderClient
} from "@nanogen/core"
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Errors from "./internal/errors.js"
import * as Wire from "./internal/request.js"
import * as Response from "./internal/response.js"

/**
 * The provider name in results, errors and attempts.
 *
 * @since 0.1.0
 * @category Models
 */
export const name = "aimlapi"

/**
 * The default base URL (`AIML_API_URL` overrides it).
 *
 * @since 0.1.0
 * @category Models
 */
export const defaultApiUrl = "https://api.aimlapi.com/v1"

/**
 * @since 0.1.0
 * @category Models
 */
export interface Options {
  /** The AI/ML API key, sent as `Authorization: Bearer …`. */
  readonly apiKey: Redacted.Redacted
  /** Base URL. Default `https://api.aimlapi.com/v1`. */
  readonly apiUrl?: string | undefined
  /** Deadline of one API call. Default 120 seconds. */
  readonly timeout?: Duration.DurationInput | undefined
  /** Cap on the API answer body, in bytes. Default 64 MiB. */
  readonly maxBodyBytes?: number | undefined
  /**
   * Parallel API calls when `n` needs more than one (models without `num_images`, or `n` above the model's four per
   * call). Default: all at once.
   */
  readonly concurrency?: number | undefined
  /** Cap on one downloaded image, in bytes. Default 32 MiB. */
  readonly maxImageBytes?: number | undefined
  /** Deadline of one image download. Default 60 seconds. */
  readonly downloadTimeout?: Duration.DurationInput | undefined
  /**
   * Download generated images from `http:` URLs and from loopback, private or link-local addresses. Off by
   * default: the answer of a remote API must not make nanogen fetch from your internal network (SSRF). Turn it on
   * only for the `@nanogen/emulator` and tests on `127.0.0.1`.
   */
  readonly allowPrivateNetwork?: boolean | undefined
  /** A last transformation of the underlying `HttpClient` (proxies, tracing…). */
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

const noImage = (model: string, text: string | undefined) =>
  Effect.fail(
    new ImageGenerationError.NoImageReturned({
      provider: name,
      model,
      message: `${name}: the answer holds no image${
        text === undefined ? "" : ` (text: ${JSON.stringify(text.slice(0, 200))})`
      }`,
      ...(text === undefined ? {} : { text })
    })
  )

/**
 * Builds the service from the ambient `HttpClient`.
 *
 * @example
 * ```ts
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { AimlApiImageProvider } from "@nanogen/aimlapi"
 * import { Effect, Redacted } from "effect"
 *
 * const program = Effect.gen(function*() {
 *   const provider = yield* AimlApiImageProvider.make({ apiKey: Redacted.make("my-aiml-key") })
 *   const result = yield* provider.generate({ prompt: "a nano banana", model: "nano-banana-pro", n: 2 })
 *   return result.images.length
 * }).pipe(Effect.provide(NodeHttpClient.layerUndici))
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const make = (
  options: Options
): Effect.Effect<ImageProvider.ImageProvider.Service, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const client = yield* ProviderClient.make({
      provider: name,
      apiUrl: options.apiUrl ?? defaultApiUrl,
      headers: { authorization: Redacted.make(`Bearer ${Redacted.value(options.apiKey)}`) },
      timeout: options.timeout,
      maxBodyBytes: options.maxBodyBytes,
      transformClient: options.transformClient,
      download: {
        ...(options.maxImageBytes === undefined ? {} : { maxBytes: options.maxImageBytes }),
        ...(options.downloadTimeout === undefined ? {} : { timeout: options.downloadTimeout }),
        allowPrivateNetwork: options.allowPrivateNetwork === true
      }
    })
    const concurrency = options.concurrency

    const fail = (model: string, status: number, response: ProviderClient.JsonResponse) =>
      Effect.fail(
        Errors.fromResponse({
          provider: name,
          model,
          status,
          headers: response.headers,
          body: response.body,
          scrub: client.scrub
        })
      )

    /** One API call asking for `count` images, its images downloaded. */
    const call = (
      request: ImageRequest.ImageRequest,
      resolved: ModelCatalog.Resolved,
      urls: ReadonlyArray<string>,
      count: number
    ): Effect.Effect<ImageResult.ImageResult, ImageGenerationError.AttemptError> =>
      Effect.gen(function*() {
        const model = resolved.model
        const response = yield* client.postJson("/images/generations", Wire.build(request, resolved, urls, count)).pipe(
          // A non-JSON error page (an nginx 502…) still says what the status means.
          Effect.catchTag("MalformedResponse", (error) =>
            error.status !== undefined && error.status >= 400
              ? fail(model, error.status, { status: error.status, headers: Headers.empty, body: undefined })
              : Effect.fail(error))
        )
        if (response.status < 200 || response.status >= 300) return yield* fail(model, response.status, response)
        const embedded = Errors.embeddedStatus(response.body)
        if (embedded !== undefined) return yield* fail(model, embedded, response)
        const decoded = yield* Response.decode(name, model, response.status, response.body)
        if (decoded.sources.length === 0) {
          return yield* noImage(model, decoded.text)
        }
        const images = yield* Effect.forEach(
          decoded.sources,
          (source) => Response.fetchImage(name, model, source, client.download),
          { concurrency: "unbounded" }
        )
        if (decoded.credits !== undefined) yield* Effect.logDebug("aimlapi: credits used", decoded.credits)
        return ImageResult.dropUndefined({
          images: images as unknown as readonly [ImageResult.GeneratedImage, ...Array<ImageResult.GeneratedImage>],
          text: decoded.text,
          provider: name,
          model,
          usage: decoded.usage,
          cost: decoded.cost,
          attempts: [],
          warnings: []
        })
      })

    const generate = (request: ImageRequest.ImageRequest) =>
      Effect.gen(function*() {
        const started = yield* Clock.currentTimeMillis
        const resolved = yield* ModelCatalog.resolve(name, request)
        yield* Effect.annotateCurrentSpan("nanogen.model", resolved.model)
        const calls = Wire.chunks(request.n, resolved.capability?.maxPerCall ?? 1)
        const urls = Wire.imageUrls(request.images)
        yield* Effect.logDebug("aimlapi: images/generations").pipe(
          Effect.annotateLogs({
            model: resolved.model,
            n: request.n,
            calls: calls.length,
            images: request.images.length,
            aspectRatio: resolved.aspectRatio ?? "default",
            resolution: resolved.imageSize ?? "default"
          })
        )
        // One call per chunk of at most `maxPerCall` images (`num_images`), in parallel; results merged in order.
        const merged = yield* ImageProvider.fanOut(calls.length, (index) =>
          call(request, resolved, urls, calls[index]!), {
          concurrency
        })
        const ended = yield* Clock.currentTimeMillis
        return {
          ...merged,
          attempts: [{ provider: name, model: resolved.model, outcome: "success", durationMs: ended - started }],
          warnings: resolved.warnings
        } satisfies ImageResult.ImageResult
      }).pipe(
        Effect.withSpan("AimlApiImageProvider.generate", {
          attributes: { "nanogen.provider": name, "nanogen.model": request.model }
        })
      )

    return ImageProvider.make(name, generate)
  })

/**
 * The provider as a layer.
 *
 * @example
 * ```ts
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { AimlApiImageProvider } from "@nanogen/aimlapi"
 * import { ImageProvider } from "@nanogen/core"
 * import { Effect, Layer, Redacted } from "effect"
 *
 * const AimlApi = AimlApiImageProvider.layer({ apiKey: Redacted.make("my-aiml-key") }).pipe(
 *   Layer.provide(NodeHttpClient.layerUndici)
 * )
 * const program = ImageProvider.generate({ prompt: "a nano banana", aspectRatio: "16:9" }).pipe(Effect.provide(AimlApi))
 * ```
 * @since 0.1.0
 * @category Layers
 */
export const layer = (options: Options): Layer.Layer<ImageProvider.ImageProvider, never, HttpClient.HttpClient> =>
  Layer.effect(ImageProvider.ImageProvider, make(options))

/**
 * The provider configured from the environment: `AIML_API_KEY` (required, kept `Redacted`) and `AIML_API_URL`
 * (default `https://api.aimlapi.com/v1`). The other options are passed as is.
 *
 * @example
 * ```ts
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { AimlApiImageProvider } from "@nanogen/aimlapi"
 * import { ImageProvider } from "@nanogen/core"
 * import { Effect, Layer } from "effect"
 *
 * const AimlApi = AimlApiImageProvider.layerConfig({ timeout: "90 seconds" }).pipe(Layer.provide(NodeHttpClient.layerUndici))
 * const program = ImageProvider.generate({ prompt: "a nano banana" }).pipe(Effect.provide(AimlApi))
 * ```
 * @since 0.1.0
 * @category Layers
 */
export const layerConfig = (
  options: Omit<Options, "apiKey" | "apiUrl"> = {}
): Layer.Layer<ImageProvider.ImageProvider, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.effect(
    ImageProvider.ImageProvider,
    Effect.flatMap(
      Config.all({
        apiKey: Config.redacted("AIML_API_KEY"),
        apiUrl: Config.string("AIML_API_URL").pipe(Config.withDefault(defaultApiUrl))
      }),
      (config) => make({ ...options, ...config })
    )
  )
