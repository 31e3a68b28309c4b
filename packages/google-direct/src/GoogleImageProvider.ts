/**
 * `GoogleImageProvider`: nanogen's `ImageProvider` over the Gemini API `models/{model}:generateContent`
 * (and `:streamGenerateContent?alt=sse` when `stream` is on).
 *
 * @since 0.1.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import { ImageGenerationError, ImageProvider, ImageRequest, ProviderClient, ProviderDefinition } from "@nanogen/core"
import * as Effect from "effect/Effect"
import { definition } from "./definition.js"
import * as GeminiCodec from "./GeminiCodec.js"

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
  "service_tier",
  // Vertex AI only: accepted here to be refused with UnsupportedRequest naming the vertex provider
  "labels",
  "modelArmorConfig",
  "model_armor_config"
)

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
    const client = yield* ProviderClient.forBackend(definition, options, {
      headers: { "x-goog-api-key": options.apiKey }
    })
    const stream = options.stream === true

    return ImageProvider.make(definition, {
      options: ProviderOptions,
      concurrency: options.concurrency,
      scrub: client.scrub,
      // Reference images are downloaded and encoded once; the body is shared by every call (one image per call).
      prepare: (request, resolved, extra) =>
        Effect.gen(function*() {
          const vertexOnly = GeminiCodec.findVertexOnly(extra)
          if (vertexOnly !== undefined) {
            return yield* new ImageGenerationError.UnsupportedRequest({
              provider: name,
              model: resolved.model,
              field: `providerOptions.${name}.${vertexOnly}`,
              message: `${name}: ${vertexOnly} is a Vertex AI field the Gemini API rejects; ` +
                "use the vertex provider (providerOptions.vertex)"
            })
          }
          const images = yield* GeminiCodec.inlineImages(client, request, resolved)
          yield* Effect.logDebug(
            `${name}: ${resolved.model} ${
              stream ? "streamGenerateContent" : "generateContent"
            }, ${images.length} reference image(s), n=${request.n}`
          )
          const history = yield* GeminiCodec.historyContents(client, request, resolved)
          return GeminiCodec.body(request, resolved, images, { merge: extra, history })
        }),
      // Gemini turns continue on the same model id (signatures are model-specific); anything else is re-seeded.
      continuation: () => "gemini",
      call: ({ prepared, request, resolved }) =>
        GeminiCodec.send(client, modelPath(resolved.model), prepared.body, { model: resolved.model, stream }).pipe(
          Effect.flatMap((exchange) =>
            GeminiCodec.answer({ provider: name, resolved, session: request.history !== undefined }, exchange)
          ),
          Effect.map((answer) => ({ ...answer, warnings: prepared.warnings }))
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
export const layer = ProviderDefinition.layerOf(make)

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
export const layerConfig = ProviderDefinition.layerConfigOf(() => definition)
