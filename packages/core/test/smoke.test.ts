import { it } from "@effect/vitest"
import { Effect, Either } from "effect"
import { ImageRequest, ModelCatalog } from "../src/index.js"

it.effect("smoke", () =>
  Effect.gen(function*() {
    for (
      const input of [
        { prompt: "" },
        { prompt: "x", aspectRatio: "7:5" },
        { prompt: "x", imageSize: "4k" },
        { prompt: "x", n: 0 },
        { prompt: "x", n: 2.5 },
        { prompt: "x", seed: 1.5 },
        { prompt: "x", images: [{ url: "http://a" }] },
        { prompt: "x", images: [{ data: new Uint8Array([1, 2, 3]) }] },
        { prompt: "x", images: [{ foo: 1 }] },
        { prompt: "x", aspect_ratio: "1:1" },
        {},
        { prompt: 3 },
        { prompt: "x", providerOptions: { foo: {} } }
      ]
    ) {
      const r = yield* Effect.either(ImageRequest.decode(input))
      console.log(
        JSON.stringify(input).slice(0, 60),
        "=>",
        Either.isLeft(r) ? `${r.left.field} | ${r.left.message}` : "OK"
      )
    }
    const req = yield* ImageRequest.decode({ prompt: "x", aspectRatio: "21:9", imageSize: "4K" })
    console.log(ModelCatalog.resolve("aimlapi", req))
  }))
