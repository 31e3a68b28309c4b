/**
 * The turns of a multi-turn edit, as Schemas that encode to JSON. A user turn holds the prompt and the reference
 * images the user gave; a model turn holds what the backend needs to continue the conversation, exactly as it
 * returned it, tagged with the backend and the model that produced it:
 *
 * - `format: "gemini"` (Gemini API, Vertex AI): the answer's `parts` unchanged — text, `inlineData`, `thought`
 *   parts (thought images included) and every `thoughtSignature` byte for byte, in order, with any field nanogen
 *   does not know.
 * - `format: "chat"` (OpenRouter chat completions): the assistant message unchanged — `content`, `images`,
 *   `reasoning_details`.
 * - `format: "stateless"` (AI/ML API, any backend without conversation state): the output image.
 *
 * A backend continues only turns of its own format **and** model id (signatures are model-specific); for any
 * other history it gets a re-seed: the latest image, the new prompt and a short summary of the earlier prompts
 * (`reseed`, `plan`).
 *
 * @since 0.2.0
 */
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import type * as AST from "effect/SchemaAST"
import * as DataUrl from "./DataUrl.js"
import * as ImageBytes from "./ImageBytes.js"
// types only: ImageRequest's `history` is made of this module's Schemas
import type * as ImageRequest from "./ImageRequest.js"
import type * as ImageResult from "./ImageResult.js"

const JsonObject = Schema.Record({ key: Schema.String, value: Schema.Unknown })

/**
 * A JSON object checked against `known` (the fields nanogen reads) but kept as it is: every key, in the order
 * received, nested values untouched.
 */
const preserving = <A>(known: Schema.Schema<A>, name: string): Schema.Schema<A> => {
  const validate = Schema.validateEither(known, { errors: "first" })
  return JsonObject.pipe(
    Schema.filter((object) => {
      const checked = validate(object)
      return checked._tag === "Right" ? true : checked.left.issue
    }),
    Schema.annotations({ identifier: name })
  ) as unknown as Schema.Schema<A>
}

/** Image bytes as standard base64 in JSON (decoded in native code), refused unless they are an image. */
const Base64Image = Schema.transform(Schema.String, Schema.Uint8ArrayFromSelf, {
  strict: true,
  decode: (base64) => ImageBytes.fromBase64(base64),
  encode: (bytes) => ImageBytes.toBase64(bytes)
}).pipe(
  Schema.filter((bytes) => ImageBytes.sniffMimeType(bytes) !== undefined, {
    message: () => "must be the base64 of a PNG, JPEG, WebP, GIF or HEIC/HEIF image"
  })
)

/**
 * A reference image in JSON: `{ data: "<base64>", mimeType? }` or `{ url }`; decodes to `ImageRequest.ImageInput`
 * (bytes, or an `https:` / `data:image/…` URL).
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { ImageTurn } from "@nanogen/core"
 *
 * const image = Schema.decodeUnknownSync(ImageTurn.ReferenceImage)({ url: "https://example.com/cat.png" })
 * ```
 * @since 0.2.0
 * @category Schemas
 */
export const ReferenceImage: Schema.Schema<ImageRequest.ImageInput, ReferenceImageJson> = Schema.Union(
  Schema.Struct({ data: Base64Image, mimeType: Schema.optionalWith(Schema.String, { exact: true }) }),
  Schema.Struct({
    url: Schema.String.pipe(
      Schema.filter((url) => url.startsWith("https:") || /^data:image\//i.test(url.slice(0, 11)), {
        message: () => "must be an https URL or a base64 data:image/… URL"
      })
    )
  })
)

/**
 * @since 0.2.0
 * @category Models
 */
export type ReferenceImageJson =
  | { readonly data: string; readonly mimeType?: string }
  | { readonly url: string }

/**
 * One part of a Gemini `Content`, as the backend returned it. The typed fields are the ones nanogen reads; every
 * other field is kept.
 *
 * @since 0.2.0
 * @category Models
 */
export interface GeminiPart {
  readonly text?: string
  readonly thought?: boolean
  readonly inlineData?: { readonly mimeType?: string; readonly data: string; readonly [key: string]: unknown }
  readonly thoughtSignature?: string
  readonly [key: string]: unknown
}

/**
 * @since 0.2.0
 * @category Schemas
 */
