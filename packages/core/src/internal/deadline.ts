/**
 * `Effect.timeoutFail` at a lower price. Effect's races the effect against a sleeping fiber: two forked fibers,
 * the sleep's scheduling, and the loser's interruption, ≈ 80–100 µs a call, and every exchange has one (a CDN
 * image two). With Effect's own clock this forks only the effect and arms a plain timer (≈ 35–45 µs); under any
 * other clock (`TestClock`) it is `Effect.timeoutFail` itself, so tests move time as before.
 *
 * Same semantics: on timeout the effect is interrupted and its finalizers have run before the timeout's error is
 * returned; interrupting the caller interrupts the effect; the effect's fiber refs are inherited as by a join.
 *
 * @since 0.2.0
 * @internal
 */
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as FiberId from "effect/FiberId"
import * as HandOff from "./handOff.js"

/** The clock of Effect's default services: real time, where a plain timer is the same thing. */
const liveClock = Effect.runSync(Effect.clock)

/** Longest delay `setTimeout` takes (≈ 24.8 days); beyond it, the race. */
const MAX_TIMER_MS = 2 ** 31 - 1

/** @internal */
export const timeoutFail = <E2>(
  options: { readonly duration: Duration.Duration; readonly onTimeout: () => E2 }
) =>
<A, E, R>(self: Effect.Effect<A, E, R>): Effect.Effect<A, E | E2, R> => {
  const ms = Duration.toMillis(options.duration)
  if (!(ms >= 0 && ms <= MAX_TIMER_MS)) return Effect.timeoutFail(self, options)
  return Effect.clockWith((clock) =>
    clock !== liveClock
      ? Effect.timeoutFail(self, options)
      : Effect.suspend(() => {
        // The value comes out through a cell, not as the child's exit value (see `HandOff`).
        const value = HandOff.cell<A>()
        return Effect.flatMap(Effect.fork(HandOff.putting(self, value)), (child) =>
          Effect.async<A, E | E2>((resume) => {
            let settled = false
            const timer = setTimeout(() => {
              if (settled) return
              settled = true
              child.unsafeInterruptAsFork(FiberId.none)
              // Once the effect's finalizers have run (an aborted exchange, its bytes dropped).
              child.addObserver(() => resume(Effect.fail(options.onTimeout())))
            }, ms)
            child.addObserver(() => {
              if (settled) return
              settled = true
              clearTimeout(timer)
              resume(Effect.map(Fiber.join(child), value.take))
            })
            return Effect.suspend(() => {
              settled = true
              clearTimeout(timer)
              return Fiber.interrupt(child)
            })
          }))
      })
  )
}
