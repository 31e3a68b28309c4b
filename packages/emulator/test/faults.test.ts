import { assert, describe, it, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Emulator from "../src/index.js"
import { post, postFailure } from "./helpers.js"

const openrouter = (emu: Emulator.Emulator) =>
  post(`${emu.urls.openrouter}/chat/completions`, {
    model: "google/gemini-2.5-flash-image",
    modalities: ["image", "text"],
    messages: [{ role: "user", content: "fault" }]
  }, { authorization: `Bearer ${emu.keys.openrouter}` })

const googleBody = { contents: [{ parts: [{ text: "fault" }] }] }
const googleUrl = (emu: Emulator.Emulator) => `${emu.urls.google}/models/gemini-2.5-flash-image:generateContent`
const googleHeaders = (emu: Emulator.Emulator) => ({ "x-goog-api-key": emu.keys.google })

const elapsed = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
  Effect.gen(function*() {
    const start = Date.now()
    const value = yield* effect
    return [value, Date.now() - start] as const
  })

layer(Emulator.layer())("transport faults", (it) => {
  it.effect("delay and ok.delayMs hold the headers back, then answer normally", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      emu.script("openrouter", { kind: "delay", ms: 250 }, { kind: "ok", delayMs: 150 })
      const [first, t1] = yield* elapsed(openrouter(emu))
      assert.strictEqual(first.status, 200)
      assert.isAtLeast(t1, 240)
      assert.strictEqual(emu.pending("openrouter"), 1)
      const [second, t2] = yield* elapsed(openrouter(emu))
      assert.strictEqual(second.status, 200)
      assert.isAtLeast(t2, 140)
      assert.strictEqual(emu.pending("openrouter"), 0)
    }))

  it.effect("hang never answers", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      emu.script("google", { kind: "hang" })
      const result = yield* postFailure(googleUrl(emu), googleBody, googleHeaders(emu), 300)
      assert.isFalse(result.ok)
      if (!result.ok) assert.strictEqual(result.error.name, "TimeoutError")
      assert.strictEqual(emu.pending("google"), 0)
      assert.strictEqual(emu.requests("google").length, 1)
    }))

  it.effect("slowBody dribbles a complete, valid body", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      emu.script("google", { kind: "slowBody", chunkDelayMs: 60, chunks: 5 })
      const [reply, ms] = yield* elapsed(post(googleUrl(emu), googleBody, googleHeaders(emu)))
      assert.strictEqual(reply.status, 200)
      assert.isAtLeast(ms, 230)
      assert.isDefined(reply.json.candidates)
    }))

  it.effect("reset sends headers and part of the body, then destroys the socket", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      emu.script("aimlapi", { kind: "reset" })
      const result = yield* postFailure(
        `${emu.urls.aimlapi}/images/generations`,
        { model: "google/nano-banana-2", prompt: "p" },
        { authorization: `Bearer ${emu.keys.aimlapi}` }
      )
      assert.isFalse(result.ok)
    }))

  it.effect("truncated is a clean 200 JSON reply whose body does not parse", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      emu.script("openrouter", { kind: "truncated" })
      const reply = yield* openrouter(emu)
      assert.strictEqual(reply.status, 200)
      assert.match(reply.headers.get("content-type")!, /application\/json/)
      assert.isTrue(reply.text.startsWith("{\"id\":\"gen-"))
      assert.isUndefined(reply.json)
    }))

  it.effect("html and raw", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      emu.script(
        "aimlapi",
        { kind: "html" },
        { kind: "html", status: 504 },
        {
          kind: "raw",
          status: 418,
          body: "{\"teapot\":true}",
          headers: { "content-type": "application/json", "x-a": "b" }
        }
      )
      const url = `${emu.urls.aimlapi}/images/generations`
      const headers = { authorization: `Bearer ${emu.keys.aimlapi}` }
      const bad = yield* post(url, {}, headers)
      assert.strictEqual(bad.status, 502)
      assert.match(bad.headers.get("content-type")!, /text\/html/)
      assert.include(bad.text, "<title>502 Bad Gateway</title>")
      assert.isUndefined(bad.json)
      const timeout = yield* post(url, {}, headers)
      assert.strictEqual(timeout.status, 504)
      assert.include(timeout.text, "504 Gateway Timeout")
      const raw = yield* post(url, {}, headers)
      assert.strictEqual(raw.status, 418)
      assert.strictEqual(raw.headers.get("x-a"), "b")
      assert.deepStrictEqual(raw.json, { teapot: true })
    }))

  it.effect("a script is consumed exactly as written, one per API call and per server; then scriptWith; reset clears", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      emu.script("openrouter", { kind: "status", status: 500 }, { kind: "status", status: 502 })
      emu.script("openrouter", { kind: "ok" })
      emu.script("google", { kind: "status", status: 503 })
      assert.strictEqual(emu.pending("openrouter"), 3)
      assert.strictEqual(emu.pending("google"), 1)
      assert.strictEqual(emu.pending("aimlapi"), 0)
      const statuses: Array<number> = []
      for (let i = 0; i < 4; i++) statuses.push((yield* openrouter(emu)).status)
      assert.deepStrictEqual(statuses, [500, 502, 200, 200])
      assert.strictEqual(emu.pending("openrouter"), 0)
      assert.strictEqual(emu.pending("google"), 1)
      // unknown paths are not API calls and consume nothing
      const notFound = yield* post(`${emu.urls.google}/models`, {}, googleHeaders(emu))
      assert.strictEqual(notFound.status, 404)
      assert.strictEqual(emu.pending("google"), 1)

      emu.scriptWith(
        "google",
        (request) =>
          (request.body as any)?.contents?.[0]?.parts?.[0]?.text === "fail me"
            ? { kind: "status", status: 500 }
            : undefined
      )
      assert.strictEqual((yield* post(googleUrl(emu), googleBody, googleHeaders(emu))).status, 503)
      assert.strictEqual(
        (yield* post(googleUrl(emu), { contents: [{ parts: [{ text: "fail me" }] }] }, googleHeaders(emu))).status,
        500
      )
      assert.strictEqual((yield* post(googleUrl(emu), googleBody, googleHeaders(emu))).status, 200)

      assert.deepStrictEqual(emu.requests().map((r) => r.server), [
        "openrouter",
        "openrouter",
        "openrouter",
        "openrouter",
        "google",
        "google",
        "google",
        "google"
      ])
      emu.script("aimlapi", { kind: "hang" })
      emu.reset()
      assert.strictEqual(emu.pending("aimlapi"), 0)
      assert.deepStrictEqual(emu.requests(), [])
      assert.strictEqual(
        (yield* post(googleUrl(emu), { contents: [{ parts: [{ text: "fail me" }] }] }, googleHeaders(emu))).status,
        200
      )
    }))

  it.effect("the request log keeps method, path, lower-case headers (credentials redacted) and the parsed body", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      yield* post(`${emu.urls.openrouter}/chat/completions`, { model: "x", messages: [] }, {
        Authorization: `Bearer ${emu.keys.openrouter}`,
        "X-OpenRouter-Title": "nanogen"
      })
      yield* post(`${emu.urls.aimlapi}/images/generations`, "not json", { authorization: "Bearer wrong" })
      const [first, second] = emu.requests()
      assert.strictEqual(first!.server, "openrouter")
      assert.strictEqual(first!.method, "POST")
      assert.strictEqual(first!.path, "/api/v1/chat/completions")
      assert.strictEqual(first!.headers.authorization, "<redacted>")
      assert.strictEqual(first!.headers["x-openrouter-title"], "nanogen")
      assert.isTrue(first!.credentialOk)
      assert.deepStrictEqual(first!.body, { model: "x", messages: [] })
      assert.isFalse(second!.credentialOk)
      assert.isUndefined(second!.body)
      assert.notInclude(JSON.stringify(emu.requests()), emu.keys.openrouter)
    }))
})

