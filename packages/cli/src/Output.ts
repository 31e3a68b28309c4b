/**
 * What the CLI and the demo show and write: image files named after the real type of their bytes, the attempt
 * trail, the end-of-run summary, the machine-readable JSON result, and the live progress line.
 *
 * @since 0.1.0
 */
import type { ImageGenerationError } from "@nanogen/core"
import { ImageBytes } from "@nanogen/core"
import type { ImageResult } from "@nanogen/core"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Tracer from "effect/Tracer"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"

/**
 * The file extension of an image, from its sniffed bytes (never from a label): `png`, `jpg`, `webp`, `gif`,
 * `heic`, `heif`; `bin` for bytes of no known type.
 *
 * @example
 * ```ts
 * import { Output } from "@nanogen/cli"
 * Output.extensionOf(new Uint8Array([0xff, 0xd8, 0xff, 0xe0])) // "jpg"
 * ```
 * @since 0.1.0
 * @category Files
 */
export const extensionOf = (bytes: Uint8Array): string => {
  switch (ImageBytes.sniffMimeType(bytes)) {
    case "image/png":
      return "png"
    case "image/jpeg":
      return "jpg"
    case "image/webp":
      return "webp"
    case "image/gif":
      return "gif"
    case "image/heic":
      return "heic"
    case "image/heif":
      return "heif"
    default:
      return "bin"
  }
}

const knownExtension = /\.(png|jpe?g|webp|gif|heic|heif|bin)$/i

/**
 * The paths for `count` images written at `out`: `out.png`, `out-1.png`, `out-2.jpg`… The extension of `out`,
 * if any, is replaced by the real type of each image; a directory (an existing one, or a path ending in `/`)
 * receives `out.<ext>`, `out-1.<ext>`… inside it.
 *
 * @example
 * ```ts
 * import { Output } from "@nanogen/cli"
 * Output.filePaths("cat.png", ["jpg", "jpg"], false) // ["cat.jpg", "cat-1.jpg"]
 * ```
 * @since 0.1.0
 * @category Files
 */
export const filePaths = (out: string, extensions: ReadonlyArray<string>, isDirectory: boolean): Array<string> => {
  const base = isDirectory || out.endsWith("/") || out.endsWith(Path.sep)
    ? Path.join(out, "out")
    : out.replace(knownExtension, "")
  return extensions.map((ext, index) => `${base}${index === 0 ? "" : `-${index}`}.${ext}`)
}

/**
 * One image written to disk.
 *
 * @example
 * ```ts
 * import type { Output } from "@nanogen/cli"
 * const file: Output.WrittenImage = { path: "out.png", mimeType: "image/png", width: 1024, height: 1024, bytes: 1234 }
 * ```
 * @since 0.1.0
 * @category Models
 */
export interface WrittenImage {
  readonly path: string
  readonly mimeType: string
  readonly width?: number
  readonly height?: number
  readonly bytes: number
}

const isDirectoryPath = (out: string): Promise<boolean> => Fs.stat(out).then((stat) => stat.isDirectory(), () => false)

const imageExtensions = ["png", "jpg", "jpeg", "webp", "gif", "heic", "heif", "bin"] as const

/**
 * The files that already exist among those writing `count` images at `out` could create, whatever type the
 * images turn out to be (`out.png`, `out.jpg`, `out-1.png`…). The CLI checks this before any call, so a paid
 * generation is never thrown away because its file exists.
 *
 * @example
 * ```ts
 * import { Output } from "@nanogen/cli"
 * const taken = await Output.existingTargets("banana.png", 3) // e.g. ["banana.png", "banana-2.jpg"]
 * ```
 * @since 0.1.0
 * @category Files
 */
export const existingTargets = async (out: string, count: number): Promise<Array<string>> => {
  const isDirectory = await isDirectoryPath(out)
  const taken: Array<string> = []
  for (const ext of imageExtensions) {
    for (const path of filePaths(out, Array.from({ length: count }, () => ext), isDirectory)) {
      if (await Fs.stat(path).then(() => true, () => false)) taken.push(path)
    }
  }
  return taken
}

