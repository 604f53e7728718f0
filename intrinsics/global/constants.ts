// The global intrinsic's fixed numbers (consensus.md §0 prefix table, §8.1, §8.3; execution.md §5.1).
// One place, so the codecs, the checks, the builders and the README cannot disagree.

export const PROVER_JOIN = 0x0301
export const PROVER_LEAVE = 0x0302
export const PROVER_PAUSE = 0x0303
export const PROVER_RESUME = 0x0304
export const PROVER_CONFIRM = 0x0305
export const PROVER_REJECT = 0x0306
export const PROVER_UPDATE = 0x0308
/** A merge target inside a join (`SeniorityMerge`). */
export const SENIORITY_MERGE = 0x0310

/** Nested signature messages (consensus.md §0; the PoP form's prefix is the reference's 0x011A). */
export const BLS48581_G2_PUBLIC_KEY = 0x0117
export const BLS48581_SIGNATURE_WITH_POP = 0x011a
export const BLS48581_ADDRESSED_SIGNATURE = 0x011b

export const BLS_PUBLIC_KEY_BYTES = 585
export const BLS_SIGNATURE_BYTES = 74
export const ADDRESS_BYTES = 32
/** One worker's VDF multiproof blob, y ‖ π (crypto.md §2.4). */
export const VDF_PROOF_BYTES = 516

/** Decoder bounds, the reference's own (a filter is ≤ 64 bytes, ≤ 100 filters, ≤ 100 VDF proofs). */
export const MAX_FILTER_BYTES = 64
export const MIN_FILTER_BYTES = 32
export const MAX_FILTERS = 100
export const MAX_MERGE_TARGETS = 100
/** A merge target's key: up to an Ed448 / BLS key; its signature up to a BLS one with slack (reference: target ≤ 675 bytes). */
export const MAX_MERGE_KEY_BYTES = BLS_PUBLIC_KEY_BYTES
export const MAX_MERGE_SIGNATURE_BYTES = 114

/** The confirm/reject codecs still carry the deprecated `filter` field; the reference writes this constant. */
export const DEPRECATED_FILTER: Uint8Array = new TextEncoder().encode("reservedreservedreservedreserved")

/** Operation names of the signature domains `poseidon(0xff×32 ‖ name)` (§8.3). */
export const DOMAIN_NAMES = {
  [PROVER_JOIN]: "PROVER_JOIN",
  [PROVER_LEAVE]: "PROVER_LEAVE",
  [PROVER_PAUSE]: "PROVER_PAUSE",
  [PROVER_RESUME]: "PROVER_RESUME",
  [PROVER_CONFIRM]: "PROVER_CONFIRM",
  [PROVER_REJECT]: "PROVER_REJECT",
  [PROVER_UPDATE]: "PROVER_UPDATE",
} as const

/** The proof-of-possession domain: the key signs itself (consensus.md §0). */
export const POP_DOMAIN: Uint8Array = new TextEncoder().encode("BLS48_POP_SK")
