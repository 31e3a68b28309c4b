/**
 * Shared test helpers for nanogen's packages (private, never published): the recorded fixtures in
 * `fixtures/` at the repository root, a tracer and a logger that record what they see, and the canary-key scanner.
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Logger from "effect/Logger"
import * as LogLevel from "effect/LogLevel"
import * as Tracer from "effect/Tracer"
import { randomBytes } from "node:crypto"
import { readFileSync } from "node:fs"
import * as path from "node:path"
import { inspect } from "node:util"

/** The repository's recorded fixtures (`fixtures/` at the root, with `SOURCES.md`), or `NANOGEN_FIXTURES`. */
export const fixturesDir: string = process.env.NANOGEN_FIXTURES ??
  path.resolve(import.meta.dirname, "../../../fixtures")

/** The raw text of a recorded fixture, e.g. `fixture("google", "error-429-retry-info.json")`. */
export const fixture = (backend: string, file: string): string =>
  readFileSync(path.join(fixturesDir, backend, file), "utf8")

/** A recorded fixture parsed as JSON. */
export const fixtureJson = (backend: string, file: string): unknown => JSON.parse(fixture(backend, file))

/** The base64 and the bytes of one recorded image. */
export interface RecordedImage {
  readonly base64: string
  readonly data: Uint8Array
}

/**
 * The two real 8×8 images of the recorded Gemini answer `google/thought-image-then-final-image.json`: the PNG of
 * its thought part and the final JPEG. Genuine images, so the emulator decodes them as reference images.
 *
 * @example
 * const { png, jpeg } = recordedImages()
 * provider.generate({ prompt: "edit it", images: [{ data: png.data }] }); jpeg.base64 // "/9j/…"
 */
export const recordedImages = (): { readonly png: RecordedImage; readonly jpeg: RecordedImage } => {
  const answer = fixtureJson("google", "thought-image-then-final-image.json") as {
    candidates: [{ content: { parts: [{ inlineData: { data: string } }, { inlineData: { data: string } }] } }]
  }
  const [thought, final] = answer.candidates[0].content.parts
  const image = (base64: string): RecordedImage => ({ base64, data: new Uint8Array(Buffer.from(base64, "base64")) })
  return { png: image(thought.inlineData.data), jpeg: image(final.inlineData.data) }
}

/** A key that must never show up anywhere: use it as the API key in tests and scan everything for it. */
export const CANARY_KEY = "sk-canary-7f3a9c1e5b2d-DO-NOT-LEAK"

/**
 * A "PNG" of about `size` bytes: a real 1×1 PNG (signature, IHDR… IEND, so sniffing and sizing accept it) followed
 * by incompressible random bytes. Large enough (over 64 KiB) its base64 is decoded by core as the body arrives
 * (`decodeImages`).
 */
export const largePng = (size: number): Buffer =>
  Buffer.concat([
    Buffer.from(
      "iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==",
      "base64"
    ),
    randomBytes(Math.max(0, size - 70))
  ])

/** The HTTP client tests use: undici over loopback. */
export const HttpClientLive = NodeHttpClient.layerUndici

/** A finished or running span as recorded. */
export interface RecordedSpan {
  readonly name: string
  readonly attributes: ReadonlyMap<string, unknown>
  readonly status: Tracer.SpanStatus
  readonly parent: string | undefined
}

/**
 * A tracer that delegates to Effect's own and records every span it creates.
 *
 * @example
 * const spans = makeSpanRecorder()
 * program.pipe(Effect.provide(spans.layer)); spans.spans() // [{ name: "nanogen.generate", … }]
 */
export const makeSpanRecorder = () => {
  const recorded: Array<Tracer.Span> = []
  const layer = Layer.unwrapEffect(
    Effect.map(Effect.tracer, (base) =>
      Layer.setTracer(Tracer.make({
        span: (name, parent, context, links, startTime, kind, options) => {
          const span = base.span(name, parent, context, links, startTime, kind, options)
          recorded.push(span)
          return span
        },
        context: base.context
      })))
  )
  const spans = (): ReadonlyArray<RecordedSpan> =>
    recorded.map((span) => ({
      name: span.name,
      attributes: span.attributes,
      status: span.status,
      parent: span.parent._tag === "Some" ? (span.parent.value as { name?: string }).name : undefined
    }))
  return { layer, spans }
}

/**
 * A logger that records every log line (all levels, debug included) as logfmt text.
 */
export const makeLogRecorder = () => {
  const lines: Array<string> = []
  const logger = Logger.make<unknown, void>((options) => {
    lines.push(Logger.logfmtLogger.log(options))
  })
  const layer = Layer.merge(Logger.replace(Logger.defaultLogger, logger), Logger.minimumLogLevel(LogLevel.All))
  return { layer, lines: (): ReadonlyArray<string> => lines }
}

/** Renders anything as a string the way a user might see it: JSON, `inspect`, `String`, `Cause.pretty`. */
export const render = (value: unknown): string => {
  const parts: Array<string> = []
  try {
    parts.push(JSON.stringify(value, (_key, v) => (typeof v === "bigint" ? String(v) : v)) ?? "")
  } catch {
    // circular: inspect below covers it
  }
  parts.push(inspect(value, { depth: 12, showHidden: false, getters: true }))
  parts.push(String(value))
  if (value instanceof Error) parts.push(value.message, value.stack ?? "")
  if (Cause.isCause(value)) parts.push(Cause.pretty(value))
  return parts.join("\n")
}

/** Throws when `secret` appears in the rendering of any value (errors, results, spans, log lines). */
export const assertNoSecret = (secret: string, ...values: ReadonlyArray<unknown>): void => {
  for (const [index, value] of values.entries()) {
    const rendered = render(value)
    if (rendered.includes(secret)) {
      throw new Error(
        `secret leaked in value #${index}: …${
          rendered.slice(Math.max(0, rendered.indexOf(secret) - 120), rendered.indexOf(secret) + secret.length + 40)
        }…`
      )
    }
  }
}
