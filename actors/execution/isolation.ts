// Running one operation of an untrusted intrinsic (design.md §4, spec §11.1): validate against a
// read-only view, then apply through the bundle's operation view, under a per-operation budget.
// Whatever the intrinsic does — throw, fail with something that is not an OpError or a view
// error, interrupt itself — becomes a BundleFailure for its bundle only; the
// actor running the frame never sees a defect from plugin code. Overrunning the budget is caught
// by the frame executor's watchdog.
import * as Cause from "effect/Cause"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Option from "effect/Option"
import {
  AccessViolation,
  type DecodedOp,
  type ExecCtx,
  type ExecEvent,
  MalformedAtomId,
  OpError,
  OverlayClosed,
  type ReadView,
  type StateView,
  WriteRefused,
} from "../../intrinsics/contract/index.ts"
import type { BundleOverlay } from "./overlay/index.ts"
import { enterPlugin, leavePlugin, NondeterminismRefused, withoutClockAndRandom } from "./determinism.ts"
import { BundleFailure } from "./failure.ts"
import { BudgetExceeded } from "./loop-meter.ts"
import type { ResolvedRequest } from "./resolver.ts"

const describe = (e: unknown): string => (e instanceof Error ? e.message : String(e))

// `intrinsic` names the plugin in the per-intrinsic metrics (metrics.ts).
const classify = (index: number, intrinsic: string, e: unknown): BundleFailure => {
  if (e instanceof BundleFailure) return e
  if (e instanceof OpError)
    return new BundleFailure({ reason: e.kind === "insufficient-fee" ? "insufficient-fee" : "rejected", request: index, detail: e.message, intrinsic })
  if (e instanceof AccessViolation) return new BundleFailure({ reason: "access-violation", request: index, detail: e.message, intrinsic })
  if (e instanceof WriteRefused || e instanceof MalformedAtomId || e instanceof OverlayClosed) {
    return new BundleFailure({ reason: "rejected", request: index, detail: e.message, intrinsic })
  }
  return new BundleFailure({ reason: "garbage", request: index, detail: `failed with a non-OpError: ${describe(e)}`, intrinsic })
}

const fromCause = (index: number, intrinsic: string, cause: Cause.Cause<unknown>): BundleFailure => {
  const failure = Cause.failureOption(cause)
  if (Option.isSome(failure)) return classify(index, intrinsic, failure.value)
  const defect = Cause.dieOption(cause)
  if (Option.isSome(defect)) {
    // Reading the clock or randomness is refused the same way on every node (determinism.ts).
    // The loop meter stopping a synchronous loop is the budget, as the watchdog's timeout is.
    const reason = defect.value instanceof NondeterminismRefused ? "nondeterministic" : defect.value instanceof BudgetExceeded ? "timeout" : "threw"
    return new BundleFailure({ reason, request: index, detail: describe(defect.value), intrinsic })
  }
  return new BundleFailure({ reason: "garbage", request: index, detail: "the operation interrupted itself", intrinsic })
}

/** An operation's outcome settled synchronously, or the Effect still to run for it on the worker fiber. */
export type OperationRun =
  | { readonly _tag: "Settled"; readonly outcome: Either.Either<ReadonlyArray<ExecEvent>, BundleFailure> }
  | { readonly _tag: "Pending"; readonly effect: Effect.Effect<ReadonlyArray<ExecEvent>, BundleFailure> }

/** An effect value as the runtime builds it (effect 3.x `EffectPrimitive`). */
interface Primitive {
  readonly _op: string
  readonly effect_instruction_i0: unknown
  readonly effect_instruction_i1: unknown
}

const isPrimitive = (u: unknown): u is Primitive => typeof u === "object" && u !== null && "_op" in u && "effect_instruction_i0" in u

/**
 * Where `settle` stopped short of a value: a failure, or the part still to run on a fiber. A value
 * is returned as it is (no wrapper per step); no plugin value can be an instance of this class.
 */
class Stopped {
  constructor(
    readonly cause: Cause.Cause<unknown> | undefined,
    readonly effect: Effect.Effect<unknown, unknown> | undefined,
  ) {}
}
const failedWith = (cause: Cause.Cause<unknown>): Stopped => new Stopped(cause, undefined)

/**
 * Calls the op's `validate` or `apply` and runs the part of the effect it returns that needs no
 * fiber: already-settled values (Exit, Either — what
 * `Effect.void`, `Effect.succeed`, `Effect.fail` and view writes are), `Effect.sync` thunks, and
 * `flatMap` chains of them — exactly what the fiber would do with them, in the same order, minus
 * the interpreter. The first step of any other kind (async, gen, services, error handlers…)
 * stops it: that step and the pending continuations go back as an Effect for the worker fiber,
 * so nothing runs twice and nothing is skipped. A throw is a defect, as on the fiber.
 */
