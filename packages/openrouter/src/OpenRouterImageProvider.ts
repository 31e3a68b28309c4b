/**
 * `OpenRouterImageProvider`: nanogen's `ImageProvider` over OpenRouter chat completions
 * (`POST /chat/completions` with `modalities: ["image","text"]` and `image_config`), plain JSON or SSE, or — with
 * `api: "images"` — over OpenRouter's Image API (`POST /images`), with optional capability discovery.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import type { ImageGenerationError } from "@nanogen/core"
import { ImageProvider, ImageRequest, ModelCatalog, ProviderClient, ProviderDefinition } from "@nanogen/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Predicate from "effect/Predicate"
import * as Redacted from "effect/Redacted"
import { definition } from "./definition.js"
import * as Discovery from "./internal/discovery.js"
import type * as Errors from "./internal/errors.js"
import * as Images from "./internal/images.js"
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
  /**
   * Which OpenRouter API generates: `"chat"` (chat completions, the default: it answers text beside the image and
   * carries multi-turn sessions) or `"images"` (the Image API, `POST /images`: images only, `n` per call where
   * the endpoint takes it, provider routing, `output_format`).
   */
  readonly api?: "chat" | "images" | undefined
  /** Settings of the Image API (with `api: "images"`). */
  readonly images?: ImagesOptions | undefined
}

/**
 * Settings of OpenRouter's Image API.
 *
 * @example
 * ```ts
 * import { OpenRouterImageProvider } from "@nanogen/openrouter"
 * const Images = OpenRouterImageProvider.layerConfig({
 *   api: "images",
 *   images: { outputFormat: "webp", routing: { only: ["google-vertex"], allowFallbacks: false }, discovery: true }
 * })
 * ```
 * @since 0.2.0
 * @category Models
 */
export interface ImagesOptions {
  /** `output_format`; default: the model's own format (JPEG for Gemini 3 models, PNG for 2.5). */
  readonly outputFormat?: "png" | "jpeg" | "webp" | undefined
  /**
   * Provider routing (`provider.order/only/ignore/allow_fallbacks`), by OpenRouter provider slug, e.g.
   * `{ only: ["google-vertex"], allowFallbacks: false }`.
   */
  readonly routing?: {
    readonly order?: ReadonlyArray<string> | undefined
    readonly only?: ReadonlyArray<string> | undefined
    readonly ignore?: ReadonlyArray<string> | undefined
    readonly allowFallbacks?: boolean | undefined
  } | undefined
  /**
   * Images one call may ask for (`n`), 1–10. Default 1 (one call per image): whether OpenRouter serves `n > 1`
   * for a model depends on its endpoints, which `discovery` reads.
   */
  readonly maxPerCall?: number | undefined
  /**
   * Capability discovery (opt-in): before a request, read the model's endpoints
   * (`GET /images/models/{author}/{slug}/endpoints`, no credential sent) and check the request against what they
   * take (sizes, ratios, reference images, seed, `n` per call), intersected over the endpoints the routing
   * allows. Each listing is kept for `ttl` (default 1 hour); one that cannot be read leaves the built-in table in
   * place, with a warning log. `true` uses the defaults.
   */
  readonly discovery?: boolean | {
    readonly ttl?: Duration.DurationInput | undefined
    /** Deadline of one listing request; default 10 seconds. */
    readonly timeout?: Duration.DurationInput | undefined
  } | undefined
}

/**
 * The fields `providerOptions.openrouter` may set with `api: "images"`; they are merged into the `POST /images`
 * body (`provider` key by key over the routing of the options).
 *
 * @example
 * ```ts
 * import { ImageProvider } from "@nanogen/core"
 * const request = ImageProvider.generate({
 *   prompt: "a nano banana",
 *   providerOptions: { openrouter: { output_format: "webp", provider: { sort: "price" } } }
 * })
 * ```
 * @since 0.2.0
 * @category Schemas
 */
export const ImagesProviderOptions = ImageRequest.wireFields(
  "provider",
  "output_format",
  "quality",
  "background",
  "output_compression",
  "user"
)

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
    const client = yield* ProviderClient.forBackend(definition, options, { headers })
    const stream = options.stream ?? false
    const scrub: Errors.Scrub = client.scrub

    if (options.api === "images") return yield* imagesService(options, client)

    return ImageProvider.make(definition, {
      options: ProviderOptions,
      concurrency: options.concurrency,
      scrub,
      // Nano Banana (2.5, no signatures) continues as assistant messages; for the Gemini 3 models the chat format
      // documents no way to send image signatures back, so each turn is a re-seed (the latest image as a user part).
      continuation: (resolved) => resolved.entry?.alias === "nano-banana" ? "chat" : undefined,
      call: ({ options: extra, request, resolved }) =>
        Effect.gen(function*() {
          const context: Response.Context = { model: resolved.model, scrub, download: client.download }
          const body = Request.build(request, resolved, extra, stream)
          const answer = yield* exchange(client, "/chat/completions", body, { request, resolved, stream }, {
            json: (response) => Response.fromJsonResponse(response, context),
            events: (response) => Response.fromEventsResponse(response, context)
          })
          const result = yield* Response.toAnswer(answer, context, Request.unmapped(resolved))
          return request.history === undefined
            ? result
            : { ...result, turn: { format: "chat" as const, message: Response.turnMessage(answer) } }
        })
    })
  })

