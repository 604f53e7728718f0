// Properties of the lifecycle state machine (consensus.md §8.3) over random operation sequences: a
// refused operation changes nothing, the same sequence gives the same records (every node alike), the
// committee is exactly the address-sorted provers with an effectively Active allocation, and the
// implicit timeouts fire exactly one frame after their window and never un-fire.
import { describe, expect, test } from "bun:test"
import * as Either from "effect/Either"
import fc from "fast-check"
import {
  activeProvers,
  applyLifecycleOp,
  buildProverConfirm,
  buildProverJoin,
  buildProverLeave,
  buildProverPause,
  buildProverReject,
  buildProverResume,
  DEVNET_LIFECYCLE,
  effectiveStatus,
  hexOf,
  type LifecycleAllocation,
  type LifecycleOp,
  type LifecycleState,
  MAINNET_LIFECYCLE,
  newAllocation,
  type ProverStatus,
} from "../../../../intrinsics/global/index.ts"
import { addressOf, ctxAt, emptyState, fakeProof, filterA, filterB, testCrypto, testSigner } from "./fixtures/lifecycle-env.ts"

const P = DEVNET_LIFECYCLE
const kinds = ["join", "confirm", "reject", "leave", "pause", "resume"] as const
const step = fc.record({
  kind: fc.constantFrom(...kinds),
  who: fc.constantFrom(1, 2),
  filter: fc.constantFrom(filterA, filterB),
  gap: fc.constantFrom(0n, 1n, 5n, 10n, 12n, 21n),
})
type Step = { readonly kind: (typeof kinds)[number]; readonly who: number; readonly filter: Uint8Array; readonly gap: bigint }

const opFor = (s: { kind: (typeof kinds)[number]; who: number; filter: Uint8Array }, frame: bigint): LifecycleOp => {
  const signer = testSigner(s.who)
  switch (s.kind) {
    case "join":
      return buildProverJoin(testCrypto, signer, { filters: [s.filter], frameNumber: frame, proof: fakeProof(addressOf(s.who), [s.filter], frame) })
    case "confirm":
      return buildProverConfirm(testCrypto, signer, [s.filter], frame)
    case "reject":
      return buildProverReject(testCrypto, signer, [s.filter], frame)
    case "leave":
      return buildProverLeave(testCrypto, signer, [s.filter], frame)
    case "pause":
      return buildProverPause(testCrypto, signer, s.filter, frame)
    case "resume":
      return buildProverResume(testCrypto, signer, s.filter, frame)
  }
}

const snapshot = (state: LifecycleState) => [...state.entries()].map(([k, v]) => [k, structuredClone(v)])

const run = (steps: ReadonlyArray<Step>) => {
  let state: LifecycleState = emptyState
  let frame = 100n
  const applied: Array<string> = []
  for (const s of steps) {
    frame += s.gap
    const before = snapshot(state)
    const out = applyLifecycleOp(state, opFor(s, frame), ctxAt(frame))
    if (Either.isLeft(out)) {
      expect(out.left._tag).toBe("OpError")
      expect(snapshot(state)).toEqual(before)
    } else {
      state = out.right
      applied.push(`${s.kind}@${frame}`)
    }
  }
  return { state, frame, applied }
}

describe("lifecycle state machine properties", () => {
  test("refusals change nothing; the same sequence gives the same records; the committee is the effectively active set", () => {
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 16 }), fc.bigInt({ min: 0n, max: 60n }), (steps, later) => {
        const first = run(steps)
        const second = run(steps)
        expect(snapshot(second.state)).toEqual(snapshot(first.state))
        expect(second.applied).toEqual(first.applied)
        for (const filter of [filterA, filterB]) {
          const at = first.frame + later
          const committee = activeProvers(first.state, filter, at, P).map((p) => hexOf(p.address))
          const expected = [...first.state.values()]
            .filter((p) => p.allocations.some((a) => hexOf(a.filter) === hexOf(filter) && effectiveStatus(a, at, P) === "Active"))
            .map((p) => hexOf(p.address))
            .sort()
          expect(committee).toEqual(expected)
        }
      }),
      { numRuns: 20 },
    )
  }, 60_000)

  test("a join can reach the committee only through a confirm inside its window", () => {
    let activeSeen = 0
    fc.assert(
      fc.property(fc.array(step, { minLength: 1, maxLength: 16 }), (steps) => {
        const { state, frame } = run(steps)
        for (const p of state.values()) {
          for (const a of p.allocations) {
            if (effectiveStatus(a, frame, P) !== "Active") continue
            activeSeen++
            expect(a.joinConfirmFrameNumber - a.joinFrameNumber).toBeGreaterThanOrEqual(P.confirmDelay)
            expect(a.joinConfirmFrameNumber - a.joinFrameNumber).toBeLessThanOrEqual(P.lifecycleWindow)
          }
        }
      }),
      { numRuns: 30, seed: 20261207 },
    )
    // Not vacuous: some sequences did confirm a join.
    expect(activeSeen).toBeGreaterThan(0)
  }, 60_000)
})

describe("implicit timeouts", () => {
  const statuses: ReadonlyArray<ProverStatus> = ["Joining", "Active", "Paused", "Leaving", "Rejected"]
  const allocationArb = fc
    .record({ status: fc.constantFrom(...statuses), at: fc.bigInt({ min: 0n, max: 1_000_000n }) })
    .map(({ status, at }): LifecycleAllocation => newAllocation(filterA, status, { joinFrameNumber: at, leaveFrameNumber: at, pauseFrameNumber: at }))

  for (const [name, params] of [
    ["devnet", DEVNET_LIFECYCLE],
    ["mainnet", MAINNET_LIFECYCLE],
  ] as const) {
    test(`${name}: a join or leave expires one frame after the window, a pause after the timeout, and stays expired`, () => {
      fc.assert(
        fc.property(allocationArb, fc.bigInt({ min: 0n, max: 2_000n }), fc.bigInt({ min: 0n, max: 2_000n }), (a, d1, d2) => {
          const at = a.joinFrameNumber
          const limit = a.status === "Paused" ? params.pauseTimeout : params.lifecycleWindow
          const legacyExempt = a.status === "Joining" && params.legacyEnrollment !== undefined && at < params.legacyEnrollment.end
          const times = a.status === "Joining" || a.status === "Leaving" || a.status === "Paused"
          const frame = at + d1
          const expect1 = times && !legacyExempt && d1 > limit ? "Rejected" : a.status
          expect(effectiveStatus(a, frame, params)).toBe(expect1)
          if (expect1 === "Rejected") expect(effectiveStatus(a, frame + d2, params)).toBe("Rejected")
        }),
        { numRuns: 400 },
      )
    })
  }
})
