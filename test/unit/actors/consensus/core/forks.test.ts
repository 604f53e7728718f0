import { bytesToHex } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import { Forks, type StateNode } from "../../../../../actors/consensus/core/forks.ts"
import { GlobalFrame } from "../../../../../actors/consensus/core/messages/global-frame.ts"
import { GlobalFrameHeader } from "../../../../../actors/consensus/core/messages/global-frame-header.ts"
import { ProposalVote } from "../../../../../actors/consensus/core/messages/proposal-vote.ts"
import { GlobalProposal } from "../../../../../actors/consensus/core/messages/proposals.ts"
import { QuorumCertificate } from "../../../../../actors/consensus/core/messages/quorum-certificate.ts"

const id = (name: string): Uint8Array => new Uint8Array(32).fill(name.charCodeAt(0))
const hexOf = (name: string) => bytesToHex(id(name))

const header = (rank: bigint, frameNumber: bigint, parent: string, prover = "p") =>
  new GlobalFrameHeader({
    frameNumber,
    rank,
    timestamp: 1n,
    difficulty: 1,
    output: new Uint8Array(516),
    parentSelector: id(parent),
    globalCommitments: [],
    proverTreeCommitment: new Uint8Array(64),
    requestsRoot: new Uint8Array(64),
    prover: id(prover),
  })

const qcFor = (name: string, rank: bigint) => new QuorumCertificate({ filter: new Uint8Array(), rank, frameNumber: 0n, selector: id(name), timestamp: 0n })

/** A state `name` at `rank` whose parent is `parent` (certified at `parentRank`). */
const node = (name: string, rank: bigint, frameNumber: bigint, parent: string, parentRank: bigint, prover = "p"): StateNode => {
  const frame = new GlobalFrame({ header: header(rank, frameNumber, parent, prover), requests: [] })
  const proposal = new GlobalProposal({
    state: frame,
    parentQuorumCertificate: qcFor(parent, parentRank),
    vote: new ProposalVote({ filter: new Uint8Array(), rank, frameNumber, selector: id(name), timestamp: 0n }),
  })
  return { selector: hexOf(name), parentSelector: hexOf(parent), rank, frameNumber, proposer: hexOf(prover), frame, proposal }
}

const rootNode: StateNode = {
  selector: hexOf("g"),
  parentSelector: hexOf("z"),
  rank: 0n,
  frameNumber: 0n,
  proposer: "",
  frame: new GlobalFrame({ header: header(0n, 0n, "z"), requests: [] }),
  proposal: undefined,
}

describe("forks: 2-chain finalization", () => {
  test("a certified direct child finalizes its parent and every uncommitted ancestor, oldest first", () => {
    const f = new Forks({ node: rootNode, qc: qcFor("g", 0n) })
    f.add(node("a", 1n, 1n, "g", 0n))
    f.add(node("b", 3n, 2n, "a", 1n)) // rank 2 timed out: b is not a direct child of a
    f.add(node("c", 4n, 3n, "b", 3n))
    expect(f.finalizeFor(hexOf("a"))._tag).toBe("Nothing") // a's parent is the root
    expect(f.finalizeFor(hexOf("b"))._tag).toBe("Nothing") // a.rank + 1 ≠ b.rank
    const r = f.finalizeFor(hexOf("c")) // b.rank + 1 = c.rank: b and a are final
    expect(r._tag).toBe("Finalize")
    if (r._tag !== "Finalize") return
    expect(r.chain.map((c) => c.node.selector)).toEqual([hexOf("a"), hexOf("b")])
    // Each finalized state comes with the QC its child carried.
    expect(r.chain.map((c) => bytesToHex(c.qc.selector))).toEqual([hexOf("a"), hexOf("b")])
    const last = r.chain[1]
    if (last !== undefined) f.advanceRoot({ node: last.node, qc: last.qc })
    expect(f.root.node.selector).toBe(hexOf("b"))
    expect(f.has(hexOf("a"))).toBe(false)
    expect(f.add(node("x", 2n, 2n, "a", 1n))._tag).toBe("BelowRoot")
  })

  test("a gap above the root waits; a chain that bypasses the root is a conflict", () => {
    const f = new Forks({ node: rootNode, qc: qcFor("g", 0n) })
    f.add(node("c", 5n, 3n, "b", 4n))
    f.add(node("d", 6n, 4n, "c", 5n))
    expect(f.finalizeFor(hexOf("d"))._tag).toBe("Nothing")
    const g = new Forks({ node: rootNode, qc: qcFor("g", 0n) })
    g.add(node("e", 2n, 1n, "q", 1n))
    g.add(node("f", 3n, 2n, "e", 2n))
    expect(g.finalizeFor(hexOf("f"))._tag).toBe("Conflict")
  })

  test("two states of one proposer at one rank are reported as a double proposal", () => {
    const f = new Forks({ node: rootNode, qc: qcFor("g", 0n) })
    expect(f.add(node("a", 1n, 1n, "g", 0n))).toEqual({ _tag: "Added", equivocatesWith: undefined })
    const second = f.add(node("b", 1n, 1n, "g", 0n))
    expect(second._tag === "Added" ? second.equivocatesWith?.selector : undefined).toBe(hexOf("a"))
    expect(f.add(node("a", 1n, 1n, "g", 0n))._tag).toBe("Known")
    const other = f.add(node("c", 1n, 1n, "g", 0n, "o"))
    expect(other._tag === "Added" ? other.equivocatesWith : "x").toBeUndefined()
  })
})
