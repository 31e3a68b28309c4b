#!/usr/bin/env node
/**
 * `nanogen-emulator`: starts the four emulated backends (OpenRouter, AI/ML API, Gemini API, Vertex AI), prints
 * ready-to-paste `export …` lines for the CLI and serves until SIGINT / SIGTERM.
 *
 * Options: `--host <address>` (default 127.0.0.1); `--port <base>` (OpenRouter on it, AI/ML +1, Gemini +2, Vertex
 * +3; default: free ports) or per server `--port-openrouter|--port-aimlapi|--port-google|--port-vertex <n>`;
 * `--key-openrouter|--key-aimlapi|--key-google|--key-vertex <key>`, `--vertex-token <token>`,
 * `--vertex-project <id>`.
 *
 * @since 0.1.0
 */
import { parseArgs } from "node:util"
import { shellExports, start } from "./Emulator.js"

const { values } = parseArgs({
  options: {
    host: { type: "string" },
    port: { type: "string" },
    "port-openrouter": { type: "string" },
    "port-aimlapi": { type: "string" },
    "port-google": { type: "string" },
    "port-vertex": { type: "string" },
    "key-openrouter": { type: "string" },
    "key-aimlapi": { type: "string" },
    "key-google": { type: "string" },
    "key-vertex": { type: "string" },
    "vertex-token": { type: "string" },
    "vertex-project": { type: "string" },
    help: { type: "boolean", short: "h" }
  }
})

const usage = "Usage: nanogen-emulator [--host 127.0.0.1] [--port BASE | --port-openrouter N --port-aimlapi N " +
  "--port-google N --port-vertex N] [--key-openrouter K] [--key-aimlapi K] [--key-google K] [--key-vertex K] " +
  "[--vertex-token T] [--vertex-project P]\n"

if (values.help === true) {
  process.stdout.write(usage)
  process.exit(0)
}

const port = (name: string, value: string | undefined): number | undefined => {
  if (value === undefined) return undefined
  const n = Number(value)
  if (!Number.isInteger(n) || n < 0 || n > 65_535) {
    process.stderr.write(`nanogen-emulator: --${name} must be a port number (0-65535), got "${value}"\n${usage}`)
    process.exit(2)
  }
  return n
}

const base = port("port", values.port)
const perServer = {
  openrouter: port("port-openrouter", values["port-openrouter"]),
  aimlapi: port("port-aimlapi", values["port-aimlapi"]),
  google: port("port-google", values["port-google"]),
  vertex: port("port-vertex", values["port-vertex"])
}
const defined = <A extends Record<string, unknown>>(record: A) =>
  Object.fromEntries(Object.entries(record).filter(([, v]) => v !== undefined)) as {
    [K in keyof A]?: NonNullable<A[K]>
  }

const emulator = await start({
  ...(values.host === undefined ? {} : { host: values.host }),
  ...(base === undefined ? { ports: defined(perServer) } : { ports: base }),
  keys: defined({
    openrouter: values["key-openrouter"],
    aimlapi: values["key-aimlapi"],
    google: values["key-google"],
    vertex: values["key-vertex"],
    vertexToken: values["vertex-token"]
  }),
  ...(values["vertex-project"] === undefined ? {} : { vertex: { projects: [values["vertex-project"]] } })
})

process.stdout.write(
  [
    "# nanogen emulator running (Ctrl-C to stop). Paste into your shell:",
    ...shellExports(emulator),
    `# Vertex: express-mode key above, or the bearer token; OAuth token endpoint ${emulator.urls.vertexToken}`,
    ""
  ].join("\n")
)

const shutdown = (signal: string) => {
  process.stdout.write(`\n# ${signal}: stopping\n`)
  emulator.stop().then(() => process.exit(0), () => process.exit(1))
}
process.once("SIGINT", () => shutdown("SIGINT"))
process.once("SIGTERM", () => shutdown("SIGTERM"))
