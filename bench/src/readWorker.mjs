/**
 * The bare read of the transport floors: a `node:http` POST (on a keep-alive agent) whose answer is received and
 * thrown away, chunk by chunk — no JSON, no base64, nothing kept. `bareReads` (variants.ts) makes them on the main
 * thread; as a worker thread (`threadedReads`), this module makes `count` of them at once on its own event loop
 * for each message `count`, then answers "done". Plain JavaScript: Node 20's workers do not take the `tsx` loader.
 */
import { Agent, request } from "node:http"
import { isMainThread, parentPort, workerData } from "node:worker_threads"

/** One bare read of `url`; resolves once the whole answer has arrived. */
export const bareRead = (agent, url) =>
  new Promise((resolve, reject) => {
    const req = request(url, { method: "POST", agent }, (response) => {
      response.on("data", () => {})
      response.on("end", resolve)
      response.on("error", reject)
    })
    req.on("error", reject)
    req.end("{}")
  })

if (!isMainThread && parentPort !== null) {
  const agent = new Agent({ keepAlive: true })
  parentPort.on("message", async (count) => {
    await Promise.all(Array.from({ length: count }, () => bareRead(agent, workerData.url)))
    parentPort.postMessage("done")
  })
}
