// The synchronous fast path of runOperation (isolation.ts `settle`): operations whose effects are
// plain values, sync thunks and flatMaps of them are answered without a fiber; anything else is
// handed back as an Effect. Both ways must give the same outcome and run every step exactly once.
import { describe, expect, test } from "bun:test"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { BundleFailure } from "../../../../actors/execution/failure.ts"
import { type OperationRun, runOperation } from "../../../../actors/execution/isolation.ts"
import { FrameOverlay, MemoryCommitted } from "../../../../actors/execution/overlay/index.ts"
import type { ResolvedRequest } from "../../../../actors/execution/resolver.ts"
import { atomId, type DecodedOp, type ExecCtx, type ExecEvent, OpError, type ReadView, type StateView, vertex } from "../../../../intrinsics/contract/index.ts"
import { noteDomain, noteIntrinsic, testCrypto } from "../../intrinsics/contract/fixtures/note-intrinsic.ts"

const id = atomId(noteDomain, new Uint8Array(32).fill(7))
const ctx: ExecCtx = { frameNumber: 1n, network: 1, routedDomain: noteDomain, feePaid: 0n, feeMultiplier: 1n, crypto: testCrypto }

const request = (
  validate: (view: ReadView) => Effect.Effect<void, OpError>,
  apply: (view: StateView) => Effect.Effect<ReadonlyArray<ExecEvent>, unknown>,
): ResolvedRequest => {
  const op = {
    opType: 0x7f01,
    name: "probe",
    bytes: new Uint8Array(4),
    accessSet: () => ({ reads: [], writes: [id] }),
    validate: (view: ReadView) => validate(view),
    apply: (view: StateView) => apply(view),
    cost: () => 0n,
    producedFees: () => [],
    target: () => undefined,
  } as DecodedOp
  return { index: 3, intrinsic: noteIntrinsic(), op, feeRole: "free", producesFees: false, routedDomain: noteDomain, access: { reads: [], writes: [id] } }
}

/** The outcome however it was reached: settled at once, or by running the handed-back Effect. */
const outcomeOf = async (run: OperationRun): Promise<Either.Either<ReadonlyArray<ExecEvent>, BundleFailure>> =>
  run._tag === "Settled" ? run.outcome : Effect.runPromise(Effect.either(run.effect))

const runOn = (req: ResolvedRequest) => {
  const frame = new FrameOverlay(new MemoryCommitted())
  const bundle = Either.getOrThrow(frame.openBundle())
  return { frame, bundle, run: runOperation(req, bundle, ctx) }
}

const reasonOf = (outcome: Either.Either<unknown, BundleFailure>): string | undefined => (Either.isLeft(outcome) ? outcome.left.reason : undefined)

describe("runOperation: settled at once or on the fiber, with the same outcome", () => {
  test("Effect.void / Effect.as over a view write settle synchronously and stage the write once", async () => {
    const { bundle, run } = runOn(
      request(
        () => Effect.void,
        (view) => Effect.as(view.put(vertex(id), Uint8Array.of(1), "create"), []),
      ),
    )
    expect(run._tag).toBe("Settled")
    expect(Either.getOrThrow(await outcomeOf(run))).toEqual([])
    expect(bundle.get(vertex(id))).toEqual({ _tag: "Present", value: Uint8Array.of(1) })
  })

  test("failures classify as on the fiber: OpError, refused write, throw in a sync thunk, non-OpError, no event list", async () => {
    const cases: ReadonlyArray<readonly [ResolvedRequest, string]> = [
      [
        request(
          () => Effect.fail(new OpError({ kind: "state", opType: 0x7f01, reason: "no" })),
          () => Effect.succeed([]),
        ),
        "rejected",
      ],
      [
        request(
          () => Effect.void,
          (view) => Effect.as(view.put(vertex(id), Uint8Array.of(1), "update"), []),
        ),
        "rejected",
      ],
      [
        request(
          () =>
            Effect.sync(() => {
              throw new Error("boom")
            }),
          () => Effect.succeed([]),
        ),
        "threw",
      ],
      [
        request(
          () => Effect.void,
          () => {
            throw new Error("built badly")
          },
        ),
        "threw",
      ],
      [
        request(
          () => Effect.void,
          () => Effect.fail("a string"),
        ),
        "garbage",
      ],
      [
        request(
          () => Effect.void,
          () => Effect.succeed(42 as unknown as ReadonlyArray<ExecEvent>),
        ),
        "garbage",
      ],
    ]
    for (const [req, reason] of cases) {
      // Settled or not (Effect.fail of an object captures a span on the fiber), the same reason.
      const { run } = runOn(req)
      const outcome = await outcomeOf(run)
      expect(reasonOf(outcome)).toBe(reason)
      if (Either.isLeft(outcome)) expect(outcome.left.request).toBe(3)
    }
  })

  test("an asynchronous step hands the rest to the fiber: every step runs once, in order, apply after validate", async () => {
    const trace: Array<string> = []
    const { bundle, run } = runOn(
      request(
        () =>
          Effect.sync(() => trace.push("validate-sync")).pipe(
            Effect.zipRight(Effect.sleep("1 millis")),
            Effect.flatMap(() => Effect.sync(() => trace.push("validate-after-sleep"))),
            Effect.asVoid,
          ),
        (view) =>
          Effect.sync(() => trace.push("apply")).pipe(
            Effect.zipRight(Effect.yieldNow()),
            Effect.flatMap(() => view.put(vertex(id), Uint8Array.of(2), "create")),
            Effect.as([]),
          ),
      ),
    )
    expect(run._tag).toBe("Pending")
    // validate's synchronous head ran; nothing of apply did.
    expect(trace).toEqual(["validate-sync"])
    expect(Either.getOrThrow(await outcomeOf(run))).toEqual([])
    expect(trace).toEqual(["validate-sync", "validate-after-sleep", "apply"])
    expect(bundle.get(vertex(id))).toEqual({ _tag: "Present", value: Uint8Array.of(2) })
  })

  test("a failure after an asynchronous step classifies as on the settled path", async () => {
    const { run } = runOn(
      request(
        () => Effect.void,
        () => Effect.zipRight(Effect.yieldNow(), Effect.fail(new OpError({ kind: "state", opType: 0x7f01, reason: "late" }))),
      ),
    )
    expect(run._tag).toBe("Pending")
    expect(reasonOf(await outcomeOf(run))).toBe("rejected")
  })
})
