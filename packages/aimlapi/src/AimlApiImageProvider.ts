/**
 * `AimlApiImageProvider`: the `ImageProvider` over the AI/ML API `POST /v1/images/generations` endpoint
 * (PROVIDERS.md §2). Generated images arrive as CDN URLs (or `b64_json`) and are downloaded with the same
 * `HttpClient`, SSRF-checked.
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import {
  ImageGenerationError,
  ImageProvider,
  ImageRequest,
  type ImageResult,
  ModelCatalog,
  ProviderClient,
  ProviderDefinition
} from "@nanogen/core"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import * as Schema from "effect/Schema"
import { definition } from "./definition.js"
import * as Errors from "./internal/errors.js"
import * as Request from "./internal/request.js"
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
 * The options: the key, the URL and the common ones. Generated images arrive as CDN URLs: `download` sets their size
 * cap, deadline and whether loopback/private addresses may be fetched (only for `@nanogen/emulator` and tests).
 *
 * @since 0.1.0
 * @category Models
 */
export interface Options extends ProviderDefinition.Options {
  /**
   * Which upstream serves the models whose schema takes `provider` (Nano Banana and Nano Banana Pro, text-to-image
   * and edit): `"google"` runs Google's native API with no fallback, `"fal"` the fal.ai mirror, `"auto"` (the AI/ML
   * API's default) Google, then fal.ai if Google fails — a fallback **inside** the backend, so one request may be
   * served by fal.ai, whose output size, format and safety behaviour can differ. Default: not sent.
   * `providerOptions.aimlapi.provider` overrides it per request.
   */
  readonly provider?: Upstream | undefined
}

/**
 * The values of the AI/ML API's `provider` field.
 *
 * @example
 * ```ts
 * import { AimlApiImageProvider } from "@nanogen/aimlapi"
 * AimlApiImageProvider.upstreams // ["auto", "google", "fal"]
 * const GoogleOnly = AimlApiImageProvider.layerConfig({ provider: "google" })
 * ```
 * @since 0.2.0
 * @category Models
 */
export const upstreams = ["auto", "google", "fal"] as const

/**
 * One value of the AI/ML API's `provider` field.
 *
 * @example
 * ```ts
 * import type { AimlApiImageProvider } from "@nanogen/aimlapi"
 * const upstream: AimlApiImageProvider.Upstream = "google"
 * ```
 * @since 0.2.0
 * @category Models
 */
export type Upstream = typeof upstreams[number]

/**
 * The models whose AI/ML API schema has `provider` (the others answer 400 "Unrecognized key(s)").
 */
const takesUpstream: ReadonlySet<ModelCatalog.Alias> = new Set(["nano-banana", "nano-banana-pro"])

/**
 * The fields `providerOptions.aimlapi` may set: `provider` (typed, see `Options.provider`), and wire fields merged
 * into the body as they are.
 *
 * @example
 * ```ts
 * import { ImageProvider } from "@nanogen/core"
 * const request = ImageProvider.generate({
 *   prompt: "a nano banana",
 *   model: "nano-banana-pro",
 *   providerOptions: { aimlapi: { provider: "google" } }
 * })
 * ```
 * @since 0.2.0
 * @category Schemas
 */
export const ProviderOptions = Schema.extend(
  Schema.Struct({ provider: Schema.optional(Schema.Literal(...upstreams)) }),
  ImageRequest.wireFields(
    "output_format",
    "enable_web_search",
    "convert_base64_to_url",
    "safety_tolerance",
    "sync_mode"
  )
)

/**
 * The `provider` field of one call: sent where the model's schema has it (or for an id the catalog does not know,
 * as asked), else a warning.
 */
const upstreamField = (
  resolved: ModelCatalog.Resolved,
  choice: Upstream | undefined
): { readonly field: { readonly provider?: Upstream }; readonly warnings: ReadonlyArray<string> } => {
  if (choice === undefined) return { field: {}, warnings: [] }
  if (resolved.entry === undefined || takesUpstream.has(resolved.entry.alias)) {
    return { field: { provider: choice }, warnings: [] }
  }
  return { field: {}, warnings: [`provider is not accepted by ${resolved.model} on ${name} and was ignored`] }
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
    const client = yield* ProviderClient.forBackend(definition, options, {
      headers: { authorization: Redacted.make(`Bearer ${Redacted.value(options.apiKey)}`) }
    })

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

    return ImageProvider.make(definition, {
      options: ProviderOptions,
      concurrency: options.concurrency,
      scrub: client.scrub,
      // `image_urls` is built once and shared by every call (the data URLs can be large).
      prepare: (request) => Effect.succeed(Request.imageUrls(request.images)),
      // One call asks for `count` images (`num_images`), its images downloaded.
      call: ({ count, options: extra, prepared: urls, request, resolved }) =>
        Effect.gen(function*() {
          const model = resolved.model
          yield* Effect.logDebug("aimlapi: images/generations").pipe(
            Effect.annotateLogs({
              model,
              n: count,
              images: request.images.length,
              aspectRatio: resolved.aspectRatio ?? "default",
              resolution: resolved.imageSize ?? "default"
            })
          )
          const { provider: choice, ...wire } = extra
          const upstream = upstreamField(resolved, choice ?? options.provider)
          const body = Request.build(request, resolved, urls, count, { ...upstream.field, ...wire })
          // A non-JSON error page (an nginx 502…) is already the error of its status (ProviderClient).
          const response = yield* client.postJson("/images/generations", body, { decodeImages: true })
          if (response.status < 200 || response.status >= 300) return yield* fail(model, response.status, response)
          const embedded = Errors.embeddedStatus(response.body)
          if (embedded !== undefined) return yield* fail(model, embedded, response)
          const decoded = yield* Response.decode(name, model, response.status, response.body)
          if (decoded.sources.length === 0) return yield* noImage(model, decoded.text)
          const fetchImage = (source: Response.Source) => Response.fetchImage(name, model, source, client.download)
          // One image (the usual answer) is fetched in this fiber: a concurrent `forEach` forks one per image. The
          // forked fibers end with nothing and put their image in `images`: an image left as a fiber's exit value
          // outlives young-generation collections (see core's ImageProvider.fanOut).
          const images = new Array<ImageResult.GeneratedImage>(decoded.sources.length)
          if (decoded.sources.length === 1) images[0] = yield* fetchImage(decoded.sources[0]!)
          else {
            yield* Effect.forEach(decoded.sources, (source, index) =>
              Effect.map(fetchImage(source), (image) => {
                images[index] = image
              }), { concurrency: "unbounded", discard: true })
          }
          if (decoded.credits !== undefined) yield* Effect.logDebug("aimlapi: credits used", decoded.credits)
          return {
            images: images as unknown as ImageProvider.Answer["images"],
            text: decoded.text,
            usage: decoded.usage,
            cost: decoded.cost,
            warnings: [
              ...upstream.warnings,
              ...ModelCatalog.unmapped(resolved, name, { grounding: false, thinkingLevel: false })
            ]
          }
        })
    })
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
export const layer = ProviderDefinition.layerOf(make)

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
export const layerConfig = ProviderDefinition.layerConfigOf(() => definition)
