/**
 * Multi-turn editing: a session keeps the history of turns (each model turn exactly as its backend returned it)
 * and sends it with every request, over whichever `ImageProvider` is in context — one backend, or a `Fallback`
 * chain that re-seeds a backend which cannot continue another's turns. The state exports to JSON, so a web app
 * can store it between requests and resume it on another instance.
 *
 * @since 0.2.0
 */
import * as Effect from "effect/Effect"
import * as ParseResult from "effect/ParseResult"
import * as Schema from "effect/Schema"
import * as SynchronizedRef from "effect/SynchronizedRef"
import { type ImageGenerationError, InvalidRequest, MalformedResponse } from "./ImageGenerationError.js"
import * as ImageProvider from "./ImageProvider.js"
import * as ImageRequest from "./ImageRequest.js"
import type * as ImageResult from "./ImageResult.js"
import * as ImageTurn from "./ImageTurn.js"

/**
 * What every turn of a session shares: any request option but the prompt, images, `n` and history (`model`,
 * `aspectRatio`, `imageSize`, `seed`, `providerOptions`, …). JSON values only: they are exported with the state.
 *
 * @since 0.2.0
 * @category Models
 */
export type Defaults = Omit<ImageRequest.Input, "prompt" | "images" | "n" | "history">

/**
 * One turn to send: the prompt, any new reference images, and options overriding the session's defaults for
 * this turn only.
 *
 * @since 0.2.0
 * @category Models
 */
export type Send = Omit<ImageRequest.Input, "n" | "history">

/**
 * The exported state as a Schema: `{ version: 1, defaults, history }` in JSON (images as base64).
 *
 * @since 0.2.0
 * @category Schemas
 */
export const State = Schema.Struct({
  version: Schema.Literal(1),
  defaults: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  history: ImageTurn.History
})

/**
 * The exported state, JSON-safe: `JSON.stringify` it, store it, give it to `resume`.
 *
 * @since 0.2.0
 * @category Models
 */
export type State = typeof State.Encoded

/**
 * A session.
 *
 * @since 0.2.0
 * @category Models
 */
export interface ImageSession {
  /** The options every turn shares. */
  readonly defaults: Defaults
  /**
   * Sends one turn with the history so far; on success appends the user turn and the model's turn and returns the
   * result. On failure the history is unchanged. One `send` runs at a time: concurrent calls wait their turn.
   */
  readonly send: (turn: Send) => Effect.Effect<ImageResult.ImageResult, ImageGenerationError>
  /** The turns so far: user and model alternating, model turns exactly as their backends returned them. */
  readonly history: Effect.Effect<ReadonlyArray<ImageTurn.Turn>>
  /** The state as JSON-safe data (images as base64), for `resume`. */
  readonly export: Effect.Effect<State>
}

const encodeState = Schema.encodeSync(State)
const decodeState = Schema.decodeUnknownEither(State, { errors: "first" })
const validateTurn = Schema.validateEither(ImageTurn.ModelTurn, { errors: "first" })

/** The model turn a result carries (`ImageResult.turn`), or a stateless turn made from its first image. */
const turnOf = (result: ImageResult.ImageResult): ImageTurn.ModelTurn => result.turn ?? ImageTurn.fromResult(result)

const fieldOf = (path: ReadonlyArray<PropertyKey>): string =>
  path.map((key) => typeof key === "number" ? `[${key}]` : `.${String(key)}`).join("").replace(/^\./, "")

