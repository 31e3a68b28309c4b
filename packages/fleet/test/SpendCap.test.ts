import { describe, expect, it } from "@effect/vitest"
import type { SpendCap as Core } from "@nanogen/core"
import * as Effect from "effect/Effect"
import { SpendCap } from "../src/index.js"
import { deadUrl, instance, rawClient, uniquePrefix } from "./utils.js"

const spend = (prefix: string, cap: Core.CapInput | undefined, url?: string) =>
  instance(prefix, SpendCap.makeRedis(cap), url === undefined ? {} : { url })

describe("SpendCap.layerRedis", () => {
  it.scopedLive("the cap is shared: concurrent reservations from several instances never pass it", () =>
    Effect.gen(function*() {
      const prefix = uniquePrefix()
      const instances = yield* Effect.all([1, 2, 3].map(() => spend(prefix, { limitUsd: 1, period: "1 day" })))
      const verdicts = yield* Effect.all(
        instances.flatMap((each) => Array.from({ length: 10 }, () => each.reserve(0.134))),
        { concurrency: "unbounded" }
      )
      expect(verdicts.filter((v) => v._tag === "Reserved")).toHaveLength(7) // 7 × 0.134 = 0.938
      expect(verdicts.filter((v) => v._tag === "Exceeded")).toHaveLength(23)
      expect(yield* instances[1]!.spent).toBeCloseTo(0.938, 9)
      // correcting a reservation to the reported cost
      yield* instances[2]!.adjust(-0.034)
      expect(yield* instances[0]!.spent).toBeCloseTo(0.904, 9)
      const last = yield* instances[0]!.reserve(0.09)
      expect(last).toMatchObject({ _tag: "Reserved" })
      expect(yield* instances[0]!.reserve(0.01)).toMatchObject({ _tag: "Exceeded", cap: { limitUsd: 1 } })
    }))

  it.scopedLive("buckets expire on their own", () =>
    Effect.gen(function*() {
      const prefix = uniquePrefix()
      const redis = yield* rawClient
      const a = yield* spend(prefix, { limitUsd: 5, period: "1 hour" })
      yield* a.reserve(0.5)
      const keys = yield* Effect.promise(() => redis.keys(`${prefix}spend:*`))
      expect(keys).toHaveLength(1)
      const ttl = yield* Effect.promise(() => redis.pttl(keys[0]!))
      expect(ttl).toBeGreaterThan(3_600_000)
      expect(ttl).toBeLessThanOrEqual(3_660_000)
    }))

  it.scopedLive("the period rolls: spending older than the period no longer counts", () =>
    Effect.gen(function*() {
      const a = yield* spend(uniquePrefix(), { limitUsd: 1, period: "600 millis" })
      expect(yield* a.reserve(1)).toMatchObject({ _tag: "Reserved" })
      expect(yield* a.reserve(0.01)).toMatchObject({ _tag: "Exceeded" })
      yield* Effect.sleep("700 millis")
      expect(yield* a.reserve(0.5)).toMatchObject({ _tag: "Reserved", spentUsd: 0 })
    }))

  it.scopedLive("without a cap spending is counted, never refused; Redis unreachable counts locally", () =>
    Effect.gen(function*() {
      const a = yield* spend(uniquePrefix(), undefined)
      expect(yield* a.reserve(1_000)).toMatchObject({ _tag: "Reserved" })
      expect(yield* a.spent).toBe(1_000)
      const down = yield* spend(uniquePrefix(), { limitUsd: 1, period: "1 day" }, deadUrl)
      expect(yield* down.reserve(0.8)).toMatchObject({ _tag: "Reserved" })
      expect(yield* down.reserve(0.8)).toMatchObject({ _tag: "Exceeded" })
    }))
})
