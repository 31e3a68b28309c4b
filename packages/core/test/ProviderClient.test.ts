import { assert, describe, it } from "@effect/vitest"
import { assertNoSecret, CANARY_KEY, HttpClientLive, makeLogRecorder } from "@nanogen/test-utils"
import { Duration, Effect, Either, Redacted, Schema } from "effect"
import { createServer, type IncomingMessage, type Server, type ServerResponse } from "node:http"
import type { AddressInfo } from "node:net"
import sharp from "sharp"
import { HttpFailure, ImageDownload, ProviderClient } from "../src/index.js"

type Handler = (req: IncomingMessage, body: string, res: ServerResponse) => void
const withServer = <A, E, R>(
  handler: Handler,
  use: (
    url: string,
    seen: Array<{ headers: IncomingMessage["headers"]; body: string; url: string }>
  ) => Effect.Effect<A, E, R>
) =>
  Effect.acquireUseRelease(
    Effect.async<{ server: Server; seen: Array<any> }>((resume) => {
      const seen: Array<any> = []
      const server = createServer((req, res) => {
        const chunks: Array<Buffer> = []
        req.on("data", (c) => chunks.push(c)).on("end", () => {
          const body = Buffer.concat(chunks).toString()
          seen.push({ headers: req.headers, body, url: req.url })
          handler(req, body, res)
        })
      })
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed({ server, seen })))
    }),
    ({ seen, server }) => use(`http://127.0.0.1:${(server.address() as AddressInfo).port}`, seen),
    ({ server }) =>
      Effect.promise(() => {
        server.closeAllConnections()
        return new Promise<void>((r) => server.close(() => r()))
      })
  )

const client = (apiUrl: string, extra: Partial<ProviderClient.Options> = {}) =>
  ProviderClient.make({
    provider: "test",
    apiUrl,
    headers: { authorization: Redacted.make(`Bearer ${CANARY_KEY}`), "x-title": "nanogen" },
    ...extra
  })

