import { assert, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { createServer } from "node:net"
import * as Emulator from "../src/index.js"

const freePort = Effect.promise(() =>
  new Promise<number>((resolve) => {
    const server = createServer()
    server.listen(0, "127.0.0.1", () => {
      const { port } = server.address() as { port: number }
      server.close(() => resolve(port))
    })
  })
)

it.effect("ports: a base port puts the four servers on base..base+3; shellExports lists every URL and key", () =>
  Effect.gen(function*() {
    const base = Math.min(yield* freePort, 65_000)
    const emu = yield* Emulator.make({ ports: base, vertex: { projects: ["my-proj"] }, keys: { vertex: "vk" } })
    assert.deepStrictEqual(emu.urls, {
      openrouter: `http://127.0.0.1:${base}/api/v1`,
      aimlapi: `http://127.0.0.1:${base + 1}/v1`,
      google: `http://127.0.0.1:${base + 2}/v1beta`,
      vertex: `http://127.0.0.1:${base + 3}/v1`,
      vertexToken: `http://127.0.0.1:${base + 3}/token`
    })
    assert.deepStrictEqual(Emulator.shellExports(emu), [
      `export OPENROUTER_API_URL=http://127.0.0.1:${base}/api/v1`,
      "export OPENROUTER_API_KEY=emu-openrouter-key",
      `export AIML_API_URL=http://127.0.0.1:${base + 1}/v1`,
      "export AIML_API_KEY=emu-aimlapi-key",
      `export GEMINI_API_URL=http://127.0.0.1:${base + 2}/v1beta`,
      "export GEMINI_API_KEY=emu-google-key",
      `export VERTEX_API_URL=http://127.0.0.1:${base + 3}/v1`,
      "export VERTEX_API_KEY=vk",
      "export VERTEX_ACCESS_TOKEN=emu-vertex-token",
      "export GOOGLE_CLOUD_PROJECT=my-proj",
      "export GOOGLE_CLOUD_LOCATION=global",
      "export NANOGEN_ALLOW_PRIVATE_NETWORK=1"
    ])
  }).pipe(Effect.scoped))

it.effect("ports per server: only the named one is fixed", () =>
  Effect.gen(function*() {
    const port = yield* freePort
    const emu = yield* Emulator.make({ ports: { vertex: port } })
    assert.strictEqual(emu.urls.vertex, `http://127.0.0.1:${port}/v1`)
    assert.notInclude(emu.urls.google, `:${port}/`)
  }).pipe(Effect.scoped))
