/**
 * The Redis connection every fleet store shares, and the rule they follow when Redis is down: the operation is
 * served by the local in-memory fallback (health, limits, spend) or skipped (cache), with one warning log per
 * outage, never a failed generation.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Scope from "effect/Scope"
import { Redis, type RedisOptions } from "ioredis"

/**
 * @since 0.1.0
 * @category Models
 */
export interface Options {
  /** `redis://[user:password@]host:port[/db]` (or `rediss://`). Default `redis://127.0.0.1:6379`. */
  readonly url?: string | Redacted.Redacted<string> | undefined
  /** The prefix of every key nanogen writes. Default `"nanogen:"`. */
  readonly prefix?: string | undefined
  /** How long to wait for a connection. Default 1 second. */
  readonly connectTimeout?: Duration.DurationInput | undefined
  /** How long one command may take before the local fallback serves it. Default 500 ms. */
  readonly commandTimeout?: Duration.DurationInput | undefined
  /** Further `ioredis` options (TLS, sentinels…), merged last. */
  readonly redis?: RedisOptions | undefined
}

/**
 * The shared connection.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Service {
  /** The `ioredis` client (binary values, counters, locks). */
  readonly client: Redis
  /** Options for the extra connections `@effect/experimental`'s Redis stores open themselves. */
  readonly storeOptions: RedisOptions
  /** The key prefix, e.g. `"nanogen:"`. */
  readonly prefix: string
  /** Whether the client is connected and ready now. */
  readonly isUp: Effect.Effect<boolean>
  /**
   * Keeps a resource built on its own connection (an `@effect/experimental` store) in step with this one: `build`
   * runs on first use and again after each reconnection, the previous one closed. Such connections use
   * `storeOptions`, which never reconnect by themselves (so an outage logs nothing from them).
   */
  readonly reconnecting: <A, E>(
    build: Effect.Effect<A, E, Scope.Scope>
  ) => Effect.Effect<Effect.Effect<A, E>, never, Scope.Scope>
  /**
   * Runs `redis` when Redis is up, else — or when it fails — `fallback`; the first failure of an outage logs a
   * warning naming `what`, the first success after it an info line.
   */
  readonly attempt: <A, E, B, R1, R2>(
    what: string,
    redis: Effect.Effect<A, E, R1>,
    fallback: Effect.Effect<B, never, R2>
  ) => Effect.Effect<A | B, never, R1 | R2>
}

/**
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { RedisConnection } from "@nanogen/fleet"
 *
 * const ping = Effect.gen(function*() {
 *   const redis = yield* RedisConnection.RedisConnection
 *   return yield* Effect.promise(() => redis.client.ping())
 * }).pipe(Effect.provide(RedisConnection.layer({ url: "redis://127.0.0.1:6379" })))
 * ```
 * @since 0.1.0
 * @category Context
 */
export class RedisConnection extends Context.Tag("@nanogen/fleet/RedisConnection")<RedisConnection, Service>() {}

/**
 * The defaults of `Options`.
 *
 * @since 0.1.0
 * @category Models
 */
export const defaults = {
  url: "redis://127.0.0.1:6379",
  prefix: "nanogen:",
  connectTimeout: Duration.seconds(1),
  commandTimeout: Duration.millis(500)
} as const

const millis = (input: Duration.DurationInput) => Math.max(1, Math.round(Duration.toMillis(Duration.decode(input))))

/** Where a URL's password would show in a message, it is cut out. */
const describe = (url: string): string => {
  try {
    const parsed = new URL(url)
    return `${parsed.protocol}//${parsed.host}${parsed.pathname === "/" ? "" : parsed.pathname}`
  } catch {
    return "the configured Redis URL"
  }
}

