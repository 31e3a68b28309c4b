/**
 * The OpenRouter chat-completions protocol (PROVIDERS.md §1): `POST /api/v1/chat/completions`, non-streaming and
 * `stream: true` SSE with `: OPENROUTER PROCESSING` keep-alive comments and `data: [DONE]`.
 *
 * @since 0.1.0
 */
import * as Catalog from "./Catalog.js"
import type { Fault } from "./Faults.js"
import type { Reference } from "./internal/references.js"
import {
  ACCEPTED_INPUT_TYPES,
  decodable,
  isRecord,
  parseDataUrl,
  randomId,
  renderVariants,
  resolveUrl,
  textTokens
} from "./internal/references.js"
import type { Answer, AnswerFault, Incoming, Protocol, StreamChunk } from "./internal/server.js"
import { json } from "./internal/server.js"
import * as ImagesApi from "./OpenRouterImages.js"

const PATH = "/api/v1/chat/completions"
/** Default request-body cap of `POST /images` before it answers 413. */
const DEFAULT_MAX_IMAGES_BODY = 32 * 1024 * 1024
const PROVIDER_NAME = "Google AI Studio"

const defaultMessages: Readonly<Record<number, string>> = {
  400: "Bad Request",
  401: "User not found.",
  402: "Insufficient credits. Add more using https://openrouter.ai/credits",
  403: "Forbidden",
  404: "Not Found",
  408: "Request timed out",
  413: "Payload too large",
  422: "Unprocessable entity",
  429: "Rate limit exceeded",
  500: "Internal Server Error",
  502: "Provider returned error",
  503: "No available model provider that meets your routing requirements",
  504: "Gateway timeout",
  524: "Edge timeout",
  529: "Provider overloaded"
}

const errorTypes: Readonly<Record<number, string>> = {
  400: "invalid_request",
  401: "authentication",
  402: "payment_required",
  403: "permission_denied",
  404: "not_found",
  408: "timeout",
  413: "payload_too_large",
  422: "unprocessable_entity",
  429: "rate_limit_exceeded",
  500: "server",
  502: "provider_unavailable",
  503: "provider_overloaded",
  504: "timeout",
  524: "timeout",
  529: "provider_overloaded"
}

const errorBody = (code: number, message: string, metadata?: Record<string, unknown>) => ({
  error: metadata === undefined ? { code, message } : { code, message, metadata }
})

const invalid = (message: string, errorType = "invalid_request"): Answer =>
  json(400, errorBody(400, message, { error_type: errorType }))

interface Parsed {
  readonly model: Catalog.OpenRouterModel
  readonly prompt: string
  readonly references: ReadonlyArray<Reference>
  readonly ratio: string
  readonly tier: Catalog.SizeTier
  readonly seed: number | undefined
  readonly wantsImage: boolean
  readonly stream: boolean
}

const tierOf = (size: string): Catalog.SizeTier => size === "0.5K" ? "512" : size as Catalog.SizeTier

const BASE64 = /^[A-Za-z0-9+/]+={0,2}$/

/** A raw base64 image (no `data:` prefix) as a data URL of its sniffed type. */
const asDataUrl = (url: string): string => {
  if (url.startsWith("data:") || /^https?:/.test(url) || !BASE64.test(url.slice(0, 4096))) return url
  const head = Buffer.from(url.slice(0, 16), "base64")
  const mime = head[0] === 0xff && head[1] === 0xd8 ? "image/jpeg" : head[0] === 0x52 ? "image/webp" : "image/png"
  return `data:${mime};base64,${url}`
}

/** The image URLs of a replayed assistant message, or an error message. */
const assistantImages = (message: Record<string, unknown>): Array<string> | string => {
  const found: Array<string> = []
  const parts = [
    ...(Array.isArray(message.images) ? message.images : []),
    ...(Array.isArray(message.content) ? message.content : [])
  ]
  for (const part of parts) {
    if (!isRecord(part)) return "Invalid assistant content part"
    if (part.type === "text" || (part.type === undefined && typeof part.text === "string")) continue
    if (part.type !== undefined && part.type !== "image_url") {
      return `Unsupported assistant content part type: ${String(part.type)}`
    }
    const url = isRecord(part.image_url) ? part.image_url.url : undefined
    if (typeof url !== "string") return "image_url.url is required"
    found.push(asDataUrl(url))
  }
  return found
}

