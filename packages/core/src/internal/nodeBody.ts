/**
 * The Node side of reading a body: a reader straight on a `Readable` (no Effect `Stream` step per chunk) that drops
 * what it read on every early exit, the growing collector, and the abort reason that keeps nothing alive.
 *
 * @since 0.2.0
 * @internal
 */
import * as Effect from "effect/Effect"
import type { Sink } from "../ResponseBody.js"
import * as CpuTurn from "./cpuTurn.js"

/**
 * The reason nanogen aborts an exchange with when it stops reading a body. Built once, without a stack trace:
 * an abort reason lives as long as its `AbortSignal` (which the platform keeps until the response is collected),
 * and a stack captured inside a reader's callback would keep that callback's closure, and the bytes it collected,
 * reachable.
 *
 * @internal
 */
export const stoppedReading: DOMException = (() => {
  const limit = Error.stackTraceLimit
  Error.stackTraceLimit = 0
  try {
    return new DOMException("nanogen stopped reading the response body", "AbortError")
  } finally {
    Error.stackTraceLimit = limit
  }
})()

/**
 * The subset of a Node `Readable` that `readNode` uses.
 *
 * @internal
 */
export interface NodeReadable {
  on(event: string, listener: (...args: Array<any>) => void): unknown
  removeListener(event: string, listener: (...args: Array<any>) => void): unknown
  destroy(error?: Error): unknown
  pause?(): unknown
  resume?(): unknown
  readonly readableEnded?: boolean
  readonly destroyed?: boolean
}

/** @internal */
export const isNodeReadable = (value: unknown): value is NodeReadable =>
  typeof value === "object" && value !== null && typeof (value as NodeReadable).on === "function" &&
  typeof (value as NodeReadable).removeListener === "function" &&
  typeof (value as NodeReadable).destroy === "function" && typeof (value as { pipe?: unknown }).pipe === "function" &&
  "readableFlowing" in value

/** Below this, a buffer is allocated at once; above, it grows with what has arrived. */
const INITIAL_CAPACITY = 64 * 1024

/**
 * Collects a body into one buffer that grows as bytes arrive: to twice what has arrived, capped at the declared
 * length while the body keeps to it, so a truthful `Content-Length` ends in a buffer of exactly that size (no final
 * copy) and a false one costs at most twice what was really sent.
 *
 * @internal
 */
export class Collector implements Sink<Buffer, never> {
  private buffer: Buffer | undefined
  private size = 0
  constructor(private readonly declared: number | undefined) {}
  write(chunk: Uint8Array): undefined {
    const needed = this.size + chunk.byteLength
    if (this.buffer === undefined || needed > this.buffer.length) {
      let capacity = Math.max(INITIAL_CAPACITY, 2 * needed)
      if (this.declared !== undefined && this.declared >= needed) capacity = Math.min(capacity, this.declared)
      const grown = Buffer.allocUnsafe(capacity)
      if (this.buffer !== undefined) this.buffer.copy(grown, 0, 0, this.size)
      this.buffer = grown
    }
    this.buffer.set(chunk, this.size)
    this.size = needed
    return undefined
  }
  end(): Effect.Effect<Buffer> {
    const result = this.buffer === undefined ? Buffer.alloc(0) : this.buffer.subarray(0, this.size)
    this.buffer = undefined
    return Effect.succeed(result)
  }
  release(): void {
    this.buffer = undefined
    this.size = 0
  }
}

/**
 * What a reader needs besides its source: the cap, the sink, and how to report the cap and a transport error.
 *
 * @internal
 */
export interface ReadOptions<A, E> {
  readonly maxBytes: number
  readonly sink: Sink<A, E>
  readonly tooLarge: () => E
  readonly transport: (cause: unknown) => E
}

/** A paced read stops taking chunks from the socket while this much waits for its sink... */
const PAUSE_AT = 512 * 1024
/** ...and takes them again once the sink has caught up to this. */
const RESUME_AT = 128 * 1024

