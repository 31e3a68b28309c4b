/**
 * Building the `generateContent` body (PROVIDERS.md §3.2, §3.3): text first, then one `inlineData` per
 * reference image, `generationConfig` with modalities, `imageConfig` and `seed`, and the caller's
 * `providerOptions["google-direct"]` merged in.
 *
 * @since 0.1.0
 * @internal
 */
import type { ImageRequest, ImageTurn, ModelCatalog } from "@nanogen/core"
import * as Predicate from "effect/Predicate"

/** One reference image, already as bytes with its sniffed type. @internal */
export interface InlineImage {
  readonly mimeType: string
  readonly data: string
}

/** `imageConfig` fields only Vertex AI knows; the Gemini API answers 400 "Unknown name" (§3.2). @internal */
export const vertexOnlyImageConfigFields: ReadonlyArray<string> = [
  "personGeneration",
  "outputMimeType",
  "outputCompressionQuality",
  "imageOutputOptions",
  "prominentPeople"
]

const snake = (name: string) => name.replace(/[A-Z]/g, (char) => `_${char.toLowerCase()}`)

const isPlainObject = Predicate.isRecord

/** Deep merge of plain objects: `override` wins, arrays and other values replace. @internal */
export const deepMerge = (
  base: Readonly<Record<string, unknown>>,
  override: Readonly<Record<string, unknown>>
): Record<string, unknown> => {
  const out: Record<string, unknown> = { ...base }
  for (const [key, value] of Object.entries(override)) {
    const current = out[key]
    out[key] = isPlainObject(current) && isPlainObject(value) ? deepMerge(current, value) : value
  }
  return out
}

/** `google_search` with web search alone (the default) or the search types asked for. */
const searchOf = (grounding: { readonly googleSearch: boolean; readonly imageSearch: boolean }) =>
  grounding.imageSearch
    ? { search_types: { ...(grounding.googleSearch ? { web_search: {} } : {}), image_search: {} } }
    : {}

/** The wire body and what was dropped from it. @internal */
export interface Built {
  readonly body: Record<string, unknown>
  readonly warnings: ReadonlyArray<string>
}

/** Removes keys from a config object (camelCase and proto snake_case names), reporting each. */
const strip = (
  config: Record<string, unknown>,
  names: ReadonlyArray<string>,
  describe: (name: string) => string,
  warnings: Array<string>
): Record<string, unknown> => {
  const out = { ...config }
  for (const field of names) {
    for (const name of new Set([field, snake(field)])) {
      if (name in out) {
        delete out[name]
        warnings.push(describe(name))
      }
    }
  }
  return out
}

/**
 * The contents of a session's earlier turns (only this backend's own turns reach here): a user turn as a `user`
 * content (prompt, then its images), a model turn as a `model` content with its parts exactly as received.
 *
 * @internal
 */
export const historyContents = (
  turns: ReadonlyArray<ImageTurn.Turn>,
  images: ReadonlyArray<ReadonlyArray<InlineImage>>
): Array<unknown> =>
  turns.map((turn, index) => {
    if (turn.role === "user") {
      return {
        role: "user",
        parts: [
          { text: turn.prompt },
          ...(images[index] ?? []).map((image) => ({ inlineData: { mimeType: image.mimeType, data: image.data } }))
        ]
      }
    }
    if (turn.format !== "gemini") throw new Error(`a ${turn.format} turn cannot be sent to the Gemini API`)
    return { role: "model", parts: turn.parts }
  })

/**
 * The body of one `generateContent` call (one image: `n` is fanned out by the caller), after the `earlier`
 * contents of a session.
 *
 * @internal
 */
export const build = (
  request: ImageRequest.ImageRequest,
  resolved: ModelCatalog.Resolved,
  images: ReadonlyArray<InlineImage>,
  extra: Readonly<Record<string, unknown>>,
  earlier: ReadonlyArray<unknown> = []
): Built => {
  const warnings: Array<string> = []
  const imageConfig: Record<string, unknown> = {}
  if (resolved.aspectRatio !== undefined) imageConfig.aspectRatio = resolved.aspectRatio
  if (resolved.imageSize !== undefined) imageConfig.imageSize = resolved.imageSize
  const generationConfig: Record<string, unknown> = { responseModalities: ["TEXT", "IMAGE"] }
  if (Object.keys(imageConfig).length > 0) generationConfig.imageConfig = imageConfig
  if (request.seed !== undefined) generationConfig.seed = request.seed
  // The SDK's enum spelling; the models take `MINIMAL`, `LOW`, `MEDIUM`, `HIGH`.
  if (resolved.thinkingLevel !== undefined) {
    generationConfig.thinkingConfig = { thinkingLevel: resolved.thinkingLevel.toUpperCase() }
  }

  let body: Record<string, unknown> = {
    contents: [...earlier, {
      role: "user",
      parts: [
        { text: request.prompt },
        ...images.map((image) => ({ inlineData: { mimeType: image.mimeType, data: image.data } }))
      ]
    }],
    generationConfig
  }
  if (resolved.grounding !== undefined) body.tools = [{ google_search: searchOf(resolved.grounding) }]
  if (Object.keys(extra).length > 0) {
    // accept the proto name too, but send one camelCase generationConfig
    const { generation_config: snakeConfig, ...rest } = extra as Record<string, unknown>
    const merged = isPlainObject(snakeConfig)
      ? deepMerge(rest, {
        generationConfig: deepMerge(snakeConfig, isPlainObject(rest.generationConfig) ? rest.generationConfig : {})
      })
      : rest
    body = deepMerge(body, merged)
  }
  if (isPlainObject(body.generationConfig)) {
    let config = strip(
      body.generationConfig,
      ["candidateCount"],
      (name) => `providerOptions["google-direct"].generationConfig.${name} was not sent: n > 1 becomes parallel calls`,
      warnings
    )
    for (const key of ["imageConfig", "image_config"]) {
      if (isPlainObject(config[key])) {
        config = {
          ...config,
          [key]: strip(
            config[key],
            vertexOnlyImageConfigFields,
            (name) => `imageConfig.${name} is a Vertex AI field the Gemini API rejects, and was not sent`,
            warnings
          )
        }
      }
    }
    body = { ...body, generationConfig: config }
  }
  return { body, warnings }
}