/** Validates a request the way OpenRouter does (as far as §1 documents); an `Answer` is an error. */
const parse = async (incoming: Incoming): Promise<Parsed | Answer> => {
  const authorization = incoming.recorded.headers["authorization"]
  if (authorization === undefined) return json(401, errorBody(401, "No auth credentials found"))
  if (!incoming.recorded.credentialOk) return json(401, errorBody(401, "User not found."))
  const body = incoming.recorded.body
  if (!isRecord(body)) return invalid("Invalid JSON body")
  if (typeof body.model !== "string") return invalid("No models provided")
  const model = Catalog.openRouterModels.get(body.model)
  if (model === undefined) return invalid(`${body.model} is not a valid model ID`, "model_not_found")
  if (!Array.isArray(body.messages) || body.messages.length === 0) {
    return invalid("Input required: specify \"messages\"")
  }
  const texts: Array<string> = []
  const urls: Array<string> = []
  let lastAssistantImage: string | undefined = undefined
  for (const message of body.messages) {
    if (!isRecord(message) || typeof message.role !== "string") return invalid("Invalid message: missing role")
    if (message.role === "assistant") {
      // Replayed turns (§9.7): images in `images[]` or as content parts (with or without `type`), possibly raw
      // base64 without a `data:` prefix, as a live request did.
      const found = assistantImages(message)
      if (typeof found === "string") return invalid(found, "invalid_image")
      if (found.length > 0) lastAssistantImage = found.at(-1)
      continue
    }
    if (message.role !== "user") continue
    if (typeof message.content === "string") texts.push(message.content)
    else if (Array.isArray(message.content)) {
      for (const part of message.content) {
        if (!isRecord(part)) return invalid("Invalid content part")
        if (part.type === "text" && typeof part.text === "string") texts.push(part.text)
        else if (part.type === "image_url") {
          const imageUrl = isRecord(part.image_url) ? part.image_url.url : undefined
          if (typeof imageUrl !== "string") return invalid("image_url.url is required", "invalid_image")
          urls.push(imageUrl)
        } else return invalid(`Unsupported content part type: ${String(part.type)}`)
      }
    } else return invalid("Invalid message content")
  }
  if (urls.length === 0 && lastAssistantImage !== undefined) urls.push(lastAssistantImage)
  const config = isRecord(body.image_config) ? body.image_config : {}
  const ratio = config.aspect_ratio === undefined ? "1:1" : config.aspect_ratio
  if (typeof ratio !== "string" || !model.ratios.includes(ratio)) {
    return invalid(
      `Invalid image_config.aspect_ratio "${String(ratio)}" for ${model.id}. Supported: ${model.ratios.join(", ")}`
    )
  }
  const size = config.image_size === undefined ? "1K" : config.image_size
  if (typeof size !== "string" || !model.sizes.includes(size)) {
    return invalid(
      `Invalid image_config.image_size "${String(size)}" for ${model.id}. Supported: ${model.sizes.join(", ")}`
    )
  }
  if (urls.length > model.maxInputImages) {
    return invalid(`Too many input images: ${urls.length} (at most ${model.maxInputImages} for ${model.id})`)
  }
  const references: Array<Reference> = []
  for (const url of urls) {
    if (url.startsWith("data:")) {
      const parsed = parseDataUrl(url)
      if (parsed === undefined) return invalid("Invalid image data URL", "invalid_image")
      if (parsed.mimeType === undefined || !ACCEPTED_INPUT_TYPES.includes(parsed.mimeType)) {
        return invalid(`Unsupported image format: ${String(parsed.mimeType)}`, "unsupported_image_format")
      }
    }
    const reference = await resolveUrl(url)
    if (!(await decodable(reference))) return invalid("Invalid image: could not decode", "invalid_image")
    references.push(reference)
  }
  // A live request without `modalities` got an image from an image model; only an explicit list without "image"
  // answers text only.
  const modalities = Array.isArray(body.modalities) ? body.modalities : ["image", "text"]
  return {
    model,
    prompt: texts.join("\n"),
    references,
    ratio,
    tier: tierOf(size),
    seed: typeof body.seed === "number" ? body.seed : undefined,
    wantsImage: modalities.includes("image"),
    stream: body.stream === true
  }
}

interface Completion {
  readonly id: string
  readonly created: number
  readonly model: string
  readonly choice: {
    readonly finish_reason: string
    readonly native_finish_reason: string | null
    readonly message: Record<string, unknown>
    readonly error?: Record<string, unknown>
  }
  readonly usage: Record<string, unknown>
}

const usageOf = (parsed: Parsed, completionText: number, images: number, reasoning: number) => {
  const promptTokens = textTokens(parsed.prompt) + parsed.references.length * 258
  const imageTokens = images * Catalog.imageTokens(parsed.model.family, parsed.tier)
  const completionTokens = completionText + imageTokens + reasoning
  const { cost, cost_details, is_byok } = ImagesApi.costOf(parsed.model.family, promptTokens, completionTokens)
  return {
    prompt_tokens: promptTokens,
    completion_tokens: completionTokens,
    total_tokens: promptTokens + completionTokens,
    prompt_tokens_details: { cached_tokens: 0, cache_write_tokens: 0, audio_tokens: 0, video_tokens: 0 },
    completion_tokens_details: { reasoning_tokens: reasoning, image_tokens: imageTokens, audio_tokens: 0 },
    cost,
    is_byok,
    cost_details
  }
}

