/**
 * Thought signatures the emulator can verify: `base64(nonce ‖ HMAC-SHA256(secret, model ‖ nonce ‖ part))`, so a
 * replayed model turn is accepted only with the signature issued for that very part of that model's answer.
 *
 * @internal
 */
import { createHmac, randomBytes, timingSafeEqual } from "node:crypto"
import { isRecord } from "./references.js"

const NONCE = 24
const MAC = 32

const pick = (record: Record<string, unknown>, camel: string, snake: string): unknown => record[camel] ?? record[snake]

/** The signed content of a part: its image (MIME type and data) or its text. */
const content = (part: Record<string, unknown>): string => {
  const inline = pick(part, "inlineData", "inline_data")
  if (isRecord(inline)) {
    return `image\u0000${String(pick(inline, "mimeType", "mime_type"))}\u0000${String(inline.data)}`
  }
  if (typeof part.text === "string") return `text\u0000${part.text}`
  const { thoughtSignature: _a, thought_signature: _b, ...rest } = part
  return `other\u0000${JSON.stringify(rest)}`
}

/** @internal */
export class Signatures {
  constructor(private readonly secret: Buffer = randomBytes(32)) {}

  private mac(model: string, nonce: Buffer, part: Record<string, unknown>): Buffer {
    return createHmac("sha256", this.secret).update(model).update("\u0000").update(nonce).update(content(part))
      .digest()
  }

  /** A signature for `part` (without its signature field) of an answer of `model`. */
  issue(model: string, part: Record<string, unknown>): string {
    const nonce = randomBytes(NONCE)
    return Buffer.concat([nonce, this.mac(model, nonce, part)]).toString("base64")
  }

  /** Whether `signature` was issued by this emulator for exactly this part of an answer of `model`. */
  verify(model: string, part: Record<string, unknown>, signature: unknown): boolean {
    if (typeof signature !== "string") return false
    const raw = Buffer.from(signature, "base64")
    if (raw.length !== NONCE + MAC || raw.toString("base64") !== signature) return false
    const expected = this.mac(model, raw.subarray(0, NONCE), part)
    return timingSafeEqual(expected, raw.subarray(NONCE))
  }
}
