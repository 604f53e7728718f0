// Bloom routing of an app address (spec §3.3, `utils/p2p/bloom_utils.go`): the L1 indices that
// name the three global trees an app shard folds into, and the 256-bit pubsub bitmask. Pure
// functions over @noble/hashes; vectors in test/vectors/hypergraph.json.
import { sha3_256, shake256 } from "@noble/hashes/sha3.js"

const BLOOM_BITS = 256
const BLOOM_K = 3

const isZero32 = (data: Uint8Array): boolean => data.length === 32 && data.every((b) => b === 0)

/**
 * `GetBloomFilterIndices(data, 256, 3)`: `000000` for addresses outside the field (`data[0] > 0x3f`,
 * the reserved `0xff…` ones) and for 32 zero bytes; otherwise the first 3 distinct bytes of
 * SHAKE256(data), sorted ascending.
 */
export const bloomFilterIndices = (data: Uint8Array): Uint8Array => {
  if ((data[0] ?? 0) > 0x3f || isZero32(data)) return new Uint8Array(BLOOM_K)
  // SHAKE256 is an XOF: a longer output extends a shorter one, so reading more is safe.
  for (let length = 32; ; length *= 2) {
    const stream = shake256(data, { dkLen: length })
    const seen: Array<number> = []
    for (const b of stream) {
      if (!seen.includes(b)) seen.push(b)
      if (seen.length === BLOOM_K) return Uint8Array.from(seen.sort((a, b) => a - b))
    }
  }
}

/**
 * `GetBloomFilter(data, 256, 3)`: bit positions from SHA3-256(data) read as a big-endian integer,
 * position i assembled MSB-first from bits 8i…8i+7 (bit 0 = least significant); a collision
 * extends k. The 256-bit result as 32 bytes big-endian.
 */
export const bloomFilter = (data: Uint8Array): Uint8Array => {
  let d = 0n
  for (const b of sha3_256(data)) d = (d << 8n) | BigInt(b)
  const bit = (j: number): number => Number((d >> BigInt(j)) & 1n)
  const out = new Uint8Array(BLOOM_BITS / 8)
  let set = 0
  for (let i = 0; set < BLOOM_K && 8 * i + 7 < BLOOM_BITS; i++) {
    let position = 0
    for (let b = 0; b < 8; b++) position |= bit(8 * i + b) << (7 - b)
    const byte = out.length - 1 - (position >> 3)
    const mask = 1 << (position & 7)
    if (((out[byte] ?? 0) & mask) !== 0) continue
    out[byte] = (out[byte] ?? 0) | mask
    set++
  }
  return out
}
