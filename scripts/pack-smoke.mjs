#!/usr/bin/env node
/**
 * The packed-install smoke test: what a user gets from npm, before it is published.
 *
 * 1. `pnpm pack` every public workspace package (private ones — test-utils, test-docs, bench, the root — are
 *    never packed; `pnpm -r pack` itself would pack them, `pnpm -r publish` skips them).
 * 2. `npm install` the tarballs into a scratch npm project with the README's install command (Effect 3 pinned,
 *    peers from the registry), plus TypeScript to type-check the programs against the shipped declarations.
 * 3. Start the emulator from its tarball, then run a Promise-API program, an Effect-API program and the `nanogen`
 *    bin against it.
 *
 * Usage: node scripts/pack-smoke.mjs [--keep]   (needs built dist/ folders: run after `pnpm build`)
 */
import { execFileSync, spawn } from "node:child_process"
import * as Fs from "node:fs"
import * as Os from "node:os"
import * as Path from "node:path"

const root = Path.resolve(import.meta.dirname, "..")
const keep = process.argv.includes("--keep")
const started = Date.now()
const log = (line) => process.stdout.write(`pack-smoke: ${line} (${((Date.now() - started) / 1000).toFixed(1)} s)\n`)
const run = (file, args, options = {}) =>
  execFileSync(file, args, { encoding: "utf8", stdio: ["ignore", "pipe", "pipe"], ...options })
const fail = (message) => {
  process.stderr.write(`pack-smoke: FAILED: ${message}\n`)
  process.exit(1)
}

// ------------------------------------------------------------------------------------------------ 1. pack
const work = Fs.mkdtempSync(Path.join(Os.tmpdir(), "nanogen-pack-smoke-"))
const packs = Path.join(work, "packs")
Fs.mkdirSync(packs)
const manifests = Fs.readdirSync(Path.join(root, "packages"))
  .map((folder) => Path.join(root, "packages", folder, "package.json"))
  .filter((file) => Fs.existsSync(file))
  .map((file) => JSON.parse(Fs.readFileSync(file, "utf8")))
const published = manifests.filter((manifest) => manifest.private !== true).map((manifest) => manifest.name)
for (const manifest of manifests.filter((manifest) => manifest.private !== true)) {
  if (!Fs.existsSync(Path.join(root, "packages", manifest.name.replace("@nanogen/", ""), "dist"))) {
    fail(`${manifest.name} has no dist/: run pnpm build first`)
  }
}
run("pnpm", ["-r", ...published.flatMap((name) => ["--filter", name]), "pack", "--pack-destination", packs], {
  cwd: root
})
const tarballs = Fs.readdirSync(packs).filter((file) => file.endsWith(".tgz"))
const expected = published.map((name) => `${name.replace("@", "").replace("/", "-")}-`)
if (tarballs.length !== published.length || !expected.every((prefix) => tarballs.some((t) => t.startsWith(prefix)))) {
  fail(`packed ${tarballs.join(", ")}; expected exactly ${published.join(", ")}`)
}
for (const tarball of tarballs) {
  const files = run("tar", ["tzf", Path.join(packs, tarball)]).split("\n")
  for (const required of ["package/LICENSE", "package/README.md", "package/package.json", "package/dist/index.js"]) {
    if (!files.includes(required)) fail(`${tarball} lacks ${required.replace("package/", "")}`)
  }
  const manifest = JSON.parse(run("tar", ["xzfO", Path.join(packs, tarball), "package/package.json"]))
  const workspaceRanges = Object.entries({ ...manifest.dependencies, ...manifest.peerDependencies })
    .filter(([, range]) => String(range).startsWith("workspace:"))
  if (workspaceRanges.length > 0) fail(`${tarball} still has workspace: ranges (${workspaceRanges.join(", ")})`)
}
log(`packed ${tarballs.length} public packages: ${tarballs.join(" ")}`)

// ------------------------------------------------------------------------------------------------ 2. install
const app = Path.join(work, "app")
Fs.mkdirSync(app)
Fs.writeFileSync(Path.join(app, "package.json"), JSON.stringify({ name: "smoke-app", private: true, type: "module" }))
// The README's install command, with the tarballs in place of the registry names.
const install = [
  "install",
  ...tarballs.map((tarball) => Path.join(packs, tarball)),
  "effect@^3.22",
  "@effect/platform@^0.97",
  "@effect/platform-node@^0.108",
  "typescript@~5.9",
  "@types/node@^20",
  "--no-audit",
  "--no-fund",
  "--loglevel=error"
]
try {
  run("npm", install, { cwd: app })
} catch (error) {
  fail(`npm ${install.join(" ")}\n${error.stdout ?? ""}${error.stderr ?? ""}`)
}
const installed = JSON.parse(run("npm", ["ls", "--all", "--json"], { cwd: app }))
const effectMajor = JSON.parse(Fs.readFileSync(Path.join(app, "node_modules/effect/package.json"), "utf8")).version
if (!effectMajor.startsWith("3.")) fail(`effect ${effectMajor} installed; expected 3.x`)
// @nanogen/client declares no @effect/cluster, rpc or sql: npm adds them as @effect/platform-node's peers.
for (const peer of ["@effect/cluster", "@effect/rpc", "@effect/sql"]) {
  if (!Fs.existsSync(Path.join(app, "node_modules", peer, "package.json"))) fail(`npm did not install ${peer}`)
}
log(
  `npm installed the tarballs with their peers (effect ${effectMajor}, ${
    Object.keys(installed.dependencies).length
  } top-level)`
)