/**
 * Writes the images of a result at `out` (see `filePaths`), creating missing folders. Returns what was written.
 * An existing file is replaced unless `overwrite: false`, with which writing it fails instead (the CLI's
 * `generate` passes `false` without `--force`).
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Output } from "@nanogen/cli"
 * declare const result: import("@nanogen/core").ImageResult.ImageResult
 * const written = Effect.runPromise(Output.writeImages(result.images, "out.png", { overwrite: false }))
 * ```
 * @since 0.1.0
 * @category Files
 */
export const writeImages = (
  images: ReadonlyArray<ImageResult.GeneratedImage>,
  out: string,
  options: { readonly overwrite?: boolean } = {}
): Effect.Effect<ReadonlyArray<WrittenImage>, Error> =>
  Effect.tryPromise({
    try: async () => {
      const isDirectory = await isDirectoryPath(out)
      const paths = filePaths(out, images.map((image) => extensionOf(image.data)), isDirectory)
      const written: Array<WrittenImage> = []
      for (const [index, image] of images.entries()) {
        const path = paths[index]!
        await Fs.mkdir(Path.dirname(path), { recursive: true })
        await Fs.writeFile(path, image.data, { flag: options.overwrite === false ? "wx" : "w" })
        const info = ImageBytes.inspect(image.data)
        written.push({
          path,
          mimeType: info?.mimeType ?? image.mimeType,
          bytes: image.data.byteLength,
          ...(info?.width === undefined ? {} : { width: info.width }),
          ...(info?.height === undefined ? {} : { height: info.height })
        })
      }
      return written
    },
    catch: (cause) => new Error(`could not write the images to ${out}: ${String((cause as Error)?.message ?? cause)}`)
  })

const formatMs = (ms: number): string => ms < 1000 ? `${Math.round(ms)} ms` : `${(ms / 1000).toFixed(1)} s`

/**
 * Which image (1-based) each attempt of a trail belongs to. An attempt that carries its own `image` (the 0-based
 * index the fallback stamps on it) is numbered from it; otherwise the trail is read as the fallback builds it for
 * `n > 1` — one chain per image, each ending at its success, the chains of images that failed last — so an attempt
 * belongs to the image whose success follows it.
 *
 * @example
 * ```ts
 * import { Output } from "@nanogen/cli"
 * const a = (outcome: string) => ({ provider: "openrouter", model: "m", outcome, durationMs: 1 })
 * Output.imageOfAttempts([a("RateLimited"), a("success"), a("success")]) // [1, 1, 2]
 * Output.imageOfAttempts([{ ...a("success"), image: 0 }, { ...a("success"), image: 1 }]) // [1, 2]
 * ```
 * @since 0.1.0
 * @category Formatting
 */
export const imageOfAttempts = (attempts: ReadonlyArray<ImageResult.Attempt>): Array<number> => {
  const own = attempts.map((attempt) => attempt.image)
  if (own.every((image): image is number => image !== undefined)) return own.map((image) => image + 1)
  let image = 1
  return attempts.map((attempt) => attempt.outcome === "success" ? image++ : image)
}

const attemptLine = (attempt: ImageResult.Attempt, number: number, providerWidth: number, indent: string) => {
  const outcome = `${attempt.outcome}${attempt.status === undefined ? "" : ` ${attempt.status}`}`
  const message = attempt.message === undefined || attempt.outcome === "success" ? "" : ` — ${attempt.message}`
  return `${indent}${number}. ${attempt.provider.padEnd(providerWidth)}  ${attempt.model}  ${outcome}  ${
    formatMs(attempt.durationMs)
  }${message}`
}

