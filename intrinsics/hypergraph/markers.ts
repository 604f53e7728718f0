// Poseidon-derived names (spec §0 idea 2, §1.8, §3.2): type markers `poseidon(domain ‖ "prefix:Class")`,
// the CRDT set discriminators, base domains and instance addresses. Poseidon arrives as a function
// (ExecCtx.crypto / BuildEnv.crypto), so these stay pure and the host picks the implementation.

import { concatBytes } from "@noble/hashes/utils.js"

type Poseidon = (data: Uint8Array) => Uint8Array

const utf8 = (s: string): Uint8Array => new TextEncoder().encode(s)

/** `poseidon(ascii)`: base domains (`"q_hypergraph"`, `"q_token"`), QUIL (`"q_mainnet_token"`), discriminators. */
export const poseidonOfAscii = (poseidon: Poseidon, text: string): Uint8Array => poseidon(utf8(text))

/** The type marker of class `prefix:Class` in `domain`, stored at record key `0xff×32`. */
export const typeMarker = (poseidon: Poseidon, domain: Uint8Array, qualifiedClass: string): Uint8Array => poseidon(concatBytes(domain, utf8(qualifiedClass)))

/** `poseidon(domain ‖ "OP")`: the global intrinsic's signature domains (e.g. PROVER_JOIN). */
export const poseidonDomain = (poseidon: Poseidon, domain: Uint8Array, opName: string): Uint8Array => poseidon(concatBytes(domain, utf8(opName)))

/** The four 2P2P set discriminators (spec §3.2, values §9.3). */
export const SET_DISCRIMINATORS = ["vertex:adds", "vertex:removes", "hyperedge:adds", "hyperedge:removes"] as const

/** `poseidon(prefix ‖ configCommitment)`: a deployed instance's address (spec §1.8). */
export const instanceAddress = (poseidon: Poseidon, prefix: string, configCommitment: Uint8Array): Uint8Array =>
  poseidon(concatBytes(utf8(prefix), configCommitment))

/** Ed448 signature domain of a hypergraph write: `domain ‖ OPNAME` (spec §3.8). */
export const signatureDomain = (domain: Uint8Array, opName: string): Uint8Array => concatBytes(domain, utf8(opName))
