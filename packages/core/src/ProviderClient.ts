/**
 * The HTTP client every provider shares: base URL, credential headers kept `Redacted` until the wire, a JSON
 * POST whose body is read with a size cap, a per-call timeout, and transport failures already mapped into the
 * error union. A provider adds only its wire format and its error-body mapping.
 *
 * @since 0.1.0
 */
import * as Headers from "@effect/platform/Headers"
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { createParser } from "eventsource-parser"
import * as HttpFailure from "./HttpFailure.js"
import * as ImageDownload from "./ImageDownload.js"
import { type MalformedResponse, type ProviderUnavailable, Timeout } from "./ImageGenerationError.js"
import { keyFreeSpans } from "./internal/httpSpan.js"
import * as JsonBody from "./JsonBody.js"
import * as ResponseBody from "./ResponseBody.js"
import * as Scrub from "./Scrub.js"

/**
 * @since 0.1.0
 * @category Models
 */
export interface Options {
  /** The provider name used in errors (`"openrouter"`, …). */
  readonly provider: string
  /** Base URL, e.g. `https://openrouter.ai/api/v1`; a trailing slash is ignored. */
  readonly apiUrl: string
  /**
   * Headers sent on every API call. `Redacted` values are revealed only when the request is built, and are
   * scrubbed (in every form, see `Scrub`) from everything the client produces.
   */
  readonly headers: Readonly<Record<string, string | Redacted.Redacted>>
  /**
   * Credentials sent some other way than a `Redacted` header (a `?key=` query parameter…): scrubbed like the
   * header credentials.
   */
  readonly credentials?: ReadonlyArray<Redacted.Redacted<string>> | undefined
  /** Per-call deadline. Default 120 seconds (4K Pro images can take over a minute). */
  readonly timeout?: Duration.DurationInput | undefined
  /** Response body cap in bytes. Default 64 MiB. */
  readonly maxBodyBytes?: number | undefined
  /** Downloads of generated images / reference URLs (size cap, timeout, private-network policy). */
  readonly download?: ImageDownload.Options | undefined
  /** A last transformation of the underlying client (retries at the HTTP level, tracing, proxies…). */
  readonly transformClient?: ((client: HttpClient.HttpClient) => HttpClient.HttpClient) | undefined
}

/**
 * An HTTP exchange whose body was read and parsed as JSON, whatever the status.
 *
 * @since 0.1.0
 * @category Models
 */
export interface JsonResponse {
  readonly status: number
  readonly headers: Headers.Headers
  readonly body: unknown
}

/**
 * A streamed exchange: the data of every server-sent event, or the parsed body when the answer was not a stream.
 *
 * @since 0.1.0
 * @category Models
 */
export interface EventsResponse extends JsonResponse {
  readonly events: ReadonlyArray<string> | undefined
}

/**
 * Splits a whole `text/event-stream` body into the `data` of its events, skipping comments.
 *
 * @example
 * ```ts
 * import { ProviderClient } from "@nanogen/core"
 * ProviderClient.parseEvents(": keep-alive\n\ndata: {\"a\":1}\n\ndata: [DONE]\n\n") // ['{"a":1}', "[DONE]"]
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const parseEvents = (text: string): ReadonlyArray<string> => {
  const events: Array<string> = []
  const parser = createParser({ onEvent: (event) => events.push(event.data) })
  parser.feed(text)
  parser.feed("\n\n")
  return events
}

/**
 * @since 0.1.0
 * @category Models
 */
export interface ProviderClient {
  readonly provider: string
  /**
   * POSTs `body` as JSON to `apiUrl + path` and parses the answer, whatever its status. Fails only for
   * transport problems (`ProviderUnavailable`), bodies that are not JSON or too large (`MalformedResponse`,
   * or `ProviderUnavailable` when the body was cut short) and the deadline (`Timeout`).
   */
  readonly postJson: (
    path: string,
    body: unknown
  ) => Effect.Effect<JsonResponse, ProviderUnavailable | MalformedResponse | Timeout>
  /**
   * POSTs `body` as JSON and reads a `text/event-stream` answer to its end: `events` holds every event's
   * `data` in order (comment lines such as `: OPENROUTER PROCESSING` are skipped; CRLF, LF and CR line endings
   * are all accepted). A non-stream answer (an error body) comes back parsed in `body`, with `events` undefined.
   */
  readonly postEvents: (
    path: string,
    body: unknown
  ) => Effect.Effect<EventsResponse, ProviderUnavailable | MalformedResponse | Timeout>
  /**
   * Replaces every credential this client sends (its `Redacted` headers and `credentials`) with `<redacted>`, in
   * every form (`Scrub.make`): raw, after any auth scheme, inside `Basic`, URL-encoded, base64. The client already
   * applies it to its errors and to the bodies and events it returns; use it for any other upstream-derived text.
   */
  readonly scrub: Scrub.Scrubber
  /** Downloads an image with the configured download policy (see `ImageDownload.download`). */
  readonly download: (
    url: string
  ) => Effect.Effect<ImageDownload.Downloaded, ImageDownload.DownloadFailed>
}

