/**
 * OpenRouter's Image API (PROVIDERS.md §6): `POST /api/v1/images` (buffered JSON, or SSE events when a fault asks
 * for them), `GET /api/v1/images/models` and `GET /api/v1/images/models/{author}/{slug}/endpoints`, served by the
 * OpenRouter server beside chat completions.
 *
 * @since 0.2.0
 */
import * as Catalog from "./Catalog.js"
import type { Fault } from "./Faults.js"
import * as Images from "./Images.js"
import type { Reference } from "./internal/references.js"
import {
  ACCEPTED_INPUT_TYPES,
  decodable,
  isRecord,
  parseDataUrl,
  renderVariants,
  resolveUrl,
  textTokens
} from "./internal/references.js"
import type { Answer, AnswerFault, Incoming, StreamChunk } from "./internal/server.js"
import { json } from "./internal/server.js"

const IMAGES = "/api/v1/images"
const MODELS = "/api/v1/images/models"
const ENDPOINTS = /^\/api\/v1\/images\/models\/([^/]+)\/([^/]+)\/endpoints$/

/**
 * Whether a method and path are an Image API call.
 *
 * @since 0.2.0
 * @category Models
 * @internal
 */
export const isImagesCall = (method: string, path: string): boolean =>
  (method === "POST" && path === IMAGES) || (method === "GET" && (path === MODELS || ENDPOINTS.test(path)))

/**
 * Whether a path is an Image API path (errors there use the `/images` spec's messages).
 *
 * @since 0.2.0
 * @category Models
 * @internal
 */
export const isImagesPath = (path: string): boolean => path === IMAGES || path.startsWith(`${MODELS}`)

/**
 * The messages of the `/images` spec's error examples (§6.3).
 *
 * @since 0.2.0
 * @category Models
 */
export const imagesMessages: Readonly<Record<number, string>> = {
  400: "Invalid request parameters",
  401: "Missing Authentication header",
  402: "Insufficient credits. Add more using https://openrouter.ai/credits",
  403: "Only management keys can perform this operation",
  404: "Resource not found",
  413: "Request payload too large",
  429: "Rate limit exceeded",
  500: "Internal Server Error",
  502: "Provider returned error",
  524: "Request timed out. Please try again later.",
  529: "Provider returned error"
}

const error = (code: number, message?: string, metadata?: Record<string, unknown>, headers?: Record<string, string>) =>
  json(code, {
    error: {
      code,
      message: message ?? imagesMessages[code] ?? "Error",
      ...(metadata === undefined ? {} : { metadata })
    }
  }, headers)

const invalid = (param: string, detail: string): Answer =>
  error(400, `Invalid request parameters: ${param}: ${detail}`, { param })

const RESOLUTIONS = ["512", "1K", "2K", "4K"] as const
const QUALITIES = ["auto", "low", "medium", "high"]
const FORMATS = ["png", "jpeg", "webp", "svg"]
const BACKGROUNDS = ["auto", "transparent", "opaque"]
const SORTS = ["price", "throughput", "latency", "exacto"]
const PIXELS = /^(\d{2,5})x(\d{2,5})$/

/** `/images` tiers of a model (`512` is the chat route's `0.5K`); `undefined` for 2.5 Flash (no size knob). */
const tiersOf = (model: Catalog.OpenRouterModel): ReadonlyArray<Catalog.SizeTier> | undefined =>
  model.family === "2.5-flash"
    ? undefined
    : model.sizes.map((size) => size === "0.5K" ? "512" : size as Catalog.SizeTier)

const tierRank: Readonly<Record<Catalog.SizeTier, number>> = { "512": 0, "1K": 1, "2K": 2, "4K": 3 }

/** The supported tier nearest to the one asked for ("providers clamp to their supported subset"). */
const clampTier = (model: Catalog.OpenRouterModel, tier: Catalog.SizeTier): Catalog.SizeTier => {
  const tiers = tiersOf(model)
  if (tiers === undefined || tiers.includes(tier)) return tiers === undefined ? "1K" : tier
  let best = tiers[0] ?? "1K"
  for (const candidate of tiers) {
    if (Math.abs(tierRank[candidate] - tierRank[tier]) < Math.abs(tierRank[best] - tierRank[tier])) best = candidate
  }
  return best
}

const ratioValue = (ratio: string): [number, number] => ratio.split(":").map(Number) as [number, number]

interface Routed {
  readonly endpoint: { readonly name: string; readonly slug: string }
}

