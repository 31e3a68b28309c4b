import { assert, describe, it } from "@effect/vitest"
import * as Fs from "node:fs"
import * as Path from "node:path"
import { repoRoot, run, spawn, startEmulator, tempDir } from "./utils.js"

const { emulator, env } = await startEmulator()

const usageError = async (args: ReadonlyArray<string>) => {
  const result = await run(args, { env })
  assert.strictEqual(result.code, 2, result.stderr)
  assert.strictEqual(result.stdout, "")
  assert.notInclude(result.stderr, "    at ")
  assert.strictEqual(emulator.requests().length, 0)
  return result.stderr.split("\n")[0]
}

describe("usage errors name the flag and the value", () => {
  it("a value outside a choice lists the choices", async () => {
    assert.strictEqual(
      await usageError(["generate", "a cat", "--aspect-ratio", "7:3"]),
      "error: --aspect-ratio 7:3: expected one of 1:1, 2:3, 3:2, 3:4, 4:3, 4:5, 5:4, 9:16, 16:9, 21:9, 1:4, 4:1, 1:8, 8:1"
    )
    assert.strictEqual(
      await usageError(["generate", "a cat", "--size=3K"]),
      "error: --size 3K: expected one of 512, 1K, 2K, 4K"
    )
  })

  it("a number that is not a whole number in range", async () => {
    assert.strictEqual(
      await usageError(["generate", "a cat", "-n", "1.5"]),
      "error: -n 1.5: expected a whole number from 1 to 10"
    )
    assert.strictEqual(
      await usageError(["generate", "a cat", "-n", "11"]),
      "error: -n 11: expected a whole number from 1 to 10"
    )
    assert.strictEqual(
      await usageError(["generate", "a cat", "--seed", "abc"]),
      "error: --seed abc: expected a whole number"
    )
  })

  it("an unknown option is blamed, not the prompt after it; a near miss gets a suggestion", async () => {
    assert.strictEqual(await usageError(["generate", "--bogus", "a cat"]), "error: unknown option --bogus")
    assert.strictEqual(
      await usageError(["generate", "a cat", "--jsn"]),
      "error: unknown option --jsn: did you mean --json?"
    )
    assert.strictEqual(await usageError(["generat", "a cat"]), "error: unknown command generat: did you mean generate?")
  })

  it("a missing value, a missing prompt, an unquoted prompt", async () => {
    assert.strictEqual(await usageError(["generate", "a cat", "--out"]), "error: --out needs a value: --out <path>")
    assert.strictEqual(
      await usageError(["generate"]),
      `error: generate needs a prompt: $ nanogen generate "<prompt>" [options]`
    )
    assert.include(await usageError(["generate", "a", "cat"]), `unexpected argument "cat"`)
  })

  it("an alias typo is caught before any call, with the alias it meant", async () => {
    assert.strictEqual(
      await usageError(["generate", "a cat", "-m", "nano-banana2"]),
      "error: -m nano-banana2: not a model alias: did you mean nano-banana-2? (nanogen models lists them)"
    )
    assert.include(
      await usageError(["generate", "a cat", "--model", "nano-banan-pro"]),
      "did you mean nano-banana-pro?"
    )
  })

  it("a native model id is passed through unchecked", async () => {
    const dir = tempDir("native")
    const result = await run(["generate", "a cat", "-m", "gemini-3-pro-image", "--json"], {
      env: { ...env, NANOGEN_PROVIDERS: "google-direct" },
      cwd: dir
    })
    assert.strictEqual(result.code, 0, result.stderr)
    assert.strictEqual(JSON.parse(result.stdout).model, "gemini-3-pro-image")
  })
})

