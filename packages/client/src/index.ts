/**
 * @nanogen/client — the configuration-driven `Nanogen` assembly over the provider registry, and the Promise facade
 * `createImageClient`.
 *
 * @since 0.1.0
 */
/** @since 0.1.0 */
export * as Nanogen from "./Nanogen.js"

/** @since 0.1.0 */
export * as ImageClient from "./ImageClient.js"
/** @since 0.1.0 */
export { createImageClient } from "./ImageClient.js"
/** @since 0.1.0 */
export * as Settings from "./Settings.js"
/** @since 0.2.0 */
export * as ImageClientSession from "./ImageClientSession.js"
