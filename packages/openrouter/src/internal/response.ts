/**
 * Decoding OpenRouter answers (PROVIDERS.md §1.4–§1.8): a `chat.completion` body or the chunks of a stream are
 * folded into one `Answer`, which becomes an `ImageResult` or an error.
 *
 * @since 0.1.0
 * @internal
 */
import type { ImageProvider, ImageResult as ImageResultNs, ImageTurn } from "@nanogen/core"
import {
  DataUrl,
  HttpFailure,
  ImageBytes,
  ImageDownload,
  ImageGenerationError,
  ImageResult,
  ProviderClient
} from "@nanogen/core"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import * as Schema from "effect/Schema"
import * as Errors from "./errors.js"
import * as Images from "./images.js"
import * as Wire from "./wire.js"

const { PROVIDER } = Errors

/**
 * A whole answer, streamed or not.
 *
 * @internal
 */
export interface Answer {
  /** The image URLs (data URLs in practice, possibly decoded as the body arrived), in order. */
  readonly images: ReadonlyArray<string | ImageBytes.DecodedBase64>
  readonly text: string | undefined
  readonly finishReason: string | undefined
  readonly nativeFinishReason: string | undefined
  readonly refusal: string | undefined
  readonly error: Wire.WireError | undefined
  readonly usage: Wire.Usage | undefined
  /** The assistant message as received (non-streaming answers; its images may be decoded, see `turnMessage`). */
  readonly message?: unknown
}

/** @internal */
export interface Context {
  readonly model: string
  readonly scrub: Errors.Scrub
  readonly download: ProviderClient.ProviderClient["download"]
}

/** `ProviderClient.decode` (MalformedResponse naming the failing path), with the status and model of the call. */
const decodeWith =
  <A, I>(schema: Schema.Schema<A, I>) =>
  (value: unknown, status: number, model: string): Effect.Effect<A, ImageGenerationError.MalformedResponse> =>
    ProviderClient.decode(PROVIDER, schema, value).pipe(
      Effect.mapError((error) =>
        new ImageGenerationError.MalformedResponse({ provider: PROVIDER, status, model, message: error.message })
      )
    )

const decodeCompletion = decodeWith(Wire.Completion)
const decodeChunk = decodeWith(Wire.Chunk)
const decodeErrorBody = Schema.decodeUnknownEither(Wire.ErrorBody)

const textOf = (content: Wire.Content | null | undefined): string | undefined => {
  if (content === undefined || content === null) return undefined
  if (typeof content === "string") return content
  let text = ""
  for (const part of content) {
    if ((part.type === undefined || part.type === null || part.type === "text") && typeof part.text === "string") {
      text += part.text
    }
  }
  return text
}

const nonEmpty = (text: string | undefined): string | undefined => text === undefined || text === "" ? undefined : text

/**
 * Folds a non-streaming body. Only the first choice is read (nanogen asks for one image per call).
 *
 * @internal
 */
export const fromCompletion = (completion: Wire.Completion): Answer => {
  const choice = completion.choices?.[0]
  const message = choice?.message ?? undefined
  return {
    images: (message?.images ?? []).map((image) => image.image_url.url),
    text: nonEmpty(textOf(message?.content)),
    finishReason: choice?.finish_reason ?? undefined,
    nativeFinishReason: choice?.native_finish_reason ?? undefined,
    refusal: nonEmpty(message?.refusal ?? undefined),
    error: completion.error ?? choice?.error ?? undefined,
    usage: completion.usage ?? undefined
  }
}

/**
 * Folds the chunks of a stream: images from `delta.images`, text from `delta.content`, the last non-null finish
 * reasons, the last usage, and a mid-stream error (top-level `error`, or one inside a choice).
 *
 * @internal
 */
export const fromChunks = (chunks: ReadonlyArray<Wire.Chunk>): Answer => {
  const images: Array<string | ImageBytes.DecodedBase64> = []
  let text = ""
  let refusal = ""
  let finishReason: string | undefined
  let nativeFinishReason: string | undefined
  let error: Wire.WireError | undefined
  let usage: Wire.Usage | undefined
  for (const chunk of chunks) {
    if (chunk.error !== undefined && chunk.error !== null) error = chunk.error
    if (chunk.usage !== undefined && chunk.usage !== null) usage = chunk.usage
    const choice = chunk.choices?.[0]
    if (choice === undefined) continue
    const delta = choice.delta ?? undefined
    if (delta !== undefined) {
      text += textOf(delta.content) ?? ""
      refusal += delta.refusal ?? ""
      for (const image of delta.images ?? []) images.push(image.image_url.url)
    }
    if (choice.finish_reason !== undefined && choice.finish_reason !== null) finishReason = choice.finish_reason
    if (choice.native_finish_reason !== undefined && choice.native_finish_reason !== null) {
      nativeFinishReason = choice.native_finish_reason
    }
    if (choice.error !== undefined && choice.error !== null && error === undefined) error = choice.error
  }
  return {
    images,
    text: nonEmpty(text),
    finishReason,
    nativeFinishReason,
    refusal: nonEmpty(refusal),
    error,
    usage
  }
}

