/**
 * The model catalog: aliases (`nano-banana`, `nano-banana-2`, `nano-banana-pro`), their native ids on each
 * backend, what each (backend, model) accepts, list prices, and the one check of a request against a backend.
 * Every value comes from PROVIDERS.md (§1.1, §1.3, §2.2, §2.3, §3.1, §3.3, §4).
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import { sniffMimeType as sniffed } from "./ImageBytes.js"
import { InvalidRequest, UnsupportedRequest } from "./ImageGenerationError.js"
import type { AspectRatio, ImageRequest, ImageSize } from "./ImageRequest.js"
import { aspectRatios as allRatios } from "./ImageRequest.js"

/**
 * The backends nanogen ships.
 *
 * @since 0.1.0
 * @category Models
 */
export type Backend = "openrouter" | "aimlapi" | "google-direct"

/**
 * @since 0.1.0
 * @category Models
 */
export const backends: ReadonlyArray<Backend> = ["openrouter", "google-direct", "aimlapi"]

/**
 * @since 0.1.0
 * @category Models
 */
export type Alias = "nano-banana" | "nano-banana-2" | "nano-banana-pro"

/**
 * What one backend accepts for one model in one mode (text-to-image or edit).
 *
 * @since 0.1.0
 * @category Models
 */
export interface Capability {
  /** The native model id to send. */
  readonly id: string
  readonly aspectRatios: ReadonlyArray<AspectRatio>
  /** Size tiers the backend lets you choose; empty when the model has one fixed size (about 1K). */
  readonly imageSizes: ReadonlyArray<ImageSize>
  /** Reference images per call; 0 for a text-to-image-only id. */
  readonly maxImages: number
  /** Images one call can return (`num_images`); 1 where the backend returns one per call. */
  readonly maxPerCall: number
  /** Whether the backend takes a `seed`. */
  readonly seed: boolean
  /** Input image types the backend accepts. */
  readonly inputTypes: ReadonlyArray<string>
}

/**
 * A backend's entry for one model: the text-to-image capability and, where the backend uses a separate id for
 * edits (AI/ML API), the edit capability.
 *
 * @since 0.1.0
 * @category Models
 */
export interface BackendModel {
  readonly generate: Capability
  readonly edit?: Capability
}

/**
 * A backend's capability table: what it serves for each of Google's model aliases. A model the table leaves out is
 * one the backend does not serve.
 *
 * @since 0.2.0
 * @category Models
 */
export type Table = { readonly [A in Alias]?: BackendModel }

/**
 * Where a model stands: `preview`, generally available (`ga`), `deprecated` (works, with a warning naming the
 * replacement) or `shutdown` (refused before any call). Dates are ISO days (`"2026-06-25"`), for information only.
 *
 * @since 0.2.0
 * @category Models
 */
export interface Lifecycle {
  readonly status: "preview" | "ga" | "deprecated" | "shutdown"
  readonly deprecatedOn?: string | undefined
  readonly shutdownOn?: string | undefined
  /** The alias (or native id) to move to. */
  readonly replacement?: string | undefined
}

/**
 * Another native id a backend serves for a model (a preview or an older name), with its own lifecycle when it
 * differs from the model's (a preview id shut down while the GA id lives on).
 *
 * @since 0.2.0
 * @category Models
 */
export interface NativeAlias {
  readonly alias: Alias
  readonly lifecycle?: Lifecycle | undefined
}

/**
 * A backend's other native ids, by id.
 *
 * @since 0.2.0
 * @category Models
 */
export type NativeAliases = Readonly<Record<string, NativeAlias>>

/**
 * USD per million tokens, for estimated costs.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Price {
  readonly inputPerMTok: number
  readonly textOutputPerMTok: number
  readonly imageOutputPerMTok: number
}

/**
 * One catalog entry: the model as Google defines it (the ceiling for every backend) and its per-backend ids.
 *
 * @since 0.1.0
 * @category Models
 */
export interface ModelEntry {
  readonly alias: Alias
  readonly displayName: string
  readonly aspectRatios: ReadonlyArray<AspectRatio>
  readonly imageSizes: ReadonlyArray<ImageSize>
  readonly maxImages: number
  /** List prices on the Gemini API (mid-2026), used for `cost.source: "estimated"`. */
  readonly price: Price
  readonly backends: { readonly [B in Backend]: BackendModel }
}

