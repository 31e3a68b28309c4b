import { assert, describe, it } from "@effect/vitest"
import { definition as aimlapiDefinition } from "@nanogen/aimlapi"
import { ImageBytes, ModelCatalog } from "@nanogen/core"
import { definition as googleDefinition } from "@nanogen/google-direct"
import { definition as openrouterDefinition } from "@nanogen/openrouter"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { run, startEmulator, tempDir } from "./utils.js"

const { emulator, env } = await startEmulator()

const dimensionsOf = (path: string) => {
  const bytes = new Uint8Array(Fs.readFileSync(path))
  return { mimeType: ImageBytes.sniffMimeType(bytes), size: ImageBytes.dimensions(bytes) }
}

describe("nanogen generate", () => {
  it("writes a decodable image whose pixel size follows the ratio and size (Nano Banana 2 answers JPEG)", async () => {
    const dir = tempDir("gen")
    const result = await run(
      ["generate", "a nano banana", "--model", "nano-banana-2", "--aspect-ratio", "16:9", "--size", "1K"],
      { env: { ...env, NANOGEN_PROVIDERS: "openrouter" }, cwd: dir }
    )
    assert.strictEqual(result.code, 0, result.stderr)
    const file = Path.join(dir, "out.jpg")
    assert.deepStrictEqual(dimensionsOf(file), { mimeType: "image/jpeg", size: { width: 1344, height: 768 } })
    assert.include(result.stdout, "out.jpg")
    assert.include(result.stdout, "1344×768")
    assert.include(result.stdout, "backend openrouter")
    assert.strictEqual(emulator.requests("openrouter").length, 1)
  })

  it("--json prints one JSON object and nothing else on stdout; -n 2 writes out.jpg and out-1.jpg", async () => {
    const dir = tempDir("json")
    const result = await run(
      ["generate", "a nano banana", "-n", "2", "-r", "9:16", "--size", "2K", "--out", "shots/banana.png", "--json"],
      { env: { ...env, NANOGEN_PROVIDERS: "google-direct" }, cwd: dir }
    )
    assert.strictEqual(result.code, 0, result.stderr)
    const json = JSON.parse(result.stdout)
    assert.deepStrictEqual(json.paths, ["shots/banana.jpg", "shots/banana-1.jpg"])
    assert.strictEqual(json.provider, "google-direct")
    assert.strictEqual(json.model, "gemini-3.1-flash-image")
    assert.isNumber(json.durationMs)
    assert.isArray(json.attempts)
    assert.strictEqual(json.attempts[0].outcome, "success")
    assert.isObject(json.usage)
    assert.property(json, "cost")
    for (const path of json.paths) {
      assert.deepStrictEqual(dimensionsOf(Path.join(dir, path)), {
        mimeType: "image/jpeg",
        size: { width: 1536, height: 2688 }
      })
    }
    assert.strictEqual(result.stderr, "")
  })

  it("names files after the real type of the bytes (Nano Banana Pro answers JPEG)", async () => {
    const dir = tempDir("jpeg")
    const result = await run(["generate", "a poster", "--model", "nano-banana-pro", "--out", "poster.png", "--json"], {
      env: { ...env, NANOGEN_PROVIDERS: "openrouter" },
      cwd: dir
    })
    assert.strictEqual(result.code, 0, result.stderr)
    const json = JSON.parse(result.stdout)
    assert.deepStrictEqual(json.paths, ["poster.jpg"])
    assert.strictEqual(dimensionsOf(Path.join(dir, "poster.jpg")).mimeType, "image/jpeg")
    assert.isFalse(Fs.existsSync(Path.join(dir, "poster.png")))
  })

  it("sends --image files as reference images", async () => {
    const dir = tempDir("edit")
    const reference = Path.join(dir, "reference.png")
    // Nano Banana (2.5 Flash Image) answers PNG, so the reference keeps its name.
    const first = await run(["generate", "a plate", "--model", "nano-banana", "--out", reference], {
      env: { ...env, NANOGEN_PROVIDERS: "google-direct" },
      cwd: dir
    })
    assert.strictEqual(first.code, 0, first.stderr)
    emulator.reset()
    const result = await run([
      "generate",
      "put a banana on it",
      "--model",
      "nano-banana",
      "--image",
      reference,
      "--out",
      "edited"
    ], {
      env: { ...env, NANOGEN_PROVIDERS: "google-direct" },
      cwd: dir
    })
    assert.strictEqual(result.code, 0, result.stderr)
    assert.isTrue(Fs.existsSync(Path.join(dir, "edited.png")))
    const body = JSON.stringify(emulator.requests("google")[0]?.body)
    assert.include(body, "inlineData")
  })

  it("--providers overrides NANOGEN_PROVIDERS", async () => {
    const dir = tempDir("order")
    const result = await run(["generate", "a banana", "--providers", "google-direct", "--json"], {
      env: { ...env, NANOGEN_PROVIDERS: "openrouter" },
      cwd: dir
    })
    assert.strictEqual(result.code, 0, result.stderr)
    assert.strictEqual(JSON.parse(result.stdout).provider, "google-direct")
    assert.strictEqual(emulator.requests("openrouter").length, 0)
  })

  it("fails over: the first backend answers 503, the second serves; the trail is printed", async () => {
    const dir = tempDir("failover")
    emulator.scriptWith("openrouter", () => ({ kind: "status", status: 503 }))
    const result = await run(["generate", "a banana"], {
      env: { ...env, NANOGEN_PROVIDERS: "openrouter,google-direct" },
      cwd: dir
    })
    assert.strictEqual(result.code, 0, result.stderr)
    assert.include(result.stdout, "ProviderUnavailable 503")
    assert.include(result.stdout, "backend google-direct")
  })

  it("exits 2 with a message on a bad flag or a bad value", async () => {
    const unknown = await run(["generate", "a banana", "--bogus"], { env })
    assert.strictEqual(unknown.code, 2)
    assert.include(unknown.stderr, "--bogus")
    assert.notInclude(unknown.stderr, "    at ")
    const ratio = await run(["generate", "a banana", "--aspect-ratio", "7:5"], { env })
    assert.strictEqual(ratio.code, 2)
    assert.include(ratio.stderr, "16:9")
    assert.strictEqual(emulator.requests().length, 0)
  })

  it("exits 2 for input every backend refuses (InvalidRequest), before any network call", async () => {
    const result = await run(["generate", "a banana", "--model", "nano-banana", "--size", "4K"], { env })
    assert.strictEqual(result.code, 2)
    assert.include(result.stderr, "InvalidRequest")
    assert.include(result.stderr, "imageSize")
    assert.strictEqual(emulator.requests().length, 0)
  })

  it("exits 1 with the error tags, one line per attempt, when every backend fails", async () => {
    for (const server of ["openrouter", "google", "aimlapi"] as const) {
      emulator.scriptWith(server, () => ({ kind: "status", status: server === "google" ? 401 : 503 }))
    }
    const result = await run(["generate", "a banana"], {
      env: { ...env, NANOGEN_PROVIDERS: "openrouter,google-direct,aimlapi" }
    })
    assert.strictEqual(result.code, 1, result.stderr)
    assert.include(result.stderr, "AllProvidersFailed")
    const lines = result.stderr.split("\n").filter((line) => /^\s+\d+\. /.test(line))
    assert.isAtLeast(lines.length, 3)
    assert.isTrue(lines.some((line) => line.includes("openrouter") && line.includes("ProviderUnavailable")))
    assert.isTrue(lines.some((line) => line.includes("google-direct") && line.includes("AuthenticationFailed")))
    assert.isTrue(lines.some((line) => line.includes("aimlapi") && line.includes("ProviderUnavailable")))
    assert.notInclude(result.stderr, "    at ")
    assert.strictEqual(result.stdout, "")
  })

  it("--json on failure prints the error as one JSON object and exits 1", async () => {
    emulator.scriptWith("google", () => ({ kind: "status", status: 402 }))
    const result = await run(["generate", "a banana", "--json"], {
      env: { ...env, NANOGEN_PROVIDERS: "google-direct" }
    })
    assert.strictEqual(result.code, 1)
    const json = JSON.parse(result.stdout)
    assert.strictEqual(json.error._tag, "AllProvidersFailed")
    assert.strictEqual(json.error.errors[0]._tag, "InsufficientCredits")
  })

  it("exits 2 naming the variables to set when no key is configured", async () => {
    const result = await run(["generate", "a banana"], { env: {} })
    assert.strictEqual(result.code, 2)
    for (const variable of ["OPENROUTER_API_KEY", "GEMINI_API_KEY", "AIML_API_KEY"]) {
      assert.include(result.stderr, variable)
    }
    assert.notInclude(result.stderr, "    at ")
  })

  it("exits 2 naming the missing key of a provider listed in NANOGEN_PROVIDERS", async () => {
    const result = await run(["generate", "a banana"], {
      env: { OPENROUTER_API_KEY: env.OPENROUTER_API_KEY!, NANOGEN_PROVIDERS: "openrouter,aimlapi" }
    })
    assert.strictEqual(result.code, 2)
    assert.include(result.stderr, "AIML_API_KEY")
  })
})

