// The L1 half of a shard key (spec §3.3, `utils/p2p/bloom_utils.go` GetBloomFilterIndices(data, 256, 3)).
// A copy of intrinsics/hypergraph/bloom.ts's function: the execution layer may not import an
// intrinsic (dependency rules), and this is all it needs. Same vectors, same test file layout.
import { shake256 } from "@noble/hashes/sha3.js"

const BLOOM_K = 3

/**
 * `000000` for addresses outside the field (`data[0] > 0x3f`, the reserved `0xff…` ones) and for 32
 * zero bytes; otherwise the first 3 distinct bytes of SHAKE256(data), sorted ascending.
 */
export const bloomIndices = (data: Uint8Array): Uint8Array => {
  if ((data[0] ?? 0) > 0x3f || (data.length === 32 && data.every((b) => b === 0))) return new Uint8Array(BLOOM_K)
  // SHAKE256 is an XOF: a longer output extends a shorter one, so reading more is safe.
  for (let length = 32; ; length *= 2) {
    const seen: Array<number> = []
    for (const b of shake256(data, { dkLen: length })) {
      if (!seen.includes(b)) seen.push(b)
      if (seen.length === BLOOM_K) return Uint8Array.from(seen.sort((a, b) => a - b))
    }
  }
}
