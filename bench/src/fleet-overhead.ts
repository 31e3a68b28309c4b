/**
 * `pnpm --filter @nanogen/bench run fleet-overhead`: what fleet mode adds to one generation, on a loopback
 * redis-server started here (the Debian package; `--save '' --appendonly no`). The backend is the in-memory test
 * provider, so the time measured is nanogen's own: the fallback alone, with the fleet services in memory, and with
 * them in Redis (the fallback consults them all: circuit, rate limit, result cache with a fresh idempotency key — a
 * miss, its lock and its write —, spend cap). Prints a table; the Redis path's overhead is its median minus the fallback's alone.
 *
 * Env: BENCH_FLEET_N (generations per variant, default 2000).
 */
import { Fallback, ImageProvider, ImageProviderTest } from "@nanogen/core"
import { Fleet } from "@nanogen/fleet"
import { type Context, Effect, Exit, Layer, Scope } from "effect"
import { spawn } from "node:child_process"
import * as net from "node:net"
import { median, ms, quantile } from "./stats.js"

const n = Number(process.env.BENCH_FLEET_N ?? "3000")
const warmup = 2000
const log = (line: string) => process.stderr.write(`${line}\n`)

const startRedis = async () => {
  const port = await new Promise<number>((resolve) => {
    const server = net.createServer().listen(0, "127.0.0.1", () => {
      const { port } = server.address() as net.AddressInfo
      server.close(() => resolve(port))
    })
  })
  const child = spawn("redis-server", [
    "--port",
    String(port),
    "--bind",
    "127.0.0.1",
    "--save",
    "",
    "--appendonly",
    "no"
  ], {
    stdio: "ignore"
  })
  child.once("error", (error) => {
    log(`redis-server could not start (${error.message}): apt-get install -y redis-server`)
    process.exit(1)
  })
  for (let tries = 0; tries < 500; tries++) {
    const up = await new Promise<boolean>((resolve) => {
      const socket = net.connect(port, "127.0.0.1", () => resolve(socket.end() !== undefined))
      socket.once("error", () => resolve(false))
    })
    if (up) return { url: `redis://127.0.0.1:${port}`, stop: () => child.kill("SIGKILL") }
    await new Promise((resolve) => setTimeout(resolve, 20))
  }
  throw new Error("redis-server did not start")
}

/** One generation with a fresh idempotency key: the fallback consults every fleet service in its context. */
const fleetGeneration = (prompt: string) => ImageProvider.generate({ prompt, idempotencyKey: prompt })

const main = async () => {
  const redis = await startRedis()
  try {
    const provider = ImageProviderTest.layer({ name: "openrouter" })
    const budgets = { openrouter: { limit: 100_000, window: "1 minute" } } as const
    const variants: ReadonlyArray<readonly [string, Layer.Layer<Fleet.Services> | undefined]> = [
      ["fallback alone", undefined],
      ["fleet, in memory", Fleet.layer({ rateLimits: { budgets } })],
      [
        "fleet, Redis on loopback",
        Fleet.layer({ redis: { url: redis.url, prefix: `bench-${Date.now()}:` }, rateLimits: { budgets } })
      ]
    ]
    // every variant builds its layers once; then the variants take turns, one generation each, so that the load
    // of a shared machine falls on all of them alike
    const scope = await Effect.runPromise(Scope.make())
    const runs: Array<(i: number) => Promise<unknown>> = []
    for (const [label, services] of variants) {
      const live = services === undefined
        ? Fallback.layer([provider])
        : Layer.provideMerge(Fallback.layer([provider]), services)
      const context = (await Effect.runPromise(Layer.buildWithScope(live, scope))) as Context.Context<any>
      runs.push((i) =>
        Effect.runPromise(Effect.provide(
          (services === undefined
            ? ImageProvider.generate({ prompt: `p${i}` })
            : fleetGeneration(`${label}-${i}`)) as Effect.Effect<unknown, unknown, any>,
          context
        ))
      )
    }
    const samples = variants.map((): Array<number> => [])
    for (let i = 0; i < n + warmup; i++) {
      for (const [index, run] of runs.entries()) {
        const started = performance.now()
        await run(i)
        if (i >= warmup) samples[index]!.push(performance.now() - started) // the first ones warm the JIT up
      }
    }
    await Effect.runPromise(Scope.close(scope, Exit.void))
    const rows = variants.map(([label], index) => ({
      label,
      median: median(samples[index]!),
      p95: quantile(samples[index]!, 0.95)
    }))
    const base = rows[0]!.median
    const table = [
      `${n} generations per variant, sequential; backend: the in-memory test provider`,
      "",
      "| variant | median ms | p95 ms | added per generation (median) |",
      "| --- | --- | --- | --- |",
      ...rows.map((row) => `| ${row.label} | ${ms(row.median)} | ${ms(row.p95)} | ${ms(row.median - base)} |`)
    ]
    process.stdout.write(`${table.join("\n")}\n`)
  } finally {
    redis.stop()
  }
}

main().then(() => process.exit(0), (error) => {
  log(String(error))
  process.exit(1)
})
