// Timeouts → TC (consensus.md §3.5, §3.8): a received timeout is checked (rank evidence, signer, its
// newest QC and prior TC) and collected per rank; enough timeouts that an honest replica gave up make
// this replica give up too (Bracha fast-join), and a quorum of them forms the timeout certificate.
// A timeout counts in the committee of a child of its newest QC's frame (app D-APP-18), and a TC is
// built from the timeouts of one such committee, so its newest QC names the committee its bitmask uses.
import { Clock, Effect, Either, Metric } from "effect"
import { BadRankEvidence, InconsistentRanks, MalformedCertificate } from "./certificate-rejection.ts"
import { validateTimeoutVote } from "./certificate-validation.ts"
import type { ChainFrame, ChainProposal } from "./chain-kind.ts"
import type { Committee } from "./committee-source.ts"
import { checkQc, checkTc, committeeIndex, type EngineContext, type FrameCommittees } from "./engine-context.ts"
import type { ProposalVote } from "./messages/proposal-vote.ts"
import type { QuorumCertificate } from "./messages/quorum-certificate.ts"
import { BLS48581AggregateSignature } from "./messages/signatures.ts"
import { TimeoutCertificate } from "./messages/timeout-certificate.ts"
import type { TimeoutState } from "./messages/timeout-state.ts"
import { timeoutCertificatesTotal } from "./metrics.ts"
import { isQuorum, weightOfSigners } from "./quorum-rule.ts"
import { makeSignerBitmask } from "./signer-bitmask.ts"
import { TimeoutCollector } from "./timeout-collector.ts"

/** A received timeout that passed its checks. */
interface CheckedTimeout {
  readonly _tag?: "Checked"
  readonly vote: ProposalVote
  readonly index: number
  readonly qc: QuorumCertificate
  readonly priorTc: TimeoutCertificate | undefined
  /** The committee the timeout counts in (`index` is its signer's index there). */
  readonly committee: Committee
}

/** What collecting a timeout can make the engine do. */
export interface TimeoutOutcomes {
  /** Enough replicas timed out at `rank` that this one should too (if it has not). */
  readonly fastJoin: (rank: bigint) => Effect.Effect<void>
  /** A TC was formed from the collected timeouts. */
  readonly certified: (tc: TimeoutCertificate) => Effect.Effect<void>
}

export class TimeoutAggregator<F extends ChainFrame, P extends ChainProposal<F>> {
  /** Committee id → its collector. */
  private readonly collectors = new Map<string, TimeoutCollector>()

  constructor(
    private readonly ctx: EngineContext<F, P>,
    private readonly committees: FrameCommittees,
  ) {}

  private collectorOf(committee: Committee): TimeoutCollector {
    const known = this.collectors.get(committee.id)
    if (known !== undefined) return known
    const made = new TimeoutCollector()
    this.collectors.set(committee.id, made)
    return made
  }

  /** Checks a gossiped timeout; records a rejection and answers undefined when it fails or is stale. */
  check(
    t: TimeoutState,
    from: string,
    currentRank: bigint,
  ): Effect.Effect<CheckedTimeout | { readonly _tag: "QcOnly"; readonly qc: QuorumCertificate } | { readonly _tag: "FrameMissing" } | undefined> {
    return Effect.gen(this, function* () {
      const vote = t.vote
      const signer = vote?.publicKeySignatureBls48581?.address ?? new Uint8Array()
      if (vote === undefined) {
        yield* this.ctx.records.reject(from, signer, "timeout", new MalformedCertificate({ detail: "timeout without a vote" }))
        return undefined
      }
      if (vote.rank + 1n < currentRank) return undefined // stale (§4.2)
      const qc = t.latestQuorumCertificate
      const tc = t.priorRankTimeoutCertificate
      // The rank evidence first: it needs no committee, and a timeout failing it is the sender's fault.
      const shape = yield* Effect.either(
        Effect.gen(function* () {
          if (qc === undefined) return yield* Effect.fail(new MalformedCertificate({ detail: "timeout without a newest QC" }))
          if (vote.rank <= qc.rank) return yield* Effect.fail(new InconsistentRanks({ detail: `timeout rank ${vote.rank} ≤ its QC rank ${qc.rank}` }))
          if (tc !== undefined) {
            if (vote.rank !== tc.rank + 1n) return yield* Effect.fail(new InconsistentRanks({ detail: "prior TC is not for rank − 1" }))
            if (qc.rank < (tc.latestQuorumCertificate?.rank ?? 0n)) return yield* Effect.fail(new InconsistentRanks({ detail: "QC older than the prior TC's" }))
          } else if (vote.rank !== qc.rank + 1n) {
            return yield* Effect.fail(new BadRankEvidence({ detail: "a timeout after a skipped rank needs the prior TC" }))
          }
        }),
      )
      if (Either.isLeft(shape)) {
        yield* this.ctx.records.reject(from, signer, "timeout", shape.left)
        return undefined
      }
      // Whose timeouts these are: not known yet means this node cannot count it (nobody is at fault).
      const committees = qc === undefined ? undefined : yield* this.lookups(qc, tc)
      if (qc !== undefined && committees !== undefined && Either.isLeft(committees)) {
        yield* Effect.logDebug(`timeout at rank ${vote.rank} not counted: committee not known (${committees.left})`)
        // Its newest QC may still be checkable (its frame's committee is known): it can commit what
        // the missing committee waits for.
        const qcCommittee = yield* this.committees.of(qc)
        // The QC's frame itself is missing here: the sender holds it (app D-APP-18: such a QC goes to sync).
        if (Either.isLeft(qcCommittee)) return { _tag: "FrameMissing" as const }
        const valid = yield* Effect.either(checkQc(this.ctx, qcCommittee.right, qc))
        if (Either.isRight(valid)) return { _tag: "QcOnly" as const, qc }
        yield* this.ctx.records.reject(from, signer, "timeout", valid.left)
        return undefined
      }
      const verdict = yield* Effect.either(
        Effect.gen(this, function* () {
          if (qc === undefined || committees === undefined || Either.isLeft(committees))
            return yield* Effect.fail(new MalformedCertificate({ detail: "timeout without a newest QC" }))
          const { committee, qcCommittee, tcCommittee } = committees.right
          // Timeouts are re-broadcast every few hundred ms until the rank ends: one already collected
          // with the same signature over the same message was verified then (D-GC-15).
          const signerIndex = committeeIndex(committee, signer)
          const signature = vote.publicKeySignatureBls48581?.signature ?? new Uint8Array()
          const index =
            signerIndex >= 0 && this.collectorOf(committee).has(vote.rank, { index: signerIndex, signature, newestQcRank: qc.rank })
              ? signerIndex
              : yield* validateTimeoutVote(vote, qc.rank, committee.members).pipe(Effect.provide(this.ctx.services))
          yield* checkQc(this.ctx, qcCommittee, qc)
          if (tc !== undefined) yield* checkTc(this.ctx, tcCommittee, tc)
          return { _tag: "Checked" as const, vote, index, qc, priorTc: tc, committee }
        }),
      )
      if (Either.isLeft(verdict)) {
        yield* this.ctx.records.reject(from, signer, "timeout", verdict.left)
        return undefined
      }
      return verdict.right
    })
  }

