/**
 * @nanogen/aimlapi — the `ImageProvider` over the AI/ML API `images/generations` endpoint.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as AimlApiImageProvider from "./AimlApiImageProvider.js"

/** @since 0.2.0 */
export { definition, models, nativeAliases } from "./definition.js"
