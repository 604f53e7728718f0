// The execution actor (spec §1.5–§1.7, §6.3, §11.1–§11.2): applies certified frames (resolve →
// fee queue → per-bundle overlays → one commit), selects lock-free bundle sets for proposals,
// reverts frames on a rewind, lists the loaded intrinsics and serves their queries. One message
// at a time, so frames are applied strictly sequentially.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Cause, Duration, Effect, Option } from "effect"
import type { CryptoServices, IntrinsicRegistry } from "../../intrinsics/contract/index.ts"
import { Actor } from "../../runtime/kernel/index.ts"
import type { StoreService, WriteTx } from "../../runtime/store/index.ts"
import type { CommitterError, StateCommitter } from "./committer.ts"
import { type ExecutorConfig, executeFrame, type FrameOutcome } from "./frame-executor.ts"
import { hostCalls } from "./determinism.ts"
import { makeFrameStore } from "./frame-store.ts"
import { selectForProposal } from "./locks.ts"
import { armMeter, BudgetExceeded, disarmMeter } from "./loop-meter.ts"
import { countBundleFailure } from "./metrics.ts"
import { bundleStatusRows, earlierDecisions, forgetDecisionsAbove, writeDecisions } from "./bundle-status.ts"
import { ExecutionCommitFailed, ExecutionProtocol, FrameOutOfOrder, QueryFailed, ShardQueryFailed } from "./protocol.ts"

/** The execution host's actor name (under its process's root supervisor). */
export const EXECUTION_NAME = "execution"

export interface ExecutionOptions {
  readonly crypto: CryptoServices
  /** 0 = mainnet (activation gates). Default 0. */
  readonly network?: number
  /** Actor name under /root (default "execution"). */
  readonly name?: string
  /** Per-operation budget for validate + apply (default 1 second). */
  readonly opBudget?: Duration.DurationInput
  /** Test builds: fail a bundle whose operation writes outside its access set (default false). */
  readonly checkAccess?: boolean
  /** §6.2: the bundle's multiplier from its cost basis (default 1: no baseline/vote inputs yet). */
  readonly feeMultiplier?: (costBasis: bigint, frameNumber: bigint) => bigint
  /** Execution roots and shard commits (default: the hypergraph id-set tries over the store; tests may override). */
  readonly committer?: StateCommitter
  /** Type tag of a deployed instance's metadata vertex (default: none resolve; see resolver.ts). */
  readonly typeTagOf?: (metadata: Uint8Array) => Uint8Array | undefined
}

interface ExecutionState {
  head: bigint | undefined
}

const shardQueryFailed = (e: CommitterError): ShardQueryFailed => new ShardQueryFailed({ kind: e.kind, reason: e.reason })

/** The frame's results in bundle order: a skipped bundle's `duplicate` in its place, the executed ones' around it. */
const mergeSkipped = (repeated: ReadonlyArray<string | undefined>, executed: FrameOutcome["results"]): FrameOutcome["results"] => {
  let next = 0
  return repeated.map((why): FrameOutcome["results"][number] =>
    why === undefined
      ? (executed[next++] ?? { _tag: "Failed", reason: "garbage", request: null, detail: "not executed" })
      : { _tag: "Failed", reason: "duplicate", request: null, detail: why },
  )
}

