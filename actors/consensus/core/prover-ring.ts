import { Option } from "effect"
import { concatBytes, u64BigEndian } from "./canonical/writer.ts"
import { compareBytes } from "./messages/fields.ts"
import type { PoseidonHash } from "../../../crates/ts/services.ts"
import { digestToBigInt } from "./poseidon.ts"
import { bitmaskIndices, bitmaskLength } from "./signer-bitmask.ts"

/**
 * Pure committee logic over the active provers of one filter (consensus.md §3.7, §3.9, §3.11, §8.4–8.5).
 * The prover registry actor supplies the provers; everything here is a function of that snapshot.
 */

export interface ActiveProver {
  /** poseidon(public key), 32 bytes. */
  readonly address: Uint8Array
  /** BLS48-581 G2 public key, 585 bytes. */
  readonly publicKey: Uint8Array
  /** Vote weight (u64). 0 on every non-mainnet network. */
  readonly seniority: bigint
}

const U64_MASK = (1n << 64n) - 1n

/** The committee order: lexicographic by address (`GetActiveProvers`). Returns a new array. */
export const sortByAddress = <P extends { readonly address: Uint8Array }>(provers: ReadonlyArray<P>): Array<P> =>
  [...provers].sort((a, b) => compareBytes(a.address, b.address))

export const indexOfAddress = (sorted: ReadonlyArray<{ readonly address: Uint8Array }>, address: Uint8Array): Option.Option<number> => {
  const i = sorted.findIndex((p) => compareBytes(p.address, address) === 0)
  return i < 0 ? Option.none() : Option.some(i)
}

/** Σ seniority with the reference's uint64 wrap-around. */
export const totalSeniority = (provers: ReadonlyArray<ActiveProver>): bigint => {
  let total = 0n
  for (const p of provers) total = (total + p.seniority) & U64_MASK
  return total
}

/**
 * Quorum (and timeout) threshold = ⌊2·Σseniority/3⌋; the global engine writes it ⌊4·Σ/6⌋, which is the
 * same number unless the uint64 product wraps, so each engine's form is kept (DECISIONS.md D-RING-1).
 */
export const appQuorumThreshold = (provers: ReadonlyArray<ActiveProver>): bigint => ((totalSeniority(provers) * 2n) & U64_MASK) / 3n
export const globalQuorumThreshold = (provers: ReadonlyArray<ActiveProver>): bigint => ((totalSeniority(provers) * 4n) & U64_MASK) / 6n

export const quorumThreshold = (filter: Uint8Array, provers: ReadonlyArray<ActiveProver>): bigint =>
  filter.length === 0 ? globalQuorumThreshold(provers) : appQuorumThreshold(provers)

/**
 * A signer set forms a quorum when its summed seniority is **≥** the threshold (the vote collector
 * builds the QC "once total ≥ threshold", and QC validation requires "≥ the threshold"), and — a quilbun
 * addition, DECISIONS.md D-RING-2 — it has at least one signer, so a zero-seniority committee (threshold 0)
 * cannot accept an empty bitmask.
 */
export const meetsQuorum = (signerWeight: bigint, signerCount: number, threshold: bigint): boolean => signerCount > 0 && signerWeight >= threshold

export type BitmaskWeightError =
  | { readonly _tag: "BitmaskTooShort"; readonly length: number; readonly required: number }
  | { readonly _tag: "BitmaskIndexOutOfRange"; readonly index: number; readonly committeeSize: number }

/**
 * Summed seniority of the bitmask's signers, after the validator's length rule (bitmask ≥ ⌈n/8⌉ bytes).
 * A set bit at or beyond n names no prover and is rejected.
 */
export const bitmaskSigners = (
  sorted: ReadonlyArray<ActiveProver>,
  bitmask: Uint8Array,
): { readonly _tag: "Ok"; readonly signers: Array<ActiveProver>; readonly weight: bigint } | BitmaskWeightError => {
  const required = bitmaskLength(sorted.length)
  if (bitmask.length < required) return { _tag: "BitmaskTooShort", length: bitmask.length, required }
  const signers: Array<ActiveProver> = []
  let weight = 0n
  for (const index of bitmaskIndices(bitmask)) {
    const prover = sorted[index]
    if (prover === undefined) return { _tag: "BitmaskIndexOutOfRange", index, committeeSize: sorted.length }
    signers.push(prover)
    weight = (weight + prover.seniority) & U64_MASK
  }
  return { _tag: "Ok", signers, weight }
}

/** `poseidon(u64_be(rank)) mod n`: index of the global leader in the address-sorted list (§3.11). */
export const globalLeaderIndex = (poseidon: PoseidonHash, rank: bigint, committeeSize: number): Option.Option<number> =>
  committeeSize <= 0 ? Option.none() : Option.some(Number(digestToBigInt(poseidon(u64BigEndian(rank))) % BigInt(committeeSize)))

/** `poseidon(appAddress ‖ u64_be(rank)) mod n`: index of the shard leader. */
export const appLeaderIndex = (poseidon: PoseidonHash, appAddress: Uint8Array, rank: bigint, committeeSize: number): Option.Option<number> =>
  committeeSize <= 0 ? Option.none() : Option.some(Number(digestToBigInt(poseidon(concatBytes(appAddress, u64BigEndian(rank)))) % BigInt(committeeSize)))

/** "Nobody leads": the app leader when the shard cannot have one. */
export const NO_LEADER: Uint8Array = new Uint8Array(32)

/** On mainnet a shard needs at least this many active provers to have a leader. */
const MAINNET_APP_MIN_PROVERS_FOR_LEADER = 3

export const globalLeader = (poseidon: PoseidonHash, sorted: ReadonlyArray<ActiveProver>, rank: bigint): Option.Option<Uint8Array> =>
  Option.flatMap(globalLeaderIndex(poseidon, rank, sorted.length), (i) => Option.fromNullable(sorted[i]?.address))

/** App leader address; 32 zero bytes when n = 0 or (mainnet and n < 3), as the reference does. */
export const appLeader = (poseidon: PoseidonHash, network: number, appAddress: Uint8Array, sorted: ReadonlyArray<ActiveProver>, rank: bigint): Uint8Array => {
  if (sorted.length === 0 || (network === 0 && sorted.length < MAINNET_APP_MIN_PROVERS_FOR_LEADER)) return NO_LEADER
  return Option.match(appLeaderIndex(poseidon, appAddress, rank, sorted.length), {
    onNone: () => NO_LEADER,
    onSome: (i) => sorted[i]?.address ?? NO_LEADER,
  })
}

/** Leader for a committee: global when the filter is empty, app otherwise (none when nobody leads). */
export const leaderForRank = (
  poseidon: PoseidonHash,
  network: number,
  filter: Uint8Array,
  sorted: ReadonlyArray<ActiveProver>,
  rank: bigint,
): Option.Option<Uint8Array> => {
  if (filter.length === 0) return globalLeader(poseidon, sorted, rank)
  const leader = appLeader(poseidon, network, filter, sorted, rank)
  return compareBytes(leader, NO_LEADER) === 0 ? Option.none() : Option.some(leader)
}
