/**
 * Minimal Gemini API wire schemas: only the fields the provider reads (PROVIDERS.md §3.4, §3.5).
 *
 * @since 0.1.0
 * @internal
 */
import * as Schema from "effect/Schema"

/** @internal */
export const InlineData = Schema.Struct({
  mimeType: Schema.optional(Schema.String),
  data: Schema.String
})

/** @internal */
export const Part = Schema.Struct({
  text: Schema.optional(Schema.String),
  thought: Schema.optional(Schema.Boolean),
  inlineData: Schema.optional(InlineData),
  thoughtSignature: Schema.optional(Schema.String)
})

/** @internal */
export type Part = typeof Part.Type

/** @internal */
export const Candidate = Schema.Struct({
  content: Schema.optional(Schema.Struct({ parts: Schema.optional(Schema.Array(Part)) })),
  finishReason: Schema.optional(Schema.String),
  finishMessage: Schema.optional(Schema.String)
})

/** @internal */
export const ModalityTokenCount = Schema.Struct({
  modality: Schema.optional(Schema.String),
  tokenCount: Schema.optional(Schema.Number)
})

/** @internal */
export const UsageMetadata = Schema.Struct({
  promptTokenCount: Schema.optional(Schema.Number),
  candidatesTokenCount: Schema.optional(Schema.Number),
  totalTokenCount: Schema.optional(Schema.Number),
  thoughtsTokenCount: Schema.optional(Schema.Number),
  candidatesTokensDetails: Schema.optional(Schema.Array(ModalityTokenCount))
})

/** @internal */
export type UsageMetadata = typeof UsageMetadata.Type

/** @internal */
export const GenerateContentResponse = Schema.Struct({
  candidates: Schema.optional(Schema.Array(Candidate)),
  promptFeedback: Schema.optional(Schema.Struct({ blockReason: Schema.optional(Schema.String) })),
  usageMetadata: Schema.optional(UsageMetadata)
})

/** @internal */
export type GenerateContentResponse = typeof GenerateContentResponse.Type

/** @internal */
export const decodeResponse = Schema.decodeUnknownEither(GenerateContentResponse)

/** The `{ error: { code, message, status, details } }` envelope. @internal */
export const ErrorBody = Schema.Struct({
  error: Schema.Struct({
    code: Schema.optional(Schema.Number),
    message: Schema.optional(Schema.String),
    status: Schema.optional(Schema.String),
    details: Schema.optional(Schema.Array(Schema.Unknown))
  })
})

/** @internal */
export type ErrorBody = typeof ErrorBody.Type

/** @internal */
export const decodeErrorBody = Schema.decodeUnknownOption(ErrorBody)
