/**
 * Builds the workspace packages the CLI needs when their `dist/` is missing or older than their sources, so the
 * CLI tests spawn the real, built `nanogen` bin exactly as a user runs it. CI builds before testing, so this is
 * usually a no-op there.
 */
import { execFileSync } from "node:child_process"
import * as Fs from "node:fs"
import * as Path from "node:path"

const root = Path.resolve(import.meta.dirname, "../../..")
// Dependency order: core first, the CLI last.
const packages = ["core", "openrouter", "aimlapi", "google-direct", "emulator", "nanogen"]

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
  for (const pkg of packages) {
    // Once one package is rebuilt, rebuild the ones after it too (their declarations may depend on it).
    rebuild = rebuild || stale(pkg)
    if (!rebuild) continue
    execFileSync(process.execPath, [tsc, "-p", Path.join(root, "packages", pkg, "tsconfig.build.json")], {
      cwd: Path.join(root, "packages", pkg),
      stdio: "inherit"
    })
  }
}
