/**
 * The Gemini API protocol (PROVIDERS.md §3): `POST /v1beta/models/{model}:generateContent` and
 * `:streamGenerateContent` (`?alt=sse` for SSE, a JSON array otherwise). `/v1/` paths are accepted too (the
 * `@google/genai` SDK default). The request/answer codec is shared with the Vertex AI server.
 *
 * @since 0.1.0
 */
import * as Catalog from "./Catalog.js"
import type { Fault } from "./Faults.js"
import * as Images from "./Images.js"
import type { Reference } from "./internal/references.js"
import { decodable, isRecord, randomId, resolveUrl, textTokens } from "./internal/references.js"
import type { Answer, AnswerFault, Incoming, Protocol, StreamChunk } from "./internal/server.js"
import { json } from "./internal/server.js"
import type { Signatures } from "./internal/signatures.js"

const ROUTE = /^\/(v1beta|v1)\/models\/([^/:]+):(generateContent|streamGenerateContent)$/

/** Which Google service a request reached. @internal */
export type Flavour = "gemini" | "vertex"

/** What the shared codec needs to know besides the body. @internal */
export interface Target {
  readonly flavour: Flavour
  readonly model: Catalog.GeminiModel
  readonly apiVersion: string
  readonly method: string
  readonly signatures: Signatures
}

const statusNames: Readonly<Record<number, string>> = {
  400: "INVALID_ARGUMENT",
  401: "UNAUTHENTICATED",
  403: "PERMISSION_DENIED",
  404: "NOT_FOUND",
  409: "ABORTED",
  429: "RESOURCE_EXHAUSTED",
  499: "CANCELLED",
  500: "INTERNAL",
  501: "NOT_IMPLEMENTED",
  503: "UNAVAILABLE",
  504: "DEADLINE_EXCEEDED"
}

const defaultMessages: Readonly<Record<number, string>> = {
  400: "Request contains an invalid argument.",
  403: "The caller does not have permission",
  404: "Requested entity was not found.",
  429: "You exceeded your current quota, please check your plan and billing details.",
  500:
    "An internal error has occurred. Please retry or report in https://developers.generativeai.google/guide/troubleshooting",
  503: "The model is overloaded. Please try again later.",
  504: "Deadline expired before operation could complete."
}

const TYPE = "type.googleapis.com/google.rpc."

const errorBody = (code: number, message: string, status?: string, details?: Array<unknown>) => ({
  error: {
    code,
    message,
    status: status ?? statusNames[code] ?? "UNKNOWN",
    ...(details === undefined ? {} : { details })
  }
})

const invalid = (message: string, details?: Array<unknown>): Answer =>
  json(400, errorBody(400, message, "INVALID_ARGUMENT", details))

const badRequest = (field: string, description: string): Answer =>
  invalid(description, [{ "@type": `${TYPE}BadRequest`, fieldViolations: [{ field, description }] }])

/** Reads a field by its camelCase or proto (snake_case) name. */
const pick = (record: Record<string, unknown>, camel: string, snake: string): unknown => record[camel] ?? record[snake]

const INPUT_TYPES = ["image/png", "image/jpeg", "image/webp", "image/heic", "image/heif"]

const snake = (name: string) => name.replace(/[A-Z]/g, (c) => `_${c.toLowerCase()}`)

interface Parsed {
  readonly target: Target
  readonly model: Catalog.GeminiModel
  readonly prompt: string
  readonly references: ReadonlyArray<Reference>
  readonly ratio: string
  readonly tier: Catalog.SizeTier
  readonly seed: number | undefined
  readonly wantsImage: boolean
  readonly wantsText: boolean
  readonly includeThoughts: boolean
  /** Vertex `imageOutputOptions.mimeType`. */
  readonly outputMimeType: "image/png" | "image/jpeg" | undefined
  readonly stream: "sse" | "array" | undefined
}

const THOUGHT_SIGNATURE_DOCS = "https://ai.google.dev/gemini-api/docs/thought-signatures#model-behavior"

const PERSON_GENERATION = ["PERSON_GENERATION_UNSPECIFIED", "ALLOW_ALL", "ALLOW_ADULT", "ALLOW_NONE"]
const PROMINENT_PEOPLE = ["PROMINENT_PEOPLE_UNSPECIFIED", "ALLOW_PROMINENT_PEOPLE", "BLOCK_PROMINENT_PEOPLE"]
const LABEL_KEY = /^[a-z][a-z0-9_-]{0,62}$/
const LABEL_VALUE = /^[a-z0-9_-]{0,63}$/

