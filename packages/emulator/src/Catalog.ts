/**
 * The emulator's own tables of what each wire API accepts (models, aspect ratios, sizes, reference-image limits)
 * and what it answers with (pixel sizes, MIME types, token counts), written from PROVIDERS.md §1.3, §2.2–2.3, §3.1,
 * §3.3 and §4. Deliberately independent of `@nanogen/core`'s catalog: a wrong catalog entry in core must show up as
 * a failing test, not be echoed back by the emulator.
 *
 * @since 0.1.0
 */

/**
 * The Nano Banana model generations: 2.5 Flash, 3 Pro, 3.1 Flash ("Nano Banana 2"), 3.1 Flash Lite ("Nano Banana 2
 * Lite") and Nano Banana 2.1.
 *
 * @since 0.1.0
 * @category Models
 */
export type Family = "2.5-flash" | "3-pro" | "3.1-flash" | "3.1-flash-lite" | "2.1"

/**
 * Size tiers in Google's own spelling (`"512"` is the 0.5K tier).
 *
 * @since 0.1.0
 * @category Models
 */
export type SizeTier = "512" | "1K" | "2K" | "4K"

/**
 * The ten aspect ratios every Gemini image model accepts (§1.3, §3.3).
 *
 * @since 0.1.0
 * @category Models
 */
export const baseRatios: ReadonlyArray<string> = [
  "1:1",
  "2:3",
  "3:2",
  "3:4",
  "4:3",
  "4:5",
  "5:4",
  "9:16",
  "16:9",
  "21:9"
]

/**
 * The fourteen aspect ratios of Gemini 3.1 Flash Image (§3.3).
 *
 * @since 0.1.0
 * @category Models
 */
export const extendedRatios: ReadonlyArray<string> = [...baseRatios, "1:4", "4:1", "1:8", "8:1"]

/**
 * The five aspect ratios of the AI/ML NB2 and new edit specs (§2.3).
 *
 * @since 0.1.0
 * @category Models
 */
export const fiveRatios: ReadonlyArray<string> = ["1:1", "9:16", "16:9", "3:4", "4:3"]

/**
 * 1K pixel sizes per aspect ratio (§1.3). `1:8` is the live Lite answer (352×2928); `1:4`, `4:1`, `8:1` and Vertex's
 * `9:21` are not documented, the emulator uses about one megapixel with sides that are multiples of 16.
 *
 * @since 0.1.0
 * @category Models
 */
export const pixelSizes1K: Readonly<Record<string, readonly [width: number, height: number]>> = {
  "1:1": [1024, 1024],
  "2:3": [832, 1248],
  "3:2": [1248, 832],
  "3:4": [864, 1184],
  "4:3": [1184, 864],
  "4:5": [896, 1152],
  "5:4": [1152, 896],
  "9:16": [768, 1344],
  "16:9": [1344, 768],
  "21:9": [1536, 672],
  "1:4": [512, 2048],
  "4:1": [2048, 512],
  "1:8": [352, 2928],
  "8:1": [2928, 352],
  "9:21": [672, 1568]
}

const tierScale: Readonly<Record<SizeTier, number>> = { "512": 0.5, "1K": 1, "2K": 2, "4K": 4 }

/**
 * Pixel dimensions of an answer: the 1K table scaled ×0.5 / ×2 / ×4. Gemini 2.5 Flash Image always answers at 1K.
 *
 * @example
 * ```ts
 * import { Catalog } from "@nanogen/emulator"
 * Catalog.pixelSize("3-pro", "16:9", "4K") // { width: 5376, height: 3072 }
 * ```
 *
 * @since 0.1.0
 * @category Models
 */
export const pixelSize = (family: Family, ratio: string, tier: SizeTier): { width: number; height: number } => {
  const base = pixelSizes1K[ratio] ?? pixelSizes1K["1:1"]!
  const scale = family === "2.5-flash" ? 1 : tierScale[tier]
  return { width: Math.round(base[0] * scale), height: Math.round(base[1] * scale) }
}

