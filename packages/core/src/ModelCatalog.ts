/**
 * Google's model facts — the aliases (`nano-banana`, `nano-banana-2`, `nano-banana-2-lite`, `nano-banana-2.1`,
 * `nano-banana-pro`), what each model can do at most, its list price and token counts, and its lifecycle — and the
 * one check of a request against any backend's capability table. Core knows no backend: each backend's table (its
 * native ids and what it accepts) lives in its own package's `ProviderDefinition`.
 *
 * @since 0.1.0
 */
import * as Either from "effect/Either"
import { sniffMimeType as sniffed } from "./ImageBytes.js"
import { InvalidRequest, UnsupportedRequest } from "./ImageGenerationError.js"
import type { AspectRatio, ImageRequest, ImageSize, ThinkingLevel } from "./ImageRequest.js"
import { aspectRatios as allRatios } from "./ImageRequest.js"

/**
 * Google's model aliases, the names nanogen users write.
 *
 * @since 0.1.0
 * @category Models
 */
export type Alias = "nano-banana" | "nano-banana-2" | "nano-banana-2-lite" | "nano-banana-2.1" | "nano-banana-pro"

/**
 * Every alias, oldest model first.
 *
 * @example
 * ```ts
 * import { ModelCatalog } from "@nanogen/core"
 * ModelCatalog.aliases.includes("nano-banana-2.1") // true
 * ```
 * @since 0.2.0
 * @category Models
 */
export const aliases: ReadonlyArray<Alias> = [
  "nano-banana",
  "nano-banana-2",
  "nano-banana-2-lite",
  "nano-banana-2.1",
  "nano-banana-pro"
]

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
  /** Images one call can return; 1 where the backend returns one per call. */
  readonly maxPerCall: number
  /** Whether the backend takes a `seed`. */
  readonly seed: boolean
  /** Input image types the backend accepts. */
  readonly inputTypes: ReadonlyArray<string>
  /** The backend's own price, when it differs from Google's list price. */
  readonly price?: Price | undefined
}

/**
 * A backend's entry for one model: the text-to-image capability and, where the backend uses a separate id for
 * edits, the edit capability.
 *
 * @since 0.1.0
 * @category Models
 */
export interface BackendModel {
  readonly generate: Capability
  readonly edit?: Capability | undefined
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
 * replacement) or `shutdown` (refused before any call). Dates are ISO days (`"2026-06-25"`), for information only:
 * `status` alone decides.
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
 * One model as Google defines it: the ceiling for every backend, its price, its token counts and its lifecycle.
 *
 * @since 0.1.0
 * @category Models
 */
export interface ModelEntry extends Lifecycle {
  readonly alias: Alias
  readonly displayName: string
  readonly aspectRatios: ReadonlyArray<AspectRatio>
  /** The size tiers the model produces. */
  readonly imageSizes: ReadonlyArray<ImageSize>
  /** Whether the size is chosen by a request parameter; `false` for a model with one fixed size. */
  readonly sizeParameter: boolean
  readonly maxImages: number
  /** List price, used for `cost.source: "estimated"` and `maxCostUsd`. */
  readonly price: Price
  /** Image output tokens of one image per size tier. */
  readonly outputTokens: { readonly [S in ImageSize]?: number }
  /** `thinkingLevel` values the model takes; empty when it takes none. */
  readonly thinkingLevels: ReadonlyArray<ThinkingLevel>
  /** Search grounding the model supports. */
  readonly grounding: { readonly googleSearch: boolean; readonly imageSearch: boolean }
  /**
   * How Google's own APIs (the Gemini API, Vertex AI) serve it: the GA model id, and the sizes where Google serves
   * fewer than the ceiling.
   */
  readonly google: { readonly id: string; readonly imageSizes?: ReadonlyArray<ImageSize> | undefined }
}

