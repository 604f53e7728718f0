// What operators read when the chain does not move: one info line per rank ended by a timeout
// certificate (rate-limited) naming why it failed, and a warning when nothing committed for
// STALL_INTERVALS expected frame intervals, naming what this node is waiting for.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Clock, Effect, Metric, Option } from "effect"
import type { ChainFrame, ChainProposal } from "./chain-kind.ts"
import type { Committee } from "./committee-source.ts"
import { type EngineContext, leaderFor } from "./engine-context.ts"
import { bytesEqual } from "./messages/fields.ts"
import type { QuorumCertificate } from "./messages/quorum-certificate.ts"
import { ranksTimedOutTotal } from "./metrics.ts"
import { weightOfSigners } from "./quorum-rule.ts"
import { LogRateLimit, RankDiagnostics } from "./rank-diagnostics.ts"

/** At most one "rank timed out" line per this interval (the rest are counted into the next line). */
const RANK_LINE_INTERVAL_MS = 2_000
/** No commit for this many expected frame intervals is a stall worth a warning. */
const STALL_INTERVALS = 10

/** What the reporter reads of the engine. */
export interface RankReportView {
  /** The committee of the current rank's frame (a child of the newest QC's), as last resolved. */
  readonly committee: () => Committee
  readonly voters: (rank: bigint, committee: Committee) => ReadonlyArray<number>
  readonly timeoutSigners: (rank: bigint, committee: Committee) => ReadonlyArray<number>
  readonly currentRank: () => bigint
  readonly newestQc: () => QuorumCertificate
  readonly hasState: (selector: string) => boolean
  readonly headFrameNumber: () => bigint
  readonly peers: Effect.Effect<ReadonlyArray<string>>
}

export class RankReporter<F extends ChainFrame, P extends ChainProposal<F>> {
  /** What each recent rank saw (proposal, own vote, why not proposed). */
  readonly notes = new RankDiagnostics()
  private readonly rankLineLimit = new LogRateLimit(RANK_LINE_INTERVAL_MS)
  /** When the last frame committed (or the engine started), and when the last stall warning went out. */
  private lastProgressAt = 0
  private lastStallWarningAt = 0

  constructor(
    private readonly ctx: EngineContext<F, P>,
    private readonly view: RankReportView,
  ) {}

  progressed(nowMs: number): void {
    this.lastProgressAt = nowMs
  }

  /** Short hex of a committee member's address, as the log lines name provers. */
  private memberName(committee: Committee, index: number): string {
    return bytesToHex(committee.members[index]?.address ?? new Uint8Array()).slice(0, 12)
  }

  /** What a rank collected and why it ended without a QC, as the operator sees it. */
  private outcome(rank: bigint) {
    const committee = this.view.committee()
    const { members, rule } = committee
    const leader = Option.getOrUndefined(leaderFor(this.ctx, committee, rank))
    const voters = this.view.voters(rank, committee)
    const timeouts = this.view.timeoutSigners(rank, committee)
    const outcome = {
      rank,
      leader: leader === undefined ? "none" : bytesToHex(leader).slice(0, 12),
      leaderIsSelf: leader !== undefined && bytesEqual(leader, this.ctx.signer.address),
      votes: Number(weightOfSigners(rule, voters)),
      missingVoters: members.flatMap((_, i) => (voters.includes(i) ? [] : [this.memberName(committee, i)])),
      timeouts: Number(weightOfSigners(rule, timeouts)),
      missingTimeouts: members.flatMap((_, i) => (timeouts.includes(i) ? [] : [this.memberName(committee, i)])),
      quorum: Number(rule.threshold),
    }
    return { ...outcome, reason: this.notes.explain(outcome) }
  }

  /** One info line per rank ended by a TC (rate-limited), and the metric. */
  timedOut(rank: bigint): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      yield* Metric.increment(ranksTimedOutTotal)
      const held = this.rankLineLimit.allow(yield* Clock.currentTimeMillis)
      if (held === undefined) return
      const o = this.outcome(rank)
      const more = held > 0 ? ` (${held} more timed-out ranks not shown)` : ""
      yield* Effect.logInfo(
        `rank ${rank} timed out: leader ${o.leader}, votes ${o.votes}/${o.quorum}, timeouts ${o.timeouts}/${o.quorum}, reason ${o.reason}${more}`,
      )
    })
  }

  /** The stall warning, repeated every STALL_INTERVALS frame intervals while the stall lasts. */
  warnIfStalled(): Effect.Effect<void> {
    return Effect.gen(this, function* () {
      const now = yield* Clock.currentTimeMillis
      const interval = this.ctx.config.timing.expectedFrameIntervalMs
      const limit = STALL_INTERVALS * interval
      if (now - this.lastProgressAt < limit || now - this.lastStallWarningAt < limit) return
      this.lastStallWarningAt = now
      const rank = this.view.currentRank()
      const o = this.outcome(rank)
      const missing: Array<string> = []
      const member = this.view.committee().selfIndex >= 0
      if (!member) missing.push("this node is not in the committee (it follows through sync)")
      const peers = (yield* this.view.peers).length
      if (peers + (member ? 1 : 0) < o.quorum) missing.push(`peers: ${peers} connected, a quorum needs ${o.quorum} provers`)
      const newestQc = this.view.newestQc()
      if (!this.view.hasState(bytesToHex(newestQc.selector))) missing.push(`the frame certified at rank ${newestQc.rank} (waiting for sync)`)
      if (o.timeouts < o.quorum) missing.push(`timeouts for rank ${rank}: ${o.timeouts}/${o.quorum}, none from ${o.missingTimeouts.join(", ")}`)
      if (o.votes < o.quorum) missing.push(`votes at rank ${rank}: ${o.votes}/${o.quorum} (${o.reason})`)
      const seconds = ((now - this.lastProgressAt) / 1000).toFixed(0)
      yield* Effect.logWarning(
        `no frame committed for ${seconds} s (expected about every ${(interval / 1000).toFixed(1)} s): head ${this.view.headFrameNumber()}, rank ${rank}; missing: ${missing.join("; ") || "nothing identified"}`,
      )
    })
  }
}
