/**
 * `nanogen edit <image> "<prompt>" [--session file.json]`: one turn of a multi-turn edit per call. With
 * `--session`, the session stored in the file is continued (or started when the file does not exist yet) and
 * written back after the turn, so the next call edits the latest image with the whole conversation behind it.
 *
 * @since 0.2.0
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Settings } from "@nanogen/client"
import type { ImageGenerationError } from "@nanogen/core"
import { ImageBytes, ImageResult, ImageSession, ImageTurn, ModelCatalog } from "@nanogen/core"
import * as Console from "effect/Console"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Fs from "node:fs/promises"
import * as Path from "node:path"
import { CliFailure } from "./Cli.js"
import * as SharedOptions from "./internal/options.js"
import * as Output from "./Output.js"

const usageFailure = (line: string) => new CliFailure({ exitCode: 2, lines: [`error: ${line}`] })

const messageOf = (cause: unknown) => String((cause as Error)?.message ?? cause)

/** The image to edit, as bytes with its sniffed type. */
const readImage = (path: string) =>
  Effect.tryPromise({
    try: () => Fs.readFile(path),
    catch: (cause) => usageFailure(`cannot read the image ${path}: ${messageOf(cause)}`)
  }).pipe(
    Effect.flatMap((file) => {
      const data = new Uint8Array(file.buffer, file.byteOffset, file.byteLength)
      const mimeType = ImageBytes.sniffMimeType(data)
      return mimeType === undefined
        ? Effect.fail(usageFailure(`${path} is not a PNG, JPEG, WebP, GIF or HEIC/HEIF image`))
        : Effect.succeed({ data, mimeType })
    })
  )

/** The stored session state, or `undefined` when the file does not exist yet. */
const readState = (path: string) =>
  Effect.tryPromise({
    try: async () => {
      const text = await Fs.readFile(path, "utf8").catch((error: NodeJS.ErrnoException) => {
        if (error.code === "ENOENT") return undefined
        throw error
      })
      return text === undefined ? undefined : JSON.parse(text) as unknown
    },
    catch: (cause) => usageFailure(`cannot read the session ${path}: ${messageOf(cause)}`)
  })

/** Writes the state next to the file then renames it over, so an interrupted call never leaves half a session. */
const writeState = (path: string, state: ImageSession.State) =>
  Effect.tryPromise({
    try: async () => {
      await Fs.mkdir(Path.dirname(Path.resolve(path)), { recursive: true })
      const temporary = `${path}.${process.pid}.tmp`
      await Fs.writeFile(temporary, JSON.stringify(state))
      await Fs.rename(temporary, path)
    },
    catch: (cause) =>
      new CliFailure({ exitCode: 1, lines: [`error: could not write the session ${path}: ${messageOf(cause)}`] })
  })

const sameBytes = (a: Uint8Array, b: Uint8Array) => a.byteLength === b.byteLength && Buffer.from(a).equals(b)

const generationFailure = (error: ImageGenerationError.ImageGenerationError): CliFailure =>
  new CliFailure({
    // refused before any call (a bad option, a bad session file) is the caller's to fix: exit 2
    exitCode: error._tag === "InvalidRequest" && error.status === undefined ? 2 : 1,
    lines: Output.formatFailure(error)
  })

/**
 * `nanogen edit <image> "<prompt>" [--session file.json] [--out edited.png] [--model] [--aspect-ratio] [--size]
 * [--seed] [--providers a,b] [--json]`.
 *
 * The first call (no `--session`, or a file that does not exist yet) edits `<image>`. A call continuing a session
 * edits the session's latest image; `<image>` is sent again as a new reference only when it is not that image
 * (pass the previous call's `--out` file to simply continue).
 *
 * @example
 * ```ts
 * import { Command } from "@effect/cli"
 * import { EditCommand } from "@nanogen/cli"
 * const only = Command.run(EditCommand.edit, { name: "nanogen-edit", version: "0.2.0" })
 * // nanogen edit photo.png "make the sky purple" --session trip.json --out step1.png
 * // nanogen edit step1.png "add a moon" --session trip.json --out step2.png
 * ```
 * @since 0.2.0
 * @category Commands
 */
