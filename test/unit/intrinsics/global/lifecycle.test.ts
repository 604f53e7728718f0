// The prover lifecycle of consensus.md §8.3 over pure records: the happy paths (join → confirm → active,
// leave → confirm, pause → resume, reject, update), every precondition refused with a typed OpError and
// the records unchanged, the implicit timeouts, and the join's multiproof checked by the real verifier.
import { describe, expect, test } from "bun:test"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import { loadNativeVdf } from "../../../../crates/ts/vdf/native.ts"
import type { OpErrorKind } from "../../../../intrinsics/contract/index.ts"
import {
  activeProvers,
  applyLifecycleOp,
  applyLifecycleOpEffect,
  buildProverConfirm,
  buildProverJoin,
  buildProverLeave,
  buildProverPause,
  buildProverReject,
  buildProverResume,
  buildProverUpdate,
  DEVNET_LIFECYCLE,
  effectiveStatus,
  hexOf,
  joinProofIds,
  type LifecycleCtx,
  type LifecycleOp,
  type LifecycleState,
  lifecycleDomain,
  MAINNET_LIFECYCLE,
  newAllocation,
  validateLifecycleOp,
} from "../../../../intrinsics/global/index.ts"
import { addressOf, challengeOf, ctxAt, emptyState, fakeProof, filterA, filterB, testCrypto, testSigner } from "./fixtures/lifecycle-env.ts"

const P = DEVNET_LIFECYCLE
const alice = testSigner(1)
const bob = testSigner(2)
const aliceAddress = addressOf(1)

const ok = (state: LifecycleState, op: LifecycleOp, ctx: LifecycleCtx): LifecycleState => {
  const out = applyLifecycleOp(state, op, ctx)
  if (Either.isLeft(out)) throw new Error(`expected success: ${out.left.message}`)
  return out.right
}

/** Refused with `kind` and a reason containing `reason`; the input records are untouched. */
const refused = (state: LifecycleState, op: LifecycleOp, ctx: LifecycleCtx, kind: OpErrorKind, reason: string): void => {
  const before = [...state.entries()].map(([k, v]) => [k, structuredClone(v)])
  const out = applyLifecycleOp(state, op, ctx)
  expect(Either.isLeft(out)).toBe(true)
  if (Either.isLeft(out)) {
    expect(out.left._tag).toBe("OpError")
    expect(out.left.kind).toBe(kind)
    expect(out.left.reason).toContain(reason)
  }
  expect(Either.isLeft(validateLifecycleOp(state, op, ctx))).toBe(true)
  expect([...state.entries()].map(([k, v]) => [k, structuredClone(v)])).toEqual(before)
}

const joinOp = (frame: bigint, filters = [filterA], signer = alice, seed = 1) =>
  buildProverJoin(testCrypto, signer, { filters, frameNumber: frame, proof: fakeProof(addressOf(seed), filters, frame) })

/** Alice joined filterA at frame 100 and was confirmed at 100 + confirmDelay. */
const joined = ok(emptyState, joinOp(100n), ctxAt(100n))
const confirmAt = 100n + P.confirmDelay
const active = ok(joined, buildProverConfirm(testCrypto, alice, [filterA], confirmAt), ctxAt(confirmAt))

const allocation = (state: LifecycleState, filter = filterA) => state.get(hexOf(aliceAddress))?.allocations.find((a) => hexOf(a.filter) === hexOf(filter))

