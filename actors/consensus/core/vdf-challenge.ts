import { sha3_256 } from "@noble/hashes/sha3.js"
import { CanonicalWriter } from "./canonical/writer.ts"

/**
 * VDF challenge preimages (consensus.md §1.3). Each challenge is SHA3-256 of fixed-width big-endian
 * integers and raw (un-prefixed) fields, in exactly this order.
 */

export interface GlobalChallengeFields {
  readonly frameNumber: bigint
  readonly timestamp: bigint
  readonly difficulty: number
  readonly parentSelector: Uint8Array
  readonly globalCommitments: ReadonlyArray<Uint8Array>
  readonly proverTreeCommitment: Uint8Array
  readonly requestsRoot: Uint8Array
}

/** `u64 frame_number ‖ u64 timestamp ‖ u32 difficulty ‖ parent_selector ‖ commitment[0..255] ‖ prover_tree_commitment ‖ requests_root`. Rank and prover are not part of it. */
export const globalChallengePreimage = (h: GlobalChallengeFields): Uint8Array => {
  const w = new CanonicalWriter(20_000).u64(h.frameNumber).u64(BigInt.asUintN(64, h.timestamp)).u32(h.difficulty).raw(h.parentSelector)
  for (const c of h.globalCommitments) w.raw(c)
  return w.raw(h.proverTreeCommitment).raw(h.requestsRoot).finish()
}

export const globalChallenge = (h: GlobalChallengeFields): Uint8Array => sha3_256(globalChallengePreimage(h))

export interface AppChallengeFields {
  readonly address: Uint8Array
  readonly frameNumber: bigint
  readonly timestamp: bigint
  readonly difficulty: number
  readonly feeMultiplierVote: bigint
  readonly parentSelector: Uint8Array
  readonly requestsRoot: Uint8Array
  readonly stateRoots: ReadonlyArray<Uint8Array>
  readonly prover: Uint8Array
}

/** `address ‖ u64 frame_number ‖ u64 timestamp ‖ u32 difficulty ‖ u64 fee_multiplier_vote ‖ parent_selector ‖ requests_root ‖ state_root[0..3] ‖ prover`. */
export const appChallengePreimage = (h: AppChallengeFields): Uint8Array => {
  const w = new CanonicalWriter(1_024)
    .raw(h.address)
    .u64(h.frameNumber)
    .u64(BigInt.asUintN(64, h.timestamp))
    .u32(h.difficulty)
    .u64(h.feeMultiplierVote)
    .raw(h.parentSelector)
    .raw(h.requestsRoot)
  for (const root of h.stateRoots) w.raw(root)
  return w.raw(h.prover).finish()
}

export const appChallenge = (h: AppChallengeFields): Uint8Array => sha3_256(appChallengePreimage(h))

/** The engine's app-genesis VDF input: 516 zero bytes, fee 100 (§1.3). */
export const APP_GENESIS_INPUT: Uint8Array = new Uint8Array(516)
export const APP_GENESIS_FEE_MULTIPLIER = 100n

/** `input ‖ address ‖ u64 0 ‖ u64 0 ‖ u32 difficulty ‖ u64 fee ‖ 32 zero bytes`. */
export const appGenesisChallengePreimage = (
  address: Uint8Array,
  difficulty: number,
  input: Uint8Array = APP_GENESIS_INPUT,
  feeMultiplierVote: bigint = APP_GENESIS_FEE_MULTIPLIER,
): Uint8Array => new CanonicalWriter(1_024).raw(input).raw(address).u64(0n).u64(0n).u32(difficulty).u64(feeMultiplierVote).raw(new Uint8Array(32)).finish()

export const appGenesisChallenge = (address: Uint8Array, difficulty: number, input?: Uint8Array, feeMultiplierVote?: bigint): Uint8Array =>
  sha3_256(appGenesisChallengePreimage(address, difficulty, input, feeMultiplierVote))

/** Multiproof challenge for app votes and joins: SHA3-256 of a selector or frame output (§1.4, §4.6). */
export const multiproofChallenge = (bytes: Uint8Array): Uint8Array => sha3_256(bytes)
