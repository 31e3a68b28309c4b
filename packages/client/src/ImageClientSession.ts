/**
 * Multi-turn editing for the Promise facade: `client.session()` returns `{ send, export, history }` over the
 * client's own runtime (its configured backends and fallback). The state `export` gives is plain JSON: store it
 * and pass it back as `client.session({ resume: state })`, in this process or another.
 *
 * @since 0.2.0
 */
import type { ImageGenerationError, ImageProvider, ImageResult, ImageTurn } from "@nanogen/core"
import { ImageSession } from "@nanogen/core"
import type * as Effect from "effect/Effect"

/**
 * How the client runs an effect: on its runtime, rejecting with the tagged error itself (and with an
 * `AbortError` when the signal aborted the call).
 *
 * @since 0.2.0
 * @category Models
 */
export type Run = <A, E>(
  effect: Effect.Effect<A, E, ImageProvider.ImageProvider>,
  options?: { readonly signal?: AbortSignal | undefined }
) => Promise<A>

/**
 * Options of `client.session()`.
 *
 * @example
 * ```ts
 * import type { ImageClientSession } from "@nanogen/client"
 * const options: ImageClientSession.Options = { defaults: { model: "nano-banana-pro", aspectRatio: "16:9" } }
 * ```
 * @since 0.2.0
 * @category Models
 */
export interface Options {
  /** The options every turn shares (model, ratio, size, seed, provider options…). */
  readonly defaults?: ImageSession.Defaults | undefined
  /** A state from `export()` (or its `JSON.parse`d text) to continue; its defaults apply, `defaults` override them. */
  readonly resume?: unknown
}

/**
 * A session of the Promise facade.
 *
 * @since 0.2.0
 * @category Models
 */
export interface ImageClientSession {
  /**
   * Sends one turn (`{ prompt, images?, …options }`) with the history so far and resolves with the result; the
   * history grows by the turn and the model's answer. Rejects with the tagged error; the history is then unchanged.
   * Concurrent sends run one after the other.
   */
  readonly send: (
    turn: ImageSession.Send,
    options?: { readonly signal?: AbortSignal | undefined }
  ) => Promise<ImageResult.ImageResult>
  /** The state as plain JSON data (images as base64): `JSON.stringify` it and store it. */
  readonly export: () => Promise<ImageSession.State>
  /** The turns so far, each model turn exactly as its backend returned it. */
  readonly history: () => Promise<ReadonlyArray<ImageTurn.Turn>>
}

/**
 * A session over `run`. Nothing runs until the first call; a bad `defaults` or `resume` state rejects that call
 * with `InvalidRequest` naming the field (and every later one).
 *
 * @example
 * ```ts
 * import { createImageClient } from "@nanogen/client"
 *
 * const client = createImageClient()
 * const session = client.session({ defaults: { model: "nano-banana-pro" } })
 * await session.send({ prompt: "a nano banana on a marble plate" })
 * await session.send({ prompt: "now make the plate black" })
 * const stored = JSON.stringify(await session.export())
 * const later = client.session({ resume: JSON.parse(stored) })
 * await later.send({ prompt: "add a second banana" })
 * await client.close()
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const make = (run: Run, options: Options = {}): ImageClientSession => {
  let session: Promise<ImageSession.ImageSession> | undefined
  const opened = () =>
    session ??= run(
      options.resume === undefined
        ? ImageSession.make(options.defaults)
        : ImageSession.resume(options.resume, options.defaults)
    )
  return {
    send: async (turn, callOptions) => {
      const current = await opened()
      return run<ImageResult.ImageResult, ImageGenerationError.ImageGenerationError>(current.send(turn), callOptions)
    },
    export: async () => run((await opened()).export),
    history: async () => run((await opened()).history)
  }
}
