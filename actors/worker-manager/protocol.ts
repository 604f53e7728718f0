// Messages of the worker-manager actor (/root/worker-manager): list, restart and inspect the
// data-worker processes. Replies are plain data so they can cross any boundary.
import { Schema } from "effect"
import { LogLevelName } from "../../runtime/kernel/logging.ts"
import { MetricFamilies } from "../../runtime/kernel/metrics/family.ts"
import { Protocol } from "../../runtime/kernel/index.ts"
import { WorkerState } from "../../runtime/kernel/process/worker-slot.ts"

export const WorkerEntry = Schema.Struct({
  core: Schema.Int,
  pid: Schema.NullOr(Schema.Int),
  state: WorkerState,
  restarts: Schema.Int,
  uptimeMs: Schema.Number,
})
export type WorkerEntry = typeof WorkerEntry.Type

export class UnknownWorker extends Schema.TaggedError<UnknownWorker>()("UnknownWorker", { core: Schema.Int }) {}

export class ListWorkers extends Schema.TaggedRequest<ListWorkers>()("ListWorkers", {
  payload: {},
  success: Schema.Array(WorkerEntry),
  failure: Schema.Never,
}) {}

export class RestartWorker extends Schema.TaggedRequest<RestartWorker>()("RestartWorker", {
  payload: { core: Schema.Int },
  success: Schema.Void,
  failure: UnknownWorker,
}) {}

export const WorkerTree = Schema.Struct({
  core: Schema.Int,
  pid: Schema.NullOr(Schema.Int),
  state: WorkerState,
  restarts: Schema.Int,
  tree: Schema.Unknown,
  error: Schema.NullOr(Schema.String),
})
export type WorkerTree = typeof WorkerTree.Type

/** Each worker's supervision tree (asked over the worker link). */
export class CollectTrees extends Schema.TaggedRequest<CollectTrees>()("CollectTrees", {
  payload: {},
  success: Schema.Array(WorkerTree),
  failure: Schema.Never,
}) {}

/** Every worker's metric families, labelled with core. */
export class CollectMetrics extends Schema.TaggedRequest<CollectMetrics>()("CollectMetrics", {
  payload: {},
  success: MetricFamilies,
  failure: Schema.Never,
}) {}

export class SetWorkersLogLevel extends Schema.TaggedRequest<SetWorkersLogLevel>()("SetWorkersLogLevel", {
  payload: { level: LogLevelName },
  success: Schema.Void,
  failure: Schema.Never,
}) {}

export const WorkerManagerProtocol = Protocol.make("WorkerManager", ListWorkers, RestartWorker, CollectTrees, CollectMetrics, SetWorkersLogLevel)

export type WorkerManagerMessage = ListWorkers | RestartWorker | CollectTrees | CollectMetrics | SetWorkersLogLevel
