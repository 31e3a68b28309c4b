import { assert, describe, it } from "@effect/vitest"
import { Schema } from "effect"
import sharp from "sharp"
import { DataUrl, ImageBytes } from "../src/index.js"

const make = (format: "png" | "jpeg" | "webp" | "gif", width: number, height: number) =>
  sharp({ create: { width, height, channels: 3, background: { r: 200, g: 50, b: 10 } } }).toFormat(format).toBuffer()

describe("ImageBytes", () => {
  it("sniffs and sizes real PNG, JPEG, WebP and GIF images", async () => {
    for (
      const [format, mime] of [["png", "image/png"], ["jpeg", "image/jpeg"], ["webp", "image/webp"], [
        "gif",
        "image/gif"
      ]] as const
    ) {
      const bytes = await make(format, 37, 21)
      assert.deepStrictEqual(ImageBytes.inspect(bytes), { mimeType: mime, width: 37, height: 21 }, format)
    }
  })

  it("sniffs HEIC and HEIF brands from the ftyp box", () => {
    const box = (brand: string) =>
      new Uint8Array([0, 0, 0, 24, ...Buffer.from("ftyp"), ...Buffer.from(brand), 0, 0, 0, 0])
    assert.strictEqual(ImageBytes.sniffMimeType(box("heic")), "image/heic")
    assert.strictEqual(ImageBytes.sniffMimeType(box("mif1")), "image/heif")
    assert.isUndefined(ImageBytes.sniffMimeType(box("isom")))
  })

  it("trusts bytes, not names: text, empty and short inputs are no image", () => {
    assert.isUndefined(ImageBytes.sniffMimeType(new Uint8Array()))
    assert.isUndefined(ImageBytes.sniffMimeType(Buffer.from("<html>502 Bad Gateway</html>")))
    assert.isUndefined(ImageBytes.sniffMimeType(new Uint8Array([0x89, 0x50])))
    assert.isUndefined(ImageBytes.inspect(Buffer.from("GIF")))
  })

  it("reads the size of a truncated PNG from its header alone", async () => {
    const whole = await make("png", 1024, 768)
    const cut = whole.subarray(0, 40)
    assert.deepStrictEqual(ImageBytes.inspect(cut), { mimeType: "image/png", width: 1024, height: 768 })
  })

  it("round-trips base64 through Buffer, including views into larger buffers", () => {
    const big = Buffer.from([9, 9, 1, 2, 3, 250, 9])
    const view = big.subarray(2, 6)
    assert.strictEqual(ImageBytes.toBase64(view), "AQID+g==")
    assert.deepStrictEqual([...ImageBytes.fromBase64("AQID+g==")], [1, 2, 3, 250])
    assert.deepStrictEqual([...ImageBytes.fromBase64("AQID-g")], [1, 2, 3, 250])
  })
})

describe("DataUrl", () => {
  it("parses base64 data URLs with parameters and case-insensitive headers", async () => {
    const png = await make("png", 2, 2)
    const parsed = DataUrl.parse(`DATA:Image/PNG;name=a.png;base64,${png.toString("base64")}`)
    assert.strictEqual(parsed?.mimeType, "image/png")
    assert.deepStrictEqual(Buffer.from(parsed!.data), png)
  })

  it("parses percent-encoded data URLs and defaults the type", () => {
    const parsed = DataUrl.parse("data:,hello%20world")
    assert.strictEqual(parsed?.mimeType, "text/plain")
    assert.strictEqual(Buffer.from(parsed!.data).toString(), "hello world")
  })

  it("refuses what is not a data URL", () => {
    for (const url of ["https://x/a.png", "data:image/png;base64", "data:image png;base64,AAAA", "", "data:"]) {
      assert.isUndefined(DataUrl.parse(url), url)
    }
  })

  it("formats with the sniffed type, or the one given", async () => {
    const jpeg = await make("jpeg", 3, 3)
    const url = DataUrl.format(jpeg)
    assert.isTrue(url.startsWith("data:image/jpeg;base64,/9j/"))
    assert.deepStrictEqual(Buffer.from(DataUrl.parse(url)!.data), jpeg)
    assert.isTrue(
      DataUrl.format(new Uint8Array([1]), "application/x-test").startsWith("data:application/x-test;base64,")
    )
    assert.isTrue(DataUrl.format(new Uint8Array([1])).startsWith("data:application/octet-stream;base64,"))
  })

  it("restoreBase64 gives every decoded string its text back, copying, at any depth; Base64Text decodes to text", () => {
    const image = new ImageBytes.DecodedBase64(new Uint8Array([1, 2, 3]), undefined)
    const url = new ImageBytes.DecodedBase64(new Uint8Array([1, 2, 3]), "data:image/png;base64")
    const bytes = new Uint8Array([9])
    const value = { parts: [{ inlineData: { data: image } }, { url }, "text", 1, null, bytes] }
    const restored = ImageBytes.restoreBase64(value) as { parts: ReadonlyArray<unknown> }
    assert.deepStrictEqual(restored, {
      parts: [{ inlineData: { data: "AQID" } }, { url: "data:image/png;base64,AQID" }, "text", 1, null, bytes]
    })
    assert.strictEqual((value.parts[0] as { inlineData: { data: unknown } }).inlineData.data, image) // left as is
    assert.strictEqual(restored.parts[5], bytes) // not a plain object: kept, not walked
    assert.strictEqual(ImageBytes.restoreBase64(image), "AQID")
    let deep: unknown = image
    for (let i = 0; i < 100_000; i++) deep = [deep]
    let inner = ImageBytes.restoreBase64(deep)
    for (let i = 0; i < 100_000; i++) inner = (inner as Array<unknown>)[0]
    assert.strictEqual(inner, "AQID")
    const decode = Schema.decodeUnknownSync(ImageBytes.Base64Text)
    assert.strictEqual(decode(url), "data:image/png;base64,AQID")
    assert.strictEqual(decode("c2ln"), "c2ln")
    assert.throws(() => decode(1))
  })
})