describe("join", () => {
  test("creates the prover (delegate = itself) and a Joining allocation at the message's frame", () => {
    const p = joined.get(hexOf(aliceAddress))
    expect(p?.status).toBe("Joining")
    expect(hexOf(p?.delegateAddress ?? new Uint8Array())).toBe(hexOf(aliceAddress))
    expect(allocation(joined)?.status).toBe("Joining")
    expect(allocation(joined)?.joinFrameNumber).toBe(100n)
    expect(activeProvers(joined, filterA, 100n, P)).toEqual([])
  })

  test("every precondition is refused with a typed error and nothing changes", () => {
    const ctx = ctxAt(100n)
    const good = joinOp(100n)
    refused(emptyState, { ...good, signature: undefined }, ctx, "invalid", "unsigned")
    refused(emptyState, { ...good, filters: [], proof: new Uint8Array() }, ctx, "invalid", "at least one filter")
    refused(emptyState, joinOp(100n, [filterA, filterA]), ctx, "invalid", "named twice")
    refused(emptyState, joinOp(100n, [new Uint8Array(31)]), ctx, "invalid", "want 32–64 bytes")
    refused(emptyState, { ...good, proof: good.proof.subarray(1) }, ctx, "invalid", "516 per filter")
    refused(emptyState, { ...good, delegateAddress: new Uint8Array(5) }, ctx, "invalid", "delegate_address")
    refused(emptyState, joinOp(101n), ctx, "invalid", "after the executing frame")
    refused(emptyState, joinOp(89n), ctxAt(100n), "invalid", "outdated request")
    refused(
      emptyState,
      { ...good, mergeTargets: [{ signature: new Uint8Array(74), keyType: 0, publicKey: new Uint8Array(57) }] },
      ctx,
      "invalid",
      "merge targets",
    )
    const forged = good.signature === undefined ? good : { ...good, signature: { ...good.signature, signature: new Uint8Array(74) } }
    refused(emptyState, forged, ctx, "invalid", "invalid signature")
    const badPop = good.signature === undefined ? good : { ...good, signature: { ...good.signature, popSignature: new Uint8Array(74) } }
    refused(emptyState, badPop, ctx, "invalid", "proof of possession")
    const wrongProof = buildProverJoin(testCrypto, alice, { filters: [filterA], frameNumber: 100n, proof: fakeProof(addressOf(2), [filterA], 100n) })
    refused(emptyState, wrongProof, ctx, "invalid", "invalid multi proof")
    refused(emptyState, good, { ...ctx, joinChallenge: () => undefined }, "state", "is unknown")
    refused(emptyState, good, { ...ctx, crypto: { ...testCrypto, vdfVerifyMulti: undefined } }, "invalid", "no VDF multiproof verifier")
    refused(joined, joinOp(105n), ctxAt(105n), "state", "exists in status Joining")
    refused(active, joinOp(confirmAt), ctxAt(confirmAt), "state", "exists in status Active")
  })

  test("a kicked prover can never join again", () => {
    const p = active.get(hexOf(aliceAddress))
    if (p === undefined) throw new Error("no prover")
    const kicked: LifecycleState = new Map([
      [
        hexOf(aliceAddress),
        { ...p, status: "Kicked" as const, kickFrameNumber: 150n, allocations: p.allocations.map((a) => ({ ...a, status: "Rejected" as const })) },
      ],
    ])
    refused(kicked, joinOp(900n, [filterB]), ctxAt(900n), "state", "kicked")
  })

  test("an expired join, leave or pause makes the filter joinable again", () => {
    const late = 100n + P.lifecycleWindow + 1n
    const rejoined = ok(joined, joinOp(late), ctxAt(late))
    expect(allocation(rejoined)?.joinFrameNumber).toBe(late)
    const leaving = ok(active, buildProverLeave(testCrypto, alice, [filterA], confirmAt + 1n), ctxAt(confirmAt + 1n))
    refused(leaving, joinOp(confirmAt + 2n), ctxAt(confirmAt + 2n), "state", "status Leaving")
    const afterLeave = confirmAt + 1n + P.lifecycleWindow + 1n
    expect(allocation(ok(leaving, joinOp(afterLeave), ctxAt(afterLeave)))?.status).toBe("Joining")
  })
})

