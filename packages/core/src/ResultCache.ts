/**
 * Results kept by `idempotencyKey` (or, opt-in, by a hash of the normalised request), so a repeated paid call is
 * served from a store with no network call, and concurrent identical calls coalesce into one generation (single
 * flight: in-process, and across processes through the store's lock). Stores here: memory (one process) and file
 * system (one machine); `@nanogen/fleet` adds Redis (a fleet). Images are stored as bytes, never as base64 JSON.
 *
 * @since 0.1.0
 */
import * as FileSystem from "@effect/platform/FileSystem"
import * as Cause from "effect/Cause"
import * as Clock from "effect/Clock"
import * as Context from "effect/Context"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Schedule from "effect/Schedule"
import * as Schema from "effect/Schema"
import { createHash, randomUUID } from "node:crypto"
import stringify from "safe-stable-stringify"
import type * as ImageRequest from "./ImageRequest.js"
import * as ImageResult from "./ImageResult.js"

/**
 * What the cache reads of a request: the fields that decide its images, and its `idempotencyKey`.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Keyed {
  readonly prompt: string
  readonly model: string
  readonly images: ReadonlyArray<ImageRequest.ImageInput>
  readonly n: number
  readonly aspectRatio?: string | undefined
  readonly imageSize?: string | undefined
  readonly seed?: number | undefined
  readonly providerOptions?: unknown
  readonly grounding?: unknown
  readonly thinkingLevel?: unknown
  readonly idempotencyKey?: string | undefined
}

/**
 * A lock held on one key: `refresh` extends it (false when it was lost), `release` frees it.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Lock<E = never> {
  readonly refresh: Effect.Effect<boolean, E>
  readonly release: Effect.Effect<void, E>
}

/**
 * Where results live. `lock` takes the key's lock for `ttl` only while no result is stored under the key
 * (`Option.none()` when someone else holds it or the result is there): the store's reach is the single flight's
 * reach.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Store<E = never> {
  readonly name: string
  readonly get: (key: string) => Effect.Effect<Option.Option<ImageResult.ImageResult>, E>
  readonly set: (key: string, result: ImageResult.ImageResult, ttl: Duration.Duration) => Effect.Effect<void, E>
  readonly lock: (key: string, ttl: Duration.Duration) => Effect.Effect<Option.Option<Lock<E>>, E>
}

/**
 * The outcome of `run`: `cached` is true when the result came from the store or from an identical call in flight.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Served {
  readonly result: ImageResult.ImageResult
  readonly cached: boolean
}

/**
 * The service the fallback wraps each generation in.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Service {
  /** The cache key of a request: its `idempotencyKey`, else (with `hashRequests`) its hash, else none. */
  readonly keyOf: (request: Keyed) => Option.Option<string>
  /** Serves `key` from the store, from an identical call in flight, or runs `generate` once and stores it. */
  readonly run: <E, R>(key: string, generate: Effect.Effect<ImageResult.ImageResult, E, R>) => Effect.Effect<
    Served,
    E,
    R
  >
}

/**
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ImageResult, ResultCache } from "@nanogen/core"
 *
 * declare const generate: Effect.Effect<ImageResult.ImageResult>
 * const program = Effect.gen(function*() {
 *   const cache = yield* ResultCache.ResultCache
 *   const first = yield* cache.run("order-1234", generate) // runs generate
 *   const again = yield* cache.run("order-1234", generate) // again.cached === true, generate not run
 *   return [first, again]
 * }).pipe(Effect.provide(ResultCache.layerMemory()))
 * ```
 * @since 0.1.0
 * @category Context
 */
export class ResultCache extends Context.Tag("@nanogen/core/ResultCache")<ResultCache, Service>() {}

/**
 * @since 0.1.0
 * @category Models
 */
export interface Options {
  /** How long a result is served. Default 24 hours. */
  readonly ttl?: Duration.DurationInput | undefined
  /** Also key requests without an `idempotencyKey` by a hash of the normalised request. Default `false`. */
  readonly hashRequests?: boolean | undefined
  /** How long a generation's lock lives without a refresh (it is refreshed every third of it). Default 30 s. */
  readonly lockTtl?: Duration.DurationInput | undefined
  /** The longest a call waits for an identical one running elsewhere before generating itself. Default 5 min. */
  readonly maxWait?: Duration.DurationInput | undefined
}

