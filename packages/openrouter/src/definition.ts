/**
 * The OpenRouter backend described for the assembly: its name, variables, and what it serves for each of Google's
 * models (native ids, ratios, sizes, reference images).
 *
 * @since 0.2.0
 */
import { ModelCatalog, ProviderDefinition } from "@nanogen/core"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Either from "effect/Either"
import * as OpenRouterImageProvider from "./OpenRouterImageProvider.js"

/**
 * What OpenRouter serves for each model: the GA slugs, `google/` and Google's id. Lite is 1K only (Google's
 * documentation). Nano Banana 2.1 was not listed when this table was written: its slug follows OpenRouter's pattern
 * for the other Google models; if OpenRouter answers it is not a valid model, that is `UnsupportedRequest` and a
 * fallback moves on.
 *
 * @example
 * ```ts
 * import { models } from "@nanogen/openrouter"
 * models["nano-banana-pro"]?.generate.id // "google/gemini-3-pro-image"
 * ```
 * @since 0.2.0
 * @category Models
 */
export const models: ModelCatalog.Table = ModelCatalog.googleTable(
  { inputTypes: ["image/png", "image/jpeg", "image/webp", "image/gif"], seed: true },
  "google/"
)

/**
 * The preview slugs OpenRouter still lists beside the GA ones: sent as asked.
 *
 * @since 0.2.0
 * @category Models
 */
export const nativeAliases: ModelCatalog.NativeAliases = {
  "google/gemini-2.5-flash-image-preview": { alias: "nano-banana" },
  "google/gemini-3.1-flash-image-preview": { alias: "nano-banana-2" },
  "google/gemini-3-pro-image-preview": { alias: "nano-banana-pro" }
}

/**
 * The OpenRouter backend.
 *
 * @example
 * ```ts
 * import { ProviderDefinition } from "@nanogen/core"
 * import { definition } from "@nanogen/openrouter"
 * const Live = ProviderDefinition.layerConfig(definition, { stream: true })
 * ```
 * @since 0.2.0
 * @category Models
 */
export const definition: ProviderDefinition.ProviderDefinition<OpenRouterImageProvider.Options> = ProviderDefinition
  .make({
    name: "openrouter",
    description: "OpenRouter chat completions (Google's image models through OpenRouter's routing)",
    credentials: { apiKey: ["OPENROUTER_API_KEY"] },
    apiUrl: { env: "OPENROUTER_API_URL", default: "https://openrouter.ai/api/v1" },
    variables: [{
      name: "OPENROUTER_API",
      description: "chat (chat completions, the default) or images (POST /images)"
    }],
    options: Config.mapOrFail(
      ProviderDefinition.variable("OPENROUTER_API"),
      (api) =>
        api === undefined || api === "chat" || api === "images"
          ? Either.right(api === undefined ? {} : { api })
          : Either.left(ConfigError.InvalidData(
            ["OPENROUTER_API"],
            `OPENROUTER_API must be chat or images, not ${JSON.stringify(api)}`
          ))
    ),
    models,
    nativeAliases,
    layer: (options: OpenRouterImageProvider.Options) => OpenRouterImageProvider.layer(options)
  })
