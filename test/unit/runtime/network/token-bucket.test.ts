import { describe, expect, test } from "bun:test"
import { PeerTokenBuckets } from "../../../../runtime/network/token-bucket.ts"

describe("per-peer token buckets", () => {
  test("a burst of `capacity`, then one request per refill interval, per peer", () => {
    let now = 1_000
    const buckets = new PeerTokenBuckets({ capacity: 3, refillPerSecond: 2, maxPeers: 10 }, () => now)
    expect([1, 2, 3, 4].map(() => buckets.tryTake("a"))).toEqual([true, true, true, false])
    expect(buckets.tryTake("b")).toBe(true) // buckets are per peer
    now += 499
    expect(buckets.tryTake("a")).toBe(false)
    now += 1
    expect(buckets.tryTake("a")).toBe(true)
    expect(buckets.tryTake("a")).toBe(false)
    now += 60_000 // refill is capped at capacity
    expect([1, 2, 3, 4].map(() => buckets.tryTake("a"))).toEqual([true, true, true, false])
  })

  test("the peer table is capped, evicting the least recently seen peer", () => {
    const buckets = new PeerTokenBuckets({ capacity: 1, refillPerSecond: 0, maxPeers: 2 }, () => 0)
    expect(buckets.tryTake("a")).toBe(true)
    expect(buckets.tryTake("b")).toBe(true)
    expect(buckets.tryTake("a")).toBe(false) // a is now the most recent
    expect(buckets.tryTake("c")).toBe(true) // evicts b
    expect(buckets.trackedPeers).toBe(2)
    expect(buckets.tryTake("a")).toBe(false)
    expect(buckets.tryTake("b")).toBe(true) // forgotten, so a fresh bucket (evicts c)
  })
})
