import { Either, Schema } from "effect"
import type { CanonicalDecodeError } from "../canonical/decode-error.ts"
import { decodeWhole } from "../canonical/reader.ts"
import { TypePrefix } from "../canonical/type-prefix.ts"
import { CanonicalWriter } from "../canonical/writer.ts"
import { AppShardFrame, decodeAppShardFrame, encodeAppShardFrame } from "./app-shard-frame.ts"
import { decodeGlobalFrame, encodeGlobalFrame, GlobalFrame } from "./global-frame.ts"
import { decodeProposalVote, encodeProposalVote, ProposalVote } from "./proposal-vote.ts"
import { decodeQuorumCertificate, encodeQuorumCertificate, QuorumCertificate } from "./quorum-certificate.ts"
import { decodeTimeoutCertificate, encodeTimeoutCertificate, TimeoutCertificate } from "./timeout-certificate.ts"

/**
 * Signed proposals (consensus.md §1.10): the state, its parent QC (required), the prior-rank TC
 * (optional) and the proposer's vote (required). Limits are the reference decoder's.
 */
const GlobalProposalLimits = { state: 7_800_000, parentQuorumCertificate: 847, priorRankTimeoutCertificate: 2_170, vote: 770 } as const
const AppShardProposalLimits = {
  state: 7_500_000,
  parentQuorumCertificate: 33_871,
  priorRankTimeoutCertificate: 35_194,
  vote: 770,
} as const

export class GlobalProposal extends Schema.Class<GlobalProposal>("GlobalProposal")({
  state: GlobalFrame,
  parentQuorumCertificate: QuorumCertificate,
  priorRankTimeoutCertificate: Schema.optional(TimeoutCertificate),
  vote: ProposalVote,
}) {}

export class AppShardProposal extends Schema.Class<AppShardProposal>("AppShardProposal")({
  state: AppShardFrame,
  parentQuorumCertificate: QuorumCertificate,
  priorRankTimeoutCertificate: Schema.optional(TimeoutCertificate),
  vote: ProposalVote,
}) {}

/** `Proposal.GetRank()` = max(state rank, parent QC rank, prior TC rank) (§1.9). */
export const proposalRank = (p: GlobalProposal | AppShardProposal): bigint => {
  let rank = p.state.header.rank
  if (p.parentQuorumCertificate.rank > rank) rank = p.parentQuorumCertificate.rank
  const tc = p.priorRankTimeoutCertificate
  if (tc !== undefined && tc.rank > rank) rank = tc.rank
  return rank
}

export const encodeGlobalProposal = (p: GlobalProposal): Uint8Array =>
  new CanonicalWriter(32_000)
    .u32(TypePrefix.GlobalProposal)
    .nested(encodeGlobalFrame(p.state))
    .nested(encodeQuorumCertificate(p.parentQuorumCertificate))
    .nested(p.priorRankTimeoutCertificate === undefined ? undefined : encodeTimeoutCertificate(p.priorRankTimeoutCertificate))
    .nested(encodeProposalVote(p.vote))
    .finish()

export const encodeAppShardProposal = (p: AppShardProposal): Uint8Array =>
  new CanonicalWriter(8_000)
    .u32(TypePrefix.AppShardProposal)
    .nested(encodeAppShardFrame(p.state))
    .nested(encodeQuorumCertificate(p.parentQuorumCertificate))
    .nested(p.priorRankTimeoutCertificate === undefined ? undefined : encodeTimeoutCertificate(p.priorRankTimeoutCertificate))
    .nested(encodeProposalVote(p.vote))
    .finish()

export const decodeGlobalProposal = (input: Uint8Array): Either.Either<GlobalProposal, CanonicalDecodeError> =>
  decodeWhole(input, "GlobalProposal", (r) =>
    Either.gen(function* () {
      const L = GlobalProposalLimits
      yield* r.typePrefix(TypePrefix.GlobalProposal)
      const state = yield* decodeGlobalFrame(yield* r.requiredNested("state", L.state))
      const parentQuorumCertificate = yield* decodeQuorumCertificate(yield* r.requiredNested("parent_quorum_certificate", L.parentQuorumCertificate))
      const tcBytes = yield* r.optionalNested("prior_rank_timeout_certificate", L.priorRankTimeoutCertificate)
      const tc = tcBytes === undefined ? undefined : yield* decodeTimeoutCertificate(tcBytes)
      const vote = yield* decodeProposalVote(yield* r.requiredNested("vote", L.vote))
      return new GlobalProposal({ state, parentQuorumCertificate, vote, ...(tc === undefined ? {} : { priorRankTimeoutCertificate: tc }) }, true)
    }),
  )

export const decodeAppShardProposal = (input: Uint8Array): Either.Either<AppShardProposal, CanonicalDecodeError> =>
  decodeWhole(input, "AppShardProposal", (r) =>
    Either.gen(function* () {
      const L = AppShardProposalLimits
      yield* r.typePrefix(TypePrefix.AppShardProposal)
      const state = yield* decodeAppShardFrame(yield* r.requiredNested("state", L.state))
      const parentQuorumCertificate = yield* decodeQuorumCertificate(yield* r.requiredNested("parent_quorum_certificate", L.parentQuorumCertificate))
      const tcBytes = yield* r.optionalNested("prior_rank_timeout_certificate", L.priorRankTimeoutCertificate)
      const tc = tcBytes === undefined ? undefined : yield* decodeTimeoutCertificate(tcBytes)
      const vote = yield* decodeProposalVote(yield* r.requiredNested("vote", L.vote))
      return new AppShardProposal({ state, parentQuorumCertificate, vote, ...(tc === undefined ? {} : { priorRankTimeoutCertificate: tc }) }, true)
    }),
  )
