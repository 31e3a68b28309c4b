/**
 * The per-call cost of a provider package on top of core's HTTP path, without any I/O:
 * `pnpm --filter @nanogen/bench run provider-overhead`. Every backend's layer runs over an in-memory `HttpClient`
 * that answers the wire shape with a 16 KB image at once (the CDN-URL form: a second GET for the image), against
 * `wire` — core's `ProviderClient` alone on the same client, the image taken from the answer as the `wire`
 * variant of the bench does. CPU µs per call, median of 5 blocks after a warm-up.
 */
import * as HttpClient from "@effect/platform/HttpClient"
import * as HttpClientResponse from "@effect/platform/HttpClientResponse"
import { DataUrl, ImageBytes, ImageProvider, type ImageRequest, ProviderClient } from "@nanogen/core"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { makePng, type Size, sizes, wireBody } from "./payloads.js"
import { median } from "./stats.js"
import { type Backend, providerLayer, requestFor } from "./variants.js"

/** `BENCH_SIZE=1k|4k` for a larger image (the default, 16 KB, leaves the per-call work alone). */
const size = (process.env.BENCH_SIZE ?? "tiny") as Size
const png = makePng(sizes[size].bytes, sizes[size].side)
const cdn = "http://127.0.0.1:9/cdn/tiny.png"
const bodies: Record<Backend, Buffer> = {
  openrouter: wireBody("openrouter", png),
  aimlapi: wireBody("aimlapi", png),
  "aimlapi-url": wireBody("aimlapi-url", png, cdn),
  google: wireBody("google", png)
}

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

const imageOf = (backend: Backend, body: any): unknown => {
  switch (backend) {
    case "openrouter":
      return body.choices[0].message.images[0].image_url.url
    case "aimlapi":
    case "aimlapi-url":
      return body.data[0].b64_json ?? body.data[0].url
    case "google":
      return body.candidates[0].content.parts.find((part: any) => part.inlineData !== undefined).inlineData.data
  }
}

const cases: Array<readonly [string, () => Promise<unknown>]> = []
const runtimes: Array<ManagedRuntime.ManagedRuntime<any, any>> = []
for (const backend of ["openrouter", "aimlapi", "aimlapi-url", "google"] as const) {
  const layer = (await providerLayer(backend, "http://127.0.0.1:9/api"))!
  const rt = ManagedRuntime.make(Layer.provide(layer, memoryClient(bodies[backend])) as Layer.Layer<any, any, never>)
  runtimes.push(rt)
  const service: ImageProvider.ImageProvider.Service = await rt.runPromise(ImageProvider.ImageProvider as any)
  const request = requestFor("1k")
  cases.push([`${backend} nanogen`, () => rt.runPromise(service.generate(request as ImageRequest.Input))])
  const wireRt = ManagedRuntime.make(memoryClient(bodies[backend]))
  runtimes.push(wireRt)
  const client = await wireRt.runPromise(ProviderClient.make({
    provider: backend,
    apiUrl: "http://127.0.0.1:9/api",
    headers: { authorization: Redacted.make("Bearer bench-key") },
    download: { allowPrivateNetwork: true }
  }))
  const body = { model: request.model, prompt: request.prompt }
  cases.push([`${backend} wire`, async () => {
    const answer = (await wireRt.runPromise(client.postJson("/generate", body, { decodeImages: true }))).body
    const image = imageOf(backend, answer) as string
    if (backend === "aimlapi-url") return (await wireRt.runPromise(client.download(image))).data
    return DataUrl.isDataUrl(image) ? DataUrl.parse(image)!.data : ImageBytes.fromBase64(image)
  }])
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
  console.log(`${name.padEnd(22)} ${median(results.get(name)!).toFixed(1).padStart(8)} µs CPU per call`)
}
for (const rt of runtimes) await rt.dispose()
