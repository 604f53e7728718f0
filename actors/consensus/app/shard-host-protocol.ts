// Messages of a data worker's shard host (/worker-<n>/app-shards): the master tells a worker which
// shards it covers (the reference's `Respawn(filter)`, consensus.md §4.6), hands it bundles for them,
// asks what became of a bundle and how each shard is doing, and asks for its part of a prover join's
// multiproof (the reference's `CreateJoinProof`). All Schema: they cross the worker link.
import { Schema } from "effect"
import { Protocol } from "../../../runtime/kernel/index.ts"

const Bytes = Schema.Uint8ArrayFromSelf
const U64 = Schema.BigIntFromSelf

/** What a worker needs to run a shard's consensus like every other covering node. */
export const ShardConsensusParams = Schema.Struct({
  /** p2p network id (99 = devnet). */
  network: Schema.Number,
  devnet: Schema.Boolean,
  /** A fixed VDF difficulty (devnets); absent = the network's adjuster. */
  difficulty: Schema.optional(Schema.Number),
  /** The master's measured critical path of one rank (devnet pacemaker sizing, rank-work-estimate.ts). */
  rankWorkMs: Schema.optional(Schema.Number),
})
export type ShardConsensusParams = typeof ShardConsensusParams.Type

/** Start (or keep) covering a shard: its engine resumes from this worker's store, then catches up. */
export class CoverShard extends Schema.TaggedRequest<CoverShard>()("CoverShard", {
  failure: Schema.Never,
  success: Schema.Struct({ address: Bytes, head: Schema.NullOr(U64) }),
  payload: {
    /** The shard address (32–64 bytes). */
    address: Bytes,
    /** The shard's active provers' BLS48-581 public keys (the devnet: the genesis committee). */
    committee: Schema.Array(Bytes),
    params: ShardConsensusParams,
  },
}) {}

/** The bundle's shard is not one this worker covers (the master's table is stale: re-route). */
export class ShardNotCovered extends Schema.TaggedError<ShardNotCovered>()("ShardNotCovered", { address: Bytes }) {}

/** The shard's mempool is at its bound; the client retries after `retryAfterMs`. */
export class MempoolFull extends Schema.TaggedError<MempoolFull>()("MempoolFull", { address: Bytes, retryAfterMs: Schema.Number }) {}

/**
 * A canonical MessageBundle, already routed to this shard (actors/execution/routing.ts). `domain`, when
 * given, is the domain the bundle routes to on its own (no client-named domain: a finalized frame's
 * bundles are routed that way too), so the host need not route it again; the gossip validator and the
 * master pass it when they have it.
 */
export class SubmitBundle extends Schema.TaggedRequest<SubmitBundle>()("SubmitBundle", {
  failure: Schema.Union(ShardNotCovered, MempoolFull),
  success: Schema.Struct({
    /** SHA3-256 of the bundle bytes. */
    id: Bytes,
    /** `duplicate`: already pending or already decided (its status says which). */
    outcome: Schema.Literal("accepted", "duplicate"),
  }),
  payload: { bundle: Bytes, shard: Bytes, domain: Schema.optional(Bytes) },
}) {}

export const BundleStatusView = Schema.Struct({
  status: Schema.Literal("pending", "committed", "rejected", "unknown"),
  shard: Schema.NullOr(Bytes),
  /** The frame that committed (or rejected) it; null while pending or unknown. */
  frameNumber: Schema.NullOr(U64),
  reason: Schema.NullOr(Schema.String),
})
export type BundleStatusView = typeof BundleStatusView.Type

/** What this worker knows of a bundle: pending in a mempool, or decided in a finalized frame. */
export class BundleStatus extends Schema.TaggedRequest<BundleStatus>()("BundleStatus", {
  failure: Schema.Never,
  success: BundleStatusView,
  payload: { id: Bytes },
}) {}

export const ShardView = Schema.Struct({
  address: Bytes,
  /** The newest finalized (and executed) frame; 0 at genesis. */
  frameNumber: U64,
  rank: U64,
  /** The 4 roots after that frame: vertex-adds, vertex-removes, hyperedge-adds, hyperedge-removes. */
  stateRoots: Schema.Array(Bytes),
  provers: Schema.Number,
  halted: Schema.Boolean,
  mempool: Schema.Number,
  bundlesCommitted: Schema.Number,
  bundlesRejected: Schema.Number,
  /** Equivocations (double proposals, double votes) the shard's consensus recorded since the worker started. */
  equivocations: Schema.Number,
})
export type ShardView = typeof ShardView.Type

export class ListShards extends Schema.TaggedRequest<ListShards>()("ListShards", {
  failure: Schema.Never,
  success: Schema.Array(ShardView),
  payload: {},
}) {}

/** The worker could not compute the proof (solver failure or bad arguments: the reason says which). */
export class JoinProofFailed extends Schema.TaggedError<JoinProofFailed>()("JoinProofFailed", { reason: Schema.String }) {}

/**
 * The reference's `CreateJoinProof` (consensus.md §4.6): this worker's 516-byte blob, at `index`, of the
 * join multiproof over `ids` (`proverAddress ‖ filter_i ‖ u32_be(i)`), challenge SHA3-256 of the named
 * global frame's output, at its difficulty.
 */
export class CreateJoinProof extends Schema.TaggedRequest<CreateJoinProof>()("CreateJoinProof", {
  failure: JoinProofFailed,
  success: Schema.Struct({ proof: Bytes }),
  payload: { challenge: Bytes, difficulty: Schema.Number, ids: Schema.Array(Bytes), index: Schema.Number },
}) {}

export const SHARD_HOST_NAME = "app-shards"

export const ShardHostProtocol = Protocol.make("ShardHost", CoverShard, SubmitBundle, BundleStatus, ListShards, CreateJoinProof)
export type ShardHostMessage = CoverShard | SubmitBundle | BundleStatus | ListShards | CreateJoinProof
