// The execution host (spec §1.5–§1.7, §6, §11.1–§11.3): routes, locks, applies and commits
// intrinsic operations, one frame at a time. Wired by `ExecutionLive`.
import { Context, Effect, Layer } from "effect"
import { type Intrinsic, loadIntrinsics, type RegistryError } from "../../intrinsics/contract/index.ts"
import { type ActorRef, ActorSystem } from "../../runtime/kernel/index.ts"
import { Store } from "../../runtime/store/index.ts"
import type { BlsNativeError } from "../../crates/ts/bls/errors.ts"
import { makeKzg } from "../../crates/ts/bls/kzg.ts"
import { type ExecutionOptions, executionActor } from "./execution.ts"
import { installDeterminismGuard } from "./determinism.ts"
import { makeHypergraphCommitter } from "./state/hypergraph-committer.ts"
import type { ExecutionMessage } from "./protocol.ts"

export { encodeBundle } from "./bundle.ts"
export { type StateCommitter, placeholderCommitter } from "./committer.ts"
export { EXECUTION_NAME, type ExecutionOptions } from "./execution.ts"
export { FailureReason } from "./failure.ts"
export * from "./protocol.ts"

export type ExecutionRef = ActorRef<ExecutionMessage>

/** The node's execution host (its ref), as wired by `ExecutionLive`. */
export class Execution extends Context.Tag("quilbun/Execution")<Execution, ExecutionRef>() {}

/**
 * The one wiring of the execution host: loads the intrinsics (refusing a bad set with a typed
 * RegistryError), builds the state committer (the hypergraph id-set tries over the process's Store,
 * needing the native KZG, unless `options.committer` overrides it) and spawns the actor for the
 * Layer's scope.
 */
export const ExecutionLive = (
  intrinsics: ReadonlyArray<Intrinsic>,
  options: ExecutionOptions,
): Layer.Layer<Execution, RegistryError | BlsNativeError, ActorSystem.ActorSystem | Store> =>
  Layer.scoped(
    Execution,
    Effect.gen(function* () {
      // Idempotent; the plugin loader installed it before importing plugins (determinism.ts).
      installDeterminismGuard()
      const registry = yield* loadIntrinsics(intrinsics)
      const store = yield* Store
      const committer = options.committer ?? makeHypergraphCommitter(store, yield* makeKzg())
      return yield* ActorSystem.spawnScoped(executionActor(registry, store, committer, options))
    }),
  )