const enumError = (field: string, type: string, value: unknown) =>
  badRequest(
    field,
    `Invalid value at '${field}' (type.googleapis.com/google.cloud.aiplatform.v1.${type}), "${String(value)}"`
  )

/** Validates the Vertex-only fields (§8.3) on the Vertex server. */
const vertexFields = (
  body: Record<string, unknown>,
  imageConfig: Record<string, unknown>
): Answer | { readonly outputMimeType: "image/png" | "image/jpeg" | undefined } => {
  const person = pick(imageConfig, "personGeneration", "person_generation")
  if (person !== undefined && (typeof person !== "string" || !PERSON_GENERATION.includes(person))) {
    return enumError("generation_config.image_config.person_generation", "ImageConfig.PersonGeneration", person)
  }
  const prominent = pick(imageConfig, "prominentPeople", "prominent_people")
  if (prominent !== undefined && (typeof prominent !== "string" || !PROMINENT_PEOPLE.includes(prominent))) {
    return enumError("generation_config.image_config.prominent_people", "ImageConfig.ProminentPeople", prominent)
  }
  let outputMimeType: "image/png" | "image/jpeg" | undefined = undefined
  const options = pick(imageConfig, "imageOutputOptions", "image_output_options")
  if (options !== undefined) {
    if (!isRecord(options)) {
      return badRequest(
        "generation_config.image_config.image_output_options",
        "image_output_options must be an object."
      )
    }
    const mime = pick(options, "mimeType", "mime_type")
    if (mime !== undefined) {
      if (mime !== "image/png" && mime !== "image/jpeg") {
        return badRequest(
          "generation_config.image_config.image_output_options.mime_type",
          `Unsupported output mime type: ${String(mime)}. Supported values are: image/png, image/jpeg.`
        )
      }
      outputMimeType = mime
    }
    const quality = pick(options, "compressionQuality", "compression_quality")
    if (
      quality !== undefined &&
      (typeof quality !== "number" || !Number.isInteger(quality) || quality < 0 || quality > 100)
    ) {
      return badRequest(
        "generation_config.image_config.image_output_options.compression_quality",
        `compression_quality must be an integer between 0 and 100, got ${String(quality)}.`
      )
    }
  }
  const labels = body.labels
  if (labels !== undefined) {
    if (!isRecord(labels)) return badRequest("labels", "labels must be a map of strings.")
    for (const [key, value] of Object.entries(labels)) {
      if (!LABEL_KEY.test(key) || typeof value !== "string" || !LABEL_VALUE.test(value)) {
        return badRequest(
          `labels[${key}]`,
          `Label key or value is invalid: "${key}". Keys and values can be no longer than 63 characters, can only contain lowercase letters, numeric characters, underscores and dashes; keys must start with a letter.`
        )
      }
    }
  }
  return { outputMimeType }
}

const unknownName = (name: string, at: string | undefined) =>
  badRequest(
    at ?? name,
    `Invalid JSON payload received. Unknown name "${name}"${at === undefined ? "" : ` at '${at}'`}: Cannot find field.`
  )

/** Checks the thought signatures of the model turns (§9.1, §9.2). */
const checkSignatures = (target: Target, contents: ReadonlyArray<unknown>): Answer | undefined => {
  if (!Catalog.thinks(target.model.family)) return undefined
  // Vertex documents that Gemini 3 Pro Image does not validate signatures (§8.4).
  if (target.flavour === "vertex" && target.model.family === "3-pro") return undefined
  for (const [contentIndex, content] of contents.entries()) {
    if (!isRecord(content) || content.role !== "model" || !Array.isArray(content.parts)) continue
    for (const [partIndex, part] of content.parts.entries()) {
      if (!isRecord(part)) continue
      const signature = pick(part, "thoughtSignature", "thought_signature")
      const inline = pick(part, "inlineData", "inline_data")
      if (signature === undefined) {
        if (inline !== undefined && part.thought !== true) {
          return invalid(
            `Image part is missing a thought_signature in content position ${contentIndex + 1}, part position ${
              partIndex + 1
            }. Please refer to ${THOUGHT_SIGNATURE_DOCS} for more details.`
          )
        }
        continue
      }
      const { thoughtSignature: _a, thought_signature: _b, ...unsigned } = part
      if (!target.signatures.verify(target.model.id, unsigned, signature)) {
        return invalid(
          `Unable to submit request because it has an invalid thought signature for content at index ${contentIndex}. Please refer to ${THOUGHT_SIGNATURE_DOCS} for more details.`
        )
      }
    }
  }
  return undefined
}

