/**
 * Helpers for the CLI tests: spawn the built `nanogen` bin with a clean environment and collect its output.
 */
import * as Emulator from "@nanogen/emulator"
import { execFile } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterAll, afterEach } from "vitest"
import { emulatorEnv } from "../../../scripts/emulator-env.js"

export const bin = Path.resolve(import.meta.dirname, "..", "dist", "bin.js")

export interface Run {
  readonly code: number
  readonly stdout: string
  readonly stderr: string
}

/** Only these variables come from the test process; every nanogen variable must be passed explicitly. */
const baseEnv = (color: boolean): Record<string, string> => {
  const env: Record<string, string> = color ? {} : { NO_COLOR: "1" }
  for (const name of ["PATH", "HOME", "SYSTEMROOT", "TMPDIR"]) {
    const value = process.env[name]
    if (value !== undefined) env[name] = value
  }
  return env
}

export interface RunOptions {
  readonly env?: Record<string, string>
  readonly cwd?: string
  readonly timeout?: number
  /** Leave NO_COLOR unset (it is set by default). */
  readonly color?: boolean
}

/** Runs the built bin with `node`. */
export const run = (args: ReadonlyArray<string>, options: RunOptions = {}): Promise<Run> =>
  spawn(process.execPath, [bin, ...args], options)

/** The repository root (where `npm run nanogen` is defined). */
export const repoRoot = Path.resolve(import.meta.dirname, "..", "..", "..")

/** Runs any executable with the same clean environment as `run`. */
export const spawn = (file: string, args: ReadonlyArray<string>, options: RunOptions = {}): Promise<Run> =>
  new Promise((resolve) => {
    execFile(
      file,
      args,
      {
        env: { ...baseEnv(options.color === true), ...options.env },
        cwd: options.cwd ?? Os.tmpdir(),
        timeout: options.timeout ?? 25_000,
        maxBuffer: 16 * 1024 * 1024
      },
      (error, stdout, stderr) => {
        const code = error === null ? 0 : typeof error.code === "number" ? error.code : -1
        resolve({ code, stdout: String(stdout), stderr: String(stderr) })
      }
    )
  })

export const tempDir = (prefix: string): string => Fs.mkdtempSync(Path.join(Os.tmpdir(), `nanogen-${prefix}-`))

/**
 * Starts an emulator for the calling test file (stopped after its last test, reset after each), with the
 * environment that points every backend at it: `const { emulator, env } = await startEmulator()` at the top level.
 */
export const startEmulator = async (): Promise<{
  readonly emulator: Emulator.Emulator
  readonly env: Record<string, string>
}> => {
  const emulator = await Emulator.start()
  afterAll(() => emulator.stop())
  afterEach(() => emulator.reset())
  return { emulator, env: emulatorEnv(emulator) }
}