/**
 * One POST of either API, with its debug line: the stream route when `stream`, images decoded as they arrive, the
 * answer read by `read.json` or `read.events`.
 */
const exchange = <A, E>(
  client: ProviderClient.ProviderClient,
  path: string,
  body: unknown,
  call: {
    readonly request: ImageRequest.ImageRequest
    readonly resolved: ModelCatalog.Resolved
    readonly stream: boolean
    readonly n?: number
  },
  read: {
    readonly json: (response: ProviderClient.JsonResponse) => Effect.Effect<A, E>
    readonly events: (response: ProviderClient.EventsResponse) => Effect.Effect<A, E>
  }
): Effect.Effect<A, E | ImageGenerationError.AttemptError> =>
  Effect.logDebug(`openrouter: POST ${path}`).pipe(
    Effect.annotateLogs({
      model: call.resolved.model,
      ...(call.n === undefined ? {} : { n: call.n }),
      images: call.request.images.length,
      aspectRatio: call.resolved.aspectRatio ?? "default",
      imageSize: call.resolved.imageSize ?? "default",
      stream: call.stream
    }),
    Effect.zipRight(
      call.stream
        ? Effect.flatMap(client.postEvents(path, body, { decodeImages: true }), read.events)
        : Effect.flatMap(client.postJson(path, body, { decodeImages: true }), read.json)
    )
  )

const mergeProvider = (body: Record<string, unknown>, extra: Readonly<Record<string, unknown>>) => {
  const merged: Record<string, unknown> = { ...body, ...extra }
  if (Predicate.isRecord(extra.provider) && Predicate.isRecord(body.provider)) {
    merged.provider = { ...body.provider, ...extra.provider }
  }
  return merged
}

/** The service over `POST /images`: its own copy of the table, rewritten by discovery when that is on. */
const imagesService = (options: Options, client: ProviderClient.ProviderClient) =>
  Effect.gen(function*() {
    const settings = options.images ?? {}
    const maxPerCall = Math.min(10, Math.max(1, Math.floor(settings.maxPerCall ?? 1)))
    const table: { -readonly [A in ModelCatalog.Alias]?: ModelCatalog.BackendModel } = {}
    for (const alias of ModelCatalog.aliases) {
      const entry = definition.models[alias]
      if (entry !== undefined) table[alias] = { generate: { ...entry.generate, maxPerCall } }
    }
    const stream = options.stream ?? false
    const scrub = client.scrub
    const service = ImageProvider.make({ ...definition, models: table }, {
      options: ImagesProviderOptions,
      concurrency: options.concurrency,
      scrub,
      call: ({ count, options: extra, request, resolved }) =>
        Effect.gen(function*() {
          const context: Images.Context = { model: resolved.model, scrub }
          const body = mergeProvider(
            Images.build(request, resolved, {
              n: count,
              outputFormat: settings.outputFormat,
              routing: settings.routing,
              stream
            }),
            extra
          )
          const answer = yield* exchange(client, "/images", body, { request, resolved, stream, n: count }, {
            json: (response) => Images.fromJson(response, context),
            events: (response) => Images.fromStream(response, context)
          })
          const result = yield* Images.toAnswer(answer, context, count)
          const unmapped = Request.unmapped(resolved)
          return unmapped.length === 0 ? result : { ...result, warnings: [...(result.warnings ?? []), ...unmapped] }
        })
    })
    if (settings.discovery === undefined || settings.discovery === false) return service
    const discoveryOptions = settings.discovery === true ? {} : settings.discovery
    const http = yield* HttpClient.HttpClient
    const discovery = Discovery.make(
      options.transformClient === undefined ? http : options.transformClient(http),
      options.apiUrl ?? definition.apiUrl.default,
      table,
      definition.nativeAliases ?? {},
      {
        ttl: Duration.decode(discoveryOptions.ttl ?? "1 hour"),
        timeout: Duration.decode(discoveryOptions.timeout ?? "10 seconds"),
        routing: settings.routing
      }
    )
    return {
      ...service,
      // Validation first (never a listing request for a bad input), then the listing, then the skeleton.
      generate: (input) =>
        Effect.flatMap(
          ImageRequest.decode(input, name),
          (request) => Effect.zipRight(discovery.refresh(request.model), service.generate(input))
        )
    } satisfies ImageProvider.ImageProvider.Service
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
export const layer = ProviderDefinition.layerOf(make)

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
export const layerConfig = ProviderDefinition.layerConfigOf(() => definition)
