// Proposing (§1.5, §3.5 proposeForNewRankIfPrimary): which ranks this node still has to propose at,
// how many peers a proposal must be able to reach, and building the signed proposal — the frame from the
// chain kind, then the safety rules' SignOwnProposal (§3.6), then the vote whose signature becomes the
// header's (§1.4 step 2). The engine persists the new safety state before the proposal is published.
import { Clock, Effect } from "effect"
import type { ChainFrame, ChainProposal, FrameBranch } from "./chain-kind.ts"
import type { Committee } from "./committee-source.ts"
import type { EngineContext } from "./engine-context.ts"
import type { ProposalVote } from "./messages/proposal-vote.ts"
import type { QuorumCertificate } from "./messages/quorum-certificate.ts"
import { BLS48581AggregateSignature } from "./messages/signatures.ts"
import type { TimeoutCertificate } from "./messages/timeout-certificate.ts"
import { signVote } from "./replica-signer.ts"
import { type ConsensusState, decideVote } from "./safety-rules.ts"
import { MAX_BITMASK_LENGTH, makeSignerBitmask } from "./signer-bitmask.ts"

export type BuiltProposal<P> =
  | { readonly _tag: "NotSafe"; readonly reason: string }
  | { readonly _tag: "Proposal"; readonly proposal: P; readonly vote: ProposalVote; readonly next: ConsensusState }

export class Proposer<F extends ChainFrame, P extends ChainProposal<F>> {
  /** Ranks a proposal is scheduled or made for (one per rank, safety forbids a second). */
  private readonly scheduled = new Set<bigint>()
  /** This node's own proposal for the current rank, found in the store at start (published again once). */
  private stored: P | undefined

  constructor(private readonly ctx: EngineContext<F, P>) {}

  /** Marks `rank` as scheduled; false when it already was. */
  schedule(rank: bigint): boolean {
    if (this.scheduled.has(rank)) return false
    this.scheduled.add(rank)
    return true
  }

  /** The rank stays open: a later event (a sync answer) may schedule it again. */
  unschedule(rank: bigint): void {
    this.scheduled.delete(rank)
  }

  /** Forget ranks below the one just entered. */
  pruneBelow(rank: bigint): void {
    for (const r of this.scheduled) if (r < rank) this.scheduled.delete(r)
  }

  /** Our stored proposal for `rank`, kept to be published again instead of signing another. */
  keepStored(proposal: P): void {
    this.stored = proposal
  }

  /** The stored own proposal for `rank`, once. */
  takeStored(rank: bigint): P | undefined {
    const stored = this.stored
    if (stored === undefined || stored.state.header.rank !== rank) return undefined
    this.stored = undefined
    return stored
  }

  /**
   * Peers a proposal needs to reach before it can gather a quorum: published earlier (a node starting
   * before its peers connect) it is lost, and the rank times out for nothing.
   */
  peersNeededForQuorum(committee: Committee): number {
    const { members, rule, selfIndex } = committee
    if (selfIndex < 0 || members.length <= 1) return 0
    const others = members.length - 1
    return rule.mode === "equal-weight" ? Math.min(others, Number(rule.threshold) - 1) : 1
  }

  /** Produces, checks against the safety rules and signs a proposal extending `parent` at `rank`. */
  build(input: {
    readonly parent: F
    readonly branch: FrameBranch<F>
    readonly rank: bigint
    readonly newestQc: QuorumCertificate
    readonly tc: TimeoutCertificate | undefined
    readonly safety: ConsensusState
    /** The new frame's committee (app D-APP-18): this node's index in it signs the header. */
    readonly committee: Committee
  }): Effect.Effect<BuiltProposal<P>> {
    return Effect.gen(this, function* () {
      const { kind, config, signer } = this.ctx
      const { parent, branch, rank, newestQc, tc, safety } = input
      const { selfIndex } = input.committee
      const produced = yield* kind
        .produceFrame({
          parent,
          branch,
          rank,
          nowMs: BigInt(yield* Clock.currentTimeMillis),
          proverIndex: selfIndex,
          difficulty: (r, timestamp) => config.difficulty?.(r, timestamp) ?? config.genesisDifficulty,
        })
        .pipe(Effect.provide(this.ctx.services), Effect.orDie)
      // SignOwnProposal: the same safety rules as a vote, with ourselves as proposer (§3.6).
      const decision = decideVote(
        safety,
        { rank, proposer: signer.address, parentQuorumCertificate: newestQc, priorRankTimeoutCertificate: tc },
        rank,
        signer.address,
        signer.address,
        () => true,
      )
      if (decision._tag !== "Vote") return { _tag: "NotSafe", reason: decision.reason }
      const selector = this.ctx.poseidon(produced.output)
      const vote = yield* signVote(signer, kind.filter, rank, produced.frameNumber, selector)
      // On publication the header signature becomes the proposer's vote signature (§1.4 step 2).
      const state = produced.seal(
        new BLS48581AggregateSignature({
          signature: vote.publicKeySignatureBls48581?.signature ?? new Uint8Array(),
          publicKey: signer.publicKey,
          bitmask: makeSignerBitmask([selfIndex], MAX_BITMASK_LENGTH * 8, MAX_BITMASK_LENGTH),
        }),
      )
      const proposal = kind.makeProposal({ state, parentQuorumCertificate: newestQc, priorRankTimeoutCertificate: tc, vote })
      return { _tag: "Proposal", proposal, vote, next: decision.next }
    })
  }
}
