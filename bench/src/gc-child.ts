/**
 * One variant in a fresh process: sequential calls after a warm-up, then the mean CPU time per call and the
 * garbage collections they caused: full ones (mark-compact, incremental marking included) and young-generation
 * scavenges. The latency phase's medians leave out the calls a full collection lands on; this mean does not.
 * argv: kind backend size origin [calls]
 */
import { constants, PerformanceObserver } from "node:perf_hooks"
import { childVariant } from "./variants.js"

const { calls, client } = await childVariant(200)
let full = 0
let minor = 0
const fullKinds = new Set([constants.NODE_PERFORMANCE_GC_MAJOR, constants.NODE_PERFORMANCE_GC_INCREMENTAL])
const observer = new PerformanceObserver((list) => {
  for (const entry of list.getEntries()) {
    if (fullKinds.has((entry as unknown as { detail: { kind: number } }).detail.kind)) full++
    else minor++
  }
})
for (let i = 0; i < 30; i++) await client.call()
observer.observe({ entryTypes: ["gc"] })
const cpu = process.cpuUsage()
for (let i = 0; i < calls; i++) await client.call()
const used = process.cpuUsage(cpu)
// The observer hears of a collection in a later turn.
await new Promise((resolve) => setTimeout(resolve, 50))
observer.disconnect()
await client.close()
console.log(
  JSON.stringify({ calls, cpuMs: (used.user + used.system) / 1000 / calls, full, minor })
)
process.exit(0)
