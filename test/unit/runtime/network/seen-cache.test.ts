import { describe, expect, test } from "bun:test"
import { SeenCache } from "../../../../runtime/network/seen-cache.ts"

describe("SeenCache", () => {
  test("reports duplicates within the TTL", () => {
    const cache = new SeenCache({ maxEntries: 10, ttlMillis: 1000 })
    expect(cache.checkAndAdd("a", 0)).toBe(false)
    expect(cache.checkAndAdd("a", 500)).toBe(true)
    expect(cache.has("a", 600)).toBe(true)
  })

  test("entries expire after the TTL", () => {
    const cache = new SeenCache({ maxEntries: 10, ttlMillis: 1000 })
    cache.checkAndAdd("a", 0)
    cache.checkAndAdd("b", 600)
    expect(cache.has("a", 1000)).toBe(false)
    expect(cache.has("b", 1000)).toBe(true)
    expect(cache.checkAndAdd("a", 1000)).toBe(false)
    expect(cache.stats().expired).toBe(1)
  })

  test("a duplicate is refreshed, so a message still circulating stays suppressed", () => {
    const cache = new SeenCache({ maxEntries: 10, ttlMillis: 1000 })
    cache.checkAndAdd("a", 0)
    expect(cache.checkAndAdd("a", 900)).toBe(true)
    expect(cache.has("a", 1500)).toBe(true)
  })

  test("never exceeds the hard cap; the least recently seen entry goes first", () => {
    const cache = new SeenCache({ maxEntries: 3, ttlMillis: 60_000 })
    for (const key of ["a", "b", "c"]) cache.checkAndAdd(key, 0)
    cache.checkAndAdd("a", 1) // touch a: b is now the oldest
    cache.checkAndAdd("d", 2)
    expect(cache.size).toBe(3)
    expect(cache.has("b", 3)).toBe(false)
    expect(cache.has("a", 3)).toBe(true)
    expect(cache.has("c", 3)).toBe(true)
    expect(cache.has("d", 3)).toBe(true)
    for (let i = 0; i < 1000; i++) cache.checkAndAdd(`k${i}`, 10 + i)
    expect(cache.size).toBe(3)
    expect(cache.stats().evictedForCapacity).toBe(1001)
  })

  test("rejects a cache without bounds", () => {
    expect(() => new SeenCache({ maxEntries: 0, ttlMillis: 1 })).toThrow()
    expect(() => new SeenCache({ maxEntries: 1, ttlMillis: 0 })).toThrow()
  })
})
