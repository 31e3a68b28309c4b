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
    const files = Fs.readdirSync(Path.join(dir, "pictures")).sort()
    assert.strictEqual(files.length, 3)
    const expected: Record<string, { width: number; height: number }> = {
      "1-banana-still-life": { width: 1344, height: 768 },
      "2-lighthouse": { width: 1024, height: 1024 }
    }
    for (const file of files) {
      const bytes = new Uint8Array(Fs.readFileSync(Path.join(dir, "pictures", file)))
      // The file's extension follows the real type of the bytes (Nano Banana 2 answers JPEG, as live).
      const mimeType = ImageBytes.sniffMimeType(bytes)
      assert.include(["image/png", "image/jpeg"], mimeType)
      assert.strictEqual(Path.extname(file), mimeType === "image/png" ? ".png" : ".jpg")
      const size = ImageBytes.dimensions(bytes)
      assert.isDefined(size)
      const stem = file.slice(0, -Path.extname(file).length)
      if (expected[stem] !== undefined) assert.deepStrictEqual(size, expected[stem])
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
