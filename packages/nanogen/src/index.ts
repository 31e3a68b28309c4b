/**
 * nanogen — config-driven assembly, Promise facade and CLI.
 *
 * @since 0.1.0
 */
export {}