describe("confirm and reject", () => {
  test("a join is confirmable exactly within [confirmDelay, lifecycleWindow] frames", () => {
    refused(joined, buildProverConfirm(testCrypto, alice, [filterA], confirmAt - 1n), ctxAt(confirmAt - 1n), "state", "not confirmable")
    const last = 100n + P.lifecycleWindow
    expect(allocation(ok(joined, buildProverConfirm(testCrypto, alice, [filterA], last), ctxAt(last)))?.status).toBe("Active")
    refused(joined, buildProverConfirm(testCrypto, alice, [filterA], last + 1n), ctxAt(last + 1n), "state", "not confirmable")
  })

  test("confirm activates: the prover is in the committee, LastActive = JoinConfirm = the message's frame", () => {
    const a = allocation(active)
    expect(a?.status).toBe("Active")
    expect(a?.joinConfirmFrameNumber).toBe(confirmAt)
    expect(a?.lastActiveFrameNumber).toBe(confirmAt)
    expect(active.get(hexOf(aliceAddress))?.status).toBe("Active")
    expect(activeProvers(active, filterA, confirmAt, P).map((p) => hexOf(p.address))).toEqual([hexOf(aliceAddress)])
  })

  test("refusals: unknown signer, wrong key, no allocation, wrong status, stale or future frame, no filters", () => {
    const ctx = ctxAt(confirmAt)
    refused(joined, buildProverConfirm(testCrypto, bob, [filterA], confirmAt), ctx, "state", "unknown prover")
    const forged = buildProverConfirm(testCrypto, bob, [filterA], confirmAt)
    refused(joined, { ...forged, signature: { ...forged.signature, address: aliceAddress } }, ctx, "invalid", "invalid signature")
    refused(joined, buildProverConfirm(testCrypto, alice, [filterB], confirmAt), ctx, "state", "no allocation")
    refused(joined, buildProverConfirm(testCrypto, alice, [filterA, filterB], confirmAt), ctx, "state", "no allocation")
    refused(joined, buildProverConfirm(testCrypto, alice, [], confirmAt), ctx, "invalid", "no filters")
    refused(active, buildProverConfirm(testCrypto, alice, [filterA], confirmAt + 1n), ctxAt(confirmAt + 1n), "state", "status Active cannot be confirmed")
    refused(joined, buildProverConfirm(testCrypto, alice, [filterA], confirmAt + 1n), ctx, "invalid", "after the executing frame")
    refused(joined, buildProverConfirm(testCrypto, alice, [filterA], confirmAt - P.joinMaxAge - 1n), ctx, "invalid", "frames old")
  })

  test("reject: a join until it expires, a leave until its window ends (back to Active)", () => {
    const r = ok(joined, buildProverReject(testCrypto, alice, [filterA], 101n), ctxAt(101n))
    expect(allocation(r)?.status).toBe("Rejected")
    expect(allocation(r)?.joinRejectFrameNumber).toBe(101n)
    const late = 100n + P.lifecycleWindow + 1n
    refused(joined, buildProverReject(testCrypto, alice, [filterA], late), ctxAt(late), "state", "implicitly rejected")
    const leaving = ok(active, buildProverLeave(testCrypto, alice, [filterA], confirmAt + 1n), ctxAt(confirmAt + 1n))
    const back = ok(leaving, buildProverReject(testCrypto, alice, [filterA], confirmAt + 2n), ctxAt(confirmAt + 2n))
    expect(allocation(back)?.status).toBe("Active")
    const expired = confirmAt + 1n + P.lifecycleWindow + 1n
    refused(leaving, buildProverReject(testCrypto, alice, [filterA], expired), ctxAt(expired), "state", "leave already expired")
    refused(active, buildProverReject(testCrypto, alice, [filterA], confirmAt + 1n), ctxAt(confirmAt + 1n), "state", "cannot be rejected")
  })
})

