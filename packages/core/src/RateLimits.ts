/**
 * Request budgets per backend (`openrouter` at most 60 calls a minute, …) and pauses a backend asked for with its
 * own `429 Retry-After`. The fallback takes one request from a backend's budget before each attempt; over the
 * budget it waits (up to its `maxRetryAfter`) or moves on to the next backend. A service interface with an
 * in-memory implementation here; `@nanogen/fleet` holds the same budgets in Redis for a whole fleet.
 *
 * @since 0.1.0
 */
import * as RateLimiter from "@effect/experimental/RateLimiter"
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
 * At most `limit` requests per `window`.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Budget {
  readonly limit: number
  readonly window: Duration.Duration
}

/**
 * Budgets by backend name (`"openrouter"`, `"google-direct"`, `"aimlapi"`, or the name of your own provider).
 * A backend without a budget is never limited (only paused).
 *
 * @since 0.1.0
 * @category Models
 */
export type Budgets = Readonly<Record<string, Budget>>

/**
 * The answer of `take`: `Granted` — call the backend now; `Limited` — not before `retryAfter`, because its
 * budget is spent (`"budget"`) or it asked to be left alone (`"paused"`, from its own 429).
 *
 * @since 0.1.0
 * @category Models
 */
export type Permit =
  | { readonly _tag: "Granted" }
  | {
    readonly _tag: "Limited"
    readonly reason: "budget" | "paused"
    readonly retryAfter: Duration.Duration
  }

/**
 * The service, with the error type of its store (`never` for the in-memory one).
 *
 * @since 0.1.0
 * @category Models
 */
export interface Service<E = never> {
  /** Takes one request from `provider`'s budget, or says how long until one is free. Never waits. */
  readonly take: (provider: string) => Effect.Effect<Permit, E>
  /** Pauses `provider` for `retryAfter` (its own 429 said so); a longer pause already set stays. */
  readonly pause: (provider: string, retryAfter: Duration.DurationInput) => Effect.Effect<void, E>
}

/**
 * The rate-limit service the fallback consults before each attempt.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { RateLimits } from "@nanogen/core"
 *
 * const program = Effect.gen(function*() {
 *   const limits = yield* RateLimits.RateLimits
 *   return yield* limits.take("openrouter") // { _tag: "Granted" } for the first 60 calls of a minute
 * }).pipe(Effect.provide(RateLimits.layerMemory({ budgets: { openrouter: { limit: 60, window: "1 minute" } } })))
 * ```
 * @since 0.1.0
 * @category Context
 */
export class RateLimits extends Context.Tag("@nanogen/core/RateLimits")<RateLimits, Service>() {}

/**
 * Where pauses are kept: `pausedFor` answers the milliseconds left (0 when not paused).
 *
 * @since 0.1.0
 * @category Models
 */
export interface PauseStore<E = never> {
  readonly pausedFor: (provider: string) => Effect.Effect<number, E>
  readonly extend: (provider: string, millis: number) => Effect.Effect<void, E>
}

/**
 * Budgets as options: a `Budget` or `{ limit, window }` with any duration input.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Options {
  readonly budgets?: Readonly<Record<string, { readonly limit: number; readonly window: Duration.DurationInput }>>
}

/**
 * Parses `NANOGEN_RATE_LIMITS`-style text: `"openrouter=60/1m,google-direct=10/1m"` (units `ms`, `s`, `m`, `h`,
 * `d`; `"10/30s"` is ten per thirty seconds). An empty string means no budgets.
 *
 * @example
 * ```ts
 * import { RateLimits } from "@nanogen/core"
 * RateLimits.parse("openrouter=60/1m,google-direct=10/1m")
 * // Either.right({ openrouter: { limit: 60, window: 1 minute }, "google-direct": { limit: 10, window: 1 minute } })
 * ```
 * @since 0.1.0
 * @category Parsing
 */
