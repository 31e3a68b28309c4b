/**
 * OpenRouter's Image API (`POST /images`, `GET /images/models/{author}/{slug}/endpoints`): the wire schemas (only
 * the fields nanogen reads, every one optional or nullable so that each documented variant decodes), the request
 * body, and the pure decoding of its answers, stream events, error bodies and endpoint listings.
 *
 * @since 0.2.0
 * @internal
 */
import type { ImageProvider, ImageRequest, ImageResult as ImageResultNs, ProviderClient } from "@nanogen/core"
import { ImageBytes, ImageGenerationError, ImageResult, JsonBody } from "@nanogen/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Schema from "effect/Schema"
import * as Errors from "./errors.js"
import { imagePart } from "./request.js"
import { WireError } from "./wire.js"

const { PROVIDER } = Errors

const optionalNullable = <S extends Schema.Schema.Any>(schema: S) => Schema.optional(Schema.NullOr(schema))

// ---------------------------------------------------------------------------------------------------------------
// Request
// ---------------------------------------------------------------------------------------------------------------

/**
 * Output formats a raster client can take (`svg` is left out: nanogen returns raster images only).
 *
 * @internal
 */
export const outputFormats = ["png", "jpeg", "webp"] as const

/** @internal */
export type OutputFormat = typeof outputFormats[number]

/**
 * Provider routing for `/images` (`provider.order/only/ignore/allow_fallbacks`), in nanogen's spelling.
 *
 * @internal
 */
export interface Routing {
  readonly order?: ReadonlyArray<string> | undefined
  readonly only?: ReadonlyArray<string> | undefined
  readonly ignore?: ReadonlyArray<string> | undefined
  readonly allowFallbacks?: boolean | undefined
}

/**
 * What the body is built from besides the request: the native target (a `ModelCatalog.Resolved`, or a capability
 * refreshed by discovery), the images this call asks for, and the Image API options.
 *
 * @internal
 */
export interface Target {
  /** The native slug, e.g. `google/gemini-3.1-flash-image`. */
  readonly model: string
  readonly aspectRatio: ImageRequest.AspectRatio | undefined
  readonly imageSize: ImageRequest.ImageSize | undefined
  /** `undefined` for a slug passed through unchecked: the seed is then sent as asked. */
  readonly capability: { readonly seed: boolean } | undefined
}

/** @internal */
export interface BuildOptions {
  /** Images asked of this call (`n`); omitted from the body when 1. */
  readonly n: number
  readonly outputFormat?: OutputFormat | undefined
  readonly routing?: Routing | undefined
  readonly stream?: boolean | undefined
}

/**
 * The wire `provider` object, with only the keys that are set; `undefined` when nothing is set.
 *
 * @internal
 */
export const routingToWire = (routing: Routing | undefined): Record<string, unknown> | undefined => {
  if (routing === undefined) return undefined
  const wire: Record<string, unknown> = {}
  if (routing.order !== undefined) wire.order = [...routing.order]
  if (routing.only !== undefined) wire.only = [...routing.only]
  if (routing.ignore !== undefined) wire.ignore = [...routing.ignore]
  if (routing.allowFallbacks !== undefined) wire.allow_fallbacks = routing.allowFallbacks
  return Object.keys(wire).length === 0 ? undefined : wire
}

/**
 * The `POST /images` body: `model`, `prompt`, then only what is set — `n` (when above 1), `resolution` (the tier
 * as nanogen spells it: `512`, `1K`, `2K`, `4K`), `aspect_ratio`, `input_references` (bytes as data URLs with the
 * sniffed type, URLs passed through), `seed` (integer; not sent where the model takes none), `output_format`,
 * `provider` routing and `stream`. A pixel `size` is never sent (it conflicts with `aspect_ratio`).
 *
 * @internal
 */
