/**
 * `nanogen demo`: the emulated backends, started in this process with faults injected (the first backend is
 * down, the second rate-limits once), and a few generations through the real provider clients and the fallback
 * chain. Prints every attempt trail and writes the images. Needs no key and no network.
 *
 * @since 0.1.0
 */
import * as NodeHttpClient from "@effect/platform-node/NodeHttpClient"
import { Nanogen } from "@nanogen/client"
import type { ImageRequest, ImageResult } from "@nanogen/core"
import { Fallback, ImageProvider, ProviderDefinition } from "@nanogen/core"
import * as Emulator from "@nanogen/emulator"
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import * as Redacted from "effect/Redacted"
import * as Path from "node:path"
import * as Output from "./Output.js"

/**
 * One demo generation.
 *
 * @example
 * ```ts
 * import type { Demo } from "@nanogen/cli"
 * const scene: Demo.Scene = { name: "cat", request: { prompt: "a cat", aspectRatio: "4:3" } }
 * ```
 * @since 0.1.0
 * @category Models
 */
export interface Scene {
  /** File name stem in the output folder (the extension comes from the bytes). */
  readonly name: string
  readonly request: ImageRequest.Input
}

/**
 * The default scenes: three prompts with different models, aspect ratios and sizes.
 *
 * @example
 * ```ts
 * import { Demo } from "@nanogen/cli"
 * Demo.scenes.map((scene) => scene.request.model) // ["nano-banana-2", "nano-banana", "nano-banana-2"]
 * ```
 * @since 0.1.0
 * @category Models
 */
export const scenes: ReadonlyArray<Scene> = [
  {
    name: "1-banana-still-life",
    request: {
      prompt: "A nano banana on a marble plate, studio light, photorealistic",
      model: "nano-banana-2",
      aspectRatio: "16:9",
      imageSize: "1K"
    }
  },
  {
    name: "2-lighthouse",
    request: { prompt: "A watercolor lighthouse at dusk, soft paper texture", model: "nano-banana", aspectRatio: "1:1" }
  },
  {
    name: "3-robot-poster",
    request: {
      prompt: "A retro travel poster of a robot reading a newspaper",
      model: "nano-banana-2",
      aspectRatio: "3:4",
      imageSize: "512"
    }
  }
]

/**
 * Options of `run`.
 *
 * @example
 * ```ts
 * import type { Demo } from "@nanogen/cli"
 * const options: Demo.Options = { out: "./pictures", print: () => {} }
 * ```
 * @since 0.1.0
 * @category Models
 */
export interface Options {
  /** Output folder, default `./nanogen-demo`. */
  readonly out?: string | undefined
  /** Where lines are printed, default `console.log`. */
  readonly print?: ((line: string) => void) | undefined
  /** Scenes to render, default `scenes`. */
  readonly scenes?: ReadonlyArray<Scene> | undefined
  /** Show the progress line (stderr) while each image is generated. */
  readonly progress?: boolean | undefined
}

/**
 * What a demo run produced.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Demo } from "@nanogen/cli"
 * const files = Effect.map(Demo.run(), (report) => report.results.flatMap((r) => r.files.map((f) => f.path)))
 * ```
 * @since 0.1.0
 * @category Models
 */
export interface Report {
  readonly out: string
  readonly durationMs: number
  readonly results: ReadonlyArray<{
    readonly scene: Scene
    readonly result: ImageResult.ImageResult
    readonly files: ReadonlyArray<Output.WrittenImage>
  }>
}

/**
 * One backend of the demo: a definition of the default registry and the emulated server that speaks its protocol
 * (matched by the definition's name or alias).
 *
 * @example
 * ```ts
 * import * as Emulator from "@nanogen/emulator"
 * import { Demo } from "@nanogen/cli"
 * const emulator = await Emulator.start()
 * Demo.backends(emulator).map((backend) => `${backend.definition.name} → ${backend.server}`)
 * // ["openrouter → openrouter", "google-direct → google", "aimlapi → aimlapi"]
 * ```
 * @since 0.2.0
 * @category Models
 */
export interface Backend {
  readonly definition: Nanogen.Definition
  readonly server: Emulator.ServerName
}

/**
 * The demo's backends: every definition of `Nanogen.builtins` the emulator serves, in the default fallback order.
 *
 * @example
 * ```ts
 * import * as Emulator from "@nanogen/emulator"
 * import { Demo } from "@nanogen/cli"
 * Demo.backends(await Emulator.start()).length // 3
 * ```
 * @since 0.2.0
 * @category Models
 */
export const backends = (emulator: Emulator.Emulator): ReadonlyArray<Backend> =>
  Nanogen.builtins.flatMap((definition) => {
    const server = (Object.keys(emulator.urls) as Array<Emulator.ServerName>).find((name) =>
      ProviderDefinition.matches(definition, name)
    )
    return server === undefined ? [] : [{ definition, server }]
  })

/**
 * The order the demo's fallback tries the emulated backends in (the default fallback order).
 *
 * @example
 * ```ts
 * import * as Emulator from "@nanogen/emulator"
 * import { Demo } from "@nanogen/cli"
 * Demo.order(await Emulator.start())[0] // "openrouter"
 * ```
 * @since 0.1.0
 * @category Models
 */
export const order = (emulator: Emulator.Emulator): ReadonlyArray<string> =>
  backends(emulator).map((backend) => backend.definition.name)

