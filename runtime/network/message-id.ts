// Pubsub message ids (node.md §4.3, §9.8). Both reference forms exist; the form is chosen per
// network and recorded in DECISIONS.md. Peers exchanging IHAVE/IWANT must use the same form.
import { createHash } from "node:crypto"

export type MessageIdForm =
  /** bare 32-byte SHA-256 of the data: the Go node's override (quilbun's default) */
  | "sha256"
  /** 0x01 ‖ SHA-256(data), 33 bytes: the Go library default and the Rust rewrite */
  | "prefixed-sha256"

export const DEFAULT_MESSAGE_ID_FORM: MessageIdForm = "sha256"

const PREFIX = 0x01

export const messageId = (data: Uint8Array, form: MessageIdForm = DEFAULT_MESSAGE_ID_FORM): Uint8Array => {
  // Bun's native SHA-256: the router hashes every message it sees, and the pure-JS hash costs
  // ~100 µs per KiB here.
  const digest = new Uint8Array(createHash("sha256").update(data).digest())
  if (form === "sha256") return digest
  const out = new Uint8Array(1 + digest.length)
  out[0] = PREFIX
  out.set(digest, 1)
  return out
}
