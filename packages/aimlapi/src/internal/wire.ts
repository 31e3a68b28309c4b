/**
 * Minimal wire schemas of the AI/ML API `images/generations` endpoint (PROVIDERS.md §2.4, §2.5): only the fields
 * nanogen reads.
 *
 * @since 0.1.0
 * @internal
 */
import { ImageBytes } from "@nanogen/core"
import * as Schema from "effect/Schema"

const OptionalNumber = Schema.optional(Schema.NullOr(Schema.Number))
/** Answers are read with `decodeImages`: base64 (or a data URL) may already be bytes. */
const OptionalBase64 = Schema.optional(Schema.NullOr(ImageBytes.Base64Field))

/** @internal */
export const Item = Schema.Struct({
  url: OptionalBase64,
  b64_json: OptionalBase64,
  image_base64: OptionalBase64
  // `mime_type` / `content_type` are labels only: the type is sniffed from the bytes.
})

const Items = Schema.optional(Schema.NullOr(Schema.Array(Item)))

/**
 * The success body, every form at once.
 *
 * @since 0.1.0
 * @category Schemas
 * @internal
 */
export const WireResponse = Schema.Struct({
  data: Items,
  images: Items,
  output: Schema.optional(Schema.NullOr(Schema.Struct({ choices: Items }))),
  description: Schema.optional(Schema.NullOr(ImageBytes.Base64Text)),
  meta: Schema.optional(
    Schema.NullOr(Schema.Struct({
      usage: Schema.optional(
        Schema.NullOr(
          Schema.Struct({ credits_used: OptionalNumber, tokens_used: OptionalNumber, usd_spent: OptionalNumber })
        )
      )
    }))
  )
})

/**
 * @since 0.1.0
 * @category Models
 * @internal
 */
export type WireResponse = typeof WireResponse.Type

/**
 * The error envelope. `statusCode` is a string in the docs and a number in real bodies; NestJS-style validation
 * errors may carry `message` as an array.
 *
 * @since 0.1.0
 * @category Schemas
 * @internal
 */
export const WireError = Schema.Struct({
  message: Schema.optional(Schema.Union(Schema.String, Schema.Array(Schema.String))),
  error: Schema.optional(Schema.Unknown),
  statusCode: Schema.optional(Schema.Union(Schema.Number, Schema.String))
})
