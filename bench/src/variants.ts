/**
 * The clients measured: nanogen's real provider layers on `NodeHttpClient.layerUndici`, the hand-written
 * baseline (`fetch` + `JSON.parse` + `Buffer.from(b64, "base64")`) and, for the Gemini shape, the Vercel AI SDK.
 * Every variant resolves to the image bytes of one call.
 */
import { FetchHttpClient } from "@effect/platform"
import { NodeHttpClient } from "@effect/platform-node"
import type * as HttpClient from "@effect/platform/HttpClient"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as ManagedRuntime from "effect/ManagedRuntime"
import * as Redacted from "effect/Redacted"
import { Agent } from "node:http"
import { Worker } from "node:worker_threads"
import type { Size } from "./payloads.js"
import { bareRead } from "./readWorker.mjs"

export type Backend = "openrouter" | "openrouter-images" | "aimlapi" | "aimlapi-url" | "google" | "vertex"
export type Kind =
  | "nanogen"
  | "nanogen-exit"
  | "nanogen-sse"
  | "baseline"
  | "ai-sdk"
  | "wire-buffered"
  | "wire"
  | "wire-fetch"
  | "wire-sse"
export type Mode = "ok" | "fail503" | "slow200" | "sse"

export interface Client {
  readonly call: () => Promise<Uint8Array>
  /** nanogen only: the image returned as the value of `runPromise` (the `nanogen-exit` variant). */
  readonly callExit?: () => Promise<Uint8Array>
  /** nanogen only: the whole result (fan-out counts its images). */
  readonly generate?: () => Promise<{ readonly images: ReadonlyArray<{ readonly data: Uint8Array }> }>
  readonly close: () => Promise<void>
}

export const routeUrl = (origin: string, mode: Mode, backend: Backend, size: Size) =>
  `${origin}/x/${mode}/${backend}/${size}`

/** The path each backend's client appends to its base URL (the replay server ignores it). */
const apiPath: Record<Backend, string> = {
  openrouter: "/api/v1",
  "openrouter-images": "/api/v1",
  aimlapi: "/v1",
  "aimlapi-url": "/v1",
  google: "/v1beta",
  vertex: "/v1"
}

const packageOf: Record<Backend, string> = {
  openrouter: "@nanogen/openrouter",
  "openrouter-images": "@nanogen/openrouter",
  aimlapi: "@nanogen/aimlapi",
  "aimlapi-url": "@nanogen/aimlapi",
  google: "@nanogen/google-direct",
  vertex: "@nanogen/vertex"
}

/** What a backend's layer takes beyond its key and URL: the Image API, the CDN download on loopback. */
const optionsOf: Partial<Record<Backend, Record<string, unknown>>> = {
  "openrouter-images": { api: "images" },
  "aimlapi-url": { download: { allowPrivateNetwork: true } }
}

/** The backends with `stream: true` (and the replay server's event-stream route). */
export const streaming: ReadonlySet<Backend> = new Set(["openrouter", "openrouter-images", "google", "vertex"])

export const model = "nano-banana-2"
const geminiModel = "gemini-3.1-flash-image-preview"
const vertexModel = "gemini-3.1-flash-image"

export const apiUrlOf = (origin: string, mode: Mode, backend: Backend, size: Size) =>
  `${routeUrl(origin, mode, backend, size)}${apiPath[backend]}`

type ProviderLayer = Layer.Layer<any, any, any>

/** `<Name>ImageProvider.layer(options)` of a provider package, or `undefined` while the package has none. */
export const providerLayer = async (
  backend: Backend,
  apiUrl: string,
  extra: Record<string, unknown> = {}
): Promise<ProviderLayer | undefined> => {
  const module: Record<string, unknown> = await import(packageOf[backend])
  for (const [name, value] of Object.entries(module)) {
    if (!name.endsWith("ImageProvider") || typeof value !== "object" || value === null) continue
    const layer = (value as { layer?: unknown }).layer
    if (typeof layer === "function") {
      return (layer as (options: unknown) => ProviderLayer)({
        // Vertex AI's express mode: the key as `x-goog-api-key`, no OAuth.
        apiKey: Redacted.make("bench-key"),
        apiUrl,
        ...optionsOf[backend],
        ...extra
      })
    }
  }
  return undefined
}

