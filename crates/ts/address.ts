// Prover address = Poseidon HashBytes of the BLS48-581 public key bytes (consensus.md), 32 bytes.
import { poseidonHashBytes } from "./poseidon.ts"

/** Length of a compressed BLS48-581 G2 public key. */
const BLS_PUBLIC_KEY_BYTES = 585

export const proverAddress = (blsPublicKey: Uint8Array): Uint8Array => {
  if (blsPublicKey.length !== BLS_PUBLIC_KEY_BYTES) {
    throw new RangeError(`BLS48-581 public key must be ${BLS_PUBLIC_KEY_BYTES} bytes, got ${blsPublicKey.length}`)
  }
  return poseidonHashBytes(blsPublicKey)
}
