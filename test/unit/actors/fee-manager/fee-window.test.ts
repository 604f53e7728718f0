import { describe, expect, test } from "bun:test"
import fc from "fast-check"
import { DEFAULT_FEE_MULTIPLIER, FeeWindow, MAX_WINDOW } from "../../../../actors/fee-manager/fee-window.ts"
import { adjustFeeForTraffic } from "../../../../actors/fee-manager/traffic-adjustment.ts"

describe("fee window (consensus.md §6)", () => {
  test("no votes → 100; the average is floored", () => {
    const w = new FeeWindow()
    expect(w.multiplier()).toBe(DEFAULT_FEE_MULTIPLIER)
    w.add(1n, 100n)
    w.add(2n, 101n)
    expect(w.multiplier()).toBe(100n)
    w.add(3n, 102n)
    expect(w.multiplier()).toBe(101n)
  })

  test("a vote at or below the last frame is refused and changes nothing", () => {
    const w = new FeeWindow()
    expect(w.add(5n, 90n)).toBe(true)
    expect(w.add(5n, 500n)).toBe(false)
    expect(w.add(4n, 500n)).toBe(false)
    expect(w.multiplier()).toBe(90n)
    expect(w.size).toBe(1)
  })

  test("only the last 360 votes count", () => {
    const w = new FeeWindow()
    for (let f = 1n; f <= 360n; f++) w.add(f, 1000n)
    for (let f = 361n; f <= 720n; f++) w.add(f, 10n)
    expect(w.size).toBe(MAX_WINDOW)
    expect(w.multiplier()).toBe(10n)
  })

  test("a rewind drops exactly the votes above the ancestor", () => {
    const w = new FeeWindow()
    for (let f = 1n; f <= 10n; f++) w.add(f, f * 10n)
    expect(w.rewindTo(7n)).toBe(3)
    expect(w.lastFrame).toBe(7n)
    // (10+…+70)/7 = 40
    expect(w.multiplier()).toBe(40n)
    expect(w.add(8n, 1n)).toBe(true)
  })

  test("model: the multiplier is floor(mean of the last 360 accepted votes) under any add/rewind sequence", () => {
    const step = fc.oneof(
      fc.record({ kind: fc.constant("add" as const), gap: fc.integer({ min: -2, max: 3 }), vote: fc.bigInt({ min: 0n, max: 10_000n }) }),
      fc.record({ kind: fc.constant("rewind" as const), back: fc.integer({ min: 0, max: 5 }) }),
    )
    fc.assert(
      fc.property(fc.array(step, { maxLength: 800 }), (steps) => {
        const w = new FeeWindow()
        let model: Array<{ f: bigint; v: bigint }> = []
        let last = 0n
        for (const s of steps) {
          if (s.kind === "add") {
            const f = last + BigInt(s.gap)
            const ok = w.add(f, s.vote)
            const top = model[model.length - 1]
            expect(ok).toBe(top === undefined || f > top.f)
            if (ok) {
              model.push({ f, v: s.vote })
              if (model.length > MAX_WINDOW) model = model.slice(1)
              last = f
            }
          } else {
            const to = last - BigInt(s.back)
            w.rewindTo(to)
            model = model.filter((e) => e.f <= to)
            last = model[model.length - 1]?.f ?? to
          }
          const expected = model.length === 0 ? 100n : model.reduce((a, e) => a + e.v, 0n) / BigInt(model.length)
          expect(w.multiplier()).toBe(expected)
        }
      }),
      { numRuns: 200 },
    )
  })
})

describe("traffic adjustment (±10 % around the 10 s target)", () => {
  test("fast frames lower the vote, slow frames raise it, by at most 10 %", () => {
    expect(adjustFeeForTraffic(100n, undefined)).toBe(100n)
    expect(adjustFeeForTraffic(100n, 10_000n)).toBe(100n)
    expect(adjustFeeForTraffic(100n, 9_500n)).toBe(95n)
    expect(adjustFeeForTraffic(100n, 1_000n)).toBe(90n)
    expect(adjustFeeForTraffic(100n, 10_500n)).toBe(105n)
    expect(adjustFeeForTraffic(100n, 60_000n)).toBe(110n)
    expect(adjustFeeForTraffic(1n, 0n)).toBe(1n)
  })
})