/**
 * The MIME type each generation emits natively: PNG for 2.5 Flash, JPEG for every Gemini 3 model (the live
 * recordings of 3.1 Flash, 3 Pro and Lite are JPEG; 2.1 is assumed to follow 3.1 Flash).
 *
 * @since 0.1.0
 * @category Models
 */
export const mimeTypeOf = (family: Family): "image/png" | "image/jpeg" =>
  family === "2.5-flash" ? "image/png" : "image/jpeg"

/**
 * Output IMAGE token count per image (§3.4): 1290 for 2.5 Flash, 1120 for Gemini 3 at 1K/2K, 2000 at 4K. The 512
 * tier is not documented; the emulator reports 747.
 *
 * @since 0.1.0
 * @category Models
 */
export const imageTokens = (family: Family, tier: SizeTier): number =>
  family === "2.5-flash" ? 1290 : tier === "4K" ? 2000 : tier === "512" ? 747 : 1120

/**
 * USD per token (input, output), used for OpenRouter's `usage.cost` and AI/ML's `usd_spent`. With these, a 2.5
 * image costs about $0.039, a 3 Pro image $0.134 (1K/2K) or $0.24 (4K).
 *
 * @since 0.1.0
 * @category Models
 */
export const tokenPrices = (family: Family): { readonly input: number; readonly output: number } =>
  family === "2.5-flash"
    ? { input: 0.3e-6, output: 30e-6 }
    : family === "3-pro"
    ? { input: 2e-6, output: 120e-6 }
    : family === "3.1-flash-lite"
    ? { input: 0.25e-6, output: 30e-6 }
    : family === "2.1"
    ? { input: 1.5e-6, output: 30e-6 }
    : { input: 0.5e-6, output: 60e-6 }

/**
 * Whether a generation is a thinking model (Gemini 3): thought text and interim thought images.
 *
 * @since 0.1.0
 * @category Models
 */
export const thinks = (family: Family): boolean => family !== "2.5-flash"

/**
 * What the Gemini API accepts for one model (§3.1, §3.3).
 *
 * @since 0.1.0
 * @category Models
 */
export interface GeminiModel {
  readonly id: string
  readonly family: Family
  readonly ratios: ReadonlyArray<string>
  /** `undefined`: `imageSize` is not supported and ignored (2.5 Flash Image answers at about 1K). */
  readonly sizes: ReadonlyArray<SizeTier> | undefined
  readonly maxInputImages: number
}

const gemini25: Omit<GeminiModel, "id"> = {
  family: "2.5-flash",
  ratios: baseRatios,
  sizes: undefined,
  maxInputImages: 3
}
const gemini3Pro: Omit<GeminiModel, "id"> = {
  family: "3-pro",
  ratios: baseRatios,
  sizes: ["1K", "2K", "4K"],
  maxInputImages: 14
}
const gemini31Flash: Omit<GeminiModel, "id"> = {
  family: "3.1-flash",
  ratios: extendedRatios,
  sizes: ["512", "1K", "2K", "4K"],
  maxInputImages: 14
}
const gemini31Lite: Omit<GeminiModel, "id"> = {
  family: "3.1-flash-lite",
  ratios: extendedRatios,
  sizes: ["1K"],
  maxInputImages: 14
}
const gemini21: Omit<GeminiModel, "id"> = {
  family: "2.1",
  ratios: extendedRatios,
  sizes: ["1K", "2K", "4K"],
  maxInputImages: 14
}

/**
 * Gemini API model ids being served (December 2026). `gemini-2.5-flash-image-preview` is retired and therefore
 * unknown; the shut-down previews are in `geminiShutDown`.
 *
 * @since 0.1.0
 * @category Models
 */
export const geminiModels: ReadonlyMap<string, GeminiModel> = new Map(
  ([
    ["gemini-2.5-flash-image", gemini25],
    ["gemini-3-pro-image", gemini3Pro],
    ["gemini-3.1-flash-image", gemini31Flash],
    ["gemini-3.1-flash-lite-image", gemini31Lite],
    ["gemini-nano-banana-2.1", gemini21]
  ] as const).map(([id, m]) => [id, { id, ...m }])
)

