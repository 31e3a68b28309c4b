/**
 * `GeminiCodec`: the Gemini `generateContent` wire format, shared by the Gemini API provider and Vertex AI
 * (`@nanogen/vertex`): the request body (prompt, reference images, `imageConfig`, `thinkingConfig`, Google Search
 * grounding), the exchange (one body, the events of `:streamGenerateContent?alt=sse`, or a JSON array of chunks),
 * the answer (final images without the interim thought images, refusals, usage, cost, `groundingMetadata`) and the
 * `{error:{code,message,status,details}}` envelope with `RetryInfo`.
 *
 * @since 0.2.0
 */
import {
  HttpFailure,
  ImageBytes,
  ImageDownload,
  ImageGenerationError,
  type ImageProvider,
  type ImageRequest,
  ImageResult,
  type ImageTurn,
  ModelCatalog,
  type ProviderClient,
  RetryAfter
} from "@nanogen/core"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"

type AttemptError = ImageGenerationError.AttemptError
const {
  AuthenticationFailed,
  ContentBlocked,
  InsufficientCredits,
  MalformedResponse,
  NoImageReturned,
  RateLimited,
  InvalidRequest,
  UnsupportedRequest
} = ImageGenerationError

const isRecord = Predicate.isRecord

// ---------------------------------------------------------------------------------------------------------------
// Wire schemas: only the fields nanogen reads.

// Bodies are read with `decodeImages`: an image's `data` may already be bytes (`ImageBytes.Base64Field`), and a
// long base64-looking text or signature is given back as its text (`ImageBytes.Base64Text`).
const Part = Schema.Struct({
  text: Schema.optional(ImageBytes.Base64Text),
  thought: Schema.optional(Schema.Boolean),
  inlineData: Schema.optional(
    Schema.Struct({ mimeType: Schema.optional(Schema.String), data: ImageBytes.Base64Field })
  ),
  thoughtSignature: Schema.optional(ImageBytes.Base64Text)
})

const UsageMetadata = Schema.Struct({
  promptTokenCount: Schema.optional(Schema.Number),
  candidatesTokenCount: Schema.optional(Schema.Number),
  totalTokenCount: Schema.optional(Schema.Number),
  thoughtsTokenCount: Schema.optional(Schema.Number),
  candidatesTokensDetails: Schema.optional(Schema.Array(Schema.Struct({
    modality: Schema.optional(Schema.String),
    tokenCount: Schema.optional(Schema.Number)
  })))
})

/**
 * One `GenerateContentResponse` (a whole answer, or one chunk of a stream), with the fields nanogen reads.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { GeminiCodec } from "@nanogen/google-direct"
 * Schema.decodeUnknownSync(GeminiCodec.Response)({ candidates: [{ content: { parts: [{ text: "hi" }] } }] })
 * ```
 * @since 0.2.0
 * @category Schemas
 */
export const Response = Schema.Struct({
  candidates: Schema.optional(Schema.Array(Schema.Struct({
    content: Schema.optional(Schema.Struct({ parts: Schema.optional(Schema.Array(Part)) })),
    finishReason: Schema.optional(Schema.String),
    finishMessage: Schema.optional(Schema.String),
    groundingMetadata: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
  }))),
  promptFeedback: Schema.optional(Schema.Struct({ blockReason: Schema.optional(Schema.String) })),
  usageMetadata: Schema.optional(UsageMetadata)
})

/**
 * @since 0.2.0
 * @category Schemas
 */
export type Response = typeof Response.Type

const decodeResponse = Schema.decodeUnknownEither(Response)

const ErrorBody = Schema.Struct({
  error: Schema.Struct({
    code: Schema.optional(Schema.Number),
    message: Schema.optional(Schema.String),
    status: Schema.optional(Schema.String),
    details: Schema.optional(Schema.Array(Schema.Unknown))
  })
})
const decodeErrorBody = Schema.decodeUnknownOption(ErrorBody)

// ---------------------------------------------------------------------------------------------------------------
// Request body

/**
 * One reference image, as bytes in base64 with the type sniffed from them.
 *
 * @since 0.2.0
 * @category Models
 */
export interface InlineImage {
  readonly mimeType: string
  readonly data: string
}