/**
 * The defaults of `Options`.
 *
 * @since 0.1.0
 * @category Models
 */
export const defaults = {
  ttl: Duration.hours(24),
  hashRequests: false,
  lockTtl: Duration.seconds(30),
  maxWait: Duration.minutes(5)
} as const

const sha256 = (data: string | Uint8Array): string => createHash("sha256").update(data).digest("hex")

/**
 * The normalised form of a request that `hashRequests` hashes: prompt (NFC, trimmed), model alias, ratio, size,
 * `n`, seed, the SHA-256 of each reference image (its URL's, for a URL), the provider options, grounding and thinking
 * level, with keys sorted.
 *
 * @example
 * ```ts
 * import { ResultCache } from "@nanogen/core"
 * ResultCache.normalise({ prompt: " a banana ", model: "nano-banana", images: [], n: 1 })
 * // '{"images":[],"model":"nano-banana","n":1,"prompt":"a banana"}'
 * ```
 * @since 0.1.0
 * @category Keys
 */
export const normalise = (request: Keyed): string =>
  stringify({
    prompt: request.prompt.normalize("NFC").trim(),
    model: request.model,
    aspectRatio: request.aspectRatio,
    imageSize: request.imageSize,
    n: request.n,
    seed: request.seed,
    images: request.images.map((image) =>
      "data" in image ? `sha256:${sha256(image.data)}` : `url-sha256:${sha256(image.url)}`
    ),
    providerOptions: request.providerOptions,
    grounding: request.grounding,
    thinkingLevel: request.thinkingLevel
  }) ?? ""

/**
 * The cache key of a request: `idem-` + SHA-256 of its `idempotencyKey`, else, when `hashRequests`, `req-` +
 * SHA-256 of `normalise(request)`. Keys are hex, safe as file names and Redis keys.
 *
 * @example
 * ```ts
 * import { ResultCache } from "@nanogen/core"
 * ResultCache.keyOf({ prompt: "x", model: "nano-banana", images: [], n: 1, idempotencyKey: "order-1" }, false)
 * // Option.some("idem-…")
 * ```
 * @since 0.1.0
 * @category Keys
 */
export const keyOf = (request: Keyed, hashRequests: boolean): Option.Option<string> =>
  request.idempotencyKey !== undefined
    ? Option.some(`idem-${sha256(request.idempotencyKey)}`)
    : hashRequests
    ? Option.some(`req-${sha256(normalise(request))}`)
    : Option.none()

const StoredImage = Schema.Struct({
  mimeType: Schema.String,
  width: Schema.optional(Schema.Number),
  height: Schema.optional(Schema.Number),
  thoughtSignature: Schema.optional(Schema.String),
  byteLength: Schema.Number
})

/**
 * A stored result without its image bytes: small JSON metadata. The bytes are stored beside it, one value per
 * image, in order.
 *
 * @since 0.1.0
 * @category Schemas
 */
export const Metadata = Schema.Struct({
  ...ImageResult.ImageResult.fields,
  images: Schema.Array(StoredImage)
})

/**
 * @since 0.1.0
 * @category Models
 */
export interface Metadata extends Schema.Schema.Type<typeof Metadata> {}

/**
 * Splits a result into its JSON metadata and its image bytes, for stores.
 *
 * @example
 * ```ts
 * import { ImageResult, ResultCache } from "@nanogen/core"
 * declare const result: ImageResult.ImageResult
 * const { metadata, images } = ResultCache.split(result) // images[i] === result.images[i].data
 * ```
 * @since 0.1.0
 * @category Stores
 */
export const split = (
  result: ImageResult.ImageResult
): { readonly metadata: Metadata; readonly images: ReadonlyArray<Uint8Array> } => ({
  metadata: {
    ...result,
    images: result.images.map(({ data, ...image }) => ({ ...image, byteLength: data.byteLength }))
  },
  images: result.images.map((image) => image.data)
})

const decodeMetadata = Schema.decodeUnknownOption(Metadata)

