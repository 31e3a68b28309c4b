/**
 * `@nanogen/google-direct`: nanogen's `ImageProvider` over the Gemini API `generateContent`.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as GoogleImageProvider from "./GoogleImageProvider.js"

/** @since 0.2.0 */
export { definition, models, nativeAliases } from "./definition.js"
