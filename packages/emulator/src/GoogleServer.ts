/**
 * The Gemini API protocol (PROVIDERS.md §3): `POST /v1beta/models/{model}:generateContent` and
 * `:streamGenerateContent` (`?alt=sse` for SSE, a JSON array otherwise). `/v1/` paths are accepted too (the
 * `@google/genai` SDK default).
 *
 * @since 0.1.0
 */
import { randomBytes } from "node:crypto"
import * as Catalog from "./Catalog.js"
import * as Images from "./Images.js"
import type { Reference } from "./internal/references.js"
import { decodable, isRecord, randomId, resolveUrl, textTokens } from "./internal/references.js"
import type { Answer, AnswerFault, Incoming, Protocol, StreamChunk } from "./internal/server.js"
import { json } from "./internal/server.js"

const ROUTE = /^\/(v1beta|v1)\/models\/([^/:]+):(generateContent|streamGenerateContent)$/

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
  readonly model: Catalog.GeminiModel
  readonly apiVersion: string
  readonly prompt: string
  readonly references: ReadonlyArray<Reference>
  readonly ratio: string
  readonly tier: Catalog.SizeTier
  readonly seed: number | undefined
  readonly wantsImage: boolean
  readonly wantsText: boolean
  readonly includeThoughts: boolean
  readonly stream: "sse" | "array" | undefined
}

