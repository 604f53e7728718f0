import type { PoseidonHash } from "./poseidon.ts"

/**
 * Frame identity ("selector") = poseidon(header.output), 32 bytes (consensus.md §0). It is the QC's
 * selector and the child's parent_selector. (Prover addresses: crates/ts/address.ts `proverAddress`.)
 */
export const frameSelector = (poseidon: PoseidonHash, output: Uint8Array): Uint8Array => poseidon(output)
