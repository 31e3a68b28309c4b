/**
 * `GoogleImageProvider`: nanogen's `ImageProvider` over the Gemini API `models/{model}:generateContent`
 * (and `:streamGenerateContent?alt=sse` when `stream` is on).
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import {
  ImageBytes,
  ImageDownload,
  ImageGenerationError,
  ImageProvider,
  ImageRequest,
  type ModelCatalog,
  ProviderClient,
  ProviderDefinition
} from "@nanogen/core"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Predicate from "effect/Predicate"
import { definition } from "./definition.js"
import * as Errors from "./internal/errors.js"
import * as Request from "./internal/request.js"
import * as Response from "./internal/response.js"
import * as Wire from "./internal/wire.js"

/**
 * The provider name used in results, attempts and errors.
 *
 * @example
 * ```ts
 * import { GoogleImageProvider } from "@nanogen/google-direct"
 * GoogleImageProvider.name // "google-direct"
 * ```
 * @since 0.2.0
 * @category Models
 */
export const name = "google-direct"

/**
 * The former name of `name`.
 *
 * @deprecated use `name`
 * @since 0.1.0
 * @category Models
 */
export const providerName = name

/**
 * The Gemini API base URL (`GEMINI_API_URL` overrides it; the API version is part of it).
 *
 * @example
 * ```ts
 * import { GoogleImageProvider } from "@nanogen/google-direct"
 * GoogleImageProvider.defaultApiUrl // "https://generativelanguage.googleapis.com/v1beta"
 * ```
 * @since 0.1.0
 * @category Models
 */
export const defaultApiUrl = "https://generativelanguage.googleapis.com/v1beta"

/**
 * Options of `make` / `layer`: the key (sent as `x-goog-api-key`), the URL (with the API version), the common
 * options (`download` applies to reference images given by URL, which are downloaded and sent inline), and `stream`.
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import type { GoogleImageProvider } from "@nanogen/google-direct"
 *
 * const options: GoogleImageProvider.Options = { apiKey: Redacted.make("AIza…"), stream: true, concurrency: 2 }
 * ```
 * @since 0.1.0
 * @category Models
 */
export interface Options extends ProviderDefinition.Options {
  /** Use `:streamGenerateContent?alt=sse` and merge the chunks. Default `false`. */
  readonly stream?: boolean | undefined
}

/**
 * The fields `providerOptions["google-direct"]` may set; they are deep-merged into the `generateContent` body
 * (camelCase or the proto's snake_case names).
 *
 * @since 0.2.0
 * @category Schemas
 */
export const ProviderOptions = ImageRequest.wireFields(
  "generationConfig",
  "generation_config",
  "safetySettings",
  "safety_settings",
  "tools",
  "toolConfig",
  "tool_config",
  "systemInstruction",
  "system_instruction",
  "cachedContent",
  "cached_content",
  "serviceTier",
  "service_tier"
)

type AttemptError = ImageGenerationError.AttemptError

const modelPath = (model: string) => `/models/${encodeURIComponent(model.replace(/^models\//, ""))}`

