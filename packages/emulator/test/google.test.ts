import { assert, layer } from "@effect/vitest"
import * as Effect from "effect/Effect"
import * as Emulator from "../src/index.js"
import { close, meta, pixel, post, solidPng } from "./helpers.js"

const generate = (
  emu: Emulator.Emulator,
  model: string,
  body: Record<string, unknown>,
  headers: Record<string, string> = { "x-goog-api-key": emu.keys.google },
  method = "generateContent",
  query = ""
) => post(`${emu.urls.google}/models/${model}:${method}${query}`, body, headers)

const prompt = (text: string, generationConfig: Record<string, unknown> = {}) => ({
  contents: [{ parts: [{ text }] }],
  generationConfig
})

layer(Emulator.layer())("Gemini API", (it) => {
  it.effect("3 Pro 2K with includeThoughts: thought text, an unsigned thought image, then the signed final JPEG", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      const reply = yield* generate(
        emu,
        "gemini-3-pro-image",
        prompt("a nano banana dish", {
          responseModalities: ["TEXT", "IMAGE"],
          imageConfig: { aspectRatio: "16:9", imageSize: "2K" },
          thinkingConfig: { includeThoughts: true }
        })
      )
      assert.strictEqual(reply.status, 200)
      const [candidate] = reply.json.candidates
      assert.strictEqual(candidate.finishReason, "STOP")
      assert.strictEqual(candidate.index, 0)
      assert.strictEqual(candidate.content.role, "model")
      const parts = candidate.content.parts
      assert.strictEqual(parts[0].thought, true)
      assert.isString(parts[0].text)
      assert.strictEqual(parts[1].thought, true)
      assert.isUndefined(parts[1].thoughtSignature)
      assert.strictEqual(parts[1].inlineData.mimeType, "image/jpeg")
      const final = parts.at(-1)
      assert.isUndefined(final.thought)
      assert.isString(final.thoughtSignature)
      assert.strictEqual(final.inlineData.mimeType, "image/jpeg")
      const info = yield* meta(final.inlineData.data)
      assert.deepStrictEqual([info.format, info.width, info.height], ["jpeg", 2688, 1536])
      const interim = yield* meta(parts[1].inlineData.data)
      assert.deepStrictEqual([interim.width, interim.height], [1344, 768])
      const usage = reply.json.usageMetadata
      assert.deepStrictEqual(usage.candidatesTokensDetails, [{ modality: "IMAGE", tokenCount: 1120 }])
      assert.strictEqual(
        usage.totalTokenCount,
        usage.promptTokenCount + usage.candidatesTokenCount + usage.thoughtsTokenCount
      )
      assert.deepStrictEqual(usage.promptTokensDetails, [{ modality: "TEXT", tokenCount: usage.promptTokenCount }])
      assert.strictEqual(reply.json.modelVersion, "gemini-3-pro-image")
      assert.isString(reply.json.responseId)
    }))

  it.effect("2.5 Flash: [text, PNG inlineData], IMAGE 1290, no thoughtSignature; 4K on 3 Pro reports 2000", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      const reply = yield* generate(
        emu,
        "gemini-2.5-flash-image",
        prompt("cat", { imageConfig: { aspectRatio: "9:16" } })
      )
      const parts = reply.json.candidates[0].content.parts
      assert.strictEqual(parts.length, 2)
      assert.isString(parts[0].text)
      assert.strictEqual(parts[1].inlineData.mimeType, "image/png")
      assert.isUndefined(parts[1].thoughtSignature)
      const info = yield* meta(parts[1].inlineData.data)
      assert.deepStrictEqual([info.format, info.width, info.height], ["png", 768, 1344])
      assert.strictEqual(reply.json.usageMetadata.candidatesTokensDetails.at(-1).tokenCount, 1290)
      assert.isUndefined(reply.json.usageMetadata.thoughtsTokenCount)

      const big = yield* generate(
        emu,
        "gemini-3-pro-image",
        prompt("cat", { responseModalities: ["IMAGE"], imageConfig: { imageSize: "4K" } }),
        { "x-goog-api-key": emu.keys.google }
      )
      assert.strictEqual(big.json.usageMetadata.candidatesTokensDetails[0].tokenCount, 2000)
      const bigInfo = yield* meta(big.json.candidates[0].content.parts.at(-1).inlineData.data)
      assert.deepStrictEqual([bigInfo.width, bigInfo.height], [4096, 4096])

      const half = yield* generate(
        emu,
        "gemini-3.1-flash-image",
        prompt("cat", { imageConfig: { imageSize: "512", aspectRatio: "1:4" } })
      )
      const halfInfo = yield* meta(half.json.candidates[0].content.parts.at(-1).inlineData.data)
      assert.deepStrictEqual([halfInfo.format, halfInfo.width, halfInfo.height], ["jpeg", 256, 1024])
    }))

  it.effect("an edit (snake_case inline_data) derives the image from the reference", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      const blue = yield* solidPng(64, 64, [10, 40, 230])
      const reply = yield* generate(emu, "gemini-2.5-flash-image", {
        contents: [{
          role: "user",
          parts: [{ text: "add a hat" }, { inline_data: { mime_type: "image/png", data: blue.toString("base64") } }]
        }],
        generation_config: { response_modalities: ["IMAGE"] }
      })
      assert.strictEqual(reply.status, 200)
      const parts = reply.json.candidates[0].content.parts
      assert.strictEqual(parts.length, 1)
      const bytes = Buffer.from(parts[0].inlineData.data, "base64")
      assert.isTrue(close(yield* pixel(bytes, 512, 512), [10, 40, 230]))
      assert.deepStrictEqual(reply.json.usageMetadata.promptTokensDetails[0], { modality: "IMAGE", tokenCount: 258 })
    }))

  it.effect("credential errors: 403 PERMISSION_DENIED when missing, 400 API_KEY_INVALID when wrong; ?key= works", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      const missing = yield* generate(emu, "gemini-2.5-flash-image", prompt("x"), {})
      assert.strictEqual(missing.status, 403)
      assert.strictEqual(missing.json.error.status, "PERMISSION_DENIED")
      const wrong = yield* generate(emu, "gemini-2.5-flash-image", prompt("x"), { "x-goog-api-key": "nope" })
      assert.strictEqual(wrong.status, 400)
      assert.strictEqual(wrong.json.error.status, "INVALID_ARGUMENT")
      assert.strictEqual(wrong.json.error.details[0]["@type"], "type.googleapis.com/google.rpc.ErrorInfo")
      assert.strictEqual(wrong.json.error.details[0].reason, "API_KEY_INVALID")
      const query = yield* generate(
        emu,
        "gemini-2.5-flash-image",
        prompt("x"),
        {},
        "generateContent",
        `?key=${emu.keys.google}`
      )
      assert.strictEqual(query.status, 200)
      const log = emu.requests("google")
      assert.strictEqual(log[1]!.headers["x-goog-api-key"], "<redacted>")
      assert.isFalse(log[1]!.credentialOk)
      assert.deepStrictEqual(log[2]!.query, { key: "<redacted>" })
      assert.isTrue(log[2]!.credentialOk)
      assert.notInclude(JSON.stringify(log), emu.keys.google)
    }))

  it.effect("validation: unknown model 404, lowercase K, 512 on Pro, ratio, candidateCount, Vertex-only fields, image limit", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      const notFound = yield* generate(emu, "gemini-2.5-flash-image-preview", prompt("x"))
      assert.strictEqual(notFound.status, 404)
      assert.strictEqual(notFound.json.error.status, "NOT_FOUND")
      const invalids: Array<[string, Record<string, unknown>, RegExp]> = [
        ["gemini-3-pro-image", { imageConfig: { imageSize: "1k" } }, /image size/i],
        ["gemini-3-pro-image", { imageConfig: { imageSize: "512" } }, /512/],
        ["gemini-3-pro-image", { imageConfig: { aspectRatio: "8:1" } }, /aspect ratio/i],
        [
          "gemini-2.5-flash-image",
          { candidateCount: 2 },
          /^Multiple candidates is not enabled for models\/gemini-2.5-flash-image$/
        ],
        [
          "gemini-3.1-flash-image",
          { imageConfig: { outputMimeType: "image/png" } },
          /Unknown name "outputMimeType" at 'generation_config.image_config': Cannot find field/
        ],
        ["gemini-3.1-flash-image", { responseModalities: ["PICTURE"] }, /response_modalities/]
      ]
      for (const [model, config, message] of invalids) {
        const reply = yield* generate(emu, model, prompt("x", config))
        assert.strictEqual(reply.status, 400, JSON.stringify(config))
        assert.strictEqual(reply.json.error.code, 400)
        assert.strictEqual(reply.json.error.status, "INVALID_ARGUMENT")
        assert.match(reply.json.error.message, message)
      }
      const png = yield* solidPng(8, 8, [1, 2, 3])
      const image = { inlineData: { mimeType: "image/png", data: png.toString("base64") } }
      const tooMany = yield* generate(emu, "gemini-2.5-flash-image", {
        contents: [{ parts: [{ text: "x" }, image, image, image, image] }]
      })
      assert.strictEqual(tooMany.status, 400)
      const jpg = yield* generate(emu, "gemini-2.5-flash-image", {
        contents: [{ parts: [{ text: "x" }, { inlineData: { mimeType: "image/jpg", data: png.toString("base64") } }] }]
      })
      assert.strictEqual(jpg.status, 400)
      const noSignature = yield* generate(emu, "gemini-3-pro-image", {
        contents: [
          { role: "user", parts: [{ text: "x" }] },
          { role: "model", parts: [image] },
          { role: "user", parts: [{ text: "again" }] }
        ]
      })
      assert.strictEqual(noSignature.status, 400)
      assert.match(noSignature.json.error.message, /missing a thought_signature in content position 2, part position 1/)
      const empty = yield* generate(emu, "gemini-2.5-flash-image", { contents: [] })
      assert.strictEqual(empty.status, 400)
    }))

  it.effect("refusals, text only, status with RetryInfo, HTTP 200 error", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      emu.script(
        "google",
        { kind: "refusal" },
        { kind: "refusal", form: "prompt", reason: "PROHIBITED_CONTENT" },
        { kind: "textOnly", text: "only words" },
        { kind: "status", status: 429, retryAfter: 2 },
        { kind: "status", status: 503 },
        { kind: "status", status: 400, message: "custom", google: { status: "FAILED_PRECONDITION", details: [] } },
        { kind: "http200Error", code: 500 }
      )
      const body = prompt("x")
      const finish = yield* generate(emu, "gemini-3-pro-image", body)
      assert.strictEqual(finish.status, 200)
      assert.strictEqual(finish.json.candidates[0].finishReason, "IMAGE_SAFETY")
      assert.isString(finish.json.candidates[0].finishMessage)
      assert.deepStrictEqual(finish.json.candidates[0].content, { role: "model" })
      const blocked = yield* generate(emu, "gemini-3-pro-image", body)
      assert.deepStrictEqual(blocked.json.promptFeedback, { blockReason: "PROHIBITED_CONTENT" })
      assert.isUndefined(blocked.json.candidates)
      const text = yield* generate(emu, "gemini-2.5-flash-image", body)
      assert.deepStrictEqual(text.json.candidates[0].content.parts, [{ text: "only words" }])
      assert.strictEqual(text.json.candidates[0].finishReason, "STOP")
      const limited = yield* generate(emu, "gemini-2.5-flash-image", body)
      assert.strictEqual(limited.status, 429)
      assert.strictEqual(limited.json.error.status, "RESOURCE_EXHAUSTED")
      const retry = limited.json.error.details.find((d: any) =>
        d["@type"] === "type.googleapis.com/google.rpc.RetryInfo"
      )
      assert.strictEqual(retry.retryDelay, "2s")
      const overloaded = yield* generate(emu, "gemini-2.5-flash-image", body)
      assert.deepStrictEqual(overloaded.json, {
        error: { code: 503, message: "The model is overloaded. Please try again later.", status: "UNAVAILABLE" }
      })
      const custom = yield* generate(emu, "gemini-2.5-flash-image", body)
      assert.deepStrictEqual(custom.json, {
        error: { code: 400, message: "custom", status: "FAILED_PRECONDITION", details: [] }
      })
      const error200 = yield* generate(emu, "gemini-2.5-flash-image", body)
      assert.strictEqual(error200.status, 200)
      assert.strictEqual(error200.json.error.status, "INTERNAL")
      assert.strictEqual(emu.pending("google"), 0)
    }))

  it.effect("streamGenerateContent?alt=sse sends one part per data: line, finishReason on the last", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      const reply = yield* generate(
        emu,
        "gemini-3.1-flash-image",
        prompt("x", { thinkingConfig: { includeThoughts: true } }),
        undefined,
        "streamGenerateContent",
        "?alt=sse"
      )
      assert.strictEqual(reply.status, 200)
      assert.match(reply.headers.get("content-type")!, /^text\/event-stream/)
      const events = reply.text.split("\r\n\r\n").filter((e) => e.length > 0)
      assert.isTrue(events.every((e) => e.startsWith("data: ")))
      const chunks = events.map((e) => JSON.parse(e.slice(6)))
      assert.strictEqual(chunks.length, 3)
      assert.strictEqual(chunks[0].candidates[0].content.parts[0].thought, true)
      assert.isUndefined(chunks[0].candidates[0].finishReason)
      const last = chunks.at(-1)
      assert.strictEqual(last.candidates[0].finishReason, "STOP")
      assert.strictEqual(last.candidates[0].content.parts[0].inlineData.mimeType, "image/jpeg")
      const array = yield* generate(emu, "gemini-2.5-flash-image", prompt("x"), undefined, "streamGenerateContent")
      assert.isTrue(Array.isArray(array.json))
      assert.strictEqual(array.json.length, 2)
    }))

  it.effect("without includeThoughts a Gemini 3 answer is only the signed JPEG, shaped like the live recordings", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      for (const model of ["gemini-3-pro-image", "gemini-3.1-flash-image", "gemini-3.1-flash-lite-image"]) {
        const reply = yield* generate(emu, model, prompt("a cat", { responseModalities: ["IMAGE"] }))
        assert.strictEqual(reply.status, 200, model)
        const [candidate] = reply.json.candidates
        assert.deepStrictEqual(Object.keys(candidate), ["content", "finishReason", "index"])
        assert.deepStrictEqual(candidate.content.parts.map((p: any) => Object.keys(p)), [[
          "inlineData",
          "thoughtSignature"
        ]])
        assert.strictEqual(candidate.content.parts[0].inlineData.mimeType, "image/jpeg")
        assert.strictEqual(reply.json.usageMetadata.serviceTier, "standard")
        assert.deepStrictEqual(reply.json.usageMetadata.candidatesTokensDetails, [{
          modality: "IMAGE",
          tokenCount: 1120
        }])
        assert.strictEqual(reply.json.modelVersion, model)
      }
      const off = yield* generate(
        emu,
        "gemini-3-pro-image",
        prompt("x", { thinkingConfig: { includeThoughts: false } })
      )
      assert.isTrue(off.json.candidates[0].content.parts.every((p: any) => p.thought === undefined))
    }))

  it.effect("new models and lifecycle: Lite 1K only (1:8 is 352×2928), 2.1 without 512, shut-down previews 404", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      const lite = yield* generate(
        emu,
        "gemini-3.1-flash-lite-image",
        prompt("x", { imageConfig: { aspectRatio: "1:8", imageSize: "1K" } })
      )
      const liteInfo = yield* meta(lite.json.candidates[0].content.parts[0].inlineData.data)
      assert.deepStrictEqual([liteInfo.format, liteInfo.width, liteInfo.height], ["jpeg", 352, 2928])
      const lite2K = yield* generate(
        emu,
        "gemini-3.1-flash-lite-image",
        prompt("x", { imageConfig: { imageSize: "2K" } })
      )
      assert.deepStrictEqual([lite2K.status, lite2K.json.error.message], [
        400,
        "Image size 2K is not supported for models/gemini-3.1-flash-lite-image. Supported values are: 1K."
      ])
      const nb21 = yield* generate(
        emu,
        "gemini-nano-banana-2.1",
        prompt("x", { imageConfig: { imageSize: "4K", aspectRatio: "4:1" } })
      )
      const nb21Info = yield* meta(nb21.json.candidates[0].content.parts[0].inlineData.data)
      assert.deepStrictEqual([nb21Info.width, nb21Info.height], [8192, 2048])
      const half = yield* generate(emu, "gemini-nano-banana-2.1", prompt("x", { imageConfig: { imageSize: "512" } }))
      assert.strictEqual(half.status, 400)
      for (const retired of ["gemini-3.1-flash-image-preview", "gemini-3-pro-image-preview"]) {
        const reply = yield* generate(emu, retired, prompt("x"))
        assert.deepStrictEqual([reply.status, reply.json], [404, {
          error: {
            code: 404,
            message:
              `models/${retired} is not found for API version v1beta, or is not supported for generateContent. Call ListModels to see the list of available models and their supported methods.`,
            status: "NOT_FOUND"
          }
        }])
      }
    }))
})
