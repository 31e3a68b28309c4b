/**
 * Downloading an image by URL: https only, no private or loopback addresses (unless allowed), a size cap and a
 * timeout; the type is sniffed from the bytes.
 *
 * A public download resolves the host once, checks every address it resolves to (parsed with `ipaddr.js`), and
 * connects over `node:https` to the checked address only, keeping the name for `Host`, SNI and the certificate:
 * no generic `HttpClient` can promise that its connection goes where the check looked (DNS rebinding). Redirects
 * are not followed. With `allowPrivateNetwork` (emulators, tests) the ambient `HttpClient` is used, as for the API
 * call.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
// ipaddr.js is CommonJS without named exports Node can detect: in Node ESM only its default export exists.
import ipaddr from "ipaddr.js"
import { lookup as dnsLookup } from "node:dns/promises"
import * as http from "node:http"
import * as https from "node:https"
import type * as net from "node:net"
import * as DataUrl from "./DataUrl.js"
import * as ImageBytes from "./ImageBytes.js"
import { InvalidRequest, MalformedResponse, NoImageReturned, ProviderUnavailable } from "./ImageGenerationError.js"
import * as Deadline from "./internal/deadline.js"
import * as ResponseBodyInternal from "./internal/nodeBody.js"
import * as ResponseBody from "./ResponseBody.js"

/**
 * @since 0.1.0
 * @category Models
 */
export interface Options {
  /** Largest image accepted, in bytes. Default 32 MiB. */
  readonly maxBytes?: number
  /** Deadline for the whole download. Default 60 seconds. */
  readonly timeout?: Duration.DurationInput
  /**
   * Allow `http:` URLs and hosts on loopback, private, link-local or otherwise non-public addresses. Off by
   * default: a backend's answer must not make nanogen fetch from your internal network (SSRF). Turn it on only
   * for emulators and tests on `127.0.0.1`.
   */
  readonly allowPrivateNetwork?: boolean
  /**
   * Resolves a host name (default: `dns.lookup` with `all: true`). The download resolves the name once, checks
   * every address, and connects only to the first one: the name is never resolved again for the connection.
   * Given together with `allowPrivateNetwork`, the connection is still made to what it answers.
   */
  readonly lookup?: ((hostname: string) => Promise<ReadonlyArray<LookupAddress>>) | undefined
}

/**
 * Why a download failed.
 *
 * @since 0.1.0
 * @category Errors
 */
export class DownloadFailed extends Data.TaggedError("DownloadFailed")<{
  readonly reason: "refused" | "status" | "transport" | "timeout" | "tooLarge" | "notImage"
  readonly message: string
  readonly status?: number
}> {}

/**
 * A downloaded image.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Downloaded extends ImageBytes.ImageInfo {
  readonly data: Uint8Array
}

/**
 * One address a host name resolves to, as `dns.lookup` answers with `all: true`.
 *
 * @since 0.2.0
 * @category Models
 */
export interface LookupAddress {
  readonly address: string
  readonly family: number
}

/**
 * Whether an IP address literal is a public unicast address: the only kind a download connects to unless private
 * networks are allowed. Every address is parsed with `ipaddr.js`, so every spelling counts (decimal, octal, hex
 * and short IPv4 forms, bracketed or not IPv6), and every special range is refused: loopback, private, link-local,
 * shared (CGNAT), multicast, broadcast, unspecified, reserved and documentation ranges, and every IPv6 form that
 * embeds or tunnels to an IPv4 address (IPv4-mapped `::ffff:0:0/96`, IPv4-compatible `::/96`, NAT64
 * `64:ff9b::/96`, 6to4 `2002::/16`, Teredo `2001::/32`). `false` for anything that is not an address.
 *
 * @example
 * ```ts
 * import { ImageDownload } from "@nanogen/core"
 * ImageDownload.isPublicAddress("8.8.8.8") // true
 * ImageDownload.isPublicAddress("::ffff:7f00:1") // false (IPv4-mapped loopback)
 * ImageDownload.isPublicAddress("0x7f.1") // false (127.0.0.1)
 * ```
 * @since 0.2.0
 * @category Guards
 */
export const isPublicAddress = (address: string): boolean => {
  const parsed = parseAddress(address)
  if (parsed === undefined || parsed.range() !== "unicast") return false
  // `::a.b.c.d` (IPv4-compatible, deprecated) is "unicast" to ipaddr.js: refuse the whole ::/96.
  return !(parsed.kind() === "ipv6" && (parsed as ipaddr.IPv6).parts.slice(0, 6).every((part) => part === 0))
}

const parseAddress = (address: string): ipaddr.IPv4 | ipaddr.IPv6 | undefined => {
  const bare = address.replace(/^\[|\]$/g, "")
  return ipaddr.isValid(bare) ? ipaddr.parse(bare) : undefined
}

