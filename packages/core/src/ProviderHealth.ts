/**
 * The health of each backend as the fallback sees it: after a number of consecutive failures a provider is
 * skipped for a cooldown, then a single probe call decides whether it is back. A small service interface with an
 * in-memory implementation, so a shared store (Redis, a database) can back it later.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Ref from "effect/Ref"

/**
 * What the fallback may do with a provider right now: `"available"` — call it; `"probe"` — its cooldown is over
 * and this caller is the single probe; `"cooling-down"` — skip it.
 *
 * @since 0.1.0
 * @category Models
 */
export type Decision = "available" | "probe" | "cooling-down"

/**
 * The state of one provider, as reported by `snapshot`.
 *
 * @since 0.1.0
 * @category Models
 */
export interface State {
  readonly provider: string
  readonly consecutiveFailures: number
  /** Epoch milliseconds until which the provider is skipped, when it is cooling down. */
  readonly coolingDownUntil: number | undefined
  /** Whether a probe call is in flight. */
  readonly probing: boolean
}

/**
 * The health store. Implementations must make `acquire` atomic: while a provider's cooldown is over, only one
 * caller gets `"probe"` until that probe reports `success`, `failure` or `release`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ProviderHealth } from "@nanogen/core"
 *
 * const program = Effect.gen(function*() {
 *   const health = yield* ProviderHealth.ProviderHealth
 *   yield* health.failure("openrouter")
 *   return yield* health.acquire("openrouter") // "available" until the threshold is reached
 * }).pipe(Effect.provide(ProviderHealth.layerMemory({ failureThreshold: 3, cooldown: "30 seconds" })))
 * ```
 * @since 0.1.0
 * @category Context
 */
export class ProviderHealth extends Context.Tag("@nanogen/core/ProviderHealth")<ProviderHealth, {
  /** Whether to call `provider` now; `"probe"` reserves the single probe. */
  readonly acquire: (provider: string) => Effect.Effect<Decision>
  /** The provider answered (even with a refusal): reset its failures and end any cooldown. */
  readonly success: (provider: string) => Effect.Effect<void>
  /** A failover-class failure (unavailable, timeout, rate limit, bad key…): count it, maybe start a cooldown. */
  readonly failure: (provider: string) => Effect.Effect<void>
  /** A probe ended without a verdict (interrupted): let the next caller probe. */
  readonly release: (provider: string) => Effect.Effect<void>
  /** The current state of every provider seen so far. */
  readonly snapshot: Effect.Effect<ReadonlyArray<State>>
}>() {}

/**
 * @since 0.1.0
 * @category Models
 */
export interface MemoryOptions {
  /** Consecutive failures that start a cooldown. Default 3. */
  readonly failureThreshold?: number | undefined
  /** How long a provider is skipped before one probe call. Default 30 seconds. */
  readonly cooldown?: Duration.DurationInput | undefined
}

/**
 * The defaults of the in-memory store.
 *
 * @since 0.1.0
 * @category Models
 */
export const defaults = { failureThreshold: 3, cooldown: Duration.seconds(30) } as const

/**
 * An in-memory store (one process). Time comes from the Effect `Clock`, so `TestClock` moves cooldowns.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ProviderHealth } from "@nanogen/core"
 *
 * const health = Effect.runSync(ProviderHealth.makeMemory({ failureThreshold: 1 }))
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const makeMemory = (options: MemoryOptions = {}): Effect.Effect<ProviderHealth["Type"]> =>
  Effect.gen(function*() {
    const threshold = Math.max(1, options.failureThreshold ?? defaults.failureThreshold)
    const cooldownMs = Duration.toMillis(Duration.decode(options.cooldown ?? defaults.cooldown))
    const states = yield* Ref.make<ReadonlyMap<string, State>>(new Map())
    const initial = (provider: string): State => ({
      provider,
      consecutiveFailures: 0,
      coolingDownUntil: undefined,
      probing: false
    })
    const modify = <A>(provider: string, f: (state: State, now: number) => readonly [A, State]) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Ref.modify(states, (all) => {
          const [a, next] = f(all.get(provider) ?? initial(provider), now)
          const copy = new Map(all)
          copy.set(provider, next)
          return [a, copy] as const
        }))
    return ProviderHealth.of({
      acquire: (provider) =>
        modify(provider, (state, now): readonly [Decision, State] => {
          if (state.coolingDownUntil === undefined) return ["available", state]
          if (now < state.coolingDownUntil || state.probing) return ["cooling-down", state]
          return ["probe", { ...state, probing: true }]
        }),
      success: (provider) => modify(provider, () => [undefined, initial(provider)]),
      failure: (provider) =>
        modify(provider, (state, now) => {
          const consecutiveFailures = state.consecutiveFailures + 1
          const open = state.probing || consecutiveFailures >= threshold
          return [undefined, {
            provider,
            consecutiveFailures,
            coolingDownUntil: open ? now + cooldownMs : state.coolingDownUntil,
            probing: false
          }]
        }),
      release: (provider) => modify(provider, (state) => [undefined, { ...state, probing: false }]),
      snapshot: Effect.map(Ref.get(states), (all) => [...all.values()])
    })
  })

/**
 * The in-memory store as a layer. Provide it (or your own implementation) to share health between several
 * fallback layers; without one, each fallback layer keeps its own in-memory store.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { Fallback, ImageProviderTest, ProviderHealth } from "@nanogen/core"
 *
 * const Live = Fallback.layer([ImageProviderTest.layer({ name: "a" }), ImageProviderTest.layer({ name: "b" })]).pipe(
 *   Layer.provide(ProviderHealth.layerMemory({ failureThreshold: 2, cooldown: "1 minute" }))
 * )
 * ```
 * @since 0.1.0
 * @category Layers
 */
export const layerMemory = (options: MemoryOptions = {}): Layer.Layer<ProviderHealth> =>
  Layer.effect(ProviderHealth, makeMemory(options))
