/**
 * The Vertex AI protocol (PROVIDERS.md §8): `POST /{v1|v1beta1}/projects/{project}/locations/{location}/publishers/
 * google/models/{model}:generateContent` and `:streamGenerateContent` (`?alt=sse`), the express-mode form
 * `/{v1|v1beta1}/publishers/google/models/{model}:…`, OAuth bearer tokens from the emulator's own token endpoint
 * (`POST /token`) or an express-mode API key, Vertex's error bodies and per-location model availability. The
 * request/answer codec is the Gemini API's.
 *
 * @since 0.2.0
 */
import * as Catalog from "./Catalog.js"
import * as GoogleServer from "./GoogleServer.js"
import type { TokenIssuer } from "./internal/oauth.js"
import type { Answer, Incoming, Protocol } from "./internal/server.js"
import type { Signatures } from "./internal/signatures.js"

const PROJECT_ROUTE =
  /^\/(v1|v1beta1)\/projects\/([^/]+)\/locations\/([^/]+)\/publishers\/google\/models\/([^/:]+):(generateContent|streamGenerateContent)$/
const EXPRESS_ROUTE = /^\/(v1|v1beta1)\/publishers\/google\/models\/([^/:]+):(generateContent|streamGenerateContent)$/

const TYPE = GoogleServer.rpcType

/** Google's front-end page for a path it does not route (an unknown location): HTML, not JSON. */
const frontEnd404 = (path: string): Answer => ({
  status: 404,
  headers: { "content-type": "text/html; charset=UTF-8" },
  body: Buffer.from(
    "<!DOCTYPE html>\n<html lang=en>\n  <meta charset=utf-8>\n" +
      "  <meta name=viewport content=\"initial-scale=1, minimum-scale=1, width=device-width\">\n" +
      "  <title>Error 404 (Not Found)!!1</title>\n" +
      "  <a href=//www.google.com/><span id=logo aria-label=Google></span></a>\n" +
      "  <p><b>404.</b> <ins>That’s an error.</ins>\n" +
      `  <p>The requested URL <code>${path}</code> was not found on this server.  <ins>That’s all we know.</ins>\n`
  )
})

const unauthenticated = (message: string, reason: string): Answer =>
  GoogleServer.googleError(401, message, "UNAUTHENTICATED", [{
    "@type": `${TYPE}ErrorInfo`,
    reason,
    domain: "googleapis.com",
    metadata: {
      method: "google.cloud.aiplatform.v1.PredictionService.GenerateContent",
      service: "aiplatform.googleapis.com"
    }
  }])

const CREDENTIALS_HELP =
  "Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."

/** Checks the request's credential; `undefined` when it is accepted. */
const authenticate = (incoming: Incoming, tokens: TokenIssuer, apiKey: string): Answer | undefined => {
  const credential = incoming.credential
  if (credential === undefined) {
    return unauthenticated(
      `Request is missing required authentication credential. ${CREDENTIALS_HELP}`,
      "CREDENTIALS_MISSING"
    )
  }
  if (credential.startsWith("key:")) {
    if (credential.slice(4) === apiKey) return undefined
    return GoogleServer.googleError(400, "API key not valid. Please pass a valid API key.", "INVALID_ARGUMENT", [{
      "@type": `${TYPE}ErrorInfo`,
      reason: "API_KEY_INVALID",
      domain: "googleapis.com",
      metadata: { service: "aiplatform.googleapis.com" }
    }])
  }
  const check = tokens.check(credential.slice(7))
  switch (check) {
    case "ok":
      return undefined
    case "expired":
      return unauthenticated(
        `Request had invalid authentication credentials. ${CREDENTIALS_HELP}`,
        "ACCESS_TOKEN_EXPIRED"
      )
    case "unknown":
      return unauthenticated(
        `Request had invalid authentication credentials. ${CREDENTIALS_HELP}`,
        "ACCESS_TOKEN_TYPE_UNSUPPORTED"
      )
    case "insufficient-scope":
      return GoogleServer.googleError(403, "Request had insufficient authentication scopes.", "PERMISSION_DENIED", [{
        "@type": `${TYPE}ErrorInfo`,
        reason: "ACCESS_TOKEN_SCOPE_INSUFFICIENT",
        domain: "googleapis.com",
        metadata: {
          method: "google.cloud.aiplatform.v1.PredictionService.GenerateContent",
          service: "aiplatform.googleapis.com"
        }
      }])
  }
}

