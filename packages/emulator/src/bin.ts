#!/usr/bin/env node
/**
 * `nanogen-emulator`: starts the three emulated backends, prints their base URLs and keys, serves until SIGINT /
 * SIGTERM. Options: `--host <address>` (default 127.0.0.1) and `--key-openrouter|--key-aimlapi|--key-google <key>`.
 *
 * @since 0.1.0
 */
import { parseArgs } from "node:util"
import { start } from "./Emulator.js"

const { values } = parseArgs({
  options: {
    host: { type: "string" },
    "key-openrouter": { type: "string" },
    "key-aimlapi": { type: "string" },
    "key-google": { type: "string" },
    help: { type: "boolean", short: "h" }
  }
})

if (values.help === true) {
  process.stdout.write(
    "Usage: nanogen-emulator [--host 127.0.0.1] [--key-openrouter K] [--key-aimlapi K] [--key-google K]\n"
  )
  process.exit(0)
}

const emulator = await start({
  ...(values.host === undefined ? {} : { host: values.host }),
  keys: {
    ...(values["key-openrouter"] === undefined ? {} : { openrouter: values["key-openrouter"] }),
    ...(values["key-aimlapi"] === undefined ? {} : { aimlapi: values["key-aimlapi"] }),
    ...(values["key-google"] === undefined ? {} : { google: values["key-google"] })
  }
})

process.stdout.write(
  [
    "nanogen emulator running (Ctrl-C to stop)",
    `  OpenRouter  ${emulator.urls.openrouter}  key ${emulator.keys.openrouter}`,
    `  AI/ML API   ${emulator.urls.aimlapi}  key ${emulator.keys.aimlapi}`,
    `  Gemini API  ${emulator.urls.google}  key ${emulator.keys.google}`,
    "",
    "Try:",
    `  curl -s ${emulator.urls.google}/models/gemini-2.5-flash-image:generateContent \\`,
    `    -H "x-goog-api-key: ${emulator.keys.google}" -H "content-type: application/json" \\`,
    `    -d '{"contents":[{"parts":[{"text":"a nano banana"}]}]}'`,
    ""
  ].join("\n")
)

const shutdown = (signal: string) => {
  process.stdout.write(`\n${signal}: stopping\n`)
  emulator.stop().then(() => process.exit(0), () => process.exit(1))
}
process.once("SIGINT", () => shutdown("SIGINT"))
process.once("SIGTERM", () => shutdown("SIGTERM"))
