/**
 * `@nanogen/google-direct`: nanogen's `ImageProvider` over the Gemini API `generateContent`.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as GoogleImageProvider from "./GoogleImageProvider.js"

/** @since 0.2.0 */
export { definition, models, nativeAliases } from "./definition.js"

/**
 * The Gemini `generateContent` wire codec (body, exchange, answer, errors), shared with `@nanogen/vertex`.
 *
 * @since 0.2.0
 */
export * as GeminiCodec from "./GeminiCodec.js"