const publisherNotFound = (resource: string): Answer =>
  GoogleServer.googleError(
    404,
    `Publisher Model \`${resource}\` was not found or your project does not have access to it. Please ensure you are using a valid model version. For more information, see: https://cloud.google.com/vertex-ai/generative-ai/docs/learn/model-versions`,
    "NOT_FOUND"
  )

/**
 * What the Vertex server needs besides the shared plumbing.
 *
 * @since 0.2.0
 * @category Models
 * @internal
 */
export interface VertexOptions {
  readonly signatures: Signatures
  readonly tokens: TokenIssuer
  readonly apiKey: string
  readonly projects: ReadonlyArray<string>
}

/**
 * The Vertex AI protocol for the emulator's HTTP runtime.
 *
 * @since 0.2.0
 * @category Constructors
 * @internal
 */
export const protocol = (options: VertexOptions): Protocol => ({
  name: "vertex",
  credential: (request, url) => {
    const authorization = request.headers["authorization"]
    if (typeof authorization === "string" && /^Bearer /i.test(authorization)) return `bearer:${authorization.slice(7)}`
    const header = request.headers["x-goog-api-key"]
    if (typeof header === "string") return `key:${header}`
    const key = url.searchParams.get("key")
    return key === null ? undefined : `key:${key}`
  },
  isApiCall: (method, path) => method === "POST" && (PROJECT_ROUTE.test(path) || EXPRESS_ROUTE.test(path)),
  other: async (incoming) => {
    const { method, path } = incoming.recorded
    if (method === "POST" && path === "/token") {
      return options.tokens.endpoint(incoming.rawBody, incoming.recorded.headers["content-type"])
    }
    return frontEnd404(path)
  },
  answer: async (incoming, fault) => {
    const path = incoming.recorded.path
    const project = PROJECT_ROUTE.exec(path)
    const express = project === null ? EXPRESS_ROUTE.exec(path) : null
    const [apiVersion, projectId, location, modelId, method] = project !== null
      ? [project[1]!, decodeURIComponent(project[2]!), decodeURIComponent(project[3]!), project[4]!, project[5]!]
      : [express![1]!, undefined, "global", express![2]!, express![3]!]
    if (!Catalog.vertexLocations.includes(location)) return frontEnd404(path)
    const denied = authenticate(incoming, options.tokens, options.apiKey)
    if (denied !== undefined) return denied
    const id = decodeURIComponent(modelId)
    const resource = projectId === undefined
      ? `publishers/google/models/${id}`
      : `projects/${projectId}/locations/${location}/publishers/google/models/${id}`
    if (projectId !== undefined && !options.projects.includes(projectId)) {
      return GoogleServer.googleError(
        403,
        `Permission 'aiplatform.endpoints.predict' denied on resource '//aiplatform.googleapis.com/${resource}' (or it may not exist).`,
        "PERMISSION_DENIED",
        [{
          "@type": `${TYPE}ErrorInfo`,
          reason: "IAM_PERMISSION_DENIED",
          domain: "aiplatform.googleapis.com",
          metadata: { permission: "aiplatform.endpoints.predict", resource }
        }]
      )
    }
    const model = Catalog.vertexModels.get(id)
    if (model === undefined || !model.locations.includes(location)) return publisherNotFound(resource)
    return GoogleServer.answer(incoming, {
      flavour: "vertex",
      model,
      apiVersion,
      method,
      signatures: options.signatures
    }, fault)
  },
  error: (_incoming, fault) => GoogleServer.scriptedError(fault, "vertex"),
  http200Error: (_incoming, fault) => GoogleServer.http200(fault)
})