export const edit = Command.make("edit", {
  image: Args.file({ name: "image", exists: "yes" }).pipe(
    Args.withDescription("The image to edit (in a continued session: the previous output, or a new reference)")
  ),
  prompt: Args.text({ name: "prompt" }).pipe(Args.withDescription("How to edit it")),
  session: Options.file("session").pipe(
    Options.withDescription(
      "A session file (JSON): continued when it exists, created otherwise, updated after the turn"
    ),
    Options.optional
  ),
  out: SharedOptions.out("Output path (the extension follows the real image type)", "edited.png"),
  model: SharedOptions.model(
    `A catalog alias (${ModelCatalog.aliases.join(", ")}) or a native model id; a session keeps its model`
  ),
  aspectRatio: SharedOptions.aspectRatio("Aspect ratio of the result"),
  size: SharedOptions.size,
  seed: SharedOptions.seed,
  providers: SharedOptions.providers,
  json: SharedOptions.json("Print one JSON object (paths, provider, model, attempts, session, turn…) on stdout")
}).pipe(
  Command.withDescription("Edit an image, one turn per call; --session file.json continues a multi-turn edit"),
  Command.withHandler((args) =>
    Effect.gen(function*() {
      const image = yield* readImage(args.image)
      const sessionPath = Option.getOrUndefined(args.session)
      const stored = sessionPath === undefined ? undefined : yield* readState(sessionPath)
      const options: ImageSession.Defaults = ImageResult.dropUndefined({
        model: Option.getOrUndefined(args.model),
        aspectRatio: Option.getOrUndefined(args.aspectRatio),
        imageSize: Option.getOrUndefined(args.size),
        seed: Option.getOrUndefined(args.seed)
      })
      const layer = Settings.providerLayer(Option.getOrUndefined(args.providers)).pipe(
        Layer.provide(NodeHttpClient.layerUndici),
        Layer.mapError((error) =>
          error instanceof Settings.SettingsError ? new CliFailure({ exitCode: 2, lines: error.lines }) : error
        )
      )
      const started = Date.now()
      const { result, session } = yield* Effect.gen(function*() {
        const session = stored === undefined
          ? yield* ImageSession.make(options)
          : yield* ImageSession.resume(stored, options)
        const latest = ImageTurn.latestImage(yield* session.history)
        const continues = latest !== undefined && "data" in latest && sameBytes(latest.data, image.data)
        const result = yield* Output.withProgress(
          session.send({ prompt: args.prompt, ...(continues ? {} : { images: [image] }) }),
          { enabled: process.stderr.isTTY === true }
        )
        return { result, session }
      }).pipe(
        Effect.provide(layer),
        Effect.catchIf(
          (error): error is ImageGenerationError.ImageGenerationError => !(error instanceof CliFailure),
          (error) =>
            (args.json
              ? Console.log(JSON.stringify(Output.failureToJson(error, Date.now() - started)))
              : Effect.void).pipe(Effect.zipRight(Effect.fail(generationFailure(error))))
        )
      )
      const durationMs = Date.now() - started
      const written = yield* Output.writeImages(result.images.slice(0, 1), args.out).pipe(
        Effect.mapError((error) => new CliFailure({ exitCode: 1, lines: [`error: ${error.message}`] }))
      )
      const turns = (yield* session.history).length / 2
      if (sessionPath !== undefined) yield* writeState(sessionPath, yield* session.export)
      if (args.json) {
        yield* Console.log(JSON.stringify({
          ...Output.toJson(result, written, durationMs),
          session: sessionPath ?? null,
          turn: turns
        }))
        return
      }
      if (result.attempts.length > 1) {
        yield* Console.log("attempts:")
        for (const line of Output.formatAttempts(result.attempts)) yield* Console.log(line)
      }
      for (const line of Output.formatSummary(result, written, durationMs)) yield* Console.log(line)
      if (sessionPath !== undefined) yield* Console.log(`session ${sessionPath}: turn ${turns} saved`)
    })
  )
)