describe("--help", () => {
  for (const color of [false, true]) {
    it(`reads like a reference: synopsis, options, examples, variables; plain text (NO_COLOR ${color ? "unset" : "set"})`, async () => {
      const result = await run(["generate", "--help"], { color })
      assert.strictEqual(result.code, 0, result.stderr)
      const text = result.stdout
      assert.isTrue(text.startsWith(`Usage: $ nanogen generate "<prompt>" [options]\n`))
      for (const flag of ["--aspect-ratio, -r <ratio>", "--force", "--allow-private-network", "--json", "-n <count>"]) {
        assert.include(text, flag)
      }
      assert.include(text, "Examples:\n  $ nanogen generate ")
      for (const variable of ["OPENROUTER_API_KEY", "NANOGEN_PROVIDERS", "NANOGEN_ALLOW_PRIVATE_NETWORK"]) {
        assert.include(text, variable)
      }
      assert.notInclude(text, "A user-defined piece of text")
      assert.notInclude(text, "\u001b[")
      for (const line of text.split("\n")) assert.isAtMost(line.length, 120, line)
    })
  }

  it("nanogen --help lists every command; each command has its page", async () => {
    const top = await run(["--help"])
    assert.strictEqual(top.code, 0)
    for (const command of ["generate", "models", "providers", "demo"]) {
      assert.include(top.stdout, `$ nanogen ${command}`)
      const page = await run([command, "-h"])
      assert.isTrue(page.stdout.startsWith(`Usage: $ nanogen ${command}`), page.stdout)
      for (const line of page.stdout.split("\n")) assert.isAtMost(line.length, 120, line)
    }
    assert.notInclude(top.stdout, "\u001b[")
    for (const line of top.stdout.split("\n")) assert.isAtMost(line.length, 120, line)
  })
})