export const build = (
  request: Pick<ImageRequest.ImageRequest, "prompt" | "images" | "seed">,
  target: Target,
  options: BuildOptions
): Record<string, unknown> => {
  const body: Record<string, unknown> = { model: target.model, prompt: request.prompt }
  if (options.n > 1) body.n = Math.trunc(options.n)
  if (target.imageSize !== undefined) body.resolution = target.imageSize
  if (target.aspectRatio !== undefined) body.aspect_ratio = target.aspectRatio
  if (request.images.length > 0) body.input_references = request.images.map(imagePart)
  if (request.seed !== undefined && (target.capability === undefined || target.capability.seed)) {
    body.seed = Math.trunc(request.seed)
  }
  if (options.outputFormat !== undefined) body.output_format = options.outputFormat
  const provider = routingToWire(options.routing)
  if (provider !== undefined) body.provider = provider
  if (options.stream === true) body.stream = true
  return body
}

// ---------------------------------------------------------------------------------------------------------------
// Answers
// ---------------------------------------------------------------------------------------------------------------

/**
 * `ImageGenerationUsage`: token counts, `cost` (USD, nullable) and the details nanogen reads.
 *
 * @internal
 */
export const Usage = Schema.Struct({
  prompt_tokens: optionalNullable(Schema.Number),
  completion_tokens: optionalNullable(Schema.Number),
  total_tokens: optionalNullable(Schema.Number),
  cost: optionalNullable(Schema.Number),
  completion_tokens_details: optionalNullable(Schema.Struct({ image_tokens: optionalNullable(Schema.Number) }))
})

/** @internal */
export interface Usage extends Schema.Schema.Type<typeof Usage> {}

// Answers are read with `decodeImages`: `b64_json` may already be bytes (`ImageBytes.Base64Field`).
const Item = Schema.Struct({
  b64_json: optionalNullable(ImageBytes.Base64Field),
  // Not in the spec; tolerated as LiteLLM's typed model does.
  url: optionalNullable(ImageBytes.Base64Field),
  media_type: optionalNullable(Schema.String)
})

/** @internal */
export interface Item extends Schema.Schema.Type<typeof Item> {}

/**
 * `ImageGenerationResponse`; `created` may be absent or 0, `usage` absent, `data` empty.
 *
 * @internal
 */
export const Response = Schema.Struct({
  created: optionalNullable(Schema.Number),
  data: optionalNullable(Schema.Array(Item)),
  usage: optionalNullable(Usage),
  error: optionalNullable(WireError)
})

/** @internal */
export interface Response extends Schema.Schema.Type<typeof Response> {}

/**
 * One SSE event: `image_generation.partial_image`, `image_generation.text_chunk`, `image_generation.completed`
 * or `error`.
 *
 * @internal
 */
export const Event = Schema.Struct({
  type: optionalNullable(Schema.String),
  b64_json: optionalNullable(ImageBytes.Base64Field),
  media_type: optionalNullable(Schema.String),
  usage: optionalNullable(Usage),
  error: optionalNullable(Schema.Struct({
    code: optionalNullable(Schema.Union(Schema.Number, Schema.String)),
    message: optionalNullable(Schema.String),
    type: optionalNullable(Schema.String),
    param: optionalNullable(Schema.Unknown)
  }))
})

/** @internal */
export interface Event extends Schema.Schema.Type<typeof Event> {}

/**
 * A whole answer, streamed or not: the images in order, the last usage, and an error it carries.
 *
 * @internal
 */
export interface Answer {
  readonly items: ReadonlyArray<Item>
  readonly usage: Usage | undefined
  readonly error: WireError | undefined
}

/** @internal */
export interface Context {
  readonly model: string
  readonly scrub: Errors.Scrub
}

/** @internal */
export const fromResponse = (response: Response): Answer => ({
  items: response.data ?? [],
  usage: response.usage ?? undefined,
  error: response.error ?? undefined
})

/**
 * Folds stream events: one image per `completed` event (partial previews are ignored), the last usage, the
 * first `error` event (its string `code`, `server_error` or `upstream_error`, reads as a provider failure).
 *
 * @internal
 */
export const fromEvents = (events: ReadonlyArray<Event>): Answer => {
  const items: Array<Item> = []
  let usage: Usage | undefined
  let error: WireError | undefined
  for (const event of events) {
    if (event.usage !== undefined && event.usage !== null) usage = event.usage
    if (event.type === "error" || (event.error !== undefined && event.error !== null)) {
      if (error === undefined) {
        const wire = event.error ?? {}
        error = {
          code: wire.code ?? undefined,
          message: wire.message ?? undefined,
          error_type: wire.type ?? undefined
        }
      }
      continue
    }
    if (event.type === "image_generation.completed") {
      items.push({ b64_json: event.b64_json, media_type: event.media_type })
    }
  }
  return { items, usage, error }
}