const TEN: ReadonlyArray<AspectRatio> = ["1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"]
const FIVE: ReadonlyArray<AspectRatio> = ["1:1", "3:4", "4:3", "9:16", "16:9"]
const FOURTEEN: ReadonlyArray<AspectRatio> = allRatios
const OPENROUTER_INPUT = ["image/png", "image/jpeg", "image/webp", "image/gif"]
const GEMINI_INPUT = ["image/png", "image/jpeg", "image/webp", "image/heic", "image/heif"]
const AIML_INPUT = ["image/png", "image/jpeg", "image/webp"]

const cap = (
  id: string,
  aspectRatios: ReadonlyArray<AspectRatio>,
  imageSizes: ReadonlyArray<ImageSize>,
  maxImages: number,
  inputTypes: ReadonlyArray<string>,
  extra: Partial<Pick<Capability, "maxPerCall" | "seed">> = {}
): Capability => ({ id, aspectRatios, imageSizes, maxImages, inputTypes, maxPerCall: 1, seed: false, ...extra })

/**
 * The catalog. Ids change (the AI/ML API renamed its edit ids twice in 2026): they live here, not in provider
 * code.
 *
 * @example
 * ```ts
 * import { ModelCatalog } from "@nanogen/core"
 * ModelCatalog.entries["nano-banana-pro"].backends["google-direct"].generate.id // "gemini-3-pro-image"
 * ```
 * @since 0.1.0
 * @category Models
 */
export const entries: { readonly [A in Alias]: ModelEntry } = {
  "nano-banana": {
    alias: "nano-banana",
    displayName: "Nano Banana (Gemini 2.5 Flash Image)",
    aspectRatios: TEN,
    imageSizes: ["1K"],
    maxImages: 3,
    price: { inputPerMTok: 0.3, textOutputPerMTok: 2.5, imageOutputPerMTok: 30 },
    backends: {
      openrouter: { generate: cap("google/gemini-2.5-flash-image", TEN, [], 3, OPENROUTER_INPUT, { seed: true }) },
      "google-direct": { generate: cap("gemini-2.5-flash-image", TEN, [], 3, GEMINI_INPUT, { seed: true }) },
      aimlapi: {
        generate: cap("google/gemini-2.5-flash-image", TEN, [], 0, AIML_INPUT, { maxPerCall: 4 }),
        edit: cap("google/nano-banana-edit", FIVE, [], 3, AIML_INPUT, { maxPerCall: 4, seed: true })
      }
    }
  },
  "nano-banana-2": {
    alias: "nano-banana-2",
    displayName: "Nano Banana 2 (Gemini 3.1 Flash Image)",
    aspectRatios: FOURTEEN,
    imageSizes: ["512", "1K", "2K", "4K"],
    maxImages: 14,
    price: { inputPerMTok: 0.5, textOutputPerMTok: 3, imageOutputPerMTok: 60 },
    backends: {
      openrouter: {
        generate: cap(
          "google/gemini-3.1-flash-image-preview",
          FOURTEEN,
          ["512", "1K", "2K", "4K"],
          14,
          OPENROUTER_INPUT,
          {
            seed: true
          }
        )
      },
      "google-direct": {
        generate: cap("gemini-3.1-flash-image", FOURTEEN, ["512", "1K", "2K", "4K"], 14, GEMINI_INPUT, { seed: true })
      },
      aimlapi: { generate: cap("google/nano-banana-2", FIVE, ["1K", "2K", "4K"], 5, AIML_INPUT) }
    }
  },
  "nano-banana-pro": {
    alias: "nano-banana-pro",
    displayName: "Nano Banana Pro (Gemini 3 Pro Image)",
    aspectRatios: TEN,
    imageSizes: ["1K", "2K", "4K"],
    maxImages: 14,
    price: { inputPerMTok: 2, textOutputPerMTok: 12, imageOutputPerMTok: 120 },
    backends: {
      openrouter: {
        generate: cap("google/gemini-3-pro-image-preview", TEN, ["1K", "2K", "4K"], 14, OPENROUTER_INPUT, {
          seed: true
        })
      },
      "google-direct": {
        generate: cap("gemini-3-pro-image", TEN, ["1K", "2K", "4K"], 14, GEMINI_INPUT, { seed: true })
      },
      aimlapi: {
        generate: cap("google/nano-banana-pro", TEN, ["1K", "2K", "4K"], 0, AIML_INPUT, { maxPerCall: 4 }),
        edit: cap("google/gemini-3-pro-image-edit", FIVE, ["1K", "2K", "4K"], 5, AIML_INPUT, { maxPerCall: 4 })
      }
    }
  }
}

