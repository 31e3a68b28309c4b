/**
 * A loopback OAuth2 token endpoint for google-auth-library's service-account flow: it checks the RS256 assertion
 * against the test key pair and issues numbered canary tokens.
 */
import * as Effect from "effect/Effect"
import { createVerify, generateKeyPairSync } from "node:crypto"
import { mkdtempSync, writeFileSync } from "node:fs"
import * as http from "node:http"
import type { AddressInfo } from "node:net"
import { tmpdir } from "node:os"
import * as path from "node:path"

export const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"
export const CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"

const keys = generateKeyPairSync("rsa", {
  modulusLength: 2048,
  publicKeyEncoding: { type: "spki", format: "pem" },
  privateKeyEncoding: { type: "pkcs8", format: "pem" }
})

/** A service-account JSON signed with the test key. */
export const serviceAccount = {
  type: "service_account",
  project_id: "sa-project",
  private_key_id: "test-key-1",
  private_key: keys.privateKey,
  client_email: "nanogen-test@sa-project.iam.gserviceaccount.com",
  client_id: "1234567890",
  token_uri: GOOGLE_TOKEN_URL
}

/** The service-account JSON written to a temporary file; its path. */
export const serviceAccountFile = (json: object = serviceAccount): string => {
  const file = path.join(mkdtempSync(path.join(tmpdir(), "nanogen-vertex-")), "sa.json")
  writeFileSync(file, JSON.stringify(json))
  return file
}

/** One token request as the server saw it. */
export interface TokenRequest {
  readonly grantType: string | null
  readonly claims: Record<string, unknown> | undefined
  readonly signatureOk: boolean
}

export interface TokenServer {
  readonly url: string
  readonly requests: Array<TokenRequest>
  /** The tokens issued so far, in order. */
  readonly issued: Array<string>
  /** `expires_in` of the next answers (seconds). */
  expiresIn: number
  /** When set, the next answers are this error (status, body). */
  failWith: { readonly status: number; readonly body: unknown } | undefined
  /** A `fetch` for gaxios that sends Google's token URL here. */
  readonly fetch: typeof globalThis.fetch
}

const decodeSegment = (segment: string): unknown => JSON.parse(Buffer.from(segment, "base64url").toString("utf8"))

const verify = (assertion: string): TokenRequest["claims"] & {} | undefined => {
  const [header, payload, signature] = assertion.split(".")
  if (header === undefined || payload === undefined || signature === undefined) return undefined
  const verifier = createVerify("RSA-SHA256")
  verifier.update(`${header}.${payload}`)
  return verifier.verify(keys.publicKey, Buffer.from(signature, "base64url"))
    ? decodeSegment(payload) as Record<string, unknown>
    : undefined
}

/** Starts the server for the scope of the test. */
export const tokenServer = Effect.acquireRelease(
  Effect.async<TokenServer>((resume) => {
    const state = {
      url: "",
      requests: [] as Array<TokenRequest>,
      issued: [] as Array<string>,
      expiresIn: 3600,
      failWith: undefined as TokenServer["failWith"],
      fetch: ((input: string | URL | Request, init?: RequestInit) => {
        const url = String(input instanceof Request ? input.url : input)
        return globalThis.fetch(url === GOOGLE_TOKEN_URL ? state.url : url, init)
      }) as typeof globalThis.fetch,
      server: undefined as http.Server | undefined
    }
    const server = http.createServer((req, res) => {
      let body = ""
      req.on("data", (chunk) => body += chunk)
      req.on("end", () => {
        const form = new URLSearchParams(body)
        const assertion = form.get("assertion") ?? ""
        const claims = verify(assertion)
        state.requests.push({
          grantType: form.get("grant_type"),
          claims: claims ?? (assertion.includes(".") ? decodeSegment(assertion.split(".")[1]!) as never : undefined),
          signatureOk: claims !== undefined
        })
        const reply = (status: number, json: unknown) => {
          res.writeHead(status, { "content-type": "application/json" })
          res.end(JSON.stringify(json))
        }
        if (state.failWith !== undefined) return reply(state.failWith.status, state.failWith.body)
        if (claims === undefined) {
          return reply(400, { error: "invalid_grant", error_description: "Invalid JWT Signature." })
        }
        const token = `ya29.canary-token-${state.issued.length + 1}-DO-NOT-LEAK`
        state.issued.push(token)
        reply(200, { access_token: token, expires_in: state.expiresIn, token_type: "Bearer" })
      })
    })
    server.listen(0, "127.0.0.1", () => {
      state.url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/token`
      state.server = server
      resume(Effect.succeed(state))
    })
  }),
  (state) =>
    Effect.async<void>((resume) => {
      ;(state as { server?: http.Server }).server!.close(() => resume(Effect.void))
    })
)
