/**
 * Building the AI/ML API `POST /images/generations` body (PROVIDERS.md §2.3) from a validated, resolved request.
 *
 * @since 0.1.0
 * @internal
 */
import type { ModelCatalog } from "@nanogen/core"
import { ImageRequest } from "@nanogen/core"

/**
 * The wire body. Only the fields nanogen sets; `providerOptions.aimlapi` adds any other.
 *
 * @since 0.1.0
 * @category Models
 * @internal
 */
export interface WireRequest {
  readonly model: string
  readonly prompt: string
  readonly image_urls?: ReadonlyArray<string>
  readonly aspect_ratio?: string
  readonly resolution?: string
  readonly num_images?: number
  readonly seed?: number
  readonly [extra: string]: unknown
}

/**
 * `image_urls` entries: bytes become a base64 data URL (type sniffed from the bytes), URLs (https or data) pass
 * through unchanged.
 *
 * @since 0.1.0
 * @category Constructors
 * @internal
 */
export const imageUrls = (images: ReadonlyArray<ImageRequest.ImageInput>): ReadonlyArray<string> =>
  images.map(ImageRequest.imageUrl)

/**
 * The wire body of one call asking for `count` images. `image_urls` is computed once by the caller and shared
 * by every call (the data URLs can be large).
 *
 * @since 0.1.0
 * @category Constructors
 * @internal
 */
export const build = (
  request: ImageRequest.ImageRequest,
  resolved: ModelCatalog.Resolved,
  urls: ReadonlyArray<string>,
  count: number,
  extra: Readonly<Record<string, unknown>>
): WireRequest => {
  const capability = resolved.capability
  // A native id the catalog does not know is passed through: send what the caller asked for, unchecked.
  const sendSize = resolved.imageSize !== undefined && (capability === undefined || capability.imageSizes.length > 0)
  const sendSeed = request.seed !== undefined && (capability === undefined || capability.seed)
  const body: Record<string, unknown> = { model: resolved.model, prompt: request.prompt }
  if (urls.length > 0) body.image_urls = urls
  if (resolved.aspectRatio !== undefined) body.aspect_ratio = resolved.aspectRatio
  if (sendSize) body.resolution = resolved.imageSize
  if (count > 1) body.num_images = count
  if (sendSeed) body.seed = request.seed
  return { ...body, ...extra } as WireRequest
}
