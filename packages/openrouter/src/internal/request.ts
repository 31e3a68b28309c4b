/**
 * Building the `POST /chat/completions` body (PROVIDERS.md §1.2, §1.3).
 *
 * @since 0.1.0
 * @internal
 */
import { ImageRequest, ModelCatalog } from "@nanogen/core"
import * as Predicate from "effect/Predicate"

/**
 * nanogen's size tier → OpenRouter's `image_size` (`"512"` is spelled `"0.5K"`; uppercase K).
 *
 * @internal
 */
export const imageSizeToWire = (size: ImageRequest.ImageSize): string => size === "512" ? "0.5K" : size

type ContentPart =
  | { readonly type: "text"; readonly text: string }
  | { readonly type: "image_url"; readonly image_url: { readonly url: string } }

/**
 * One content part per reference image: bytes become a data URL with the sniffed type (the caller's `mimeType`
 * is only a hint), URLs (https or data) are passed through.
 *
 * @internal
 */
export const imagePart = (image: ImageRequest.ImageInput): ContentPart => ({
  type: "image_url",
  image_url: { url: ImageRequest.imageUrl(image) }
})

/**
 * The wire body: model, `modalities: ["image","text"]`, one user message (text first, then the images),
 * `image_config` with only the keys that are set, `seed`, `stream`, and `providerOptions.openrouter` merged in last
 * (its `image_config` merged key by key).
 *
 * @internal
 */
export const build = (
  request: ImageRequest.ImageRequest,
  resolved: ModelCatalog.Resolved,
  extra: Readonly<Record<string, unknown>>,
  stream: boolean
): Record<string, unknown> => {
  // a session's earlier turns (this backend's own: ImageProvider.make re-seeds any other history)
  const earlier = (request.history ?? []).map((turn) => {
    if (turn.role === "user") {
      return { role: "user", content: [{ type: "text", text: turn.prompt }, ...(turn.images ?? []).map(imagePart)] }
    }
    if (turn.format !== "chat") throw new Error(`a ${turn.format} turn cannot be sent to OpenRouter chat completions`)
    return turn.message
  })
  const imageConfig: Record<string, unknown> = {}
  if (resolved.aspectRatio !== undefined) imageConfig.aspect_ratio = resolved.aspectRatio
  if (resolved.imageSize !== undefined) imageConfig.image_size = imageSizeToWire(resolved.imageSize)
  const sendSeed = request.seed !== undefined && (resolved.capability === undefined || resolved.capability.seed)

  const body: Record<string, unknown> = {
    model: resolved.model,
    modalities: ["image", "text"],
    messages: [...earlier, {
      role: "user",
      content: [{ type: "text", text: request.prompt }, ...request.images.map(imagePart)]
    }]
  }
  if (Object.keys(imageConfig).length > 0) body.image_config = imageConfig
  if (sendSeed) body.seed = request.seed
  if (stream) body.stream = true

  if (Object.keys(extra).length === 0) return body
  const merged: Record<string, unknown> = { ...body, ...extra }
  if (Predicate.isRecord(extra.image_config) && Predicate.isRecord(body.image_config)) {
    merged.image_config = { ...body.image_config, ...extra.image_config }
  }
  return merged
}

/**
 * The request options chat completions cannot carry: search grounding and thinking levels (warned, not sent).
 *
 * @internal
 */
export const unmapped = (resolved: ModelCatalog.Resolved): ReadonlyArray<string> =>
  ModelCatalog.unmapped(resolved, "openrouter", { grounding: false, thinkingLevel: false })