/**
 * The reference images of a request as `inlineData`: bytes are sniffed, URLs downloaded with the client's download
 * policy and checked against the capability's input types.
 *
 * @example
 * ```ts
 * import { GeminiCodec } from "@nanogen/google-direct"
 * declare const client: import("@nanogen/core").ProviderClient.ProviderClient
 * declare const request: import("@nanogen/core").ImageRequest.ImageRequest
 * declare const resolved: import("@nanogen/core").ModelCatalog.Resolved
 * const images = GeminiCodec.inlineImages(client, request, resolved)
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const inlineImages = (
  client: ProviderClient.ProviderClient,
  request: ImageRequest.ImageRequest,
  resolved: ModelCatalog.Resolved
): Effect.Effect<ReadonlyArray<InlineImage>, AttemptError> =>
  Effect.forEach(request.images, (image, index) => inlineImage(client, image, `images[${index}]`, resolved))

/**
 * The earlier turns of a session (`request.history`, this backend's own: `ImageProvider.make` re-seeds any other)
 * as `contents`: a user turn as a `user` content (prompt, then its images inlined like `inlineImages`), a model
 * turn as a `model` content with its parts exactly as received (thought parts and `thoughtSignature`s included).
 *
 * @example
 * ```ts
 * import { GeminiCodec } from "@nanogen/google-direct"
 * declare const client: import("@nanogen/core").ProviderClient.ProviderClient
 * declare const request: import("@nanogen/core").ImageRequest.ImageRequest
 * declare const resolved: import("@nanogen/core").ModelCatalog.Resolved
 * const earlier = GeminiCodec.historyContents(client, request, resolved)
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const historyContents = (
  client: ProviderClient.ProviderClient,
  request: ImageRequest.ImageRequest,
  resolved: ModelCatalog.Resolved
): Effect.Effect<ReadonlyArray<unknown>, AttemptError> =>
  Effect.forEach(
    request.history ?? [],
    (turn: ImageTurn.Turn, index): Effect.Effect<unknown, AttemptError> =>
      turn.role === "user"
        ? Effect.map(
          Effect.forEach(
            turn.images ?? [],
            (image, at) => inlineImage(client, image, `history[${index}].images[${at}]`, resolved)
          ),
          (images) => ({
            role: "user",
            parts: [{ text: turn.prompt }, ...images.map((image) => ({ inlineData: image }))]
          })
        )
        : turn.format === "gemini"
        ? Effect.succeed({ role: "model", parts: turn.parts })
        : Effect.fail(
          new InvalidRequest({
            provider: client.provider,
            model: resolved.model,
            field: `history[${index}]`,
            message: `${client.provider}: a ${turn.format} turn cannot be sent to the Gemini API`
          })
        )
  )

const inlineImage = (
  client: ProviderClient.ProviderClient,
  image: ImageRequest.ImageInput,
  field: string,
  resolved: ModelCatalog.Resolved
): Effect.Effect<InlineImage, AttemptError> => {
  const provider = client.provider
  if ("data" in image) {
    const mimeType = ImageBytes.sniffMimeType(image.data) ?? "application/octet-stream"
    return Effect.succeed({ mimeType, data: ImageBytes.toBase64(image.data) })
  }
  return client.download(image.url).pipe(
    Effect.mapError((error) => ImageDownload.toInputError(provider, field, error)),
    Effect.filterOrFail(
      (downloaded) => resolved.capability === undefined || resolved.capability.inputTypes.includes(downloaded.mimeType),
      (downloaded) =>
        new UnsupportedRequest({
          provider,
          model: resolved.model,
          field,
          message: `${provider}: ${resolved.model} accepts ${
            resolved.capability?.inputTypes.join(", ")
          } reference images only (got ${downloaded.mimeType})`
        })
    ),
    Effect.map((downloaded) => ({ mimeType: downloaded.mimeType, data: ImageBytes.toBase64(downloaded.data) }))
  )
}

/**
 * Wire fields only Vertex AI knows, as paths in the body: the Gemini API answers 400 "Unknown name" for each.
 *
 * @example
 * ```ts
 * import { GeminiCodec } from "@nanogen/google-direct"
 * GeminiCodec.vertexOnlyFields.includes("generationConfig.imageConfig.personGeneration") // true
 * ```
 * @since 0.2.0
 * @category Models
 */