/**
 * Other native ids each backend serves for a catalog model (preview/GA names, older edit ids).
 *
 * @since 0.1.0
 * @category Models
 */
export const nativeAliases: { readonly [B in Backend]: Readonly<Record<string, Alias>> } = {
  openrouter: {
    "google/gemini-2.5-flash-image-preview": "nano-banana",
    "google/gemini-3.1-flash-image": "nano-banana-2",
    "google/gemini-3-pro-image": "nano-banana-pro"
  },
  "google-direct": {
    "gemini-3.1-flash-image-preview": "nano-banana-2",
    "gemini-3-pro-image-preview": "nano-banana-pro"
  },
  aimlapi: {
    "google/gemini-3-1-flash-image-preview": "nano-banana-2",
    "google/gemini-3-pro-image-preview": "nano-banana-pro"
  }
}

/**
 * Whether a string is one of the catalog aliases.
 *
 * @since 0.1.0
 * @category Guards
 */
export const isAlias = (model: string): model is Alias => Object.prototype.hasOwnProperty.call(entries, model)

/**
 * The catalog entry a model id names on a backend: an alias, the backend's native id of an alias, or one of
 * `nativeAliases`. `undefined` for ids the catalog does not know.
 *
 * @example
 * ```ts
 * import { ModelCatalog } from "@nanogen/core"
 * ModelCatalog.lookup("google-direct", "gemini-3-pro-image-preview")?.alias // "nano-banana-pro"
 * ```
 * @since 0.1.0
 * @category Accessors
 */
export const lookup = (backend: Backend, model: string): ModelEntry | undefined => {
  if (isAlias(model)) return entries[model]
  const alias = nativeAliases[backend][model]
  if (alias !== undefined) return entries[alias]
  for (const entry of Object.values(entries)) {
    const backendModel = entry.backends[backend]
    if (backendModel.generate.id === model || backendModel.edit?.id === model) return entry
  }
  return undefined
}

/**
 * A request checked against one backend: the native parameters to send.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Resolved {
  /** The native model id to send (the edit id when the backend has one and the request carries images). */
  readonly model: string
  /** The catalog entry, or `undefined` for a native id passed through unchecked. */
  readonly entry: ModelEntry | undefined
  /** The capability checked, or `undefined` for a pass-through id. */
  readonly capability: Capability | undefined
  readonly aspectRatio: AspectRatio | undefined
  /** The size tier to send; `undefined` when none was asked or the model has a single fixed size. */
  readonly imageSize: ImageSize | undefined
  /** Requested options the backend ignores (e.g. `seed`), for `ImageResult.warnings`. */
  readonly warnings: ReadonlyArray<string>
}

