/**
 * Signer bitmasks (consensus.md §0): bit i ↔ index i of the address-sorted active prover list, stored in
 * byte ⌊i/8⌋ at bit i mod 8, least-significant bit first. Length ⌈n/8⌉, capped at 32 bytes (≤ 256 signers).
 */
export const MAX_BITMASK_LENGTH = 32

export const bitmaskLength = (committeeSize: number): number => Math.min(Math.ceil(committeeSize / 8), MAX_BITMASK_LENGTH)

/** Builds a bitmask of `length` bytes (default ⌈n/8⌉) with the given indices set. */
export const makeSignerBitmask = (indices: Iterable<number>, committeeSize: number, length = bitmaskLength(committeeSize)): Uint8Array => {
  const mask = new Uint8Array(length)
  for (const i of indices) {
    if (!Number.isInteger(i) || i < 0 || i >= committeeSize || i >= length * 8) {
      throw new RangeError(`signer index ${i} outside committee of ${committeeSize} / bitmask of ${length} bytes`)
    }
    mask[i >> 3] = (mask[i >> 3] ?? 0) | (1 << (i & 7))
  }
  return mask
}

/** Indices of the set bits, ascending. */
export const bitmaskIndices = (mask: Uint8Array): Array<number> => {
  const out: Array<number> = []
  for (let byte = 0; byte < mask.length; byte++) {
    const value = mask[byte] ?? 0
    if (value === 0) continue
    for (let bit = 0; bit < 8; bit++) if ((value >> bit) & 1) out.push(byte * 8 + bit)
  }
  return out
}

export const isBitSet = (mask: Uint8Array, index: number): boolean => (((mask[index >> 3] ?? 0) >> (index & 7)) & 1) === 1
