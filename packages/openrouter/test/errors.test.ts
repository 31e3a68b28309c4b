import { assert, layer } from "@effect/vitest"
import type { ImageGenerationError } from "@nanogen/core"
import * as Emulator from "@nanogen/emulator"
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Fiber from "effect/Fiber"
import * as Redacted from "effect/Redacted"
import * as TestClock from "effect/TestClock"
import { OpenRouterImageProvider } from "../src/index.js"
import { okCompletion, rawJson, rawStream, setup, TestLayer } from "./helpers.js"

const fail = (
  provider: { readonly generate: (r: any) => Effect.Effect<unknown, ImageGenerationError.ImageGenerationError> },
  input: Record<string, unknown> = { prompt: "x" }
) => Effect.flip(provider.generate(input))

layer(TestLayer)("OpenRouter HTTP errors", (it) => {
  const rows: ReadonlyArray<[number, string]> = [
    [400, "InvalidRequest"],
    [401, "AuthenticationFailed"],
    [402, "InsufficientCredits"],
    [403, "AuthenticationFailed"],
    [404, "UnsupportedRequest"],
    [408, "ProviderUnavailable"],
    [413, "InvalidRequest"],
    [422, "InvalidRequest"],
    [429, "RateLimited"],
    [500, "ProviderUnavailable"],
    [502, "ProviderUnavailable"],
    [503, "ProviderUnavailable"],
    [504, "ProviderUnavailable"],
    [524, "ProviderUnavailable"],
    [529, "ProviderUnavailable"]
  ]
  for (const [status, tag] of rows) {
    it.effect(`HTTP ${status} → ${tag} with status and the body's message`, () =>
      Effect.gen(function*() {
        const { emu, provider } = yield* setup()
        emu.script("openrouter", { kind: "status", status, message: `upstream says ${status}` })
        const error = yield* fail(provider)
        assert.strictEqual(error._tag, tag)
        assert.strictEqual(error.status, status)
        assert.strictEqual(error.provider, "openrouter")
        assert.include(error.message, `upstream says ${status}`)
        assert.include(error.message, `HTTP ${status}`)
        assert.strictEqual(error.model, "google/gemini-3.1-flash-image")
      }))
  }

  it.effect("a bad key (real emulator 401) → AuthenticationFailed", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      const provider = yield* OpenRouterImageProvider.make({
        apiKey: Redacted.make("sk-wrong"),
        apiUrl: emu.urls.openrouter
      })
      const error = yield* fail(provider)
      assert.strictEqual(error._tag, "AuthenticationFailed")
      assert.strictEqual(error.status, 401)
      assert.include(error.message, "User not found.")
      assert.isFalse(emu.requests("openrouter")[0]!.credentialOk)
    }))

  it.effect("429 with Retry-After → RateLimited.retryAfter", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      emu.script("openrouter", { kind: "status", status: 429, retryAfter: 7 })
      const error = yield* fail(provider)
      assert.strictEqual(error._tag, "RateLimited")
      if (error._tag !== "RateLimited") return
      assert.deepStrictEqual(error.retryAfter, Duration.seconds(7))
      assert.include(error.message, "Rate limit exceeded")
    }))

  it.effect("429 without a header: availability.retry_after from the body", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      emu.script(
        "openrouter",
        rawJson(429, {
          error: {
            code: 429,
            message: "capacity exhausted",
            availability: { code: "capacity_exhausted", retryable: true, retry_after: 12 }
          }
        })
      )
      const error = yield* fail(provider)
      assert.strictEqual(error._tag, "RateLimited")
      assert.deepStrictEqual(error._tag === "RateLimited" ? error.retryAfter : undefined, Duration.seconds(12))
    }))

  it.effect("400 model_not_found (real emulator, pass-through id) → UnsupportedRequest naming the model", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      const error = yield* fail(provider, { prompt: "x", model: "acme/not-a-model" })
      assert.strictEqual(error._tag, "UnsupportedRequest")
      assert.strictEqual(error.status, 400)
      assert.strictEqual((error as any).field, "model")
      assert.include(error.message, "acme/not-a-model is not a valid model ID")
      assert.strictEqual(emu.requests("openrouter").length, 1)
    }))

  it.effect("400 content_policy_violation → ContentBlocked", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      emu.script("openrouter", {
        kind: "status",
        status: 400,
        message: "Prompt violates the content policy",
        openrouter: { metadata: { error_type: "content_policy_violation" } }
      })
      const error = yield* fail(provider)
      assert.strictEqual(error._tag, "ContentBlocked")
      assert.strictEqual(error.status, 400)
      assert.strictEqual((error as any).reason, "content_policy_violation")
      assert.include(error.message, "Prompt violates the content policy")
    }))

  it.effect("403 moderation body (real emulator refusal form) → ContentBlocked with the reasons", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      emu.script("openrouter", { kind: "refusal", form: "moderation", reason: "violence/graphic" })
      const error = yield* fail(provider)
      assert.strictEqual(error._tag, "ContentBlocked")
      if (error._tag !== "ContentBlocked") return
      assert.strictEqual(error.status, 403)
      assert.strictEqual(error.reason, "violence/graphic")
      assert.include(error.message, "flagged by moderation (violence/graphic)")
      assert.include(error.message, "requires moderation")
    }))

  it.effect("403 with two moderation reasons → ContentBlocked reason lists both", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      emu.script(
        "openrouter",
        rawJson(403, {
          error: {
            code: 403,
            message: "Your input was flagged",
            metadata: { reasons: ["harassment", "hate"], flagged_input: "…", provider_name: "OpenAI", model_slug: "x" }
          }
        })
      )
      const error = yield* fail(provider)
      assert.strictEqual(error._tag, "ContentBlocked")
      assert.strictEqual((error as any).reason, "harassment, hate")
    }))

  it.effect("404 with availability.retryable → ProviderUnavailable; 503 not retryable → UnsupportedRequest", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      emu.script(
        "openrouter",
        rawJson(404, {
          error: { code: 404, message: "No endpoints found", availability: { code: "no_endpoints", retryable: true } }
        }),
        rawJson(503, {
          error: {
            code: 503,
            message: "No available model provider that meets your routing requirements",
            availability: { code: "constraint_filtered", retryable: false }
          }
        })
      )
      const first = yield* fail(provider)
      assert.strictEqual(first._tag, "ProviderUnavailable")
      assert.strictEqual(first.status, 404)
      const second = yield* fail(provider)
      assert.strictEqual(second._tag, "UnsupportedRequest")
      assert.strictEqual(second.status, 503)
      assert.include(second.message, "routing requirements")
    }))

  it.effect("metadata.raw given as a JSON string: the inner message is used", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      emu.script(
        "openrouter",
        rawJson(400, {
          error: {
            code: 400,
            message: "Provider returned error",
            metadata: {
              provider_name: "Google AI Studio",
              raw: JSON.stringify({
                error: { code: 400, message: "Unsupported aspect ratio", status: "INVALID_ARGUMENT" }
              })
            }
          }
        })
      )
      const error = yield* fail(provider)
      assert.strictEqual(error._tag, "InvalidRequest")
      assert.include(error.message, "Provider returned error — Google AI Studio: Unsupported aspect ratio")
    }))
})

