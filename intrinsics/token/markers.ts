// Poseidon-derived names of the token (spec §0 idea 2, §2.4): class type markers
// `poseidon(domain ‖ "prefix:Class")` and spent markers `domain ‖ poseidon(VK)`.
import { bytesToHex, concatBytes } from "@noble/hashes/utils.js"
import { atomId } from "../contract/index.ts"
import { encodeRecord, fieldKey } from "./record.ts"

type Poseidon = (data: Uint8Array) => Uint8Array
const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

export const COIN_CLASS = "coin:Coin"
export const PENDING_CLASS = "pending:PendingTransaction"

// Every record read checks its type marker; a domain has two classes, so the markers are kept per Poseidon binding.
const markerCache = new WeakMap<Poseidon, Map<string, Uint8Array>>()

export const typeMarker = (poseidon: Poseidon, domain: Uint8Array, qualifiedClass: string): Uint8Array => {
  let cache = markerCache.get(poseidon)
  if (cache === undefined) {
    cache = new Map()
    markerCache.set(poseidon, cache)
  }
  const key = `${bytesToHex(domain)}/${qualifiedClass}`
  let marker = cache.get(key)
  if (marker === undefined) {
    marker = poseidon(concatBytes(domain, utf8(qualifiedClass)))
    // Domains come from operations; bound the cache so hostile domains cannot grow it without end.
    if (cache.size > 1024) cache.clear()
    cache.set(key, marker)
  }
  return marker.slice()
}

/** The spent marker of a verification key: vertex `domain ‖ poseidon(VK)`; its existence is the spent test. */
export const spentMarkerId = (poseidon: Poseidon, domain: Uint8Array, verificationKey: Uint8Array): Uint8Array => atomId(domain, poseidon(verificationKey))

/** A spent marker's stored bytes: the one-leaf tree `{0x00: 0x01}` (spec §2.4). */
export const SPENT_MARKER_RECORD: Uint8Array = encodeRecord([{ key: fieldKey(0), value: Uint8Array.of(1) }])
