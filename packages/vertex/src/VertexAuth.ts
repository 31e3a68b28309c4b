/**
 * `VertexAuth`: the credential of Vertex AI calls — an OAuth2 access token from Application Default Credentials or
 * a service-account JSON (through `google-auth-library`, which caches the token and refreshes it before it
 * expires), or a Vertex express-mode API key. The token or key is kept `Redacted` up to the request header.
 *
 * @since 0.2.0
 */
import { ImageGenerationError } from "@nanogen/core"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { GoogleAuth, type GoogleAuthOptions, type JWTInput } from "google-auth-library"

/**
 * The OAuth2 scope Vertex AI requires.
 *
 * @example
 * ```ts
 * import { VertexAuth } from "@nanogen/vertex"
 * VertexAuth.scope // "https://www.googleapis.com/auth/cloud-platform"
 * ```
 * @since 0.2.0
 * @category Models
 */
export const scope = "https://www.googleapis.com/auth/cloud-platform"

/**
 * Where the credential comes from. An `apiKey` selects express mode; otherwise an OAuth2 token is obtained from
 * `credentials` (a parsed service-account JSON), else `keyFilename`, else Application Default Credentials
 * (`GOOGLE_APPLICATION_CREDENTIALS`, `gcloud auth application-default login`, the metadata server).
 *
 * @example
 * ```ts
 * import type { VertexAuth } from "@nanogen/vertex"
 * const fromFile: VertexAuth.Options = { keyFilename: "/secrets/vertex-sa.json" }
 * ```
 * @since 0.2.0
 * @category Models
 */
export interface Options {
  /** A Vertex express-mode API key, sent as `x-goog-api-key`. */
  readonly apiKey?: Redacted.Redacted | undefined
  /** Path of a service-account (or other credential) JSON file. */
  readonly keyFilename?: string | undefined
  /** A parsed service-account JSON. */
  readonly credentials?: JWTInput | undefined
  /** Further `google-auth-library` options (impersonation, a transporter, …); the scope is always added. */
  readonly googleAuthOptions?: GoogleAuthOptions | undefined
}

/**
 * A credential header for one call.
 *
 * @since 0.2.0
 * @category Models
 */
export interface Header {
  readonly name: "authorization" | "x-goog-api-key"
  readonly value: Redacted.Redacted
}

/**
 * The credential of a provider: how it authenticates, the header of the next call, the project its
 * service-account JSON names (if any), and `refresh`, which makes the next `header` fetch a new token (after a 401).
 *
 * @since 0.2.0
 * @category Models
 */
export interface VertexAuth {
  readonly mode: "oauth" | "express"
  readonly header: Effect.Effect<Header, ImageGenerationError.AuthenticationFailed>
  readonly projectId: Effect.Effect<string | undefined, ImageGenerationError.AuthenticationFailed>
  readonly refresh: Effect.Effect<void>
}

/** What to set, for messages. */
const whatToSet = "set GOOGLE_APPLICATION_CREDENTIALS to a service-account JSON file (or run " +
  "`gcloud auth application-default login`), or VERTEX_API_KEY for express mode"

const reason = (error: unknown): string => {
  const text = error instanceof Error ? error.message : String(error)
  const line = text.split("\n")[0].trim()
  return line.length > 200 ? `${line.slice(0, 200)}…` : line
}

/**
 * Builds the credential. Nothing is read or fetched until the first call.
 *
 * @example
 * ```ts
 * import { Effect, Redacted } from "effect"
 * import { VertexAuth } from "@nanogen/vertex"
 *
 * const express = VertexAuth.make("vertex", { apiKey: Redacted.make("AQ.…") })
 * const oauth = VertexAuth.make("vertex", { keyFilename: "/secrets/vertex-sa.json" })
 * const header = Effect.map(oauth.header, (header) => header.name) // "authorization"
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const make = (provider: string, options: Options): VertexAuth => {
  const apiKey = options.apiKey
  if (apiKey !== undefined) {
    return {
      mode: "express",
      header: Effect.succeed({ name: "x-goog-api-key", value: apiKey }),
      projectId: Effect.succeed(undefined),
      refresh: Effect.void
    }
  }
  const given = options.googleAuthOptions ?? {}
  const scopes = [scope, ...[given.scopes ?? []].flat().filter((extra) => extra !== scope)]
  const auth = new GoogleAuth({
    ...given,
    scopes,
    ...(options.credentials === undefined ? {} : { credentials: options.credentials }),
    ...(options.keyFilename === undefined ? {} : { keyFilename: options.keyFilename })
  })
  const failed = (what: string) => (error: unknown) =>
    new ImageGenerationError.AuthenticationFailed({
      provider,
      message: `${provider}: ${what} (${reason(error)}): ${whatToSet}`
    })
  const client = Effect.tryPromise({
    try: () => auth.getClient(),
    catch: failed("no usable Google Cloud credentials")
  })
  const header = Effect.flatMap(client, (authClient) =>
    Effect.tryPromise({
      try: () => authClient.getAccessToken(),
      catch: failed("could not obtain an OAuth2 access token")
    })).pipe(
      Effect.filterOrFail(
        (answer): answer is { token: string } => typeof answer.token === "string" && answer.token !== "",
        () => failed("could not obtain an OAuth2 access token")("the credentials returned no token")
      ),
      Effect.map((answer): Header => ({ name: "authorization", value: Redacted.make(`Bearer ${answer.token}`) }))
    )
  const projectId = Effect.map(client, (authClient) => authClient.projectId ?? undefined)
  // The library refreshes a token that expires soon: marking the cached one as expired forces a new one.
  const refresh = Effect.ignore(Effect.map(client, (authClient) => {
    authClient.credentials = { ...authClient.credentials, expiry_date: 1 }
  }))
  return { mode: "oauth", header, projectId, refresh }
}
