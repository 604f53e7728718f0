import { describe, expect, test } from "bun:test"
import { Effect } from "effect"
import type { ConsensusTiming } from "../../../../../actors/consensus/core/consensus-config.ts"
import { QuorumCertificate } from "../../../../../actors/consensus/core/messages/quorum-certificate.ts"
import { TimeoutCertificate } from "../../../../../actors/consensus/core/messages/timeout-certificate.ts"
import { Pacemaker } from "../../../../../actors/consensus/core/pacemaker.ts"
import { LivenessState, receiveQuorumCertificate, receiveTimeoutCertificate } from "../../../../../actors/consensus/core/rank-tracker.ts"

const EMPTY = new Uint8Array()
const qc = (rank: bigint) => new QuorumCertificate({ filter: EMPTY, rank, frameNumber: rank, selector: new Uint8Array(32), timestamp: 0n })
const tc = (rank: bigint, newest: bigint) =>
  new TimeoutCertificate({ filter: EMPTY, rank, latestRanks: [], latestQuorumCertificate: qc(newest), timestamp: 0n })

const timing: ConsensusTiming = {
  timeouts: {
    minReplicaTimeoutMs: 1_000,
    maxReplicaTimeoutMs: 8_000,
    timeoutAdjustmentFactor: 2,
    happyPathMaxRoundFailures: 1,
    maxTimeoutStateRebroadcastIntervalMs: 300,
  },
  proposalDelayMs: 10,
  expectedFrameIntervalMs: 1_000,
}

const started = (t: ConsensusTiming = timing) => {
  const timers: Array<{ readonly ms: number; readonly epoch: number }> = []
  const pacemaker = new Pacemaker(t, (ms, epoch) => Effect.sync(() => timers.push({ ms, epoch })))
  pacemaker.restore(new LivenessState({ filter: EMPTY, currentRank: 1n, latestQuorumCertificate: qc(0n) }))
  pacemaker.begin(0)
  return { pacemaker, timers }
}

/** Ends the current rank with a TC (a failed round). */
const timeOut = (p: Pacemaker, now: number) => p.advance(receiveTimeoutCertificate(p.liveness, tc(p.currentRank, p.liveness.latestQuorumCertificate.rank)), now)

describe("pacemaker", () => {
  test("each arming gets a new epoch; only the latest timer is current", () => {
    const { pacemaker, timers } = started()
    Effect.runSync(pacemaker.armReplicaTimeout())
    Effect.runSync(pacemaker.armRebroadcast())
    expect(timers).toEqual([
      { ms: 1_000, epoch: 1 },
      { ms: 300, epoch: 2 },
    ])
    expect(pacemaker.isCurrent(1)).toBe(false)
    expect(pacemaker.isCurrent(2)).toBe(true)
  })

  test("a QC for the current rank enters the next rank; an older QC only refreshes the newest QC", () => {
    const { pacemaker } = started()
    const change = pacemaker.advance(receiveQuorumCertificate(pacemaker.liveness, qc(1n)), 10)
    expect(change).toEqual({ from: 1n, to: 2n, cause: "quorum-certificate" })
    expect(pacemaker.currentRank).toBe(2n)
    expect(pacemaker.advance(receiveQuorumCertificate(pacemaker.liveness, qc(0n)), 20)).toBeUndefined()
    expect(pacemaker.currentRank).toBe(2n)
  })

  test("timeout certificates back the replica timeout off past the happy path; QCs bring it back", () => {
    const { pacemaker, timers } = started()
    for (let i = 0; i < 3; i++) timeOut(pacemaker, i)
    expect(pacemaker.failedRounds).toBe(3)
    expect(pacemaker.currentRank).toBe(4n)
    Effect.runSync(pacemaker.armReplicaTimeout())
    expect(timers.at(-1)?.ms).toBe(4_000) // 1 s · 2^(3 − 1)
    Effect.runSync(pacemaker.armRebroadcast())
    expect(timers.at(-1)?.ms).toBe(300) // min(duration, rebroadcast interval)
    pacemaker.advance(receiveQuorumCertificate(pacemaker.liveness, qc(4n)), 10)
    expect(pacemaker.failedRounds).toBe(2)
    Effect.runSync(pacemaker.armReplicaTimeout())
    expect(timers.at(-1)?.ms).toBe(2_000)
  })

  test("with an adaptive floor, healthy ranks shorten the replica timeout; a timed-out rank restores it", () => {
    const { pacemaker, timers } = started({ ...timing, adaptiveFloorMs: 200 })
    for (let rank = 1n, now = 0; rank <= 3n; rank++) {
      now += 50
      pacemaker.advance(receiveQuorumCertificate(pacemaker.liveness, qc(rank)), now)
    }
    Effect.runSync(pacemaker.armReplicaTimeout())
    expect(timers.at(-1)?.ms).toBe(650) // 3 · 50 ms + 500 ms
    timeOut(pacemaker, 1_000)
    Effect.runSync(pacemaker.armReplicaTimeout())
    expect(timers.at(-1)?.ms).toBe(1_000)
  })
})
