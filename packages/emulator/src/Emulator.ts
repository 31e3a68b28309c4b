/**
 * The emulator: four loopback HTTP servers (OpenRouter, AI/ML API, Gemini API, Vertex AI) with a shared request log
 * and a fault script per server. `start()` for plain async code, `make` / `layer` / `EmulatorService` for Effect code.
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
import * as OAuth from "./internal/oauth.js"
import type { RunningServer } from "./internal/server.js"
import { serve } from "./internal/server.js"
import { Signatures } from "./internal/signatures.js"
import * as OpenRouterServer from "./OpenRouterServer.js"
import * as VertexServer from "./VertexServer.js"

/**
 * Options of `start` / `make` / `layer`.
 *
 * @since 0.1.0
 * @category Models
 */
export interface EmulatorOptions {
  /**
   * Credentials each server accepts. Defaults: `emu-openrouter-key`, `emu-aimlapi-key`, `emu-google-key`,
   * `emu-vertex-key` (Vertex express-mode API key) and `emu-vertex-token` (a static bearer token Vertex always
   * accepts, besides the tokens its token endpoint issues).
   */
  readonly keys?: {
    readonly openrouter?: string
    readonly aimlapi?: string
    readonly google?: string
    readonly vertex?: string
    readonly vertexToken?: string
  }
  /** Interface to listen on (default `127.0.0.1`). */
  readonly host?: string
  /**
   * Ports per server (default 0: a free port each). A number is a base port: OpenRouter on it, AI/ML API +1,
   * Gemini API +2, Vertex AI +3.
   */
  readonly ports?: number | {
    readonly openrouter?: number
    readonly aimlapi?: number
    readonly google?: number
    readonly vertex?: number
  }
  /** OpenRouter options: the request-body cap of `POST /images` before a 413 (default 32 MiB). */
  readonly openrouter?: { readonly maxImagesBodyBytes?: number }
  /** Vertex AI options. */
  readonly vertex?: {
    /** Projects the caller may use (default `["emu-project"]`); any other project answers 403 IAM_PERMISSION_DENIED. */
    readonly projects?: ReadonlyArray<string>
    /** Lifetime of issued access tokens, `expires_in` (default 3599 s, like Google). */
    readonly tokenLifetimeSeconds?: number
  }
}

/**
 * A service-account key file made by the emulator (its `private_key` signs the JWT-bearer assertion the token
 * endpoint verifies; `token_uri` is the emulator's token endpoint).
 *
 * @example
 * ```ts
 * import * as Emulator from "@nanogen/emulator"
 *
 * const emu = await Emulator.start()
 * const key: Emulator.ServiceAccountKey = emu.vertex.serviceAccount() // key.token_uri === emu.urls.vertexToken
 * ```
 *
 * @since 0.2.0
 * @category Models
 */
export type ServiceAccountKey = OAuth.ServiceAccountKey

/**
 * An ADC `authorized_user` file whose refresh token the emulator's token endpoint accepts.
 *
 * @example
 * ```ts
 * import * as Emulator from "@nanogen/emulator"
 *
 * const emu = await Emulator.start()
 * const adc: Emulator.AuthorizedUser = emu.vertex.authorizedUser()
 * ```
 *
 * @since 0.2.0
 * @category Models
 */
export type AuthorizedUser = OAuth.AuthorizedUser

/**
 * Vertex AI credentials and token controls of a running emulator.
 *
 * @example
 * ```ts
 * import * as Emulator from "@nanogen/emulator"
 *
 * const emu = await Emulator.start()
 * const token = emu.vertex.issueToken() // "ya29.emu-…", accepted as `Authorization: Bearer ${token}`
 * ```
 *
 * @since 0.2.0
 * @category Models
 */
