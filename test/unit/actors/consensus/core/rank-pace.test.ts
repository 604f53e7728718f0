import { describe, expect, test } from "bun:test"
import { devnetTiming } from "../../../../../actors/consensus/global/config.ts"
import { RankPace } from "../../../../../actors/consensus/core/rank-pace.ts"

const configured = { ...devnetTiming.timeouts, minReplicaTimeoutMs: 20_000 }

const healthyRanks = (pace: RankPace, durations: ReadonlyArray<number>, from = 0): number => {
  let now = from
  pace.rankStarted(now)
  for (const d of durations) {
    now += d
    pace.rankEnded(now, true)
  }
  return now
}

describe("rank pace", () => {
  test("after three healthy ranks the timeout follows the slowest of them (3× + 0.5 s), within floor and configured value", () => {
    const pace = new RankPace(600)
    healthyRanks(pace, [1_000, 1_200])
    expect(pace.timeouts(configured)).toEqual(configured)
    healthyRanks(pace, [1_100], 10_000)
    expect(pace.timeouts(configured).minReplicaTimeoutMs).toBe(3 * 1_200 + 500)
    // Never above what start-up measured, never below the floor.
    expect(new RankPace(600).timeouts(configured)).toEqual(configured)
    const fast = new RankPace(600)
    healthyRanks(fast, [10, 10, 10])
    expect(fast.timeouts(configured).minReplicaTimeoutMs).toBe(600)
    const slow = new RankPace(600)
    healthyRanks(slow, [9_000, 9_000, 9_000])
    expect(slow.timeouts(configured)).toEqual(configured)
  })

  test("a rank ended otherwise drops the observations; without a floor nothing adapts", () => {
    const pace = new RankPace(600)
    const now = healthyRanks(pace, [1_000, 1_000, 1_000])
    expect(pace.timeouts(configured).minReplicaTimeoutMs).toBe(3_500)
    pace.rankEnded(now + 5_000, false)
    expect(pace.timeouts(configured)).toEqual(configured)
    const fixed = new RankPace(undefined)
    healthyRanks(fixed, [1_000, 1_000, 1_000])
    expect(fixed.timeouts(configured)).toEqual(configured)
  })
})
