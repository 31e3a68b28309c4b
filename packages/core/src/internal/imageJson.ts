/**
 * A JSON body read as it arrives, with its large base64 strings decoded straight from the received bytes into
 * image buffers: neither the text of the whole body nor the multi-megabyte base64 string is ever built.
 *
 * The bytes are split as they come: everything outside large strings (the small JSON "skeleton") is kept, and a
 * string that passes 64 KiB while looking like base64 (or a `data:…;base64,` URL) is decoded group by group into
 * a buffer that grows with what arrives, its place in the skeleton taken by a placeholder. At the end `JSON.parse`
 * runs over the skeleton alone and each placeholder becomes an `ImageBytes.DecodedBase64`. A large string that
 * turns out not to be base64 (an escape, a character outside the alphabet) falls back to its exact text: the part
 * already decoded is re-encoded (it was checked to be canonical base64), and the rest is kept as it came.
 *
 * @since 0.2.0
 * @internal
 */
import * as Effect from "effect/Effect"
import { DecodedBase64 } from "../ImageBytes.js"
import { MalformedResponse, ProviderUnavailable } from "../ImageGenerationError.js"
import * as JsonBody from "../JsonBody.js"
import type { Sink } from "../ResponseBody.js"

const QUOTE = 0x22
const BACKSLASH = 0x5c
/** A string this long is a candidate for decoding. @internal */
export const LARGE = 64 * 1024
const INITIAL_CAPACITY = 64 * 1024
const BASE64_DATA_URL = /^data:[^,\\]*;base64$/i

/** Unguessable per process, so no string of a real answer can be taken for a placeholder. */
const placeholder = `nanogen-image-${Math.random().toString(36).slice(2)}-${Date.now().toString(36)}-`

const enum Mode {
  /** Between strings: bytes go to the skeleton. */
  Outside,
  /** In a string shorter than LARGE so far: bytes are kept in `parts`. */
  Small,
  /** In a large base64 string: bytes are decoded into `out`. */
  Decoding,
  /** In a large string that is not base64: bytes are kept in `parts`, to go to the skeleton whole. */
  Raw
}

/** @internal */
export class ImageJsonSink implements Sink<unknown> {
  /** Decoding is CPU work: on Node it runs in event-loop turns of bounded length. */
  readonly paced = true
  private mode: Mode = Mode.Outside
  private skeleton: Array<Buffer> = []
  /** The current string's bytes (Small, Raw), after its opening quote. */
  private parts: Array<Buffer> = []
  private partsSize = 0
  /** Small: the previous byte was a backslash. Raw: the bytes so far end in an odd run of backslashes. */
  private escaped = false
  private sawEscape = false
  /** Decoding: the `data:…;base64` header (without the comma) when the string is a data URL. */
  private header: string | undefined
  private out: Output | undefined
  /** Decoding: fewer than 4 base64 characters waiting for the rest of their group. */
  private pending: Array<number> = []
  private decoded: Array<DecodedBase64> = []
  /** The first bytes of the body, for the snippet of an error message. */
  private head: Buffer | undefined
  private received = 0

  constructor(
    private readonly provider: string,
    private readonly status: number,
    private readonly declared: number | undefined
  ) {}

  write(chunk: Uint8Array): undefined {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    if (this.head === undefined) this.head = Buffer.from(bytes.subarray(0, 320))
    this.received += bytes.length
    let pos = 0
    while (pos < bytes.length) {
      switch (this.mode) {
        case Mode.Outside:
          pos = this.outside(bytes, pos)
          break
        case Mode.Small:
          pos = this.small(bytes, pos)
          break
        case Mode.Decoding:
          pos = this.decoding(bytes, pos)
          break
        case Mode.Raw:
          pos = this.raw(bytes, pos)
          break
      }
    }
    return undefined
  }

  /** Whether the sink is inside a large base64 string (see `tryDecode`). */
  get decodingString(): boolean {
    return this.mode === Mode.Decoding
  }

  /**
   * Inside a large base64 string: decodes `run` when it is base64 through and through (so it holds no quote, no
   * escape, no line end); `false`, with nothing consumed, otherwise. Lets an event-stream reader hand the bulk of
   * an image over without scanning it for line ends first.
   */
  tryDecode(run: Buffer): boolean {
    if (this.mode !== Mode.Decoding || !this.decodeRun(run)) return false
    this.received += run.length
    return true
  }