const TEN: ReadonlyArray<AspectRatio> = ["1:1", "2:3", "3:2", "3:4", "4:3", "4:5", "5:4", "9:16", "16:9", "21:9"]
const FOURTEEN: ReadonlyArray<AspectRatio> = allRatios

/**
 * The catalog: Google's facts per model, as of December 2026. Where the sources disagree the choice is noted here.
 *
 * @example
 * ```ts
 * import { ModelCatalog } from "@nanogen/core"
 * ModelCatalog.entries["nano-banana-2"].status      // "deprecated"
 * ModelCatalog.entries["nano-banana-2"].replacement // "nano-banana-2.1"
 * ```
 * @since 0.1.0
 * @category Models
 */
export const entries: { readonly [A in Alias]: ModelEntry } = {
  "nano-banana": {
    alias: "nano-banana",
    google: { id: "gemini-2.5-flash-image" },
    displayName: "Nano Banana (Gemini 2.5 Flash Image)",
    aspectRatios: TEN,
    imageSizes: ["1K"],
    sizeParameter: false,
    maxImages: 3,
    price: { inputPerMTok: 0.3, textOutputPerMTok: 2.5, imageOutputPerMTok: 30 },
    outputTokens: { "1K": 1290 },
    thinkingLevels: [],
    grounding: { googleSearch: false, imageSearch: false },
    // A shutdown on 2026-10-02 is announced in one rendering of Google's deprecations page, "earliest October
    // 2026" in others, and the model was still served in November: deprecated, not shut down.
    status: "deprecated",
    shutdownOn: "2026-10-02",
    replacement: "nano-banana-2.1"
  },
  "nano-banana-2": {
    alias: "nano-banana-2",
    google: { id: "gemini-3.1-flash-image" },
    displayName: "Nano Banana 2 (Gemini 3.1 Flash Image)",
    aspectRatios: FOURTEEN,
    imageSizes: ["512", "1K", "2K", "4K"],
    sizeParameter: true,
    maxImages: 14,
    // Text output is $3/M (OpenRouter's listing) or $1.50/M (one reseller); the higher one is kept.
    price: { inputPerMTok: 0.5, textOutputPerMTok: 3, imageOutputPerMTok: 60 },
    outputTokens: { "512": 747, "1K": 1120, "2K": 1680, "4K": 2520 },
    thinkingLevels: ["minimal", "high"],
    grounding: { googleSearch: true, imageSearch: true },
    // Deprecated 2026-10-06 in favour of 2.1; the 2026-10-29 shutdown some sources give is not on any Google page.
    status: "deprecated",
    deprecatedOn: "2026-10-06",
    replacement: "nano-banana-2.1"
  },
  "nano-banana-2-lite": {
    alias: "nano-banana-2-lite",
    google: { id: "gemini-3.1-flash-lite-image", imageSizes: ["1K"] },
    displayName: "Nano Banana 2 Lite (Gemini 3.1 Flash Lite Image)",
    aspectRatios: FOURTEEN,
    // Google documents 1K only; the AI/ML API offers 1K/2K/4K. The ceiling is the union, so a backend that offers
    // 2K can be asked for it; each Google-served table lists 1K only.
    imageSizes: ["1K", "2K", "4K"],
    sizeParameter: true,
    maxImages: 14,
    price: { inputPerMTok: 0.25, textOutputPerMTok: 1.5, imageOutputPerMTok: 30 },
    // 1120 at 1K is recorded; 2K and 4K (AI/ML API only) are taken from Nano Banana 2.
    outputTokens: { "1K": 1120, "2K": 1680, "4K": 2520 },
    thinkingLevels: ["minimal", "high"],
    grounding: { googleSearch: false, imageSearch: false },
    status: "ga"
  },
  "nano-banana-2.1": {
    alias: "nano-banana-2.1",
    google: { id: "gemini-nano-banana-2.1" },
    displayName: "Nano Banana 2.1",
    aspectRatios: FOURTEEN,
    // `512` is rejected by the API on 2.1 (sources agree but one): never sent, refused locally as InvalidRequest.
    imageSizes: ["1K", "2K", "4K"],
    sizeParameter: true,
    maxImages: 14,
    price: { inputPerMTok: 1.5, textOutputPerMTok: 7.5, imageOutputPerMTok: 30 },
    // Not published by Google: Nano Banana 2's counts (2.1 is "an updated version" of it); 1K matches $0.0336.
    outputTokens: { "1K": 1120, "2K": 1680, "4K": 2520 },
    thinkingLevels: ["minimal", "medium", "high"],
    grounding: { googleSearch: true, imageSearch: true },
    status: "ga"
  },
  "nano-banana-pro": {
    alias: "nano-banana-pro",
    google: { id: "gemini-3-pro-image" },
    displayName: "Nano Banana Pro (Gemini 3 Pro Image)",
    aspectRatios: TEN,
    imageSizes: ["1K", "2K", "4K"],
    sizeParameter: true,
    maxImages: 14,
    price: { inputPerMTok: 2, textOutputPerMTok: 12, imageOutputPerMTok: 120 },
    // $0.134 per 1K/2K image and $0.24 per 4K image at $120/M.
    outputTokens: { "1K": 1120, "2K": 1120, "4K": 2000 },
    // Always thinks; the level is accepted with no measurable change.
    thinkingLevels: ["low", "high"],
    grounding: { googleSearch: true, imageSearch: false },
    status: "ga"
  }
}

