// Votes → QC (consensus.md §3.7, D-GC-14): a vote for a known state is checked for shape and membership
// on arrival and its signature only once the selector's votes reach the quorum, in one aggregate check;
// a failed aggregate falls back to single checks that find and penalize the forgeries. Two votes of one
// voter at one rank are checked on their own: only two valid ones are a double vote. Votes count against
// the committee of the frame they are for (app D-APP-18), one collector per committee: an index names
// another prover in another committee, so conflicts are only looked for within one.
import { hexToBytes } from "@noble/hashes/utils.js"
import { Clock, Effect, Either, Option } from "effect"
import { InvalidCertificateSignature } from "./certificate-rejection.ts"
import { checkVoteVoter, validateVote } from "./certificate-validation.ts"
import type { ChainFrame, ChainProposal } from "./chain-kind.ts"
import type { Committee } from "./committee-source.ts"
import { committeeIndex, type EngineContext } from "./engine-context.ts"
import type { ProposalVote } from "./messages/proposal-vote.ts"
import { QuorumCertificate } from "./messages/quorum-certificate.ts"
import { BLS48581AggregateSignature } from "./messages/signatures.ts"
import { isQuorum } from "./quorum-rule.ts"
import { makeVoteMessage, voteDomain } from "./signed-messages.ts"
import { makeSignerBitmask } from "./signer-bitmask.ts"
import { type CollectedVote, VoteCollector } from "./vote-collector.ts"

export class VoteAggregator<F extends ChainFrame, P extends ChainProposal<F>> {
  /** Committee id → its collector. */
  private readonly collectors = new Map<string, VoteCollector>()

  private collectorOf(committee: Committee): VoteCollector {
    const known = this.collectors.get(committee.id)
    if (known !== undefined) return known
    const made = new VoteCollector()
    this.collectors.set(committee.id, made)
    return made
  }

  /** `frameNumberOf(selector)`: the frame number of a state Forks holds (a QC names its frame). */
  constructor(
    private readonly ctx: EngineContext<F, P>,
    private readonly frameNumberOf: (selector: string) => bigint | undefined,
  ) {}

  /**
   * A gossiped vote. For a state we hold (`known`): shape and membership now, the signature with the
   * quorum. A vote for a state we have not seen is checked at once: its proposal may never come, and a
   * forged vote must not wait unpenalized in the collector. Returns the QC when this vote completed one.
   */
  receive(vote: ProposalVote, selector: string, from: string, known: boolean, committee: Committee): Effect.Effect<QuorumCertificate | undefined> {
    return Effect.gen(this, function* () {
      const voter = vote.publicKeySignatureBls48581?.address ?? new Uint8Array()
      const verdict = yield* Effect.either(
        known
          ? Effect.map(checkVoteVoter(vote, committee.members), (v) => v.index)
          : validateVote(vote, committee.members).pipe(Effect.provide(this.ctx.services)),
      )
      if (Either.isLeft(verdict)) {
        yield* this.ctx.records.reject(from, voter, "vote", verdict.left)
        return undefined
      }
      return yield* this.collect(vote, selector, voter, from, !known, committee)
    })
  }

  /**
   * Adds a vote (`verified`: its signature was already checked on its own); builds the QC once the
   * selector's signers reach the quorum (§3.7), verifying unverified votes in aggregate (D-GC-14).
   */
  collect(
    vote: ProposalVote,
    selector: string,
    voter: Uint8Array,
    from: string,
    verified: boolean,
    committee: Committee,
  ): Effect.Effect<QuorumCertificate | undefined> {
    return Effect.gen(this, function* () {
      const index = committeeIndex(committee, voter)
      const signature = vote.publicKeySignatureBls48581?.signature
      if (index < 0 || signature === undefined) return undefined
      const entry: CollectedVote = { index, signature, verified, from }
      const added = this.collectorOf(committee).add(vote.rank, selector, entry)
      if (added._tag === "Conflict") return yield* this.resolveConflict(vote, selector, voter, entry, added.existing, added.existingSelector, committee)
      if (added._tag !== "Added") return undefined
      return yield* this.certifyIfQuorum(vote, selector, committee)
    })
  }

  /** Voter indices of the best-supported selector at `rank` in `committee` (diagnostics). */
  bestSupport(rank: bigint, committee: Committee): ReadonlyArray<number> {
    return this.collectors.get(committee.id)?.bestSupport(rank) ?? []
  }

  prune(rank: bigint): void {
    for (const collector of this.collectors.values()) collector.prune(rank)
  }

  /** One vote's signature on its own (a fallback after a failed aggregate, or a conflict). */
  private signatureValid(rank: bigint, selector: string, vote: CollectedVote, committee: Committee): Effect.Effect<boolean> {
    const publicKey = committee.members[vote.index]?.publicKey
    if (publicKey === undefined) return Effect.succeed(false)
    const filter = this.ctx.kind.filter
    return this.ctx.bls
      .verify(publicKey, vote.signature, makeVoteMessage(filter, rank, hexToBytes(selector)), voteDomain(filter))
      .pipe(Effect.orElseSucceed(() => false))
  }