/**
 * Reads a JSON exchange: a non-2xx status is mapped from the error envelope, a 2xx body is decoded.
 *
 * @internal
 */
export const fromJsonResponse = (
  response: ProviderClient.JsonResponse,
  context: Context
): Effect.Effect<Answer, ImageGenerationError.AttemptError> => {
  if (response.status < 200 || response.status >= 300) return Effect.fail(fromErrorResponse(response, context))
  return Effect.map(decodeCompletion(response.body, response.status, context.model), (completion) => ({
    ...fromCompletion(completion),
    message: rawMessage(response.body)
  }))
}

/**
 * Reads a streamed exchange. A non-stream answer (an error body, or a server that ignored `stream`) is read like
 * a JSON one. A stream without `[DONE]` and without any finish reason or image was cut short.
 *
 * @internal
 */
export const fromEventsResponse = (
  response: ProviderClient.EventsResponse,
  context: Context
): Effect.Effect<Answer, ImageGenerationError.AttemptError> =>
  Effect.gen(function*() {
    // Each event already parsed (`decodeImages`), or the text of one that is not JSON. (`values` first: `events`
    // would re-encode the images as text.)
    const events = response.values ?? response.events
    if (events === undefined) return yield* fromJsonResponse(response, context)
    const chunks: Array<Wire.Chunk> = []
    let done = false
    for (const data of events) {
      if (typeof data === "string" && data.trim() === "[DONE]") {
        done = true
        continue
      }
      if (typeof data === "string" && data.trim() === "") continue
      const json = typeof data === "string" ? yield* HttpFailure.parseJson(PROVIDER, response.status, data) : data
      chunks.push(yield* decodeChunk(json, response.status, context.model))
    }
    const answer = fromChunks(chunks)
    if (!done && answer.error === undefined && answer.finishReason === undefined && answer.images.length === 0) {
      return yield* Effect.fail(
        new ImageGenerationError.ProviderUnavailable({
          provider: PROVIDER,
          status: response.status,
          model: context.model,
          message: `${PROVIDER}: the stream ended before any image, finish reason or [DONE]`
        })
      )
    }
    return answer
  })

const headerValue = (headers: ProviderClient.JsonResponse["headers"], name: string): string | undefined => {
  const value = headers[name]
  return typeof value === "string" ? value : undefined
}

/**
 * The error of a non-2xx answer, from its `{ error: {...} }` envelope when it has one.
 *
 * @internal
 */
export const fromErrorResponse = (
  response: ProviderClient.JsonResponse,
  context: Context
): ImageGenerationError.AttemptError => {
  const decoded = decodeErrorBody(response.body)
  const envelope = Either.isRight(decoded) ? decoded.right.error ?? {} : {}
  return Errors.fromEnvelope(envelope, {
    httpStatus: response.status,
    model: context.model,
    retryAfterHeader: headerValue(response.headers, "retry-after"),
    scrub: context.scrub
  })
}

/** Gemini finish reasons that mean "blocked" (PROVIDERS.md §1.5 (c)). */
const BLOCKING_NATIVE = new Set(["SAFETY", "PROHIBITED_CONTENT", "BLOCKLIST", "SPII", "RECITATION"])

const isBlocked = (answer: Answer): boolean => {
  if (answer.finishReason === "content_filter") return true
  const native = answer.nativeFinishReason
  return native !== undefined && (native.startsWith("IMAGE_") || BLOCKING_NATIVE.has(native))
}

const reasonsText = (answer: Answer): string =>
  [
    answer.finishReason === undefined ? undefined : `finish_reason ${answer.finishReason}`,
    answer.nativeFinishReason === undefined ? undefined : `native_finish_reason ${answer.nativeFinishReason}`
  ].filter((part) => part !== undefined).join(", ")