const parse = async (incoming: Incoming): Promise<Parsed | Answer> => {
  const match = ROUTE.exec(incoming.recorded.path)!
  const [, apiVersion = "v1beta", modelId = "", method] = match
  const { credentialOk, headers, query } = incoming.recorded
  if (headers["x-goog-api-key"] === undefined && query["key"] === undefined) {
    return json(
      403,
      errorBody(
        403,
        "Method doesn't allow unregistered callers (callers without established identity). Please use API Key or other form of API consumer identity to call this API.",
        "PERMISSION_DENIED"
      )
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
    return json(
      404,
      errorBody(
        404,
        `models/${modelId} is not found for API version ${apiVersion}, or is not supported for ${method}. Call ListModels to see the list of available models and their supported methods.`,
        "NOT_FOUND"
      )
    )
  }
  const body = incoming.recorded.body
  if (!isRecord(body)) return invalid("Invalid JSON payload received. Expected an object.")
  const contents = body.contents
  if (!Array.isArray(contents) || contents.length === 0) {
    return invalid("* GenerateContentRequest.contents: contents is not specified\n")
  }
  const userTexts: Array<string> = []
  const userImages: Array<{ mimeType: unknown; data: unknown; uri?: unknown }> = []
  let lastModelImage: { mimeType: unknown; data: unknown } | undefined = undefined
  for (const [contentIndex, content] of contents.entries()) {
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
        if (inline !== undefined && Catalog.thinks(model.family) && part.thought !== true) {
          if (pick(part, "thoughtSignature", "thought_signature") === undefined) {
            return invalid(
              `Image part is missing a thought_signature in content position ${contentIndex + 1}, part position ${
                partIndex + 1
              }. Please refer to https://ai.google.dev/gemini-api/docs/thought-signatures for more details.`
            )
          }
        }
        if (isRecord(inline) && part.thought !== true) {
          lastModelImage = { mimeType: pick(inline, "mimeType", "mime_type"), data: inline.data }
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
  }
  const generationConfig = pick(body, "generationConfig", "generation_config")
  const config = isRecord(generationConfig) ? generationConfig : {}
  const candidateCount = pick(config, "candidateCount", "candidate_count")
  if (typeof candidateCount === "number" && candidateCount > 1) {
    return invalid(`Multiple candidates is not enabled for models/${model.id}`)
  }
  const rawImageConfig = pick(config, "imageConfig", "image_config")
  const imageConfig = isRecord(rawImageConfig) ? rawImageConfig : {}
  for (const field of Catalog.vertexOnlyImageConfigFields) {
    for (const name of [field, snake(field)]) {
      if (imageConfig[name] !== undefined) {
        const message =
          `Invalid JSON payload received. Unknown name "${name}" at 'generation_config.image_config': Cannot find field.`
        return badRequest("generation_config.image_config", message)
      }
    }
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
        return invalid(
          `Invalid value at 'generation_config.response_modalities[${index}]' (type.googleapis.com/google.ai.generativelanguage.${apiVersion}.GenerationConfig.Modality), "${
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
  for (const image of [...userImages, ...(userImages.length === 0 && lastModelImage ? [lastModelImage] : [])]) {
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
    model,
    apiVersion,
    prompt: userTexts.join("\n"),
    references,
    ratio: typeof ratio === "string" ? ratio : "1:1",
    tier: typeof size === "string" ? size as Catalog.SizeTier : "1K",
    seed: typeof seed === "number" ? seed : undefined,
    wantsImage,
    wantsText,
    includeThoughts: includeThoughts !== false,
    stream: method === "streamGenerateContent"
      ? incoming.url.searchParams.get("alt") === "sse" ? "sse" : "array"
      : undefined
  }
}

const THOUGHT = "**Planning the composition**\n\nI'm working out the layout, palette and lighting before drawing."
const THOUGHT_TOKENS = 155

const signature = () => randomBytes(96).toString("base64")

interface Response {
  readonly candidates?: ReadonlyArray<Record<string, unknown>>
  readonly promptFeedback?: Record<string, unknown>
  readonly usageMetadata: Record<string, unknown>
  readonly modelVersion: string
  readonly responseId: string
}

const promptUsage = (parsed: Parsed) => {
  const text = textTokens(parsed.prompt)
  const image = parsed.references.length * 258
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
    ...(details.length > 0 ? { candidatesTokensDetails: details } : {})
  }
}

const envelope = (parsed: Parsed) => ({ modelVersion: parsed.model.id, responseId: randomId(22) })

const success = async (
  parsed: Parsed,
  fault: Extract<AnswerFault, { kind: "ok" }> | undefined,
  textOnly: string | undefined
): Promise<Response> => {
  const { family } = parsed.model
  const thinks = Catalog.thinks(family)
  const parts: Array<Record<string, unknown>> = []
  const showThoughts = thinks && parsed.includeThoughts
  if (showThoughts) parts.push({ text: THOUGHT, thought: true })
  const mimeType = Catalog.mimeTypeOf(family)
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
    const interim = fault?.thoughtImages ?? (thinks ? 1 : 0)
    for (let i = 0; i < interim; i++) {
      const image = await renderAt(parsed.tier === "512" ? "512" : "1K", `thought-${i}`)
      parts.push({
        inlineData: { mimeType, data: image.bytes.toString("base64") },
        thought: true,
        thoughtSignature: signature()
      })
    }
    text = fault?.text ?? (parsed.wantsText && !thinks ? "Here is your image." : undefined)
    if (text !== undefined) parts.push(thinks ? { text, thoughtSignature: signature() } : { text })
    const image = await renderAt(parsed.tier, "")
    parts.push({
      inlineData: { mimeType, data: image.bytes.toString("base64") },
      ...(thinks ? { thoughtSignature: signature() } : {})
    })
    images = 1
  } else {
    text ??= fault?.text ?? "Here is a description of the picture you asked for."
    parts.push(thinks ? { text, thoughtSignature: signature() } : { text })
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
 * The Gemini API protocol for the emulator's HTTP runtime.
 *
 * @since 0.1.0
 * @category Constructors
 * @internal
 */
export const protocol = (): Protocol => ({
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
    const parsed = await parse(incoming)
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
  },
  error: (_incoming, fault) => {
    let details = fault.google?.details
    if (details === undefined) {
      const generated: Array<unknown> = []
      if (fault.status === 429) {
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
    return json(
      fault.status,
      errorBody(
        fault.status,
        fault.message ?? defaultMessages[fault.status] ?? "Error",
        fault.google?.status,
        details
      ),
      { ...fault.headers }
    )
  },
  http200Error: (_incoming, fault) => {
    const code = fault.code ?? 500
    return json(200, errorBody(code, fault.message ?? defaultMessages[code] ?? "Error"))
  }
})
