/**
 * The `ImageProvider` service: one interface, one implementation per backend, composed through layers.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Schema from "effect/Schema"
import {
  type AttemptError,
  BudgetExceeded,
  type ImageGenerationError,
  MalformedResponse
} from "./ImageGenerationError.js"
import * as ImageRequest from "./ImageRequest.js"
import * as ImageResult from "./ImageResult.js"
import * as ImageTurn from "./ImageTurn.js"
import * as HandOff from "./internal/handOff.js"
import * as ModelCatalog from "./ModelCatalog.js"

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
    /** The provider name in results, attempts and errors. */
    readonly name: string
    readonly generate: (request: ImageRequest.Input) => Effect.Effect<ImageResult.ImageResult, ImageGenerationError>
    /** The backend's capability table, when it has one: `Fallback` reads `maxPerCall` from it. */
    readonly models?: ModelCatalog.Table | undefined
    /** The backend's other native ids, with `models`. */
    readonly nativeAliases?: ModelCatalog.NativeAliases | undefined
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
 * What `make` needs to know about the backend: its name and its capability table (a `ProviderDefinition` is one).
 *
 * @since 0.2.0
 * @category Models
 */
export interface Backend {
  readonly name: string
  readonly models: ModelCatalog.Table
  readonly nativeAliases?: ModelCatalog.NativeAliases | undefined
}

/**
 * One API call, as `make` hands it to the provider: the validated request, the native parameters resolved against
 * the table, the provider's decoded `providerOptions` entry, what `prepare` made once for every call, and which
 * images this call is for (`count` of them, the first at `index`).
 *
 * @since 0.2.0
 * @category Models
 */
export interface Call<Options, Prepared> {
  /**
   * The request to send. With a `history`, it holds only the turns this backend continues (see `continuation`);
   * a history it cannot continue has already been turned into a re-seed (prompt and images rewritten, no history).
   */
  readonly request: ImageRequest.ImageRequest
  readonly resolved: ModelCatalog.Resolved
  readonly options: Options
  readonly prepared: Prepared
  /** Images this call asks for: at most the capability's `maxPerCall`. */
  readonly count: number
  /** Index (0-based) of the first image of this call in the request. */
  readonly index: number
}

/**
 * What one call answers: the images and what came with them. `make` adds the provider, the model, the attempt and
 * the request's warnings.
 *
 * @since 0.2.0
 * @category Models
 */
export interface Answer {
  readonly images: readonly [ImageResult.GeneratedImage, ...Array<ImageResult.GeneratedImage>]
  readonly text?: string | undefined
  readonly usage?: ImageResult.Usage | undefined
  readonly cost?: ImageResult.Cost | undefined
  readonly finishReason?: string | undefined
  readonly grounding?: ImageResult.ImageResult["grounding"] | undefined
  /** What this call could not honour. */
  readonly warnings?: ReadonlyArray<string> | undefined
  /**
   * The continuation data of the model's turn, exactly as received (`make` adds provider, model, model id and
   * `reseeded`). Only needed when the request has a `history` (a session); without it the turn is stateless: the
   * first image.
   */
  readonly turn?:
    | { readonly format: "gemini"; readonly parts: ReadonlyArray<ImageTurn.GeminiPart> }
    | { readonly format: "chat"; readonly message: ImageTurn.ChatMessage }
    | undefined
}

/**
 * What a provider writes: how to make one call (build the body, send it, decode the answer, map the error body), and
 * optionally the Schema of its `providerOptions` entry and a step run once per request before the calls (reference
 * image uploads, data URLs shared by every call).
 *
 * @since 0.2.0
 * @category Models
 */
export interface Implementation<Options, Prepared> {
  /** The Schema of `providerOptions[name]`; keys it does not know are refused. Default: the entry must be empty. */
  readonly options?: Schema.Schema<Options, any> | undefined
  readonly prepare?:
    | ((
      request: ImageRequest.ImageRequest,
      resolved: ModelCatalog.Resolved,
      options: Options
    ) => Effect.Effect<Prepared, AttemptError>)
    | undefined
  readonly call: (call: Call<Options, Prepared>) => Effect.Effect<Answer, AttemptError>
  /** Calls at once when `n` needs several. Default: all of them. */
  readonly concurrency?: number | undefined
  /** Removes credentials from text an exception carried (`ProviderClient.scrub`). */
  readonly scrub?: ((text: string) => string) | undefined
  /**
   * The turns this backend continues natively for a resolved model: their format (`"gemini"`, `"chat"`), matched
   * with the model id. `undefined` (the default) is a stateless backend: every turn after the first is re-seeded.
   */
  readonly continuation?: ((resolved: ModelCatalog.Resolved) => ImageTurn.Format | undefined) | undefined
}

const NoOptions = Schema.Struct({})