/**
 * The fallback over the real provider clients of every demo backend, pointed at a running emulator. Retries are
 * kept short so the demo finishes in a few seconds; the rate limit's `Retry-After: 1` is still honoured.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import * as Emulator from "@nanogen/emulator"
 * import { Demo } from "@nanogen/cli"
 *
 * const program = Effect.gen(function*() {
 *   const emulator = yield* Emulator.make()
 *   const layer = Demo.fallbackLayer(emulator)
 *   return layer
 * })
 * ```
 * @since 0.1.0
 * @category Layers
 */
export const fallbackLayer = (emulator: Emulator.Emulator) =>
  Fallback.layer(
    backends(emulator).map(({ definition, server }) =>
      definition.layer({
        apiKey: Redacted.make(emulator.keys[server]),
        apiUrl: emulator.urls[server],
        download: { allowPrivateNetwork: true }
      })
    ),
    {
      name: "demo",
      attempts: 2,
      backoff: { initial: "100 millis", factor: 2, max: "1 second", jitter: 0.1 },
      attemptTimeout: "20 seconds",
      deadline: "60 seconds"
    }
  ).pipe(Layer.provide(NodeHttpClient.layerUndici))

/** What `injectFaults` does to each backend, by position in the order. */
const faults = ["every call answers 503 (outage)", "first call answers 429, Retry-After: 1"] as const

/**
 * Injects the demo's faults by position in the order: every call of the first backend answers 503; the second
 * answers its first call with 429 and `Retry-After: 1`, then serves; the others are healthy.
 *
 * @example
 * ```ts
 * import * as Emulator from "@nanogen/emulator"
 * import { Demo } from "@nanogen/cli"
 * const emulator = await Emulator.start()
 * Demo.injectFaults(emulator)
 * ```
 * @since 0.1.0
 * @category Constructors
 */
export const injectFaults = (emulator: Emulator.Emulator): void => {
  const [down, limited] = backends(emulator)
  if (down !== undefined) {
    emulator.scriptWith(down.server, () => ({
      kind: "status",
      status: 503,
      message: "The demo keeps this backend down (emulated outage)"
    }))
  }
  if (limited !== undefined) {
    emulator.script(limited.server, {
      kind: "status",
      status: 429,
      retryAfter: 1,
      message: "The demo rate-limits this backend once (emulated quota)"
    })
  }
}

const describeRequest = (request: ImageRequest.Input): string =>
  [request.model ?? "nano-banana-2", request.aspectRatio, request.imageSize].filter((part) => part !== undefined)
    .join(", ")

/**
 * Runs the demo: starts the emulator, injects the faults, generates every scene through the fallback chain,
 * prints each attempt trail and writes the images to `out`. The emulator is stopped when it ends.
 *
 * @example
 * ```ts
 * import { Effect } from "effect"
 * import { Demo } from "@nanogen/cli"
 *
 * const report = await Effect.runPromise(Demo.run({ out: "./nanogen-demo" }))
 * report.results.length // 3
 * ```
 * @since 0.1.0
 * @category Running
 */
export const run = (options: Options = {}) =>
  Effect.scoped(Effect.gen(function*() {
    const print = options.print ?? ((line: string) => console.log(line))
    const out = options.out ?? "nanogen-demo"
    const started = Date.now()
    const emulator = yield* Emulator.make()
    injectFaults(emulator)

    const demoBackends = backends(emulator)
    const names = demoBackends.map((backend) => backend.definition.name)
    const width = Math.max(...names.map((name) => name.length))
    print(
      `nanogen demo: ${demoBackends.length} emulated backends on 127.0.0.1, real provider clients, no key, no network`
    )
    for (const [index, { definition, server }] of demoBackends.entries()) {
      print(`  ${index + 1}. ${definition.name.padEnd(width)}  ${emulator.urls[server]}  ${faults[index] ?? "healthy"}`)
    }
    print(`fallback order: ${names.join(" → ")}`)

    const provider = Context.get(yield* Layer.build(fallbackLayer(emulator)), ImageProvider.ImageProvider)
    const results: Array<Report["results"][number]> = []
    const all = options.scenes ?? scenes
    for (const [index, scene] of all.entries()) {
      print("")
      print(`[${index + 1}/${all.length}] "${scene.request.prompt}" (${describeRequest(scene.request)})`)
      const sceneStart = Date.now()
      const result = yield* Output.withProgress(provider.generate(scene.request), {
        enabled: options.progress === true,
        label: `[${index + 1}/${all.length}]`
      })
      const durationMs = Date.now() - sceneStart
      const first = result.attempts[0]?.provider
      const skipped = first === undefined ? [] : names.slice(0, Math.max(0, names.indexOf(first)))
      for (const name of skipped) print(`  -  ${name} skipped: cooling down after consecutive failures (health check)`)
      for (const line of Output.formatAttempts(result.attempts)) print(line)
      const files = yield* Output.writeImages(result.images, Path.join(out, scene.name))
      for (const file of files) {
        print(
          `  → ${file.path}  ${file.width ?? "?"}×${
            file.height ?? "?"
          }  ${file.mimeType}  served by ${result.provider} in ${(durationMs / 1000).toFixed(1)} s`
        )
      }
      results.push({ scene, result, files })
    }
    const durationMs = Date.now() - started
    print("")
    print(
      `done: ${results.reduce((total, entry) => total + entry.files.length, 0)} images in ${out}${
        out.endsWith("/") ? "" : "/"
      } in ${(durationMs / 1000).toFixed(1)} s`
    )
    return { out, durationMs, results } satisfies Report
  }))