export interface VertexControls {
  /** The default project (the first of `options.vertex.projects`). */
  readonly project: string
  /** A service-account key file for `google-auth-library` (`credentials` / `keyFile` content). */
  readonly serviceAccount: () => ServiceAccountKey
  /** An `authorized_user` ADC file for `google-auth-library`. */
  readonly authorizedUser: () => AuthorizedUser
  /** Issues an access token directly (scope `cloud-platform` unless given), valid for the token lifetime. */
  readonly issueToken: (scopes?: ReadonlyArray<string>) => string
  /** Makes every token issued so far answer 401 `ACCESS_TOKEN_EXPIRED` (static tokens stay valid). */
  readonly expireTokens: () => void
  /** The next `count` token requests answer 400 `invalid_grant` (default 1). */
  readonly failTokenRequests: (count?: number) => void
  /** Access tokens issued so far (token endpoint and `issueToken`). */
  readonly tokensIssued: () => number
  /**
   * A `fetch` that sends Google's token endpoint (`https://oauth2.googleapis.com/token`) to the emulator's and every
   * other URL to the global `fetch`: pass it to `google-auth-library` as
   * `clientOptions: { transporterOptions: { fetchImplementation } }` (the library ignores `token_uri`).
   */
  readonly tokenFetch: typeof fetch
}

/**
 * A running emulator.
 *
 * @since 0.1.0
 * @category Models
 */
export interface Emulator {
  /**
   * Base URLs as the providers' `apiUrl`: `…/api/v1`, `…/v1`, `…/v1beta`; Vertex `…/v1` (the `v1beta1` paths are
   * served too) and its token endpoint `…/token`.
   */
  readonly urls: {
    readonly openrouter: string
    readonly aimlapi: string
    readonly google: string
    readonly vertex: string
    readonly vertexToken: string
  }
  readonly keys: {
    readonly openrouter: string
    readonly aimlapi: string
    readonly google: string
    readonly vertex: string
    readonly vertexToken: string
  }
  /** Vertex AI credentials and token controls. */
  readonly vertex: VertexControls
  /** Received requests in order (API calls, CDN downloads, token requests), optionally of one server. */
  readonly requests: (server?: ServerName) => ReadonlyArray<RecordedRequest>
  /** Appends faults to a server's FIFO queue; each API call consumes one. */
  readonly script: (server: ServerName, ...faults: Array<Fault>) => void
  /** A function of the request, consulted when the queue is empty (`undefined` = a normal answer). */
  readonly scriptWith: (server: ServerName, f: (req: RecordedRequest) => Fault | undefined) => void
  /** Faults of a server's queue not yet consumed. */
  readonly pending: (server: ServerName) => number
  /** Clears queues, functions, the request log and pending token failures (issued tokens stay valid). */
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
  google: "emu-google-key",
  vertex: "emu-vertex-key",
  vertexToken: "emu-vertex-token"
} as const

const SERVERS = ["openrouter", "aimlapi", "google", "vertex"] as const

const portOf = (ports: EmulatorOptions["ports"], name: (typeof SERVERS)[number]): number =>
  ports === undefined ? 0 : typeof ports === "number" ? ports + SERVERS.indexOf(name) : ports[name] ?? 0

