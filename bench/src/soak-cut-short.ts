/**
 * `pnpm --filter @nanogen/bench run soak`: a bounded soak of cut-short body reads. 200 reads per case stop early
 * (over `maxBodyBytes`, over the download cap, the attempt deadline, the caller's interruption) against a
 * loopback server that declares 24 MB and sends 2 MB, on `NodeHttpClient.layerUndici` and `NodeHttpClient.layer`.
 * After every 50 reads it forces a full collection and prints what is still reachable (JS heap + array buffers):
 * flat means the bytes of cut-short reads are returned. A benchmark, not a test: it asserts nothing.
 *
 * Env: SOAK_READS (default 200).
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import { ImageDownload, ProviderClient } from "@nanogen/core"
import { Effect, Fiber, type Layer } from "effect"
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"

const gc = (globalThis as { gc?: () => void }).gc
if (gc === undefined) throw new Error("run with node --expose-gc")
const reads = Number(process.env.SOAK_READS ?? 200)
const MB = 1024 * 1024
const chunk = Buffer.alloc(256 * 1024, "A")

const server = createServer((req, res) => {
  req.resume()
  req.on("end", () => {
    const declared = !req.url!.includes("chunked")
    res.writeHead(200, { "content-type": "application/json", ...(declared ? { "content-length": 24 * MB } : {}) })
    let sent = 0
    const limit = req.url!.includes("stall") ? 2 * MB : 24 * MB
    const pump = () => {
      while (sent < limit && !res.destroyed) {
        sent += chunk.length
        if (!res.write(chunk)) return void res.once("drain", pump)
      }
    }
    pump()
  })
})
await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve))
const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`

const retained = async () => {
  for (let i = 0; i < 4; i++) {
    gc()
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  const usage = process.memoryUsage()
  return (usage.heapUsed + usage.arrayBuffers) / 1e6
}

const client = (options: Partial<ProviderClient.Options> = {}) =>
  ProviderClient.make({ provider: "soak", apiUrl: url, headers: {}, ...options })

const cases: ReadonlyArray<readonly [string, Effect.Effect<unknown, unknown, HttpClient.HttpClient>]> = [
  [
    "over maxBodyBytes",
    Effect.flatMap(client({ maxBodyBytes: 2 * MB }), (c) => Effect.flip(c.postJson("/chunked", {})))
  ],
  [
    "over the download cap",
    Effect.flip(ImageDownload.download(`${url}/chunked`, { allowPrivateNetwork: true, maxBytes: 2 * MB }))
  ],
  [
    "the attempt deadline",
    Effect.flatMap(client({ timeout: "100 millis" }), (c) => Effect.flip(c.postJson("/stall", {})))
  ],
  [
    "the caller's abort",
    Effect.flatMap(client(), (c) =>
      Effect.gen(function*() {
        const fiber = yield* Effect.fork(c.postJson("/stall-chunked", {}))
        yield* Effect.sleep("100 millis")
        yield* Fiber.interrupt(fiber)
      }))
  ]
]
const layers: ReadonlyArray<readonly [string, Layer.Layer<HttpClient.HttpClient>]> = [
  ["layerUndici", NodeHttpClient.layerUndici],
  ["layer", NodeHttpClient.layer]
]

for (const [layerName, layer] of layers) {
  for (const [name, run] of cases) {
    const samples: Array<number> = []
    await Effect.runPromise(
      Effect.gen(function*() {
        yield* run
        samples.push(yield* Effect.promise(retained))
        for (let i = 1; i <= reads; i++) {
          yield* run
          if (i % 50 === 0) samples.push(yield* Effect.promise(retained))
        }
      }).pipe(Effect.provide(layer))
    )
    const growth = samples[samples.length - 1]! - samples[0]!
    const line = `soak ${layerName} ${name}: ${reads} cut-short reads, retained MB ${
      samples.map((sample) => sample.toFixed(1)).join(" → ")
    } (growth ${growth.toFixed(1)} MB)`
    process.stdout.write(`${line}\n`)
  }
}
server.closeAllConnections()
server.close()
