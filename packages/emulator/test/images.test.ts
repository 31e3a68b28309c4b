import { assert, describe, it } from "@effect/vitest"
import * as Effect from "effect/Effect"
import { Catalog, Images } from "../src/index.js"
import { close, meta, pixel, solidPng } from "./helpers.js"

const render = (request: Images.RenderRequest) => Effect.promise(() => Images.render(request))

describe("Images", () => {
  it.effect("renders real images of the requested size and format", () =>
    Effect.gen(function*() {
      const png = yield* render({ width: 1248, height: 832, mimeType: "image/png", prompt: "size" })
      const pngInfo = yield* meta(png.bytes)
      assert.deepStrictEqual([pngInfo.format, pngInfo.width, pngInfo.height], ["png", 1248, 832])
      const jpeg = yield* render({ width: 832, height: 1248, mimeType: "image/jpeg", prompt: "size" })
      const jpegInfo = yield* meta(jpeg.bytes)
      assert.deepStrictEqual([jpegInfo.format, jpegInfo.width, jpegInfo.height], ["jpeg", 832, 1248])
    }))

  it.effect("is deterministic for prompt+seed, different for another prompt or seed, and shows the palette", () =>
    Effect.gen(function*() {
      const base = { width: 256, height: 256, mimeType: "image/png" as const }
      const cache = new Images.RenderCache(1)
      const a = yield* Effect.promise(() => cache.render({ ...base, prompt: "cat", seed: 1 }))
      yield* Effect.promise(() => cache.render({ ...base, prompt: "evict", seed: 1 }))
      const again = yield* Effect.promise(() => cache.render({ ...base, prompt: "cat", seed: 1 }))
      assert.notStrictEqual(a, again) // evicted and rendered again…
      assert.isTrue(a.bytes.equals(again.bytes)) // …to the same bytes
      const dog = yield* render({ ...base, prompt: "dog", seed: 1 })
      const seed2 = yield* render({ ...base, prompt: "cat", seed: 2 })
      assert.isFalse(a.bytes.equals(dog.bytes))
      assert.isFalse(a.bytes.equals(seed2.bytes))
      const [topLeft] = Images.palette("cat", 1)
      assert.deepStrictEqual(yield* pixel(a.bytes, 5, 5), topLeft)
    }))

  it.effect("an edit is the reference inside a prompt-coloured frame", () =>
    Effect.gen(function*() {
      const reference = yield* solidPng(100, 100, [0, 200, 0])
      const edit = yield* render({ width: 512, height: 512, mimeType: "image/png", prompt: "frame", reference })
      assert.isTrue(close(yield* pixel(edit.bytes, 256, 256), [0, 200, 0]))
      assert.deepStrictEqual(yield* pixel(edit.bytes, 1, 1), Images.frameColour("frame", undefined))
    }))

  it.effect("a 4K render is fast and cached", () =>
    Effect.gen(function*() {
      const { height, width } = Catalog.pixelSize("3-pro", "16:9", "4K")
      assert.deepStrictEqual([width, height], [5376, 3072])
      for (const mimeType of ["image/png", "image/jpeg"] as const) {
        const request = { width, height, mimeType, prompt: `timing ${mimeType} ${Math.random()}` }
        const t0 = performance.now()
        yield* render(request)
        const cold = performance.now() - t0
        const t1 = performance.now()
        yield* render(request)
        const warm = performance.now() - t1
        console.log(`4K ${mimeType}: cold ${cold.toFixed(0)} ms, cached ${warm.toFixed(2)} ms`)
        assert.isBelow(cold, 3_000)
        assert.isBelow(warm, 20)
      }
    }))

  it("pixel sizes follow §1.3, scaled per tier; 2.5 Flash stays at 1K", () => {
    assert.deepStrictEqual(Catalog.pixelSize("3.1-flash", "9:16", "512"), { width: 384, height: 672 })
    assert.deepStrictEqual(Catalog.pixelSize("3.1-flash", "21:9", "2K"), { width: 3072, height: 1344 })
    assert.deepStrictEqual(Catalog.pixelSize("2.5-flash", "4:5", "4K"), { width: 896, height: 1152 })
    assert.strictEqual(Catalog.nearestRatio(1920, 1080, Catalog.fiveRatios), "16:9")
  })
})
