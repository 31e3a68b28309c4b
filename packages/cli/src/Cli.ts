/**
 * The `nanogen` command line: `generate`, `models`, `providers` and `demo`, built with `@effect/cli`.
 * Configuration comes from the environment (`Nanogen.layerConfig`); `--providers` overrides `NANOGEN_PROVIDERS`.
 *
 * @since 0.1.0
 */
import * as Args from "@effect/cli/Args"
import * as AutoCorrect from "@effect/cli/AutoCorrect"
import * as CliConfig from "@effect/cli/CliConfig"
import * as Command from "@effect/cli/Command"
import * as Options from "@effect/cli/Options"
import * as ValidationError from "@effect/cli/ValidationError"
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Nanogen, Settings } from "@nanogen/client"
import type { ImageGenerationError } from "@nanogen/core"
import { ImageBytes, ImageProvider, ImageRequest, ImageResult, ModelCatalog } from "@nanogen/core"
import * as Cause from "effect/Cause"
import * as Console from "effect/Console"
import * as Data from "effect/Data"
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import * as Layer from "effect/Layer"
import * as Option from "effect/Option"
import * as Fs from "node:fs/promises"
import * as Demo from "./Demo.js"
import { edit } from "./EditCommand.js"
import * as SharedOptions from "./internal/options.js"
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

const privateDownloadRefused = /only https URLs are downloaded|is not a public address|is a loopback host/

/**
 * The hint added to a failure when an image download was refused because its URL is `http:` or on a private
 * address — the AI/ML API emulator answers with such URLs.
 *
 * @example
 * ```ts
 * import { Cli } from "@nanogen/cli"
 * Cli.privateNetworkHint // "hint: … NANOGEN_ALLOW_PRIVATE_NETWORK=1 …"
 * ```
 * @since 0.1.0
 * @category Errors
 */
export const privateNetworkHint =
  "hint: the image URL is http: or on a private address (a local emulator?): set NANOGEN_ALLOW_PRIVATE_NETWORK=1 or " +
  "pass --allow-private-network to allow it; never against a real backend"

const failureOf = (
  error: ImageGenerationError.ImageGenerationError,
  observed: ReadonlyArray<ImageResult.Attempt>
): CliFailure => {
  const messages = [error.message, ...(error._tag === "AllProvidersFailed" ? error.errors.map((e) => e.message) : [])]
  return new CliFailure({
    // Input refused before any network call is the caller's to fix (a usage error, exit 2); a backend's own
    // refusal (an HTTP 400 carries a status) and everything else is a failed generation (exit 1).
    exitCode: error._tag === "InvalidRequest" && error.status === undefined ? 2 : 1,
    lines: [
      ...Output.formatFailure(error, observed),
      ...(messages.some((message) => privateDownloadRefused.test(message)) ? [privateNetworkHint] : [])
    ]
  })
}

