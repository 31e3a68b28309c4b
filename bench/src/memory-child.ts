/**
 * One variant in a fresh process: 50 sequential calls, then peak RSS (kernel `maxRSS`), RSS before the first
 * call, the peak of JS heap + external (Buffers) sampled every 2 ms and after every call, and heap + external still
 * reachable after a full GC at the end.
 * argv: kind backend size origin [calls]
 */
import { childVariant } from "./variants.js"

const { backend, calls, client, kind, size } = await childVariant(50)
const idleRss = process.memoryUsage.rss()
let peakHeap = 0
const sample = () => {
  const m = process.memoryUsage()
  peakHeap = Math.max(peakHeap, m.heapUsed + m.external)
}
sample()
const idleHeap = peakHeap
const timer = setInterval(sample, 2)
let bytes = 0
for (let i = 0; i < calls; i++) {
  const image = await client.call()
  bytes = image.length
  sample()
}
clearInterval(timer)
const peakRss = process.resourceUsage().maxRSS * 1024 // What is still reachable after the calls (run with --expose-gc): garbage left uncollected is not a leak.
;(globalThis as { gc?: () => void }).gc?.()
const after = process.memoryUsage()
const retainedHeap = after.heapUsed + after.external
await client.close()
console.log(JSON.stringify({ kind, backend, size, calls, bytes, idleRss, peakRss, idleHeap, peakHeap, retainedHeap }))
process.exit(0)
