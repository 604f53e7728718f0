// VerifiedInputs (crates/ts/verified-inputs.ts): keys are unambiguous over kind and part
// boundaries, and the set is bounded with least-recently-used eviction.
import { describe, expect, test } from "bun:test"
import { VerifiedInputs } from "../../../crates/ts/verified-inputs.ts"

const b = (...xs: ReadonlyArray<number>) => new Uint8Array(xs)

describe("VerifiedInputs", () => {
  test("keys differ by kind, by part boundaries and by any byte", () => {
    const base = VerifiedInputs.key(1, [b(1, 2), b(3)])
    expect(VerifiedInputs.key(1, [b(1, 2), b(3)])).toBe(base)
    expect(VerifiedInputs.key(2, [b(1, 2), b(3)])).not.toBe(base)
    expect(VerifiedInputs.key(1, [b(1), b(2, 3)])).not.toBe(base)
    expect(VerifiedInputs.key(1, [b(1, 2, 3)])).not.toBe(base)
    expect(VerifiedInputs.key(1, [b(1, 2), b(4)])).not.toBe(base)
    expect(VerifiedInputs.key(1, [b(1, 2), b(3), b()])).not.toBe(base)
  })

  test("remembers what was added, forgets the least recently used beyond capacity", () => {
    const set = new VerifiedInputs(2)
    const [k1, k2, k3] = [1, 2, 3].map((i) => VerifiedInputs.key(0, [b(i)])) as [string, string, string]
    expect(set.has(k1)).toBe(false)
    set.add(k1)
    set.add(k2)
    expect(set.has(k1)).toBe(true) // refreshes k1, so k2 is now the oldest
    set.add(k3)
    expect(set.size).toBe(2)
    expect(set.has(k2)).toBe(false)
    expect(set.has(k1)).toBe(true)
    expect(set.has(k3)).toBe(true)
  })
})
