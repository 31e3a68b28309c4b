/**
 * A `text/event-stream` body read as it arrives, each event's `data` fed straight into an `ImageJsonSink`, so the
 * base64 images inside events are decoded from the received bytes too. Comments and fields other than `data` are
 * skipped; LF, CRLF and CR line endings are accepted; several `data` lines of one event are joined with a newline.
 *
 * @since 0.2.0
 * @internal
 */
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import { MalformedResponse, ProviderUnavailable } from "../ImageGenerationError.js"
import type { Sink } from "../ResponseBody.js"
import * as HandOff from "./handOff.js"
import { ImageJsonSink } from "./imageJson.js"

const LF = 0x0a
const CR = 0x0d
const COLON = 0x3a
const SPACE = 0x20
const QUOTE = 0x22
/** The text of an event's data is kept (for a value that is not JSON, such as `[DONE]`) up to this size. */
const KEEP_TEXT = 64 * 1024

const enum Line {
  /** At the start of a line, or in a field name. */
  Name,
  /** Right after `data:` (a single space may follow). */
  DataStart,
  /** In the value of a `data` line. */
  Data,
  /** In a line that is skipped (comment, other field). */
  Skip
}

/** The data of every event, parsed as JSON (with decoded images), or as its text when it is not JSON. */
export class ImageEventsSink implements Sink<ReadonlyArray<unknown>> {
  /** Decoding is CPU work: on Node it runs in event-loop turns of bounded length. */
  readonly paced = true
  private line: Line = Line.Name
  private name: Array<number> = []
  /** The previous chunk ended in CR: a LF first in the next one belongs to it. */
  private afterCr = false
  private event: ImageJsonSink | undefined
  private text: Array<Buffer> = []
  private textSize = 0
  private values: Array<unknown> = []
  private failure: MalformedResponse | ProviderUnavailable | undefined
  /** The last byte seen ended a line. */
  private atLineEnd = true

  constructor(private readonly provider: string, private readonly status: number) {}

  write(chunk: Uint8Array): MalformedResponse | ProviderUnavailable | undefined {
    const bytes = Buffer.isBuffer(chunk) ? chunk : Buffer.from(chunk.buffer, chunk.byteOffset, chunk.byteLength)
    let pos = 0
    if (this.afterCr && bytes.length > 0 && bytes[0] === LF) pos = 1
    this.afterCr = false
    while (pos < bytes.length) {
      if (this.line === Line.Data && this.textSize >= KEEP_TEXT && this.event!.decodingString) {
        // In an image: the base64 up to the next quote goes to the decoder unscanned (it checks every character).
        const quote = bytes.indexOf(QUOTE, pos)
        const stop = quote === -1 ? bytes.length : quote
        if (stop > pos && this.event!.tryDecode(bytes.subarray(pos, stop))) {
          this.atLineEnd = false
          pos = stop
          continue
        }
      }
      if (this.line === Line.Data || this.line === Line.Skip) {
        const nl = bytes.indexOf(LF, pos)
        const stop = nl === -1 ? bytes.length : nl
        const cr = bytes.subarray(pos, stop).indexOf(CR)
        const end = cr === -1 ? stop : pos + cr
        if (this.line === Line.Data && end > pos) this.data(bytes.subarray(pos, end))
        if (end === bytes.length) {
          this.atLineEnd = false
          return this.failure
        }
        pos = this.endLine(bytes, end)
        continue
      }
      const byte = bytes[pos]!
      if (byte === LF || byte === CR) {
        pos = this.endLine(bytes, pos)
        continue
      }
      this.atLineEnd = false
      if (this.line === Line.DataStart) {
        this.line = Line.Data
        if (byte === SPACE) pos++
        continue
      }
      if (byte === COLON) {
        this.line = this.name.length === 4 && String.fromCharCode(...this.name) === "data" ? Line.DataStart : Line.Skip
        if (this.line === Line.DataStart) this.startData()
      } else if (this.name.length < 16) this.name.push(byte)
      else this.line = Line.Skip
      pos++
    }
    return this.failure
  }

  private startData(): void {
    if (this.event === undefined) {
      this.event = new ImageJsonSink(this.provider, this.status, undefined)
      this.text = []
      this.textSize = 0
    } else this.data(Buffer.from("\n"))
  }

  private data(part: Buffer): void {
    this.event!.write(part)
    if (this.textSize < KEEP_TEXT) {
      this.text.push(Buffer.from(part.subarray(0, KEEP_TEXT - this.textSize)))
      this.textSize += Math.min(part.length, KEEP_TEXT - this.textSize)
    }
  }

  /** Ends the line at `index` (a CR or LF); returns where the next line starts. */
  private endLine(bytes: Buffer, index: number): number {
    let next = index + 1
    if (bytes[index] === CR) {
      if (next < bytes.length) {
        if (bytes[next] === LF) next++
      } else this.afterCr = true
    }
    const blank = this.line === Line.Name && this.name.length === 0
    // A line without a colon is a field name with an empty value: `data` alone is an empty data line.
    if (this.line === Line.Name && this.name.length === 4 && String.fromCharCode(...this.name) === "data") {
      this.startData()
    }
    this.line = Line.Name
    this.name = []
    this.atLineEnd = true
    if (blank) this.dispatch()
    return next
  }

  private dispatch(): void {
    const event = this.event
    if (event === undefined || this.failure !== undefined) return
    this.event = undefined
    const text = Buffer.concat(this.text, this.textSize).toString("utf8")
    const exit = HandOff.runSync(event.end())
    if (Exit.isSuccess(exit)) {
      this.values.push(exit.value)
    } else if (this.textSize < KEEP_TEXT) {
      this.values.push(text) // not JSON (`[DONE]`…): its text, as the data of an event always was
    } else {
      const error = exit.cause._tag === "Fail" ? exit.cause.error : undefined
      this.failure = error ?? new MalformedResponse({
        provider: this.provider,
        status: this.status,
        message: `${this.provider}: an event of the stream is not JSON`
      })
    }
  }

  end(): Effect.Effect<ReadonlyArray<unknown>, MalformedResponse | ProviderUnavailable> {
    if (this.event !== undefined && this.failure === undefined) {
      const unfinished = Buffer.concat(this.text, this.textSize).toString("utf8").trim()
      if (!this.atLineEnd && unfinished !== "[DONE]") {
        this.release()
        return Effect.fail(
          new ProviderUnavailable({
            provider: this.provider,
            status: this.status,
            message: `${this.provider}: the event stream was cut short (its last event never ended)`
          })
        )
      }
      this.dispatch()
    }
    const failure = this.failure
    const values = this.values
    this.release()
    if (failure !== undefined) return Effect.fail(failure)
    if (values.length === 0) {
      return Effect.fail(
        new ProviderUnavailable({
          provider: this.provider,
          status: this.status,
          message: `${this.provider}: the event stream ended without any event`
        })
      )
    }
    return Effect.succeed(values)
  }

  release(): void {
    this.event?.release()
    this.event = undefined
    this.text = []
    this.values = []
  }
}
