/**
 * A result cache for a whole fleet: core's `ResultCache` over a Redis store. Each result's small JSON metadata goes
 * through `@effect/experimental`'s `Persistence` Redis store; its image bytes are plain binary Redis values written
 * with `ioredis` (never base64); a generation's lock is `SET NX PX`, refreshed while it runs and released by its
 * owner only, so concurrent identical calls anywhere in the fleet make one backend request. Every key expires.
 * When Redis is down the cache is skipped.
 *
 * @since 0.1.0
 */
import type * as Persistence from "@effect/experimental/Persistence"
import * as PersistenceRedis from "@effect/experimental/Persistence/Redis"
import { ResultCache } from "@nanogen/core"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import type { Redis } from "ioredis"
import { randomUUID } from "node:crypto"
import { call, defineScripts, RedisConnection } from "./RedisConnection.js"

const scripts = {
  // KEYS: lock, metadata; ARGV: token, ms — only while no result is stored
  lockTake: `
if redis.call("EXISTS", KEYS[2]) == 1 then return 0 end
if redis.call("SET", KEYS[1], ARGV[1], "NX", "PX", ARGV[2]) then return 1 end
return 0`,
  // KEYS: lock; ARGV: token, ms
  lockRefresh: `
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("PEXPIRE", KEYS[1], ARGV[2]) end
return 0`,
  // KEYS: lock; ARGV: token
  lockRelease: `
if redis.call("GET", KEYS[1]) == ARGV[1] then return redis.call("DEL", KEYS[1]) end
return 0`
} as const

interface LockCommands {
  lockTake(key: string, metadataKey: string, token: string, millis: number): Promise<number>
  lockRefresh(key: string, token: string, millis: number): Promise<number>
  lockRelease(key: string, token: string): Promise<number>
}

/** Image values outlive their metadata a little, so a reader that found the metadata finds the bytes. */
const imageGraceMs = 60_000

/**
 * The Redis store on the fleet's connection (the metadata store opens its own connection with the same settings).
 * Its operations fail fast while Redis is down; `ResultCache.make` then skips the cache.
 *
 * @example
 * ```ts
 * import { ResultCache as Core } from "@nanogen/core"
 * import { Effect } from "effect"
 * import { RedisConnection, ResultCache } from "@nanogen/fleet"
 *
 * const cache = Effect.scoped(Effect.flatMap(ResultCache.makeStoreRedis, (store) => Core.make(store, { ttl: "1 day" })))
 *   .pipe(Effect.provide(RedisConnection.layer()))
 * ```
 * @since 0.1.0
 * @category Stores
 */
export const makeStoreRedis = Effect.gen(function*() {
  const redis = yield* RedisConnection
  // the Persistence store has a connection of its own, rebuilt after each reconnection
  const metadataStore = yield* redis.reconnecting(
    Effect.flatMap(PersistenceRedis.make(redis.storeOptions), (backing) => backing.make(`${redis.prefix}result`))
  )
  defineScripts(redis.client, scripts, { lockTake: 2, lockRefresh: 1, lockRelease: 1 })
  const commands = redis.client as unknown as Redis & LockCommands
  const imageKey = (key: string, index: number) => `${redis.prefix}result:${key}:image:${index}`
  const lockKey = (key: string) => `${redis.prefix}result:${key}:lock`
  // the key the Persistence store writes the metadata under
  const metadataKey = (key: string) => `${redis.prefix}result:${key}`
  const whenUp = <A>(effect: Effect.Effect<A, Error | Persistence.PersistenceError>): Effect.Effect<A, Error> =>
    Effect.flatMap(redis.isUp, (up) =>
      up
        ? Effect.mapError(effect, (error) => error instanceof Error ? error : new Error(String(error)))
        : Effect.fail(new Error("Redis is not connected")))
  const store: ResultCache.Store<Error> = {
    name: "redis",
    get: (key) =>
      whenUp(Effect.gen(function*() {
        const metadata = yield* metadataStore
        const stored = yield* metadata.get(key)
        if (Option.isNone(stored)) return Option.none()
        const count = typeof stored.value === "object" && stored.value !== null && "images" in stored.value &&
            Array.isArray(stored.value.images)
          ? stored.value.images.length
          : 0
        if (count === 0) return Option.none()
        const images = yield* call(() =>
          commands.mgetBuffer(Array.from({ length: count }, (_, index) => imageKey(key, index)))
        )
        // copied out of ioredis' Buffers into plain Uint8Arrays, as providers return them
        const joined = ResultCache.join(
          stored.value,
          images.map((image) => image === null ? null : new Uint8Array(image))
        )
        // bytes gone (evicted) under live metadata: drop the metadata, so the next call can take the lock
        if (Option.isNone(joined)) yield* metadata.remove(key)
        return joined
      })),
    set: (key, result, ttl) =>
      whenUp(Effect.gen(function*() {
        const { images, metadata: meta } = ResultCache.split(result)
        const ms = Math.max(1, Math.round(Duration.toMillis(ttl)))
        // one SET per image, sent together; and the metadata at the same time: we hold the lock, and a reader
        // finding the metadata before the bytes sees a miss and waits
        yield* Effect.all([
          call(() =>
            Promise.all(images.map((bytes, index) =>
              commands.set(
                imageKey(key, index),
                Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength),
                "PX",
                ms + imageGraceMs
              )
            ))
          ),
          Effect.flatMap(metadataStore, (metadata) => metadata.set(key, meta, Option.some(Duration.millis(ms))))
        ], { concurrency: 2, discard: true })
      })),
    lock: (key, ttl) =>
      whenUp(Effect.gen(function*() {
        const token = randomUUID()
        const ms = Math.max(1, Math.round(Duration.toMillis(ttl)))
        const taken = yield* call(() => commands.lockTake(lockKey(key), metadataKey(key), token, ms))
        if (taken !== 1) return Option.none()
        return Option.some<ResultCache.Lock<Error>>({
          refresh: whenUp(Effect.map(call(() => commands.lockRefresh(lockKey(key), token, ms)), (n) => n === 1)),
          release: whenUp(Effect.asVoid(call(() => commands.lockRelease(lockKey(key), token))))
        })
      }))
  }
  return store
})

/**
 * Core's `ResultCache` service over the Redis store.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { RedisConnection, ResultCache } from "@nanogen/fleet"
 *
 * const Cache = ResultCache.layerRedis({ ttl: "1 day", hashRequests: true }).pipe(Layer.provide(RedisConnection.layer()))
 * ```
 * @since 0.1.0
 * @category Layers
 */
export const layerRedis = (
  options: ResultCache.Options = {}
): Layer.Layer<ResultCache.ResultCache, never, RedisConnection> =>
  Layer.scoped(ResultCache.ResultCache, Effect.flatMap(makeStoreRedis, (store) => ResultCache.make(store, options)))
