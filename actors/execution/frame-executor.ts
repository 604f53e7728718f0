// One frame's bundles over one frame overlay (spec §11.2): sequentially in frame order, each in
// its own bundle overlay, folded when every request validated and applied, discarded otherwise
// (the frame continues). Pure with respect to storage: it reads a committed snapshot and returns
// the frame overlay's sorted changes; the host commits them.
//
// The per-operation budget (design.md §4) is enforced by a watchdog, not by an Effect.timeout
// around each operation: the bundles run on one worker fiber that stamps each operation's start,
// and the frame's fiber polls it; an operation past its budget gets the worker interrupted, its
// bundle failed with `timeout`, and a fresh worker continues with the next bundle. A timeout
// per operation forks two fibers and a timer each time and cost ~20× the whole rest of the host
// path (DECISIONS D-EXEC-16). A synchronous loop never lets the watchdog run: the loop meter stops it
// from inside (loop-meter.ts, D-EXEC-27).
import * as Duration from "effect/Duration"
import * as Effect from "effect/Effect"
import * as Either from "effect/Either"
import * as Exit from "effect/Exit"
import * as Fiber from "effect/Fiber"
import * as Option from "effect/Option"
import type { ExecCtx } from "../../intrinsics/contract/index.ts"
import { BundleFailure, type FailureReason } from "./failure.ts"
import { makeFeeQueue, requestCosts } from "./fee-queue.ts"
import { runOperation } from "./isolation.ts"
import { armMeter, disarmMeter } from "./loop-meter.ts"
import { countBundleFailure, countOperationFailure, countOperationsApplied } from "./metrics.ts"
import { type BundleOverlay, type Change, type CommittedSnapshot, FrameOverlay } from "./overlay/index.ts"
import { type ResolvedRequest, type ResolverConfig, resolveBundleRequests } from "./resolver.ts"

export interface ExecutorConfig extends ResolverConfig {
  /** Per-operation budget for validate + apply. */
  readonly opBudget: Duration.DurationInput
  /** Test builds: writes outside an operation's access set fail its bundle. */
  readonly checkAccess: boolean
  /** The bundle's fee multiplier from its cost basis (§6.2: baseline × the frame's vote). */
  readonly feeMultiplier: (costBasis: bigint, frameNumber: bigint) => bigint
}

const FREE = { pop: (): bigint => 0n }

type BundleOutcome =
  | { readonly _tag: "Applied"; readonly requests: number; readonly events: number }
  | { readonly _tag: "Failed"; readonly reason: FailureReason; readonly request: number | null; readonly detail: string }

export interface FrameOutcome {
  readonly results: ReadonlyArray<BundleOutcome>
  readonly changes: ReadonlyArray<Change>
}

/** What the worker is doing, read by the watchdog. `bundle` is -1 between operations. */
interface Progress {
  bundle: number
  request: number
  /** The running operation's intrinsic (the timeout's metric label). */
  intrinsic: string
  startedAt: number
}

/** The synchronous part of a bundle: resolve, fee queue, costs, multiplier, each consumer's fee check. */
interface PreparedRequest {
  readonly request: ResolvedRequest
  readonly ctx: ExecCtx
}

// A failure is returned as the BundleFailure itself, not in an Either: this runs per bundle.
const prepareBundle = (config: ExecutorConfig, bytes: Uint8Array, overlay: BundleOverlay, frameNumber: bigint): Array<PreparedRequest> | BundleFailure => {
  const requests = resolveBundleRequests(config, bytes, frameNumber, overlay)
  if (requests instanceof BundleFailure) return requests
  const costs = requestCosts(requests)
  if (costs instanceof BundleFailure) return costs
  let costBasis = 0n
  for (const c of costs) costBasis += c
  const multiplier = config.feeMultiplier(costBasis, frameNumber)
  // A zero multiplier is a network without a fee market (a devnet before the token intrinsic): every
  // consumer pays 0, which `feePaid ≥ cost × 0` accepts, so the queue's sanity check does not apply.
  const fees = multiplier === 0n ? FREE : makeFeeQueue(requests)
  if (fees instanceof BundleFailure) return fees
  const prepared: Array<PreparedRequest> = []
  for (const request of requests) {
    const cost = costs[request.index] ?? 0n
    const feePaid = request.feeRole === "consumer" ? fees.pop() : 0n
    // One fee rule for every plugin (§11.1 "fee function", §11.3 #37), checked by the host too.
    if (request.feeRole === "consumer" && feePaid < cost * multiplier) {
      return new BundleFailure({
        reason: "insufficient-fee",
        request: request.index,
        detail: `paid ${feePaid} < cost ${cost} × ${multiplier}`,
        intrinsic: request.intrinsic.manifest.name,
      })
    }
    prepared.push({
      request,
      ctx: { frameNumber, network: config.network, routedDomain: request.routedDomain, feePaid, feeMultiplier: multiplier, crypto: config.crypto },
    })
  }
  return prepared
}

