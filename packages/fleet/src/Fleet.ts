/**
 * Everything fleet mode provides in one layer: `ProviderHealth`, `RateLimits`, `ResultCache` and `SpendCap`, in
 * Redis when a Redis URL is given and in memory (one process) otherwise. Provide it below the fallback.
 *
 * @since 0.1.0
 */
import { ProviderHealth, RateLimits, ResultCache, SpendCap } from "@nanogen/core"
import * as Config from "effect/Config"
import type * as ConfigError from "effect/ConfigError"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as FleetHealth from "./ProviderHealth.js"
import * as FleetRateLimits from "./RateLimits.js"
import * as RedisConnection from "./RedisConnection.js"
import * as FleetResultCache from "./ResultCache.js"
import * as FleetSpendCap from "./SpendCap.js"

/**
 * The services fleet mode provides.
 *
 * @since 0.1.0
 * @category Models
 */
export type Services =
  | ProviderHealth.ProviderHealth
  | RateLimits.RateLimits
  | ResultCache.ResultCache
  | SpendCap.SpendCap

/**
 * @since 0.1.0
 * @category Models
 */
export interface Options {
  /** The Redis connection; without it every service is in memory. */
  readonly redis?: RedisConnection.Options | undefined
  /** Circuit settings: failures before a cooldown, its length, the probe's reservation. */
  readonly health?: FleetHealth.RedisOptions | undefined
  /** Request budgets per backend. */
  readonly rateLimits?: RateLimits.Options | undefined
  /** Result cache settings (`maxBytes` applies to the in-memory store). */
  readonly cache?: (ResultCache.Options & ResultCache.MemoryOptions) | undefined
  /** The rolling spend cap; without it spending is counted, never refused. */
  readonly spendCap?: SpendCap.CapInput | undefined
}

/**
 * The four services, in Redis (`options.redis`) or in memory.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { Fallback, ImageProviderTest } from "@nanogen/core"
 * import { Fleet } from "@nanogen/fleet"
 *
 * const Live = Fallback.layer([ImageProviderTest.layer({ name: "openrouter" })]).pipe(
 *   Layer.provide(Fleet.layer({
 *     redis: { url: "redis://127.0.0.1:6379" },
 *     rateLimits: { budgets: { openrouter: { limit: 60, window: "1 minute" } } },
 *     spendCap: { limitUsd: 50, period: "1 day" }
 *   }))
 * )
 * ```
 * @since 0.1.0
 * @category Layers
 */
export const layer = (options: Options = {}): Layer.Layer<Services> => {
  if (options.redis === undefined) {
    return Layer.mergeAll(
      ProviderHealth.layerMemory(options.health),
      RateLimits.layerMemory(options.rateLimits),
      ResultCache.layerMemory(options.cache),
      SpendCap.layerMemory(options.spendCap)
    )
  }
  return Layer.mergeAll(
    FleetHealth.layerRedis(options.health),
    FleetRateLimits.layerRedis(options.rateLimits),
    FleetResultCache.layerRedis(options.cache),
    FleetSpendCap.layerRedis(options.spendCap)
  ).pipe(Layer.provide(RedisConnection.layer(options.redis)))
}

/**
 * `layer` from the environment: `NANOGEN_REDIS_URL` (unset: everything in memory), `NANOGEN_RATE_LIMITS`
 * (`"openrouter=60/1m,google-direct=10/1m"`) and `NANOGEN_SPEND_CAP` (`"50/1d"`). `options` fills the rest.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { Fallback, ImageProviderTest } from "@nanogen/core"
 * import { Fleet } from "@nanogen/fleet"
 *
 * const Live = Fallback.layer([ImageProviderTest.layer({ name: "openrouter" })]).pipe(
 *   Layer.provide(Fleet.layerConfig({ cache: { ttl: "7 days" } }))
 * )
 * ```
 * @since 0.1.0
 * @category Layers
 */
export const layerConfig = (options: Omit<Options, "spendCap"> = {}): Layer.Layer<Services, ConfigError.ConfigError> =>
  Layer.unwrapEffect(
    Effect.gen(function*() {
      const url = yield* Config.option(Config.redacted("NANOGEN_REDIS_URL"))
      const budgets = yield* RateLimits.config
      const cap = yield* SpendCap.config
      return layer({
        ...options,
        redis: Option.isSome(url) ? { ...options.redis, url: url.value } : undefined,
        rateLimits: { budgets: { ...budgets, ...options.rateLimits?.budgets } },
        spendCap: Option.getOrUndefined(cap)
      })
    })
  )