export const GeminiPart: Schema.Schema<GeminiPart> = preserving(
  Schema.Struct({
    text: Schema.optionalWith(Schema.String, { exact: true }),
    thought: Schema.optionalWith(Schema.Boolean, { exact: true }),
    inlineData: Schema.optionalWith(
      Schema.Struct({
        mimeType: Schema.optionalWith(Schema.String, { exact: true }),
        data: Schema.String
      }, JsonObject),
      { exact: true }
    ),
    thoughtSignature: Schema.optionalWith(Schema.String, { exact: true })
  }, JsonObject),
  "GeminiPart"
)

/**
 * An assistant message of a chat-completions answer (OpenRouter), as the backend returned it: `content`,
 * `images` (`{ type: "image_url", image_url: { url } }`), `reasoning_details`, and every other field kept.
 *
 * @since 0.2.0
 * @category Models
 */
export interface ChatMessage {
  readonly role: "assistant"
  readonly content?: string | null | ReadonlyArray<{ readonly [key: string]: unknown }>
  readonly images?: ReadonlyArray<
    { readonly image_url: { readonly url: string; readonly [key: string]: unknown }; readonly [key: string]: unknown }
  >
  readonly reasoning_details?: ReadonlyArray<unknown>
  readonly [key: string]: unknown
}

/**
 * @since 0.2.0
 * @category Schemas
 */
export const ChatMessage: Schema.Schema<ChatMessage> = preserving(
  Schema.Struct({
    role: Schema.Literal("assistant"),
    content: Schema.optionalWith(Schema.Union(Schema.String, Schema.Null, Schema.Array(JsonObject)), { exact: true }),
    images: Schema.optionalWith(
      Schema.Array(Schema.Struct({ image_url: Schema.Struct({ url: Schema.String }, JsonObject) }, JsonObject)),
      { exact: true }
    ),
    reasoning_details: Schema.optionalWith(Schema.Array(Schema.Unknown), { exact: true })
  }, JsonObject),
  "ChatMessage"
)

/**
 * A turn of the user: the prompt and the reference images given with it.
 *
 * @since 0.2.0
 * @category Schemas
 */
export const UserTurn = Schema.Struct({
  role: Schema.Literal("user"),
  prompt: Schema.String,
  images: Schema.optionalWith(Schema.Array(ReferenceImage), { exact: true })
})

/**
 * @since 0.2.0
 * @category Models
 */
export interface UserTurn extends Schema.Schema.Type<typeof UserTurn> {}

const modelFields = {
  role: Schema.Literal("model"),
  /** The backend that produced the turn (`"google-direct"`, `"vertex"`, `"openrouter"`, …). */
  provider: Schema.String,
  /** The model alias (`"nano-banana-pro"`). */
  model: Schema.String,
  /** The backend's own model id (`"gemini-3-pro-image-preview"`): thought signatures are specific to it. */
  modelId: Schema.String,
  /** `true` when the backend could not continue the earlier turns and was given a re-seed instead. */
  reseeded: Schema.optionalWith(Schema.Boolean, { exact: true })
}

/**
 * A Gemini API / Vertex AI model turn: `parts` exactly as received.
 *
 * @since 0.2.0
 * @category Schemas
 */
export const GeminiTurn = Schema.Struct({
  ...modelFields,
  format: Schema.Literal("gemini"),
  parts: Schema.Array(GeminiPart)
})

/**
 * @since 0.2.0
 * @category Models
 */
export interface GeminiTurn extends Schema.Schema.Type<typeof GeminiTurn> {}

/**
 * A chat-completions (OpenRouter) model turn: the assistant message exactly as received.
 *
 * @since 0.2.0
 * @category Schemas
 */
export const ChatTurn = Schema.Struct({
  ...modelFields,
  format: Schema.Literal("chat"),
  message: ChatMessage
})

/**
 * @since 0.2.0
 * @category Models
 */
export interface ChatTurn extends Schema.Schema.Type<typeof ChatTurn> {}

/**
 * The turn of a backend without conversation state (AI/ML API): just the output image (and any text).
 *
 * @since 0.2.0
 * @category Schemas
 */
export const StatelessTurn = Schema.Struct({
  ...modelFields,
  format: Schema.Literal("stateless"),
  image: Schema.Struct({ data: Base64Image, mimeType: Schema.String }),
  text: Schema.optionalWith(Schema.String, { exact: true })
})

/**
 * @since 0.2.0
 * @category Models
 */
export interface StatelessTurn extends Schema.Schema.Type<typeof StatelessTurn> {}

/**
 * A turn of the model, in one of the continuation formats.
 *
 * @since 0.2.0
 * @category Schemas
 */
export const ModelTurn = Schema.Union(GeminiTurn, ChatTurn, StatelessTurn)