// ------------------------------------------------------------------------------------------------ 3. programs
const programs = {
  "emulator.ts": `
import * as Emulator from "@nanogen/emulator"
const emulator = await Emulator.start()
process.stdout.write(JSON.stringify({ urls: emulator.urls, keys: emulator.keys }) + "\\n")
process.once("SIGTERM", () => void emulator.stop().then(() => process.exit(0)))
`,
  "promise.ts": `
import { createImageClient } from "@nanogen/client"
const client = createImageClient({ providers: ["openrouter", "google-direct"] })
const result = await client.generate({ prompt: "a nano banana", aspectRatio: "16:9", imageSize: "1K" })
const [image] = result.images
await client.close()
if (!image.mimeType.startsWith("image/") || image.data.byteLength < 100) throw new Error("no image: " + image.mimeType)
console.log("promise:", result.provider, result.model, image.width + "x" + image.height)
`,
  // The SSRF guard under Node's own ESM loader (ipaddr.js is CommonJS: only its default export exists there).
  "ssrf.ts": `
import { ImageDownload } from "@nanogen/core"
if (!ImageDownload.isPublicAddress("8.8.8.8") || ImageDownload.isPublicAddress("127.0.0.1")) throw new Error("guard")
console.log("ssrf: the address checks run")
`,
  "effect.ts": `
import { NodeHttpClient } from "@effect/platform-node"
import { Nanogen } from "@nanogen/client"
import { ImageProvider } from "@nanogen/core"
import { Effect, Layer } from "effect"

const Live = Nanogen.layerConfig().pipe(Layer.provide(NodeHttpClient.layerUndici))
const program = Effect.gen(function*() {
  const result = yield* ImageProvider.generate({ prompt: "a nano banana", model: "nano-banana-pro" })
  if (result.provider !== "google-direct") return yield* Effect.die("served by " + result.provider)
  return result.provider + " " + result.model + " " + result.images[0].mimeType
}).pipe(Effect.catchTag("InvalidRequest", (error) => Effect.die(error)))
console.log("effect:", await Effect.runPromise(program.pipe(Effect.provide(Live))))
`
}
for (const [file, code] of Object.entries(programs)) Fs.writeFileSync(Path.join(app, file), code)
Fs.writeFileSync(
  Path.join(app, "tsconfig.json"),
  JSON.stringify({
    compilerOptions: {
      target: "ES2022",
      module: "NodeNext",
      moduleResolution: "NodeNext",
      types: ["node"],
      strict: true,
      exactOptionalPropertyTypes: true,
      noUncheckedIndexedAccess: true,
      skipLibCheck: true, // as most applications do: @effect/platform-node's declarations need @types/ws otherwise
      outDir: "out"
    },
    include: ["*.ts"]
  })
)
try {
  run(process.execPath, [Path.join(app, "node_modules/typescript/bin/tsc"), "-p", app], { cwd: app })
} catch (error) {
  fail(`the programs do not type-check against the packed declarations:\n${error.stdout ?? ""}${error.stderr ?? ""}`)
}
log("the programs type-check against the packed .d.ts files")

const emulator = spawn(process.execPath, [Path.join(app, "out/emulator.js")], {
  cwd: app,
  stdio: ["ignore", "pipe", "inherit"]
})
const endpoints = await new Promise((resolve, reject) => {
  let buffered = ""
  emulator.stdout.on("data", (chunk) => {
    buffered += chunk
    if (buffered.includes("\n")) resolve(JSON.parse(buffered.split("\n")[0]))
  })
  emulator.once("exit", (code) => reject(new Error(`the emulator exited (${code})`)))
  setTimeout(() => reject(new Error("the emulator did not start within 30 s")), 30_000)
}).catch((error) => fail(error.message))
const env = {
  PATH: process.env.PATH ?? "",
  HOME: process.env.HOME ?? "",
  OPENROUTER_API_KEY: endpoints.keys.openrouter,
  OPENROUTER_API_URL: endpoints.urls.openrouter,
  GEMINI_API_KEY: endpoints.keys.google,
  GEMINI_API_URL: endpoints.urls.google,
  AIML_API_KEY: endpoints.keys.aimlapi,
  AIML_API_URL: endpoints.urls.aimlapi
}
log("the emulator (from its tarball) is up")

let status = 0
const check = (label, file, args, extraEnv = {}) => {
  try {
    const output = run(file, args, { cwd: app, env: { ...env, ...extraEnv }, timeout: 60_000 })
    log(`${label}: ${output.trim().split("\n").at(-1)}`)
    return output
  } catch (error) {
    process.stderr.write(`pack-smoke: FAILED: ${label}\n${error.stdout ?? ""}${error.stderr ?? ""}\n`)
    status = 1
    return ""
  }
}
check("SSRF guard", process.execPath, [Path.join(app, "out/ssrf.js")])
check("Promise API", process.execPath, [Path.join(app, "out/promise.js")])
check("Effect API", process.execPath, [Path.join(app, "out/effect.js")], { NANOGEN_PROVIDERS: "google-direct" })
const bin = Path.join(app, "node_modules/.bin/nanogen")
const json = check("nanogen bin", bin, ["generate", "a nano banana", "--json", "--out", Path.join(work, "cli.png")], {
  NANOGEN_PROVIDERS: "openrouter"
})
if (json !== "" && JSON.parse(json).provider !== "openrouter") {
  process.stderr.write(`pack-smoke: FAILED: nanogen bin printed ${json}\n`)
  status = 1
}
check("nanogen-emulator bin", Path.join(app, "node_modules/.bin/nanogen-emulator"), ["--help"])

emulator.kill("SIGTERM")
if (!keep) Fs.rmSync(work, { recursive: true, force: true })
else log(`kept ${work}`)
log(status === 0 ? "passed" : "FAILED")
process.exit(status)