const decodeResponse = Schema.decodeUnknownEither(Response, { errors: "first", onExcessProperty: "ignore" })
const decodeEvent = Schema.decodeUnknownEither(Event, { errors: "first", onExcessProperty: "ignore" })
const decodeErrorBody = Schema.decodeUnknownEither(
  Schema.Struct({ error: optionalNullable(WireError) }),
  { onExcessProperty: "ignore" }
)

const malformed = (context: Context, message: string, status?: number) =>
  new ImageGenerationError.MalformedResponse({
    provider: PROVIDER,
    model: context.model,
    message: `${PROVIDER}: ${message}`,
    ...(status === undefined ? {} : { status })
  })

/**
 * The error of a non-2xx `/images` answer. The statuses map as elsewhere (`Errors.fromEnvelope`), with two
 * refinements: a 413 is `InvalidRequest` on `images` (the reference images are too large for this backend), a
 * 502 says the failed generation was not billed.
 *
 * @internal
 */
export const fromErrorBody = (
  status: number,
  body: unknown,
  retryAfterHeader: string | undefined,
  context: Context
): ImageGenerationError.AttemptError => {
  const decoded = decodeErrorBody(body)
  const envelope = Either.isRight(decoded) ? decoded.right.error ?? {} : {}
  const error = Errors.fromEnvelope(envelope, {
    httpStatus: status,
    model: context.model,
    retryAfterHeader,
    scrub: context.scrub
  })
  if (status === 413 && error._tag === "InvalidRequest") {
    return new ImageGenerationError.InvalidRequest({
      provider: PROVIDER,
      model: context.model,
      status,
      field: "images",
      message: `${error.message} (the reference images are too large for OpenRouter's Image API)`
    })
  }
  if (status === 502 && error._tag === "ProviderUnavailable") {
    return new ImageGenerationError.ProviderUnavailable({
      provider: PROVIDER,
      model: context.model,
      status,
      message: `${error.message} (the generation failed and was not billed)`
    })
  }
  return error
}

/**
 * Reads a JSON exchange of `POST /images`: a non-2xx status is its error, a 2xx body is decoded.
 *
 * @internal
 */
export const fromJson = (
  response: ProviderClient.JsonResponse,
  context: Context
): Either.Either<Answer, ImageGenerationError.AttemptError> => {
  if (response.status < 200 || response.status >= 300) {
    const header = response.headers["retry-after"]
    return Either.left(fromErrorBody(response.status, response.body, header, context))
  }
  try {
    const decoded = decodeResponse(response.body)
    if (Either.isLeft(decoded)) {
      return Either.left(malformed(context, "unexpected Image API response shape", response.status))
    }
    return Either.right(fromResponse(decoded.right))
  } catch (error) {
    return Either.left(malformed(context, `the Image API response could not be decoded (${String(error)})`))
  }
}

/**
 * Reads a streamed exchange: a JSON answer (Gemini endpoints ignore `stream` and answer the buffered body, and
 * errors come as JSON) is read as `fromJson`; otherwise each event's `data` is parsed, `[DONE]` ends it.
 *
 * @internal
 */
export const fromStream = (
  response: ProviderClient.EventsResponse,
  context: Context
): Effect.Effect<Answer, ImageGenerationError.AttemptError> =>
  Effect.gen(function*() {
    // Each event already parsed (`decodeImages`), or the text of one that is not JSON. (`values` first: `events`
    // would re-encode the images as text.)
    const received = response.values ?? response.events
    if (received === undefined) return yield* fromJson(response, context)
    const events: Array<Event> = []
    for (const data of received) {
      const trimmed = typeof data === "string" ? data.trim() : undefined
      if (trimmed === "[DONE]" || trimmed === "") continue
      const json = typeof data === "string" ? yield* JsonBody.parse(PROVIDER, response.status, data) : data
      const decoded = decodeEvent(json)
      if (Either.isLeft(decoded)) {
        return yield* Effect.fail(malformed(context, "unexpected Image API stream event shape", response.status))
      }
      events.push(decoded.right)
    }
    return fromEvents(events)
  })