const imageProviderTag = async () => (await import("@nanogen/core")).ImageProvider.ImageProvider

/**
 * Runs `effect` and resolves to its value, handed out of the program through a variable rather than as the value
 * of `runPromise`: what an Effect program that uses the image inside (writes it, uploads it) and `@nanogen/client`
 * do. A value returned by `runPromise` is the exit value of the call's fiber, and large values held there outlive
 * young-generation collections: the `nanogen-exit` variant measures that form.
 */
export const runOut = async <A>(rt: ManagedRuntime.ManagedRuntime<any, any>, effect: Effect.Effect<A, any, any>) => {
  let value: A | undefined
  await rt.runPromise(Effect.map(effect, (result) => {
    value = result
  }))
  return value as A
}

/**
 * A nanogen client over any `ImageProvider` layer (a provider, or a `Fallback.layer`), on undici unless another
 * `HttpClient` is given.
 */
export const nanogenFromLayer = async (
  layer: ProviderLayer,
  request: Record<string, unknown>,
  http: Layer.Layer<HttpClient.HttpClient> = NodeHttpClient.layerUndici
): Promise<Client> => {
  const Tag = await imageProviderTag()
  const rt = ManagedRuntime.make(Layer.provide(layer, http) as Layer.Layer<any, any, never>)
  const service: any = await rt.runPromise(Tag as any)
  const generate = () => runOut<any>(rt, service.generate(request))
  return {
    call: async () => (await generate()).images[0].data as Uint8Array,
    callExit: async () =>
      (await rt.runPromise(service.generate(request) as Effect.Effect<any, any, never>)).images[0].data,
    generate,
    close: () => rt.dispose()
  }
}

export const nanogen = async (origin: string, backend: Backend, size: Size, mode: Mode = "ok") => {
  const layer = await providerLayer(backend, apiUrlOf(origin, mode, backend, size))
  if (layer === undefined) return undefined
  return nanogenFromLayer(layer, requestFor(size))
}

/** A provider with `stream: true` against the route answering the same body as one event (see `streaming`). */
export const nanogenStream = async (origin: string, backend: Backend, size: Size) => {
  if (!streaming.has(backend)) return undefined
  const layer = await providerLayer(backend, apiUrlOf(origin, "sse", backend, size), { stream: true })
  return layer === undefined ? undefined : nanogenFromLayer(layer, requestFor(size))
}

export const requestFor = (size: Size) => ({
  prompt: "a nano banana dish in a fancy restaurant",
  model,
  ...(size === "4k" ? { imageSize: "4K" } : {})
})

/**
 * The transport alone: bare reads (`bareRead`: a `node:http` POST on a keep-alive agent whose answer is received
 * and thrown away — no JSON, no base64, nothing kept). What the machine needs to receive one answer; it resolves
 * to an empty array.
 */
export const bareReads = (origin: string, backend: Backend, size: Size, mode: Mode = "ok"): Client => {
  const agent = new Agent({ keepAlive: true })
  const url = `${apiUrlOf(origin, mode, backend, size)}/read`
  const empty = new Uint8Array(0)
  return { call: () => bareRead(agent, url).then(() => empty), close: async () => agent.destroy() }
}

/**
 * The transport alone on `threads` worker threads (`readWorker.mjs`), each with its own event loop and agent:
 * `reads(count)` splits `count` bare reads among them (round-robin) and resolves when all have arrived. What
 * receiving costs when the socket reads are not all on one JS thread.
 */
