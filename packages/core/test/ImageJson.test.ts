import { FetchHttpClient } from "@effect/platform"
import { assert, describe, it } from "@effect/vitest"
import { CANARY_KEY, HttpClientLive } from "@nanogen/test-utils"
import { Effect, Exit, Redacted } from "effect"
import { randomBytes } from "node:crypto"
import { createServer, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { DataUrl, ImageBytes, ProviderClient } from "../src/index.js"
import { ImageEventsSink } from "../src/internal/imageEvents.js"
import { ImageJsonSink } from "../src/internal/imageJson.js"

// Sizes giving each padding (0, 1, 2 `=`), all well past the 64 KiB threshold.
const images = [300_000, 300_001, 300_002].map((n) => randomBytes(n))
const b64 = images.map((image) => image.toString("base64"))

/** Feeds `text` to a fresh sink in chunks cut at `cuts` (random, and at every awkward offset). */
const run = <A>(
  make: () => { write: (c: Uint8Array) => unknown; end: () => Effect.Effect<A, any> },
  text: Buffer,
  sizes: ReadonlyArray<number>
) => {
  const sink = make()
  let pos = 0
  for (let i = 0; pos < text.length; i++) {
    const size = sizes[i % sizes.length]!
    sink.write(text.subarray(pos, pos + size))
    pos += size
  }
  return Effect.runSyncExit(sink.end())
}
const json = () => new ImageJsonSink("test", 200, undefined)
const chunkings: ReadonlyArray<ReadonlyArray<number>> = [
  [1 << 30],
  [65_536],
  [1, 2, 3, 5, 8, 13, 65_537],
  [7, 4093, 3, 1],
  Array.from({ length: 20 }, () => 1 + Math.floor(Math.random() * 9000))
]

const bodies: ReadonlyArray<readonly [string, unknown]> = [
  ["gemini", {
    candidates: [{
      content: { parts: [{ text: "a ☃ naïve" }, { inlineData: { mimeType: "image/png", data: b64[0] } }] }
    }]
  }],
  ["openrouter data URL", {
    choices: [{ message: { images: [{ image_url: { url: `data:image/png;base64,${b64[1]}` } }] } }]
  }],
  ["aimlapi, two images", {
    data: [{ b64_json: b64[2], url: null }, { b64_json: b64[0] }],
    meta: { n: 1.5e3, ok: true }
  }],
  ["a large text string stays text", { text: "lorem ipsum ".repeat(10_000), image: b64[1] }],
  ["a large key stays a key", { [b64[0]!]: "key", value: b64[2] }],
  ["base64 then not base64", { data: `${b64[0]!.slice(0, 200_000)} tail with spaces`, other: b64[1] }],
  ["escaped slashes", { data: b64[1]!, raw: "x" }],
  ["a data URL that is not base64", { url: `data:text/plain,${"a".repeat(100_000)}` }],
  ["url-unsafe padding in the middle", { data: `${b64[0]!.slice(0, 100_000)}==${b64[0]!.slice(100_000)}` }]
]

const textOf = (name: string, body: unknown) => {
  const text = JSON.stringify(body)
  return Buffer.from(name === "escaped slashes" ? text.replace(/\//g, "\\/") : text)
}

describe("decoding images as the body arrives", () => {
  it("gives JSON.parse of the body, large base64 strings as their exact bytes, at every chunking", () => {
    for (const [name, body] of bodies) {
      const text = textOf(name, body)
      const expected = JSON.parse(text.toString())
      // Without a declared length, and with one (the image gathered into one buffer once half of it has arrived).
      for (const declared of [undefined, text.length]) {
        for (const sizes of chunkings) {
          const exit = run(() => new ImageJsonSink("test", 200, declared), text, sizes)
          const label = `${name} ${sizes.join(",")} declared ${declared}`
          assert.isTrue(Exit.isSuccess(exit), label)
          const value = (exit as Exit.Success<unknown, never>).value
          // Re-encoded images give the original strings back: everything else is exactly JSON.parse.
          assert.deepStrictEqual(JSON.parse(JSON.stringify(value)), expected, label)
        }
      }
    }
  })

  it("with a declared length, a large image is one buffer of its own size, its bytes exact", () => {
    const image = randomBytes(3_000_000)
    const text = Buffer.from(JSON.stringify({ data: [{ b64_json: image.toString("base64") }] }))
    const exit = run(() => new ImageJsonSink("test", 200, text.length), text, [65_536, 7, 100_003])
    const decoded = (exit as Exit.Success<any, never>).value.data[0].b64_json
    assert.isTrue(ImageBytes.isDecodedBase64(decoded))
    const bytes = ImageBytes.fromBase64(decoded)
    assert.isTrue(Buffer.from(bytes).equals(image))
    // At most the declared length's worth of decoded bytes was allocated for it (no joined copy of a larger one).
    assert.isAtMost(bytes.buffer.byteLength, Math.ceil((text.length * 3) / 4) + 4)
  })

  it("decodes the base64 strings it should, with the bytes Buffer decodes", () => {
    const exit = run(json, textOf("x", bodies[2]![1]), [4093])
    const value = (exit as Exit.Success<any, never>).value
    assert.isTrue(ImageBytes.isDecodedBase64(value.data[0].b64_json))
    assert.isTrue(Buffer.from(ImageBytes.fromBase64(value.data[0].b64_json)).equals(images[2]!))
    assert.isTrue(Buffer.from(ImageBytes.fromBase64(value.data[1].b64_json)).equals(images[0]!))
    const url = (run(json, textOf("x", bodies[1]![1]), [65_536]) as Exit.Success<any, never>).value
      .choices[0].message.images[0].image_url.url
    assert.isTrue(DataUrl.isDataUrl(url))
    const parsed = DataUrl.parse(url)!
    assert.strictEqual(parsed.mimeType, "image/png")
    assert.isTrue(Buffer.from(parsed.data).equals(images[1]!))
    const text = (run(json, textOf("x", bodies[3]![1]), [65_536]) as Exit.Success<any, never>).value
    assert.strictEqual(typeof text.text, "string")
  })

  it("keeps the errors: cut short (in a large string or not) is ProviderUnavailable, not JSON is malformed", () => {
    const whole = textOf("gemini", bodies[0]![1])
    for (const at of [10, 200_000, whole.length - 3]) {
      const exit = run(json, whole.subarray(0, at), [65_536])
      assert.isTrue(Exit.isFailure(exit))
      const error = (exit as any).cause.error
      assert.strictEqual(error._tag, "ProviderUnavailable", String(at))
      assert.match(error.message, /cut short/)
    }
    const html = run(json, Buffer.from(`<html>${"x".repeat(100_000)}</html>`), [4096])
    assert.strictEqual((html as any).cause.error._tag, "MalformedResponse")
  })

  it("reads event streams the same way, whatever the line endings and chunking", () => {
    const event = JSON.stringify(bodies[0]![1])
    for (const eol of ["\n", "\r\n", "\r"]) {
      const text = Buffer.from(
        `: OPENROUTER PROCESSING${eol}${eol}data: {"a":1}${eol}${eol}event: x${eol}data: ${event}${eol}${eol}data: {"b":${eol}data: 2}${eol}${eol}data: [DONE]${eol}${eol}`
      )
      for (const sizes of chunkings) {
        const exit = run(() => new ImageEventsSink("test", 200), text, sizes)
        assert.isTrue(Exit.isSuccess(exit), `${JSON.stringify(eol)} ${sizes.join(",")}`)
        const values = (exit as Exit.Success<ReadonlyArray<unknown>, never>).value
        assert.deepStrictEqual(JSON.parse(JSON.stringify(values)), [{ a: 1 }, JSON.parse(event), { b: 2 }, "[DONE]"])
      }
    }
    const cut = run(
      () => new ImageEventsSink("test", 200),
      Buffer.from(`data: {"a":1}\n\ndata: ${event.slice(0, 200_000)}`),
      [65_536]
    )
    assert.strictEqual((cut as any).cause.error._tag, "ProviderUnavailable")
  })
})

describe("ProviderClient with decodeImages", () => {
  const gemini = textOf("gemini", bodies[0]![1])
  const withServer = <A, E, R>(use: (url: string) => Effect.Effect<A, E, R>) =>
    Effect.acquireUseRelease(
      Effect.async<Server>((resume) => {
        const server = createServer((req, res) => {
          req.resume()
          req.on("end", () => {
            if (req.url === "/json") {
              res.writeHead(200, { "content-type": "application/json", "content-length": gemini.length })
              for (let i = 0; i < gemini.length; i += 7001) res.write(gemini.subarray(i, i + 7001))
              res.end()
            } else if (req.url === "/sse") {
              res.writeHead(200, { "content-type": "text/event-stream" })
              res.end(`data: ${gemini.toString()}\n\ndata: {"echo":"${CANARY_KEY}"}\n\n`)
            } else if (req.url === "/502") {
              res.writeHead(502, { "content-type": "text/html" }).end(`<html>bad gateway ${"x".repeat(70_000)}</html>`)
            } else {
              res.writeHead(200, { "content-type": "application/json" }).end(gemini.subarray(0, 250_000))
            }
          })
        })
        server.listen(0, "127.0.0.1", () => resume(Effect.succeed(server)))
      }),
      (server) => use(`http://127.0.0.1:${(server.address() as AddressInfo).port}`),
      (server) => Effect.promise(() => new Promise<void>((resolve) => server.close(() => resolve())))
    )

  for (const [clientName, layer] of [["undici", HttpClientLive], ["FetchHttpClient", FetchHttpClient.layer]] as const) {
    it.live(`decodes JSON and SSE answers, keeps caps, classification and scrubbing (${clientName})`, () =>
      withServer((url) =>
        Effect.gen(function*() {
          const client = yield* ProviderClient.make({
            provider: "test",
            apiUrl: url,
            headers: { authorization: Redacted.make(`Bearer ${CANARY_KEY}`) }
          })
          const options = { decodeImages: true }
          const answer = (yield* client.postJson("/json", {}, options)).body as any
          const data = answer.candidates[0].content.parts[1].inlineData.data
          assert.isTrue(ImageBytes.isDecodedBase64(data))
          assert.isTrue(Buffer.from(ImageBytes.fromBase64(data)).equals(images[0]!))
          assert.strictEqual(answer.candidates[0].content.parts[0].text, "a ☃ naïve")

          const stream = yield* client.postEvents("/sse", {}, options)
          const streamed = (stream.values![0] as any).candidates[0].content.parts[1].inlineData.data
          assert.isTrue(Buffer.from(ImageBytes.fromBase64(streamed)).equals(images[0]!))
          assert.deepStrictEqual(stream.values![1], { echo: "<redacted>" })
          assert.strictEqual(stream.events![1], "{\"echo\":\"<redacted>\"}")

          const gateway = yield* Effect.flip(client.postJson("/502", {}, options))
          assert.strictEqual(gateway._tag, "ProviderUnavailable")
          assert.strictEqual(gateway.status, 502)
          assert.match(gateway.message, /not JSON: "<html>bad gateway/)
          const cut = yield* Effect.flip(client.postJson("/cut", {}, options))
          assert.strictEqual(cut._tag, "ProviderUnavailable")

          const capped = yield* ProviderClient.make({
            provider: "test",
            apiUrl: url,
            headers: {},
            maxBodyBytes: 100_000
          })
          for (const path of ["/json", "/sse"]) {
            const post = path === "/json" ? capped.postJson : capped.postEvents
            const error = yield* Effect.flip(post(path, {}, options))
            assert.strictEqual(error._tag, "MalformedResponse", path)
            assert.match(error.message, /larger than the 100000-byte cap/)
          }
        })
      ).pipe(Effect.provide(layer)))
  }
})
