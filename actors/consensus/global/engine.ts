// The global HotStuff engine (consensus.md §3, §4.3): pacemaker, safety rules, vote and timeout
// aggregation, proposals, Forks with the 2-chain commit, sync and restart recovery. The actor owns one
// engine and feeds it one message at a time; the engine never blocks on the network — it publishes,
// and asks the actor (through `EngineEffects`) to arm timers and run sync requests as separate fibers.
//
// Safety-critical ordering: every vote, own proposal and timeout is signed, then the new safety state
// is persisted with Store.commit, and only then published (D-HS-5, D-GC-4).
import { hexToBytes } from "@noble/hashes/utils.js"
import { Clock, type Context, Effect, Either, Metric, Option } from "effect"
import { checkVoteVoter, validateQuorumCertificate, validateTimeoutCertificate, validateTimeoutVote, validateVote } from "../core/certificate-validation.ts"
import { validateGlobalFrame } from "../core/frame-validation.ts"
import { genesisQuorumCertificate, globalHeaderTimestamp, produceGlobalFrameHeader, stubGlobalGenesisHeader } from "../core/frame-production.ts"
import { bytesEqual } from "../core/messages/fields.ts"
import { GlobalFrame } from "../core/messages/global-frame.ts"
import { GlobalFrameHeader } from "../core/messages/global-frame-header.ts"
import { encodeProposalVote, ProposalVote } from "../core/messages/proposal-vote.ts"
import { encodeGlobalProposal, GlobalProposal } from "../core/messages/proposals.ts"
import { QuorumCertificate } from "../core/messages/quorum-certificate.ts"
import { BLS48581AddressedSignature, BLS48581AggregateSignature } from "../core/messages/signatures.ts"
import { TimeoutCertificate } from "../core/messages/timeout-certificate.ts"
import { encodeTimeoutState, TimeoutState } from "../core/messages/timeout-state.ts"
import type { PoseidonHash } from "../../../crates/ts/services.ts"
import { checkRankEvidence, validateProposal } from "../core/proposal-validation.ts"
import { type ActiveProver, indexOfAddress, leaderForRank } from "../core/prover-ring.ts"
import { LivenessState, type RankChange, receiveQuorumCertificate, receiveTimeoutCertificate } from "../core/rank-tracker.ts"
import { ConsensusState, decideTimeout, decideVote, recordTimeout } from "../core/safety-rules.ts"
import type { BlsVerifier, BlsVerifierService, FrameVdf, Poseidon, ProverSigner, ProverSignerService } from "../../../crates/ts/services.ts"
import { makeTimeoutMessage, makeVoteMessage, timeoutDomain, voteDomain } from "../core/signed-messages.ts"
import { bitmaskIndices, MAX_BITMASK_LENGTH, makeSignerBitmask } from "../core/signer-bitmask.ts"
import { afterProgress, afterTimeout, rebroadcastIntervalMs, replicaTimeoutMs } from "../core/timeout-controller.ts"
import { VerifiedCertificates } from "../core/verified-certificates.ts"
import type { TransportService } from "../../../runtime/kernel/transport/transport.ts"
import { SyncProgress } from "../../../runtime/network/sync-progress.ts"
import type { StoreService } from "../../../runtime/store/index.ts"
import type { GlobalConsensusConfig } from "./config.ts"
import { proposalsRejectedTotal, ranksTimedOutTotal, timeoutCertificatesTotal } from "./metrics.ts"
import { LogRateLimit, RankDiagnostics } from "./rank-diagnostics.ts"
import { RankPace } from "./rank-pace.ts"
import { Forks, type Root, selectorHex, type StateNode } from "./forks.ts"
import {
  type CertifiedFrame,
  type ConsensusKey,
  committedHeadNumber,
  committedKey,
  consensusRows,
  decodeCertifiedFrame,
  decodeLiveness,
  decodeSafety,
  decodeStoredProposal,
  encodeCertifiedFrame,
  encodeHead,
  encodeLiveness,
  encodeSafety,
  encodeStoredProposal,
  HEAD_KEY,
  LIVENESS_KEY,
  proposalKey,
  proposalPrefix,
  SAFETY_KEY,
} from "./persistence.ts"
import type { ConsensusStatus, Equivocation, Rejection } from "./protocol.ts"
import { isQuorum, type QuorumRule, quorumRuleFor, weightOfSigners } from "./quorum-rule.ts"
import { TimeoutCollector } from "./timeout-collector.ts"
import { type CollectedVote, VoteCollector } from "./vote-collector.ts"
import { decodeSyncRequest, decodeSyncResponse, decodeWire, encodeSyncRequest, encodeSyncResponse, GLOBAL_CONSENSUS_BITMASK, type SyncRequest } from "./wire.ts"

const EMPTY = new Uint8Array()
const hex = selectorHex
const MAX_RECORDS = 200
/** At most one "rank timed out" line per this interval (the rest are counted into the next line). */
const RANK_LINE_INTERVAL_MS = 2_000
/** No commit for this many expected frame intervals is a stall worth a warning. */
const STALL_INTERVALS = 10
/** How often a leader whose peers have not connected yet checks again before proposing. */
const PEER_WAIT_RETRY_MS = 100

/** What the engine asks its host (the actor) to do asynchronously. */
export interface EngineEffects {
  /** Tell LocalTimeout{epoch} after `ms` (replacing any earlier timer). */
  readonly armTimer: (ms: number, epoch: number) => Effect.Effect<void>
  /** Tell ProposeDue{rank} after `ms`. */
  readonly proposeAfter: (ms: number, rank: bigint) => Effect.Effect<void>
  /** Run a sync request and tell SyncAnswered with the result. */
  readonly sync: (peer: string, request: Uint8Array) => Effect.Effect<void>
}

export type ValidationServices = Poseidon | BlsVerifier | FrameVdf | ProverSigner

export interface EngineDeps {
  readonly config: GlobalConsensusConfig
  /** `GetActiveProvers(nil)`, sorted by address. */
  readonly committee: ReadonlyArray<ActiveProver>
  readonly store: StoreService
  readonly transport: TransportService
  readonly signer: ProverSignerService
  readonly bls: BlsVerifierService
  readonly poseidon: PoseidonHash
  readonly services: Context.Context<ValidationServices>
  readonly effects: EngineEffects
  /** Called after each commit with the newly committed frames, oldest first. */
  readonly onCommitted?: (frames: ReadonlyArray<CertifiedFrame>) => void
  /** Called when a proposer signed two frames at one rank (§4.3 step 7): the second frame and the first. */
  readonly onDoubleProposal?: (second: GlobalFrame, first: GlobalFrame, proposerIndex: number) => void
}

interface Counters {
  proposed: number
  votesSent: number
  timeoutsSent: number
  qcsBuilt: number
  tcsBuilt: number
}

const tagOf = (e: unknown): string =>
  typeof e === "object" && e !== null && "_tag" in e && typeof (e as { _tag: unknown })._tag === "string" ? (e as { _tag: string })._tag : "Unknown"
const detailOf = (e: unknown): string => (typeof e === "object" && e !== null && "detail" in e ? String((e as { detail: unknown }).detail) : String(e))