/**
 * One line per attempt: number, backend, native model, outcome (with the HTTP status), duration and message.
 * When the attempts belong to several images (`n > 1`), they are grouped under `image k of n:` (`images k–m of n:`
 * for an attempt that asked for several at once) and numbered per image.
 *
 * @example
 * ```ts
 * import { Output } from "@nanogen/cli"
 * Output.formatAttempts([{ provider: "openrouter", model: "m", outcome: "ProviderUnavailable", status: 503, durationMs: 12 }])
 * // ["  1. openrouter  m  ProviderUnavailable 503  12 ms"]
 * ```
 * @since 0.1.0
 * @category Formatting
 */
export const formatAttempts = (attempts: ReadonlyArray<ImageResult.Attempt>, indent = "  "): Array<string> => {
  const providerWidth = Math.max(0, ...attempts.map((attempt) => attempt.provider.length))
  const images = imageOfAttempts(attempts)
  const firsts = [...new Set(images)].sort((a, b) => a - b)
  if (firsts.length <= 1) {
    return attempts.map((attempt, index) => attemptLine(attempt, index + 1, providerWidth, indent))
  }
  const total = Math.max(...attempts.map((attempt, index) => images[index]! + (attempt.count ?? 1) - 1))
  const lines: Array<string> = []
  for (const image of firsts) {
    const own = attempts.filter((_, index) => images[index] === image)
    const last = image + Math.max(...own.map((attempt) => attempt.count ?? 1)) - 1
    lines.push(`${indent}${last === image ? `image ${image}` : `images ${image}–${last}`} of ${total}:`)
    own.forEach((attempt, index) => lines.push(attemptLine(attempt, index + 1, providerWidth, `${indent}  `)))
  }
  return lines
}

/**
 * The attempts as `--json` prints them: each with the number of the image it belongs to (see `imageOfAttempts`).
 *
 * @example
 * ```ts
 * import { Output } from "@nanogen/cli"
 * Output.attemptsToJson([{ provider: "openrouter", model: "m", outcome: "success", durationMs: 12 }])
 * // [{ provider: "openrouter", model: "m", outcome: "success", durationMs: 12, image: 1 }]
 * ```
 * @since 0.1.0
 * @category Formatting
 */
export const attemptsToJson = (
  attempts: ReadonlyArray<ImageResult.Attempt>
): Array<ImageResult.Attempt & { readonly image: number }> => {
  const images = imageOfAttempts(attempts)
  return attempts.map((attempt, index) => ({ ...attempt, image: images[index]! }))
}

/**
 * The human summary of a finished generation: files with pixel size, backend and model, attempts, duration, cost.
 *
 * @example
 * ```ts
 * import { Output } from "@nanogen/cli"
 * declare const result: import("@nanogen/core").ImageResult.ImageResult
 * declare const written: ReadonlyArray<Output.WrittenImage>
 * console.error(Output.formatSummary(result, written, 1234).join("\n"))
 * ```
 * @since 0.1.0
 * @category Formatting
 */
export const formatSummary = (
  result: ImageResult.ImageResult,
  written: ReadonlyArray<WrittenImage>,
  durationMs: number
): Array<string> => {
  const lines = written.map((file) =>
    `  ${file.path}  ${file.width ?? "?"}×${file.height ?? "?"}  ${file.mimeType}  ${
      (file.bytes / 1024).toFixed(1)
    } KiB`
  )
  const cost = result.cost === undefined ? "unknown" : `$${result.cost.usd.toFixed(4)} (${result.cost.source})`
  return [
    `wrote ${written.length} image${written.length === 1 ? "" : "s"}:`,
    ...lines,
    `backend ${result.provider}, model ${result.model}, ${result.attempts.length} attempt${
      result.attempts.length === 1 ? "" : "s"
    }, ${formatMs(durationMs)}, cost ${cost}`,
    ...result.warnings.map((warning) => `warning: ${warning}`)
  ]
}

/**
 * The one JSON object `nanogen generate --json` prints.
 *
 * @example
 * ```ts
 * import type { Output } from "@nanogen/cli"
 * declare const json: Output.JsonResult
 * json.paths // ["out.png"]
 * ```
 * @since 0.1.0
 * @category Models
 */
