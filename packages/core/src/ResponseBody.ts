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

/**
 * Default cap for a response body: 64 MiB, room for a 4K image as base64 in JSON with margin.
 *
 * @since 0.2.0
 * @category Models
 */
export const defaultMaxBytes = 64 * 1024 * 1024

/**
 * Reads a whole response body as bytes, refusing (with `MalformedResponse`, before reading) a declared
 * `Content-Length` over `maxBytes` and stopping as soon as a streamed body passes it. Transport failures while
 * reading become `ProviderUnavailable`.
 *
 * On Node clients (`NodeHttpClient.layerUndici` or `NodeHttpClient.layer`) the body is read straight from the
 * underlying `Readable`, without an Effect `Stream` step per chunk, into one buffer preallocated from the
 * declared `Content-Length` (no chunk list, no concatenation copy). Other clients use `response.stream`.
 *
 * @since 0.2.0
 * @category Constructors
 */
export const read = (
  provider: string,
  response: HttpClientResponse.HttpClientResponse,
  maxBytes: number = defaultMaxBytes
): Effect.Effect<Buffer, MalformedResponse | ProviderUnavailable> => {
  const header = response.headers["content-length"]
  const declared = header === undefined || header === "" ? NaN : Number(header)
  if (Number.isFinite(declared) && declared > maxBytes) {
    return Effect.fail(tooLarge(provider, response.status, maxBytes))
  }
  const expected = Number.isSafeInteger(declared) && declared > 0 ? declared : undefined
  const node = nodeReadableOf(response)
  return node === undefined
    ? readStream(provider, response, maxBytes, expected)
    : readNode(provider, response, node.readable, node.abort, maxBytes, expected)
}

/** The subset of a Node `Readable` that `readNode` uses. */
interface NodeReadable {
  on(event: string, listener: (...args: Array<any>) => void): unknown
  removeListener(event: string, listener: (...args: Array<any>) => void): unknown
  destroy(error?: Error): unknown
  readonly readableEnded?: boolean
  readonly destroyed?: boolean
}

const isNodeReadable = (value: unknown): value is NodeReadable =>
  typeof value === "object" && value !== null && typeof (value as NodeReadable).on === "function" &&
  typeof (value as NodeReadable).removeListener === "function" &&
  typeof (value as NodeReadable).destroy === "function" && typeof (value as { pipe?: unknown }).pipe === "function" &&
  "readableFlowing" in value

/**
 * The Node `Readable` behind a response of `@effect/platform-node`'s clients: undici's `ResponseData.body`, or the
 * `IncomingMessage` itself, looked up through the platform's `InterruptibleResponse` wrapper (`original`).
 * `undefined` for other clients (fetch, test doubles) and bodies already consumed.
 */
const nodeReadableOf = (
  response: HttpClientResponse.HttpClientResponse
): { readonly readable: NodeReadable; readonly abort: (() => void) | undefined } | undefined => {
  let current: unknown = response
  let abort: (() => void) | undefined
  for (let depth = 0; depth < 4; depth++) {
    const controller = (current as { readonly controller?: unknown }).controller
    if (abort === undefined && controller instanceof AbortController) abort = () => controller.abort()
    const original = (current as { readonly original?: unknown }).original
    if (typeof original !== "object" || original === null) break
    current = original
  }
  const source = (current as { readonly source?: unknown }).source
  if (typeof source !== "object" || source === null) return undefined
  const body = (source as { readonly body?: unknown }).body
  const readable = isNodeReadable(body) ? body : isNodeReadable(source) ? source : undefined
  return readable === undefined || readable.readableEnded === true || readable.destroyed === true
    ? undefined
    : { readable, abort }
}

/** Collects chunks into a buffer preallocated from the declared length, or into a list when there is none. */
class Collector {
  private target: Buffer | undefined
  private readonly chunks: Array<Uint8Array> = []
  size = 0
  constructor(expected: number | undefined) {
    this.target = expected === undefined ? undefined : Buffer.allocUnsafe(expected)
  }
  add(chunk: Uint8Array): void {
    const start = this.size
    this.size += chunk.byteLength
    if (this.target !== undefined && this.size <= this.target.length) {
      this.target.set(chunk, start)
      return
    }
    if (this.target !== undefined) {
      // More than declared (a lying or absent framing): keep what was copied and go on with a list.
      this.chunks.push(this.target.subarray(0, start))
      this.target = undefined
    }
    this.chunks.push(chunk)
  }
  result(): Buffer {
    return this.target !== undefined ? this.target.subarray(0, this.size) : Buffer.concat(this.chunks, this.size)
  }
}

const readNode = (
  provider: string,
  response: HttpClientResponse.HttpClientResponse,
  readable: NodeReadable,
  abort: (() => void) | undefined,
  maxBytes: number,
  expected: number | undefined
): Effect.Effect<Buffer, MalformedResponse | ProviderUnavailable> =>
  Effect.async<Buffer, MalformedResponse | ProviderUnavailable>((resume) => {
    const collector = new Collector(expected)
    let done = false
    const cleanup = () => {
      readable.removeListener("data", onData)
      readable.removeListener("end", onEnd)
      readable.removeListener("error", onError)
      readable.removeListener("close", onClose)
    }
    const finish = (result: Effect.Effect<Buffer, MalformedResponse | ProviderUnavailable>) => {
      if (done) return
      done = true
      cleanup()
      resume(result)
    }
    function onData(chunk: Uint8Array | string) {
      if (done) return
      collector.add(typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk)
      if (collector.size > maxBytes) {
        finish(Effect.fail(tooLarge(provider, response.status, maxBytes)))
        readable.destroy()
        abort?.()
      }
    }
    function onEnd() {
      finish(Effect.succeed(collector.result()))
    }
    function onError(cause: unknown) {
      finish(Effect.fail(HttpFailure.fromHttpClientError(
        provider,
        new HttpClientError.ResponseError({ request: response.request, response, reason: "Decode", cause })
      )))
    }
    function onClose() {
      onError(new Error("the connection closed before the body ended"))
    }
    readable.on("data", onData)
    readable.on("end", onEnd)
    readable.on("error", onError)
    readable.on("close", onClose)
    // Interrupted (the deadline, or the caller): stop reading and abort the exchange, as the platform does.
    return Effect.sync(() => {
      if (done) return
      done = true
      cleanup()
      readable.destroy()
      abort?.()
    })
  })

const readStream = (
  provider: string,
  response: HttpClientResponse.HttpClientResponse,
  maxBytes: number,
  expected: number | undefined
): Effect.Effect<Buffer, MalformedResponse | ProviderUnavailable> =>
  Effect.suspend(() => {
    const collector = new Collector(expected)
    return response.stream.pipe(
      Stream.runForEach((chunk) => {
        collector.add(chunk)
        return collector.size > maxBytes ? Effect.fail(tooLarge(provider, response.status, maxBytes)) : Effect.void
      }),
      Effect.catchTag("ResponseError", (error) => Effect.fail(HttpFailure.fromHttpClientError(provider, error))),
      Effect.map(() => collector.result())
    )
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
