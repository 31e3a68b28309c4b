import { assert, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Emulator from "../src/index.js"
import { close, get, meta, pixel, post, solidPng } from "./helpers.js"

const generate = (emu: Emulator.Emulator, body: Record<string, unknown>, key = emu.keys.aimlapi) =>
  post(`${emu.urls.aimlapi}/images/generations`, body, { authorization: `Bearer ${key}` })

const assertErrorBody = (json: any, status: number) => {
  assert.isString(json.message)
  assert.strictEqual(json.path, "/v1/images/generations")
  assert.isString(json.requestId)
  assert.strictEqual(Number(json.statusCode), status)
  assert.isFalse(Number.isNaN(Date.parse(json.timestamp)))
}

layer(Emulator.layer())("AI/ML API", (it) => {
  it.effect("NB2 answers form 1 and the CDN serves a PNG of the 16:9 2K size", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      const reply = yield* generate(emu, {
        model: "google/nano-banana-2",
        prompt: "A T-Rex on a beach",
        aspect_ratio: "16:9",
        resolution: "2K"
      })
      assert.strictEqual(reply.status, 200)
      assert.deepStrictEqual(Object.keys(reply.json).sort(), ["data", "meta"])
      const [item] = reply.json.data
      assert.deepStrictEqual(Object.keys(item).sort(), ["b64_json", "mime_type", "url"])
      assert.strictEqual(item.mime_type, "image/png")
      assert.isNull(item.b64_json)
      assert.isTrue(item.url.startsWith(`${new URL(emu.urls.aimlapi).origin}/cdn/`))
      assert.isNumber(reply.json.meta.usage.credits_used)
      const cdn = yield* get(item.url)
      assert.strictEqual(cdn.status, 200)
      assert.strictEqual(cdn.contentType, "image/png")
      const info = yield* meta(cdn.bytes)
      assert.deepStrictEqual([info.format, info.width, info.height], ["png", 2688, 1536])
      const log = emu.requests("aimlapi")
      assert.deepStrictEqual(log.map((r) => r.path), ["/v1/images/generations", new URL(item.url).pathname])
      assert.strictEqual(log[0]!.headers.authorization, "<redacted>")
      assert.isTrue(log[0]!.credentialOk)
    }))

  it.effect("Pro answers form 2 (JPEG, num_images), 2.5 form 3, and the b64_json variant", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      const pro = yield* generate(emu, {
        model: "google/nano-banana-pro",
        prompt: "p",
        num_images: 2,
        aspect_ratio: "21:9"
      })
      assert.strictEqual(pro.status, 200)
      assert.strictEqual(pro.json.description, "")
      assert.strictEqual(pro.json.data.length, 2)
      assert.deepStrictEqual(Object.keys(pro.json.data[0]).sort(), [
        "content_type",
        "file_name",
        "height",
        "url",
        "width"
      ])
      assert.strictEqual(pro.json.data[0].content_type, "image/jpeg")
      assert.isNumber(pro.json.meta.usage.tokens_used)
      const first = yield* get(pro.json.data[0].url)
      const second = yield* get(pro.json.data[1].url)
      assert.isFalse(first.bytes.equals(second.bytes))
      const info = yield* meta(first.bytes)
      assert.deepStrictEqual([info.format, info.width, info.height], ["jpeg", 1536, 672])

      const flash = yield* generate(emu, { model: "google/gemini-2.5-flash-image", prompt: "p" })
      assert.strictEqual(flash.status, 200)
      assert.isString(flash.json.description)
      const [image] = flash.json.images
      assert.deepStrictEqual(Object.keys(image).sort(), ["content_type", "file_name", "file_size", "url"])
      assert.strictEqual(image.content_type, "image/png")

      emu.script("aimlapi", { kind: "ok", aimlForm: "data-b64" })
      const b64 = yield* generate(emu, { model: "google/nano-banana-2", prompt: "p" })
      assert.isNull(b64.json.data[0].url)
      const b64Info = yield* meta(b64.json.data[0].b64_json)
      assert.deepStrictEqual([b64Info.width, b64Info.height], [1024, 1024])
    }))

  it.effect("edits derive the output from the first reference (data URL or the emulator's own CDN)", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      const red = yield* solidPng(300, 200, [220, 20, 30])
      const reply = yield* generate(emu, {
        model: "google/nano-banana-edit",
        prompt: "add a hat",
        image_urls: [`data:image/png;base64,${red.toString("base64")}`]
      })
      assert.strictEqual(reply.status, 200)
      assert.strictEqual(reply.json.model, "google/nano-banana-edit")
      assert.isNumber(reply.json.meta.usage.usd_spent)
      const edited = yield* get(reply.json.data[0].url)
      const info = yield* meta(edited.bytes)
      // new edit spec: no aspect_ratio → the ratio follows the reference (3:2 → nearest of the five is 4:3)
      assert.deepStrictEqual([info.width, info.height], [1184, 864])
      assert.isTrue(close(yield* pixel(edited.bytes, 592, 432), [220, 20, 30]))

      const t2i = yield* generate(emu, { model: "google/nano-banana-2", prompt: "base" })
      const again = yield* generate(emu, {
        model: "google/nano-banana-2",
        prompt: "edit it",
        image_urls: [t2i.json.data[0].url]
      })
      const source = yield* get(t2i.json.data[0].url)
      const derived = yield* get(again.json.data[0].url)
      assert.isTrue(close(yield* pixel(derived.bytes, 100, 100), yield* pixel(source.bytes, 100, 100), 40))
    }))

  it.effect("validates key, model, enums, limits and fields not in the spec", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      const unauthorized = yield* generate(emu, { model: "google/nano-banana-2", prompt: "p" }, "bad")
      assert.strictEqual(unauthorized.status, 401)
      assertErrorBody(unauthorized.json, 401)
      const cases: Array<Record<string, unknown>> = [
        { model: "google/nano-banana", prompt: "p" },
        { model: "google/nano-banana-2", prompt: "p", aspect_ratio: "21:9" },
        { model: "google/nano-banana-2", prompt: "p", resolution: "4k" },
        { model: "google/nano-banana-2", prompt: "p", image_urls: ["a", "b", "c", "d", "e", "f"] },
        { model: "google/nano-banana-2", prompt: "p", num_images: 2 },
        { model: "google/gemini-2.5-flash-image", prompt: "p", resolution: "2K" },
        { model: "google/nano-banana-pro-edit", prompt: "p" },
        { model: "google/nano-banana-pro", prompt: "p", num_images: 5 },
        { model: "google/nano-banana-pro" }
      ]
      for (const body of cases) {
        const reply = yield* generate(emu, body)
        assert.strictEqual(reply.status, 400, JSON.stringify(body))
        assertErrorBody(reply.json, 400)
        assert.match(reply.json.message, /^Body validation error!/)
      }
      for (
        const model of [
          "google/gemini-3-pro-image-preview-edit",
          "google/gemini-3-pro-image-edit",
          "google/gemini-2.5-flash-image-edit"
        ]
      ) {
        const ok = yield* generate(emu, { model, prompt: "p", image_urls: ["https://example.invalid/cat.png"] })
        assert.strictEqual(ok.status, 200, model)
      }
    }))

  it.effect("faults: status with Retry-After, refusal forms, text only, cdn404", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      emu.script(
        "aimlapi",
        { kind: "status", status: 403 },
        { kind: "status", status: 429, retryAfter: 3 },
        { kind: "refusal", form: "empty" },
        { kind: "refusal", form: "description", reason: "blocked" },
        { kind: "textOnly", text: "words" },
        { kind: "cdn404" },
        { kind: "http200Error", code: 500 }
      )
      const body = { model: "google/nano-banana-2", prompt: "p" }
      const credits = yield* generate(emu, body)
      assert.strictEqual(credits.status, 403)
      assertErrorBody(credits.json, 403)
      assert.match(credits.json.message, /run out of credits/)
      const limited = yield* generate(emu, body)
      assert.strictEqual(limited.status, 429)
      assert.strictEqual(limited.headers.get("retry-after"), "3")
      const empty = yield* generate(emu, body)
      assert.deepStrictEqual(empty.json.data, [])
      const described = yield* generate(emu, body)
      assert.deepStrictEqual(described.json.data, [])
      assert.strictEqual(described.json.description, "blocked")
      const words = yield* generate(emu, body)
      assert.strictEqual(words.json.description, "words")
      const missing = yield* generate(emu, body)
      assert.strictEqual(missing.status, 200)
      const cdn = yield* get(missing.json.data[0].url)
      assert.strictEqual(cdn.status, 404)
      const error200 = yield* generate(emu, body)
      assert.strictEqual(error200.status, 200)
      assert.strictEqual(error200.json.statusCode, 500)
      assert.strictEqual(emu.pending("aimlapi"), 0)
      const unknownCdn = yield* get(`${new URL(emu.urls.aimlapi).origin}/cdn/nothing.png`)
      assert.strictEqual(unknownCdn.status, 404)
    }))

  it.effect("provider (auto|google|fal) where the spec has it; Lite and 2.1: the newer schema with usd_spent and model", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      for (const provider of ["auto", "Google", "fal"]) {
        const reply = yield* generate(emu, { model: "google/nano-banana-pro", prompt: "x", provider })
        assert.strictEqual(reply.status, 200, provider)
      }
      const badProvider = yield* generate(emu, { model: "google/nano-banana-pro", prompt: "x", provider: "openai" })
      assert.strictEqual(
        badProvider.json.message,
        "Body validation error! [provider]: Invalid enum value. Expected 'auto' | 'google' | 'fal', received 'openai'"
      )
      const nb2Provider = yield* generate(emu, { model: "google/nano-banana-2", prompt: "x", provider: "google" })
      assert.strictEqual(
        nb2Provider.json.message,
        "Body validation error! [provider]: Unrecognized key(s) in object: 'provider'"
      )
      const lite = yield* generate(emu, { model: "google/gemini-3-1-flash-lite-image", prompt: "x", resolution: "4K" })
      assert.strictEqual(lite.status, 200)
      assert.deepStrictEqual(Object.keys(lite.json), ["data", "meta", "model"])
      assert.deepStrictEqual(Object.keys(lite.json.data[0]), ["url", "b64_json"])
      assert.isNull(lite.json.data[0].b64_json)
      assert.strictEqual(lite.json.model, "google/gemini-3-1-flash-lite-image")
      assert.deepStrictEqual(Object.keys(lite.json.meta.usage), ["credits_used", "usd_spent"])
      assert.strictEqual(lite.json.meta.usage.usd_spent, Math.round((1120 * 30e-6 + 1 * 0.25e-6) * 1e6) / 1e6)
      const liteImage = yield* get(lite.json.data[0].url)
      const liteInfo = yield* meta(liteImage.bytes)
      // Google serves Lite at 1K only: a 4K request is answered at 1K, 16:9 by default
      assert.deepStrictEqual([liteImage.contentType, liteInfo.width, liteInfo.height], ["image/jpeg", 1344, 768])
      for (const field of ["num_images", "seed", "provider"]) {
        const reply = yield* generate(emu, { model: "google/gemini-3-1-flash-lite-image", prompt: "x", [field]: 1 })
        assert.strictEqual(reply.status, 400, field)
      }
      const nb21 = yield* generate(emu, {
        model: "google/gemini-nano-banana-2.1",
        prompt: "x",
        resolution: "2K",
        aspect_ratio: "1:1"
      })
      assert.strictEqual(nb21.json.model, "google/gemini-nano-banana-2.1")
      const nb21Info = yield* meta((yield* get(nb21.json.data[0].url)).bytes)
      assert.deepStrictEqual([nb21Info.width, nb21Info.height], [2048, 2048])
    }))
})
