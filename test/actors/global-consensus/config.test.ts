import { describe, expect, test } from "bun:test"
import { consensusConfigFromNode, devnetTiming, participantTiming } from "../../../actors/global-consensus/config.ts"

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
