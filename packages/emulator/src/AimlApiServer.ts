/**
 * The AI/ML API protocol (PROVIDERS.md §2): `POST /v1/images/generations` with its three answer shapes, and the CDN
 * the answers point to, served by the same server under `/cdn/`.
 *
 * @since 0.1.0
 */
import { randomUUID } from "node:crypto"
import * as Catalog from "./Catalog.js"
import * as Images from "./Images.js"
import type { Reference } from "./internal/references.js"
import { decodable, isRecord, randomId, renderVariants, resolveUrl, textTokens } from "./internal/references.js"
import type { Answer, AnswerFault, Incoming, Protocol } from "./internal/server.js"
import { json } from "./internal/server.js"

const PATH = "/v1/images/generations"
const CDN_PREFIX = "/cdn/"

const defaultMessages: Readonly<Record<number, string>> = {
  400: "Body validation error!",
  401: "This request requires a valid API key. Please provide it in the Authorization header as a Bearer token.",
  403: "You've run out of credits. Please top up your balance to continue.",
  404: "Not Found",
  429: "Too Many Requests",
  500: "Something wrong with the server. Please, try again later.",
  502: "Bad Gateway",
  503: "Service unavailable",
  504: "Generation timeout"
}

const errorBody = (incoming: Incoming, status: number, message: string) => ({
  message,
  path: incoming.recorded.path,
  requestId: randomUUID(),
  statusCode: status,
  timestamp: new Date().toISOString()
})

const validation = (incoming: Incoming, field: string, detail: string): Answer =>
  json(400, errorBody(incoming, 400, `Body validation error! [${field}]: ${detail}`))

const enumDetail = (values: ReadonlyArray<string>, received: unknown) =>
  `Invalid enum value. Expected ${values.map((v) => `'${v}'`).join(" | ")}, received '${String(received)}'`

interface StoredImage {
  readonly bytes: Buffer
  readonly mimeType: string
  missing: boolean
}

/**
 * The images the CDN serves, newest last (at most `capacity`).
 *
 * @since 0.1.0
 * @category Models
 * @internal
 */
export class CdnStore {
  private readonly images = new Map<string, StoredImage>()
  constructor(readonly capacity: number = 256) {}

  add(name: string, bytes: Buffer, mimeType: string, missing: boolean): void {
    this.images.set(name, { bytes, mimeType, missing })
    while (this.images.size > this.capacity) {
      const oldest = this.images.keys().next().value
      if (oldest === undefined) break
      this.images.delete(oldest)
    }
  }

  get(name: string): StoredImage | undefined {
    return this.images.get(name)
  }

  clear(): void {
    this.images.clear()
  }
}

interface Parsed {
  readonly model: Catalog.AimlModel
  readonly prompt: string
  readonly references: ReadonlyArray<Reference>
  readonly ratio: string
  readonly tier: Catalog.SizeTier
  readonly count: number
  readonly seed: number | undefined
}

/** Every optional field some model's spec declares (besides resolution, image_urls, num_images). */
const specFields = [...new Set([...Catalog.aimlModels.values()].flatMap((model) => model.extras))]