/**
 * Whether a string is one of the catalog aliases.
 *
 * @example
 * ```ts
 * import { ModelCatalog } from "@nanogen/core"
 * ModelCatalog.isAlias("nano-banana-pro") // true
 * ```
 * @since 0.1.0
 * @category Guards
 */
export const isAlias = (model: string): model is Alias => Object.prototype.hasOwnProperty.call(entries, model)

/**
 * A capability with the model's ceilings as defaults: `ModelCatalog.capability("nano-banana-pro", { id, inputTypes })`
 * takes every ratio, size and reference image the model takes, one image per call, no seed.
 *
 * @example
 * ```ts
 * import { ModelCatalog } from "@nanogen/core"
 * const pro = ModelCatalog.capability("nano-banana-pro", { id: "vendor/pro", inputTypes: ["image/png"], seed: true })
 * pro.imageSizes // ["1K", "2K", "4K"]
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const capability = (
  alias: Alias,
  fields: Partial<Capability> & Pick<Capability, "id" | "inputTypes">
): Capability => {
  const entry = entries[alias]
  return {
    aspectRatios: entry.aspectRatios,
    imageSizes: entry.sizeParameter ? entry.imageSizes : [],
    maxImages: entry.maxImages,
    maxPerCall: 1,
    seed: false,
    ...fields
  }
}

/**
 * What a model id designates in a table: its alias, and the native alias entry when it is one.
 *
 * @since 0.2.0
 * @category Models
 */
export interface Found {
  readonly alias: Alias
  readonly entry: ModelEntry
  readonly native: NativeAlias | undefined
}

/**
 * The model a model id names on a backend: an alias, one of `nativeAliases`, or a native id of the table.
 * `undefined` for ids the catalog does not know.
 *
 * @example
 * ```ts
 * import { ModelCatalog } from "@nanogen/core"
 * declare const table: ModelCatalog.Table
 * ModelCatalog.lookup(table, "nano-banana-pro")?.entry.displayName // "Nano Banana Pro (Gemini 3 Pro Image)"
 * ```
 * @since 0.1.0
 * @category Accessors
 */
export const lookup = (table: Table, model: string, nativeAliases: NativeAliases = {}): Found | undefined => {
  if (isAlias(model)) return { alias: model, entry: entries[model], native: undefined }
  const native = Object.prototype.hasOwnProperty.call(nativeAliases, model) ? nativeAliases[model] : undefined
  if (native !== undefined) return { alias: native.alias, entry: entries[native.alias], native }
  for (const alias of aliases) {
    const served = table[alias]
    if (served !== undefined && (served.generate.id === model || served.edit?.id === model)) {
      return { alias, entry: entries[alias], native: undefined }
    }
  }
  return undefined
}

