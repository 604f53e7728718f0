import { describe, expect, test } from "bun:test"
import { Effect } from "effect"
import type { CertifiedFrame } from "../../../../../actors/consensus/core/chain-kind.ts"
import { GlobalFrame } from "../../../../../actors/consensus/core/messages/global-frame.ts"
import type { GlobalProposal } from "../../../../../actors/consensus/core/messages/proposals.ts"
import { QuorumCertificate } from "../../../../../actors/consensus/core/messages/quorum-certificate.ts"
import { MAX_SYNC_FRAMES, serveSync } from "../../../../../actors/consensus/core/sync-server.ts"
import { stubGlobalGenesisHeader } from "../../../../../actors/consensus/core/frame-production.ts"
import { GlobalFrameHeader } from "../../../../../actors/consensus/core/messages/global-frame-header.ts"
import { ProposalVote } from "../../../../../actors/consensus/core/messages/proposal-vote.ts"
import { GlobalProposal as Proposal } from "../../../../../actors/consensus/core/messages/proposals.ts"
import { globalChainKind } from "../../../../../actors/consensus/global/global-chain-kind.ts"

const EMPTY = new Uint8Array()
const frame = (n: bigint) =>
  new GlobalFrame({ header: new GlobalFrameHeader({ ...stubGlobalGenesisHeader({ timestamp: 1n, difficulty: 1 }), frameNumber: n, rank: n }), requests: [] })
const qc = (rank: bigint) => new QuorumCertificate({ filter: EMPTY, rank, frameNumber: rank, selector: new Uint8Array(32), timestamp: 0n })
const certified = (n: bigint): CertifiedFrame<GlobalFrame> => ({ frame: frame(n), qc: qc(n) })
const proposal = (rank: bigint): GlobalProposal =>
  new Proposal({
    state: frame(rank),
    parentQuorumCertificate: qc(rank - 1n),
    vote: new ProposalVote({ filter: EMPTY, rank, frameNumber: rank, selector: new Uint8Array(32), timestamp: 0n }),
  })

/** A store holding committed frames 1..head; the reads the server made are logged. */
const server = (head: bigint, pending: ReadonlyArray<GlobalProposal>) => {
  const reads: Array<{ readonly from: bigint; readonly max: number }> = []
  const serve = (request: Uint8Array) =>
    Effect.runSync(
      serveSync(
        globalChainKind,
        (from, max) =>
          Effect.sync(() => {
            reads.push({ from, max })
            const frames: Array<CertifiedFrame<GlobalFrame>> = []
            for (let n = from; n <= head && frames.length < max; n++) frames.push(certified(n))
            return { headFrameNumber: head, frames }
          }),
        { rootFrameNumber: () => head, pendingProposals: () => pending },
        request,
      ),
    )
  const answer = (bytes: Uint8Array) => {
    const decoded = globalChainKind.decodeSyncResponse(bytes)
    if (decoded._tag === "Left") throw new Error(String(decoded.left))
    return decoded.right
  }
  return { serve, answer, reads }
}

describe("sync server", () => {
  test("a request the head fits in gets the committed frames from the asked number and the pending proposals", () => {
    const s = server(5n, [proposal(6n), proposal(7n)])
    const r = s.answer(s.serve(globalChainKind.encodeSyncRequest({ fromFrameNumber: 3n, limit: 10 })))
    expect(r.headFrameNumber).toBe(5n)
    expect(r.frames.map((f) => f.frame.header.frameNumber)).toEqual([3n, 4n, 5n])
    expect(r.proposals.map((p) => p.state.header.rank)).toEqual([6n, 7n])
  })

  test("a full batch carries no proposals: they build on a head the requester does not have yet", () => {
    const s = server(5n, [proposal(6n)])
    const r = s.answer(s.serve(globalChainKind.encodeSyncRequest({ fromFrameNumber: 1n, limit: 2 })))
    expect(r.frames.map((f) => f.frame.header.frameNumber)).toEqual([1n, 2n])
    expect(r.proposals).toEqual([])
  })

  test("the batch is capped at MAX_SYNC_FRAMES whatever the request asks", () => {
    const s = server(1_000n, [])
    const r = s.answer(s.serve(globalChainKind.encodeSyncRequest({ fromFrameNumber: 1n, limit: 100_000 })))
    expect(s.reads).toEqual([{ from: 1n, max: MAX_SYNC_FRAMES }])
    expect(r.frames).toHaveLength(MAX_SYNC_FRAMES)
  })

  test("an undecodable request is answered with the head alone, without reading the store", () => {
    const s = server(9n, [proposal(10n)])
    const r = s.answer(s.serve(Uint8Array.of(1, 2, 3)))
    expect(r).toEqual({ headFrameNumber: 9n, frames: [], proposals: [] })
    expect(s.reads).toEqual([])
  })
})
