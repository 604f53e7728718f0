// The chain-generic HotStuff engine (consensus.md §3, §4.3): it wires the pacemaker, the safety rules,
// vote and timeout aggregation, proposing, Forks with the 2-chain commit and sync for one chain kind.
// The chain's actor owns one engine and feeds it one message at a time; the engine never blocks on the
// network — it publishes, and asks its ports to arm timers and run sync requests as separate fibers.
//
// Safety-critical ordering: every vote, own proposal and timeout is signed, then the new safety state
// is persisted in one durable commit, and only then published (D-HS-5, D-GC-4; outbox.ts).
import { bytesToHex } from "@noble/hashes/utils.js"
import { Clock, type Context, Effect, Either, Option } from "effect"
import type { BlsVerifierService, PoseidonHash, ProverSignerService } from "../../../crates/ts/services.ts"
import type { CertifiedFrame, ChainFrame, ChainKind, ChainProposal, FrameBranch, ValidationServices } from "./chain-kind.ts"
import { type Committee, Committees, type CommitteeSource } from "./committee-source.ts"
import type { ConsensusConfig } from "./consensus-config.ts"
import { Undecodable, WrongParentQuorumCertificate } from "./consensus-errors.ts"
import { ConsensusRecords, type EngineStatus } from "./consensus-records.ts"
import { checkQc, checkTc, committeeIndex, type EngineContext, type FrameCommittees, type FrameRef, leaderFor, nodeOf } from "./engine-context.ts"
import type { EnginePorts } from "./engine-ports.ts"
import { Finalizer } from "./finalizer.ts"
import { Forks, type StateNode } from "./forks.ts"
import { genesisQuorumCertificate } from "./frame-production.ts"
import { BadOutput } from "./frame-rejection.ts"
import { VDF_OUTPUT_BYTES } from "./frame-validation.ts"
import { bytesEqual } from "./messages/fields.ts"
import { encodeProposalVote, type ProposalVote } from "./messages/proposal-vote.ts"
import type { QuorumCertificate } from "./messages/quorum-certificate.ts"
import type { TimeoutCertificate } from "./messages/timeout-certificate.ts"
import { encodeTimeoutState, type TimeoutState } from "./messages/timeout-state.ts"
import { OrphanProposals } from "./orphan-proposals.ts"
import { Outbox } from "./outbox.ts"
import { Pacemaker } from "./pacemaker.ts"
import { checkRankEvidence } from "./proposal-validation.ts"
import { validateVote } from "./certificate-validation.ts"
import { Proposer } from "./proposer.ts"
import { LivenessState, type RankChange, receiveQuorumCertificate, receiveTimeoutCertificate } from "./rank-tracker.ts"
import { RankReporter } from "./rank-reporting.ts"
import { signTimeout, signVote } from "./replica-signer.ts"
import { ConsensusState, decideTimeout, decideVote, recordTimeout } from "./safety-rules.ts"
import { SyncClient } from "./sync-client.ts"
import { serveSync } from "./sync-server.ts"
import { TimeoutAggregator } from "./timeout-aggregator.ts"
import { VerifiedCertificates } from "./verified-certificates.ts"
import { VoteAggregator } from "./vote-aggregator.ts"

/** How often a leader whose peers have not connected yet checks again before proposing. */
const PEER_WAIT_RETRY_MS = 100

/** How often a leader its chain kind holds back (`holdProposal`) asks again. */
const HOLD_RETRY_MS = 25

/** Proposals kept while their committee is not known yet (app D-APP-18); the oldest go first. */
const MAX_AWAITING_COMMITTEE = 64

/** Committed frames the engine's branch still answers after they left Forks (more than a sync batch). */
const RECENT_COMMITS = 256

/** Votes kept for frames not held yet whose committee the source cannot tell without them: frames, votes per frame. */
const MAX_EARLY_VOTE_FRAMES = 64
const MAX_EARLY_VOTES_PER_FRAME = 64

export interface HotStuffEngineDeps<F extends ChainFrame, P extends ChainProposal<F>> {
  readonly kind: ChainKind<F, P>
  readonly config: ConsensusConfig
  /** Who votes on each frame (a constant committee on devnets, the prover registry's in a node). */
  readonly committees: CommitteeSource<F>
  readonly signer: ProverSignerService
  readonly bls: BlsVerifierService
  readonly poseidon: PoseidonHash
  readonly services: Context.Context<ValidationServices>
  readonly ports: EnginePorts<F, P>
}

export class HotStuffEngine<F extends ChainFrame, P extends ChainProposal<F>> {
  readonly ctx: EngineContext<F, P>
  private readonly ports: EnginePorts<F, P>
  private forks!: Forks<F, P>
  private safety!: ConsensusState
  private readonly pacemaker: Pacemaker
  private readonly outbox: Outbox<F, P>
  private readonly votes: VoteAggregator<F, P>
  private readonly timeouts: TimeoutAggregator<F, P>
  private readonly proposer: Proposer<F, P>
  private readonly finalizer: Finalizer<F, P>
  private readonly sync: SyncClient<F, P>
  private readonly report: RankReporter<F, P>
  private readonly orphans: OrphanProposals<P>
  /** Valid-looking proposals whose committee the source has not applied yet, by selector (retried). */
  private readonly awaitingCommittee = new Map<string, { readonly proposal: P; readonly from: string }>()
  /** Votes that overtook their proposal and could not be placed in a committee yet, by selector. */
  private readonly earlyVotes = new Map<string, Array<{ readonly vote: ProposalVote; readonly from: string }>>()
  /** The committed head when the awaiting proposals were last retried. */
  private awaitingRetriedAt = -1n
  /** The committee of the current rank's frame, as last resolved (diagnostics). */
  private currentCommittee: Committee
  private readonly lookups: FrameCommittees = {
    of: (ref) => this.committeeOf(ref),
    after: (qc) => this.committeeAfter(qc),
  }

