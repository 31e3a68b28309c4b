/**
 * The result of a generation: images, text, usage, cost and the trail of attempts that produced it.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import * as ImageTurn from "./ImageTurn.js"

/**
 * One image returned by a backend. `mimeType` is sniffed from the bytes, never trusted from a label.
 *
 * @since 0.1.0
 * @category Schemas
 */
export const GeneratedImage = Schema.Struct({
  data: Schema.Uint8ArrayFromSelf,
  mimeType: Schema.String,
  width: Schema.optional(Schema.Number),
  height: Schema.optional(Schema.Number),
  /** Gemini `thoughtSignature` of the part, unchanged, for multi-turn editing. */
  thoughtSignature: Schema.optional(Schema.String)
})

/**
 * @since 0.1.0
 * @category Models
 */
export interface GeneratedImage extends Schema.Schema.Type<typeof GeneratedImage> {}

/**
 * Token usage as the backend reported it.
 *
 * @since 0.1.0
 * @category Schemas
 */
export const Usage = Schema.Struct({
  inputTokens: Schema.optional(Schema.Number),
  outputTokens: Schema.optional(Schema.Number),
  totalTokens: Schema.optional(Schema.Number)
})

/**
 * @since 0.1.0
 * @category Models
 */
export interface Usage extends Schema.Schema.Type<typeof Usage> {}

/**
 * What a generation cost: `reported` by the backend, or `estimated` from the catalog's price table.
 *
 * @since 0.1.0
 * @category Schemas
 */
export const Cost = Schema.Struct({
  usd: Schema.Number,
  source: Schema.Literal("reported", "estimated")
})

/**
 * @since 0.1.0
 * @category Models
 */
export interface Cost extends Schema.Schema.Type<typeof Cost> {}

/**
 * One attempt against one backend: `outcome` is `"success"` or the tag of the error it ended with. `image` is the
 * index (0-based) of the first image the attempt was for and `count` how many it asked for (when more than one);
 * `attempt` numbers the attempts of one image's chain from 1.
 *
 * @since 0.1.0
 * @category Schemas
 */
export const Attempt = Schema.Struct({
  provider: Schema.String,
  model: Schema.String,
  outcome: Schema.String,
  durationMs: Schema.Number,
  status: Schema.optional(Schema.Number),
  message: Schema.optional(Schema.String),
  image: Schema.optional(Schema.Number),
  count: Schema.optional(Schema.Number),
  attempt: Schema.optional(Schema.Number),
  /** `true` when the backend could not continue the request's history and was sent a re-seed instead. */
  reseeded: Schema.optional(Schema.Boolean)
})

/**
 * @since 0.1.0
 * @category Models
 */
export interface Attempt extends Schema.Schema.Type<typeof Attempt> {}

/**
 * The result of `ImageProvider.generate`.
 *
 * @since 0.1.0
 * @category Schemas
 */
export const ImageResult = Schema.Struct({
  images: Schema.NonEmptyArray(GeneratedImage),
  text: Schema.optional(Schema.String),
  provider: Schema.String,
  model: Schema.String,
  usage: Usage,
  cost: Schema.optional(Cost),
  finishReason: Schema.optional(Schema.String),
  attempts: Schema.Array(Attempt),
  warnings: Schema.Array(Schema.String),
  /** The search grounding metadata the backend returned (sources, queries), as JSON. */
  grounding: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  /** `true` when the result was served from a result cache, without a call to the backend. */
  cached: Schema.optional(Schema.Boolean),
  /**
   * The model's turn to append to a session's history (`ImageTurn.ModelTurn`), with the backend's continuation data
   * as received; for `n > 1`, the turn of the first image.
   */
  turn: Schema.optional(Schema.typeSchema(ImageTurn.ModelTurn))
})

/**
 * @example
 * ```ts
 * import type { ImageResult } from "@nanogen/core"
 *
 * const describe = (result: ImageResult.ImageResult) =>
 *   `${result.images.length} image(s) from ${result.provider}/${result.model}`
 * ```
 * @since 0.1.0
 * @category Models
 */
export interface ImageResult extends Schema.Schema.Type<typeof ImageResult> {}

const sumOptional = (values: ReadonlyArray<number | undefined>): number | undefined =>
  values.every((value) => value === undefined)
    ? undefined
    : values.reduce<number>((total, value) => total + (value ?? 0), 0)

/**
 * Merges the results of parallel single-image calls (the fan-out for `n > 1`) into one result:
 * images in order, usage and cost summed, texts joined, attempts and warnings concatenated, the first grounding kept,
 * `cached` only when every part was.
 *
 * @example
 * ```ts
 * import { ImageResult } from "@nanogen/core"
 * declare const a: ImageResult.ImageResult
 * declare const b: ImageResult.ImageResult
 * const both = ImageResult.merge([a, b]) // both.images.length === a.images.length + b.images.length
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const merge = (results: readonly [ImageResult, ...Array<ImageResult>]): ImageResult => {
  if (results.length === 1) return results[0]
  const [first] = results
  const images = results.flatMap((result) => result.images) as unknown as readonly [
    GeneratedImage,
    ...Array<GeneratedImage>
  ]
  const texts = results.map((result) => result.text).filter((text): text is string => text !== undefined && text !== "")
  const costs = results.map((result) => result.cost)
  const usd = sumOptional(costs.map((cost) => cost?.usd))
  const usage: Usage = dropUndefined({
    inputTokens: sumOptional(results.map((result) => result.usage.inputTokens)),
    outputTokens: sumOptional(results.map((result) => result.usage.outputTokens)),
    totalTokens: sumOptional(results.map((result) => result.usage.totalTokens))
  })
  return dropUndefined({
    images,
    text: texts.length > 0 ? texts.join("\n") : undefined,
    provider: first.provider,
    model: first.model,
    usage,
    cost: usd === undefined
      ? undefined
      : {
        usd,
        source: costs.some((cost) => cost?.source === "estimated") ? "estimated" as const : "reported" as const
      },
    finishReason: first.finishReason,
    attempts: results.flatMap((result) => result.attempts),
    warnings: [...new Set(results.flatMap((result) => result.warnings))],
    grounding: results.find((result) => result.grounding !== undefined)?.grounding,
    cached: results.every((result) => result.cached === true) ? true : undefined,
    turn: first.turn
  })
}

/**
 * Removes keys whose value is `undefined`, so objects satisfy `exactOptionalPropertyTypes`.
 *
 * @example
 * ```ts
 * import { ImageResult } from "@nanogen/core"
 * ImageResult.dropUndefined({ a: 1, b: undefined }) // { a: 1 }
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const dropUndefined = <A extends Record<string, unknown>>(
  object: A
):
  & { [K in keyof A as undefined extends A[K] ? never : K]: A[K] }
  & {
    [K in keyof A as undefined extends A[K] ? K : never]?: Exclude<A[K], undefined>
  } =>
{
  const out: Record<string, unknown> = {}
  for (const key in object) {
    if (object[key] !== undefined) out[key] = object[key]
  }
  return out as any
}
