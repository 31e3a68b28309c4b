/**
 * The TypeScript examples of README.md, verbatim, so that `typecheck` proves they compile (this file is not run).
 */
import { Fallback, ImageProvider, ImageProviderTest } from "@nanogen/core"
import { Fleet } from "@nanogen/fleet"
import { Effect, Layer } from "effect"

export const example1 = () => {
  // your backends; here two test providers standing in for real ones
  const Backends = Fallback.layer([
    ImageProviderTest.layer({ name: "openrouter" }),
    ImageProviderTest.layer({ name: "aimlapi" })
  ], {
    attempts: 2
  })

  // NANOGEN_REDIS_URL, NANOGEN_RATE_LIMITS and NANOGEN_SPEND_CAP from the environment
  const Live = Backends.pipe(Layer.provide(Fleet.layerConfig({ cache: { ttl: "1 day" } })))

  const program = Effect.gen(function*() {
    const result = yield* ImageProvider.generate({ prompt: "a nano banana on a plate" })
    yield* Effect.log(`${result.images.length} image(s) from ${result.provider}`)
  })

  Effect.runPromise(program.pipe(Effect.provide(Live)))
}

export const example2 = () => {
  const FleetLive = Fleet.layer({
    redis: { url: "redis://10.0.0.5:6379/0", prefix: "shop:nanogen:" },
    health: { failureThreshold: 3, cooldown: "30 seconds" },
    rateLimits: { budgets: { openrouter: { limit: 60, window: "1 minute" } } },
    cache: { ttl: "1 day", hashRequests: false },
    spendCap: { limitUsd: 50, period: "1 day" }
  })
  return FleetLive
}
