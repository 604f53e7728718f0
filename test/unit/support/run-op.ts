// Runs one decoded operation as the host does, in its own bundle of a frame overlay: the view is
// limited to its access set (the overlay asserts writes stay inside it), validate then apply; the
// bundle is folded on success and discarded on failure. Shared by the intrinsics' unit tests.
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import type { FrameOverlay } from "../../../actors/execution/overlay/index.ts"
import type { DecodedOp, ExecCtx, StateView } from "../../../intrinsics/contract/index.ts"

// No return-type annotation: the error type is inferred as OpError | ViewError.
const runOp = (frame: FrameOverlay, op: DecodedOp, ctx: ExecCtx) =>
  Effect.gen(function* () {
    const bundle = Either.getOrThrow(frame.openBundle())
    const view: StateView = bundle.forOperation(op.accessSet(ctx))
    const result = yield* Effect.either(Effect.zipRight(op.validate(bundle, ctx), op.apply(view, ctx)))
    if (Either.isLeft(result)) {
      bundle.discard()
      return yield* Effect.fail(result.left)
    }
    Either.getOrThrow(bundle.fold())
    return result.right
  })

/** `runOp`, run synchronously, as an Either. */
export const runOpSync = (frame: FrameOverlay, op: DecodedOp, ctx: ExecCtx) => Effect.runSync(Effect.either(runOp(frame, op, ctx)))
