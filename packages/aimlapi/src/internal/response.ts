/**
 * Decoding an AI/ML API `images/generations` answer (PROVIDERS.md §2.4): every documented form — `data[]` with
 * `url` or `b64_json` and `mime_type` or `content_type`, `images[]`, LiteLLM's `output.choices[]` — plus
 * `description` and `meta.usage`. Only the fields nanogen reads are decoded.
 *
 * @since 0.1.0
 * @internal
 */
import type { ImageResult } from "@nanogen/core"
import { DataUrl, ImageBytes, ImageDownload, ImageGenerationError, ProviderClient } from "@nanogen/core"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import * as Wire from "./wire.js"

/**
 * Where one generated image is: inline bytes, or a URL still to download.
 *
 * @since 0.1.0
 * @category Models
 * @internal
 */
export type Source =
  | { readonly _tag: "Bytes"; readonly data: Uint8Array }
  | { readonly _tag: "Url"; readonly url: string | ImageBytes.DecodedBase64 }

/**
 * A decoded answer before the images are fetched.
 *
 * @since 0.1.0
 * @category Models
 * @internal
 */
export interface Decoded {
  readonly sources: ReadonlyArray<Source>
  /** `description`, when non-empty. */
  readonly text: string | undefined
  readonly usage: ImageResult.Usage
  readonly cost: ImageResult.Cost | undefined
  readonly credits: number | undefined
}

const present = <A extends string | ImageBytes.DecodedBase64>(value: A | null | undefined): value is A =>
  value !== undefined && value !== null && value !== ""

const sourceOf = (item: typeof Wire.Item.Type): Source | undefined => {
  const base64 = present(item.b64_json) ? item.b64_json : present(item.image_base64) ? item.image_base64 : undefined
  if (base64 !== undefined) {
    if (DataUrl.isDataUrl(base64)) {
      const parsed = DataUrl.parse(base64)
      return parsed === undefined ? undefined : { _tag: "Bytes", data: parsed.data }
    }
    return { _tag: "Bytes", data: ImageBytes.fromBase64(base64) }
  }
  return present(item.url) ? { _tag: "Url", url: item.url } : undefined
}

/** An array body matches no documented form (the schema's fields are all optional). */
const NotAnArray = Schema.Never as unknown as typeof Wire.WireResponse

/**
 * Decodes a 2xx body. A body that is not one of the documented shapes is `MalformedResponse`.
 *
 * @since 0.1.0
 * @category Constructors
 * @internal
 */
export const decode = (
  provider: string,
  model: string,
  status: number,
  body: unknown
): Effect.Effect<Decoded, ImageGenerationError.MalformedResponse> =>
  ProviderClient.decode(provider, Array.isArray(body) ? NotAnArray : Wire.WireResponse, body).pipe(
    Effect.mapError((error) =>
      new ImageGenerationError.MalformedResponse({ provider, model, status, message: error.message })
    ),
    Effect.map(fromWire)
  )

const fromWire = (wire: typeof Wire.WireResponse.Type): Decoded => {
  const items = [...(wire.data ?? []), ...(wire.images ?? []), ...(wire.output?.choices ?? [])]
  const sources: Array<Source> = []
  for (const item of items) {
    const source = sourceOf(item)
    if (source !== undefined) sources.push(source)
  }
  const usage = wire.meta?.usage
  const tokens = usage?.tokens_used ?? undefined
  const usd = usage?.usd_spent ?? undefined
  return {
    sources,
    text: present(wire.description) ? wire.description : undefined,
    usage: tokens === undefined ? {} : { totalTokens: tokens },
    cost: usd === undefined ? undefined : { usd, source: "reported" },
    credits: usage?.credits_used ?? undefined
  }
}

/**
 * Turns a source into an image: inline bytes are identified, URLs are downloaded with `download` (the
 * provider's `ProviderClient.download`, SSRF-checked). The type always comes from the bytes.
 *
 * @since 0.1.0
 * @category Constructors
 * @internal
 */
export const fetchImage = (
  provider: string,
  model: string,
  source: Source,
  download: (
    url: string | ImageBytes.DecodedBase64
  ) => Effect.Effect<ImageDownload.Downloaded, ImageDownload.DownloadFailed>
): Effect.Effect<
  ImageResult.GeneratedImage,
  | ImageGenerationError.NoImageReturned
  | ImageGenerationError.ProviderUnavailable
  | ImageGenerationError.MalformedResponse
> => {
  if (source._tag === "Url") {
    // A download is already a GeneratedImage: bytes, sniffed type and, where readable, the size.
    return download(source.url).pipe(Effect.mapError((error) => ImageDownload.toResultError(provider, error)))
  }
  const info = ImageBytes.inspect(source.data)
  return info === undefined
    ? Effect.fail(
      new ImageGenerationError.MalformedResponse({
        provider,
        model,
        message: `${provider}: an inline image (b64_json) is not a PNG, JPEG, WebP, GIF or HEIF image`
      })
    )
    : Effect.succeed({ data: source.data, ...info })
}