/**
 * The capability a request would use on a backend (the edit one when the request carries reference images and the
 * backend has one), or `undefined` when the model is unknown or not served. `Fallback` reads `maxPerCall` from it.
 *
 * @example
 * ```ts
 * import { ModelCatalog } from "@nanogen/core"
 * declare const table: ModelCatalog.Table
 * ModelCatalog.capabilityFor(table, { model: "nano-banana", images: [] })?.maxPerCall
 * ```
 * @since 0.2.0
 * @category Accessors
 */
export const capabilityFor = (
  table: Table,
  request: Pick<ImageRequest, "model" | "images">,
  nativeAliases: NativeAliases = {}
): Capability | undefined => {
  const found = lookup(table, request.model, nativeAliases)
  const served = found === undefined ? undefined : table[found.alias]
  if (served === undefined) return undefined
  return request.images.length > 0 && served.edit !== undefined ? served.edit : served.generate
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
  /** The thinking level to send, when asked for and the model takes it. */
  readonly thinkingLevel: ThinkingLevel | undefined
  /** The search grounding to ask for, when asked for and the model supports it. */
  readonly grounding: { readonly googleSearch: boolean; readonly imageSearch: boolean } | undefined
  /** Requested options the backend ignores (e.g. `seed`) and lifecycle notices, for `ImageResult.warnings`. */
  readonly warnings: ReadonlyArray<string>
}

const lifecycleNotice = (name: string, lifecycle: Lifecycle): string => {
  const since = lifecycle.deprecatedOn === undefined ? "" : ` since ${lifecycle.deprecatedOn}`
  const until = lifecycle.shutdownOn === undefined ? "" : `, shutdown announced for ${lifecycle.shutdownOn}`
  const instead = lifecycle.replacement === undefined ? "" : `; use ${lifecycle.replacement}`
  return `${name} is deprecated${since}${until}${instead}`
}

const shutdownNotice = (name: string, lifecycle: Lifecycle): string =>
  `${name} was shut down${lifecycle.shutdownOn === undefined ? "" : ` on ${lifecycle.shutdownOn}`}${
    lifecycle.replacement === undefined ? "" : `; use ${lifecycle.replacement}`
  }`

