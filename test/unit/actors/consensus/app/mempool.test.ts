import { describe, expect, test } from "bun:test"
import fc from "fast-check"
import { Mempool, type PendingBundle } from "../../../../../actors/consensus/app/mempool.ts"

const bundle = (n: number, size = 10, frame = 0n): PendingBundle => ({
  id: new Uint8Array(32).fill(n),
  routed: new Uint8Array(size).fill(n),
  arrivedAtFrame: frame,
})

describe("app mempool", () => {
  test("deduplicates by id and keeps arrival order", () => {
    const pool = new Mempool({ maxBundles: 10, maxBytes: 1000, maxAgeFrames: 10n })
    expect(pool.add(bundle(2))).toBe("added")
    expect(pool.add(bundle(1))).toBe("added")
    expect(pool.add(bundle(2))).toBe("duplicate")
    expect(pool.peek(10, 1000).map((b) => b.id[0])).toEqual([2, 1])
  })

  test("bounded by count and by bytes: a full pool refuses and changes nothing", () => {
    const byCount = new Mempool({ maxBundles: 2, maxBytes: 1000, maxAgeFrames: 10n })
    byCount.add(bundle(1))
    byCount.add(bundle(2))
    expect(byCount.add(bundle(3))).toBe("full")
    expect(byCount.size).toBe(2)
    const byBytes = new Mempool({ maxBundles: 10, maxBytes: 25, maxAgeFrames: 10n })
    byBytes.add(bundle(1))
    byBytes.add(bundle(2))
    expect(byBytes.add(bundle(3))).toBe("full")
    expect(byBytes.sizeBytes).toBe(20)
  })

  test("peek respects the byte budget and leaves bundles in place until removed", () => {
    const pool = new Mempool({ maxBundles: 10, maxBytes: 1000, maxAgeFrames: 10n })
    pool.add(bundle(1, 10))
    pool.add(bundle(2, 30))
    pool.add(bundle(3, 10))
    expect(pool.peek(10, 25).map((b) => b.id[0])).toEqual([1, 3])
    expect(pool.size).toBe(3)
    expect(pool.remove([new Uint8Array(32).fill(1), new Uint8Array(32).fill(9)])).toBe(1)
    expect(pool.peek(10, 1000).map((b) => b.id[0])).toEqual([2, 3])
  })

  test("stale bundles are dropped after maxAgeFrames", () => {
    const pool = new Mempool({ maxBundles: 10, maxBytes: 1000, maxAgeFrames: 5n })
    pool.add(bundle(1, 10, 1n))
    pool.add(bundle(2, 10, 4n))
    expect(pool.dropStale(5n)).toEqual([])
    expect(pool.dropStale(6n).map((b) => b.id[0])).toEqual([1])
    expect(pool.size).toBe(1)
    expect(pool.sizeBytes).toBe(10)
  })

  test("model: size and bytes always match the bundles held", () => {
    fc.assert(
      fc.property(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 20 }), fc.integer({ min: 1, max: 40 })), { maxLength: 200 }),
        (steps) => {
          const pool = new Mempool({ maxBundles: 8, maxBytes: 120, maxAgeFrames: 6n })
          const model = new Map<number, { size: number; frame: bigint }>()
          let frame = 0n
          for (const [kind, n, size] of steps) {
            if (kind <= 1) {
              const outcome = pool.add(bundle(n, size, frame))
              const bytes = [...model.values()].reduce((a, e) => a + e.size, 0)
              const expected = model.has(n) ? "duplicate" : model.size >= 8 || bytes + size > 120 ? "full" : "added"
              expect(outcome).toBe(expected)
              if (outcome === "added") model.set(n, { size, frame })
            } else if (kind === 2) {
              pool.remove([new Uint8Array(32).fill(n)])
              model.delete(n)
            } else {
              frame += 1n
              pool.dropStale(frame)
              for (const [k, e] of model) if (frame - e.frame >= 6n) model.delete(k)
            }
            expect(pool.size).toBe(model.size)
            expect(pool.sizeBytes).toBe([...model.values()].reduce((a, e) => a + e.size, 0))
          }
        },
      ),
      { numRuns: 200 },
    )
  })
})
