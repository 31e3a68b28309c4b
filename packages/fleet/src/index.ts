/**
 * @nanogen/fleet — provider health, rate limits, idempotent results and a spend cap shared by every instance of an
 * application through Redis.
 *
 * @since 0.1.0
 */

/** @since 0.1.0 */
export * as Fleet from "./Fleet.js"
/** @since 0.1.0 */
export * as ProviderHealth from "./ProviderHealth.js"
/** @since 0.1.0 */
export * as RateLimits from "./RateLimits.js"
/** @since 0.1.0 */
export * as RedisConnection from "./RedisConnection.js"
/** @since 0.1.0 */
export * as ResultCache from "./ResultCache.js"
/** @since 0.1.0 */
export * as SpendCap from "./SpendCap.js"