/**
 * Validates a `generateContent` body for a resolved model (the route, credential and model were checked by the
 * server); an `Answer` is an error.
 *
 * @internal
 */
export const parseBody = async (incoming: Incoming, target: Target): Promise<Parsed | Answer> => {
  const { model } = target
  const body = incoming.recorded.body
  if (!isRecord(body)) return invalid("Invalid JSON payload received. Expected an object.")
  if (target.flavour === "gemini") {
    for (const name of Object.keys(body)) {
      if (Catalog.vertexOnlyTopLevelFields.some((f) => f === name || snake(f) === name)) {
        return unknownName(name, undefined)
      }
    }
  }
  const contents = body.contents
  if (!Array.isArray(contents) || contents.length === 0) {
    return invalid("* GenerateContentRequest.contents: contents is not specified\n")
  }
  const userTexts: Array<string> = []
  const userImages: Array<{ mimeType: unknown; data: unknown; uri?: unknown }> = []
  // The images an edit starts from: those of the latest content that has any (a user turn's images, or the final
  // image of a model turn).
  let current: Array<{ mimeType: unknown; data: unknown; uri?: unknown }> = []
  for (const [contentIndex, content] of contents.entries()) {
    const before = userImages.length
    if (!isRecord(content) || !Array.isArray(content.parts) || content.parts.length === 0) {
      return invalid(`* GenerateContentRequest.contents[${contentIndex}].parts: contents.parts must not be empty.\n`)
    }
    const role = content.role ?? "user"
    if (role !== "user" && role !== "model") {
      return invalid(`Please use a valid role: user, model.`)
    }
    for (const [partIndex, part] of content.parts.entries()) {
      if (!isRecord(part)) return invalid(`Invalid JSON payload received. Expected an object for parts[${partIndex}].`)
      const inline = pick(part, "inlineData", "inline_data")
      const file = pick(part, "fileData", "file_data")
      if (role === "model") {
        if (isRecord(inline) && part.thought !== true) {
          current = [{ mimeType: pick(inline, "mimeType", "mime_type"), data: inline.data }]
        }
        continue
      }
      if (typeof part.text === "string") userTexts.push(part.text)
      else if (isRecord(inline)) userImages.push({ mimeType: pick(inline, "mimeType", "mime_type"), data: inline.data })
      else if (isRecord(file)) {
        userImages.push({
          mimeType: pick(file, "mimeType", "mime_type"),
          data: undefined,
          uri: pick(file, "fileUri", "file_uri")
        })
      } else if (inline !== undefined || file !== undefined) {
        return invalid("Invalid JSON payload received. Invalid value for inline_data.")
      }
    }
    if (userImages.length > before) current = userImages.slice(before)
  }
  const signatureError = checkSignatures(target, contents)
  if (signatureError !== undefined) return signatureError
  const generationConfig = pick(body, "generationConfig", "generation_config")
  const config = isRecord(generationConfig) ? generationConfig : {}
  const candidateCount = pick(config, "candidateCount", "candidate_count")
  if (typeof candidateCount === "number" && candidateCount > 1) {
    return invalid(`Multiple candidates is not enabled for models/${model.id}`)
  }
  const rawImageConfig = pick(config, "imageConfig", "image_config")
  const imageConfig = isRecord(rawImageConfig) ? rawImageConfig : {}
  let outputMimeType: "image/png" | "image/jpeg" | undefined = undefined
  // The first unknown field in request order is named, as the live JSON parser does. On Vertex only the SDK-level
  // names (`outputMimeType`, `outputCompressionQuality`) are not wire fields.
  for (const name of Object.keys(imageConfig)) {
    const field = Catalog.vertexOnlyImageConfigFields.find((f) => f === name || snake(f) === name)
    if (field === undefined) continue
    if (target.flavour === "vertex" && field !== "outputMimeType" && field !== "outputCompressionQuality") continue
    return unknownName(name, "generation_config.image_config")
  }
  if (target.flavour === "vertex") {
    const checked = vertexFields(body, imageConfig)
    if (!("outputMimeType" in checked)) return checked
    outputMimeType = checked.outputMimeType
  }
  const ratio = pick(imageConfig, "aspectRatio", "aspect_ratio")
  if (ratio !== undefined && (typeof ratio !== "string" || !model.ratios.includes(ratio))) {
    return badRequest(
      "generation_config.image_config.aspect_ratio",
      `Unsupported aspect ratio: ${String(ratio)}. Supported values for models/${model.id} are: ${
        model.ratios.join(", ")
      }.`
    )
  }
  const size = pick(imageConfig, "imageSize", "image_size")
  if (size !== undefined) {
    if (typeof size !== "string" || !Catalog.geminiSizeValues.includes(size as Catalog.SizeTier)) {
      return badRequest(
        "generation_config.image_config.image_size",
        `Unsupported image size: ${String(size)}. Supported values are: 512, 1K, 2K, 4K (uppercase K).`
      )
    }
    if (model.sizes !== undefined && !model.sizes.includes(size as Catalog.SizeTier)) {
      return badRequest(
        "generation_config.image_config.image_size",
        `Image size ${size} is not supported for models/${model.id}. Supported values are: ${model.sizes.join(", ")}.`
      )
    }
  }
  const modalities = pick(config, "responseModalities", "response_modalities")
  let wantsImage = true
  let wantsText = true
  if (modalities !== undefined) {
    if (!Array.isArray(modalities)) return invalid("Invalid value at 'generation_config.response_modalities'")
    for (const [index, modality] of modalities.entries()) {
      if (modality !== "TEXT" && modality !== "IMAGE") {
        const proto = target.flavour === "vertex"
          ? "google.cloud.aiplatform.v1.GenerationConfig.Modality"
          : `google.ai.generativelanguage.${target.apiVersion}.GenerationConfig.Modality`
        return invalid(
          `Invalid value at 'generation_config.response_modalities[${index}]' (type.googleapis.com/${proto}), "${
            String(modality)
          }"`
        )
      }
    }
    wantsImage = modalities.includes("IMAGE")
    wantsText = modalities.includes("TEXT")
  }
  if (userImages.length > model.maxInputImages) {
    return invalid(
      `Too many input images: ${userImages.length}. models/${model.id} accepts at most ${model.maxInputImages}.`
    )
  }
  const references: Array<Reference> = []
  for (const image of current) {
    if (typeof image.mimeType !== "string" || !INPUT_TYPES.includes(image.mimeType)) {
      return invalid(`Unsupported MIME type: ${String(image.mimeType)}`)
    }
    let reference: Reference
    if ("uri" in image && image.uri !== undefined) {
      reference = await resolveUrl(String(image.uri))
    } else {
      if (typeof image.data !== "string") return invalid("Invalid JSON payload received. inline_data.data is required.")
      reference = {
        source: image.data.slice(0, 64),
        declaredMimeType: image.mimeType,
        bytes: Buffer.from(image.data, "base64")
      }
    }
    if (!(await decodable(reference)) || (reference.bytes !== undefined && reference.bytes.length === 0)) {
      return invalid(
        "Unable to process input image. Please retry or report in https://developers.generativeai.google/guide/troubleshooting"
      )
    }
    references.push(reference)
  }
  const thinking = pick(config, "thinkingConfig", "thinking_config")
  const includeThoughts = isRecord(thinking) ? pick(thinking, "includeThoughts", "include_thoughts") : undefined
  const seed = config.seed
  return {
    target,
    model,
    prompt: userTexts.join("\n"),
    references,
    ratio: typeof ratio === "string" ? ratio : "1:1",
    tier: typeof size === "string" ? size as Catalog.SizeTier : "1K",
    seed: typeof seed === "number" ? seed : undefined,
    wantsImage,
    wantsText,
    includeThoughts: includeThoughts === true,
    outputMimeType,
    stream: target.method === "streamGenerateContent"
      ? incoming.url.searchParams.get("alt") === "sse" ? "sse" : "array"
      : undefined
  }
}

