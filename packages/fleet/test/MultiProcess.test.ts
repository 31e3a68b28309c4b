/**
 * Several Node processes share one real Redis, as the instances of an application do. Each process is
 * `test/fixtures/worker.ts`; the backends are a loopback HTTP server counting the requests it receives.
 */
import { afterAll, beforeAll, describe, expect, it } from "@effect/vitest"
import { execFile } from "node:child_process"
import { randomUUID } from "node:crypto"
import * as path from "node:path"
import { type Backend, startBackend } from "./fixtures/backend.js"
import type { WorkerArgs } from "./fixtures/worker.js"
import { redisUrl } from "./utils.js"

const packageDir = path.join(import.meta.dirname, "..")

const worker = (args: Omit<WorkerArgs, "redisUrl" | "backendUrl" | "prefix"> & { readonly prefix: string }) =>
  new Promise<any>((resolve, reject) => {
    execFile(
      process.execPath,
      [
        "--import",
        "tsx",
        "--conditions=@nanogen/source",
        "test/fixtures/worker.ts",
        JSON.stringify({ ...args, redisUrl: redisUrl(), backendUrl: backend.url })
      ],
      { cwd: packageDir, timeout: 60_000 },
      (error, stdout, stderr) => {
        if (error) return reject(new Error(`worker failed: ${error.message}\n${stderr}`))
        try {
          resolve(JSON.parse(stdout.trim().split("\n").at(-1)!))
        } catch {
          reject(new Error(`worker printed no JSON: ${stdout}\n${stderr}`))
        }
      }
    )
  })

let backend: Backend
beforeAll(async () => {
  backend = await startBackend({})
})
afterAll(() => backend.close())

const prefix = () => `mp-${randomUUID()}:`

describe("several processes, one Redis", () => {
  it("one backend down trips the circuit for every process after the threshold", async () => {
    const p = prefix()
    backend.setMode("a", { _tag: "down" })
    backend.setMode("b", { _tag: "ok" })
    const before = { a: backend.requests("a"), b: backend.requests("b") }
    const first = await worker({ scenario: "circuit", prefix: p, count: 3 })
    expect(first.map((r: any) => r.provider)).toEqual(["b", "b", "b"])
    expect(backend.requests("a") - before.a).toBe(3) // the threshold
    const others = await Promise.all([1, 2].map(() => worker({ scenario: "circuit", prefix: p, count: 2 })))
    for (const results of others) {
      for (const result of results) {
        expect(result.attempts).toEqual(["b"]) // a skipped without a call
        expect(result.warnings).toEqual(["skipped a: cooling down after repeated failures"])
      }
    }
    expect(backend.requests("a") - before.a).toBe(3)
    expect(backend.requests("b") - before.b).toBe(7)
  }, 120_000)

  it("a 10/min limit holds across 3 processes: the rest fail over", async () => {
    const p = prefix()
    backend.setMode("a", { _tag: "ok" })
    backend.setMode("b", { _tag: "ok" })
    const before = { a: backend.requests("a"), b: backend.requests("b") }
    const outputs: Array<Array<string>> = await Promise.all(
      [1, 2, 3].map(() => worker({ scenario: "limits", prefix: p, count: 8, barrier: 3 }))
    )
    const served = outputs.flat()
    expect(served.filter((provider) => provider === "a")).toHaveLength(10)
    expect(served.filter((provider) => provider === "b")).toHaveLength(14)
    expect(backend.requests("a") - before.a).toBe(10)
    expect(backend.requests("b") - before.b).toBe(14)
  }, 120_000)

  it("a repeated idempotency key is served once", async () => {
    const p = prefix()
    backend.setMode("a", { _tag: "ok" })
    const before = backend.requests("a")
    const first = await worker({ scenario: "cache", prefix: p, count: 1, idempotencyKey: "order-42" })
    const second = await worker({
      scenario: "cache",
      prefix: p,
      count: 1,
      idempotencyKey: "order-42",
      prompt: "retried"
    })
    expect(first[0].cached).toBe(false)
    expect(second[0]).toEqual({ cached: true, digest: first[0].digest })
    expect(backend.requests("a") - before).toBe(1)
  }, 120_000)

  it("8 concurrent identical calls in 2 processes make one backend request", async () => {
    const p = prefix()
    backend.setMode("a", { _tag: "ok", delayMs: 1_500 })
    const before = backend.requests("a")
    const prompt = `coalesce ${randomUUID()}`
    const perProcess = await Promise.all(
      [1, 2].map(() => worker({ scenario: "cache", prefix: p, count: 4, prompt, barrier: 2 }))
    )
    // one process generated once and served its 3 other calls; the other waited on the fleet-wide lock
    expect(perProcess.map((o: any) => o.filter((x: any) => !x.cached).length).sort()).toEqual([0, 1])
    const outputs = perProcess.flat()
    expect(outputs).toHaveLength(8)
    expect(outputs.filter((o: any) => !o.cached)).toHaveLength(1)
    expect(new Set(outputs.map((o: any) => o.digest)).size).toBe(1)
    expect(backend.requests("a") - before).toBe(1)
  }, 120_000)
})
