/**
 * @nanogen/cli — the `nanogen` command line and its no-key demo.
 *
 * @since 0.1.0
 */
/** @since 0.1.0 */
export * as Cli from "./Cli.js"
/** @since 0.1.0 */
export * as Demo from "./Demo.js"
/** @since 0.1.0 */
export * as Output from "./Output.js"
/** @since 0.2.0 */
export * as EditCommand from "./EditCommand.js"