const completionBody = (c: Completion) => ({
  id: c.id,
  object: "chat.completion",
  created: c.created,
  model: c.model,
  provider: PROVIDER_NAME,
  system_fingerprint: null,
  choices: [{ index: 0, logprobs: null, ...c.choice }],
  usage: c.usage
})

const sse = (value: unknown): Buffer => Buffer.from(`data: ${JSON.stringify(value)}\n\n`)

const streamChunks = (c: Completion): ReadonlyArray<StreamChunk> => {
  const base = {
    id: c.id,
    object: "chat.completion.chunk",
    created: c.created,
    model: c.model,
    provider: PROVIDER_NAME
  }
  const { content, images, ...rest } = c.choice.message
  const chunks: Array<StreamChunk> = [
    { data: Buffer.from(": OPENROUTER PROCESSING\n\n") },
    { data: Buffer.from(": OPENROUTER PROCESSING\n\n"), delayMs: 5 }
  ]
  const reasoning = rest.reasoning
  if (typeof reasoning === "string") {
    chunks.push({
      data: sse({
        ...base,
        choices: [{
          index: 0,
          delta: { role: "assistant", content: "", reasoning, reasoning_details: rest.reasoning_details },
          finish_reason: null,
          native_finish_reason: null
        }]
      })
    })
  }
  if (c.choice.error !== undefined) {
    chunks.push({
      data: sse({
        ...base,
        error: c.choice.error,
        choices: [{
          index: 0,
          delta: { content: typeof content === "string" ? content : "" },
          finish_reason: "error",
          native_finish_reason: c.choice.native_finish_reason
        }]
      })
    })
    return chunks
  }
  if (typeof content === "string" && content.length > 0) {
    chunks.push({
      data: sse({
        ...base,
        choices: [{ index: 0, delta: { role: "assistant", content }, finish_reason: null, native_finish_reason: null }]
      })
    })
  }
  chunks.push({
    data: sse({
      ...base,
      choices: [{
        index: 0,
        delta: images === undefined
          ? { role: "assistant", content: "" }
          : { role: "assistant", content: "", images },
        finish_reason: c.choice.finish_reason,
        native_finish_reason: c.choice.native_finish_reason
      }]
    })
  })
  // The live streams end with a usage chunk whose `choices` has one empty delta (not `[]`).
  chunks.push({
    data: sse({
      ...base,
      choices: [{
        index: 0,
        delta: { role: "assistant", content: "" },
        finish_reason: null,
        native_finish_reason: null,
        logprobs: null
      }],
      usage: c.usage
    })
  })
  chunks.push({ data: Buffer.from("data: [DONE]\n\n") })
  return chunks
}

const deliver = (c: Completion, stream: boolean): Answer =>
  stream
    ? {
      status: 200,
      headers: { "content-type": "text/event-stream", "cache-control": "no-cache", "x-accel-buffering": "no" },
      body: streamChunks(c)
    }
    : json(200, completionBody(c))

const meta = (parsed: Parsed) => ({
  id: `gen-${Math.floor(Date.now() / 1000)}-${randomId(20)}`,
  created: Math.floor(Date.now() / 1000),
  model: parsed.model.id
})

const THOUGHT =
  "**Composing the image**\n\nI'm laying out the scene, balancing colour and composition before rendering."

const success = async (parsed: Parsed, fault: Extract<Fault, { kind: "ok" }>): Promise<Completion> => {
  const mimeType = Catalog.mimeTypeOf(parsed.model.family)
  const [image] = await renderVariants({
    count: 1,
    family: parsed.model.family,
    ratio: parsed.ratio,
    tier: parsed.tier,
    mimeType,
    prompt: parsed.prompt,
    seed: parsed.seed,
    references: parsed.references
  })
  const text = fault.text ?? "Here is your image."
  const thinks = Catalog.thinks(parsed.model.family)
  const reasoningTokens = thinks ? textTokens(THOUGHT) : 0
  return {
    ...meta(parsed),
    choice: {
      finish_reason: "stop",
      native_finish_reason: "STOP",
      message: {
        role: "assistant",
        content: text,
        refusal: null,
        reasoning: thinks ? THOUGHT : null,
        ...(thinks
          ? { reasoning_details: [{ type: "reasoning.text", text: THOUGHT, format: "google-gemini-v1", index: 0 }] }
          : {}),
        images: [{
          type: "image_url",
          image_url: { url: `data:${mimeType};base64,${image!.bytes.toString("base64")}` },
          index: 0
        }]
      }
    },
    usage: usageOf(parsed, textTokens(text), 1, reasoningTokens)
  }
}

