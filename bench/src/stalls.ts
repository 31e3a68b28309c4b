/**
 * Where event-loop stalls under load come from: `pnpm --filter @nanogen/bench run stalls <backend> <kind> [calls]`
 * runs the load phase's 1K calls at concurrency 32 for one variant and lists every stall of the event loop over
 * 20 ms, with the garbage collections that overlapped it.
 */
import { monitorEventLoopDelay, PerformanceObserver } from "node:perf_hooks"
import { sizes } from "./payloads.js"
import { startReplayServer } from "./replayServer.js"
import { type Backend, callConcurrently, type Kind, make } from "./variants.js"

const [backend = "google", kind = "nanogen", callsArg = "200"] = process.argv.slice(2)
const { child: server, origin } = await startReplayServer()
const client = (await make(kind as Kind, origin, backend as Backend, "1k"))!

const gcs: Array<{ start: number; duration: number; kind: number }> = []
new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    gcs.push({ start: entry.startTime, duration: entry.duration, kind: (entry as any).detail?.kind ?? 0 })
  }
}).observe({ entryTypes: ["gc"] })

const run = (total: number) => callConcurrently(client, total, 32, sizes["1k"].bytes)
await run(32)
gcs.length = 0
const stalls: Array<{ at: number; gap: number }> = []
let last = performance.now()
const tick = setInterval(() => {
  const t = performance.now()
  if (t - last > 20) stalls.push({ at: last, gap: t - last })
  last = t
}, 1)
const histogram = monitorEventLoopDelay({ resolution: 5 })
histogram.enable()
const t0 = performance.now()
await run(Number(callsArg))
const wall = performance.now() - t0
histogram.disable()
clearInterval(tick)
const gcIn = (from: number, to: number) => gcs.filter((g) => g.start < to && g.start + g.duration > from)
console.log(
  `${kind} ${backend}: ${(Number(callsArg) / (wall / 1000)).toFixed(0)} calls/s, p99 ${
    (histogram.percentile(99) / 1e6).toFixed(1)
  } ms, max ${(histogram.max / 1e6).toFixed(1)} ms; GC ${gcs.length} pauses, ${
    gcs.reduce((s, g) => s + g.duration, 0).toFixed(0)
  } ms in all, longest ${Math.max(0, ...gcs.map((g) => g.duration)).toFixed(1)} ms`
)
for (const s of stalls.sort((a, b) => b.gap - a.gap).slice(0, 12)) {
  const overlapping = gcIn(s.at, s.at + s.gap)
  console.log(
    `  stall ${s.gap.toFixed(1)} ms at +${(s.at - t0).toFixed(0)} ms; GC in it: ${
      overlapping.map((g) => `${g.kind === 4 || g.kind === 1 ? "major" : "minor"} ${g.duration.toFixed(1)}`).join(
        ", "
      ) || "none"
    }`
  )
}
await client.close()
server.kill()
process.exit(0)