  private outside(bytes: Buffer, pos: number): number {
    const open = bytes.indexOf(QUOTE, pos)
    const end = open === -1 ? bytes.length : open + 1
    this.skeleton.push(Buffer.from(bytes.subarray(pos, end)))
    if (open !== -1) {
      this.mode = Mode.Small
      this.escaped = false
      this.sawEscape = false
    }
    return end
  }

  private small(bytes: Buffer, pos: number): number {
    let i = pos
    const limit = Math.min(bytes.length, pos + (LARGE - this.partsSize))
    for (; i < limit; i++) {
      const byte = bytes[i]!
      if (this.escaped) this.escaped = false
      else if (byte === BACKSLASH) this.escaped = this.sawEscape = true
      else if (byte === QUOTE) break
    }
    if (i > pos) this.keep(bytes.subarray(pos, i))
    if (i < bytes.length && bytes[i] === QUOTE && !this.escaped && i < limit) {
      // A small string: it goes to the skeleton as it is.
      this.skeleton.push(...this.parts, Buffer.from("\""))
      this.clearParts()
      this.mode = Mode.Outside
      return i + 1
    }
    if (this.partsSize >= LARGE) this.promote(bytes.length - i)
    return i
  }

  /**
   * A string reached LARGE bytes: decode it from here on if it looks like base64, else keep it raw. `unread`: the
   * bytes of the current chunk after the string's kept part.
   */
  private promote(unread: number): void {
    const text = Buffer.concat(this.parts, this.partsSize)
    let start = 0
    this.header = undefined
    if (!this.sawEscape) {
      if (text.toString("latin1", 0, 5).toLowerCase() === "data:") {
        const comma = text.indexOf(0x2c)
        const header = comma === -1 || comma > 512 ? "" : text.toString("latin1", 0, comma)
        if (BASE64_DATA_URL.test(header)) {
          this.header = header
          start = comma + 1
        } else start = -1
      }
    }
    if (this.sawEscape || start === -1) {
      this.mode = Mode.Raw
      this.escaped = trailingBackslashes(text) % 2 === 1
      return
    }
    this.mode = Mode.Decoding
    // At most what the declared length leaves for the string: its kept part, the rest of this chunk, what is to come.
    this.out = new Output(
      this.declared === undefined
        ? undefined
        : Math.ceil(((this.partsSize + unread + this.declared - this.received) * 3) / 4) + 4
    )
    this.pending = []
    const rest = text.subarray(start)
    this.clearParts()
    if (!this.decodeRun(rest)) this.fallBack(rest)
  }

  private decoding(bytes: Buffer, pos: number): number {
    const close = bytes.indexOf(QUOTE, pos)
    let run = bytes.subarray(pos, close === -1 ? bytes.length : close)
    let pad = 0
    if (close !== -1) {
      while (pad < 2 && pad < run.length && run[run.length - 1 - pad] === 0x3d) pad++
      run = run.subarray(0, run.length - pad)
    }
    if (!this.decodeRun(run)) {
      this.fallBack(bytes.subarray(pos, close === -1 ? bytes.length : close))
      return close === -1 ? bytes.length : close // Raw mode looks at the quote itself (it may be escaped).
    }
    if (close === -1) return bytes.length
    if (!this.finishDecoded(pad)) {
      this.fallBack(Buffer.from("=".repeat(pad)))
      return close
    }
    this.mode = Mode.Outside
    return close + 1
  }

  /**
   * Decodes `run` (after the pending characters) into `out`. `false`, with nothing of `run` decoded, when it holds
   * anything but standard base64 characters (an escape, padding, a blank…).
   */
  private decodeRun(run: Buffer): boolean {
    const pending = this.pending
    const mark = this.out!.mark()
    const undo = () => {
      this.pending = pending
      this.out!.reset(mark)
      return false
    }
    let offset = 0
    if (pending.length > 0) {
      const need = Math.min(4 - pending.length, run.length)
      const group = [...pending, ...run.subarray(0, need)]
      if (group.length < 4) {
        if (!isBase64Group(group)) return undo()
        this.pending = group
        return true
      }
      if (!this.decodeText(String.fromCharCode(...group), 3)) return undo()
      offset = need
    }
    const whole = offset + ((run.length - offset) & ~3)
    if (whole > offset && !this.decodeText(run.toString("latin1", offset, whole), ((whole - offset) >>> 2) * 3)) {
      return undo()
    }
    const tail = run.subarray(whole)
    if (!isBase64Group(tail)) return undo()
    this.pending = [...tail]
    return true
  }

