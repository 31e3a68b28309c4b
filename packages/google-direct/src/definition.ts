/**
 * The Gemini API backend described for the assembly: its name, variables, and what it serves for each of Google's
 * models.
 *
 * @since 0.2.0
 */
import { ModelCatalog, ProviderDefinition } from "@nanogen/core"
import * as GoogleImageProvider from "./GoogleImageProvider.js"

/**
 * What the Gemini API serves for each model: Google's GA ids (`ModelCatalog.entries[alias].google`). Lite takes 1K
 * only (Google's model page); 2.1 has no 512 tier (its ceiling in the catalog already says so).
 *
 * @example
 * ```ts
 * import { models } from "@nanogen/google-direct"
 * models["nano-banana-2.1"]?.generate.id // "gemini-nano-banana-2.1"
 * ```
 * @since 0.2.0
 * @category Models
 */
export const models: ModelCatalog.Table = ModelCatalog.googleTable({
  inputTypes: ["image/png", "image/jpeg", "image/webp", "image/heic", "image/heif"],
  seed: true
})

/**
 * The preview ids, shut down on the Gemini API: refused before any call, naming the GA id to use.
 *
 * @since 0.2.0
 * @category Models
 */
export const nativeAliases: ModelCatalog.NativeAliases = {
  "gemini-2.5-flash-image-preview": {
    alias: "nano-banana",
    lifecycle: { status: "shutdown", replacement: "gemini-2.5-flash-image" }
  },
  "gemini-3.1-flash-image-preview": {
    alias: "nano-banana-2",
    lifecycle: {
      status: "shutdown",
      deprecatedOn: "2026-05-28",
      shutdownOn: "2026-06-25",
      replacement: "gemini-3.1-flash-image"
    }
  },
  "gemini-3-pro-image-preview": {
    alias: "nano-banana-pro",
    lifecycle: {
      status: "shutdown",
      deprecatedOn: "2026-05-28",
      shutdownOn: "2026-06-25",
      replacement: "gemini-3-pro-image"
    }
  }
}

/**
 * The Gemini API backend.
 *
 * @example
 * ```ts
 * import { ProviderDefinition } from "@nanogen/core"
 * import { definition } from "@nanogen/google-direct"
 * const Live = ProviderDefinition.layerConfig(definition, { stream: true })
 * ```
 * @since 0.2.0
 * @category Models
 */
export const definition: ProviderDefinition.ProviderDefinition<GoogleImageProvider.Options> = ProviderDefinition.make({
  name: "google-direct",
  aliases: ["google", "gemini"],
  description: "Google's Gemini API generateContent, with an API key from Google AI Studio",
  credentials: { apiKey: ["GEMINI_API_KEY", "GOOGLE_API_KEY"] },
  apiUrl: { env: "GEMINI_API_URL", default: "https://generativelanguage.googleapis.com/v1beta" },
  models,
  nativeAliases,
  layer: (options: GoogleImageProvider.Options) => GoogleImageProvider.layer(options)
})