const build = (
  provider: ImageProvider.ImageProvider.Service,
  defaults: Defaults,
  history: ReadonlyArray<ImageTurn.Turn>
): Effect.Effect<ImageSession> =>
  Effect.map(SynchronizedRef.make(history), (ref): ImageSession => ({
    defaults,
    history: SynchronizedRef.get(ref),
    export: Effect.map(SynchronizedRef.get(ref), (turns) => encodeState({ version: 1, defaults, history: turns })),
    send: (turn) =>
      SynchronizedRef.modifyEffect(ref, (turns) =>
        Effect.gen(function*() {
          // `history` even when empty: it asks the backend for the turn to append
          const result = yield* provider.generate({ ...defaults, ...turn, history: turns })
          const answer = turnOf(result)
          const checked = validateTurn(answer)
          if (checked._tag === "Left") {
            return yield* new MalformedResponse({
              provider: result.provider,
              model: result.model,
              message: `${result.provider}: the turn returned for the session is not valid: ${
                ParseResult.TreeFormatter.formatErrorSync(checked.left)
              }`
            })
          }
          const user: ImageTurn.UserTurn = {
            role: "user",
            prompt: turn.prompt,
            ...(turn.images === undefined || turn.images.length === 0 ? {} : { images: turn.images })
          }
          return [result, [...turns, user, answer]] as const
        }))
  }))

/** Fields that belong to one turn (or to the session itself), never to the defaults. */
const perTurn = ["prompt", "images", "n", "history"] as const

const checkDefaults = (defaults: Defaults): Effect.Effect<void, InvalidRequest> => {
  const misplaced = perTurn.find((field) => field in defaults)
  return misplaced === undefined
    ? Effect.asVoid(ImageRequest.decode({ prompt: "defaults", ...defaults }, "session"))
    : Effect.fail(
      new InvalidRequest({
        provider: "session",
        field: misplaced,
        message: `Invalid session defaults: ${misplaced} belongs to a turn, not to the defaults of a session`
      })
    )
}

/**
 * Starts a session over the `ImageProvider` in context. The defaults are validated at once (`InvalidRequest`
 * naming the field).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ImageProviderTest, ImageSession } from "@nanogen/core"
 *
 * const program = Effect.gen(function*() {
 *   const session = yield* ImageSession.make({ model: "nano-banana-pro", aspectRatio: "16:9" })
 *   yield* session.send({ prompt: "a nano banana on a marble plate" })
 *   const second = yield* session.send({ prompt: "now make the plate black" }) // edits the last image
 *   const state = JSON.stringify(yield* session.export) // store it; ImageSession.resume(JSON.parse(state)) later
 *   return { second, state }
 * }).pipe(Effect.provide(ImageProviderTest.layer()))
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const make = (
  defaults: Defaults = {}
): Effect.Effect<ImageSession, InvalidRequest, ImageProvider.ImageProvider> =>
  Effect.zipRight(
    checkDefaults(defaults),
    Effect.flatMap(ImageProvider.ImageProvider, (provider) => build(provider, defaults, []))
  )

/**
 * Continues a session from its exported state (the object `export` gave, or that object after
 * `JSON.stringify`/`JSON.parse`), over the `ImageProvider` in context. A state that does not decode fails with
 * `InvalidRequest` naming the field (`history[3].parts[0].thoughtSignature`). `defaults` here override the
 * stored ones.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ImageProviderTest, ImageSession } from "@nanogen/core"
 * declare const stored: string // JSON.stringify(yield* session.export), from another request or instance
 *
 * const program = Effect.gen(function*() {
 *   const session = yield* ImageSession.resume(JSON.parse(stored))
 *   return yield* session.send({ prompt: "and add a second banana" })
 * }).pipe(Effect.provide(ImageProviderTest.layer()))
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const resume = (
  state: unknown,
  defaults: Defaults = {}
): Effect.Effect<ImageSession, InvalidRequest, ImageProvider.ImageProvider> =>
  Effect.gen(function*() {
    const decoded = decodeState(state)
    if (decoded._tag === "Left") {
      const [issue] = ParseResult.ArrayFormatter.formatErrorSync(decoded.left)
      const field = issue === undefined ? "" : fieldOf(issue.path)
      return yield* new InvalidRequest({
        provider: "session",
        message: `Invalid session state: ${field === "" ? "" : `${field} `}${issue?.message ?? "could not be decoded"}`,
        ...(field === "" ? {} : { field })
      })
    }
    const merged = { ...(decoded.right.defaults as Defaults), ...defaults }
    yield* checkDefaults(merged)
    const provider = yield* ImageProvider.ImageProvider
    return yield* build(provider, merged, decoded.right.history)
  })