const count = (value: number | null | undefined): number | undefined =>
  typeof value === "number" && Number.isFinite(value) ? value : undefined

/**
 * Generated bytes as an image nanogen returns: a PNG/JPEG/WebP/GIF/HEIF with its sniffed type and size (a label
 * is only a hint); bytes that sniff as none of them (SVG markup, text, base64 garbage, one byte) are refused as
 * `MalformedResponse`, so the chain fails over. Both OpenRouter APIs use it.
 *
 * @internal
 */
export const rasterImage = (
  data: Uint8Array,
  where: string,
  label: string | undefined,
  context: Context
): Either.Either<ImageResultNs.GeneratedImage, ImageGenerationError.MalformedResponse> => {
  const info = data.length === 0 ? undefined : ImageBytes.inspect(data)
  return info === undefined
    ? Either.left(malformed(
      context,
      `${where} is not an image (labelled ${
        label ?? "with no type"
      }; its bytes are no PNG, JPEG, WebP, GIF or HEIF image)`
    ))
    : Either.right({ data, ...info })
}

/**
 * One returned item: its `b64_json` decoded and checked by `rasterImage`; an item without `b64_json` (a `url`,
 * which the Image API does not document) is `MalformedResponse`.
 *
 * @internal
 */
export const decodeItem = (
  item: Item,
  index: number,
  context: Context
): Either.Either<ImageResultNs.GeneratedImage, ImageGenerationError.MalformedResponse> => {
  const b64 = item.b64_json ?? undefined
  if (b64 === undefined || b64 === "") {
    return Either.left(
      malformed(
        context,
        item.url !== undefined && item.url !== null
          ? `data[${index}] carries a url and no b64_json (the Image API documents b64_json only)`
          : `data[${index}] carries no b64_json`
      )
    )
  }
  // (a data URL where base64 belongs is decoded as the text it is, as it always was: it is no image)
  const bytes = ImageBytes.fromBase64(typeof b64 !== "string" && b64.header !== undefined ? b64.toString() : b64)
  return rasterImage(bytes, `data[${index}]`, item.media_type ?? undefined, context)
}

/**
 * Turns an answer into what one call answers (the skeleton adds provider, model and attempts), or its error: an
 * error it carries, `NoImageReturned` for an empty `data`, `MalformedResponse` for an item that is no image.
 * `usage.cost` is the reported cost; absent usage stays absent (never zero). `count` is how many images the call
 * asked for: extra images are dropped, fewer are kept with a warning ("providers may return fewer").
 *
 * @internal
 */
export const toAnswer = (
  answer: Answer,
  context: Context,
  count = answer.items.length
): Either.Either<ImageProvider.Answer, ImageGenerationError.AttemptError> => {
  if (answer.error !== undefined) {
    return Either.left(
      Errors.fromEnvelope(answer.error, { httpStatus: 200, model: context.model, scrub: context.scrub })
    )
  }
  if (answer.items.length === 0) {
    return Either.left(
      new ImageGenerationError.NoImageReturned({
        provider: PROVIDER,
        model: context.model,
        message: `${PROVIDER}: the Image API answered no image (empty data)`
      })
    )
  }
  const images: Array<ImageResultNs.GeneratedImage> = []
  for (const [index, item] of answer.items.slice(0, Math.max(1, count)).entries()) {
    const image = decodeItem(item, index, context)
    if (Either.isLeft(image)) return Either.left(image.left)
    images.push(image.right)
  }
  const warnings = images.length < count
    ? [`${PROVIDER}: asked the Image API for ${count} images in one call and got ${images.length}`]
    : []
  return Either.right({
    images: images as unknown as ImageProvider.Answer["images"],
    ...accounting(answer.usage),
    warnings
  })
}

/**
 * OpenRouter's `usage` (chat completions and Image API alike) as nanogen's `usage` and reported `cost`: token
 * counts that are present, and `cost` (USD) as a reported cost when it is a number; nothing is made up as zero.
 *
 * @internal
 */