/**
 * Gemini API preview ids that were shut down on 2026-06-25: they answer `404 NOT_FOUND` like an unknown model.
 *
 * @example
 * ```ts
 * import { Catalog } from "@nanogen/emulator"
 * Catalog.geminiShutDown.has("gemini-3-pro-image-preview") // true
 * ```
 *
 * @since 0.2.0
 * @category Models
 */
export const geminiShutDown: ReadonlyMap<string, GeminiModel> = new Map(
  ([
    ["gemini-3-pro-image-preview", gemini3Pro],
    ["gemini-3.1-flash-image-preview", gemini31Flash]
  ] as const).map(([id, m]) => [id, { id, ...m }])
)

/**
 * What Vertex AI serves for one model: the Gemini API table, Vertex's extra `9:21` for 3.1 Flash, and the
 * locations of the model cards (`global` only for every 3.x model but 3 Pro; 2.1 has no card and is assumed
 * `global` only).
 *
 * @example
 * ```ts
 * import { Catalog } from "@nanogen/emulator"
 * const model: Catalog.VertexModel | undefined = Catalog.vertexModels.get("gemini-3-pro-image")
 * ```
 *
 * @since 0.2.0
 * @category Models
 */
export interface VertexModel extends GeminiModel {
  readonly locations: ReadonlyArray<string>
}

const vertex25Locations = [
  "global",
  "us-central1",
  "us-east1",
  "us-east4",
  "us-east5",
  "us-south1",
  "us-west1",
  "us-west4",
  "europe-central2",
  "europe-north1",
  "europe-southwest1",
  "europe-west1",
  "europe-west4",
  "europe-west8",
  "us",
  "eu"
]

/**
 * Vertex AI publisher model ids (`publishers/google/models/{id}`) and where each is served. The 3.1 Flash preview
 * was discontinued on 2026-07-17 and is unknown; the 3 Pro preview is still listed, `global` only.
 *
 * @example
 * ```ts
 * import { Catalog } from "@nanogen/emulator"
 * Catalog.vertexModels.get("gemini-3.1-flash-image")?.locations // ["global"]
 * ```
 *
 * @since 0.2.0
 * @category Models
 */
export const vertexModels: ReadonlyMap<string, VertexModel> = new Map(
  ([
    ["gemini-2.5-flash-image", gemini25, vertex25Locations],
    ["gemini-3-pro-image", gemini3Pro, ["global", "us-central1", "us-east1", "us-east4", "us-west1", "europe-west4"]],
    ["gemini-3-pro-image-preview", gemini3Pro, ["global"]],
    ["gemini-3.1-flash-image", { ...gemini31Flash, ratios: [...extendedRatios, "9:21"] }, ["global"]],
    ["gemini-3.1-flash-lite-image", gemini31Lite, ["global"]],
    ["gemini-nano-banana-2.1", gemini21, ["global"]]
  ] as const).map(([id, m, locations]) => [id, { id, ...m, locations }])
)

/**
 * Every Vertex location the emulator knows. A path with any other location answers Google's front-end HTML 404
 * (not JSON), as the live service does for an invalid location.
 *
 * @example
 * ```ts
 * import { Catalog } from "@nanogen/emulator"
 * Catalog.vertexLocations.includes("europe-west4") // true
 * ```
 *
 * @since 0.2.0
 * @category Models
 */
export const vertexLocations: ReadonlyArray<string> = [
  ...vertex25Locations,
  "us-west2",
  "us-west3",
  "northamerica-northeast1",
  "southamerica-east1",
  "europe-west2",
  "europe-west3",
  "europe-west6",
  "europe-west9",
  "asia-east1",
  "asia-northeast1",
  "asia-northeast3",
  "asia-south1",
  "asia-southeast1",
  "australia-southeast1",
  "me-central1"
]

