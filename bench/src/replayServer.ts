/**
 * The replay server (`server.ts`) in a child process of its own, so that its cost stays out of what is measured.
 */
import { type ChildProcess, fork } from "node:child_process"
import { join } from "node:path"

/** Starts the replay server and resolves once it listens, with its `http://127.0.0.1:<port>` origin. */
export const startReplayServer = () =>
  new Promise<{ readonly child: ChildProcess; readonly origin: string }>((resolve, reject) => {
    const child = fork(join(import.meta.dirname, "server.ts"), [], { execArgv: ["--import", "tsx"], stdio: "inherit" })
    child.once("message", (message: any) => resolve({ child, origin: `http://127.0.0.1:${message.port}` }))
    child.once("error", reject)
  })
