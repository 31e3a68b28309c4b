/**
 * Prebuilt wire bodies for the replay server: one incompressible "PNG" per size (a real signature and IHDR, so
 * core's sniffing and `image-size` accept it, then random bytes) wrapped in each backend's response shape.
 * Built once; the server only writes these buffers.
 */
import { randomFillSync } from "node:crypto"
import { crc32 } from "node:zlib"

export const sizes = {
  tiny: { bytes: 16 * 1024, side: 256 },
  "1k": { bytes: 1_500_000, side: 1024 },
  "4k": { bytes: 20_000_000, side: 4096 }
} as const
export type Size = keyof typeof sizes

/**
 * The answer shapes: OpenRouter's chat completions and its Image API (`openrouter-images`), the AI/ML API, the
 * Gemini API and Vertex AI (the same `generateContent` shape as Gemini's, answered on Vertex's paths).
 */
export const backends = ["openrouter", "openrouter-images", "aimlapi", "google", "vertex"] as const
export type Backend = typeof backends[number]

const chunk = (type: string, data: Uint8Array): Buffer => {
  const out = Buffer.alloc(12 + data.length)
  out.writeUInt32BE(data.length, 0)
  out.write(type, 4, "latin1")
  out.set(data, 8)
  out.writeUInt32BE(crc32(out.subarray(4, 8 + data.length)), 8 + data.length)
  return out
}

/** A PNG-looking file of exactly `bytes` bytes, `side`×`side` pixels in its header. */
export const makePng = (bytes: number, side: number): Buffer => {
  const ihdr = Buffer.alloc(13)
  ihdr.writeUInt32BE(side, 0)
  ihdr.writeUInt32BE(side, 4)
  ihdr[8] = 8 // bit depth
  ihdr[9] = 2 // RGB
  const head = Buffer.concat([Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]), chunk("IHDR", ihdr)])
  const end = chunk("IEND", new Uint8Array(0))
  const idat = chunk("IDAT", randomFillSync(Buffer.alloc(bytes - head.length - end.length - 12)))
  return Buffer.concat([head, idat, end])
}

/**
 * The JSON body each backend answers with, around the base64 of `png`. `chunk`: the form of one event of a
 * stream, where it differs (OpenRouter's `chat.completion.chunk`, the Image API's `image_generation.completed`).
 */
export const wireBody = (backend: Backend | "aimlapi-url", png: Buffer, cdnUrl?: string, chunk = false): Buffer => {
  const b64 = png.toString("base64")
  switch (backend) {
    case "openrouter":
      // `chunk`: the same answer as the one `chat.completion.chunk` of a stream (a `delta` for the `message`).
      return Buffer.from(
        `{"id":"gen-bench","object":"chat.completion${
          chunk ? ".chunk" : ""
        }","created":1748372400,"model":"google/gemini-3.1-flash-image-preview",` +
          `"provider":"Google AI Studio","choices":[{"index":0,"finish_reason":"stop","native_finish_reason":"STOP",` +
          `"${
            chunk ? "delta" : "message"
          }":{"role":"assistant","content":"Here is your image.","images":[{"type":"image_url","image_url":` +
          `{"url":"data:image/png;base64,${b64}"}}]}}],"usage":{"prompt_tokens":18,"completion_tokens":1300,` +
          `"total_tokens":1318,"completion_tokens_details":{"image_tokens":1290},"cost":0.039}}`
      )
    case "openrouter-images":
      return Buffer.from(
        chunk
          ? `{"type":"image_generation.completed","b64_json":"${b64}","media_type":"image/png","created":1748372400,` +
            `"usage":{"prompt_tokens":16,"completion_tokens":1290,"total_tokens":1306,"cost":0.039}}`
          : `{"created":1748372400,"data":[{"b64_json":"${b64}","media_type":"image/png"}],` +
            `"usage":{"prompt_tokens":16,"completion_tokens":1290,"total_tokens":1306,"cost":0.039}}`
      )
    case "aimlapi":
      return Buffer.from(
        `{"data":[{"mime_type":"image/png","b64_json":"${b64}","url":null}],"meta":{"usage":{"credits_used":178975}}}`
      )
    case "aimlapi-url":
      return Buffer.from(
        `{"data":[{"mime_type":"image/png","b64_json":null,"url":${
          JSON.stringify(cdnUrl)
        }}],"meta":{"usage":{"credits_used":178975}}}`
      )
    case "google":
    case "vertex":
      return Buffer.from(
        `{"candidates":[{"content":{"role":"model","parts":[{"text":"Here is your image."},` +
          `{"inlineData":{"mimeType":"image/png","data":"${b64}"}}]},"finishReason":"STOP","index":0}],` +
          `"usageMetadata":{"promptTokenCount":18,"candidatesTokenCount":1300,"totalTokenCount":1318,` +
          `"candidatesTokensDetails":[{"modality":"IMAGE","tokenCount":1290}]},"modelVersion":"gemini-3.1-flash-image-preview",` +
          `"responseId":"bench"}`
      )
  }
}

/** The 503 each backend answers with when it is overloaded. */
export const unavailableBody = (backend: Backend): Buffer => {
  switch (backend) {
    case "openrouter":
    case "openrouter-images":
      return Buffer.from(
        `{"error":{"code":503,"message":"No available model provider that meets your routing requirements"}}`
      )
    case "aimlapi":
      return Buffer.from(`{"statusCode":503,"message":"Service Unavailable","error":"Service Unavailable"}`)
    case "google":
    case "vertex":
      return Buffer.from(
        `{"error":{"code":503,"message":"The model is overloaded. Please try again later.","status":"UNAVAILABLE"}}`
      )
  }
}