layer(TestLayer)("OpenRouter errors inside HTTP 200", (it) => {
  it.effect("choices[].error (emulator http200Error, choice form) → mapped by its code", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      emu.script("openrouter", { kind: "http200Error", form: "choice", code: 502 })
      const error = yield* fail(provider)
      assert.strictEqual(error._tag, "ProviderUnavailable")
      assert.strictEqual(error.status, 502)
      assert.include(error.message, "Provider disconnected mid-stream")
      assert.include(error.message, "HTTP 200")
    }))

  it.effect("top-level error with code 429 → RateLimited; code 402 → InsufficientCredits", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      emu.script(
        "openrouter",
        { kind: "http200Error", form: "top-level", code: 429, message: "slow down" },
        { kind: "http200Error", form: "top-level", code: 402, message: "no credits" }
      )
      const first = yield* fail(provider)
      assert.strictEqual(first._tag, "RateLimited")
      assert.strictEqual(first.status, 429)
      assert.include(first.message, "slow down")
      const second = yield* fail(provider)
      assert.strictEqual(second._tag, "InsufficientCredits")
      assert.strictEqual(second.status, 402)
    }))

  it.effect("an error without a numeric code → ProviderUnavailable", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      emu.script("openrouter", rawJson(200, { error: { message: "something broke" } }))
      const error = yield* fail(provider)
      assert.strictEqual(error._tag, "ProviderUnavailable")
      assert.isUndefined(error.status)
      assert.include(error.message, "something broke")
    }))

  it.effect("streaming: mid-stream error chunk (emulator) → mapped by code", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup({ stream: true })
      emu.script("openrouter", { kind: "http200Error", form: "choice", code: 502 })
      const error = yield* fail(provider)
      assert.strictEqual(error._tag, "ProviderUnavailable")
      assert.strictEqual(error.status, 502)
      assert.include(error.message, "Provider disconnected mid-stream")
    }))

  it.effect("streaming: mid-stream error chunk with code 429 and native_finish_reason → RateLimited", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup({ stream: true })
      emu.script(
        "openrouter",
        rawStream(
          ": OPENROUTER PROCESSING\n\n",
          { choices: [{ index: 0, delta: { role: "assistant", content: "partial" }, finish_reason: null }] },
          {
            error: { code: 429, message: "upstream quota", metadata: { error_type: "rate_limit_exceeded" } },
            choices: [{ index: 0, delta: { content: "" }, finish_reason: "error", native_finish_reason: "ERROR" }]
          }
        )
      )
      const error = yield* fail(provider)
      assert.strictEqual(error._tag, "RateLimited")
      assert.strictEqual(error.status, 429)
      assert.include(error.message, "upstream quota")
    }))
})

