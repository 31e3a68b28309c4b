/**
 * Downloading an image by URL with the same `HttpClient` as the API call: https only, no private or loopback
 * addresses (unless allowed), a size cap and a timeout; the type is sniffed from the bytes.
 *
 * @since 0.1.0
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as Data from "effect/Data"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import { lookup } from "node:dns/promises"
import { isIP } from "node:net"
import * as DataUrl from "./DataUrl.js"
import * as ImageBytes from "./ImageBytes.js"
import { InvalidRequest, MalformedResponse, NoImageReturned, ProviderUnavailable } from "./ImageGenerationError.js"
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

const v4Private = (address: string): boolean => {
  const [a = 0, b = 0, c = 0] = address.split(".").map(Number)
  return a === 0 || a === 10 || a === 127 || a >= 224 ||
    (a === 100 && b >= 64 && b <= 127) ||
    (a === 169 && b === 254) ||
    (a === 172 && b >= 16 && b <= 31) ||
    (a === 192 && b === 168) ||
    (a === 192 && b === 0 && c === 0) ||
    (a === 198 && (b === 18 || b === 19))
}

/**
 * Whether an IP address literal is loopback, private, link-local, shared, multicast or unspecified.
 *
 * @example
 * ```ts
 * import { ImageDownload } from "@nanogen/core"
 * ImageDownload.isPrivateAddress("10.1.2.3") // true
 * ImageDownload.isPrivateAddress("8.8.8.8") // false
 * ```
 * @since 0.1.0
 * @category Guards
 */
export const isPrivateAddress = (address: string): boolean => {
  const bare = address.replace(/^\[|\]$/g, "").toLowerCase()
  const kind = isIP(bare)
  if (kind === 4) return v4Private(bare)
  if (kind !== 6) return false
  const mapped = /^::ffff:(\d+\.\d+\.\d+\.\d+)$/.exec(bare)
  if (mapped !== null) return v4Private(mapped[1]!)
  return bare === "::" || bare === "::1" || /^f[cd]/.test(bare) || /^fe[89ab]/.test(bare) || /^ff/.test(bare)
}

const refused = (message: string) => new DownloadFailed({ reason: "refused", message })

const checkUrl = (url: string, options: Options): Effect.Effect<URL, DownloadFailed> =>
  Effect.gen(function*() {
    const parsed = yield* Effect.try({ try: () => new URL(url), catch: () => refused(`not a valid URL: ${url}`) })
    const allowPrivate = options.allowPrivateNetwork === true
    if (parsed.protocol !== "https:" && !(allowPrivate && parsed.protocol === "http:")) {
      return yield* refused(`only https URLs are downloaded (got ${parsed.protocol})`)
    }
    if (allowPrivate) return parsed
    const host = parsed.hostname.replace(/^\[|\]$/g, "")
    if (host === "localhost" || host.endsWith(".localhost")) return yield* refused(`${host} is a loopback host`)
    if (isIP(host) !== 0) {
      return isPrivateAddress(host) ? yield* refused(`${host} is not a public address`) : parsed
    }
    const addresses = yield* Effect.tryPromise({
      try: () => lookup(host, { all: true }),
      catch: (error) => new DownloadFailed({ reason: "transport", message: `cannot resolve ${host}: ${String(error)}` })
    })
    const internal = addresses.find((entry) => isPrivateAddress(entry.address))
    return internal === undefined
      ? parsed
      : yield* refused(`${host} resolves to ${internal.address}, not a public address`)
  })

/**
 * Downloads an image (or decodes a `data:` URL). Fails with `DownloadFailed` saying why.
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
  url: string,
  options: Options = {}
): Effect.Effect<Downloaded, DownloadFailed, HttpClient.HttpClient> => {
  const maxBytes = options.maxBytes ?? 32 * 1024 * 1024
  if (DataUrl.isDataUrl(url)) {
    const parsed = DataUrl.parse(url)
    return parsed === undefined
      ? Effect.fail(new DownloadFailed({ reason: "notImage", message: "malformed data URL" }))
      : identify(parsed.data, maxBytes)
  }
  const timeout = Duration.decode(options.timeout ?? Duration.seconds(60))
  return Effect.gen(function*() {
    const checked = yield* checkUrl(url, options)
    const client = yield* HttpClient.HttpClient
    const response = yield* client.execute(HttpClientRequest.get(checked)).pipe(
      Effect.mapError((error) => new DownloadFailed({ reason: "transport", message: error.message }))
    )
    if (response.status < 200 || response.status >= 300) {
      return yield* new DownloadFailed({
        reason: "status",
        status: response.status,
        message: `HTTP ${response.status} for ${checked.origin}${checked.pathname}`
      })
    }
    const body = yield* ResponseBody.read("download", response, maxBytes).pipe(
      Effect.mapError((error) =>
        new DownloadFailed({
          reason: error._tag === "MalformedResponse" ? "tooLarge" : "transport",
          message: error._tag === "MalformedResponse" ? `image larger than ${maxBytes} bytes` : error.message
        })
      )
    )
    return yield* identify(body, maxBytes)
  }).pipe(
    Effect.scoped,
    Effect.timeoutFail({
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