/**
 * A short description of what was thrown. Reading it may throw again (a `ParseError` formats its message lazily,
 * and formatting a 100 000-deep value overflows the stack): then the name alone is given.
 *
 * @example
 * ```ts
 * import { ImageProvider } from "@nanogen/core"
 * ImageProvider.describeDefect(new RangeError("Maximum call stack size exceeded"))
 * // "RangeError: Maximum call stack size exceeded"
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const describeDefect = (defect: unknown): string => {
  if (typeof defect === "string") return defect.length > 200 ? `${defect.slice(0, 200)}…` : defect
  if (!(defect instanceof Error)) return "an unexpected value was thrown"
  let name = "Error"
  try {
    name = String(defect.name)
    const message = String(defect.message)
    return `${name}: ${message.length > 200 ? `${message.slice(0, 200)}…` : message}`
  } catch {
    return name
  }
}

/**
 * The per-call skeleton every backend shares. `make(backend, implementation)` returns a service that:
 * 1. validates the request (`InvalidRequest` before anything else), decodes the provider's `providerOptions` entry;
 * 2. resolves it against the backend's table (`ModelCatalog.resolve`: ceilings, lifecycle warnings, shut-down
 *    models refused) and checks `maxCostUsd` against the estimate (`BudgetExceeded`, before any call);
 * 3. opens the span `nanogen.provider.generate` (attributes `nanogen.provider`, `nanogen.model`, `nanogen.n`);
 * 4. runs `prepare` once, then one `call` per `maxPerCall` images (in parallel), stamping each call's attempt
 *    (image index, count, duration) and merging the answers in order;
 * 5. turns any exception raised while building a body or decoding and mapping an answer (a defect) into a
 *    `MalformedResponse`, so a hostile answer fails the attempt and never the program.
 *
 * `make(name, generate)` is the bare form: the request is validated, then handed to `generate` as it is.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { ImageProvider, ModelCatalog } from "@nanogen/core"
 * declare const post: (body: unknown) => Effect.Effect<Uint8Array>
 *
 * const service = ImageProvider.make({
 *   name: "my-backend",
 *   models: { "nano-banana-pro": { generate: ModelCatalog.capability("nano-banana-pro", { id: "pro", inputTypes: ["image/png"] }) } }
 * }, {
 *   options: Schema.Struct({ quality: Schema.optional(Schema.String) }),
 *   call: ({ count, request, resolved }) =>
 *     Effect.map(post({ model: resolved.model, prompt: request.prompt, n: count }), (data) => ({
 *       images: [{ data, mimeType: "image/png" }]
 *     }))
 * })
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const make: {
  <Options = {}, Prepared = void>(
    backend: Backend,
    implementation: Implementation<Options, Prepared>
  ): ImageProvider.Service
  (
    name: string,
    generate: (request: ImageRequest.ImageRequest) => Effect.Effect<ImageResult.ImageResult, ImageGenerationError>
  ): ImageProvider.Service
} = (
  backend: Backend | string,
  implementation:
    | Implementation<any, any>
    | ((request: ImageRequest.ImageRequest) => Effect.Effect<ImageResult.ImageResult, ImageGenerationError>)
): ImageProvider.Service => {
  if (typeof backend === "string") {
    const generate = implementation as (
      request: ImageRequest.ImageRequest
    ) => Effect.Effect<ImageResult.ImageResult, ImageGenerationError>
    return ImageProvider.of({
      name: backend,
      generate: (input) => Effect.flatMap(ImageRequest.decode(input, backend), generate)
    })
  }
  return skeleton(backend, implementation as Implementation<any, any>)
}

const skeleton = <Options, Prepared>(
  backend: Backend,
  implementation: Implementation<Options, Prepared>
): ImageProvider.Service => {
  const { models, name } = backend
  const nativeAliases = backend.nativeAliases ?? {}
  const scrub = implementation.scrub ?? ((text: string) => text)
  const malformed = (model: string) => (defect: unknown) =>
    Effect.fail(
      new MalformedResponse({
        provider: name,
        model,
        message: scrub(`${name}: the answer could not be read (${describeDefect(defect)})`)
      })
    )

  const run = (input: ImageRequest.ImageRequest) =>
    Effect.gen(function*() {
      const options = yield* ImageRequest.decodeProviderOptions(
        (implementation.options ?? NoOptions) as Schema.Schema<Options, any>,
        input,
        name
      )
      let request = input
      let resolved = yield* ModelCatalog.resolve(models, request, name, nativeAliases)
      // A session: continue the turns this backend can, re-seed the rest (then resolve the rewritten request).
      let reseeded = false
      if (request.history !== undefined && request.history.length > 0) {
        const format = implementation.continuation?.(resolved)
        const plan = ImageTurn.plan(
          request.history,
          request,
          format === undefined ? undefined : { format, modelId: resolved.model }
        )
        if (plan._tag === "Reseed") {
          reseeded = true
          request = { ...request, prompt: plan.prompt, images: plan.images, history: [] }
          resolved = yield* ModelCatalog.resolve(models, request, name, nativeAliases)
        } else {
          request = { ...request, history: plan.turns }
        }
      }
      const turnOf = (answer: Answer): ImageTurn.ModelTurn => {
        const fields = {
          role: "model" as const,
          provider: name,
          model: resolved.entry?.alias ?? input.model,
          modelId: resolved.model,
          ...(reseeded ? { reseeded: true } : {})
        }
        if (answer.turn !== undefined) return { ...fields, ...answer.turn }
        const [image] = answer.images
        return {
          ...fields,
          format: "stateless",
          image: { data: image.data, mimeType: image.mimeType },
          ...(answer.text === undefined ? {} : { text: answer.text })
        }
      }
      yield* Effect.annotateCurrentSpan("nanogen.model", resolved.model)
      const warnings = [...resolved.warnings, ...(yield* budget(name, request, resolved))]
      const perCall = Math.max(1, resolved.capability?.maxPerCall ?? 1)
      const chunks: Array<{ readonly index: number; readonly count: number }> = []
      for (let index = 0; index < request.n; index += perCall) {
        chunks.push({ index, count: Math.min(perCall, request.n - index) })
      }
      const prepared = implementation.prepare === undefined
        ? undefined as Prepared
        : yield* Effect.suspend(() => implementation.prepare!(request, resolved, options)).pipe(
          Effect.catchAllDefect(malformed(resolved.model))
        )
      const one = (chunk: { readonly index: number; readonly count: number }) =>
        Effect.gen(function*() {
          const started = yield* Clock.currentTimeMillis
          const answer = yield* Effect.suspend(() =>
            implementation.call({ request, resolved, options, prepared, count: chunk.count, index: chunk.index })
          ).pipe(Effect.catchAllDefect(malformed(resolved.model)))
          const durationMs = (yield* Clock.currentTimeMillis) - started
          const attempt: ImageResult.Attempt = ImageResult.dropUndefined({
            provider: name,
            model: resolved.model,
            outcome: "success",
            durationMs,
            image: chunk.index,
            count: chunk.count > 1 ? chunk.count : undefined,
            reseeded: reseeded ? true : undefined
          })
          return ImageResult.dropUndefined({
            images: answer.images,
            text: answer.text,
            provider: name,
            model: resolved.model,
            usage: answer.usage ?? {},
            cost: answer.cost,
            finishReason: answer.finishReason,
            grounding: answer.grounding,
            attempts: [attempt],
            warnings: [...warnings, ...(answer.warnings ?? [])],
            // the turn of a session (a request with `history`, even empty): the first image's
            turn: input.history !== undefined && chunk.index === 0 ? turnOf(answer) : undefined
          }) as ImageResult.ImageResult
        })
      return yield* fanOut(chunks.length, (index) => one(chunks[index]!), {
        concurrency: implementation.concurrency
      })
    })

  return ImageProvider.of({
    name,
    models,
    nativeAliases,
    generate: (input) =>
      Effect.flatMap(ImageRequest.decode(input, name), (request) =>
        run(request).pipe(
          HandOff.withSpan("nanogen.provider.generate", {
            attributes: { "nanogen.provider": name, "nanogen.model": request.model, "nanogen.n": request.n },
            // the call site would be this line of core (≈ 30 µs per span to capture)
            captureStackTrace: false
          })
        ))
  })
}

/** The `maxCostUsd` check: `BudgetExceeded` above the estimate, a warning when the model has no known price. */
const budget = (
  name: string,
  request: ImageRequest.ImageRequest,
  resolved: ModelCatalog.Resolved
): Effect.Effect<ReadonlyArray<string>, BudgetExceeded> => {
  if (request.maxCostUsd === undefined) return Effect.succeed([])
  if (resolved.entry === undefined) {
    return Effect.succeed([`maxCostUsd was not checked: ${resolved.model} has no known price`])
  }
  const price = resolved.capability?.price ?? resolved.entry.price
  const estimateUsd = ModelCatalog.estimate(resolved.entry, { imageSize: resolved.imageSize, n: request.n }, price)
  if (estimateUsd <= request.maxCostUsd) return Effect.succeed([])
  return Effect.fail(
    new BudgetExceeded({
      provider: name,
      model: resolved.model,
      estimateUsd,
      limitUsd: request.maxCostUsd,
      message: `${name}: the estimated cost of ${request.n} ${resolved.imageSize ?? "1K"} image${
        request.n === 1 ? "" : "s"
      } with ${resolved.model} is $${estimateUsd.toFixed(4)}, above maxCostUsd $${request.maxCostUsd}`
    })
  )
}

/**
 * Runs `single` once per requested image when a backend returns one image per call (`n > 1`), with bounded
 * concurrency (default: all `count` at once), and merges the results (images in order, usage and cost summed). The first failure interrupts
 * the other calls. The calls' fibers hand their results over instead of ending with them: an image left as a
 * finished fiber's exit value outlives young-generation collections and is only freed by a full one.
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
    : HandOff.forEach(Array.from({ length: count }, (_, index) => index), single, {
      // The calls are I/O-bound and `n` is at most `ImageRequest.limits.maxN`: all at once unless capped.
      concurrency: options.concurrency ?? count
    }).pipe(
      Effect.map((results) =>
        ImageResult.merge(results as [ImageResult.ImageResult, ...Array<ImageResult.ImageResult>])
      )
    )
