/**
 * The @effect/cli options that `generate` and `edit` (and `providers`) share, declared once: each flag's spelling,
 * alias, parsing and default. Where the commands describe a flag differently, the command passes its description.
 *
 * @since 0.2.0
 * @internal
 */
import * as Options from "@effect/cli/Options"
import { Nanogen } from "@nanogen/client"
import { ImageRequest } from "@nanogen/core"

/**
 * `--model` / `-m`: a catalog alias or a native id; absent, the configured default.
 *
 * @internal
 */
export const model = (description: string) =>
  Options.text("model").pipe(Options.withAlias("m"), Options.withDescription(description), Options.optional)

/**
 * `--aspect-ratio` / `-r`: one of the catalog's ratios.
 *
 * @internal
 */
export const aspectRatio = (description: string) =>
  Options.choice("aspect-ratio", ImageRequest.aspectRatios).pipe(
    Options.withAlias("r"),
    Options.withDescription(description),
    Options.optional
  )

/**
 * `--size` / `-s`: the resolution tier.
 *
 * @internal
 */
export const size = Options.choice("size", ImageRequest.imageSizes).pipe(
  Options.withAlias("s"),
  Options.withDescription("Resolution tier (uppercase K)"),
  Options.optional
)

/**
 * `--seed`: passed on where the backend takes one.
 *
 * @internal
 */
export const seed = Options.integer("seed").pipe(
  Options.withDescription("Seed, where the backend takes one"),
  Options.optional
)

/**
 * `--out` / `-o`: where the images are written, `fallback` when absent.
 *
 * @internal
 */
export const out = (description: string, fallback: string) =>
  Options.text("out").pipe(Options.withAlias("o"), Options.withDescription(description), Options.withDefault(fallback))

/**
 * `--providers a,b`: the fallback order of this run, over `NANOGEN_PROVIDERS`.
 *
 * @internal
 */
export const providers = Options.text("providers").pipe(
  Options.withDescription(
    `Fallback order, comma-separated (${Nanogen.providerNames.join(", ")}); overrides NANOGEN_PROVIDERS`
  ),
  Options.optional
)

/**
 * `--json`: one JSON object on stdout instead of the text lines.
 *
 * @internal
 */
export const json = (description: string) => Options.boolean("json").pipe(Options.withDescription(description))