/** The answer carried no image: a refusal, a provider error, or a plain text answer. */
const noImage = (answer: Answer, context: Context): ImageGenerationError.AttemptError => {
  const base = { provider: PROVIDER, model: context.model }
  const reasons = reasonsText(answer)
  const finishReason = answer.finishReason ?? answer.nativeFinishReason
  if (isBlocked(answer)) {
    const reason = answer.nativeFinishReason ?? answer.finishReason ?? "content_filter"
    return new ImageGenerationError.ContentBlocked(ImageResult.dropUndefined({
      ...base,
      reason,
      text: answer.text,
      message: `${PROVIDER}: the model refused to generate the image (${reasons})${
        answer.text === undefined ? "" : `: ${clipText(answer.text)}`
      }`
    }))
  }
  if (answer.refusal !== undefined) {
    return new ImageGenerationError.ContentBlocked(ImageResult.dropUndefined({
      ...base,
      reason: "refusal",
      text: answer.refusal,
      message: `${PROVIDER}: the model refused: ${clipText(answer.refusal)}`
    }))
  }
  if (answer.finishReason === "error") {
    return new ImageGenerationError.ProviderUnavailable({
      ...base,
      message: `${PROVIDER}: generation ended with an error (${reasons})`
    })
  }
  return new ImageGenerationError.NoImageReturned(ImageResult.dropUndefined({
    ...base,
    text: answer.text,
    finishReason,
    message: `${PROVIDER}: the answer carried no image${reasons === "" ? "" : ` (${reasons})`}${
      answer.text === undefined ? "" : `; the model said: ${clipText(answer.text)}`
    }`
  }))
}

const clipText = (text: string): string => text.length > 300 ? `${text.slice(0, 300)}…` : text

const malformed = (context: Context, message: string) =>
  new ImageGenerationError.MalformedResponse({ provider: PROVIDER, model: context.model, message })

/** One returned image: a data URL decoded once with Buffer (the sniffed type wins), or a URL downloaded safely. */
const decodeImage = (
  url: string | ImageBytes.DecodedBase64,
  index: number,
  context: Context
): Effect.Effect<ImageResultNs.GeneratedImage, ImageGenerationError.AttemptError> => {
  if (!DataUrl.isDataUrl(url)) {
    // A download is already a GeneratedImage: bytes, sniffed type and, where readable, the size.
    return context.download(url).pipe(Effect.mapError((error) => ImageDownload.toResultError(PROVIDER, error)))
  }
  const parsed = DataUrl.parse(url)
  if (parsed === undefined) {
    return Effect.fail(malformed(context, `${PROVIDER}: images[${index}] is not a well-formed data URL`))
  }
  if (parsed.data.length === 0) {
    return Effect.fail(malformed(context, `${PROVIDER}: images[${index}] is empty`))
  }
  // The bytes decide, not the label: a data URL labelled image/* holding text, SVG or garbage is refused.
  return Images.rasterImage(parsed.data, `images[${index}]`, parsed.mimeType, context)
}

/**
 * Turns an answer into what one call answers (the skeleton adds provider, model and attempts), or the error it
 * carries.
 *
 * @internal
 */
export const toAnswer = (
  answer: Answer,
  context: Context,
  warnings: ReadonlyArray<string>
): Effect.Effect<ImageProvider.Answer, ImageGenerationError.AttemptError> => {
  if (answer.error !== undefined) {
    return Effect.fail(Errors.fromEnvelope(answer.error, {
      httpStatus: 200,
      model: context.model,
      scrub: context.scrub
    }))
  }
  if (answer.images.length === 0) return Effect.fail(noImage(answer, context))
  return Effect.map(
    Effect.forEach(answer.images, (url, index) => decodeImage(url, index, context)),
    (images) =>
      ImageResult.dropUndefined({
        images: images as unknown as ImageProvider.Answer["images"],
        text: answer.text,
        ...Images.accounting(answer.usage),
        finishReason: answer.finishReason ?? answer.nativeFinishReason,
        warnings
      })
  )
}

const rawMessage = (body: unknown): unknown => {
  const choice = Predicate.isRecord(body) && Array.isArray(body.choices) ? body.choices[0] : undefined
  return Predicate.isRecord(choice) ? choice.message : undefined
}

/**
 * The assistant message of a session's turn: as received, or (a stream, which has no message of its own) rebuilt
 * from the text and images it streamed.
 *
 * @internal
 */
export const turnMessage = (answer: Answer): ImageTurn.ChatMessage =>
  Predicate.isRecord(answer.message) && answer.message.role === "assistant"
    // as received: an image decoded as the body arrived is its data URL again
    ? ImageBytes.restoreBase64(answer.message) as ImageTurn.ChatMessage
    : {
      role: "assistant",
      content: answer.text ?? "",
      images: answer.images.map((url) => ({ type: "image_url", image_url: { url: String(url) } }))
    }
