/**
 * The per-call cost of a provider package on top of core's HTTP path, without any I/O:
 * `pnpm --filter @nanogen/bench run provider-overhead`. Every backend's layer runs over an in-memory `HttpClient`
 * that answers the wire shape with a 16 KB image at once (the CDN-URL form: a second GET for the image), against
 * the bench's `wire` variant (core's `ProviderClient` alone) and `platform` (the same requests through
 * `@effect/platform`'s `HttpClient` alone, its span off as core runs it: `JSON.parse` of the body, `Buffer.from` of
 * the base64, `arrayBuffer` of the CDN image) on the same client. CPU µs per call, median of 5 blocks after a
 * warm-up. The in-memory client's own cost (a web `Response` per request, ≈ 60 µs) is in every row.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientRequest from "@effect/platform/HttpClientRequest"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import { makePng, type Size, sizes, wireBody } from "./payloads.js"
import { median } from "./stats.js"
import {
  apiUrlOf,
  type Backend,
  type Client,
  imageOf,
  nanogenFromLayer,
  providerLayer,
  requestFor,
  runOut,
  wire
} from "./variants.js"

/** `BENCH_SIZE=1k|4k` for a larger image (the default, 16 KB, leaves the per-call work alone). */
const size = (process.env.BENCH_SIZE ?? "tiny") as Size
const png = makePng(sizes[size].bytes, sizes[size].side)
/** Nothing listens there: the in-memory client answers every request. */
const origin = "http://127.0.0.1:9"
const cdn = `${origin}/cdn/${size}.png`
const measured: ReadonlyArray<Backend> = [
  "openrouter",
  "openrouter-images",
  "aimlapi",
  "aimlapi-url",
  "google",
  "vertex"
]
const bodies = new Map(measured.map((backend) => [backend, wireBody(backend, png, cdn)]))

/** An `HttpClient` answering every POST with `body` and every GET with the PNG, at once. */
const memoryClient = (answer: Buffer) => {
  const image = new Uint8Array(png) as Uint8Array<ArrayBuffer>
  const body = new Uint8Array(answer) as Uint8Array<ArrayBuffer>
  return Layer.succeed(
    HttpClient.HttpClient,
    HttpClient.make((request) =>
      Effect.sync(() => {
        const get = request.method === "GET"
        const bytes = get ? image : body
        return HttpClientResponse.fromWeb(
          request,
          new Response(bytes, {
            status: 200,
            headers: { "content-type": get ? "image/png" : "application/json", "content-length": String(bytes.length) }
          })
        )
      })
    )
  )
}

/** The platform's `HttpClient` alone: the POST, its JSON, the image as the hand-written client takes it. */
const platform = (backend: Backend, http: Layer.Layer<HttpClient.HttpClient>): Client => {
  const rt = ManagedRuntime.make(http)
  const url = `${apiUrlOf(origin, "ok", backend, size)}/generate`
  const call = () =>
    runOut(
      rt,
      Effect.gen(function*() {
        const client = HttpClient.withTracerDisabledWhen(yield* HttpClient.HttpClient, () => true)
        const request = HttpClientRequest.post(url).pipe(
          HttpClientRequest.setHeader("authorization", "Bearer bench-key"),
          HttpClientRequest.bodyText(JSON.stringify({ prompt: "a nano banana" }), "application/json")
        )
        const image = imageOf(backend, yield* Effect.flatMap(client.execute(request), (response) => response.json))
        if (backend !== "aimlapi-url") {
          const text = image as string
          return Buffer.from(text.slice(text.indexOf(",") + 1), "base64") as Uint8Array
        }
        const response = yield* client.execute(HttpClientRequest.get(image as string))
        return new Uint8Array(yield* response.arrayBuffer)
      })
    )
  return { call, close: () => rt.dispose() }
}

const clients: Array<Client> = []
const cases: Array<readonly [string, () => Promise<unknown>]> = []
for (const backend of measured) {
  const http = memoryClient(bodies.get(backend)!)
  const layer = (await providerLayer(backend, apiUrlOf(origin, "ok", backend, size)))!
  const nanogen = await nanogenFromLayer(layer, requestFor(size), http)
  const core = (await wire("wire", origin, backend, size, http))!
  const bare = platform(backend, http)
  clients.push(nanogen, core, bare)
  cases.push([`${backend} nanogen`, nanogen.call], [`${backend} wire`, core.call], [`${backend} platform`, bare.call])
}

const calls = Number(process.argv[2] ?? 2000)
const only = process.argv[3]
if (only !== undefined) cases.splice(0, cases.length, ...cases.filter(([name]) => name.includes(only)))
const results = new Map<string, Array<number>>()
for (let block = 0; block < 6; block++) {
  for (const [name, call] of cases) {
    const start = process.cpuUsage()
    for (let i = 0; i < calls; i++) await call()
    const used = process.cpuUsage(start)
    if (block > 0) results.set(name, [...(results.get(name) ?? []), (used.user + used.system) / calls])
  }
}
for (const [name] of cases) {
  console.log(`${name.padEnd(29)} ${median(results.get(name)!).toFixed(1).padStart(8)} µs CPU per call`)
}
for (const client of clients) await client.close()
