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
import { identity } from "effect/Function"
import * as ParseResult from "effect/ParseResult"
import * as Redacted from "effect/Redacted"
import type * as Schema from "effect/Schema"
import type * as SchemaAST from "effect/SchemaAST"
import { createParser } from "eventsource-parser"
import * as HttpFailure from "./HttpFailure.js"
import type * as ImageBytes from "./ImageBytes.js"
import * as ImageDownload from "./ImageDownload.js"
import { type AttemptError, MalformedResponse, ProviderUnavailable, Timeout } from "./ImageGenerationError.js"
import * as CpuTurn from "./internal/cpuTurn.js"
import * as Deadline from "./internal/deadline.js"
import { keyFreeSpans } from "./internal/httpSpan.js"
import { ImageEventsSink } from "./internal/imageEvents.js"
import { ImageJsonSink, LARGE as LARGE_STRING } from "./internal/imageJson.js"
import * as JsonBody from "./JsonBody.js"
import type * as ProviderDefinition from "./ProviderDefinition.js"
import * as ResponseBody from "./ResponseBody.js"
import * as RetryAfter from "./RetryAfter.js"
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
  /**
   * A credential issued per request (an OAuth2 access token): its header is asked for before every request and
   * scrubbed like `headers`. A 401 answer runs `refresh` (when given) and sends the request once more.
   */
  readonly credential?: Credential | undefined
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
 * A credential issued per request: the header it goes in, the effect that gives its current value (cached and
 * renewed by its issuer), and what makes the next value a new one.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import type { ProviderClient } from "@nanogen/core"
 * declare const fetchToken: Effect.Effect<string>
 * const credential: ProviderClient.Credential = {
 *   header: "authorization",
 *   value: Effect.map(fetchToken, (token) => Redacted.make(`Bearer ${token}`))
 * }
 * ```
 * @since 0.2.0
 * @category Models
 */
export interface Credential {
  readonly header: string
  readonly value: Effect.Effect<Redacted.Redacted, AttemptError>
  /** Run after a 401 (the token was revoked or expired early): the next `value` is a new token. */
  readonly refresh?: Effect.Effect<void> | undefined
}

/**
 * How one call reads its answer.
 *
 * @since 0.2.0
 * @category Models
 */
export interface RequestOptions {
  /**
   * Decode every large base64 string of the answer (64 KiB or more: a `b64_json`, an `inlineData.data`, a
   * `data:image/…;base64,` URL) straight from the received bytes, as they arrive: the parsed body holds an
   * `ImageBytes.DecodedBase64` in its place, and neither the text of the body nor the base64 string is ever
   * built. `ImageBytes.fromBase64` and `DataUrl.parse` / `DataUrl.isDataUrl` take it as they take the string;
   * a wire Schema accepts it with `ImageBytes.Base64Field`. Same errors and caps as without it.
   */
  readonly decodeImages?: boolean | undefined
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
  /**
   * The data of every event parsed as JSON (the text itself for data that is not JSON, such as `[DONE]`), with
   * decoded images; given under `decodeImages` when the answer was a stream.
   */
  readonly values?: ReadonlyArray<unknown> | undefined
}

/**
 * Splits a whole `text/event-stream` body into the `data` of its events, skipping comments. An event the body
 * ends in the middle of is kept (see `splitEvents` to tell such a body apart).
 *
 * @example
 * ```ts
 * import { ProviderClient } from "@nanogen/core"
 * ProviderClient.parseEvents(": keep-alive\n\ndata: {\"a\":1}\n\ndata: [DONE]\n\n") // ['{"a":1}', "[DONE]"]
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const parseEvents = (text: string): ReadonlyArray<string> => splitEvents(text).all

