/**
 * Run in a child process by Sessions.emulator.test.ts: resumes the session stored in the file `argv[2]`, sends the
 * turn `argv[3]` through the chain configured from the environment (NANOGEN_PROVIDERS, *_API_KEY, *_API_URL), writes
 * the new state back to the file and prints `{ provider, attempts, turns }` as JSON.
 */
import { NodeHttpClient } from "@effect/platform-node"
import { Nanogen } from "@nanogen/client"
import { ImageSession } from "@nanogen/core"
import { Effect, Layer } from "effect"
import * as Fs from "node:fs"

const [file, prompt] = process.argv.slice(2) as [string, string]

const program = Effect.gen(function*() {
  const session = yield* ImageSession.resume(JSON.parse(Fs.readFileSync(file, "utf8")))
  const result = yield* session.send({ prompt })
  Fs.writeFileSync(file, JSON.stringify(yield* session.export))
  return { provider: result.provider, attempts: result.attempts, turns: (yield* session.history).length }
}).pipe(
  Effect.provide(
    Nanogen.layerConfigWith({ allowPrivateNetwork: true, fallback: { attempts: 1, health: false } }).pipe(
      Layer.provide(NodeHttpClient.layerUndici)
    )
  )
)

Effect.runPromise(program).then(
  (out) => process.stdout.write(JSON.stringify(out)),
  (error) => {
    process.stderr.write(`${String(error?._tag ?? "")}: ${String(error?.message ?? error)}\n`)
    process.exitCode = 1
  }
)
