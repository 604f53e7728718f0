// The master's data workers: one WorkerSlot per core (1..N), each supervising its own process.
// The pool is a scoped service; closing it stops every worker (SIGTERM, then SIGKILL) and awaits
// their exit. The worker-manager actor is the pool's face in the actor tree.
import { Context, Data, type Duration, Effect, Layer, Option, Schema, type Scope } from "effect"
import type { Message, Protocol } from "../actor/protocol.ts"
import type { ActorRef } from "../actor/ref.ts"
import type { LogFormat, LogLevelName } from "../logging.ts"
import { MetricFamilies, withLabels, type MetricFamily } from "../metrics/family.ts"
import { actorRequestHandlers, type ActorEndpoint } from "./actor-requests.ts"
import { workerArgv, WorkerTag } from "./protocol.ts"
import { makeRemoteRef } from "./remote-ref.ts"
import type { RpcPeer } from "./rpc.ts"
import { defaultRestartPolicy, type RestartPolicy } from "./restart-policy.ts"
import type { LivenessPolicy } from "./worker-liveness.ts"
import { makeWorkerSlot, type WorkerInfo, type WorkerSlot } from "./worker-slot.ts"

class NoSuchWorker extends Data.TaggedError("NoSuchWorker")<{ readonly core: number }> {}

export interface WorkerPoolOptions {
  readonly workers: number
  readonly dataDir: string
  readonly logFormat: LogFormat
  readonly logLevel: LogLevelName
  /** p2p network id passed to every worker (default 0, mainnet). */
  readonly networkId?: number
  /** Plugin modules every worker imports (workerArgv --plugin). */
  readonly plugins?: ReadonlyArray<string>
  /** Worker entry script (the node passes runtime/node/worker.ts: the kernel knows no entry of its own). */
  readonly entry: string
  readonly policy?: RestartPolicy
  /** Liveness ask of each running worker (worker-liveness.ts defaults when absent). */
  readonly liveness?: LivenessPolicy
  /** Per-request deadline when the master collects snapshots/metrics from workers. */
  readonly collectTimeout?: Duration.DurationInput
}

interface WorkerSnapshot {
  readonly core: number
  readonly info: WorkerInfo
  /** The worker's actor tree, or null when it could not be asked. */
  readonly tree: unknown
  readonly error: string | null
}

export interface WorkerPoolService {
  readonly cores: ReadonlyArray<number>
  readonly slot: (core: number) => Effect.Effect<WorkerSlot, NoSuchWorker>
  /** The link to worker `core`'s running process right now (undefined while down or for no such core). */
  readonly livePeer: (core: number) => RpcPeer | undefined
  readonly infos: Effect.Effect<ReadonlyArray<WorkerInfo>>
  readonly restart: (core: number) => Effect.Effect<void, NoSuchWorker>
  /** A location-transparent ref to an actor inside worker `core`. */
  readonly ref: <M extends Message>(core: number, path: string, protocol: Protocol<M>) => Effect.Effect<ActorRef<M>, NoSuchWorker>
  readonly snapshots: Effect.Effect<ReadonlyArray<WorkerSnapshot>>
  /** Metric families of all running workers, labelled `core="<n>"`. */
  readonly metrics: Effect.Effect<ReadonlyArray<MetricFamily>>
  readonly setLogLevel: (level: LogLevelName) => Effect.Effect<void>
  /**
   * Lets workers ask the master actors `endpoint` exports (e.g. the shard relay) for as long as the
   * scope is open; several endpoints may be served at once, each for the paths it exports. The master's actor system starts after its pool, hence this late binding; before
   * it (and after the scope closes) workers' asks answer ActorNotFound.
   */
  readonly serveActors: (endpoint: ActorEndpoint) => Effect.Effect<void, never, Scope.Scope>
}

export class WorkerPool extends Context.Tag("quilbun/WorkerPool")<WorkerPool, WorkerPoolService>() {}

const decodeFamilies = Schema.decodeUnknown(MetricFamilies)

