/**
 * The request every provider accepts, as a Schema: callers pass plain objects, nanogen validates them before
 * any network call and answers `InvalidRequest` naming the field.
 *
 * @since 0.1.0
 */
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as AST from "effect/SchemaAST"
import * as DataUrl from "./DataUrl.js"
import * as ImageBytes from "./ImageBytes.js"
import { InvalidRequest } from "./ImageGenerationError.js"
import * as ImageTurn from "./ImageTurn.js"
import { isDecoded, markDecoded } from "./internal/decodedRequests.js"

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
 * The thinking levels a request may ask for (`thinkingLevel`); which ones a model takes is in `ModelCatalog`.
 *
 * @since 0.2.0
 * @category Models
 */
export const thinkingLevels = ["minimal", "low", "medium", "high"] as const

/** @since 0.2.0 */
export type ThinkingLevel = typeof thinkingLevels[number]

/**
 * The bounds of a request: the most images one request may ask for (`n`), the most reference images any model takes,
 * the longest prompt, and the size caps of reference images — per image and in total, in bytes, checked before any
 * upload (an image given by `https:` URL is capped when it is downloaded).
 *
 * @example
 * ```ts
 * import { ImageRequest } from "@nanogen/core"
 * ImageRequest.limits.maxImageBytes // 20 MiB
 * ```
 * @since 0.1.0
 * @category Models
 */
export const limits = {
  maxN: 10,
  maxImages: 14,
  maxPromptLength: 32_000,
  maxImageBytes: 20 * 1024 * 1024,
  maxTotalImageBytes: 50 * 1024 * 1024,
  maxIdempotencyKeyLength: 256,
  maxOptionsDepth: 64
} as const

const oneOf = (values: ReadonlyArray<string>) => values.map((value) => JSON.stringify(value)).join(", ")

/** A value as an error message shows it: never calls the value's own `toString` (it may throw or lie). */
const shown = (actual: unknown): string => {
  switch (typeof actual) {
    case "string":
      return JSON.stringify(actual.length > 40 ? `${actual.slice(0, 40)}…` : actual)
    case "number":
    case "boolean":
    case "undefined":
      return String(actual)
    case "bigint":
      return `${actual}n`
    case "symbol":
      return "a symbol"
    case "function":
      return "a function"
    default:
      return actual === null ? "null" : Array.isArray(actual) ? "an array" : "an object"
  }
}

/**
 * A validation issue that does not carry the offending value: formatting a 60 MB image or a deeply nested value
 * into an error message would take seconds or overflow the stack.
 */
const issueAt = (path: ReadonlyArray<PropertyKey>, message: string): ParseResult.ParseIssue => {
  const type = new ParseResult.Type(Schema.Unknown.ast, null, message)
  return path.length === 0 ? type : new ParseResult.Pointer(path as [PropertyKey, ...Array<PropertyKey>], null, type)
}

const mib = (bytes: number) => `${Math.round((bytes / (1024 * 1024)) * 10) / 10} MiB`

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

const DATA_IMAGE_HEADER = /^data:image\/[a-z0-9.+-]+(;[^,]*)?;base64$/i

const imageUrlProblem = (url: string): string | undefined => {
  if (DataUrl.isDataUrl(url)) {
    const comma = url.indexOf(",")
    if (comma <= 0 || comma > 512 || !DATA_IMAGE_HEADER.test(url.slice(0, comma))) {
      return `must be an https URL or a base64 data:image/… URL (got ${shown(url)})`
    }
    // The first 64 base64 characters (48 bytes) hold every signature `sniffMimeType` reads.
    const head = ImageBytes.fromBase64(url.slice(comma + 1, comma + 1 + 64))
    return ImageBytes.sniffMimeType(head) === undefined
      ? "is a data URL whose payload is not a PNG, JPEG, WebP, GIF or HEIC/HEIF image"
      : undefined
  }
  try {
    if (new URL(url).protocol === "https:") return undefined
  } catch {
    // not a URL
  }
  return `must be an https URL or a base64 data:image/… URL (got ${shown(url)})`
}

/** Decoded bytes of a reference image known before any download: bytes, or a base64 data URL's payload. */
const knownBytes = (image: ImageInput): number => {
  if ("data" in image) return image.data.length
  if (!DataUrl.isDataUrl(image.url)) return 0
  const payload = image.url.length - image.url.indexOf(",") - 1
  const padding = image.url.endsWith("==") ? 2 : image.url.endsWith("=") ? 1 : 0
  return Math.max(0, Math.floor((payload * 3) / 4) - padding)
}

