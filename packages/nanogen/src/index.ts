/**
 * nanogen — config-driven assembly, Promise facade and CLI.
 *
 * @since 0.1.0
 */
/** @since 0.1.0 */
export * as Nanogen from "./Nanogen.js"

/** @since 0.1.0 */
export * as Cli from "./Cli.js"
/** @since 0.1.0 */
export * as Demo from "./Demo.js"
/** @since 0.1.0 */
export * as ImageClient from "./ImageClient.js"
/** @since 0.1.0 */
export { createImageClient } from "./ImageClient.js"
/** @since 0.1.0 */
export * as Output from "./Output.js"