/**
 * @since 0.2.0
 * @category Models
 */
export type ModelTurn = GeminiTurn | ChatTurn | StatelessTurn

/**
 * The continuation formats: what a backend can continue natively.
 *
 * @since 0.2.0
 * @category Models
 */
export type Format = ModelTurn["format"]

const isRecord = (u: unknown): u is Record<string, unknown> => typeof u === "object" && u !== null && !Array.isArray(u)

/** The index of the member a turn belongs to (by `role`, then `format`), or the issue saying why none. */
const memberOf = (input: unknown, ast: AST.AST): 0 | 1 | 2 | 3 | ParseResult.ParseIssue => {
  if (!isRecord(input) || (input.role !== "user" && input.role !== "model")) {
    return new ParseResult.Type(
      ast,
      input,
      "must be a user turn { role: \"user\", prompt } or a model turn { role: \"model\", format, … }"
    )
  }
  if (input.role === "user") return 0
  switch (input.format) {
    case "gemini":
      return 1
    case "chat":
      return 2
    case "stateless":
      return 3
  }
  return new ParseResult.Pointer(
    "format",
    input,
    new ParseResult.Type(ast, input.format, "must be \"gemini\", \"chat\" or \"stateless\"")
  )
}

type AnySchema = Schema.Schema<unknown, unknown>

/**
 * Any turn. A turn is matched by its `role` and `format` first, so a decoding error names the field of that turn
 * that is wrong (`parts[0].thoughtSignature`), not a mismatch with another kind of turn.
 *
 * @since 0.2.0
 * @category Schemas
 */
export const Turn: Schema.Schema<Turn, TurnJson> = Schema.declare(
  [UserTurn, GeminiTurn, ChatTurn, StatelessTurn],
  {
    decode: (...members) => (input, options, ast) => {
      const member = memberOf(input, ast)
      return typeof member === "number"
        ? ParseResult.decodeUnknown(members[member] as AnySchema)(input, options)
        : ParseResult.fail(member)
    },
    encode: (...members) => (input, options, ast) => {
      const member = memberOf(input, ast)
      return typeof member === "number"
        ? ParseResult.encodeUnknown(members[member] as AnySchema)(input, options)
        : ParseResult.fail(member)
    }
  },
  { identifier: "Turn" }
) as any

/**
 * A turn in JSON.
 *
 * @since 0.2.0
 * @category Models
 */
export type TurnJson =
  | typeof UserTurn.Encoded
  | typeof GeminiTurn.Encoded
  | typeof ChatTurn.Encoded
  | typeof StatelessTurn.Encoded

/**
 * @since 0.2.0
 * @category Models
 */
export type Turn = UserTurn | ModelTurn

/**
 * The earlier turns of a session: they alternate user, model, user, model… and end with a model turn (the next
 * user turn is the request itself). Encodes to JSON (`Schema.encode(ImageTurn.History)`).
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { ImageTurn } from "@nanogen/core"
 * declare const history: ReadonlyArray<ImageTurn.Turn>
 *
 * const json = JSON.stringify(Schema.encodeSync(ImageTurn.History)(history))
 * const again = Schema.decodeUnknownSync(ImageTurn.History)(JSON.parse(json))
 * ```
 * @since 0.2.0
 * @category Schemas
 */
export const History = Schema.Array(Turn).pipe(
  Schema.filter((turns) => {
    for (const [index, turn] of turns.entries()) {
      const expected = index % 2 === 0 ? "user" : "model"
      if (turn.role !== expected) {
        return { path: [index], message: `must be a ${expected} turn: turns alternate user, model, user, model…` }
      }
    }
    return turns.length % 2 === 0 ||
      { path: [turns.length - 1], message: "is a user turn with no answer: the history ends with a model turn" }
  })
)

/**
 * @since 0.2.0
 * @category Guards
 */
export const isModelTurn = (turn: Turn): turn is ModelTurn => turn.role === "model"

/**
 * @since 0.2.0
 * @category Guards
 */
export const isUserTurn = (turn: Turn): turn is UserTurn => turn.role === "user"

const imageOfUrl = (url: string): ImageRequest.ImageInput | undefined => {
  if (DataUrl.isDataUrl(url)) {
    const parsed = DataUrl.parse(url)
    return parsed === undefined ? undefined : { data: parsed.data, mimeType: parsed.mimeType }
  }
  if (url.startsWith("https:")) return { url }
  // raw base64 without a `data:` prefix (seen in replayed assistant messages)
  const data = ImageBytes.fromBase64(url)
  const mimeType = ImageBytes.sniffMimeType(data)
  return mimeType === undefined ? undefined : { data, mimeType }
}

