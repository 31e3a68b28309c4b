import { assert, describe, it } from "@effect/vitest"
import { CANARY_KEY } from "@nanogen/test-utils"
import * as Effect from "effect/Effect"
import * as Redacted from "effect/Redacted"
import { mkdtempSync } from "node:fs"
import { tmpdir } from "node:os"
import * as path from "node:path"
import { VertexAuth } from "../src/index.js"
import {
  CLOUD_PLATFORM,
  GOOGLE_TOKEN_URL,
  serviceAccount,
  serviceAccountFile,
  type TokenServer,
  tokenServer
} from "./tokenServer.js"

const viaServer = (server: TokenServer) => ({
  clientOptions: { transporterOptions: { fetchImplementation: server.fetch } }
})

const bearer = (auth: VertexAuth.VertexAuth) =>
  Effect.map(auth.credential.value, (value) => ({ name: auth.credential.header, value: Redacted.value(value) }))

/** Runs `f` with environment variables set (or removed), restoring them afterwards. */
const withEnv = <A, E, R>(vars: Record<string, string | undefined>, effect: Effect.Effect<A, E, R>) =>
  Effect.acquireUseRelease(
    Effect.sync(() => {
      const saved = Object.fromEntries(Object.keys(vars).map((name) => [name, process.env[name]]))
      for (const [name, value] of Object.entries(vars)) {
        if (value === undefined) delete process.env[name]
        else process.env[name] = value
      }
      return saved
    }),
    () => effect,
    (saved) =>
      Effect.sync(() => {
        for (const [name, value] of Object.entries(saved)) {
          if (value === undefined) delete process.env[name]
          else process.env[name] = value
        }
      })
  )

