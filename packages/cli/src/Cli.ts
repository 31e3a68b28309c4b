/**
 * The `nanogen` command line: `generate`, `models`, `providers` and `demo`, built with `@effect/cli`.
 * Configuration comes from the environment (`Nanogen.layerConfig`); `--providers` overrides `NANOGEN_PROVIDERS`.
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { definition as aimlapiDefinition } from "@nanogen/aimlapi"
import { Settings } from "@nanogen/client"
import type { ImageGenerationError } from "@nanogen/core"
import { ImageBytes, ImageProvider, ImageRequest, ImageResult, ModelCatalog } from "@nanogen/core"
import { definition as googleDefinition } from "@nanogen/google-direct"
import { definition as openrouterDefinition } from "@nanogen/openrouter"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Fs from "node:fs/promises"
import * as Demo from "./Demo.js"
import * as Output from "./Output.js"

/**
 * An expected failure of a command: the lines to print on stderr and the process exit code (1: the generation
 * failed; 2: a usage or configuration error).
 *
 * @example
 * ```ts
 * import { Cli } from "@nanogen/cli"
 * const failure = new Cli.CliFailure({ exitCode: 2, lines: ["error: set OPENROUTER_API_KEY"] })
 * ```
 * @since 0.1.0
 * @category Errors
 */
export class CliFailure extends Data.TaggedError("CliFailure")<{
  readonly exitCode: 1 | 2
  readonly lines: ReadonlyArray<string>
}> {}

/**
 * The exit code of a finished CLI run: 0 success; 1 generation failed; 2 usage or configuration error.
 *
 * @example
 * ```ts
 * import { Exit } from "effect"
 * import { Cli } from "@nanogen/cli"
 * Cli.exitCodeOf(Exit.void) // 0
 * ```
 * @since 0.1.0
 * @category Running
 */
export const exitCodeOf = (exit: Exit.Exit<unknown, unknown>): number => {
  if (Exit.isSuccess(exit)) return 0
  if (Cause.isInterruptedOnly(exit.cause)) return 130
  const failure = Cause.failureOption(exit.cause)
  if (Option.isSome(failure)) {
    const error = failure.value
    if (error instanceof CliFailure) return error.exitCode
    if (ValidationError.isValidationError(error)) return 2
  }
  return 1
}

const toUsageFailure = (error: Settings.SettingsError) => new CliFailure({ exitCode: 2, lines: error.lines })

const providersOption = Options.text("providers").pipe(
  Options.withDescription(
    "Fallback order, comma-separated (openrouter, google-direct, aimlapi); overrides NANOGEN_PROVIDERS"
  ),
  Options.optional
)

const jsonOption = (description: string) => Options.boolean("json").pipe(Options.withDescription(description))

const failureOf = (error: ImageGenerationError.ImageGenerationError): CliFailure =>
  new CliFailure({
    // Input refused before any network call is the caller's to fix (a usage error, exit 2); a backend's own
    // refusal (an HTTP 400 carries a status) and everything else is a failed generation (exit 1).
    exitCode: error._tag === "InvalidRequest" && error.status === undefined ? 2 : 1,
    lines: Output.formatFailure(error)
  })

const readImage = (path: string) =>
  Effect.tryPromise({
    try: () => Fs.readFile(path),
    catch: (cause) =>
      new CliFailure({
        exitCode: 2,
        lines: [`error: cannot read --image ${path}: ${(cause as Error).message ?? String(cause)}`]
      })
  }).pipe(
    Effect.flatMap((data) => {
      const bytes = new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      const mimeType = ImageBytes.sniffMimeType(bytes)
      return mimeType === undefined
        ? Effect.fail(
          new CliFailure({
            exitCode: 2,
            lines: [`error: --image ${path} is not a PNG, JPEG, WebP, GIF or HEIC/HEIF image`]
          })
        )
        : Effect.succeed({ data: bytes, mimeType })
    })
  )

/**
 * `nanogen generate "<prompt>" [--model] [--aspect-ratio] [--size] [-n] [--image <file>]… [--out <path>]
 * [--providers a,b] [--seed] [--json]`.
 *
 * @example
 * ```ts
 * import { Command } from "@effect/cli"
 * import { Cli } from "@nanogen/cli"
 * const only = Command.run(Cli.generate, { name: "nanogen-generate", version: "0.1.0" })
 * ```
 * @since 0.1.0
 * @category Commands
 */
