/**
 * The Vertex AI backend described for the registry (`ProviderDefinition`): name `vertex`, its environment variables,
 * and its model table — the Gemini API's ids, which Vertex serves under `publishers/google/models/{id}`.
 *
 * @since 0.2.0
 */
import { type ModelCatalog, ProviderDefinition } from "@nanogen/core"
import { models as geminiModels, nativeAliases as geminiNativeAliases } from "@nanogen/google-direct"
import * as VertexImageProvider from "./VertexImageProvider.js"
import * as VertexUrl from "./VertexUrl.js"

/**
 * What Vertex AI serves, by Google's model alias: the same ids, ratios and sizes as the Gemini API.
 *
 * @example
 * ```ts
 * import { models } from "@nanogen/vertex"
 * models["nano-banana-pro"]?.generate.id // "gemini-3-pro-image"
 * ```
 * @since 0.2.0
 * @category Models
 */
export const models: ModelCatalog.Table = geminiModels

/**
 * Other ids Vertex serves (the preview ids), with their lifecycle.
 *
 * @example
 * ```ts
 * import { nativeAliases } from "@nanogen/vertex"
 * Object.keys(nativeAliases).includes("gemini-3-pro-image-preview") // true
 * ```
 * @since 0.2.0
 * @category Models
 */
export const nativeAliases: ModelCatalog.NativeAliases = geminiNativeAliases

/**
 * The definition: `NANOGEN_PROVIDERS=vertex` (or `vertex-ai`), `GOOGLE_CLOUD_PROJECT`, `GOOGLE_CLOUD_LOCATION`,
 * `GOOGLE_APPLICATION_CREDENTIALS` or `VERTEX_API_KEY`, `VERTEX_API_URL`.
 *
 * @example
 * ```ts
 * import { definition } from "@nanogen/vertex"
 * definition.name // "vertex"
 * ```
 * @since 0.2.0
 * @category Models
 */
export const definition: ProviderDefinition.ProviderDefinition<VertexImageProvider.Options> = ProviderDefinition.make({
  name: "vertex",
  aliases: ["vertex-ai", "vertexai"],
  description: "Vertex AI generateContent (OAuth2: service account or ADC; or an express-mode API key)",
  credentials: { apiKey: ["VERTEX_API_KEY"] },
  apiUrl: { env: "VERTEX_API_URL", default: VertexUrl.baseUrl("global") },
  variables: [
    { name: "GOOGLE_CLOUD_PROJECT", description: "the Google Cloud project (default: the credentials' project_id)" },
    { name: "GOOGLE_CLOUD_LOCATION", description: "the location, default global (3.x image models are global only)" },
    { name: "GOOGLE_APPLICATION_CREDENTIALS", description: "a service-account JSON file (else ADC, or VERTEX_API_KEY)" }
  ],
  models,
  nativeAliases,
  layer: (options) => VertexImageProvider.layer(options),
  layerConfig: (options) => VertexImageProvider.layerConfig(options),
  isConfigured: ProviderDefinition.anySet(["VERTEX_API_KEY", "GOOGLE_APPLICATION_CREDENTIALS"])
})