describe("VertexAuth", () => {
  it.effect("express mode: the key goes as x-goog-api-key, Redacted, with no project", () =>
    Effect.gen(function*() {
      const auth = VertexAuth.make("vertex", { apiKey: Redacted.make(CANARY_KEY) })
      assert.strictEqual(auth.mode, "express")
      const value = yield* auth.credential.value
      assert.strictEqual(auth.credential.header, "x-goog-api-key")
      assert.isTrue(Redacted.isRedacted(value))
      assert.notInclude(String(value), CANARY_KEY)
      assert.strictEqual(Redacted.value(value), CANARY_KEY)
      assert.strictEqual(yield* auth.projectId, undefined)
    }))

  it.live("service-account JSON file: a signed jwt-bearer grant with the cloud-platform scope, token cached", () =>
    Effect.gen(function*() {
      const server = yield* tokenServer
      const auth = VertexAuth.make("vertex", {
        keyFilename: serviceAccountFile(),
        googleAuthOptions: viaServer(server)
      })
      assert.strictEqual(auth.mode, "oauth")
      const first = yield* bearer(auth)
      const second = yield* bearer(auth)
      assert.deepStrictEqual(first, { name: "authorization", value: `Bearer ${server.issued[0]}` })
      assert.deepStrictEqual(second, first)
      assert.strictEqual(server.requests.length, 1)
      const [request] = server.requests
      assert.strictEqual(request.grantType, "urn:ietf:params:oauth:grant-type:jwt-bearer")
      assert.isTrue(request.signatureOk)
      assert.strictEqual(request.claims?.iss, serviceAccount.client_email)
      assert.strictEqual(request.claims?.aud, GOOGLE_TOKEN_URL)
      assert.strictEqual(request.claims?.scope, CLOUD_PLATFORM)
      assert.strictEqual(yield* auth.projectId, "sa-project")
    }).pipe(Effect.scoped))

  it.live("parsed credentials: extra scopes are kept beside cloud-platform", () =>
    Effect.gen(function*() {
      const server = yield* tokenServer
      const auth = VertexAuth.make("vertex", {
        credentials: serviceAccount,
        googleAuthOptions: { ...viaServer(server), scopes: ["https://www.googleapis.com/auth/userinfo.email"] }
      })
      const header = yield* bearer(auth)
      assert.strictEqual(header.value, `Bearer ${server.issued[0]}`)
      assert.strictEqual(
        server.requests[0].claims?.scope,
        `${CLOUD_PLATFORM} https://www.googleapis.com/auth/userinfo.email`
      )
    }).pipe(Effect.scoped))

  it.live("a token close to expiry is refreshed before the next call", () =>
    Effect.gen(function*() {
      const server = yield* tokenServer
      // google-auth-library refreshes tokens that expire within five minutes: a 60-second token is refreshed.
      server.expiresIn = 60
      const auth = VertexAuth.make("vertex", { credentials: serviceAccount, googleAuthOptions: viaServer(server) })
      const first = yield* bearer(auth)
      server.expiresIn = 3600
      const second = yield* bearer(auth)
      const third = yield* bearer(auth)
      assert.strictEqual(server.requests.length, 2)
      assert.strictEqual(first.value, `Bearer ${server.issued[0]}`)
      assert.strictEqual(second.value, `Bearer ${server.issued[1]}`)
      assert.deepStrictEqual(third, second)
    }).pipe(Effect.scoped))

  it.live("refresh: the next header carries a new token", () =>
    Effect.gen(function*() {
      const server = yield* tokenServer
      const auth = VertexAuth.make("vertex", { credentials: serviceAccount, googleAuthOptions: viaServer(server) })
      const first = yield* bearer(auth)
      yield* auth.credential.refresh!
      const second = yield* bearer(auth)
      assert.strictEqual(server.requests.length, 2)
      assert.strictEqual(first.value, `Bearer ${server.issued[0]}`)
      assert.strictEqual(second.value, `Bearer ${server.issued[1]}`)
    }).pipe(Effect.scoped))

  it.live("Application Default Credentials: GOOGLE_APPLICATION_CREDENTIALS is read by the library", () =>
    Effect.gen(function*() {
      const server = yield* tokenServer
      const auth = VertexAuth.make("vertex", { googleAuthOptions: viaServer(server) })
      const header = yield* withEnv({ GOOGLE_APPLICATION_CREDENTIALS: serviceAccountFile() }, bearer(auth))
      assert.strictEqual(header.value, `Bearer ${server.issued[0]}`)
    }).pipe(Effect.scoped))

  it.live("a refused grant is AuthenticationFailed naming what to set, without the key or the assertion", () =>
    Effect.gen(function*() {
      const server = yield* tokenServer
      server.failWith = { status: 400, body: { error: "invalid_grant", error_description: "Invalid JWT Signature." } }
      const auth = VertexAuth.make("vertex", { credentials: serviceAccount, googleAuthOptions: viaServer(server) })
      const error = yield* Effect.flip(auth.credential.value)
      assert.strictEqual(error._tag, "AuthenticationFailed")
      assert.strictEqual(error.provider, "vertex")
      assert.include(error.message, "could not obtain an OAuth2 access token")
      assert.include(error.message, "invalid_grant")
      assert.include(error.message, "GOOGLE_APPLICATION_CREDENTIALS")
      assert.include(error.message, "VERTEX_API_KEY")
      const text = JSON.stringify(error) + String(error) + error.message
      assert.notInclude(text, "PRIVATE KEY")
      assert.notInclude(text, serviceAccount.private_key.split("\n")[1])
      assert.notInclude(text, "eyJ")
    }).pipe(Effect.scoped))

  it.live("no credentials anywhere is AuthenticationFailed naming what to set", () =>
    Effect.gen(function*() {
      const auth = VertexAuth.make("vertex", {})
      const error = yield* withEnv(
        {
          GOOGLE_APPLICATION_CREDENTIALS: undefined,
          CLOUDSDK_CONFIG: mkdtempSync(path.join(tmpdir(), "nanogen-gcloud-")),
          METADATA_SERVER_DETECTION: "none"
        },
        Effect.flip(auth.credential.value)
      )
      assert.strictEqual(error._tag, "AuthenticationFailed")
      assert.include(error.message, "no usable Google Cloud credentials")
      assert.include(error.message, "GOOGLE_APPLICATION_CREDENTIALS")
      assert.include(error.message, "VERTEX_API_KEY")
    }))

  it.live("a missing key file is AuthenticationFailed", () =>
    Effect.gen(function*() {
      const auth = VertexAuth.make("vertex", { keyFilename: path.join(tmpdir(), "nanogen-no-such-file.json") })
      const error = yield* Effect.flip(auth.credential.value)
      assert.strictEqual(error._tag, "AuthenticationFailed")
      assert.include(error.message, "nanogen-no-such-file.json")
      assert.include(error.message, "GOOGLE_APPLICATION_CREDENTIALS")
    }))
})
