import { assert, describe, it } from "@effect/vitest"
import { HttpClientLive } from "@nanogen/test-utils"
import { Effect } from "effect"
import { createServer, type IncomingHttpHeaders, type Server } from "node:http"
import type { AddressInfo } from "node:net"
import { ImageDownload } from "../src/index.js"

const PNG = Buffer.from(
  "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
  "base64"
)

/** A loopback image server recording what reaches it. */
const withServer = <A, E, R>(use: (port: number, seen: Array<IncomingHttpHeaders>) => Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.async<{ server: Server; seen: Array<IncomingHttpHeaders> }>((resume) => {
      const seen: Array<IncomingHttpHeaders> = []
      const server = createServer((req, res) => {
        seen.push(req.headers)
        res.writeHead(200, { "content-type": "image/png" }).end(PNG)
      })
      server.listen(0, "127.0.0.1", () => resume(Effect.succeed({ server, seen })))
    }),
    ({ seen, server }) => use((server.address() as AddressInfo).port, seen),
    ({ server }) =>
      Effect.promise(() => {
        server.closeAllConnections()
        return new Promise<void>((resolve) => server.close(() => resolve()))
      })
  )

// Every spelling of a non-public address that the WHATWG URL parser lets through as a host.
const refusedHosts = [
  "[::ffff:127.0.0.1]",
  "[::ffff:7f00:1]",
  "[::ffff:169.254.169.254]",
  "[::ffff:10.0.0.1]",
  "[::127.0.0.1]",
  "[::7f00:1]",
  "[64:ff9b::a9fe:a9fe]",
  "[64:ff9b::7f00:1]",
  "[2002:7f00:1::]",
  "[2002:a9fe:a9fe::1]",
  "[2001:0:4136:e378:8000:63bf:3fff:fdd2]",
  "[::]",
  "[fe80::1]",
  "[fc00::1]",
  "[ff02::1]",
  "[2001:db8::1]",
  "2130706433",
  "0x7f.1",
  "0177.0.0.1",
  "127.1",
  "0",
  "0xa9fea9fe",
  "100.64.0.1",
  "192.0.0.1",
  "198.18.0.1",
  "255.255.255.255",
  "240.0.0.1",
  "224.0.0.1"
]

describe("ImageDownload: SSRF", () => {
  it("parses every address with ipaddr.js: public unicast only", () => {
    for (
      const address of [
        "::ffff:127.0.0.1",
        "::ffff:7f00:1",
        "[::ffff:169.254.169.254]",
        "::ffff:10.0.0.1",
        "::127.0.0.1",
        "64:ff9b::a9fe:a9fe",
        "2002::1",
        "2001:0:4136:e378:8000:63bf:3fff:fdd2",
        "2130706433",
        "0x7f.0.0.1",
        "0177.0.0.1",
        "127.1",
        "169.254.169.254",
        "10.0.0.1",
        "fd00::1"
      ]
    ) {
      assert.isTrue(ImageDownload.isPrivateAddress(address), address)
      assert.isFalse(ImageDownload.isPublicAddress(address), address)
    }
    for (const address of ["8.8.8.8", "1.1.1.1", "[2606:4700:4700::1111]", "2a00:1450:4001:80b::200e"]) {
      assert.isFalse(ImageDownload.isPrivateAddress(address), address)
      assert.isTrue(ImageDownload.isPublicAddress(address), address)
    }
    assert.isFalse(ImageDownload.isPrivateAddress("example.com"))
    assert.isFalse(ImageDownload.isPublicAddress("example.com"))
  })

  it.live("refuses IPv4-mapped, IPv4-compatible, NAT64, 6to4, Teredo and odd IPv4 spellings in URLs", () =>
    Effect.gen(function*() {
      for (const host of refusedHosts) {
        const error = yield* Effect.flip(ImageDownload.download(`https://${host}/x.png`))
        assert.strictEqual(error.reason, "refused", host)
      }
    }).pipe(Effect.provide(HttpClientLive)))

  it.live("refuses a name that resolves to a private address, without connecting", () =>
    withServer((port, seen) =>
      Effect.gen(function*() {
        const answers: ReadonlyArray<ReadonlyArray<ImageDownload.LookupAddress>> = [
          [{ address: "127.0.0.1", family: 4 }],
          [{ address: "::ffff:127.0.0.1", family: 6 }],
          [{ address: "8.8.8.8", family: 4 }, { address: "10.0.0.1", family: 4 }],
          [{ address: "64:ff9b::7f00:1", family: 6 }]
        ]
        for (const answer of answers) {
          const error = yield* Effect.flip(
            ImageDownload.download(`https://images.example.test:${port}/x.png`, {
              lookup: async () => answer
            })
          )
          assert.strictEqual(error.reason, "refused", answer[answer.length - 1]!.address)
          assert.match(error.message, /images\.example\.test resolves to .*, not a public address/)
        }
        assert.deepStrictEqual(seen, [])
      })
    ).pipe(Effect.provide(HttpClientLive)))

  it.live("connects to the address it checked, never resolving the name again (DNS rebinding)", () =>
    withServer((port, seen) =>
      Effect.gen(function*() {
        const asked: Array<string> = []
        // First answer: where the server is. Any later answer: an address where nothing listens.
        const lookup = async (hostname: string) => {
          asked.push(hostname)
          return [{ address: asked.length === 1 ? "127.0.0.1" : "127.0.0.2", family: 4 }]
        }
        const image = yield* ImageDownload.download(`http://images.example.test:${port}/x.png`, {
          allowPrivateNetwork: true,
          lookup
        })
        assert.strictEqual(image.mimeType, "image/png")
        assert.isTrue(Buffer.from(image.data).equals(PNG))
        assert.deepStrictEqual(asked, ["images.example.test"])
        // The connection went to the checked address; the request still names the host.
        assert.strictEqual(seen.length, 1)
        assert.strictEqual(seen[0]!.host, `images.example.test:${port}`)
      })
    ).pipe(Effect.provide(HttpClientLive)))

  it.live("keeps the cap and the status mapping on pinned connections", () =>
    withServer((port) =>
      Effect.gen(function*() {
        const lookup = async () => [{ address: "127.0.0.1", family: 4 }]
        const tooLarge = yield* Effect.flip(
          ImageDownload.download(`http://images.example.test:${port}/x.png`, {
            allowPrivateNetwork: true,
            lookup,
            maxBytes: 10
          })
        )
        assert.strictEqual(tooLarge.reason, "tooLarge")
        const unresolved = yield* Effect.flip(
          ImageDownload.download(`https://nowhere.example.test/x.png`, { lookup: async () => [] })
        )
        assert.strictEqual(unresolved.reason, "transport")
      })
    ).pipe(Effect.provide(HttpClientLive)))
})
