/**
 * Live smoke tests against the real APIs: one per backend of the default registry, each run only when that
 * backend is configured in the environment and NANOGEN_LIVE=1 (`pnpm test:live`), never in CI, which has neither
 * the keys nor the network.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { assert, describe, it } from "@effect/vitest"
import { Nanogen } from "@nanogen/client"
import { ImageBytes, ImageProvider, ProviderDefinition } from "@nanogen/core"
import { Effect, Layer } from "effect"

const live = process.env.NANOGEN_LIVE === "1"
const configured = (definition: Nanogen.Definition): boolean =>
  Effect.runSync(
    Effect.orElseSucceed(ProviderDefinition.isConfigured(definition), () => false)
  )

describe("live APIs", () => {
  for (const definition of Nanogen.builtins) {
    it.live.runIf(live && configured(definition))(
      `${definition.name}: generates a real 1:1 image`,
      () =>
        Effect.gen(function*() {
          const result = yield* ImageProvider.generate({
            prompt: "a small yellow banana on a white plate",
            aspectRatio: "1:1"
          })
          assert.strictEqual(result.provider, definition.name)
          const size = ImageBytes.dimensions(result.images[0].data)
          assert.isDefined(size)
          assert.approximately(size!.width / size!.height, 1, 0.05)
        }).pipe(
          Effect.provide(ProviderDefinition.layerConfig(definition).pipe(Layer.provide(NodeHttpClient.layerUndici)))
        ),
      180_000
    )
  }
})
