// Key → path: arity 64, so keys are read in 6-bit nibbles, most significant bit first, crossing
// byte boundaries (execution spec §3.4, the reference's getNextNibble / GetFullPath).

/** Bits per nibble (log2 of the arity). */
export const NIBBLE_BITS = 6
/** Children per branch. */
export const ARITY = 64

/**
 * The nibble starting at bit `bitPos` of `key`: the remaining bits of the current byte, then the
 * top bits of the next one (zero past the end of the key); −1 once `bitPos` is past the last byte.
 */
export const nextNibble = (key: Uint8Array, bitPos: number): number => {
  const byte = bitPos >> 3
  if (byte >= key.length) return -1
  const have = 8 - (bitPos & 7)
  const current = key[byte]! & ((1 << have) - 1)
  if (have >= NIBBLE_BITS) return (current >> (have - NIBBLE_BITS)) & (ARITY - 1)
  const need = NIBBLE_BITS - have
  const next = byte + 1 < key.length ? key[byte + 1]! >> (8 - need) : 0
  return ((current << need) | next) & (ARITY - 1)
}

/** Every nibble of the key (32 bytes → 43 nibbles, 64 bytes → 86). */
export const fullPath = (key: Uint8Array): Array<number> => {
  const out: Array<number> = []
  for (let pos = 0; ; pos += NIBBLE_BITS) {
    const n = nextNibble(key, pos)
    if (n < 0) return out
    out.push(n)
  }
}