export interface JsonResult {
  readonly paths: ReadonlyArray<string>
  readonly images: ReadonlyArray<Omit<WrittenImage, "bytes"> & { readonly bytes: number }>
  readonly provider: string
  readonly model: string
  readonly attempts: ReadonlyArray<ImageResult.Attempt & { readonly image: number }>
  readonly usage: ImageResult.Usage
  readonly cost: ImageResult.Cost | null
  readonly durationMs: number
  readonly warnings: ReadonlyArray<string>
  readonly text?: string
}

/**
 * Builds the `--json` object of a successful generation.
 *
 * @example
 * ```ts
 * import { Output } from "@nanogen/cli"
 * declare const result: import("@nanogen/core").ImageResult.ImageResult
 * console.log(JSON.stringify(Output.toJson(result, [], 1200)))
 * ```
 * @since 0.1.0
 * @category Formatting
 */
export const toJson = (
  result: ImageResult.ImageResult,
  written: ReadonlyArray<WrittenImage>,
  durationMs: number
): JsonResult => ({
  paths: written.map((file) => file.path),
  images: written,
  provider: result.provider,
  model: result.model,
  attempts: attemptsToJson(result.attempts),
  usage: result.usage,
  cost: result.cost ?? null,
  durationMs: Math.round(durationMs),
  warnings: result.warnings,
  ...(result.text === undefined ? {} : { text: result.text })
})

/**
 * The lines describing a failed generation: the error's tag and message, then one line per attempt (tag and
 * message) when the error carries them (`AllProvidersFailed`). An error that stopped the chain by itself (a
 * backend's 400, say) carries no trail: pass the attempts that were observed (`ProgressState.trail`) and they are
 * listed too. Never a stack trace.
 *
 * @example
 * ```ts
 * import { Output } from "@nanogen/cli"
 * declare const error: import("@nanogen/core").ImageGenerationError.ImageGenerationError
 * console.error(Output.formatFailure(error).join("\n"))
 * ```
 * @since 0.1.0
 * @category Formatting
 */
export const formatFailure = (
  error: ImageGenerationError.ImageGenerationError,
  observed: ReadonlyArray<ImageResult.Attempt> = []
): Array<string> => {
  if (error._tag !== "AllProvidersFailed") {
    const line = `error ${error._tag}${
      error.status === undefined ? "" : ` ${error.status}`
    } (${error.provider}): ${error.message}`
    return observed.length === 0 ? [line] : [line, "attempts:", ...formatAttempts(observed)]
  }
  const lines = [
    `error AllProvidersFailed: every backend failed after ${error.attempts.length} attempt${
      error.attempts.length === 1 ? "" : "s"
    }`
  ]
  error.attempts.forEach((attempt, index) => {
    const cause = error.errors[index]
    const message = attempt.message ?? cause?.message ?? ""
    lines.push(
      `  ${index + 1}. ${attempt.provider} (${attempt.model}): ${attempt.outcome}${
        attempt.status === undefined ? "" : ` ${attempt.status}`
      }${message === "" ? "" : ` — ${message}`}`
    )
  })
  if (error.attempts.length === 0) {
    for (const [index, cause] of error.errors.entries()) {
      lines.push(`  ${index + 1}. ${cause.provider}: ${cause._tag} — ${cause.message}`)
    }
    if (error.errors.length === 0) lines.push(`  ${error.message}`)
  }
  return lines
}

/**
 * The `--json` object of a failed generation.
 *
 * @example
 * ```ts
 * import { Output } from "@nanogen/cli"
 * declare const error: import("@nanogen/core").ImageGenerationError.ImageGenerationError
 * console.log(JSON.stringify(Output.failureToJson(error, 1200)))
 * ```
 * @since 0.1.0
 * @category Formatting
 */