describe("lifecycle", () => {
  it.live("stop() closes hanging connections and is idempotent; custom keys and host", () =>
    Effect.gen(function*() {
      const emu = yield* Effect.promise(() => Emulator.start({ keys: { google: "k1" }, host: "127.0.0.1" }))
      assert.strictEqual(emu.keys.google, "k1")
      assert.strictEqual(emu.keys.openrouter, "emu-openrouter-key")
      assert.match(emu.urls.openrouter, /^http:\/\/127\.0\.0\.1:\d+\/api\/v1$/)
      assert.match(emu.urls.aimlapi, /^http:\/\/127\.0\.0\.1:\d+\/v1$/)
      assert.match(emu.urls.google, /^http:\/\/127\.0\.0\.1:\d+\/v1beta$/)
      emu.script("google", { kind: "hang" })
      const pending = postFailure(googleUrl(emu), googleBody, { "x-goog-api-key": "k1" }).pipe(Effect.fork)
      const fiber = yield* pending
      yield* Effect.sleep("100 millis")
      const [, ms] = yield* elapsed(Effect.promise(() => emu.stop()))
      assert.isBelow(ms, 2_000)
      const result = yield* fiber.await
      assert.strictEqual(result._tag, "Success")
      if (result._tag === "Success") assert.isFalse(result.value.ok)
      yield* Effect.promise(() => emu.stop())
    }))

  it.live("make() stops the servers when the scope closes", () =>
    Effect.gen(function*() {
      const url = yield* Effect.scoped(Effect.gen(function*() {
        const emu = yield* Emulator.make()
        const reply = yield* post(googleUrl(emu), googleBody, googleHeaders(emu))
        assert.strictEqual(reply.status, 200)
        return googleUrl(emu)
      }))
      const after = yield* postFailure(url, googleBody, {}, 2_000)
      assert.isFalse(after.ok)
    }))
})