  constructor(deps: HotStuffEngineDeps<F, P>) {
    const { kind, config, signer, poseidon } = deps
    const genesis = kind.genesisFrame({ timestamp: config.genesisTimestamp, difficulty: config.genesisDifficulty })
    const records = new ConsensusRecords()
    const verified = new VerifiedCertificates()
    const committees = new Committees(deps.committees, kind.filter, signer.address, verified)
    this.currentCommittee = committees.committee([])
    this.ctx = {
      kind,
      config,
      committees,
      signer,
      bls: deps.bls,
      poseidon,
      services: deps.services,
      genesisQc: genesisQuorumCertificate({
        filter: kind.filter,
        frameNumber: 0n,
        selector: poseidon(genesis.header.output),
        timestamp: BigInt(config.genesisTimestamp),
      }),
      verified,
      records,
    }
    this.ports = deps.ports
    this.pacemaker = new Pacemaker(config.timing, deps.ports.armTimer)
    this.outbox = new Outbox(deps.ports)
    this.votes = new VoteAggregator(this.ctx, (selector) => this.forks.get(selector)?.frameNumber)
    this.timeouts = new TimeoutAggregator(this.ctx, this.lookups)
    this.proposer = new Proposer(this.ctx)
    this.finalizer = new Finalizer(kind, (detail) => records.conflict(detail))
    this.sync = new SyncClient(this.ctx, deps.ports)
    this.orphans = new OrphanProposals((p) => bytesToHex(poseidon(p.state.header.output)))
    this.report = new RankReporter(this.ctx, {
      committee: () => this.currentCommittee,
      voters: (rank, committee) => this.votes.bestSupport(rank, committee),
      timeoutSigners: (rank, committee) => this.timeouts.signers(rank, committee),
      currentRank: () => this.pacemaker.currentRank,
      newestQc: () => this.pacemaker.liveness.latestQuorumCertificate,
      hasState: (selector) => this.forks.get(selector) !== undefined,
      headFrameNumber: () => this.forks.root.node.frameNumber,
      peers: deps.ports.peers,
    })
  }

  get genesisQc(): QuorumCertificate {
    return this.ctx.genesisQc
  }

  /** The genesis frame every node derives from the config (§1.7). */
  genesisFrame(): F {
    return this.ctx.kind.genesisFrame({ timestamp: this.ctx.config.genesisTimestamp, difficulty: this.ctx.config.genesisDifficulty })
  }

  private selectorHex(frame: F): string {
    return bytesToHex(this.ctx.poseidon(frame.header.output))
  }

  /** Runs one message's handling, then persists and publishes what it produced. */
  private handled(effect: Effect.Effect<void>): Effect.Effect<void> {
    return Effect.zipRight(
      effect,
      Effect.suspend(() => Effect.zipRight(this.flush(), this.retryAwaitingCommittee(false))),
    )
  }