/**
 * Joins stored metadata and image bytes back into a result; `Option.none()` when the metadata does not decode or
 * the bytes do not match it (a partial or foreign entry is a miss, never a broken result).
 *
 * @example
 * ```ts
 * import { ImageResult, ResultCache } from "@nanogen/core"
 * declare const result: ImageResult.ImageResult
 * const { metadata, images } = ResultCache.split(result)
 * ResultCache.join(JSON.parse(JSON.stringify(metadata)), images) // Option.some(result)
 * ```
 * @since 0.1.0
 * @category Stores
 */
export const join = (
  metadata: unknown,
  images: ReadonlyArray<Uint8Array | null | undefined>
): Option.Option<ImageResult.ImageResult> =>
  Option.flatMap(decodeMetadata(metadata), (decoded) => {
    if (decoded.images.length === 0 || decoded.images.length !== images.length) return Option.none()
    const joined: Array<ImageResult.GeneratedImage> = []
    for (const [index, { byteLength, ...image }] of decoded.images.entries()) {
      const data = images[index]
      if (data === null || data === undefined || data.byteLength !== byteLength) return Option.none()
      joined.push({ ...image, data })
    }
    return Option.some({
      ...decoded,
      images: joined as [ImageResult.GeneratedImage, ...Array<ImageResult.GeneratedImage>]
    })
  })

/**
 * Builds the service over a store. Store failures never fail a generation: they are logged as warnings and the
 * cache is skipped for that call.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ResultCache } from "@nanogen/core"
 *
 * const cache = Effect.flatMap(ResultCache.makeStoreMemory(), (store) => ResultCache.make(store, { ttl: "1 hour" }))
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const make = <E>(store: Store<E>, options: Options = {}): Effect.Effect<Service> =>
  Effect.sync(() => {
    const ttl = Duration.decode(options.ttl ?? defaults.ttl)
    const hashRequests = options.hashRequests ?? defaults.hashRequests
    const lockTtl = Duration.decode(options.lockTtl ?? defaults.lockTtl)
    const refreshEvery = Duration.millis(Math.max(1, Duration.toMillis(lockTtl) / 3))
    const maxWaitMs = Duration.toMillis(Duration.decode(options.maxWait ?? defaults.maxWait))
    const inFlight = new Map<string, Deferred.Deferred<Exit.Exit<ImageResult.ImageResult, unknown>>>()

    // one warning per outage of the store, debug lines after it
    let failing = false
    const skip = (what: string) => (error: E) =>
      Effect.suspend(() => {
        const log = failing ? Effect.logDebug : Effect.logWarning
        failing = true
        return log(`nanogen: result cache (${store.name}) ${what} failed, going on without it`).pipe(
          Effect.annotateLogs("error", String(error)),
          Effect.as(Option.none())
        )
      })
    const healthy = <A>(self: Effect.Effect<A, E>) => Effect.tap(self, () => (failing = false))

    const generateAndStore = <Err, R>(key: string, generate: Effect.Effect<ImageResult.ImageResult, Err, R>) =>
      Effect.tap(generate, (result) => Effect.catchAll(healthy(store.set(key, result, ttl)), skip("write")))

    const holding = <Err, R>(
      lock: Lock<E>,
      generate: Effect.Effect<ImageResult.ImageResult, Err, R>
    ): Effect.Effect<Served, Err, R> =>
      Effect.acquireUseRelease(
        // acquire is uninterruptible, so the refresher is made interruptible explicitly
        Effect.fork(
          Effect.interruptible(
            Effect.repeat(Effect.ignore(lock.refresh), Schedule.spaced(refreshEvery)).pipe(Effect.delay(refreshEvery))
          )
        ),
        // the store took the lock only because no result was there
        () => Effect.map(generate, (result): Served => ({ result, cached: false })),
        (refresher) => Effect.zipRight(Fiber.interrupt(refresher), Effect.ignore(lock.release))
      )

    const fromStore = <Err, R>(
      key: string,
      generate: Effect.Effect<ImageResult.ImageResult, Err, R>
    ): Effect.Effect<Served, Err, R> =>
      Effect.gen(function*() {
        const started = yield* Clock.currentTimeMillis
        // none: the store failed (go on without it); some(none): a miss
        const read = healthy(store.get(key)).pipe(Effect.map(Option.some), Effect.catchAll(skip("read")))
        let pollMs = 25
        while (true) {
          const hit = yield* read
          if (Option.isNone(hit)) return { result: yield* generate, cached: false }
          if (Option.isSome(hit.value)) return { result: hit.value.value, cached: true }
          const lock = yield* store.lock(key, lockTtl).pipe(Effect.map(Option.some), Effect.catchAll(skip("lock")))
          if (Option.isNone(lock)) return { result: yield* generate, cached: false }
          if (Option.isSome(lock.value)) return yield* holding(lock.value.value, generateAndStore(key, generate))
          // refused: an identical call runs elsewhere, or its result just landed
          const again = yield* read
          if (Option.isNone(again)) return { result: yield* generate, cached: false }
          if (Option.isSome(again.value)) return { result: again.value.value, cached: true }
          if ((yield* Clock.currentTimeMillis) - started > maxWaitMs) {
            yield* Effect.logWarning(
              `nanogen: an identical generation elsewhere took over ${Duration.format(maxWaitMs)}, generating here`
            )
            return { result: yield* generateAndStore(key, generate), cached: false }
          }
          yield* Effect.sleep(Duration.millis(pollMs))
          pollMs = Math.min(250, Math.round(pollMs * 1.5))
        }
      })

    const run = <Err, R>(
      key: string,
      generate: Effect.Effect<ImageResult.ImageResult, Err, R>
    ): Effect.Effect<Served, Err, R> =>
      Effect.fiberIdWith((fiberId) => {
        const running = inFlight.get(key)
        if (running !== undefined) {
          return Effect.flatMap(Deferred.await(running), (exit): Effect.Effect<Served, Err, R> =>
            Exit.isSuccess(exit)
              ? Effect.succeed({ result: exit.value, cached: true })
              : Cause.isInterruptedOnly(exit.cause)
              ? run(key, generate) // the first caller was interrupted: take over
              : Effect.failCause(exit.cause as Cause.Cause<Err>))
        }
        const deferred = Deferred.unsafeMake<Exit.Exit<ImageResult.ImageResult, unknown>>(fiberId)
        inFlight.set(key, deferred)
        return fromStore(key, generate).pipe(
          Effect.onExit((exit) => {
            inFlight.delete(key)
            return Deferred.succeed(deferred, Exit.map(exit, (served) => served.result))
          })
        )
      })

    return { keyOf: (request) => keyOf(request, hashRequests), run }
  })

/**
 * @since 0.1.0
 * @category Models
 */
