import * as HttpClient from "@effect/platform/HttpClient"
import { assert, describe, it } from "@effect/vitest"
import { HttpClientLive } from "@nanogen/test-utils"
import { Effect, Exit, Fiber } from "effect"
import { createHash, randomBytes } from "node:crypto"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { PassThrough } from "node:stream"
import { ResponseBody } from "../src/index.js"
import { readNode } from "../src/internal/nodeBody.js"

const CHUNK = 64 * 1024

/** Spins for `ms` (a sink's decode is CPU work: that is what pacing is for). */
const spin = (ms: number) => {
  const until = performance.now() + ms
  while (performance.now() < until) {
    // busy
  }
}

/** A paced sink that hashes what it gets, spends `cost` ms per chunk, and records what happened to it. */
const pacedSink = (cost = 0) => {
  const hash = createHash("sha256")
  const state = { writes: 0, bytes: 0, released: false, ended: false }
  return {
    state,
    sink: {
      paced: true,
      write: (chunk: Uint8Array) => {
        state.writes++
        state.bytes += chunk.byteLength
        hash.update(chunk)
        spin(cost)
        return undefined
      },
      end: () =>
        Effect.sync(() => {
          state.ended = true
          return hash.digest("hex")
        }),
      release: () => {
        state.released = true
      }
    }
  }
}

const sha = (bytes: Buffer) => createHash("sha256").update(bytes).digest("hex")

const options = <A>(sink: ResponseBody.Sink<A, string>, maxBytes = 64 * 1024 * 1024) => ({
  maxBytes,
  sink,
  tooLarge: () => "tooLarge",
  transport: (cause: unknown) => `transport: ${cause instanceof Error ? cause.message : String(cause)}`
})

