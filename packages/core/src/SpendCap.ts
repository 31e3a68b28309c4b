/**
 * A rolling spend limit (`NANOGEN_SPEND_CAP="50/1d"`: at most 50 USD in any day): before a generation its
 * estimated cost is reserved, refused when the period's total would pass the cap; after it the reservation is
 * corrected to the reported (or estimated) cost. The period is kept in 60 buckets, so "the last day" moves in steps
 * of 24 minutes. A service interface with an in-memory implementation here; `@nanogen/fleet` counts in Redis for a
 * whole fleet.
 *
 * @since 0.1.0
 */
import * as Clock from "effect/Clock"
import * as Config from "effect/Config"
import * as ConfigError from "effect/ConfigError"
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Ref from "effect/Ref"
import { parseRate } from "./internal/period.js"

/**
 * At most `limitUsd` US dollars in any `period`.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Cap {
  readonly limitUsd: number
  readonly period: Duration.Duration
}

/**
 * The answer of `reserve`: `Reserved` — the amount is counted, go ahead; `Exceeded` — nothing was counted.
 * `spentUsd` is the period's total before this reservation.
 *
 * @since 0.1.0
 * @category Models
 */
export type Verdict =
  | { readonly _tag: "Reserved"; readonly spentUsd: number }
  | { readonly _tag: "Exceeded"; readonly spentUsd: number; readonly cap: Cap }

/**
 * The service, with the error type of its store (`never` for the in-memory one).
 *
 * @since 0.1.0
 * @category Models
 */
export interface Service<E = never> {
  /** The cap, or `undefined` when spending is only counted, never refused. */
  readonly cap: Cap | undefined
  /** Counts `usd` unless the period's total would pass the cap (or already has). */
  readonly reserve: (usd: number) => Effect.Effect<Verdict, E>
  /** Adds `usd` (negative to give back part of a reservation) without checking the cap. */
  readonly adjust: (usd: number) => Effect.Effect<void, E>
  /** The period's total. */
  readonly spent: Effect.Effect<number, E>
}

/**
 * The spend-cap service the fallback consults before a generation and updates after it.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { SpendCap } from "@nanogen/core"
 *
 * const program = Effect.gen(function*() {
 *   const spend = yield* SpendCap.SpendCap
 *   const verdict = yield* spend.reserve(0.13) // { _tag: "Reserved", spentUsd: 0 }
 *   yield* spend.adjust(0.134 - 0.13) // the reported cost was 0.134
 *   return verdict
 * }).pipe(Effect.provide(SpendCap.layerMemory({ limitUsd: 50, period: "1 day" })))
 * ```
 * @since 0.1.0
 * @category Context
 */
export class SpendCap extends Context.Tag("@nanogen/core/SpendCap")<SpendCap, Service>() {}

/**
 * The number of buckets a period is counted in.
 *
 * @since 0.1.0
 * @category Models
 */
export const buckets = 60

/**
 * A cap as options.
 *
 * @since 0.1.0
 * @category Models
 */
export interface CapInput {
  readonly limitUsd: number
  readonly period: Duration.DurationInput
}

/**
 * Parses `NANOGEN_SPEND_CAP`-style text: `"50/1d"` (50 USD a day), `"2.5/1h"`.
 *
 * @example
 * ```ts
 * import { SpendCap } from "@nanogen/core"
 * SpendCap.parse("50/1d") // Either.right({ limitUsd: 50, period: 1 day })
 * ```
 * @since 0.1.0
 * @category Parsing
 */
export const parse = (text: string): Either.Either<Cap, string> =>
  Either.map(parseRate(text, false), ({ amount, period }) => ({ limitUsd: amount, period }))

/**
 * The cap in `NANOGEN_SPEND_CAP` (`Option.none()` when unset or empty); a malformed value is a `ConfigError`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { SpendCap } from "@nanogen/core"
 *
 * const cap = Effect.runSync(SpendCap.config) // Option.none() without NANOGEN_SPEND_CAP
 * ```
 * @since 0.1.0
 * @category Config
 */