export const threadedReads = (origin: string, backend: Backend, size: Size, mode: Mode, threads: number) => {
  const url = `${apiUrlOf(origin, mode, backend, size)}/read`
  const workers = Array.from(
    { length: threads },
    () => new Worker(new URL("./readWorker.mjs", import.meta.url), { workerData: { url } })
  )
  const ask = (worker: Worker, count: number) =>
    new Promise<void>((resolve, reject) => {
      const done = () => {
        worker.off("error", fail)
        resolve()
      }
      const fail = (error: unknown) => {
        worker.off("message", done)
        reject(error)
      }
      worker.once("message", done)
      worker.once("error", fail)
      worker.postMessage(count)
    })
  return {
    reads: (count: number) =>
      Promise.all(
        workers.map((worker, index) => ask(worker, Math.floor(count / threads) + (index < count % threads ? 1 : 0)))
      ),
    close: async () => {
      await Promise.all(workers.map((worker) => worker.terminate()))
    }
  }
}

/** The hand-written client: what you would write with `fetch` in ten lines. */
export const baseline = (origin: string, backend: Backend, size: Size, mode: Mode = "ok"): Client => {
  const base = apiUrlOf(origin, mode, backend, size)
  const post = async (path: string, body: unknown): Promise<any> => {
    const response = await fetch(`${base}${path}`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: "Bearer bench-key" },
      body: JSON.stringify(body)
    })
    if (!response.ok) throw new Error(`HTTP ${response.status}`)
    return JSON.parse(await response.text())
  }
  const prompt = "a nano banana dish in a fancy restaurant"
  const call = async (): Promise<Uint8Array> => {
    switch (backend) {
      case "openrouter": {
        const json = await post("/chat/completions", {
          model: "google/gemini-3.1-flash-image-preview",
          messages: [{ role: "user", content: prompt }],
          modalities: ["image", "text"]
        })
        const url: string = json.choices[0].message.images[0].image_url.url
        return Buffer.from(url.slice(url.indexOf(",") + 1), "base64")
      }
      case "openrouter-images": {
        const json = await post("/images", { model: "google/gemini-3.1-flash-image-preview", prompt })
        return Buffer.from(json.data[0].b64_json, "base64")
      }
      case "aimlapi": {
        const json = await post("/images/generations", { model: "google/nano-banana-2", prompt })
        return Buffer.from(json.data[0].b64_json, "base64")
      }
      case "aimlapi-url": {
        const json = await post("/images/generations", { model: "google/nano-banana-2", prompt })
        const image = await fetch(json.data[0].url)
        return Buffer.from(await image.arrayBuffer())
      }
      case "google":
      case "vertex": {
        const path = backend === "google" ? `/models/${geminiModel}` : `/publishers/google/models/${vertexModel}`
        const json = await post(`${path}:generateContent`, {
          contents: [{ role: "user", parts: [{ text: prompt }] }],
          generationConfig: { responseModalities: ["TEXT", "IMAGE"] }
        })
        const part = json.candidates[0].content.parts.find((p: any) => p.inlineData !== undefined)
        return Buffer.from(part.inlineData.data, "base64")
      }
    }
  }
  return { call, close: async () => {} }
}

/** The Vercel AI SDK's Google provider, pointed at the replay server (Gemini shape only). */
export const aiSdk = async (origin: string, size: Size): Promise<Client> => {
  const { generateText } = await import("ai")
  const { createGoogleGenerativeAI } = await import("@ai-sdk/google")
  const google = createGoogleGenerativeAI({ baseURL: apiUrlOf(origin, "ok", "google", size), apiKey: "bench-key" })
  const call = async (): Promise<Uint8Array> => {
    const result = await generateText({
      model: google(geminiModel),
      prompt: "a nano banana dish in a fancy restaurant",
      maxRetries: 0,
      providerOptions: { google: { responseModalities: ["TEXT", "IMAGE"] } }
    })
    const file = result.files.find((f) => f.mediaType.startsWith("image/"))
    if (file === undefined) throw new Error("ai-sdk: no image")
    return file.uint8Array
  }
  return { call, close: async () => {} }
}

export const make = async (
  kind: Kind,
  origin: string,
  backend: Backend,
  size: Size
): Promise<Client | undefined> => {
  switch (kind) {
    case "nanogen":
      return nanogen(origin, backend, size)
    case "nanogen-exit": {
      const client = await nanogen(origin, backend, size)
      return client === undefined ? undefined : { ...client, call: client.callExit! }
    }
    case "nanogen-sse":
      return nanogenStream(origin, backend, size)
    case "baseline":
      return baseline(origin, backend, size)
    case "ai-sdk":
      return backend === "google" ? aiSdk(origin, size) : undefined
    default:
      return wire(kind, origin, backend, size)
  }
}