const THOUGHT = "**Planning the composition**\n\nI'm working out the layout, palette and lighting before drawing."
const THOUGHT_TOKENS = 155

interface Response {
  readonly candidates?: ReadonlyArray<Record<string, unknown>>
  readonly promptFeedback?: Record<string, unknown>
  readonly usageMetadata: Record<string, unknown>
  readonly modelVersion: string
  readonly responseId: string
  readonly createTime?: string
}

const promptUsage = (parsed: Parsed) => {
  const text = textTokens(parsed.prompt)
  const image = parsed.references.length * (Catalog.thinks(parsed.model.family) ? 1120 : 258)
  return {
    promptTokenCount: text + image,
    promptTokensDetails: [
      ...(image > 0 ? [{ modality: "IMAGE", tokenCount: image }] : []),
      { modality: "TEXT", tokenCount: text }
    ]
  }
}

const usage = (parsed: Parsed, candidateText: number, images: number, thoughts: number) => {
  const prompt = promptUsage(parsed)
  const imageTokens = images * Catalog.imageTokens(parsed.model.family, parsed.tier)
  const candidates = candidateText + imageTokens
  const details = [
    ...(candidateText > 0 ? [{ modality: "TEXT", tokenCount: candidateText }] : []),
    ...(imageTokens > 0 ? [{ modality: "IMAGE", tokenCount: imageTokens }] : [])
  ]
  return {
    promptTokenCount: prompt.promptTokenCount,
    candidatesTokenCount: candidates,
    totalTokenCount: prompt.promptTokenCount + candidates + thoughts,
    ...(thoughts > 0 ? { thoughtsTokenCount: thoughts } : {}),
    promptTokensDetails: prompt.promptTokensDetails,
    ...(details.length > 0 ? { candidatesTokensDetails: details } : {}),
    ...tierFields(parsed)
  }
}

