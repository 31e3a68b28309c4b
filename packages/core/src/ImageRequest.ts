/**
 * The request every provider accepts, as a Schema: callers pass plain objects, nanogen validates them before
 * any network call and answers `InvalidRequest` naming the field.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as DataUrl from "./DataUrl.js"
import * as ImageBytes from "./ImageBytes.js"
import { InvalidRequest } from "./ImageGenerationError.js"

/**
 * Every aspect ratio any Nano Banana model accepts (PROVIDERS.md §4).
 *
 * @since 0.1.0
 * @category Models
 */
export const aspectRatios = [
  "1:1",
  "2:3",
  "3:2",
  "3:4",
  "4:3",
  "4:5",
  "5:4",
  "9:16",
  "16:9",
  "21:9",
  "1:4",
  "4:1",
  "1:8",
  "8:1"
] as const

/**
 * Every resolution tier: `"512"` (about 0.5K), `"1K"`, `"2K"`, `"4K"`.
 *
 * @since 0.1.0
 * @category Models
 */
export const imageSizes = ["512", "1K", "2K", "4K"] as const

/** @since 0.1.0 */
export type AspectRatio = typeof aspectRatios[number]
/** @since 0.1.0 */
export type ImageSize = typeof imageSizes[number]

/**
 * The most images one request may ask for (`n`), and the most reference images any model takes.
 *
 * @since 0.1.0
 * @category Models
 */
export const limits = { maxN: 10, maxImages: 14, maxPromptLength: 32_000 } as const

const oneOf = (values: ReadonlyArray<string>) => values.map((value) => JSON.stringify(value)).join(", ")
const shown = (actual: unknown) =>
  typeof actual === "string" ? JSON.stringify(actual.length > 40 ? `${actual.slice(0, 40)}…` : actual) : String(actual)

/**
 * @since 0.1.0
 * @category Schemas
 */
export const AspectRatio = Schema.Literal(...aspectRatios).annotations({
  message: (issue) => ({
    message: `must be one of ${oneOf(aspectRatios)} (got ${shown(issue.actual)})`,
    override: true
  })
})

/**
 * @since 0.1.0
 * @category Schemas
 */
export const ImageSize = Schema.Literal(...imageSizes).annotations({
  message: (issue) => ({
    message: `must be one of ${oneOf(imageSizes)} (got ${shown(issue.actual)}); note the uppercase K`,
    override: true
  })
})

const isImageUrl = (url: string): boolean => {
  if (DataUrl.isDataUrl(url)) {
    const comma = url.indexOf(",")
    return comma > 0 && /^data:image\/[a-z0-9.+-]+(;[^,]*)?;base64$/i.test(url.slice(0, comma))
  }
  try {
    return new URL(url).protocol === "https:"
  } catch {
    return false
  }
}

/**
 * A reference image: bytes (the type is sniffed; `mimeType` is only a hint) or a URL (`https:` or a base64
 * `data:image/…` URL).
 *
 * @since 0.1.0
 * @category Schemas
 */
export const ImageInput: Schema.Schema<ImageInput> = Schema.Struct({
  data: Schema.optional(
    Schema.Uint8ArrayFromSelf.pipe(
      Schema.filter((bytes) => ImageBytes.sniffMimeType(bytes) !== undefined, {
        message: () => "must be the bytes of a PNG, JPEG, WebP, GIF or HEIC/HEIF image"
      })
    )
  ),
  mimeType: Schema.optional(Schema.String),
  url: Schema.optional(
    Schema.String.pipe(
      Schema.filter(isImageUrl, {
        message: (issue) => `must be an https URL or a base64 data:image/… URL (got ${shown(issue.actual)})`
      })
    )
  )
}).pipe(
  Schema.filter((input) =>
    (input.data === undefined) !== (input.url === undefined) &&
    (input.url === undefined || input.mimeType === undefined), {
    message: () => "must be either { data: Uint8Array, mimeType? } or { url: string }"
  })
) as any

/**
 * @since 0.1.0
 * @category Models
 */
export type ImageInput =
  | { readonly data: Uint8Array; readonly mimeType?: string }
  | { readonly url: string }

/**
 * Escape hatch: objects merged into one backend's wire body, keyed by provider name.
 *
 * @since 0.1.0
 * @category Schemas
 */
export const ProviderOptions = Schema.Struct({
  openrouter: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  aimlapi: Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown })),
  "google-direct": Schema.optional(Schema.Record({ key: Schema.String, value: Schema.Unknown }))
})

