/**
 * The definitions of the three shipped backends, built here from their packages' `layer` while the provider
 * packages do not export their own `definition` yet. When they do, `Nanogen.builtins` takes them directly and this
 * module goes.
 *
 * @internal
 */
import { AimlApiImageProvider } from "@nanogen/aimlapi"
import { ModelCatalog, ProviderDefinition } from "@nanogen/core"
import { GoogleImageProvider } from "@nanogen/google-direct"
import { OpenRouterImageProvider } from "@nanogen/openrouter"

const tableOf = (backend: ModelCatalog.Backend): ModelCatalog.Table =>
  Object.fromEntries(
    Object.values(ModelCatalog.entries).map((entry) => [entry.alias, entry.backends[backend]])
  ) as ModelCatalog.Table

export const openrouter = ProviderDefinition.make({
  name: "openrouter",
  description: "OpenRouter chat completions (google/gemini-* image models)",
  credentials: { apiKey: ["OPENROUTER_API_KEY"] },
  apiUrl: { env: "OPENROUTER_API_URL", default: "https://openrouter.ai/api/v1" },
  models: tableOf("openrouter"),
  layer: (options: ProviderDefinition.Options) => OpenRouterImageProvider.layer(options)
})

export const googleDirect = ProviderDefinition.make({
  name: "google-direct",
  aliases: ["google", "gemini"],
  description: "Gemini API generateContent (Google AI Studio key)",
  credentials: { apiKey: ["GEMINI_API_KEY", "GOOGLE_API_KEY"] },
  apiUrl: { env: "GEMINI_API_URL", default: "https://generativelanguage.googleapis.com/v1beta" },
  models: tableOf("google-direct"),
  layer: (options: ProviderDefinition.Options) => GoogleImageProvider.layer(options)
})

export const aimlapi = ProviderDefinition.make({
  name: "aimlapi",
  aliases: ["aiml"],
  description: "AI/ML API images/generations",
  credentials: { apiKey: ["AIML_API_KEY"] },
  apiUrl: { env: "AIML_API_URL", default: "https://api.aimlapi.com/v1" },
  models: tableOf("aimlapi"),
  layer: ({ download, ...options }: ProviderDefinition.Options) =>
    AimlApiImageProvider.layer({
      ...options,
      ...(download?.allowPrivateNetwork === undefined ? {} : { allowPrivateNetwork: download.allowPrivateNetwork }),
      ...(download?.maxBytes === undefined ? {} : { maxImageBytes: download.maxBytes }),
      ...(download?.timeout === undefined ? {} : { downloadTimeout: download.timeout })
    })
})
