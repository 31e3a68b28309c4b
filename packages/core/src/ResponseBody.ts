/**
 * Reading a response body whole, with a size cap, as bytes: straight from the Node `Readable` on
 * `@effect/platform-node`'s clients, through `response.stream` elsewhere. Transport failures while reading are
 * `ProviderUnavailable`, a body over the cap `MalformedResponse`.
 *
 * @since 0.2.0
 */
import * as HttpClientError from "@effect/platform/HttpClientError"
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Stream from "effect/Stream"
import { isAscii } from "node:buffer"
import * as HttpFailure from "./HttpFailure.js"
import { MalformedResponse, type ProviderUnavailable } from "./ImageGenerationError.js"
import {
  Collector,
  isNodeReadable,
  type NodeReadable,
  readNode,
  type ReadOptions,
  stoppedReading
} from "./internal/nodeBody.js"

/**
 * Default cap for a response body: 64 MiB, room for a 4K image as base64 in JSON with margin.
 *
 * @since 0.2.0
 * @category Models
 */
export const defaultMaxBytes = 64 * 1024 * 1024

/**
 * What consumes a body as it arrives (`read` uses one that collects the bytes). `write` may refuse a chunk with a
 * failure, which stops the read; `release` drops everything the sink holds and runs on every path that does not
 * end in `end` (a cap, a transport error, the deadline, the caller's interruption), so that nothing read so far
 * stays reachable from whatever outlives the exchange.
 *
 * @since 0.2.0
 * @category Models
 */
export interface Sink<A, E = MalformedResponse | ProviderUnavailable> {
  /**
   * The writes are CPU work (decoding, say): on Node clients they then run in event-loop turns of a couple of
   * milliseconds each, round robin with every other paced read, instead of in the poll phase the chunks arrived in,
   * so that many large answers arriving at once do not stall timers and I/O. The read is paused while more than
   * 512 KiB waits for the sink.
   */
  readonly paced?: boolean | undefined
  readonly write: (chunk: Uint8Array) => E | undefined
  readonly end: () => Effect.Effect<A, E>
  readonly release: () => void
}

/**
 * Reads a whole response body as bytes, refusing (with `MalformedResponse`, before reading) a declared
 * `Content-Length` over `maxBytes` and stopping as soon as a streamed body passes it. Transport failures while
 * reading become `ProviderUnavailable`.
 *
 * On Node clients (`NodeHttpClient.layerUndici` or `NodeHttpClient.layer`) the body is read straight from the
 * underlying `Readable`, without an Effect `Stream` step per chunk. The buffer grows as bytes arrive (at most
 * twice what has arrived, and never past a declared `Content-Length`), so a length that is declared and never sent
 * costs nothing. When a read stops early, the bytes read so far are dropped at once.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpClient } from "@effect/platform"
 * import { ResponseBody } from "@nanogen/core"
 *
 * const bytes = HttpClient.get("http://127.0.0.1:8080/x").pipe(
 *   Effect.flatMap((response) => ResponseBody.read("openrouter", response, 10_000_000))
 * )
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const read = (
  provider: string,
  response: HttpClientResponse.HttpClientResponse,
  maxBytes: number = defaultMaxBytes
): Effect.Effect<Buffer, MalformedResponse | ProviderUnavailable> =>
  Effect.suspend(() => {
    const declared = declaredLength(response)
    return consume(provider, response, maxBytes, new Collector(declared))
  })

/**
 * Feeds a response body to `sink` as it arrives, with the cap and the failure mapping of `read`.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import type { HttpClientResponse } from "@effect/platform"
 * import { ResponseBody } from "@nanogen/core"
 *
 * declare const response: HttpClientResponse.HttpClientResponse
 * let size = 0
 * const counted = ResponseBody.consume("openrouter", response, 1_000_000, {
 *   write: (chunk) => void (size += chunk.length),
 *   end: () => Effect.succeed(size),
 *   release: () => {}
 * })
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const consume = <A>(
  provider: string,
  response: HttpClientResponse.HttpClientResponse,
  maxBytes: number,
  sink: Sink<A>
): Effect.Effect<A, MalformedResponse | ProviderUnavailable> => {
  const declared = declaredLength(response)
  if (declared !== undefined && declared > maxBytes) {
    sink.release()
    return Effect.fail(tooLarge(provider, response.status, maxBytes))
  }
  const transport = (cause: unknown) =>
    HttpFailure.fromHttpClientError(
      provider,
      new HttpClientError.ResponseError({ request: response.request, response, reason: "Decode", cause })
    )
  const node = nodeReadableOf(response)
  if (node === undefined) {
    const web = webBodyOf(response)
    return web === undefined
      ? readStream(provider, response, maxBytes, sink)
      : readWeb(web.body, web.abort, {
        maxBytes,
        sink,
        tooLarge: () => tooLarge(provider, response.status, maxBytes),
        transport
      })
  }
  return readNode(node.readable, node.abort, {
    maxBytes,
    sink,
    tooLarge: () => tooLarge(provider, response.status, maxBytes),
    transport
  })
}

/** The declared `Content-Length`, when it is a positive safe integer. */
const declaredLength = (response: HttpClientResponse.HttpClientResponse): number | undefined => {
  const header = response.headers["content-length"]
  const declared = header === undefined || header === "" ? NaN : Number(header)
  return Number.isSafeInteger(declared) && declared > 0 ? declared : undefined
}

