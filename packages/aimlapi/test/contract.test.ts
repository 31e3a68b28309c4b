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
  start: emulatorServer((key) => Emulator.start({ keys: { aimlapi: key } }), "aimlapi", "/images/generations"),
  options: { download: { allowPrivateNetwork: true } },
  errorBody: (statusCode, message) => ({ message, statusCode }),
  invalid: [
    { request: { prompt: "" }, field: "prompt" },
    { request: { prompt: "x", n: 0 }, field: "n" },
    { request: { prompt: "x", aspectRatio: "7:3" }, field: "aspectRatio" }
  ],
  batching: { request: { prompt: "x", model: "nano-banana", n: 6 }, calls: 2 },
  errors: [
    {
      answer: {
        status: 403,
        body: JSON.stringify({ message: "You have run out of credits", statusCode: 403 }),
        headers: json
      },
      tag: "InsufficientCredits"
    },
    {
      answer: { status: 400, body: JSON.stringify({ message: "bad", statusCode: 400 }), headers: json },
      tag: "InvalidRequest"
    }
  ],
  fixtures: [
    {
      name: "error-429-free-tier-docs.json",
      answer: { status: 429, body: fixture("aimlapi", "error-429-free-tier-docs.json"), headers: json },
      check: ({ error }) => {
        assert.strictEqual(error?._tag, "RateLimited")
        assert.include(error?.message, "Free-tier limit")
      }
    }
  ]
})
