import { assert, layer } from "@effect/vitest"
import { fixtureJson } from "@nanogen/test-utils"
import * as Effect from "effect/Effect"
import { GoogleAuth, OAuth2Client } from "google-auth-library"
import { generateKeyPairSync, sign } from "node:crypto"
import * as Emulator from "../src/index.js"
import { meta, post } from "./helpers.js"

const CLOUD = "https://www.googleapis.com/auth/cloud-platform"

const body = (text: string, generationConfig: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) => ({
  contents: [{ role: "user", parts: [{ text }] }],
  generationConfig,
  ...extra
})

const modelPath = (emu: Emulator.Emulator, model: string, location = "global", project = emu.vertex.project) =>
  `${emu.urls.vertex}/projects/${project}/locations/${location}/publishers/google/models/${model}:generateContent`

const bearer = (token: string) => ({ authorization: `Bearer ${token}` })

const tokenRequest = (emu: Emulator.Emulator, form: Record<string, string>) =>
  Effect.promise(async () => {
    const response = await fetch(emu.urls.vertexToken, {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded" },
      body: new URLSearchParams(form).toString()
    })
    return { status: response.status, json: await response.json() as any }
  })

const jwt = (payload: Record<string, unknown>, privateKey: string) => {
  const header = Buffer.from(JSON.stringify({ alg: "RS256", typ: "JWT" })).toString("base64url")
  const claims = Buffer.from(JSON.stringify(payload)).toString("base64url")
  const signature = sign("RSA-SHA256", Buffer.from(`${header}.${claims}`), privateKey).toString("base64url")
  return `${header}.${claims}.${signature}`
}