/**
 * Checks a validated request against a backend's table. Answers:
 * - `UnsupportedRequest` for a shut-down model or native id (naming it and its replacement), or a model the
 *   backend does not serve;
 * - `InvalidRequest` when the model itself cannot do it on any backend (a ratio or size the model lacks, more
 *   reference images than it takes);
 * - `UnsupportedRequest` when the model can but this backend cannot;
 * - otherwise the native parameters, with a warning for a deprecated model (naming the replacement) and for
 *   options the model or backend ignores. Model ids the catalog does not know pass through unchecked.
 *
 * @example
 * ```ts
 * import { Either } from "effect"
 * import { ModelCatalog } from "@nanogen/core"
 * declare const request: import("@nanogen/core").ImageRequest.ImageRequest
 * declare const table: ModelCatalog.Table
 * const resolved = ModelCatalog.resolve(table, request, "my-backend")
 * if (Either.isRight(resolved)) console.log(resolved.right.model)
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const resolve = (
  table: Table,
  request: ImageRequest,
  provider: string,
  nativeAliases: NativeAliases = {}
): Either.Either<Resolved, InvalidRequest | UnsupportedRequest> => {
  const found = lookup(table, request.model, nativeAliases)
  if (found === undefined) {
    return Either.right({
      model: request.model,
      entry: undefined,
      capability: undefined,
      aspectRatio: request.aspectRatio,
      imageSize: request.imageSize,
      thinkingLevel: request.thinkingLevel,
      grounding: request.grounding === undefined ? undefined : {
        googleSearch: request.grounding.googleSearch === true,
        imageSearch: request.grounding.imageSearch === true
      },
      warnings: []
    })
  }
  const { entry, native } = found
  const named = request.model === entry.alias ? `${entry.alias} (${entry.displayName})` : request.model
  const invalid = (field: string, message: string) =>
    Either.left(new InvalidRequest({ provider, field, message: `${entry.displayName}: ${message}` }))
  const unsupported = (field: string, message: string) =>
    Either.left(new UnsupportedRequest({ provider, field, model: request.model, message: `${provider}: ${message}` }))

  const warnings: Array<string> = []
  for (
    const [name, lifecycle] of [[named, native?.lifecycle], [`${entry.alias} (${entry.displayName})`, entry]] as const
  ) {
    if (lifecycle?.status === "shutdown") return unsupported("model", shutdownNotice(name, lifecycle))
    if (lifecycle?.status === "deprecated") warnings.push(lifecycleNotice(name, lifecycle))
  }

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

  const served = table[found.alias]
  if (served === undefined) {
    return unsupported("model", `${provider} does not serve ${named}`)
  }
  const editing = request.images.length > 0
  const capability = editing && served.edit !== undefined ? served.edit : served.generate
  const requested = isAlias(request.model) ? capability.id : request.model
  const where = `${requested} on ${provider}`

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
  if (request.seed !== undefined && !capability.seed) warnings.push(`seed is not supported by ${where} and was ignored`)

  let thinkingLevel = request.thinkingLevel
  if (thinkingLevel !== undefined && !entry.thinkingLevels.includes(thinkingLevel)) {
    warnings.push(
      entry.thinkingLevels.length === 0
        ? `thinkingLevel is not supported by ${entry.displayName} and was ignored`
        : `thinkingLevel "${thinkingLevel}" is not one of ${
          entry.thinkingLevels.join(", ")
        } for ${entry.displayName} and was ignored`
    )
    thinkingLevel = undefined
  }
  let grounding: Resolved["grounding"] = undefined
  if (request.grounding !== undefined) {
    const googleSearch = request.grounding.googleSearch === true && entry.grounding.googleSearch
    const imageSearch = request.grounding.imageSearch === true && entry.grounding.imageSearch
    for (
      const [asked, kept, name] of [
        [request.grounding.googleSearch, googleSearch, "googleSearch"],
        [request.grounding.imageSearch, imageSearch, "imageSearch"]
      ] as const
    ) {
      if (asked === true && !kept) {
        warnings.push(`grounding.${name} is not supported by ${entry.displayName} and was ignored`)
      }
    }
    grounding = googleSearch || imageSearch ? { googleSearch, imageSearch } : undefined
  }
  return Either.right({
    model: requested,
    entry,
    capability,
    aspectRatio: request.aspectRatio,
    imageSize: fixedSize ? undefined : request.imageSize,
    thinkingLevel,
    grounding,
    warnings
  })
}

/**
 * Estimated USD cost of one call from token counts and a price. Image output tokens are priced at the image rate,
 * everything else the model emitted (text, thoughts) at the text rate.
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

/**
 * The estimated USD cost of a request before it is sent: the image output price × the size tier's token count × `n`
 * (the default tier, 1K, when the request names none). `price` defaults to the model's list price.
 *
 * @example
 * ```ts
 * import { ModelCatalog } from "@nanogen/core"
 * ModelCatalog.estimate(ModelCatalog.entries["nano-banana-pro"], { imageSize: "4K", n: 2 }) // 0.48
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const estimate = (
  entry: ModelEntry,
  request: { readonly imageSize?: ImageSize | undefined; readonly n: number },
  price: Price = entry.price
): number => {
  const tokens = entry.outputTokens[request.imageSize ?? "1K"] ?? entry.outputTokens["1K"] ??
    Math.max(0, ...Object.values(entry.outputTokens))
  return estimateCost(price, { imageOutputTokens: tokens * request.n })
}

/**
 * Warnings for the resolved options a backend cannot map at all (`grounding`, `thinkingLevel`), for the result.
 *
 * @example
 * ```ts
 * import { ModelCatalog } from "@nanogen/core"
 * declare const resolved: ModelCatalog.Resolved
 * const warnings = ModelCatalog.unmapped(resolved, "my-backend", { grounding: false, thinkingLevel: false })
 * // ["grounding is not supported by my-backend and was ignored", …]
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const unmapped = (
  resolved: Pick<Resolved, "grounding" | "thinkingLevel">,
  provider: string,
  maps: { readonly grounding: boolean; readonly thinkingLevel: boolean }
): ReadonlyArray<string> => [
  ...(resolved.grounding !== undefined && !maps.grounding
    ? [`grounding is not supported by ${provider} and was ignored`]
    : []),
  ...(resolved.thinkingLevel !== undefined && !maps.thinkingLevel
    ? [`thinkingLevel is not supported by ${provider} and was ignored`]
    : [])
]

/**
 * One capability of `table`: a native id, or an id with the fields that differ from the defaults.
 *
 * @since 0.2.0
 * @category Models
 */
