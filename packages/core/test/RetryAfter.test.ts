import { assert, describe, it } from "@effect/vitest"
import { Duration } from "effect"
import { RetryAfter } from "../src/index.js"

const ms = (duration: Duration.Duration | undefined) => duration === undefined ? undefined : Duration.toMillis(duration)

describe("RetryAfter", () => {
  it("reads delta-seconds and HTTP dates", () => {
    assert.strictEqual(ms(RetryAfter.fromHeader("1")), 1000)
    assert.strictEqual(ms(RetryAfter.fromHeader(" 2.5 ")), 2500)
    assert.strictEqual(ms(RetryAfter.fromHeader("0")), 0)
    const now = Date.parse("Wed, 21 Oct 2026 07:27:00 GMT")
    assert.strictEqual(ms(RetryAfter.fromHeader("Wed, 21 Oct 2026 07:28:00 GMT", now)), 60_000)
    assert.strictEqual(ms(RetryAfter.fromHeader("Wed, 21 Oct 2026 07:20:00 GMT", now)), 0)
  })

  it("ignores what is neither", () => {
    for (const value of [undefined, null, "", "soon", "-1", "1e3", "12abc"]) {
      assert.isUndefined(RetryAfter.fromHeader(value), String(value))
    }
  })

  it("reads protobuf durations", () => {
    assert.strictEqual(ms(RetryAfter.fromProtoDuration("34.4s")), 34_400)
    assert.strictEqual(ms(RetryAfter.fromProtoDuration("22s")), 22_000)
    assert.isUndefined(RetryAfter.fromProtoDuration("22"))
    assert.isUndefined(RetryAfter.fromProtoDuration(22))
  })

  it("finds hints in messages", () => {
    assert.strictEqual(ms(RetryAfter.fromMessage("Quota exceeded. Please retry in 48.805646254s.")), 48_806)
    assert.strictEqual(ms(RetryAfter.fromMessage("rate limited, retry after 30 seconds")), 30_000)
    assert.strictEqual(ms(RetryAfter.fromMessage("retry in 2 minutes")), 120_000)
    assert.strictEqual(ms(RetryAfter.fromMessage("retry in 250ms")), 250)
    assert.isUndefined(RetryAfter.fromMessage("Rate limit exceeded"))
    assert.isUndefined(RetryAfter.fromMessage(undefined))
  })
})
