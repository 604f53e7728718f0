// Shard addressing (spec §3.3): the shard key `{L1, L2}` of an app, the 6-bit nibble path of a
// key in the arity-64 trie (§3.4), and the sub-shard an atom falls in.
import { bloomFilterIndices } from "./bloom.ts"

export interface ShardKey {
  /** `GetBloomFilterIndices(L2, 256, 3)`. */
  readonly l1: Uint8Array
  /** The app address. */
  readonly l2: Uint8Array
}

export const shardKeyOf = (appAddress: Uint8Array): ShardKey => ({ l1: bloomFilterIndices(appAddress), l2: appAddress.slice() })

/**
 * `GetFullPath(key)`: every 6-bit nibble, MSB-first across bytes; the last nibble's missing bits
 * are zero (32 bytes → 43 nibbles, 64 → 86).
 */
export const fullPath = (key: Uint8Array): Array<number> => {
  const bits = key.length * 8
  const out: Array<number> = []
  for (let at = 0; at < bits; at += 6) {
    let nibble = 0
    for (let b = 0; b < 6; b++) {
      const bit = at + b
      const value = bit < bits ? ((key[bit >> 3] ?? 0) >> (7 - (bit & 7))) & 1 : 0
      nibble = (nibble << 1) | value
    }
    out.push(nibble)
  }
  return out
}

/**
 * The sub-shard of an atom: nibble 43 of `app ‖ data`, the low six bits of `dataAddress[0]`.
 * Undefined for data addresses whose top two bits are not `00` (the reserved `0xff…` addresses):
 * `GetFullPath(L2) ‖ path` pads those bits with zeros, so such atoms lie outside every sub-shard.
 */
export const subShardOf = (dataAddress: Uint8Array): number | undefined => {
  const first = dataAddress[0] ?? 0
  return first >> 6 === 0 ? first & 0x3f : undefined
}

/** Shard address / filter `L2 ‖ path`, each path byte a nibble index 0–63. */
export const shardAddress = (l2: Uint8Array, path: ReadonlyArray<number>): Uint8Array => {
  if (path.some((n) => !Number.isInteger(n) || n < 0 || n > 63)) throw new RangeError("a shard path is nibble indices 0-63")
  const out = new Uint8Array(l2.length + path.length)
  out.set(l2, 0)
  out.set(path, l2.length)
  return out
}