export const failureToJson = (
  error: ImageGenerationError.ImageGenerationError,
  durationMs: number,
  observed: ReadonlyArray<ImageResult.Attempt> = []
) => {
  const causeToJson = (cause: ImageGenerationError.ImageGenerationError) => ({
    _tag: cause._tag,
    provider: cause.provider,
    message: cause.message,
    ...(cause.status === undefined ? {} : { status: cause.status })
  })
  return {
    error: {
      ...causeToJson(error),
      ...(error._tag === "AllProvidersFailed" ?
        { attempts: attemptsToJson(error.attempts), errors: error.errors.map(causeToJson) } :
        observed.length > 0 ?
        { attempts: attemptsToJson(observed), errors: [causeToJson(error)] } :
        {})
    },
    durationMs: Math.round(durationMs)
  }
}

/**
 * What the progress line knows about the generation in flight.
 *
 * @example
 * ```ts
 * import type { Output } from "@nanogen/cli"
 * const state: Output.ProgressState = { provider: undefined, attempts: 0, startedAt: Date.now(), trail: [] }
 * ```
 * @since 0.1.0
 * @category Progress
 */
export interface ProgressState {
  provider: string | undefined
  /** Attempts seen so far (the fallback's `nanogen.attempt` spans, or the providers' own spans). */
  attempts: number
  readonly startedAt: number
  /** The attempts the fallback finished so far, in order (from its `nanogen.attempt` spans). */
  readonly trail?: Array<ImageResult.Attempt>
}

const isAttempt = (value: unknown): value is ImageResult.Attempt =>
  typeof value === "object" && value !== null && typeof (value as ImageResult.Attempt).provider === "string" &&
  typeof (value as ImageResult.Attempt).outcome === "string"

/** The attempt a finished `nanogen.attempt` span stands for: the one it returns, else read from its attributes. */
const attemptOfSpan = (
  span: Tracer.Span,
  endTime: bigint,
  exit: Exit.Exit<unknown, unknown>
): ImageResult.Attempt | undefined => {
  if (Exit.isSuccess(exit)) {
    const value = exit.value as { readonly attempt?: unknown } | undefined
    if (isAttempt(value?.attempt)) return value.attempt
  }
  const text = (key: string) => {
    const value = span.attributes.get(key)
    return typeof value === "string" ? value : undefined
  }
  const provider = text("nanogen.provider")
  const outcome = text("nanogen.outcome")
  if (provider === undefined || outcome === undefined) return undefined
  const status = span.attributes.get("http.status")
  const startTime = span.status._tag === "Started" || span.status._tag === "Ended" ? span.status.startTime : endTime
  return {
    provider,
    model: text("nanogen.model") ?? "",
    outcome,
    durationMs: Number(endTime - startTime) / 1e6,
    ...(typeof status === "number" ? { status } : {})
  }
}

const providerOf = (attributes: Record<string, unknown> | undefined): string | undefined => {
  const value = attributes?.["nanogen.provider"]
  return typeof value === "string" ? value : undefined
}

/**
 * Runs an effect with a tracer that watches the spans the fallback and the providers open (`nanogen.attempt`,
 * `nanogen.provider.generate`, attribute `nanogen.provider`) and keeps `state` current: which backend is being
 * tried and how many attempts were made. The spans still reach the tracer that was installed before.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Output } from "@nanogen/cli"
 * declare const work: Effect.Effect<void>
 * const state: Output.ProgressState = { provider: undefined, attempts: 0, startedAt: Date.now() }
 * const watched = Output.observeAttempts(work, state) // state.provider / state.attempts follow the spans
 * ```
 * @since 0.1.0
 * @category Progress
 */
