import { concatBytes, u64BigEndian } from "./canonical/writer.ts"

/**
 * Signed message formats and BLS domains (consensus.md §3.13). The filter is empty for the global
 * committee and the app shard address otherwise.
 */

const ascii = (text: string): Uint8Array => new TextEncoder().encode(text)

/** `MakeVoteMessage(filter, rank, id) = filter ‖ id ‖ u64_be(rank)`. */
export const makeVoteMessage = (filter: Uint8Array, rank: bigint, selector: Uint8Array): Uint8Array => concatBytes(filter, selector, u64BigEndian(rank))

/** `MakeTimeoutMessage(filter, rank, qcRank) = filter ‖ u64_be(rank) ‖ u64_be(qcRank)`. */
export const makeTimeoutMessage = (filter: Uint8Array, rank: bigint, newestQcRank: bigint): Uint8Array =>
  concatBytes(filter, u64BigEndian(rank), u64BigEndian(newestQcRank))

/** Vote domain: "global" for the global committee, "appshard" ‖ address for a shard. */
export const voteDomain = (filter: Uint8Array): Uint8Array => (filter.length === 0 ? ascii("global") : concatBytes(ascii("appshard"), filter))

/** Timeout domain: "globaltimeout", or "appshardtimeout" ‖ address. */
export const timeoutDomain = (filter: Uint8Array): Uint8Array => (filter.length === 0 ? ascii("globaltimeout") : concatBytes(ascii("appshardtimeout"), filter))

/** The leader's VDF-time signature on a global header (later overwritten, §1.4): challenge ‖ output, domain "global". */
export const globalProverSignatureMessage = (challenge: Uint8Array, output: Uint8Array): Uint8Array => concatBytes(challenge, output)

export const GLOBAL_PROVER_SIGNATURE_DOMAIN: Uint8Array = ascii("global")

/** Liveness-check domain: "PROVER_LIVENESS" ‖ filter. */
export const livenessDomain = (filter: Uint8Array): Uint8Array => concatBytes(ascii("PROVER_LIVENESS"), filter)

/** Proof-of-possession domain (the PoP signs the public key itself). */
export const PROOF_OF_POSSESSION_DOMAIN: Uint8Array = ascii("BLS48_POP_SK")
