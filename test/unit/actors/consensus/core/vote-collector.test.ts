import { describe, expect, test } from "bun:test"
import { TimeoutCollector } from "../../../../../actors/consensus/core/timeout-collector.ts"
import { VoteCollector } from "../../../../../actors/consensus/core/vote-collector.ts"
import { QuorumCertificate } from "../../../../../actors/consensus/core/messages/quorum-certificate.ts"

const sig = (n: number) => new Uint8Array(74).fill(n)
const vote = (index: number, n: number, verified = false) => ({ index, signature: sig(n), verified, from: `peer-${index}` })

describe("vote collector", () => {
  test("collects per selector in index order, ignores duplicates, reports double votes", () => {
    const c = new VoteCollector()
    const first = c.add(5n, "aa", vote(2, 2))
    expect(first._tag).toBe("Added")
    const second = c.add(5n, "aa", vote(0, 0))
    expect(second._tag === "Added" ? second.votes.map((v) => v.index) : []).toEqual([0, 2])
    expect(c.add(5n, "aa", vote(2, 2))._tag).toBe("Duplicate")
    const dbl = c.add(5n, "bb", vote(2, 9))
    expect(dbl).toEqual({ _tag: "Conflict", existing: vote(2, 2), existingSelector: "aa" })
    // Another rank is independent.
    expect(c.add(6n, "bb", vote(2, 2))._tag).toBe("Added")
  })

  test("a certified selector takes no more votes and pruning forgets old ranks", () => {
    const c = new VoteCollector()
    c.add(5n, "aa", vote(0, 0))
    c.markCertified(5n, "aa")
    expect(c.add(5n, "aa", vote(1, 1))._tag).toBe("AlreadyCertified")
    c.prune(6n)
    expect(c.add(5n, "bb", vote(0, 0))._tag).toBe("Added")
  })

  test("a second signature for the same selector conflicts; a removed vote frees the voter's slot", () => {
    const c = new VoteCollector()
    c.add(5n, "aa", vote(1, 7))
    const forged = c.add(5n, "aa", vote(1, 8))
    expect(forged._tag).toBe("Conflict")
    c.remove(5n, "aa", 1)
    expect(c.current(5n, "aa")).toEqual([])
    const genuine = c.add(5n, "aa", vote(1, 8, true))
    expect(genuine._tag === "Added" ? genuine.votes : []).toEqual([vote(1, 8, true)])
  })

  test("markVerified flags only the named voters of that selector", () => {
    const c = new VoteCollector()
    c.add(5n, "aa", vote(0, 0))
    c.add(5n, "aa", vote(1, 1))
    c.markVerified(5n, "aa", [1])
    expect(c.current(5n, "aa").map((v) => v.verified)).toEqual([false, true])
    // A verified copy of an unverified vote upgrades it.
    expect(c.add(5n, "aa", vote(0, 0, true))._tag).toBe("Duplicate")
    expect(c.current(5n, "aa").map((v) => v.verified)).toEqual([true, true])
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

  test("knows a collected timeout only with the same signature and newest-QC rank (re-broadcasts skip verification)", () => {
    const c = new TimeoutCollector()
    c.add(9n, { index: 1, signature: sig(1), newestQcRank: 8n }, qc(8n), undefined)
    expect(c.has(9n, { index: 1, signature: sig(1), newestQcRank: 8n })).toBe(true)
    expect(c.has(9n, { index: 1, signature: sig(2), newestQcRank: 8n })).toBe(false)
    expect(c.has(9n, { index: 1, signature: sig(1), newestQcRank: 7n })).toBe(false)
    expect(c.has(9n, { index: 2, signature: sig(1), newestQcRank: 8n })).toBe(false)
    expect(c.has(10n, { index: 1, signature: sig(1), newestQcRank: 8n })).toBe(false)
  })
})