/** Applies `provider.only/ignore/order/allow_fallbacks` to the model's endpoints. */
const route = (provider: unknown): Routed | Answer => {
  if (provider === undefined) return { endpoint: Catalog.openRouterEndpoints[0]! }
  if (!isRecord(provider)) return invalid("provider", "Expected object")
  const lists: Record<string, ReadonlyArray<string>> = {}
  for (const field of ["only", "order", "ignore"]) {
    const value = provider[field]
    if (value === undefined) continue
    if (!Array.isArray(value) || value.some((item) => typeof item !== "string")) {
      return invalid(`provider.${field}`, "Expected array of strings")
    }
    lists[field] = value as Array<string>
  }
  if (provider.allow_fallbacks !== undefined && typeof provider.allow_fallbacks !== "boolean") {
    return invalid("provider.allow_fallbacks", "Expected boolean")
  }
  const sort = provider.sort
  if (sort !== undefined) {
    const by = isRecord(sort) ? sort.by : sort
    if (typeof by !== "string" || !SORTS.includes(by)) {
      return invalid("provider.sort", `Expected ${SORTS.map((s) => `'${s}'`).join(" | ")}`)
    }
  }
  const options = provider.options
  if (options !== undefined) {
    if (!isRecord(options)) return invalid("provider.options", "Expected object")
    for (const [slug, value] of Object.entries(options)) {
      // No passthrough parameters are allowed for the Google endpoints (allowed_passthrough_parameters: []).
      if (isRecord(value) && Object.keys(value).length > 0) {
        return invalid(
          `provider.options.${slug}`,
          `${Object.keys(value).join(", ")} not in allowed_passthrough_parameters of ${slug}`
        )
      }
    }
  }
  const known = (slug: string) => Catalog.openRouterEndpoints.find((e) => e.slug === slug || e.name === slug)
  let candidates = [...Catalog.openRouterEndpoints]
  if (lists.only !== undefined) candidates = candidates.filter((e) => lists.only!.some((s) => known(s) === e))
  if (lists.ignore !== undefined) candidates = candidates.filter((e) => !lists.ignore!.some((s) => known(s) === e))
  if (lists.order !== undefined) {
    const ordered = lists.order.map(known).filter((e) => e !== undefined && candidates.includes(e))
    const rest = provider.allow_fallbacks === false ? [] : candidates.filter((e) => !ordered.includes(e))
    candidates = [...ordered as Array<(typeof candidates)[number]>, ...rest]
  }
  const endpoint = candidates[0]
  if (endpoint === undefined) {
    return error(404, "No allowed providers are available for the selected model.")
  }
  return { endpoint }
}

interface Parsed {
  readonly model: Catalog.OpenRouterModel
  readonly prompt: string
  readonly n: number
  readonly ratio: string
  readonly tier: Catalog.SizeTier
  readonly seed: number | undefined
  readonly mimeType: "image/png" | "image/jpeg" | "image/webp"
  readonly references: ReadonlyArray<Reference>
  readonly stream: boolean
  readonly endpoint: Routed["endpoint"]
}

const integerField = (body: Record<string, unknown>, field: string, min: number, max: number) => {
  const value = body[field]
  if (value === undefined) return undefined
  if (typeof value !== "number") return invalid(field, `Expected number, received ${typeof value}`)
  if (!Number.isInteger(value) || value < min || value > max) {
    return invalid(field, `Expected an integer between ${min} and ${max}`)
  }
  return value
}

const enumField = (body: Record<string, unknown>, field: string, values: ReadonlyArray<string>) => {
  const value = body[field]
  if (value === undefined) return undefined
  if (typeof value !== "string" || !values.includes(value)) {
    return invalid(field, `Invalid enum value. Expected ${values.map((v) => `'${v}'`).join(" | ")}`)
  }
  return value
}

const isAnswer = (value: unknown): value is Answer =>
  isRecord(value) && typeof value.status === "number" && "body" in value