export const accounting = (
  usage:
    | {
      readonly prompt_tokens?: number | null | undefined
      readonly completion_tokens?: number | null | undefined
      readonly total_tokens?: number | null | undefined
      readonly cost?: number | null | undefined
    }
    | null
    | undefined
): { readonly usage: ImageResultNs.Usage; readonly cost?: ImageResultNs.Cost } => {
  const cost = count(usage?.cost)
  const counts = ImageResult.dropUndefined({
    inputTokens: count(usage?.prompt_tokens),
    outputTokens: count(usage?.completion_tokens),
    totalTokens: count(usage?.total_tokens)
  })
  return cost === undefined ? { usage: counts } : { usage: counts, cost: { usd: cost, source: "reported" } }
}

// ---------------------------------------------------------------------------------------------------------------
// Discovery
// ---------------------------------------------------------------------------------------------------------------

/**
 * A capability descriptor: `{type:"enum", values}`, `{type:"range", min, max}`, `{type:"boolean"}`; another type
 * decodes too (and is read as "supported, bounds unknown").
 *
 * @internal
 */
export const Descriptor = Schema.Struct({
  type: Schema.String,
  values: optionalNullable(Schema.Array(Schema.Union(Schema.String, Schema.Number, Schema.Boolean))),
  min: optionalNullable(Schema.Number),
  max: optionalNullable(Schema.Number)
})

/** @internal */
export interface Descriptor extends Schema.Schema.Type<typeof Descriptor> {}

const Parameters = Schema.Record({ key: Schema.String, value: Descriptor })

/** @internal */
export const Endpoint = Schema.Struct({
  provider_name: optionalNullable(Schema.String),
  provider_slug: optionalNullable(Schema.String),
  provider_tag: optionalNullable(Schema.String),
  supported_parameters: optionalNullable(Parameters),
  allowed_passthrough_parameters: optionalNullable(Schema.Array(Schema.String)),
  supports_streaming: optionalNullable(Schema.Boolean),
  pricing: optionalNullable(Schema.Array(Schema.Struct({
    billable: optionalNullable(Schema.String),
    unit: optionalNullable(Schema.String),
    cost_usd: optionalNullable(Schema.Number),
    variant: optionalNullable(Schema.String)
  })))
})

/** @internal */
export interface Endpoint extends Schema.Schema.Type<typeof Endpoint> {}

/**
 * `GET /images/models/{author}/{slug}/endpoints`.
 *
 * @internal
 */
export const Endpoints = Schema.Struct({
  id: optionalNullable(Schema.String),
  endpoints: Schema.Array(Endpoint)
})

/** @internal */
export interface Endpoints extends Schema.Schema.Type<typeof Endpoints> {}

/**
 * `GET /images/models`.
 *
 * @internal
 */
export const Models = Schema.Struct({
  data: Schema.Array(Schema.Struct({
    id: Schema.String,
    name: optionalNullable(Schema.String),
    supported_parameters: optionalNullable(Parameters),
    supports_streaming: optionalNullable(Schema.Boolean),
    endpoints: optionalNullable(Schema.String)
  }))
})

/** @internal */
export interface Models extends Schema.Schema.Type<typeof Models> {}

/**
 * What discovery learnt about a model on the Image API, from the endpoints the routing allows. Each field is the
 * intersection over those endpoints (what every one of them takes, so that the request is valid wherever
 * OpenRouter routes it); `undefined` when no endpoint describes the parameter at all ("absent means unsupported"
 * holds per endpoint: an endpoint without `seed` makes `seed` false).
 *
 * @internal
 */
export interface Discovered {
  readonly model: string
  /** The endpoints considered, by `provider_slug`. */
  readonly providers: ReadonlyArray<string>
  readonly imageSizes: ReadonlyArray<ImageRequest.ImageSize>
  readonly aspectRatios: ReadonlyArray<ImageRequest.AspectRatio> | undefined
  /** The largest `n` one call takes (1 when `n` is not a parameter). */
  readonly maxPerCall: number
  readonly maxImages: number | undefined
  readonly seed: boolean
  readonly outputFormats: ReadonlyArray<string> | undefined
}

