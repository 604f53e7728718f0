// Eviction of inactive provers (consensus.md §8.5): the limit's boundary, halt time netted out, halted
// shards and global provers exempt, never-active allocations not counted, and an evicted prover kicked for
// good (its join is refused). Plus a property: eviction only ever removes provers from a committee.
import { describe, expect, test } from "bun:test"
import * as Either from "effect/Either"
import fc from "fast-check"
import {
  activeProvers,
  applyLifecycleOp,
  buildProverJoin,
  DEVNET_LIFECYCLE,
  evictInactive,
  hexOf,
  type LifecycleProver,
  type LifecycleState,
  newAllocation,
} from "../../../../intrinsics/global/index.ts"
import { addressOf, ctxAt, fakeProof, filterA, filterB, testCrypto, testKey, testSigner } from "./fixtures/lifecycle-env.ts"

const P = DEVNET_LIFECYCLE
const noHalt = () => 0n

const prover = (seed: number, allocations: LifecycleProver["allocations"]): LifecycleProver => ({
  address: addressOf(seed),
  publicKey: testKey(seed),
  status: "Active",
  seniority: 0n,
  kickFrameNumber: 0n,
  delegateAddress: addressOf(seed),
  allocations,
})
const stateOf = (...ps: ReadonlyArray<LifecycleProver>): LifecycleState => new Map(ps.map((p) => [hexOf(p.address), p]))

const shardProver = prover(1, [newAllocation(filterA, "Active", { lastActiveFrameNumber: 100n })])
const globalProver = prover(2, [newAllocation(new Uint8Array(), "Active", { lastActiveFrameNumber: 100n })])

describe("evictInactive", () => {
  test("evicts one frame past the limit, not at it; the eviction is a kick of every allocation", () => {
    const at = 100n + P.inactivityLimit
    expect(evictInactive(stateOf(shardProver), at, P, noHalt).evicted).toEqual([])
    const out = evictInactive(stateOf(shardProver), at + 1n, P, noHalt)
    expect(out.evicted).toEqual([hexOf(shardProver.address)])
    const evicted = out.state.get(hexOf(shardProver.address))
    expect(evicted?.status).toBe("Kicked")
    expect(evicted?.kickFrameNumber).toBe(at + 1n)
    expect(evicted?.allocations.every((a) => a.status === "Rejected" && a.kickFrameNumber === at + 1n)).toBe(true)
  })

  test("halt time is netted out; a shard halted now and global provers are exempt; never-active allocations do not count", () => {
    const late = 100n + P.inactivityLimit + 5n
    expect(evictInactive(stateOf(shardProver), late, P, () => 5n).evicted).toEqual([])
    expect(evictInactive(stateOf(shardProver), late, P, () => 4n).evicted.length).toBe(1)
    expect(evictInactive(stateOf(shardProver), late, P, () => "halted").evicted).toEqual([])
    expect(evictInactive(stateOf(globalProver), late * 10n, P, noHalt).evicted).toEqual([])
    const fresh = prover(3, [newAllocation(filterB, "Active", { lastActiveFrameNumber: 0n })])
    expect(evictInactive(stateOf(fresh), late * 10n, P, noHalt).evicted).toEqual([])
  })

  test("an evicted prover can never join again", () => {
    const evicted = evictInactive(stateOf(shardProver), 1_000n, P, noHalt).state
    const join = buildProverJoin(testCrypto, testSigner(1), { filters: [filterB], frameNumber: 1_000n, proof: fakeProof(addressOf(1), [filterB], 1_000n) })
    const out = applyLifecycleOp(evicted, join, ctxAt(1_000n))
    expect(Either.isLeft(out) && out.left.reason).toContain("kicked")
  })

  test("property: eviction only removes provers from committees, and only those past the limit", () => {
    const arb = fc.array(
      fc.record({
        filter: fc.constantFrom(filterA, filterB, new Uint8Array()),
        last: fc.bigInt({ min: 0n, max: 200n }),
        halt: fc.bigInt({ min: 0n, max: 20n }),
      }),
      { minLength: 1, maxLength: 6 },
    )
    fc.assert(
      fc.property(arb, fc.bigInt({ min: 0n, max: 300n }), (rows, frame) => {
        const state = stateOf(...rows.map((r, i) => prover(10 + i, [newAllocation(r.filter, "Active", { lastActiveFrameNumber: r.last })])))
        const halts = new Map(rows.map((r) => [hexOf(r.filter), r.halt]))
        const out = evictInactive(state, frame, P, (f) => halts.get(hexOf(f)) ?? 0n)
        for (const filter of [filterA, filterB, new Uint8Array()]) {
          const before = activeProvers(state, filter, frame, P).map((p) => hexOf(p.address))
          const after = activeProvers(out.state, filter, frame, P).map((p) => hexOf(p.address))
          expect(after.every((a) => before.includes(a))).toBe(true)
          expect(before.filter((b) => !after.includes(b)).every((b) => out.evicted.includes(b))).toBe(true)
        }
        rows.forEach((r, i) => {
          const key = hexOf(addressOf(10 + i))
          const due = r.filter.length > 0 && r.last > 0n && frame - r.last - (halts.get(hexOf(r.filter)) ?? 0n) > P.inactivityLimit
          expect(out.evicted.includes(key)).toBe(due)
        })
      }),
      { numRuns: 40 },
    )
  }, 60_000)
})
