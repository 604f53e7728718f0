import { describe, expect, test } from "bun:test"
import { ProposalVote } from "../../../../../actors/consensus/core/messages/proposal-vote.ts"
import { QuorumCertificate } from "../../../../../actors/consensus/core/messages/quorum-certificate.ts"
import { TimeoutCertificate } from "../../../../../actors/consensus/core/messages/timeout-certificate.ts"
import { TimeoutState } from "../../../../../actors/consensus/core/messages/timeout-state.ts"
import { ConsensusState, decideTimeout, decideVote, recordTimeout, type VoteCandidate } from "../../../../../actors/consensus/core/safety-rules.ts"
import { filled } from "./support/hex.ts"

const none = new Uint8Array()
const qc = (rank: bigint) => new QuorumCertificate({ filter: none, rank, frameNumber: rank, selector: filled(1, 32), timestamp: 0n })
const tc = (rank: bigint, qcRank: bigint) => new TimeoutCertificate({ filter: none, rank, latestRanks: [], latestQuorumCertificate: qc(qcRank), timestamp: 0n })
const leader = filled(0xaa, 32)
const me = filled(0xbb, 32)
const everyone = () => true
const state = (highestVotedParentRank: bigint, latestAcknowledgedRank: bigint) =>
  new ConsensusState({ filter: none, highestVotedParentRank, latestAcknowledgedRank })
const candidate = (rank: bigint, parent: bigint, prior?: TimeoutCertificate, proposer = leader): VoteCandidate => ({
  rank,
  proposer,
  parentQuorumCertificate: qc(parent),
  priorRankTimeoutCertificate: prior,
})

describe("safety rules: voting (§3.6)", () => {
  test("should vote, updating acknowledged rank and the highest voted parent", () => {
    const d = decideVote(state(2n, 3n), candidate(4n, 3n), 4n, leader, me, everyone)
    expect(d._tag).toBe("Vote")
    if (d._tag === "Vote") {
      expect(d.next.latestAcknowledgedRank).toBe(4n)
      expect(d.next.highestVotedParentRank).toBe(3n)
    }
  })
  test("votes after a TC when the QC is at least the TC's", () => {
    expect(decideVote(state(2n, 4n), candidate(5n, 3n, tc(4n, 3n)), 5n, leader, me, everyone)._tag).toBe("Vote")
    expect(decideVote(state(2n, 4n), candidate(5n, 2n, tc(4n, 3n)), 5n, leader, me, everyone)._tag).toBe("Unsafe")
  })
  test("wrong rank, double vote, older rank, leader mismatch, ejected identities", () => {
    expect(decideVote(state(2n, 3n), candidate(4n, 3n), 5n, leader, me, everyone)._tag).toBe("Unsafe")
    expect(decideVote(state(2n, 4n), candidate(4n, 3n), 4n, leader, me, everyone)._tag).toBe("NoVote")
    expect(decideVote(state(2n, 6n), candidate(4n, 3n), 4n, leader, me, everyone)._tag).toBe("Unsafe")
    expect(decideVote(state(2n, 3n), candidate(4n, 3n), 4n, me, me, everyone)._tag).toBe("Unsafe")
    expect(decideVote(state(2n, 3n), candidate(4n, 3n), 4n, leader, me, (a) => a !== leader)._tag).toBe("NoVote")
    expect(decideVote(state(2n, 3n), candidate(4n, 3n), 4n, leader, me, (a) => a !== me)._tag).toBe("NoVote")
    // signing our own proposal skips the identity checks
    expect(decideVote(state(2n, 3n), candidate(4n, 3n, undefined, me), 4n, me, me, () => false)._tag).toBe("Vote")
  })
})

describe("safety rules: timeouts (§3.6)", () => {
  test("first timeout at a rank, then re-broadcast with tick + 1", () => {
    const s = state(2n, 3n)
    const d = decideTimeout(s, 4n, qc(3n), undefined, true)
    expect(d).toEqual({ _tag: "Timeout", newestQcRank: 3n })
    const vote = new ProposalVote({ filter: none, rank: 4n, frameNumber: 0n, selector: none, timestamp: 1n })
    const after = recordTimeout(s, 4n, new TimeoutState({ latestQuorumCertificate: qc(3n), vote, timeoutTick: 0n, timestamp: 1n }))
    expect(after.latestAcknowledgedRank).toBe(4n)
    const again = decideTimeout(after, 4n, qc(3n), undefined, true)
    expect(again._tag).toBe("Rebroadcast")
    if (again._tag === "Rebroadcast") expect(again.timeout.timeoutTick).toBe(1n)
  })
  test("refuses stale QCs, acknowledged later ranks, missing evidence; non-members skip", () => {
    expect(decideTimeout(state(5n, 3n), 6n, qc(4n), tc(5n, 4n), true)._tag).toBe("Unsafe")
    expect(decideTimeout(state(2n, 9n), 4n, qc(3n), undefined, true)._tag).toBe("Unsafe")
    expect(decideTimeout(state(2n, 3n), 5n, qc(3n), undefined, true)._tag).toBe("Unsafe")
    expect(decideTimeout(state(2n, 3n), 4n, qc(3n), undefined, false)._tag).toBe("NotMember")
  })
})
