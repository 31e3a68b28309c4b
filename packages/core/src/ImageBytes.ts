/**
 * Image bytes: type sniffing from magic bytes, pixel dimensions, and base64 through `Buffer`.
 *
 * @since 0.1.0
 */
import * as Schema from "effect/Schema"
import { disableTypes, imageSize } from "image-size"

disableTypes([
  "bmp",
  "cur",
  "dds",
  "icns",
  "ico",
  "j2c",
  "jp2",
  "jxl",
  "jxl-stream",
  "ktx",
  "pnm",
  "psd",
  "svg",
  "tga",
  "tiff"
])

/**
 * The image types nanogen recognises.
 *
 * @since 0.1.0
 * @category Models
 */
export type ImageMimeType = "image/png" | "image/jpeg" | "image/webp" | "image/gif" | "image/heic" | "image/heif"

const startsWith = (bytes: Uint8Array, offset: number, signature: ReadonlyArray<number>): boolean => {
  if (bytes.length < offset + signature.length) return false
  for (let i = 0; i < signature.length; i++) {
    if (bytes[offset + i] !== signature[i]) return false
  }
  return true
}

const ascii = (text: string): ReadonlyArray<number> => Array.from(text, (char) => char.charCodeAt(0))
const PNG = [0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]
const JPEG = [0xff, 0xd8, 0xff]
const GIF = ascii("GIF8")
const RIFF = ascii("RIFF")
const WEBP = ascii("WEBP")
const FTYP = ascii("ftyp")
const HEIC_BRANDS = new Set(["heic", "heix", "heim", "heis", "hevc", "hevx"])
const HEIF_BRANDS = new Set(["mif1", "msf1", "heif"])

/**
 * The MIME type the bytes really are, from their magic numbers, or `undefined` when they are no image nanogen
 * knows (PNG, JPEG, WebP, GIF, HEIC/HEIF). Reads at most the first 12 bytes.
 *
 * @example
 * ```ts
 * import { ImageBytes } from "@nanogen/core"
 * ImageBytes.sniffMimeType(new Uint8Array([0xff, 0xd8, 0xff, 0xe0])) // "image/jpeg"
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const sniffMimeType = (bytes: Uint8Array): ImageMimeType | undefined => {
  if (startsWith(bytes, 0, PNG)) return "image/png"
  if (startsWith(bytes, 0, JPEG)) return "image/jpeg"
  if (startsWith(bytes, 0, GIF)) return "image/gif"
  if (startsWith(bytes, 0, RIFF) && startsWith(bytes, 8, WEBP)) return "image/webp"
  if (startsWith(bytes, 4, FTYP) && bytes.length >= 12) {
    const brand = String.fromCharCode(bytes[8]!, bytes[9]!, bytes[10]!, bytes[11]!)
    if (HEIC_BRANDS.has(brand)) return "image/heic"
    if (HEIF_BRANDS.has(brand)) return "image/heif"
  }
  return undefined
}

/**
 * Pixel dimensions read from the image header (PNG, JPEG, WebP, GIF, HEIF), or `undefined` when the header
 * cannot be read. Never decodes pixels, so a truncated file with a whole header still answers.
 *
 * @example
 * ```ts
 * import { ImageBytes } from "@nanogen/core"
 * declare const png: Uint8Array
 * const size = ImageBytes.dimensions(png) // { width: 1024, height: 1024 } | undefined
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const dimensions = (bytes: Uint8Array): { readonly width: number; readonly height: number } | undefined => {
  try {
    const size = imageSize(bytes)
    return size.width !== undefined && size.height !== undefined
      ? { width: size.width, height: size.height }
      : undefined
  } catch {
    return undefined
  }
}

/**
 * What the bytes are: sniffed type and, where the header allows, pixel size.
 *
 * @since 0.1.0
 * @category Models
 */
export interface ImageInfo {
  readonly mimeType: ImageMimeType
  readonly width?: number
  readonly height?: number
}

/**
 * Sniffs type and size in one call; `undefined` when the bytes are not a known image type.
 *
 * @example
 * ```ts
 * import { ImageBytes } from "@nanogen/core"
 * declare const bytes: Uint8Array
 * const info = ImageBytes.inspect(bytes) // { mimeType: "image/png", width: 16, height: 16 }
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const inspect = (bytes: Uint8Array): ImageInfo | undefined => {
  const mimeType = sniffMimeType(bytes)
  if (mimeType === undefined) return undefined
  const size = dimensions(bytes)
  return size === undefined ? { mimeType } : { mimeType, width: size.width, height: size.height }
}

/**
 * A large base64 string of a response body, already decoded as it arrived (`ProviderClient` with
 * `decodeImages`): it stands where the string was in the parsed body. `data` holds the bytes; `header` is the
 * `data:…;base64` header when the string was a data URL. `toString()` (and `JSON.stringify`) give the text back,
 * re-encoded.
 *
 * @example
 * ```ts
 * import { ImageBytes } from "@nanogen/core"
 * declare const field: string | ImageBytes.DecodedBase64
 * const bytes = ImageBytes.fromBase64(field) // no decoding when it already is
 * ```
 * @since 0.2.0
 * @category Models
 */
