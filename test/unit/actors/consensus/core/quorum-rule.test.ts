import { describe, expect, test } from "bun:test"
import { isQuorum, quorumRuleFor, weightOfSigners } from "../../../../../actors/consensus/core/quorum-rule.ts"
import type { ActiveProver } from "../../../../../actors/consensus/core/prover-ring.ts"

const provers = (seniorities: ReadonlyArray<bigint>): Array<ActiveProver> =>
  seniorities.map((seniority, i) => ({ address: Uint8Array.of(i), publicKey: new Uint8Array(585), seniority }))

const GLOBAL = new Uint8Array()
const SHARD = new Uint8Array(32).fill(7)

describe("quorum rule", () => {
  test("zero seniority falls back to one vote each and a strict two-thirds quorum", () => {
    for (const [n, threshold, partial] of [
      [1, 1n, 1n],
      [3, 3n, 1n],
      [4, 3n, 2n],
      [7, 5n, 3n],
      [10, 7n, 4n],
    ] as const) {
      const rule = quorumRuleFor(provers(Array.from({ length: n }, () => 0n)), GLOBAL)
      expect(rule.mode).toBe("equal-weight")
      expect(rule.threshold).toBe(threshold)
      expect(rule.partialThreshold).toBe(partial)
    }
  })

  test("two disjoint halves of an equal-weight committee are never both quorums", () => {
    const rule = quorumRuleFor(provers([0n, 0n, 0n, 0n]), GLOBAL)
    expect(isQuorum(rule, [0, 1])).toBe(false)
    expect(isQuorum(rule, [2, 3])).toBe(false)
    expect(isQuorum(rule, [0, 1, 2])).toBe(true)
    expect(isQuorum(rule, [])).toBe(false)
  })

  test("with seniority the reference ⌊4Σ/6⌋ threshold and seniority weights apply", () => {
    const rule = quorumRuleFor(provers([10n, 20n, 30n]), GLOBAL)
    expect(rule.mode).toBe("seniority")
    expect(rule.threshold).toBe(40n)
    expect(weightOfSigners(rule, [1, 2])).toBe(50n)
    expect(isQuorum(rule, [2])).toBe(false)
    expect(isQuorum(rule, [0, 2])).toBe(true)
  })

  test("an app shard's committee gets ⌊2Σ/3⌋, which differs from the global ⌊4Σ/6⌋ only when the product wraps (D-RING-1)", () => {
    expect(quorumRuleFor(provers([10n, 20n, 30n]), SHARD).threshold).toBe(40n)
    const huge = provers([1n << 62n])
    expect(quorumRuleFor(huge, GLOBAL).threshold).toBe(0n) // 4Σ wraps to 0 in u64
    expect(quorumRuleFor(huge, SHARD).threshold).toBe((1n << 63n) / 3n)
  })
})
