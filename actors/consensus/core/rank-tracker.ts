import { Schema } from "effect"
import { Bytes, U64 } from "./messages/fields.ts"
import { QuorumCertificate } from "./messages/quorum-certificate.ts"
import { TimeoutCertificate } from "./messages/timeout-certificate.ts"

/**
 * The pacemaker's rank tracker as pure transitions (consensus.md §3.2). The pacemaker actor persists
 * the returned state, applies the timeout-controller step (QC → `afterProgress`, TC → `afterTimeout`)
 * and re-arms its timer when `rankChange` is set.
 */

/** `LivenessState`, persisted by the pacemaker. */
export class LivenessState extends Schema.Class<LivenessState>("LivenessState")({
  filter: Bytes,
  currentRank: U64,
  latestQuorumCertificate: QuorumCertificate,
  priorRankTimeoutCertificate: Schema.optional(TimeoutCertificate),
}) {}

export interface RankChange {
  readonly from: bigint
  readonly to: bigint
  readonly cause: "quorum-certificate" | "timeout-certificate"
}

export interface RankTrackerStep {
  readonly state: LivenessState
  readonly rankChange: RankChange | undefined
}

/** Proposals are published 8 s after the propose routine starts, on both engines. */
const PROPOSAL_DURATION_MS = 8_000n
export const targetPublicationTime = (startMs: bigint): bigint => startMs + PROPOSAL_DURATION_MS

const newer = (a: QuorumCertificate, b: QuorumCertificate | undefined): QuorumCertificate => (b !== undefined && b.rank > a.rank ? b : a)

const withState = (s: LivenessState, patch: Partial<LivenessState>, keepTc: boolean): LivenessState => {
  const next = { ...s, ...patch }
  const tc = keepTc ? next.priorRankTimeoutCertificate : patch.priorRankTimeoutCertificate
  return new LivenessState({
    filter: next.filter,
    currentRank: next.currentRank,
    latestQuorumCertificate: next.latestQuorumCertificate,
    ...(tc === undefined ? {} : { priorRankTimeoutCertificate: tc }),
  })
}

/** `ReceiveQuorumCertificate`: an old QC only refreshes the newest QC; a current one enters qc.rank + 1 and clears the prior TC. */
export const receiveQuorumCertificate = (s: LivenessState, qc: QuorumCertificate): RankTrackerStep => {
  if (qc.rank < s.currentRank) {
    const latest = newer(s.latestQuorumCertificate, qc)
    return { state: latest === s.latestQuorumCertificate ? s : withState(s, { latestQuorumCertificate: latest }, true), rankChange: undefined }
  }
  const to = qc.rank + 1n
  return {
    state: withState(s, { currentRank: to, latestQuorumCertificate: newer(s.latestQuorumCertificate, qc) }, false),
    rankChange: { from: s.currentRank, to, cause: "quorum-certificate" },
  }
}

/** `ReceiveTimeoutCertificate`: nil is a no-op; an old TC only offers its QC; a current one enters tc.rank + 1 and becomes the prior TC. */
export const receiveTimeoutCertificate = (s: LivenessState, tc: TimeoutCertificate | undefined): RankTrackerStep => {
  if (tc === undefined) return { state: s, rankChange: undefined }
  if (tc.rank < s.currentRank) {
    const latest = newer(s.latestQuorumCertificate, tc.latestQuorumCertificate)
    return { state: latest === s.latestQuorumCertificate ? s : withState(s, { latestQuorumCertificate: latest }, true), rankChange: undefined }
  }
  const to = tc.rank + 1n
  return {
    state: withState(
      s,
      { currentRank: to, latestQuorumCertificate: newer(s.latestQuorumCertificate, tc.latestQuorumCertificate), priorRankTimeoutCertificate: tc },
      false,
    ),
    rankChange: { from: s.currentRank, to, cause: "timeout-certificate" },
  }
}