/**
 * Whether an IP address literal is anything but a public unicast address (see `isPublicAddress`): loopback,
 * private, link-local, shared, multicast, unspecified, reserved, or an IPv6 form embedding an IPv4 address.
 * `false` for a string that is not an address (a host name is checked by resolving it).
 *
 * @example
 * ```ts
 * import { ImageDownload } from "@nanogen/core"
 * ImageDownload.isPrivateAddress("10.1.2.3") // true
 * ImageDownload.isPrivateAddress("[::ffff:127.0.0.1]") // true
 * ImageDownload.isPrivateAddress("8.8.8.8") // false
 * ```
 * @since 0.1.0
 * @category Guards
 */
export const isPrivateAddress = (address: string): boolean =>
  parseAddress(address) !== undefined && !isPublicAddress(address)

const refused = (message: string) => new DownloadFailed({ reason: "refused", message })

const systemLookup = (hostname: string): Promise<ReadonlyArray<LookupAddress>> =>
  dnsLookup(hostname, { all: true, verbatim: true })

/** Where a download connects: the URL, and (when the address was resolved and checked here) that address. */
interface Target {
  readonly url: URL
  readonly pinned: LookupAddress | undefined
}

const checkUrl = (url: string, options: Options): Effect.Effect<Target, DownloadFailed> =>
  Effect.gen(function*() {
    const parsed = yield* Effect.try({ try: () => new URL(url), catch: () => refused(`not a valid URL: ${url}`) })
    const allowPrivate = options.allowPrivateNetwork === true
    if (parsed.protocol !== "https:" && !(allowPrivate && parsed.protocol === "http:")) {
      return yield* refused(`only https URLs are downloaded (got ${parsed.protocol})`)
    }
    // With private networks allowed and no resolver of the caller's, the ambient client connects as it likes.
    if (allowPrivate && options.lookup === undefined) return { url: parsed, pinned: undefined }
    const host = parsed.hostname.replace(/^\[|\]$/g, "")
    const literal = parseAddress(host)
    if (literal !== undefined) {
      return !allowPrivate && !isPublicAddress(host)
        ? yield* refused(`${host} is not a public address`)
        : { url: parsed, pinned: { address: host, family: literal.kind() === "ipv6" ? 6 : 4 } }
    }
    if (!allowPrivate && (host === "localhost" || host.endsWith(".localhost"))) {
      return yield* refused(`${host} is a loopback host`)
    }
    const lookup = options.lookup ?? systemLookup
    const addresses = yield* Effect.tryPromise({
      try: () => lookup(host),
      catch: (error) => new DownloadFailed({ reason: "transport", message: `cannot resolve ${host}: ${String(error)}` })
    })
    if (addresses.length === 0) {
      return yield* new DownloadFailed({ reason: "transport", message: `cannot resolve ${host}: no address` })
    }
    const internal = allowPrivate ? undefined : addresses.find((entry) => !isPublicAddress(entry.address))
    return internal === undefined
      ? { url: parsed, pinned: addresses[0]! }
      : yield* refused(`${host} resolves to ${internal.address}, not a public address`)
  })

/** Connections of pinned downloads (kept alive: a CDN serves many images from one host). */
const agents = { http: new http.Agent({ keepAlive: true }), https: new https.Agent({ keepAlive: true }) }

/**
 * GETs `url` over a connection to `pinned`, the address that was resolved and checked, never resolving the name
 * again (a second resolution is how DNS rebinding turns a checked public name into a private address). The name
 * still goes into `Host` and, for https, into SNI and the certificate check.
 */
const getPinned = (
  url: URL,
  pinned: LookupAddress
): Effect.Effect<{ readonly response: http.IncomingMessage; readonly abort: () => void }, DownloadFailed> =>
  Effect.async((resume) => {
    const controller = new AbortController()
    const lookup: net.LookupFunction = (_hostname, options, callback) => {
      if (options.all === true) callback(null, [pinned])
      else callback(null, pinned.address, pinned.family)
    }
    const secure = url.protocol === "https:"
    const request = (secure ? https : http).request(url, {
      method: "GET",
      agent: secure ? agents.https : agents.http,
      lookup,
      headers: { accept: "image/*" },
      // Node derives SNI (and the certificate's expected name) from the URL's host, not from `lookup`.
      signal: controller.signal
    })
    const abort = () => controller.abort(ResponseBodyInternal.stoppedReading)
    request.once("response", (response) => resume(Effect.succeed({ response, abort })))
    request.once(
      "error",
      (error) => resume(Effect.fail(new DownloadFailed({ reason: "transport", message: error.message })))
    )
    request.end()
    return Effect.sync(abort)
  })