/** Gemini API answers carry `serviceTier`, Vertex answers `trafficType` (§8.4). */
const tierFields = (parsed: Parsed) =>
  parsed.target.flavour === "vertex" ? { trafficType: "ON_DEMAND" } : { serviceTier: "standard" }

const envelope = (parsed: Parsed) => ({
  modelVersion: parsed.model.id,
  ...(parsed.target.flavour === "vertex" ? { createTime: new Date().toISOString() } : {}),
  responseId: randomId(22)
})

const success = async (
  parsed: Parsed,
  fault: Extract<AnswerFault, { kind: "ok" }> | undefined,
  textOnly: string | undefined
): Promise<Response> => {
  const { family } = parsed.model
  const thinks = Catalog.thinks(family)
  const sign = (part: Record<string, unknown>): Record<string, unknown> =>
    thinks ? { ...part, thoughtSignature: parsed.target.signatures.issue(parsed.model.id, part) } : part
  const parts: Array<Record<string, unknown>> = []
  // Thought summaries only when asked for (`thinkingConfig.includeThoughts: true`, §9.4).
  const showThoughts = thinks && parsed.includeThoughts
  if (showThoughts) parts.push({ text: THOUGHT, thought: true })
  const mimeType = parsed.outputMimeType ?? Catalog.mimeTypeOf(family)
  const first = parsed.references[0]
  const renderAt = (tier: Catalog.SizeTier, salt: string) => {
    const { height, width } = Catalog.pixelSize(family, parsed.ratio, tier)
    return Images.render({
      width,
      height,
      mimeType,
      prompt: parsed.prompt,
      seed: parsed.seed,
      salt: salt + (first !== undefined && first.bytes === undefined ? first.source : ""),
      reference: first?.bytes
    })
  }
  let images = 0
  let text: string | undefined = textOnly
  if (textOnly === undefined && parsed.wantsImage) {
    const interim = thinks ? fault?.thoughtImages ?? (showThoughts ? 1 : 0) : 0
    for (let i = 0; i < interim; i++) {
      const image = await renderAt(parsed.tier === "512" ? "512" : "1K", `thought-${i}`)
      // Thought images carry no signature (only non-thought parts do, §9.1).
      parts.push({ inlineData: { mimeType, data: image.bytes.toString("base64") }, thought: true })
    }
    text = fault?.text ?? (parsed.wantsText && !thinks ? "Here is your image." : undefined)
    if (text !== undefined) parts.push(sign({ text }))
    const image = await renderAt(parsed.tier, "")
    parts.push(sign({ inlineData: { mimeType, data: image.bytes.toString("base64") } }))
    images = 1
  } else {
    text ??= fault?.text ?? "Here is a description of the picture you asked for."
    parts.push(sign({ text }))
  }
  return {
    candidates: [{ content: { role: "model", parts }, finishReason: "STOP", index: 0 }],
    usageMetadata: usage(parsed, text === undefined ? 0 : textTokens(text), images, thinks ? THOUGHT_TOKENS : 0),
    ...envelope(parsed)
  }
}

