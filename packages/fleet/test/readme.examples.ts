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
    // a retry with the same key (the user pressed the button twice, the job was re-run) is served, not paid again
    const result = yield* ImageProvider.generate({
      prompt: "a nano banana on a plate",
      idempotencyKey: "order-1234",
      maxCostUsd: 0.10 // refused before any call (BudgetExceeded) if the estimate is above
    })
    yield* Effect.log(`${result.images.length} image(s) from ${result.provider}${result.cached ? " (cached)" : ""}`)
  }).pipe(
    Effect.catchTag("BudgetExceeded", (e) => Effect.logWarning(`not generated: ${e.message}`))
  )

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
