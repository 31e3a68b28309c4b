/**
 * nanogen — config-driven assembly, Promise facade and CLI.
 *
 * @since 0.1.0
 */
/** @since 0.1.0 */
export * as Nanogen from "./Nanogen.js"
