/**
 * Builds the workspace packages a test needs when their `dist/` is missing or older than their sources, so tests
 * that spawn a built bin or import a built `dist/` exercise exactly what a user runs. CI builds before testing, so
 * this is usually a no-op there. Used by the vitest `globalSetup` of the CLI tests and of the doc tests.
 */
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"

/** The repository root. */
export const root = Path.resolve(import.meta.dirname, "..")

interface Manifest {
  readonly name: string
  readonly dependencies?: Record<string, string>
  readonly devDependencies?: Record<string, string>
  readonly scripts?: Record<string, string>
}

/**
 * The folders under `packages/` that `names` depend on (themselves included), dependencies first: read from the
 * package graph (`workspace:` dependencies; with `dev`, development dependencies too).
 */
export const buildOrder = (names: ReadonlyArray<string>, options: { readonly dev?: boolean } = {}): Array<string> => {
  const folders = new Map<string, { readonly folder: string; readonly manifest: Manifest }>()
  for (const folder of Fs.readdirSync(Path.join(root, "packages"))) {
    const file = Path.join(root, "packages", folder, "package.json")
    if (!Fs.existsSync(file)) continue
    const manifest = JSON.parse(Fs.readFileSync(file, "utf8")) as Manifest
    folders.set(manifest.name, { folder, manifest })
  }
  const order: Array<string> = []
  const visiting = new Set<string>()
  const visit = (name: string, dev: boolean): void => {
    const entry = folders.get(name)
    if (entry === undefined || order.includes(entry.folder) || visiting.has(name)) return
    visiting.add(name)
    const dependencies = { ...entry.manifest.dependencies, ...(dev ? entry.manifest.devDependencies : {}) }
    for (const [dependency, range] of Object.entries(dependencies)) {
      if (range.startsWith("workspace:")) visit(dependency, false)
    }
    if (entry.manifest.scripts?.build !== undefined) order.push(entry.folder)
  }
  for (const name of names) visit(name, options.dev === true)
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

const stale = (folder: string): boolean => {
  const dir = Path.join(root, "packages", folder)
  const built = Path.join(dir, "dist", "index.js")
  if (!Fs.existsSync(built)) return true
  return newest(Path.join(dir, "src")) > Fs.statSync(built).mtimeMs
}

/** Rebuilds (with `tsc -p tsconfig.build.json`) every stale package among `folders`, in order. */
export const buildStale = (folders: ReadonlyArray<string>): void => {
  const tsc = Path.join(root, "node_modules", "typescript", "bin", "tsc")
  let rebuild = false
  for (const folder of folders) {
    // Once one package is rebuilt, rebuild the ones after it too (their declarations may depend on it).
    rebuild = rebuild || stale(folder)
    if (!rebuild) continue
    execFileSync(process.execPath, [tsc, "-p", Path.join(root, "packages", folder, "tsconfig.build.json")], {
      cwd: Path.join(root, "packages", folder),
      stdio: "inherit"
    })
  }
}