const makeWorkerPool = (options: WorkerPoolOptions) =>
  Effect.gen(function* () {
    let level = options.logLevel
    // Each subsystem that exports master actors to the workers serves its own endpoint (the shard relay,
    // the shard-update pool); a request goes to the one that exports its path.
    const masterEndpoints: Array<ActorEndpoint> = []
    const requests = actorRequestHandlers((path) => masterEndpoints.find((e) => e.serves(path)))
    const slots = new Map<number, WorkerSlot>()
    for (let core = 1; core <= options.workers; core++) {
      const slot = yield* makeWorkerSlot({
        core,
        handlers: requests.handlers,
        direct: requests.direct,
        policy: options.policy ?? defaultRestartPolicy,
        ...(options.liveness === undefined ? {} : { liveness: options.liveness }),
        process: {
          core,
          entry: options.entry,
          args: () =>
            workerArgv({
              core,
              dataDir: options.dataDir,
              logFormat: options.logFormat,
              logLevel: level,
              networkId: options.networkId ?? 0,
              plugins: options.plugins ?? [],
            }),
        },
      })
      slots.set(core, slot)
    }
    // Added last, so it runs first on close: stop every worker at once rather than one by one.
    yield* Effect.addFinalizer(() => Effect.forEach(Array.from(slots.values()), (s) => s.stop, { concurrency: "unbounded", discard: true }))
    const timeout = options.collectTimeout ?? "2 seconds"
    const getSlot = (core: number) =>
      Option.match(Option.fromNullable(slots.get(core)), {
        onNone: () => Effect.fail(new NoSuchWorker({ core })),
        onSome: Effect.succeed,
      })
    const all = Array.from(slots.values())

    const service: WorkerPoolService = {
      cores: Array.from(slots.keys()),
      slot: getSlot,
      livePeer: (core) => slots.get(core)?.livePeer(),
      infos: Effect.forEach(all, (s) => s.info),
      restart: (core) => Effect.flatMap(getSlot(core), (s) => s.restart),
      ref: (core, path, protocol) => Effect.map(getSlot(core), (s) => makeRemoteRef(s, path, protocol)),
      snapshots: Effect.forEach(
        all,
        (s) =>
          Effect.gen(function* () {
            const info = yield* s.info
            if (info.state !== "running") return { core: s.core, info, tree: null, error: info.state }
            const tree = yield* s.call(WorkerTag.snapshot, null).pipe(Effect.timeout(timeout), Effect.either)
            return tree._tag === "Right" ? { core: s.core, info, tree: tree.right, error: null } : { core: s.core, info, tree: null, error: tree.left.message }
          }),
        { concurrency: "unbounded" },
      ),
      metrics: Effect.forEach(
        all,
        (s) =>
          Effect.flatMap(s.info, (info) =>
            // An unresponsive worker would only cost every scrape the whole timeout.
            info.state === "unresponsive"
              ? Effect.succeed<ReadonlyArray<MetricFamily>>([])
              : s.call(WorkerTag.metrics, null).pipe(
                  Effect.flatMap(decodeFamilies),
                  Effect.timeout(timeout),
                  Effect.map((families) => withLabels(families, { core: String(s.core) })),
                  Effect.orElseSucceed((): ReadonlyArray<MetricFamily> => []),
                ),
          ),
        { concurrency: "unbounded" },
      ).pipe(Effect.map((groups) => groups.flat())),
      serveActors: (endpoint) =>
        Effect.acquireRelease(
          Effect.sync(() => {
            masterEndpoints.push(endpoint)
          }),
          () =>
            Effect.sync(() => {
              const at = masterEndpoints.indexOf(endpoint)
              if (at >= 0) masterEndpoints.splice(at, 1)
            }),
        ),
      setLogLevel: (next) =>
        Effect.suspend(() => {
          level = next
          return Effect.forEach(all, (s) => s.call(WorkerTag.logLevel, { level: next }).pipe(Effect.ignore), {
            concurrency: "unbounded",
            discard: true,
          })
        }),
    }
    return service
  })

export const WorkerPoolLive = (options: WorkerPoolOptions): Layer.Layer<WorkerPool> => Layer.scoped(WorkerPool, makeWorkerPool(options))
