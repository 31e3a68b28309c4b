/**
 * @nanogen/core — the `ImageProvider` service, its request/result/error contract, the model catalog, shared
 * provider helpers, fallback composition and the mock layer.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as DataUrl from "./DataUrl.js"
/** @since 0.1.0 */
export * as HttpFailure from "./HttpFailure.js"
/** @since 0.2.0 */
export * as JsonBody from "./JsonBody.js"
/** @since 0.1.0 */
export * as ImageBytes from "./ImageBytes.js"
/** @since 0.1.0 */
export * as ImageDownload from "./ImageDownload.js"
/** @since 0.1.0 */
export * as ImageGenerationError from "./ImageGenerationError.js"
/** @since 0.1.0 */
export * as ImageProvider from "./ImageProvider.js"
/** @since 0.1.0 */
export * as ImageProviderTest from "./ImageProviderTest.js"
/** @since 0.1.0 */
export * as ImageRequest from "./ImageRequest.js"
/** @since 0.1.0 */
export * as ImageResult from "./ImageResult.js"
/** @since 0.1.0 */
export * as ModelCatalog from "./ModelCatalog.js"
/** @since 0.2.0 */
export * as ResponseBody from "./ResponseBody.js"
/** @since 0.1.0 */
export * as RetryAfter from "./RetryAfter.js"
/** @since 0.1.0 */
export * as ProviderClient from "./ProviderClient.js"
/** @since 0.1.0 */
export * as Fallback from "./Fallback.js"
/** @since 0.1.0 */
export * as ProviderHealth from "./ProviderHealth.js"
/** @since 0.1.0 */
export * as RateLimits from "./RateLimits.js"
/** @since 0.1.0 */
export * as ResultCache from "./ResultCache.js"
/** @since 0.1.0 */
export * as SpendCap from "./SpendCap.js"
/** @since 0.2.0 */
export * as ProviderDefinition from "./ProviderDefinition.js"
/** @since 0.2.0 */
export * as Scrub from "./Scrub.js"
/** @since 0.2.0 */
export * as ImageTurn from "./ImageTurn.js"
/** @since 0.2.0 */
export * as ImageSession from "./ImageSession.js"