layer(TestLayer)("OpenRouter refusals and no-image answers", (it) => {
  for (const stream of [false, true]) {
    const mode = stream ? "streaming" : "JSON"
    it.effect(`${mode}: content_filter + IMAGE_SAFETY → ContentBlocked IMAGE_SAFETY`, () =>
      Effect.gen(function*() {
        const { emu, provider } = yield* setup({ stream })
        emu.script("openrouter", { kind: "refusal", form: "content_filter" })
        const error = yield* fail(provider)
        assert.strictEqual(error._tag, "ContentBlocked")
        if (error._tag !== "ContentBlocked") return
        assert.strictEqual(error.reason, "IMAGE_SAFETY")
        assert.include(error.message, "finish_reason content_filter")
        assert.include(error.message, "native_finish_reason IMAGE_SAFETY")
      }))

    it.effect(`${mode}: finish stop + native IMAGE_PROHIBITED_CONTENT, no images → ContentBlocked`, () =>
      Effect.gen(function*() {
        const { emu, provider } = yield* setup({ stream })
        emu.script("openrouter", { kind: "refusal", form: "native" })
        const error = yield* fail(provider)
        assert.strictEqual(error._tag, "ContentBlocked")
        assert.strictEqual((error as any).reason, "IMAGE_PROHIBITED_CONTENT")
      }))

    it.effect(`${mode}: text-only answer → NoImageReturned carrying the text`, () =>
      Effect.gen(function*() {
        const { emu, provider } = yield* setup({ stream })
        emu.script("openrouter", { kind: "textOnly", text: "Only words today." })
        const error = yield* fail(provider)
        assert.strictEqual(error._tag, "NoImageReturned")
        assert.strictEqual((error as any).text, "Only words today.")
        assert.strictEqual((error as any).finishReason, "stop")
      }))
  }

  it.effect("content_filter with native IMAGE_RECITATION and null content → ContentBlocked", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      emu.script(
        "openrouter",
        rawJson(200, {
          choices: [{
            index: 0,
            finish_reason: "content_filter",
            native_finish_reason: "IMAGE_RECITATION",
            message: { role: "assistant", content: null }
          }]
        })
      )
      const error = yield* fail(provider)
      assert.strictEqual(error._tag, "ContentBlocked")
      assert.strictEqual((error as any).reason, "IMAGE_RECITATION")
    }))

  it.effect("native SAFETY / PROHIBITED_CONTENT without images → ContentBlocked", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      const answer = (native: string) =>
        rawJson(200, {
          choices: [{ index: 0, finish_reason: "stop", native_finish_reason: native, message: { content: "" } }]
        })
      emu.script("openrouter", answer("SAFETY"), answer("PROHIBITED_CONTENT"))
      for (const reason of ["SAFETY", "PROHIBITED_CONTENT"]) {
        const error = yield* fail(provider)
        assert.strictEqual(error._tag, "ContentBlocked")
        assert.strictEqual((error as any).reason, reason)
      }
    }))

  it.effect("content_filter without native reason → ContentBlocked content_filter", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      emu.script(
        "openrouter",
        rawJson(200, { choices: [{ index: 0, finish_reason: "content_filter", message: { content: "" } }] })
      )
      const error = yield* fail(provider)
      assert.strictEqual(error._tag, "ContentBlocked")
      assert.strictEqual((error as any).reason, "content_filter")
    }))

  it.effect("message.refusal without images → ContentBlocked refusal carrying the text", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      emu.script(
        "openrouter",
        rawJson(200, {
          choices: [{ index: 0, finish_reason: "stop", message: { content: null, refusal: "I won't draw that." } }]
        })
      )
      const error = yield* fail(provider)
      assert.strictEqual(error._tag, "ContentBlocked")
      assert.strictEqual((error as any).reason, "refusal")
      assert.strictEqual((error as any).text, "I won't draw that.")
    }))

  it.effect("NO_IMAGE / finish length without images → NoImageReturned, not ContentBlocked", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      emu.script(
        "openrouter",
        rawJson(200, {
          choices: [{ index: 0, finish_reason: "length", native_finish_reason: "NO_IMAGE", message: { content: "" } }]
        })
      )
      const error = yield* fail(provider)
      assert.strictEqual(error._tag, "NoImageReturned")
      assert.strictEqual((error as any).finishReason, "length")
    }))

  it.effect("content parts → text; finish_reason absent → native_finish_reason", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      const completion = okCompletion() as any
      completion.choices[0].message.content = [{ type: "text", text: "Here " }, { type: "text", text: "you go" }]
      delete completion.choices[0].finish_reason
      emu.script("openrouter", rawJson(200, completion))
      const result = yield* provider.generate({ prompt: "x" })
      assert.strictEqual(result.text, "Here you go")
      assert.strictEqual(result.finishReason, "STOP")
    }))

  it.effect("the data URL label is checked against the bytes: the bytes win", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      const completion = okCompletion() as any
      const url: string = completion.choices[0].message.images[0].image_url.url
      completion.choices[0].message.images[0].image_url.url = url.replace("image/png", "image/jpeg")
      emu.script("openrouter", rawJson(200, completion))
      const result = yield* provider.generate({ prompt: "x" })
      assert.strictEqual(result.images[0].mimeType, "image/png")
    }))
})