describe("nanogen generate, as a person types it", () => {
  it("does not overwrite an existing file without --force, and refuses before any call", async () => {
    const dir = tempDir("force")
    Fs.writeFileSync(Path.join(dir, "banana.png"), "mine")
    const refused = await run(["generate", "a banana", "-o", "banana.png"], {
      env: { ...env, NANOGEN_PROVIDERS: "google-direct" },
      cwd: dir
    })
    assert.strictEqual(refused.code, 2)
    assert.strictEqual(
      refused.stderr,
      "error: banana.png already exists: pass --force to overwrite, or choose another --out\n"
    )
    assert.strictEqual(emulator.requests().length, 0)
    assert.strictEqual(Fs.readFileSync(Path.join(dir, "banana.png"), "utf8"), "mine")

    // Nano Banana (2.5 Flash Image) answers PNG: the same file is replaced.
    const forced = await run(["generate", "a banana", "-m", "nano-banana", "-o", "banana.png", "--force"], {
      env: { ...env, NANOGEN_PROVIDERS: "google-direct" },
      cwd: dir
    })
    assert.strictEqual(forced.code, 0, forced.stderr)
    assert.notStrictEqual(Fs.readFileSync(Path.join(dir, "banana.png"), "utf8"), "mine")
  })

  it("refuses when a file of another type would be replaced (-n 2 writes out-1.*)", async () => {
    const dir = tempDir("force-n")
    Fs.writeFileSync(Path.join(dir, "out-1.jpg"), "mine")
    const refused = await run(["generate", "a banana", "-n", "2"], { env, cwd: dir })
    assert.strictEqual(refused.code, 2)
    assert.include(refused.stderr, "out-1.jpg already exists")
    assert.strictEqual(emulator.requests().length, 0)
  })

  it("the AI/ML API emulator needs --allow-private-network or NANOGEN_ALLOW_PRIVATE_NETWORK=1, and says so", async () => {
    const aiml = { ...env, NANOGEN_PROVIDERS: "aimlapi" }
    const refused = await run(["generate", "a banana"], { env: aiml, cwd: tempDir("private-refused") })
    assert.strictEqual(refused.code, 1)
    assert.include(refused.stderr, "only https URLs are downloaded")
    assert.include(
      refused.stderr,
      "hint: the image URL is http: or on a private address (a local emulator?): set NANOGEN_ALLOW_PRIVATE_NETWORK=1"
    )
    const byFlag = await run(["generate", "a banana", "--allow-private-network", "--json"], {
      env: aiml,
      cwd: tempDir("private-flag")
    })
    assert.strictEqual(byFlag.code, 0, byFlag.stderr)
    assert.strictEqual(JSON.parse(byFlag.stdout).provider, "aimlapi")
    const byEnv = await run(["generate", "a banana", "--json"], {
      env: { ...aiml, NANOGEN_ALLOW_PRIVATE_NETWORK: "1" },
      cwd: tempDir("private-env")
    })
    assert.strictEqual(byEnv.code, 0, byEnv.stderr)
    assert.strictEqual(JSON.parse(byEnv.stdout).provider, "aimlapi")
  })

  it("when the last backend answers 400, the trail and the --json attempts/errors are kept", async () => {
    emulator.scriptWith("openrouter", () => ({ kind: "status", status: 503 }))
    emulator.scriptWith("google", () => ({ kind: "status", status: 400, message: "bad things" }))
    const options = { env: { ...env, NANOGEN_PROVIDERS: "openrouter,google-direct" }, cwd: tempDir("last-400") }
    const text = await run(["generate", "a banana"], options)
    assert.strictEqual(text.code, 1, text.stderr)
    const lines = text.stderr.split("\n")
    assert.match(lines[0]!, /^error InvalidRequest 400 \(google-direct\): /)
    assert.strictEqual(lines[1], "attempts:")
    assert.match(lines[2]!, /^ {2}1\. openrouter +\S+ {2}ProviderUnavailable 503 /)
    assert.match(lines[3]!, /^ {2}2\. openrouter +\S+ {2}ProviderUnavailable 503 /)
    assert.match(lines[4]!, /^ {2}3\. google-direct +\S+ {2}InvalidRequest 400 /)

    emulator.reset()
    emulator.scriptWith("openrouter", () => ({ kind: "status", status: 503 }))
    emulator.scriptWith("google", () => ({ kind: "status", status: 400, message: "bad things" }))
    const json = await run(["generate", "a banana", "--json"], options)
    assert.strictEqual(json.code, 1)
    const error = JSON.parse(json.stdout).error
    assert.strictEqual(error._tag, "InvalidRequest")
    assert.deepStrictEqual(
      error.attempts.map((attempt: { provider: string; outcome: string; status: number; image: number }) => [
        attempt.provider,
        attempt.outcome,
        attempt.status,
        attempt.image
      ]),
      [["openrouter", "ProviderUnavailable", 503, 1], ["openrouter", "ProviderUnavailable", 503, 1], [
        "google-direct",
        "InvalidRequest",
        400,
        1
      ]]
    )
    assert.deepStrictEqual(error.errors.map((e: { _tag: string }) => e._tag), ["InvalidRequest"])
  })

  it("-n 3: the trail says which image each attempt belongs to and numbers attempts per image", async () => {
    emulator.script("openrouter", { kind: "status", status: 503 })
    const options = { env: { ...env, NANOGEN_PROVIDERS: "openrouter" }, cwd: tempDir("n3") }
    const text = await run(["generate", "a banana", "-n", "3"], options)
    assert.strictEqual(text.code, 0, text.stderr)
    const trail = text.stdout.split("\n").slice(text.stdout.split("\n").indexOf("attempts:") + 1)
    const headings = trail.filter((line) => /^ {2}image \d of 3:$/.test(line))
    assert.deepStrictEqual(headings, ["  image 1 of 3:", "  image 2 of 3:", "  image 3 of 3:"])
    const retried = trail.findIndex((line) => line.includes("ProviderUnavailable 503"))
    assert.match(trail[retried]!, /^ {4}1\. openrouter/)
    assert.match(trail[retried + 1]!, /^ {4}2\. openrouter .* success /)

    emulator.reset()
    emulator.script("openrouter", { kind: "status", status: 503 })
    const json = await run(["generate", "a banana", "-n", "3", "--json", "-o", "json.png"], options)
    assert.strictEqual(json.code, 0, json.stderr)
    const attempts: Array<{ outcome: string; image: number }> = JSON.parse(json.stdout).attempts
    assert.strictEqual(attempts.length, 4)
    assert.deepStrictEqual([...new Set(attempts.map((attempt) => attempt.image))].sort(), [1, 2, 3])
    const failed = attempts.find((attempt) => attempt.outcome !== "success")!
    assert.strictEqual(
      attempts.filter((attempt) => attempt.image === failed.image).map((attempt) => attempt.outcome).join(","),
      "ProviderUnavailable,success"
    )
  })

  it("npm run -s nanogen -- … --json prints nothing but the JSON object on stdout (pipe it to jq)", async () => {
    const out = Path.join(tempDir("npm"), "banana.png")
    const npm = process.platform === "win32" ? "npm.cmd" : "npm"
    const result = await spawn(npm, ["run", "-s", "nanogen", "--", "generate", "a banana", "--json", "-o", out], {
      env: { ...env, NANOGEN_PROVIDERS: "google-direct" },
      cwd: repoRoot,
      timeout: 60_000
    })
    assert.strictEqual(result.code, 0, result.stderr)
    // Nano Banana 2 answers JPEG: the extension follows the bytes, and the JSON names the file written.
    const written = out.replace(/\.png$/, ".jpg")
    assert.deepStrictEqual(JSON.parse(result.stdout).paths, [written])
    assert.isTrue(Fs.existsSync(written))
    assert.isFalse(Fs.existsSync(out))
  })
})
