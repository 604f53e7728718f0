import { describe, expect, test } from "bun:test"
import { TimeoutCollector } from "../../../actors/global-consensus/timeout-collector.ts"
import { VoteCollector } from "../../../actors/global-consensus/vote-collector.ts"
import { QuorumCertificate } from "../../../runtime/consensus/messages/quorum-certificate.ts"

const sig = (n: number) => new Uint8Array(74).fill(n)

describe("vote collector", () => {
  test("collects per selector in index order, ignores duplicates, reports double votes", () => {
    const c = new VoteCollector()
    const first = c.add(5n, "aa", { index: 2, signature: sig(2) })
    expect(first._tag).toBe("Added")
    const second = c.add(5n, "aa", { index: 0, signature: sig(0) })
    expect(second._tag === "Added" ? second.votes.map((v) => v.index) : []).toEqual([0, 2])
    expect(c.add(5n, "aa", { index: 2, signature: sig(2) })._tag).toBe("Duplicate")
    const dbl = c.add(5n, "bb", { index: 2, signature: sig(9) })
    expect(dbl).toEqual({ _tag: "DoubleVote", firstSelector: "aa" })
    // Another rank is independent.
    expect(c.add(6n, "bb", { index: 2, signature: sig(2) })._tag).toBe("Added")
  })

  test("a certified selector takes no more votes and pruning forgets old ranks", () => {
    const c = new VoteCollector()
    c.add(5n, "aa", { index: 0, signature: sig(0) })
    c.markCertified(5n, "aa")
    expect(c.add(5n, "aa", { index: 1, signature: sig(1) })._tag).toBe("AlreadyCertified")
    c.prune(6n)
    expect(c.add(5n, "bb", { index: 0, signature: sig(0) })._tag).toBe("Added")
  })
})

describe("timeout collector", () => {
  const qc = (rank: bigint) => new QuorumCertificate({ filter: new Uint8Array(), rank, frameNumber: rank, selector: new Uint8Array(32), timestamp: 0n })

  test("tracks the newest QC among the timeouts and sorts signers by index", () => {
    const c = new TimeoutCollector()
    c.add(9n, { index: 3, signature: sig(3), newestQcRank: 7n }, qc(7n), undefined)
    const r = c.add(9n, { index: 1, signature: sig(1), newestQcRank: 8n }, qc(8n), undefined)
    expect(r._tag).toBe("Added")
    if (r._tag !== "Added") return
    expect(r.timeouts.map((t) => t.index)).toEqual([1, 3])
    expect(r.timeouts.map((t) => t.newestQcRank)).toEqual([8n, 7n])
    expect(r.newestQc.rank).toBe(8n)
    expect(c.add(9n, { index: 1, signature: sig(1), newestQcRank: 8n }, qc(8n), undefined)._tag).toBe("Duplicate")
  })
})