layer(Emulator.layer())("Vertex AI", (it) => {
  it.effect("google-auth-library with the emulator's service-account key: JWT-bearer token, then generateContent", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      const key = emu.vertex.serviceAccount()
      assert.strictEqual(key.type, "service_account")
      assert.strictEqual(key.token_uri, emu.urls.vertexToken)
      const auth = new GoogleAuth({
        credentials: key,
        scopes: [CLOUD],
        clientOptions: { transporterOptions: { fetchImplementation: emu.vertex.tokenFetch } }
      })
      const token = yield* Effect.promise(() => auth.getAccessToken())
      assert.match(token!, /^ya29\.emu-/)
      const [tokenCall] = emu.requests("vertex")
      assert.deepStrictEqual([tokenCall!.method, tokenCall!.path], ["POST", "/token"])
      const reply = yield* post(
        modelPath(emu, "gemini-3.1-flash-image"),
        body("a nano banana", { imageConfig: { aspectRatio: "9:21" } }),
        bearer(token!)
      )
      assert.strictEqual(reply.status, 200)
      const json = reply.json
      assert.deepStrictEqual(Object.keys(json), [
        "candidates",
        "usageMetadata",
        "modelVersion",
        "createTime",
        "responseId"
      ])
      assert.strictEqual(json.modelVersion, "gemini-3.1-flash-image")
      assert.isFalse(Number.isNaN(Date.parse(json.createTime)))
      assert.strictEqual(json.usageMetadata.trafficType, "ON_DEMAND")
      assert.isUndefined(json.usageMetadata.serviceTier)
      const parts = json.candidates[0].content.parts
      assert.strictEqual(parts.length, 1)
      assert.strictEqual(parts[0].inlineData.mimeType, "image/jpeg")
      assert.isString(parts[0].thoughtSignature)
      const info = yield* meta(parts[0].inlineData.data)
      assert.deepStrictEqual([info.format, info.width, info.height], ["jpeg", 672, 1568])
      const recorded = emu.requests("vertex").at(-1)!
      assert.strictEqual(recorded.headers["authorization"], "<redacted>")
      assert.isTrue(recorded.credentialOk)
    }))

  it.effect("an authorized_user ADC file: the refresh-token grant", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      const user = emu.vertex.authorizedUser()
      const client = new OAuth2Client({
        clientId: user.client_id,
        clientSecret: user.client_secret,
        endpoints: { oauth2TokenUrl: emu.urls.vertexToken }
      })
      client.setCredentials({ refresh_token: user.refresh_token })
      const { token } = yield* Effect.promise(() => client.getAccessToken())
      const reply = yield* post(modelPath(emu, "gemini-2.5-flash-image", "europe-west4"), body("x"), bearer(token!))
      assert.strictEqual(reply.status, 200)
      const bad = yield* tokenRequest(emu, {
        grant_type: "refresh_token",
        client_id: user.client_id,
        client_secret: user.client_secret,
        refresh_token: "1//revoked"
      })
      assert.deepStrictEqual(bad, {
        status: 400,
        json: { error: "invalid_grant", error_description: "Token has been expired or revoked." }
      })
      const direct = yield* tokenRequest(emu, {
        grant_type: "refresh_token",
        client_id: user.client_id,
        client_secret: user.client_secret,
        refresh_token: user.refresh_token
      })
      assert.deepStrictEqual(Object.keys(direct.json), ["access_token", "expires_in", "scope", "token_type"])
      assert.deepStrictEqual([direct.json.expires_in, direct.json.token_type], [3599, "Bearer"])
    }))

  it.effect("the token endpoint refuses a foreign key, a missing scope, an expired assertion; failTokenRequests", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      const key = emu.vertex.serviceAccount()
      const now = Math.floor(Date.now() / 1000)
      const claims = { iss: key.client_email, aud: "https://oauth2.googleapis.com/token", iat: now, exp: now + 3600 }
      const grant = (assertion: string) =>
        tokenRequest(emu, { grant_type: "urn:ietf:params:oauth:grant-type:jwt-bearer", assertion })
      const ok = yield* grant(jwt({ ...claims, scope: CLOUD }, key.private_key))
      assert.deepStrictEqual(Object.keys(ok.json), ["access_token", "expires_in", "token_type"])
      const foreign = generateKeyPairSync("rsa", { modulusLength: 2048 }).privateKey.export({
        type: "pkcs8",
        format: "pem"
      }).toString()
      assert.deepStrictEqual((yield* grant(jwt({ ...claims, scope: CLOUD }, foreign))).json, {
        error: "invalid_grant",
        error_description: "Invalid JWT Signature."
      })
      assert.deepStrictEqual((yield* grant(jwt(claims, key.private_key))).json, {
        error: "invalid_scope",
        error_description: "Invalid OAuth scope or ID token audience provided."
      })
      const stale = yield* grant(jwt({ ...claims, scope: CLOUD, iat: now - 7200, exp: now - 3600 }, key.private_key))
      assert.strictEqual(stale.json.error, "invalid_grant")
      assert.match(stale.json.error_description, /short-lived token/)
      emu.vertex.failTokenRequests()
      assert.strictEqual((yield* grant(jwt({ ...claims, scope: CLOUD }, key.private_key))).status, 400)
      assert.strictEqual((yield* grant(jwt({ ...claims, scope: CLOUD }, key.private_key))).status, 200)
      const other = yield* tokenRequest(emu, { grant_type: "password" })
      assert.deepStrictEqual(other.json, {
        error: "unsupported_grant_type",
        error_description: "Invalid grant_type: password"
      })
    }))

  it.effect("credentials: missing, unknown, expired, insufficient scope; static token; express-mode API key", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      const url = modelPath(emu, "gemini-3.1-flash-image")
      const missing = yield* post(url, body("x"))
      assert.strictEqual(missing.status, 401)
      assert.deepStrictEqual(missing.json.error.details[0].reason, "CREDENTIALS_MISSING")
      assert.strictEqual(missing.json.error.status, "UNAUTHENTICATED")
      const unknown = yield* post(url, body("x"), bearer("ya29.forged"))
      assert.deepStrictEqual([unknown.status, unknown.json.error.message], [
        401,
        "Request had invalid authentication credentials. Expected OAuth 2 access token, login cookie or other valid authentication credential. See https://developers.google.com/identity/sign-in/web/devconsole-project."
      ])
      const token = emu.vertex.issueToken()
      assert.strictEqual((yield* post(url, body("x"), bearer(token))).status, 200)
      emu.vertex.expireTokens()
      const expired = yield* post(url, body("x"), bearer(token))
      assert.deepStrictEqual([expired.status, expired.json.error.details[0].reason], [401, "ACCESS_TOKEN_EXPIRED"])
      const narrow = yield* post(url, body("x"), bearer(emu.vertex.issueToken(["openid"])))
      assert.deepStrictEqual([narrow.status, narrow.json.error.details[0].reason], [
        403,
        "ACCESS_TOKEN_SCOPE_INSUFFICIENT"
      ])
      assert.strictEqual((yield* post(url, body("x"), bearer(emu.keys.vertexToken))).status, 200)
      const express = `${emu.urls.vertex}/publishers/google/models/gemini-3.1-flash-image:generateContent`
      assert.strictEqual((yield* post(express, body("x"), { "x-goog-api-key": emu.keys.vertex })).status, 200)
      assert.strictEqual((yield* post(`${express}?key=${emu.keys.vertex}`, body("x"))).status, 200)
      assert.strictEqual(emu.requests("vertex").at(-1)!.query["key"], "<redacted>")
      const wrong = yield* post(express, body("x"), { "x-goog-api-key": "nope" })
      assert.deepStrictEqual([wrong.status, wrong.json.error.details[0].reason], [400, "API_KEY_INVALID"])
    }))

  it.effect("404 for unknown location (HTML), model, regional 3.1; 403 for another project; v1beta1", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      const auth = bearer(emu.keys.vertexToken)
      const location = yield* post(modelPath(emu, "gemini-3.1-flash-image", "invalid-location"), body("x"), auth)
      assert.strictEqual(location.status, 404)
      assert.match(location.headers.get("content-type")!, /^text\/html/)
      assert.include(location.text, "Error 404 (Not Found)!!1")
      const regional = yield* post(modelPath(emu, "gemini-3.1-flash-image", "us-central1"), body("x"), auth)
      assert.deepStrictEqual([regional.status, regional.json], [404, {
        error: {
          code: 404,
          message:
            "Publisher Model `projects/emu-project/locations/us-central1/publishers/google/models/gemini-3.1-flash-image` was not found or your project does not have access to it. Please ensure you are using a valid model version. For more information, see: https://cloud.google.com/vertex-ai/generative-ai/docs/learn/model-versions",
          status: "NOT_FOUND"
        }
      }])
      assert.strictEqual(
        (yield* post(modelPath(emu, "gemini-3.1-flash-image-preview"), body("x"), auth)).status,
        404
      )
      assert.strictEqual(
        (yield* post(modelPath(emu, "gemini-3-pro-image", "us-central1"), body("x"), auth)).status,
        200
      )
      const project = yield* post(modelPath(emu, "gemini-3-pro-image", "global", "someone-else"), body("x"), auth)
      assert.strictEqual(project.status, 403)
      assert.deepStrictEqual(project.json.error.details[0], {
        "@type": "type.googleapis.com/google.rpc.ErrorInfo",
        reason: "IAM_PERMISSION_DENIED",
        domain: "aiplatform.googleapis.com",
        metadata: {
          permission: "aiplatform.endpoints.predict",
          resource: "projects/someone-else/locations/global/publishers/google/models/gemini-3-pro-image"
        }
      })
      const beta = modelPath(emu, "gemini-3.1-flash-lite-image").replace("/v1/", "/v1beta1/")
      assert.strictEqual((yield* post(beta, body("x"), auth)).status, 200)
    }))

  it.effect("Vertex-only fields are honoured on Vertex and refused on the Gemini API", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      const auth = bearer(emu.keys.vertexToken)
      const vertexFields = {
        imageConfig: {
          imageOutputOptions: { mimeType: "image/png", compressionQuality: 80 },
          personGeneration: "ALLOW_ADULT",
          prominentPeople: "BLOCK_PROMINENT_PEOPLE"
        }
      }
      const png = yield* post(
        modelPath(emu, "gemini-3-pro-image"),
        body("x", vertexFields, { labels: { team: "design", env: "test-1" } }),
        auth
      )
      assert.strictEqual(png.status, 200)
      assert.strictEqual(png.json.candidates[0].content.parts.at(-1).inlineData.mimeType, "image/png")
      assert.strictEqual((yield* meta(png.json.candidates[0].content.parts.at(-1).inlineData.data)).format, "png")
      const badEnum = yield* post(
        modelPath(emu, "gemini-3-pro-image"),
        body("x", { imageConfig: { personGeneration: "DONT_ALLOW" } }),
        auth
      )
      assert.deepStrictEqual([badEnum.status, badEnum.json.error.message], [
        400,
        "Invalid value at 'generation_config.image_config.person_generation' (type.googleapis.com/google.cloud.aiplatform.v1.ImageConfig.PersonGeneration), \"DONT_ALLOW\""
      ])
      const badLabel = yield* post(modelPath(emu, "gemini-3-pro-image"), body("x", {}, { labels: { Team: "x" } }), auth)
      assert.strictEqual(badLabel.status, 400)
      const sdkName = yield* post(
        modelPath(emu, "gemini-3-pro-image"),
        body("x", { imageConfig: { outputMimeType: "image/png" } }),
        auth
      )
      assert.strictEqual(sdkName.status, 400)
      const gemini = (b: unknown) =>
        post(`${emu.urls.google}/models/gemini-3-pro-image:generateContent`, b, { "x-goog-api-key": emu.keys.google })
      const refused = yield* gemini(body("x", vertexFields))
      assert.deepStrictEqual([refused.status, refused.json.error.message], [
        400,
        "Invalid JSON payload received. Unknown name \"imageOutputOptions\" at 'generation_config.image_config': Cannot find field."
      ])
      const labels = yield* gemini(body("x", {}, { labels: { team: "design" } }))
      assert.deepStrictEqual([labels.status, labels.json.error.message], [
        400,
        "Invalid JSON payload received. Unknown name \"labels\": Cannot find field."
      ])
    }))

  it.effect("quota 429 is Vertex's RESOURCE_EXHAUSTED body (no RetryInfo); streaming is SSE", () =>
    Effect.gen(function*() {
      const emu = yield* Emulator.EmulatorService
      emu.reset()
      const auth = bearer(emu.keys.vertexToken)
      emu.script("vertex", { kind: "status", status: 429 })
      const limited = yield* post(modelPath(emu, "gemini-3.1-flash-image"), body("x"), auth)
      assert.deepStrictEqual(
        [limited.status, limited.json],
        [429, fixtureJson("vertex", "error-429-resource-exhausted-rate-limit.json")]
      )
      assert.isNull(limited.headers.get("retry-after"))
      const stream = yield* post(
        modelPath(emu, "gemini-3.1-flash-image").replace(":generateContent", ":streamGenerateContent?alt=sse"),
        body("x", { thinkingConfig: { includeThoughts: true } }),
        auth
      )
      assert.match(stream.headers.get("content-type")!, /^text\/event-stream/)
      const chunks = stream.text.split("\r\n\r\n").filter((e) => e.length > 0).map((e) => JSON.parse(e.slice(6)))
      assert.deepStrictEqual(chunks.map((c) => Object.keys(c.candidates[0].content.parts[0])), [
        ["text", "thought"],
        ["inlineData", "thought"],
        ["inlineData", "thoughtSignature"]
      ])
      assert.isTrue(chunks.every((c) => typeof c.createTime === "string"))
    }))
})