const refusal = (parsed: Parsed, form: string, reason: string | undefined): Response => {
  if (form === "prompt") {
    const prompt = promptUsage(parsed)
    return {
      promptFeedback: { blockReason: reason ?? "OTHER" },
      usageMetadata: {
        promptTokenCount: prompt.promptTokenCount,
        candidatesTokenCount: 0,
        totalTokenCount: prompt.promptTokenCount,
        promptTokensDetails: prompt.promptTokensDetails
      },
      ...envelope(parsed)
    }
  }
  const thoughts = Catalog.thinks(parsed.model.family) ? THOUGHT_TOKENS : 0
  const prompt = promptUsage(parsed)
  return {
    candidates: [{
      content: { role: "model" },
      finishReason: reason ?? "IMAGE_SAFETY",
      finishMessage:
        "The model output could not be generated. This output contains sensitive words that violate Google's Responsible AI practices. Try rephrasing the prompt.",
      index: 0
    }],
    usageMetadata: {
      promptTokenCount: prompt.promptTokenCount,
      totalTokenCount: prompt.promptTokenCount + thoughts,
      ...(thoughts > 0 ? { thoughtsTokenCount: thoughts } : {}),
      promptTokensDetails: prompt.promptTokensDetails
    },
    ...envelope(parsed)
  }
}

/** Splits a response into stream chunks: one part per chunk, `finishReason` on the last. */
const chunksOf = (response: Response): ReadonlyArray<Response> => {
  const candidate = response.candidates?.[0]
  const content = candidate?.content
  const parts = isRecord(content) && Array.isArray(content.parts) ? content.parts : undefined
  if (candidate === undefined || parts === undefined || parts.length <= 1) return [response]
  const { content: _content, finishReason, ...rest } = candidate
  return parts.map((part, index) => ({
    candidates: [{
      content: { role: "model", parts: [part] },
      ...(index === parts.length - 1 ? { finishReason } : {}),
      ...rest
    }],
    usageMetadata: response.usageMetadata,
    modelVersion: response.modelVersion,
    ...(response.createTime === undefined ? {} : { createTime: response.createTime }),
    responseId: response.responseId
  }))
}

const deliver = (parsed: Parsed, response: Response): Answer => {
  if (parsed.stream === undefined) return json(200, response)
  const chunks = chunksOf(response)
  if (parsed.stream === "array") return json(200, chunks)
  return {
    status: 200,
    headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
    body: chunks.map((chunk): StreamChunk => ({ data: Buffer.from(`data: ${JSON.stringify(chunk)}\r\n\r\n`) }))
  }
}

const retryDelay = (value: number | string) => typeof value === "number" ? `${value}s` : value

/**
 * The normal answer (validation included) for a resolved model, in the variant a fault asks for.
 *
 * @internal
 */
export const answer = async (incoming: Incoming, target: Target, fault: AnswerFault): Promise<Answer> => {
  const parsed = await parseBody(incoming, target)
  if (!("model" in parsed)) return parsed
  switch (fault.kind) {
    case "ok":
      return deliver(parsed, await success(parsed, fault, undefined))
    case "cdn404":
      return deliver(parsed, await success(parsed, undefined, undefined))
    case "textOnly":
      return deliver(parsed, await success(parsed, undefined, fault.text ?? "I can only describe this in words."))
    case "refusal":
      return deliver(parsed, refusal(parsed, fault.form ?? "finish", fault.reason))
  }
}

/**
 * A scripted error status with Google's envelope. `defaults` supplies the message and generated details per
 * service (the Gemini API's 429 carries a `QuotaFailure`, Vertex's the legacy `errors[]` and no `RetryInfo`).
 *
 * @internal
 */
