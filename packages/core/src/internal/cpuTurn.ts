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
import * as HandOff from "./handOff.js"

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
    const job = () => resume(HandOff.runSync(effect))
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

/**
 * A piece of work done in slices: `step` does one slice (a few hundred microseconds at most) and tells whether
 * more is left.
 *
 * @internal
 */
export interface Sliced {
  readonly step: () => boolean
}

/**
 * How long one event-loop turn may spend on sliced work. Reading 32 answers of a few megabytes at once, the
 * decode of every chunk that arrived in one poll phase ran right there, back to back: the event loop stalled for
 * 50–130 ms at a time. Sliced, the poll phase only queues the chunks, and each turn decodes for this long.
 */
const TURN_BUDGET_MS = 2

const sliced: Array<Sliced> = []
let next = 0
let slicing = false

const runSlices = () => {
  const deadline = performance.now() + TURN_BUDGET_MS
  while (sliced.length > 0) {
    if (next >= sliced.length) next = 0
    const work = sliced[next]!
    const more = work.step()
    // A step that stopped its read has taken its work out of the queue already (`unslice`).
    if (sliced[next] === work) {
      if (more) next++
      else sliced.splice(next, 1)
    }
    if (performance.now() >= deadline) break
  }
  if (sliced.length > 0) setImmediate(runSlices)
  else slicing = false
}

/**
 * Runs `work` slice by slice in later event-loop turns, round robin with every other sliced work, each turn for
 * at most a couple of milliseconds: timers and I/O get in between. Scheduling work already queued does nothing.
 *
 * @internal
 */
export const slice = (work: Sliced): void => {
  if (!sliced.includes(work)) sliced.push(work)
  if (!slicing) {
    slicing = true
    setImmediate(runSlices)
  }
}

/**
 * Drops `work` from the queue (it was stopped).
 *
 * @internal
 */
export const unslice = (work: Sliced): void => {
  const index = sliced.indexOf(work)
  if (index === -1) return
  sliced.splice(index, 1)
  if (index < next) next--
}
