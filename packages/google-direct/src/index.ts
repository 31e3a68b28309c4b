/**
 * `@nanogen/google-direct`: nanogen's `ImageProvider` over the Gemini API `generateContent`.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as GoogleImageProvider from "./GoogleImageProvider.js"
