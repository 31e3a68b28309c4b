/**
 * Profiling helper: `pnpm --filter @nanogen/bench run profile <backend> <size> <kind> [calls]` (writes .cpuprofile/)
 * runs one variant's calls against the replay server (in its own process) so the profile holds only the client.
 */
import type { Size } from "./payloads.js"
import { startReplayServer } from "./replayServer.js"
import { apiUrlOf, type Backend, type Kind, make, nanogenFromLayer, providerLayer, requestFor } from "./variants.js"

const [backend = "google", size = "4k", kind = "nanogen", callsArg = "20"] = process.argv.slice(2)
const { child: server, origin } = await startReplayServer()
// `fallback:<secondary>`: `Fallback.layer([backend answering 503, secondary], { attempts: 1, health: false })`, the
// failover phase's chain (the secondary serves the `size` image).
const fallbackTo = kind.startsWith("fallback:") ? kind.slice("fallback:".length) as Backend : undefined
const client = fallbackTo === undefined
  ? (await make(kind as Kind, origin, backend as Backend, size as Size))!
  : await nanogenFromLayer(
    (await import("@nanogen/core")).Fallback.layer([
      (await providerLayer(backend as Backend, apiUrlOf(origin, "fail503", backend as Backend, size as Size)))!,
      (await providerLayer(fallbackTo, apiUrlOf(origin, "ok", fallbackTo, size as Size)))!
    ], { attempts: 1, health: false }),
    requestFor(size as Size)
  )
const t0 = performance.now()
const each: Array<number> = []
const cpu: Array<number> = []
for (let i = 0; i < Number(callsArg); i++) {
  const t = performance.now()
  const c = process.cpuUsage()
  await client.call()
  const d = process.cpuUsage(c)
  each.push(Math.round(performance.now() - t))
  cpu.push(Math.round((d.user + d.system) / 1000))
}
const med = (v: Array<number>) => [...v].sort((a, b) => a - b)[v.length >> 1]
console.log(`wall ${each.join(" ")} | cpu ${cpu.join(" ")} | median wall ${med(each)} cpu ${med(cpu)}`)
console.log(`${kind} ${backend} ${size}: ${((performance.now() - t0) / Number(callsArg)).toFixed(1)} ms/call`)
console.log("server stats", await (await fetch(`${origin}/stats`)).text())
await client.close()
server.kill()
process.exit(0)