export const vertexOnlyFields: ReadonlyArray<string> = [
  ...["personGeneration", "prominentPeople", "imageOutputOptions", "outputMimeType", "outputCompressionQuality"]
    .map((name) => `generationConfig.imageConfig.${name}`),
  "generationConfig.routingConfig",
  "generationConfig.modelSelectionConfig",
  "labels",
  "modelArmorConfig"
]

const snake = (name: string) => name.replace(/[A-Z]/g, (char) => `_${char.toLowerCase()}`)

/**
 * The first Vertex-only field (`vertexOnlyFields`, camelCase or proto snake_case) in a body or body fragment.
 *
 * @example
 * ```ts
 * import { GeminiCodec } from "@nanogen/google-direct"
 * GeminiCodec.findVertexOnly({ generation_config: { image_config: { person_generation: "ALLOW_ALL" } } })
 * // "generationConfig.imageConfig.personGeneration"
 * ```
 * @since 0.2.0
 * @category Guards
 */
export const findVertexOnly = (body: Readonly<Record<string, unknown>>): string | undefined =>
  vertexOnlyFields.find((path) => {
    let node: unknown = body
    for (const name of path.split(".")) {
      if (!isRecord(node)) return false
      node = node[name] ?? node[snake(name)]
    }
    return node !== undefined
  })

/** Deep merge of plain objects: `override` wins, arrays and other values replace. */
const deepMerge = (
  base: Readonly<Record<string, unknown>>,
  override: Readonly<Record<string, unknown>>
): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(override)) {
    const current = out[key]
    out[key] = isRecord(current) && isRecord(value) ? deepMerge(current, value) : value
  }
  return out
}

/**
 * What a provider adds to the body beside the request's own fields.
 *
 * @since 0.2.0
 * @category Models
 */
export interface BodyOptions {
  /** Merged into `generationConfig.imageConfig` (Vertex: `imageOutputOptions`, `personGeneration`, …). */
  readonly imageConfig?: Readonly<Record<string, unknown>> | undefined
  /** Top-level fields (Vertex: `labels`). */
  readonly root?: Readonly<Record<string, unknown>> | undefined
  /** A session's earlier turns as `contents` (`historyContents`), sent before this turn's user content. */
  readonly history?: ReadonlyArray<unknown> | undefined
  /** Deep-merged over the built body last (the Gemini API provider's open `providerOptions` entry). */
  readonly merge?: Readonly<Record<string, unknown>> | undefined
}

