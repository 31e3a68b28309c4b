import { assert, describe, layer } from "@effect/vitest"
import { fixtureJson } from "@nanogen/test-utils"
import * as Effect from "effect/Effect"
import * as Emulator from "../src/index.js"
import { close, dataUrlBytes, meta, pixel, post, solidPng } from "./helpers.js"

const chat = (emu: Emulator.Emulator, body: Record<string, unknown>, key = emu.keys.openrouter) =>
  post(`${emu.urls.openrouter}/chat/completions`, body, { authorization: `Bearer ${key}` })

const request = (model: string, extra: Record<string, unknown> = {}) => ({
  model,
  modalities: ["image", "text"],
  messages: [{ role: "user", content: "a nano banana dish in a fancy restaurant" }],
  ...extra
})

layer(Emulator.layer())("OpenRouter", (it) => {
  it.effect("answers a 3 Pro 4K request in the §1.5 shape with a JPEG of 5376×3072", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      const reply = yield* chat(
        emu,
        request("google/gemini-3-pro-image-preview", { image_config: { aspect_ratio: "16:9", image_size: "4K" } })
      )
      assert.strictEqual(reply.status, 200)
      const body = reply.json
      assert.match(body.id, /^gen-/)
      assert.strictEqual(body.object, "chat.completion")
      assert.isNumber(body.created)
      assert.strictEqual(body.model, "google/gemini-3-pro-image-preview")
      assert.strictEqual(body.provider, "Google AI Studio")
      assert.isNull(body.system_fingerprint)
      const choice = body.choices[0]
      assert.strictEqual(choice.index, 0)
      assert.strictEqual(choice.finish_reason, "stop")
      assert.strictEqual(choice.native_finish_reason, "STOP")
      assert.strictEqual(choice.message.role, "assistant")
      assert.isString(choice.message.content)
      assert.isString(choice.message.reasoning)
      assert.strictEqual(choice.message.images.length, 1)
      assert.strictEqual(choice.message.images[0].type, "image_url")
      const { bytes, mimeType } = dataUrlBytes(choice.message.images[0].image_url.url)
      assert.strictEqual(mimeType, "image/jpeg")
      const info = yield* meta(bytes)
      assert.strictEqual(info.format, "jpeg")
      assert.deepStrictEqual([info.width, info.height], [5376, 3072])
      const usage = body.usage
      assert.strictEqual(usage.completion_tokens_details.image_tokens, 2000)
      assert.strictEqual(usage.total_tokens, usage.prompt_tokens + usage.completion_tokens)
      assert.isAbove(usage.cost, 0.2)
      assert.isNumber(usage.cost_details.upstream_inference_completions_cost)
      assert.isFalse(usage.is_byok)
    }))

  it.effect("2.5 Flash answers a PNG of about 1K whatever image_size says; 3.1 accepts 0.5K and 8:1", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      const flash = yield* chat(
        emu,
        request("google/gemini-2.5-flash-image", { image_config: { aspect_ratio: "3:4", image_size: "2K" } })
      )
      assert.strictEqual(flash.status, 200)
      const png = dataUrlBytes(flash.json.choices[0].message.images[0].image_url.url)
      assert.strictEqual(png.mimeType, "image/png")
      const info = yield* meta(png.bytes)
      assert.deepStrictEqual([info.format, info.width, info.height], ["png", 864, 1184])
      assert.strictEqual(flash.json.usage.completion_tokens_details.image_tokens, 1290)
      assert.isUndefined(flash.json.choices[0].message.reasoning_details)

      const small = yield* chat(
        emu,
        request("google/gemini-3.1-flash-image-preview", { image_config: { aspect_ratio: "1:1", image_size: "0.5K" } })
      )
      const smallInfo = yield* meta(dataUrlBytes(small.json.choices[0].message.images[0].image_url.url).bytes)
      assert.deepStrictEqual([smallInfo.width, smallInfo.height], [512, 512])

      const wide = yield* chat(emu, request("google/gemini-3.1-flash-image", { image_config: { aspect_ratio: "8:1" } }))
      const wideInfo = yield* meta(dataUrlBytes(wide.json.choices[0].message.images[0].image_url.url).bytes)
      // the live 1:8 answer (Lite) is 352×2928; the emulator mirrors it for 8:1
      assert.deepStrictEqual([wideInfo.width, wideInfo.height], [2928, 352])
    }))

  it.effect("validates credentials, model, ratio, size and reference count", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      const missing = yield* post(`${emu.urls.openrouter}/chat/completions`, request("google/gemini-2.5-flash-image"))
      assert.strictEqual(missing.status, 401)
      assert.deepStrictEqual(missing.json, { error: { code: 401, message: "No auth credentials found" } })
      const wrong = yield* chat(emu, request("google/gemini-2.5-flash-image"), "nope")
      assert.strictEqual(wrong.status, 401)
      assert.strictEqual(wrong.json.error.code, 401)

      const unknown = yield* chat(emu, request("google/gemini-2.5-flash-image-preview"))
      assert.strictEqual(unknown.status, 400)
      assert.strictEqual(unknown.json.error.metadata.error_type, "model_not_found")

      const ratio = yield* chat(
        emu,
        request("google/gemini-3-pro-image-preview", { image_config: { aspect_ratio: "1:4" } })
      )
      assert.strictEqual(ratio.status, 400)
      assert.strictEqual(ratio.json.error.code, 400)
      const half = yield* chat(
        emu,
        request("google/gemini-3-pro-image-preview", { image_config: { image_size: "0.5K" } })
      )
      assert.strictEqual(half.status, 400)
      const lower = yield* chat(
        emu,
        request("google/gemini-3-pro-image-preview", { image_config: { image_size: "4k" } })
      )
      assert.strictEqual(lower.status, 400)

      const png = Buffer.from(
        "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAIAAACQd1PeAAAADElEQVR4nGP4z8AAAAMBAQDJ/pLvAAAAAElFTkSuQmCC",
        "base64"
      ).toString("base64")
      const image = { type: "image_url", image_url: { url: `data:image/png;base64,${png}` } }
      const tooMany = yield* chat(emu, {
        ...request("google/gemini-2.5-flash-image"),
        messages: [{ role: "user", content: [{ type: "text", text: "edit" }, image, image, image, image] }]
      })
      assert.strictEqual(tooMany.status, 400)
      const bmp = yield* chat(emu, {
        ...request("google/gemini-2.5-flash-image"),
        messages: [{
          role: "user",
          content: [{ type: "text", text: "edit" }, {
            type: "image_url",
            image_url: { url: `data:image/bmp;base64,${png}` }
          }]
        }]
      })
      assert.strictEqual(bmp.status, 400)
      assert.strictEqual(bmp.json.error.metadata.error_type, "unsupported_image_format")
      assert.strictEqual(emu.requests("openrouter").length, 8)
    }))

  it.effect("without modalities an image model still answers with an image (as live); [\"text\"] is text only", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      const reply = yield* chat(emu, { ...request("google/gemini-2.5-flash-image"), modalities: undefined })
      assert.strictEqual(reply.status, 200)
      assert.strictEqual(reply.json.choices[0].message.images.length, 1)
      const text = yield* chat(emu, { ...request("google/gemini-2.5-flash-image"), modalities: ["text"] })
      assert.isUndefined(text.json.choices[0].message.images)
      assert.isString(text.json.choices[0].message.content)
    }))

  it.effect("accepts a replayed assistant image (the recorded turn-2 request) and edits from it", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      const recorded = fixtureJson("multiturn", "openrouter-assistant-image-replay-turn2-request.json") as any
      // The recording's `google/gemini-2.5-flash-image-preview` slug is no longer listed; the body is otherwise as sent.
      const replay = yield* chat(emu, { ...recorded, model: "google/gemini-2.5-flash-image" })
      assert.strictEqual(replay.status, 200)
      assert.strictEqual(replay.json.choices[0].message.images.length, 1)
      const green = yield* solidPng(64, 64, [10, 200, 30])
      const greenUrl = `data:image/png;base64,${green.toString("base64")}`
      const turn2 = yield* chat(emu, {
        ...request("google/gemini-3.1-flash-image"),
        messages: [
          { role: "user", content: "a square" },
          {
            role: "assistant",
            content: "Here it is.",
            images: [{ type: "image_url", image_url: { url: greenUrl }, index: 0 }],
            reasoning_details: [{ type: "reasoning.text", text: "t", format: "google-gemini-v1", index: 0 }]
          },
          { role: "user", content: "make it rounder" }
        ]
      })
      assert.strictEqual(turn2.status, 200)
      const edited = dataUrlBytes(turn2.json.choices[0].message.images[0].image_url.url).bytes
      assert.isTrue(close(yield* pixel(edited, 512, 512), [10, 200, 30]))
      const bad = yield* chat(emu, {
        ...request("google/gemini-3.1-flash-image"),
        messages: [{ role: "assistant", content: [{ type: "video_url", video_url: { url: "x" } }] }, {
          role: "user",
          content: "x"
        }]
      })
      assert.strictEqual(bad.status, 400)
      assert.strictEqual(bad.json.error.metadata.error_type, "invalid_image")
    }))

  it.effect("refusal forms, text-only and HTTP 200 errors", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      emu.script(
        "openrouter",
        { kind: "refusal" },
        { kind: "refusal", form: "native" },
        { kind: "refusal", form: "moderation", reason: "violence" },
        { kind: "textOnly", text: "no picture" },
        { kind: "http200Error" },
        { kind: "http200Error", form: "top-level", code: 429, message: "slow down" }
      )
      const body = request("google/gemini-2.5-flash-image")
      const filter = yield* chat(emu, body)
      assert.strictEqual(filter.status, 200)
      assert.strictEqual(filter.json.choices[0].finish_reason, "content_filter")
      assert.strictEqual(filter.json.choices[0].native_finish_reason, "IMAGE_SAFETY")
      assert.strictEqual(filter.json.choices[0].message.content, "")
      assert.isUndefined(filter.json.choices[0].message.images)

      const native = yield* chat(emu, body)
      assert.strictEqual(native.json.choices[0].finish_reason, "stop")
      assert.strictEqual(native.json.choices[0].native_finish_reason, "IMAGE_PROHIBITED_CONTENT")
      assert.isUndefined(native.json.choices[0].message.images)

      const moderation = yield* chat(emu, body)
      assert.strictEqual(moderation.status, 403)
      assert.deepStrictEqual(moderation.json.error.metadata.reasons, ["violence"])
      assert.strictEqual(moderation.json.error.metadata.model_slug, "google/gemini-2.5-flash-image")
      assert.isString(moderation.json.error.metadata.flagged_input)
      assert.strictEqual(moderation.json.error.metadata.provider_name, "Google AI Studio")

      const text = yield* chat(emu, body)
      assert.strictEqual(text.json.choices[0].message.content, "no picture")
      assert.isUndefined(text.json.choices[0].message.images)

      const choiceError = yield* chat(emu, body)
      assert.strictEqual(choiceError.status, 200)
      assert.strictEqual(choiceError.json.choices[0].finish_reason, "error")
      assert.strictEqual(choiceError.json.choices[0].error.code, 502)
      assert.strictEqual(choiceError.json.choices[0].error.metadata.error_type, "provider_unavailable")

      const topLevel = yield* chat(emu, body)
      assert.strictEqual(topLevel.status, 200)
      assert.deepStrictEqual(topLevel.json, {
        error: { code: 429, message: "slow down", metadata: { error_type: "rate_limit_exceeded" } }
      })
      assert.strictEqual(emu.pending("openrouter"), 0)
    }))

  it.effect("status faults carry the OpenRouter error body and Retry-After", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      emu.script(
        "openrouter",
        { kind: "status", status: 429, retryAfter: 7 },
        { kind: "status", status: 402 },
        { kind: "status", status: 503, message: "busy", openrouter: { metadata: { provider_name: "Google" } } }
      )
      const body = request("google/gemini-2.5-flash-image")
      const limited = yield* chat(emu, body)
      assert.strictEqual(limited.status, 429)
      assert.strictEqual(limited.headers.get("retry-after"), "7")
      assert.deepStrictEqual(limited.json, {
        error: { code: 429, message: "Rate limit exceeded", metadata: { error_type: "rate_limit_exceeded" } }
      })
      const credits = yield* chat(emu, body)
      assert.strictEqual(credits.status, 402)
      assert.match(credits.json.error.message, /Insufficient credits/)
      const busy = yield* chat(emu, body)
      assert.strictEqual(busy.status, 503)
      assert.strictEqual(busy.json.error.message, "busy")
      assert.strictEqual(busy.json.error.metadata.provider_name, "Google")
      assert.isNull(busy.headers.get("retry-after"))
    }))

  describe("streaming", () => {
    it.effect("stream:true answers SSE with keep-alive comments, images in a delta, usage, [DONE]", () =>
      Effect.gen(function*() {
        const emu = yield* Emulator.EmulatorService
        emu.reset()
        const reply = yield* chat(emu, request("google/gemini-2.5-flash-image", { stream: true }))
        assert.strictEqual(reply.status, 200)
        assert.match(reply.headers.get("content-type")!, /^text\/event-stream/)
        assert.isTrue(reply.text.startsWith(": OPENROUTER PROCESSING\n\n"))
        const events = reply.text.split("\n\n").filter((line) => line.startsWith("data: "))
        assert.strictEqual(events.at(-1), "data: [DONE]")
        const chunks = events.slice(0, -1).map((line) => JSON.parse(line.slice(6)))
        assert.isTrue(chunks.every((chunk) => chunk.object === "chat.completion.chunk"))
        const withImage = chunks.find((chunk) => chunk.choices[0]?.delta?.images !== undefined)
        assert.isDefined(withImage)
        assert.strictEqual(withImage.choices[0].finish_reason, "stop")
        const info = yield* meta(dataUrlBytes(withImage.choices[0].delta.images[0].image_url.url).bytes)
        assert.deepStrictEqual([info.width, info.height], [1024, 1024])
        const last = chunks.at(-1)
        // every recorded live stream has one element in the usage chunk's choices
        assert.deepStrictEqual(last.choices, [{
          index: 0,
          delta: { role: "assistant", content: "" },
          finish_reason: null,
          native_finish_reason: null,
          logprobs: null
        }])
        assert.strictEqual(last.usage.completion_tokens_details.image_tokens, 1290)
      }))

    it.effect("a mid-stream error is a chunk with top-level error and finish_reason error", () =>
      Effect.gen(function*() {
        const emu = yield* Emulator.EmulatorService
        emu.reset()
        emu.script("openrouter", { kind: "http200Error" })
        const reply = yield* chat(emu, request("google/gemini-2.5-flash-image", { stream: true }))
        assert.strictEqual(reply.status, 200)
        const events = reply.text.split("\n\n").filter((line) => line.startsWith("data: "))
        const last = JSON.parse(events.at(-1)!.slice(6))
        assert.strictEqual(last.error.code, 502)
        assert.strictEqual(last.choices[0].finish_reason, "error")
        assert.notInclude(reply.text, "[DONE]")
      }))
  })
})
