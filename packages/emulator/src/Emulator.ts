/**
 * The emulator: three loopback HTTP servers (OpenRouter, AI/ML API, Gemini API) with a shared request log and a
 * fault script per server. `start()` for plain async code, `make` / `layer` / `EmulatorService` for Effect code.
 *
 * @since 0.1.0
 */
import * as Context from "effect/Context"
import * as Effect from "effect/Effect"
import * as Layer from "effect/Layer"
import type * as Scope from "effect/Scope"
import * as AimlApiServer from "./AimlApiServer.js"
import type { Fault, RecordedRequest, ServerName } from "./Faults.js"
import { FaultScript } from "./Faults.js"
import * as GoogleServer from "./GoogleServer.js"
import type { RunningServer } from "./internal/server.js"
import { serve } from "./internal/server.js"
import { Signatures } from "./internal/signatures.js"
import * as OpenRouterServer from "./OpenRouterServer.js"

/**
 * Options of `start` / `make` / `layer`.
 *
 * @since 0.1.0
 * @category Models
 */
export interface EmulatorOptions {
  /** Credentials each server accepts. Defaults: `emu-openrouter-key`, `emu-aimlapi-key`, `emu-google-key`. */
  readonly keys?: { readonly openrouter?: string; readonly aimlapi?: string; readonly google?: string }
  /** Interface to listen on (default `127.0.0.1`). Every server listens on port 0 (a free port). */
  readonly host?: string
  /** OpenRouter options: the request-body cap of `POST /images` before a 413 (default 32 MiB). */
  readonly openrouter?: { readonly maxImagesBodyBytes?: number }
}

/**
 * A running emulator.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Emulator {
  /** Base URLs as the providers' `apiUrl`: `…/api/v1`, `…/v1`, `…/v1beta`. */
  readonly urls: { readonly openrouter: string; readonly aimlapi: string; readonly google: string }
  readonly keys: { readonly openrouter: string; readonly aimlapi: string; readonly google: string }
  /** Received requests in order (API calls and CDN downloads), optionally of one server. */
  readonly requests: (server?: ServerName) => ReadonlyArray<RecordedRequest>
  /** Appends faults to a server's FIFO queue; each API call consumes one. */
  readonly script: (server: ServerName, ...faults: Array<Fault>) => void
  /** A function of the request, consulted when the queue is empty (`undefined` = a normal answer). */
  readonly scriptWith: (server: ServerName, f: (req: RecordedRequest) => Fault | undefined) => void
  /** Faults of a server's queue not yet consumed. */
  readonly pending: (server: ServerName) => number
  /** Clears queues, functions and the request log. */
  readonly reset: () => void
  /** Closes the servers, including hanging connections. */
  readonly stop: () => Promise<void>
}

/**
 * The default credentials.
 *
 * @since 0.1.0
 * @category Constructors
 */
export const defaultKeys = {
  openrouter: "emu-openrouter-key",
  aimlapi: "emu-aimlapi-key",
  google: "emu-google-key"
} as const

