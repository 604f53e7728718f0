/**
 * iden3 `poseidon.HashBytes` (consensus.md §0): bytes in, 32-byte big-endian digest out. Injected rather
 * than imported so this pure layer does not depend on which Poseidon module (crates/ts/poseidon.ts) the
 * node wires in; tests pass the same function the node uses.
 */
export type PoseidonHash = (data: Uint8Array) => Uint8Array

/** The digest as a big integer (the reference works on `*big.Int` before reducing mod n). */
export const digestToBigInt = (digest: Uint8Array): bigint => {
  let value = 0n
  for (const byte of digest) value = (value << 8n) | BigInt(byte)
  return value
}
