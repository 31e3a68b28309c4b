import { describe, expect, it } from "@effect/vitest"
import { makeLogRecorder } from "@nanogen/test-utils"
import * as Effect from "effect/Effect"
import { ProviderHealth } from "../src/index.js"
import { deadUrl, instance, rawClient, uniquePrefix } from "./utils.js"

const health = (prefix: string, options: ProviderHealth.RedisOptions, url?: string) =>
  instance(prefix, ProviderHealth.makeRedis(options), url === undefined ? {} : { url })

describe("ProviderHealth.layerRedis", () => {
  it.scopedLive("one circuit per backend for every instance: failures add up across instances", () =>
    Effect.gen(function*() {
      const prefix = uniquePrefix()
      const [a, b, c] = yield* Effect.all(
        [1, 2, 3].map(() => health(prefix, { failureThreshold: 3, cooldown: "1 minute" }))
      )
      yield* a!.failure("openrouter")
      yield* b!.failure("openrouter")
      expect(yield* c!.acquire("openrouter")).toBe("available")
      yield* c!.failure("openrouter")
      for (const each of [a!, b!, c!]) expect(yield* each.acquire("openrouter")).toBe("cooling-down")
      expect(yield* a!.acquire("google-direct")).toBe("available")
      const [state] = yield* b!.snapshot
      expect(state).toMatchObject({ provider: "openrouter", consecutiveFailures: 3, probing: false })
      expect(state!.coolingDownUntil).toBeGreaterThan(Date.now() + 50_000)
      // a success anywhere closes the circuit everywhere
      yield* b!.success("openrouter")
      expect(yield* a!.acquire("openrouter")).toBe("available")
      expect(yield* a!.snapshot).toEqual([])
    }))

  it.scopedLive("a success in between resets the consecutive count", () =>
    Effect.gen(function*() {
      const prefix = uniquePrefix()
      const [a, b] = yield* Effect.all([1, 2].map(() => health(prefix, { failureThreshold: 2 })))
      yield* a!.failure("aimlapi")
      yield* b!.success("aimlapi")
      yield* b!.failure("aimlapi")
      expect(yield* a!.acquire("aimlapi")).toBe("available")
      yield* a!.failure("aimlapi")
      expect(yield* b!.acquire("aimlapi")).toBe("cooling-down")
    }))

  it.scopedLive("exactly one probe fleet-wide when the cooldown ends; a failed probe reopens the circuit", () =>
    Effect.gen(function*() {
      const prefix = uniquePrefix()
      const options = { failureThreshold: 1, cooldown: "300 millis" } as const
      const instances = yield* Effect.all(Array.from({ length: 6 }, () => health(prefix, options)))
      yield* instances[0]!.failure("openrouter")
      yield* Effect.sleep("400 millis")
      const decisions = yield* Effect.all(instances.map((each) => each.acquire("openrouter")), {
        concurrency: "unbounded"
      })
      expect(decisions.filter((d) => d === "probe")).toHaveLength(1)
      expect(decisions.filter((d) => d === "cooling-down")).toHaveLength(5)
      const prober = instances[decisions.indexOf("probe")]!
      expect((yield* prober.snapshot)[0]!.probing).toBe(true)
      yield* prober.failure("openrouter")
      expect(yield* instances[0]!.acquire("openrouter")).toBe("cooling-down")
      yield* Effect.sleep("400 millis")
      const again = yield* Effect.all(instances.map((each) => each.acquire("openrouter")), { concurrency: "unbounded" })
      expect(again.filter((d) => d === "probe")).toHaveLength(1)
      yield* instances[again.indexOf("probe")]!.success("openrouter")
      const after = yield* Effect.all(instances.map((each) => each.acquire("openrouter")))
      expect(after.every((d) => d === "available")).toBe(true)
    }))

  it.scopedLive("a released probe (interrupted) lets the next caller probe; only its owner can release it", () =>
    Effect.gen(function*() {
      const prefix = uniquePrefix()
      const options = { failureThreshold: 1, cooldown: "200 millis" } as const
      const [a, b] = yield* Effect.all([1, 2].map(() => health(prefix, options)))
      yield* a!.failure("google-direct")
      yield* Effect.sleep("300 millis")
      expect(yield* a!.acquire("google-direct")).toBe("probe")
      yield* b!.release("google-direct") // not b's probe: no effect
      expect(yield* b!.acquire("google-direct")).toBe("cooling-down")
      yield* a!.release("google-direct")
      expect(yield* b!.acquire("google-direct")).toBe("probe")
    }))

  it.scopedLive("every key expires on its own", () =>
    Effect.gen(function*() {
      const prefix = uniquePrefix()
      const redis = yield* rawClient
      const a = yield* health(prefix, {
        failureThreshold: 1,
        cooldown: "200 millis",
        probeTimeout: "20 seconds",
        stateTtl: "1 minute"
      })
      yield* a.failure("openrouter")
      const stateTtl = yield* Effect.promise(() => redis.pttl(`${prefix}health:openrouter`))
      expect(stateTtl).toBeGreaterThan(50_000)
      expect(stateTtl).toBeLessThanOrEqual(60_000)
      yield* Effect.sleep("300 millis")
      expect(yield* a.acquire("openrouter")).toBe("probe")
      const probeTtl = yield* Effect.promise(() => redis.pttl(`${prefix}health:openrouter:probe`))
      expect(probeTtl).toBeGreaterThan(15_000)
      expect(probeTtl).toBeLessThanOrEqual(20_000)
    }))

  it.scopedLive("Redis unreachable: the circuit works in local memory and one warning is logged", () =>
    Effect.gen(function*() {
      const logs = makeLogRecorder()
      yield* Effect.gen(function*() {
        const a = yield* health(uniquePrefix(), { failureThreshold: 2 }, deadUrl)
        yield* a.failure("openrouter")
        expect(yield* a.acquire("openrouter")).toBe("available")
        yield* a.failure("openrouter")
        expect(yield* a.acquire("openrouter")).toBe("cooling-down")
      }).pipe(Effect.provide(logs.layer))
      const warnings = logs.lines().filter((line) => line.includes("level=WARN"))
      expect(warnings.filter((line) => line.includes("using local memory"))).toHaveLength(1)
      expect(warnings.some((line) => line.includes("not reachable"))).toBe(true)
    }))
})