const sizeProblem = (images: ReadonlyArray<ImageInput>) => {
  let total = 0
  for (const [index, image] of images.entries()) {
    const bytes = knownBytes(image)
    if (bytes > limits.maxImageBytes) {
      return issueAt(
        [index],
        `is ${mib(bytes)}; a reference image may hold at most ${mib(limits.maxImageBytes)}`
      )
    }
    total += bytes
  }
  return total > limits.maxTotalImageBytes
    ? issueAt(
      [],
      `hold ${mib(total)} in total; the reference images of one request may hold at most ${
        mib(limits.maxTotalImageBytes)
      }`
    )
    : undefined
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
  url: Schema.optional(Schema.String.pipe(Schema.filter((url) => {
    const problem = imageUrlProblem(url)
    return problem === undefined ? true : issueAt([], problem)
  })))
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
 * Where a value stops being JSON: a cycle, a `BigInt`, a function, a symbol, a non-finite number, an object that
 * is not plain (a `Date`, a `Uint8Array`…), or nesting deeper than `limits.maxOptionsDepth` (which the wire encoder
 * could not write). Walks iteratively, so depth cannot overflow the stack.
 */
const jsonProblem = (
  root: unknown
): { readonly path: ReadonlyArray<PropertyKey>; readonly message: string } | undefined => {
  // Paths are kept as links to the parent, and spelled out only for the value at fault.
  interface Step {
    readonly parent: Step | undefined
    readonly key: PropertyKey
  }
  const pathOf = (step: Step | undefined): ReadonlyArray<PropertyKey> => {
    const keys: Array<PropertyKey> = []
    for (let at = step; at !== undefined; at = at.parent) keys.push(at.key)
    return keys.reverse()
  }
  const stack: Array<{ readonly value: unknown; readonly step: Step | undefined; readonly exit?: object }> = [
    { value: root, step: undefined }
  ]
  const open = new Set<object>()
  const depth = (step: Step | undefined) => {
    let levels = 0
    for (let at = step; at !== undefined && levels <= limits.maxOptionsDepth; at = at.parent) levels++
    return levels
  }
  while (stack.length > 0) {
    const { exit, step, value } = stack.pop()!
    if (exit !== undefined) {
      open.delete(exit)
      continue
    }
    switch (typeof value) {
      case "string":
      case "boolean":
      case "undefined":
        continue
      case "number":
        if (Number.isFinite(value)) continue
        return { path: pathOf(step), message: `is ${value}, which JSON cannot hold` }
      case "bigint":
        return { path: pathOf(step), message: "is a BigInt, which JSON cannot hold" }
      case "symbol":
      case "function":
        return { path: pathOf(step), message: `is ${shown(value)}, which JSON cannot hold` }
    }
    if (value === null) continue
    const object = value as object
    if (open.has(object)) {
      return { path: pathOf(step), message: "refers back to itself (a cycle), which JSON cannot hold" }
    }
    const prototype = Object.getPrototypeOf(object)
    if (!Array.isArray(object) && prototype !== Object.prototype && prototype !== null) {
      return { path: pathOf(step), message: "is not a plain object or array, which JSON cannot hold faithfully" }
    }
    if (depth(step) >= limits.maxOptionsDepth) {
      return { path: pathOf(step), message: `nests deeper than ${limits.maxOptionsDepth} levels` }
    }
    open.add(object)
    stack.push({ value: undefined, step, exit: object })
    const keys = Object.keys(object)
    for (let index = keys.length - 1; index >= 0; index--) {
      const key = keys[index]!
      stack.push({
        value: (object as Record<string, unknown>)[key],
        step: { parent: step, key: Array.isArray(object) ? index : key }
      })
    }
  }
  return undefined
}

/**
 * Options for one backend, keyed by provider name (`providerOptions.openrouter`, `providerOptions["my-backend"]`):
 * each provider decodes its own entry with its own Schema (refusing keys it does not know) and ignores the others.
 * Every entry must be JSON (no cycle, no `BigInt`…): it goes on the wire.
 *
 * @since 0.1.0
 * @category Schemas
 */
export const ProviderOptions = Schema.Record({
  key: Schema.String,
  value: Schema.Record({ key: Schema.String, value: Schema.Unknown })
}).pipe(Schema.filter((options) => {
  const problem = jsonProblem(options)
  return problem === undefined ? true : issueAt(problem.path, problem.message)
}))

/**
 * @since 0.2.0
 * @category Models
 */
export type ProviderOptions = typeof ProviderOptions.Type

/**
 * Search grounding to ask for: Google Search (`googleSearch`) and, where the model has it, image search.
 *
 * @since 0.2.0
 * @category Schemas
 */
export const Grounding = Schema.Struct({
  googleSearch: Schema.optional(Schema.Boolean),
  imageSearch: Schema.optional(Schema.Boolean)
})

/**
 * @since 0.2.0
 * @category Schemas
 */
export const ThinkingLevel = Schema.Literal(...thinkingLevels).annotations({
  message: (issue) => ({
    message: `must be one of ${oneOf(thinkingLevels)} (got ${shown(issue.actual)})`,
    override: true
  })
})

/**
 * The default model alias.
 *
 * @since 0.1.0
 * @category Models
 */
export const defaultModel = "nano-banana-2"

/** At least one character that is neither whitespace, a control character nor an invisible one (zero-width…). */
const VISIBLE = /[^\s\p{Cc}\p{Default_Ignorable_Code_Point}]/u

/**
 * The request schema. Decoding fills the defaults (`images: []`, `model: "nano-banana-2"`, `n: 1`).
 *
 * @since 0.1.0
 * @category Schemas
 */
export const ImageRequest = Schema.Struct({
  prompt: Schema.String.pipe(
    Schema.filter((prompt) => prompt.trim().length > 0, { message: () => "must be a non-empty string" }),
    Schema.filter((prompt) => VISIBLE.test(prompt), {
      message: () => "must hold visible text (got only invisible characters such as zero-width spaces)"
    }),
    Schema.maxLength(limits.maxPromptLength, {
      message: () => `must be at most ${limits.maxPromptLength} characters`
    })
  ),
  images: Schema.optionalWith(
    Schema.Array(ImageInput).pipe(
      Schema.maxItems(limits.maxImages, {
        message: () => `must hold at most ${limits.maxImages} reference images`
      }),
      Schema.filter((images) => sizeProblem(images) ?? true)
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
  providerOptions: Schema.optional(ProviderOptions),
  /**
   * The earlier turns of a multi-turn edit (`ImageTurn`): user and model turns alternating, ending with a model turn;
   * each model turn as its backend returned it. A backend continues its own turns and re-seeds any other history.
   */
  history: Schema.optional(Schema.typeSchema(ImageTurn.History)),
  /** Refuse the request, before any call, when its estimated cost (USD) is above this. */
  maxCostUsd: Schema.optional(
    Schema.Number.pipe(
      Schema.filter((usd) => Number.isFinite(usd) && usd > 0, {
        message: (issue) => `must be a positive number of US dollars (got ${shown(issue.actual)})`
      })
    )
  ),
  /** A key naming this generation, so that a result cache serves a repeat without a second paid call. */
  idempotencyKey: Schema.optional(
    Schema.String.pipe(
      Schema.filter((key) => key.trim().length > 0 && key.length <= limits.maxIdempotencyKeyLength, {
        message: () => `must be a non-empty string of at most ${limits.maxIdempotencyKeyLength} characters`
      })
    )
  ),
  grounding: Schema.optional(Grounding),
  thinkingLevel: Schema.optional(ThinkingLevel)
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
  // A request this function produced (a provider under `Fallback` gets the fallback's): already valid, as it is.
  if (isDecoded(input)) return Effect.succeed(input as ImageRequest)
  let result: ReturnType<typeof decodeUnknown>
  try {
    result = decodeUnknown(input)
  } catch {
    // A getter or proxy that throws while the request is read: the request is bad, not nanogen.
    return Effect.fail(new InvalidRequest({ provider, message: "Invalid request: a field could not be read" }))
  }
  return result._tag === "Right"
    ? Effect.succeed(markDecoded(result.right))
    : Effect.fail(invalid(result.left, provider, []))
}

/** The `InvalidRequest` of a parse error, its field the path of the first failure (under `prefix`). */
const invalid = (error: ParseResult.ParseError, provider: string, prefix: ReadonlyArray<PropertyKey>) => {
  const first = firstIssue(error.issue, prefix)
  const [formatted] = ParseResult.ArrayFormatter.formatIssueSync(first.issue)
  const issue = formatted === undefined ? undefined : { ...formatted, path: [...first.path, ...formatted.path] }
  const field = issue === undefined ? undefined : formatPath(issue.path)
  const detail = issue === undefined ? "could not be decoded" : describeIssue(issue)
  return new InvalidRequest({
    provider,
    message: `Invalid request: ${field === undefined || field === "" ? "" : `${field} `}${detail}`,
    ...(field === undefined || field === "" ? {} : { field })
  })
}

/**
 * Decodes a provider's own `providerOptions` entry (`providerOptions[provider]`, `{}` when absent) with the
 * provider's Schema. Keys the Schema does not know are refused: the `InvalidRequest` names the field
 * (`providerOptions.openrouter.strem`). Other providers' entries are not looked at.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { ImageRequest } from "@nanogen/core"
 * declare const request: ImageRequest.ImageRequest
 *
 * const Options = Schema.Struct({ quality: Schema.optional(Schema.Literal("draft", "final")) })
 * const options = ImageRequest.decodeProviderOptions(Options, request, "my-backend") // Effect<{ quality?: … }>
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const decodeProviderOptions = <A, I>(
  schema: Schema.Schema<A, I>,
  request: Pick<ImageRequest, "providerOptions">,
  provider: string
): Effect.Effect<A, InvalidRequest> => {
  const entry = request.providerOptions?.[provider] ?? {}
  const result = Schema.decodeUnknownEither(schema, { errors: "first", onExcessProperty: "error" })(entry)
  return result._tag === "Right"
    ? Effect.succeed(result.right)
    : Effect.fail(invalid(result.left, provider, ["providerOptions", provider]))
}

/**
 * The first failure, found by walking the wrappers down to the leaf: only the leaf is formatted, because formatting
 * a wrapper may render the whole offending value (seconds for 50 MB of images, a stack overflow for deep options).
 */
const firstIssue = (
  issue: ParseResult.ParseIssue,
  path: ReadonlyArray<PropertyKey>
): { readonly issue: ParseResult.ParseIssue; readonly path: ReadonlyArray<PropertyKey> } => {
  // A wrapper with its own message (the closed sets: aspectRatio, imageSize…) speaks for its inner issues.
  if (
    (issue._tag === "Composite" || issue._tag === "Refinement" || issue._tag === "Transformation") &&
    Option.isSome(AST.getMessageAnnotation(issue.ast))
  ) return { issue, path }
  switch (issue._tag) {
    case "Pointer":
      return firstIssue(issue.issue, [...path, ...(Array.isArray(issue.path) ? issue.path : [issue.path])])
    case "Composite":
      return firstIssue(Array.isArray(issue.issues) ? issue.issues[0]! : issue.issues as ParseResult.ParseIssue, path)
    case "Refinement":
    case "Transformation":
      return firstIssue(issue.issue, path)
    default:
      return { issue, path }
  }
}

const describeIssue = (issue: ParseResult.ArrayFormatterIssue): string => {
  if (issue._tag === "Missing") return "is required"
  if (issue._tag === "Unexpected") return "is not a known field"
  if (issue.message.startsWith("Expected ")) return `has the wrong type: ${issue.message}`
  return issue.message
}

/**
 * The Schema of a `providerOptions` entry made of wire fields passed through as they are: each named field is
 * optional and takes any JSON value; any other key is refused by `decodeProviderOptions`.
 *
 * @example
 * ```ts
 * import { ImageRequest } from "@nanogen/core"
 * const Options = ImageRequest.wireFields("provider", "temperature")
 * // providerOptions: { "my-backend": { temperature: 0.2 } } is accepted; { temprature: 0.2 } is refused
 * ```
 * @since 0.2.0
 * @category Schemas
 */
export const wireFields = <const Names extends ReadonlyArray<string>>(
  ...names: Names
): Schema.Schema<{ readonly [K in Names[number]]?: unknown }> =>
  Schema.Struct(Object.fromEntries(names.map((name) => [name, Schema.optional(Schema.Unknown)]))) as any

/**
 * A reference image as a URL: a URL (https or data) as given, bytes as a base64 data URL of their sniffed type.
 *
 * @example
 * ```ts
 * import { ImageRequest } from "@nanogen/core"
 * declare const png: Uint8Array
 * ImageRequest.imageUrl({ data: png }) // "data:image/png;base64,iVBORw0KGgo…"
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const imageUrl = (image: ImageInput): string => "url" in image ? image.url : DataUrl.format(image.data)
