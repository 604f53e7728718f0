// Running one operation of an untrusted intrinsic (design.md §4, spec §11.1): validate against a
// read-only view, then apply through the bundle's operation view, under a per-operation budget.
// Whatever the intrinsic does — throw, fail with something that is not an OpError or a view
// error, interrupt itself — becomes a BundleFailure for its bundle only; the
// actor running the frame never sees a defect from plugin code. Overrunning the budget is caught
// by the frame executor's watchdog.
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Option from "effect/Option"
import { AccessViolation, type ExecCtx, type ExecEvent, MalformedAtomId, OpError, OverlayClosed, WriteRefused } from "../../intrinsics/contract/index.ts"
import type { BundleOverlay } from "./overlay/index.ts"
import { BundleFailure } from "./failure.ts"
import type { ResolvedRequest } from "./resolver.ts"

const describe = (e: unknown): string => (e instanceof Error ? e.message : String(e))

const classify = (index: number, e: unknown): BundleFailure => {
  if (e instanceof BundleFailure) return e
  if (e instanceof OpError)
    return new BundleFailure({ reason: e.kind === "insufficient-fee" ? "insufficient-fee" : "rejected", request: index, detail: e.message })
  if (e instanceof AccessViolation) return new BundleFailure({ reason: "access-violation", request: index, detail: e.message })
  if (e instanceof WriteRefused || e instanceof MalformedAtomId || e instanceof OverlayClosed) {
    return new BundleFailure({ reason: "rejected", request: index, detail: e.message })
  }
  return new BundleFailure({ reason: "garbage", request: index, detail: `failed with a non-OpError: ${describe(e)}` })
}

const fromCause = (index: number, cause: Cause.Cause<unknown>): BundleFailure => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) return classify(index, failure.value)
  const defect = Cause.dieOption(cause)
  if (Option.isSome(defect)) return new BundleFailure({ reason: "threw", request: index, detail: describe(defect.value) })
  return new BundleFailure({ reason: "garbage", request: index, detail: "the operation interrupted itself" })
}

export const runOperation = (request: ResolvedRequest, bundle: BundleOverlay, ctx: ExecCtx): Effect.Effect<ReadonlyArray<ExecEvent>, BundleFailure> => {
  const index = request.index
  // validate sees reads only: a plain object, so it cannot reach the overlay's writes by a cast.
  const readView = { get: bundle.get }
  const writeView = bundle.forOperation(request.access)
  // suspend: a synchronous throw while building the effect becomes a defect, caught below.
  const step = Effect.suspend(() => request.op.validate(readView, ctx)).pipe(
    Effect.zipRight(Effect.suspend(() => request.op.apply(writeView, ctx))),
    Effect.flatMap((events) =>
      Array.isArray(events)
        ? Effect.succeed(events)
        : Effect.fail(new BundleFailure({ reason: "garbage", request: index, detail: "apply returned no event list" })),
    ),
  )
  // The budget is the frame executor's watchdog (frame-executor.ts), not a timeout per operation.
  return Effect.catchAllCause(step, (cause) => Effect.fail(fromCause(index, cause)))
}
