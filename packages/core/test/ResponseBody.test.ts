import * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import { HttpClientLive } from "@nanogen/test-utils"
import { Effect, Either } from "effect"
import { randomBytes } from "node:crypto"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { JsonBody, ResponseBody } from "../src/index.js"

const base64 = (bytes: number) => randomBytes(bytes).toString("base64")

describe("ResponseBody.read", () => {
  const payload = Buffer.from(JSON.stringify({ data: [{ b64_json: base64(2_000_000) }] }))
  const closed: Array<string | undefined> = []
  const withServer = <A, E, R>(use: (url: string) => Effect.Effect<A, E, R>) =>
    Effect.acquireUseRelease(
      Effect.async<Server>((resume) => {
        const server = createServer((req, res) => {
          if (req.url === "/stall") {
            res.writeHead(200, { "content-type": "application/json", "content-length": payload.length })
            res.write(payload.subarray(0, 1000))
            res.on("close", () => closed.push(req.url))
          } else if (req.url === "/declared") {
            res.writeHead(200, { "content-type": "application/json", "content-length": payload.length }).end(payload)
          } else {
            res.writeHead(200, { "content-type": "application/json" })
            for (let i = 0; i < payload.length; i += 100_000) res.write(payload.subarray(i, i + 100_000))
            res.end()
          }
        })
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
      }),
      (server) => use(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
      (server) => Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve())))
    )

  it.live("reads large bodies whole, declared or chunked, and caps them", () =>
    withServer((url) =>
      Effect.gen(function*() {
        const client = yield* HttpClient.HttpClient
        for (const path of ["/declared", "/chunked"]) {
          const response = yield* client.get(`${url}${path}`)
          const body = yield* ResponseBody.read("test", response)
          assert.isTrue(body.equals(payload), path)
          const capped = yield* client.get(`${url}${path}`).pipe(
            Effect.flatMap((response) => Effect.flip(ResponseBody.read("test", response, 1_000_000)))
          )
          assert.strictEqual(capped._tag, "MalformedResponse", path)
          const json = yield* client.get(`${url}${path}`).pipe(
            Effect.flatMap((response) => JsonBody.read("test", response))
          )
          assert.deepStrictEqual(json, JSON.parse(payload.toString()))
        }
      })
    ).pipe(Effect.provide(HttpClientLive)))

  it.live("stops reading and closes the connection when interrupted mid-body", () =>
    withServer((url) =>
      Effect.gen(function*() {
        const client = yield* HttpClient.HttpClient
        const response = yield* client.get(`${url}/stall`)
        const result = yield* ResponseBody.read("test", response).pipe(Effect.timeout("200 millis"), Effect.either)
        assert.isTrue(Either.isLeft(result))
        assert.strictEqual(Either.flip(result).pipe(Either.getOrThrow)._tag, "TimeoutException")
        yield* Effect.sleep("100 millis")
        assert.deepStrictEqual(closed, ["/stall"])
      })
    ).pipe(Effect.provide(HttpClientLive)))
})