/**
 * Starts the four servers (plain async, for code that does not use Effect).
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
    google: options.keys?.google ?? defaultKeys.google,
    vertex: options.keys?.vertex ?? defaultKeys.vertex,
    vertexToken: options.keys?.vertexToken ?? defaultKeys.vertexToken
  }
  let log: Array<RecordedRequest> = []
  const scripts: Record<ServerName, FaultScript> = {
    openrouter: new FaultScript(),
    aimlapi: new FaultScript(),
    google: new FaultScript(),
    vertex: new FaultScript()
  }
  const signatures = new Signatures()
  const projects = options.vertex?.projects ?? ["emu-project"]
  let vertexOrigin = ""
  const tokens = new OAuth.TokenIssuer({
    project: projects[0] ?? "emu-project",
    tokenUrl: () => `${vertexOrigin}/token`,
    staticTokens: [keys.vertexToken],
    lifetimeSeconds: options.vertex?.tokenLifetimeSeconds ?? 3599
  })
  const cdn = new AimlApiServer.CdnStore()
  const record = (request: RecordedRequest) => {
    log.push(request)
  }
  const started: Array<RunningServer> = []
  const launch = async (
    name: ServerName,
    protocol: Parameters<typeof serve>[0]["protocol"],
    accepts: (credential: string | undefined) => boolean
  ): Promise<RunningServer> => {
    const running = await serve({
      host,
      port: portOf(options.ports, name),
      accepts,
      protocol,
      script: scripts[name],
      log: record
    })
    started.push(running)
    return running
  }
  const is = (key: string) => (credential: string | undefined) => credential === key
  try {
    const [openrouter, aimlapi, google, vertex] = await Promise.all([
      launch("openrouter", OpenRouterServer.protocol(options.openrouter ?? {}), is(keys.openrouter)),
      launch("aimlapi", AimlApiServer.protocol(cdn), is(keys.aimlapi)),
      launch("google", GoogleServer.protocol(signatures), is(keys.google)),
      launch(
        "vertex",
        VertexServer.protocol({ signatures, tokens, apiKey: keys.vertex, projects }),
        (credential) =>
          credential === `key:${keys.vertex}` ||
          (credential?.startsWith("bearer:") === true && tokens.check(credential.slice(7)) === "ok")
      )
    ])
    vertexOrigin = vertex.origin
    const tokenUrl = `${vertex.origin}/token`
    const tokenFetch: typeof fetch = (input, init) => {
      const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url
      return url.split("?")[0] === OAuth.GOOGLE_TOKEN_URL ? fetch(tokenUrl, init) : fetch(input, init)
    }
    let stopped: Promise<void> | undefined = undefined
    return {
      urls: {
        openrouter: `${openrouter.origin}/api/v1`,
        aimlapi: `${aimlapi.origin}/v1`,
        google: `${google.origin}/v1beta`,
        vertex: `${vertex.origin}/v1`,
        vertexToken: tokenUrl
      },
      keys,
      vertex: {
        project: projects[0] ?? "emu-project",
        serviceAccount: () => tokens.serviceAccount(),
        authorizedUser: () => tokens.authorizedUser(),
        issueToken: (scopes) => tokens.issue(scopes).access_token,
        expireTokens: () => tokens.expireAll(),
        failTokenRequests: (count = 1) => tokens.failNext(count),
        tokensIssued: () => tokens.issuedCount,
        tokenFetch
      },
      requests: (server) => server === undefined ? [...log] : log.filter((request) => request.server === server),
      script: (server, ...faults) => scripts[server].push(...faults),
      scriptWith: (server, f) => scripts[server].setFunction(f),
      pending: (server) => scripts[server].pending(),
      reset: () => {
        log = []
        for (const script of Object.values(scripts)) script.reset()
        tokens.resetFailures()
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
 * The `export NAME=value` lines that point the nanogen CLI (and the providers' `layerConfig()`) at a running
 * emulator: every backend's URL and key, Vertex's URL, express-mode key, static bearer token, project and location,
 * and `NANOGEN_ALLOW_PRIVATE_NETWORK=1` (the AI/ML answers point at the emulator's loopback CDN).
 *
 * @example
 * ```ts
 * import * as Emulator from "@nanogen/emulator"
 *
 * const emu = await Emulator.start({ ports: 47100 })
 * console.log(Emulator.shellExports(emu).join("\n")) // export OPENROUTER_API_URL=http://127.0.0.1:47100/api/v1 …
 * await emu.stop()
 * ```
 *
 * @since 0.2.0
 * @category Constructors
 */
export const shellExports = (emulator: Emulator): ReadonlyArray<string> => {
  const { keys, urls } = emulator
  return [
    `export OPENROUTER_API_URL=${urls.openrouter}`,
    `export OPENROUTER_API_KEY=${keys.openrouter}`,
    `export AIML_API_URL=${urls.aimlapi}`,
    `export AIML_API_KEY=${keys.aimlapi}`,
    `export GEMINI_API_URL=${urls.google}`,
    `export GEMINI_API_KEY=${keys.google}`,
    `export VERTEX_API_URL=${urls.vertex}`,
    `export VERTEX_API_KEY=${keys.vertex}`,
    `export VERTEX_ACCESS_TOKEN=${keys.vertexToken}`,
    `export GOOGLE_CLOUD_PROJECT=${emulator.vertex.project}`,
    "export GOOGLE_CLOUD_LOCATION=global",
    "export NANOGEN_ALLOW_PRIVATE_NETWORK=1"
  ]
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
