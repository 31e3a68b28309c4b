/**
 * Renders the real, decodable PNG / JPEG images the emulators answer with: a colour grid derived from a hash of the
 * prompt and seed (deterministic, visibly different per prompt), or, for edits, the first reference image resized
 * to the output size inside a prompt-coloured frame. Results are kept in an LRU cache so a repeated 4K request costs
 * nothing.
 *
 * @since 0.1.0
 */
import { createHash } from "node:crypto"
import sharp from "sharp"

/**
 * What to render.
 *
 * @since 0.1.0
 * @category Models
 */
export interface RenderRequest {
  readonly width: number
  readonly height: number
  readonly mimeType: "image/png" | "image/jpeg" | "image/webp"
  readonly prompt: string
  readonly seed?: number | undefined
  /** Distinguishes several images of one answer (index, interim thought image). */
  readonly salt?: string | undefined
  /** The first reference image of an edit request: the output is derived from it. */
  readonly reference?: Uint8Array | undefined
}

/**
 * A rendered image.
 *
 * @since 0.1.0
 * @category Models
 */
export interface RenderedImage {
  readonly bytes: Buffer
  readonly mimeType: "image/png" | "image/jpeg" | "image/webp"
  readonly width: number
  readonly height: number
}

/** Number of cells per side of the generated colour grid. */
const GRID = 4

const digest = (parts: ReadonlyArray<string>): Buffer => createHash("sha512").update(parts.join("\u0000")).digest()

/**
 * The grid colours (row-major, `GRID × GRID` RGB triples) a text-to-image render uses for a prompt / seed / salt.
 * Tests can compare a decoded pixel with these.
 *
 * @example
 * ```ts
 * import { Images } from "@nanogen/emulator"
 * const [topLeft] = Images.palette("a cat", undefined)
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const palette = (
  prompt: string,
  seed: number | undefined,
  salt?: string
): ReadonlyArray<readonly [number, number, number]> => {
  const hash = digest(["grid", prompt, String(seed ?? ""), salt ?? ""])
  const colours: Array<readonly [number, number, number]> = []
  for (let i = 0; i < GRID * GRID; i++) {
    colours.push([hash[i * 3]!, hash[i * 3 + 1]!, hash[i * 3 + 2]!])
  }
  return colours
}

/**
 * The colour of the frame drawn around an edited reference image.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const frameColour = (
  prompt: string,
  seed: number | undefined,
  salt?: string
): readonly [number, number, number] => {
  const hash = digest(["frame", prompt, String(seed ?? ""), salt ?? ""])
  return [hash[0]!, hash[1]!, hash[2]!]
}

/**
 * Width of the frame around an edited reference image, in pixels.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const frameWidth = (width: number, height: number): number =>
  Math.max(2, Math.round(Math.min(width, height) / 16))

const encode = (pipeline: sharp.Sharp, mimeType: RenderRequest["mimeType"]): Promise<Buffer> =>
  (mimeType === "image/png"
    ? pipeline.png({ compressionLevel: 1, adaptiveFiltering: false })
    : mimeType === "image/webp"
    ? pipeline.webp({ quality: 80, effort: 0 })
    : pipeline.jpeg({ quality: 85 })).toBuffer()

const renderUncached = async (request: RenderRequest): Promise<RenderedImage> => {
  const { height, mimeType, width } = request
  let pipeline: sharp.Sharp
  if (request.reference !== undefined) {
    const border = frameWidth(width, height)
    const [r, g, b] = frameColour(request.prompt, request.seed, request.salt)
    pipeline = sharp(request.reference)
      .rotate()
      .flatten({ background: { r: 255, g: 255, b: 255 } })
      .resize(width - 2 * border, height - 2 * border, { fit: "fill" })
      .extend({ top: border, bottom: border, left: border, right: border, background: { r, g, b } })
  } else {
    const cells = Buffer.from(palette(request.prompt, request.seed, request.salt).flat())
    pipeline = sharp(cells, { raw: { width: GRID, height: GRID, channels: 3 } })
      .resize(width, height, { kernel: "nearest", fit: "fill" })
  }
  const bytes = await encode(pipeline, mimeType)
  return { bytes, mimeType, width, height }
}

/**
 * A small LRU cache of render promises (concurrent identical requests share one render).
 *
 * @since 0.1.0
 * @category Models
 */
export class RenderCache {
  private readonly entries = new Map<string, Promise<RenderedImage>>()
  constructor(readonly capacity: number = 64) {}

  /** The cache key of a request. */
  static key(request: RenderRequest): string {
    const reference = request.reference === undefined
      ? ""
      : createHash("sha1").update(request.reference).digest("hex")
    return [
      request.width,
      request.height,
      request.mimeType,
      request.prompt,
      request.seed ?? "",
      request.salt ?? "",
      reference
    ].join("\u0000")
  }

  get size(): number {
    return this.entries.size
  }

  render(request: RenderRequest): Promise<RenderedImage> {
    const key = RenderCache.key(request)
    const hit = this.entries.get(key)
    if (hit !== undefined) {
      this.entries.delete(key)
      this.entries.set(key, hit)
      return hit
    }
    const promise = renderUncached(request)
    this.entries.set(key, promise)
    promise.catch(() => this.entries.delete(key))
    while (this.entries.size > this.capacity) {
      const oldest = this.entries.keys().next().value
      if (oldest === undefined) break
      this.entries.delete(oldest)
    }
    return promise
  }

  clear(): void {
    this.entries.clear()
  }
}

const sharedCache = new RenderCache()

/**
 * Renders an image (cached, process-wide LRU of 64 entries).
 *
 * @example
 * ```ts
 * import { Images } from "@nanogen/emulator"
 * const image = await Images.render({ width: 1024, height: 1024, mimeType: "image/png", prompt: "a cat" })
 * image.bytes.length > 0
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const render = (request: RenderRequest): Promise<RenderedImage> => sharedCache.render(request)

/**
 * Reads the format and pixel size of an input image; `undefined` when the bytes are not a decodable image.
 *
 * @example
 * ```ts
 * import { Images } from "@nanogen/emulator"
 * const info = await Images.probe(new Uint8Array([1, 2, 3])) // undefined
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const probe = async (
  bytes: Uint8Array
): Promise<{ readonly format: string; readonly width: number; readonly height: number } | undefined> => {
  try {
    const meta = await sharp(bytes).metadata()
    if (meta.width === undefined || meta.height === undefined || meta.format === undefined) return undefined
    return { format: meta.format, width: meta.width, height: meta.height }
  } catch {
    return undefined
  }
}