export const parse = (text: string): Either.Either<Budgets, string> => {
  const budgets: Record<string, Budget> = {}
  for (const part of text.split(",")) {
    if (part.trim() === "") continue
    const equals = part.indexOf("=")
    const name = equals < 0 ? "" : part.slice(0, equals).trim()
    if (name === "") return Either.left(`${JSON.stringify(part.trim())} is not "<backend>=<limit>/<window>"`)
    const rate = parseRate(part.slice(equals + 1), true)
    if (Either.isLeft(rate)) return Either.left(`${name}: ${rate.left}`)
    budgets[name] = { limit: rate.right.amount, window: rate.right.period }
  }
  return Either.right(budgets)
}

/**
 * The budgets in `NANOGEN_RATE_LIMITS` (none when unset); a malformed value is a `ConfigError` naming the entry.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { RateLimits } from "@nanogen/core"
 *
 * const budgets = Effect.runSync(RateLimits.config) // {} without NANOGEN_RATE_LIMITS
 * ```
 * @since 0.1.0
 * @category Config
 */
export const config: Config.Config<Budgets> = Config.string("NANOGEN_RATE_LIMITS").pipe(
  Config.withDefault(""),
  Config.mapOrFail((text) =>
    Either.mapLeft(parse(text), (message) => ConfigError.InvalidData(["NANOGEN_RATE_LIMITS"], message))
  )
)