export const executionActor = (registry: IntrinsicRegistry, store: StoreService, committer: StateCommitter, options: ExecutionOptions) => {
  const config: ExecutorConfig = {
    registry,
    network: options.network ?? 0,
    // Node code called from plugin code: outside the no-clock window (determinism.ts).
    crypto: hostCalls(options.crypto),
    typeTagOf: options.typeTagOf ?? (() => undefined),
    opBudget: options.opBudget ?? "1 second",
    checkAccess: options.checkAccess ?? false,
    feeMultiplier: options.feeMultiplier ?? (() => 1n),
  }
  const budgetMs = Duration.toMillis(Duration.decode(config.opBudget))
  const frames = makeFrameStore(store, committer)
  const readView = { get: frames.snapshot.read }
  const decisionRows = store.repository(bundleStatusRows)
  return Actor.make(options.name ?? EXECUTION_NAME, ExecutionProtocol, {
    // The head is re-read from the store on every incarnation: the store, not memory, is the truth.
    init: () => Effect.sync((): ExecutionState => ({ head: frames.head() })),
    handlers: {
      ApplyFrame: (state, { frameNumber, bundles, decisions }) =>
        Effect.gen(function* () {
          if (state.head !== undefined && frameNumber <= state.head) return yield* new FrameOutOfOrder({ frameNumber, head: state.head })
          // A bundle decided before is skipped, and its first decision stands (D-EXEC-29).
          const repeated = decisions === undefined ? [] : earlierDecisions(decisionRows, decisions.ids, frameNumber)
          const fresh = repeated.some((r) => r !== undefined) ? bundles.filter((_, i) => repeated[i] === undefined) : bundles
          const outcome = yield* executeFrame(config, frames.snapshot, frameNumber, fresh)
          const results = fresh === bundles ? outcome.results : mergeSkipped(repeated, outcome.results)
          const record =
            decisions === undefined
              ? undefined
              : (tx: WriteTx) =>
                  writeDecisions(
                    tx,
                    decisionRows,
                    { shard: decisions.shard, ids: decisions.ids.filter((_, i) => repeated[i] === undefined) },
                    frameNumber,
                    outcome.results,
                  )
          const root = yield* frames.commit(frameNumber, outcome.changes, record).pipe(Effect.mapError((e) => new ExecutionCommitFailed({ reason: e.message })))
          if (fresh !== bundles) {
            const skipped = bundles.length - fresh.length
            yield* Effect.logWarning(`execution: frame ${frameNumber} carried ${skipped} bundle(s) decided before; skipped`)
            yield* Effect.forEach(Array.from({ length: skipped }), () => countBundleFailure("duplicate"), { discard: true })
          }
          state.head = frameNumber
          return [state, { applied: results, changes: outcome.changes.length, root }] as const
        }),
      SelectForProposal: (state, { frameNumber, candidates }) =>
        Effect.sync(() => [state, selectForProposal(config, candidates, frameNumber, readView, budgetMs)] as const),
      Revert: (state, { toFrame }) =>
        Effect.gen(function* () {
          const reverted = yield* frames
            .revertTo(toFrame, (tx) => forgetDecisionsAbove(tx, decisionRows, toFrame))
            .pipe(Effect.mapError((e) => new ExecutionCommitFailed({ reason: e.message })))
          state.head = frames.head()
          if (reverted.length > 0) yield* Effect.logInfo(`execution: reverted frames ${reverted.join(", ")}; head ${state.head ?? "none"}`)
          return [state, { reverted, head: state.head ?? null }] as const
        }),
      ListIntrinsics: (state) =>
        Effect.sync(
          () =>
            [
              state,
              registry.intrinsics.map((i) => ({
                name: i.manifest.name,
                version: i.manifest.version,
                baseDomain: bytesToHex(i.manifest.baseDomain),
                opTypes: [...i.manifest.opTypes],
              })),
            ] as const,
        ),
      Query: (state, { intrinsic, name, args }) =>
        Effect.gen(function* () {
          const owner = registry.byName(intrinsic)
          if (owner === undefined) return yield* new QueryFailed({ kind: "unknown-intrinsic", reason: `no intrinsic ${JSON.stringify(intrinsic)}` })
          const query = owner.queries.find((q) => q.name === name)
          if (query === undefined) return yield* new QueryFailed({ kind: "unknown-query", reason: `${intrinsic} has no query ${JSON.stringify(name)}` })
          // A query is plugin code too: a throw or defect answers `failed`, it does not crash the host.
          // Under the loop meter, like an operation: a query looping forever answers `failed`.
          const run = Effect.suspend(() => {
            armMeter(budgetMs)
            // The multiplier a bundle would pay in the next frame, so a wallet can price its fee (D-TOKEN-15).
            const next = state.head === undefined ? 0n : state.head + 1n
            return query.run(args, readView, {
              frameNumber: state.head,
              createdSince: frames.createdSince,
              feeMultiplier: (c) => config.feeMultiplier(c, next),
            })
          }).pipe(Effect.ensuring(Effect.sync(disarmMeter)))
          const result = yield* run.pipe(
            Effect.catchAllCause((cause) =>
              Effect.fail(
                cause._tag === "Fail"
                  ? new QueryFailed({ kind: cause.error.kind, reason: cause.error.reason })
                  : new QueryFailed({
                      kind: "failed",
                      reason: Option.exists(Cause.dieOption(cause), (d) => d instanceof BudgetExceeded)
                        ? `query ${intrinsic}/${name} exceeded its ${budgetMs} ms budget`
                        : `query ${intrinsic}/${name} failed`,
                    }),
              ),
            ),
          )
          return [state, result] as const
        }),
      GetHead: (state) => Effect.sync(() => [state, state.head ?? null] as const),
      GetShardRoots: (state, { frameNumber, shardAddress }) =>
        Effect.gen(function* () {
          const asOf = yield* frames.asOf(frameNumber).pipe(Effect.mapError((e) => new ShardQueryFailed({ kind: "failed", reason: e.message })))
          const roots = yield* committer.shardRoots(shardAddress, asOf.above).pipe(Effect.mapError(shardQueryFailed))
          return [state, { frameNumber: asOf.frame ?? null, roots }] as const
        }),
      ProveAtoms: (state, { shardAddress, set, ids }) =>
        Effect.map(committer.prove(shardAddress, set, ids).pipe(Effect.mapError(shardQueryFailed)), (proof) => [state, proof] as const),
    },
  })
}
