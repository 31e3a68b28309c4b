/**
 * `pnpm bench`: nanogen's large-image path against a hand-written `fetch` client (the floor) and the Vercel AI
 * SDK, on a loopback replay server in its own process. Prints the tables, then the issue's target figures as its
 * last lines, and writes it all to bench/RESULTS.md. `pnpm bench --help` prints the usage.
 */
import { execFileSync } from "node:child_process"
import { writeFileSync } from "node:fs"
import * as os from "node:os"
import { join } from "node:path"
import { monitorEventLoopDelay } from "node:perf_hooks"
import { type Size, sizes } from "./payloads.js"
import { startReplayServer } from "./replayServer.js"
import { mb, median, ms, quantile, ratio } from "./stats.js"
import {
  apiUrlOf,
  type Backend,
  bareReads,
  baseline,
  callConcurrently,
  type Client,
  type Kind,
  make,
  nanogenFromLayer,
  providerLayer,
  requestFor,
  streaming,
  threadedReads
} from "./variants.js"

const usage = `pnpm bench [--help]

Measures nanogen's image path against the floor (fetch + JSON.parse + Buffer.from) and the AI SDK on a loopback
replay server, then prints the target figures (ratios to the floor measured in the same run) as the last lines
and writes bench/RESULTS.md. A benchmark, not a test: nothing fails on a slow machine.

Environment:
  BENCH_PHASES=latency,memory,gc,failover,fanout,load  phases to run (default: all)
  BENCH_SIZES=1k,4k                                  image sizes for latency and memory (default: both)
  BENCH_BACKENDS=openrouter,…                        backends to run (default: all five below)
  BENCH_QUICK=1                                      fewer iterations (a quick look, noisier)

Variants: nanogen (the provider layers over undici; nanogen-exit: the image as runPromise's value), baseline (the floor), ai-sdk (Gemini shape), and core's
HTTP path alone as a provider uses it: wire-buffered (whole body read, then parsed), wire (decodeImages: base64
decoded as it arrives, undici), wire-fetch (the same over FetchHttpClient), wire-sse (the same from an event
stream: Gemini, Vertex AI, OpenRouter and its Image API); nanogen-sse is the provider with stream: true on that
event stream. Backends: openrouter, openrouter-images (OpenRouter's Image API), aimlapi (aimlapi-url: the CDN-URL
form), google (the Gemini API), vertex (Vertex AI, express mode).

Other scripts: pnpm --filter @nanogen/bench run soak      (200 cut-short reads, retained memory)
               pnpm --filter @nanogen/bench run profile …  (a .cpuprofile of one variant, see README)`
const args = process.argv.slice(2)
if (args.includes("--help") || args.includes("-h")) {
  process.stdout.write(`${usage}\n`)
  process.exit(0)
}
if (args.length > 0) {
  process.stderr.write(`error: unknown argument ${args[0]}: pnpm bench takes no arguments\n\n${usage}\n`)
  process.exit(2)
}

const here = import.meta.dirname
const quick = process.env.BENCH_QUICK === "1"
const phases = new Set((process.env.BENCH_PHASES ?? "latency,memory,gc,failover,fanout,load").split(","))
const gc: () => void = (globalThis as { gc?: () => void }).gc ?? (() => {})
const now = () => performance.now()
const log = (line: string) => process.stderr.write(`${line}\n`)
const allBackends: ReadonlyArray<Backend> = ["openrouter", "openrouter-images", "aimlapi", "google", "vertex"]
const backends: ReadonlyArray<Backend> = process.env.BENCH_BACKENDS === undefined
  ? allBackends
  : allBackends.filter((backend) => process.env.BENCH_BACKENDS!.split(",").includes(backend))