describe("ProviderClient", () => {
  it.live("posts JSON with the revealed credential on the wire and parses any status", () =>
    withServer((_req, _body, res) => {
      res.writeHead(429, { "content-type": "application/json", "retry-after": "3" }).end("{\"error\":{\"code\":429}}")
    }, (url, seen) =>
      Effect.gen(function*() {
        const c = yield* client(`${url}/api/v1/`)
        const response = yield* c.postJson("/chat/completions", { model: "m", n: 1 })
        assert.strictEqual(response.status, 429)
        assert.deepStrictEqual(response.body, { error: { code: 429 } })
        assert.strictEqual(Duration.toMillis(RetryAfterOf(response)!), 3000)
        assert.strictEqual(seen[0].url, "/api/v1/chat/completions")
        assert.strictEqual(seen[0].headers.authorization, `Bearer ${CANARY_KEY}`)
        assert.strictEqual(seen[0].headers["x-title"], "nanogen")
        assert.strictEqual(seen[0].headers["content-type"], "application/json")
        assert.deepStrictEqual(JSON.parse(seen[0].body), { model: "m", n: 1 })
      })).pipe(Effect.provide(HttpClientLive)))

  it.live("maps a refused connection to ProviderUnavailable without the key", () =>
    Effect.gen(function*() {
      const logs = makeLogRecorder()
      const c = yield* client("http://127.0.0.1:1")
      const error = yield* Effect.flip(c.postJson("/x", {})).pipe(
        Effect.tap(Effect.logError),
        Effect.provide(logs.layer)
      )
      assert.strictEqual(error._tag, "ProviderUnavailable")
      assert.match(error.message, /connection failed \(POST http:\/\/127\.0\.0\.1:1\/x\)/)
      assertNoSecret(CANARY_KEY, error, logs.lines())
    }).pipe(Effect.provide(HttpClientLive)))

  it.live("times out with Timeout", () =>
    withServer(() => {/* never answers */}, (url) =>
      Effect.gen(function*() {
        const c = yield* client(url, { timeout: "150 millis" })
        const error = yield* Effect.flip(c.postJson("/x", {}))
        assert.strictEqual(error._tag, "Timeout")
        assert.match(error.message, /no complete answer within 150ms/)
      })).pipe(Effect.provide(HttpClientLive)))

  it.live("refuses a body over the cap, declared or streamed", () =>
    withServer((req, _b, res) => {
      if (req.url === "/declared") {
        res.writeHead(200, { "content-type": "application/json", "content-length": "5000" }).end("x".repeat(5000))
      } else {
        res.writeHead(200, { "content-type": "application/json" })
        res.write("[" + "1,".repeat(3000))
        res.end("1]")
      }
    }, (url) =>
      Effect.gen(function*() {
        const c = yield* client(url, { maxBodyBytes: 1000 })
        for (const path of ["/declared", "/chunked"]) {
          const error = yield* Effect.flip(c.postJson(path, {}))
          assert.strictEqual(error._tag, "MalformedResponse", path)
          assert.match(error.message, /larger than the 1000-byte cap/)
        }
      })).pipe(Effect.provide(HttpClientLive)))

  it.live("tells a cut-short body (ProviderUnavailable) from an HTML error page (classified by status)", () =>
    withServer((req, _b, res) => {
      if (req.url === "/html") {
        res.writeHead(502, { "content-type": "text/html" }).end("<html><body>502 Bad Gateway</body></html>")
      } else if (req.url === "/cut") {
        res.writeHead(200, { "content-type": "application/json" }).end("{\"choices\":[{\"message\":{\"content\":\"par")
      } else {
        res.writeHead(200, { "content-type": "application/json", "content-length": "100" })
        res.write("{\"a\":")
        setTimeout(() => res.destroy(), 20)
      }
    }, (url) =>
      Effect.gen(function*() {
        const c = yield* client(url)
        const html = yield* Effect.flip(c.postJson("/html", {}))
        assert.strictEqual(html._tag, "ProviderUnavailable")
        assert.strictEqual(html.status, 502)
        assert.match(html.message, /not JSON: "<html><body>502 Bad Gateway/)
        const cut = yield* Effect.flip(c.postJson("/cut", {}))
        assert.strictEqual(cut._tag, "ProviderUnavailable")
        assert.match(cut.message, /cut short/)
        const reset = yield* Effect.flip(c.postJson("/reset", {}))
        assert.strictEqual(reset._tag, "ProviderUnavailable")
      })).pipe(Effect.provide(HttpClientLive)))

  it.live("reads server-sent events, skipping comments, and JSON error bodies on the stream route", () =>
    withServer((req, _b, res) => {
      if (req.url === "/stream") {
        res.writeHead(200, { "content-type": "text/event-stream" })
        res.end(": OPENROUTER PROCESSING\r\n\r\ndata: {\"a\":1}\r\n\r\ndata: {\"b\":\r\ndata: 2}\n\ndata: [DONE]\n\n")
      } else {res.writeHead(404, { "content-type": "text/event-stream" }).end(
          "{\"error\":{\"code\":404,\"status\":\"NOT_FOUND\"}}"
        )}
    }, (url, seen) =>
      Effect.gen(function*() {
        const c = yield* client(url)
        const stream = yield* c.postEvents("/stream", {})
        assert.deepStrictEqual(stream.events, ["{\"a\":1}", "{\"b\":\n2}", "[DONE]"])
        assert.strictEqual(seen[0].headers.accept, "text/event-stream")
        const error = yield* c.postEvents("/err", {})
        assert.isUndefined(error.events)
        assert.deepStrictEqual(error.body, { error: { code: 404, status: "NOT_FOUND" } })
      })).pipe(Effect.provide(HttpClientLive)))
})

const RetryAfterOf = (response: ProviderClient.JsonResponse) =>
  HttpFailure.retryAfterHeader({ headers: response.headers } as any)

describe("HttpFailure.fromStatus", () => {
  it("maps statuses per DESIGN.md", () => {
    const table: Array<[number, string]> = [
      [400, "InvalidRequest"],
      [413, "InvalidRequest"],
      [422, "InvalidRequest"],
      [401, "AuthenticationFailed"],
      [403, "AuthenticationFailed"],
      [402, "InsufficientCredits"],
      [404, "UnsupportedRequest"],
      [405, "UnsupportedRequest"],
      [429, "RateLimited"],
      [408, "ProviderUnavailable"],
      [500, "ProviderUnavailable"],
      [502, "ProviderUnavailable"],
      [503, "ProviderUnavailable"],
      [504, "ProviderUnavailable"],
      [524, "ProviderUnavailable"],
      [529, "ProviderUnavailable"],
      [302, "MalformedResponse"]
    ]
    for (const [status, tag] of table) {
      const error = HttpFailure.fromStatus({ provider: "p", status, message: "upstream says no" })
      assert.strictEqual(error._tag, tag, String(status))
      assert.strictEqual(error.status, status)
    }
    const limited = HttpFailure.fromStatus({
      provider: "p",
      status: 429,
      message: "x",
      retryAfter: Duration.seconds(5)
    })
    assert.isTrue(limited._tag === "RateLimited" && Duration.toMillis(limited.retryAfter!) === 5000)
    assert.strictEqual(
      HttpFailure.fromStatus({ provider: "p", status: 500, message: "boom" }).message,
      "p: HTTP 500 — boom"
    )
  })
})

describe("ImageDownload", () => {
  it("classifies private addresses", () => {
    for (
      const address of [
        "127.0.0.1",
        "10.0.0.8",
        "172.20.1.1",
        "192.168.1.1",
        "169.254.169.254",
        "100.64.0.1",
        "0.0.0.0",
        "::1",
        "[::1]",
        "fd00::1",
        "fe80::1",
        "::ffff:127.0.0.1",
        "224.0.0.1"
      ]
    ) {
      assert.isTrue(ImageDownload.isPrivateAddress(address), address)
    }
    for (const address of ["8.8.8.8", "1.1.1.1", "172.32.0.1", "2606:4700:4700::1111", "example.com"]) {
      assert.isFalse(ImageDownload.isPrivateAddress(address), address)
    }
  })

  it.live("refuses http, loopback and private hosts unless allowed", () =>
    Effect.gen(function*() {
      for (
        const url of [
          "http://cdn.example.com/a.png",
          "https://127.0.0.1/a.png",
          "https://localhost/a.png",
          "https://[::1]/a.png",
          "https://169.254.169.254/latest",
          "file:///etc/passwd"
        ]
      ) {
        const error = yield* Effect.flip(ImageDownload.download(url))
        assert.strictEqual(error.reason, "refused", url)
      }
    }).pipe(Effect.provide(HttpClientLive)))

  it.live("downloads with the cap and sniffs the type when private hosts are allowed", () =>
    Effect.gen(function*() {
      const jpeg = yield* Effect.promise(() =>
        sharp({ create: { width: 5, height: 4, channels: 3, background: "#123456" } }).jpeg().toBuffer()
      )
      yield* withServer((req, _b, res) => {
        if (req.url === "/img") res.writeHead(200, { "content-type": "image/png" }).end(jpeg)
        else if (req.url === "/text") res.writeHead(200).end("not an image")
        else res.writeHead(req.url === "/gone" ? 404 : 503).end()
      }, (url) =>
        Effect.gen(function*() {
          const options = { allowPrivateNetwork: true }
          const image = yield* ImageDownload.download(`${url}/img`, options)
          assert.deepStrictEqual({ mimeType: image.mimeType, width: image.width, height: image.height }, {
            mimeType: "image/jpeg",
            width: 5,
            height: 4
          })
          const tooBig = yield* Effect.flip(ImageDownload.download(`${url}/img`, { ...options, maxBytes: 10 }))
          assert.strictEqual(tooBig.reason, "tooLarge")
          const text = yield* Effect.flip(ImageDownload.download(`${url}/text`, options))
          assert.strictEqual(text.reason, "notImage")
          const gone = yield* Effect.flip(ImageDownload.download(`${url}/gone`, options))
          assert.strictEqual(ImageDownload.toResultError("aimlapi", gone)._tag, "NoImageReturned")
          const down = yield* Effect.flip(ImageDownload.download(`${url}/down`, options))
          assert.strictEqual(ImageDownload.toResultError("aimlapi", down)._tag, "ProviderUnavailable")
          const input = ImageDownload.toInputError("google-direct", "images[1].url", gone)
          assert.isTrue(input._tag === "InvalidRequest" && input.field === "images[1].url")
          const fromData = yield* Effect.either(
            ImageDownload.download(`data:image/jpeg;base64,${jpeg.toString("base64")}`)
          )
          assert.isTrue(Either.isRight(fromData))
        }))
    }).pipe(Effect.provide(HttpClientLive)))
})

describe("ProviderClient scrubs declared credentials in every form", () => {
  const user = "nanogen-user"
  const basic = Buffer.from(`${user}:${CANARY_KEY}`).toString("base64")
  /** Every form the key can come back in: raw, URL-encoded, base64 and base64url at every offset, `Basic`. */
  const echoes = (key: string) => [
    key,
    encodeURIComponent(`${key}/+=`),
    Buffer.from(key).toString("base64"),
    Buffer.from(`x${key}`).toString("base64"),
    Buffer.from(`xy${key}`).toString("base64url"),
    Buffer.from(`${user}:${key}`).toString("base64")
  ]
  const assertClean = (text: string) => {
    for (const form of [CANARY_KEY, encodeURIComponent(CANARY_KEY), basic]) assert.notInclude(text, form)
    // No 12-character run of any base64 encoding of the key, at any offset, survives.
    for (let offset = 0; offset < 3; offset++) {
      const encoded = Buffer.concat([Buffer.alloc(offset), Buffer.from(CANARY_KEY)]).toString("base64").slice(4, -4)
      for (let i = 0; i + 12 <= encoded.length; i += 4) assert.notInclude(text, encoded.slice(i, i + 12))
    }
  }
  const schemes: ReadonlyArray<readonly [string, Partial<ProviderClient.Options>]> = [
    ["Bearer", { headers: { authorization: Redacted.make(`Bearer ${CANARY_KEY}`) } }],
    ["Key", { headers: { authorization: Redacted.make(`Key ${CANARY_KEY}`) } }],
    ["Basic", { headers: { authorization: Redacted.make(`Basic ${basic}`) } }],
    ["x-goog-api-key", { headers: { "x-goog-api-key": Redacted.make(CANARY_KEY) } }],
    ["?key=", { headers: {}, credentials: [Redacted.make(CANARY_KEY)] }],
    ["per-request credential", {
      headers: {},
      credential: { header: "authorization", value: Effect.succeed(Redacted.make(`Bearer ${CANARY_KEY}`)) }
    }]
  ]
  const page = (key: string) => `<html>${echoes(key).join(" ")} proxy error</html>`

  it.live("in non-JSON snippets, transport errors, JSON bodies and events", () =>
    withServer((req, _b, res) => {
      const all = echoes(CANARY_KEY).join(" ")
      if (req.url!.startsWith("/html")) {
        for (const echo of echoes(CANARY_KEY)) {
          // One echo per request (the snippet is short): `?n=` picks it.
          if (req.url!.endsWith(`n=${echoes(CANARY_KEY).indexOf(echo)}`)) {
            return void res.writeHead(200, { "content-type": "text/html" }).end(`<p>${echo}</p>`)
          }
        }
        res.writeHead(200, { "content-type": "text/html" }).end(page(CANARY_KEY))
      } else if (req.url!.startsWith("/json")) {
        res.writeHead(401, { "content-type": "application/json" }).end(
          JSON.stringify({ error: { message: all, [CANARY_KEY]: [all, { deep: all }] } })
        )
      } else if (req.url!.startsWith("/events")) {
        res.writeHead(200, { "content-type": "text/event-stream" }).end(
          `data: ${JSON.stringify({ error: { message: all } })}\n\n`
        )
      } else {
        res.writeHead(200, { "content-type": "application/json", "content-length": "100" })
        res.write("{\"a\":")
        setTimeout(() => res.destroy(), 10)
      }
    }, (url) =>
      Effect.gen(function*() {
        for (const [scheme, options] of schemes) {
          const c = yield* ProviderClient.make({ provider: "test", apiUrl: url, ...options } as ProviderClient.Options)
          for (let n = 0; n < echoes(CANARY_KEY).length; n++) {
            const error = yield* Effect.flip(c.postJson(`/html?n=${n}`, {}))
            assert.strictEqual(error._tag, "MalformedResponse", scheme)
            assert.include(error.message, "<redacted>", `${scheme} #${n}: ${error.message}`)
            assertClean(error.message)
          }
          const json = yield* c.postJson("/json", {})
          assertClean(JSON.stringify(json.body))
          const events = yield* c.postEvents("/events", {})
          assertClean(JSON.stringify(events.events))
          // The URL of a transport error carries a `?key=` query back.
          const cut = yield* Effect.flip(c.postJson(`/cut?key=${encodeURIComponent(CANARY_KEY)}`, {}))
          assert.include(cut.message, "<redacted>")
          assertClean(cut.message)
          assertClean(c.scrub(page(CANARY_KEY)))
        }
      })).pipe(Effect.provide(HttpClientLive)))
})

describe("ProviderClient with a credential issued per request", () => {
  it.live("asks for the credential before every request; a 401 refreshes it and sends once more", () => {
    let issued = 0
    let refreshed = 0
    const credential: ProviderClient.Credential = {
      header: "authorization",
      value: Effect.sync(() => Redacted.make(`Bearer ${CANARY_KEY}-${issued++}`)),
      refresh: Effect.sync(() => void refreshed++)
    }
    return withServer((req, _body, res) => {
      // The first token is refused, echoed in the error page; every later one is accepted.
      if (req.headers.authorization === `Bearer ${CANARY_KEY}-0`) {
        res.writeHead(401, { "content-type": "application/json" }).end(
          JSON.stringify({ error: { message: `token ${CANARY_KEY}-0 expired` } })
        )
        return
      }
      res.writeHead(200, { "content-type": "application/json" }).end(
        JSON.stringify({ echo: `accepted ${req.headers.authorization}` })
      )
    }, (url, seen) =>
      Effect.gen(function*() {
        const c = yield* client(url, { headers: {}, credential })
        const first = yield* c.postJson("/generate", { n: 1 })
        assert.strictEqual(first.status, 200)
        assert.deepStrictEqual(seen.map((request) => request.headers.authorization), [
          `Bearer ${CANARY_KEY}-0`,
          `Bearer ${CANARY_KEY}-1`
        ])
        assert.strictEqual(refreshed, 1)
        // The token the answer echoed is scrubbed like a fixed header.
        assert.deepStrictEqual(first.body, { echo: "accepted <redacted>" })
        const second = yield* c.postJson("/generate", { n: 1 })
        assert.strictEqual(second.status, 200)
        assert.strictEqual(seen[2].headers.authorization, `Bearer ${CANARY_KEY}-2`)
        assert.strictEqual(refreshed, 1)
        assertNoSecret(CANARY_KEY, c.scrub(`old ${CANARY_KEY}-0, new ${CANARY_KEY}-2`))
      })).pipe(Effect.provide(HttpClientLive))
  })

  it.live("a second 401 is the answer: no refresh loop", () => {
    let refreshed = 0
    const credential: ProviderClient.Credential = {
      header: "authorization",
      value: Effect.succeed(Redacted.make(`Bearer ${CANARY_KEY}`)),
      refresh: Effect.sync(() => void refreshed++)
    }
    return withServer((_req, _body, res) => {
      res.writeHead(401, { "content-type": "application/json" }).end("{\"error\":{\"code\":401}}")
    }, (url, seen) =>
      Effect.gen(function*() {
        const c = yield* client(url, { headers: {}, credential })
        const response = yield* c.postJson("/generate", {})
        assert.strictEqual(response.status, 401)
        assert.strictEqual(seen.length, 2)
        assert.strictEqual(refreshed, 1)
      })).pipe(Effect.provide(HttpClientLive))
  })
})

describe("ProviderClient classifies answers once for every provider", () => {
  const page = (status: number, headers: Record<string, string> = {}) => (res: ServerResponse) =>
    res.writeHead(status, { "content-type": "text/html", ...headers }).end(`<html><body>${status} nginx</body></html>`)
  const routes: Record<string, (res: ServerResponse) => void> = {
    "/502": page(502),
    "/503": page(503, { "retry-after": "5" }),
    "/429": page(429, { "retry-after": "7" }),
    "/401": page(401),
    "/403": page(403),
    "/400": page(400),
    "/200": page(200),
    "/sse-cut": (res) =>
      res.writeHead(200, { "content-type": "text/event-stream" }).end(
        "data: {\"a\":1}\n\ndata: {\"candidates\":[{\"con"
      ),
    "/sse-empty": (res) => res.writeHead(200, { "content-type": "text/event-stream" }).end(": keep-alive\n\n"),
    "/sse-done": (res) =>
      res.writeHead(200, { "content-type": "text/event-stream" }).end("data: {\"a\":1}\n\ndata: [DONE]"),
    "/deep": (res) =>
      res.writeHead(200, { "content-type": "application/json" }).end(
        `{"choices":${"[".repeat(100_000)}${"]".repeat(100_000)}}`
      ),
    "/sse-deep": (res) =>
      res.writeHead(200, { "content-type": "text/event-stream" }).end(
        `data: {"choices":${"[".repeat(100_000)}${"]".repeat(100_000)}}\n\n`
      )
  }
  const serve = <A, E, R>(use: (url: string) => Effect.Effect<A, E, R>) =>
    withServer((req, _b, res) => routes[req.url!]!(res), use)

  it.live("a non-JSON error page is the error of its status, with Retry-After; a non-JSON 2xx is malformed", () =>
    serve((url) =>
      Effect.gen(function*() {
        const c = yield* client(url)
        const expected: Array<[string, string]> = [
          ["/502", "ProviderUnavailable"],
          ["/503", "ProviderUnavailable"],
          ["/429", "RateLimited"],
          ["/401", "AuthenticationFailed"],
          ["/403", "AuthenticationFailed"],
          ["/400", "InvalidRequest"],
          ["/200", "MalformedResponse"]
        ]
        for (const [path, tag] of expected) {
          for (const post of [c.postJson, c.postEvents]) {
            const error = yield* Effect.flip(post(path, {}))
            assert.strictEqual(error._tag, tag, path)
            assert.strictEqual(error.status, Number(path.slice(1)), path)
            assert.include(error.message, "nginx", path)
          }
        }
        const limited = yield* Effect.flip(c.postJson("/429", {}))
        assert.isTrue(limited._tag === "RateLimited" && Duration.toMillis(limited.retryAfter!) === 7000)
      })
    ).pipe(Effect.provide(HttpClientLive)))

  it.live("a stream cut short in its last event, or without any event, is ProviderUnavailable", () =>
    serve((url) =>
      Effect.gen(function*() {
        const c = yield* client(url)
        const cut = yield* Effect.flip(c.postEvents("/sse-cut", {}))
        assert.strictEqual(cut._tag, "ProviderUnavailable")
        assert.match(cut.message, /event stream was cut short/)
        const empty = yield* Effect.flip(c.postEvents("/sse-empty", {}))
        assert.strictEqual(empty._tag, "ProviderUnavailable")
        assert.match(empty.message, /without any event/)
        const done = yield* c.postEvents("/sse-done", {})
        assert.deepStrictEqual(done.events, ["{\"a\":1}", "[DONE]"])
      })
    ).pipe(Effect.provide(HttpClientLive)))

  it.live("decode names the failing path, and a 100 000-deep answer is MalformedResponse, never a RangeError", () =>
    serve((url) =>
      Effect.gen(function*() {
        const c = yield* client(url)
        const Answer = Schema.Struct({
          choices: Schema.Array(Schema.Struct({ message: Schema.Struct({ content: Schema.String }) }))
        })
        const shallow = yield* Effect.flip(c.decode(Answer, { choices: [{ message: { content: 42 } }] }))
        assert.strictEqual(shallow._tag, "MalformedResponse")
        assert.strictEqual(
          shallow.message,
          "test: unexpected response at choices[0].message.content: expected string, got number"
        )
        const missing = yield* Effect.flip(ProviderClient.decode("p", Answer, {}))
        assert.strictEqual(missing.message, "p: unexpected response at choices: missing")

        const deep = yield* c.postJson("/deep", {})
        const error = yield* Effect.flip(c.decode(Answer, deep.body))
        assert.strictEqual(error._tag, "MalformedResponse")
        assert.match(error.message, /at choices\[0\]: expected .*, got an array/)
        const events = yield* c.postEvents("/sse-deep", {})
        const event = yield* Effect.flip(c.decode(Schema.parseJson(Answer), events.events![0]))
        assert.strictEqual(event._tag, "MalformedResponse")

        // A recursive schema walks the whole depth: the RangeError it throws is a MalformedResponse too.
        type Nested = ReadonlyArray<Nested>
        const Nested: Schema.Schema<Nested> = Schema.Array(Schema.suspend(() => Nested))
        const recursive = yield* Effect.flip(c.decode(Schema.Struct({ choices: Nested }), deep.body))
        assert.strictEqual(recursive._tag, "MalformedResponse")
        assert.match(recursive.message, /could not be decoded \(RangeError/)
      })
    ).pipe(Effect.provide(HttpClientLive)))
})
