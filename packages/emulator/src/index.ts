/**
 * `@nanogen/emulator`: loopback servers that speak the OpenRouter (chat completions and Image API), AI/ML API,
 * Gemini API and Vertex AI image-generation protocols, with a fake OAuth token endpoint and scriptable faults.
 *
 * @since 0.1.0
 */

/**
 * The emulator: `start`, `make`, `layer`, `EmulatorService` and its types.
 *
 * @since 0.1.0
 */
export * from "./Emulator.js"

/**
 * Fault and request-log types.
 *
 * @since 0.1.0
 */
export type { Fault, RecordedRequest, ServerName } from "./Faults.js"

/**
 * The emulator's own tables of what each API accepts.
 *
 * @since 0.1.0
 */
export * as Catalog from "./Catalog.js"

/**
 * Fault scripts.
 *
 * @since 0.1.0
 */
export * as Faults from "./Faults.js"

/**
 * Image rendering.
 *
 * @since 0.1.0
 */
export * as Images from "./Images.js"