/** The latency tables add the AI/ML API's CDN-URL form (`aimlapi-url`) beside its `b64_json` form. */
const withCdnForm: ReadonlyArray<Backend> = backends.includes("aimlapi") ? [...backends, "aimlapi-url"] : backends
const kinds: ReadonlyArray<Kind> = [
  "nanogen",
  "nanogen-sse",
  "baseline",
  "ai-sdk",
  "wire-buffered",
  "wire",
  "wire-fetch",
  "wire-sse"
]
const loadTotal = quick ? 100 : 200
/** Memory runs one child process per variant: the providers, the floor, the AI SDK and core's two read paths. */
const memoryKinds: ReadonlyArray<Kind> = ["nanogen", "baseline", "ai-sdk", "wire-buffered", "wire"]
/** The GC phase: the providers (the image handed out of the program, and returned by `runPromise`), core, the floor. */
const gcKinds: ReadonlyArray<Kind> = ["nanogen", "nanogen-exit", "wire", "baseline"]
const started = now()

const { child: server, origin } = await startReplayServer()
log(`replay server at ${origin}`)
const loadAtStart = os.loadavg()

// ---------------------------------------------------------------- latency (interleaved, in this process)
interface Timing {
  median: number
  p95: number
  /** Median CPU time (user + system, all threads of this process) per call: robust to a busy machine. */
  cpu: number
  samples: number
}
const timings = new Map<string, Timing>()
const key = (kind: string, backend: string, size: string) => `${kind}/${backend}/${size}`

/**
 * A seeded shuffle (the same sequence every run): each call gives a new random order of `count` indices. The
 * phases that compare variants take them in such an order, round by round, so that none keeps following (and paying
 * for the garbage of) the same predecessor, nor always runs first.
 */
const randomOrders = () => {
  let seed = 0x9e3779b9
  const random = () => (seed = (Math.imul(seed ^ (seed >>> 15), 0x2c1b3c6d) + 0x6d2b79f5) >>> 0) / 2 ** 32
  return (count: number): Array<number> => {
    const order = Array.from({ length: count }, (_, index) => index)
    for (let j = order.length - 1; j > 0; j--) {
      const k = Math.floor(random() * (j + 1))
      ;[order[j], order[k]] = [order[k]!, order[j]!]
    }
    return order
  }
}

const timeInterleaved = async (
  clients: ReadonlyArray<[string, Client]>,
  warmup: number,
  iterations: number,
  expected?: number
) => {
  for (let i = 0; i < warmup; i++) for (const [, client] of clients) await client.call()
  const samples = new Map(clients.map(([name]) => [name, [] as Array<number>]))
  const cpu = new Map(clients.map(([name]) => [name, [] as Array<number>]))
  // Each round takes the variants in a new random order: a 4K call leaves 50–100 MB of garbage, and with a fixed
  // (or rotating) order every variant would keep paying for the collection of the same predecessor's garbage.
  // (A full collection before each call was tried: with one every call, V8 ages out the bytecode of the other
  // variants' functions, and every call got slower — 1K 5–6 ms → 9–10 ms.)
  const orderOf = randomOrders()
  for (let i = 0; i < iterations; i++) {
    for (const index of orderOf(clients.length)) {
      const [name, client] = clients[index]!
      const c0 = process.cpuUsage()
      const t0 = now()
      const bytes = await client.call()
      samples.get(name)!.push(now() - t0)
      const c1 = process.cpuUsage(c0)
      cpu.get(name)!.push((c1.user + c1.system) / 1000)
      if (expected !== undefined && bytes.length !== expected) {
        throw new Error(`${name}: got ${bytes.length} bytes, expected ${expected}`)
      }
    }
  }
  return new Map(
    [...samples].map((
      [name, values]
    ) => [name, {
      median: median(values),
      p95: quantile(values, 0.95),
      cpu: median(cpu.get(name)!),
      samples: values.length
    }])
  )
}

