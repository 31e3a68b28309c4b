import { assert } from "@effect/vitest"
import { ImageProvider, ProviderDefinition } from "@nanogen/core"
import * as Emulator from "@nanogen/emulator"
import { fixture } from "@nanogen/test-utils"
import { emulatorServer, providerContract } from "@nanogen/test-utils/contract"
import { definition } from "../src/index.js"

const json = { "content-type": "application/json" }

providerContract({
  definition,
  tag: ImageProvider.ImageProvider,
  layerConfig: ProviderDefinition.layerConfig,
  start: emulatorServer((key) => Emulator.start({ keys: { google: key } }), "google", /:(stream)?[gG]enerateContent$/),
  errorBody: (code, message) => ({
    error: { code, message, status: code === 429 ? "RESOURCE_EXHAUSTED" : "INTERNAL" }
  }),
  invalid: [
    { request: { prompt: "" }, field: "prompt" },
    { request: { prompt: "x", n: 0 }, field: "n" },
    { request: { prompt: "x", aspectRatio: "7:3" }, field: "aspectRatio" }
  ],
  batching: { request: { prompt: "x", n: 2 }, calls: 2 },
  fixtures: [
    {
      name: "error-429-retry-info.json",
      answer: { status: 429, body: fixture("google", "error-429-retry-info.json"), headers: json },
      check: ({ error }) => assert.strictEqual(error?._tag, "RateLimited")
    },
    {
      name: "gemini-2.5-flash-image-text-and-png.json",
      answer: { status: 200, body: fixture("google", "gemini-2.5-flash-image-text-and-png.json"), headers: json },
      check: ({ result }) => assert.strictEqual(result?.images.length, 1)
    }
  ]
})