/**
 * Builds the service from the ambient `HttpClient`.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { GoogleImageProvider } from "@nanogen/google-direct"
 *
 * const program = Effect.gen(function*() {
 *   const provider = yield* GoogleImageProvider.make({ apiKey: Redacted.make("AIza…") })
 *   const result = yield* provider.generate({ prompt: "a nano banana dish", model: "nano-banana-pro", imageSize: "2K" })
 *   return result.images[0].mimeType
 * })
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
      headers: { "x-goog-api-key": options.apiKey },
      timeout: options.timeout,
      maxBodyBytes: options.maxBodyBytes,
      download: options.download,
      transformClient: options.transformClient
    })
    const stream = options.stream === true

    const failure = (
      model: string,
      status: number,
      headers: Readonly<Record<string, string | undefined>>,
      body: unknown
    ) => Errors.fromFailure({ provider: name, model, status, headers, body, scrub: client.scrub })

    const malformed = (model: string, message: string) =>
      new ImageGenerationError.MalformedResponse({ provider: name, model, message: `${name}: ${message}` })

    const decodeChunk = (model: string, chunk: unknown): Effect.Effect<Wire.GenerateContentResponse, AttemptError> => {
      if (Predicate.isRecord(chunk) && chunk.error !== undefined) {
        const code = Predicate.isRecord(chunk.error) && typeof chunk.error.code === "number" ? chunk.error.code : 500
        return Effect.fail(failure(model, code, {}, chunk))
      }
      return client.decode(Wire.GenerateContentResponse, chunk).pipe(
        Effect.mapError((error) =>
          new ImageGenerationError.MalformedResponse({ provider: name, model, message: error.message })
        )
      )
    }

    const parseEvent = (model: string, data: string): Effect.Effect<unknown, AttemptError> =>
      Effect.try({
        try: () => JSON.parse(data) as unknown,
        catch: () => malformed(model, `a stream event is not JSON: ${JSON.stringify(data.slice(0, 80))}`)
      })

    /** One call: the answers (one, or the chunks of a stream) as decoded and as received, or the HTTP failure. */
    const exchange = (
      model: string,
      body: unknown
    ): Effect.Effect<
      { readonly decoded: ReadonlyArray<Wire.GenerateContentResponse>; readonly raw: ReadonlyArray<unknown> },
      AttemptError
    > =>
      Effect.gen(function*() {
        if (!stream) {
          const response = yield* client.postJson(`${modelPath(model)}:generateContent`, body)
          if (response.status < 200 || response.status >= 300) {
            return yield* failure(model, response.status, response.headers, response.body)
          }
          return { decoded: [yield* decodeChunk(model, response.body)], raw: [response.body] }
        }
        const response = yield* client.postEvents(`${modelPath(model)}:streamGenerateContent?alt=sse`, body)
        if (response.status < 200 || response.status >= 300) {
          return yield* failure(model, response.status, response.headers, response.body)
        }
        const chunks: ReadonlyArray<unknown> = response.events === undefined
          ? Array.isArray(response.body) ? response.body : [response.body]
          : yield* Effect.forEach(
            response.events.filter((data) => data.trim() !== "" && data.trim() !== "[DONE]"),
            (data) => parseEvent(model, data)
          )
        return { decoded: yield* Effect.forEach(chunks, (chunk) => decodeChunk(model, chunk)), raw: chunks }
      })

    const inline = (
      image: ImageRequest.ImageInput,
      field: string,
      resolved: ModelCatalog.Resolved
    ): Effect.Effect<Request.InlineImage, AttemptError> => {
      if ("data" in image) {
        const mimeType = ImageBytes.sniffMimeType(image.data) ?? "application/octet-stream"
        return Effect.succeed({ mimeType, data: ImageBytes.toBase64(image.data) })
      }
      return client.download(image.url).pipe(
        Effect.mapError((error) => ImageDownload.toInputError(name, field, error)),
        Effect.filterOrFail(
          (downloaded) =>
            resolved.capability === undefined || resolved.capability.inputTypes.includes(downloaded.mimeType),
          (downloaded) =>
            new ImageGenerationError.UnsupportedRequest({
              provider: name,
              model: resolved.model,
              field,
              message: `${name}: ${resolved.model} accepts ${
                resolved.capability?.inputTypes.join(", ")
              } reference images only (got ${downloaded.mimeType})`
            })
        ),
        Effect.map((downloaded) => ({ mimeType: downloaded.mimeType, data: ImageBytes.toBase64(downloaded.data) }))
      )
    }

    return ImageProvider.make(definition, {
      options: ProviderOptions,
      concurrency: options.concurrency,
      scrub: client.scrub,
      // Reference images are downloaded and encoded once; the body is shared by every call (one image per call).
      prepare: (request, resolved, extra) =>
        Effect.gen(function*() {
          const images = yield* Effect.forEach(
            request.images,
            (image, index) => inline(image, `images[${index}]`, resolved)
          )
          // a session's earlier turns: this backend's own (ImageProvider.make re-seeds any other history)
          const history = request.history ?? []
          const historyImages = yield* Effect.forEach(history, (turn, index) =>
            turn.role === "user"
              ? Effect.forEach(turn.images ?? [], (image, at) =>
                inline(image, `history[${index}].images[${at}]`, resolved))
              : Effect.succeed([]))
          yield* Effect.logDebug(
            `${name}: ${resolved.model} ${
              stream ? "streamGenerateContent" : "generateContent"
            }, ${images.length} reference image(s), n=${request.n}${
              resolved.aspectRatio === undefined ? "" : `, aspectRatio ${resolved.aspectRatio}`
            }${resolved.imageSize === undefined ? "" : `, imageSize ${resolved.imageSize}`}`
          )
          return Request.build(request, resolved, images, extra, Request.historyContents(history, historyImages))
        }),
      // Gemini turns continue on the same model id (signatures are model-specific); anything else is re-seeded.
      continuation: () =>
        "gemini",
      call: ({ prepared, request, resolved }) =>
        Effect.flatMap(
          exchange(resolved.model, prepared.body),
          ({ decoded, raw }) =>
            Response.toAnswer(
              { provider: name, model: resolved.model, entry: resolved.entry, warnings: prepared.warnings },
              Response.merge(decoded)
            ).pipe(
              // a session keeps the model's parts exactly as received: thought parts and signatures included
              Either.map((answer) =>
                request.history === undefined
                  ? answer
                  : { ...answer, turn: { format: "gemini", parts: Response.rawParts(raw) } }
              )
            )
        )
    })
  })

/**
 * The provider as a layer; `HttpClient` stays a requirement.
 *
 * @example
 * ```ts
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { Effect, Redacted } from "effect"
 * import { ImageProvider } from "@nanogen/core"
 * import { GoogleImageProvider } from "@nanogen/google-direct"
 *
 * const GoogleLive = GoogleImageProvider.layer({ apiKey: Redacted.make(process.env.GEMINI_API_KEY!) })
 * const result = ImageProvider.generate({ prompt: "a nano banana" }).pipe(
 *   Effect.provide(GoogleLive),
 *   Effect.provide(NodeHttpClient.layerUndici)
 * )
 * ```
 * @since 0.1.0
 * @category Layers
 */
export const layer = (options: Options): Layer.Layer<ImageProvider.ImageProvider, never, HttpClient.HttpClient> =>
  Layer.effect(ImageProvider.ImageProvider, make(options))

/**
 * The provider configured from the environment: `GEMINI_API_KEY` (else `GOOGLE_API_KEY`) and `GEMINI_API_URL`.
 *
 * @example
 * ```ts
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { Effect } from "effect"
 * import { ImageProvider } from "@nanogen/core"
 * import { GoogleImageProvider } from "@nanogen/google-direct"
 *
 * const result = ImageProvider.generate({ prompt: "a nano banana", n: 2 }).pipe(
 *   Effect.provide(GoogleImageProvider.layerConfig({ stream: true })),
 *   Effect.provide(NodeHttpClient.layerUndici)
 * )
 * ```
 * @since 0.1.0
 * @category Layers
 */
export const layerConfig = (
  options: Omit<Options, "apiKey" | "apiUrl"> = {}
): Layer.Layer<ImageProvider.ImageProvider, ConfigError.ConfigError, HttpClient.HttpClient> =>
  ProviderDefinition.layerConfig(definition, options)