/**
 * The default model alias.
 *
 * @since 0.1.0
 * @category Models
 */
export const defaultModel = "nano-banana-2"

/**
 * The request schema. Decoding fills the defaults (`images: []`, `model: "nano-banana-2"`, `n: 1`).
 *
 * @since 0.1.0
 * @category Schemas
 */
export const ImageRequest = Schema.Struct({
  prompt: Schema.String.pipe(
    Schema.filter((prompt) => prompt.trim().length > 0, { message: () => "must be a non-empty string" }),
    Schema.maxLength(limits.maxPromptLength, {
      message: () => `must be at most ${limits.maxPromptLength} characters`
    })
  ),
  images: Schema.optionalWith(
    Schema.Array(ImageInput).pipe(
      Schema.maxItems(limits.maxImages, {
        message: () => `must hold at most ${limits.maxImages} reference images`
      })
    ),
    { default: () => [] }
  ),
  model: Schema.optionalWith(
    Schema.String.pipe(Schema.filter((model) => model.trim().length > 0, { message: () => "must not be empty" })),
    { default: () => defaultModel }
  ),
  aspectRatio: Schema.optional(AspectRatio),
  imageSize: Schema.optional(ImageSize),
  n: Schema.optionalWith(
    Schema.Number.pipe(
      Schema.filter((n) => Number.isInteger(n) && n >= 1 && n <= limits.maxN, {
        message: (issue) => `must be an integer from 1 to ${limits.maxN} (got ${shown(issue.actual)})`
      })
    ),
    { default: () => 1 }
  ),
  seed: Schema.optional(
    Schema.Number.pipe(
      Schema.filter((seed) => Number.isSafeInteger(seed), {
        message: (issue) => `must be an integer (got ${shown(issue.actual)})`
      })
    )
  ),
  providerOptions: Schema.optional(ProviderOptions)
})

/**
 * A validated request, defaults filled in.
 *
 * @since 0.1.0
 * @category Models
 */
export type ImageRequest = typeof ImageRequest.Type

/**
 * What callers pass: a plain object; everything but `prompt` is optional.
 *
 * @example
 * ```ts
 * import type { ImageRequest } from "@nanogen/core"
 * const request: ImageRequest.Input = { prompt: "a nano banana on a plate", aspectRatio: "16:9", imageSize: "2K" }
 * ```
 * @since 0.1.0
 * @category Models
 */
export type Input = typeof ImageRequest.Encoded

const decodeUnknown = Schema.decodeUnknownEither(ImageRequest, { errors: "first", onExcessProperty: "error" })

const formatPath = (path: ReadonlyArray<PropertyKey>): string =>
  path.reduce<string>(
    (out, key) => typeof key === "number" ? `${out}[${key}]` : out === "" ? String(key) : `${out}.${String(key)}`,
    ""
  )

/**
 * Validates a request. Fails with `InvalidRequest` whose `field` and message name the offending field and the
 * values it allows. Extra, unknown fields are refused too (a typo such as `aspect_ratio` should not be ignored).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ImageRequest } from "@nanogen/core"
 *
 * const bad = ImageRequest.decode({ prompt: "x", aspectRatio: "7:5" })
 * // fails with InvalidRequest { field: "aspectRatio", message: 'Invalid request: aspectRatio must be one of "1:1", … (got "7:5")' }
 * Effect.runPromise(Effect.either(bad))
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const decode = (input: unknown, provider = "request"): Effect.Effect<ImageRequest, InvalidRequest> => {
  if (typeof input !== "object" || input === null) {
    return Effect.fail(
      new InvalidRequest({ provider, message: "Invalid request: expected an object with at least a prompt" })
    )
  }
  const result = decodeUnknown(input)
  if (result._tag === "Right") return Effect.succeed(result.right)
  const [issue] = ParseResult.ArrayFormatter.formatErrorSync(result.left)
  const field = issue === undefined ? undefined : formatPath(issue.path)
  const detail = issue === undefined ? "could not be decoded" : describeIssue(issue)
  return Effect.fail(
    new InvalidRequest({
      provider,
      message: `Invalid request: ${field === undefined || field === "" ? "" : `${field} `}${detail}`,
      ...(field === undefined || field === "" ? {} : { field })
    })
  )
}

const describeIssue = (issue: ParseResult.ArrayFormatterIssue): string => {
  if (issue._tag === "Missing") return "is required"
  if (issue._tag === "Unexpected") return "is not a known field"
  if (issue.message.startsWith("Expected ")) return `has the wrong type: ${issue.message}`
  return issue.message
}
