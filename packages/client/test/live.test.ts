/**
 * Live smoke tests against the real APIs: each runs only when its backend's key is set and NANOGEN_LIVE=1
 * (`pnpm test:live`), never in CI, which has neither the keys nor the network.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { AimlApiImageProvider } from "@nanogen/aimlapi"
import { ImageBytes, ImageProvider } from "@nanogen/core"
import { GoogleImageProvider } from "@nanogen/google-direct"
import { OpenRouterImageProvider } from "@nanogen/openrouter"
import { Effect, Layer } from "effect"

const live = process.env.NANOGEN_LIVE === "1"
const backends = [
  { name: "openrouter", key: process.env.OPENROUTER_API_KEY, layer: OpenRouterImageProvider.layerConfig() },
  { name: "aimlapi", key: process.env.AIML_API_KEY, layer: AimlApiImageProvider.layerConfig() },
  {
    name: "google-direct",
    key: process.env.GEMINI_API_KEY ?? process.env.GOOGLE_API_KEY,
    layer: GoogleImageProvider.layerConfig()
  }
] as const

describe("live APIs", () => {
  for (const backend of backends) {
    it.live.runIf(live && backend.key !== undefined && backend.key !== "")(
      `${backend.name}: generates a real 1:1 image`,
      () =>
        Effect.gen(function*() {
          const result = yield* ImageProvider.generate({
            prompt: "a small yellow banana on a white plate",
            aspectRatio: "1:1"
          })
          assert.strictEqual(result.provider, backend.name)
          const size = ImageBytes.dimensions(result.images[0].data)
          assert.isDefined(size)
          assert.approximately(size!.width / size!.height, 1, 0.05)
        }).pipe(Effect.provide(backend.layer.pipe(Layer.provide(NodeHttpClient.layerUndici)))),
      180_000
    )
  }
})