/**
 * The `generateContent` body of one call (one image: `candidateCount` is never sent, so a `merge` holding it is
 * reported in `warnings`): the prompt, then one `inlineData` per reference image; `generationConfig` with
 * `responseModalities`, `imageConfig` (ratio, size), `seed` and `thinkingConfig.thinkingLevel`; `tools` with
 * `googleSearch` (and `searchTypes.imageSearch`) when grounding is asked for and the model has it.
 *
 * @example
 * ```ts
 * import { GeminiCodec } from "@nanogen/google-direct"
 * declare const request: import("@nanogen/core").ImageRequest.ImageRequest
 * declare const resolved: import("@nanogen/core").ModelCatalog.Resolved
 * const { body, warnings } = GeminiCodec.body(request, resolved, [])
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const body = (
  request: ImageRequest.ImageRequest,
  resolved: ModelCatalog.Resolved,
  images: ReadonlyArray<InlineImage>,
  options: BodyOptions = {}
): { readonly body: Record<string, unknown>; readonly warnings: ReadonlyArray<string> } => {
  const imageConfig: Record<string, unknown> = { ...options.imageConfig }
  if (resolved.aspectRatio !== undefined) imageConfig.aspectRatio = resolved.aspectRatio
  if (resolved.imageSize !== undefined) imageConfig.imageSize = resolved.imageSize
  const generationConfig: Record<string, unknown> = { responseModalities: ["TEXT", "IMAGE"] }
  if (Object.keys(imageConfig).length > 0) generationConfig.imageConfig = imageConfig
  if (request.seed !== undefined) generationConfig.seed = request.seed
  if (resolved.thinkingLevel !== undefined) {
    generationConfig.thinkingConfig = { thinkingLevel: resolved.thinkingLevel.toUpperCase() }
  }
  let built: Record<string, unknown> = {
    contents: [...(options.history ?? []), {
      role: "user",
      parts: [{ text: request.prompt }, ...images.map((image) => ({ inlineData: image }))]
    }],
    generationConfig,
    ...options.root
  }
  const grounding = resolved.grounding
  if (grounding !== undefined) {
    // web search alone is the default; image search names the search types
    const searchTypes = { ...(grounding.googleSearch ? { web_search: {} } : {}), image_search: {} }
    built.tools = [{ google_search: grounding.imageSearch ? { search_types: searchTypes } : {} }]
  }
  const warnings: Array<string> = []
  if (options.merge !== undefined) {
    // accept the proto name too, but send one camelCase generationConfig
    const { generation_config: snakeConfig, ...rest } = options.merge
    const merge = isRecord(snakeConfig)
      ? deepMerge(rest, {
        generationConfig: deepMerge(snakeConfig, isRecord(rest.generationConfig) ? rest.generationConfig : {})
      })
      : rest
    built = deepMerge(built, merge)
    const config = built.generationConfig
    if (isRecord(config)) {
      for (const name of ["candidateCount", "candidate_count"]) {
        if (name in config) {
          const { [name]: _dropped, ...kept } = config
          built = { ...built, generationConfig: kept }
          warnings.push(`generationConfig.${name} was not sent: n > 1 becomes parallel calls`)
        }
      }
    }
  }
  return { body: built, warnings }
}

// ---------------------------------------------------------------------------------------------------------------
// Errors

const TYPE = "type.googleapis.com/google.rpc."

const detailsOf = (details: ReadonlyArray<unknown> | undefined, type: string): ReadonlyArray<Record<string, unknown>> =>
  (details ?? []).filter((detail): detail is Record<string, unknown> =>
    isRecord(detail) && detail["@type"] === `${TYPE}${type}`
  )

const retryDelay = (details: ReadonlyArray<unknown> | undefined): Duration.Duration | undefined => {
  for (const detail of detailsOf(details, "RetryInfo")) {
    const delay = RetryAfter.fromProtoDuration(detail.retryDelay)
    if (delay !== undefined) return delay
  }
  return undefined
}

const quotaIds = (details: ReadonlyArray<unknown> | undefined): ReadonlyArray<string> =>
  detailsOf(details, "QuotaFailure").flatMap((detail) =>
    Array.isArray(detail.violations)
      ? detail.violations.flatMap((violation: unknown) =>
        isRecord(violation) && typeof violation.quotaId === "string" ? [violation.quotaId] : []
      )
      : []
  )

/**
 * What the error mapping needs to know about a failed exchange.
 *
 * @since 0.2.0
 * @category Models
 */
export interface Failure {
  readonly provider: string
  readonly model: string
  readonly status: number
  readonly headers: Readonly<Record<string, string | undefined>>
  readonly body: unknown
  /** Removes any credential an upstream message echoes back (`ProviderClient.scrub`). */
  readonly scrub: (text: string) => string
}

