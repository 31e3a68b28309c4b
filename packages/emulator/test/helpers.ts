import * as Effect from "effect/Effect"
import sharp from "sharp"

export interface Reply {
  readonly status: number
  readonly headers: { readonly get: (name: string) => string | null }
  readonly text: string
  readonly json: any
}

const parse = (text: string): any => {
  try {
    return JSON.parse(text)
  } catch {
    return undefined
  }
}

/** POSTs JSON with plain fetch and reads the whole reply. */
export const post = (url: string, body: unknown, headers: Record<string, string> = {}): Effect.Effect<Reply> =>
  Effect.promise(async () => {
    const response = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: typeof body === "string" ? body : JSON.stringify(body)
    })
    const text = await response.text()
    return { status: response.status, headers: response.headers, text, json: parse(text) }
  })

/** Like `post`, but resolves with the fetch failure (or undefined) instead of a reply. */
export const postFailure = (url: string, body: unknown, headers: Record<string, string> = {}, timeoutMs?: number) =>
  Effect.promise(async () => {
    try {
      const response = await fetch(url, {
        method: "POST",
        headers: { "content-type": "application/json", ...headers },
        body: JSON.stringify(body),
        ...(timeoutMs === undefined ? {} : { signal: AbortSignal.timeout(timeoutMs) })
      })
      await response.text()
      return { ok: true as const, status: response.status }
    } catch (error) {
      return { ok: false as const, error: error as Error }
    }
  })

export interface Download {
  readonly status: number
  readonly contentType: string | null
  readonly bytes: Buffer
}

export const get = (url: string): Effect.Effect<Download> =>
  Effect.promise(async () => {
    const response = await fetch(url)
    return {
      status: response.status,
      contentType: response.headers.get("content-type"),
      bytes: Buffer.from(await response.arrayBuffer())
    }
  })

export const meta = (bytes: Buffer | string) =>
  Effect.promise(() => sharp(typeof bytes === "string" ? Buffer.from(bytes, "base64") : bytes).metadata())

export const pixel = (bytes: Buffer, x: number, y: number) =>
  Effect.promise(async () => {
    const { data } = await sharp(bytes).extract({ left: x, top: y, width: 1, height: 1 }).removeAlpha().raw()
      .toBuffer({ resolveWithObject: true })
    return [data[0]!, data[1]!, data[2]!] as const
  })

export const dataUrlBytes = (url: string): { mimeType: string; bytes: Buffer } => {
  const match = /^data:([^;]+);base64,(.*)$/s.exec(url)
  if (match === null) throw new Error(`not a data URL: ${url.slice(0, 40)}`)
  return { mimeType: match[1]!, bytes: Buffer.from(match[2]!, "base64") }
}

/** A solid-colour PNG to use as a reference image. */
export const solidPng = (width: number, height: number, rgb: readonly [number, number, number]) =>
  Effect.promise(() =>
    sharp({ create: { width, height, channels: 3, background: { r: rgb[0], g: rgb[1], b: rgb[2] } } }).png()
      .toBuffer()
  )

export const close = (a: readonly [number, number, number], b: readonly [number, number, number], tolerance = 12) =>
  a.every((value, i) => Math.abs(value - b[i]!) <= tolerance)