const sizeList = (process.env.BENCH_SIZES ?? "1k,4k").split(",") as ReadonlyArray<Size>
const missing = new Set<string>()
if (phases.has("latency")) {
  for (const size of sizeList) {
    for (const backend of withCdnForm) {
      const clients: Array<[string, Client]> = []
      for (const kind of kinds) {
        const client = await make(kind, origin, backend, size)
        if (client !== undefined) clients.push([kind, client])
        else if (kind === "nanogen") missing.add(backend)
      }
      const iterations = (size === "4k" ? 25 : 40) / (quick ? 3 : 1)
      const result = await timeInterleaved(clients, size === "4k" ? 2 : 5, Math.ceil(iterations), sizes[size].bytes)
      for (const [kind, timing] of result) timings.set(key(kind, backend, size), timing)
      for (const [, client] of clients) await client.close()
      log(
        `latency ${backend} ${size}: ${
          [...result].map(([k, t]) => `${k} ${ms(t.median)}/${ms(t.p95)} ms (cpu ${ms(t.cpu)})`).join(", ")
        }`
      )
    }
  }
}

// ---------------------------------------------------------------- memory (one child process per variant)
interface Memory {
  idleRss: number
  peakRss: number
  idleHeap: number
  peakHeap: number
  retainedHeap: number
}
const memory = new Map<string, Memory>()
if (phases.has("memory")) {
  for (const size of sizeList) {
    for (const backend of backends) {
      // 1K peaks are within GC slack of each other: three interleaved runs per variant, the median kept.
      const repeats = size === "1k" && !quick ? 3 : 1
      const runs = new Map<string, Array<Memory>>()
      for (let repeat = 0; repeat < repeats; repeat++) {
        for (const kind of memoryKinds) {
          if (kind === "ai-sdk" && backend !== "google") continue
          const out = execFileSync(
            process.execPath,
            [
              "--import",
              "tsx",
              "--conditions=@nanogen/source",
              "--expose-gc",
              join(here, "memory-child.ts"),
              kind,
              backend,
              size,
              origin,
              String(quick ? 20 : 50)
            ],
            { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }
          )
          const result = JSON.parse(out.trim().split("\n").at(-1)!)
          if (result.skipped) continue
          if (result.bytes !== sizes[size].bytes) throw new Error(`memory ${kind} ${backend} ${size}: wrong image size`)
          runs.set(kind, [...(runs.get(kind) ?? []), result])
        }
      }
      for (const [kind, results] of runs) {
        const sorted = [...results].sort((a, b) => (a.peakRss - a.idleRss) - (b.peakRss - b.idleRss))
        const result = sorted[sorted.length >> 1]!
        memory.set(key(kind, backend, size), result)
        log(
          `memory ${kind} ${backend} ${size}: peak RSS ${mb(result.peakRss)} MB (idle ${mb(result.idleRss)}), ` +
            `peak heap+external ${mb(result.peakHeap)} MB (idle ${mb(result.idleHeap)})` +
            (results.length > 1
              ? ` [median of ${results.length}: ${results.map((r) => mb(r.peakRss - r.idleRss)).join(", ")}]`
              : "")
        )
      }
    }
  }
}

// ---------------------------------------------------------------- garbage collection (one child process per variant)
interface Collections {
  readonly calls: number
  readonly cpuMs: number
  readonly full: number
  readonly minor: number
}
const collections = new Map<string, Collections>()
if (phases.has("gc")) {
  for (const backend of backends) {
    for (const kind of gcKinds) {
      const out = execFileSync(
        process.execPath,
        [
          "--import",
          "tsx",
          "--conditions=@nanogen/source",
          join(here, "gc-child.ts"),
          kind,
          backend,
          "1k",
          origin,
          String(quick ? 60 : 200)
        ],
        { encoding: "utf8", stdio: ["ignore", "pipe", "inherit"] }
      )
      const result = JSON.parse(out.trim().split("\n").at(-1)!)
      if (result.skipped) continue
      collections.set(key(kind, backend, "1k"), result)
      log(
        `gc ${kind} ${backend} 1k: ${
          ms(result.cpuMs)
        } ms CPU per call (mean of ${result.calls}), ${result.full} full / ${result.minor} young collections`
      )
    }
  }
}