export const generate = Command.make("generate", {
  prompt: Args.text({ name: "prompt" }).pipe(Args.withDescription("What to draw (or how to edit the --image files)")),
  model: Options.text("model").pipe(
    Options.withAlias("m"),
    Options.withDescription(
      "A catalog alias (nano-banana, nano-banana-2, nano-banana-pro) or a native model id; default NANOGEN_MODEL or nano-banana-2"
    ),
    Options.optional
  ),
  aspectRatio: Options.choice("aspect-ratio", ImageRequest.aspectRatios).pipe(
    Options.withAlias("r"),
    Options.withDescription("Aspect ratio of the image"),
    Options.optional
  ),
  size: Options.choice("size", ImageRequest.imageSizes).pipe(
    Options.withAlias("s"),
    Options.withDescription("Resolution tier (uppercase K)"),
    Options.optional
  ),
  n: Options.integer("n").pipe(Options.withDescription("Number of images (1-10)"), Options.withDefault(1)),
  images: Options.file("image", { exists: "yes" }).pipe(
    Options.withAlias("i"),
    Options.withDescription("A reference image to edit or compose from; repeat for several"),
    Options.repeated
  ),
  out: Options.text("out").pipe(
    Options.withAlias("o"),
    Options.withDescription(
      "Output path: out.png, out-1.png… (the extension follows the real image type); a folder receives out.<ext>"
    ),
    Options.withDefault("out.png")
  ),
  seed: Options.integer("seed").pipe(Options.withDescription("Seed, where the backend takes one"), Options.optional),
  providers: providersOption,
  json: jsonOption("Print one JSON object (paths, provider, model, attempts, usage, cost, durationMs) on stdout")
}).pipe(
  Command.withDescription("Generate (or edit) images through the configured backends, with failover"),
  Command.withHandler((args) =>
    Effect.gen(function*() {
      const images = yield* Effect.forEach(args.images, readImage)
      const request: ImageRequest.Input = ImageResult.dropUndefined({
        prompt: args.prompt,
        model: Option.getOrUndefined(args.model),
        aspectRatio: Option.getOrUndefined(args.aspectRatio),
        imageSize: Option.getOrUndefined(args.size),
        n: args.n,
        seed: Option.getOrUndefined(args.seed),
        images: images.length === 0 ? undefined : images
      })
      const layer = Settings.providerLayer(Option.getOrUndefined(args.providers)).pipe(
        Layer.provide(NodeHttpClient.layerUndici),
        Layer.mapError((error) => error instanceof Settings.SettingsError ? toUsageFailure(error) : error)
      )
      const started = Date.now()
      const result = yield* Output.withProgress(ImageProvider.generate(request), {
        enabled: process.stderr.isTTY === true
      }).pipe(
        Effect.provide(layer),
        Effect.catchIf(
          (error): error is ImageGenerationError.ImageGenerationError => !(error instanceof CliFailure),
          (error) =>
            args.json
              ? Console.log(JSON.stringify(Output.failureToJson(error, Date.now() - started))).pipe(
                Effect.zipRight(Effect.fail(failureOf(error)))
              )
              : Effect.fail(failureOf(error))
        )
      )
      const durationMs = Date.now() - started
      const written = yield* Output.writeImages(result.images, args.out).pipe(
        Effect.mapError((error) => new CliFailure({ exitCode: 1, lines: [`error: ${error.message}`] }))
      )
      if (args.json) {
        yield* Console.log(JSON.stringify(Output.toJson(result, written, durationMs)))
      } else {
        if (result.attempts.length > 1) {
          yield* Console.log("attempts:")
          for (const line of Output.formatAttempts(result.attempts)) yield* Console.log(line)
        }
        for (const line of Output.formatSummary(result, written, durationMs)) yield* Console.log(line)
      }
    })
  )
)

/**
 * The rows of `nanogen models`: one per (model, backend).
 *
 * @example
 * ```ts
 * import { Cli } from "@nanogen/cli"
 * Cli.catalogRows()[0] // ["nano-banana", "openrouter", "google/gemini-2.5-flash-image", …]
 * ```
 * @since 0.1.0
 * @category Commands
 */
export const catalogRows = (): Array<Array<string>> => {
  const rows: Array<Array<string>> = []
  for (const entry of Object.values(ModelCatalog.entries)) {
    for (const definition of [openrouterDefinition, googleDefinition, aimlapiDefinition]) {
      const model = definition.models[entry.alias]
      if (model === undefined) continue
      const ratios = model.generate.aspectRatios.length === ImageRequest.aspectRatios.length
        ? `all ${ImageRequest.aspectRatios.length}`
        : model.generate.aspectRatios.join(" ")
      const sizes = model.generate.imageSizes.length === 0 ? "1K (fixed)" : model.generate.imageSizes.join(" ")
      rows.push([
        entry.alias,
        definition.name,
        model.generate.id,
        model.edit === undefined ? "-" : `${model.edit.id} (${model.edit.aspectRatios.join(" ")})`,
        ratios,
        sizes,
        String(model.edit?.maxImages ?? model.generate.maxImages)
      ])
    }
  }
  return rows
}

/**
 * `nanogen models`: the catalog — aliases, native ids per backend, the ratios and sizes each supports.
 *
 * @example
 * ```ts
 * import { Command } from "@effect/cli"
 * import { Cli } from "@nanogen/cli"
 * const only = Command.run(Cli.models, { name: "nanogen-models", version: "0.1.0" })
 * ```
 * @since 0.1.0
 * @category Commands
 */