/**
 * Maps a non-2xx answer (or an `{error}` chunk inside a stream) into the error union: `RetryInfo.retryDelay`, a
 * "Please retry in Ns" message or `Retry-After` → `RateLimited.retryAfter`; a daily quota → `InsufficientCredits`;
 * `API_KEY_INVALID` → `AuthenticationFailed`; `FAILED_PRECONDITION` → `UnsupportedRequest`; the rest by status.
 *
 * @example
 * ```ts
 * import { GeminiCodec } from "@nanogen/google-direct"
 * GeminiCodec.fromFailure({
 *   provider: "google-direct", model: "gemini-3-pro-image", status: 429, headers: {}, scrub: (text) => text,
 *   body: { error: { code: 429, status: "RESOURCE_EXHAUSTED", message: "Resource exhausted." } }
 * })._tag // "RateLimited"
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const fromFailure = (failure: Failure): AttemptError => {
  const { model, provider, status } = failure
  const error = Option.getOrUndefined(
    Option.map(decodeErrorBody(Array.isArray(failure.body) ? failure.body[0] : failure.body), (body) => body.error)
  )
  const upstream = error?.message === undefined ? undefined : failure.scrub(error.message)
  const grpcStatus = error?.status
  const details = error?.details
  const detail = [grpcStatus, upstream].filter((part) => part !== undefined && part !== "").join(": ")
  const message = `${provider}: HTTP ${status}${detail === "" ? "" : ` — ${detail}`}`
  const fields = { provider, status, model, message }
  if (status === 400) {
    const reasons = detailsOf(details, "ErrorInfo").map((info) => info.reason)
    if (reasons.includes("API_KEY_INVALID")) return new AuthenticationFailed(fields)
    if (grpcStatus === "FAILED_PRECONDITION") return new UnsupportedRequest(fields)
    // a model turn of the history lacks its signature or carries an altered or foreign one: the history is wrong,
    // not the backend (no retry, no failover: the same history fails everywhere)
    if (upstream !== undefined && /thought[_ ]signature/i.test(upstream)) {
      return new InvalidRequest({ ...fields, field: "history" })
    }
  }
  if (status === 429) {
    const daily = quotaIds(details).find((id) => /per_?day/i.test(id))
    if (daily !== undefined) {
      return new InsufficientCredits({ ...fields, message: `${message} (daily quota ${daily} exhausted)` })
    }
    const retryAfter = retryDelay(details) ?? RetryAfter.fromMessage(upstream) ??
      RetryAfter.fromHeader(failure.headers["retry-after"])
    return new RateLimited(retryAfter === undefined ? fields : { ...fields, retryAfter })
  }
  return HttpFailure.fromStatus({ provider, status, model, message: detail === "" ? undefined : detail })
}

// ---------------------------------------------------------------------------------------------------------------
// Exchange

/**
 * POSTs one body and reads the answer: `:generateContent` (one response) or, with `stream`,
 * `:streamGenerateContent?alt=sse` (the chunks of the event stream, or of a JSON array). A non-2xx status or an
 * `{error}` chunk is mapped by `fromFailure`.
 *
 * @example
 * ```ts
 * import { GeminiCodec } from "@nanogen/google-direct"
 * declare const client: import("@nanogen/core").ProviderClient.ProviderClient
 * const responses = GeminiCodec.send(client, "/models/gemini-3-pro-image", { contents: [] }, {
 *   model: "gemini-3-pro-image",
 *   stream: false
 * })
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const send = (
  client: ProviderClient.ProviderClient,
  modelPath: string,
  payload: unknown,
  options: { readonly model: string; readonly stream: boolean }
): Effect.Effect<Exchange, AttemptError> =>
  Effect.gen(function*() {
    const { provider } = client
    const { model, stream } = options
    const failure = (status: number, headers: Readonly<Record<string, string | undefined>>, answer: unknown) =>
      fromFailure({ provider, model, status, headers, body: answer, scrub: client.scrub })
    const malformed = (message: string) =>
      new MalformedResponse({ provider, model, message: client.scrub(`${provider}: ${message}`) })
    const decodeChunk = (chunk: unknown): Effect.Effect<Response, AttemptError> => {
      if (isRecord(chunk) && chunk.error !== undefined) {
        const code = isRecord(chunk.error) && typeof chunk.error.code === "number" ? chunk.error.code : 500
        return Effect.fail(failure(code, {}, chunk))
      }
      const decoded = decodeResponse(chunk)
      return decoded._tag === "Right"
        ? Effect.succeed(decoded.right)
        : Effect.fail(malformed("the answer is not a GenerateContentResponse"))
    }
    if (!stream) {
      const response = yield* client.postJson(`${modelPath}:generateContent`, payload, { decodeImages: true })
      if (response.status < 200 || response.status >= 300) {
        return yield* failure(response.status, response.headers, response.body)
      }
      return { responses: [yield* decodeChunk(response.body)], raw: [response.body] }
    }
    const response = yield* client.postEvents(`${modelPath}:streamGenerateContent?alt=sse`, payload, {
      decodeImages: true
    })
    if (response.status < 200 || response.status >= 300) {
      return yield* failure(response.status, response.headers, response.body)
    }
    // Each event already parsed (images decoded); an event that is not JSON comes as its text. (`values` first:
    // `events` would re-encode the images as text.)
    const events = response.values ?? response.events
    const chunks: ReadonlyArray<unknown> = events === undefined
      ? Array.isArray(response.body) ? response.body : [response.body]
      : yield* Effect.forEach(
        events,
        (value) =>
          typeof value !== "string"
            ? Effect.succeed([value])
            : value.trim() === "" || value.trim() === "[DONE]"
            ? Effect.succeed([])
            : Effect.try({
              try: () => [JSON.parse(value) as unknown],
              catch: () => malformed(`a stream event is not JSON: ${JSON.stringify(value.slice(0, 80))}`)
            })
      ).pipe(Effect.map((lists) => lists.flat()))
    return { responses: yield* Effect.forEach(chunks, decodeChunk), raw: chunks }
  })

/**
 * The answer of one exchange: the chunks decoded, and as received (a session's turn keeps their parts verbatim).
 *
 * @since 0.2.0
 * @category Models
 */
