import { assert, describe, layer } from "@effect/vitest"
import { ImageProvider, type ImageRequest } from "@nanogen/core"
import { EmulatorService, type Fault, layer as emulatorLayer } from "@nanogen/emulator"
import type * as Emulator from "@nanogen/emulator"
import {
  assertNoSecret,
  CANARY_KEY,
  fixture,
  HttpClientLive,
  makeLogRecorder,
  makeSpanRecorder,
  recordedImages
} from "@nanogen/test-utils"
import { ConfigProvider, Effect, Layer, Redacted } from "effect"
import { mkdtempSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { VertexImageProvider } from "../src/index.js"

const TestLayer = Layer.merge(emulatorLayer({ keys: { vertex: CANARY_KEY } }), HttpClientLive)

const PNG = recordedImages().png.data

type Options = Partial<VertexImageProvider.Options>

/** Tokens the emulator's token endpoint issued to the provider, read off the token answers. */
const issued: Array<string> = []
const recordingFetch = (emu: Emulator.Emulator): typeof fetch => async (input, init) => {
  const response = await emu.vertex.tokenFetch(input, init)
  const token = (await response.clone().json().catch(() => ({})) as { access_token?: string }).access_token
  if (token !== undefined) issued.push(token)
  return response
}

const oauth = (emu: Emulator.Emulator, options: Options = {}): VertexImageProvider.Options => ({
  project: emu.vertex.project,
  credentials: emu.vertex.serviceAccount(),
  googleAuthOptions: { clientOptions: { transporterOptions: { fetchImplementation: recordingFetch(emu) } } },
  apiUrl: emu.urls.vertex,
  ...options
})

const express = (emu: Emulator.Emulator, options: Options = {}): VertexImageProvider.Options => ({
  apiKey: Redacted.make(emu.keys.vertex),
  apiUrl: emu.urls.vertex,
  ...options
})

const generate = (options: VertexImageProvider.Options, input: ImageRequest.Input) =>
  Effect.flatMap(VertexImageProvider.make(options), (provider) => provider.generate(input))

const setup = (...faults: Array<Fault>) =>
  Effect.gen(function*() {
    const emu = yield* EmulatorService
    emu.reset()
    if (faults.length > 0) emu.script("vertex", ...faults)
    return emu
  })

const apiCalls = (emu: Emulator.Emulator) => emu.requests("vertex").filter((request) => request.path !== "/token")

const json = { "content-type": "application/json; charset=utf-8" }
const rawFixture = (file: string, status: number, headers: Record<string, string> = json): Fault => ({
  kind: "raw",
  status,
  body: fixture("vertex", file),
  headers
})

const PROJECT_PATH = "/v1/projects/emu-project/locations/global/publishers/google/models"

layer(TestLayer, { timeout: 60_000, excludeTestServices: true })("VertexImageProvider", (it) => {
  describe("generate and edit through the emulator", () => {
    for (const stream of [false, true]) {
      const method = stream ? "streamGenerateContent" : "generateContent"
      it.effect(`OAuth (service account): text-to-image, ${method}`, () =>
        Effect.gen(function*() {
          const emu = yield* setup()
          const result = yield* generate(oauth(emu, { stream }), {
            prompt: "a nano banana",
            model: "nano-banana-pro",
            aspectRatio: "16:9",
            imageSize: "2K"
          })
          const [token, call] = emu.requests("vertex")
          assert.strictEqual(token.path, "/token")
          assert.strictEqual(call.path, `${PROJECT_PATH}/gemini-3-pro-image:${method}`)
          assert.deepStrictEqual(call.query, stream ? { alt: "sse" } : {})
          assert.strictEqual(call.headers.authorization, "<redacted>")
          assert.isUndefined(call.headers["x-goog-api-key"])
          assert.isTrue(call.credentialOk)
          assert.deepStrictEqual(call.body, {
            contents: [{ role: "user", parts: [{ text: "a nano banana" }] }],
            generationConfig: {
              responseModalities: ["TEXT", "IMAGE"],
              imageConfig: { aspectRatio: "16:9", imageSize: "2K" }
            }
          })
          assert.strictEqual(result.provider, "vertex")
          assert.strictEqual(result.model, "gemini-3-pro-image")
          assert.strictEqual(result.images.length, 1)
          assert.strictEqual(result.images[0].mimeType, "image/jpeg")
          assert.isString(result.images[0].thoughtSignature)
          assert.strictEqual(result.attempts[0].outcome, "success")
          assert.strictEqual(result.cost?.source, "estimated")
        }))

      it.effect(`express-mode key: edit with a reference image, ${method}`, () =>
        Effect.gen(function*() {
          const emu = yield* setup()
          const result = yield* generate(express(emu, { stream }), {
            prompt: "make it purple",
            model: "nano-banana",
            images: [{ data: PNG }]
          })
          const [call] = apiCalls(emu)
          assert.strictEqual(call.path, `/v1/publishers/google/models/gemini-2.5-flash-image:${method}`)
          assert.strictEqual(call.headers["x-goog-api-key"], "<redacted>")
          assert.isUndefined(call.headers.authorization)
          assert.isTrue(call.credentialOk)
          assert.deepStrictEqual(call.body, {
            contents: [{
              role: "user",
              parts: [
                { text: "make it purple" },
                { inlineData: { mimeType: "image/png", data: Buffer.from(PNG).toString("base64") } }
              ]
            }],
            generationConfig: { responseModalities: ["TEXT", "IMAGE"] }
          })
          assert.strictEqual(result.model, "gemini-2.5-flash-image")
          assert.strictEqual(result.images.length, 1)
        }))
    }

    it.effect("one token serves several calls (n = 3 → three calls, one token request)", () =>
      Effect.gen(function*() {
        const emu = yield* setup()
        const result = yield* generate(oauth(emu), { prompt: "p", model: "nano-banana-2", n: 3 })
        assert.strictEqual(result.images.length, 3)
        assert.strictEqual(emu.requests("vertex").filter((request) => request.path === "/token").length, 1)
        assert.strictEqual(apiCalls(emu).length, 3)
      }))

    it.effect("a regional location goes into the path; the default base URL is the regional host", () =>
      Effect.gen(function*() {
        const emu = yield* setup()
        yield* generate(oauth(emu, { location: "us-central1" }), { prompt: "p", model: "nano-banana" })
        assert.strictEqual(
          apiCalls(emu)[0].path,
          "/v1/projects/emu-project/locations/us-central1/publishers/google/models/gemini-2.5-flash-image:generateContent"
        )
      }))

    it.effect("a global-only model in a region is refused before any call", () =>
      Effect.gen(function*() {
        const emu = yield* setup()
        const error = yield* Effect.flip(
          generate(oauth(emu, { location: "europe-west4" }), { prompt: "p", model: "nano-banana-2" })
        )
        assert.strictEqual(error._tag, "UnsupportedRequest")
        assert.strictEqual((error as { field?: string }).field, "location")
        assert.include(error.message, "global")
        assert.strictEqual(emu.requests("vertex").length, 0)
      }))

    it.effect("the project defaults to the service account's project_id", () =>
      Effect.gen(function*() {
        const emu = yield* setup()
        yield* generate(oauth(emu, { project: undefined }), { prompt: "p" })
        assert.include(apiCalls(emu)[0].path, `/projects/${emu.vertex.serviceAccount().project_id}/`)
      }))
  })

  describe("Vertex-only fields, thinking and grounding on the wire", () => {
    it.effect("providerOptions.vertex → imageConfig.imageOutputOptions/personGeneration/prominentPeople, labels", () =>
      Effect.gen(function*() {
        const emu = yield* setup()
        const result = yield* generate(oauth(emu), {
          prompt: "p",
          model: "nano-banana-pro",
          aspectRatio: "1:1",
          providerOptions: {
            vertex: {
              imageOutputOptions: { mimeType: "image/png", compressionQuality: 80 },
              personGeneration: "ALLOW_ADULT",
              prominentPeople: "BLOCK_PROMINENT_PEOPLE",
              labels: { team: "design", run: "r-1" }
            }
          }
        })
        const body = apiCalls(emu)[0].body as Record<string, any>
        assert.deepStrictEqual(body.generationConfig.imageConfig, {
          imageOutputOptions: { mimeType: "image/png", compressionQuality: 80 },
          personGeneration: "ALLOW_ADULT",
          prominentPeople: "BLOCK_PROMINENT_PEOPLE",
          aspectRatio: "1:1"
        })
        assert.deepStrictEqual(body.labels, { team: "design", run: "r-1" })
        assert.strictEqual(result.images[0].mimeType, "image/png")
      }))

    const invalid: ReadonlyArray<readonly [string, Record<string, unknown>]> = [
      ["an unknown key", { outputMimeType: "image/png" }],
      ["a label key with capitals", { labels: { Team: "x" } }],
      ["a compression quality above 100", { imageOutputOptions: { compressionQuality: 101 } }],
      ["an unknown personGeneration", { personGeneration: "DONT_ALLOW" }]
    ]
    for (const [name, vertex] of invalid) {
      it.effect(`providerOptions.vertex with ${name} → InvalidRequest before any call`, () =>
        Effect.gen(function*() {
          const emu = yield* setup()
          const error = yield* Effect.flip(generate(oauth(emu), { prompt: "p", providerOptions: { vertex } }))
          assert.strictEqual(error._tag, "InvalidRequest")
          assert.include((error as { field?: string }).field ?? "", "providerOptions.vertex")
          assert.strictEqual(emu.requests("vertex").length, 0)
        }))
    }

    it.effect("thinkingLevel → thinkingConfig.thinkingLevel; grounding → tools googleSearch with image search", () =>
      Effect.gen(function*() {
        const emu = yield* setup()
        yield* generate(express(emu), {
          prompt: "p",
          model: "nano-banana-2",
          thinkingLevel: "high",
          grounding: { googleSearch: true, imageSearch: true }
        })
        const body = apiCalls(emu)[0].body as Record<string, any>
        assert.deepStrictEqual(body.generationConfig.thinkingConfig, { thinkingLevel: "HIGH" })
        assert.deepStrictEqual(body.tools, [{ google_search: { search_types: { web_search: {}, image_search: {} } } }])
      }))

    it.effect("grounding on Lite is not sent, with a warning", () =>
      Effect.gen(function*() {
        const emu = yield* setup()
        const result = yield* generate(express(emu), {
          prompt: "p",
          model: "nano-banana-2-lite",
          grounding: { googleSearch: true }
        })
        assert.isUndefined((apiCalls(emu)[0].body as Record<string, unknown>).tools)
        assert.isTrue(result.warnings.some((warning) => warning.includes("grounding.googleSearch")))
      }))
  })

  describe("errors (every Vertex row)", () => {
    it.effect("another project → 403 IAM_PERMISSION_DENIED → AuthenticationFailed naming the permission", () =>
      Effect.gen(function*() {
        const emu = yield* setup()
        const error = yield* Effect.flip(generate(oauth(emu, { project: "someone-else" }), { prompt: "p" }))
        assert.strictEqual(error._tag, "AuthenticationFailed")
        assert.strictEqual(error.status, 403)
        assert.include(error.message, "aiplatform.endpoints.predict")
      }))

    it.effect("an unknown model → 404 Publisher Model not found → UnsupportedRequest", () =>
      Effect.gen(function*() {
        const emu = yield* setup()
        const error = yield* Effect.flip(generate(oauth(emu), { prompt: "p", model: "gemini-9-image" }))
        assert.strictEqual(error._tag, "UnsupportedRequest")
        assert.strictEqual(error.status, 404)
        assert.include(error.message, "Publisher Model")
      }))

    it.effect("an unknown location → Google's HTML 404 → UnsupportedRequest", () =>
      Effect.gen(function*() {
        const emu = yield* setup()
        const error = yield* Effect.flip(
          generate(oauth(emu, { location: "mars-north1" }), { prompt: "p", model: "gemini-9-image" })
        )
        assert.strictEqual(error._tag, "UnsupportedRequest")
        assert.strictEqual(error.status, 404)
      }))

    it.effect("quota 429 (no RetryInfo) → RateLimited without retryAfter", () =>
      Effect.gen(function*() {
        const emu = yield* setup({ kind: "status", status: 429 })
        const error = yield* Effect.flip(generate(oauth(emu), { prompt: "p" }))
        assert.strictEqual(error._tag, "RateLimited")
        assert.isUndefined((error as { retryAfter?: unknown }).retryAfter)
        assert.include(error.message, "Resource exhausted")
      }))

    it.effect("503 → ProviderUnavailable", () =>
      Effect.gen(function*() {
        const emu = yield* setup({ kind: "status", status: 503 })
        assert.strictEqual((yield* Effect.flip(generate(express(emu), { prompt: "p" })))._tag, "ProviderUnavailable")
      }))

    it.effect("an expired token → 401 → a new token and one retry, which succeeds", () =>
      Effect.gen(function*() {
        const emu = yield* setup()
        const provider = yield* VertexImageProvider.make(oauth(emu))
        yield* provider.generate({ prompt: "p" })
        emu.vertex.expireTokens()
        const result = yield* provider.generate({ prompt: "p" })
        assert.strictEqual(result.images.length, 1)
        const paths = emu.requests("vertex").map((request) => request.path === "/token" ? "token" : "call")
        assert.deepStrictEqual(paths, ["token", "call", "call", "token", "call"])
      }))

    it.effect("a refused token grant → AuthenticationFailed naming what to set, no API call", () =>
      Effect.gen(function*() {
        const emu = yield* setup()
        emu.vertex.failTokenRequests(5)
        const error = yield* Effect.flip(generate(oauth(emu), { prompt: "p" }))
        assert.strictEqual(error._tag, "AuthenticationFailed")
        assert.include(error.message, "GOOGLE_APPLICATION_CREDENTIALS")
        assert.include(error.message, "VERTEX_API_KEY")
        assert.strictEqual(apiCalls(emu).length, 0)
      }))

    it.effect("a wrong express-mode key → 400 API_KEY_INVALID → AuthenticationFailed", () =>
      Effect.gen(function*() {
        const emu = yield* setup()
        const error = yield* Effect.flip(
          generate(express(emu, { apiKey: Redacted.make("wrong-key") }), { prompt: "p" })
        )
        assert.strictEqual(error._tag, "AuthenticationFailed")
      }))
  })

  describe("recorded fixtures (fixtures/vertex/SOURCES.md outcomes)", () => {
    it.effect("firebase-image-output-empty-safety-ratings.json → one PNG, STOP, usage 15/258/273", () =>
      Effect.gen(function*() {
        const emu = yield* setup(rawFixture("firebase-image-output-empty-safety-ratings.json", 200))
        const result = yield* generate(express(emu), { prompt: "p", model: "nano-banana" })
        assert.strictEqual(result.images.length, 1)
        assert.strictEqual(result.images[0].mimeType, "image/png")
        assert.isUndefined(result.text)
        assert.strictEqual(result.finishReason, "STOP")
        assert.deepStrictEqual(result.usage, { inputTokens: 15, outputTokens: 258, totalTokens: 273 })
      }))

    it.effect("firebase-image-output-empty-safety-ratings-stream.txt → one PNG, usage from the last chunk", () =>
      Effect.gen(function*() {
        const emu = yield* setup(
          rawFixture("firebase-image-output-empty-safety-ratings-stream.txt", 200, {
            "content-type": "text/event-stream"
          })
        )
        const result = yield* generate(express(emu, { stream: true }), { prompt: "p", model: "nano-banana" })
        assert.strictEqual(result.images.length, 1)
        assert.strictEqual(result.images[0].mimeType, "image/png")
        assert.isUndefined(result.text)
        assert.deepStrictEqual(result.usage, { inputTokens: 15, outputTokens: 258, totalTokens: 273 })
      }))

    const errors: ReadonlyArray<readonly [string, number, string, Record<string, string> | undefined, string]> = [
      [
        "firebase-error-403-iam-permission-denied.json",
        403,
        "AuthenticationFailed",
        undefined,
        "aiplatform.endpoints.predict"
      ],
      ["firebase-error-404-invalid-location.html", 404, "UnsupportedRequest", { "content-type": "text/html" }, "404"],
      ["error-404-publisher-model-not-found.json", 404, "UnsupportedRequest", undefined, "Publisher Model"],
      ["error-429-resource-exhausted-rate-limit.json", 429, "RateLimited", undefined, "Resource exhausted"]
    ]
    for (const [file, status, tag, headers, text] of errors) {
      for (const stream of [false, true]) {
        it.effect(`${file} → ${tag} (stream: ${stream})`, () =>
          Effect.gen(function*() {
            const emu = yield* setup(rawFixture(file, status, headers))
            const error = yield* Effect.flip(generate(express(emu, { stream }), { prompt: "p" }))
            assert.strictEqual(error._tag, tag)
            assert.strictEqual(error.status, status)
            assert.include(error.message, text)
            if (tag === "RateLimited") assert.isUndefined((error as { retryAfter?: unknown }).retryAfter)
          }))
      }
    }

    it.effect("firebase-safety-no-content.json → ContentBlocked SAFETY", () =>
      Effect.gen(function*() {
        const emu = yield* setup(rawFixture("firebase-safety-no-content.json", 200))
        const error = yield* Effect.flip(generate(express(emu), { prompt: "p" }))
        assert.strictEqual(error._tag, "ContentBlocked")
        assert.strictEqual((error as { reason?: string }).reason, "SAFETY")
      }))

    it.effect("the 429 body inside a JSON array (as a stream error) → RateLimited", () =>
      Effect.gen(function*() {
        const emu = yield* setup({
          kind: "raw",
          status: 429,
          body: `[${fixture("vertex", "error-429-resource-exhausted-rate-limit.json")}]`,
          headers: json
        })
        const error = yield* Effect.flip(generate(express(emu, { stream: true }), { prompt: "p" }))
        assert.strictEqual(error._tag, "RateLimited")
      }))
  })

  describe("configuration", () => {
    const withEnv = (env: Record<string, string>) => (effect: Effect.Effect<any, any, any>) =>
      Effect.withConfigProvider(effect, ConfigProvider.fromMap(new Map(Object.entries(env))))

    it.effect("layerConfig: GOOGLE_CLOUD_PROJECT, GOOGLE_CLOUD_LOCATION, GOOGLE_APPLICATION_CREDENTIALS, VERTEX_API_URL", () =>
      Effect.gen(function*() {
        const emu = yield* setup()
        const file = path.join(mkdtempSync(path.join(tmpdir(), "nanogen-vertex-")), "sa.json")
        writeFileSync(file, JSON.stringify(emu.vertex.serviceAccount()))
        const layer = VertexImageProvider.layerConfig({
          googleAuthOptions: { clientOptions: { transporterOptions: { fetchImplementation: emu.vertex.tokenFetch } } }
        })
        const result = yield* ImageProvider.generate({ prompt: "p", model: "nano-banana" }).pipe(
          Effect.provide(layer),
          withEnv({
            GOOGLE_CLOUD_PROJECT: "emu-project",
            GOOGLE_CLOUD_LOCATION: "us-central1",
            GOOGLE_APPLICATION_CREDENTIALS: file,
            VERTEX_API_URL: emu.urls.vertex
          })
        )
        assert.strictEqual(result.provider, "vertex")
        assert.include(apiCalls(emu)[0].path, "/locations/us-central1/")
      }))
  })

  it.effect("the express key and OAuth tokens never show in results, errors, spans or logs", () =>
    Effect.gen(function*() {
      const emu = yield* setup()
      const spans = makeSpanRecorder()
      const logs = makeLogRecorder()
      const run = <A, E, R>(effect: Effect.Effect<A, E, R>) =>
        effect.pipe(Effect.either, Effect.provide(Layer.merge(spans.layer, logs.layer)))
      const outcomes: Array<unknown> = []
      const provider = yield* VertexImageProvider.make(oauth(emu))
      outcomes.push(yield* run(provider.generate({ prompt: "p" })))
      const token = issued.at(-1)!
      assert.match(token, /^ya29\./)
      const echo = (secret: string): Fault => ({
        kind: "raw",
        status: 500,
        body: JSON.stringify({ error: { code: 500, message: `bad credential ${secret}`, status: "INTERNAL" } }),
        headers: json
      })
      emu.script("vertex", echo(token), echo(CANARY_KEY), { kind: "status", status: 429 })
      outcomes.push(yield* run(provider.generate({ prompt: "p" })))
      outcomes.push(yield* run(generate(express(emu), { prompt: "p" })))
      outcomes.push(yield* run(generate(express(emu, { stream: true }), { prompt: "p" })))
      outcomes.push(yield* run(generate(express(emu), { prompt: "p", model: "nano-banana-pro" })))
      for (const secret of [CANARY_KEY, token]) assertNoSecret(secret, outcomes, spans.spans(), logs.lines())
    }))
  it.effect("a two-turn session (nano-banana-2, signatures enforced) echoes the first turn's parts byte for byte", () =>
    Effect.gen(function*() {
      const emu = yield* setup()
      const provider = yield* VertexImageProvider.make(express(emu))
      const first = yield* provider.generate({ model: "nano-banana-2", prompt: "a nano banana", history: [] })
      const turn = first.turn
      assert.strictEqual(turn?.format, "gemini")
      if (turn?.format !== "gemini") return
      const second = yield* provider.generate({
        model: "nano-banana-2",
        prompt: "now make the plate black",
        history: [{ role: "user", prompt: "a nano banana" }, turn]
      })
      const [one, two] = apiCalls(emu).map((call) => call.body as { contents: Array<{ parts: unknown }> })
      assert.include(apiCalls(emu)[1].path, "/models/gemini-3.1-flash-image:generateContent")
      assert.deepStrictEqual(two.contents, [
        one.contents[0],
        { role: "model", parts: turn.parts },
        { role: "user", parts: [{ text: "now make the plate black" }] }
      ])
      assert.strictEqual(JSON.stringify(two.contents[1].parts), JSON.stringify(turn.parts))
      assert.isTrue(turn.parts.some((part) => typeof part.thoughtSignature === "string"))
      assert.strictEqual(second.images.length, 1)
    }))
})
