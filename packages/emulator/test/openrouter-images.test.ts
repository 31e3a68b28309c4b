import { assert, layer } from "@effect/vitest"
import { fixtureJson } from "@nanogen/test-utils"
import * as Effect from "effect/Effect"
import * as Emulator from "../src/index.js"
import { meta, post, solidPng } from "./helpers.js"

const images = (emu: Emulator.Emulator, body: unknown, key: string | null = emu.keys.openrouter) =>
  post(`${emu.urls.openrouter}/images`, body, key === null ? {} : { authorization: `Bearer ${key}` })

const getJson = (url: string) =>
  Effect.promise(async () => {
    const response = await fetch(url)
    return { status: response.status, json: await response.json() as any }
  })

layer(Emulator.layer({ openrouter: { maxImagesBodyBytes: 200_000 } }))("OpenRouter Image API", (it) => {
  it.effect("POST /images: n images of the resolution and ratio, media_type, usage.cost", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      const reply = yield* images(emu, {
        model: "google/gemini-3.1-flash-image",
        prompt: "a nano banana",
        n: 2,
        resolution: "512",
        aspect_ratio: "16:9",
        seed: 7
      })
      assert.strictEqual(reply.status, 200)
      assert.deepStrictEqual(Object.keys(reply.json), ["created", "data", "usage"])
      assert.isNumber(reply.json.created)
      assert.strictEqual(reply.json.data.length, 2)
      for (const item of reply.json.data) {
        assert.deepStrictEqual(Object.keys(item), ["b64_json", "media_type"])
        assert.strictEqual(item.media_type, "image/jpeg")
        const info = yield* meta(item.b64_json)
        assert.deepStrictEqual([info.format, info.width, info.height], ["jpeg", 672, 384])
      }
      assert.notStrictEqual(reply.json.data[0].b64_json, reply.json.data[1].b64_json)
      const promptTokens = 4 // "a nano banana" = 13 chars
      assert.deepStrictEqual(reply.json.usage, {
        prompt_tokens: promptTokens,
        completion_tokens: 2 * 747,
        total_tokens: promptTokens + 2 * 747,
        cost: Math.round((promptTokens * 0.5e-6 + 2 * 747 * 60e-6) * 1e8) / 1e8,
        is_byok: false,
        cost_details: {
          upstream_inference_cost: null,
          upstream_inference_prompt_cost: Math.round(promptTokens * 0.5e-6 * 1e8) / 1e8,
          upstream_inference_completions_cost: Math.round(2 * 747 * 60e-6 * 1e8) / 1e8
        },
        completion_tokens_details: { image_tokens: 2 * 747, reasoning_tokens: 0 }
      })
      const [recorded] = emu.requests("openrouter")
      assert.strictEqual(recorded!.path, "/api/v1/images")
      assert.strictEqual(recorded!.headers["authorization"], "<redacted>")
    }))

  it.effect("edits from input_references; output_format, ratio clamping, Lite clamps 4K to 1K, stream is buffered", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      const red = yield* solidPng(40, 30, [200, 10, 10])
      const edit = yield* images(emu, {
        model: "google/gemini-2.5-flash-image",
        prompt: "add a hat",
        aspect_ratio: "auto",
        output_format: "webp",
        input_references: [{ type: "image_url", image_url: { url: `data:image/png;base64,${red.toString("base64")}` } }]
      })
      assert.strictEqual(edit.status, 200)
      assert.strictEqual(edit.json.data[0].media_type, "image/webp")
      const info = yield* meta(edit.json.data[0].b64_json)
      assert.deepStrictEqual([info.format, info.width, info.height], ["webp", 1184, 864]) // 4:3 from the reference
      const lite = yield* images(emu, {
        model: "google/gemini-3.1-flash-lite-image",
        prompt: "x",
        resolution: "4K",
        aspect_ratio: "1:8",
        stream: true
      })
      assert.strictEqual(lite.status, 200)
      assert.match(lite.headers.get("content-type")!, /^application\/json/)
      const liteInfo = yield* meta(lite.json.data[0].b64_json)
      assert.deepStrictEqual([liteInfo.format, liteInfo.width, liteInfo.height], ["jpeg", 352, 2928])
      assert.strictEqual(lite.json.usage.completion_tokens_details.image_tokens, 1120)
      const clamped = yield* images(emu, { model: "google/gemini-3-pro-image", prompt: "x", aspect_ratio: "1:8" })
      const clampedInfo = yield* meta(clamped.json.data[0].b64_json)
      assert.deepStrictEqual([clampedInfo.width, clampedInfo.height], [768, 1344]) // nearest of Pro's ten: 9:16
    }))

  it.effect("SSE events when a fault asks for them (partial_image, completed with usage, [DONE])", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      emu.script("openrouter", { kind: "ok", imagesSse: true }, { kind: "http200Error" })
      const body = { model: "google/gemini-3.1-flash-image", prompt: "x", stream: true }
      const reply = yield* images(emu, body)
      assert.match(reply.headers.get("content-type")!, /^text\/event-stream/)
      const events = reply.text.split("\n\n").filter((e) => e.length > 0)
      assert.strictEqual(events.at(-1), "data: [DONE]")
      const [partial, completed] = events.slice(0, -1).map((e) => JSON.parse(e.slice(6)))
      assert.deepStrictEqual([partial.type, partial.partial_image_index], ["image_generation.partial_image", 0])
      assert.strictEqual(completed.type, "image_generation.completed")
      assert.strictEqual(completed.media_type, "image/jpeg")
      assert.isNumber(completed.usage.cost)
      const failed = yield* images(emu, body)
      assert.strictEqual(
        failed.text,
        `data: ${
          JSON.stringify({
            type: "error",
            error: {
              code: "upstream_error",
              message: "The upstream provider returned an error",
              param: null,
              type: "provider_error"
            }
          })
        }\n\n`
      )
    }))

  it.effect("error forms: the spec's envelopes, 401, 404, 400 naming the field, 413, 502 unbilled", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      const body = { model: "google/gemini-3.1-flash-image", prompt: "x" }
      const missing = yield* images(emu, body, null)
      assert.deepStrictEqual([missing.status, missing.json], [
        401,
        fixtureJson("openrouter-images", "openapi-error-401.json")
      ])
      const unknown = yield* images(emu, { ...body, model: "google/imagen-9" })
      assert.deepStrictEqual(unknown.json, { error: { code: 404, message: "Model google/imagen-9 not found" } })
      const stringN = yield* images(emu, { ...body, n: "2" })
      assert.deepStrictEqual([stringN.status, stringN.json], [400, {
        error: {
          code: 400,
          message: "Invalid request parameters: n: Expected number, received string",
          metadata: { param: "n" }
        }
      }])
      for (
        const bad of [
          { resolution: "0.5K" },
          { aspect_ratio: "7:3" },
          { n: 11 },
          { output_format: "svg" },
          { background: "transparent", output_format: "jpeg" },
          { size: "1024x1024", aspect_ratio: "1:1" },
          { input_references: [{ image_url: { url: "data:image/png;base64,AAAA" } }] },
          { provider: { only: "google-vertex" } },
          { provider: { options: { "google-ai-studio": { foo: 1 } } } }
        ]
      ) {
        const reply = yield* images(emu, { ...body, ...bad })
        assert.strictEqual(reply.status, 400, JSON.stringify(bad))
        assert.match(reply.json.error.message, /^Invalid request parameters: /)
      }
      const noProvider = yield* images(emu, { ...body, provider: { only: ["openai"] } })
      assert.deepStrictEqual(noProvider.json, {
        error: { code: 404, message: "No allowed providers are available for the selected model." }
      })
      const routed = yield* images(emu, {
        ...body,
        provider: { order: ["google-vertex"], allow_fallbacks: false, sort: "price" }
      })
      assert.strictEqual(routed.status, 200)
      const large = yield* images(emu, { ...body, prompt: "x".repeat(300_000) })
      assert.deepStrictEqual([large.status, large.json], [
        413,
        fixtureJson("openrouter-images", "openapi-error-413.json")
      ])
      emu.script("openrouter", { kind: "refusal" }, { kind: "status", status: 429, retryAfter: 3 }, {
        kind: "refusal",
        form: "empty"
      })
      const refused = yield* images(emu, body)
      assert.deepStrictEqual([refused.status, refused.json], [502, {
        error: {
          code: 502,
          message: "Provider returned error",
          metadata: { provider_name: "Google AI Studio", raw: "IMAGE_SAFETY" }
        }
      }])
      const limited = yield* images(emu, body)
      assert.deepStrictEqual([limited.status, limited.json], [
        429,
        fixtureJson("openrouter-images", "openapi-error-429.json")
      ])
      assert.strictEqual(limited.headers.get("retry-after"), "3")
      const empty = yield* images(emu, body)
      assert.deepStrictEqual([empty.status, empty.json.data, empty.json.usage.cost], [200, [], 0])
    }))

  it.effect("GET /images/models and /images/models/{author}/{slug}/endpoints", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      const list = yield* getJson(`${emu.urls.openrouter}/images/models`)
      assert.strictEqual(list.status, 200)
      const ids = list.json.data.map((model: any) => model.id)
      for (
        const id of [
          "google/gemini-3.1-flash-image",
          "google/gemini-3.1-flash-image-preview",
          "google/gemini-3-pro-image",
          "google/gemini-3-pro-image-preview",
          "google/gemini-3.1-flash-lite-image",
          "google/gemini-2.5-flash-image"
        ]
      ) assert.include(ids, id)
      const lite = list.json.data.find((model: any) => model.id === "google/gemini-3.1-flash-lite-image")
      assert.strictEqual(lite.endpoints, "/api/v1/images/models/google/gemini-3.1-flash-lite-image/endpoints")
      assert.deepStrictEqual(lite.supported_parameters.resolution, { type: "enum", values: ["1K"] })
      const endpoints = yield* getJson(`${emu.urls.openrouter}/images/models/google/gemini-3-pro-image/endpoints`)
      assert.strictEqual(endpoints.json.id, "google/gemini-3-pro-image")
      assert.deepStrictEqual(
        endpoints.json.endpoints.map((e: any) => [e.provider_name, e.provider_slug, e.provider_tag]),
        [["Google AI Studio", "google-ai-studio", "google-ai-studio"], [
          "Google Vertex",
          "google-vertex",
          "google-vertex"
        ]]
      )
      const [studio] = endpoints.json.endpoints
      assert.deepStrictEqual(studio.supported_parameters, {
        resolution: { type: "enum", values: ["1K", "2K", "4K"] },
        aspect_ratio: { type: "enum", values: Emulator.Catalog.baseRatios },
        n: { type: "range", min: 1, max: 10 },
        seed: { type: "boolean" },
        input_references: { type: "range", min: 0, max: 14 },
        output_format: { type: "enum", values: ["png", "jpeg", "webp"] }
      })
      assert.deepStrictEqual(studio.allowed_passthrough_parameters, [])
      assert.isFalse(studio.supports_streaming)
      assert.deepStrictEqual(studio.pricing.map((p: any) => [p.billable, p.unit, p.variant]), [
        ["output_image", "image", undefined],
        ["output_image", "image", "2k"],
        ["output_image", "image", "4k"],
        ["input_text", "token", undefined]
      ])
      assert.strictEqual(studio.pricing[0].cost_usd, 0.1344)
      const unknown = yield* getJson(`${emu.urls.openrouter}/images/models/google/nothing/endpoints`)
      assert.deepStrictEqual([unknown.status, unknown.json], [
        404,
        fixtureJson("openrouter-images", "openapi-error-404.json")
      ])
    }))
})
