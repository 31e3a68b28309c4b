/**
 * @nanogen/openrouter — nanogen's `ImageProvider` over OpenRouter chat completions.
 *
 * @since 0.1.0
 */

/**
 * `make`, `layer`, `layerConfig` and the `Options` of the OpenRouter provider.
 *
 * @since 0.1.0
 */
export * as OpenRouterImageProvider from "./OpenRouterImageProvider.js"

/** @since 0.2.0 */
export { definition, models, nativeAliases } from "./definition.js"
