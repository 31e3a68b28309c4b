/**
 * A fake Google OAuth 2.0 token endpoint for the Vertex AI server: it accepts the JWT-bearer grant a
 * service-account key produces (`google-auth-library`'s `JWT` client, RS256-signed with the key the emulator made)
 * and the refresh-token grant of an ADC `authorized_user` file, and issues access tokens the Vertex server checks.
 *
 * @internal
 */
import { generateKeyPairSync, type KeyObject, randomBytes, verify } from "node:crypto"
import { isRecord } from "./references.js"
import type { Answer } from "./server.js"
import { json } from "./server.js"

/** The scope Vertex AI requires. @internal */
export const CLOUD_PLATFORM = "https://www.googleapis.com/auth/cloud-platform"

/** The token endpoint `google-auth-library` posts to. @internal */
export const GOOGLE_TOKEN_URL = "https://oauth2.googleapis.com/token"

/** A service-account key file as Google issues it. @internal */
export interface ServiceAccountKey {
  readonly type: "service_account"
  readonly project_id: string
  readonly private_key_id: string
  readonly private_key: string
  readonly client_email: string
  readonly client_id: string
  readonly auth_uri: string
  readonly token_uri: string
  readonly universe_domain: "googleapis.com"
}

/** An ADC `authorized_user` file (`gcloud auth application-default login`). @internal */
export interface AuthorizedUser {
  readonly type: "authorized_user"
  readonly client_id: string
  readonly client_secret: string
  readonly refresh_token: string
  readonly quota_project_id: string
}

/** What a bearer token is worth. @internal */
export type TokenCheck = "ok" | "expired" | "unknown" | "insufficient-scope"

interface Issued {
  readonly expiresAt: number
  readonly scopes: ReadonlyArray<string>
}

const b64url = (text: string): Buffer => Buffer.from(text, "base64url")

const grantError = (status: number, error: string, description: string): Answer =>
  json(status, { error, error_description: description })

/** @internal */
export interface TokenIssuerOptions {
  readonly project: string
  readonly tokenUrl: () => string
  readonly staticTokens: ReadonlyArray<string>
  readonly lifetimeSeconds: number
}

/** @internal */
export class TokenIssuer {
  private readonly tokens = new Map<string, Issued>()
  private keys: { readonly privatePem: string; readonly publicKey: KeyObject } | undefined = undefined
  private failures = 0
  private readonly keyId = randomBytes(20).toString("hex")
  private readonly clientId = `1${randomBytes(10).toString("hex").replace(/[a-f]/g, "7")}`
  private readonly userSecret = `GOCSPX-emu-${randomBytes(12).toString("hex")}`
  private readonly refreshToken = `1//emu-refresh-${randomBytes(24).toString("hex")}`
  /** Access tokens issued by the token endpoint or `issue`. */
  issuedCount = 0

  constructor(private readonly options: TokenIssuerOptions) {}

  private keyPair() {
    if (this.keys === undefined) {
      const { privateKey, publicKey } = generateKeyPairSync("rsa", { modulusLength: 2048 })
      this.keys = { privatePem: privateKey.export({ type: "pkcs8", format: "pem" }).toString(), publicKey }
    }
    return this.keys
  }

  get clientEmail(): string {
    return `nanogen-emulator@${this.options.project}.iam.gserviceaccount.com`
  }

  serviceAccount(): ServiceAccountKey {
    return {
      type: "service_account",
      project_id: this.options.project,
      private_key_id: this.keyId,
      private_key: this.keyPair().privatePem,
      client_email: this.clientEmail,
      client_id: this.clientId,
      auth_uri: "https://accounts.google.com/o/oauth2/auth",
      token_uri: this.options.tokenUrl(),
      universe_domain: "googleapis.com"
    }
  }

  authorizedUser(): AuthorizedUser {
    return {
      type: "authorized_user",
      client_id: `${this.clientId}-emu.apps.googleusercontent.com`,
      client_secret: this.userSecret,
      refresh_token: this.refreshToken,
      quota_project_id: this.options.project
    }
  }

  /** Issues an access token directly (as if the token endpoint had been called). */
  issue(scopes: ReadonlyArray<string> = [CLOUD_PLATFORM]): { access_token: string; expires_in: number } {
    const token = `ya29.emu-${randomBytes(32).toString("base64url")}`
    this.tokens.set(token, { expiresAt: Date.now() + this.options.lifetimeSeconds * 1000, scopes })
    this.issuedCount++
    return { access_token: token, expires_in: this.options.lifetimeSeconds }
  }