  /**
   * Proposals (and a sync answer) that waited for a committee are tried again when the committed head
   * moved since the last try (the registry follows committed frames), or always when `force` (a local
   * timeout, or the shell telling that its source moved).
   */
  private retryAwaitingCommittee(force: boolean): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      const head = this.forks.root.node.frameNumber
      if (!force && head === this.awaitingRetriedAt) return
      this.awaitingRetriedAt = head
      if (this.awaitingCommittee.size > 0) {
        const waiting = [...this.awaitingCommittee.values()]
        this.awaitingCommittee.clear()
        for (const w of waiting) yield* this.onProposal(w.proposal, w.from)
      }
      if (this.sync.waitingForCommittee) yield* this.sync.retry(head)
      yield* this.flush()
    })
  }

  /** The shell's committee source moved (the registry applied a frame): waiting work is tried again. */
  handleCommitteesAdvanced(): Effect.Effect<void> {
    return this.handled(this.retryAwaitingCommittee(true))
  }

  /** The committee of the frame `ref` names: cached on its StateNode when this node holds it. */
  private committeeOf(ref: FrameRef): Effect.Effect<Either.Either<Committee, string>> {
    const node = this.forks.get(bytesToHex(ref.selector))
    if (node?.committee !== undefined) return Effect.succeed(Either.right(node.committee))
    const parent = node === undefined ? undefined : this.forks.get(node.parentSelector)?.frame
    return this.ctx.committees.of({ frameNumber: ref.frameNumber, frame: node?.frame, parent }, this.branch)
  }

  /** The committee of a child of the frame `qc` certifies. */
  private committeeAfter(qc: QuorumCertificate): Effect.Effect<Either.Either<Committee, string>> {
    const parent = this.forks.get(bytesToHex(qc.selector))?.frame
    return this.ctx.committees.of({ frameNumber: qc.frameNumber + 1n, parent }, this.branch)
  }

  /** The committees a proposal is checked against: its frame's, its parent QC's and its TC's. */
  private proposalCommittees(p: P, parent: StateNode<F, P>) {
    return Effect.gen(this, function* () {
      const frame = yield* this.ctx.committees.of({ frameNumber: p.state.header.frameNumber, frame: p.state, parent: parent.frame }, this.branch)
      const parentQc = parent.committee !== undefined ? Either.right(parent.committee) : yield* this.committeeOf(p.parentQuorumCertificate)
      const tc = p.priorRankTimeoutCertificate
      const timeout = tc === undefined ? frame : yield* this.committeeAfter(tc.latestQuorumCertificate ?? this.ctx.genesisQc)
      return Either.map(Either.all([frame, parentQc, timeout]), ([f, q, t]) => ({ frame: f, parentQc: q, timeout: t }))
    })
  }

  private flush(): Effect.Effect<void> {
    return this.outbox.flush((committed) =>
      Effect.gen(this, function* () {
        this.report.progressed(yield* Clock.currentTimeMillis)
        this.ports.committed(committed)
        if (this.ports.executeCommitted !== undefined) yield* this.ports.executeCommitted(committed)
      }),
    )
  }

  /** The frames this node holds (Forks and its root), for chain kinds that walk a frame's ancestry. */
  private readonly branch: FrameBranch<F> = {
    frame: (selector) => {
      const hex = bytesToHex(selector)
      return this.forks.get(hex)?.frame ?? this.recentCommits.get(hex)
    },
  }

  /**
   * The newest committed frames by selector: they leave Forks when the root moves, and reach the store only
   * at the next flush, so a walk below the root (a committee source, D-HS-8) finds them here meanwhile.
   */
  private readonly recentCommits = new Map<string, F>()

  private rememberCommitted(frames: ReadonlyArray<CertifiedFrame<F>>): void {
    for (const c of frames) this.recentCommits.set(bytesToHex(c.qc.selector), c.frame)
    for (const old of this.recentCommits.keys()) {
      if (this.recentCommits.size <= RECENT_COMMITS) break
      this.recentCommits.delete(old)
    }
  }

  /**
   * For chain kinds with `settleBeforeValidation`: commit what `certified` (a verified QC) finalizes and
   * flush it — persisted, then executed — so the frame checked or produced next sees that state.
   * Committing on a verified QC before the proposal carrying it is validated is what the orphan path
   * already does (receiveQc); the rest of the proposal's handling is unchanged.
   */
  private settle(certified: QuorumCertificate): Effect.Effect<void> {
    return Effect.suspend(() => {
      if (this.ctx.kind.settleBeforeValidation !== true) return Effect.void
      this.finalizer.check(this.forks, bytesToHex(certified.selector))
      this.commitFinalized()
      return this.flush()
    })
  }

  // ---------------------------------------------------------------------------------------------
  // Start and recovery (§3.12)

  /** Loads persisted state (or genesis), replays stored proposals, arms the pacemaker. */
  start(): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      const { kind } = this.ctx
      const loaded = yield* this.ports.load
      // The root's committee is resolved when first asked for (committeeOf): the source may not know it yet.
      this.forks = new Forks<F, P>(
        loaded.committed === undefined
          ? { node: nodeOf(this.ctx, this.genesisFrame(), undefined, undefined), qc: this.ctx.genesisQc }
          : { node: nodeOf(this.ctx, loaded.committed.frame, undefined, undefined), qc: loaded.committed.qc },
      )
      const liveness = loaded.liveness ?? new LivenessState({ filter: kind.filter, currentRank: 1n, latestQuorumCertificate: this.ctx.genesisQc })
      this.safety = loaded.safety ?? new ConsensusState({ filter: kind.filter, highestVotedParentRank: 0n, latestAcknowledgedRank: 0n })
      this.pacemaker.restore(liveness)
      yield* this.refreshCurrentCommittee()
      // Replay validated, uncommitted proposals in rank order (they were checked before being stored).
      for (const p of loaded.proposals) {
        const parent = this.forks.get(bytesToHex(p.state.header.parentSelector))
        const known = yield* this.ctx.committees.of({ frameNumber: p.state.header.frameNumber, frame: p.state, parent: parent?.frame }, this.branch)
        this.forks.add(nodeOf(this.ctx, p.state, p, Either.getOrUndefined(known)))
      }
      for (const p of loaded.proposals) this.finalizer.check(this.forks, bytesToHex(p.parentQuorumCertificate.selector))
      this.commitFinalized()
      this.report.progressed(yield* Clock.currentTimeMillis)
      yield* this.resendOwnProposal(loaded.proposals)
      yield* Effect.logDebug(`${kind.name} consensus started`).pipe(
        Effect.annotateLogs({ rank: String(this.pacemaker.currentRank), head: String(this.forks.root.node.frameNumber) }),
      )
      this.pacemaker.begin(yield* Clock.currentTimeMillis)
      // A node that had already timed out at this rank can no longer vote in it: only a TC ends it, so
      // re-broadcast the stored timeout at once rather than after a whole replica timeout.
      const timedOutHere = this.safety.latestTimeout?.vote?.rank === this.pacemaker.currentRank
      yield* timedOutHere ? this.pacemaker.armRebroadcast() : this.pacemaker.armReplicaTimeout()
      yield* this.proposeIfLeader()
      yield* this.flush()
    })
  }

  /**
   * A leader stopped after proposing at its current rank cannot sign a second proposal there (safety),
   * and its peers may never have received the first: the stored one is published again (the same
   * signed bytes, nothing new is signed) when the proposal falls due, instead of letting the rank time out.
   */
  private resendOwnProposal(stored: ReadonlyArray<P>): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      const rank = this.pacemaker.currentRank
      const own = stored.find((p) => p.state.header.rank === rank && bytesEqual(p.state.header.prover, this.ctx.signer.address))
      if (own === undefined) return
      this.proposer.keepStored(own)
      this.proposer.schedule(rank)
      yield* this.ports.proposeAfter(0, rank)
    })
  }

  // ---------------------------------------------------------------------------------------------
  // Inbound traffic

  handleInbound(from: string, data: Uint8Array): Effect.Effect<void> {
    return this.handled(Effect.suspend(() => this.dispatch(from, data)))
  }

  private dispatch(from: string, data: Uint8Array): Effect.Effect<void> {
    const message = this.ctx.kind.decodeMessage(data)
    switch (message._tag) {
      case "Proposal":
        return this.onProposal(message.proposal, from)
      case "Vote":
        return this.onVote(message.vote, from)
      case "Timeout":
        return this.onTimeout(message.timeout, from)
      case "Undecodable":
        return this.ctx.records.reject(from, new Uint8Array(), "undecodable", new Undecodable({ detail: message.detail }))
    }
  }

  /** Validates a proposal (certificates, leader, vote, frame against its parent) or says why not. */
  private validate(p: P, parent: StateNode<F, P>, committees: { readonly frame: Committee; readonly parentQc: Committee; readonly timeout: Committee }) {
    const { kind, config, genesisQc } = this.ctx
    const { frame, parentQc, timeout } = committees
    const side = (c: Committee) => ({ committee: c.members, verified: c.verified })
    return Effect.gen(this, function* () {
      yield* kind.validateProposal(p, { network: config.network, ...side(frame), genesis: genesisQc, parent: side(parentQc), timeout: side(timeout) })
      yield* checkQc(this.ctx, parentQc, p.parentQuorumCertificate)
      if (p.priorRankTimeoutCertificate !== undefined) yield* checkTc(this.ctx, timeout, p.priorRankTimeoutCertificate)
      if (!bytesEqual(p.parentQuorumCertificate.selector, p.state.header.parentSelector)) {
        return yield* Effect.fail(new WrongParentQuorumCertificate({ detail: "the parent QC does not certify the frame's parent" }))
      }
      yield* this.settle(p.parentQuorumCertificate)
      yield* kind.validateFrame(p.state, frame.members, parent.frame, this.branch)
    }).pipe(Effect.provide(this.ctx.services))
  }

  private onProposal(p: P, from: string): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      const { records } = this.ctx
      const h = p.state.header
      if (h.rank <= this.forks.root.node.rank) return
      if (h.output.length !== VDF_OUTPUT_BYTES)
        return yield* records.reject(from, h.prover, "proposal", new BadOutput({ detail: `output is ${h.output.length} bytes` }))
      const selector = this.selectorHex(p.state)
      if (this.forks.has(selector)) return
      const parentSelector = bytesToHex(h.parentSelector)
      const parent = this.forks.get(parentSelector)
      if (parent === undefined) {
        // Unknown parent: keep it until the parent arrives, and ask the sender for what we miss (§4.3 2.3).
        this.orphans.add(parentSelector, selector, { proposal: p, from })
        const qcCommittee = yield* this.committeeOf(p.parentQuorumCertificate)
        const certified = Either.isRight(qcCommittee) && Either.isRight(yield* Effect.either(checkQc(this.ctx, qcCommittee.right, p.parentQuorumCertificate)))
        if (certified) yield* this.receiveQc(p.parentQuorumCertificate)
        yield* this.sync.request(from, this.forks.root.node.frameNumber)
        return
      }
      const committees = yield* this.proposalCommittees(p, parent)
      if (Either.isLeft(committees)) {
        // Not this proposal's fault: its committee is not applied here yet. It waits, like an orphan.
        this.awaitingCommittee.delete(selector)
        this.awaitingCommittee.set(selector, { proposal: p, from })
        for (const old of this.awaitingCommittee.keys()) {
          if (this.awaitingCommittee.size <= MAX_AWAITING_COMMITTEE) break
          this.awaitingCommittee.delete(old)
        }
        // Its parent QC is checked against the parent's committee (known: the parent was validated), as an
        // orphan's is: what it finalizes may be what the missing committee waits for.
        const parentQc = parent.committee !== undefined ? Either.right(parent.committee) : yield* this.committeeOf(p.parentQuorumCertificate)
        if (Either.isRight(parentQc) && Either.isRight(yield* Effect.either(checkQc(this.ctx, parentQc.right, p.parentQuorumCertificate)))) {
          yield* this.receiveQc(p.parentQuorumCertificate)
        }
        this.report.notes.proposalRejected(h.rank, `waiting for its committee: ${committees.left}`)
        return yield* Effect.logDebug(`proposal at rank ${h.rank} waits for its committee: ${committees.left}`)
      }
      const node = nodeOf(this.ctx, p.state, p, committees.right.frame)
      const verdict = yield* Effect.either(this.validate(p, parent, committees.right))
      if (Either.isLeft(verdict)) {
        this.report.notes.proposalRejected(h.rank, `${verdict.left._tag}: ${verdict.left.detail}`)
        return yield* records.reject(from, h.prover, "proposal", verdict.left)
      }
      this.report.notes.proposalSeen(h.rank, node.selector)
      const added = this.forks.add(node)
      if (added._tag !== "Added") return
      if (added.equivocatesWith !== undefined) {
        yield* records.equivocation("double-proposal", h.rank, h.prover, [added.equivocatesWith.selector, node.selector], from)
        this.ports.doubleProposal(p.state, added.equivocatesWith.frame, committeeIndex(committees.right.frame, h.prover))
      }
      // The proposer's own vote counts toward the QC (§4.3 2.5); validateProposal verified it.
      yield* this.collectVote(p.vote, node.selector, h.prover, from, committees.right.frame)
      yield* this.replayEarlyVotes(node.selector)
      yield* this.receiveQc(p.parentQuorumCertificate)
      if (p.priorRankTimeoutCertificate !== undefined) yield* this.receiveTc(p.priorRankTimeoutCertificate)
      // However the proposal reached us (gossip, orphan release, sync), the safety rules decide the vote.
      const vote = h.rank === this.pacemaker.currentRank ? yield* this.produceVote(p, committees.right.frame) : undefined
      // Stored for restart replay; a vote's safety state is committed before the vote leaves (D-GC-4).
      this.outbox.put({ _tag: "Proposal", rank: h.rank, selector: this.ctx.poseidon(h.output), proposal: p })
      if (vote !== undefined) {
        this.outbox.putSafety(vote.next)
        this.safety = vote.next
        records.counters.votesSent++
        this.outbox.send(encodeProposalVote(vote.vote))
        yield* this.collectVote(vote.vote, node.selector, this.ctx.signer.address, this.ports.peerId, committees.right.frame)
      }
      // The new proposal certifies its parent (its parent QC), not itself: 2-chain from the parent (§3.10).
      this.finalizer.check(this.forks, node.parentSelector)
      this.commitFinalized()
      // Children that were waiting for this state.
      for (const o of this.orphans.release(node.selector)) yield* this.onProposal(o.proposal, o.from)
      if (h.rank !== this.pacemaker.currentRank) yield* this.proposeIfLeader()
    })
  }

  /** SafetyRules.ProduceVote: decide, then sign; the caller persists `next` before publishing. */
  private produceVote(p: P, committee: Committee) {
    return Effect.gen(this, function* () {
      const { signer, kind } = this.ctx
      const h = p.state.header
      if (committee.selfIndex < 0) return undefined
      const decision = decideVote(
        this.safety,
        { rank: h.rank, proposer: h.prover, parentQuorumCertificate: p.parentQuorumCertificate, priorRankTimeoutCertificate: p.priorRankTimeoutCertificate },
        this.pacemaker.currentRank,
        Option.getOrUndefined(leaderFor(this.ctx, committee, h.rank)),
        signer.address,
        (address) => committeeIndex(committee, address) >= 0,
      )
      if (decision._tag !== "Vote") {
        this.report.notes.ownVote(h.rank, decision.reason)
        yield* Effect.logDebug(`no vote at rank ${h.rank}: ${decision.reason}`)
        return undefined
      }
      this.report.notes.ownVote(h.rank, "sent")
      const vote = yield* signVote(signer, kind.filter, h.rank, h.frameNumber, this.ctx.poseidon(h.output))
      return { vote, next: decision.next }
    })
  }

  private onVote(vote: ProposalVote, from: string): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      if (vote.rank + 1n < this.pacemaker.currentRank || vote.rank <= this.forks.root.node.rank) return // stale (§4.2)
      const selector = bytesToHex(vote.selector)
      // The vote counts in its frame's committee; one not known here yet cannot be counted (nor blamed).
      const committee = yield* this.committeeOf(vote)
      if (Either.isLeft(committee)) {
        // A vote that overtook its proposal: kept until the frame is here (then its committee is known).
        // Its signature is checked now when the current committee knows the voter's key: a forgery must
        // not wait unpenalized for a proposal that may never come (D-GC-14).
        const voter = vote.publicKeySignatureBls48581?.address ?? new Uint8Array()
        if (committeeIndex(this.currentCommittee, voter) >= 0) {
          const checked = yield* Effect.either(validateVote(vote, this.currentCommittee.members).pipe(Effect.provide(this.ctx.services)))
          if (Either.isLeft(checked)) return yield* this.ctx.records.reject(from, voter, "vote", checked.left)
        }
        if (!this.forks.has(selector)) this.keepEarlyVote(selector, vote, from)
        return yield* Effect.logDebug(`vote at rank ${vote.rank} not counted yet: ${committee.left}`)
      }
      const qc = yield* this.votes.receive(vote, selector, from, this.forks.has(selector), committee.right)
      if (qc !== undefined) yield* this.receiveQc(qc)
    })
  }

  private keepEarlyVote(selector: string, vote: ProposalVote, from: string): void {
    const kept = this.earlyVotes.get(selector) ?? []
    if (kept.length >= MAX_EARLY_VOTES_PER_FRAME) return
    kept.push({ vote, from })
    this.earlyVotes.delete(selector)
    this.earlyVotes.set(selector, kept)
    for (const old of this.earlyVotes.keys()) {
      if (this.earlyVotes.size <= MAX_EARLY_VOTE_FRAMES) break
      this.earlyVotes.delete(old)
    }
  }

  /** The votes that arrived before the frame `selector`, now that it is here. */
  private replayEarlyVotes(selector: string): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      const kept = this.earlyVotes.get(selector)
      if (kept === undefined) return
      this.earlyVotes.delete(selector)
      for (const { vote, from } of kept) yield* this.onVote(vote, from)
    })
  }

  /** Collects a vote whose signature is already verified (our own, a proposal's); a QC it completes moves us on. */
  private collectVote(vote: ProposalVote, selector: string, voter: Uint8Array, from: string, committee: Committee): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      const qc = yield* this.votes.collect(vote, selector, voter, from, true, committee)
      if (qc !== undefined) yield* this.receiveQc(qc)
    })
  }

  private onTimeout(t: TimeoutState, from: string): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      const checked = yield* this.timeouts.check(t, from, this.pacemaker.currentRank)
      if (checked === undefined) return
      if (checked._tag === "FrameMissing") return yield* this.sync.request(from, this.forks.root.node.frameNumber)
      // Newer certificates carried by the timeout move us forward (§3.5, partial TC).
      yield* this.receiveQc(checked.qc)
      if (checked._tag === "QcOnly") return
      if (checked.priorTc !== undefined) yield* this.receiveTc(checked.priorTc)
      yield* this.collectTimeout(checked.vote, checked.index, checked.qc, checked.priorTc, checked.committee)
    })
  }

  private collectTimeout(
    vote: ProposalVote,
    index: number,
    qc: QuorumCertificate,
    priorTc: TimeoutCertificate | undefined,
    committee: Committee,
  ): Effect.Effect<void> {
    return this.timeouts.collect(
      { vote, index, qc, priorTc, committee },
      {
        fastJoin: (rank) => (rank === this.pacemaker.currentRank && this.safety.latestTimeout?.vote?.rank !== rank ? this.timeoutNow() : Effect.void),
        certified: (tc) => this.receiveTc(tc),
      },
    )
  }

  // ---------------------------------------------------------------------------------------------
  // Pacemaker (§3.2, §3.3)

  private receiveQc(qc: QuorumCertificate): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      this.finalizer.check(this.forks, bytesToHex(qc.selector))
      this.commitFinalized()
      yield* this.rankStep(receiveQuorumCertificate(this.pacemaker.liveness, qc))
    })
  }

  private receiveTc(tc: TimeoutCertificate): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      if (tc.latestQuorumCertificate !== undefined) this.finalizer.check(this.forks, bytesToHex(tc.latestQuorumCertificate.selector))
      this.commitFinalized()
      yield* this.rankStep(receiveTimeoutCertificate(this.pacemaker.liveness, tc))
    })
  }

  private rankStep(step: { readonly state: LivenessState; readonly rankChange: RankChange | undefined }): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      const change = this.pacemaker.advance(step, yield* Clock.currentTimeMillis)
      if (change === undefined) return
      this.outbox.put({ _tag: "Liveness", state: this.pacemaker.liveness })
      yield* this.refreshCurrentCommittee()
      if (change.cause === "timeout-certificate") yield* this.report.timedOut(change.to - 1n)
      const retained = change.to > 2n ? change.to - 2n : 0n
      this.report.notes.prune(retained)
      this.votes.prune(retained)
      this.timeouts.prune(retained)
      this.proposer.pruneBelow(change.to)
      yield* this.pacemaker.armReplicaTimeout()
      yield* this.proposeIfLeader()
    })
  }

  /** The committee of the frame the current rank extends (diagnostics keep the last one known). */
  private refreshCurrentCommittee(): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      const known = yield* this.committeeAfter(this.pacemaker.liveness.latestQuorumCertificate)
      if (Either.isRight(known)) this.currentCommittee = known.right
    })
  }

  handleLocalTimeout(epoch: number): Effect.Effect<void> {
    return this.handled(
      Effect.gen(this, function* () {
        if (!this.pacemaker.isCurrent(epoch)) return
        yield* this.retryAwaitingCommittee(true)
        yield* this.timeoutNow()
        yield* this.report.warnIfStalled()
      }),
    )
  }

  /** `broadcastTimeoutStateIfAuthorized` (§3.5) and the timer's re-fire every min(duration, 28 s). */
  private timeoutNow(): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      yield* this.pacemaker.armRebroadcast()
      const { liveness } = this.pacemaker
      const rank = liveness.currentRank
      const newestQc = liveness.latestQuorumCertificate
      const priorTc = newestQc.rank + 1n === rank ? undefined : liveness.priorRankTimeoutCertificate
      // Our timeout counts in the committee of a child of our newest QC's frame (app D-APP-18).
      const committee = yield* this.committeeAfter(newestQc)
      const decision = decideTimeout(this.safety, rank, newestQc, priorTc, Either.isRight(committee) && committee.right.selfIndex >= 0)
      let timeout: TimeoutState
      let next: ConsensusState
      switch (decision._tag) {
        case "NotMember":
          return
        case "Unsafe":
          return yield* Effect.logWarning(`no timeout at rank ${rank}: ${decision.reason}`)
        case "Rebroadcast":
          timeout = decision.timeout
          next = decision.next
          break
        case "Timeout":
          timeout = yield* signTimeout(this.ctx.signer, this.ctx.kind.filter, rank, newestQc, priorTc)
          next = recordTimeout(this.safety, rank, timeout)
          break
      }
      this.outbox.putSafety(next)
      this.safety = next
      this.ctx.records.counters.timeoutsSent++
      this.outbox.send(encodeTimeoutState(timeout))
      // Our own timeout counts toward the TC, a re-broadcast one too: after a restart the collector is
      // empty and the stored timeout is the only one this node may sign for the rank.
      const qc = timeout.latestQuorumCertificate
      if (timeout.vote === undefined || qc === undefined) return
      const own = yield* this.committeeAfter(qc)
      if (Either.isRight(own) && own.right.selfIndex >= 0)
        yield* this.collectTimeout(timeout.vote, own.right.selfIndex, qc, timeout.priorRankTimeoutCertificate, own.right)
    })
  }

  // ---------------------------------------------------------------------------------------------
  // Proposing (§1.5, §3.5 proposeForNewRankIfPrimary)

  private proposeIfLeader(): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      const rank = this.pacemaker.currentRank
      // The leader of the frame this rank would extend the newest QC with; not known yet: not now.
      const committee = yield* this.committeeAfter(this.pacemaker.liveness.latestQuorumCertificate)
      if (Either.isLeft(committee)) return
      const leader = leaderFor(this.ctx, committee.right, rank)
      if (Option.isNone(leader) || !bytesEqual(leader.value, this.ctx.signer.address)) return
      if (!this.proposer.schedule(rank)) return
      yield* this.ports.proposeAfter(this.ctx.config.timing.proposalDelayMs, rank)
    })
  }

  handleProposeDue(rank: bigint): Effect.Effect<void> {
    return this.handled(this.propose(rank))
  }

  private propose(rank: bigint): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      const { records, signer, config } = this.ctx
      const notes = this.report.notes
      if (rank !== this.pacemaker.currentRank) return
      const newestQc = this.pacemaker.liveness.latestQuorumCertificate
      const known = yield* this.committeeAfter(newestQc)
      if (Either.isLeft(known)) {
        notes.notProposed(rank, `committee not known yet: ${known.left}`)
        return yield* this.ports.proposeAfter(PEER_WAIT_RETRY_MS, rank)
      }
      const committee = known.right
      const needed = this.proposer.peersNeededForQuorum(committee)
      const connected = needed === 0 ? 0 : (yield* this.ports.peers).length
      if (connected < needed) {
        notes.notProposed(rank, `waiting for peers: ${connected} connected, ${needed} needed for a quorum`)
        return yield* this.ports.proposeAfter(PEER_WAIT_RETRY_MS, rank)
      }
      const stored = this.proposer.takeStored(rank)
      if (stored !== undefined) {
        const selector = this.selectorHex(stored.state)
        notes.proposalSeen(rank, selector)
        this.outbox.send(this.ctx.kind.encodeProposal(stored))
        yield* this.collectVote(stored.vote, selector, signer.address, this.ports.peerId, committee)
        return yield* Effect.logInfo(`published this node's stored proposal for rank ${rank} again after a restart`)
      }
      const parent = this.forks.get(bytesToHex(newestQc.selector))
      if (parent === undefined) {
        // The newest QC's state is not here: we cannot extend it until sync brings it (§3.5 step 2);
        // the rank stays open so the sync answer can trigger the proposal.
        this.proposer.unschedule(rank)
        notes.notProposed(rank, `the frame certified at rank ${newestQc.rank} is not here yet (syncing)`)
        const peers = yield* this.ports.peers
        const peer = peers[Number(rank % BigInt(Math.max(peers.length, 1)))]
        if (peer !== undefined) yield* this.sync.request(peer, this.forks.root.node.frameNumber)
        return
      }
      const stop = config.stopAfterFrame
      if (stop !== undefined && parent.frameNumber + 1n > stop) return
      let tc: TimeoutCertificate | undefined
      if (newestQc.rank + 1n !== rank) {
        tc = this.pacemaker.liveness.priorRankTimeoutCertificate
        if (tc === undefined || tc.rank + 1n !== rank) {
          notes.notProposed(rank, `no TC for rank ${rank - 1n}`)
          return yield* Effect.logWarning(`leader of rank ${rank} has no TC for rank ${rank - 1n}`)
        }
      }
      const evidence = yield* Effect.either(checkRankEvidence(rank, newestQc, tc))
      if (Either.isLeft(evidence)) {
        notes.notProposed(rank, evidence.left.detail)
        return yield* Effect.logWarning(`cannot propose at rank ${rank}: ${evidence.left.detail}`)
      }
      yield* this.settle(newestQc)
      const held = this.ctx.kind.holdProposal === undefined ? undefined : yield* this.ctx.kind.holdProposal(parent.frame, rank)
      if (held !== undefined) {
        // Still scheduled: the retry proposes at this rank if it is current by then (a TC may end it first).
        notes.notProposed(rank, held)
        return yield* this.ports.proposeAfter(HOLD_RETRY_MS, rank)
      }
      const built = yield* this.proposer.build({ parent: parent.frame, branch: this.branch, rank, newestQc, tc, safety: this.safety, committee })
      if (built._tag === "NotSafe") {
        notes.notProposed(rank, built.reason)
        return yield* Effect.logDebug(`not proposing at rank ${rank}: ${built.reason}`)
      }
      const { proposal, vote, next } = built
      const node = nodeOf(this.ctx, proposal.state, proposal, committee)
      this.outbox.putSafety(next)
      this.outbox.put({ _tag: "Proposal", rank, selector: vote.selector, proposal })
      this.safety = next
      records.counters.proposed++
      this.forks.add(node)
      notes.proposalSeen(rank, node.selector)
      this.outbox.send(this.ctx.kind.encodeProposal(proposal))
      yield* this.collectVote(vote, node.selector, signer.address, this.ports.peerId, committee)
      // The new proposal certifies its parent (its parent QC), not itself: 2-chain from the parent (§3.10).
      this.finalizer.check(this.forks, node.parentSelector)
      this.commitFinalized()
    })
  }

  // ---------------------------------------------------------------------------------------------
  // Commit (2-chain finalization, D-GC-2)

  /** Writes what the finalizer collected as committed frames and forgets orphans below the new head. */
  private commitFinalized(): void {
    const committed = this.finalizer.take()
    const head = committed[committed.length - 1]
    if (head === undefined) return
    this.outbox.commitFrames(committed)
    this.rememberCommitted(committed)
    this.orphans.dropUpTo(head.frame.header.rank, (p) => p.state.header.rank)
  }

  // ---------------------------------------------------------------------------------------------
  // Sync (§12 item 13)

  handleSyncAnswered(peer: string, data: Uint8Array | undefined, detail: string): Effect.Effect<void> {
    return this.handled(this.adoptSync(peer, data, detail))
  }

  private adoptSync(peer: string, data: Uint8Array | undefined, detail: string): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      this.sync.answered()
      if (data === undefined) {
        yield* this.sync.endRun(`request failed: ${detail}`)
        return yield* Effect.logDebug(`sync from ${peer} failed: ${detail}`)
      }
      const decoded = this.ctx.kind.decodeSyncResponse(data)
      if (Either.isLeft(decoded)) {
        yield* this.sync.endRun("undecodable answer")
        return yield* this.ctx.records.reject(peer, new Uint8Array(), "sync", new Undecodable({ detail: String(decoded.left) }))
      }
      const { headFrameNumber, frames, proposals } = decoded.right
      yield* Effect.logDebug(`sync answer from ${peer}: head ${headFrameNumber}, ${frames.length} frames, ${proposals.length} proposals`)
      yield* this.sync.trackRun(peer, headFrameNumber, this.forks.root.node.frameNumber)
      const adopted: ReadonlyArray<CertifiedFrame<F>> = yield* this.sync.adoptFrames(this.forks, frames, peer)
      const head = adopted[adopted.length - 1]
      if (head !== undefined) {
        this.outbox.commitFrames(adopted)
        this.rememberCommitted(adopted)
        yield* this.receiveQc(head.qc)
      }
      // Progress counts the committed frames the peer sent (at most its head), before its proposals
      // commit anything more.
      yield* this.sync.advanceRun(this.forks.root.node.frameNumber)
      for (const p of proposals) yield* this.onProposal(p, peer)
      // Orphans whose parent is now known.
      for (const parent of this.orphans.parents()) {
        if (!this.forks.has(parent)) continue
        for (const o of this.orphans.release(parent)) yield* this.onProposal(o.proposal, o.from)
      }
      if (frames.length >= this.ctx.config.syncBatch) yield* this.sync.request(peer, this.forks.root.node.frameNumber)
      // A run that did not reach the peer's head and asked nothing more has stopped here.
      if (!this.sync.isInFlight) yield* this.sync.endRun(`no further frames (frame ${this.forks.root.node.frameNumber} reached)`)
      yield* this.proposeIfLeader()
    })
  }

  /** Answers a peer's sync request (in the requester's fiber, not through the actor's mailbox). */
  serveSync(data: Uint8Array): Effect.Effect<Uint8Array> {
    return serveSync(
      this.ctx.kind,
      this.ports.readCommitted,
      {
        rootFrameNumber: () => this.forks.root.node.frameNumber,
        pendingProposals: () => this.forks.pending().flatMap((n) => (n.proposal === undefined ? [] : [n.proposal])),
      },
      data,
    )
  }

  // ---------------------------------------------------------------------------------------------
  // Queries

  status(): EngineStatus {
    const root = this.forks.root.node
    const liveness = this.pacemaker.liveness
    return {
      peerId: this.ports.peerId,
      address: bytesToHex(this.ctx.signer.address),
      currentRank: liveness.currentRank,
      newestQcRank: liveness.latestQuorumCertificate.rank,
      committedHead: { frameNumber: root.frameNumber, rank: root.rank, selector: root.selector },
      latestAcknowledgedRank: this.safety.latestAcknowledgedRank,
      highestVotedParentRank: this.safety.highestVotedParentRank,
      failedRounds: this.pacemaker.failedRounds,
      ...this.ctx.records.snapshot(),
    }
  }
}