export interface Exchange {
  readonly responses: ReadonlyArray<Response>
  readonly raw: ReadonlyArray<unknown>
}

/**
 * The parts of the first candidate over every chunk, exactly as received (every field kept, in order): the model
 * turn a session sends back.
 *
 * @example
 * ```ts
 * import { GeminiCodec } from "@nanogen/google-direct"
 * GeminiCodec.rawParts([{ candidates: [{ content: { parts: [{ text: "hi", thoughtSignature: "c2ln" }] } }] }])
 * // [{ text: "hi", thoughtSignature: "c2ln" }]
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const rawParts = (chunks: ReadonlyArray<unknown>): Array<ImageTurn.GeminiPart> =>
  chunks.flatMap((chunk) => {
    const candidate = isRecord(chunk) && Array.isArray(chunk.candidates) ? chunk.candidates[0] : undefined
    const content = isRecord(candidate) ? candidate.content : undefined
    // as received: an image decoded as the body arrived is its base64 text again
    return isRecord(content) && Array.isArray(content.parts)
      ? ImageBytes.restoreBase64(content.parts) as Array<ImageTurn.GeminiPart>
      : []
  })

// ---------------------------------------------------------------------------------------------------------------
// Answer

/**
 * Finish reasons that mean a safety or policy refusal.
 *
 * @example
 * ```ts
 * import { GeminiCodec } from "@nanogen/google-direct"
 * GeminiCodec.blockedFinishReasons.has("IMAGE_SAFETY") // true
 * ```
 * @since 0.2.0
 * @category Models
 */
export const blockedFinishReasons: ReadonlySet<string> = new Set([
  "SAFETY",
  "IMAGE_SAFETY",
  "PROHIBITED_CONTENT",
  "IMAGE_PROHIBITED_CONTENT",
  "BLOCKLIST",
  "SPII",
  "RECITATION",
  "IMAGE_RECITATION"
])

