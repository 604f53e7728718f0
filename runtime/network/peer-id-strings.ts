// Peer id strings of message originators, cached by multihash bytes.
//
// The router builds a fresh PeerId object for every received signed message, so its string form
// (base58btc, computed in JS) is not cached on the object: ~13 µs per message, more than the whole
// bitmask layer costs otherwise. Originators repeat, so the strings are kept in a bounded map keyed
// by the raw multihash bytes (a native latin1 conversion).
import type { PeerId } from "@libp2p/interface"

export class PeerIdStrings {
  private readonly strings = new Map<string, string>()

  constructor(private readonly maxEntries: number) {}

  of(peerId: PeerId): string {
    const bytes = peerId.toMultihash().bytes
    const key = Buffer.from(bytes.buffer, bytes.byteOffset, bytes.byteLength).toString("latin1")
    const known = this.strings.get(key)
    if (known !== undefined) return known
    const text = peerId.toString()
    // Bounded: the oldest entry goes first (a peer seen again is simply re-encoded once).
    if (this.strings.size >= this.maxEntries) {
      const oldest = this.strings.keys().next()
      if (oldest.done !== true) this.strings.delete(oldest.value)
    }
    this.strings.set(key, text)
    return text
  }

  get size(): number {
    return this.strings.size
  }
}
