/**
 * Every TypeScript example of the READMEs and docs/ is compiled (tsc, strict, `noUncheckedIndexedAccess`, against
 * the built packages as a user gets them) and run against the emulator: the programs with node, the examples that
 * are tests under vitest. See markdown.ts for the hidden `<!-- doctest: … -->` directives.
 */
import { assert, describe, it } from "@effect/vitest"
import * as Emulator from "@nanogen/emulator"
import { execFile, execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"
import { afterAll, afterEach, beforeAll } from "vitest"
import { emulatorEnv } from "../../scripts/emulator-env.js"
import { type Program, programs } from "./markdown.js"

const root = Path.resolve(import.meta.dirname, "..", "..")
const work = Path.join(import.meta.dirname, "..", ".doctest")

/** The documents whose examples are tested: the root README, every package's README, docs/. */
export const documents = (): Array<string> =>
  [
    "README.md",
    ...Fs.readdirSync(Path.join(root, "packages")).map((folder) => `packages/${folder}/README.md`),
    ...(Fs.existsSync(Path.join(root, "docs"))
      ? Fs.readdirSync(Path.join(root, "docs")).map((file) => `docs/${file}`)
      : [])
  ].filter((file) => file.endsWith(".md") && Fs.existsSync(Path.join(root, file)))

interface Entry {
  readonly program: Program
  readonly name: string
}

const entries: Array<Entry> = documents().flatMap((file) =>
  programs(file, Fs.readFileSync(Path.join(root, file), "utf8")).map((program) => ({
    program,
    name: `${file.replace(/[^A-Za-z0-9]+/g, "-").replace(/-md$/, "")}-${program.line}${
      program.kind === "vitest" ? ".test" : ""
    }`
  }))
)

const tsconfig = {
  compilerOptions: {
    target: "ES2022",
    lib: ["ES2022"],
    module: "NodeNext",
    moduleResolution: "NodeNext",
    types: ["node"],
    strict: true,
    exactOptionalPropertyTypes: true,
    noUncheckedIndexedAccess: true,
    skipLibCheck: true,
    rootDir: ".",
    outDir: "out",
    sourceMap: false
  },
  include: ["*.ts"]
}

/** Diagnostics per generated file, as "README.md:123: error TS…" lines. */
const diagnostics = new Map<string, Array<string>>()

const compile = () => {
  Fs.rmSync(work, { recursive: true, force: true })
  Fs.mkdirSync(work, { recursive: true })
  Fs.writeFileSync(Path.join(work, "package.json"), JSON.stringify({ type: "module", private: true }))
  Fs.writeFileSync(Path.join(work, "tsconfig.json"), JSON.stringify(tsconfig, null, 2))
  for (const entry of entries) Fs.writeFileSync(Path.join(work, `${entry.name}.ts`), entry.program.code)
  let output = ""
  try {
    execFileSync(
      process.execPath,
      [Path.join(root, "node_modules", "typescript", "bin", "tsc"), "-p", work, "--pretty", "false"],
      { cwd: work, encoding: "utf8" }
    )
  } catch (error) {
    output = String((error as { stdout?: string }).stdout ?? error)
  }
  for (const line of output.split("\n")) {
    const match = /^(.+?)\.ts\((\d+),(\d+)\): (.*)$/.exec(line)
    if (match === null) continue
    const entry = entries.find((candidate) => candidate.name === Path.basename(match[1]!))
    if (entry === undefined) continue
    const source = entry.program.lines[Number(match[2]) - 1] ?? entry.program.line
    const list = diagnostics.get(entry.name) ?? []
    list.push(`${entry.program.file}:${source}: ${match[4]}`)
    diagnostics.set(entry.name, list)
  }
}

let emulator: Emulator.Emulator
let env: Record<string, string>

beforeAll(async () => {
  compile()
  emulator = await Emulator.start()
  env = emulatorEnv(emulator)
}, 180_000)
afterAll(() => emulator?.stop())
afterEach(() => emulator.reset())

const cleanEnv = (): Record<string, string> => {
  const base: Record<string, string> = {}
  for (const name of ["PATH", "HOME", "TMPDIR", "SYSTEMROOT"]) {
    const value = process.env[name]
    if (value !== undefined) base[name] = value
  }
  return { ...base, ...env }
}

const execute = (file: string, args: ReadonlyArray<string>, cwd: string) =>
  new Promise<{ code: number; output: string }>((resolve) => {
    execFile(
      file,
      args,
      { cwd, env: cleanEnv(), timeout: 90_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) =>
        resolve({
          code: error === null ? 0 : typeof error.code === "number" ? error.code : -1,
          output: `${stdout}${stderr}`
        })
    )
  })

const vitestConfig = `export default { test: { include: ["*.test.ts"], testTimeout: 60000 } }\n`

describe("documentation examples", () => {
  it("finds the examples of every README", () => {
    assert.isAbove(entries.filter((entry) => entry.program.file === "README.md").length, 8)
    for (const file of documents().filter((file) => file.startsWith("packages/"))) {
      // The CLI's README is about the command line (its commands are tested in packages/cli/test).
      if (file === "packages/cli/README.md" || file === "packages/test-utils/README.md") continue
      assert.isAbove(entries.filter((entry) => entry.program.file === file).length, 0, `${file} has no ts example`)
    }
  })

  for (const entry of entries) {
    it(`${entry.program.file}:${entry.program.line} compiles and runs`, async () => {
      const errors = diagnostics.get(entry.name) ?? []
      assert.deepStrictEqual(errors, [], errors.join("\n"))
      const cwd = Fs.mkdtempSync(Path.join(Os.tmpdir(), "nanogen-doctest-"))
      for (const { fault, server } of entry.program.faults) {
        emulator.scriptWith(server as Emulator.ServerName, () => fault as Emulator.Fault)
      }
      const result = entry.program.kind === "node"
        ? await execute(process.execPath, [Path.join(work, "out", `${entry.name}.js`)], cwd)
        : await (() => {
          Fs.writeFileSync(Path.join(work, "vitest.config.mjs"), vitestConfig)
          return execute(process.execPath, [
            Path.join(root, "node_modules", "vitest", "vitest.mjs"),
            "run",
            "--root",
            work,
            "--config",
            Path.join(work, "vitest.config.mjs"),
            `${entry.name}.ts`
          ], work)
        })()
      assert.strictEqual(
        result.code,
        0,
        `${entry.program.file}:${entry.program.line} failed:\n${result.output.slice(0, 4000)}`
      )
    })
  }
})