const parse = async (incoming: Incoming, maxBodyBytes: number): Promise<Parsed | Answer> => {
  if (incoming.rawBody.length > maxBodyBytes) return error(413)
  if (incoming.recorded.headers["authorization"] === undefined) return error(401)
  if (!incoming.recorded.credentialOk) return error(401, "User not found.")
  const body = incoming.recorded.body
  if (!isRecord(body)) return invalid("body", "Expected object")
  if (typeof body.model !== "string") return invalid("model", "Required")
  const model = Catalog.openRouterModels.get(body.model)
  if (model === undefined) return error(404, `Model ${body.model} not found`)
  if (typeof body.prompt !== "string" || body.prompt.length === 0) {
    return invalid("prompt", "String must contain at least 1 character(s)")
  }
  const n = integerField(body, "n", 1, 10)
  if (isAnswer(n)) return n
  const seed = integerField(body, "seed", -2147483648, 4294967295)
  if (isAnswer(seed)) return seed
  const compression = integerField(body, "output_compression", 0, 100)
  if (isAnswer(compression)) return compression
  const resolution = enumField(body, "resolution", RESOLUTIONS)
  if (isAnswer(resolution)) return resolution
  const ratio = enumField(body, "aspect_ratio", Catalog.openRouterImageRatios)
  if (isAnswer(ratio)) return ratio
  for (const [field, values] of [["quality", QUALITIES], ["background", BACKGROUNDS]] as const) {
    const checked = enumField(body, field, values)
    if (isAnswer(checked)) return checked
  }
  const format = enumField(body, "output_format", FORMATS)
  if (isAnswer(format)) return format
  if (body.stream !== undefined && typeof body.stream !== "boolean") return invalid("stream", "Expected boolean")
  if (format === "svg") return invalid("output_format", `svg is not supported by ${model.id}`)
  if (body.background === "transparent" && format !== "png" && format !== "webp") {
    return invalid("background", "transparent requires output_format png or webp")
  }
  let tier: Catalog.SizeTier = (resolution as Catalog.SizeTier | undefined) ?? "1K"
  let chosenRatio = ratio
  if (body.size !== undefined) {
    if (typeof body.size !== "string") return invalid("size", "Expected string")
    const pixels = PIXELS.exec(body.size)
    if (pixels !== null) {
      const width = Number(pixels[1])
      const height = Number(pixels[2])
      const nearest = Catalog.nearestRatio(width, height, model.ratios)
      const [rw, rh] = ratioValue(nearest)
      const pixelTier: Catalog.SizeTier = Math.max(width, height) > 3000
        ? "4K"
        : Math.max(width, height) > 1600
        ? "2K"
        : Math.max(width, height) < 800
        ? "512"
        : "1K"
      if (ratio !== undefined || (resolution !== undefined && resolution !== pixelTier)) {
        return invalid("size", "a pixel size is authoritative: a mismatched resolution or aspect_ratio is rejected")
      }
      if (Math.abs(Math.log((width / height) / (rw / rh))) > 0.05) {
        return invalid("size", `${body.size} is not a supported size for ${model.id}`)
      }
      tier = pixelTier
      chosenRatio = nearest
    } else if ((RESOLUTIONS as ReadonlyArray<string>).includes(body.size)) {
      if (resolution !== undefined && resolution !== body.size) {
        return invalid("size", "size and resolution disagree")
      }
      tier = body.size as Catalog.SizeTier
    } else return invalid("size", "Expected a tier (512, 1K, 2K, 4K) or WIDTHxHEIGHT")
  }
  const refs = body.input_references
  const references: Array<Reference> = []
  if (refs !== undefined) {
    if (!Array.isArray(refs)) return invalid("input_references", "Expected array")
    if (refs.length > 16) return invalid("input_references", "Array must contain at most 16 element(s)")
    if (refs.length > model.maxInputImages) {
      return invalid("input_references", `${model.id} accepts at most ${model.maxInputImages} references`)
    }
    for (const [index, ref] of refs.entries()) {
      const url = isRecord(ref) && ref.type === "image_url" && isRecord(ref.image_url) ? ref.image_url.url : undefined
      if (typeof url !== "string") {
        return invalid(`input_references[${index}]`, "Expected {type:\"image_url\", image_url:{url}}")
      }
      if (url.startsWith("data:")) {
        const data = parseDataUrl(url)
        if (data === undefined || data.mimeType === undefined || !ACCEPTED_INPUT_TYPES.includes(data.mimeType)) {
          return invalid(`input_references[${index}]`, "Unsupported image format")
        }
      }
      const reference = await resolveUrl(url)
      if (!(await decodable(reference))) return invalid(`input_references[${index}]`, "Invalid image")
      references.push(reference)
    }
  }
  const routed = route(body.provider)
  if (isAnswer(routed)) return routed
  const first = references[0]?.bytes
  let finalRatio = chosenRatio === undefined || chosenRatio === "auto" ? "1:1" : chosenRatio
  if (chosenRatio === "auto" && first !== undefined) {
    const info = await Images.probe(first)
    if (info !== undefined) finalRatio = Catalog.nearestRatio(info.width, info.height, model.ratios)
  } else if (!model.ratios.includes(finalRatio)) {
    const [w, h] = ratioValue(finalRatio)
    finalRatio = Catalog.nearestRatio(w, h, model.ratios)
  }
  return {
    model,
    prompt: body.prompt,
    n: n ?? 1,
    ratio: finalRatio,
    tier: clampTier(model, tier),
    seed,
    mimeType: format === "png"
      ? "image/png"
      : format === "jpeg"
      ? "image/jpeg"
      : format === "webp"
      ? "image/webp"
      : Catalog.mimeTypeOf(model.family),
    references,
    stream: body.stream === true,
    endpoint: routed.endpoint
  }
}