export interface MemoryOptions {
  /** The most image bytes kept; the least recently used results go first. Default 256 MiB. */
  readonly maxBytes?: number | undefined
}

/**
 * An in-memory store (one process), bounded by `maxBytes`, least recently used first out. Time comes from the
 * Effect `Clock`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ResultCache } from "@nanogen/core"
 *
 * const store = Effect.runSync(ResultCache.makeStoreMemory({ maxBytes: 64 * 1024 * 1024 }))
 * ```
 * @since 0.1.0
 * @category Stores
 */
export const makeStoreMemory = (options: MemoryOptions = {}): Effect.Effect<Store> =>
  Effect.sync(() => {
    const maxBytes = options.maxBytes ?? 256 * 1024 * 1024
    const entries = new Map<
      string,
      { readonly result: ImageResult.ImageResult; readonly expires: number; readonly bytes: number }
    >()
    const locks = new Map<string, { readonly token: string; expires: number }>()
    let total = 0
    const remove = (key: string) => {
      const entry = entries.get(key)
      if (entry !== undefined) {
        total -= entry.bytes
        entries.delete(key)
      }
    }
    return {
      name: "memory",
      get: (key) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          const entry = entries.get(key)
          if (entry === undefined) return Option.none()
          remove(key)
          if (entry.expires <= now) return Option.none()
          entries.set(key, entry) // most recently used last
          total += entry.bytes
          return Option.some(entry.result)
        }),
      set: (key, result, ttl) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          const bytes = result.images.reduce((sum, image) => sum + image.data.byteLength, 1024)
          remove(key)
          if (bytes > maxBytes) return
          for (const [oldest] of entries) {
            if (total + bytes <= maxBytes) break
            remove(oldest)
          }
          entries.set(key, { result, expires: now + Duration.toMillis(ttl), bytes })
          total += bytes
        }),
      lock: (key, ttl) =>
        Effect.map(Clock.currentTimeMillis, (now) => {
          const held = locks.get(key)
          const stored = entries.get(key)
          if ((held !== undefined && held.expires > now) || (stored !== undefined && stored.expires > now)) {
            return Option.none()
          }
          const mine = { token: randomUUID(), expires: now + Duration.toMillis(ttl) }
          locks.set(key, mine)
          const owned = () => locks.get(key)?.token === mine.token
          return Option.some<Lock>({
            refresh: Effect.map(Clock.currentTimeMillis, (later) => {
              if (!owned()) return false
              mine.expires = later + Duration.toMillis(ttl)
              return true
            }),
            release: Effect.sync(() => {
              if (owned()) locks.delete(key)
            })
          })
        })
    }
  })

