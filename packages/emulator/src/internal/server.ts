/**
 * The `node:http` plumbing shared by the three protocol servers: request recording, fault dispatch and the
 * transport faults (delay, hang, slow body, reset, truncation, HTML, raw).
 *
 * @internal
 */
import * as Http from "node:http"
import type { AddressInfo } from "node:net"
import type { Fault, FaultScript, RecordedRequest, ServerName } from "../Faults.js"
import { redactHeaders } from "../Faults.js"

/** @internal */
export interface StreamChunk {
  readonly data: Buffer
  readonly delayMs?: number
}

/** @internal */
export interface Answer {
  readonly status: number
  readonly headers: Record<string, string>
  /** A whole body, or SSE chunks written one after another. */
  readonly body: Buffer | ReadonlyArray<StreamChunk>
}

/** @internal */
export interface Incoming {
  readonly recorded: RecordedRequest
  readonly url: URL
  readonly rawBody: Buffer
  /** The credential as `Protocol.credential` read it (unredacted; never logged). */
  readonly credential: string | undefined
  /** `http://host:port` of this server. */
  readonly origin: string
}

/** @internal */
export type AnswerFault = Extract<Fault, { kind: "ok" | "refusal" | "textOnly" | "cdn404" }>

/** @internal */
export interface Protocol {
  readonly name: ServerName
  /** The credential the request carries (`undefined` when absent). */
  readonly credential: (request: Http.IncomingMessage, url: URL) => string | undefined
  /** Whether a request is an API call (consumes a fault). */
  readonly isApiCall: (method: string, path: string) => boolean
  /** Answers requests that are not API calls (CDN downloads, unknown paths). */
  readonly other: (incoming: Incoming) => Promise<Answer>
  /** The normal answer (validation included) in the variant a fault asks for. */
  readonly answer: (incoming: Incoming, fault: AnswerFault) => Promise<Answer>
  /** An error status with this provider's own error body. */
  readonly error: (incoming: Incoming, fault: Extract<Fault, { kind: "status" }>) => Answer
  /** HTTP 200 carrying an error. */
  readonly http200Error: (incoming: Incoming, fault: Extract<Fault, { kind: "http200Error" }>) => Answer
}

/** @internal */
export const json = (status: number, value: unknown, headers: Record<string, string> = {}): Answer => ({
  status,
  headers: { "content-type": "application/json; charset=utf-8", ...headers },
  body: Buffer.from(JSON.stringify(value))
})

/** @internal */
export const nginxPage = (status: number): string => {
  const title = `${status} ${Http.STATUS_CODES[status] ?? "Error"}`
  return `<html>\r\n<head><title>${title}</title></head>\r\n<body>\r\n<center><h1>${title}</h1></center>\r\n` +
    `<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n`
}

const bodyBuffer = (body: Answer["body"]): Buffer =>
  Buffer.isBuffer(body) ? body : Buffer.concat(body.map((chunk) => chunk.data))

const parseQuery = (url: URL): Record<string, string> => {
  const query: Record<string, string> = {}
  for (const [name, value] of url.searchParams) query[name] = name === "key" ? "<redacted>" : value
  return query
}

const readBody = (request: Http.IncomingMessage): Promise<Buffer> =>
  new Promise((resolve, reject) => {
    const chunks: Array<Buffer> = []
    request.on("data", (chunk: Buffer) => chunks.push(chunk))
    request.on("end", () => resolve(Buffer.concat(chunks)))
    request.on("error", reject)
  })

const parseJson = (raw: Buffer): unknown => {
  if (raw.length === 0) return undefined
  try {
    return JSON.parse(raw.toString("utf8"))
  } catch {
    return undefined
  }
}

/** @internal */
export interface RunningServer {
  readonly origin: string
  readonly close: () => Promise<void>
}

/** @internal */
export interface ServeOptions {
  readonly host: string
  /** Port to listen on (0: a free port). */
  readonly port?: number
  /** Whether the credential a request carries (`Protocol.credential`) is accepted. */
  readonly accepts: (credential: string | undefined) => boolean
  readonly protocol: Protocol
  readonly script: FaultScript
  readonly log: (request: RecordedRequest) => void
}

