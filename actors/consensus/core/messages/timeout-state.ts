import { Either, Schema } from "effect"
import type { CanonicalDecodeError } from "../canonical/decode-error.ts"
import { decodeWhole } from "../canonical/reader.ts"
import { TypePrefix } from "../canonical/type-prefix.ts"
import { CanonicalWriter } from "../canonical/writer.ts"
import { U64 } from "./fields.ts"
import { decodeProposalVote, encodeProposalVote, ProposalVote } from "./proposal-vote.ts"
import { decodeQuorumCertificate, encodeQuorumCertificate, QuorumCertificate } from "./quorum-certificate.ts"
import { decodeTimeoutCertificate, encodeTimeoutCertificate, TimeoutCertificate } from "./timeout-certificate.ts"

const TimeoutStateLimits = { latestQuorumCertificate: 33_871, priorRankTimeoutCertificate: 35_194, vote: 770 } as const

/** A replica's timeout for a rank (consensus.md §1.10, §3.6). */
export class TimeoutState extends Schema.Class<TimeoutState>("TimeoutState")({
  latestQuorumCertificate: Schema.optional(QuorumCertificate),
  priorRankTimeoutCertificate: Schema.optional(TimeoutCertificate),
  /** A ProposalVote with empty selector and frame number 0. */
  vote: Schema.optional(ProposalVote),
  timeoutTick: U64,
  timestamp: U64,
}) {}

export const encodeTimeoutState = (t: TimeoutState): Uint8Array =>
  new CanonicalWriter(2_048)
    .u32(TypePrefix.TimeoutState)
    .nested(t.latestQuorumCertificate === undefined ? undefined : encodeQuorumCertificate(t.latestQuorumCertificate))
    .nested(t.priorRankTimeoutCertificate === undefined ? undefined : encodeTimeoutCertificate(t.priorRankTimeoutCertificate))
    .nested(t.vote === undefined ? undefined : encodeProposalVote(t.vote))
    .u64(t.timeoutTick)
    .u64(t.timestamp)
    .finish()

export const decodeTimeoutState = (input: Uint8Array): Either.Either<TimeoutState, CanonicalDecodeError> =>
  decodeWhole(input, "TimeoutState", (r) =>
    Either.gen(function* () {
      const L = TimeoutStateLimits
      yield* r.typePrefix(TypePrefix.TimeoutState)
      const qcBytes = yield* r.optionalNested("latest_quorum_certificate", L.latestQuorumCertificate)
      const qc = qcBytes === undefined ? undefined : yield* decodeQuorumCertificate(qcBytes)
      const tcBytes = yield* r.optionalNested("prior_rank_timeout_certificate", L.priorRankTimeoutCertificate)
      const tc = tcBytes === undefined ? undefined : yield* decodeTimeoutCertificate(tcBytes)
      const voteBytes = yield* r.optionalNested("vote", L.vote)
      const vote = voteBytes === undefined ? undefined : yield* decodeProposalVote(voteBytes)
      const timeoutTick = yield* r.u64("timeout_tick")
      const timestamp = yield* r.u64("timestamp")
      return new TimeoutState(
        {
          timeoutTick,
          timestamp,
          ...(qc === undefined ? {} : { latestQuorumCertificate: qc }),
          ...(tc === undefined ? {} : { priorRankTimeoutCertificate: tc }),
          ...(vote === undefined ? {} : { vote }),
        },
        true,
      )
    }),
  )
