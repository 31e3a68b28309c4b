/**
 * Minimal wire schemas of OpenRouter's chat completions (PROVIDERS.md §1.4, §1.6, §1.7): only the fields nanogen
 * reads, every one optional or nullable so that a variant OpenRouter adds later does not break decoding.
 *
 * @since 0.1.0
 * @internal
 */
import { ImageBytes } from "@nanogen/core"
import * as Schema from "effect/Schema"

const optionalNullable = <S extends Schema.Schema.Any>(schema: S) => Schema.optional(Schema.NullOr(schema))

/**
 * The error envelope `{ code, message, metadata?, availability? }`, at the top level or in a choice.
 *
 * @internal
 */
export const WireError = Schema.Struct({
  code: optionalNullable(Schema.Union(Schema.Number, Schema.String)),
  message: optionalNullable(Schema.String),
  error_type: optionalNullable(Schema.String),
  metadata: optionalNullable(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  availability: optionalNullable(
    Schema.Struct({
      retryable: optionalNullable(Schema.Boolean),
      retry_after: optionalNullable(Schema.Union(Schema.Number, Schema.String))
    })
  )
})

/** @internal */
export interface WireError extends Schema.Schema.Type<typeof WireError> {}

// Answers are read with `decodeImages`: an image's data URL may already be bytes (`ImageBytes.Base64Field`), and a
// long base64-looking text is given back as its text (`ImageBytes.Base64Text`).
const Image = Schema.Struct({ image_url: Schema.Struct({ url: ImageBytes.Base64Field }) })

const Content = Schema.Union(
  ImageBytes.Base64Text,
  Schema.Array(Schema.Struct({ type: optionalNullable(Schema.String), text: optionalNullable(ImageBytes.Base64Text) }))
)

/** @internal */
export type Content = Schema.Schema.Type<typeof Content>

/** @internal */
export const Usage = Schema.Struct({
  prompt_tokens: optionalNullable(Schema.Number),
  completion_tokens: optionalNullable(Schema.Number),
  total_tokens: optionalNullable(Schema.Number),
  cost: optionalNullable(Schema.Number)
})

/** @internal */
export interface Usage extends Schema.Schema.Type<typeof Usage> {}

const Message = Schema.Struct({
  content: optionalNullable(Content),
  images: optionalNullable(Schema.Array(Image)),
  refusal: optionalNullable(ImageBytes.Base64Text)
})

const Choice = Schema.Struct({
  message: optionalNullable(Message),
  finish_reason: optionalNullable(Schema.String),
  native_finish_reason: optionalNullable(Schema.String),
  error: optionalNullable(WireError)
})

/**
 * A non-streaming answer (`chat.completion`), or the HTTP-200 top-level error form.
 *
 * @internal
 */
export const Completion = Schema.Struct({
  choices: optionalNullable(Schema.Array(Choice)),
  usage: optionalNullable(Usage),
  error: optionalNullable(WireError)
})

/** @internal */
export interface Completion extends Schema.Schema.Type<typeof Completion> {}

const StreamChoice = Schema.Struct({
  delta: optionalNullable(Message),
  finish_reason: optionalNullable(Schema.String),
  native_finish_reason: optionalNullable(Schema.String),
  error: optionalNullable(WireError)
})

/**
 * One `chat.completion.chunk` of a stream: deltas, the final usage chunk, or a mid-stream error.
 *
 * @internal
 */
export const Chunk = Schema.Struct({
  choices: optionalNullable(Schema.Array(StreamChoice)),
  usage: optionalNullable(Usage),
  error: optionalNullable(WireError)
})

/** @internal */
export interface Chunk extends Schema.Schema.Type<typeof Chunk> {}

/**
 * The body of a non-2xx answer.
 *
 * @internal
 */
export const ErrorBody = Schema.Struct({ error: optionalNullable(WireError) })