const round = (n: number) => Math.round(n * 1e8) / 1e8

/**
 * OpenRouter's `cost` and `cost_details` for a token count at a family's prices (chat completions and `/images`).
 *
 * @since 0.2.0
 * @category Constructors
 * @internal
 */
export const costOf = (family: Catalog.Family, promptTokens: number, completionTokens: number) => {
  const prices = Catalog.tokenPrices(family)
  const promptCost = promptTokens * prices.input
  const completionCost = completionTokens * prices.output
  return {
    cost: round(promptCost + completionCost),
    is_byok: false,
    cost_details: {
      upstream_inference_cost: null,
      upstream_inference_prompt_cost: round(promptCost),
      upstream_inference_completions_cost: round(completionCost)
    }
  }
}

const usageOf = (parsed: Parsed, images: number) => {
  const promptTokens = textTokens(parsed.prompt) + parsed.references.length * 258
  const imageTokens = images * Catalog.imageTokens(parsed.model.family, parsed.tier)
  return {
    prompt_tokens: promptTokens,
    completion_tokens: imageTokens,
    total_tokens: promptTokens + imageTokens,
    ...costOf(parsed.model.family, promptTokens, imageTokens),
    completion_tokens_details: { image_tokens: imageTokens, reasoning_tokens: 0 }
  }
}

const sse = (value: unknown): StreamChunk => ({ data: Buffer.from(`data: ${JSON.stringify(value)}\n\n`) })

const generate = async (parsed: Parsed, fault: Extract<Fault, { kind: "ok" }>): Promise<Answer> => {
  const images = await renderVariants({
    count: parsed.n,
    family: parsed.model.family,
    ratio: parsed.ratio,
    tier: parsed.tier,
    mimeType: parsed.mimeType,
    prompt: parsed.prompt,
    seed: parsed.seed,
    references: parsed.references
  })
  const created = Math.floor(Date.now() / 1000)
  const usage = usageOf(parsed, images.length)
  const data = images.map((image) => ({ b64_json: image.bytes.toString("base64"), media_type: image.mimeType }))
  if (parsed.stream && fault.imagesSse === true) {
    const preview = await Images.render({
      width: Math.max(16, Math.round(images[0]!.width / 8)),
      height: Math.max(16, Math.round(images[0]!.height / 8)),
      mimeType: parsed.mimeType,
      prompt: parsed.prompt,
      seed: parsed.seed,
      salt: "partial"
    })
    return {
      status: 200,
      headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
      body: [
        sse({
          type: "image_generation.partial_image",
          partial_image_index: 0,
          b64_json: preview.bytes.toString("base64")
        }),
        ...data.map((item, index) =>
          sse({
            type: "image_generation.completed",
            ...item,
            created,
            ...(index === data.length - 1 ? { usage } : {})
          })
        ),
        { data: Buffer.from("data: [DONE]\n\n") }
      ]
    }
  }
  return json(200, { created, data, usage })
}

/**
 * The answer of `POST /images` for an answer fault (validation included). A refusal or a text-only answer is a
 * failed generation: `502 Provider returned error`, not billed; `refusal` with `form: "empty"` is `data: []`.
 *
 * @since 0.2.0
 * @category Constructors
 * @internal
 */
export const answer = async (incoming: Incoming, fault: AnswerFault, maxBodyBytes: number): Promise<Answer> => {
  const { method, path } = incoming.recorded
  if (method === "GET") return discovery(path)
  const parsed = await parse(incoming, maxBodyBytes)
  if (!("model" in parsed)) return parsed
  switch (fault.kind) {
    case "ok":
      return generate(parsed, fault)
    case "cdn404":
      return generate(parsed, { kind: "ok" })
    case "textOnly":
      return error(502, undefined, { provider_name: parsed.endpoint.name, raw: fault.text ?? "no image returned" })
    case "refusal":
      if (fault.form === "empty") {
        // No image, nothing billed.
        const { prompt_tokens } = usageOf(parsed, 0)
        return json(200, {
          created: Math.floor(Date.now() / 1000),
          data: [],
          usage: { prompt_tokens, completion_tokens: 0, total_tokens: prompt_tokens, cost: 0, is_byok: false }
        })
      }
      return error(502, undefined, { provider_name: parsed.endpoint.name, raw: fault.reason ?? "IMAGE_SAFETY" })
  }
}