const settle = (op: DecodedOp, step: "validate" | "apply", readView: ReadView, writeView: StateView, ctx: ExecCtx): unknown => {
  let continuations: Array<(a: unknown) => unknown> | undefined
  // Plugin code runs from here to the finally: no clock, no randomness (determinism.ts); one store each way.
  const was = enterPlugin()
  try {
    // The plugin call itself runs here, inside the try (a throw is a defect, as on the fiber), as
    // a method call on the op, without a thunk per call.
    let current: unknown = step === "validate" ? op.validate(readView, ctx) : op.apply(writeView, ctx)
    for (;;) {
      let value: unknown
      // Dispatch on the primitive's op code alone, as the fiber's run loop does.
      const op = typeof current === "object" && current !== null ? (current as { readonly _op?: unknown })._op : undefined
      if (op === "Success") {
        value = (current as Primitive).effect_instruction_i0
      } else if (op === "Failure") {
        return failedWith((current as Primitive).effect_instruction_i0 as Cause.Cause<unknown>)
      } else if (op === "Right") {
        value = (current as Either.Right<unknown, unknown>).right
      } else if (op === "Left") {
        return failedWith(Cause.fail((current as Either.Left<unknown, unknown>).left))
      } else if (op === "OnSuccess" && isPrimitive(current) && typeof current.effect_instruction_i1 === "function") {
        if (continuations === undefined) continuations = []
        continuations.push(current.effect_instruction_i1 as (a: unknown) => unknown)
        current = current.effect_instruction_i0
        continue
      } else if (op === "Sync" && isPrimitive(current) && typeof current.effect_instruction_i0 === "function") {
        value = (current.effect_instruction_i0 as () => unknown)()
      } else {
        let rest = current as Effect.Effect<unknown, unknown>
        if (continuations !== undefined)
          for (let i = continuations.length - 1; i >= 0; i--) rest = Effect.flatMap(rest, continuations[i] as (a: unknown) => Effect.Effect<unknown, unknown>)
        return new Stopped(undefined, rest)
      }
      const next = continuations?.pop()
      if (next === undefined) return value
      current = next(value)
    }
  } catch (e) {
    return failedWith(Cause.die(e))
  } finally {
    leavePlugin(was)
  }
}

const checkEvents = (index: number, events: unknown): Either.Either<ReadonlyArray<ExecEvent>, BundleFailure> =>
  Array.isArray(events) ? Either.right(events) : Either.left(new BundleFailure({ reason: "garbage", request: index, detail: "apply returned no event list" }))

const settled = (outcome: Either.Either<ReadonlyArray<ExecEvent>, BundleFailure>): OperationRun => ({ _tag: "Settled", outcome })

/**
 * Validate then apply one operation. What settles synchronously (every step a plain value, see
 * `settle`) is answered at once, without an Effect per operation; the rest runs on the worker
 * fiber with the same failure classification.
 */
export const runOperation = (request: ResolvedRequest, bundle: BundleOverlay, ctx: ExecCtx): OperationRun => {
  const index = request.index
  const name = request.intrinsic.manifest.name
  const op = request.op
  // validate sees reads only: a plain object, so it cannot reach the overlay's writes by a cast.
  const readView: ReadView = { get: bundle.get }
  const writeView = bundle.forOperation(request.access)
  const validated = settle(op, "validate", readView, writeView, ctx)
  if (validated instanceof Stopped) {
    if (validated.cause !== undefined) return settled(Either.left(fromCause(index, name, validated.cause)))
    // apply runs only after validate: suspended behind it, as it always was.
    return {
      _tag: "Pending",
      effect: pending(
        index,
        name,
        Effect.zipRight(
          validated.effect as Effect.Effect<unknown, unknown>,
          Effect.suspend(() => {
            const was = enterPlugin()
            try {
              return op.apply(writeView, ctx)
            } finally {
              leavePlugin(was)
            }
          }),
        ),
      ),
    }
  }
  const applied = settle(op, "apply", readView, writeView, ctx)
  if (!(applied instanceof Stopped)) return settled(checkEvents(index, applied))
  if (applied.cause !== undefined) return settled(Either.left(fromCause(index, name, applied.cause)))
  return { _tag: "Pending", effect: pending(index, name, applied.effect as Effect.Effect<unknown, unknown>) }
}

// The budget is the frame executor's watchdog (frame-executor.ts), not a timeout per operation. On
// the fiber the global flag cannot hold (other fibers interleave), so the operation's Effect Clock
// and Random refuse instead.
const pending = (index: number, intrinsic: string, step: Effect.Effect<unknown, unknown>): Effect.Effect<ReadonlyArray<ExecEvent>, BundleFailure> =>
  Effect.catchAllCause(
    Effect.flatMap(withoutClockAndRandom(step), (events) => checkEvents(index, events)),
    (cause) => Effect.fail(fromCause(index, intrinsic, cause)),
  )