/**
 * The default per-call deadline.
 *
 * @since 0.1.0
 * @category Models
 */
export const defaultTimeout: Duration.Duration = Duration.seconds(120)

/**
 * Builds the client from the ambient `HttpClient`.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { ProviderClient } from "@nanogen/core"
 *
 * const program = Effect.gen(function*() {
 *   const client = yield* ProviderClient.make({
 *     provider: "openrouter",
 *     apiUrl: "https://openrouter.ai/api/v1",
 *     headers: { authorization: Redacted.make("Bearer sk-…") }
 *   })
 *   const response = yield* client.postJson("/chat/completions", { model: "google/gemini-2.5-flash-image" })
 *   return response.status
 * })
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const make = (options: Options): Effect.Effect<ProviderClient, never, HttpClient.HttpClient> =>
  Effect.map(HttpClient.HttpClient, (base) => {
    // The platform's own `http.client` span ends with the response as its exit value, which holds the request and
    // its credential headers in clear text: replace it with a span that records redacted attributes only.
    const client = keyFreeSpans(options.transformClient === undefined ? base : options.transformClient(base))
    const { provider } = options
    const apiUrl = options.apiUrl.replace(/\/+$/, "")
    const timeout = Duration.decode(options.timeout ?? defaultTimeout)
    const scrub = Scrub.make([
      ...Object.values(options.headers).filter((value): value is Redacted.Redacted<string> =>
        Redacted.isRedacted(value)
      ),
      ...(options.credentials ?? [])
    ])
    const redactedNames = Object.entries(options.headers)
      .filter(([, value]) => Redacted.isRedacted(value))
      .map(([name]) => name.toLowerCase())

    const exchange = <A>(
      path: string,
      body: unknown,
      accept: string,
      read: (
        response: HttpClientResponse.HttpClientResponse
      ) => Effect.Effect<A, ProviderUnavailable | MalformedResponse>
    ) =>
      Effect.gen(function*() {
        let request = HttpClientRequest.post(`${apiUrl}${path}`).pipe(
          HttpClientRequest.accept(accept),
          HttpClientRequest.bodyText(JSON.stringify(body), "application/json")
        )
        for (const [name, value] of Object.entries(options.headers)) {
          request = HttpClientRequest.setHeader(
            request,
            name,
            Redacted.isRedacted(value) ? Redacted.value(value) : value
          )
        }
        const response = yield* client.execute(request).pipe(
          Effect.mapError((error) => HttpFailure.fromHttpClientError(provider, error))
        )
        return yield* read(response)
      }).pipe(
        // Everything upstream-derived that leaves the client is scrubbed: error messages (snippets of error pages,
        // parse errors, URLs with a `?key=`) here, bodies and events where they are read.
        Effect.mapError((error) => Scrub.error(scrub, error)),
        Effect.timeoutFail({
          duration: timeout,
          onTimeout: () =>
            new Timeout({
              provider,
              timeout,
              message: `${provider}: no complete answer within ${Duration.format(timeout)}`
            })
        }),
        Effect.locallyWith(Headers.currentRedactedNames, (names) => [...names, ...redactedNames])
      )

    const postJson = (path: string, body: unknown) =>
      exchange(path, body, "application/json", (response) =>
        Effect.map(
          JsonBody.read(provider, response, options.maxBodyBytes),
          (json): JsonResponse => ({
            status: response.status,
            headers: response.headers,
            body: Scrub.json(scrub, json)
          })
        ))

    // An event carrying an image (megabytes of base64) is left alone; its other strings are scrubbed once parsed.
    const scrubEvent = (data: string) => data.length > 1024 * 1024 ? data : scrub(data)

    const postEvents = (path: string, body: unknown) =>
      exchange(
        path,
        body,
        "text/event-stream",
        (response) =>
          Effect.flatMap(ResponseBody.read(provider, response, options.maxBodyBytes), (bytes) => {
            const isStream = (response.headers["content-type"] ?? "").includes("text/event-stream") &&
              response.status >= 200 && response.status < 300
            return isStream
              ? Effect.succeed<EventsResponse>({
                status: response.status,
                headers: response.headers,
                body: undefined,
                events: parseEvents(ResponseBody.decodeText(bytes)).map(scrubEvent)
              })
              : Effect.map(
                JsonBody.parseBytes(provider, response.status, bytes),
                (json): EventsResponse => ({
                  status: response.status,
                  headers: response.headers,
                  body: Scrub.json(scrub, json),
                  events: undefined
                })
              )
          })
      )

    const download = (url: string) =>
      ImageDownload.download(url, options.download).pipe(Effect.provideService(HttpClient.HttpClient, client))

    return { provider, postJson, postEvents, scrub, download }
  })