/**
 * Checks a validated request against a backend. Answers:
 * - `InvalidRequest` when the model itself cannot do it on any backend (a ratio or size the model lacks, more
 *   reference images than it takes);
 * - `UnsupportedRequest` when the model can but this backend cannot (AI/ML API's five-ratio Nano Banana 2, …);
 * - otherwise the native parameters. Model ids the catalog does not know pass through unchecked.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { ModelCatalog } from "@nanogen/core"
 * declare const request: import("@nanogen/core").ImageRequest.ImageRequest
 * const resolved = ModelCatalog.resolve("openrouter", request)
 * if (Either.isRight(resolved)) console.log(resolved.right.model) // "google/gemini-3.1-flash-image-preview"
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const resolve = (
  backend: Backend,
  request: ImageRequest
): Either.Either<Resolved, InvalidRequest | UnsupportedRequest> => {
  const entry = lookup(backend, request.model)
  if (entry === undefined) {
    return Either.right({
      model: request.model,
      entry: undefined,
      capability: undefined,
      aspectRatio: request.aspectRatio,
      imageSize: request.imageSize,
      warnings: []
    })
  }
  const invalid = (field: string, message: string) =>
    Either.left(new InvalidRequest({ provider: backend, field, message: `${entry.displayName}: ${message}` }))
  const unsupported = (field: string, message: string) =>
    Either.left(
      new UnsupportedRequest({ provider: backend, field, model: request.model, message: `${backend}: ${message}` })
    )

  if (request.aspectRatio !== undefined && !entry.aspectRatios.includes(request.aspectRatio)) {
    return invalid(
      "aspectRatio",
      `aspectRatio must be one of ${entry.aspectRatios.join(", ")} (got ${request.aspectRatio})`
    )
  }
  if (request.imageSize !== undefined && !entry.imageSizes.includes(request.imageSize)) {
    return invalid("imageSize", `imageSize must be one of ${entry.imageSizes.join(", ")} (got ${request.imageSize})`)
  }
  if (request.images.length > entry.maxImages) {
    return invalid("images", `takes at most ${entry.maxImages} reference images (got ${request.images.length})`)
  }

  const backendModel = entry.backends[backend]
  const editing = request.images.length > 0
  const capability = editing && backendModel.edit !== undefined ? backendModel.edit : backendModel.generate
  const requested = isAlias(request.model) ? capability.id : request.model
  const where = `${requested} on ${backend}`

  if (request.aspectRatio !== undefined && !capability.aspectRatios.includes(request.aspectRatio)) {
    return unsupported(
      "aspectRatio",
      `${where} accepts aspectRatio ${capability.aspectRatios.join(", ")} only (got ${request.aspectRatio})`
    )
  }
  // A model with one fixed size (2.5 Flash Image) produces about 1K: asking for "1K" is satisfied as is.
  const fixedSize = capability.imageSizes.length === 0
  if (request.imageSize !== undefined && !(fixedSize && request.imageSize === "1K")) {
    if (!capability.imageSizes.includes(request.imageSize)) {
      return unsupported(
        "imageSize",
        fixedSize
          ? `${where} has a single fixed size (about 1K) and takes no imageSize (got ${request.imageSize})`
          : `${where} accepts imageSize ${capability.imageSizes.join(", ")} only (got ${request.imageSize})`
      )
    }
  }
  if (request.images.length > capability.maxImages) {
    return unsupported(
      "images",
      `${where} takes at most ${capability.maxImages} reference images (got ${request.images.length})`
    )
  }
  for (const [index, image] of request.images.entries()) {
    if ("data" in image) {
      const type = sniffed(image.data)
      if (type !== undefined && !capability.inputTypes.includes(type)) {
        return unsupported(
          `images[${index}]`,
          `${where} accepts ${capability.inputTypes.join(", ")} reference images only (got ${type})`
        )
      }
    }
  }
  const warnings = request.seed !== undefined && !capability.seed
    ? [`seed is not supported by ${where} and was ignored`]
    : []
  return Either.right({
    model: requested,
    entry,
    capability,
    aspectRatio: request.aspectRatio,
    imageSize: fixedSize ? undefined : request.imageSize,
    warnings
  })
}

/**
 * Estimated USD cost of one call from token counts and the model's list price. Image output tokens are priced at
 * the image rate, everything else the model emitted (text, thoughts) at the text rate.
 *
 * @example
 * ```ts
 * import { ModelCatalog } from "@nanogen/core"
 * ModelCatalog.estimateCost(ModelCatalog.entries["nano-banana"].price, { inputTokens: 10, imageOutputTokens: 1290 })
 * // ≈ 0.0387
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const estimateCost = (
  price: Price,
  tokens: { readonly inputTokens?: number; readonly imageOutputTokens?: number; readonly textOutputTokens?: number }
): number =>
  ((tokens.inputTokens ?? 0) * price.inputPerMTok +
    (tokens.imageOutputTokens ?? 0) * price.imageOutputPerMTok +
    (tokens.textOutputTokens ?? 0) * price.textOutputPerMTok) / 1_000_000