export type CapabilityInput = string | (Partial<Capability> & Pick<Capability, "id">)

/**
 * The table of a backend that serves Google's own model ids (`ModelEntry.google`), each behind `prefix`
 * (OpenRouter's `google/`), with Google's sizes: the Gemini API, Vertex AI, and routers that pass the ids on.
 *
 * @example
 * ```ts
 * import { ModelCatalog } from "@nanogen/core"
 * const models = ModelCatalog.googleTable({ inputTypes: ["image/png", "image/jpeg"], seed: true }, "google/")
 * models["nano-banana-pro"]?.generate.id // "google/gemini-3-pro-image"
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const googleTable = (defaults: Partial<Capability> & Pick<Capability, "inputTypes">, prefix = ""): Table =>
  table(
    defaults,
    Object.fromEntries(aliases.map((alias) => {
      const { id, imageSizes } = entries[alias].google
      return [alias, { id: `${prefix}${id}`, ...(imageSizes === undefined ? {} : { imageSizes }) }]
    }))
  )

/**
 * Builds a capability table: every capability takes the model's ceilings (`capability`), then `defaults` (the
 * backend's input types, seed…), then its own fields. An entry is a capability, or `{ generate, edit }`.
 *
 * @example
 * ```ts
 * import { ModelCatalog } from "@nanogen/core"
 * const models = ModelCatalog.table({ inputTypes: ["image/png"], seed: true }, {
 *   "nano-banana-pro": "vendor/pro",
 *   "nano-banana-2-lite": { id: "vendor/lite", imageSizes: ["1K"] },
 *   "nano-banana": { generate: { id: "vendor/nb", maxImages: 0 }, edit: "vendor/nb-edit" }
 * })
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const table = (
  defaults: Partial<Capability> & Pick<Capability, "inputTypes">,
  models: {
    readonly [A in Alias]?: CapabilityInput | {
      readonly generate: CapabilityInput
      readonly edit?: CapabilityInput | undefined
    }
  }
): Table => {
  const out: { [A in Alias]?: BackendModel } = {}
  const one = (alias: Alias, input: CapabilityInput) =>
    capability(alias, { ...defaults, ...(typeof input === "string" ? { id: input } : input) })
  for (const alias of aliases) {
    const input = models[alias]
    if (input === undefined) continue
    out[alias] = typeof input === "object" && "generate" in input
      ? {
        generate: one(alias, input.generate),
        ...(input.edit === undefined ? {} : { edit: one(alias, input.edit) })
      }
      : { generate: one(alias, input) }
  }
  return out
}