  check(token: string): TokenCheck {
    if (this.options.staticTokens.includes(token)) return "ok"
    const issued = this.tokens.get(token)
    if (issued === undefined) return "unknown"
    if (issued.expiresAt <= Date.now()) return "expired"
    return issued.scopes.includes(CLOUD_PLATFORM) ? "ok" : "insufficient-scope"
  }

  /** Every token issued so far answers as expired. */
  expireAll(): void {
    for (const [token, issued] of this.tokens) this.tokens.set(token, { ...issued, expiresAt: 0 })
  }

  /** The next `count` token requests fail with `invalid_grant`. */
  failNext(count: number): void {
    this.failures += count
  }

  /** Forgets pending `failNext` failures (issued tokens stay valid: clients cache them). */
  resetFailures(): void {
    this.failures = 0
  }

  /** `POST /token`. */
  endpoint(rawBody: Buffer, contentType: string | undefined): Answer {
    let params: Record<string, string> = {}
    const text = rawBody.toString("utf8")
    if (contentType?.includes("application/json") === true) {
      try {
        const parsed: unknown = JSON.parse(text)
        if (isRecord(parsed)) {
          params = Object.fromEntries(Object.entries(parsed).map(([k, v]) => [k, String(v)]))
        }
      } catch {
        return grantError(400, "invalid_request", "Invalid JSON payload.")
      }
    } else params = Object.fromEntries(new URLSearchParams(text))
    if (this.failures > 0) {
      this.failures--
      return grantError(400, "invalid_grant", "Invalid JWT Signature.")
    }
    const grant = params["grant_type"]
    if (grant === "urn:ietf:params:oauth:grant-type:jwt-bearer") return this.jwtBearer(params["assertion"])
    if (grant === "refresh_token") return this.refresh(params)
    if (grant === undefined) return grantError(400, "invalid_request", "Missing required parameter: grant_type")
    return grantError(400, "unsupported_grant_type", `Invalid grant_type: ${grant}`)
  }

  private success(scopes: ReadonlyArray<string>, withScope: boolean): Answer {
    const { access_token, expires_in } = this.issue(scopes)
    return json(200, {
      access_token,
      expires_in,
      ...(withScope ? { scope: scopes.join(" ") } : {}),
      token_type: "Bearer"
    }, { "cache-control": "no-cache, no-store, max-age=0, must-revalidate", pragma: "no-cache" })
  }

  private jwtBearer(assertion: string | undefined): Answer {
    const parts = assertion?.split(".") ?? []
    if (assertion === undefined || parts.length !== 3) {
      return grantError(400, "invalid_grant", "Invalid JWT: the assertion is not a signed JWT.")
    }
    const [header64, payload64, signature64] = parts as [string, string, string]
    let header: unknown
    let payload: unknown
    try {
      header = JSON.parse(b64url(header64).toString("utf8"))
      payload = JSON.parse(b64url(payload64).toString("utf8"))
    } catch {
      return grantError(400, "invalid_grant", "Invalid JWT: the assertion is not a signed JWT.")
    }
    if (!isRecord(header) || !isRecord(payload) || header.alg !== "RS256") {
      return grantError(400, "invalid_grant", "Invalid JWT Signature.")
    }
    const valid = payload.iss === this.clientEmail && this.keys !== undefined &&
      verify("RSA-SHA256", Buffer.from(`${header64}.${payload64}`), this.keys.publicKey, b64url(signature64))
    if (!valid) return grantError(400, "invalid_grant", "Invalid JWT Signature.")
    const now = Date.now() / 1000
    const exp = typeof payload.exp === "number" ? payload.exp : 0
    const iat = typeof payload.iat === "number" ? payload.iat : 0
    if (exp <= now || exp - iat > 3600 || iat > now + 300) {
      return grantError(
        400,
        "invalid_grant",
        "Invalid JWT: Token must be a short-lived token (60 minutes) and in a reasonable timeframe. Check your iat and exp values in the JWT claim."
      )
    }
    if (typeof payload.scope !== "string" || payload.scope.trim() === "") {
      return grantError(400, "invalid_scope", "Invalid OAuth scope or ID token audience provided.")
    }
    return this.success(payload.scope.split(/\s+/), false)
  }

  private refresh(params: Record<string, string>): Answer {
    const user = this.authorizedUser()
    if (params["client_id"] !== user.client_id || params["client_secret"] !== user.client_secret) {
      return grantError(401, "invalid_client", "The OAuth client was not found.")
    }
    if (params["refresh_token"] !== user.refresh_token) {
      return grantError(400, "invalid_grant", "Token has been expired or revoked.")
    }
    return this.success([CLOUD_PLATFORM, "openid", "https://www.googleapis.com/auth/userinfo.email"], true)
  }
}