export const observeAttempts = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  state: ProgressState
): Effect.Effect<A, E, R> =>
  Effect.flatMap(Effect.tracer, (base) => {
    let fallbackAttempts = 0
    let providerSpans = 0
    const seen = (name: string, provider: string | undefined) => {
      if (name === "nanogen.attempt") fallbackAttempts++
      else if (name === "nanogen.provider.generate") providerSpans++
      else if (provider === undefined) return
      if (provider !== undefined) state.provider = provider
      state.attempts = Math.max(fallbackAttempts, providerSpans)
    }
    const tracer = Tracer.make({
      span(name, parent, context, links, startTime, kind, options) {
        const span = base.span(name, parent, context, links, startTime, kind, options)
        seen(name, providerOf(options?.attributes))
        if (name === "nanogen.attempt" || name === "nanogen.provider.generate") {
          const attribute = span.attribute.bind(span)
          span.attribute = (key, value) => {
            if (key === "nanogen.provider" && typeof value === "string") state.provider = value
            attribute(key, value)
          }
        }
        if (name === "nanogen.attempt" && state.trail !== undefined) {
          const trail = state.trail
          const end = span.end.bind(span)
          span.end = (endTime, exit) => {
            const attempt = attemptOfSpan(span, endTime, exit)
            if (attempt !== undefined) trail.push(attempt)
            end(endTime, exit)
          }
        }
        return span
      },
      context: (f, fiber) => base.context(f, fiber)
    })
    return Effect.withTracer(self, tracer)
  })

/**
 * The progress line text: backend, attempt, elapsed time.
 *
 * @example
 * ```ts
 * import { Output } from "@nanogen/cli"
 * Output.formatProgress({ provider: "openrouter", attempts: 2, startedAt: 0 }, 1500) // "generating · openrouter · attempt 2 · 1.5 s"
 * ```
 * @since 0.1.0
 * @category Progress
 */
export const formatProgress = (state: ProgressState, now: number, label = "generating"): string =>
  `${label}${state.provider === undefined ? "" : ` · ${state.provider}`}${
    state.attempts === 0 ? "" : ` · attempt ${state.attempts}`
  } · ${((now - state.startedAt) / 1000).toFixed(1)} s`

/**
 * Runs `self` while a progress line (backend, attempt, elapsed) is redrawn on stderr every 100 ms — only when
 * `enabled` (the CLI passes `process.stderr.isTTY`). The line is erased when `self` ends.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Output } from "@nanogen/cli"
 * declare const work: Effect.Effect<string>
 * const shown = Output.withProgress(work, { enabled: process.stderr.isTTY === true })
 * ```
 * @since 0.1.0
 * @category Progress
 */
export const withProgress = <A, E, R>(
  self: Effect.Effect<A, E, R>,
  options: {
    readonly enabled: boolean
    readonly label?: string
    readonly stream?: NodeJS.WriteStream
    /** The state to keep current (e.g. with a `trail` to collect the attempts); a fresh one by default. */
    readonly state?: ProgressState
  }
): Effect.Effect<A, E, R> => {
  const state: ProgressState = options.state ?? { provider: undefined, attempts: 0, startedAt: Date.now() }
  const observed = observeAttempts(self, state)
  if (!options.enabled) return observed
  const stream = options.stream ?? process.stderr
  const draw = () => stream.write(`\r\x1b[2K${formatProgress(state, Date.now(), options.label)}`)
  return Effect.acquireUseRelease(
    Effect.sync(() => {
      draw()
      return setInterval(draw, 100)
    }),
    () => observed,
    (timer) =>
      Effect.sync(() => {
        clearInterval(timer)
        stream.write("\r\x1b[2K")
      })
  )
}

/**
 * Renders rows as a plain-text table with padded columns.
 *
 * @example
 * ```ts
 * import { Output } from "@nanogen/cli"
 * Output.table(["a", "b"], [["1", "22"]]) // ["a  b ", "1  22"] (padded)
 * ```
 * @since 0.1.0
 * @category Formatting
 */
export const table = (header: ReadonlyArray<string>, rows: ReadonlyArray<ReadonlyArray<string>>): Array<string> => {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => (row[column] ?? "").length)))
  const line = (cells: ReadonlyArray<string>) =>
    cells.map((cell, column) => column === cells.length - 1 ? cell : cell.padEnd(widths[column]!)).join("  ")
  return [line(header), line(widths.map((width) => "-".repeat(width))), ...rows.map(line)]
}
