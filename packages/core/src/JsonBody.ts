/**
 * Parsing a JSON response body into a value, telling a body cut short (`ProviderUnavailable`) from one that is
 * not JSON (`MalformedResponse`). Image answers (a little JSON around multi-megabyte base64 strings) take a path
 * that never builds the text of the whole body.
 *
 * @since 0.2.0
 */
import type * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import { isAscii } from "node:buffer"
import { MalformedResponse, ProviderUnavailable } from "./ImageGenerationError.js"
import * as CpuTurn from "./internal/cpuTurn.js"
import * as LargeStrings from "./internal/largeStrings.js"
import * as ResponseBody from "./ResponseBody.js"

/**
 * Parses JSON text. A body cut short (the connection closed mid-body) is `ProviderUnavailable`; anything else
 * that is not JSON (an HTML error page…) is `MalformedResponse`.
 *
 * @since 0.2.0
 * @category Constructors
 */
export const parse = (
  provider: string,
  status: number,
  text: string
): Effect.Effect<unknown, MalformedResponse | ProviderUnavailable> =>
  Effect.suspend(() => {
    try {
      return Effect.succeed(JSON.parse(text))
    } catch (error) {
      const reason = error instanceof Error ? error.message : String(error)
      // Cut short: the parser ran out of input (V8 says so, or fails at the very end of the text). Trailing
      // garbage ("Unexpected non-whitespace character after JSON at position N" before the end) is not.
      const position = Number(/at position (\d+)/.exec(reason)?.[1] ?? Number.NaN)
      const truncated = /^\s*[[{]/.test(text) &&
        (/end of JSON input|Unterminated string/i.test(reason) || position >= text.trimEnd().length)
      const head = text.slice(0, 80).replace(/\s+/g, " ")
      return Effect.fail(
        truncated
          ? new ProviderUnavailable({
            provider,
            status,
            message: `${provider}: the response body was cut short (${reason})`
          })
          : new MalformedResponse({
            provider,
            status,
            message: `${provider}: the response is not JSON (${reason}): ${JSON.stringify(head)}`
          })
      )
    }
  })

/** Strings at least this long are cut out of the text before `JSON.parse` (see `parseBytes`). */
const LARGE_STRING = 64 * 1024
/**
 * Bodies of at least this many bytes take the large-string path of `parseBytes`, and `read` parses them in an
 * event-loop turn of their own.
 *
 * @since 0.2.0
 * @category Models
 */
export const largeBody = 256 * 1024
const LARGE_BODY = largeBody

/**
 * The first 80 characters of a body, blanks collapsed: what an error message may quote of a page that is not
 * JSON (scrub it before it leaves the client).
 *
 * @example
 * ```ts
 * import { JsonBody } from "@nanogen/core"
 * JsonBody.snippet(Buffer.from("<html>\n  <body>502 Bad Gateway</body></html>")) // "<html> <body>502 Bad Gateway</body></html>"
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const snippet = (bytes: Uint8Array): string =>
  ResponseBody.decodeText(bytes.subarray(0, 320)).slice(0, 80).replace(/\s+/g, " ")

/**
 * Parses a JSON body given as bytes, with the errors of `parse`. The result is exactly `JSON.parse` of the
 * UTF-8 text.
 *
 * Large bodies are image answers: a few hundred bytes of JSON around one or more multi-megabyte base64
 * strings. For those (all-ASCII bodies), every string of 64 KiB or more without escapes or control characters
 * is sliced out of the bytes directly as a one-byte string, and `JSON.parse` runs only over the small rest with
 * placeholders, which are then swapped back. The multi-megabyte text of the whole body is never built, and the
 * base64 is neither decoded nor scanned by the JSON parser: one copy from the bytes instead of three passes. Any
 * body this does not cover exactly (not ASCII, escapes or control characters in a large string, unbalanced
 * quotes, invalid JSON) goes through `JSON.parse` of the whole text, which reports the error.
 *
 * @since 0.2.0
 * @category Constructors
 */
export const parseBytes = (
  provider: string,
  status: number,
  bytes: Uint8Array
): Effect.Effect<unknown, MalformedResponse | ProviderUnavailable> =>
  Effect.suspend(() => {
    const buffer = asBuffer(bytes)
    if (buffer.length >= LARGE_BODY && isAscii(buffer)) {
      const parsed = parseSpliced(buffer)
      if (parsed !== undefined) return Effect.succeed(parsed.value)
    }
    return parse(provider, status, ResponseBody.decodeText(buffer))
  })

const QUOTE = 0x22
const BACKSLASH = 0x5c

/** Whether the quote at `index` is escaped (preceded by an odd number of backslashes). */
const isEscaped = (bytes: Buffer, index: number): boolean => {
  let count = 0
  for (let i = index - 1; i >= 0 && bytes[i] === BACKSLASH; i--) count++
  return (count & 1) === 1
}

/**
 * Whether `bytes[start, end)`, already known to be ASCII, holds no control character (< 0x20), which JSON
 * forbids unescaped inside a string. Eight 32-bit words at a time: for bytes under 0x80, `b + 0x60` has its top
 * bit set exactly when `b >= 0x20`, and no byte carries into the next.
 */
const noControlCharacters = (bytes: Buffer, start: number, end: number): boolean => {
  let i = start
  const base = bytes.byteOffset
  while (i < end && ((base + i) & 3) !== 0) {
    if (bytes[i]! < 0x20) return false
    i++
  }
  const words = (end - i) >>> 2
  const u = new Uint32Array(bytes.buffer, base + i, words)
  const K = 0x60606060
  const M = 0x80808080 | 0
  const unrolled = words & ~7
  for (let w = 0; w < unrolled; w += 8) {
    if (
      ((u[w]! + K) & (u[w + 1]! + K) & (u[w + 2]! + K) & (u[w + 3]! + K) & (u[w + 4]! + K) & (u[w + 5]! + K) &
        (u[w + 6]! + K) & (u[w + 7]! + K) & M) !== M
    ) return false
  }
  for (let w = unrolled; w < words; w++) {
    if (((u[w]! + K) & M) !== M) return false
  }
  for (i += words * 4; i < end; i++) {
    if (bytes[i]! < 0x20) return false
  }
  return true
}

/** Whether the string closed at `close` is an object key (the next non-blank byte is a colon). */
const isKey = (bytes: Buffer, close: number): boolean => {
  for (let i = close + 1; i < bytes.length; i++) {
    const byte = bytes[i]
    if (byte !== 0x20 && byte !== 0x09 && byte !== 0x0a && byte !== 0x0d) return byte === 0x3a
  }
  return false
}

const BASE64_HEADER = /^data:[^,]*;base64$/i

/**
 * `bytes[start, end)` as a string. A base64 `data:` URL becomes `header + payload` with the payload as its own
 * external string, remembered for `DataUrl` (see `internal/largeStrings.ts`).
 */
const largeString = (bytes: Buffer, start: number, end: number): string => {
  if (bytes.toString("latin1", start, start + 5).toLowerCase() === "data:") {
    const comma = bytes.indexOf(0x2c, start)
    if (comma !== -1 && comma - start <= 512 && comma < end) {
      const header = bytes.toString("latin1", start, comma)
      if (BASE64_HEADER.test(header)) {
        const payload = bytes.toString("latin1", comma + 1, end)
        const url = `${header},${payload}`
        LargeStrings.remember(url, { header, payload })
        return url
      }
    }
  }
  return bytes.toString("latin1", start, end)
}

/** `parseBytes`'s fast path; `undefined` when it does not apply or the rest is not valid JSON. */
const parseSpliced = (bytes: Buffer): { readonly value: unknown } | undefined => {
  const large: Array<string> = []
  const pieces: Array<string> = []
  let emitted = 0
  let open = bytes.indexOf(QUOTE)
  while (open !== -1) {
    let close = bytes.indexOf(QUOTE, open + 1)
    while (close !== -1 && isEscaped(bytes, close)) close = bytes.indexOf(QUOTE, close + 1)
    if (close === -1) return undefined // unbalanced: truncated or not JSON
    if (close - open - 1 >= LARGE_STRING && !isKey(bytes, close)) {
      const escape = bytes.indexOf(BACKSLASH, open + 1)
      if (escape === -1 || escape > close) {
        if (!noControlCharacters(bytes, open + 1, close)) return undefined
        pieces.push(bytes.toString("latin1", emitted, open + 1))
        pieces.push(`${placeholder}${large.length}`)
        large.push(largeString(bytes, open + 1, close))
        emitted = close
      }
    }
    open = bytes.indexOf(QUOTE, close + 1)
  }
  if (large.length === 0) return undefined
  pieces.push(bytes.toString("latin1", emitted))
  let value: unknown
  try {
    value = JSON.parse(
      pieces.join(""),
      (_key, item: unknown) =>
        typeof item === "string" && item.length < placeholder.length + 8 && item.startsWith(placeholder)
          ? large[Number(item.slice(placeholder.length))] ?? item
          : item
    )
  } catch {
    return undefined
  }
  return { value }
}

/** Unguessable per process, so no string of a real answer can be taken for a placeholder. */
const placeholder = `nanogen-large-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}-`

/**
 * Reads and parses a JSON body with the size cap of `ResponseBody.read`. A large body (an image answer) is parsed in a
 * later event-loop turn shared with other large answers (a few milliseconds of parsing per turn), so that many
 * answers finishing together do not block the event loop for all of them at once.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { HttpClient } from "@effect/platform"
 * import { JsonBody } from "@nanogen/core"
 *
 * const body = HttpClient.get("http://127.0.0.1:8080/x").pipe(
 *   Effect.flatMap((response) => JsonBody.read("openrouter", response))
 * )
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const read = (
  provider: string,
  response: HttpClientResponse.HttpClientResponse,
  maxBytes?: number
): Effect.Effect<unknown, MalformedResponse | ProviderUnavailable> =>
  Effect.flatMap(
    ResponseBody.read(provider, response, maxBytes),
    (body) =>
      body.length >= LARGE_BODY
        ? CpuTurn.run(parseBytes(provider, response.status, body))
        : parseBytes(provider, response.status, body)
  )

const asBuffer = (bytes: Uint8Array): Buffer =>
  Buffer.isBuffer(bytes) ? bytes : Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength)