/**
 * Splits a whole `text/event-stream` body into the `data` of its complete events (`events`), and says whether the
 * body was cut short: it stops in the middle of a line of an event that never ended (other than a final
 * `[DONE]`). `all` also holds that last, unfinished event.
 *
 * @example
 * ```ts
 * import { ProviderClient } from "@nanogen/core"
 * ProviderClient.splitEvents("data: {\"a\":1}\n\ndata: {\"b\"").cutShort // true
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const splitEvents = (
  text: string
): { readonly events: ReadonlyArray<string>; readonly all: ReadonlyArray<string>; readonly cutShort: boolean } => {
  const all: Array<string> = []
  const parser = createParser({ onEvent: (event) => all.push(event.data) })
  parser.feed(text)
  const complete = all.length
  parser.feed("\n\n")
  const unfinished = all.slice(complete)
  const endsLine = /[\r\n]$/.test(text)
  const cutShort = !endsLine && unfinished.some((data) => data.trim() !== "[DONE]")
  return { events: cutShort ? all.slice(0, complete) : all, all, cutShort }
}

/**
 * The wait a response asks for in its `Retry-After` header (seconds or an HTTP date), if any.
 *
 * @example
 * ```ts
 * import type { ProviderClient } from "@nanogen/core"
 * import { ProviderClient as Client } from "@nanogen/core"
 * declare const response: ProviderClient.JsonResponse
 * const wait = Client.retryAfter(response) // Duration | undefined
 * ```
 * @since 0.2.0
 * @category Accessors
 */
export const retryAfter = (response: { readonly headers: Headers.Headers }): Duration.Duration | undefined =>
  RetryAfter.fromHeader(response.headers["retry-after"])

/**
 * Decodes a response body against a Schema. A body that does not match is `MalformedResponse` whose message names
 * the first failing path and what was expected there (never the value itself, which may be huge or nested
 * deeper than the call stack); any exception while decoding (a `RangeError` from a 100 000-deep body…) is a
 * `MalformedResponse` too, never a defect.
 *
 * @example
 * ```ts
 * import { Effect, Schema } from "effect"
 * import { ProviderClient } from "@nanogen/core"
 *
 * const Answer = Schema.Struct({ data: Schema.Array(Schema.Struct({ b64_json: Schema.String })) })
 * const answer = ProviderClient.decode("aimlapi", Answer, { data: [{ b64_json: 1 }] })
 * // fails with MalformedResponse "aimlapi: unexpected response at data[0].b64_json: expected string"
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const decode = <A, I>(
  provider: string,
  schema: Schema.Schema<A, I, never>,
  body: unknown
): Effect.Effect<A, MalformedResponse> =>
  Effect.suspend(() => {
    try {
      const result = ParseResult.decodeUnknownEither(schema, { errors: "first", onExcessProperty: "ignore" })(body)
      if (result._tag === "Right") return Effect.succeed(result.right)
      return Effect.fail(
        new MalformedResponse({ provider, message: `${provider}: unexpected response ${describeIssue(result.left)}` })
      )
    } catch (error) {
      const reason = error instanceof Error ? `${error.name}: ${error.message}` : "an exception"
      return Effect.fail(
        new MalformedResponse({ provider, message: `${provider}: the response could not be decoded (${reason})` })
      )
    }
  })

/** The first failing path of a parse error and what was expected there, found without recursion. */
const describeIssue = (first: ParseResult.ParseIssue): string => {
  const path: Array<PropertyKey> = []
  let issue: ParseResult.ParseIssue = first
  for (let depth = 0; depth < 10_000; depth++) {
    switch (issue._tag) {
      case "Pointer":
        for (const key of Array.isArray(issue.path) ? issue.path : [issue.path]) path.push(key)
        issue = issue.issue
        continue
      case "Composite": {
        const first: ParseResult.ParseIssue | undefined = Array.isArray(issue.issues)
          ? issue.issues[0]
          : issue.issues as ParseResult.ParseIssue
        if (first === undefined) break
        issue = first
        continue
      }
      case "Refinement":
      case "Transformation":
        issue = issue.issue
        continue
    }
    break
  }
  const where = path.length === 0
    ? "at the top level"
    : `at ${
      path.map((key, index) => typeof key === "number" ? `[${key}]` : `${index === 0 ? "" : "."}${String(key)}`).join(
        ""
      )
    }`
  return `${where}: ${expectation(issue)}`
}

const expectation = (issue: ParseResult.ParseIssue): string => {
  switch (issue._tag) {
    case "Missing":
      return "missing"
    case "Unexpected":
      return "unexpected"
    case "Forbidden":
      return "forbidden"
    case "Type": {
      const actual = issue.actual
      const got = Array.isArray(actual) ? "an array" : actual === null ? "null" : typeof actual
      return `expected ${safeAst(issue.ast)}, got ${got}`
    }
    default:
      return "ast" in issue ? `expected ${safeAst(issue.ast)}` : issue._tag
  }
}