/** The rest of a bundle that needs the fiber (an operation did not settle synchronously). */
class PendingBundle {
  constructor(readonly effect: Effect.Effect<BundleOutcome, BundleFailure>) {}
}

/**
 * A bundle's outcome when every operation settled synchronously (applied, or the failure itself),
 * else what finishes it on the fiber: no wrapper objects per bundle.
 */
type BundleRun = BundleOutcome | BundleFailure | PendingBundle

const toEffect = (run: BundleRun): Effect.Effect<BundleOutcome, BundleFailure> =>
  run instanceof PendingBundle ? run.effect : run instanceof BundleFailure ? Effect.fail(run) : Effect.succeed(run)

/** Told the start of each operation (the watchdog's marker, the per-intrinsic tally). */
interface OperationStarts {
  readonly started: (request: ResolvedRequest) => void
}

// A plain loop rather than Effect.gen: this is the per-operation hot path. Operations that settle
// synchronously (isolation.ts) run here; the first that needs the fiber continues the bundle
// from its Effect (the only place a closure is made).
const applyBundle = (config: ExecutorConfig, bytes: Uint8Array, overlay: BundleOverlay, frameNumber: bigint, starts: OperationStarts): BundleRun => {
  const requests = prepareBundle(config, bytes, overlay, frameNumber)
  if (requests instanceof BundleFailure) return requests
  return runFrom(requests, overlay, starts, 0, 0)
}

const runFrom = (requests: Array<PreparedRequest>, overlay: BundleOverlay, starts: OperationStarts, from: number, eventsSoFar: number): BundleRun => {
  let events = eventsSoFar
  for (let i = from; i < requests.length; i++) {
    const next = requests[i]
    if (next === undefined) break
    starts.started(next.request)
    const run = runOperation(next.request, overlay, next.ctx)
    if (run._tag === "Pending") {
      const before = events
      return new PendingBundle(Effect.flatMap(run.effect, (produced) => toEffect(runFrom(requests, overlay, starts, i + 1, before + produced.length))))
    }
    if (Either.isLeft(run.outcome)) return run.outcome.left
    events += run.outcome.right.length
  }
  return { _tag: "Applied", requests: requests.length, events }
}

/** Bundles between explicit yields of a worker whose bundles all settle synchronously (fairness to other fibers). */
const YIELD_EVERY = 128

const failed = (f: BundleFailure): BundleOutcome => ({ _tag: "Failed", reason: f.reason, request: f.request ?? null, detail: f.detail })

export const executeFrame = (
  config: ExecutorConfig,
  committed: CommittedSnapshot,
  frameNumber: bigint,
  bundles: ReadonlyArray<Uint8Array>,
): Effect.Effect<FrameOutcome> =>
  Effect.suspend(() => {
    let current: Fiber.RuntimeFiber<void> | undefined
    return executeWith(config, committed, frameNumber, bundles, (fiber) => {
      current = fiber
    }).pipe(Effect.onInterrupt(() => (current === undefined ? Effect.void : Fiber.interruptFork(current))))
  })

