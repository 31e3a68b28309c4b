/**
 * Large values (decoded images, parsed answers) handed from a fiber to whoever waits for it through a cell the
 * waiter empties, never as the fiber's exit value.
 *
 * A fiber keeps its exit value after it ends, and a span its recorded exit. Measured with a 1.5 MB image per call
 * (bench/README.md, "Seventh round"): an image left as a forked fiber's exit value, a `runPromise`'s value or a
 * span's recorded exit outlived young-generation collections and was only freed by full ones, one every 6–8 calls,
 * started by "external memory pressure": ≈ 2× the CPU of the same call with the image handed over (9–13 vs 5–6 ms
 * per call, 35–55 full collections per 300 calls against none). So the fibers end with `undefined` and the spans
 * with `Exit.void`, and the value goes through a cell that is emptied as it is taken.
 *
 * @since 0.2.0
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type * as Tracer from "effect/Tracer"

/**
 * One value, put by the fiber that computes it and taken (the cell emptied) by the one that waits for it.
 *
 * @internal
 */
export interface Cell<A> {
  readonly put: (value: A) => void
  readonly take: () => A
}

/** @internal */
export const cell = <A>(): Cell<A> => {
  let value: A | undefined
  return {
    put: (next) => {
      value = next
    },
    take: () => {
      const taken = value as A
      value = undefined
      return taken
    }
  }
}

/**
 * `self` to be run in a fiber of its own: its value goes into `into`, the fiber's exit is `undefined`.
 *
 * @internal
 */
export const putting = <A, E, R>(self: Effect.Effect<A, E, R>, into: Cell<A>): Effect.Effect<void, E, R> =>
  Effect.map(self, into.put)

/**
 * `Effect.runSyncExit` of `effect`, run so that its fiber ends with nothing: a success's `Exit` is built around the
 * value after that fiber has ended.
 *
 * @internal
 */
export const runSync = <A, E>(effect: Effect.Effect<A, E>): Exit.Exit<A, E> => {
  const into = cell<A>()
  const exit = Effect.runSyncExit(putting(effect, into))
  return Exit.isSuccess(exit) ? Exit.succeed(into.take()) : Exit.failCause(exit.cause)
}

/**
 * `Effect.forEach` with `concurrency`, each element's fiber ending with `undefined`: the values are gathered in
 * one array, in order, that only the caller holds.
 *
 * @internal
 */
export const forEach = <A, B, E, R>(
  items: ReadonlyArray<A>,
  f: (item: A, index: number) => Effect.Effect<B, E, R>,
  options: { readonly concurrency: number | "unbounded" }
): Effect.Effect<Array<B>, E, R> =>
  Effect.suspend(() => {
    const out = new Array<B>(items.length)
    return Effect.as(
      Effect.forEach(items, (item, index) =>
        Effect.map(f(item, index), (value) => {
          out[index] = value
        }), { concurrency: options.concurrency, discard: true }),
      out
    )
  })

/**
 * `Effect.withSpan`, the span ended with `Exit.void` on success: a finished span keeps its exit (its status), as a
 * fiber does. A failure is recorded as it is (tracers set the span's error status from it).
 *
 * @internal
 */
export const withSpan =
  (name: string, options: Tracer.SpanOptions) => <A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E, R> =>
    Effect.suspend(() => {
      const value = cell<A>()
      return Effect.map(Effect.withSpan(putting(self, value), name, options), value.take)
    })