export const scriptedError = (
  fault: Extract<Fault, { kind: "status" }>,
  flavour: Flavour
): Answer => {
  let details = fault.google?.details
  const extra: Record<string, unknown> = {}
  if (details === undefined) {
    const generated: Array<unknown> = []
    if (fault.status === 429 && flavour === "gemini") {
      generated.push({
        "@type": `${TYPE}QuotaFailure`,
        violations: [{
          quotaMetric: "generativelanguage.googleapis.com/generate_content_free_tier_requests",
          quotaId: "GenerateRequestsPerMinutePerProjectPerModel-FreeTier"
        }]
      })
    }
    if (fault.retryAfter !== undefined) {
      generated.push({ "@type": `${TYPE}RetryInfo`, retryDelay: retryDelay(fault.retryAfter) })
    }
    if (generated.length > 0) details = generated
  }
  const message = fault.message ??
    (flavour === "vertex" ? vertexMessages[fault.status] : undefined) ??
    defaultMessages[fault.status] ?? "Error"
  if (flavour === "vertex" && fault.status === 429) {
    extra.errors = [{ message, domain: "global", reason: "rateLimitExceeded" }]
  }
  const body = errorBody(fault.status, message, fault.google?.status, details)
  return json(fault.status, { error: { ...body.error, ...extra } }, { ...fault.headers })
}

const vertexMessages: Readonly<Record<number, string>> = {
  429:
    "Resource exhausted. Please try again later. Please refer to https://cloud.google.com/vertex-ai/generative-ai/docs/error-code-429 for more details.",
  503: "The service is currently unavailable."
}

/** Google's envelope with HTTP 200 (`http200Error`). @internal */
export const http200 = (fault: Extract<Fault, { kind: "http200Error" }>): Answer => {
  const code = fault.code ?? 500
  return json(200, errorBody(code, fault.message ?? defaultMessages[code] ?? "Error"))
}

/** Google's error envelope. @internal */
export const googleError = (code: number, message: string, status?: string, details?: Array<unknown>): Answer =>
  json(code, errorBody(code, message, status, details))

/** @internal */
export { TYPE as rpcType }

/**
 * The Gemini API protocol for the emulator's HTTP runtime.
 *
 * @since 0.1.0
 * @category Constructors
 * @internal
 */
export const protocol = (signatures: Signatures): Protocol => ({
  name: "google",
  credential: (request, url) => {
    const header = request.headers["x-goog-api-key"]
    return typeof header === "string" ? header : url.searchParams.get("key") ?? undefined
  },
  isApiCall: (method, path) => method === "POST" && ROUTE.test(path),
  other: async (incoming) =>
    json(
      404,
      errorBody(404, `The requested URL ${incoming.recorded.path} was not found on this server.`, "NOT_FOUND")
    ),
  answer: async (incoming, fault) => {
    const match = ROUTE.exec(incoming.recorded.path)!
    const [, apiVersion = "v1beta", modelId = "", method = "generateContent"] = match
    const { credentialOk, headers, query } = incoming.recorded
    if (headers["x-goog-api-key"] === undefined && query["key"] === undefined) {
      return googleError(
        403,
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
        "PERMISSION_DENIED"
      )
    }
    if (!credentialOk) {
      return invalid("API key not valid. Please pass a valid API key.", [
        {
          "@type": `${TYPE}ErrorInfo`,
          reason: "API_KEY_INVALID",
          domain: "googleapis.com",
          metadata: { service: "generativelanguage.googleapis.com" }
        },
        {
          "@type": `${TYPE}LocalizedMessage`,
          locale: "en-US",
          message: "API key not valid. Please pass a valid API key."
        }
      ])
    }
    const model = Catalog.geminiModels.get(decodeURIComponent(modelId))
    if (model === undefined) {
      // Unknown and shut-down ids (the 2026 previews) answer alike.
      return googleError(
        404,
        `models/${modelId} is not found for API version ${apiVersion}, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`,
        "NOT_FOUND"
      )
    }
    return answer(incoming, { flavour: "gemini", model, apiVersion, method, signatures }, fault)
  },
  error: (_incoming, fault) => scriptedError(fault, "gemini"),
  http200Error: (_incoming, fault) => http200(fault)
})
