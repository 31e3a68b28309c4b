import type * as HttpClient from "@effect/platform/HttpClient"
import type { ImageGenerationError, ImageProvider, ImageRequest, ImageResult } from "@nanogen/core"
import type * as Emulator from "@nanogen/emulator"
import { fixture } from "@nanogen/test-utils"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { AimlApiImageProvider } from "../src/index.js"

/** A 1×1 PNG (from the OpenRouter ai-sdk fixture). */
export const PNG_1x1 = new Uint8Array(
  Buffer.from(
    "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
    "base64"
  )
)
export const PNG_1x1_DATA_URL = `data:image/png;base64,${Buffer.from(PNG_1x1).toString("base64")}`

/** The provider under test, pointed at the emulator (loopback: private network allowed). */
export const provider = (
  emu: Emulator.Emulator,
  options: Partial<AimlApiImageProvider.Options> = {}
): Effect.Effect<ImageProvider.ImageProvider.Service, never, HttpClient.HttpClient> =>
  AimlApiImageProvider.make({
    apiKey: Redacted.make(emu.keys.aimlapi),
    apiUrl: emu.urls.aimlapi,
    download: { allowPrivateNetwork: true },
    ...options
  })

export const generate = (
  emu: Emulator.Emulator,
  request: ImageRequest.Input,
  options: Partial<AimlApiImageProvider.Options> = {}
): Effect.Effect<ImageResult.ImageResult, ImageGenerationError.ImageGenerationError, HttpClient.HttpClient> =>
  Effect.flatMap(provider(emu, options), (service) => service.generate(request))

export const apiCalls = (emu: Emulator.Emulator) =>
  emu.requests("aimlapi").filter((request) => request.path === "/v1/images/generations")

export const cdnCalls = (emu: Emulator.Emulator) =>
  emu.requests("aimlapi").filter((request) => request.path.startsWith("/cdn/"))

const json = { "content-type": "application/json" }

/** Scripts a raw JSON answer. */
export const raw = (emu: Emulator.Emulator, status: number, body: unknown, headers: Record<string, string> = {}) =>
  emu.script("aimlapi", {
    kind: "raw",
    status,
    body: typeof body === "string" ? body : JSON.stringify(body),
    headers: { ...json, ...headers }
  })

/**
 * A URL on the emulator's CDN that serves real image bytes of the wanted type. The emulator serves only images it
 * generated itself, so one is generated first (NB2 renders PNG, Pro renders JPEG) with a plain loopback fetch; the
 * request log is reset afterwards (the CDN store is kept until the emulator stops).
 */
export const cdnImage = (emu: Emulator.Emulator, mimeType: "image/png" | "image/jpeg") =>
  Effect.promise(async () => {
    const response = await fetch(`${emu.urls.aimlapi}/images/generations`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${emu.keys.aimlapi}` },
      body: JSON.stringify({
        model: mimeType === "image/png" ? "google/nano-banana-2" : "google/nano-banana-pro",
        prompt: "fixture stand-in"
      })
    })
    const body = await response.json() as { data: Array<{ url: string }> }
    emu.reset()
    return body.data[0]!.url
  })

/** A recorded AI/ML fixture with its `cdn.aimlapi.com` URL rewritten to `url`. */
export const fixtureWithUrl = (file: string, url: string) =>
  fixture("aimlapi", file).replace(/https:\/\/cdn\.aimlapi\.com\/[^"]+/g, url)
