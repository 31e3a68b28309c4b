/**
 * `VertexImageProvider`: nanogen's `ImageProvider` over Vertex AI
 * `projects/{project}/locations/{location}/publishers/google/models/{model}:generateContent` (or express mode's
 * `publishers/google/models/{model}:generateContent` with an API key), on the Gemini wire codec.
 *
 * @since 0.2.0
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import { ImageGenerationError, ImageProvider, ProviderClient, ProviderDefinition } from "@nanogen/core"
import { GeminiCodec } from "@nanogen/google-direct"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schema from "effect/Schema"
import { definition } from "./definition.js"
import * as VertexAuth from "./VertexAuth.js"
import * as VertexUrl from "./VertexUrl.js"

/**
 * The provider name in results, attempts, errors and `NANOGEN_PROVIDERS`.
 *
 * @example
 * ```ts
 * import { VertexImageProvider } from "@nanogen/vertex"
 * VertexImageProvider.name // "vertex"
 * ```
 * @since 0.2.0
 * @category Models
 */
export const name = "vertex"

/**
 * Options of `make` / `layer`: where (project, location), how to authenticate (`VertexAuth.Options`), and the
 * options every provider takes.
 *
 * @example
 * ```ts
 * import type { VertexImageProvider } from "@nanogen/vertex"
 * const options: VertexImageProvider.Options = { project: "my-project", location: "global", keyFilename: "sa.json" }
 * ```
 * @since 0.2.0
 * @category Models
 */
export interface Options extends ProviderDefinition.CommonOptions, VertexAuth.Options {
  /** The Google Cloud project (OAuth); default the `project_id` of the service-account JSON. */
  readonly project?: string | undefined
  /** The location, e.g. `global` (default), `us-central1`, `eu`. */
  readonly location?: string | undefined
  /** Base URL including the API version; default the location's host (`VertexUrl.baseUrl`). */
  readonly apiUrl?: string | undefined
  /** Use `:streamGenerateContent?alt=sse` and merge the chunks. Default `false`. */
  readonly stream?: boolean | undefined
}

const Label = (pattern: RegExp, what: string) =>
  Schema.String.pipe(Schema.pattern(pattern, {
    message: () => `${what} must be at most 63 lowercase letters, digits, "_" or "-"`
  }))

/**
 * `providerOptions.vertex`: the request fields only Vertex AI takes. `imageOutputOptions`, `personGeneration` and
 * `prominentPeople` go into `generationConfig.imageConfig`, `labels` (billing and reporting) to the body's root.
 *
 * @example
 * ```ts
 * import type { VertexImageProvider } from "@nanogen/vertex"
 * const vertex: VertexImageProvider.ProviderOptions = {
 *   imageOutputOptions: { mimeType: "image/png" },
 *   personGeneration: "ALLOW_ADULT",
 *   labels: { team: "design" }
 * }
 * ```
 * @since 0.2.0
 * @category Schemas
 */
export const ProviderOptions = Schema.Struct({
  imageOutputOptions: Schema.optional(Schema.Struct({
    mimeType: Schema.optional(Schema.Literal("image/png", "image/jpeg")),
    compressionQuality: Schema.optional(Schema.Int.pipe(Schema.between(0, 100)))
  })),
  personGeneration: Schema.optional(Schema.Literal("ALLOW_ALL", "ALLOW_ADULT", "ALLOW_NONE")),
  prominentPeople: Schema.optional(Schema.Literal("ALLOW_PROMINENT_PEOPLE", "BLOCK_PROMINENT_PEOPLE")),
  labels: Schema.optional(Schema.Record({
    key: Label(/^[a-z][a-z0-9_-]{0,62}$/, "a label key (starting with a letter)"),
    value: Label(/^[a-z0-9_-]{0,63}$/, "a label value")
  }))
})

/**
 * @since 0.2.0
 * @category Schemas
 */
export type ProviderOptions = typeof ProviderOptions.Type

/**
 * Where each model is served (Vertex model cards); models not listed are not checked (a wrong location answers
 * 404 "Publisher Model … was not found").
 *
 * @example
 * ```ts
 * import { VertexImageProvider } from "@nanogen/vertex"
 * VertexImageProvider.locations["gemini-3.1-flash-image"] // ["global"]
 * ```
 * @since 0.2.0
 * @category Models
 */
export const locations: Readonly<Record<string, ReadonlyArray<string>>> = {
  "gemini-2.5-flash-image": ("global us eu us-central1 us-east1 us-east4 us-east5 us-south1 us-west1 us-west4 " +
    "europe-central2 europe-north1 europe-southwest1 europe-west1 europe-west4 europe-west8").split(" "),
  "gemini-3.1-flash-image": ["global"],
  "gemini-3.1-flash-lite-image": ["global"],
  "gemini-3-pro-image-preview": ["global"]
}

const settings = ({ labels, ...imageConfig }: ProviderOptions) => ({
  imageConfig,
  root: labels === undefined ? {} : { labels }
})

