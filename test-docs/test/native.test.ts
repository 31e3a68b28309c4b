/**
 * The library path (@nanogen/client, core and the providers) loads no native module: a production user of the
 * library never pays for sharp/libvips, which only the emulator (and the CLI's demo) need. Each package's built
 * dist is imported in a fresh Node process, and the shared objects that process loaded are read from its
 * diagnostic report.
 */
import { assert, describe, it } from "@effect/vitest"
import { execFileSync } from "node:child_process"

interface Probe {
  readonly importMs: number
  readonly native: ReadonlyArray<string>
}

const probe = `
const started = performance.now()
await import(process.argv[1])
const importMs = performance.now() - started
const native = process.report.getReport().sharedObjects.filter((file) => /\\.node$|sharp|vips/.test(file))
process.stdout.write(JSON.stringify({ importMs, native }))
`

/** Imports `name` (resolved from this folder, without the source condition: the built dist) in a child process. */
const importInChild = (name: string): Probe =>
  JSON.parse(
    execFileSync(process.execPath, ["--input-type=module", "-e", probe, name], {
      cwd: import.meta.dirname,
      encoding: "utf8"
    })
  )

describe("the library path loads no native module", () => {
  for (
    const name of [
      "@nanogen/client",
      "@nanogen/core",
      "@nanogen/openrouter",
      "@nanogen/aimlapi",
      "@nanogen/google-direct"
    ]
  ) {
    it(name, () => {
      const result = importInChild(name)
      assert.deepStrictEqual(result.native, [])
      console.log(`${name}: imported in ${Math.round(result.importMs)} ms, no native module`)
    })
  }

  it("the probe sees native modules when there are some: @nanogen/emulator loads sharp", () => {
    const result = importInChild("@nanogen/emulator")
    assert.isTrue(result.native.some((file) => file.includes("sharp")), JSON.stringify(result.native))
  })
})