/** The abort of the platform's `InterruptibleResponse` wrapper, and the innermost response it wraps. */
const unwrap = (
  response: HttpClientResponse.HttpClientResponse
): { inner: unknown; abort: (() => void) | undefined } => {
  let current: unknown = response
  let abort: (() => void) | undefined
  for (let depth = 0; depth < 4; depth++) {
    const controller = (current as { readonly controller?: unknown }).controller
    if (abort === undefined && controller instanceof AbortController) abort = () => controller.abort(stoppedReading)
    const original = (current as { readonly original?: unknown }).original
    if (typeof original !== "object" || original === null) break
    current = original
  }
  return { inner: current, abort }
}

/**
 * The web `ReadableStream` behind a response of `FetchHttpClient` (its `source` is the fetch `Response`), when its
 * body is still unread.
 */
const webBodyOf = (
  response: HttpClientResponse.HttpClientResponse
): { readonly body: ReadableStream<Uint8Array>; readonly abort: (() => void) | undefined } | undefined => {
  const { abort, inner } = unwrap(response)
  const source = (inner as { readonly source?: unknown }).source
  if (typeof Response === "undefined" || !(source instanceof Response)) return undefined
  const body = source.body
  return body === null || source.bodyUsed || body.locked ? undefined : { body, abort }
}

/** Reads a web `ReadableStream` with a reader loop (no Effect `Stream` step per chunk), like `readNode`. */
const readWeb = <A, E>(
  body: ReadableStream<Uint8Array>,
  abort: (() => void) | undefined,
  options: ReadOptions<A, E>
): Effect.Effect<A, E> =>
  Effect.async<A, E>((resume) => {
    let sink: Sink<A, E> | undefined = options.sink
    let size = 0
    const reader = body.getReader()
    const stop = () => {
      sink?.release()
      sink = undefined
      reader.cancel(stoppedReading).catch(() => {})
      abort?.()
    }
    const fail = (error: E) => {
      if (sink === undefined) return
      stop()
      resume(Effect.fail(error))
    }
    const pump = (): void => {
      reader.read().then((next) => {
        if (sink === undefined) return
        if (next.done) {
          const done = sink
          sink = undefined
          reader.releaseLock()
          return resume(Effect.suspend(() => done.end()))
        }
        size += next.value.byteLength
        if (size > options.maxBytes) return fail(options.tooLarge())
        const refused = sink.write(next.value)
        if (refused !== undefined) return fail(refused)
        pump()
      }, (cause: unknown) => fail(options.transport(cause)))
    }
    pump()
    return Effect.sync(() => {
      if (sink !== undefined) stop()
    })
  })

/**
 * The Node `Readable` behind a response of `@effect/platform-node`'s clients: undici's `ResponseData.body`, or the
 * `IncomingMessage` itself, looked up through the platform's `InterruptibleResponse` wrapper (`original`).
 * `undefined` for other clients (fetch, test doubles) and bodies already consumed.
 */
const nodeReadableOf = (
  response: HttpClientResponse.HttpClientResponse
): { readonly readable: NodeReadable; readonly abort: (() => void) | undefined } | undefined => {
  const { abort, inner: current } = unwrap(response)
  const source = (current as { readonly source?: unknown }).source
  if (typeof source !== "object" || source === null) return undefined
  const body = (source as { readonly body?: unknown }).body
  const readable = isNodeReadable(body) ? body : isNodeReadable(source) ? source : undefined
  return readable === undefined || readable.readableEnded === true || readable.destroyed === true
    ? undefined
    : { readable, abort }
}

type ReadError = MalformedResponse | ProviderUnavailable

const readStream = <A>(
  provider: string,
  response: HttpClientResponse.HttpClientResponse,
  maxBytes: number,
  sink: Sink<A>
): Effect.Effect<A, ReadError> =>
  Effect.suspend(() => {
    let size = 0
    return response.stream.pipe(
      Stream.runForEach((chunk) => {
        size += chunk.byteLength
        if (size > maxBytes) return Effect.fail(tooLarge(provider, response.status, maxBytes))
        const refused = sink.write(chunk)
        return refused === undefined ? Effect.void : Effect.fail(refused)
      }),
      Effect.catchTag("ResponseError", (error) => Effect.fail(HttpFailure.fromHttpClientError(provider, error))),
      Effect.onExit((exit) => exit._tag === "Failure" ? Effect.sync(() => sink.release()) : Effect.void),
      Effect.flatMap(() => sink.end())
    ) as Effect.Effect<A, ReadError>
  })

const tooLarge = (provider: string, status: number, maxBytes: number) =>
  new MalformedResponse({
    provider,
    status,
    message: `${provider}: the response body is larger than the ${maxBytes}-byte cap`
  })

/**
 * Decodes a body as UTF-8 text. An all-ASCII body (every image answer: base64 inside JSON) takes Node's
 * one-byte fast path instead of the general UTF-8 decoder; the text is the same.
 *
 * @since 0.2.0
 * @category Constructors
 */
export const decodeText = (bytes: Uint8Array): string => {
  const buffer = asBuffer(bytes)
  return isAscii(buffer) ? buffer.toString("latin1") : buffer.toString("utf8")
}

const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