const safeAst = (ast: SchemaAST.AST): string => {
  try {
    const text = String(ast)
    return text.length > 120 ? `${text.slice(0, 117)}...` : text
  } catch {
    return ast._tag
  }
}

/**
 * @since 0.1.0
 * @category Models
 */
export interface ProviderClient {
  readonly provider: string
  /**
   * POSTs `body` as JSON to `apiUrl + path` and parses the answer, whatever its status. Fails only for
   * transport problems (`ProviderUnavailable`), bodies too large (`MalformedResponse`) or cut short
   * (`ProviderUnavailable`), the deadline (`Timeout`), and bodies that are not JSON: a 2xx is
   * `MalformedResponse`, an error page the error of its status (`HttpFailure.fromStatus`: a 502 page is a
   * retryable `ProviderUnavailable`, a 429 `RateLimited` with its `Retry-After`, a 401 `AuthenticationFailed`).
   */
  readonly postJson: (
    path: string,
    body: unknown,
    options?: RequestOptions
  ) => Effect.Effect<JsonResponse, AttemptError>
  /**
   * POSTs `body` as JSON and reads a `text/event-stream` answer to its end: `events` holds every event's
   * `data` in order (comment lines such as `: OPENROUTER PROCESSING` are skipped; CRLF, LF and CR line endings
   * are all accepted). A non-stream answer (an error body) comes back parsed in `body`, with `events` undefined,
   * with the failures of `postJson`. A stream cut short in its last event, or one without any event, is
   * `ProviderUnavailable`, as a cut-short JSON body is.
   */
  readonly postEvents: (
    path: string,
    body: unknown,
    options?: RequestOptions
  ) => Effect.Effect<EventsResponse, AttemptError>
  /**
   * Replaces every credential this client sends (its `Redacted` headers and `credentials`) with `<redacted>`, in
   * every form (`Scrub.make`): raw, after any auth scheme, inside `Basic`, URL-encoded, base64. The client already
   * applies it to its errors and to the bodies and events it returns; use it for any other upstream-derived text.
   */
  readonly scrub: Scrub.Scrubber
  /**
   * Decodes a body against a Schema (`ProviderClient.decode`): `MalformedResponse` naming the failing path,
   * scrubbed; never a defect.
   */
  readonly decode: <A, I>(schema: Schema.Schema<A, I, never>, body: unknown) => Effect.Effect<A, MalformedResponse>
  /** Downloads an image with the configured download policy (see `ImageDownload.download`). */
  readonly download: (
    url: string | ImageBytes.DecodedBase64
  ) => Effect.Effect<ImageDownload.Downloaded, ImageDownload.DownloadFailed>
}

