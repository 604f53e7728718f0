import { describe, expect, test } from "bun:test"
import { QuorumCertificate } from "../../../../../actors/consensus/core/messages/quorum-certificate.ts"
import { TimeoutCertificate } from "../../../../../actors/consensus/core/messages/timeout-certificate.ts"
import { LivenessState, receiveQuorumCertificate, receiveTimeoutCertificate, targetPublicationTime } from "../../../../../actors/consensus/core/rank-tracker.ts"
import { filled } from "./support/hex.ts"

const qc = (rank: bigint) => new QuorumCertificate({ filter: new Uint8Array(), rank, frameNumber: rank, selector: filled(Number(rank), 32), timestamp: 0n })
const tc = (rank: bigint, qcRank: bigint) =>
  new TimeoutCertificate({ filter: new Uint8Array(), rank, latestRanks: [], latestQuorumCertificate: qc(qcRank), timestamp: 0n })
const start = new LivenessState({ filter: new Uint8Array(), currentRank: 1n, latestQuorumCertificate: qc(0n) })

describe("rank tracker (§3.2)", () => {
  test("a QC at or above the current rank skips ahead to qc.rank + 1", () => {
    const step = receiveQuorumCertificate(start, qc(5n))
    expect(step.state.currentRank).toBe(6n)
    expect(step.state.latestQuorumCertificate.rank).toBe(5n)
    expect(step.rankChange).toEqual({ from: 1n, to: 6n, cause: "quorum-certificate" })
  })

  test("an old QC only refreshes the newest QC when it is higher", () => {
    const at6 = receiveQuorumCertificate(start, qc(5n)).state
    const older = receiveQuorumCertificate(at6, qc(3n))
    expect(older.rankChange).toBeUndefined()
    expect(older.state).toBe(at6)
  })

  test("a TC enters tc.rank + 1, keeps the newer QC and becomes the prior TC; a QC then clears it", () => {
    const afterTc = receiveTimeoutCertificate(start, tc(1n, 0n))
    expect(afterTc.state.currentRank).toBe(2n)
    expect(afterTc.state.priorRankTimeoutCertificate?.rank).toBe(1n)
    expect(afterTc.rankChange?.cause).toBe("timeout-certificate")
    const afterQc = receiveQuorumCertificate(afterTc.state, qc(2n))
    expect(afterQc.state.currentRank).toBe(3n)
    expect(afterQc.state.priorRankTimeoutCertificate).toBeUndefined()
  })

  test("nil and old TCs: no rank change, but an old TC's newer QC is taken", () => {
    expect(receiveTimeoutCertificate(start, undefined).state).toBe(start)
    const at6 = receiveQuorumCertificate(start, qc(2n)).state // rank 3, newest QC 2
    const old = receiveTimeoutCertificate(new LivenessState({ ...at6, currentRank: 9n }), tc(4n, 4n))
    expect(old.rankChange).toBeUndefined()
    expect(old.state.latestQuorumCertificate.rank).toBe(4n)
    expect(old.state.currentRank).toBe(9n)
  })

  test("proposal publication target is start + 8 s", () => {
    expect(targetPublicationTime(1_000n)).toBe(9_000n)
  })
})