layer(TestLayer)("OpenRouter transport and decoding failures", (it) => {
  it.effect("connection reset mid-body → ProviderUnavailable", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      emu.script("openrouter", { kind: "reset" })
      const error = yield* fail(provider)
      assert.strictEqual(error._tag, "ProviderUnavailable")
    }))

  it.effect("truncated JSON body → ProviderUnavailable", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      emu.script("openrouter", { kind: "truncated" })
      const error = yield* fail(provider)
      assert.strictEqual(error._tag, "ProviderUnavailable")
      assert.include(error.message, "cut short")
    }))

  it.effect("truncated stream (no [DONE], no finish, no image) → ProviderUnavailable", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup({ stream: true })
      emu.script(
        "openrouter",
        rawStream(": OPENROUTER PROCESSING\n\n", { choices: [{ index: 0, delta: { content: "Work" } }] })
      )
      const error = yield* fail(provider)
      assert.strictEqual(error._tag, "ProviderUnavailable")
      assert.include(error.message, "stream ended")
    }))

  it.effect("an HTML page with 200 → MalformedResponse; with 502 → ProviderUnavailable (the status wins)", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      emu.script("openrouter", { kind: "html", status: 200 }, { kind: "html", status: 502 })
      const first = yield* fail(provider)
      assert.strictEqual(first._tag, "MalformedResponse")
      assert.include(first.message, "not JSON")
      const second = yield* fail(provider)
      assert.strictEqual(second._tag, "ProviderUnavailable")
      assert.strictEqual(second.status, 502)
    }))

  it.effect("a body of the wrong shape → MalformedResponse naming the path", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      emu.script("openrouter", rawJson(200, { choices: "nope" }))
      const error = yield* fail(provider)
      assert.strictEqual(error._tag, "MalformedResponse")
      assert.include(error.message, "choices")
    }))

  it.effect("a broken data URL → MalformedResponse; a stream chunk that is not JSON → MalformedResponse", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      const completion = okCompletion() as any
      completion.choices[0].message.images[0].image_url.url = "data:image/png;base64"
      emu.script("openrouter", rawJson(200, completion))
      const error = yield* fail(provider)
      assert.strictEqual(error._tag, "MalformedResponse")
      assert.include(error.message, "images[0]")
      const streaming = yield* setup({ stream: true })
      streaming.emu.script("openrouter", rawStream("data: <html>\n\n", "data: [DONE]\n\n"))
      const chunkError = yield* fail(streaming.provider)
      assert.strictEqual(chunkError._tag, "MalformedResponse")
    }))

  it.effect("an image URL on a private address is refused (SSRF policy) → MalformedResponse", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      const completion = okCompletion() as any
      completion.choices[0].message.images[0].image_url.url = "http://127.0.0.1:9/image.png"
      emu.script("openrouter", rawJson(200, completion))
      const error = yield* fail(provider)
      assert.strictEqual(error._tag, "MalformedResponse")
      assert.include(error.message, "downloading the generated image failed")
    }))

  it.effect("no answer within the timeout → Timeout", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup({ timeout: "5 seconds" })
      emu.script("openrouter", { kind: "hang" })
      const fiber = yield* Effect.fork(fail(provider))
      // let the request reach the emulator (real time), then move the test clock past the deadline
      while (emu.requests("openrouter").length === 0) {
        yield* Effect.promise(() => new Promise((resolve) => setTimeout(resolve, 10)))
      }
      yield* TestClock.adjust("6 seconds")
      const error = yield* Fiber.join(fiber)
      assert.strictEqual(error._tag, "Timeout")
      assert.include(error.message, "no complete answer within")
    }))

  it.effect("a response over maxBodyBytes → MalformedResponse", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup({ maxBodyBytes: 200 })
      emu.script("openrouter", rawJson(200, okCompletion()))
      const error = yield* fail(provider)
      assert.strictEqual(error._tag, "MalformedResponse")
      assert.include(error.message, "cap")
    }))
})