  private rejectBadVote(rank: bigint, index: number, from: string, committee: Committee): Effect.Effect<void> {
    const prover = committee.members[index]?.address ?? new Uint8Array()
    return this.ctx.records.reject(from, prover, "vote", new InvalidCertificateSignature({ detail: `vote signature at rank ${rank} does not verify` }))
  }

  /**
   * Two votes of one voter at one rank: equivocation evidence needs both signatures checked on their
   * own; a forged one is dropped (its sender penalized) so it cannot shadow the voter's genuine vote.
   */
  private resolveConflict(
    vote: ProposalVote,
    selector: string,
    voter: Uint8Array,
    entry: CollectedVote,
    existing: CollectedVote,
    existingSelector: string,
    committee: Committee,
  ) {
    return Effect.gen(this, function* () {
      const rank = vote.rank
      const votes = this.collectorOf(committee)
      const newOk = entry.verified || (yield* this.signatureValid(rank, selector, entry, committee))
      const existingOk = existing.verified || (yield* this.signatureValid(rank, existingSelector, existing, committee))
      if (!existingOk) {
        votes.remove(rank, existingSelector, existing.index)
        yield* this.rejectBadVote(rank, existing.index, existing.from, committee)
      } else if (!existing.verified) votes.markVerified(rank, existingSelector, [existing.index])
      if (!newOk) {
        yield* this.rejectBadVote(rank, entry.index, entry.from, committee)
        return undefined
      }
      if (!existingOk) return yield* this.collect(vote, selector, voter, entry.from, true, committee)
      // Both verify: a second signature over the same message cannot (BLS is deterministic), so they differ.
      if (existingSelector !== selector) yield* this.ctx.records.equivocation("double-vote", rank, voter, [existingSelector, selector], entry.from)
      return undefined
    })
  }

  private certifyIfQuorum(vote: ProposalVote, selector: string, committee: Committee): Effect.Effect<QuorumCertificate | undefined> {
    return Effect.gen(this, function* () {
      const { kind } = this.ctx
      const { rule } = committee
      const collector = this.collectorOf(committee)
      const rank = vote.rank
      let votes = collector.current(rank, selector)
      if (
        !isQuorum(
          rule,
          votes.map((v) => v.index),
        )
      )
        return undefined
      let aggregate = yield* this.aggregate(votes, committee)
      if (aggregate === undefined || votes.some((v) => !v.verified)) {
        // All votes sign the same message: one pairing check against the aggregate key covers them.
        const message = makeVoteMessage(kind.filter, rank, vote.selector)
        const domain = voteDomain(kind.filter)
        const ok =
          aggregate !== undefined &&
          (yield* this.ctx.bls.verify(aggregate.publicKey, aggregate.signature, message, domain).pipe(Effect.orElseSucceed(() => false)))
        if (ok && aggregate !== undefined) committee.verified.addAggregateSignature(aggregate.publicKey, aggregate.signature, message, domain)
        if (!ok) {
          // Fallback: find the bad vote(s), penalize their senders, keep the rest.
          for (const v of votes) {
            if (v.verified) continue
            if (yield* this.signatureValid(rank, selector, v, committee)) collector.markVerified(rank, selector, [v.index])
            else {
              collector.remove(rank, selector, v.index)
              yield* this.rejectBadVote(rank, v.index, v.from, committee)
            }
          }
          votes = collector.current(rank, selector)
          if (
            !isQuorum(
              rule,
              votes.map((v) => v.index),
            )
          )
            return undefined
          aggregate = yield* this.aggregate(votes, committee)
        }
      }
      // Only individually verified votes are left when the fallback ran, so this cannot fail then.
      if (aggregate === undefined) return undefined
      const indices = votes.map((v) => v.index)
      collector.markCertified(rank, selector)
      const qc = new QuorumCertificate({
        filter: kind.filter,
        rank,
        frameNumber: this.frameNumberOf(selector) ?? vote.frameNumber,
        selector: vote.selector,
        timestamp: BigInt(yield* Clock.currentTimeMillis),
        aggregateSignature: new BLS48581AggregateSignature({
          signature: aggregate.signature,
          publicKey: aggregate.publicKey,
          bitmask: makeSignerBitmask(indices, committee.members.length),
        }),
      })
      this.ctx.records.counters.qcsBuilt++
      committee.verified.addQuorumCertificate(qc)
      return qc
    })
  }

  /** Aggregate signature and key of the votes, or undefined when a signature is not even a curve point. */
  private aggregate(votes: ReadonlyArray<CollectedVote>, committee: Committee) {
    return Effect.gen(this, function* () {
      const signature = yield* Effect.option(this.ctx.bls.aggregateSignatures(votes.map((v) => v.signature)))
      if (Option.isNone(signature)) return undefined
      const publicKey = yield* this.ctx.bls.aggregatePublicKeys(votes.map((v) => committee.members[v.index]?.publicKey ?? new Uint8Array())).pipe(Effect.orDie)
      return { signature: signature.value, publicKey }
    })
  }
}
