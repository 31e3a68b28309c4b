/**
 * The `ImageProvider` service: one interface, one implementation per backend, composed through layers.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import type { ImageGenerationError } from "./ImageGenerationError.js"
import * as ImageRequest from "./ImageRequest.js"
import * as ImageResult from "./ImageResult.js"

/**
 * The service every backend provides.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ImageProvider } from "@nanogen/core"
 *
 * const program = Effect.gen(function*() {
 *   const provider = yield* ImageProvider.ImageProvider
 *   const result = yield* provider.generate({ prompt: "a nano banana", aspectRatio: "16:9" })
 *   return result.images[0].mimeType
 * })
 * ```
 * @since 0.1.0
 * @category Context
 */
export class ImageProvider extends Context.Tag("@nanogen/core/ImageProvider")<ImageProvider, ImageProvider.Service>() {}

/**
 * @since 0.1.0
 */
export declare namespace ImageProvider {
  /**
   * @since 0.1.0
   * @category Models
   */
  export interface Service {
    /** `"openrouter"`, `"aimlapi"`, `"google-direct"`, `"fallback"`, `"test"`, … */
    readonly name: string
    readonly generate: (request: ImageRequest.Input) => Effect.Effect<ImageResult.ImageResult, ImageGenerationError>
  }
}

/**
 * Generates with whichever `ImageProvider` the environment holds.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ImageProvider, ImageProviderTest } from "@nanogen/core"
 *
 * const result = await ImageProvider.generate({ prompt: "a nano banana" }).pipe(
 *   Effect.provide(ImageProviderTest.layer()),
 *   Effect.runPromise
 * )
 * ```
 * @since 0.1.0
 * @category Accessors
 */
export const generate = (
  request: ImageRequest.Input
): Effect.Effect<ImageResult.ImageResult, ImageGenerationError, ImageProvider> =>
  Effect.flatMap(ImageProvider, (provider) => provider.generate(request))

/**
 * Builds a service from a function of a **validated** request: input is decoded first, so bad input fails with
 * `InvalidRequest` before the implementation (and any network call) runs.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ImageProvider } from "@nanogen/core"
 * declare const render: (prompt: string) => Effect.Effect<import("@nanogen/core").ImageResult.ImageResult>
 *
 * const service = ImageProvider.make("my-backend", (request) => render(request.prompt))
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const make = (
  name: string,
  generate: (request: ImageRequest.ImageRequest) => Effect.Effect<ImageResult.ImageResult, ImageGenerationError>
): ImageProvider.Service =>
  ImageProvider.of({
    name,
    generate: (input) => Effect.flatMap(ImageRequest.decode(input, name), generate)
  })

/**
 * Runs `single` once per requested image when a backend returns one image per call (`n > 1`), with bounded
 * concurrency (default: all `count` at once), and merges the results (images in order, usage and cost summed). The first failure interrupts
 * the other calls.
 *
 * @example
 * ```ts
 * import { ImageProvider } from "@nanogen/core"
 * declare const one: (index: number) => import("effect").Effect.Effect<import("@nanogen/core").ImageResult.ImageResult>
 * const four = ImageProvider.fanOut(4, one, { concurrency: 4 })
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const fanOut = <E, R>(
  count: number,
  single: (index: number) => Effect.Effect<ImageResult.ImageResult, E, R>,
  options: { readonly concurrency?: number | undefined } = {}
): Effect.Effect<ImageResult.ImageResult, E, R> =>
  count <= 1
    ? single(0)
    : Effect.forEach(Array.from({ length: count }, (_, index) => index), single, {
      // The calls are I/O-bound and `n` is at most `ImageRequest.limits.maxN`: all at once unless capped.
      concurrency: options.concurrency ?? count
    }).pipe(
      Effect.map((results) =>
        ImageResult.merge(results as [ImageResult.ImageResult, ...Array<ImageResult.ImageResult>])
      )
    )
