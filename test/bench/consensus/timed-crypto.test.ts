import { describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { coveredMs, makeCryptoTimeline, type Interval } from "./timed-crypto.ts"

const at = (start: number, end: number): Interval => ({ op: "vdf.solve", start, end })

describe("coveredMs", () => {
  test("counts overlapping intervals once and clips to the window", () => {
    expect(coveredMs([at(0, 10), at(5, 15), at(20, 30)], 0, 100)).toBe(25)
    expect(coveredMs([at(0, 10), at(5, 15), at(20, 30)], 8, 25)).toBe(12)
    expect(coveredMs([at(2, 4), at(0, 10)], 0, 100)).toBe(10)
    expect(coveredMs([at(0, 10)], 10, 20)).toBe(0)
  })
})

describe("makeCryptoTimeline", () => {
  test("records one interval per call, failures included", async () => {
    const t = makeCryptoTimeline()
    await Effect.runPromise(t.timed("bls.verify", Effect.sleep(5)))
    await Effect.runPromise(Effect.either(t.timed("bls.sign", Effect.fail("no"))))
    expect(t.intervals.map((i) => i.op)).toEqual(["bls.verify", "bls.sign"])
    const first = t.intervals[0]
    expect(first === undefined ? 0 : first.end - first.start).toBeGreaterThanOrEqual(4)
  })
})
