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

/**
 * The committee could not be answered for that frame: the registry has not applied it yet
 * (`not-yet-applied`; it answers once its cursor reaches it), or its history starts later (`before-history`).
 */
export class CommitteeUnknown extends Schema.TaggedError<CommitteeUnknown>()("CommitteeUnknown", {
  frameNumber: Schema.BigIntFromSelf,
  reason: Schema.Literal("not-yet-applied", "before-history"),
  /** The newest committed global frame the registry has applied. */
  appliedThrough: Schema.BigIntFromSelf,
}) {}

/**
 * The committee of `filter` as of committed global frame `frameNumber` (D-REG-8): the active set after that
 * frame's lifecycle requests and eviction, sorted by address. The same answer on every node, before and
 * after a restart.
 */
export class CommitteeAt extends Schema.TaggedRequest<CommitteeAt>()("CommitteeAt", {
  payload: { filter: Bytes, frameNumber: Schema.BigIntFromSelf },
  success: Schema.Array(ActiveProverInfo),
  failure: CommitteeUnknown,
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

/**
 * Committed global frames up to `upTo` may carry shard updates to pay (§4.5 step 3): the registry credits
 * every frame after the last one it credited, reading them from its RewardFeed (so a dropped or repeated
 * note changes nothing).
 */
export class CreditCommitted extends Schema.TaggedClass<CreditCommitted>()("CreditCommitted", {
  upTo: Schema.BigIntFromSelf,
}) {}

export const ProverSummary = Schema.Struct({
  record: ProverRecord,
  /** Earned and not yet minted, raw units (8e9 per QUIL). */
  reward: Schema.BigIntFromSelf,
  /** Per allocation (same order): the prover's ring among its filter's active provers (§8.5), null when not active. */
  rings: Schema.Array(Schema.NullOr(Schema.Number)),
})
export type ProverSummary = typeof ProverSummary.Type

/** Every prover the registry knows, sorted by address, with its reward balance and rings. */
export class ListProvers extends Schema.TaggedRequest<ListProvers>()("ListProvers", {
  payload: {},
  success: Schema.Array(ProverSummary),
  failure: Schema.Never,
}) {}

/** One prover with its reward balance and rings, or null when unknown. */
export class ProverDetail extends Schema.TaggedRequest<ProverDetail>()("ProverDetail", {
  payload: { address: Bytes },
  success: Schema.NullOr(ProverSummary),
  failure: Schema.Never,
}) {}

const RewardProgress = Schema.Struct({
  /** The last committed global frame whose shard updates are paid (0: none yet). */
  creditedThrough: Schema.BigIntFromSelf,
  /** Whether this registry has a RewardFeed (the master's); without one nothing is paid. */
  paying: Schema.Boolean,
})

export class GetRewardProgress extends Schema.TaggedRequest<GetRewardProgress>()("GetRewardProgress", {
  payload: {},
  success: RewardProgress,
  failure: Schema.Never,
}) {}

/**
 * Would this lifecycle operation apply if the next committed frame (`frameNumber`) carried it? The same step
 * as at a committed frame (D-REG-7), over the records as applied so far, with nothing written: `refusal` is
 * the step's reason, or null. A registry without the verifiers answers `unchecked` (the caller decides).
 */
export class CheckLifecycle extends Schema.TaggedRequest<CheckLifecycle>()("CheckLifecycle", {
  payload: { operation: Bytes, frameNumber: Schema.BigIntFromSelf },
  success: Schema.Struct({ refusal: Schema.NullOr(Schema.String), unchecked: Schema.Boolean, appliedThrough: Schema.BigIntFromSelf }),
  failure: Schema.Never,
}) {}

export const ProverRegistryProtocol = Protocol.make(
  "ProverRegistry",
  ActiveProvers,
  CommitteeAt,
  Leader,
  Threshold,
  ProverInfo,
  CreditCommitted,
  ListProvers,
  ProverDetail,
  GetRewardProgress,
  CheckLifecycle,
)
export type ProverRegistryMessage =
  | ActiveProvers
  | CommitteeAt
  | Leader
  | Threshold
  | ProverInfo
  | CreditCommitted
  | ListProvers
  | ProverDetail
  | GetRewardProgress
  | CheckLifecycle
