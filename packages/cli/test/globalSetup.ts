/**
 * Builds the workspace packages the CLI needs when their `dist/` is missing or older than their sources, so the
 * CLI tests spawn the real, built `nanogen` bin exactly as a user runs it. CI builds before testing, so this is
 * usually a no-op there.
 */
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"

const root = Path.resolve(import.meta.dirname, "../../..")

interface Manifest {
  readonly name: string
  readonly dependencies?: Record<string, string>
  readonly scripts?: Record<string, string>
}

/** The workspace packages the CLI depends on (itself included), dependencies first: read from the package graph. */
const buildOrder = (): Array<string> => {
  const folders = new Map<string, { readonly folder: string; readonly manifest: Manifest }>()
  for (const folder of Fs.readdirSync(Path.join(root, "packages"))) {
    const file = Path.join(root, "packages", folder, "package.json")
    if (!Fs.existsSync(file)) continue
    const manifest = JSON.parse(Fs.readFileSync(file, "utf8")) as Manifest
    folders.set(manifest.name, { folder, manifest })
  }
  const order: Array<string> = []
  const visit = (name: string): void => {
    const entry = folders.get(name)
    if (entry === undefined || order.includes(entry.folder)) return
    for (const [dependency, range] of Object.entries(entry.manifest.dependencies ?? {})) {
      if (range.startsWith("workspace:")) visit(dependency)
    }
    if (entry.manifest.scripts?.build !== undefined) order.push(entry.folder)
  }
  visit("@nanogen/cli")
  return order
}

const newest = (dir: string): number => {
  let latest = 0
  for (const entry of Fs.readdirSync(dir, { withFileTypes: true })) {
    const path = Path.join(dir, entry.name)
    latest = Math.max(latest, entry.isDirectory() ? newest(path) : Fs.statSync(path).mtimeMs)
  }
  return latest
}

const stale = (pkg: string): boolean => {
  const dir = Path.join(root, "packages", pkg)
  const built = Path.join(dir, "dist", "index.js")
  if (!Fs.existsSync(built)) return true
  return newest(Path.join(dir, "src")) > Fs.statSync(built).mtimeMs
}

export default function setup() {
  const tsc = Path.join(root, "node_modules", "typescript", "bin", "tsc")
  let rebuild = false
  for (const pkg of buildOrder()) {
    // Once one package is rebuilt, rebuild the ones after it too (their declarations may depend on it).
    rebuild = rebuild || stale(pkg)
    if (!rebuild) continue
    execFileSync(process.execPath, [tsc, "-p", Path.join(root, "packages", pkg, "tsconfig.build.json")], {
      cwd: Path.join(root, "packages", pkg),
      stdio: "inherit"
    })
  }
}
