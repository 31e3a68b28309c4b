/**
 * `@nanogen/vertex`: nanogen's `ImageProvider` over Vertex AI
 * `publishers/google/models/{model}:generateContent`, with OAuth2 or an express-mode API key.
 *
 * @since 0.2.0
 */

/** @since 0.2.0 */
export * as VertexAuth from "./VertexAuth.js"
/** @since 0.2.0 */
export * as VertexUrl from "./VertexUrl.js"
/** @since 0.2.0 */
export * as VertexImageProvider from "./VertexImageProvider.js"

/** @since 0.2.0 */
export { definition, models, nativeAliases } from "./definition.js"