export class DecodedBase64 {
  constructor(readonly data: Uint8Array, readonly header: string | undefined) {}
  /** The string this stands for: the base64 text, or the whole data URL. */
  toString(): string {
    const base64 = toBase64(this.data)
    return this.header === undefined ? base64 : `${this.header},${base64}`
  }
  toJSON(): string {
    return this.toString()
  }
}

/**
 * Whether a value is an already decoded base64 string (see `DecodedBase64`).
 *
 * @example
 * ```ts
 * import { ImageBytes } from "@nanogen/core"
 * ImageBytes.isDecodedBase64("iVBORw0KGgo=") // false
 * ```
 * @since 0.2.0
 * @category Guards
 */
export const isDecodedBase64 = (value: unknown): value is DecodedBase64 => value instanceof DecodedBase64

/**
 * The Schema of a wire field holding base64 that a body read with `decodeImages` may already have decoded:
 * the string, or its `DecodedBase64`.
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { ImageBytes } from "@nanogen/core"
 * const InlineData = Schema.Struct({ mimeType: Schema.String, data: ImageBytes.Base64Field })
 * ```
 * @since 0.2.0
 * @category Schemas
 */
export const Base64Field: Schema.Schema<string | DecodedBase64> = Schema.Union(
  Schema.String,
  Schema.declare(isDecodedBase64, { identifier: "DecodedBase64" })
)

/**
 * The Schema of a wire field that holds text (a thought signature, a model's text) which a body read with
 * `decodeImages` may have decoded as base64 because it was long and looked like it: the text either way (a
 * `DecodedBase64` is re-encoded, which gives back exactly the string received).
 *
 * @example
 * ```ts
 * import { Schema } from "effect"
 * import { ImageBytes } from "@nanogen/core"
 * const Part = Schema.Struct({ thoughtSignature: Schema.optional(ImageBytes.Base64Text) })
 * ```
 * @since 0.2.0
 * @category Schemas
 */
export const Base64Text: Schema.Schema<string, string | DecodedBase64> = Schema.transform(Base64Field, Schema.String, {
  strict: true,
  decode: (value) => typeof value === "string" ? value : value.toString(),
  encode: (value) => value
})

/**
 * A parsed JSON value with every `DecodedBase64` in it turned back into the string it stands for (re-encoded:
 * exactly the text received), for what keeps an answer as received (a session's turn). Arrays and plain objects
 * are copied, the value itself is left as is; nesting of any depth is walked without recursion.
 *
 * @example
 * ```ts
 * import { ImageBytes } from "@nanogen/core"
 * declare const parts: ReadonlyArray<unknown>
 * const asReceived = ImageBytes.restoreBase64(parts) // every inlineData.data a string again
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const restoreBase64 = (value: unknown): unknown => {
  const root: Record<string, unknown> = { value }
  const stack: Array<[Record<string | number, unknown>, string | number]> = [[root, "value"]]
  while (stack.length > 0) {
    const [holder, key] = stack.pop()!
    const item = holder[key]
    if (item instanceof DecodedBase64) {
      holder[key] = item.toString()
    } else if (Array.isArray(item)) {
      const copy: Array<unknown> = item.slice()
      holder[key] = copy
      for (let i = 0; i < copy.length; i++) {
        if (typeof copy[i] === "object" && copy[i] !== null) stack.push([copy as never, i])
      }
    } else if (typeof item === "object" && item !== null) {
      const prototype = Object.getPrototypeOf(item)
      if (prototype !== Object.prototype && prototype !== null) continue
      const copy: Record<string, unknown> = { ...(item as Record<string, unknown>) }
      holder[key] = copy
      for (const name of Object.keys(copy)) {
        if (typeof copy[name] === "object" && copy[name] !== null) stack.push([copy, name])
      }
    }
  }
  return root.value
}

/**
 * Decodes base64 (standard or URL-safe) with `Buffer`, in native code. The result shares the Buffer's memory. A
 * `DecodedBase64` (a body read with `decodeImages`) gives its bytes at once.
 *
 * @example
 * ```ts
 * import { ImageBytes } from "@nanogen/core"
 * ImageBytes.fromBase64("iVBORw0KGgo=").length // 8
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const fromBase64 = (base64: string | DecodedBase64): Uint8Array =>
  typeof base64 === "string" ? Buffer.from(base64, "base64") : base64.data

/**
 * Encodes bytes as standard base64 with `Buffer`, without copying them first.
 *
 * @example
 * ```ts
 * import { ImageBytes } from "@nanogen/core"
 * ImageBytes.toBase64(new Uint8Array([1, 2, 3])) // "AQID"
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const toBase64 = (bytes: Uint8Array): string =>
  Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("base64")