const executeWith = (
  config: ExecutorConfig,
  committed: CommittedSnapshot,
  frameNumber: bigint,
  bundles: ReadonlyArray<Uint8Array>,
  started: (worker: Fiber.RuntimeFiber<void>) => void,
): Effect.Effect<FrameOutcome> =>
  Effect.gen(function* () {
    const clock = yield* Effect.clock
    const budgetMs = Duration.toMillis(Duration.decode(config.opBudget))
    const poll = Duration.millis(Math.max(5, Math.min(budgetMs / 2, 250)))
    const frame = new FrameOverlay(committed, { checkAccess: config.checkAccess })
    const results: Array<BundleOutcome> = []
    const progress: Progress = { bundle: -1, request: -1, intrinsic: "", startedAt: 0 }
    // Applied operations per intrinsic, counted into the metrics once at the end of the frame.
    const applied = new Map<string, number>()
    let open: BundleOverlay | undefined
    let generation = 0

    const record = (failure: BundleFailure) =>
      Effect.zipRight(
        failure.intrinsic === undefined
          ? countBundleFailure(failure.reason)
          : Effect.zipRight(countBundleFailure(failure.reason), countOperationFailure(failure.intrinsic, failure.reason)),
        Effect.sync(() => results.push(failed(failure))),
      )

    // Runs the remaining bundles; a worker whose generation is stale (it was given up on) stops touching the frame.
    const worker = (mine: number) =>
      Effect.gen(function* () {
        let sinceYield = 0
        // The bundle being run; one marker per worker, not a closure per bundle.
        let current = -1
        // The intrinsics of the current bundle's started operations (all of them once it applied).
        const ran: Array<string> = []
        const starts: OperationStarts = {
          started: (request) => {
            // A stale worker (given up on, still running uninterruptible plugin code) must not touch the marker.
            if (mine !== generation) return
            progress.bundle = current
            progress.request = request.index
            progress.intrinsic = request.intrinsic.manifest.name
            progress.startedAt = clock.unsafeCurrentTimeMillis()
            // Each operation gets the whole budget against synchronous loops too (loop-meter.ts).
            armMeter(budgetMs)
            ran.push(progress.intrinsic)
          },
        }
        while (mine === generation && results.length < bundles.length) {
          const index = results.length
          // A bundle is always closed before the next opens, so this cannot be refused.
          const overlay = Either.getOrThrow(frame.openBundle())
          open = overlay
          current = index
          ran.length = 0
          // Decoding, access sets and costs are plugin code too: metered until the first operation re-arms.
          armMeter(budgetMs)
          const run = applyBundle(config, bundles[index] ?? new Uint8Array(0), overlay, frameNumber, starts)
          const outcome = run instanceof PendingBundle ? Either.merge(yield* Effect.either(run.effect)) : run
          disarmMeter()
          if (mine !== generation) return
          progress.bundle = -1
          open = undefined
          if (!(outcome instanceof BundleFailure)) {
            Either.getOrThrow(overlay.fold())
            results.push(outcome)
            for (const name of ran) applied.set(name, (applied.get(name) ?? 0) + 1)
            if (++sinceYield >= YIELD_EVERY) {
              sinceYield = 0
              yield* Effect.yieldNow()
            }
          } else {
            overlay.discard()
            yield* Effect.logDebug(`frame ${frameNumber}: bundle ${index} dropped: ${outcome.message}`)
            yield* record(outcome)
          }
        }
      })

    while (results.length < bundles.length) {
      // A daemon, not a child: a child still running uninterruptible plugin code would hold the
      // frame's fiber at its exit until the plugin returned. The frame interrupts it when it is
      // itself interrupted (below), and a given-up worker stops at its generation check.
      const fiber = yield* Effect.forkDaemon(worker(generation))
      started(fiber)
      for (;;) {
        const done = yield* Effect.timeoutOption(Fiber.await(fiber), poll)
        if (Option.isSome(done)) {
          // The worker's own code failing is a host bug: surface it as the defect it is.
          if (Exit.isFailure(done.value)) return yield* Effect.failCause(done.value.cause)
          break
        }
        if (progress.bundle >= 0 && clock.unsafeCurrentTimeMillis() - progress.startedAt >= budgetMs) {
          const index = progress.bundle
          const request = progress.request
          const intrinsic = progress.intrinsic
          generation++
          progress.bundle = -1
          // Not awaited: an operation that made itself uninterruptible must not hang the frame.
          yield* Fiber.interruptFork(fiber)
          open?.discard()
          open = undefined
          yield* record(new BundleFailure({ reason: "timeout", request, detail: `operation exceeded its ${budgetMs} ms budget`, intrinsic }))
          yield* Effect.logWarning(`frame ${frameNumber}: bundle ${index} request ${request} (intrinsic ${intrinsic}) exceeded its ${budgetMs} ms budget`)
          break
        }
      }
    }
    yield* countOperationsApplied(applied)
    return { results, changes: frame.takeChanges() }
  })
