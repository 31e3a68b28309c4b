import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import type * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import { Effect, Fiber, type Layer } from "effect"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import * as v8 from "node:v8"
import * as vm from "node:vm"
import { ImageDownload, ProviderClient } from "../src/index.js"

// A real collector, as `node --expose-gc` gives: what is still reachable after it is what the reads retained.
v8.setFlagsFromString("--expose-gc")
const gc = vm.runInNewContext("gc") as () => void

const settle = Effect.promise(async () => {
  for (let i = 0; i < 4; i++) {
    gc()
    // FinalizationRegistry callbacks and socket teardown run in later turns.
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  gc()
})
const retainedMb = Effect.map(settle, () => {
  const usage = process.memoryUsage()
  return (usage.arrayBuffers + usage.heapUsed) / 1e6
})

const MB = 1024 * 1024
/** Each cut-short read gets 2 MB of a body that declares 24 MB (or declares nothing and goes on for 24 MB). */
const SENT = 2 * MB
const DECLARED = 24 * MB
const chunk = Buffer.alloc(256 * 1024, "A")

const withServer = <A, E, R>(use: (url: string) => Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.async<Server>((resume) => {
      const server = createServer((req, res) => {
        req.resume()
        req.on("end", () => {
          const declared = !req.url!.includes("chunked")
          res.writeHead(200, {
            "content-type": req.url!.startsWith("/img") ? "image/png" : "application/json",
            ...(declared ? { "content-length": DECLARED } : {})
          })
          res.write("[\"")
          let sent = 0
          const pump = () => {
            // Sends SENT bytes, then stalls ("/stall…") or keeps sending up to DECLARED ("/big…").
            while (sent < (req.url!.includes("stall") ? SENT : DECLARED) && !res.destroyed) {
              sent += chunk.length
              if (!res.write(chunk)) return void res.once("drain", pump)
            }
          }
          pump()
        })
      })
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
    }),
    (server) => use(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
    (server) =>
      Effect.promise(() => {
        server.closeAllConnections()
        return new Promise<void>((resolve) => server.close(() => resolve()))
      })
  )

const ROUNDS = 10

const scenarios: ReadonlyArray<
  readonly [string, (url: string) => Effect.Effect<unknown, unknown, HttpClient.HttpClient>]
> = [
  ["over maxBodyBytes (declared)", (url) =>
    Effect.flatMap(
      ProviderClient.make({ provider: "test", apiUrl: url, headers: {}, maxBodyBytes: SENT }),
      (client) => Effect.flip(client.postJson("/big", {}))
    )],
  ["over maxBodyBytes (chunked)", (url) =>
    Effect.flatMap(
      ProviderClient.make({ provider: "test", apiUrl: url, headers: {}, maxBodyBytes: SENT }),
      (client) => Effect.flip(client.postJson("/big-chunked", {}))
    )],
  ["over maxBodyBytes, decoding images as they arrive", (url) =>
    Effect.flatMap(
      ProviderClient.make({ provider: "test", apiUrl: url, headers: {}, maxBodyBytes: SENT }),
      (client) => Effect.flip(client.postJson("/big-chunked", {}, { decodeImages: true }))
    )],
  ["the attempt deadline, decoding images as they arrive", (url) =>
    Effect.flatMap(
      ProviderClient.make({ provider: "test", apiUrl: url, headers: {}, timeout: "300 millis" }),
      (client) => Effect.flip(client.postJson("/stall", {}, { decodeImages: true }))
    )],
  [
    "over the download cap",
    (url) =>
      Effect.flip(ImageDownload.download(`${url}/img-big-chunked`, { allowPrivateNetwork: true, maxBytes: SENT }))
  ],
  ["the attempt deadline", (url) =>
    Effect.flatMap(
      ProviderClient.make({ provider: "test", apiUrl: url, headers: {}, timeout: "300 millis" }),
      (client) => Effect.flip(client.postJson("/stall", {}))
    )],
  ["the caller's abort", (url) =>
    Effect.flatMap(
      ProviderClient.make({ provider: "test", apiUrl: url, headers: {} }),
      (client) =>
        Effect.gen(function*() {
          const fiber = yield* Effect.fork(client.postJson("/stall-chunked", {}))
          yield* Effect.sleep("300 millis")
          yield* Fiber.interrupt(fiber)
        })
    )]
]

const clients: ReadonlyArray<readonly [string, Layer.Layer<HttpClient.HttpClient>]> = [
  ["NodeHttpClient.layerUndici", NodeHttpClient.layerUndici],
  ["NodeHttpClient.layer", NodeHttpClient.layer]
]

describe("cut-short body reads return their memory", () => {
  for (const [clientName, layer] of clients) {
    for (const [name, run] of scenarios) {
      it.live(`${name} on ${clientName}`, () =>
        withServer((url) =>
          Effect.gen(function*() {
            yield* run(url) // warm-up: connection pools, lazily loaded modules
            const before = yield* retainedMb
            for (let i = 0; i < ROUNDS; i++) yield* run(url)
            const after = yield* retainedMb
            // Retaining what each read got so far would be ≥ ROUNDS × 2 MB (and × 24 MB for a preallocated body).
            assert.isBelow(after - before, 6, `retained ${(after - before).toFixed(1)} MB over ${ROUNDS} reads`)
          })
        ).pipe(Effect.provide(layer)), 60_000)
    }
  }
})