/**
 * Downloads an image (or decodes a `data:` URL, also one already decoded as an answer arrived: see
 * `ImageBytes.DecodedBase64`). Fails with `DownloadFailed` saying why.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { ImageDownload } from "@nanogen/core"
 *
 * const image = ImageDownload.download("https://cdn.example.com/a.png", { maxBytes: 10_000_000 })
 * // Effect<Downloaded, DownloadFailed, HttpClient>
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const download = (
  from: string | ImageBytes.DecodedBase64,
  options: Options = {}
): Effect.Effect<Downloaded, DownloadFailed, HttpClient.HttpClient> => {
  const maxBytes = options.maxBytes ?? 32 * 1024 * 1024
  if (DataUrl.isDataUrl(from)) {
    const parsed = DataUrl.parse(from)
    return parsed === undefined
      ? Effect.fail(new DownloadFailed({ reason: "notImage", message: "malformed data URL" }))
      : identify(parsed.data, maxBytes)
  }
  // (a decoded string that was no data URL is its text again: no URL either, refused as before)
  const url = String(from)
  const timeout = Duration.decode(options.timeout ?? Duration.seconds(60))
  const failStatus = (status: number, checked: URL) =>
    new DownloadFailed({ reason: "status", status, message: `HTTP ${status} for ${checked.origin}${checked.pathname}` })
  const tooLarge = () => new DownloadFailed({ reason: "tooLarge", message: `image larger than ${maxBytes} bytes` })
  return Effect.gen(function*() {
    const { pinned, url: checked } = yield* checkUrl(url, options)
    if (pinned !== undefined) {
      const { abort, response } = yield* getPinned(checked, pinned)
      const status = response.statusCode ?? 0
      if (status < 200 || status >= 300) {
        response.destroy()
        return yield* failStatus(status, checked)
      }
      const declared = Number(response.headers["content-length"] ?? Number.NaN)
      if (Number.isFinite(declared) && declared > maxBytes) {
        response.destroy()
        return yield* tooLarge()
      }
      const body = yield* ResponseBodyInternal.readNode(response, abort, {
        maxBytes,
        sink: new ResponseBodyInternal.Collector(Number.isSafeInteger(declared) && declared > 0 ? declared : undefined),
        tooLarge,
        transport: (cause) =>
          new DownloadFailed({ reason: "transport", message: cause instanceof Error ? cause.message : String(cause) })
      })
      return yield* identify(body, maxBytes)
    }
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(HttpClientRequest.get(checked)).pipe(
      Effect.mapError((error) => new DownloadFailed({ reason: "transport", message: error.message }))
    )
    if (response.status < 200 || response.status >= 300) return yield* failStatus(response.status, checked)
    const body = yield* ResponseBody.read("download", response, maxBytes).pipe(
      Effect.mapError((error) =>
        error._tag === "MalformedResponse"
          ? tooLarge()
          : new DownloadFailed({ reason: "transport", message: error.message })
      )
    )
    return yield* identify(body, maxBytes)
  }).pipe(
    Deadline.timeoutFail({
      duration: timeout,
      onTimeout: () =>
        new DownloadFailed({ reason: "timeout", message: `download took longer than ${Duration.format(timeout)}` })
    })
  )
}

const identify = (data: Uint8Array, maxBytes: number): Effect.Effect<Downloaded, DownloadFailed> => {
  if (data.byteLength > maxBytes) {
    return Effect.fail(new DownloadFailed({ reason: "tooLarge", message: `image larger than ${maxBytes} bytes` }))
  }
  const info = ImageBytes.inspect(data)
  return info === undefined
    ? Effect.fail(
      new DownloadFailed({ reason: "notImage", message: "the bytes are not a PNG, JPEG, WebP, GIF or HEIF image" })
    )
    : Effect.succeed({ ...info, data })
}

/**
 * Maps a failed download of a **generated** image (a backend's CDN URL) into the error union: a 4xx answer →
 * `NoImageReturned`; 5xx, transport, timeout → `ProviderUnavailable`; refused, too large, not an image →
 * `MalformedResponse`.
 *
 * @since 0.1.0
 * @category Errors
 */
export const toResultError = (
  provider: string,
  error: DownloadFailed
): NoImageReturned | ProviderUnavailable | MalformedResponse => {
  const message = `${provider}: downloading the generated image failed: ${error.message}`
  const status = error.status === undefined ? {} : { status: error.status }
  switch (error.reason) {
    case "status":
      return error.status !== undefined && error.status < 500
        ? new NoImageReturned({ provider, message, ...status })
        : new ProviderUnavailable({ provider, message, ...status })
    case "transport":
    case "timeout":
      return new ProviderUnavailable({ provider, message })
    default:
      return new MalformedResponse({ provider, message })
  }
}

/**
 * Maps a failed download of a **reference** image the caller passed by URL into `InvalidRequest` naming the
 * field, or `ProviderUnavailable` when the image host itself is failing.
 *
 * @since 0.1.0
 * @category Errors
 */
export const toInputError = (
  provider: string,
  field: string,
  error: DownloadFailed
): InvalidRequest | ProviderUnavailable => {
  const message = `Invalid request: ${field} could not be used: ${error.message}`
  return error.reason === "transport" || error.reason === "timeout" ||
      (error.reason === "status" && (error.status ?? 0) >= 500)
    ? new ProviderUnavailable({ provider, message: `${provider}: ${field} could not be downloaded: ${error.message}` })
    : new InvalidRequest({ provider, field, message })
}