const parse = async (incoming: Incoming, store: CdnStore): Promise<Parsed | Answer> => {
  if (!incoming.recorded.credentialOk) return json(401, errorBody(incoming, 401, defaultMessages[401]!))
  const body = incoming.recorded.body
  if (!isRecord(body)) return validation(incoming, "body", "Expected object, received " + typeof body)
  const models = [...Catalog.aimlModels.keys()]
  if (typeof body.model !== "string") return validation(incoming, "model", "Required")
  const model = Catalog.aimlModels.get(body.model)
  if (model === undefined) return validation(incoming, "model", enumDetail(models, body.model))
  if (typeof body.prompt !== "string" || body.prompt.length === 0) return validation(incoming, "prompt", "Required")
  // A field of another model's spec that this model's spec lacks is refused; other unknown keys are ignored.
  for (
    const [field, present] of [
      ["resolution", model.resolutions !== undefined],
      ["image_urls", model.imageUrls !== undefined],
      ["num_images", model.numImages],
      ...specFields.map((extra) => [extra, model.extras.includes(extra)] as const)
    ] as const
  ) {
    if (!present && body[field] !== undefined) {
      return validation(incoming, field, `Unrecognized key(s) in object: '${field}'`)
    }
  }
  if (
    body.aspect_ratio !== undefined &&
    (typeof body.aspect_ratio !== "string" || !model.ratios.includes(body.aspect_ratio))
  ) {
    return validation(incoming, "aspect_ratio", enumDetail(model.ratios, body.aspect_ratio))
  }
  if (body.resolution !== undefined && model.resolutions !== undefined) {
    if (typeof body.resolution !== "string" || !model.resolutions.includes(body.resolution as Catalog.SizeTier)) {
      return validation(incoming, "resolution", enumDetail(model.resolutions, body.resolution))
    }
  }
  if (body.provider !== undefined) {
    if (typeof body.provider !== "string" || !Catalog.aimlProviders.includes(body.provider.toLowerCase())) {
      return validation(incoming, "provider", enumDetail(Catalog.aimlProviders, body.provider))
    }
  }
  let count = 1
  if (body.num_images !== undefined) {
    if (
      typeof body.num_images !== "number" || !Number.isInteger(body.num_images) || body.num_images < 1 ||
      body.num_images > 4
    ) {
      return validation(incoming, "num_images", "Number must be an integer between 1 and 4")
    }
    count = body.num_images
  }
  let seed: number | undefined = undefined
  if (body.seed !== undefined && model.extras.includes("seed")) {
    if (typeof body.seed !== "number" || !Number.isInteger(body.seed) || body.seed < 0 || body.seed > 4294967295) {
      return validation(incoming, "seed", "Number must be an integer between 0 and 4294967295")
    }
    seed = body.seed
  }
  const urls: Array<string> = []
  if (model.imageUrls !== undefined) {
    if (body.image_urls === undefined) {
      if (model.imageUrls.required) return validation(incoming, "image_urls", "Required")
    } else {
      if (!Array.isArray(body.image_urls) || body.image_urls.some((url) => typeof url !== "string")) {
        return validation(incoming, "image_urls", "Expected array of strings")
      }
      if (body.image_urls.length > model.imageUrls.max) {
        return validation(incoming, "image_urls", `Array must contain at most ${model.imageUrls.max} element(s)`)
      }
      if (model.imageUrls.required && body.image_urls.length === 0) {
        return validation(incoming, "image_urls", "Array must contain at least 1 element(s)")
      }
      urls.push(...(body.image_urls as Array<string>))
    }
  }
  const references: Array<Reference> = []
  for (const url of urls) {
    const reference = await resolveUrl(url, (parsed) => {
      if (parsed.origin !== incoming.origin || !parsed.pathname.startsWith(CDN_PREFIX)) return undefined
      const stored = store.get(parsed.pathname.slice(CDN_PREFIX.length))
      return stored === undefined || stored.missing ? undefined : stored.bytes
    })
    if (!(await decodable(reference))) {
      return validation(incoming, "image_urls", "Unable to process input image: the file is not a valid image")
    }
    references.push(reference)
  }
  let ratio = typeof body.aspect_ratio === "string" ? body.aspect_ratio : model.defaultRatio
  const firstBytes = references[0]?.bytes
  if (body.aspect_ratio === undefined && model.ratioFromReference && firstBytes !== undefined) {
    const info = await Images.probe(firstBytes)
    if (info !== undefined) ratio = Catalog.nearestRatio(info.width, info.height, model.ratios)
  }
  return {
    model,
    prompt: body.prompt,
    references,
    ratio,
    // Lite: Google serves 1K only, a 2K/4K request is answered (and billed) at 1K.
    tier: typeof body.resolution === "string" && model.only1K !== true ? body.resolution as Catalog.SizeTier : "1K",
    count,
    seed
  }
}

const extension = (mimeType: string) => mimeType === "image/jpeg" ? "jpeg" : "png"

const cost = (parsed: Parsed) => {
  const prices = Catalog.tokenPrices(parsed.model.family)
  const usd = parsed.count * Catalog.imageTokens(parsed.model.family, parsed.tier) * prices.output +
    (textTokens(parsed.prompt) + parsed.references.length * 258) * prices.input
  return { usd: Math.round(usd * 1e6) / 1e6, credits: Math.round(usd * 2_100_000) }
}