/**
 * The valid values of `imageConfig.imageSize` on the Gemini API (uppercase `K` required).
 *
 * @since 0.1.0
 * @category Models
 */
export const geminiSizeValues: ReadonlyArray<SizeTier> = ["512", "1K", "2K", "4K"]

/**
 * Vertex-only top-level request fields that the Gemini API rejects with 400 "Unknown name" (§8.3).
 *
 * @example
 * ```ts
 * import { Catalog } from "@nanogen/emulator"
 * Catalog.vertexOnlyTopLevelFields.includes("labels") // true
 * ```
 *
 * @since 0.2.0
 * @category Models
 */
export const vertexOnlyTopLevelFields: ReadonlyArray<string> = ["labels", "modelArmorConfig", "modelSelectionConfig"]

/**
 * Vertex-only `imageConfig` fields that the Gemini API rejects with 400 "Unknown name" (§3.2).
 *
 * @since 0.1.0
 * @category Models
 */
export const vertexOnlyImageConfigFields: ReadonlyArray<string> = [
  "personGeneration",
  "outputMimeType",
  "outputCompressionQuality",
  "imageOutputOptions",
  "prominentPeople"
]

/**
 * What OpenRouter's chat completions accept for one model slug (§1.1, §1.3).
 *
 * @since 0.1.0
 * @category Models
 */
export interface OpenRouterModel {
  readonly id: string
  readonly family: Family
  readonly ratios: ReadonlyArray<string>
  /** OpenRouter spelling: `0.5K`, `1K`, `2K`, `4K`. */
  readonly sizes: ReadonlyArray<string>
  readonly maxInputImages: number
}

const openRouterSizes: Readonly<Record<Family, ReadonlyArray<string>>> = {
  "2.5-flash": ["1K", "2K", "4K"],
  "3-pro": ["1K", "2K", "4K"],
  "3.1-flash": ["0.5K", "1K", "2K", "4K"],
  "3.1-flash-lite": ["1K"],
  "2.1": ["1K", "2K", "4K"]
}

/**
 * OpenRouter model slugs: the GA slugs (with their dated canonical slugs), the `-preview` slugs OpenRouter still
 * listed in August 2026. Nano Banana 2.1 has no documented slug; the emulator serves `google/gemini-nano-banana-2.1`.
 *
 * @since 0.1.0
 * @category Models
 */
export const openRouterModels: ReadonlyMap<string, OpenRouterModel> = new Map(
  ([
    ["google/gemini-2.5-flash-image", "2.5-flash"],
    ["google/gemini-3-pro-image-preview", "3-pro"],
    ["google/gemini-3-pro-image", "3-pro"],
    ["google/gemini-3-pro-image-20260528", "3-pro"],
    ["google/gemini-3.1-flash-image-preview", "3.1-flash"],
    ["google/gemini-3.1-flash-image", "3.1-flash"],
    ["google/gemini-3.1-flash-image-20260528", "3.1-flash"],
    ["google/gemini-3.1-flash-lite-image", "3.1-flash-lite"],
    ["google/gemini-3.1-flash-lite-image-20260630", "3.1-flash-lite"],
    ["google/gemini-nano-banana-2.1", "2.1"]
  ] as const).map(([id, family]) => [id, {
    id,
    family,
    ratios: family === "2.5-flash" || family === "3-pro" ? baseRatios : extendedRatios,
    sizes: openRouterSizes[family],
    maxInputImages: family === "2.5-flash" ? 3 : 14
  }])
)

/**
 * The `aspect_ratio` values of OpenRouter's Image API (`POST /images`, §6.1); providers clamp to their subset.
 *
 * @example
 * ```ts
 * import { Catalog } from "@nanogen/emulator"
 * Catalog.openRouterImageRatios.includes("auto") // true
 * ```
 *
 * @since 0.2.0
 * @category Models
 */
