import type * as HttpClient from "@effect/platform/HttpClient"
import type { ImageProvider } from "@nanogen/core"
import * as Emulator from "@nanogen/emulator"
import { fixture, HttpClientLive } from "@nanogen/test-utils"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import { OpenRouterImageProvider } from "../src/index.js"

export const TestLayer = Layer.mergeAll(Emulator.layer(), HttpClientLive)

/** A fresh emulator state and a provider pointed at it. */
export const setup = (
  options: Partial<OpenRouterImageProvider.Options> = {}
): Effect.Effect<
  { readonly emu: Emulator.Emulator; readonly provider: ImageProvider.ImageProvider.Service },
  never,
  Emulator.EmulatorService | HttpClient.HttpClient
> =>
  Effect.gen(function*() {
    const emu = yield* Emulator.EmulatorService
    emu.reset()
    const provider = yield* OpenRouterImageProvider.make({
      apiKey: Redacted.make(emu.keys.openrouter),
      apiUrl: emu.urls.openrouter,
      ...options
    })
    return { emu, provider }
  })

/** Replays a recorded fixture with the status and headers SOURCES.md gives. */
export const rawFixture = (
  file: string,
  status = 200,
  headers: Record<string, string> = {}
): Emulator.Fault => ({
  kind: "raw",
  status,
  body: fixture("openrouter", file),
  headers: { "content-type": file.endsWith(".txt") ? "text/event-stream" : "application/json", ...headers }
})

/** A raw JSON answer. */
export const rawJson = (status: number, body: unknown, headers: Record<string, string> = {}): Emulator.Fault => ({
  kind: "raw",
  status,
  body: JSON.stringify(body),
  headers: { "content-type": "application/json", ...headers }
})

/** A raw SSE answer from chunks (objects are sent as `data: <json>`, strings as they are). */
export const rawStream = (...events: ReadonlyArray<unknown>): Emulator.Fault => ({
  kind: "raw",
  status: 200,
  body: events.map((event) => typeof event === "string" ? event : `data: ${JSON.stringify(event)}\n\n`).join(""),
  headers: { "content-type": "text/event-stream" }
})

/** The 1×1 PNG of ai-sdk-provider's image test (aisdk-image-model-text-and-image.json). */
export const PNG_1x1 = new Uint8Array(
  Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
    "base64"
  )
)

/** A minimal successful completion with the 1×1 PNG. */
export const okCompletion = (extra: Record<string, unknown> = {}) => ({
  id: "gen-test",
  object: "chat.completion",
  model: "google/gemini-3.1-flash-image",
  choices: [{
    index: 0,
    finish_reason: "stop",
    native_finish_reason: "STOP",
    message: {
      role: "assistant",
      content: "ok",
      images: [{
        type: "image_url",
        image_url: { url: `data:image/png;base64,${Buffer.from(PNG_1x1).toString("base64")}` }
      }]
    }
  }],
  usage: { prompt_tokens: 1, completion_tokens: 2, total_tokens: 3, cost: 0.01 },
  ...extra
})