describe("leave, pause, resume, update", () => {
  test("leave needs an active allocation; confirmed in its window it is status 4 and out of the committee", () => {
    refused(joined, buildProverLeave(testCrypto, alice, [filterA], 101n), ctxAt(101n), "state", "no active allocations")
    const at = confirmAt + 1n
    const leaving = ok(active, buildProverLeave(testCrypto, alice, [filterA, filterB], at), ctxAt(at))
    expect(allocation(leaving)?.status).toBe("Leaving")
    expect(allocation(leaving)?.leaveFrameNumber).toBe(at)
    expect(activeProvers(leaving, filterA, at, P)).toEqual([])
    refused(leaving, buildProverConfirm(testCrypto, alice, [filterA], at + 1n), ctxAt(at + 1n), "state", "not confirmable")
    const done = at + P.confirmDelay
    const left = ok(leaving, buildProverConfirm(testCrypto, alice, [filterA], done), ctxAt(done))
    expect(allocation(left)?.status).toBe("Rejected")
    expect(allocation(left)?.leaveConfirmFrameNumber).toBe(done)
    expect(left.get(hexOf(aliceAddress))?.status).toBe("Rejected")
  })

  test("pause needs Active; resume needs Paused within the pause timeout", () => {
    const at = confirmAt + 1n
    refused(joined, buildProverPause(testCrypto, alice, filterA, 101n), ctxAt(101n), "state", "cannot be paused")
    const paused = ok(active, buildProverPause(testCrypto, alice, filterA, at), ctxAt(at))
    expect(allocation(paused)?.status).toBe("Paused")
    expect(activeProvers(paused, filterA, at, P)).toEqual([])
    refused(paused, buildProverPause(testCrypto, alice, filterA, at + 1n), ctxAt(at + 1n), "state", "cannot be paused")
    const resumed = ok(paused, buildProverResume(testCrypto, alice, filterA, at + P.pauseTimeout), ctxAt(at + P.pauseTimeout))
    expect(allocation(resumed)?.status).toBe("Active")
    expect(allocation(resumed)?.resumeFrameNumber).toBe(at + P.pauseTimeout)
    const late = at + P.pauseTimeout + 1n
    refused(paused, buildProverResume(testCrypto, alice, filterA, late), ctxAt(late), "state", "implicitly left")
    refused(active, buildProverResume(testCrypto, alice, filterA, at), ctxAt(at), "state", "cannot be resumed")
    // A pause signature does not verify as a resume: the domains differ.
    const pause = buildProverPause(testCrypto, alice, filterA, at + 1n)
    refused(paused, { ...pause, _tag: "ProverResume" }, ctxAt(at + 1n), "invalid", "invalid signature")
  })

  test("update changes the delegate (execution.md §11.3 #34); 32 bytes only", () => {
    const delegate = new Uint8Array(32).fill(0xde)
    const updated = ok(active, buildProverUpdate(testCrypto, alice, delegate), ctxAt(confirmAt))
    expect(hexOf(updated.get(hexOf(aliceAddress))?.delegateAddress ?? new Uint8Array())).toBe(hexOf(delegate))
    refused(active, buildProverUpdate(testCrypto, alice, new Uint8Array()), ctxAt(confirmAt), "invalid", "32 bytes")
    refused(active, buildProverUpdate(testCrypto, bob, delegate), ctxAt(confirmAt), "state", "unknown prover")
  })
})

describe("the global committee", () => {
  test("a global allocation (empty filter) leaves and pauses like a shard's (D-GLOB-9 lifted: committees switch by frame)", () => {
    const global = new Uint8Array()
    const p = active.get(hexOf(aliceAddress))
    if (p === undefined) throw new Error("no prover")
    const withGlobal: LifecycleState = new Map([[hexOf(aliceAddress), { ...p, allocations: [...p.allocations, newAllocation(global, "Active")] }]])
    const at = confirmAt + 1n
    const globalOf = (state: LifecycleState) => state.get(hexOf(aliceAddress))?.allocations.find((a) => a.filter.length === 0)
    expect(globalOf(ok(withGlobal, buildProverLeave(testCrypto, alice, [global], at), ctxAt(at)))?.status).toBe("Leaving")
    expect(globalOf(ok(withGlobal, buildProverPause(testCrypto, alice, global, at), ctxAt(at)))?.status).toBe("Paused")
  })
})

describe("network parameters", () => {
  test("mainnet: 2.1-enrollment joins cannot be confirmed before frame 255840 and never expire implicitly", () => {
    const ctx = (n: bigint) => ctxAt(n, MAINNET_LIFECYCLE)
    const j = ok(emptyState, joinOp(250_000n), ctx(250_000n))
    refused(j, buildProverConfirm(testCrypto, alice, [filterA], 255_839n), ctx(255_839n), "state", "cannot confirm before frame 255840")
    const a = allocation(j)
    if (a === undefined) throw new Error("no allocation")
    expect(effectiveStatus(a, 300_000n, MAINNET_LIFECYCLE)).toBe("Joining")
    expect(effectiveStatus({ ...a, joinFrameNumber: 260_000n }, 260_721n, MAINNET_LIFECYCLE)).toBe("Rejected")
    expect(allocation(ok(j, buildProverConfirm(testCrypto, alice, [filterA], 255_840n), ctx(255_840n)))?.status).toBe("Active")
  })

  test("the devnet windows are shorter than mainnet's and keep its ratios", () => {
    expect(P.confirmDelay).toBeLessThan(MAINNET_LIFECYCLE.confirmDelay)
    expect(P.lifecycleWindow).toBe(2n * P.confirmDelay)
    expect(MAINNET_LIFECYCLE.lifecycleWindow).toBe(2n * MAINNET_LIFECYCLE.confirmDelay)
    expect(P.legacyEnrollment).toBeUndefined()
  })

  test("the PROVER_JOIN domain is the reference's (execution.md §9.2)", () => {
    expect(hexOf(lifecycleDomain(testCrypto, "PROVER_JOIN"))).toBe("119f001807263a15cb88c6e36c7377ddfecfcca1992d5b1aa711a9a372e075cb")
  })
})

