// Messages of the prover-registry actor (/root/prover-registry). `filter` is empty for the global
// committee and the shard address for an app shard (consensus.md §0 "Filter").
import { Schema } from "effect"
import { Protocol } from "../../runtime/kernel/index.ts"
import { ProverRecord } from "./prover-record.ts"

const Bytes = Schema.Uint8ArrayFromSelf

export const ActiveProverInfo = Schema.Struct({
  address: Bytes,
  publicKey: Bytes,
  /** Vote weight. */
  seniority: Schema.BigIntFromSelf,
})
export type ActiveProverInfo = typeof ActiveProverInfo.Type

/** `GetActiveProvers(filter)`: the committee, sorted by address (the signer-bitmask order). */
export class ActiveProvers extends Schema.TaggedRequest<ActiveProvers>()("ActiveProvers", {
  payload: { filter: Bytes },
  success: Schema.Array(ActiveProverInfo),
  failure: Schema.Never,
}) {}

export const LeaderInfo = Schema.Struct({
  /** Null when nobody leads (empty committee; on mainnet also an app shard with < 3 provers). */
  address: Schema.NullOr(Bytes),
  /** Index in the address-sorted committee. */
  index: Schema.NullOr(Schema.Number),
  committeeSize: Schema.Number,
})
export type LeaderInfo = typeof LeaderInfo.Type

/** The leader of `rank` (`LeaderForRank`, §3.11). */
export class Leader extends Schema.TaggedRequest<Leader>()("Leader", {
  payload: { filter: Bytes, rank: Schema.BigIntFromSelf },
  success: LeaderInfo,
  failure: Schema.Never,
}) {}

export const ThresholdInfo = Schema.Struct({
  /** Quorum / timeout threshold in seniority (⌊2Σ/3⌋, global ⌊4Σ/6⌋ with uint64 wrap, §3.7). */
  threshold: Schema.BigIntFromSelf,
  totalSeniority: Schema.BigIntFromSelf,
  committeeSize: Schema.Number,
})
export type ThresholdInfo = typeof ThresholdInfo.Type

export class Threshold extends Schema.TaggedRequest<Threshold>()("Threshold", {
  payload: { filter: Bytes },
  success: ThresholdInfo,
  failure: Schema.Never,
}) {}

/** `GetProverInfo(address)`: the record, or null when unknown. */
export class ProverInfo extends Schema.TaggedRequest<ProverInfo>()("ProverInfo", {
  payload: { address: Bytes },
  success: Schema.NullOr(ProverRecord),
  failure: Schema.Never,
}) {}

export const ProverRegistryProtocol = Protocol.make("ProverRegistry", ActiveProvers, Leader, Threshold, ProverInfo)
export type ProverRegistryMessage = ActiveProvers | Leader | Threshold | ProverInfo
