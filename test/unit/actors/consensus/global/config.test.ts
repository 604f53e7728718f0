import { describe, expect, test } from "bun:test"
import { consensusConfigFromNode, devnetTiming, devnetTimingFor, participantTiming } from "../../../../../actors/consensus/global/config.ts"

describe("consensus config from the node config", () => {
  test("devnet engine: fast timing and the configured fixed difficulty; otherwise participant timing and ASERT", () => {
    const dev = consensusConfigFromNode({ p2p: { networkId: 99 }, engine: { devnet: true, difficulty: 7 } })
    expect(dev.timing).toEqual(devnetTiming)
    expect(dev.difficulty?.(5n, 0n)).toBe(7)
    expect(dev.network).toBe(99)
    const main = consensusConfigFromNode({ p2p: { networkId: 0 }, engine: { devnet: false } })
    expect(main.timing).toEqual(participantTiming)
    expect(main.timing.timeouts.minReplicaTimeoutMs).toBe(36_000)
    expect(main.timing.proposalDelayMs).toBe(8_000)
    // ASERT at the anchor (Appendix B row 1: frame 244200, t − A = 0 → 80076).
    expect(main.difficulty?.(244_200n, 1_762_862_400_000n)).toBe(80_076)
  })
})

describe("devnet pacemaker sized to the work of a rank", () => {
  test("no measurable work keeps the fast profile; real work scales the replica timeout above it", () => {
    expect(devnetTimingFor(0).timeouts).toEqual(devnetTiming.timeouts)
    const slow = devnetTimingFor(1_300) // ≈ a 50 000-iteration solve plus the pairings, 2-core machine
    expect(slow.timeouts.minReplicaTimeoutMs).toBe(4_400)
    expect(slow.timeouts.maxReplicaTimeoutMs).toBe(17_600)
    expect(slow.timeouts.minReplicaTimeoutMs).toBeGreaterThan(3 * 1_300)
    expect(slow.expectedFrameIntervalMs).toBe(1_800)
    expect(slow.proposalDelayMs).toBe(devnetTiming.proposalDelayMs)
  })
})
