/** Helpers for the fleet tests: one Redis connection per simulated instance, each test under its own key prefix. */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import { Redis } from "ioredis"
import { randomUUID } from "node:crypto"
import { inject } from "vitest"
import { RedisConnection } from "../src/index.js"

export const redisUrl = (): string => inject("redisUrl")

export const uniquePrefix = (): string => `test-${randomUUID()}:`

/** A connection of its own (a separate "instance"), closed with the test's scope. */
export const connect = (prefix: string, options: RedisConnection.Options = {}) =>
  Effect.map(
    Layer.build(RedisConnection.layer({ url: redisUrl(), prefix, ...options })),
    Context.get(RedisConnection.RedisConnection)
  )

/** Runs `make` on a connection of its own. */
export const instance = <A, E, R>(
  prefix: string,
  make: Effect.Effect<A, E, R | RedisConnection.RedisConnection>,
  options: RedisConnection.Options = {}
) =>
  Effect.flatMap(
    connect(prefix, options),
    (connection) => Effect.provideService(make, RedisConnection.RedisConnection, connection)
  )

/** A raw client to inspect what nanogen wrote. */
export const rawClient = Effect.acquireRelease(
  Effect.promise(async () => {
    const client = new Redis(redisUrl(), { lazyConnect: true })
    await client.connect()
    return client
  }),
  (client) => Effect.promise(() => client.quit())
)

/** A URL where nothing listens. */
export const deadUrl = "redis://127.0.0.1:1"