export class GlobalConsensusEngine {
  readonly rule: QuorumRule
  readonly selfIndex: number
  readonly genesisQc: QuorumCertificate
  private forks!: Forks
  private liveness!: LivenessState
  private safety!: ConsensusState
  private failedRounds = 0
  private timerEpoch = 0
  private readonly proposedRanks = new Set<bigint>()
  private readonly votes = new VoteCollector()
  private readonly timeouts = new TimeoutCollector()
  /** Proposals whose parent is unknown, by parent selector. */
  private readonly orphans = new Map<string, Array<{ proposal: GlobalProposal; from: string }>>()
  /** Every QC/TC this node validated or built, so each distinct certificate is verified once (D-GC-14). */
  readonly verified = new VerifiedCertificates()
  private syncInFlight = false
  private lastSync: { readonly peer: string; readonly from: bigint; readonly at: number } | undefined
  /** The long catch-up under way (peer head more than a batch ahead when it began), for progress lines. */
  private syncRun: { readonly peer: string; readonly progress: SyncProgress } | undefined
  private readonly counters: Counters = { proposed: 0, votesSent: 0, timeoutsSent: 0, qcsBuilt: 0, tcsBuilt: 0 }
  /** Store writes of this and earlier messages not yet committed (value undefined = delete). */
  private readonly writes = new Map<string, { readonly key: ConsensusKey; readonly value: Uint8Array | undefined }>()
  /** Payloads to publish once the writes they depend on are durable. */
  private outbox: Array<Uint8Array> = []
  /** Set when an outgoing message must not leave before the writes are committed (safety state). */
  private mustCommit = false
  private committedSinceFlush: Array<CertifiedFrame> = []
  readonly penalties = new Map<string, number>()
  readonly rejections: Array<Rejection> = []
  readonly equivocations: Array<Equivocation> = []
  readonly conflicts: Array<string> = []
  /** What each recent rank saw, for the "rank timed out" lines and the stall warning. */
  private readonly diagnostics = new RankDiagnostics()
  private readonly rankLineLimit = new LogRateLimit(RANK_LINE_INTERVAL_MS)
  /** When the last frame committed (or the engine started), and when the last stall warning went out. */
  private lastProgressAt = 0
  private lastStallWarningAt = 0
  private readonly pace: RankPace
  /** This node's own proposal for the current rank, found in the store at start (published again once). */
  private storedOwnProposal: GlobalProposal | undefined

  constructor(readonly deps: EngineDeps) {
    this.rule = quorumRuleFor(deps.committee)
    this.pace = new RankPace(deps.config.timing.adaptiveFloorMs)
    this.selfIndex = Option.getOrElse(indexOfAddress(deps.committee, deps.signer.address), () => -1)
    const genesis = this.genesisFrame()
    this.genesisQc = genesisQuorumCertificate({
      filter: EMPTY,
      frameNumber: 0n,
      selector: deps.poseidon(genesis.header.output),
      timestamp: BigInt(deps.config.genesisTimestamp),
    })
  }

  /** The devnet/stub genesis frame every node derives from the config (§1.7). */
  genesisFrame(): GlobalFrame {
    const header = stubGlobalGenesisHeader({ timestamp: this.deps.config.genesisTimestamp, difficulty: this.deps.config.genesisDifficulty })
    return new GlobalFrame({ header, requests: [] })
  }

  private nodeOf(frame: GlobalFrame, proposal: GlobalProposal | undefined): StateNode {
    const h = frame.header
    return {
      selector: hex(this.deps.poseidon(h.output)),
      parentSelector: hex(h.parentSelector),
      rank: h.rank,
      frameNumber: h.frameNumber,
      proposer: hex(h.prover),
      frame,
      proposal,
    }
  }

  // ---------------------------------------------------------------------------------------------
  // Persist-then-send: each handled message ends with at most one Store.commit, then its publications.

  private write(key: ConsensusKey, value: Uint8Array | undefined): void {
    this.writes.set(`${key[0][0]}:${key[1]}:${hex(key[2])}`, { key, value })
  }

  /** A write that must be durable before anything in the outbox is sent (D-GC-4). */
  private writeSafety(state: ConsensusState): void {
    this.write(SAFETY_KEY, encodeSafety(state))
    this.mustCommit = true
  }

  private send(payload: Uint8Array): void {
    this.outbox.push(payload)
  }