/**
 * The client of a backend: `make` with the backend's name, its base URL (`options.apiUrl`, else the definition's
 * default), the common options, and how it authenticates.
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import { ProviderClient } from "@nanogen/core"
 * const backend = { name: "my-backend", apiUrl: { env: "MY_BACKEND_API_URL", default: "https://api.example.com/v1" } }
 * const client = ProviderClient.forBackend(backend, { timeout: "90 seconds" }, {
 *   headers: { authorization: Redacted.make("Bearer my-key") }
 * })
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const forBackend = (
  backend: Pick<ProviderDefinition.ProviderDefinition, "name" | "apiUrl">,
  options: ProviderDefinition.CommonOptions & { readonly apiUrl?: string | undefined },
  auth: Pick<Options, "headers" | "credential" | "credentials">
): Effect.Effect<ProviderClient, never, HttpClient.HttpClient> =>
  make({
    ...auth,
    provider: backend.name,
    apiUrl: options.apiUrl ?? backend.apiUrl.default,
    timeout: options.timeout,
    maxBodyBytes: options.maxBodyBytes,
    download: options.download,
    transformClient: options.transformClient
  })

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
    const maxBodyBytes = options.maxBodyBytes ?? ResponseBody.defaultMaxBytes
    const fixed = [
      ...Object.values(options.headers).filter((value): value is Redacted.Redacted<string> =>
        Redacted.isRedacted(value)
      ),
      ...(options.credentials ?? [])
    ]
    // Credentials issued per request are scrubbed too: the last few issued (an old token may still be echoed).
    const issued: Array<Redacted.Redacted<string>> = []
    let scrubber = Scrub.make(fixed)
    const scrub: Scrub.Scrubber = (text) => scrubber(text)
    const issue = (value: Redacted.Redacted) => {
      if (!issued.includes(value as Redacted.Redacted<string>)) {
        issued.push(value as Redacted.Redacted<string>)
        if (issued.length > 4) issued.shift()
        scrubber = Scrub.make([...fixed, ...issued])
      }
      return Redacted.value(value)
    }
    const redactedNames = [
      ...Object.entries(options.headers).filter(([, value]) => Redacted.isRedacted(value)).map(([name]) => name),
      ...(options.credential === undefined ? [] : [options.credential.header])
    ].map((name) => name.toLowerCase())
    const { credential } = options

    const exchange = <A>(
      path: string,
      body: unknown,
      accept: string,
      read: (
        response: HttpClientResponse.HttpClientResponse
      ) => Effect.Effect<A, AttemptError>
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
        const send = (signed: HttpClientRequest.HttpClientRequest) =>
          client.execute(signed).pipe(Effect.mapError((error) => HttpFailure.fromHttpClientError(provider, error)))
        const sign = credential === undefined
          ? Effect.succeed(request)
          : Effect.map(
            credential.value,
            (value) => HttpClientRequest.setHeader(request, credential.header, issue(value))
          )
        let response = yield* Effect.flatMap(sign, send)
        if (response.status === 401 && credential?.refresh !== undefined) {
          // The token was refused: its answer is read (and dropped) to free the connection, then one more try.
          yield* Effect.ignore(ResponseBody.read(provider, response, maxBodyBytes))
          yield* credential.refresh
          response = yield* Effect.flatMap(sign, send)
        }
        return yield* read(response)
      }).pipe(
        // Everything upstream-derived that leaves the client is scrubbed: error messages (snippets of error pages,
        // parse errors, URLs with a `?key=`) here, bodies and events where they are read.
        Effect.mapError((error) => Scrub.error(scrub, error)),
        Deadline.timeoutFail({
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

    /**
     * A body as JSON, whatever the status. A body that is not JSON is classified by the status: an error page
     * (an nginx 502, a proxy's 401) is the status's error, with `Retry-After`; only a 2xx that is not JSON is
     * `MalformedResponse`.
     */
    /**
     * An error page is the error of its status (an nginx 502 is a retryable `ProviderUnavailable`, a proxy's 429
     * `RateLimited` with its `Retry-After`); only a 2xx that is not JSON is `MalformedResponse`.
     */
    const notJson = (response: HttpClientResponse.HttpClientResponse, head: Uint8Array) => (error: MalformedResponse) =>
      response.status >= 200 && response.status < 300
        ? error
        : HttpFailure.fromStatus({
          provider,
          status: response.status,
          message: `the error body is not JSON: ${JSON.stringify(JsonBody.snippet(head))}`,
          retryAfter: retryAfter(response)
        })

    /** A body as JSON, whatever the status (see `notJson`). */
    const toJson = (response: HttpClientResponse.HttpClientResponse, bytes: Buffer) =>
      (bytes.length >= JsonBody.largeBody ? CpuTurn.run : identity)(
        JsonBody.parseBytes(provider, response.status, bytes)
      ).pipe(Effect.catchTag("MalformedResponse", (error) => Effect.fail(notJson(response, bytes)(error))))

    /** The body as JSON with its images decoded as they arrive (`decodeImages`). */
    const readImageJson = (response: HttpClientResponse.HttpClientResponse) => {
      const length = Number(response.headers["content-length"] ?? Number.NaN)
      const sink = new ImageJsonSink(provider, response.status, Number.isSafeInteger(length) ? length : undefined)
      return ResponseBody.consume(provider, response, maxBodyBytes, sink).pipe(
        Effect.catchTag(
          "MalformedResponse",
          (error) =>
            Effect.fail(error.message.includes("-byte cap") ? error : notJson(response, sink.firstBytes)(error))
        )
      )
    }

    const respond = (response: HttpClientResponse.HttpClientResponse, json: unknown): JsonResponse => ({
      status: response.status,
      headers: response.headers,
      body: Scrub.json(scrub, json)
    })

    /**
     * Whether to read with `decodeImages`: asked for, and the body can hold a string as large as the decoder
     * takes (64 KiB). A smaller declared body (an error, a CDN URL) holds none: it is read and parsed whole, the
     * cheaper path for a few hundred bytes, with the same result and errors.
     */
    const decodesImages = (response: HttpClientResponse.HttpClientResponse, request: RequestOptions | undefined) => {
      if (request?.decodeImages !== true) return false
      const length = Number(response.headers["content-length"] ?? Number.NaN)
      return !(Number.isSafeInteger(length) && length < LARGE_STRING)
    }

    const postJson = (path: string, body: unknown, request?: RequestOptions) =>
      exchange(path, body, "application/json", (response) =>
        decodesImages(response, request)
          ? Effect.map(readImageJson(response), (json) => respond(response, json))
          : ResponseBody.read(provider, response, maxBodyBytes).pipe(
            Effect.flatMap((bytes) => toJson(response, bytes)),
            Effect.map((json) => respond(response, json))
          ))

    // An event carrying an image (megabytes of base64) is left alone; its other strings are scrubbed once parsed.
    const scrubEvent = (data: string) => data.length > 1024 * 1024 ? data : scrub(data)

    const streamed = (response: HttpClientResponse.HttpClientResponse, values: ReadonlyArray<unknown>) => {
      let events: ReadonlyArray<string> | undefined
      return {
        status: response.status,
        headers: response.headers,
        body: undefined,
        values,
        // The text of each event, rebuilt (images re-encoded) only if someone asks for it.
        get events() {
          return events ??= values.map((value) => typeof value === "string" ? value : JSON.stringify(value))
        }
      } satisfies EventsResponse
    }

    const postEvents = (path: string, body: unknown, request?: RequestOptions) =>
      exchange(
        path,
        body,
        "text/event-stream",
        (response) => {
          const isStream = (response.headers["content-type"] ?? "").includes("text/event-stream") &&
            response.status >= 200 && response.status < 300
          if (isStream ? request?.decodeImages === true : decodesImages(response, request)) {
            return isStream
              ? Effect.map(
                ResponseBody.consume(provider, response, maxBodyBytes, new ImageEventsSink(provider, response.status)),
                (values): EventsResponse => streamed(response, Scrub.json(scrub, values) as ReadonlyArray<unknown>)
              )
              : Effect.map(readImageJson(response), (json): EventsResponse => ({
                ...respond(response, json),
                events: undefined
              }))
          }
          return Effect.flatMap(ResponseBody.read(provider, response, maxBodyBytes), (bytes) => {
            if (!isStream) {
              return Effect.map(toJson(response, bytes), (json): EventsResponse => ({
                ...respond(response, json),
                events: undefined
              }))
            }
            const stream = splitEvents(ResponseBody.decodeText(bytes))
            if (stream.cutShort) {
              return Effect.fail(
                new ProviderUnavailable({
                  provider,
                  status: response.status,
                  message: `${provider}: the event stream was cut short (its last event never ended)`
                })
              )
            }
            if (stream.events.length === 0) {
              return Effect.fail(
                new ProviderUnavailable({
                  provider,
                  status: response.status,
                  message: `${provider}: the event stream ended without any event`
                })
              )
            }
            const events = stream.events.map(scrubEvent)
            return Effect.succeed<EventsResponse>({
              status: response.status,
              headers: response.headers,
              body: undefined,
              events
            })
          })
        }
      )

    const decodeWith = <A, I>(schema: Schema.Schema<A, I, never>, body: unknown) =>
      Effect.mapError(decode(provider, schema, body), (error) => Scrub.error(scrub, error))

    const download = (url: string | ImageBytes.DecodedBase64) =>
      ImageDownload.download(url, options.download).pipe(Effect.provideService(HttpClient.HttpClient, client))

    return { provider, postJson, postEvents, scrub, download, decode: decodeWith }
  })
