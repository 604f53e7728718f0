import { Effect, Schema } from "effect"
import { Bytes, bytesEqual, U64 } from "./messages/fields.ts"
import type { QuorumCertificate } from "./messages/quorum-certificate.ts"
import type { TimeoutCertificate } from "./messages/timeout-certificate.ts"
import { TimeoutState } from "./messages/timeout-state.ts"
import { checkRankEvidence } from "./proposal-validation.ts"

/**
 * HotStuff safety rules as pure decisions over the persisted `ConsensusState` (consensus.md §3.6).
 * The caller signs (vote or timeout message) only on a `Vote` / `Timeout` decision, then persists the
 * returned state before publishing — that ordering is what makes the rules safe across restarts.
 */

/**
 * `ConsensusState`. `highestVotedParentRank` is the reference's `FinalizedRank`, renamed because it is
 * "the highest parent-QC rank this replica voted on top of", not Forks finality (§13 #8, DECISIONS.md
 * D-HS-4); its position in any persisted encoding stays where `FinalizedRank` is.
 */
export class ConsensusState extends Schema.Class<ConsensusState>("ConsensusState")({
  filter: Bytes,
  highestVotedParentRank: U64,
  latestAcknowledgedRank: U64,
  latestTimeout: Schema.optional(TimeoutState),
}) {}

export interface VoteCandidate {
  readonly rank: bigint
  readonly proposer: Uint8Array
  readonly parentQuorumCertificate: QuorumCertificate
  readonly priorRankTimeoutCertificate: TimeoutCertificate | undefined
}

export type VoteDecision =
  | { readonly _tag: "Vote"; readonly next: ConsensusState }
  | { readonly _tag: "NoVote"; readonly reason: string }
  | { readonly _tag: "Unsafe"; readonly reason: string }

/**
 * `ProduceVote` (and, with `self = proposer`, `SignOwnProposal`). `isValidIdentity(address)` says whether
 * a prover is a committee member at the state (not ejected).
 */
export const decideVote = (
  s: ConsensusState,
  p: VoteCandidate,
  currentRank: bigint,
  leader: Uint8Array | undefined,
  self: Uint8Array,
  isValidIdentity: (address: Uint8Array) => boolean,
): VoteDecision => {
  if (p.rank !== currentRank) return { _tag: "Unsafe", reason: `proposal rank ${p.rank} ≠ current rank ${currentRank}` }
  const evidence = Effect.runSync(Effect.either(checkRankEvidence(p.rank, p.parentQuorumCertificate, p.priorRankTimeoutCertificate)))
  if (evidence._tag === "Left") return { _tag: "Unsafe", reason: evidence.left.detail }
  if (p.rank === s.latestAcknowledgedRank) return { _tag: "NoVote", reason: "already voted or timed out at this rank" }
  if (p.rank < s.latestAcknowledgedRank) return { _tag: "Unsafe", reason: `rank ${p.rank} below acknowledged rank ${s.latestAcknowledgedRank}` }
  if (leader === undefined || !bytesEqual(leader, p.proposer)) return { _tag: "Unsafe", reason: "proposer is not the leader for the rank" }
  if (!bytesEqual(self, p.proposer)) {
    if (!isValidIdentity(p.proposer)) return { _tag: "NoVote", reason: "proposer is not a valid identity (ejected)" }
    if (!isValidIdentity(self)) return { _tag: "NoVote", reason: "this replica is not a valid identity" }
  }
  const votedParent = p.parentQuorumCertificate.rank > s.highestVotedParentRank ? p.parentQuorumCertificate.rank : s.highestVotedParentRank
  return {
    _tag: "Vote",
    next: new ConsensusState({ ...s, highestVotedParentRank: votedParent, latestAcknowledgedRank: currentRank }),
  }
}

export type TimeoutDecision =
  /** Re-broadcast the stored timeout with `timeoutTick + 1` (same signature). */
  | { readonly _tag: "Rebroadcast"; readonly timeout: TimeoutState; readonly next: ConsensusState }
  /** Sign `MakeTimeoutMessage(filter, currentRank, newestQC.rank)`, build the TimeoutState, then `recordTimeout`. */
  | { readonly _tag: "Timeout"; readonly newestQcRank: bigint }
  | { readonly _tag: "NotMember" }
  | { readonly _tag: "Unsafe"; readonly reason: string }

/** `ProduceTimeout` (§3.6). */
export const decideTimeout = (
  s: ConsensusState,
  currentRank: bigint,
  newestQc: QuorumCertificate,
  priorTc: TimeoutCertificate | undefined,
  isCommitteeMember: boolean,
): TimeoutDecision => {
  const last = s.latestTimeout
  if (last?.vote !== undefined && last.vote.rank === currentRank) {
    const timeout = new TimeoutState({ ...last, timeoutTick: last.timeoutTick + 1n })
    return { _tag: "Rebroadcast", timeout, next: new ConsensusState({ ...s, latestTimeout: timeout }) }
  }
  const evidence = Effect.runSync(Effect.either(checkRankEvidence(currentRank, newestQc, priorTc)))
  if (evidence._tag === "Left") return { _tag: "Unsafe", reason: evidence.left.detail }
  if (newestQc.rank < s.highestVotedParentRank) return { _tag: "Unsafe", reason: "newest QC is older than the highest voted parent" }
  if (currentRank + 1n <= s.latestAcknowledgedRank) return { _tag: "Unsafe", reason: "already acknowledged a later rank" }
  if (!isCommitteeMember) return { _tag: "NotMember" }
  return { _tag: "Timeout", newestQcRank: newestQc.rank }
}

/** State after our own signed timeout for `currentRank`. */
export const recordTimeout = (s: ConsensusState, currentRank: bigint, timeout: TimeoutState): ConsensusState =>
  new ConsensusState({ ...s, latestAcknowledgedRank: currentRank, latestTimeout: timeout })
