/**
 * Self time per function of a `.cpuprofile`: `node src/top-functions.mjs <file> [rows]`.
 */
import { readFileSync } from "node:fs"

const [file, rows = "25"] = process.argv.slice(2)
const profile = JSON.parse(readFileSync(file, "utf8"))
const byId = new Map(profile.nodes.map((node) => [node.id, node]))
const self = new Map()
let total = 0
for (let i = 0; i < profile.samples.length; i++) {
  const frame = byId.get(profile.samples[i]).callFrame
  const name = `${frame.functionName || "(anonymous)"} ${
    frame.url.replace(/.*node_modules\/\.pnpm\//, "").replace(/.*\/(packages|bench)\//, "$1/")
  }:${frame.lineNumber + 1}`
  const delta = profile.timeDeltas[i] ?? 0
  self.set(name, (self.get(name) ?? 0) + delta)
  total += delta
}
console.log(`total ${(total / 1000).toFixed(0)} ms`)
for (const [name, time] of [...self].sort((a, b) => b[1] - a[1]).slice(0, Number(rows))) {
  console.log(`${(time / 1000).toFixed(0).padStart(7)} ms ${(100 * time / total).toFixed(1).padStart(5)}%  ${name}`)
}