/**
 * The answer of one call: the final images (interim `thought: true` images dropped) with their
 * `thoughtSignature`, the non-thought text, usage, an estimated cost (IMAGE output tokens at the image rate, other
 * output and thoughts at the text rate), `finishReason` and `groundingMetadata`; or the refusal (`ContentBlocked`),
 * the no-image answer (`NoImageReturned`) or a part that is not an image (`MalformedResponse`). Chunks of a stream
 * are merged: parts concatenated, the last usage, the last finish reason, the first block reason.
 *
 * @example
 * ```ts
 * import { GeminiCodec } from "@nanogen/google-direct"
 * declare const responses: ReadonlyArray<GeminiCodec.Response>
 * declare const resolved: import("@nanogen/core").ModelCatalog.Resolved
 * const answer = GeminiCodec.answer({ provider: "google-direct", resolved }, responses)
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const answer = (
  context: { readonly provider: string; readonly resolved: ModelCatalog.Resolved; readonly session?: boolean },
  exchange: Exchange
): Effect.Effect<ImageProvider.Answer, AttemptError> =>
  Effect.suspend((): Effect.Effect<ImageProvider.Answer, AttemptError> => {
    const { provider, resolved } = context
    const { responses } = exchange
    const model = resolved.model
    const parts: Array<typeof Part.Type> = []
    let finishReason: string | undefined
    let finishMessage: string | undefined
    let blockReason: string | undefined
    let usage: typeof UsageMetadata.Type | undefined
    let grounding: Record<string, unknown> | undefined
    let hasCandidate = false
    for (const response of responses) {
      blockReason ??= response.promptFeedback?.blockReason
      if (response.usageMetadata !== undefined) usage = response.usageMetadata
      const candidate = response.candidates?.[0]
      if (candidate === undefined) continue
      hasCandidate = true
      parts.push(...(candidate.content?.parts ?? []))
      grounding = candidate.groundingMetadata ?? grounding
      if (candidate.finishReason !== undefined) finishReason = candidate.finishReason
      finishMessage = candidate.finishMessage ?? finishMessage
    }
    const finals = parts.filter((part) => part.thought !== true)
    const joined = finals.flatMap((part) => part.text === undefined ? [] : [part.text]).join("")
    const text = joined === "" ? undefined : joined
    const because = finishMessage === undefined ? "" : `: ${finishMessage}`
    if (blockReason !== undefined) {
      return Effect.fail(
        new ContentBlocked({
          provider,
          model,
          reason: blockReason,
          message: `${provider}: the prompt was blocked (${blockReason})`
        })
      )
    }
    if (finishReason !== undefined && blockedFinishReasons.has(finishReason)) {
      return Effect.fail(
        new ContentBlocked(ImageResult.dropUndefined({
          provider,
          model,
          reason: finishReason,
          text,
          message: `${provider}: the output was blocked (${finishReason})${because}`
        }))
      )
    }
    const images: Array<ImageResult.GeneratedImage> = []
    for (const part of finals) {
      if (part.inlineData === undefined) continue
      const data = ImageBytes.fromBase64(part.inlineData.data)
      const info = ImageBytes.inspect(data)
      if (info === undefined) {
        return Effect.fail(
          new MalformedResponse({
            provider,
            model,
            message: `${provider}: an inlineData part labelled ${
              part.inlineData.mimeType ?? "(no type)"
            } is not a PNG, JPEG, WebP, GIF or HEIF image`
          })
        )
      }
      images.push(ImageResult.dropUndefined({ data, ...info, thoughtSignature: part.thoughtSignature }))
    }
    if (images.length === 0) {
      const why = !hasCandidate
        ? "no candidate"
        : finishReason === undefined || finishReason === "STOP"
        ? text === undefined ? "no image and no text" : "a text-only answer"
        : finishReason
      return Effect.fail(
        new NoImageReturned(ImageResult.dropUndefined({
          provider,
          model,
          text,
          finishReason,
          message: `${provider}: no image returned (${why})${because}`
        }))
      )
    }
    return Effect.succeed(ImageResult.dropUndefined({
      images: images as unknown as ImageProvider.Answer["images"],
      text,
      usage: ImageResult.dropUndefined({
        inputTokens: usage?.promptTokenCount,
        outputTokens: usage?.candidatesTokenCount,
        totalTokens: usage?.totalTokenCount
      }),
      cost: costOf(resolved, usage),
      finishReason,
      grounding,
      // a session keeps the model's parts exactly as received: thought parts and signatures included
      turn: context.session === true ? { format: "gemini" as const, parts: rawParts(exchange.raw) } : undefined
    }))
  })

const costOf = (
  resolved: ModelCatalog.Resolved,
  usage: typeof UsageMetadata.Type | undefined
): ImageResult.Cost | undefined => {
  if (resolved.entry === undefined || usage === undefined) return undefined
  const imageOutputTokens = (usage.candidatesTokensDetails ?? [])
    .filter((detail) => detail.modality === "IMAGE")
    .reduce((total, detail) => total + (detail.tokenCount ?? 0), 0)
  const textOutputTokens = Math.max(0, (usage.candidatesTokenCount ?? 0) - imageOutputTokens) +
    (usage.thoughtsTokenCount ?? 0)
  const price = resolved.capability?.price ?? resolved.entry.price
  return {
    usd: ModelCatalog.estimateCost(price, {
      inputTokens: usage.promptTokenCount ?? 0,
      imageOutputTokens,
      textOutputTokens
    }),
    source: "estimated"
  }
}