/** Starts one protocol server on `host:port` (port 0 by default). @internal */
export const serve = (options: ServeOptions): Promise<RunningServer> => {
  const { protocol, script } = options
  const timers = new Set<NodeJS.Timeout>()
  let closed = false
  let origin = ""

  const sleep = (ms: number): Promise<void> =>
    new Promise((resolve) => {
      if (closed) return
      const timer = setTimeout(() => {
        timers.delete(timer)
        resolve()
      }, ms)
      timers.add(timer)
    })

  const send = async (response: Http.ServerResponse, answer: Answer): Promise<void> => {
    if (Buffer.isBuffer(answer.body)) {
      response.writeHead(answer.status, { ...answer.headers, "content-length": String(answer.body.length) })
      response.end(answer.body)
      return
    }
    response.writeHead(answer.status, answer.headers)
    for (const chunk of answer.body) {
      if (chunk.delayMs !== undefined && chunk.delayMs > 0) await sleep(chunk.delayMs)
      if (closed || response.destroyed) return
      response.write(chunk.data)
    }
    response.end()
  }

  const sendSlowly = async (response: Http.ServerResponse, answer: Answer, chunks: number, delayMs: number) => {
    const body = bodyBuffer(answer.body)
    response.writeHead(answer.status, { ...answer.headers, "content-length": String(body.length) })
    const count = Math.max(1, Math.min(chunks, body.length))
    const size = Math.ceil(body.length / count)
    for (let offset = 0; offset < body.length; offset += size) {
      if (offset > 0) await sleep(delayMs)
      if (closed || response.destroyed) return
      response.write(body.subarray(offset, offset + size))
    }
    response.end()
  }

  const sendReset = (response: Http.ServerResponse, answer: Answer) => {
    const body = bodyBuffer(answer.body)
    response.writeHead(answer.status, { ...answer.headers, "content-length": String(body.length) })
    response.write(body.subarray(0, Math.max(1, Math.floor(body.length / 2))), () => {
      response.socket?.destroy()
    })
  }

  const sendTruncated = (response: Http.ServerResponse, answer: Answer) => {
    const body = bodyBuffer(answer.body)
    response.writeHead(200, { "content-type": "application/json; charset=utf-8", connection: "close" })
    response.end(body.subarray(0, Math.max(1, Math.floor(body.length / 2))))
  }

  const handle = async (request: Http.IncomingMessage, response: Http.ServerResponse): Promise<void> => {
    const url = new URL(request.url ?? "/", origin)
    const rawBody = await readBody(request)
    const method = request.method ?? "GET"
    const credential = protocol.credential(request, url)
    const recorded: RecordedRequest = {
      server: protocol.name,
      method,
      path: url.pathname,
      query: parseQuery(url),
      headers: redactHeaders(request.headers),
      credentialOk: options.accepts(credential),
      body: parseJson(rawBody)
    }
    options.log(recorded)
    const incoming: Incoming = { recorded, url, rawBody, credential, origin }
    if (!protocol.isApiCall(method, url.pathname)) {
      return send(response, await protocol.other(incoming))
    }
    const fault = script.next(recorded)
    switch (fault.kind) {
      case "hang":
        return
      case "delay":
        await sleep(fault.ms)
        return send(response, await protocol.answer(incoming, { kind: "ok" }))
      case "ok":
        if (fault.delayMs !== undefined && fault.delayMs > 0) await sleep(fault.delayMs)
        return send(response, await protocol.answer(incoming, fault))
      case "refusal":
      case "textOnly":
      case "cdn404":
        return send(response, await protocol.answer(incoming, fault))
      case "slowBody":
        return sendSlowly(
          response,
          await protocol.answer(incoming, { kind: "ok" }),
          fault.chunks ?? 10,
          fault.chunkDelayMs
        )
      case "reset":
        return sendReset(response, await protocol.answer(incoming, { kind: "ok" }))
      case "truncated":
        return sendTruncated(response, await protocol.answer(incoming, { kind: "ok" }))
      case "html": {
        const status = fault.status ?? 502
        return send(response, {
          status,
          headers: { "content-type": "text/html", server: "nginx" },
          body: Buffer.from(nginxPage(status))
        })
      }
      case "raw":
        return send(response, {
          status: fault.status,
          headers: fault.headers ?? {},
          body: typeof fault.body === "string" ? Buffer.from(fault.body) : Buffer.from(fault.body)
        })
      case "status":
        return send(response, protocol.error(incoming, fault))
      case "http200Error":
        return send(response, protocol.http200Error(incoming, fault))
    }
  }

  const server = Http.createServer((request, response) => {
    handle(request, response).catch((cause: unknown) => {
      if (response.headersSent) {
        response.destroy()
        return
      }
      const message = cause instanceof Error ? cause.message : String(cause)
      response.writeHead(500, { "content-type": "text/plain; charset=utf-8" })
      response.end(`nanogen emulator internal error: ${message}`)
    })
  })
  // A 4K base64 answer is large; never let Node's defaults time a slow test out.
  server.requestTimeout = 0
  server.headersTimeout = 0
  server.keepAliveTimeout = 1_000

  return new Promise((resolve, reject) => {
    server.once("error", reject)
    server.listen(options.port ?? 0, options.host, () => {
      server.off("error", reject)
      const address = server.address() as AddressInfo
      const host = address.family === "IPv6" ? `[${address.address}]` : address.address
      origin = `http://${host}:${address.port}`
      resolve({
        origin,
        close: () =>
          new Promise<void>((done) => {
            if (closed) return done()
            closed = true
            for (const timer of timers) clearTimeout(timer)
            timers.clear()
            server.close(() => done())
            server.closeAllConnections()
          })
      })
    })
  })
}
