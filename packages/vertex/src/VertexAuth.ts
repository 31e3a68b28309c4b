/**
 * `VertexAuth`: the credential of Vertex AI calls — an OAuth2 access token from Application Default Credentials or
 * a service-account JSON (through `google-auth-library`, which caches the token and refreshes it before it
 * expires), or a Vertex express-mode API key. The token or key is kept `Redacted` up to the request header.
 *
 * @since 0.2.0
 */
import { ImageGenerationError, ImageProvider, type ProviderClient } from "@nanogen/core"
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
 * The credential of a provider: how it authenticates, the credential of each request (`x-goog-api-key`, or an
 * `authorization` bearer token that `refresh` renews after a 401), and the project its service-account JSON names.
 *
 * @since 0.2.0
 * @category Models
 */
export interface VertexAuth {
  readonly mode: "oauth" | "express"
  readonly credential: ProviderClient.Credential
  readonly projectId: Effect.Effect<string | undefined, ImageGenerationError.AuthenticationFailed>
}

/** What to set, for messages. */
const whatToSet = "set GOOGLE_APPLICATION_CREDENTIALS to a service-account JSON file (or run " +
  "`gcloud auth application-default login`), or VERTEX_API_KEY for express mode"

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
 * oauth.credential.header // "authorization"
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const make = (provider: string, options: Options): VertexAuth => {
  const apiKey = options.apiKey
  if (apiKey !== undefined) {
    const credential = { header: "x-goog-api-key", value: Effect.succeed(apiKey) }
    return { mode: "express", credential, projectId: Effect.succeed(undefined) }
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
      message: `${provider}: ${what} (${ImageProvider.describeDefect(error).split("\n")[0]}): ${whatToSet}`
    })
  const client = Effect.tryPromise({
    try: () => auth.getClient(),
    catch: failed("no usable Google Cloud credentials")
  })
  const value = Effect.flatMap(client, (authClient) =>
    Effect.tryPromise({
      try: () => authClient.getAccessToken(),
      catch: failed("could not obtain an OAuth2 access token")
    })).pipe(
      Effect.filterOrFail(
        (answer): answer is { token: string } => typeof answer.token === "string" && answer.token !== "",
        () => failed("could not obtain an OAuth2 access token")("the credentials returned no token")
      ),
      Effect.map((answer) => Redacted.make(`Bearer ${answer.token}`))
    )
  const projectId = Effect.map(client, (authClient) => authClient.projectId ?? undefined)
  // The library refreshes a token that expires soon: marking the cached one as expired forces a new one.
  const refresh = Effect.ignore(Effect.map(client, (authClient) => {
    authClient.credentials = { ...authClient.credentials, expiry_date: 1 }
  }))
  return { mode: "oauth", credential: { header: "authorization", value, refresh }, projectId }
}
