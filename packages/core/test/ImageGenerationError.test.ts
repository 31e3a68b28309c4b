import { assert, describe, it } from "@effect/vitest"
import { Duration, Either, Schema } from "effect"
import { ImageGenerationError as E } from "../src/index.js"

describe("ImageGenerationError", () => {
  it("classifies every tag as DESIGN.md's table says", () => {
    assert.deepStrictEqual(E.classification, {
      InvalidRequest: { retry: "never", failover: "never" },
      UnsupportedRequest: { retry: "never", failover: "always" },
      AuthenticationFailed: { retry: "never", failover: "always" },
      InsufficientCredits: { retry: "never", failover: "always" },
      RateLimited: { retry: "always", failover: "always" },
      ContentBlocked: { retry: "never", failover: "optional" },
      ProviderUnavailable: { retry: "always", failover: "always" },
      Timeout: { retry: "always", failover: "always" },
      NoImageReturned: { retry: "once", failover: "always" },
      MalformedResponse: { retry: "never", failover: "always" },
      BudgetExceeded: { retry: "never", failover: "never" },
      AllProvidersFailed: { retry: "never", failover: "never" }
    })
    const error = new E.RateLimited({ provider: "x", message: "m", retryAfter: Duration.seconds(2) })
    assert.deepStrictEqual(E.classify(error), { retry: "always", failover: "always" })
    assert.strictEqual(Duration.toMillis(E.retryAfter(error)!), 2000)
  })

  it("errors are real Errors with tags, messages and the guard", () => {
    const error = new E.ContentBlocked({
      provider: "google-direct",
      message: "blocked",
      reason: "IMAGE_SAFETY",
      status: 200
    })
    assert.instanceOf(error, Error)
    assert.strictEqual(error._tag, "ContentBlocked")
    assert.strictEqual(error.message, "blocked")
    assert.isTrue(E.isImageGenerationError(error))
    assert.isFalse(E.isImageGenerationError(new Error("x")))
  })

  it("round-trips through the union schema (for workers, caches, logs)", () => {
    const errors = [
      new E.RateLimited({ provider: "openrouter", message: "slow", status: 429, retryAfter: Duration.millis(34_400) }),
      new E.NoImageReturned({ provider: "aimlapi", message: "none", text: "I cannot", finishReason: "STOP" }),
      E.AllProvidersFailed.fromAttempts(
        [new E.ProviderUnavailable({ provider: "a", message: "down", status: 503 })],
        [{ provider: "a", model: "m", outcome: "ProviderUnavailable", durationMs: 3, status: 503, message: "down" }]
      )
    ]
    for (const error of errors) {
      const encoded = Schema.encodeSync(E.ImageGenerationError)(error)
      const json = JSON.parse(JSON.stringify(encoded))
      const decoded = Schema.decodeUnknownEither(E.ImageGenerationError)(json)
      assert.isTrue(Either.isRight(decoded))
      assert.deepStrictEqual((decoded as Either.Right<any, any>).right, error)
    }
  })

  it("AllProvidersFailed summarises every attempt in one paragraph", () => {
    const error = E.AllProvidersFailed.fromAttempts([], [
      {
        provider: "openrouter",
        model: "google/gemini-3.1-flash-image-preview",
        outcome: "ProviderUnavailable",
        durationMs: 12,
        status: 503,
        message: "openrouter: HTTP 503"
      },
      {
        provider: "google-direct",
        model: "gemini-3.1-flash-image",
        outcome: "RateLimited",
        durationMs: 8,
        status: 429
      },
      { provider: "aimlapi", model: "google/nano-banana-2", outcome: "Timeout", durationMs: 120000 }
    ])
    assert.strictEqual(
      error.message,
      "All providers failed after 3 attempts: 1. openrouter (google/gemini-3.1-flash-image-preview): ProviderUnavailable 503 — openrouter: HTTP 503; 2. google-direct (gemini-3.1-flash-image): RateLimited 429; 3. aimlapi (google/nano-banana-2): Timeout"
    )
    assert.notInclude(error.message, "\n")
    assert.strictEqual(
      E.AllProvidersFailed.fromAttempts([], []).message,
      "All providers failed after 0 attempts: no provider was available to try"
    )
  })
})