// ---------------------------------------------------------------- failover overhead
const core: any = await import("@nanogen/core")
interface Failover {
  primary: Backend
  secondary: Backend
  direct: number
  fallback: number
  /** The primary's 503 alone, called directly (its HTTP exchange and error mapping). */
  failing: number
}
const failovers: Array<Failover> = []
if (phases.has("failover") && core.Fallback !== undefined) {
  const pairs: ReadonlyArray<[Backend, Backend]> = [
    ["openrouter", "google"],
    ["google", "aimlapi"],
    ["aimlapi", "openrouter"],
    ["vertex", "openrouter-images"]
  ]
  for (const [primary, secondary] of pairs) {
    const failing = await providerLayer(primary, apiUrlOf(origin, "fail503", primary, "tiny"))
    const serving = await providerLayer(secondary, apiUrlOf(origin, "ok", secondary, "tiny"))
    if (failing === undefined || serving === undefined) continue
    const request = requestFor("1k")
    const chained = await nanogenFromLayer(
      core.Fallback.layer([failing, serving], { attempts: 1, health: false }),
      request
    )
    const direct = await nanogenFromLayer(serving, request)
    const failingDirect = await nanogenFromLayer(failing, request)
    const failingClient: Client = {
      call: () =>
        failingDirect.call().then(
          () => Promise.reject(new Error("the 503 route answered")),
          () => new Uint8Array(sizes.tiny.bytes)
        ),
      close: failingDirect.close
    }
    const result = await timeInterleaved(
      [["direct", direct], ["fallback", chained], ["failing", failingClient]],
      20,
      quick ? 40 : 150,
      sizes.tiny.bytes
    )
    failovers.push({
      primary,
      secondary,
      direct: result.get("direct")!.median,
      fallback: result.get("fallback")!.median,
      failing: result.get("failing")!.median
    })
    await failingClient.close()
    await chained.close()
    await direct.close()
    log(
      `failover ${primary}(503) → ${secondary}: +${
        ms(result.get("fallback")!.median - result.get("direct")!.median)
      } ms`
    )
  }
}

// ---------------------------------------------------------------- fan-out n = 8, 200 ms per call
/**
 * The fan-out phase's floors against the same route: 8 hand-written calls at once, each decoding its own 1.5 MB
 * image; 8 answers merely received and thrown away (what the socket reads alone cost this machine); and the same
 * 8 bare reads split over 2 worker threads (the socket reads off the one JS thread, which a library given the
 * caller's `HttpClient` cannot do — what the machine allows any client).
 */
interface FanOutFloor {
  readonly eight: () => Promise<unknown>
  readonly one: () => Promise<unknown>
  readonly close: () => Promise<void>
}
const eightAtOnce = (client: Client): FanOutFloor => ({
  eight: () => Promise.all(Array.from({ length: 8 }, () => client.call())),
  one: client.call,
  close: client.close
})
const fanOutFloors: Record<string, { readonly what: string; readonly make: (backend: Backend) => FanOutFloor }> = {
  baseline: {
    what: "8 hand-written calls at once",
    make: (backend) => eightAtOnce(baseline(origin, backend, "1k", "slow200"))
  },
  transport: {
    what: "8 bare reads at once",
    make: (backend) => eightAtOnce(bareReads(origin, backend, "1k", "slow200"))
  },
  threads: {
    what: "8 bare reads at once on 2 worker threads",
    make: (backend) => {
      const threaded = threadedReads(origin, backend, "1k", "slow200", 2)
      return { eight: () => threaded.reads(8), one: () => threaded.reads(1), close: threaded.close }
    }
  }
}
const isFanOutFloor = (variant: string): variant is keyof typeof fanOutFloors => variant in fanOutFloors
interface FanOut {
  backend: Backend
  variant: string
  wall: number
  /** The same route with n = 1. */
  one: number
  images: number
}
const fanOuts: Array<FanOut> = []
if (phases.has("fanout")) {
  for (const backend of backends) {
    // The variants take turns round by round (after one warm-up round), so that none pays for another's garbage:
    // the provider with its default concurrency, with `concurrency: 8`, and the floor — 8 hand-written calls at once
    // (fetch + JSON.parse + Buffer.from each) against the same route. Each round also times one call (n = 1).
    interface Runner {
      readonly variant: string
      readonly eight: () => Promise<number>
      readonly one: () => Promise<unknown>
      readonly close: () => Promise<void>
      readonly walls: Array<number>
      readonly singles: Array<number>
      images: number
    }
    const runners: Array<Runner> = []
    for (const [variant, extra] of [["default", {}], ["concurrency: 8", { concurrency: 8 }]] as const) {
      const layer = await providerLayer(backend, apiUrlOf(origin, "slow200", backend, "1k"), extra)
      if (layer === undefined) continue
      const client = await nanogenFromLayer(layer, { ...requestFor("1k"), n: 8 })
      const single = await nanogenFromLayer(layer, requestFor("1k"))
      runners.push({
        variant,
        eight: async () => (await client.generate!()).images.length,
        one: single.call,
        close: async () => {
          await client.close()
          await single.close()
        },
        walls: [],
        singles: [],
        images: 0
      })
    }
    for (const [variant, { make: makeFloor }] of Object.entries(fanOutFloors)) {
      const floor = makeFloor(backend)
      runners.push({
        variant,
        eight: async () => {
          await floor.eight()
          return 8
        },
        one: floor.one,
        close: floor.close,
        walls: [],
        singles: [],
        images: 0
      })
    }
    for (let round = 0; round < (quick ? 3 : 7); round++) {
      for (const runner of round % 2 === 0 ? runners : [...runners].reverse()) {
        const t0 = now()
        runner.images = await runner.eight()
        if (round > 0) runner.walls.push(now() - t0)
        const t1 = now()
        await runner.one()
        if (round > 0) runner.singles.push(now() - t1)
      }
    }
    for (const runner of runners) {
      await runner.close()
      const wall = median(runner.walls)
      fanOuts.push({ backend, variant: runner.variant, wall, one: median(runner.singles), images: runner.images })
      log(`fan-out ${backend} (${runner.variant}): ${ms(wall)} ms`)
    }
  }
}