/**
 * The in-memory store as the `ResultCache` layer.
 *
 * @example
 * ```ts
 * import { Layer } from "effect"
 * import { Fallback, ImageProviderTest, ResultCache } from "@nanogen/core"
 *
 * const Live = Fallback.layer([ImageProviderTest.layer({ name: "a" })]).pipe(
 *   Layer.provide(ResultCache.layerMemory({ ttl: "1 hour", hashRequests: true }))
 * )
 * ```
 * @since 0.1.0
 * @category Layers
 */
export const layerMemory = (options: Options & MemoryOptions = {}): Layer.Layer<ResultCache> =>
  Layer.effect(ResultCache, Effect.flatMap(makeStoreMemory(options), (store) => make(store, options)))

/**
 * @since 0.1.0
 * @category Models
 */
export interface FileSystemOptions {
  /** The directory results are kept in; created when missing. */
  readonly directory: string
}

const FileMetadata = Schema.parseJson(Schema.Struct({ expires: Schema.Number, metadata: Schema.Unknown }))
const LockFile = Schema.parseJson(Schema.Struct({ expires: Schema.Number, token: Schema.String }))

/**
 * A file-system store (one machine, shared by its processes): per key, `<key>.json` (metadata and expiry) and one
 * `<key>.<i>.bin` per image; each file is written to a temporary name and renamed, the metadata last, so a reader
 * sees a whole entry or none. Locks are `<key>.lock` files created exclusively, taken over once expired. Expired
 * entries are deleted when read.
 *
 * @example
 * ```ts
 * import { NodeFileSystem } from "@effect/platform-node"
 * import { Effect } from "effect"
 * import { ResultCache } from "@nanogen/core"
 *
 * const store = ResultCache.makeStoreFileSystem({ directory: "/var/cache/nanogen" }).pipe(
 *   Effect.provide(NodeFileSystem.layer)
 * )
 * ```
 * @since 0.1.0
 * @category Stores
 */