const textAnswer = (parsed: Parsed, text: string): Completion => ({
  ...meta(parsed),
  choice: {
    finish_reason: "stop",
    native_finish_reason: "STOP",
    message: { role: "assistant", content: text, refusal: null, reasoning: null }
  },
  usage: usageOf(parsed, textTokens(text), 0, 0)
})

/**
 * The OpenRouter protocol for the emulator's HTTP runtime.
 *
 * @since 0.1.0
 * @category Constructors
 * @internal
 */
export const protocol = (options: { readonly maxImagesBodyBytes?: number } = {}): Protocol => ({
  name: "openrouter",
  credential: (request) => {
    const header = request.headers["authorization"]
    return typeof header === "string" && header.startsWith("Bearer ") ? header.slice(7) : undefined
  },
  isApiCall: (method, path) => (method === "POST" && path === PATH) || ImagesApi.isImagesCall(method, path),
  other: async (incoming) =>
    json(404, errorBody(404, `Not Found: ${incoming.recorded.method} ${incoming.recorded.path}`)),
  answer: async (incoming, fault: AnswerFault) => {
    if (ImagesApi.isImagesPath(incoming.recorded.path)) {
      return ImagesApi.answer(incoming, fault, options.maxImagesBodyBytes ?? DEFAULT_MAX_IMAGES_BODY)
    }
    const parsed = await parse(incoming)
    if (!("model" in parsed)) return parsed
    switch (fault.kind) {
      case "ok":
      case "cdn404":
        return deliver(
          parsed.wantsImage
            ? await success(parsed, fault.kind === "ok" ? fault : { kind: "ok" })
            : textAnswer(
              parsed,
              fault.kind === "ok" && fault.text !== undefined ? fault.text : "Here is a description."
            ),
          parsed.stream
        )
      case "textOnly":
        return deliver(textAnswer(parsed, fault.text ?? "I can only describe this image in words."), parsed.stream)
      case "refusal": {
        const form = fault.form ?? "content_filter"
        if (form === "moderation") {
          const reason = fault.reason ?? "violence"
          return json(
            403,
            errorBody(
              403,
              `${parsed.model.id} requires moderation on OpenRouter. Your input was flagged for "${reason}"`,
              {
                reasons: [reason],
                flagged_input: parsed.prompt.slice(0, 100),
                provider_name: PROVIDER_NAME,
                model_slug: parsed.model.id
              }
            )
          )
        }
        const native = form === "native"
        return deliver({
          ...meta(parsed),
          choice: {
            finish_reason: native ? "stop" : "content_filter",
            native_finish_reason: fault.reason ?? (native ? "IMAGE_PROHIBITED_CONTENT" : "IMAGE_SAFETY"),
            message: { role: "assistant", content: native ? null : "", refusal: null, reasoning: null }
          },
          usage: usageOf(parsed, 0, 0, 0)
        }, parsed.stream)
      }
    }
  },
  error: (incoming, fault) => {
    if (ImagesApi.isImagesPath(incoming.recorded.path)) return ImagesApi.scriptedError(fault)
    const metadata = { error_type: errorTypes[fault.status] ?? "unmapped", ...fault.openrouter?.metadata }
    const headers: Record<string, string> = { ...fault.headers }
    if (fault.retryAfter !== undefined) headers["retry-after"] = String(fault.retryAfter)
    return json(
      fault.status,
      errorBody(fault.status, fault.message ?? defaultMessages[fault.status] ?? "Error", metadata),
      headers
    )
  },
  http200Error: (incoming, fault) => {
    if (ImagesApi.isImagesPath(incoming.recorded.path)) return ImagesApi.http200Error(incoming, fault)
    const code = fault.code ?? 502
    const message = fault.message ?? "Provider disconnected mid-stream"
    const error = { code, message, metadata: { error_type: errorTypes[code] ?? "provider_unavailable" } }
    if (fault.form === "top-level") return json(200, { error })
    const body = incoming.recorded.body
    const model = isRecord(body) && typeof body.model === "string" ? body.model : "unknown"
    const completion: Completion = {
      id: `gen-${Math.floor(Date.now() / 1000)}-${randomId(20)}`,
      created: Math.floor(Date.now() / 1000),
      model,
      choice: {
        finish_reason: "error",
        native_finish_reason: null,
        message: { role: "assistant", content: "partial output..." },
        error
      },
      usage: { prompt_tokens: 0, completion_tokens: 0, total_tokens: 0, cost: 0 }
    }
    return deliver(completion, isRecord(body) && body.stream === true)
  }
})