/**
 * Connects (waiting at most `connectTimeout`; a failed first connection is a warning, not an error: the client
 * keeps reconnecting in the background) and closes the connection with the scope.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { RedisConnection } from "@nanogen/fleet"
 *
 * const program = Effect.scoped(Effect.flatMap(RedisConnection.make({ prefix: "myapp:nanogen:" }), (redis) => redis.isUp))
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const make = (options: Options = {}) =>
  Effect.gen(function*() {
    const url = options.url === undefined
      ? defaults.url
      : Redacted.isRedacted(options.url)
      ? Redacted.value(options.url)
      : options.url
    const shown = describe(url)
    const connectTimeout = millis(options.connectTimeout ?? defaults.connectTimeout)
    const commandTimeout = millis(options.commandTimeout ?? defaults.commandTimeout)
    const common: RedisOptions = {
      connectTimeout,
      commandTimeout,
      // a command waits for at most one reconnection, never in an unbounded queue
      maxRetriesPerRequest: 1,
      retryStrategy: (times) => Math.min(100 * times, 2_000),
      ...options.redis
    }
    const client = yield* Effect.acquireRelease(
      Effect.sync(() => new Redis(url, { ...common, lazyConnect: true, enableOfflineQueue: false })),
      (client) => Effect.sync(() => client.disconnect())
    )
    // ioredis reports connection errors as events; outages are logged by `attempt`
    client.on("error", () => {})
    let epoch = 0
    client.on("ready", () => epoch++)
    yield* Effect.tryPromise(() => client.connect()).pipe(
      Effect.timeout(connectTimeout + 100),
      Effect.catchAll(() =>
        Effect.logWarning(`nanogen: Redis at ${shown} is not reachable; fleet state stays local until it is`)
      )
    )
    const redisUrl = new URL(url)
    const storeOptions: RedisOptions = {
      ...common,
      // queue while connecting; once closed, stay closed: `reconnecting` opens a new one with the main client
      enableOfflineQueue: true,
      retryStrategy: () => null,
      host: redisUrl.hostname,
      port: redisUrl.port === "" ? 6379 : Number(redisUrl.port),
      ...(redisUrl.username === "" ? {} : { username: decodeURIComponent(redisUrl.username) }),
      ...(redisUrl.password === "" ? {} : { password: decodeURIComponent(redisUrl.password) }),
      ...(redisUrl.pathname.length > 1 ? { db: Number(redisUrl.pathname.slice(1)) } : {}),
      ...(redisUrl.protocol === "rediss:" ? { tls: {} } : {}),
      ...options.redis
    }
    let down = false
    const isUp = Effect.sync(() => client.status === "ready")
    const attempt: Service["attempt"] = (what, redis, fallback) =>
      Effect.suspend(() => {
        const degrade = (reason: string) =>
          Effect.zipRight(
            down ? Effect.void : Effect.suspend(() => {
              down = true
              return Effect.logWarning(
                `nanogen: Redis at ${shown} failed (${what}: ${reason}); using local memory until it is back`
              )
            }),
            fallback
          )
        if (client.status !== "ready") return degrade(`connection ${client.status}`)
        return redis.pipe(
          Effect.tap(() =>
            down
              ? Effect.suspend(() => {
                down = false
                return Effect.logInfo(`nanogen: Redis at ${shown} is back; fleet state is shared again`)
              })
              : Effect.void
          ),
          Effect.catchAllCause((cause) => degrade(cause.toString().split("\n")[0] ?? "error"))
        )
      })
    const reconnecting: Service["reconnecting"] = <A, E>(build: Effect.Effect<A, E, Scope.Scope>) =>
      Effect.gen(function*() {
        let current: { readonly epoch: number; readonly scope: Scope.CloseableScope; readonly value: A } | undefined
        // closing a store whose connection already ended rejects inside its finalizer: never let that escape
        const close = (scope: Scope.CloseableScope) =>
          Effect.catchAllCause(Scope.close(scope, Exit.void), () => Effect.void)
        yield* Effect.addFinalizer(() => current === undefined ? Effect.void : close(current.scope))
        const semaphore = yield* Effect.makeSemaphore(1)
        const rebuild = semaphore.withPermits(1)(Effect.suspend(() => {
          if (current !== undefined && current.epoch === epoch) return Effect.succeed(current.value)
          return Effect.gen(function*() {
            if (current !== undefined) yield* close(current.scope)
            current = undefined
            const scope = yield* Scope.make()
            const seen = epoch
            const value = yield* Effect.tapErrorCause(Scope.extend(build, scope), () => close(scope))
            current = { epoch: seen, scope, value }
            return value
          })
        }))
        // the usual case, up to date, without the semaphore
        return Effect.suspend(() =>
          current !== undefined && current.epoch === epoch ? Effect.succeed(current.value) : rebuild
        )
      })
    return RedisConnection.of({
      client,
      storeOptions,
      prefix: options.prefix ?? defaults.prefix,
      isUp,
      reconnecting,
      attempt
    })
  })

/**
 * The connection as a layer.
 *
 * @example
 * ```ts
 * import { RedisConnection } from "@nanogen/fleet"
 * const Redis = RedisConnection.layer({ url: "redis://10.0.0.5:6379/2", prefix: "shop:" })
 * ```
 * @since 0.1.0
 * @category Layers
 */
export const layer = (options: Options = {}): Layer.Layer<RedisConnection> =>
  Layer.scoped(RedisConnection, make(options))

/**
 * Promise-based Redis calls as effects failing with the thrown value.
 *
 * @example
 * ```ts
 * import { RedisConnection } from "@nanogen/fleet"
 * declare const client: import("ioredis").Redis
 * const pong = RedisConnection.call(() => client.ping())
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const call = <A>(f: () => Promise<A>): Effect.Effect<A, Error> =>
  Effect.tryPromise({ try: f, catch: (cause) => cause instanceof Error ? cause : new Error(String(cause)) })

/**
 * Defines Lua scripts as commands on a client, once (ioredis then sends them by SHA). `keys` gives each
 * script's number of keys.
 *
 * @example
 * ```ts
 * import { RedisConnection } from "@nanogen/fleet"
 * declare const client: import("ioredis").Redis
 * RedisConnection.defineScripts(client, { touch: "return redis.call('PEXPIRE', KEYS[1], ARGV[1])" }, { touch: 1 })
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const defineScripts = <S extends Record<string, string>>(
  client: Redis,
  scripts: S,
  keys: { readonly [K in keyof S]: number }
): void => {
  for (const [name, lua] of Object.entries(scripts)) {
    if (typeof (client as any)[name] !== "function") client.defineCommand(name, { lua, numberOfKeys: keys[name]! })
  }
}