export const makeStoreFileSystem = (
  options: FileSystemOptions
): Effect.Effect<Store<Error>, Error, FileSystem.FileSystem> =>
  Effect.gen(function*() {
    const fs = yield* FileSystem.FileSystem
    const dir = options.directory.replace(/[/\\]+$/, "")
    yield* fs.makeDirectory(dir, { recursive: true })
    const path = (key: string, suffix: string) => `${dir}/${key}${suffix}`
    const writeAtomic = (file: string, data: Uint8Array | string) => {
      const temporary = `${file}.${randomUUID()}.tmp`
      return (typeof data === "string" ? fs.writeFileString(temporary, data) : fs.writeFile(temporary, data)).pipe(
        Effect.zipRight(fs.rename(temporary, file)),
        Effect.tapError(() => Effect.ignore(fs.remove(temporary)))
      )
    }
    const removeEntry = (key: string, count: number) =>
      Effect.ignore(
        Effect.forEach(
          [path(key, ".json"), ...Array.from({ length: count }, (_, i) => path(key, `.${i}.bin`))],
          (file) => fs.remove(file, { force: true })
        )
      )
    const readLock = (key: string) =>
      fs.readFileString(path(key, ".lock")).pipe(
        Effect.flatMap(Schema.decode(LockFile)),
        Effect.option
      )
    const store: Store<Error> = {
      name: "file system",
      get: (key) =>
        Effect.gen(function*() {
          const text = yield* fs.readFileString(path(key, ".json")).pipe(
            Effect.map(Option.some),
            Effect.catchIf(
              (error) => error._tag === "SystemError" && error.reason === "NotFound",
              () => Effect.succeedNone
            )
          )
          if (Option.isNone(text)) return Option.none()
          const stored = Schema.decodeOption(FileMetadata)(text.value)
          const count = Option.match(Option.flatMap(stored, (s) => decodeMetadata(s.metadata)), {
            onNone: () => 0,
            onSome: (metadata) => metadata.images.length
          })
          if (Option.isNone(stored) || stored.value.expires <= (yield* Clock.currentTimeMillis)) {
            yield* removeEntry(key, count)
            return Option.none()
          }
          const images = yield* Effect.forEach(
            Array.from({ length: count }, (_, i) => path(key, `.${i}.bin`)),
            (file) => Effect.orElseSucceed(fs.readFile(file), () => undefined)
          )
          return join(stored.value.metadata, images)
        }),
      set: (key, result, ttl) =>
        Effect.gen(function*() {
          const { images, metadata } = split(result)
          yield* Effect.forEach(images, (bytes, i) => writeAtomic(path(key, `.${i}.bin`), bytes))
          const expires = (yield* Clock.currentTimeMillis) + Duration.toMillis(ttl)
          yield* writeAtomic(path(key, ".json"), JSON.stringify({ expires, metadata }))
        }),
      lock: (key, ttl) =>
        Effect.gen(function*() {
          const token = randomUUID()
          const body = (now: number) => JSON.stringify({ expires: now + Duration.toMillis(ttl), token })
          const create = Effect.flatMap(Clock.currentTimeMillis, (now) =>
            fs.writeFileString(path(key, ".lock"), body(now), { flag: "wx" }).pipe(
              Effect.as(true),
              Effect.catchIf(
                (error) => error._tag === "SystemError" && error.reason === "AlreadyExists",
                () => Effect.succeed(false)
              )
            ))
          let taken = yield* create
          if (!taken) {
            const held = yield* readLock(key)
            if (Option.isNone(held) || held.value.expires <= (yield* Clock.currentTimeMillis)) {
              yield* fs.remove(path(key, ".lock"), { force: true })
              taken = yield* create
            }
          }
          if (!taken) {
            return Option.none()
          }
          // the result was written (and its lock released) between the caller's miss and this lock
          if (yield* fs.exists(path(key, ".json"))) {
            yield* fs.remove(path(key, ".lock"), { force: true })
            return Option.none()
          }
          const owned = Effect.map(readLock(key), (held) =>
            Option.isSome(held) && held.value.token === token)
          return Option.some<Lock<Error>>({
            refresh: Effect.flatMap(owned, (mine) =>
              mine
                ? Effect.flatMap(Clock.currentTimeMillis, (now) => writeAtomic(path(key, ".lock"), body(now))).pipe(
                  Effect.as(true)
                )
                : Effect.succeed(false)),
            release: Effect.flatMap(
              owned,
              (mine) => mine ? fs.remove(path(key, ".lock"), { force: true }) : Effect.void
            )
          })
        })
    }
    return store
  })

/**
 * The file-system store as the `ResultCache` layer.
 *
 * @example
 * ```ts
 * import { NodeFileSystem } from "@effect/platform-node"
 * import { Layer } from "effect"
 * import { ResultCache } from "@nanogen/core"
 *
 * const Cache = ResultCache.layerFileSystem({ directory: ".nanogen-cache", ttl: "7 days" }).pipe(
 *   Layer.provide(NodeFileSystem.layer)
 * )
 * ```
 * @since 0.1.0
 * @category Layers
 */
export const layerFileSystem = (
  options: Options & FileSystemOptions
): Layer.Layer<ResultCache, Error, FileSystem.FileSystem> =>
  Layer.effect(ResultCache, Effect.flatMap(makeStoreFileSystem(options), (store) => make(store, options)))