  /** Decodes complete groups; `false` (nothing kept) unless they give exactly `expected` bytes. */
  private decodeText(text: string, expected: number): boolean {
    return this.out!.write(text, expected)
  }

  /** The closing quote: the last group, with its `pad` padding characters, ends the image. */
  private finishDecoded(pad: number): boolean {
    const rest = this.pending.length
    if (rest > 0 || pad > 0) {
      if (rest < 2 || (pad > 0 && rest + pad !== 4)) return false
      if (!this.decodeText(`${String.fromCharCode(...this.pending)}${"=".repeat(4 - rest)}`, rest - 1)) return false
      this.pending = []
    }
    const exact = this.out!.result()
    this.skeleton.push(Buffer.from(`${placeholder}${this.decoded.length}"`))
    this.decoded.push(new DecodedBase64(new Uint8Array(exact.buffer, exact.byteOffset, exact.length), this.header))
    this.out = undefined
    return true
  }

  /** Back to the exact text: what was decoded, re-encoded, then the pending characters and `rest`. */
  private fallBack(rest: Buffer): void {
    const prefix = this.header === undefined ? "" : `${this.header},`
    const decoded = this.out === undefined ? "" : this.out.result().toString("base64")
    this.out = undefined
    this.clearParts()
    this.keep(Buffer.from(`${prefix}${decoded}${String.fromCharCode(...this.pending)}`, "latin1"))
    this.pending = []
    this.keep(Buffer.from(rest))
    this.escaped = trailingBackslashes(rest) % 2 === 1
    this.mode = Mode.Raw
  }

  private raw(bytes: Buffer, pos: number): number {
    let i = pos
    for (;;) {
      const close = bytes.indexOf(QUOTE, i)
      if (close === -1) {
        const part = bytes.subarray(pos)
        this.keep(Buffer.from(part))
        const run = trailingBackslashes(part)
        this.escaped = run === part.length ? (this.escaped ? run + 1 : run) % 2 === 1 : run % 2 === 1
        return bytes.length
      }
      const before = bytes.subarray(pos, close)
      const run = trailingBackslashes(before)
      const odd = run === before.length ? (this.escaped ? run + 1 : run) % 2 === 1 : run % 2 === 1
      if (odd) {
        i = close + 1
        continue
      }
      this.keep(Buffer.from(before))
      this.skeleton.push(...this.parts, Buffer.from("\""))
      this.clearParts()
      this.mode = Mode.Outside
      return close + 1
    }
  }

  private keep(part: Buffer): void {
    if (part.length === 0) return
    this.parts.push(this.mode === Mode.Small ? Buffer.from(part) : part)
    this.partsSize += part.length
  }

  private clearParts(): void {
    this.parts = []
    this.partsSize = 0
  }

