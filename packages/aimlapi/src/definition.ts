/**
 * The AI/ML API backend described for the assembly: its name, variables, and what it serves for each of Google's
 * models (separate edit ids where it has them, `num_images` where the schema takes it).
 *
 * @since 0.2.0
 */
import { ModelCatalog, ProviderDefinition } from "@nanogen/core"
import * as AimlApiImageProvider from "./AimlApiImageProvider.js"

const FIVE: ReadonlyArray<"1:1" | "3:4" | "4:3" | "9:16" | "16:9"> = ["1:1", "3:4", "4:3", "9:16", "16:9"]

/**
 * What the AI/ML API serves for each model. `num_images` (four per call) only on the 2.5 and Pro schemas; Nano
 * Banana 2, Lite and 2.1 return one image per call. Lite: the AI/ML API offers 1K/2K/4K where Google documents 1K
 * only; the answer is accepted whatever its size. 2.1: no request schema is published; it is given Nano Banana 2's
 * (five ratios, five reference images, no seed).
 *
 * @example
 * ```ts
 * import { models } from "@nanogen/aimlapi"
 * models["nano-banana-pro"]?.edit?.id // "google/gemini-3-pro-image-edit"
 * ```
 * @since 0.2.0
 * @category Models
 */
export const models: ModelCatalog.Table = ModelCatalog.table(
  { inputTypes: ["image/png", "image/jpeg", "image/webp"] },
  {
    "nano-banana": {
      generate: { id: "google/gemini-2.5-flash-image", maxImages: 0, maxPerCall: 4 },
      edit: { id: "google/nano-banana-edit", aspectRatios: FIVE, maxPerCall: 4, seed: true }
    },
    "nano-banana-2": { id: "google/nano-banana-2", aspectRatios: FIVE, imageSizes: ["1K", "2K", "4K"], maxImages: 5 },
    "nano-banana-2-lite": { id: "google/gemini-3-1-flash-lite-image", aspectRatios: FIVE, maxImages: 5 },
    "nano-banana-2.1": { id: "google/gemini-nano-banana-2.1", aspectRatios: FIVE, maxImages: 5 },
    "nano-banana-pro": {
      generate: { id: "google/nano-banana-pro", maxImages: 0, maxPerCall: 4 },
      edit: { id: "google/gemini-3-pro-image-edit", aspectRatios: FIVE, maxImages: 5, maxPerCall: 4 }
    }
  }
)

/**
 * Other ids the AI/ML API serves: the `-preview` names of the current ids, and the edit ids it renamed in 2026.
 *
 * @since 0.2.0
 * @category Models
 */
export const nativeAliases: ModelCatalog.NativeAliases = {
  "google/gemini-3-1-flash-image-preview": { alias: "nano-banana-2" },
  "google/gemini-3-pro-image-preview": { alias: "nano-banana-pro" },
  "google/nano-banana-pro-edit": {
    alias: "nano-banana-pro",
    lifecycle: { status: "deprecated", deprecatedOn: "2026-07-21", replacement: "google/gemini-3-pro-image-edit" }
  },
  "google/gemini-3-pro-image-preview-edit": {
    alias: "nano-banana-pro",
    lifecycle: { status: "deprecated", deprecatedOn: "2026-07-21", replacement: "google/gemini-3-pro-image-edit" }
  },
  "google/gemini-2.5-flash-image-edit": {
    alias: "nano-banana",
    lifecycle: { status: "deprecated", deprecatedOn: "2026-08-14", replacement: "google/nano-banana-edit" }
  }
}

/**
 * The AI/ML API backend.
 *
 * @example
 * ```ts
 * import { ProviderDefinition } from "@nanogen/core"
 * import { definition } from "@nanogen/aimlapi"
 * const Live = ProviderDefinition.layerConfig(definition, { timeout: "90 seconds" })
 * ```
 * @since 0.2.0
 * @category Models
 */
export const definition: ProviderDefinition.ProviderDefinition<AimlApiImageProvider.Options> = ProviderDefinition.make({
  name: "aimlapi",
  aliases: ["aiml"],
  description: "AI/ML API images/generations (images answered by CDN URL)",
  credentials: { apiKey: ["AIML_API_KEY"] },
  apiUrl: { env: "AIML_API_URL", default: "https://api.aimlapi.com/v1" },
  models,
  nativeAliases,
  layer: (options: AimlApiImageProvider.Options) => AimlApiImageProvider.layer(options)
})