export const openRouterImageRatios: ReadonlyArray<string> = [
  "1:1",
  "1:2",
  "1:4",
  "1:8",
  "2:1",
  "2:3",
  "3:2",
  "3:4",
  "4:1",
  "4:3",
  "4:5",
  "5:4",
  "8:1",
  "9:16",
  "16:9",
  "9:19.5",
  "19.5:9",
  "9:20",
  "20:9",
  "9:21",
  "21:9",
  "auto"
]

/**
 * The endpoints (upstream providers) OpenRouter routes the Gemini image models to, by `provider_slug`.
 *
 * @example
 * ```ts
 * import { Catalog } from "@nanogen/emulator"
 * Catalog.openRouterEndpoints.map((e) => e.slug) // ["google-ai-studio", "google-vertex"]
 * ```
 *
 * @since 0.2.0
 * @category Models
 */
export const openRouterEndpoints: ReadonlyArray<{ readonly name: string; readonly slug: string }> = [
  { name: "Google AI Studio", slug: "google-ai-studio" },
  { name: "Google Vertex", slug: "google-vertex" }
]

/**
 * The three AI/ML API answer shapes (§2.4): 1 = NB2 `data[{mime_type,b64_json,url}]` + `credits_used`,
 * 2 = Pro `description` + `data[{url,content_type,width,height,file_name}]` + `tokens_used`,
 * 3 = 2.5 `images[{url,content_type,file_name,file_size}]` + `description`, 4 = the newer schemas (§7.4: Lite,
 * Pro edit, 2.5 edit, 2.1) `data[{url,b64_json:null}]` + `meta.usage{credits_used,usd_spent}` + top-level `model`.
 *
 * @since 0.1.0
 * @category Models
 */
export type AimlForm = 1 | 2 | 3 | 4

/**
 * What the AI/ML API accepts for one model id on `/v1/images/generations` (§2.2, §2.3).
 *
 * @since 0.1.0
 * @category Models
 */
export interface AimlModel {
  readonly id: string
  readonly family: Family
  readonly ratios: ReadonlyArray<string>
  /** Ratio when none is given and no reference image decides it. */
  readonly defaultRatio: string
  /** When true and no `aspect_ratio` is given, the ratio follows the first reference image (new edit specs). */
  readonly ratioFromReference: boolean
  /** `resolution` values accepted; `undefined` = the field is not in the spec. */
  readonly resolutions: ReadonlyArray<SizeTier> | undefined
  /** `image_urls` limits; `undefined` = the field is not in the spec. */
  readonly imageUrls: { readonly max: number; readonly required: boolean } | undefined
  /** `num_images` supported (1–4). */
  readonly numImages: boolean
  /** Extra fields in the spec besides model, prompt, image_urls, aspect_ratio, resolution, num_images. */
  readonly extras: ReadonlyArray<string>
  readonly form: AimlForm
  /** Whether the answer carries `model` and `meta.usage.usd_spent` (newer specs). */
  readonly newSpec: boolean
  /** The MIME type the answers carry (the docs show PNG for NB2, JPEG for Pro). */
  readonly mimeType: "image/png" | "image/jpeg"
  /** Whether an answer at 2K/4K is silently downgraded to 1K (Lite: Google serves 1K only). */
  readonly only1K?: boolean
}

/**
 * The values of the AI/ML `provider` field (case-insensitive): `google` (native, no fallback), `fal` (the fal.ai
 * mirror), `auto` (default: Google, then fal.ai).
 *
 * @example
 * ```ts
 * import { Catalog } from "@nanogen/emulator"
 * Catalog.aimlProviders // ["auto", "google", "fal"]
 * ```
 *
 * @since 0.2.0
 * @category Models
 */
export const aimlProviders: ReadonlyArray<string> = ["auto", "google", "fal"]