/** Where each backend's answer keeps its image (non-streaming and streaming chunks alike). */
export const imageOf = (backend: Backend, body: any): unknown => {
  switch (backend) {
    case "openrouter": {
      const message = body.choices[0].message ?? body.choices[0].delta
      return message.images[0].image_url.url
    }
    case "openrouter-images":
      return (body.data?.[0] ?? body).b64_json
    case "aimlapi":
    case "aimlapi-url":
      return body.data[0].b64_json ?? body.data[0].url
    case "google":
    case "vertex":
      return body.candidates[0].content.parts.find((part: any) => part.inlineData !== undefined).inlineData.data
  }
}

/**
 * core's HTTP path alone, as a provider uses it: `ProviderClient.postJson` (or `postEvents` for `wire-sse`) and the
 * image taken from the wire shape with `DataUrl.parse` / `ImageBytes.fromBase64` / `client.download`. `wire`,
 * `wire-fetch` and `wire-sse` read with `decodeImages` (base64 decoded as it arrives) over undici, over
 * `FetchHttpClient`, and from an event stream; `wire-buffered` reads the whole body first (the provider
 * packages' path until they pass `decodeImages`).
 */
export const wire = async (
  kind: Kind,
  origin: string,
  backend: Backend,
  size: Size,
  http: Layer.Layer<HttpClient.HttpClient> = kind === "wire-fetch" ? FetchHttpClient.layer : NodeHttpClient.layerUndici
): Promise<Client | undefined> => {
  if (kind === "wire-sse" && !streaming.has(backend)) return undefined
  const core = await import("@nanogen/core")
  const mode: Mode = kind === "wire-sse" ? "sse" : "ok"
  const rt = ManagedRuntime.make(http)
  const client = await rt.runPromise(core.ProviderClient.make({
    provider: backend,
    apiUrl: apiUrlOf(origin, mode, backend, size),
    headers: { authorization: Redacted.make("Bearer bench-key") },
    download: { allowPrivateNetwork: true }
  }))
  const options = { decodeImages: kind !== "wire-buffered" }
  const body = { model: model, prompt: "a nano banana dish in a fancy restaurant" }
  const call = async (): Promise<Uint8Array> => {
    let answer: unknown
    if (kind === "wire-sse") {
      const response = await runOut(rt, client.postEvents("/stream", body, options))
      answer = response.values![0]
    } else answer = (await runOut(rt, client.postJson("/generate", body, options))).body
    const image = imageOf(backend, answer) as string | InstanceType<typeof core.ImageBytes.DecodedBase64>
    if (backend === "aimlapi-url") return (await runOut(rt, client.download(image as string))).data
    return core.DataUrl.isDataUrl(image) ? core.DataUrl.parse(image)!.data : core.ImageBytes.fromBase64(image)
  }
  return { call, close: () => rt.dispose() }
}

/**
 * Calls `client` `total` times, `concurrency` calls at a time, checking that each gives an image of `bytes` bytes.
 */
export const callConcurrently = async (client: Client, total: number, concurrency: number, bytes: number) => {
  let next = 0
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < total) {
        next++
        const image = await client.call()
        if (image.length !== bytes) throw new Error(`got ${image.length} bytes, expected ${bytes}`)
      }
    })
  )
}

/**
 * The variant a child process of the bench measures, from its argv (`kind backend size origin [calls]`); a variant
 * that does not exist for the backend prints `{"skipped":true}` and ends the process.
 */
export const childVariant = async (defaultCalls: number) => {
  const [kind, backend, size, origin, calls] = process.argv.slice(2) as [Kind, Backend, Size, string, string?]
  const client = await make(kind, origin, backend, size)
  if (client === undefined) {
    console.log(JSON.stringify({ skipped: true }))
    process.exit(0)
  }
  return { kind, backend, size, calls: Number(calls ?? defaultCalls), client }
}