const success = async (
  incoming: Incoming,
  store: CdnStore,
  parsed: Parsed,
  form: "data-url" | "data-b64" | "images" | undefined,
  missing: boolean
): Promise<Answer> => {
  const mimeType = parsed.model.mimeType
  const images = await renderVariants({
    count: parsed.count,
    family: parsed.model.family,
    ratio: parsed.ratio,
    tier: parsed.tier,
    mimeType,
    prompt: parsed.prompt,
    seed: parsed.seed,
    references: parsed.references
  })
  const chosen = form ?? (parsed.model.form === 3 ? "images" : "data-url")

  const files = images.map((image) => {
    const name = `${Date.now()}-${randomId(16)}.${extension(mimeType)}`
    if (chosen !== "data-b64") store.add(name, image.bytes, mimeType, missing)
    return { name, url: `${incoming.origin}${CDN_PREFIX}${name}`, image }
  })
  const { credits, usd } = cost(parsed)
  const extra = parsed.model.newSpec ? { model: parsed.model.id } : {}
  const usdSpent = parsed.model.newSpec ? { usd_spent: usd } : {}
  if (form === undefined && parsed.model.form === 4) {
    return json(200, {
      data: files.map((file) => ({ url: file.url, b64_json: null })),
      meta: { usage: { credits_used: credits, usd_spent: usd } },
      model: parsed.model.id
    })
  }
  if (chosen === "images") {
    return json(200, {
      images: files.map((file) => ({
        url: file.url,
        content_type: mimeType,
        file_name: `output.${extension(mimeType)}`,
        file_size: null
      })),
      description: "Here is the image you asked for.",
      ...extra
    })
  }
  if (chosen === "data-b64") {
    return json(200, {
      data: files.map((file) => ({ mime_type: mimeType, b64_json: file.image.bytes.toString("base64"), url: null })),
      meta: { usage: { credits_used: credits, ...usdSpent } },
      ...extra
    })
  }
  if (parsed.model.form === 2) {
    return json(200, {
      description: "",
      data: files.map((file) => ({
        url: file.url,
        content_type: mimeType,
        width: null,
        height: null,
        file_name: file.name
      })),
      meta: { usage: { tokens_used: credits, ...usdSpent } },
      ...extra
    })
  }
  return json(200, {
    data: files.map((file) => ({ mime_type: mimeType, b64_json: null, url: file.url })),
    meta: { usage: { credits_used: credits, ...usdSpent } },
    ...extra
  })
}

const noImage = (parsed: Parsed, description: string | undefined): Answer => {
  if (description === undefined) {
    return json(200, {
      data: [],
      meta: { usage: { credits_used: 0, ...(parsed.model.newSpec ? { usd_spent: 0 } : {}) } },
      ...(parsed.model.newSpec ? { model: parsed.model.id } : {})
    })
  }
  if (parsed.model.form === 3) return json(200, { images: [], description })
  if (parsed.model.form === 4) {
    return json(200, { data: [], meta: { usage: { credits_used: 0, usd_spent: 0 } }, model: parsed.model.id })
  }
  return json(200, { description, data: [], meta: { usage: { credits_used: 0 } } })
}

/**
 * The AI/ML API protocol for the emulator's HTTP runtime.
 *
 * @since 0.1.0
 * @category Constructors
 * @internal
 */
export const protocol = (store: CdnStore): Protocol => ({
  name: "aimlapi",
  credential: (request) => {
    const header = request.headers["authorization"]
    return typeof header === "string" && header.startsWith("Bearer ") ? header.slice(7) : undefined
  },
  isApiCall: (method, path) => method === "POST" && path === PATH,
  other: async (incoming) => {
    const { method, path } = incoming.recorded
    if ((method === "GET" || method === "HEAD") && path.startsWith(CDN_PREFIX)) {
      const stored = store.get(path.slice(CDN_PREFIX.length))
      if (stored === undefined || stored.missing) {
        return {
          status: 404,
          headers: { "content-type": "application/xml" },
          body: Buffer.from(
            "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<Error><Code>NoSuchKey</Code>" +
              "<Message>The specified key does not exist.</Message></Error>"
          )
        }
      }
      return {
        status: 200,
        headers: { "content-type": stored.mimeType, "cache-control": "public, max-age=31536000" },
        body: method === "HEAD" ? Buffer.alloc(0) : stored.bytes
      }
    }
    return json(404, errorBody(incoming, 404, `Cannot ${method} ${path}`))
  },
  answer: async (incoming, fault: AnswerFault) => {
    const parsed = await parse(incoming, store)
    if (!("model" in parsed)) return parsed
    switch (fault.kind) {
      case "ok":
        return success(incoming, store, parsed, fault.aimlForm, false)
      case "cdn404":
        return success(incoming, store, parsed, undefined, true)
      case "textOnly":
        return noImage(parsed, fault.text ?? "I can describe this scene, but I did not generate an image.")
      case "refusal":
        return noImage(
          parsed,
          fault.form === "description"
            ? fault.reason ?? "I'm unable to create this image because it may violate the content policy."
            : undefined
        )
    }
  },
  error: (incoming, fault) => {
    const headers: Record<string, string> = { ...fault.headers }
    if (fault.retryAfter !== undefined) headers["retry-after"] = String(fault.retryAfter)
    return json(
      fault.status,
      errorBody(incoming, fault.status, fault.message ?? defaultMessages[fault.status] ?? "Error"),
      headers
    )
  },
  http200Error: (incoming, fault) => {
    const code = fault.code ?? 500
    return json(200, errorBody(incoming, code, fault.message ?? defaultMessages[code] ?? "Error"))
  }
})