/**
 * Reads a Node `Readable` to its end into `options.sink`, with the cap; every failure path (the cap, a refused
 * chunk, a transport error, interruption) releases the sink, destroys the stream and calls `abort`.
 *
 * A sink that is `paced` (its writes decode, they are CPU work) gets its chunks in event-loop turns of bounded
 * length (`CpuTurn.slice`), not in the poll phase they arrived in; while more than 512 KiB waits for it the stream
 * is paused (the socket is not read), so what waits stays bounded. The cap still counts bytes as they arrive.
 *
 * @internal
 */
export const readNode = <A, E>(
  readable: NodeReadable,
  abort: (() => void) | undefined,
  options: ReadOptions<A, E>
): Effect.Effect<A, E> =>
  Effect.async<A, E>((resume) => {
    const { maxBytes } = options
    // Every closure below shares this scope: `sink` is cleared on every exit, so none of them keeps the bytes.
    let sink: Sink<A, E> | undefined = options.sink
    const paced = sink.paced === true && typeof readable.pause === "function" && typeof readable.resume === "function"
    let size = 0
    /** Paced: the chunks that arrived and wait for the sink, their size, and whether the stream is paused. */
    let waiting: Array<Uint8Array> = []
    let waitingSize = 0
    let paused = false
    /** The stream ended; a paced read finishes once the sink has taken every chunk. */
    let ended = false
    const detach = () => {
      readable.removeListener("data", onData)
      readable.removeListener("end", onEnd)
      readable.removeListener("error", onError)
      readable.removeListener("close", onClose)
    }
    /** Stops reading for good: drops the bytes, closes the body and aborts the exchange. */
    const stop = () => {
      detach()
      if (paced) CpuTurn.unslice(work)
      waiting = []
      sink?.release()
      sink = undefined
      readable.destroy()
      abort?.()
    }
    const fail = (error: E) => {
      if (sink === undefined) return
      stop()
      resume(Effect.fail(error))
    }
    const finish = () => {
      const done = sink!
      sink = undefined
      detach()
      resume(Effect.suspend(() => done.end()))
    }
    /** Paced: hands the sink one waiting chunk; whether more wait. */
    const work: CpuTurn.Sliced = {
      step: () => {
        const chunk = waiting.shift()
        if (sink === undefined || chunk === undefined) return false
        waitingSize -= chunk.byteLength
        const refused = sink.write(chunk)
        if (refused !== undefined) {
          fail(refused)
          return false
        }
        if (paused && waitingSize <= RESUME_AT) {
          paused = false
          readable.resume!()
        }
        if (waiting.length > 0) return true
        if (ended) finish()
        return false
      }
    }
    function onData(chunk: Uint8Array | string) {
      if (sink === undefined) return
      const bytes = typeof chunk === "string" ? Buffer.from(chunk, "utf8") : chunk
      size += bytes.byteLength
      if (size > maxBytes) return fail(options.tooLarge())
      if (paced) {
        waiting.push(bytes)
        waitingSize += bytes.byteLength
        if (waitingSize > PAUSE_AT && !paused) {
          paused = true
          readable.pause!()
        }
        return CpuTurn.slice(work)
      }
      const refused = sink.write(bytes)
      if (refused !== undefined) fail(refused)
    }
    function onEnd() {
      if (sink === undefined || ended) return
      ended = true
      if (waiting.length === 0) finish()
    }
    function onError(cause: unknown) {
      // After its end, a paced read has every byte: only its sink is still at work.
      if (!ended) fail(options.transport(cause))
    }
    function onClose() {
      onError(new Error("the connection closed before the body ended"))
    }
    readable.on("data", onData)
    readable.on("end", onEnd)
    readable.on("error", onError)
    readable.on("close", onClose)
    // Interrupted (the deadline, or the caller): stop reading and abort the exchange, as the platform does.
    return Effect.sync(() => {
      if (sink !== undefined) stop()
    })
  })
