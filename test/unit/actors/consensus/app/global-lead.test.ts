// The app leader's lead bound (D-APP-17): frame numbers follow the global head G (§1.6 step 4) and never
// pass G + MAX_GLOBAL_LEAD; the window's last number only for a child at its parent's rank + 1.
import { describe, expect, test } from "bun:test"
import { globalLeadHold, MAX_GLOBAL_LEAD, nextFrameNumber } from "../../../../../actors/consensus/app/global-lead.ts"

const parent = (frameNumber: bigint, rank: bigint) => ({ frameNumber, rank })

describe("app frame numbers against the global head", () => {
  test("the global head when it is above the parent, else parent + 1", () => {
    expect(nextFrameNumber(4n, undefined)).toBe(5n)
    expect(nextFrameNumber(4n, 9n)).toBe(9n)
    expect(nextFrameNumber(4n, 4n)).toBe(5n)
    expect(nextFrameNumber(4n, 2n)).toBe(5n)
  })

  test("inside the window with room for two: go, whatever the ranks", () => {
    // Behind the head: the frame takes the head's number.
    expect(globalLeadHold(parent(3n, 7n), 20n, 10n)).toBeUndefined()
    // next = G + 1 (the last number is G + 2).
    expect(globalLeadHold(parent(10n, 7n), 20n, 10n)).toBeUndefined()
  })

  test("the window's last number: only for the child at the parent's rank + 1 (it finalizes the parent)", () => {
    expect(globalLeadHold(parent(11n, 7n), 8n, 10n)).toBeUndefined()
    const held = globalLeadHold(parent(11n, 7n), 9n, 10n)
    expect(held).toContain("frame 12 past the global head 10")
    expect(held).toContain("room for two")
  })

  test("past the window: held, consecutive rank or not", () => {
    expect(globalLeadHold(parent(12n, 7n), 8n, 10n)).toContain(`at most ${MAX_GLOBAL_LEAD} past it`)
    expect(globalLeadHold(parent(40n, 7n), 8n, 10n)).toContain("frame 41 past the global head 10")
  })

  test("the global chain moving reopens the window", () => {
    const tip = parent(12n, 7n)
    expect(globalLeadHold(tip, 11n, 10n)).toBeDefined()
    // One global frame: 13 = G + 2, the last number, and rank 11 is not 8: still held.
    expect(globalLeadHold(tip, 11n, 11n)).toBeDefined()
    // Two: room for two again.
    expect(globalLeadHold(tip, 11n, 12n)).toBeUndefined()
  })
})