/**
 * Starts the three servers (plain async, for code that does not use Effect).
 *
 * @example
 * ```ts
 * import * as Emulator from "@nanogen/emulator"
 *
 * const emu = await Emulator.start()
 * emu.script("openrouter", { kind: "status", status: 429, retryAfter: 1 })
 * const response = await fetch(`${emu.urls.openrouter}/chat/completions`, {
 *   method: "POST",
 *   headers: { authorization: `Bearer ${emu.keys.openrouter}`, "content-type": "application/json" },
 *   body: JSON.stringify({ model: "google/gemini-2.5-flash-image", messages: [{ role: "user", content: "a cat" }] })
 * })
 * response.status // 429
 * await emu.stop()
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const start = async (options: EmulatorOptions = {}): Promise<Emulator> => {
  const host = options.host ?? "127.0.0.1"
  const keys = {
    openrouter: options.keys?.openrouter ?? defaultKeys.openrouter,
    aimlapi: options.keys?.aimlapi ?? defaultKeys.aimlapi,
    google: options.keys?.google ?? defaultKeys.google
  }
  let log: Array<RecordedRequest> = []
  const scripts: Record<ServerName, FaultScript> = {
    openrouter: new FaultScript(),
    aimlapi: new FaultScript(),
    google: new FaultScript(),
    vertex: new FaultScript()
  }
  const signatures = new Signatures()
  const cdn = new AimlApiServer.CdnStore()
  const record = (request: RecordedRequest) => {
    log.push(request)
  }
  const started: Array<RunningServer> = []
  const launch = async (
    name: ServerName,
    protocol: Parameters<typeof serve>[0]["protocol"]
  ): Promise<RunningServer> => {
    const key = keys[name as "openrouter" | "aimlapi" | "google"]
    const running = await serve({
      host,
      accepts: (credential) => credential === key,
      protocol,
      script: scripts[name],
      log: record
    })
    started.push(running)
    return running
  }
  try {
    const [openrouter, aimlapi, google] = await Promise.all([
      launch("openrouter", OpenRouterServer.protocol(options.openrouter ?? {})),
      launch("aimlapi", AimlApiServer.protocol(cdn)),
      launch("google", GoogleServer.protocol(signatures))
    ])
    let stopped: Promise<void> | undefined = undefined
    return {
      urls: {
        openrouter: `${openrouter.origin}/api/v1`,
        aimlapi: `${aimlapi.origin}/v1`,
        google: `${google.origin}/v1beta`
      },
      keys,
      requests: (server) => server === undefined ? [...log] : log.filter((request) => request.server === server),
      script: (server, ...faults) => scripts[server].push(...faults),
      scriptWith: (server, f) => scripts[server].setFunction(f),
      pending: (server) => scripts[server].pending(),
      reset: () => {
        log = []
        for (const script of Object.values(scripts)) script.reset()
      },
      stop: () => {
        stopped ??= Promise.all(started.map((server) => server.close())).then(() => cdn.clear())
        return stopped
      }
    }
  } catch (error) {
    await Promise.all(started.map((server) => server.close()))
    throw error
  }
}

/**
 * The running emulator as an Effect service.
 *
 * @example
 * ```ts
 * import * as Emulator from "@nanogen/emulator"
 * import * as Effect from "effect/Effect"
 *
 * const program = Effect.gen(function*() {
 *   const emu = yield* Emulator.EmulatorService
 *   return emu.urls.google
 * }).pipe(Effect.provide(Emulator.layer()))
 * ```
 *
 * @since 0.1.0
 * @category Context
 */
export class EmulatorService extends Context.Tag("@nanogen/emulator/Emulator")<EmulatorService, Emulator>() {}

/**
 * Starts the emulator in a scope; it stops when the scope closes.
 *
 * @example
 * ```ts
 * import * as Emulator from "@nanogen/emulator"
 * import * as Effect from "effect/Effect"
 *
 * const urls = Effect.scoped(Effect.map(Emulator.make(), (emu) => emu.urls))
 * ```
 *
 * @since 0.1.0
 * @category Constructors
 */
export const make = (options: EmulatorOptions = {}): Effect.Effect<Emulator, never, Scope.Scope> =>
  Effect.acquireRelease(
    Effect.promise(() => start(options)),
    (emulator) => Effect.promise(() => emulator.stop())
  )

/**
 * A scoped layer: the emulator starts when the layer is built and stops when its scope closes.
 *
 * @example
 * ```ts
 * import * as Emulator from "@nanogen/emulator"
 * import { layer } from "@effect/vitest"
 *
 * layer(Emulator.layer())("provider", (it) => {
 *   // it.effect(...) tests that yield* Emulator.EmulatorService
 * })
 * ```
 *
 * @since 0.1.0
 * @category Layers
 */
export const layer = (options: EmulatorOptions = {}): Layer.Layer<EmulatorService> =>
  Layer.scoped(EmulatorService, make(options))