describe("a paced read (a sink whose writes are CPU work)", () => {
  it.live("over undici: every byte in order, and the event loop runs between the sink's turns", () => {
    const payload = randomBytes(8 * 1024 * 1024)
    return Effect.acquireUseRelease(
      Effect.async<Server>((resume) => {
        const server = createServer((_req, res) => {
          res.writeHead(200, { "content-type": "application/octet-stream", "content-length": payload.length })
          res.end(payload)
        })
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
      }),
      (server) =>
        Effect.gen(function*() {
          const client = yield* HttpClient.HttpClient
          const response = yield* client.get(`http://127.0.0.1:${(server.address() as AddressInfo).port}/`)
          const { sink, state } = pacedSink(0.5)
          // A turn of its own for this callback, asked for while the first chunk is taken: it must run before
          // the last chunk is (≈ 128 chunks at 0.5 ms each, in turns of ≈ 2 ms).
          let writesBeforeTurn: number | undefined
          const write = sink.write
          sink.write = (chunk) => {
            if (state.writes === 0) setImmediate(() => writesBeforeTurn = state.writes)
            return write(chunk)
          }
          const digest = yield* ResponseBody.consume("test", response, 64 * 1024 * 1024, sink)
          assert.strictEqual(digest, sha(payload))
          assert.strictEqual(state.bytes, payload.length)
          assert.isDefined(writesBeforeTurn)
          assert.isBelow(writesBeforeTurn!, state.writes)
          assert.isFalse(state.released)
        }),
      (server) => Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve())))
    ).pipe(Effect.provide(HttpClientLive))
  })

  it.live("pauses the stream while more than 512 KiB waits for the sink, and takes the rest after", () =>
    Effect.gen(function*() {
      const stream = new PassThrough({ highWaterMark: CHUNK })
      const { sink, state } = pacedSink()
      const fiber = yield* Effect.fork(readNode(stream, undefined, options(sink)))
      yield* Effect.yieldNow()
      const parts = Array.from({ length: 40 }, () => randomBytes(CHUNK))
      for (const part of parts) stream.write(part)
      stream.end()
      // Written in one go: no slice has run yet, and the stream stopped flowing past 512 KiB.
      assert.strictEqual(state.writes, 0)
      assert.isTrue(stream.isPaused())
      assert.isAbove(stream.readableLength, 0)
      const digest = yield* Fiber.join(fiber)
      assert.strictEqual(digest, sha(Buffer.concat(parts)))
      assert.strictEqual(state.writes, parts.length)
      assert.isTrue(state.ended)
    }))

  it.live("an end, then the stream's close, while the sink is still at work is a complete body", () =>
    Effect.gen(function*() {
      const stream = new PassThrough()
      const { sink, state } = pacedSink(1)
      const fiber = yield* Effect.fork(readNode(stream, undefined, options(sink)))
      yield* Effect.yieldNow()
      const parts = Array.from({ length: 6 }, () => randomBytes(CHUNK))
      for (const part of parts) stream.write(part)
      stream.end()
      yield* Effect.promise(() => new Promise((resolve) => stream.once("close", resolve)))
      const exit = yield* Fiber.await(fiber)
      assert.deepStrictEqual(exit, Exit.succeed(sha(Buffer.concat(parts))))
      assert.strictEqual(state.writes, parts.length)
    }))

  it.live("the cap counts bytes as they arrive; the waiting chunks are dropped and the stream destroyed", () =>
    Effect.gen(function*() {
      const stream = new PassThrough({ highWaterMark: 4 * 1024 * 1024 })
      const { sink, state } = pacedSink()
      let aborted = 0
      const fiber = yield* Effect.fork(readNode(stream, () => aborted++, options(sink, 5 * CHUNK)))
      yield* Effect.yieldNow()
      for (let i = 0; i < 6; i++) stream.write(randomBytes(CHUNK))
      const exit = yield* Fiber.await(fiber)
      assert.deepStrictEqual(exit, Exit.fail("tooLarge"))
      assert.strictEqual(state.writes, 0)
      assert.isTrue(state.released)
      assert.isTrue(stream.destroyed)
      assert.strictEqual(aborted, 1)
    }))

  it.live("a connection cut while chunks wait fails as a transport error", () =>
    Effect.gen(function*() {
      const stream = new PassThrough()
      const { sink, state } = pacedSink(1)
      const fiber = yield* Effect.fork(readNode(stream, undefined, options(sink)))
      yield* Effect.yieldNow()
      for (let i = 0; i < 4; i++) stream.write(randomBytes(CHUNK))
      stream.destroy(new Error("connection reset"))
      const exit = yield* Fiber.await(fiber)
      assert.deepStrictEqual(exit, Exit.fail("transport: connection reset"))
      assert.isTrue(state.released)
      assert.isFalse(state.ended)
    }))

  it.live("interrupted while chunks wait: the sink gets none of them, and lets go of what it had", () =>
    Effect.gen(function*() {
      const stream = new PassThrough()
      const { sink, state } = pacedSink()
      const fiber = yield* Effect.fork(readNode(stream, undefined, options(sink)))
      yield* Effect.yieldNow()
      for (let i = 0; i < 4; i++) stream.write(randomBytes(CHUNK))
      yield* Fiber.interrupt(fiber)
      // The turns that would have taken the chunks come and go.
      yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 20)))
      assert.strictEqual(state.writes, 0)
      assert.isTrue(state.released)
      assert.isTrue(stream.destroyed)
    }))

  it.live("two paced reads take turns (round robin), neither waits for the other's end", () =>
    Effect.gen(function*() {
      const order: Array<string> = []
      const make = (name: string) => {
        const stream = new PassThrough({ highWaterMark: 4 * 1024 * 1024 })
        const { sink } = pacedSink(0.2)
        const write = sink.write
        sink.write = (chunk) => {
          order.push(name)
          return write(chunk)
        }
        return { stream, sink }
      }
      const a = make("a")
      const b = make("b")
      const fibers = yield* Effect.all([
        Effect.fork(readNode(a.stream, undefined, options(a.sink))),
        Effect.fork(readNode(b.stream, undefined, options(b.sink)))
      ])
      yield* Effect.yieldNow()
      for (const { stream } of [a, b]) {
        for (let i = 0; i < 6; i++) stream.write(randomBytes(CHUNK))
        stream.end()
      }
      yield* Fiber.join(Fiber.zip(fibers[0], fibers[1]))
      assert.strictEqual(order.length, 12)
      // b's first chunk is taken before a's last.
      assert.isBelow(order.indexOf("b"), order.lastIndexOf("a"))
    }))
})
