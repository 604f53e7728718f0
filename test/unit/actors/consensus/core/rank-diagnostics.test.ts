import { describe, expect, test } from "bun:test"
import { LogRateLimit, RankDiagnostics } from "../../../../../actors/consensus/core/rank-diagnostics.ts"

const outcome = { rank: 7n, leader: "aa", leaderIsSelf: false, votes: 1, missingVoters: ["bb", "cc"], timeouts: 3, quorum: 3 }

describe("rank diagnostics", () => {
  test("the most specific reason wins, in the order an operator would check", () => {
    const d = new RankDiagnostics()
    expect(d.explain(outcome)).toBe("no proposal from the leader arrived")
    expect(d.explain({ ...outcome, leaderIsSelf: true })).toBe("this node leads the rank and did not propose: the rank ended before the proposal was ready")
    d.notProposed(7n, "waiting for peers: 0 connected, 2 needed for a quorum")
    expect(d.explain({ ...outcome, leaderIsSelf: true })).toBe(
      "this node leads the rank and did not propose: waiting for peers: 0 connected, 2 needed for a quorum",
    )
    d.proposalRejected(7n, "BadVdf: output does not verify")
    expect(d.explain(outcome)).toBe("the leader's proposal was rejected: BadVdf: output does not verify")
    d.proposalSeen(7n, "sel")
    d.ownVote(7n, "already voted or timed out at this rank")
    expect(d.explain(outcome)).toBe("proposal seen, this node did not vote: already voted or timed out at this rank")
    d.ownVote(7n, "sent")
    expect(d.explain(outcome)).toBe("votes below quorum (no vote from bb, cc)")
    expect(d.explain({ ...outcome, votes: 3, missingVoters: [] })).toBe("a quorum of votes arrived after the rank had timed out")
  })

  test("pruned ranks are forgotten; the map stays bounded", () => {
    const d = new RankDiagnostics()
    for (let r = 0n; r < 500n; r++) d.proposalSeen(r, `s${r}`)
    d.prune(499n)
    expect(d.explain({ ...outcome, rank: 498n })).toBe("no proposal from the leader arrived")
    expect(d.explain({ ...outcome, rank: 499n, votes: 3 })).toBe("a quorum of votes arrived after the rank had timed out")
  })
})

describe("log rate limit", () => {
  test("one line per interval; the held-back count rides on the next line", () => {
    const limit = new LogRateLimit(1_000)
    expect(limit.allow(0)).toBe(0)
    expect(limit.allow(10)).toBeUndefined()
    expect(limit.allow(999)).toBeUndefined()
    expect(limit.allow(1_000)).toBe(2)
    expect(limit.allow(5_000)).toBe(0)
  })
})