describe("join multiproof against the real verifier", () => {
  const native = loadNativeVdf()
  test("a multiproof solved natively verifies; a blob of another challenge or another prover's ids do not", () => {
    if ("unavailable" in native) throw new Error(`the native VDF is required here: ${native.unavailable}`)
    const frame = 42n
    const { challenge, difficulty } = challengeOf(frame)
    const filters = [filterA, filterB]
    const ids = joinProofIds(aliceAddress, filters)
    const blobs = ids.map((_, i) => native.solveMulti(challenge, difficulty, ids, i, i + 1).output)
    const proof = new Uint8Array([...(blobs[0] ?? []), ...(blobs[1] ?? [])])
    const crypto: LifecycleCtx["crypto"] = {
      ...testCrypto,
      vdfVerifyMulti: (c, t, i, b) => native.verifyMulti(c, t, i, b) === 0,
    }
    const op = buildProverJoin(testCrypto, alice, { filters, frameNumber: frame, proof })
    expect(allocation(ok(emptyState, op, ctxAt(frame, P, crypto)), filterB)?.status).toBe("Joining")
    // The check is over the product of the blobs (crypto.md §2.6), so their order does not matter
    // (DECISIONS.md D-GLOB-7); a blob solved for another frame's challenge does.
    const reordered = buildProverJoin(testCrypto, alice, { filters, frameNumber: frame, proof: new Uint8Array([...(blobs[1] ?? []), ...(blobs[0] ?? [])]) })
    expect(Either.isRight(applyLifecycleOp(emptyState, reordered, ctxAt(frame, P, crypto)))).toBe(true)
    const other = challengeOf(frame + 1n)
    const foreign = native.solveMulti(other.challenge, other.difficulty, ids, 1, 9).output
    const mixed = buildProverJoin(testCrypto, alice, { filters, frameNumber: frame, proof: new Uint8Array([...(blobs[0] ?? []), ...foreign]) })
    refused(emptyState, mixed, ctxAt(frame, P, crypto), "invalid", "invalid multi proof")
    const asBob = buildProverJoin(testCrypto, bob, { filters, frameNumber: frame, proof })
    refused(emptyState, asBob, ctxAt(frame, P, crypto), "invalid", "invalid multi proof")
  }, 60_000)
})

describe("lifecycle step over Effect verifiers", () => {
  const asEffects = {
    poseidon: testCrypto.poseidon,
    blsVerify: (pk: Uint8Array, sig: Uint8Array, msg: Uint8Array, domain: Uint8Array) => Effect.sync(() => testCrypto.blsVerify(pk, sig, msg, domain)),
    vdfVerifyMulti: (c: Uint8Array, d: number, ids: ReadonlyArray<Uint8Array>, blobs: ReadonlyArray<Uint8Array>) =>
      Effect.sync(() => testCrypto.vdfVerifyMulti?.(c, d, ids, blobs) === true),
  }
  const { crypto: _unused, ...ctx } = ctxAt(100n)

  test("gives the pure step's answer: accepted ops the same records, forged ops the same refusal", () => {
    const good = joinOp(100n)
    const viaEffects = Effect.runSync(applyLifecycleOpEffect(emptyState, good, ctx, asEffects))
    expect(Either.isRight(viaEffects) && hexOf(viaEffects.right.get(hexOf(aliceAddress))?.address ?? new Uint8Array())).toBe(hexOf(aliceAddress))
    const badPop = good.signature === undefined ? good : { ...good, signature: { ...good.signature, popSignature: new Uint8Array(74) } }
    const refusedViaEffects = Effect.runSync(applyLifecycleOpEffect(emptyState, badPop, ctx, asEffects))
    expect(Either.isLeft(refusedViaEffects) && refusedViaEffects.left.reason).toBe("invalid proof of possession")
    const wrongProof = buildProverJoin(testCrypto, alice, { filters: [filterA], frameNumber: 100n, proof: fakeProof(addressOf(2), [filterA], 100n) })
    const vdfRefused = Effect.runSync(applyLifecycleOpEffect(emptyState, wrongProof, ctx, asEffects))
    expect(Either.isLeft(vdfRefused) && vdfRefused.left.reason).toBe("invalid multi proof")
  })
})
