// The worker-manager actor: the data-worker pool's face in the master's actor tree. The pool's
// slots own the processes (restart with backoff, intensity limit); this actor answers questions
// about them and forwards restart requests, one message at a time.
import { Effect } from "effect"
import { Actor } from "../../runtime/kernel/index.ts"
import { WorkerPool } from "../../runtime/kernel/process/worker-pool.ts"
import { UnknownWorker, WorkerManagerProtocol, type WorkerEntry } from "./protocol.ts"

export const WORKER_MANAGER_NAME = "worker-manager"

export const workerManagerActor = Actor.make(WORKER_MANAGER_NAME, WorkerManagerProtocol, {
  init: () => WorkerPool,
  handlers: {
    ListWorkers: (pool) =>
      Effect.map(pool.infos, (infos) => {
        const entries: ReadonlyArray<WorkerEntry> = infos.map((i) => ({
          core: i.core,
          pid: i.pid,
          state: i.state,
          restarts: i.restarts,
          uptimeMs: i.uptimeMs,
        }))
        return [pool, entries] as const
      }),
    RestartWorker: (pool, { core }) =>
      pool.restart(core).pipe(
        Effect.mapError(() => new UnknownWorker({ core })),
        Effect.tap(() => Effect.logInfo("worker restart requested").pipe(Effect.annotateLogs({ core }))),
        Effect.as([pool, undefined] as const),
      ),
    CollectTrees: (pool) =>
      Effect.map(
        pool.snapshots,
        (snaps) =>
          [pool, snaps.map((s) => ({ core: s.core, pid: s.info.pid, state: s.info.state, restarts: s.info.restarts, tree: s.tree, error: s.error }))] as const,
      ),
    CollectMetrics: (pool) => Effect.map(pool.metrics, (families) => [pool, families] as const),
    SetWorkersLogLevel: (pool, { level }) => Effect.as(pool.setLogLevel(level), [pool, undefined] as const),
  },
})