export const config: Config.Config<Option.Option<Cap>> = Config.string("NANOGEN_SPEND_CAP").pipe(
  Config.withDefault(""),
  Config.mapOrFail((text) =>
    text.trim() === ""
      ? Either.right(Option.none())
      : Either.mapBoth(parse(text), {
        onLeft: (message) => ConfigError.InvalidData(["NANOGEN_SPEND_CAP"], message),
        onRight: Option.some
      })
  )
)

/**
 * Decodes a cap given as options.
 *
 * @example
 * ```ts
 * import { SpendCap } from "@nanogen/core"
 * SpendCap.decodeCap({ limitUsd: 50, period: "1 day" }) // { limitUsd: 50, period: Duration.days(1) }
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const decodeCap = (cap: CapInput | undefined): Cap | undefined =>
  cap === undefined ? undefined : { limitUsd: cap.limitUsd, period: Duration.decode(cap.period) }

/**
 * The rule every store applies: exceeded when the total has reached the cap or would pass it.
 *
 * @example
 * ```ts
 * import { Duration } from "effect"
 * import { SpendCap } from "@nanogen/core"
 * SpendCap.exceeds({ limitUsd: 1, period: Duration.days(1) }, 0.9, 0.2) // true
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const exceeds = (cap: Cap | undefined, spentUsd: number, usd: number): boolean =>
  cap !== undefined && (spentUsd >= cap.limitUsd || spentUsd + usd > cap.limitUsd)

/**
 * An in-memory spend counter (one process); `undefined` counts without a cap. Time comes from the Effect `Clock`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { SpendCap } from "@nanogen/core"
 *
 * const spend = Effect.runSync(SpendCap.makeMemory({ limitUsd: 5, period: "1 hour" }))
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const makeMemory = (capInput: CapInput | undefined): Effect.Effect<Service> =>
  Effect.gen(function*() {
    const cap = decodeCap(capInput)
    // Without a cap the total still rolls over a day, so `spent` stays meaningful.
    const bucketMs = Math.max(1, Duration.toMillis(cap?.period ?? Duration.days(1)) / buckets)
    const counts = yield* Ref.make<ReadonlyMap<number, number>>(new Map())
    const update = <A>(f: (total: number, add: (usd: number) => void) => A): Effect.Effect<A> =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Ref.modify(counts, (all) => {
          const current = Math.floor(now / bucketMs)
          const live = new Map([...all].filter(([bucket]) => bucket > current - buckets))
          const total = [...live.values()].reduce((sum, usd) => sum + usd, 0)
          const a = f(total, (usd) => live.set(current, (live.get(current) ?? 0) + usd))
          return [a, live] as const
        }))
    return {
      cap,
      reserve: (usd) =>
        update((spentUsd, add): Verdict => {
          if (cap !== undefined && exceeds(cap, spentUsd, usd)) return { _tag: "Exceeded", spentUsd, cap }
          add(usd)
          return { _tag: "Reserved", spentUsd }
        }),
      adjust: (usd) => update((_, add) => add(usd)),
      spent: update((total) => total)
    }
  })

/**
 * The in-memory counter as a layer.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { Fallback, ImageProviderTest, SpendCap } from "@nanogen/core"
 *
 * const Live = Fallback.layer([ImageProviderTest.layer({ name: "a" })]).pipe(
 *   Layer.provide(SpendCap.layerMemory({ limitUsd: 20, period: "1 day" }))
 * )
 * ```
 * @since 0.1.0
 * @category Layers
 */
export const layerMemory = (cap: CapInput | undefined): Layer.Layer<SpendCap> => Layer.effect(SpendCap, makeMemory(cap))

/**
 * The in-memory counter with the cap of `NANOGEN_SPEND_CAP` (counting only, when unset).
 *
 * @example
 * ```ts
 * import { SpendCap } from "@nanogen/core"
 * const Spend = SpendCap.layerMemoryConfig // NANOGEN_SPEND_CAP="50/1d"
 * ```
 * @since 0.1.0
 * @category Layers
 */
export const layerMemoryConfig: Layer.Layer<SpendCap, ConfigError.ConfigError> = Layer.effect(
  SpendCap,
  Effect.flatMap(config, (cap) => makeMemory(Option.getOrUndefined(cap)))
)