export const models = Command.make("models", { json: jsonOption("Print the catalog as JSON") }).pipe(
  Command.withDescription("List the model catalog: aliases, native ids per backend, ratios and sizes"),
  Command.withHandler(({ json }) =>
    Effect.gen(function*() {
      if (json) {
        yield* Console.log(JSON.stringify(ModelCatalog.entries, null, 2))
        return
      }
      for (const entry of Object.values(ModelCatalog.entries)) {
        yield* Console.log(
          `${entry.alias}  ${entry.displayName}${entry.alias === ImageRequest.defaultModel ? "  (default)" : ""}`
        )
      }
      yield* Console.log(`all ${ImageRequest.aspectRatios.length} ratios: ${ImageRequest.aspectRatios.join(" ")}`)
      yield* Console.log("")
      const lines = Output.table(
        ["alias", "backend", "native id", "edit id (ratios)", "ratios", "sizes", "ref images"],
        catalogRows()
      )
      for (const line of lines) yield* Console.log(line)
    })
  )
)

/**
 * `nanogen providers`: which backends are configured, in what order, keys redacted.
 *
 * @example
 * ```ts
 * import { Command } from "@effect/cli"
 * import { Cli } from "@nanogen/cli"
 * const only = Command.run(Cli.providers, { name: "nanogen-providers", version: "0.1.0" })
 * ```
 * @since 0.1.0
 * @category Commands
 */
export const providers = Command.make("providers", {
  providers: providersOption,
  json: jsonOption("Print the configured providers as JSON")
}).pipe(
  Command.withDescription("Show the configured backends in fallback order (keys redacted)"),
  Command.withHandler((args) =>
    Effect.gen(function*() {
      const configured = yield* Settings.describe(Option.getOrUndefined(args.providers)).pipe(
        Effect.mapError(toUsageFailure)
      )
      if (args.json) {
        yield* Console.log(JSON.stringify(configured))
        return
      }
      const lines = Output.table(
        ["#", "provider", "url", "key", "key variable", "url variable"],
        configured.providers.map((entry) => [
          String(entry.position),
          entry.name,
          entry.apiUrl,
          entry.apiKey,
          entry.keyVariables,
          entry.urlVariable
        ])
      )
      for (const line of lines) yield* Console.log(line)
      yield* Console.log(
        `default model: ${configured.model ?? `${ImageRequest.defaultModel} (NANOGEN_MODEL not set)`}; ` +
          `per-attempt timeout: ${configured.timeout}`
      )
    })
  )
)

/**
 * `nanogen demo [--out <dir>]`: the emulated backends with injected faults, generated through the real clients.
 *
 * @example
 * ```ts
 * import { Command } from "@effect/cli"
 * import { Cli } from "@nanogen/cli"
 * const only = Command.run(Cli.demo, { name: "nanogen-demo", version: "0.1.0" })
 * ```
 * @since 0.1.0
 * @category Commands
 */
export const demo = Command.make("demo", {
  out: Options.directory("out").pipe(
    Options.withAlias("o"),
    Options.withDescription("Folder for the images"),
    Options.withDefault("nanogen-demo")
  )
}).pipe(
  Command.withDescription(
    "Run the emulated backends (one down, one rate-limited) and generate through the real clients; no key, no network"
  ),
  Command.withHandler(({ out }) =>
    Demo.run({ out, progress: process.stderr.isTTY === true }).pipe(
      Effect.catchAll((error) =>
        Effect.fail(
          new CliFailure({
            exitCode: 1,
            lines: "_tag" in error && "provider" in error
              ? Output.formatFailure(error as ImageGenerationError.ImageGenerationError)
              : [`error: ${error.message}`]
          })
        )
      ),
      Effect.asVoid
    )
  )
)

/**
 * The root command, `nanogen`.
 *
 * @example
 * ```ts
 * import { Command } from "@effect/cli"
 * import { Cli } from "@nanogen/cli"
 * const main = Command.run(Cli.command, { name: "nanogen", version: "0.1.0" })
 * ```
 * @since 0.1.0
 * @category Commands
 */
export const command = Command.make("nanogen").pipe(
  Command.withDescription("Nano Banana image generation through OpenRouter, the AI/ML API and the Gemini API"),
  Command.withSubcommands([generate, models, providers, demo])
)

/**
 * Parses `argv` (the whole `process.argv`) and runs the command. Fails with `CliFailure` (already formatted) or
 * a `ValidationError` (already printed by `@effect/cli`); `exitCodeOf` turns the exit into a process exit code.
 *
 * @example
 * ```ts
 * import { NodeContext, NodeRuntime } from "@effect/platform-node"
 * import { Effect } from "effect"
 * import { Cli } from "@nanogen/cli"
 *
 * Cli.run(process.argv).pipe(Effect.provide(NodeContext.layer), NodeRuntime.runMain)
 * ```
 * @since 0.1.0
 * @category Running
 */
export const run = (argv: ReadonlyArray<string>) =>
  Command.run(command, { name: "nanogen", version: "0.1.0" })(argv).pipe(
    Effect.tapError((error) =>
      error instanceof CliFailure ? Effect.sync(() => process.stderr.write(`${error.lines.join("\n")}\n`)) : Effect.void
    )
  )
