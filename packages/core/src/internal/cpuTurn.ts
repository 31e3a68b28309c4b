/**
 * Event-loop turns for the CPU-heavy part of large answers. When many large answers finish at once (64
 * concurrent calls), their bodies all complete in the same poll phase, and parsing each one right away would block
 * the event loop for the sum of them (64 × a few ms): timers and I/O of everything else in the process wait.
 * `run` queues the (synchronous) work instead and each `setImmediate` turn runs one piece, so timers and I/O get
 * in between and event-loop delay stays near the cost of one answer. An idle process pays one `setImmediate` hop
 * (microseconds). (Measured with 500 × 1.5 MB answers at concurrency 64: event-loop p99 ≈ 30 ms instead of
 * ≈ 300 ms; letting a turn run several pieces, up to 1–4 ms of work, raised p99 to 40–100 ms.)
 *
 * @since 0.1.0
 * @internal
 */
import * as Effect from "effect/Effect"

const waiting: Array<() => void> = []
let draining = false

const drain = () => {
  const next = waiting.shift()
  if (waiting.length > 0) setImmediate(drain)
  else draining = false
  next?.()
}

/**
 * Runs a synchronous effect (no async steps, no requirements) in a later event-loop turn of its own. Interrupting
 * the caller before its turn drops the work.
 *
 * @internal
 */
export const run = <A, E>(effect: Effect.Effect<A, E>): Effect.Effect<A, E> =>
  Effect.async<A, E>((resume) => {
    const job = () => resume(Effect.runSyncExit(effect))
    waiting.push(job)
    if (!draining) {
      draining = true
      setImmediate(drain)
    }
    return Effect.sync(() => {
      const index = waiting.indexOf(job)
      if (index !== -1) waiting.splice(index, 1)
    })
  })
