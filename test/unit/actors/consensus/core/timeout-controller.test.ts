import { describe, expect, test } from "bun:test"
import {
  afterProgress,
  afterTimeout,
  maxExponent,
  participantTimeoutConfig,
  rebroadcastIntervalMs,
  replicaTimeoutMs,
  type TimeoutConfig,
} from "../../../../../actors/consensus/core/timeout-controller.ts"

// The reference controller test's parameters: min 100 ms, max 10 s, ×1.5, happy path 3.
const c: TimeoutConfig = {
  minReplicaTimeoutMs: 100,
  maxReplicaTimeoutMs: 10_000,
  timeoutAdjustmentFactor: 1.5,
  happyPathMaxRoundFailures: 3,
  maxTimeoutStateRebroadcastIntervalMs: 1_000,
}

describe("timeout controller (§3.3)", () => {
  test("stays at min through the happy path, then grows by the factor", () => {
    let r = 0
    for (let i = 0; i < 3; i++) {
      r = afterTimeout(c, r)
      expect(replicaTimeoutMs(c, r)).toBe(100)
    }
    r = afterTimeout(c, r)
    expect(replicaTimeoutMs(c, r)).toBeCloseTo(150, 9)
    r = afterTimeout(c, r)
    expect(replicaTimeoutMs(c, r)).toBeCloseTo(225, 9)
  })

  test("caps at max and stops counting at maxExponent + happy path", () => {
    let r = 0
    for (let i = 0; i < 100; i++) r = afterTimeout(c, r)
    expect(replicaTimeoutMs(c, r)).toBe(10_000)
    expect(r).toBe(Math.ceil(maxExponent(c) + 3))
    expect(afterTimeout(c, r)).toBe(r)
  })

  test("progress decreases r down to 0", () => {
    expect(afterProgress(5)).toBe(4)
    expect(afterProgress(0)).toBe(0)
    expect(replicaTimeoutMs(c, afterProgress(4))).toBe(100)
  })

  test("engine values: 36 s min, 180 s max, maxExponent ln5/ln1.2 ≈ 8.827, 28 s rebroadcast", () => {
    expect(maxExponent(participantTimeoutConfig)).toBeCloseTo(8.827, 3)
    expect(replicaTimeoutMs(participantTimeoutConfig, 6)).toBe(36_000)
    expect(replicaTimeoutMs(participantTimeoutConfig, 7)).toBeCloseTo(43_200, 6)
    expect(replicaTimeoutMs(participantTimeoutConfig, 15)).toBe(180_000)
    expect(rebroadcastIntervalMs(participantTimeoutConfig, 0)).toBe(28_000)
    expect(rebroadcastIntervalMs(c, 0)).toBe(100)
  })
})