/**
 * Budgets with whole numbers: `limit` at least 1, and the window rounded up so that it is a whole number of
 * milliseconds per request (the rate limiter's stores count in whole milliseconds; `7/1m` holds as 7 per 60.004 s).
 *
 * @example
 * ```ts
 * import { RateLimits } from "@nanogen/core"
 * RateLimits.decodeBudgets({ budgets: { openrouter: { limit: 7, window: "1 minute" } } })
 * // { openrouter: { limit: 7, window: Duration.millis(60_004) } }
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const decodeBudgets = (options: Options): Budgets =>
  Object.fromEntries(
    Object.entries(options.budgets ?? {}).map(([name, budget]) => {
      const limit = Math.max(1, Math.floor(budget.limit))
      const perRequestMs = Math.max(1, Math.ceil(Duration.toMillis(Duration.decode(budget.window)) / limit))
      return [name, { limit, window: Duration.millis(perRequestMs * limit) }]
    })
  )

/**
 * Builds the service from a `RateLimiter` (from `@effect/experimental`; its store decides where counts live) and a
 * pause store. Budgets use the limiter's fixed-window algorithm: a backend's count resets when its window, opened by
 * the first call, runs out.
 *
 * @example
 * ```ts
 * import { RateLimiter } from "@effect/experimental"
 * import { Effect } from "effect"
 * import { RateLimits } from "@nanogen/core"
 *
 * const limits = Effect.gen(function*() {
 *   const limiter = yield* RateLimiter.make
 *   const pauses = yield* RateLimits.makePauseStoreMemory
 *   return RateLimits.make({ openrouter: { limit: 60, window: "1 minute" } }, limiter, pauses)
 * }).pipe(Effect.provide(RateLimiter.layerStoreMemory))
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const make = <E>(
  budgets: Budgets | Options["budgets"],
  limiter: RateLimiter.RateLimiter,
  pauses: PauseStore<E>
): Service<E | RateLimiter.RateLimitStoreError> => {
  const decoded = decodeBudgets({ budgets: budgets ?? {} })
  const granted: Permit = { _tag: "Granted" }
  return {
    // the pause and the budget are read at once (one round trip for remote stores); a call refused for a pause
    // still counts against the budget, which only matters while the backend itself is refusing calls
    take: (provider) => {
      const budget = decoded[provider]
      const consume: Effect.Effect<Permit, RateLimiter.RateLimitStoreError> = budget === undefined
        ? Effect.succeed(granted)
        : limiter.consume({
          key: provider,
          limit: budget.limit,
          window: budget.window,
          algorithm: "fixed-window",
          onExceeded: "fail"
        }).pipe(
          Effect.as(granted),
          Effect.catchTag("RateLimiterError", (error) =>
            error.reason === "Exceeded"
              ? Effect.succeed<Permit>({ _tag: "Limited", reason: "budget", retryAfter: error.retryAfter })
              : Effect.fail(error))
        )
      return Effect.zipWith(
        pauses.pausedFor(provider),
        consume,
        (pausedMs, permit): Permit =>
          pausedMs > 0 ? { _tag: "Limited", reason: "paused", retryAfter: Duration.millis(pausedMs) } : permit,
        { concurrent: true }
      )
    },
    pause: (provider, retryAfter) => {
      const millis = Math.ceil(Duration.toMillis(Duration.decode(retryAfter)))
      return millis > 0 ? pauses.extend(provider, millis) : Effect.void
    }
  }
}

/**
 * An in-memory pause store (one process). Time comes from the Effect `Clock`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { RateLimits } from "@nanogen/core"
 *
 * const pauses = Effect.runSync(RateLimits.makePauseStoreMemory)
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const makePauseStoreMemory: Effect.Effect<PauseStore> = Effect.map(
  Ref.make<ReadonlyMap<string, number>>(new Map()),
  (until) => ({
    pausedFor: (provider) =>
      Effect.zipWith(
        Clock.currentTimeMillis,
        Ref.get(until),
        (now, all) => Math.max(0, Option.getOrElse(Option.fromNullable(all.get(provider)), () => 0) - now)
      ),
    extend: (provider, millis) =>
      Effect.flatMap(Clock.currentTimeMillis, (now) =>
        Ref.update(until, (all) => {
          if ((all.get(provider) ?? 0) >= now + millis) return all
          const copy = new Map(all)
          copy.set(provider, now + millis)
          return copy
        }))
  })
)

/**
 * The in-memory service (one process): `@effect/experimental`'s in-memory rate-limiter store and in-memory pauses.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { RateLimits } from "@nanogen/core"
 *
 * const limits = Effect.runSync(RateLimits.makeMemory({ budgets: { "google-direct": { limit: 10, window: "1 minute" } } }))
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const makeMemory = (options: Options = {}): Effect.Effect<Service> =>
  Effect.gen(function*() {
    const limiter = yield* RateLimiter.make.pipe(Effect.provide(RateLimiter.layerStoreMemory))
    const pauses = yield* makePauseStoreMemory
    const service = make(options.budgets, limiter, pauses)
    return {
      take: (provider) => Effect.orDie(service.take(provider)),
      pause: (provider, retryAfter) => Effect.orDie(service.pause(provider, retryAfter))
    }
  })

/**
 * The in-memory service as a layer.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { Fallback, ImageProviderTest, RateLimits } from "@nanogen/core"
 *
 * const Live = Fallback.layer([ImageProviderTest.layer({ name: "openrouter" })]).pipe(
 *   Layer.provide(RateLimits.layerMemory({ budgets: { openrouter: { limit: 60, window: "1 minute" } } }))
 * )
 * ```
 * @since 0.1.0
 * @category Layers
 */
export const layerMemory = (options: Options = {}): Layer.Layer<RateLimits> =>
  Layer.effect(RateLimits, makeMemory(options))

/**
 * The in-memory service with the budgets of `NANOGEN_RATE_LIMITS`.
 *
 * @example
 * ```ts
 * import { RateLimits } from "@nanogen/core"
 * const Limits = RateLimits.layerMemoryConfig // reads NANOGEN_RATE_LIMITS="openrouter=60/1m"
 * ```
 * @since 0.1.0
 * @category Layers
 */
export const layerMemoryConfig: Layer.Layer<RateLimits, ConfigError.ConfigError> = Layer.effect(
  RateLimits,
  Effect.flatMap(config, (budgets) => makeMemory({ budgets }))
)