  /**
   * Commits the pending writes when something requires it (a safety-state change, newly committed
   * frames), then publishes the outbox. Liveness and proposal writes alone ride along with the next
   * commit: both are recoverable from peers, safety state is not.
   */
  private flush(): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      if (this.mustCommit || this.committedSinceFlush.length > 0) {
        const writes = [...this.writes.values()]
        this.writes.clear()
        this.mustCommit = false
        const rows = this.deps.store.repository(consensusRows)
        yield* this.deps.store
          .commit((tx) => {
            for (const w of writes) {
              if (w.value === undefined) rows.delete(tx, w.key)
              else rows.put(tx, w.key, w.value)
            }
          })
          .pipe(Effect.orDie)
        const committed = this.committedSinceFlush
        this.committedSinceFlush = []
        if (committed.length > 0) {
          this.lastProgressAt = yield* Clock.currentTimeMillis
          this.deps.onCommitted?.(committed)
        }
      }
      const outbox = this.outbox
      this.outbox = []
      for (const payload of outbox) yield* this.deps.transport.publish(GLOBAL_CONSENSUS_BITMASK, payload)
    })
  }

  /** Runs one message's handling, then persists and publishes what it produced. */
  private handled(effect: Effect.Effect<void>): Effect.Effect<void> {
    return Effect.zipRight(
      effect,
      Effect.suspend(() => this.flush()),
    )
  }

  // ---------------------------------------------------------------------------------------------
  // Start and recovery (§3.12)

  /** Loads persisted state (or genesis), replays stored proposals, arms the pacemaker. */
  start(): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      const { store } = this.deps
      const rows = store.repository(consensusRows)
      const loaded = yield* store
        .read(() => {
          const head = committedHeadNumber(rows)
          const committed = head === 0n ? undefined : rows.get(committedKey(head))
          const safety = rows.get(SAFETY_KEY)
          const liveness = rows.get(LIVENESS_KEY)
          const proposals = rows.range({ prefix: proposalPrefix() }).map((e) => decodeStoredProposal(e.value))
          return {
            committed: committed === undefined ? undefined : decodeCertifiedFrame(committed),
            safety: safety === undefined ? undefined : decodeSafety(safety),
            liveness: liveness === undefined ? undefined : decodeLiveness(liveness),
            proposals,
          }
        })
        .pipe(Effect.orDie)
      const root: Root =
        loaded.committed === undefined
          ? { node: this.nodeOf(this.genesisFrame(), undefined), qc: this.genesisQc }
          : { node: this.nodeOf(loaded.committed.frame, undefined), qc: loaded.committed.qc }
      this.forks = new Forks(root)
      this.liveness = loaded.liveness ?? new LivenessState({ filter: EMPTY, currentRank: 1n, latestQuorumCertificate: this.genesisQc })
      this.safety = loaded.safety ?? new ConsensusState({ filter: EMPTY, highestVotedParentRank: 0n, latestAcknowledgedRank: 0n })
      // Replay validated, uncommitted proposals in rank order (they were checked before being stored).
      for (const p of loaded.proposals) this.forks.add(this.nodeOf(p.state, p))
      for (const p of loaded.proposals) this.checkFinalizationSync(hex(p.parentQuorumCertificate.selector))
      yield* this.flushFinalization()
      this.lastProgressAt = yield* Clock.currentTimeMillis
      yield* this.resendOwnProposal(loaded.proposals)
      yield* Effect.logDebug("global consensus started").pipe(
        Effect.annotateLogs({ rank: String(this.liveness.currentRank), head: String(this.forks.root.node.frameNumber) }),
      )
      // A node that had already timed out at this rank can no longer vote in it: only a TC ends it, so
      // re-broadcast the stored timeout at once rather than after a whole replica timeout.
      this.pace.rankStarted(yield* Clock.currentTimeMillis)
      const t = this.timeoutConfig()
      const timedOutHere = this.safety.latestTimeout?.vote?.rank === this.liveness.currentRank
      yield* this.armPacemaker(timedOutHere ? rebroadcastIntervalMs(t, this.failedRounds) : replicaTimeoutMs(t, this.failedRounds))
      yield* this.proposeIfLeader()
      yield* this.flush()
    })
  }

  /**
   * A leader stopped after proposing at its current rank cannot sign a second proposal there (safety),
   * and its peers may never have received the first: the stored one is published again (the same
   * signed bytes, nothing new is signed) when the proposal falls due, instead of letting the rank time out.
   */
  private resendOwnProposal(stored: ReadonlyArray<GlobalProposal>): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      const rank = this.liveness.currentRank
      const own = stored.find((p) => p.state.header.rank === rank && bytesEqual(p.state.header.prover, this.deps.signer.address))
      if (own === undefined) return
      this.storedOwnProposal = own
      this.proposedRanks.add(rank)
      yield* this.deps.effects.proposeAfter(0, rank)
    })
  }

  /**
   * Peers a proposal needs to reach before it can gather a quorum: published earlier (a node starting
   * before its peers connect) it is lost, and the rank times out for nothing.
   */
  private peersNeededForQuorum(): number {
    if (this.selfIndex < 0 || this.deps.committee.length <= 1) return 0
    const others = this.deps.committee.length - 1
    return this.rule.mode === "equal-weight" ? Math.min(others, Number(this.rule.threshold) - 1) : 1
  }

  // ---------------------------------------------------------------------------------------------
  // Inbound traffic

  handleInbound(from: string, data: Uint8Array): Effect.Effect<void> {
    return this.handled(Effect.suspend(() => this.dispatch(from, data)))
  }

  private dispatch(from: string, data: Uint8Array): Effect.Effect<void> {
    const message = decodeWire(data)
    switch (message._tag) {
      case "Proposal":
        return this.onProposal(message.proposal, from)
      case "Vote":
        return this.onVote(message.vote, from)
      case "Timeout":
        return this.onTimeout(message.timeout, from)
      case "Undecodable":
        return this.reject(from, EMPTY, "undecodable", "Undecodable", message.detail)
    }
  }

  private reject(from: string, prover: Uint8Array, kind: Rejection["kind"], reason: string, detail: string): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      this.penalties.set(from, (this.penalties.get(from) ?? 0) + 1)
      this.rejections.push({ from, prover: hex(prover), kind, reason, detail })
      if (kind === "proposal") yield* Metric.increment(Metric.tagged(proposalsRejectedTotal, "reason", reason))
      if (this.rejections.length > MAX_RECORDS) this.rejections.shift()
      yield* Effect.logWarning(`rejected ${kind} from ${from}: ${reason}`).pipe(Effect.annotateLogs({ detail }))
    })
  }

  /**
   * QC validation (§3.9) plus the quorum rule of this committee (D-GC-1). The verified-certificate cache
   * is shared with `validateProposal`, so a QC is verified once per node (D-GC-14); the quorum rule is
   * cheap and always checked.
   */
  private checkQc(qc: QuorumCertificate) {
    return Effect.gen(this, function* () {
      yield* validateQuorumCertificate({ qc, committee: this.deps.committee, genesis: this.genesisQc, verified: this.verified })
      if (qc.rank !== 0n && !isQuorum(this.rule, bitmaskIndices(qc.aggregateSignature?.bitmask ?? EMPTY))) {
        return yield* Effect.fail({ _tag: "InsufficientWeight", detail: `QC signers below the ${this.rule.mode} threshold ${this.rule.threshold}` })
      }
    }).pipe(Effect.provide(this.deps.services))
  }

  private checkTc(tc: TimeoutCertificate) {
    return Effect.gen(this, function* () {
      yield* validateTimeoutCertificate({ tc, committee: this.deps.committee, genesis: this.genesisQc, verified: this.verified })
      if (!isQuorum(this.rule, bitmaskIndices(tc.aggregateSignature?.bitmask ?? EMPTY))) {
        return yield* Effect.fail({ _tag: "InsufficientWeight", detail: `TC signers below the ${this.rule.mode} threshold ${this.rule.threshold}` })
      }
    }).pipe(Effect.provide(this.deps.services))
  }

  /** Validates a proposal (certificates, leader, vote, frame against its parent) or says why not. */
  private validate(p: GlobalProposal, parent: StateNode) {
    return Effect.gen(this, function* () {
      yield* validateProposal({
        proposal: p,
        network: this.deps.config.network,
        committee: this.deps.committee,
        genesis: this.genesisQc,
        verified: this.verified,
      })
      yield* this.checkQc(p.parentQuorumCertificate)
      if (p.priorRankTimeoutCertificate !== undefined) yield* this.checkTc(p.priorRankTimeoutCertificate)
      const h = p.state.header
      if (!bytesEqual(p.parentQuorumCertificate.selector, h.parentSelector)) {
        return yield* Effect.fail({ _tag: "WrongParentQuorumCertificate", detail: "the parent QC does not certify the frame's parent" })
      }
      yield* validateGlobalFrame({ header: h, activeProvers: this.deps.committee, parent: parent.frame.header })
    }).pipe(Effect.provide(this.deps.services))
  }

  private onProposal(p: GlobalProposal, from: string): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      const h = p.state.header
      if (h.rank <= this.forks.root.node.rank) return
      if (h.output.length !== 516) return yield* this.reject(from, h.prover, "proposal", "BadOutput", `output is ${h.output.length} bytes`)
      const node = this.nodeOf(p.state, p)
      if (this.forks.has(node.selector)) return
      const parent = this.forks.get(node.parentSelector)
      if (parent === undefined) {
        // Unknown parent: keep it until the parent arrives, and ask the sender for what we miss (§4.3 2.3).
        const list = this.orphans.get(node.parentSelector) ?? []
        if (list.length < 16 && !list.some((o) => hex(this.deps.poseidon(o.proposal.state.header.output)) === node.selector)) list.push({ proposal: p, from })
        this.orphans.set(node.parentSelector, list)
        const certified = yield* Effect.either(this.checkQc(p.parentQuorumCertificate))
        if (Either.isRight(certified)) yield* this.receiveQc(p.parentQuorumCertificate)
        yield* this.requestSync(from)
        return
      }
      const verdict = yield* Effect.either(this.validate(p, parent))
      if (Either.isLeft(verdict)) {
        this.diagnostics.proposalRejected(h.rank, `${tagOf(verdict.left)}: ${detailOf(verdict.left)}`)
        return yield* this.reject(from, h.prover, "proposal", tagOf(verdict.left), detailOf(verdict.left))
      }
      this.diagnostics.proposalSeen(h.rank, node.selector)
      const added = this.forks.add(node)
      if (added._tag !== "Added") return
      if (added.equivocatesWith !== undefined) {
        yield* this.recordEquivocation("double-proposal", h.rank, h.prover, [added.equivocatesWith.selector, node.selector], from)
        this.deps.onDoubleProposal?.(
          p.state,
          added.equivocatesWith.frame,
          Option.getOrElse(indexOfAddress(this.deps.committee, h.prover), () => -1),
        )
      }
      // The proposer's own vote counts toward the QC (§4.3 2.5); validateProposal verified it.
      yield* this.collectVote(p.vote, node.selector, h.prover, from, true)
      yield* this.receiveQc(p.parentQuorumCertificate)
      if (p.priorRankTimeoutCertificate !== undefined) yield* this.receiveTc(p.priorRankTimeoutCertificate)
      // However the proposal reached us (gossip, orphan release, sync), the safety rules decide the vote.
      const vote = h.rank === this.liveness.currentRank ? yield* this.produceVote(p) : undefined
      // Stored for restart replay; a vote's safety state is committed before the vote leaves (D-GC-4).
      this.write(proposalKey(h.rank, this.deps.poseidon(h.output)), encodeStoredProposal(p))
      if (vote !== undefined) {
        this.writeSafety(vote.next)
        this.safety = vote.next
        this.counters.votesSent++
        this.send(encodeProposalVote(vote.vote))
        yield* this.collectVote(vote.vote, node.selector, this.deps.signer.address, this.deps.transport.peerId, true)
      }
      this.checkFinalizationSync(node.selector)
      yield* this.flushFinalization()
      // Children that were waiting for this state.
      const waiting = this.orphans.get(node.selector)
      if (waiting !== undefined) {
        this.orphans.delete(node.selector)
        for (const o of waiting) yield* this.onProposal(o.proposal, o.from)
      }
      if (h.rank !== this.liveness.currentRank) yield* this.proposeIfLeader()
    })
  }

  /** SafetyRules.ProduceVote: decide, then sign; the caller persists `next` before publishing. */
  private produceVote(p: GlobalProposal) {
    return Effect.gen(this, function* () {
      const h = p.state.header
      if (this.selfIndex < 0) return undefined
      const decision = decideVote(
        this.safety,
        { rank: h.rank, proposer: h.prover, parentQuorumCertificate: p.parentQuorumCertificate, priorRankTimeoutCertificate: p.priorRankTimeoutCertificate },
        this.liveness.currentRank,
        Option.getOrUndefined(this.leaderFor(h.rank)),
        this.deps.signer.address,
        (address) => Option.isSome(indexOfAddress(this.deps.committee, address)),
      )
      if (decision._tag !== "Vote") {
        this.diagnostics.ownVote(h.rank, decision.reason)
        yield* Effect.logDebug(`no vote at rank ${h.rank}: ${decision.reason}`)
        return undefined
      }
      this.diagnostics.ownVote(h.rank, "sent")
      const selector = this.deps.poseidon(h.output)
      const vote = yield* this.signVote(h.rank, h.frameNumber, selector)
      return { vote, next: decision.next }
    })
  }

  private signVote(rank: bigint, frameNumber: bigint, selector: Uint8Array) {
    return Effect.gen(this, function* () {
      const signature = yield* this.deps.signer.sign(makeVoteMessage(EMPTY, rank, selector), voteDomain(EMPTY)).pipe(Effect.orDie)
      const now = BigInt(yield* Clock.currentTimeMillis)
      return new ProposalVote({
        filter: EMPTY,
        rank,
        frameNumber,
        selector,
        timestamp: now,
        publicKeySignatureBls48581: new BLS48581AddressedSignature({ signature, address: this.deps.signer.address }),
      })
    })
  }

  private leaderFor(rank: bigint): Option.Option<Uint8Array> {
    return leaderForRank(this.deps.poseidon, this.deps.config.network, EMPTY, this.deps.committee, rank)
  }

  private onVote(vote: ProposalVote, from: string): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      if (vote.rank + 1n < this.liveness.currentRank || vote.rank <= this.forks.root.node.rank) return // stale (§4.2)
      const voter = vote.publicKeySignatureBls48581?.address ?? EMPTY
      // For a state we hold: shape and membership now, the signature once the votes reach a quorum, in
      // aggregate (D-GC-14). A vote for a state we have not seen is checked at once: its proposal may
      // never come, and a forged vote must not wait unpenalized in the collector.
      const selector = hex(vote.selector)
      const known = this.forks.has(selector)
      const verdict = yield* Effect.either(
        known
          ? Effect.map(checkVoteVoter(vote, this.deps.committee), (v) => v.index)
          : validateVote(vote, this.deps.committee).pipe(Effect.provide(this.deps.services)),
      )
      if (Either.isLeft(verdict)) return yield* this.reject(from, voter, "vote", verdict.left._tag, verdict.left.detail)
      yield* this.collectVote(vote, selector, voter, from, !known)
    })
  }

  /** One vote's signature on its own (a fallback after a failed aggregate, or a conflict). */
  private voteSignatureValid(rank: bigint, selector: string, vote: CollectedVote): Effect.Effect<boolean> {
    const publicKey = this.deps.committee[vote.index]?.publicKey
    if (publicKey === undefined) return Effect.succeed(false)
    return this.deps.bls
      .verify(publicKey, vote.signature, makeVoteMessage(EMPTY, rank, hexToBytes(selector)), voteDomain(EMPTY))
      .pipe(Effect.orElseSucceed(() => false))
  }

  private rejectBadVote(rank: bigint, index: number, from: string): Effect.Effect<void> {
    const prover = this.deps.committee[index]?.address ?? EMPTY
    return this.reject(from, prover, "vote", "InvalidCertificateSignature", `vote signature at rank ${rank} does not verify`)
  }

  /**
   * Adds a vote (`verified`: its signature was already checked on its own); builds the QC once the
   * selector's signers reach the quorum (§3.7), verifying unverified votes in aggregate (D-GC-14).
   */
  private collectVote(vote: ProposalVote, selector: string, voter: Uint8Array, from: string, verified: boolean): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      const index = Option.getOrElse(indexOfAddress(this.deps.committee, voter), () => -1)
      const signature = vote.publicKeySignatureBls48581?.signature
      if (index < 0 || signature === undefined) return
      const entry: CollectedVote = { index, signature, verified, from }
      const added = this.votes.add(vote.rank, selector, entry)
      if (added._tag === "Conflict") return yield* this.resolveConflict(vote, selector, voter, entry, added.existing, added.existingSelector)
      if (added._tag !== "Added") return
      yield* this.certifyIfQuorum(vote, selector)
    })
  }

  /**
   * Two votes of one voter at one rank: equivocation evidence needs both signatures checked on their
   * own; a forged one is dropped (its sender penalized) so it cannot shadow the voter's genuine vote.
   */
  private resolveConflict(vote: ProposalVote, selector: string, voter: Uint8Array, entry: CollectedVote, existing: CollectedVote, existingSelector: string) {
    return Effect.gen(this, function* () {
      const rank = vote.rank
      const newOk = entry.verified || (yield* this.voteSignatureValid(rank, selector, entry))
      const existingOk = existing.verified || (yield* this.voteSignatureValid(rank, existingSelector, existing))
      if (!existingOk) {
        this.votes.remove(rank, existingSelector, existing.index)
        yield* this.rejectBadVote(rank, existing.index, existing.from)
      } else if (!existing.verified) this.votes.markVerified(rank, existingSelector, [existing.index])
      if (!newOk) return yield* this.rejectBadVote(rank, entry.index, entry.from)
      if (!existingOk) return yield* this.collectVote(vote, selector, voter, entry.from, true)
      // Both verify: a second signature over the same message cannot (BLS is deterministic), so they differ.
      if (existingSelector !== selector) yield* this.recordEquivocation("double-vote", rank, voter, [existingSelector, selector], entry.from)
    })
  }

  private certifyIfQuorum(vote: ProposalVote, selector: string): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      const rank = vote.rank
      const committee = this.deps.committee
      let votes = this.votes.current(rank, selector)
      if (
        !isQuorum(
          this.rule,
          votes.map((v) => v.index),
        )
      )
        return
      let aggregate = yield* this.aggregateVotes(votes)
      if (aggregate === undefined || votes.some((v) => !v.verified)) {
        // All votes sign the same message: one pairing check against the aggregate key covers them.
        const message = makeVoteMessage(EMPTY, rank, vote.selector)
        const ok =
          aggregate !== undefined &&
          (yield* this.deps.bls.verify(aggregate.publicKey, aggregate.signature, message, voteDomain(EMPTY)).pipe(Effect.orElseSucceed(() => false)))
        if (ok && aggregate !== undefined) this.verified.addAggregateSignature(aggregate.publicKey, aggregate.signature, message, voteDomain(EMPTY))
        if (!ok) {
          // Fallback: find the bad vote(s), penalize their senders, keep the rest.
          for (const v of votes) {
            if (v.verified) continue
            if (yield* this.voteSignatureValid(rank, selector, v)) this.votes.markVerified(rank, selector, [v.index])
            else {
              this.votes.remove(rank, selector, v.index)
              yield* this.rejectBadVote(rank, v.index, v.from)
            }
          }
          votes = this.votes.current(rank, selector)
          if (
            !isQuorum(
              this.rule,
              votes.map((v) => v.index),
            )
          )
            return
          aggregate = yield* this.aggregateVotes(votes)
        }
      }
      // Only individually verified votes are left when the fallback ran, so this cannot fail then.
      if (aggregate === undefined) return
      const indices = votes.map((v) => v.index)
      this.votes.markCertified(rank, selector)
      const known = this.forks.get(selector)
      const qc = new QuorumCertificate({
        filter: EMPTY,
        rank,
        frameNumber: known?.frameNumber ?? vote.frameNumber,
        selector: vote.selector,
        timestamp: BigInt(yield* Clock.currentTimeMillis),
        aggregateSignature: new BLS48581AggregateSignature({
          signature: aggregate.signature,
          publicKey: aggregate.publicKey,
          bitmask: makeSignerBitmask(indices, committee.length),
        }),
      })
      this.counters.qcsBuilt++
      this.verified.addQuorumCertificate(qc)
      yield* this.receiveQc(qc)
    })
  }

  /** Aggregate signature and key of the votes, or undefined when a signature is not even a curve point. */
  private aggregateVotes(votes: ReadonlyArray<CollectedVote>) {
    return Effect.gen(this, function* () {
      const signature = yield* Effect.option(this.deps.bls.aggregateSignatures(votes.map((v) => v.signature)))
      if (Option.isNone(signature)) return undefined
      const publicKey = yield* this.deps.bls.aggregatePublicKeys(votes.map((v) => this.deps.committee[v.index]?.publicKey ?? EMPTY)).pipe(Effect.orDie)
      return { signature: signature.value, publicKey }
    })
  }

  private recordEquivocation(kind: Equivocation["kind"], rank: bigint, prover: Uint8Array, selectors: ReadonlyArray<string>, from: string) {
    return Effect.gen(this, function* () {
      const address = hex(prover)
      if (this.equivocations.some((e) => e.kind === kind && e.rank === rank && e.prover === address)) return
      this.equivocations.push({ kind, rank, prover: address, selectors: [...selectors] })
      if (this.equivocations.length > MAX_RECORDS) this.equivocations.shift()
      this.penalties.set(from, (this.penalties.get(from) ?? 0) + 1)
      yield* Effect.logWarning(`${kind} by ${address.slice(0, 16)} at rank ${rank}`)
    })
  }

  private onTimeout(t: TimeoutState, from: string): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      const vote = t.vote
      const signer = vote?.publicKeySignatureBls48581?.address ?? EMPTY
      if (vote === undefined) return yield* this.reject(from, signer, "timeout", "MalformedCertificate", "timeout without a vote")
      if (vote.rank + 1n < this.liveness.currentRank) return // stale (§4.2)
      const qc = t.latestQuorumCertificate
      const tc = t.priorRankTimeoutCertificate
      const verdict = yield* Effect.either(
        Effect.gen(this, function* () {
          if (qc === undefined) return yield* Effect.fail({ _tag: "MalformedCertificate", detail: "timeout without a newest QC" })
          if (vote.rank <= qc.rank) return yield* Effect.fail({ _tag: "InconsistentRanks", detail: `timeout rank ${vote.rank} ≤ its QC rank ${qc.rank}` })
          if (tc !== undefined) {
            if (vote.rank !== tc.rank + 1n) return yield* Effect.fail({ _tag: "InconsistentRanks", detail: "prior TC is not for rank − 1" })
            if (qc.rank < (tc.latestQuorumCertificate?.rank ?? 0n))
              return yield* Effect.fail({ _tag: "InconsistentRanks", detail: "QC older than the prior TC's" })
          } else if (vote.rank !== qc.rank + 1n) {
            return yield* Effect.fail({ _tag: "BadRankEvidence", detail: "a timeout after a skipped rank needs the prior TC" })
          }
          // Timeouts are re-broadcast every few hundred ms until the rank ends: one already collected
          // with the same signature over the same message was verified then (D-GC-15).
          const signerIndex = Option.getOrElse(indexOfAddress(this.deps.committee, signer), () => -1)
          const signature = vote.publicKeySignatureBls48581?.signature ?? EMPTY
          const index =
            signerIndex >= 0 && this.timeouts.has(vote.rank, { index: signerIndex, signature, newestQcRank: qc.rank })
              ? signerIndex
              : yield* validateTimeoutVote(vote, qc.rank, this.deps.committee).pipe(Effect.provide(this.deps.services))
          yield* this.checkQc(qc)
          if (tc !== undefined) yield* this.checkTc(tc)
          return { index, qc }
        }),
      )
      if (Either.isLeft(verdict)) return yield* this.reject(from, signer, "timeout", tagOf(verdict.left), detailOf(verdict.left))
      // Newer certificates carried by the timeout move us forward (§3.5, partial TC).
      yield* this.receiveQc(verdict.right.qc)
      if (tc !== undefined) yield* this.receiveTc(tc)
      yield* this.collectTimeout(vote, verdict.right.index, verdict.right.qc, tc)
    })
  }

  private collectTimeout(vote: ProposalVote, index: number, qc: QuorumCertificate, priorTc: TimeoutCertificate | undefined): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      const signature = vote.publicKeySignatureBls48581?.signature
      if (signature === undefined) return
      const added = this.timeouts.add(vote.rank, { index, signature, newestQcRank: qc.rank }, qc, priorTc)
      if (added._tag !== "Added") return
      const indices = added.timeouts.map((t) => t.index)
      const weight = weightOfSigners(this.rule, indices)
      if (!added.rankState.partialFired && weight >= this.rule.partialThreshold) {
        this.timeouts.markPartial(vote.rank)
        // Bracha fast-join: enough replicas gave up on this rank that we do too (§3.5).
        if (vote.rank === this.liveness.currentRank && this.safety.latestTimeout?.vote?.rank !== vote.rank) yield* this.timeoutNow()
      }
      if (added.rankState.built || !isQuorum(this.rule, indices)) return
      this.timeouts.markBuilt(vote.rank)
      const committee = this.deps.committee
      const aggregateSignature = yield* this.deps.bls.aggregateSignatures(added.timeouts.map((t) => t.signature)).pipe(Effect.orDie)
      const aggregateKey = yield* this.deps.bls.aggregatePublicKeys(indices.map((i) => committee[i]?.publicKey ?? EMPTY)).pipe(Effect.orDie)
      const tc = new TimeoutCertificate({
        filter: EMPTY,
        rank: vote.rank,
        latestRanks: added.timeouts.map((t) => t.newestQcRank),
        latestQuorumCertificate: added.newestQc,
        timestamp: BigInt(yield* Clock.currentTimeMillis),
        aggregateSignature: new BLS48581AggregateSignature({
          signature: aggregateSignature,
          publicKey: aggregateKey,
          bitmask: makeSignerBitmask(indices, committee.length),
        }),
      })
      this.counters.tcsBuilt++
      yield* Metric.increment(timeoutCertificatesTotal)
      this.verified.addTimeoutCertificate(tc)
      yield* this.receiveTc(tc)
    })
  }

  // ---------------------------------------------------------------------------------------------
  // Pacemaker (§3.2, §3.3)

  private receiveQc(qc: QuorumCertificate): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      this.checkFinalizationSync(hex(qc.selector))
      yield* this.flushFinalization()
      const step = receiveQuorumCertificate(this.liveness, qc)
      yield* this.applyStep(step.state, step.rankChange)
    })
  }

  private receiveTc(tc: TimeoutCertificate): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      if (tc.latestQuorumCertificate !== undefined) this.checkFinalizationSync(hex(tc.latestQuorumCertificate.selector))
      yield* this.flushFinalization()
      const step = receiveTimeoutCertificate(this.liveness, tc)
      yield* this.applyStep(step.state, step.rankChange)
    })
  }

  private applyStep(state: LivenessState, change: RankChange | undefined): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      if (state === this.liveness && change === undefined) return
      this.liveness = state
      if (change === undefined) return
      this.pace.rankEnded(yield* Clock.currentTimeMillis, change.cause === "quorum-certificate" && change.to === change.from + 1n)
      const t = this.timeoutConfig()
      this.failedRounds = change.cause === "quorum-certificate" ? afterProgress(this.failedRounds) : afterTimeout(t, this.failedRounds)
      this.write(LIVENESS_KEY, encodeLiveness(state))
      if (change.cause === "timeout-certificate") yield* this.explainTimedOutRank(change.to - 1n)
      const retained = change.to > 2n ? change.to - 2n : 0n
      this.diagnostics.prune(retained)
      this.votes.prune(retained)
      this.timeouts.prune(retained)
      for (const r of this.proposedRanks) if (r < change.to) this.proposedRanks.delete(r)
      yield* this.armPacemaker(replicaTimeoutMs(t, this.failedRounds))
      yield* this.proposeIfLeader()
    })
  }

  /** Short hex of a committee member's address, as the log lines name provers. */
  private memberName(index: number): string {
    return hex(this.deps.committee[index]?.address ?? EMPTY).slice(0, 12)
  }

  /** What a rank collected and why it ended without a QC, as the operator sees it. */
  private rankOutcome(rank: bigint) {
    const leader = Option.getOrUndefined(this.leaderFor(rank))
    const voters = this.votes.bestSupport(rank)
    const timeouts = this.timeouts.signers(rank)
    const outcome = {
      rank,
      leader: leader === undefined ? "none" : hex(leader).slice(0, 12),
      leaderIsSelf: leader !== undefined && bytesEqual(leader, this.deps.signer.address),
      votes: Number(weightOfSigners(this.rule, voters)),
      missingVoters: this.deps.committee.flatMap((_, i) => (voters.includes(i) ? [] : [this.memberName(i)])),
      timeouts: Number(weightOfSigners(this.rule, timeouts)),
      missingTimeouts: this.deps.committee.flatMap((_, i) => (timeouts.includes(i) ? [] : [this.memberName(i)])),
      quorum: Number(this.rule.threshold),
    }
    return { ...outcome, reason: this.diagnostics.explain(outcome) }
  }

  /** One info line per rank ended by a TC (rate-limited), and the metric. */
  private explainTimedOutRank(rank: bigint): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      yield* Metric.increment(ranksTimedOutTotal)
      const held = this.rankLineLimit.allow(yield* Clock.currentTimeMillis)
      if (held === undefined) return
      const o = this.rankOutcome(rank)
      const more = held > 0 ? ` (${held} more timed-out ranks not shown)` : ""
      yield* Effect.logInfo(
        `rank ${rank} timed out: leader ${o.leader}, votes ${o.votes}/${o.quorum}, timeouts ${o.timeouts}/${o.quorum}, reason ${o.reason}${more}`,
      )
    })
  }

  /**
   * A warning when nothing committed for STALL_INTERVALS expected frame intervals, repeated at that
   * period while the stall lasts, naming what this node is waiting for.
   */
  private warnIfStalled(): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      const now = yield* Clock.currentTimeMillis
      const limit = STALL_INTERVALS * this.deps.config.timing.expectedFrameIntervalMs
      if (now - this.lastProgressAt < limit || now - this.lastStallWarningAt < limit) return
      this.lastStallWarningAt = now
      const rank = this.liveness.currentRank
      const o = this.rankOutcome(rank)
      const missing: Array<string> = []
      if (this.selfIndex < 0) missing.push("this node is not in the committee (it follows through sync)")
      const peers = (yield* this.deps.transport.peers).length
      if (peers + (this.selfIndex >= 0 ? 1 : 0) < o.quorum) missing.push(`peers: ${peers} connected, a quorum needs ${o.quorum} provers`)
      if (this.forks.get(hex(this.liveness.latestQuorumCertificate.selector)) === undefined) {
        missing.push(`the frame certified at rank ${this.liveness.latestQuorumCertificate.rank} (waiting for sync)`)
      }
      if (o.timeouts < o.quorum) missing.push(`timeouts for rank ${rank}: ${o.timeouts}/${o.quorum}, none from ${o.missingTimeouts.join(", ")}`)
      if (o.votes < o.quorum) missing.push(`votes at rank ${rank}: ${o.votes}/${o.quorum} (${o.reason})`)
      const seconds = ((now - this.lastProgressAt) / 1000).toFixed(0)
      yield* Effect.logWarning(
        `no frame committed for ${seconds} s (expected about every ${(this.deps.config.timing.expectedFrameIntervalMs / 1000).toFixed(1)} s): head ${this.forks.root.node.frameNumber}, rank ${rank}; missing: ${missing.join("; ") || "nothing identified"}`,
      )
    })
  }

  /** The configured pacemaker timeouts, or the faster pace recent healthy ranks showed (devnet). */
  private timeoutConfig() {
    return this.pace.timeouts(this.deps.config.timing.timeouts)
  }

  private armPacemaker(ms: number): Effect.Effect<void> {
    this.timerEpoch++
    return this.deps.effects.armTimer(Math.round(ms), this.timerEpoch)
  }

  handleLocalTimeout(epoch: number): Effect.Effect<void> {
    return this.handled(
      Effect.gen(this, function* () {
        if (epoch !== this.timerEpoch) return
        yield* this.timeoutNow()
        yield* this.warnIfStalled()
      }),
    )
  }

  /** `broadcastTimeoutStateIfAuthorized` (§3.5) and the timer's re-fire every min(duration, 28 s). */
  private timeoutNow(): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      yield* this.armPacemaker(rebroadcastIntervalMs(this.timeoutConfig(), this.failedRounds))
      const rank = this.liveness.currentRank
      const newestQc = this.liveness.latestQuorumCertificate
      const priorTc = newestQc.rank + 1n === rank ? undefined : this.liveness.priorRankTimeoutCertificate
      const decision = decideTimeout(this.safety, rank, newestQc, priorTc, this.selfIndex >= 0)
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
        case "Timeout": {
          const signature = yield* this.deps.signer.sign(makeTimeoutMessage(EMPTY, rank, newestQc.rank), timeoutDomain(EMPTY)).pipe(Effect.orDie)
          const now = BigInt(yield* Clock.currentTimeMillis)
          timeout = new TimeoutState({
            latestQuorumCertificate: newestQc,
            ...(priorTc === undefined ? {} : { priorRankTimeoutCertificate: priorTc }),
            vote: new ProposalVote({
              filter: EMPTY,
              rank,
              frameNumber: 0n,
              selector: EMPTY,
              timestamp: now,
              publicKeySignatureBls48581: new BLS48581AddressedSignature({ signature, address: this.deps.signer.address }),
            }),
            timeoutTick: 0n,
            timestamp: now,
          })
          next = recordTimeout(this.safety, rank, timeout)
          break
        }
      }
      this.writeSafety(next)
      this.safety = next
      this.counters.timeoutsSent++
      this.send(encodeTimeoutState(timeout))
      // Our own timeout counts toward the TC, a re-broadcast one too: after a restart the collector is
      // empty and the stored timeout is the only one this node may sign for the rank.
      const qc = timeout.latestQuorumCertificate
      if (timeout.vote !== undefined && qc !== undefined) yield* this.collectTimeout(timeout.vote, this.selfIndex, qc, timeout.priorRankTimeoutCertificate)
    })
  }

  // ---------------------------------------------------------------------------------------------
  // Proposing (§1.5, §3.5 proposeForNewRankIfPrimary)

  private proposeIfLeader(): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      const rank = this.liveness.currentRank
      if (this.proposedRanks.has(rank)) return
      const leader = this.leaderFor(rank)
      if (Option.isNone(leader) || !bytesEqual(leader.value, this.deps.signer.address)) return
      this.proposedRanks.add(rank)
      yield* this.deps.effects.proposeAfter(this.deps.config.timing.proposalDelayMs, rank)
    })
  }

  handleProposeDue(rank: bigint): Effect.Effect<void> {
    return this.handled(this.propose(rank))
  }

  private propose(rank: bigint): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      if (rank !== this.liveness.currentRank) return
      const needed = this.peersNeededForQuorum()
      const connected = needed === 0 ? 0 : (yield* this.deps.transport.peers).length
      if (connected < needed) {
        this.diagnostics.notProposed(rank, `waiting for peers: ${connected} connected, ${needed} needed for a quorum`)
        return yield* this.deps.effects.proposeAfter(PEER_WAIT_RETRY_MS, rank)
      }
      const stored = this.storedOwnProposal
      if (stored !== undefined && stored.state.header.rank === rank) {
        this.storedOwnProposal = undefined
        const selector = hex(this.deps.poseidon(stored.state.header.output))
        this.diagnostics.proposalSeen(rank, selector)
        this.send(encodeGlobalProposal(stored))
        yield* this.collectVote(stored.vote, selector, this.deps.signer.address, this.deps.transport.peerId, true)
        return yield* Effect.logInfo(`published this node's stored proposal for rank ${rank} again after a restart`)
      }
      const newestQc = this.liveness.latestQuorumCertificate
      const parent = this.forks.get(hex(newestQc.selector))
      if (parent === undefined) {
        // The newest QC's state is not here: we cannot extend it until sync brings it (§3.5 step 2);
        // the rank stays open so the sync answer can trigger the proposal.
        this.proposedRanks.delete(rank)
        this.diagnostics.notProposed(rank, `the frame certified at rank ${newestQc.rank} is not here yet (syncing)`)
        const peers = yield* this.deps.transport.peers
        const peer = peers[Number(rank % BigInt(Math.max(peers.length, 1)))]
        if (peer !== undefined) yield* this.requestSync(peer)
        return
      }
      const stop = this.deps.config.stopAfterFrame
      if (stop !== undefined && parent.frameNumber + 1n > stop) return
      let tc: TimeoutCertificate | undefined
      if (newestQc.rank + 1n !== rank) {
        tc = this.liveness.priorRankTimeoutCertificate
        if (tc === undefined || tc.rank + 1n !== rank) {
          this.diagnostics.notProposed(rank, `no TC for rank ${rank - 1n}`)
          return yield* Effect.logWarning(`leader of rank ${rank} has no TC for rank ${rank - 1n}`)
        }
      }
      const evidence = yield* Effect.either(checkRankEvidence(rank, newestQc, tc))
      if (Either.isLeft(evidence)) {
        this.diagnostics.notProposed(rank, evidence.left.detail)
        return yield* Effect.logWarning(`cannot propose at rank ${rank}: ${evidence.left.detail}`)
      }
      const now = BigInt(yield* Clock.currentTimeMillis)
      const timestamp = globalHeaderTimestamp(now)
      const difficulty = this.deps.config.difficulty?.(rank, timestamp) ?? this.deps.config.genesisDifficulty
      const produced = yield* produceGlobalFrameHeader({
        parent: parent.frame.header,
        rank,
        timestamp,
        difficulty,
        globalCommitments: Array.from({ length: 256 }, () => new Uint8Array(64)),
        proverTreeCommitment: new Uint8Array(64),
        requestsRoot: new Uint8Array(64),
        proverIndex: this.selfIndex,
      }).pipe(Effect.provide(this.deps.services), Effect.orDie)
      // SignOwnProposal: the same safety rules as a vote, with ourselves as proposer (§3.6).
      const decision = decideVote(
        this.safety,
        { rank, proposer: this.deps.signer.address, parentQuorumCertificate: newestQc, priorRankTimeoutCertificate: tc },
        rank,
        this.deps.signer.address,
        this.deps.signer.address,
        () => true,
      )
      if (decision._tag !== "Vote") {
        this.diagnostics.notProposed(rank, decision.reason)
        return yield* Effect.logDebug(`not proposing at rank ${rank}: ${decision.reason}`)
      }
      const selector = this.deps.poseidon(produced.output)
      const vote = yield* this.signVote(rank, produced.frameNumber, selector)
      // On publication the header signature becomes the proposer's vote signature (§1.4 step 2).
      const header = new GlobalFrameHeader({
        ...produced,
        publicKeySignatureBls48581: new BLS48581AggregateSignature({
          signature: vote.publicKeySignatureBls48581?.signature ?? EMPTY,
          publicKey: this.deps.signer.publicKey,
          bitmask: makeSignerBitmask([this.selfIndex], MAX_BITMASK_LENGTH * 8, MAX_BITMASK_LENGTH),
        }),
      })
      const proposal = new GlobalProposal({
        state: new GlobalFrame({ header, requests: [] }),
        parentQuorumCertificate: newestQc,
        ...(tc === undefined ? {} : { priorRankTimeoutCertificate: tc }),
        vote,
      })
      this.writeSafety(decision.next)
      this.write(proposalKey(rank, selector), encodeStoredProposal(proposal))
      this.safety = decision.next
      this.counters.proposed++
      const node = this.nodeOf(proposal.state, proposal)
      this.forks.add(node)
      this.diagnostics.proposalSeen(rank, node.selector)
      this.send(encodeGlobalProposal(proposal))
      yield* this.collectVote(vote, node.selector, this.deps.signer.address, this.deps.transport.peerId, true)
      this.checkFinalizationSync(node.selector)
      yield* this.flushFinalization()
    })
  }

  // ---------------------------------------------------------------------------------------------
  // Commit (2-chain finalization, D-GC-2)

  private pendingFinalization: Array<{ node: StateNode; qc: QuorumCertificate }> = []

  /** Collects what a newly known QC finalizes; `flushFinalization` persists it. */
  private checkFinalizationSync(certifiedSelector: string): void {
    const result = this.forks.finalizeFor(certifiedSelector)
    if (result._tag === "Conflict") {
      this.conflicts.push(result.detail)
      return
    }
    if (result._tag !== "Finalize") return
    const last = result.chain[result.chain.length - 1]
    if (last === undefined) return
    const chain = result.chain.map((c) => ({ node: c.node, qc: c.qc }))
    // Keep only what extends the last pending or committed head.
    const tipNumber = this.pendingFinalization[this.pendingFinalization.length - 1]?.node.frameNumber ?? this.forks.root.node.frameNumber
    for (const c of chain) if (c.node.frameNumber > tipNumber) this.pendingFinalization.push(c)
    this.forks.advanceRoot({ node: last.node, qc: last.qc })
  }

  private flushFinalization(): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      if (this.pendingFinalization.length === 0) return
      const chain = this.pendingFinalization
      this.pendingFinalization = []
      const committed: Array<CertifiedFrame> = chain.map(({ node, qc }) => ({
        // The committed header carries the QC's aggregate (§1.4 step 3).
        frame: new GlobalFrame({
          header: new GlobalFrameHeader({
            ...node.frame.header,
            ...(qc.aggregateSignature === undefined ? {} : { publicKeySignatureBls48581: qc.aggregateSignature }),
          }),
          requests: node.frame.requests,
        }),
        qc,
      }))
      const head = committed[committed.length - 1]
      if (head === undefined) return
      const headRank = head.frame.header.rank
      for (const c of committed) this.write(committedKey(c.frame.header.frameNumber), encodeCertifiedFrame(c))
      this.write(HEAD_KEY, encodeHead(head.frame.header.frameNumber))
      this.dropStoredProposalsUpTo(headRank)
      this.committedSinceFlush.push(...committed)
      for (const [selector, list] of this.orphans) {
        const kept = list.filter((o) => o.proposal.state.header.rank > headRank)
        if (kept.length === 0) this.orphans.delete(selector)
        else this.orphans.set(selector, kept)
      }
    })
  }

  /** Stored proposals at or below a committed rank are no longer needed for recovery. */
  private dropStoredProposalsUpTo(rank: bigint): void {
    const rows = this.deps.store.repository(consensusRows)
    for (const key of rows.keys({ prefix: proposalPrefix() })) if (key[1] <= rank) this.write(key, undefined)
    for (const w of [...this.writes.values()]) if (w.key[0][0] === 0x04 && w.key[1] <= rank && w.value !== undefined) this.write(w.key, undefined)
  }

  // ---------------------------------------------------------------------------------------------
  // Sync (§12 item 13, simplified: committed frames + uncommitted proposals from one peer)

  private requestSync(peer: string): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      if (this.syncInFlight || peer === this.deps.transport.peerId) return
      // The same question to the same peer at most once per rebroadcast interval: an answer that did not
      // contain the missing parent will not contain it a moment later either.
      const now = yield* Clock.currentTimeMillis
      const from = this.forks.root.node.frameNumber + 1n
      const last = this.lastSync
      if (
        last !== undefined &&
        last.peer === peer &&
        last.from === from &&
        now - last.at < this.deps.config.timing.timeouts.maxTimeoutStateRebroadcastIntervalMs
      )
        return
      this.lastSync = { peer, from, at: now }
      this.syncInFlight = true
      yield* Effect.logDebug(`sync from ${peer} at frame ${this.forks.root.node.frameNumber + 1n}`)
      const request: SyncRequest = { fromFrameNumber: this.forks.root.node.frameNumber + 1n, limit: this.deps.config.syncBatch }
      yield* this.deps.effects.sync(peer, encodeSyncRequest(request))
    })
  }

  handleSyncAnswered(peer: string, data: Uint8Array | undefined, detail: string): Effect.Effect<void> {
    return this.handled(this.adoptSync(peer, data, detail))
  }

  private adoptSync(peer: string, data: Uint8Array | undefined, detail: string): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      this.syncInFlight = false
      if (data === undefined) {
        yield* this.endSyncRun(`request failed: ${detail}`)
        return yield* Effect.logDebug(`sync from ${peer} failed: ${detail}`)
      }
      const decoded = decodeSyncResponse(data)
      if (Either.isLeft(decoded)) {
        yield* this.endSyncRun("undecodable answer")
        return yield* this.reject(peer, EMPTY, "sync", "Undecodable", String(decoded.left))
      }
      const { headFrameNumber, frames, proposals } = decoded.right
      yield* Effect.logDebug(`sync answer from ${peer}: head ${headFrameNumber}, ${frames.length} frames, ${proposals.length} proposals`)
      yield* this.trackSyncRun(peer, headFrameNumber)
      const adopted: Array<CertifiedFrame> = []
      for (const certified of frames) {
        const root = this.forks.root
        const h = certified.frame.header
        if (h.frameNumber <= root.node.frameNumber) continue
        const verdict = yield* Effect.either(
          Effect.gen(this, function* () {
            if (h.frameNumber !== root.node.frameNumber + 1n) return yield* Effect.fail({ _tag: "BadFrameNumber", detail: "sync frames are not contiguous" })
            if (h.output.length !== 516 || !bytesEqual(certified.qc.selector, this.deps.poseidon(h.output)) || certified.qc.rank !== h.rank) {
              return yield* Effect.fail({ _tag: "WrongQuorumCertificate", detail: "the QC does not certify this frame" })
            }
            yield* this.checkQc(certified.qc)
            yield* validateGlobalFrame({ header: h, activeProvers: this.deps.committee, parent: root.node.frame.header }).pipe(
              Effect.provide(this.deps.services),
            )
          }),
        )
        if (Either.isLeft(verdict)) {
          yield* this.endSyncRun(`invalid frame ${h.frameNumber}: ${tagOf(verdict.left)}`)
          yield* this.reject(peer, h.prover, "sync", tagOf(verdict.left), detailOf(verdict.left))
          break
        }
        const node = this.nodeOf(certified.frame, undefined)
        this.forks.advanceRoot({ node, qc: certified.qc })
        adopted.push(certified)
      }
      if (adopted.length > 0) {
        const head = adopted[adopted.length - 1]
        if (head !== undefined) {
          for (const c of adopted) this.write(committedKey(c.frame.header.frameNumber), encodeCertifiedFrame(c))
          this.write(HEAD_KEY, encodeHead(head.frame.header.frameNumber))
          this.dropStoredProposalsUpTo(head.frame.header.rank)
          this.committedSinceFlush.push(...adopted)
          yield* this.receiveQc(head.qc)
        }
      }
      // Progress counts the committed frames the peer sent (at most its head), before its proposals
      // commit anything more.
      const run = this.syncRun
      if (run !== undefined) {
        yield* run.progress.advanceTo(Number(this.forks.root.node.frameNumber))
        if (run.progress.isEnded) this.syncRun = undefined
      }
      for (const p of proposals) yield* this.onProposal(p, peer)
      // Orphans whose parent is now known.
      for (const [selector, list] of [...this.orphans]) {
        if (!this.forks.has(selector)) continue
        this.orphans.delete(selector)
        for (const o of list) yield* this.onProposal(o.proposal, o.from)
      }
      if (frames.length >= this.deps.config.syncBatch) yield* this.requestSync(peer)
      // A run that did not reach the peer's head and asked nothing more has stopped here.
      if (!this.syncInFlight) yield* this.endSyncRun(`no further frames (frame ${this.forks.root.node.frameNumber} reached)`)
      yield* this.proposeIfLeader()
    })
  }

  /**
   * Starts a progress tracker when a sync answer shows the peer more than one batch ahead (short
   * catch-ups stay quiet), or follows the peer's head in the one under way.
   */
  private trackSyncRun(peer: string, peerHead: bigint): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      const run = this.syncRun
      if (run !== undefined && run.peer !== peer) yield* this.endSyncRun(`switched to ${peer}`)
      const current = this.syncRun
      if (current !== undefined) return yield* current.progress.retarget(Number(peerHead))
      const at = this.forks.root.node.frameNumber
      if (peerHead - at <= BigInt(this.deps.config.syncBatch)) return
      const progress = yield* SyncProgress.start(Number(at), Number(peerHead), {
        peer,
        ...(this.deps.config.syncProgressLogIntervalMs === undefined ? {} : { logIntervalMillis: this.deps.config.syncProgressLogIntervalMs }),
      })
      this.syncRun = { peer, progress }
    })
  }

  /** Ends the tracked run, if any: a final line with the reason unless the target was reached. */
  private endSyncRun(reason: string): Effect.Effect<void> {
    return Effect.suspend(() => {
      const run = this.syncRun
      this.syncRun = undefined
      return run === undefined ? Effect.void : run.progress.stop(reason)
    })
  }

  /**
   * The sync server: committed frames from the store, plus every validated state above the committed
   * root from memory (both frames of an equivocating leader included: either may be the certified one).
   * Runs in the requester's fiber, never through this actor's mailbox.
   */
  serveSync(data: Uint8Array): Effect.Effect<Uint8Array> {
    return Effect.gen(this, function* () {
      const request = decodeSyncRequest(data)
      if (Either.isLeft(request)) return encodeSyncResponse({ headFrameNumber: this.forks.root.node.frameNumber, frames: [], proposals: [] })
      const { fromFrameNumber, limit } = request.right
      const rows = this.deps.store.repository(consensusRows)
      const { headFrameNumber, frames } = yield* this.deps.store
        .read(() => {
          const headNumber = committedHeadNumber(rows)
          const out: Array<CertifiedFrame> = []
          const max = Math.min(limit, 256)
          for (let n = fromFrameNumber; n <= headNumber && out.length < max; n++) {
            const bytes = rows.get(committedKey(n))
            if (bytes === undefined) break
            out.push(decodeCertifiedFrame(bytes))
          }
          return { headFrameNumber: headNumber, frames: out }
        })
        .pipe(Effect.orDie)
      const complete = frames.length < Math.min(limit, 256)
      const proposals = complete ? this.forks.pending().flatMap((n) => (n.proposal === undefined ? [] : [n.proposal])) : []
      return encodeSyncResponse({ headFrameNumber, frames, proposals })
    })
  }

  // ---------------------------------------------------------------------------------------------
  // Queries

  status(): ConsensusStatus {
    const root = this.forks.root.node
    return {
      peerId: this.deps.transport.peerId,
      address: hex(this.deps.signer.address),
      currentRank: this.liveness.currentRank,
      newestQcRank: this.liveness.latestQuorumCertificate.rank,
      committedHead: { frameNumber: root.frameNumber, rank: root.rank, selector: root.selector },
      latestAcknowledgedRank: this.safety.latestAcknowledgedRank,
      highestVotedParentRank: this.safety.highestVotedParentRank,
      failedRounds: this.failedRounds,
      ...this.counters,
      penalties: Object.fromEntries(this.penalties),
      rejections: [...this.rejections],
      equivocations: [...this.equivocations],
      conflicts: [...this.conflicts],
    }
  }

  committed(from: bigint, to: bigint): Effect.Effect<ReadonlyArray<Uint8Array>> {
    const rows = this.deps.store.repository(consensusRows)
    return this.deps.store.read(() => rows.range({ gte: committedKey(from), lt: committedKey(to + 1n) }).map((e) => e.value)).pipe(Effect.orDie)
  }
}
