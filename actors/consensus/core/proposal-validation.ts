import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect, Option } from "effect"
import { BadRankEvidence, MalformedCertificate, WrongProposer } from "./certificate-rejection.ts"
import { validateQuorumCertificate, validateTimeoutCertificate, validateVote } from "./certificate-validation.ts"
import { bytesEqual } from "./messages/fields.ts"
import type { AppShardProposal, GlobalProposal } from "./messages/proposals.ts"
import type { QuorumCertificate } from "./messages/quorum-certificate.ts"
import type { TimeoutCertificate } from "./messages/timeout-certificate.ts"
import { type ActiveProver, leaderForRank } from "./prover-ring.ts"
import { Poseidon } from "../../../crates/ts/services.ts"
import type { VerifiedCertificates } from "./verified-certificates.ts"

/**
 * `validateEvidenceForEnteringRank(rank, qc, tc)` (§3.6), shared by proposal validation (§3.9 step 3)
 * and the safety rules: after a direct QC (`qc.rank + 1 = rank`) there must be no TC; otherwise a TC for
 * `rank − 1` is required, and the QC must be at least as new as the TC's.
 */
export const checkRankEvidence = (rank: bigint, qc: QuorumCertificate, tc: TimeoutCertificate | undefined) =>
  Effect.gen(function* () {
    if (qc.rank + 1n === rank) {
      if (tc !== undefined) return yield* Effect.fail(new BadRankEvidence({ detail: "a TC accompanies a direct QC" }))
      return
    }
    if (tc === undefined) return yield* Effect.fail(new BadRankEvidence({ detail: `QC rank ${qc.rank} is not rank ${rank} − 1 and there is no TC` }))
    if (tc.rank + 1n !== rank) return yield* Effect.fail(new BadRankEvidence({ detail: `TC rank ${tc.rank} is not rank ${rank} − 1` }))
    if (qc.rank >= rank) return yield* Effect.fail(new BadRankEvidence({ detail: `QC rank ${qc.rank} is not below rank ${rank}` }))
    const tcQcRank = tc.latestQuorumCertificate?.rank ?? 0n
    if (qc.rank < tcQcRank) return yield* Effect.fail(new BadRankEvidence({ detail: `QC rank ${qc.rank} older than the TC's QC rank ${tcQcRank}` }))
  })

export interface ProposalValidationInput {
  readonly proposal: GlobalProposal | AppShardProposal
  /** Network id (0 = mainnet) for the app leader rule. */
  readonly network: number
  /** Active provers of the proposal's filter, sorted by address. */
  readonly committee: ReadonlyArray<ActiveProver>
  readonly genesis?: QuorumCertificate
  /** Shared with the caller's other certificate checks so each distinct QC/TC is verified once. */
  readonly verified?: VerifiedCertificates
  /** The parent frame's committee, when it differs (app D-APP-18): the parent QC is checked against it. */
  readonly parent?: { readonly committee: ReadonlyArray<ActiveProver>; readonly verified?: VerifiedCertificates }
  /** The prior-rank TC's committee, when it differs. */
  readonly timeout?: { readonly committee: ReadonlyArray<ActiveProver>; readonly verified?: VerifiedCertificates }
}

const filterOf = (p: GlobalProposal | AppShardProposal): Uint8Array => ("address" in p.state.header ? p.state.header.address : new Uint8Array())

/**
 * `ValidateProposal` (§3.9): the proposer's vote verifies and is for this state, the proposer is the
 * leader for the state's rank, the QC/TC evidence justifies the rank, and the QC (and TC) validate.
 * Frame-level checks are `validateGlobalFrame` / `validateAppFrame`.
 */
export const validateProposal = (input: ProposalValidationInput) =>
  Effect.gen(function* () {
    const { proposal, committee } = input
    const header = proposal.state.header
    const filter = filterOf(proposal)
    const poseidon = yield* Poseidon
    if (header.output.length !== 516) {
      return yield* Effect.fail(new MalformedCertificate({ detail: `proposed state output is ${header.output.length} bytes` }))
    }
    const selector = poseidon(header.output)
    const vote = proposal.vote
    if (vote.rank !== header.rank || !bytesEqual(vote.selector, selector) || !bytesEqual(vote.filter, filter)) {
      return yield* Effect.fail(new WrongProposer({ detail: "the proposal's vote is not for this state" }))
    }
    yield* validateVote(vote, committee)
    const voter = vote.publicKeySignatureBls48581?.address ?? new Uint8Array()
    if (!bytesEqual(voter, header.prover)) return yield* Effect.fail(new WrongProposer({ detail: "the vote is not the proposer's" }))
    const leader = leaderForRank(poseidon, input.network, filter, committee, header.rank)
    if (Option.isNone(leader) || !bytesEqual(leader.value, header.prover)) {
      return yield* Effect.fail(new WrongProposer({ detail: `proposer ${bytesToHex(header.prover)} is not the leader for rank ${header.rank}` }))
    }
    const qc = proposal.parentQuorumCertificate
    const tc = proposal.priorRankTimeoutCertificate
    yield* checkRankEvidence(header.rank, qc, tc)
    const genesis = input.genesis === undefined ? {} : { genesis: input.genesis }
    const against = (side: { readonly committee: ReadonlyArray<ActiveProver>; readonly verified?: VerifiedCertificates } | undefined) => {
      const chosen = side ?? { committee, verified: input.verified }
      return { committee: chosen.committee, ...genesis, ...(chosen.verified === undefined ? {} : { verified: chosen.verified }) }
    }
    yield* validateQuorumCertificate({ qc, ...against(input.parent) })
    if (tc !== undefined) yield* validateTimeoutCertificate({ tc, ...against(input.timeout) })
  })
