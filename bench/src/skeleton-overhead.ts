/**
 * The per-call cost of core's skeleton, without any I/O: `pnpm --filter @nanogen/bench run skeleton`.
 * `ImageProvider.make` (Gemini's table) with a `call` that answers at once, one whose `call` fails with a 503
 * `ProviderUnavailable`, and `Fallback.make([failing, serving], { attempts: 1, health: false })`; CPU µs per call
 * (median of 5 blocks, after a warm-up). The fallback's own cost is `fallback − skeleton − failing`.
 */
import { Fallback, HttpFailure, ImageProvider } from "@nanogen/core"
import { definition } from "@nanogen/google-direct"
import * as Effect from "effect/Effect"
import { median } from "./stats.js"

const image = { data: new Uint8Array(16), mimeType: "image/png" }
const serving = ImageProvider.make(definition, { call: () => Effect.succeed({ images: [image] as const }) })
const failing = ImageProvider.make({ ...definition, name: "failing" }, {
  call: () => Effect.fail(HttpFailure.fromStatus({ provider: "failing", status: 503, message: "overloaded" }))
})
const fallback = Effect.runSync(Fallback.make([failing, serving], { attempts: 1, health: false }))
const request = { prompt: "a nano banana dish in a fancy restaurant", model: "nano-banana-2" }

const cases: ReadonlyArray<readonly [string, number, () => Promise<unknown>]> = [
  ["skeleton", 4000, () => Effect.runPromise(serving.generate(request))],
  ["failing", 4000, () => Effect.runPromise(Effect.either(failing.generate(request)))],
  ["fallback", 2000, () => Effect.runPromise(fallback.generate(request))],
  ["skeleton n = 8", 500, () => Effect.runPromise(serving.generate({ ...request, n: 8 }))],
  ["fallback n = 8", 300, () => Effect.runPromise(fallback.generate({ ...request, n: 8 }))]
]
const results = new Map<string, Array<number>>()
for (let block = 0; block < 6; block++) {
  for (const [name, calls, call] of cases) {
    const start = process.cpuUsage()
    for (let i = 0; i < calls; i++) await call()
    const used = process.cpuUsage(start)
    if (block > 0) results.set(name, [...(results.get(name) ?? []), (used.user + used.system) / calls])
  }
}
const of = (name: string) => median(results.get(name)!)
for (const [name] of cases) console.log(`${name.padEnd(16)} ${of(name).toFixed(1).padStart(8)} µs CPU per call`)
console.log(
  `fallback's own  ${(of("fallback") - of("skeleton") - of("failing")).toFixed(1).padStart(8)} µs CPU per call`
)
