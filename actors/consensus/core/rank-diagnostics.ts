// Why ranks end without progress. The engine notes, per rank, what it saw of the leader's proposal and
// what it decided about its own vote or proposal; when a timeout certificate ends a rank, `explain`
// turns that into one reason. Operators read it in the "rank <r> timed out" line, and the stall warning
// uses it to name what is missing (issue: a network that stalls silently cannot be debugged).

interface RankNotes {
  /** Selector (hex) of the first valid proposal seen at the rank. */
  proposal?: string
  /** Why a proposal at the rank was refused (validation), the last one wins. */
  rejected?: string
  /** Our vote (or own proposal) at the rank: "sent", or why not. */
  ownVote?: string
  /** As leader: why no proposal left this node. */
  notProposed?: string
}

export interface RankOutcome {
  readonly rank: bigint
  readonly leader: string
  readonly leaderIsSelf: boolean
  /** Most votes any one selector collected at the rank, and the voters missing from it. */
  readonly votes: number
  readonly missingVoters: ReadonlyArray<string>
  readonly timeouts: number
  readonly quorum: number
}

const MAX_RANKS = 64

export class RankDiagnostics {
  private readonly ranks = new Map<bigint, RankNotes>()

  private notes(rank: bigint): RankNotes {
    let n = this.ranks.get(rank)
    if (n === undefined) {
      n = {}
      this.ranks.set(rank, n)
      if (this.ranks.size > MAX_RANKS) {
        const oldest = [...this.ranks.keys()].reduce((a, b) => (b < a ? b : a))
        this.ranks.delete(oldest)
      }
    }
    return n
  }

  proposalSeen(rank: bigint, selector: string): void {
    const n = this.notes(rank)
    n.proposal ??= selector
  }

  proposalRejected(rank: bigint, reason: string): void {
    this.notes(rank).rejected = reason
  }

  ownVote(rank: bigint, decision: string): void {
    this.notes(rank).ownVote = decision
  }

  notProposed(rank: bigint, reason: string): void {
    this.notes(rank).notProposed = reason
  }

  prune(below: bigint): void {
    for (const r of [...this.ranks.keys()]) if (r < below) this.ranks.delete(r)
  }

  /** One reason for a rank that ended by timeout, most specific first. */
  explain(o: RankOutcome): string {
    const n = this.ranks.get(o.rank) ?? {}
    if (n.proposal === undefined) {
      if (o.leaderIsSelf) return `this node leads the rank and did not propose: ${n.notProposed ?? "the rank ended before the proposal was ready"}`
      if (n.rejected !== undefined) return `the leader's proposal was rejected: ${n.rejected}`
      return "no proposal from the leader arrived"
    }
    if (n.ownVote !== undefined && n.ownVote !== "sent") return `proposal seen, this node did not vote: ${n.ownVote}`
    if (o.votes < o.quorum) {
      const missing = o.missingVoters.length === 0 ? "" : ` (no vote from ${o.missingVoters.join(", ")})`
      return `votes below quorum${missing}`
    }
    return "a quorum of votes arrived after the rank had timed out"
  }
}

/**
 * At most one line per `intervalMs`; what was held back is counted and reported with the next line, so
 * a stalled network (a rank every few hundred ms) cannot flood the log.
 */
export class LogRateLimit {
  private last = Number.NEGATIVE_INFINITY
  private held = 0

  constructor(private readonly intervalMs: number) {}

  /** The number of lines suppressed since the last one allowed, or undefined when this one is suppressed. */
  allow(nowMs: number): number | undefined {
    if (nowMs - this.last < this.intervalMs) {
      this.held++
      return undefined
    }
    this.last = nowMs
    const held = this.held
    this.held = 0
    return held
  }
}