layer(TestLayer)("OpenRouter n > 1", (it) => {
  it.effect("n = 3 → three single-image calls, usage and cost summed, three attempts", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup({ concurrency: 2 })
      emu.scriptWith("openrouter", () => rawJson(200, okCompletion()))
      const result = yield* provider.generate({ prompt: "x", n: 3 })
      assert.strictEqual(emu.requests("openrouter").length, 3)
      assert.strictEqual(result.images.length, 3)
      assert.deepStrictEqual(result.usage, { inputTokens: 3, outputTokens: 6, totalTokens: 9 })
      assert.strictEqual(result.cost?.source, "reported")
      assert.closeTo(result.cost!.usd, 0.03, 1e-12)
      assert.strictEqual(result.attempts.length, 3)
      for (const request of emu.requests("openrouter")) assert.isUndefined((request.body as any).n)
    }))

  it.effect("n = 2 against the real emulator with a seed → two images", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup()
      const result = yield* provider.generate({ prompt: "x", n: 2, seed: 5, model: "nano-banana" })
      assert.strictEqual(result.images.length, 2)
      assert.strictEqual(emu.requests("openrouter").length, 2)
      assert.isTrue(emu.requests("openrouter").every((r) => (r.body as any).seed === 5))
    }))

  it.effect("n = 2 with one failure → the error", () =>
    Effect.gen(function*() {
      const { emu, provider } = yield* setup({ concurrency: 1 })
      emu.script("openrouter", rawJson(200, okCompletion()), { kind: "status", status: 402 })
      const error = yield* fail(provider, { prompt: "x", n: 2 })
      assert.strictEqual(error._tag, "InsufficientCredits")
    }))
})
