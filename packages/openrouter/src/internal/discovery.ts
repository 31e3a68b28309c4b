/**
 * Capability discovery for the Image API: reads `GET /images/models/{author}/{slug}/endpoints`, keeps what it learnt
 * for a while (TTL, on the `Clock`), and rewrites the provider's own capability table in place so that the next
 * request is checked and split (`maxPerCall`) by what OpenRouter says today.
 *
 * @since 0.2.0
 * @internal
 */
import type * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type { ImageGenerationError } from "@nanogen/core"
import { HttpFailure, ImageRequest, JsonBody, ModelCatalog, ProviderClient } from "@nanogen/core"
import * as Clock from "effect/Clock"
import * as Deferred from "effect/Deferred"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Errors from "./errors.js"
import * as Images from "./images.js"

const { PROVIDER } = Errors

/** A listing is small: a few endpoints with their descriptors. */
const MAX_LISTING_BYTES = 1024 * 1024

/** @internal */
export interface Options {
  /** How long a listing is trusted. */
  readonly ttl: Duration.Duration
  /** Deadline of one listing request. */
  readonly timeout: Duration.Duration
  readonly routing: Images.Routing | undefined
}

/** @internal */
export interface Discovery {
  /**
   * Refreshes the table entry of the model a request names when its listing is older than the TTL. Never fails:
   * a listing that cannot be read leaves the table as it is (and is tried again on the next request), with a
   * warning log.
   */
  readonly refresh: (model: string) => Effect.Effect<void>
}

/** A table entry rewritten from a listing: what the endpoints say, on top of the static entry. */
export const apply = (
  base: ModelCatalog.BackendModel,
  discovered: Images.Discovered
): ModelCatalog.BackendModel => {
  const refreshed = (capability: ModelCatalog.Capability): ModelCatalog.Capability => ({
    ...capability,
    aspectRatios: discovered.aspectRatios ?? capability.aspectRatios,
    imageSizes: discovered.imageSizes,
    maxImages: discovered.maxImages ?? capability.maxImages,
    maxPerCall: discovered.maxPerCall,
    seed: discovered.seed
  })
  return base.edit === undefined
    ? { generate: refreshed(base.generate) }
    : { generate: refreshed(base.generate), edit: refreshed(base.edit) }
}

/**
 * The listing of one slug, decoded; `undefined` for a 404 (the model is not on the Image API).
 *
 * @internal
 */
export const fetchListing = (
  client: HttpClient.HttpClient,
  apiUrl: string,
  slug: string,
  timeout: Duration.Duration
) => {
  const path = slug.split("/").map(encodeURIComponent).join("/")
  return Effect.gen(function*() {
    const response = yield* client.execute(
      HttpClientRequest.get(`${apiUrl}/images/models/${path}/endpoints`).pipe(
        HttpClientRequest.acceptJson
      )
    ).pipe(Effect.mapError((error) => HttpFailure.fromHttpClientError(PROVIDER, error)))
    if (response.status === 404) return undefined
    const json = yield* JsonBody.read(PROVIDER, response, MAX_LISTING_BYTES)
    if (response.status < 200 || response.status >= 300) {
      return yield* Effect.fail(HttpFailure.fromStatus({ provider: PROVIDER, status: response.status }))
    }
    return yield* ProviderClient.decode(PROVIDER, Images.Endpoints, json)
  }).pipe(
    Effect.timeoutFail({
      duration: timeout,
      onTimeout: () => HttpFailure.fromStatus({ provider: PROVIDER, status: 504 })
    })
  )
}

/**
 * Discovery over `table` (the provider's own copy, rewritten in place), asking `apiUrl` without credentials (the
 * listings are public).
 *
 * @internal
 */
export const make = (
  client: HttpClient.HttpClient,
  apiUrl: string,
  table: { -readonly [A in ModelCatalog.Alias]?: ModelCatalog.BackendModel },
  nativeAliases: ModelCatalog.NativeAliases,
  options: Options
): Discovery => {
  const base = { ...table }
  const fetchedAt = new Map<string, number>()
  // Concurrent requests for one slug (the calls of an `n` split, a busy server) share one listing request.
  const inFlight = new Map<string, Effect.Effect<void, ImageGenerationError.AttemptError>>()
  const ttl = Duration.toMillis(options.ttl)
  const url = apiUrl.replace(/\/+$/, "")

  const refresh = (model: string) =>
    Effect.gen(function*() {
      const found = ModelCatalog.lookup(table, model, nativeAliases)
      const alias = found?.alias
      const entry = alias === undefined ? undefined : base[alias]
      // Only the table's own slugs are refreshed: a preview slug or a pass-through id has no entry of its own.
      if (alias === undefined || entry === undefined || (model !== alias && model !== entry.generate.id)) return
      const slug = entry.generate.id
      const now = yield* Clock.currentTimeMillis
      const at = fetchedAt.get(slug)
      if (at !== undefined && now - at < ttl) return
      const running = inFlight.get(slug)
      if (running !== undefined) return yield* running
      // The listing runs in its own fiber: a request that is interrupted while waiting (its deadline, a caller's
      // abort) leaves it running for the others.
      const done = yield* Deferred.make<void, ImageGenerationError.AttemptError>()
      inFlight.set(slug, Deferred.await(done))
      yield* Effect.forkDaemon(
        Effect.gen(function*() {
          const listing = yield* fetchListing(client, url, slug, options.timeout)
          fetchedAt.set(slug, now)
          const discovered = listing === undefined
            ? undefined
            : Images.discover(listing, slug, ImageRequest.aspectRatios, ImageRequest.imageSizes, options.routing)
          if (discovered === undefined) {
            table[alias] = entry
            yield* Effect.logDebug(`${PROVIDER}: no Image API endpoint listed for ${slug}; the static table is kept`)
            return
          }
          table[alias] = apply(entry, discovered)
          yield* Effect.logDebug(`${PROVIDER}: capabilities of ${slug} refreshed from its endpoints`).pipe(
            Effect.annotateLogs({
              providers: discovered.providers.join(","),
              imageSizes: discovered.imageSizes.join(","),
              maxPerCall: discovered.maxPerCall
            })
          )
        }).pipe(
          Effect.exit,
          Effect.flatMap((exit) => {
            inFlight.delete(slug)
            return Deferred.done(done, exit)
          })
        )
      )
      return yield* Deferred.await(done)
    }).pipe(
      Effect.catchAll((error) =>
        Effect.logWarning(`${PROVIDER}: capability discovery failed; the static table is kept: ${error.message}`)
      ),
      Effect.withSpan("nanogen.openrouter.discover", { attributes: { "nanogen.model": model } })
    )

  return { refresh }
}
