/**
 * Reference images of edit requests: data URLs, loopback URLs, base64 inline data. The emulator never fetches a
 * non-loopback address; such a reference has no bytes and the answer falls back to a text-to-image render salted
 * with the URL.
 *
 * @internal
 */
import * as Catalog from "../Catalog.js"
import * as Images from "../Images.js"

/** @internal */
export interface Reference {
  /** Where the reference came from (data URL prefix or URL), used as render salt when `bytes` is absent. */
  readonly source: string
  readonly declaredMimeType: string | undefined
  readonly bytes: Uint8Array | undefined
}

/** @internal */
export const ACCEPTED_INPUT_TYPES: ReadonlyArray<string> = ["image/png", "image/jpeg", "image/webp", "image/gif"]

const DATA_URL = /^data:([^;,]+)?(?:;[^;,]*)*;base64,(.*)$/s

/** Parses a `data:<mime>;base64,<data>` URL. @internal */
export const parseDataUrl = (url: string): { mimeType: string | undefined; bytes: Buffer } | undefined => {
  const match = DATA_URL.exec(url)
  if (match === null) return undefined
  return { mimeType: match[1], bytes: Buffer.from(match[2] ?? "", "base64") }
}

const LOOPBACK = new Set(["127.0.0.1", "localhost", "[::1]", "::1"])

/** Whether a URL points at this machine. @internal */
export const isLoopback = (url: URL): boolean => LOOPBACK.has(url.hostname)

/**
 * Resolves a URL reference: data URLs are decoded, `local` may answer for the emulator's own CDN, other loopback
 * URLs are fetched (5 s timeout), anything else stays without bytes.
 *
 * @internal
 */
export const resolveUrl = async (
  url: string,
  local: (url: URL) => Uint8Array | undefined = () => undefined
): Promise<Reference> => {
  if (url.startsWith("data:")) {
    const parsed = parseDataUrl(url)
    return { source: url.slice(0, 64), declaredMimeType: parsed?.mimeType, bytes: parsed?.bytes }
  }
  let parsed: URL
  try {
    parsed = new URL(url)
  } catch {
    return { source: url, declaredMimeType: undefined, bytes: undefined }
  }
  const own = local(parsed)
  if (own !== undefined) return { source: url, declaredMimeType: undefined, bytes: own }
  if (!isLoopback(parsed) || (parsed.protocol !== "http:" && parsed.protocol !== "https:")) {
    return { source: url, declaredMimeType: undefined, bytes: undefined }
  }
  try {
    const response = await fetch(parsed, { signal: AbortSignal.timeout(5_000) })
    if (!response.ok) return { source: url, declaredMimeType: undefined, bytes: undefined }
    const bytes = new Uint8Array(await response.arrayBuffer())
    return { source: url, declaredMimeType: response.headers.get("content-type") ?? undefined, bytes }
  } catch {
    return { source: url, declaredMimeType: undefined, bytes: undefined }
  }
}

/** Whether the bytes of a reference decode as an image. @internal */
export const decodable = async (reference: Reference): Promise<boolean> =>
  reference.bytes === undefined || (await Images.probe(reference.bytes)) !== undefined

/** Rough token count of a text (4 characters a token, at least 1). @internal */
export const textTokens = (text: string): number => Math.max(1, Math.ceil(text.length / 4))

/** A short pseudo-random id. @internal */
export const randomId = (
  length: number,
  alphabet = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
) => {
  let id = ""
  for (let i = 0; i < length; i++) id += alphabet[Math.floor(Math.random() * alphabet.length)]
  return id
}

/** Narrowing helper for parsed JSON objects. @internal */
export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === "object" && value !== null && !Array.isArray(value)

/**
 * Renders `count` distinct images of one answer (salted by index; a reference without bytes salts with its URL);
 * edits derive each from the first reference. @internal
 */
export const renderVariants = (request: {
  readonly count: number
  /** The output's pixel size is `Catalog.pixelSize(family, ratio, tier)`. */
  readonly family: Catalog.Family
  readonly ratio: string
  readonly tier: Catalog.SizeTier
  readonly mimeType: Images.RenderRequest["mimeType"]
  readonly prompt: string
  readonly seed: number | undefined
  readonly references: ReadonlyArray<Reference>
}): Promise<Array<Images.RenderedImage>> => {
  const first = request.references[0]
  const { height, width } = Catalog.pixelSize(request.family, request.ratio, request.tier)
  return Promise.all(
    Array.from({ length: request.count }, (_, index) =>
      Images.render({
        width,
        height,
        mimeType: request.mimeType,
        prompt: request.prompt,
        seed: request.seed,
        salt: [index === 0 ? "" : String(index), first !== undefined && first.bytes === undefined ? first.source : ""]
          .join(""),
        reference: first?.bytes
      }))
  )
}