const enumValues = (descriptor: Descriptor | undefined): ReadonlyArray<string> | undefined =>
  descriptor?.type === "enum" && descriptor.values !== undefined && descriptor.values !== null
    ? descriptor.values.map(String)
    : undefined

const intersect = <A>(sets: ReadonlyArray<ReadonlyArray<A>>): ReadonlyArray<A> =>
  sets.length === 0 ? [] : sets.reduce((acc, set) => acc.filter((value) => set.includes(value)))

const isOneOf = <A extends string>(values: ReadonlyArray<A>) => (value: string): value is A =>
  (values as ReadonlyArray<string>).includes(value)

/**
 * The endpoints a routing allows: `only` keeps the named ones, `ignore` drops them; `order` with
 * `allowFallbacks: false` keeps the ordered ones only. Endpoints are named by `provider_slug` or `provider_tag`.
 *
 * @internal
 */
export const allowedEndpoints = (
  listing: Endpoints,
  routing: Routing | undefined
): ReadonlyArray<Endpoint> => {
  const names = (endpoint: Endpoint) =>
    [endpoint.provider_slug, endpoint.provider_tag, endpoint.provider_name].filter((name): name is string =>
      typeof name === "string"
    ).map((name) => name.toLowerCase())
  const matches = (endpoint: Endpoint, list: ReadonlyArray<string>) =>
    names(endpoint).some((name) => list.some((wanted) => wanted.toLowerCase() === name))
  return listing.endpoints.filter((endpoint) => {
    if (routing?.only !== undefined && !matches(endpoint, routing.only)) return false
    if (routing?.ignore !== undefined && matches(endpoint, routing.ignore)) return false
    if (routing?.order !== undefined && routing.allowFallbacks === false && !matches(endpoint, routing.order)) {
      return false
    }
    return true
  })
}

/**
 * Reads an endpoint listing into what nanogen checks a request against; `undefined` when no endpoint is allowed.
 *
 * @internal
 */
export const discover = (
  listing: Endpoints,
  model: string,
  allRatios: ReadonlyArray<ImageRequest.AspectRatio>,
  allSizes: ReadonlyArray<ImageRequest.ImageSize>,
  routing?: Routing | undefined
): Discovered | undefined => {
  const endpoints = allowedEndpoints(listing, routing)
  if (endpoints.length === 0) return undefined
  const parameters = endpoints.map((endpoint) => endpoint.supported_parameters ?? {})
  const enumOf = (key: string): ReadonlyArray<string> | undefined => {
    const lists = parameters.map((parameter) => parameter[key] === undefined ? [] : enumValues(parameter[key]))
    if (parameters.every((parameter) => parameter[key] === undefined)) return undefined
    // A descriptor that is not an enum lists no values: it does not narrow.
    const known = lists.filter((list): list is ReadonlyArray<string> => list !== undefined)
    return known.length === 0 ? undefined : intersect(known)
  }
  const maxOf = (key: string): number | undefined => {
    const maxima = parameters.map((parameter) => {
      const descriptor = parameter[key]
      if (descriptor === undefined) return 0
      return descriptor.type === "range" && typeof descriptor.max === "number" ? descriptor.max : undefined
    })
    const known = maxima.filter((max): max is number => max !== undefined)
    return known.length === 0 ? undefined : Math.min(...known)
  }
  const resolutions = enumOf("resolution")
  const ratios = enumOf("aspect_ratio")
  const n = maxOf("n")
  return {
    model,
    providers: endpoints.map((endpoint) => endpoint.provider_slug ?? endpoint.provider_name ?? "unknown"),
    imageSizes: resolutions === undefined ? [] : resolutions.filter(isOneOf(allSizes)),
    aspectRatios: ratios === undefined ? undefined : ratios.filter(isOneOf(allRatios)),
    maxPerCall: n === undefined ? 1 : Math.max(1, Math.floor(n)),
    maxImages: maxOf("input_references"),
    seed: parameters.every((parameter) => parameter.seed !== undefined),
    outputFormats: enumOf("output_format")
  }
}