const isTruthy = (value: string | undefined) => value !== undefined && /^(1|true|yes|on)$/i.test(value.trim())

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
  model: SharedOptions.model(
    `A catalog alias (${ModelCatalog.aliases.join(", ")}) or a native model id; default NANOGEN_MODEL or ` +
      ImageRequest.defaultModel
  ),
  aspectRatio: SharedOptions.aspectRatio("Aspect ratio of the image"),
  size: SharedOptions.size,
  n: Options.integer("n").pipe(Options.withDescription("Number of images (1-10)"), Options.withDefault(1)),
  images: Options.text("image").pipe(
    Options.withAlias("i"),
    Options.withDescription("A reference image to edit or compose from; repeat for several"),
    Options.repeated
  ),
  out: SharedOptions.out(
    "Output path: out.png, out-1.png… (the extension follows the real image type); a folder receives out.<ext>",
    "out.png"
  ),
  seed: SharedOptions.seed,
  providers: SharedOptions.providers,
  json: SharedOptions.json(
    "Print one JSON object (paths, provider, model, attempts, usage, cost, durationMs) on stdout"
  ),
  force: Options.boolean("force").pipe(Options.withDescription("Overwrite existing output files")),
  allowPrivateNetwork: Options.boolean("allow-private-network").pipe(
    Options.withDescription("Download images from http: and private addresses (the emulator); never in production")
  )
}).pipe(
  Command.withDescription("Generate (or edit) images through the configured backends, with failover"),
  Command.withHandler((args) =>
    Effect.gen(function*() {
      const taken = yield* Effect.promise(() => Output.existingTargets(args.out, args.n))
      if (taken.length > 0 && !args.force) {
        return yield* new CliFailure({
          exitCode: 2,
          lines: [
            `error: ${taken.join(", ")} already exist${taken.length === 1 ? "s" : ""}: pass --force to overwrite, ` +
            "or choose another --out"
          ]
        })
      }
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
      const allowPrivateNetwork = args.allowPrivateNetwork || isTruthy(process.env.NANOGEN_ALLOW_PRIVATE_NETWORK)
      const layer = Settings.providerLayer(
        Option.getOrUndefined(args.providers),
        allowPrivateNetwork ? { layerOptions: { allowPrivateNetwork: true } } : {}
      ).pipe(
        Layer.provide(NodeHttpClient.layerUndici),
        Layer.mapError((error) => error instanceof Settings.SettingsError ? toUsageFailure(error) : error)
      )
      const started = Date.now()
      const trail: Array<ImageResult.Attempt> = []
      const state: Output.ProgressState = { provider: undefined, attempts: 0, startedAt: started, trail }
      const result = yield* Output.withProgress(ImageProvider.generate(request), {
        enabled: process.stderr.isTTY === true,
        state
      }).pipe(
        Effect.provide(layer),
        Effect.catchIf(
          (error): error is ImageGenerationError.ImageGenerationError => !(error instanceof CliFailure),
          (error) =>
            args.json
              ? Console.log(JSON.stringify(Output.failureToJson(error, Date.now() - started, trail))).pipe(
                Effect.zipRight(Effect.fail(failureOf(error, trail)))
              )
              : Effect.fail(failureOf(error, trail))
        )
      )
      const durationMs = Date.now() - started
      const written = yield* Output.writeImages(result.images, args.out, { overwrite: args.force }).pipe(
        Effect.mapError((error) => new CliFailure({ exitCode: 1, lines: [`error: ${error.message}`] }))
      )
      if (args.json) {
        yield* Console.log(JSON.stringify(Output.toJson(result, written, durationMs)))
      } else {
        if (result.attempts.some((attempt) => attempt.outcome !== "success")) {
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
    for (const definition of Nanogen.builtins) {
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
 * A model's lifecycle as `nanogen models` shows it: status, dates and replacement.
 *
 * @example
 * ```ts
 * import { Cli } from "@nanogen/cli"
 * import { ModelCatalog } from "@nanogen/core"
 * Cli.lifecycleOf(ModelCatalog.entries["nano-banana-pro"]) // "ga"
 * ```
 * @since 0.2.0
 * @category Commands
 */
export const lifecycleOf = (entry: ModelCatalog.ModelEntry): string =>
  [
    entry.status,
    entry.deprecatedOn === undefined ? undefined : `deprecated ${entry.deprecatedOn}`,
    entry.shutdownOn === undefined ? undefined : `shutdown ${entry.shutdownOn}`,
    entry.replacement === undefined ? undefined : `use ${entry.replacement}`
  ].filter((part) => part !== undefined).join(", ")

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
export const models = Command.make("models", { json: SharedOptions.json("Print the catalog as JSON") }).pipe(
  Command.withDescription("List the model catalog: aliases, native ids per backend, ratios and sizes"),
  Command.withHandler(({ json }) =>
    Effect.gen(function*() {
      if (json) {
        yield* Console.log(JSON.stringify(ModelCatalog.entries, null, 2))
        return
      }
      for (const entry of Object.values(ModelCatalog.entries)) {
        yield* Console.log(
          `${entry.alias}  ${entry.displayName}  [${lifecycleOf(entry)}]${
            entry.alias === ImageRequest.defaultModel ? "  (default)" : ""
          }`
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
  providers: SharedOptions.providers,
  json: SharedOptions.json("Print the configured providers as JSON")
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
  Command.withSubcommands([generate, edit, models, providers, demo])
)

// ---------------------------------------------------------------------------------------------------------------
// Usage: what each command takes, checked before @effect/cli parses, so an error names the flag and the value.

/**
 * One flag of a command: its spellings, the placeholder of its value (none for a switch), the check of that value
 * (a message saying what was expected, or `undefined` when it is fine) and its line in `--help`.
 *
 * @example
 * ```ts
 * import type { Cli } from "@nanogen/cli"
 * const json: Cli.Flag = { names: ["--json"], help: "print one JSON object on stdout" }
 * ```
 * @since 0.1.0
 * @category Usage
 */
export interface Flag {
  readonly names: ReadonlyArray<string>
  readonly value?: string
  readonly check?: (value: string) => string | undefined
  readonly help: string
}

/**
 * What a command takes, and its `--help` page.
 *
 * @example
 * ```ts
 * import { Cli } from "@nanogen/cli"
 * Cli.usage.generate.flags.map((flag) => flag.names[0]) // ["--model", "--aspect-ratio", …]
 * ```
 * @since 0.1.0
 * @category Usage
 */
export interface CommandUsage {
  readonly synopsis: string
  readonly summary: string
  /** Number of positional arguments the command takes. */
  readonly arguments: number
  readonly flags: ReadonlyArray<Flag>
  readonly examples: ReadonlyArray<string>
}

const cliConfig = CliConfig.defaultConfig

/**
 * The closest of `candidates` to `input` (Levenshtein distance, case-insensitive), when it is at most `limit`
 * edits away.
 *
 * @example
 * ```ts
 * import { Cli } from "@nanogen/cli"
 * Cli.closest("nano-banana2", ["nano-banana", "nano-banana-2", "nano-banana-pro"]) // "nano-banana-2"
 * ```
 * @since 0.1.0
 * @category Usage
 */
export const closest = (input: string, candidates: ReadonlyArray<string>, limit = 2): string | undefined => {
  // Ties go to the candidate sharing more characters with the input: nano-banana2 → nano-banana-2, not nano-banana.
  const shared = (candidate: string) => {
    const left = [...input.toLowerCase()]
    return [...candidate.toLowerCase()].filter((char) => {
      const at = left.indexOf(char)
      if (at !== -1) left.splice(at, 1)
      return at !== -1
    }).length
  }
  let best: { readonly candidate: string; readonly distance: number; readonly shared: number } | undefined
  for (const candidate of candidates) {
    const distance = AutoCorrect.levensteinDistance(input, candidate, cliConfig)
    if (distance > limit) continue
    const score = { candidate, distance, shared: shared(candidate) }
    if (
      best === undefined || distance < best.distance || (distance === best.distance && score.shared > best.shared)
    ) best = score
  }
  return best?.candidate
}

const oneOf = (values: ReadonlyArray<string>) => (value: string) =>
  values.includes(value) ? undefined : `expected one of ${values.join(", ")}`

const wholeNumber = (min: number, max: number) => (value: string) =>
  /^\d+$/.test(value) && Number(value) >= min && Number(value) <= max
    ? undefined
    : `expected a whole number from ${min} to ${max}`

const integer = (value: string) => /^-?\d+$/.test(value) ? undefined : "expected a whole number"

const aliases = (): Array<string> => Object.keys(ModelCatalog.entries)

/**
 * The check of `--model`: a catalog alias or a native id pass; a near miss of an alias (`nano-banana2`) is
 * refused with the alias it probably meant, before any call is made.
 *
 * @example
 * ```ts
 * import { Cli } from "@nanogen/cli"
 * Cli.checkModel("nano-banana2") // "not a model alias: did you mean nano-banana-2? (nanogen models lists them)"
 * Cli.checkModel("gemini-3-pro-image") // undefined
 * ```
 * @since 0.1.0
 * @category Usage
 */
export const checkModel = (model: string): string | undefined => {
  if (ModelCatalog.isAlias(model)) return undefined
  const known = (definition: Nanogen.Definition) =>
    ModelCatalog.lookup(definition.models, model, definition.nativeAliases) !== undefined
  if (Nanogen.builtins.some(known)) return undefined
  const suggestion = closest(model, aliases())
  return suggestion === undefined
    ? undefined
    : `not a model alias: did you mean ${suggestion}? (nanogen models lists them)`
}

// The flags generate and edit share (edit describes --model, --out and --json in its own words).
const modelFlag = (help: string): Flag => ({ names: ["--model", "-m"], value: "<id>", check: checkModel, help })
const outFlag = (help: string): Flag => ({ names: ["--out", "-o"], value: "<path>", help })
const jsonFlag = (help: string): Flag => ({ names: ["--json"], help })

const aspectRatioFlag: Flag = {
  names: ["--aspect-ratio", "-r"],
  value: "<ratio>",
  check: oneOf(ImageRequest.aspectRatios),
  help: ImageRequest.aspectRatios.join(" ")
}

const sizeFlag: Flag = {
  names: ["--size", "-s"],
  value: "<tier>",
  check: oneOf(ImageRequest.imageSizes),
  help: "512 1K 2K 4K"
}

const seedFlag: Flag = { names: ["--seed"], value: "<int>", check: integer, help: "seed, where the backend takes one" }

const providersFlag: Flag = {
  names: ["--providers"],
  value: "a,b",
  help: "fallback order for this run (overrides NANOGEN_PROVIDERS)"
}

/**
 * Every command's usage: flags, checks, help lines and examples.
 *
 * @example
 * ```ts
 * import { Cli } from "@nanogen/cli"
 * Object.keys(Cli.usage) // ["generate", "edit", "models", "providers", "demo"]
 * ```
 * @since 0.1.0
 * @category Usage
 */
export const usage: { readonly [name in "generate" | "edit" | "models" | "providers" | "demo"]: CommandUsage } = {
  generate: {
    synopsis: `nanogen generate "<prompt>" [options]`,
    summary: "generate (or edit, with --image) through the configured backends",
    arguments: 1,
    flags: [
      modelFlag("a model alias (nanogen models lists them) or a native id (default: NANOGEN_MODEL)"),
      aspectRatioFlag,
      sizeFlag,
      { names: ["-n"], value: "<count>", check: wholeNumber(1, 10), help: "number of images, 1-10 (default 1)" },
      {
        names: ["--image", "-i"],
        value: "<file>",
        help: "reference image to edit (PNG, JPEG, WebP, GIF, HEIC); repeat for several"
      },
      outFlag("default out.png (-n 3: out-1, out-2); the extension follows the bytes: JPEG writes out.jpg"),
      { names: ["--force"], help: "overwrite existing files (without it: refused before any call)" },
      providersFlag,
      seedFlag,
      {
        names: ["--allow-private-network"],
        help: "download from http:/private addresses (the emulator); or NANOGEN_ALLOW_PRIVATE_NETWORK=1"
      },
      jsonFlag("print one JSON object on stdout and nothing else (a failed generation too)")
    ],
    examples: [
      `nanogen generate "a nano banana on a plate" -r 16:9 -s 2K -o banana.jpg`,
      `nanogen generate "put it on a beach" -i banana.jpg -m nano-banana-pro --force -o banana.jpg`,
      `nanogen generate "three bananas" -n 3 --json | jq -r '.paths[]'`
    ]
  },
  edit: {
    synopsis: `nanogen edit <image> "<prompt>" [--session file.json] [options]`,
    summary: "edit an image, one turn per call; --session continues a multi-turn edit",
    arguments: 2,
    flags: [
      {
        names: ["--session"],
        value: "<file.json>",
        help: "session file: continued when it exists, created otherwise, written back after the turn"
      },
      outFlag("default edited.png; the extension follows the bytes"),
      modelFlag("a model alias or a native id (a continued session keeps its model)"),
      aspectRatioFlag,
      sizeFlag,
      seedFlag,
      providersFlag,
      jsonFlag("print one JSON object on stdout (paths, provider, model, attempts, session)")
    ],
    examples: [
      `nanogen edit photo.png "make the sky purple" --session trip.json -o step1.png`,
      `nanogen edit step1.png "add a moon" --session trip.json -o step2.png`
    ]
  },
  models: {
    synopsis: "nanogen models [--json]",
    summary: "the model catalog: aliases, native ids, ratios, sizes",
    arguments: 0,
    flags: [jsonFlag("print the catalog as JSON")],
    examples: ["nanogen models", "nanogen models --json | jq 'keys'"]
  },
  providers: {
    synopsis: "nanogen providers [--providers a,b] [--json]",
    summary: "configured backends in fallback order (keys redacted)",
    arguments: 0,
    flags: [providersFlag, jsonFlag("print them as JSON")],
    examples: ["nanogen providers", "NANOGEN_PROVIDERS=google-direct,openrouter nanogen providers"]
  },
  demo: {
    synopsis: "nanogen demo [--out <dir>]",
    summary: "emulated backends with faults; no key, no network",
    arguments: 0,
    flags: [{ names: ["--out", "-o"], value: "<dir>", help: "folder for the images (default ./nanogen-demo)" }],
    examples: ["nanogen demo", "nanogen demo --out /tmp/pictures"]
  }
}

const commandNames = Object.keys(usage) as Array<keyof typeof usage>

const environment = [
  "Environment:",
  `  ${Nanogen.builtins.map(Nanogen.keyVariables).join(", ")}: the keys; set at least one`,
  "  NANOGEN_PROVIDERS   fallback order, e.g. openrouter,google-direct (default: every backend with a key)",
  "  NANOGEN_MODEL       default model alias        NANOGEN_TIMEOUT  per-attempt timeout (\"90 seconds\")",
  `  ${Nanogen.builtins.map((definition) => definition.apiUrl.env).join(", ")}: base URLs (e.g. the emulator's)`,
  "  NANOGEN_ALLOW_PRIVATE_NETWORK=1   allow image downloads from http:/private addresses (emulator only)"
]

const flagColumn = (flag: Flag) => `${flag.names.join(", ")}${flag.value === undefined ? "" : ` ${flag.value}`}`

/**
 * The `--help` page of a command, or of `nanogen` itself: plain text (no colour codes), at most 120 columns.
 *
 * @example
 * ```ts
 * import { Cli } from "@nanogen/cli"
 * console.log(Cli.helpText("generate"))
 * ```
 * @since 0.1.0
 * @category Usage
 */
export const helpText = (command?: keyof typeof usage): string => {
  if (command === undefined) {
    const width = Math.max(...commandNames.map((name) => usage[name].synopsis.length))
    const beside = commandNames.map((name) => `  $ ${usage[name].synopsis.padEnd(width)}  ${usage[name].summary}`)
    // Summaries beside their synopses when every line fits in 120 columns, else each under its synopsis.
    const commands = beside.every((line) => line.length <= 120)
      ? beside
      : commandNames.flatMap((name) => [`  $ ${usage[name].synopsis}`, `      ${usage[name].summary}`])
    return [
      "nanogen: Nano Banana images through OpenRouter, the AI/ML API and the Gemini API, with failover",
      "",
      "Usage:",
      ...commands,
      "  $ nanogen <command> --help | nanogen --version",
      "",
      "Examples:",
      ...commandNames.flatMap((name) => usage[name].examples.slice(0, 1)).map((line) => `  $ ${line}`),
      "",
      ...environment,
      "",
      "Exit codes: 0 success, 1 generation failed, 2 usage or configuration error.",
      ""
    ].join("\n")
  }
  const spec = usage[command]
  const width = Math.max(...spec.flags.map((flag) => flagColumn(flag).length))
  return [
    `Usage: $ ${spec.synopsis}`,
    "",
    spec.summary,
    "",
    "Options:",
    ...spec.flags.map((flag) => `  ${flagColumn(flag).padEnd(width)}  ${flag.help}`),
    "",
    "Examples:",
    ...spec.examples.map((line) => `  $ ${line}`),
    ...(command === "generate" || command === "providers" ? ["", ...environment] : []),
    ""
  ].join("\n")
}

/** @effect/cli's own flags, accepted before or after a command (`--log-level` takes a value). */
const builtIns: ReadonlyArray<Flag> = [
  { names: ["--version"], help: "" },
  { names: ["--completions"], value: "<shell>", help: "" },
  { names: ["--log-level"], value: "<level>", help: "" },
  { names: ["--wizard"], help: "" }
]

/**
 * What `nanogen` does with `args` (the arguments after the script): print a help page, refuse them with error
 * lines that name the flag and the value, or run them.
 *
 * @example
 * ```ts
 * import { Cli } from "@nanogen/cli"
 * Cli.checkArgs(["generate", "a cat", "--aspect-ratio", "7:3"])
 * // { _tag: "Invalid", lines: ["error: --aspect-ratio 7:3: expected one of 1:1, 2:3, …", …] }
 * ```
 * @since 0.1.0
 * @category Usage
 */
export const checkArgs = (
  args: ReadonlyArray<string>
):
  | { readonly _tag: "Help"; readonly text: string }
  | { readonly _tag: "Invalid"; readonly lines: ReadonlyArray<string> }
  | { readonly _tag: "Run" } =>
{
  const end = args.indexOf("--")
  const options = end === -1 ? args : args.slice(0, end)
  const name = args.find((arg) => !arg.startsWith("-"))
  const command = commandNames.find((candidate) => candidate === name)
  if (args.length === 0 || options.includes("--help") || options.includes("-h")) {
    return { _tag: "Help", text: helpText(command) }
  }
  const invalid = (line: string, more?: string) => ({
    _tag: "Invalid" as const,
    lines: [
      `error: ${line}`,
      more ?? `(${command === undefined ? "nanogen" : `nanogen ${command}`} --help shows usage)`
    ]
  })
  if (name !== undefined && command === undefined && args.indexOf(name) === 0) {
    const suggestion = closest(name, commandNames)
    return invalid(
      `unknown command ${name}${suggestion === undefined ? "" : `: did you mean ${suggestion}?`}`,
      "(nanogen --help lists the commands)"
    )
  }
  const flags = [...(command === undefined ? [] : usage[command].flags), ...builtIns]
  let positionals = 0
  let extra: string | undefined
  for (let index = args.indexOf(command ?? "") + 1; index < args.length; index++) {
    const arg = args[index]!
    if (arg === "--") {
      positionals += args.length - index - 1
      extra = extra ?? args[index + 2]
      break
    }
    if (!arg.startsWith("-") || arg === "-") {
      positionals++
      if (command !== undefined && positionals > usage[command].arguments) extra = extra ?? arg
      continue
    }
    const equals = arg.indexOf("=")
    const flagName = equals === -1 ? arg : arg.slice(0, equals)
    const flag = flags.find((candidate) => candidate.names.includes(flagName))
    if (flag === undefined) {
      const suggestion = closest(flagName, flags.flatMap((candidate) => candidate.names.filter((n) => n.length > 2)))
      return invalid(`unknown option ${flagName}${suggestion === undefined ? "" : `: did you mean ${suggestion}?`}`)
    }
    if (flag.value === undefined) {
      if (equals !== -1) return invalid(`${flagName} takes no value (got ${arg})`)
      continue
    }
    const value = equals === -1 ? args[++index] : arg.slice(equals + 1)
    if (value === undefined) return invalid(`${flagName} needs a value: ${flagName} ${flag.value}`)
    const problem = flag.check?.(value)
    if (problem !== undefined) return invalid(`${flagName} ${value}: ${problem}`)
  }
  if (command === undefined) return { _tag: "Run" }
  const expected = usage[command].arguments
  if (positionals < expected) return invalid(`${command} needs a prompt: $ ${usage[command].synopsis}`)
  if (extra !== undefined) {
    return invalid(
      expected === 0
        ? `${command} takes no argument (got "${extra}")`
        : `unexpected argument "${extra}": ${command} takes one prompt; quote it, e.g. nanogen ${command} "a cat on a mat"`
    )
  }
  return { _tag: "Run" }
}

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
export const run = (argv: ReadonlyArray<string>) => {
  const checked = checkArgs(argv.slice(2))
  const main = checked._tag === "Help"
    ? Effect.sync(() => void process.stdout.write(checked.text))
    : checked._tag === "Invalid"
    ? Effect.fail(new CliFailure({ exitCode: 2, lines: checked.lines }))
    : Command.run(command, { name: "nanogen", version: "0.1.0" })(argv)
  return main.pipe(
    Effect.tapError((error) =>
      error instanceof CliFailure ? Effect.sync(() => process.stderr.write(`${error.lines.join("\n")}\n`)) : Effect.void
    )
  )
}