/**
 * The images a model turn shows the user, in order: Gemini's non-thought `inlineData` parts (thought images stay
 * in the history only), an assistant message's `images` (or its `image_url` content parts), a stateless turn's
 * image.
 *
 * @example
 * ```ts
 * import { ImageTurn } from "@nanogen/core"
 * declare const turn: ImageTurn.ModelTurn
 * const [first] = ImageTurn.outputImages(turn)
 * ```
 * @since 0.2.0
 * @category Accessors
 */
export const outputImages = (turn: ModelTurn): ReadonlyArray<ImageRequest.ImageInput> => {
  switch (turn.format) {
    case "gemini":
      return turn.parts.flatMap((part) =>
        part.inlineData === undefined || part.thought === true
          ? []
          : [{
            data: ImageBytes.fromBase64(part.inlineData.data),
            ...(part.inlineData.mimeType === undefined ? {} : { mimeType: part.inlineData.mimeType })
          }]
      )
    case "chat": {
      const { content, images } = turn.message
      const urls = images !== undefined && images.length > 0
        ? images.map((image) => image.image_url.url)
        : Array.isArray(content)
        ? content.flatMap((part) => {
          const imageUrl = part.image_url as { readonly url?: unknown } | undefined
          return typeof imageUrl?.url === "string" ? [imageUrl.url] : []
        })
        : []
      return urls.flatMap((url) => {
        const image = imageOfUrl(url)
        return image === undefined ? [] : [image]
      })
    }
    case "stateless":
      return [turn.image]
  }
}

/**
 * The latest image of a history: the last output image of the latest model turn that has one, or else the last
 * reference image of the latest user turn that has one.
 *
 * @example
 * ```ts
 * import { ImageTurn } from "@nanogen/core"
 * declare const history: ReadonlyArray<ImageTurn.Turn>
 * const current = ImageTurn.latestImage(history) // ImageRequest.ImageInput | undefined
 * ```
 * @since 0.2.0
 * @category Accessors
 */
export const latestImage = (history: ReadonlyArray<Turn>): ImageRequest.ImageInput | undefined => {
  for (let index = history.length - 1; index >= 0; index--) {
    const turn = history[index]!
    const images = isModelTurn(turn) ? outputImages(turn) : turn.images ?? []
    if (images.length > 0) return images[images.length - 1]
  }
  return undefined
}

/** `ImageRequest.limits.maxPromptLength` (not imported: ImageRequest imports this module). */
const maxPromptLength = 32_000

/**
 * How much of the earlier prompts a re-seed repeats: the latest `prompts` of them, each cut at `characters`.
 *
 * @since 0.2.0
 * @category Models
 */
export const summaryLimits = { prompts: 6, characters: 200 } as const

const quoted = (prompt: string): string => {
  const flat = prompt.replace(/\s+/g, " ").trim()
  return JSON.stringify(flat.length > summaryLimits.characters ? `${flat.slice(0, summaryLimits.characters)}…` : flat)
}

/**
 * The short summary of earlier prompts a re-seed adds: the latest `summaryLimits.prompts` of them, quoted, in
 * order, each cut at `summaryLimits.characters`.
 *
 * @example
 * ```ts
 * import { ImageTurn } from "@nanogen/core"
 * ImageTurn.summarize(["a cat", "make it blue"]) // '"a cat"; then "make it blue"'
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const summarize = (prompts: ReadonlyArray<string>): string => {
  const kept = prompts.slice(-summaryLimits.prompts).map(quoted)
  const omitted = prompts.length - kept.length
  return `${omitted > 0 ? `(${omitted} earlier omitted) ` : ""}${kept.join("; then ")}`
}

/**
 * What a user sends next: the prompt and any new reference images.
 *
 * @since 0.2.0
 * @category Models
 */
export interface Next {
  readonly prompt: string
  readonly images?: ReadonlyArray<ImageRequest.ImageInput> | undefined
}

