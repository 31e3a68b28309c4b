import { assert, describe, it } from "@effect/vitest"
import { VertexUrl } from "../src/index.js"

describe("VertexUrl", () => {
  it("global, multi-regional and regional hosts", () => {
    assert.strictEqual(VertexUrl.baseUrl("global"), "https://aiplatform.googleapis.com/v1")
    assert.strictEqual(VertexUrl.baseUrl("us"), "https://aiplatform.us.rep.googleapis.com/v1")
    assert.strictEqual(VertexUrl.baseUrl("eu"), "https://aiplatform.eu.rep.googleapis.com/v1")
    assert.strictEqual(VertexUrl.baseUrl("us-central1"), "https://us-central1-aiplatform.googleapis.com/v1")
    assert.strictEqual(VertexUrl.baseUrl("europe-west4"), "https://europe-west4-aiplatform.googleapis.com/v1")
  })

  it("project paths", () => {
    assert.strictEqual(
      VertexUrl.modelPath({ project: "my-project", location: "us-central1" }, "gemini-2.5-flash-image"),
      "/projects/my-project/locations/us-central1/publishers/google/models/gemini-2.5-flash-image"
    )
    assert.strictEqual(
      VertexUrl.modelPath({ project: "my-project" }, "models/gemini-3-pro-image"),
      "/projects/my-project/locations/global/publishers/google/models/gemini-3-pro-image"
    )
  })

  it("express mode has neither project nor location", () => {
    assert.strictEqual(
      VertexUrl.modelPath({}, "gemini-3.1-flash-image"),
      "/publishers/google/models/gemini-3.1-flash-image"
    )
  })

  it("publisher paths pass through; every segment is encoded", () => {
    assert.strictEqual(
      VertexUrl.modelPath({ project: "p", location: "global" }, "publishers/google/models/gemini-3-pro-image"),
      "/projects/p/locations/global/publishers/google/models/gemini-3-pro-image"
    )
    assert.strictEqual(
      VertexUrl.modelPath({ project: "a/b?c", location: "global" }, "x/../y#z"),
      "/projects/a%2Fb%3Fc/locations/global/publishers/google/models/x%2F..%2Fy%23z"
    )
  })

  it("only Google-shaped locations are accepted (the location is part of the host)", () => {
    for (const good of ["global", "us", "eu", "us-central1", "europe-west4", "asia-northeast1", "me-central2"]) {
      assert.isTrue(VertexUrl.isLocation(good), good)
    }
    for (const bad of ["", "US-CENTRAL1", "evil.example/", "us-central1.evil", "a@b", "-us", "us-", "us central1"]) {
      assert.isFalse(VertexUrl.isLocation(bad), bad)
    }
  })
})
