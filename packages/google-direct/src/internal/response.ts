/**
 * Reading a `GenerateContentResponse` (or the merged chunks of a stream) into an `ImageResult`, a refusal or a
 * no-image answer (PROVIDERS.md §3.4, §3.5c, §3.7, §3.8).
 *
 * @since 0.1.0
 * @internal
 */
import type { ImageProvider, ImageTurn } from "@nanogen/core"
import { ImageBytes, ImageGenerationError, ImageResult, ModelCatalog } from "@nanogen/core"
import * as Either from "effect/Either"
import * as Predicate from "effect/Predicate"
import type * as Wire from "./wire.js"

const { ContentBlocked, MalformedResponse, NoImageReturned } = ImageGenerationError

/** Finish reasons that mean a safety or policy refusal. @internal */
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

/** The parts of one answer, merged over stream chunks. @internal */
export interface Merged {
  readonly parts: ReadonlyArray<Wire.Part>
  readonly finishReason: string | undefined
  readonly finishMessage: string | undefined
  readonly blockReason: string | undefined
  readonly usage: Wire.UsageMetadata | undefined
  readonly hasCandidate: boolean
}

/**
 * Merges responses (one for `generateContent`, several chunks for a stream): parts concatenated, the last
 * `usageMetadata`, the `finishReason` of the last chunk that has one, `promptFeedback` of the first chunk with it.
 *
 * @internal
 */
export const merge = (responses: ReadonlyArray<Wire.GenerateContentResponse>): Merged => {
  const parts: Array<Wire.Part> = []
  let finishReason: string | undefined
  let finishMessage: string | undefined
  let blockReason: string | undefined
  let usage: Wire.UsageMetadata | undefined
  let hasCandidate = false
  for (const response of responses) {
    blockReason ??= response.promptFeedback?.blockReason
    if (response.usageMetadata !== undefined) usage = response.usageMetadata
    const candidate = response.candidates?.[0]
    if (candidate === undefined) continue
    hasCandidate = true
    for (const part of candidate.content?.parts ?? []) parts.push(part)
    if (candidate.finishReason !== undefined) {
      finishReason = candidate.finishReason
      finishMessage = candidate.finishMessage
    } else if (candidate.finishMessage !== undefined) {
      finishMessage = candidate.finishMessage
    }
  }
  return { parts, finishReason, finishMessage, blockReason, usage, hasCandidate }
}

/** Context of the call being decoded. @internal */
export interface Context {
  readonly provider: string
  readonly model: string
  readonly entry: ModelCatalog.ModelEntry | undefined
  readonly warnings: ReadonlyArray<string>
}

type Outcome =
  | ImageGenerationError.ContentBlocked
  | ImageGenerationError.NoImageReturned
  | ImageGenerationError.MalformedResponse

const usageOf = (usage: Wire.UsageMetadata | undefined): ImageResult.Usage =>
  ImageResult.dropUndefined({
    inputTokens: usage?.promptTokenCount,
    outputTokens: usage?.candidatesTokenCount,
    totalTokens: usage?.totalTokenCount
  })

/**
 * Estimated cost: IMAGE output tokens (from `candidatesTokensDetails`) at the image rate, the rest of the
 * candidates plus the thinking tokens at the text rate. `undefined` without a catalog entry or usage.
 *
 * @internal
 */
export const costOf = (
  entry: ModelCatalog.ModelEntry | undefined,
  usage: Wire.UsageMetadata | undefined
): ImageResult.Cost | undefined => {
  if (entry === undefined || usage === undefined) return undefined
  const imageOutputTokens = (usage.candidatesTokensDetails ?? [])
    .filter((detail) => detail.modality === "IMAGE")
    .reduce((total, detail) => total + (detail.tokenCount ?? 0), 0)
  const candidates = usage.candidatesTokenCount ?? 0
  const textOutputTokens = Math.max(0, candidates - imageOutputTokens) + (usage.thoughtsTokenCount ?? 0)
  const usd = ModelCatalog.estimateCost(entry.price, {
    inputTokens: usage.promptTokenCount ?? 0,
    imageOutputTokens,
    textOutputTokens
  })
  return { usd, source: "estimated" }
}

/**
 * Interprets a merged answer.
 *
 * @internal
 */
export const toAnswer = (context: Context, merged: Merged): Either.Either<ImageProvider.Answer, Outcome> => {
  const { model, provider } = context
  const finals = merged.parts.filter((part) => part.thought !== true)
  const texts = finals.flatMap((part) => part.text === undefined ? [] : [part.text])
  const joined = texts.join("")
  const text = joined === "" ? undefined : joined
  if (merged.blockReason !== undefined) {
    return Either.left(
      new ContentBlocked({
        provider,
        model,
        reason: merged.blockReason,
        message: `${provider}: the prompt was blocked (${merged.blockReason})`
      })
    )
  }
  const { finishMessage, finishReason } = merged
  if (finishReason !== undefined && blockedFinishReasons.has(finishReason)) {
    return Either.left(
      new ContentBlocked(ImageResult.dropUndefined({
        provider,
        model,
        reason: finishReason,
        text,
        message: `${provider}: the output was blocked (${finishReason})${
          finishMessage === undefined ? "" : `: ${finishMessage}`
        }`
      }))
    )
  }
  const images: Array<ImageResult.GeneratedImage> = []
  for (const part of finals) {
    if (part.inlineData === undefined) continue
    const data = ImageBytes.fromBase64(part.inlineData.data)
    const info = ImageBytes.inspect(data)
    if (info === undefined) {
      return Either.left(
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
    const why = !merged.hasCandidate
      ? "no candidate"
      : finishReason === undefined || finishReason === "STOP"
      ? text === undefined ? "no image and no text" : "a text-only answer"
      : finishReason
    return Either.left(
      new NoImageReturned(ImageResult.dropUndefined({
        provider,
        model,
        text,
        finishReason,
        message: `${provider}: no image returned (${why})${finishMessage === undefined ? "" : `: ${finishMessage}`}`
      }))
    )
  }
  return Either.right(
    ImageResult.dropUndefined({
      images: images as unknown as ImageProvider.Answer["images"],
      text,
      usage: usageOf(merged.usage),
      cost: costOf(context.entry, merged.usage),
      finishReason,
      warnings: context.warnings
    })
  )
}

/**
 * The parts of the first candidate over every chunk, exactly as received (every field kept, in order): the model
 * turn a session sends back.
 *
 * @internal
 */
export const rawParts = (chunks: ReadonlyArray<unknown>): Array<ImageTurn.GeminiPart> =>
  chunks.flatMap((chunk) => {
    const candidate = Predicate.isRecord(chunk) && Array.isArray(chunk.candidates) ? chunk.candidates[0] : undefined
    const content = Predicate.isRecord(candidate) ? candidate.content : undefined
    return Predicate.isRecord(content) && Array.isArray(content.parts)
      ? content.parts as Array<ImageTurn.GeminiPart>
      : []
  })