/**
 * A scripted status on an Image API path: the spec's envelope and messages, `Retry-After` when given.
 *
 * @since 0.2.0
 * @category Constructors
 * @internal
 */
export const scriptedError = (fault: Extract<Fault, { kind: "status" }>): Answer => {
  const headers: Record<string, string> = { ...fault.headers }
  if (fault.retryAfter !== undefined) headers["retry-after"] = String(fault.retryAfter)
  return error(fault.status, fault.message, fault.openrouter?.metadata, headers)
}

/**
 * `http200Error` on an Image API path: HTTP 200 with a top-level `error`, or the SSE `error` event when the
 * request streams.
 *
 * @since 0.2.0
 * @category Constructors
 * @internal
 */
export const http200Error = (incoming: Incoming, fault: Extract<Fault, { kind: "http200Error" }>): Answer => {
  const body = incoming.recorded.body
  const message = fault.message ?? "The upstream provider returned an error"
  if (isRecord(body) && body.stream === true) {
    return {
      status: 200,
      headers: { "content-type": "text/event-stream", "cache-control": "no-cache" },
      body: [sse({ type: "error", error: { code: "upstream_error", message, param: null, type: "provider_error" } })]
    }
  }
  return json(200, { error: { code: fault.code ?? 502, message } })
}

const parametersOf = (model: Catalog.OpenRouterModel) => {
  const tiers = tiersOf(model)
  return {
    ...(tiers === undefined ? {} : { resolution: { type: "enum", values: tiers } }),
    aspect_ratio: { type: "enum", values: model.ratios },
    n: { type: "range", min: 1, max: 10 },
    seed: { type: "boolean" },
    input_references: { type: "range", min: 0, max: model.maxInputImages },
    output_format: { type: "enum", values: ["png", "jpeg", "webp"] }
  }
}

const pricingOf = (model: Catalog.OpenRouterModel) => {
  const prices = Catalog.tokenPrices(model.family)
  const perImage = (tier: Catalog.SizeTier) => round(Catalog.imageTokens(model.family, tier) * prices.output)
  return [
    ...(tiersOf(model) ?? ["1K" as const]).map((tier) => ({
      billable: "output_image",
      unit: "image",
      cost_usd: perImage(tier),
      ...(tier === "1K" ? {} : { variant: tier.toLowerCase() })
    })),
    { billable: "input_text", unit: "token", cost_usd: prices.input }
  ]
}

const names: Readonly<Record<Catalog.Family, string>> = {
  "2.5-flash": "Google: Gemini 2.5 Flash Image (Nano Banana)",
  "3-pro": "Google: Nano Banana Pro (Gemini 3 Pro Image)",
  "3.1-flash": "Google: Nano Banana 2 (Gemini 3.1 Flash Image)",
  "3.1-flash-lite": "Google: Nano Banana 2 Lite (Gemini 3.1 Flash Lite Image)",
  "2.1": "Google: Nano Banana 2.1"
}

const discovery = (path: string): Answer => {
  if (path === MODELS) {
    return json(200, {
      data: [...Catalog.openRouterModels.values()].map((model) => ({
        id: model.id,
        name: names[model.family],
        description: `${names[model.family]} image generation and editing.`,
        created: 1_748_372_400,
        architecture: { input_modalities: ["text", "image"], output_modalities: ["image", "text"] },
        supported_parameters: parametersOf(model),
        supports_streaming: false,
        endpoints: `${MODELS}/${model.id}/endpoints`
      }))
    })
  }
  const match = ENDPOINTS.exec(path)!
  const model = Catalog.openRouterModels.get(`${decodeURIComponent(match[1]!)}/${decodeURIComponent(match[2]!)}`)
  if (model === undefined) return error(404)
  return json(200, {
    id: model.id,
    endpoints: Catalog.openRouterEndpoints.map((endpoint) => ({
      provider_name: endpoint.name,
      provider_slug: endpoint.slug,
      provider_tag: endpoint.slug,
      supported_parameters: parametersOf(model),
      allowed_passthrough_parameters: [],
      supports_streaming: false,
      pricing: pricingOf(model)
    }))
  })
}