/**
 * A single-turn request standing for a whole session, for a backend that cannot continue its turns: the latest
 * image first (then the new reference images), and the new prompt preceded by a short summary of the earlier
 * prompts. Deterministic: the same history and turn give the same re-seed. With no earlier turns it is the turn
 * itself.
 *
 * @example
 * ```ts
 * import { ImageTurn } from "@nanogen/core"
 * declare const history: ReadonlyArray<ImageTurn.Turn>
 *
 * const { images, prompt } = ImageTurn.reseed(history, { prompt: "now make the plate black" })
 * // images[0] is the latest image; prompt:
 * // 'The first image is the result of these earlier instructions: "a nano banana on a marble plate".
 * //  Apply this next instruction to it: now make the plate black'
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const reseed = (
  history: ReadonlyArray<Turn>,
  next: Next
): { readonly prompt: string; readonly images: ReadonlyArray<ImageRequest.ImageInput> } => {
  const image = latestImage(history)
  const images = [...(image === undefined ? [] : [image]), ...(next.images ?? [])]
  const earlier = history.filter(isUserTurn).map((turn) => turn.prompt)
  if (earlier.length === 0) return { prompt: next.prompt, images }
  const context = image === undefined
    ? `Earlier instructions of this session: ${summarize(earlier)}.\nNext instruction: `
    : `The first image is the result of these earlier instructions: ${
      summarize(earlier)
    }.\nApply this next instruction to it: `
  const prompt = context.length + next.prompt.length > maxPromptLength
    ? next.prompt
    : `${context}${next.prompt}`
  return { prompt, images }
}

/**
 * What a backend can continue natively: model turns of this `format` and backend model id.
 *
 * @since 0.2.0
 * @category Models
 */
export interface Target {
  readonly format: Format
  readonly modelId: string
}

/**
 * How a backend sends a turn: `Continue` with these earlier turns (its own, as returned, possibly opened by the
 * re-seeded user turn it once answered), or `Reseed` as one single-turn request.
 *
 * @since 0.2.0
 * @category Models
 */
export type Plan =
  | { readonly _tag: "Continue"; readonly turns: ReadonlyArray<Turn> }
  | {
    readonly _tag: "Reseed"
    readonly prompt: string
    readonly images: ReadonlyArray<ImageRequest.ImageInput>
  }

/**
 * Decides how a backend sends the next turn of a history. It continues natively the latest run of model turns of
 * its own `target` (format and model id) when that run opens the history, or opens with a turn it produced from a
 * re-seed (that re-seeded user turn is rebuilt exactly, `reseed` being deterministic). Anything else — another
 * backend's or another model's latest turn, a stateless backend (`target` undefined), a stateless turn — is
 * a `Reseed`. An empty history continues with no turns.
 *
 * @example
 * ```ts
 * import { ImageTurn } from "@nanogen/core"
 * declare const history: ReadonlyArray<ImageTurn.Turn>
 *
 * const plan = ImageTurn.plan(history, { prompt: "now blue" }, { format: "gemini", modelId: "gemini-3-pro-image-preview" })
 * if (plan._tag === "Reseed") {
 *   // one user content: plan.prompt and plan.images; record `reseeded` on the attempt and the new turn
 * }
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const plan = (history: ReadonlyArray<Turn>, next: Next, target: Target | undefined): Plan => {
  if (history.length === 0) return { _tag: "Continue", turns: [] }
  const reseeded = (): Plan => ({ _tag: "Reseed", ...reseed(history, next) })
  if (target === undefined || target.format === "stateless") return reseeded()
  let start = history.length
  for (let index = history.length - 1; index >= 1; index -= 2) {
    const turn = history[index]!
    if (!isModelTurn(turn) || turn.format !== target.format || turn.modelId !== target.modelId) break
    start = index - 1
    if (turn.reseeded === true) break
  }
  if (start === history.length) return reseeded()
  const opening = history[start + 1] as ModelTurn
  const user = history[start] as UserTurn
  if (opening.reseeded !== true) return start === 0 ? { _tag: "Continue", turns: history } : reseeded()
  const seeded = reseed(history.slice(0, start), user)
  return {
    _tag: "Continue",
    turns: [{ role: "user", prompt: seeded.prompt, images: seeded.images }, ...history.slice(start + 1)]
  }
}

/**
 * The stateless turn of a result that carries no turn of its own (a backend without continuation data): its
 * first image and text.
 *
 * @example
 * ```ts
 * import { ImageTurn } from "@nanogen/core"
 * declare const result: import("@nanogen/core").ImageResult.ImageResult
 * const turn = ImageTurn.fromResult(result) // { role: "model", format: "stateless", image: result.images[0], … }
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const fromResult = (result: ImageResult.ImageResult): StatelessTurn => {
  const [image] = result.images
  return {
    role: "model",
    provider: result.provider,
    model: result.model,
    modelId: result.model,
    format: "stateless",
    image: { data: image.data, mimeType: image.mimeType },
    ...(result.text === undefined ? {} : { text: result.text })
  }
}