const nb2: Omit<AimlModel, "id"> = {
  family: "3.1-flash",
  ratios: fiveRatios,
  defaultRatio: "1:1",
  ratioFromReference: false,
  resolutions: ["1K", "2K", "4K"],
  imageUrls: { max: 5, required: false },
  numImages: false,
  extras: ["enable_web_search"],
  form: 1,
  newSpec: false,
  mimeType: "image/png"
}
const lite: Omit<AimlModel, "id"> = {
  family: "3.1-flash-lite",
  ratios: fiveRatios,
  defaultRatio: "16:9",
  ratioFromReference: true,
  resolutions: ["1K", "2K", "4K"],
  imageUrls: { max: 5, required: false },
  numImages: false,
  extras: ["enable_web_search"],
  form: 4,
  newSpec: true,
  mimeType: "image/jpeg",
  only1K: true
}
const proT2i: Omit<AimlModel, "id"> = {
  family: "3-pro",
  ratios: baseRatios,
  defaultRatio: "1:1",
  ratioFromReference: false,
  resolutions: ["1K", "2K", "4K"],
  imageUrls: undefined,
  numImages: true,
  extras: ["provider"],
  form: 2,
  newSpec: false,
  mimeType: "image/jpeg"
}
const proEditOld: Omit<AimlModel, "id"> = { ...proT2i, imageUrls: { max: 14, required: true } }
const flash25T2i: Omit<AimlModel, "id"> = {
  family: "2.5-flash",
  ratios: baseRatios,
  defaultRatio: "1:1",
  ratioFromReference: false,
  resolutions: undefined,
  imageUrls: undefined,
  numImages: true,
  extras: ["provider"],
  form: 3,
  newSpec: false,
  mimeType: "image/png"
}

/**
 * AI/ML API model ids: text-to-image and edit ids of §2.2 (old and new edit ids) and the Lite and 2.1 ids of
 * §7.1. 2.1's schema is not published; the emulator gives it Lite's (five ratios, `resolution`, up to 5
 * `image_urls`, `enable_web_search`, no `provider` / `num_images`).
 *
 * @since 0.1.0
 * @category Models
 */
export const aimlModels: ReadonlyMap<string, AimlModel> = new Map(
  ([
    ["google/nano-banana-2", nb2],
    ["google/gemini-3-1-flash-image-preview", nb2],
    ["google/nano-banana-pro", proT2i],
    ["google/gemini-3-pro-image-preview", proT2i],
    ["google/nano-banana-pro-edit", proEditOld],
    ["google/gemini-3-pro-image-preview-edit", proEditOld],
    ["google/gemini-3-pro-image-edit", {
      ...proT2i,
      ratios: fiveRatios,
      defaultRatio: "16:9",
      ratioFromReference: true,
      imageUrls: { max: 5, required: false },
      form: 4,
      newSpec: true
    }],
    ["google/gemini-2.5-flash-image", flash25T2i],
    ["google/gemini-2.5-flash-image-edit", { ...flash25T2i, imageUrls: { max: 3, required: true } }],
    ["google/nano-banana-edit", {
      ...flash25T2i,
      ratios: fiveRatios,
      defaultRatio: "16:9",
      ratioFromReference: true,
      imageUrls: { max: 3, required: false },
      extras: [
        "provider",
        "enhance_prompt",
        "seed",
        "person_generation",
        "safety_setting",
        "add_watermark",
        "convert_base64_to_url"
      ],
      form: 4,
      newSpec: true
    }],
    ["google/gemini-3-1-flash-lite-image", lite],
    ["google/gemini-nano-banana-2.1", { ...lite, family: "2.1", only1K: false }]
  ] as const).map(([id, m]) => [id, { id, ...m }])
)

/**
 * The ratio in `ratios` closest to a width/height pair (used when the ratio follows the reference image).
 *
 * @since 0.1.0
 * @category Models
 */
export const nearestRatio = (width: number, height: number, ratios: ReadonlyArray<string>): string => {
  const target = Math.log(width / height)
  let best = ratios[0] ?? "1:1"
  let bestDistance = Number.POSITIVE_INFINITY
  for (const ratio of ratios) {
    const [w, h] = ratio.split(":").map(Number) as [number, number]
    const distance = Math.abs(Math.log(w / h) - target)
    if (distance < bestDistance) {
      best = ratio
      bestDistance = distance
    }
  }
  return best
}
