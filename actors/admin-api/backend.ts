// What the admin API needs from the node. The HTTP layer stays thin: every route is one of these
// effects, implemented by the node assembly (runtime/node) over its actors and worker manager.
import { Context, Data, Schema, type Effect } from "effect"
import { LogLevelName } from "../../runtime/logging.ts"

export const WorkerView = Schema.Struct({
  core: Schema.Int,
  pid: Schema.NullOr(Schema.Int),
  state: Schema.Literal("starting", "running", "restarting", "failed", "stopped"),
  restarts: Schema.Int,
  uptimeMs: Schema.Number
})
export type WorkerView = typeof WorkerView.Type

export const NodeInfo = Schema.Struct({
  version: Schema.String,
  nodeId: Schema.String,
  uptimeMs: Schema.Number,
  roles: Schema.Array(Schema.String),
  pid: Schema.Int,
  /** Configuration summary; never contains secrets. */
  config: Schema.Record({ key: Schema.String, value: Schema.Unknown }),
  /** Read back from the node's own store: boots so far and the last committed heartbeat. */
  store: Schema.optional(Schema.Struct({ boots: Schema.Int, heartbeat: Schema.Int }))
})
export type NodeInfo = typeof NodeInfo.Type

/** A node of the live supervision tree (master and workers merged). */
export interface ActorTreeNode {
  readonly name: string
  readonly [field: string]: unknown
  readonly children: ReadonlyArray<ActorTreeNode>
}

export interface Readiness {
  readonly ready: boolean
  readonly reasons: ReadonlyArray<string>
}

export class WorkerNotFound extends Data.TaggedError("WorkerNotFound")<{ readonly core: number }> {}

export const SetLogLevelBody = Schema.Struct({ level: LogLevelName })
export type SetLogLevelBody = typeof SetLogLevelBody.Type

export interface AdminBackendService {
  readonly nodeInfo: Effect.Effect<NodeInfo>
  readonly ready: Effect.Effect<Readiness>
  readonly actors: Effect.Effect<ActorTreeNode>
  readonly workers: Effect.Effect<ReadonlyArray<WorkerView>>
  readonly restartWorker: (core: number) => Effect.Effect<void, WorkerNotFound>
  readonly setLogLevel: (level: LogLevelName) => Effect.Effect<void>
  /** Prometheus text of the whole node (master and workers). */
  readonly metrics: Effect.Effect<string>
}

export class AdminBackend extends Context.Tag("quilbun/AdminBackend")<AdminBackend, AdminBackendService>() {}