describe("nanogen models / providers", () => {
  it("models lists every alias with its native ids, ratios and sizes", async () => {
    const result = await run(["models"])
    assert.strictEqual(result.code, 0, result.stderr)
    for (const entry of Object.values(ModelCatalog.entries)) {
      assert.include(result.stdout, entry.alias)
      for (const definition of [openrouterDefinition, googleDefinition, aimlapiDefinition]) {
        assert.include(result.stdout, definition.models[entry.alias]!.generate.id)
      }
    }
    assert.include(result.stdout, "21:9")
    assert.include(result.stdout, "4K")
  })

  it("providers shows the order and URLs, never the key", async () => {
    const secret = "sk-or-v1-canary-0123456789abcdef"
    const result = await run(["providers"], {
      env: { ...env, OPENROUTER_API_KEY: secret, NANOGEN_PROVIDERS: "google-direct,openrouter" }
    })
    assert.strictEqual(result.code, 0, result.stderr)
    const order = result.stdout.split("\n").filter((line) => /^\d+ /.test(line)).map((line) => line.split(/\s+/)[1])
    assert.deepStrictEqual(order, ["google-direct", "openrouter"])
    assert.include(result.stdout, emulator.urls.google)
    assert.notInclude(result.stdout, secret)
    assert.notInclude(result.stdout, emulator.keys.google)
    const json = await run(["providers", "--json"], { env: { ...env, OPENROUTER_API_KEY: secret } })
    assert.notInclude(json.stdout, secret)
    assert.deepStrictEqual(
      JSON.parse(json.stdout).providers.map((provider: { name: string }) => provider.name),
      ["openrouter", "google-direct", "aimlapi"]
    )
  })

  it("providers exits 2 with the variables to set when nothing is configured", async () => {
    const result = await run(["providers"], { env: {} })
    assert.strictEqual(result.code, 2)
    assert.include(result.stderr, "OPENROUTER_API_KEY")
  })
})
