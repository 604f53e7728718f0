// Messages of the global consensus actor (/root/global-consensus). Network traffic and timers arrive
// as tells; tests, the devnet and the admin API ask for status and committed frames.
import { Schema } from "effect"
import { Protocol } from "../../../runtime/kernel/index.ts"

const Bytes = Schema.Uint8ArrayFromSelf

/** A payload received on the consensus bitmask (canonical bytes) and the peer that sent it. */
export class Inbound extends Schema.TaggedClass<Inbound>()("Inbound", { from: Schema.String, data: Bytes }) {}

/** The pacemaker's timer for `epoch` fired (stale epochs are ignored). */
export class LocalTimeout extends Schema.TaggedClass<LocalTimeout>()("LocalTimeout", { epoch: Schema.Number }) {}

/** The proposal delay for `rank` elapsed: produce and publish if still leader of the current rank. */
export class ProposeDue extends Schema.TaggedClass<ProposeDue>()("ProposeDue", { rank: Schema.BigIntFromSelf }) {}

/** A sync request to `peer` answered (`data` = SyncResponse bytes) or failed (`data` absent). */
export class SyncAnswered extends Schema.TaggedClass<SyncAnswered>()("SyncAnswered", {
  peer: Schema.String,
  data: Schema.optional(Bytes),
  detail: Schema.String,
}) {}

const FrameSummary = Schema.Struct({
  frameNumber: Schema.BigIntFromSelf,
  rank: Schema.BigIntFromSelf,
  selector: Schema.String,
})

const Rejection = Schema.Struct({
  from: Schema.String,
  /** Hex prover address the message claims, when it has one. */
  prover: Schema.String,
  kind: Schema.Literal("proposal", "vote", "timeout", "sync", "undecodable"),
  reason: Schema.String,
  detail: Schema.String,
})

const Equivocation = Schema.Struct({
  kind: Schema.Literal("double-proposal", "double-vote"),
  rank: Schema.BigIntFromSelf,
  /** Hex address of the equivocating prover. */
  prover: Schema.String,
  selectors: Schema.Array(Schema.String),
})

export const ConsensusStatus = Schema.Struct({
  peerId: Schema.String,
  address: Schema.String,
  currentRank: Schema.BigIntFromSelf,
  newestQcRank: Schema.BigIntFromSelf,
  committedHead: FrameSummary,
  latestAcknowledgedRank: Schema.BigIntFromSelf,
  highestVotedParentRank: Schema.BigIntFromSelf,
  /** Consecutive failed rounds counter of the timeout controller. */
  failedRounds: Schema.Number,
  proposed: Schema.Number,
  votesSent: Schema.Number,
  timeoutsSent: Schema.Number,
  qcsBuilt: Schema.Number,
  tcsBuilt: Schema.Number,
  /** Distinct equivocations recorded since start (`equivocations` lists only the newest 200). */
  equivocationsDetected: Schema.Number,
  /** Penalty points per sending peer id. */
  penalties: Schema.Record({ key: Schema.String, value: Schema.Number }),
  rejections: Schema.Array(Rejection),
  equivocations: Schema.Array(Equivocation),
  /** Conflicting finalizations seen (must stay empty: more than a third byzantine). */
  conflicts: Schema.Array(Schema.String),
})
export type ConsensusStatus = typeof ConsensusStatus.Type

export class GetStatus extends Schema.TaggedRequest<GetStatus>()("GetStatus", {
  payload: {},
  success: ConsensusStatus,
  failure: Schema.Never,
}) {}

/** Committed frames (canonical `CertifiedFrame` bytes: frame ‖ QC) with from ≤ n ≤ to, ascending. */
export class GetCommitted extends Schema.TaggedRequest<GetCommitted>()("GetCommitted", {
  payload: { from: Schema.BigIntFromSelf, to: Schema.BigIntFromSelf },
  success: Schema.Array(Bytes),
  failure: Schema.Never,
}) {}

export const GlobalConsensusProtocol = Protocol.make("GlobalConsensus", Inbound, LocalTimeout, ProposeDue, SyncAnswered, GetStatus, GetCommitted)
export type GlobalConsensusMessage = Inbound | LocalTimeout | ProposeDue | SyncAnswered | GetStatus | GetCommitted
