/**
 * A mock `ImageProvider` for unit tests: a deterministic default image, scripted outcomes, optional delays that
 * follow `TestClock`, and the requests it received.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import type * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"
import * as ImageBytes from "./ImageBytes.js"
import { type ImageGenerationError, isImageGenerationError } from "./ImageGenerationError.js"
import * as ImageProvider from "./ImageProvider.js"
import type * as ImageRequest from "./ImageRequest.js"
import type * as ImageResult from "./ImageResult.js"

/**
 * A real, decodable 8×8 PNG (a yellow square), the default image of the mock.
 *
 * @since 0.1.0
 * @category Testing
 */
export const defaultPng: Uint8Array = ImageBytes.fromBase64(
  "iVBORw0KGgoAAAANSUhEUgAAAAgAAAAICAIAAABLbSncAAAAEUlEQVR4nGP4dV0DK2IYWhIAiSd+QcX6IrsAAAAASUVORK5CYII="
)

/**
 * What one scripted call answers: a result (fields you leave out come from the default), an error, or an Effect.
 *
 * @since 0.1.0
 * @category Testing
 */
export type Outcome =
  | Partial<ImageResult.ImageResult>
  | ImageGenerationError
  | Effect.Effect<ImageResult.ImageResult, ImageGenerationError>

/**
 * @since 0.1.0
 * @category Testing
 */
export interface Options {
  /** The provider name, default `"test"`. */
  readonly name?: string
  /**
   * Scripted outcomes: a list consumed one per call (the default result once it is used up), or a function of
   * the request and the call's index (0-based).
   */
  readonly respond?:
    | ReadonlyArray<Outcome>
    | ((request: ImageRequest.ImageRequest, index: number) => Outcome)
  /** Wait before answering; uses the Effect clock, so `TestClock.adjust` moves it. */
  readonly delay?: Duration.DurationInput
}

/**
 * Reads what the mock received.
 *
 * @since 0.1.0
 * @category Testing
 */
export class ImageProviderTest extends Context.Tag("@nanogen/core/ImageProviderTest")<ImageProviderTest, {
  /** Every validated request, in call order. */
  readonly requests: Effect.Effect<ReadonlyArray<ImageRequest.ImageRequest>>
}>() {}

/**
 * The default result for a request: one 8×8 PNG per requested image, provider `name`, model the request's.
 *
 * @since 0.1.0
 * @category Testing
 */
export const defaultResult = (request: ImageRequest.ImageRequest, name = "test"): ImageResult.ImageResult => ({
  images: [
    { data: defaultPng, mimeType: "image/png", width: 8, height: 8 },
    ...Array.from({ length: request.n - 1 }, () => ({ data: defaultPng, mimeType: "image/png", width: 8, height: 8 }))
  ],
  provider: name,
  model: request.model,
  usage: {},
  attempts: [{ provider: name, model: request.model, outcome: "success", durationMs: 0 }],
  warnings: []
})

/**
 * Builds the mock service and the recorder.
 *
 * @since 0.1.0
 * @category Testing
 */
export const make = (
  options: Options = {}
): Effect.Effect<
  { readonly provider: ImageProvider.ImageProvider.Service; readonly recorder: ImageProviderTest["Type"] }
> =>
  Effect.gen(function*() {
    const name = options.name ?? "test"
    const received = yield* Ref.make<ReadonlyArray<ImageRequest.ImageRequest>>([])
    const calls = yield* Ref.make(0)
    const outcomeFor = (request: ImageRequest.ImageRequest, index: number): Outcome | undefined =>
      options.respond === undefined
        ? undefined
        : typeof options.respond === "function"
        ? options.respond(request, index)
        : options.respond[index]
    const answer = (request: ImageRequest.ImageRequest, outcome: Outcome | undefined) => {
      if (outcome === undefined) return Effect.succeed(defaultResult(request, name))
      if (isImageGenerationError(outcome)) return Effect.fail(outcome)
      if (Effect.isEffect(outcome)) return outcome
      return Effect.succeed({ ...defaultResult(request, name), ...outcome } as ImageResult.ImageResult)
    }
    const provider = ImageProvider.make(name, (request) =>
      Effect.gen(function*() {
        yield* Ref.update(received, (all) => [...all, request])
        const index = yield* Ref.getAndUpdate(calls, (n) => n + 1)
        if (options.delay !== undefined) yield* Effect.sleep(options.delay)
        return yield* answer(request, outcomeFor(request, index))
      }))
    return { provider, recorder: { requests: Ref.get(received) } }
  })

/**
 * The mock as a layer: provides `ImageProvider` and `ImageProviderTest` (the recorder).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ImageGenerationError, ImageProvider, ImageProviderTest } from "@nanogen/core"
 *
 * const TestLayer = ImageProviderTest.layer({
 *   respond: [new ImageGenerationError.RateLimited({ provider: "test", message: "slow down" }), { text: "ok" }]
 * })
 * const program = Effect.gen(function*() {
 *   const first = yield* Effect.either(ImageProvider.generate({ prompt: "one" })) // Left(RateLimited)
 *   const second = yield* ImageProvider.generate({ prompt: "two" })                // images: [8×8 PNG], text "ok"
 *   const requests = yield* ImageProviderTest.requests                              // both requests, validated
 *   return { first, second, requests }
 * }).pipe(Effect.provide(TestLayer))
 * ```
 * @since 0.1.0
 * @category Testing
 */
export const layer = (options: Options = {}): Layer.Layer<ImageProvider.ImageProvider | ImageProviderTest> =>
  Layer.effectContext(
    Effect.map(
      make(options),
      ({ provider, recorder }) =>
        Context.make(ImageProvider.ImageProvider, provider).pipe(Context.add(ImageProviderTest, recorder))
    )
  )

/**
 * The requests the mock received so far.
 *
 * @since 0.1.0
 * @category Testing
 */
export const requests: Effect.Effect<ReadonlyArray<ImageRequest.ImageRequest>, never, ImageProviderTest> = Effect
  .flatMap(ImageProviderTest, (recorder) => recorder.requests)

/**
 * Shortcut: a mock whose every call waits `delay` (on the Effect clock) then succeeds.
 *
 * @since 0.1.0
 * @category Testing
 */
export const layerDelayed = (delay: Duration.DurationInput, options: Omit<Options, "delay"> = {}) =>
  layer({ ...options, delay })
