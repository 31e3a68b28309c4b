import { assert, describe, it } from "@effect/vitest"
import { ImageBytes } from "@nanogen/core"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { run, tempDir } from "./utils.js"

describe("nanogen demo", () => {
  it("runs to the end without key or network: faults, trails, and the images written", async () => {
    const dir = tempDir("demo")
    const started = Date.now()
    // No provider variable at all: the demo must not need one.
    const result = await run(["demo", "--out", "pictures"], { cwd: dir, env: {} })
    assert.strictEqual(result.code, 0, result.stderr)
    assert.isBelow(Date.now() - started, 20_000)
    assert.include(result.stdout, "ProviderUnavailable 503")
    assert.include(result.stdout, "RateLimited 429")
    assert.include(result.stdout, "done: 3 images")
    // Files are named after the real type of their bytes: Nano Banana 2 (Gemini 3.1 Flash Image) answers JPEG,
    // Nano Banana (2.5 Flash Image) PNG.
    const files = Fs.readdirSync(Path.join(dir, "pictures")).sort()
    assert.deepStrictEqual(files, ["1-banana-still-life.jpg", "2-lighthouse.png", "3-robot-poster.jpg"])
    const expected: Record<string, unknown> = {
      "1-banana-still-life.jpg": { mimeType: "image/jpeg", size: { width: 1344, height: 768 } },
      "2-lighthouse.png": { mimeType: "image/png", size: { width: 1024, height: 1024 } },
      "3-robot-poster.jpg": { mimeType: "image/jpeg", size: { width: 432, height: 592 } }
    }
    for (const file of files) {
      const bytes = new Uint8Array(Fs.readFileSync(Path.join(dir, "pictures", file)))
      assert.deepStrictEqual(
        { mimeType: ImageBytes.sniffMimeType(bytes), size: ImageBytes.dimensions(bytes) },
        expected[file],
        file
      )
      assert.include(result.stdout, `→ pictures/${file}  `)
    }
  })

  it("defaults to ./nanogen-demo, and runs again over its own earlier images", async () => {
    const dir = tempDir("demo-default")
    const result = await run(["demo"], { cwd: dir, env: {} })
    assert.strictEqual(result.code, 0, result.stderr)
    assert.strictEqual(Fs.readdirSync(Path.join(dir, "nanogen-demo")).length, 3)
    const again = await run(["demo"], { cwd: dir, env: {} })
    assert.strictEqual(again.code, 0, again.stderr)
    assert.strictEqual(Fs.readdirSync(Path.join(dir, "nanogen-demo")).length, 3)
  })
})