// ---------------------------------------------------------------- load: 200 × 1K at concurrency 32, 3 rounds
interface Load {
  backend: Backend
  kind: Kind
  wall: number
  throughput: number
  p99: number
  max: number
}
const loads: Array<Load> = []
if (phases.has("load")) {
  const runLoad = async (client: Client, total: number, concurrency: number) => {
    const histogram = monitorEventLoopDelay({ resolution: 5 })
    gc()
    histogram.enable()
    const t0 = now()
    await callConcurrently(client, total, concurrency, sizes["1k"].bytes)
    const wall = now() - t0
    histogram.disable()
    return { wall, throughput: total / (wall / 1000), p99: histogram.percentile(99) / 1e6, max: histogram.max / 1e6 }
  }
  const total = loadTotal
  for (const backend of backends) {
    // Three rounds (one with BENCH_QUICK), each taking the variants in a new random order; the medians are kept.
    const runners: Array<{ kind: Kind; client: Client; results: Array<Awaited<ReturnType<typeof runLoad>>> }> = []
    for (const kind of ["nanogen", "baseline", "wire"] as const) {
      const client = kind === "baseline" ? baseline(origin, backend, "1k") : await make(kind, origin, backend, "1k")
      if (client === undefined) continue
      await runLoad(client, 32, 32) // warm-up: open the connections
      runners.push({ kind, client, results: [] })
    }
    const orderOf = randomOrders()
    for (let round = 0; round < (quick ? 1 : 3); round++) {
      for (const index of orderOf(runners.length)) {
        const runner = runners[index]!
        runner.results.push(await runLoad(runner.client, total, 32))
      }
    }
    for (const { client, kind, results } of runners) {
      await client.close()
      const of = (field: "wall" | "throughput" | "p99" | "max") => median(results.map((result) => result[field]))
      const result = { wall: of("wall"), throughput: of("throughput"), p99: of("p99"), max: of("max") }
      loads.push({ backend, kind, ...result })
      log(
        `load ${kind} ${backend}: ${result.throughput.toFixed(0)} calls/s, event-loop p99 ${ms(result.p99)} ms (max ${
          ms(result.max)
        }; median of ${results.length} rounds: ${results.map((r) => r.throughput.toFixed(0)).join(", ")} calls/s)`
      )
    }
  }
}

