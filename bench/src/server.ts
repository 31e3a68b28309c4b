/**
 * The loopback replay server, run in its own process so its cost stays out of the measurements. Every answer is
 * a buffer built once at start.
 *
 * Routes (the rest of the path after the prefix is ignored, so each client appends its own):
 *   POST /x/ok/{backend}/{size}/…        the backend's 200 body with a {size} image
 *   POST /x/fail503/{backend}/{size}/…   the backend's 503 body, at once
 *   POST /x/slow200/{backend}/{size}/…   the 200 body after 200 ms
 *   POST /x/sse/{backend}/{size}/…       the 200 body as one server-sent event (then `[DONE]`), `stream: true`
 *                                        (OpenRouter's as a `chat.completion.chunk`, its `message` a `delta`;
 *                                        the Image API's as `image_generation.completed`)
 *   GET  /cdn/{size}.png                 the raw image (AI/ML API url form)
 *   GET  /stats                          connections accepted so far
 * backend: openrouter | openrouter-images | aimlapi | aimlapi-url | google | vertex; size: tiny | 1k | 4k.
 */
import { createServer } from "node:http"
import type { AddressInfo } from "node:net"
import { type Backend, backends, makePng, type Size, sizes, unavailableBody, wireBody } from "./payloads.js"

const server = createServer()
let connections = 0
server.on("connection", () => connections++)
server.keepAliveTimeout = 60_000
server.listen(0, "127.0.0.1", () => {
  const port = (server.address() as AddressInfo).port
  const origin = `http://127.0.0.1:${port}`
  const pngs = new Map<string, Buffer>()
  const bodies = new Map<string, Buffer>()
  for (const size of Object.keys(sizes) as Array<Size>) {
    const png = makePng(sizes[size].bytes, sizes[size].side)
    pngs.set(size, png)
    for (const backend of backends) bodies.set(`${backend}/${size}`, wireBody(backend, png))
    bodies.set(`aimlapi-url/${size}`, wireBody("aimlapi-url", png, `${origin}/cdn/${size}.png`))
  }
  // One event per answer: OpenRouter's and the Image API's events have their own shape, the others are the answer.
  const event = (key: string, body: Buffer) => {
    const [backend, size] = key.split("/") as [string, Size]
    return backend === "openrouter" || backend === "openrouter-images"
      ? wireBody(backend, pngs.get(size)!, undefined, true)
      : body
  }
  const streams = new Map(
    [...bodies].map(([key, body]) => [
      key,
      Buffer.concat([Buffer.from("data: "), event(key, body), Buffer.from("\n\ndata: [DONE]\n\n")])
    ])
  )
  const failures = new Map(backends.map((backend) => [backend as string, unavailableBody(backend as Backend)]))

  server.on("request", (req, res) => {
    const send = (status: number, type: string, body: Buffer) => {
      res.writeHead(status, { "content-type": type, "content-length": body.length })
      res.end(body)
    }
    req.on("data", () => {})
    req.on("end", () => {
      const parts = (req.url ?? "/").split("?")[0]!.split("/")
      if (parts[1] === "stats") return send(200, "application/json", Buffer.from(JSON.stringify({ connections })))
      if (parts[1] === "cdn") {
        const png = pngs.get((parts[2] ?? "").replace(/\.png$/, ""))
        return png === undefined ? send(404, "text/plain", Buffer.from("no such image")) : send(200, "image/png", png)
      }
      const [, x, mode, backend = "", size = ""] = parts
      const body = bodies.get(`${backend}/${size}`)
      if (x !== "x" || body === undefined) return send(404, "text/plain", Buffer.from(`no route ${req.url}`))
      if (mode === "fail503") {
        return send(503, "application/json", failures.get(backend.replace(/-url$/, "")) ?? Buffer.from("{}"))
      }
      if (mode === "slow200") return void setTimeout(() => send(200, "application/json", body), 200)
      if (mode === "sse") return send(200, "text/event-stream", streams.get(`${backend}/${size}`)!)
      return send(200, "application/json", body)
    })
  })
  const sizesOut = Object.fromEntries([...bodies].map(([key, body]) => [key, body.length]))
  if (process.send) process.send({ port, sizes: sizesOut })
  else console.log(JSON.stringify({ port, sizes: sizesOut }))
})
process.on("disconnect", () => process.exit(0))