  end(): Effect.Effect<unknown, MalformedResponse | ProviderUnavailable> {
    const mode = this.mode
    const text = mode === Mode.Small ? Buffer.concat([...this.skeleton, ...this.parts]) : Buffer.concat(this.skeleton)
    const decoded = this.decoded
    const head = this.head ?? Buffer.alloc(0)
    const size = this.partsSize + (this.out?.size ?? 0)
    this.release()
    if (mode === Mode.Decoding || mode === Mode.Raw) {
      // Cut short inside a large string (the skeleton alone would tell a different story).
      return Effect.fail(
        /^\s*[[{]/.test(head.toString("latin1"))
          ? new ProviderUnavailable({
            provider: this.provider,
            status: this.status,
            message: `${this.provider}: the response body was cut short (inside a string, after ${size} bytes of it)`
          })
          : new MalformedResponse({
            provider: this.provider,
            status: this.status,
            message: `${this.provider}: the response is not JSON: ${JSON.stringify(JsonBody.snippet(head))}`
          })
      )
    }
    return Effect.map(
      JsonBody.parseBytes(this.provider, this.status, text),
      (value) => decoded.length === 0 ? value : substitute(value, decoded)
    )
  }

  /** The first bytes of the body, for an error message about a body that is not JSON. */
  get firstBytes(): Buffer {
    return this.head ?? Buffer.alloc(0)
  }

  release(): void {
    this.skeleton = []
    this.clearParts()
    this.out = undefined
    this.pending = []
    this.decoded = []
  }
}

/**
 * Decoded bytes, in segments that grow with what has arrived (each as large as everything before it, never past
 * what the declared length can hold): growing copies nothing. With a declared length, once what has arrived is
 * at least what is left, it moves into one buffer of the whole (at most twice what has arrived); without one, the
 * image is joined once at its end.
 */
class Output {
  private segments: Array<Buffer> = []
  private used = 0
  size = 0
  constructor(private readonly bound: number | undefined) {}

  /** Decodes whole base64 groups; `false` (nothing kept) unless they give exactly `expected` bytes. */
  write(text: string, expected: number): boolean {
    let last = this.segments[this.segments.length - 1]
    if (last === undefined || last.length - this.used < expected) {
      if (last !== undefined) this.segments[this.segments.length - 1] = last.subarray(0, this.used)
      let capacity = Math.max(INITIAL_CAPACITY, this.size, expected)
      if (this.bound !== undefined && this.bound - this.size >= expected) {
        capacity = Math.min(capacity, this.bound - this.size)
      }
      if (this.bound !== undefined && this.size > 0 && capacity === this.bound - this.size) {
        // The rest fits in this last segment: what has arrived (at least as much as the rest) moves into one
        // buffer of the whole bound, so the image is never joined at its end (a second copy of all of it).
        last = Buffer.allocUnsafe(this.bound)
        let offset = 0
        for (const segment of this.segments) {
          last.set(segment, offset)
          offset += segment.length
        }
        this.segments = [last]
        this.used = this.size
      } else {
        last = Buffer.allocUnsafe(capacity)
        this.segments.push(last)
        this.used = 0
      }
    }
    const written = last.write(text, this.used, "base64")
    if (written !== expected) return false
    this.used += written
    this.size += written
    return true
  }

  mark(): readonly [number, number, number] {
    return [this.segments.length, this.used, this.size]
  }

  reset([count, used, size]: readonly [number, number, number]): void {
    if (this.segments.length < count) {
      // The segments were gathered into one since the mark: the bytes before it are where they were.
      this.used = size
    } else {
      this.segments.length = count
      this.used = used
    }
    this.size = size
  }

  result(): Buffer {
    const last = this.segments.length - 1
    if (last < 0) return Buffer.alloc(0)
    this.segments[last] = this.segments[last]!.subarray(0, this.used)
    if (last === 0) {
      const only = this.segments[0]!
      // A segment much larger than its image is copied down to size.
      return only.buffer.byteLength - only.length > only.length / 4 ? Buffer.from(only) : only
    }
    return Buffer.concat(this.segments, this.size)
  }
}

const trailingBackslashes = (bytes: Buffer): number => {
  let count = 0
  for (let i = bytes.length - 1; i >= 0 && bytes[i] === BACKSLASH; i--) count++
  return count
}

/** Whether up to 3 bytes are standard base64 alphabet characters (no padding, no blanks). */
const isBase64Group = (bytes: ArrayLike<number>): boolean => {
  for (let i = 0; i < bytes.length; i++) {
    const c = bytes[i]!
    const ok = (c >= 0x41 && c <= 0x5a) || (c >= 0x61 && c <= 0x7a) || (c >= 0x30 && c <= 0x39) || c === 0x2b ||
      c === 0x2f
    if (!ok) return false
  }
  return true
}

/** Replaces the placeholders of a parsed skeleton with their images, without recursion. */
const substitute = (value: unknown, decoded: ReadonlyArray<DecodedBase64>): unknown => {
  const take = (item: unknown): unknown => {
    if (typeof item === "string" && item.startsWith(placeholder)) {
      const image = decoded[Number(item.slice(placeholder.length))]
      return image ?? item
    }
    return item
  }
  const root = take(value)
  const stack: Array<unknown> = [root]
  while (stack.length > 0) {
    const item = stack.pop()
    if (Array.isArray(item)) {
      for (let i = 0; i < item.length; i++) {
        const next = take(item[i])
        if (next !== item[i]) item[i] = next
        else if (typeof next === "object" && next !== null) stack.push(next)
      }
    } else if (typeof item === "object" && item !== null && !(item instanceof DecodedBase64)) {
      const record = item as Record<string, unknown>
      for (const name of Object.keys(record)) {
        let key = name
        if (name.startsWith(placeholder)) {
          // A large base64 object key: its text again (re-encoded: it was checked to be canonical base64).
          key = String(take(name))
          record[key] = record[name]
          delete record[name]
        }
        const next = take(record[key])
        if (next !== record[key]) record[key] = next
        else if (typeof next === "object" && next !== null) stack.push(next)
      }
    }
  }
  return root
}
