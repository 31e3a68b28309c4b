/**
 * A hand-off between `JsonBody.parseBytes` and `DataUrl` for multi-megabyte base64 `data:` URLs.
 *
 * `JsonBody.parseBytes` cuts large strings out of the body bytes as external one-byte strings. Node decodes base64
 * from such a string in place, but a *slice* of one (the payload after the comma) goes through a slow copy: on
 * a 27 MB 4K answer, `Buffer.from(url.slice(comma + 1), "base64")` took ~40 ms more than decoding an external
 * string of the payload alone. So for a large base64 `data:` URL the parser builds the payload as its own
 * external string, returns `header + payload` (a rope: no copy of the payload), and remembers both parts here;
 * `DataUrl.isDataUrl` and `DataUrl.parse` of that same string find them without touching its characters (which
 * would flatten the rope into one more 27 MB copy) and decode the payload directly.
 *
 * Entries live until `DataUrl.parse` takes them or the next macrotask (a `setImmediate` clears them), whichever
 * comes first; a miss only means the slower path. Any other use of the string is still correct: V8 flattens the rope on first access.
 *
 * @since 0.1.0
 * @internal
 */

/** @internal */
export interface Parts {
  /** `data:…;base64` (without the comma). */
  readonly header: string
  readonly payload: string
}

interface Entry extends Parts {
  readonly url: string
}

const entries: Array<Entry> = []
let clearing = false

const clear = () => {
  entries.length = 0
  clearing = false
}

/** @internal */
export const remember = (url: string, parts: Parts): void => {
  if (entries.length >= 64) entries.shift()
  entries.push({ url, ...parts })
  if (!clearing) {
    clearing = true
    setImmediate(clear)
  }
}

/**
 * The parts of `url` when the parser just built it (`consume`: and forget them). Strings are compared by length
 * first, then with `===` (for the very same string, V8 compares references).
 *
 * @internal
 */
export const lookup = (url: string, consume = false): Parts | undefined => {
  for (let i = entries.length - 1; i >= 0; i--) {
    const entry = entries[i]!
    if (entry.url.length === url.length && entry.url === url) {
      if (consume) entries.splice(i, 1)
      return entry
    }
  }
  return undefined
}
