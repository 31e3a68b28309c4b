/**
 * Removing credentials from upstream-derived text: error pages and snippets, parse errors, messages, the raw
 * error body kept in metadata. One scrubber knows every form a declared credential can take on the way back: the
 * raw value, the token after any auth scheme (`Bearer`, `Key`, `Token`, …), the `user:key` pair and the key inside
 * `Basic` base64, the URL-encoded forms (a `?key=` query echoed back), and the base64 and base64url encodings of
 * each (at any offset inside a longer base64 text).
 *
 * @since 0.2.0
 */
import * as Redacted from "effect/Redacted"

/**
 * Replaces every form of the declared credentials in a text with `<redacted>`.
 *
 * @since 0.2.0
 * @category Models
 */
export type Scrubber = (text: string) => string

/** Credentials shorter than this are not scrubbed (they would match ordinary text). */
const MIN_LENGTH = 6
const MIN_BASE64_CORE = 8

/** The base64 texts that any base64 encoding of a text containing `secret` contains, whatever its offset. */
const base64Cores = (secret: string): ReadonlyArray<string> => {
  const bytes = Buffer.from(secret, "utf8")
  const cores: Array<string> = []
  for (let offset = 0; offset < 3; offset++) {
    const padded = Buffer.concat([Buffer.alloc(offset), bytes])
    const encoded = padded.toString("base64")
    // Keep the 4-character groups made only of the secret's bytes: those appear whatever precedes or follows.
    const first = offset === 0 ? 0 : 1
    const last = Math.floor(padded.length / 3)
    const core = encoded.slice(first * 4, last * 4)
    if (core.length >= MIN_BASE64_CORE) cores.push(core)
  }
  return cores
}

const AUTH_SCHEME = /^\s*([A-Za-z][A-Za-z0-9._-]*)\s+(\S.*?)\s*$/

/**
 * Every form of one credential value worth looking for (raw, after an auth scheme, inside `Basic`, URL-encoded,
 * base64 and base64url), longest first.
 *
 * @example
 * ```ts
 * import { Scrub } from "@nanogen/core"
 * Scrub.forms("Bearer sk-or-v1-abc123").includes("sk-or-v1-abc123") // true
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const forms = (value: string): ReadonlyArray<string> => {
  const raw = new Set<string>([value.trim()])
  const scheme = AUTH_SCHEME.exec(value)
  if (scheme !== null) {
    const token = scheme[2]!
    raw.add(token)
    if (scheme[1]!.toLowerCase() === "basic") {
      const decoded = Buffer.from(token, "base64").toString("utf8")
      const colon = decoded.indexOf(":")
      if (colon !== -1) {
        raw.add(decoded)
        raw.add(decoded.slice(colon + 1))
      }
    }
  }
  const found = new Set<string>()
  for (const secret of raw) {
    if (secret.length < MIN_LENGTH) continue
    found.add(secret)
    const encoded = encodeURIComponent(secret)
    found.add(encoded)
    found.add(encoded.toLowerCase().replace(/%[0-9a-f]{2}/g, (escape) => escape.toUpperCase()))
    found.add(encoded.replace(/%[0-9A-F]{2}/g, (escape) => escape.toLowerCase()))
    for (const core of base64Cores(secret)) {
      found.add(core)
      found.add(core.replace(/\+/g, "-").replace(/\//g, "_"))
    }
  }
  return [...found].filter((form) => form.length >= MIN_LENGTH).sort((a, b) => b.length - a.length)
}

/**
 * A scrubber for the given credentials (revealed only to compute their forms; the values are not kept anywhere
 * else).
 *
 * @example
 * ```ts
 * import { Redacted } from "effect"
 * import { Scrub } from "@nanogen/core"
 * const scrub = Scrub.make([Redacted.make("Key fal-secret-123")])
 * scrub("upstream said: invalid key fal-secret-123") // "upstream said: invalid key <redacted>"
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const make = (credentials: Iterable<string | Redacted.Redacted<string>>): Scrubber => {
  const all = new Set<string>()
  for (const credential of credentials) {
    for (const form of forms(Redacted.isRedacted(credential) ? Redacted.value(credential) : credential)) all.add(form)
  }
  const sorted = [...all].sort((a, b) => b.length - a.length)
  if (sorted.length === 0) return (text) => text
  return (text) => {
    let out = text
    for (const form of sorted) {
      if (out.includes(form)) out = out.split(form).join("<redacted>")
    }
    return out
  }
}

/** Strings longer than this are left alone by `json` (image payloads). */
const MAX_SCRUBBED_STRING = 1024 * 1024

/**
 * Scrubs every string (keys and values) of a parsed JSON value in place, and returns it.
 * Strings over 1 MiB (image payloads) are left as they are.
 *
 * @example
 * ```ts
 * import { Scrub } from "@nanogen/core"
 * const scrub = Scrub.make(["sk-secret-123"])
 * Scrub.json(scrub, { error: { message: "bad key sk-secret-123" } }) // { error: { message: "bad key <redacted>" } }
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const json = (scrub: Scrubber, value: unknown): unknown => {
  // An explicit stack, not recursion: an upstream body may nest deeper than the call stack.
  const root = { value }
  const stack: Array<[Record<string, unknown> | Array<unknown>, string | number]> = [[root, "value"]]
  while (stack.length > 0) {
    const [holder, key] = stack.pop()!
    const item = (holder as Record<string | number, unknown>)[key]
    if (typeof item === "string") {
      if (item.length <= MAX_SCRUBBED_STRING) {
        const scrubbed = scrub(item)
        if (scrubbed !== item) (holder as Record<string | number, unknown>)[key] = scrubbed
      }
    } else if (Array.isArray(item)) {
      for (let i = 0; i < item.length; i++) stack.push([item, i])
    } else if (typeof item === "object" && item !== null && isPlainObject(item)) {
      const record = item as Record<string, unknown>
      for (const name of Object.keys(record)) {
        const scrubbedName = scrub(name)
        if (scrubbedName !== name) {
          record[scrubbedName] = record[name]
          delete record[name]
        }
        stack.push([record, scrubbedName])
      }
    }
  }
  return root.value
}

/** Only JSON's own objects are walked (not decoded images, typed arrays or class instances). */
const isPlainObject = (value: object): boolean => {
  const prototype = Object.getPrototypeOf(value)
  return prototype === Object.prototype || prototype === null
}

/**
 * The same error with a scrubbed `message` (rebuilt with its own constructor, so the stack is rebuilt too), or the
 * error itself when nothing needed scrubbing.
 *
 * @example
 * ```ts
 * import { ImageGenerationError, Scrub } from "@nanogen/core"
 * const scrub = Scrub.make(["sk-secret-123"])
 * const error = new ImageGenerationError.ProviderUnavailable({ provider: "p", message: "echo sk-secret-123" })
 * Scrub.error(scrub, error).message // "echo <redacted>"
 * ```
 * @since 0.2.0
 * @category Constructors
 */
export const error = <E extends { readonly message: string }>(scrub: Scrubber, error: E): E => {
  const message = scrub(error.message)
  if (message === error.message) return error
  const fields: Record<string, unknown> = {}
  for (const key of Object.keys(error)) {
    if (key !== "_tag") fields[key] = (error as Record<string, unknown>)[key]
  }
  const cause = (error as { readonly cause?: unknown }).cause
  if (cause !== undefined) fields.cause = cause
  const Constructor = error.constructor as new(fields: Record<string, unknown>) => E
  return new Constructor({ ...fields, message })
}
