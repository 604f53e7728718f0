import { describe, expect, test } from "bun:test"
import { effectiveJoinFrame, type RingMember, ringAssignments, shardRingInfo, shouldEvict } from "../../../../../actors/consensus/core/ring-order.ts"
import { filled } from "./support/hex.ts"

const member = (id: number, joinFrameNumber: bigint, seniority: bigint, joinConfirmFrameNumber = 0n): RingMember => ({
  address: filled(id, 32),
  seniority,
  joinFrameNumber,
  joinConfirmFrameNumber,
})

describe("ring order (§8.5)", () => {
  test("join frame ascending, then seniority descending, then address ascending; 8 per ring", () => {
    const members = [
      member(9, 100n, 5n),
      member(1, 100n, 5n),
      member(2, 100n, 50n),
      member(3, 50n, 0n),
      member(4, 0n, 0n, 60n), // join frame 0 → use confirm frame 60
      ...Array.from({ length: 6 }, (_, i) => member(20 + i, 200n + BigInt(i), 0n)),
    ]
    const rings = ringAssignments(members)
    expect(rings.map((r) => r.member.address[0])).toEqual([3, 4, 2, 1, 9, 20, 21, 22, 23, 24, 25])
    expect(rings.map((r) => r.ring)).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 1, 1, 1])
    expect(effectiveJoinFrame(member(4, 0n, 0n, 60n))).toBe(60n)
  })

  test("shard ring projection", () => {
    const table: ReadonlyArray<readonly [number, number, number]> = [
      [0, 0, 0],
      [1, 0, 0],
      [7, 0, 0],
      [8, 0, 1],
      [9, 1, 1],
      [15, 1, 1],
      [16, 1, 2],
      [24, 2, 3],
      [32, 3, 4],
    ]
    for (const [total, currentRing, joinerRing] of table) expect(shardRingInfo(total)).toEqual({ currentRing, joinerRing })
  })

  test("eviction: > 360 inactive frames after halt time is subtracted; never when unknown or halted now", () => {
    expect(shouldEvict(500n, 139n, 0n)).toBe(true) // 361
    expect(shouldEvict(500n, 140n, 0n)).toBe(false) // 360 is not > 360
    expect(shouldEvict(500n, 0n, 0n)).toBe(false) // LastActiveFrameNumber 0 is not counted
    expect(shouldEvict(500n, 100n, 100n)).toBe(false) // 400 − 100 = 300
    expect(shouldEvict(500n, 100n, (1n << 64n) - 1n)).toBe(false)
  })
})