server.kill()
const loadAtEnd = os.loadavg()

// ---------------------------------------------------------------- report
const ok = (pass: boolean | undefined) => pass === undefined ? "—" : pass ? "✅" : "❌"
const lines: Array<string> = []
lines.push(
  `Node ${process.version}, ${os.cpus().length} × ${os.cpus()[0]?.model ?? "cpu"}; load average ${
    loadAtStart.map((l) => l.toFixed(2)).join(" ")
  } at start, ${loadAtEnd.map((l) => l.toFixed(2)).join(" ")} at end; ${new Date().toISOString()}; ${
    ((now() - started) / 1000).toFixed(0)
  } s.`
)
lines.push(
  `Images: 1K = ${(sizes["1k"].bytes / 1e6).toFixed(1)} MB, 4K = ${
    (sizes["4k"].bytes / 1e6).toFixed(0)
  } MB (×4/3 as base64 in JSON). Times in ms per call (median / p95); memory = peak RSS of a child process doing 50 calls, minus its RSS before the first call (MB; 1K: median of 3 runs).`
)
if (missing.size > 0) lines.push(`Not measured (no provider layer yet): ${[...missing].join(", ")}.`)
lines.push("")
lines.push(
  "| backend | size | nanogen ms | baseline ms | AI SDK ms | time ratio (≤ 1.10×) | CPU ms nanogen / baseline / AI SDK (ratio) | nanogen MB | baseline MB | AI SDK MB | memory ratio (≤ 1.25×) | vs AI SDK |"
)
lines.push("|---|---|---|---|---|---|---|---|---|---|---|---|")
const memoryDelta = (m: Memory | undefined) => m === undefined ? NaN : m.peakRss - m.idleRss
for (const size of sizeList) {
  for (const backend of withCdnForm) {
    const n = timings.get(key("nanogen", backend, size))
    const b = timings.get(key("baseline", backend, size))
    const a = timings.get(key("ai-sdk", backend, size))
    if (n === undefined && b === undefined) continue
    const nm = memoryDelta(memory.get(key("nanogen", backend, size)))
    const bm = memoryDelta(memory.get(key("baseline", backend, size)))
    const am = memoryDelta(memory.get(key("ai-sdk", backend, size)))
    const timeRatio = n && b ? n.median / b.median : NaN
    const memRatio = nm / bm
    const fmt = (t: Timing | undefined) => t === undefined ? "—" : `${ms(t.median)} / ${ms(t.p95)}`
    const info = backend === "aimlapi-url" ? " (CDN url form)" : ""
    lines.push(
      `| ${backend}${info} | ${size.toUpperCase()} | ${fmt(n)} | ${fmt(b)} | ${fmt(a)} | ${ratio(timeRatio, 1)} ${
        ok(Number.isNaN(timeRatio) ? undefined : timeRatio <= 1.1)
      } | ${n ? ms(n.cpu) : "—"} / ${b ? ms(b.cpu) : "—"} / ${a ? ms(a.cpu) : "—"} (${
        n && b ? ratio(n.cpu, b.cpu) : "—"
      }) | ${mb(nm)} | ${mb(bm)} | ${mb(am)} | ${ratio(memRatio, 1)} ${
        ok(Number.isNaN(memRatio) ? undefined : memRatio <= 1.25)
      } | ${a && n ? `${ratio(n.median, a.median)} ${ok(n.median < a.median)}` : "—"} |`
    )
  }
}
if (memory.size > 0) {
  lines.push("")
  lines.push(
    "Raw memory (MB): peak RSS, RSS before the first call, JS heap + external (Buffers) before the first call, at its peak, and still reachable after a full GC at the end."
  )
  lines.push("")
  lines.push("| variant | peak RSS | idle RSS | idle heap+external | peak heap+external | retained heap+external |")
  lines.push("|---|---|---|---|---|---|")
  for (const [name, m] of memory) {
    lines.push(
      `| ${name} | ${mb(m.peakRss)} | ${mb(m.idleRss)} | ${mb(m.idleHeap)} | ${mb(m.peakHeap)} | ${
        mb(m.retainedHeap)
      } |`
    )
  }
}
if (collections.size > 0) {
  lines.push("")
  lines.push(
    "Garbage collection: a fresh process per variant, 200 sequential 1K calls after a warm-up; the mean CPU time per call (full collections included, where the medians above leave the calls they land on out) and the collections per 100 calls. `nanogen` takes the image out of the program through a variable (an Effect program that uses the image inside, `@nanogen/client`); `nanogen-exit` returns it as the value of `runPromise`."
  )
  lines.push("")
  lines.push(
    "| backend | variant | CPU ms per call (mean) | vs floor | full GCs per 100 calls | young GCs per 100 calls |"
  )
  lines.push("|---|---|---|---|---|---|")
  for (const backend of backends) {
    const floor = collections.get(key("baseline", backend, "1k"))
    for (const kind of gcKinds) {
      const c = collections.get(key(kind, backend, "1k"))
      if (c === undefined) continue
      const per100 = (count: number) => (100 * count / c.calls).toFixed(0)
      lines.push(
        `| ${backend} | ${kind} | ${ms(c.cpuMs)} | ${floor ? ratio(c.cpuMs, floor.cpuMs) : "—"} | ${per100(c.full)} | ${
          per100(c.minor)
        } |`
      )
    }
  }
}
lines.push("")
lines.push("| scenario | result | target | |")
lines.push("|---|---|---|---|")
for (const f of failovers) {
  const added = f.fallback - f.direct
  lines.push(
    `| failover ${f.primary} 503 → ${f.secondary} (attempts: 1, 16 KB image): added median | ${ms(added)} ms (${
      ms(f.fallback)
    } vs ${ms(f.direct)} direct; the 503 call alone takes ${ms(f.failing)}, so the fallback's own cost is ${
      ms(added - f.failing)
    }) | ≤ 1 ms over the 503 | ${ok(added - f.failing <= 1)} |`
  )
}
for (const f of fanOuts) {
  lines.push(
    `| fan-out n = 8, 200 ms/call, ${f.backend} (${f.variant}) | ${ms(f.wall)} ms (${f.images} images; n = 1: ${
      ms(f.one)
    } ms) | ≤ 1.10× n = 1${isFanOutFloor(f.variant) ? ` (a floor: ${fanOutFloors[f.variant].what})` : ""} | ${
      ok(f.wall <= 1.1 * f.one)
    } |`
  )
}
for (const l of loads) {
  lines.push(
    `| load ${loadTotal} × 1K @ 32, ${l.kind} ${l.backend} | ${l.throughput.toFixed(0)} calls/s, event-loop p99 ${
      ms(l.p99)
    } ms | see targets | — |`
  )
}
// core's HTTP path alone (ProviderClient as a provider uses it), ratios to the floor of the same run.
lines.push("")
lines.push(
  "core's HTTP path alone (`ProviderClient` + the image taken from the wire shape), and the providers without and with `stream: true`, median ms per call and ratio to the floor (baseline) of the same run:"
)
lines.push("")
lines.push(
  "| backend | size | floor | wire-buffered | wire (decodeImages, undici) | wire-fetch | wire-sse | nanogen | nanogen stream: true |"
)
lines.push("|---|---|---|---|---|---|---|---|---|")
for (const size of sizeList) {
  for (const backend of withCdnForm) {
    const floor = timings.get(key("baseline", backend, size))
    if (floor === undefined) continue
    const cell = (kind: Kind) => {
      const t = timings.get(key(kind, backend, size))
      return t === undefined ? "—" : `${ms(t.median)} (${ratio(t.median, floor.median)})`
    }
    lines.push(
      `| ${backend} | ${size.toUpperCase()} | ${ms(floor.median)} | ${cell("wire-buffered")} | ${cell("wire")} | ${
        cell("wire-fetch")
      } | ${cell("wire-sse")} | ${cell("nanogen")} | ${cell("nanogen-sse")} |`
    )
  }
}