  /** The committees a timeout with newest QC `qc` and prior TC `tc` is checked against (Left: one is not known yet). */
  private lookups(qc: QuorumCertificate, tc: TimeoutCertificate | undefined) {
    return Effect.gen(this, function* () {
      const committee = yield* this.committees.after(qc)
      const qcCommittee = yield* this.committees.of(qc)
      const tcQc = tc?.latestQuorumCertificate
      const tcCommittee = tc === undefined || tcQc === undefined ? committee : yield* this.committees.after(tcQc)
      return Either.map(Either.all([committee, qcCommittee, tcCommittee]), ([c, q, t]) => ({ committee: c, qcCommittee: q, tcCommittee: t }))
    })
  }

  /** Collects a checked (or our own) timeout: fast-join at the partial threshold, the TC at the quorum. */
  collect(timeout: CheckedTimeout, outcomes: TimeoutOutcomes): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      const { vote, index, qc, priorTc, committee } = timeout
      const { kind } = this.ctx
      const { rule } = committee
      const timeouts = this.collectorOf(committee)
      const signature = vote.publicKeySignatureBls48581?.signature
      if (signature === undefined) return
      const added = timeouts.add(vote.rank, { index, signature, newestQcRank: qc.rank }, qc, priorTc)
      if (added._tag !== "Added") return
      const indices = added.timeouts.map((t) => t.index)
      if (!added.rankState.partialFired && weightOfSigners(rule, indices) >= rule.partialThreshold) {
        timeouts.markPartial(vote.rank)
        // Bracha fast-join: enough replicas gave up on this rank that we do too (§3.5).
        yield* outcomes.fastJoin(vote.rank)
      }
      if (added.rankState.built || !isQuorum(rule, indices)) return
      timeouts.markBuilt(vote.rank)
      const aggregateSignature = yield* this.ctx.bls.aggregateSignatures(added.timeouts.map((t) => t.signature)).pipe(Effect.orDie)
      const aggregateKey = yield* this.ctx.bls.aggregatePublicKeys(indices.map((i) => committee.members[i]?.publicKey ?? new Uint8Array())).pipe(Effect.orDie)
      const tc = new TimeoutCertificate({
        filter: kind.filter,
        rank: vote.rank,
        latestRanks: added.timeouts.map((t) => t.newestQcRank),
        latestQuorumCertificate: added.newestQc,
        timestamp: BigInt(yield* Clock.currentTimeMillis),
        aggregateSignature: new BLS48581AggregateSignature({
          signature: aggregateSignature,
          publicKey: aggregateKey,
          bitmask: makeSignerBitmask(indices, committee.members.length),
        }),
      })
      this.ctx.records.counters.tcsBuilt++
      yield* Metric.increment(timeoutCertificatesTotal)
      committee.verified.addTimeoutCertificate(tc)
      yield* outcomes.certified(tc)
    })
  }

  /** Indices in `committee` whose timeouts for `rank` were collected (diagnostics). */
  signers(rank: bigint, committee: Committee): ReadonlyArray<number> {
    return this.collectors.get(committee.id)?.signers(rank) ?? []
  }

  prune(rank: bigint): void {
    for (const collector of this.collectors.values()) collector.prune(rank)
  }
}
