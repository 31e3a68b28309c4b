/**
 * `data:` URLs: parse without scanning the (possibly multi-megabyte) payload with a regex, and format.
 *
 * @since 0.1.0
 */
import * as ImageBytes from "./ImageBytes.js"
import * as LargeStrings from "./internal/largeStrings.js"

/**
 * A parsed `data:` URL.
 *
 * @since 0.1.0
 * @category Models
 */
export interface DataUrl {
  /** The declared media type, lower-cased; `text/plain` when the URL declares none. */
  readonly mimeType: string
  readonly data: Uint8Array
}

const HEADER = /^data:([a-z0-9!#$&^_.+-]+\/[a-z0-9!#$&^_.+-]+)?((?:;[a-z0-9-]+=[^;,]*)*)(;base64)?$/i

/**
 * Whether a string starts like a `data:` URL (looks at the first five characters only), or a `DecodedBase64` was
 * one.
 *
 * @since 0.1.0
 * @category Guards
 */
export const isDataUrl = (url: string | ImageBytes.DecodedBase64): boolean =>
  typeof url !== "string"
    ? url.header !== undefined
    : url.length > 5 && (LargeStrings.lookup(url) !== undefined || url.slice(0, 5).toLowerCase() === "data:")

/**
 * Parses a `data:` URL. Only the header (before the first comma) is matched; the payload is decoded once,
 * with `Buffer`. Returns `undefined` for anything that is not a well-formed data URL.
 *
 * @example
 * ```ts
 * import { DataUrl } from "@nanogen/core"
 * const parsed = DataUrl.parse("data:image/png;base64,iVBORw0KGgo=")
 * // parsed?.mimeType === "image/png"; parsed?.data.length === 8
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const parse = (url: string | ImageBytes.DecodedBase64): DataUrl | undefined => {
  if (typeof url !== "string") {
    // Decoded as the body arrived (`ProviderClient` with `decodeImages`).
    const match = url.header === undefined ? null : HEADER.exec(url.header)
    return match === null ? undefined : { mimeType: (match[1] ?? "text/plain").toLowerCase(), data: url.data }
  }
  const parts = LargeStrings.lookup(url, true)
  if (parts !== undefined) {
    // A large data URL just parsed from an answer: decode its payload string, never touching the whole URL.
    const match = HEADER.exec(parts.header)
    if (match !== null && match[3] !== undefined) {
      return { mimeType: (match[1] ?? "text/plain").toLowerCase(), data: ImageBytes.fromBase64(parts.payload) }
    }
  }
  if (!isDataUrl(url)) return undefined
  const comma = url.indexOf(",")
  if (comma === -1 || comma > 512) return undefined
  const match = HEADER.exec(url.slice(0, comma))
  if (match === null) return undefined
  const mimeType = (match[1] ?? "text/plain").toLowerCase()
  const data = match[3] !== undefined
    ? ImageBytes.fromBase64(url.slice(comma + 1))
    : new Uint8Array(Buffer.from(decodeURIComponent(url.slice(comma + 1)), "utf8"))
  return { mimeType, data }
}

/**
 * Formats bytes as a base64 `data:` URL. The MIME type defaults to the one sniffed from the bytes.
 *
 * @example
 * ```ts
 * import { DataUrl } from "@nanogen/core"
 * declare const png: Uint8Array
 * DataUrl.format(png) // "data:image/png;base64,iVBORw0KGgo…"
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const format = (data: Uint8Array, mimeType?: string): string =>
  `data:${mimeType ?? ImageBytes.sniffMimeType(data) ?? "application/octet-stream"};base64,${ImageBytes.toBase64(data)}`