// The issue's targets, as the last lines.
const targets: Array<string> = []
const target = (name: string, value: number, limit: number, direction: "≤" | "≥" = "≤", unit = "×") => {
  if (Number.isNaN(value)) return
  const pass = direction === "≤" ? value <= limit : value >= limit
  targets.push(
    `TARGET ${name}: ${value.toFixed(2)}${unit} (${direction} ${limit.toFixed(2)}${unit}) ${pass ? "✅" : "❌"}`
  )
}
const timeRatio = (kind: Kind, backend: Backend, size: Size, floorKind: Kind = "baseline") =>
  (timings.get(key(kind, backend, size))?.median ?? NaN) / (timings.get(key(floorKind, backend, size))?.median ?? NaN)
const memRatio = (kind: Kind, backend: Backend, size: Size) =>
  memoryDelta(memory.get(key(kind, backend, size))) / memoryDelta(memory.get(key("baseline", backend, size)))
for (const backend of backends) {
  for (const kind of ["nanogen", "wire"] as const) {
    target(`4K ${backend} ${kind} over undici, time vs floor`, timeRatio(kind, backend, "4k"), 0.5)
    target(`4K ${backend} ${kind} over undici, peak RSS vs floor`, memRatio(kind, backend, "4k"), 0.9)
  }
  target(`4K ${backend} wire over FetchHttpClient, time vs floor`, timeRatio("wire-fetch", backend, "4k"), 0.8)
}
for (const size of sizeList) {
  for (const kind of ["nanogen", "wire"] as const) {
    target(`${size.toUpperCase()} aimlapi CDN-URL ${kind}, time vs floor`, timeRatio(kind, "aimlapi-url", size), 1)
  }
}
for (const backend of backends.filter((backend) => streaming.has(backend))) {
  target(
    `4K ${backend} nanogen stream: true vs non-streaming (nanogen-sse / nanogen)`,
    timeRatio("nanogen-sse", backend, "4k", "nanogen"),
    1.1
  )
  target(
    `4K ${backend} stream: true vs non-streaming (wire-sse / wire)`,
    timeRatio("wire-sse", backend, "4k", "wire"),
    1.1
  )
}
const floorLoad = (backend: Backend) => loads.find((l) => l.backend === backend && l.kind === "baseline")
for (const l of loads) {
  const floor = floorLoad(l.backend)
  if (l.kind === "baseline" || floor === undefined) continue
  target(
    `load ${loadTotal} × 1K @ 32 ${l.backend} ${l.kind}, throughput vs floor`,
    l.throughput / floor.throughput,
    1,
    "≥"
  )
  target(`load ${loadTotal} × 1K @ 32 ${l.backend} ${l.kind}, event-loop p99 vs floor`, l.p99 / floor.p99, 0.35)
}
for (const f of failovers) {
  target(
    `failover ${f.primary} → ${f.secondary}, overhead over the 503`,
    f.fallback - f.direct - f.failing,
    1,
    "≤",
    " ms"
  )
}
for (const f of fanOuts) {
  if (isFanOutFloor(f.variant)) continue
  target(`n = 8 ${f.backend} (${f.variant}), wall vs n = 1`, f.wall / f.one, 1.1)
  for (const [variant, { what }] of Object.entries(fanOutFloors)) {
    const floor = fanOuts.find((b) => b.backend === f.backend && b.variant === variant)
    if (floor === undefined) continue
    target(
      `n = 8 ${f.backend} (${f.variant}), wall vs ${what} (${ms(floor.wall)} ms, ${
        (floor.wall / floor.one).toFixed(2)
      }× one)`,
      f.wall / floor.wall,
      1.1
    )
  }
}
lines.push("")
lines.push("Targets (ratios to the floor measured in this run):")
lines.push("")
lines.push("```")
lines.push(...targets)
lines.push("```")
const table = lines.join("\n")
console.log(`\n${table}\n`)
// The target figures again, alone, as the very last lines.
console.log(targets.join("\n"))
writeFileSync(
  join(here, "..", "RESULTS.md"),
  `# nanogen bench results\n\nGenerated by \`pnpm bench\` (bench/src/main.ts). See bench/README.md for what is measured.\n\n${table}\n`
)
process.exit(0)