/**
 * Builds the service from the ambient `HttpClient`. Nothing is fetched until the first call.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { VertexImageProvider } from "@nanogen/vertex"
 *
 * const program = Effect.gen(function*() {
 *   const provider = yield* VertexImageProvider.make({ project: "my-project", keyFilename: "sa.json" })
 *   return yield* provider.generate({ prompt: "a nano banana dish", model: "nano-banana-pro" })
 * })
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const make = (
  options: Options
): Effect.Effect<ImageProvider.ImageProvider.Service, never, HttpClient.HttpClient> =>
  Effect.gen(function*() {
    const auth = VertexAuth.make(name, options)
    const location = auth.mode === "express" ? "global" : options.location ?? "global"
    const apiUrl = options.apiUrl ?? VertexUrl.baseUrl(VertexUrl.isLocation(location) ? location : "global")
    const client = yield* ProviderClient.forBackend(definition, { ...options, apiUrl }, {
      headers: {},
      credential: auth.credential
    })
    const unsupported = (field: string, message: string) =>
      new ImageGenerationError.UnsupportedRequest({ provider: name, field, message: `${name}: ${message}` })
    const target = Effect.gen(function*() {
      if (auth.mode === "express") return {}
      if (!VertexUrl.isLocation(location)) {
        return yield* unsupported(
          "location",
          `${JSON.stringify(location)} is not a Vertex AI location (set GOOGLE_CLOUD_LOCATION)`
        )
      }
      const project = options.project ?? (yield* auth.projectId)
      if (project !== undefined) return { project, location }
      return yield* new ImageGenerationError.AuthenticationFailed({
        provider: name,
        message: `${name}: no Google Cloud project: set GOOGLE_CLOUD_PROJECT`
      })
    })
    return ImageProvider.make(definition, {
      options: ProviderOptions,
      scrub: client.scrub,
      concurrency: options.concurrency,
      prepare: (request, resolved) =>
        Effect.gen(function*() {
          const where = yield* target
          const served = locations[resolved.model]
          if (where.location !== undefined && served !== undefined && !served.includes(where.location)) {
            return yield* unsupported(
              "location",
              `${resolved.model} is served in ${served.join(", ")} only (location ${where.location})`
            )
          }
          const images = yield* GeminiCodec.inlineImages(client, request, resolved)
          return { where, images, history: yield* GeminiCodec.historyContents(client, request, resolved) }
        }),
      // Gemini turns continue on the same model id (signatures are model-specific); anything else is re-seeded.
      continuation: () => "gemini",
      call: ({ options: vertex, prepared, request, resolved }) =>
        Effect.gen(function*() {
          const built = GeminiCodec.body(request, resolved, prepared.images, {
            ...settings(vertex),
            history: prepared.history
          })
          const path = VertexUrl.modelPath(prepared.where, resolved.model)
          const exchanged = yield* GeminiCodec.send(client, path, built.body, {
            model: resolved.model,
            stream: options.stream === true
          })
          const session = request.history !== undefined
          const answer = yield* GeminiCodec.answer({ provider: name, resolved, session }, exchanged)
          return { ...answer, warnings: built.warnings }
        })
    })
  })

/**
 * The provider as a layer; `HttpClient` stays a requirement.
 *
 * @example
 * ```ts
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { Effect } from "effect"
 * import { ImageProvider } from "@nanogen/core"
 * import { VertexImageProvider } from "@nanogen/vertex"
 *
 * const Vertex = VertexImageProvider.layer({ project: "my-project", location: "global" })
 * const result = ImageProvider.generate({ prompt: "a nano banana" }).pipe(
 *   Effect.provide(Vertex),
 *   Effect.provide(NodeHttpClient.layerUndici)
 * )
 * ```
 * @since 0.2.0
 * @category Layers
 */
export const layer = ProviderDefinition.layerOf(make)

/**
 * The provider configured from the environment: `GOOGLE_CLOUD_PROJECT`, `GOOGLE_CLOUD_LOCATION` (default
 * `global`), `GOOGLE_APPLICATION_CREDENTIALS` (a credentials file; else Application Default Credentials) or
 * `VERTEX_API_KEY` (express mode, used when no credentials file is set), `VERTEX_API_URL`.
 *
 * @example
 * ```ts
 * import { NodeHttpClient } from "@effect/platform-node"
 * import { Effect } from "effect"
 * import { ImageProvider } from "@nanogen/core"
 * import { VertexImageProvider } from "@nanogen/vertex"
 *
 * const result = ImageProvider.generate({ prompt: "a nano banana" }).pipe(
 *   Effect.provide(VertexImageProvider.layerConfig({ stream: true })),
 *   Effect.provide(NodeHttpClient.layerUndici)
 * )
 * ```
 * @since 0.2.0
 * @category Layers
 */
export const layerConfig = (
  options: Omit<Options, "apiKey" | "apiUrl" | "project" | "location" | "keyFilename"> = {}
): Layer.Layer<ImageProvider.ImageProvider, ConfigError.ConfigError, HttpClient.HttpClient> =>
  Layer.unwrapEffect(Effect.gen(function*() {
    const keyFilename = yield* ProviderDefinition.variable("GOOGLE_APPLICATION_CREDENTIALS")
    const credential = yield* ProviderDefinition.credentialConfig(definition)
    return layer({
      ...options,
      project: yield* ProviderDefinition.variable("GOOGLE_CLOUD_PROJECT"),
      location: (yield* ProviderDefinition.variable("GOOGLE_CLOUD_LOCATION")) ?? "global",
      keyFilename,
      apiKey: keyFilename === undefined ? Option.getOrUndefined(credential)?.apiKey : undefined,
      apiUrl: yield* ProviderDefinition.variable(definition.apiUrl.env)
    })
  }))
