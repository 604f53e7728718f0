import { bytesToHex } from "@noble/hashes/utils.js"
// The admin API's view of a master node: each route is a read of the actor system's snapshot or
// an ask to the worker-manager actor, so HTTP never touches processes or state directly.
import { ListRelayedShards, ShardRelay } from "../../actors/shard-relay/index.ts"
import { Cause, Clock, Context, Effect, Layer, Runtime } from "effect"
import {
  AdminBackend,
  type AdminBackendService,
  IntrinsicQueryFailed,
  type IntrinsicRoutes,
  QueryUnavailable,
  WorkerNotFound,
  type ActorTreeNode,
} from "../api/backend.ts"
import {
  CollectMetrics,
  CollectTrees,
  ListWorkers,
  RestartWorker,
  SetWorkersLogLevel,
  WORKER_MANAGER_NAME,
  type WorkerEntry,
  type WorkerManagerMessage,
  type WorkerTree,
} from "../../actors/worker-manager/index.ts"
import { ActorSystem } from "../kernel/index.ts"
import type { ActorRef } from "../kernel/actor/ref.ts"
import type { ActorSnapshot } from "../kernel/actor/snapshot.ts"
import { LogLevelControl } from "../kernel/logging.ts"
import { snapshotFamilies } from "../kernel/metrics/effect-snapshot.ts"
import { mergeFamilies, withLabels } from "../kernel/metrics/family.ts"
import { renderPrometheus } from "../kernel/metrics/prometheus.ts"
import { NodeConsensus } from "./consensus.ts"
import { EXECUTION_NAME, ExecutionProtocol, ListIntrinsics, Query } from "../../actors/execution/index.ts"
import { queryShard } from "./query-shard.ts"
import * as Contract from "../../intrinsics/contract/index.ts"
import { nodeBuildEnv } from "./intrinsics.ts"
import { builtInsOnly, type NodeIntrinsics } from "./plugins.ts"
import { WorkerPool } from "../kernel/process/worker-pool.ts"
import { FEE_MANAGER_NAME, FeeManagerProtocol, FeeSnapshot, type FeeManagerMessage, NextFeeMultiplier } from "../../actors/fee-manager/index.ts"
import { workerActorPath } from "./worker-node.ts"
import { NodeRecord } from "./node-record.ts"
import { NodeHealth } from "./node-health.ts"
import { ShardHosts } from "./shard-hosts.ts"
import { makeSubmitLifecycle } from "./prover-ops.ts"
import { WorkerManagerRef } from "./worker-manager-ref.ts"
import { statusLine } from "./status-line.ts"

/** The master's fee manager (the global chain's window). */
export class MasterFeeManagerRef extends Context.Tag("quilbun/MasterFeeManagerRef")<MasterFeeManagerRef, ActorRef<FeeManagerMessage>>() {}

export interface NodeIdentity {
  readonly version: string
  readonly nodeId: string
  readonly roles: ReadonlyArray<string>
  readonly config: Readonly<Record<string, unknown>>
}

const ASK_TIMEOUT = "5 seconds"

const firstLine = (cause: Cause.Cause<unknown>): string => {
  const error = Cause.squash(cause)
  return error instanceof Error ? error.message : (Cause.pretty(cause).split("\n")[0] ?? "unknown")
}

/** Hangs each worker's tree (as a "process" node) under the worker-manager actor. */
export const mergeTrees = (master: ActorSnapshot, workers: ReadonlyArray<WorkerTree>): ActorTreeNode => {
  const processNodes: Array<ActorTreeNode> = workers.map((w) => ({
    name: `worker-${w.core}`,
    path: `/process/worker-${w.core}`,
    type: "process",
    core: w.core,
    pid: w.pid,
    state: w.state,
    restarts: w.restarts,
    error: w.error,
    children: w.tree === null ? [] : [w.tree as ActorTreeNode],
  }))
  const graft = (node: ActorSnapshot): ActorTreeNode => ({
    ...node,
    children: [...node.children.map(graft), ...(node.name === WORKER_MANAGER_NAME && node.type === "actor" ? processNodes : [])],
  })
  return graft(master)
}

export { queryShard }

export const pickQueryWorker = (workers: ReadonlyArray<WorkerEntry>, core?: number): WorkerEntry | undefined =>
  workers.find((w) => w.state === "running" && (core === undefined || w.core === core)) ?? workers.find((w) => w.state === "running")

type QueryFn = NonNullable<AdminBackendService["query"]>
type SubmitFn = NonNullable<AdminBackendService["submitBundle"]>

/** The backend's query failures as the contract's, for contributed routes (HttpEnv.query). */
const toContractQueryError = (e: IntrinsicQueryFailed | QueryUnavailable): Contract.QueryError | Contract.QueryUnavailable => {
  if (e._tag === "QueryUnavailable") return new Contract.QueryUnavailable({ kind: "unavailable", reason: e.reason })
  if (e.kind === "failed") return new Contract.QueryUnavailable({ kind: "failed", reason: e.reason })
  // The env is bound to the intrinsic's own name: a worker without it has no such query.
  return new Contract.QueryError({ kind: e.kind === "unknown-intrinsic" ? "unknown-query" : e.kind, reason: e.reason })
}

/** A submission as an intrinsic's route sees it: taken (pending or decided) or rejected with a reason. */
const toContractSubmit = (submitBundle: SubmitFn) => (bundle: Uint8Array) =>
  submitBundle(bundle, undefined).pipe(
    Effect.mapError((e) =>
      e._tag === "BundleInvalid"
        ? `${e.reason}: ${e.detail}`
        : e._tag === "ShardBusy"
          ? `the mempool of shard ${e.shard} is full; retry in ${Math.ceil(e.retryAfterMs / 1000)} s`
          : e.reason,
    ),
    Effect.flatMap((accepted) => (accepted.status === "rejected" ? Effect.fail(accepted.reason ?? "rejected") : Effect.void)),
    Effect.mapError((reason) => new Contract.SubmitRejected({ reason })),
  )

/** Every query of the node's intrinsics as a GET route, and each `http` contribution bound to this node. */
export const intrinsicRoutesOf = (
  intrinsics: ReadonlyArray<Contract.Intrinsic>,
  query: QueryFn,
  submitBundle: SubmitFn,
  runtime: Runtime.Runtime<never>,
): IntrinsicRoutes => {
  const run = Runtime.runPromise(runtime)
  const envFor = (intrinsic: string): Contract.HttpEnv => ({
    query: (name, args) => run(Effect.either(Effect.mapError(query(intrinsic, name, args), toContractQueryError))),
    submitBundle: (bundle) => run(Effect.either(toContractSubmit(submitBundle)(bundle))),
    build: nodeBuildEnv,
  })
  return {
    queries: intrinsics.flatMap((i) =>
      i.queries.map((q) => ({ intrinsic: i.manifest.name, name: q.name, description: q.description, parameters: q.parameters })),
    ),
    mounts: intrinsics.flatMap((i) => (i.http === undefined ? [] : [{ intrinsic: i.manifest.name, app: i.http(envFor(i.manifest.name)) }])),
  }
}

export const AdminBackendLive = (identity: NodeIdentity, nodeIntrinsics: NodeIntrinsics = builtInsOnly) =>
  Layer.effect(
    AdminBackend,
    Effect.gen(function* () {
      const system = yield* ActorSystem.ActorSystem
      const manager = yield* WorkerManagerRef
      const logLevel = yield* LogLevelControl
      const record = yield* NodeRecord
      const consensus = yield* NodeConsensus
      const startedAt = yield* Clock.currentTimeMillis
      const relay = yield* ShardRelay
      const health = yield* NodeHealth
      const pool = yield* WorkerPool
      const pluginFacts = new Map(nodeIntrinsics.plugins.map((p) => [p.intrinsic.manifest.name, { plugin: p.spec, codeHash: p.codeHash }]))
      // Each worker's execution host, asked in parallel; a worker that does not answer says why.
      const intrinsics = Effect.flatMap(manager.ask(new ListWorkers(), ASK_TIMEOUT).pipe(Effect.orDie), (ws) =>
        Effect.forEach(
          ws,
          (w) =>
            pool.ref(w.core, workerActorPath(w.core, EXECUTION_NAME), ExecutionProtocol).pipe(
              Effect.flatMap((ref) => ref.ask(new ListIntrinsics(), ASK_TIMEOUT)),
              // The worker loaded the same plugin files; the master adds what it hashed at start.
              Effect.map((list) => ({ core: w.core, intrinsics: list.map((i) => ({ ...i, ...pluginFacts.get(i.name) })) })),
              Effect.catchAll((e) => Effect.succeed({ core: w.core, intrinsics: [], error: `worker ${w.core} (${w.state}): ${e._tag}` })),
            ),
          { concurrency: "unbounded" },
        ),
      )
      const shardHosts = yield* ShardHosts
      // One query on one worker (pickQueryWorker) over the worker link; a worker that does not answer is a 503.
      const query: QueryFn = (intrinsic, name, args) =>
        Effect.gen(function* () {
          const ws = yield* manager
            .ask(new ListWorkers(), ASK_TIMEOUT)
            .pipe(Effect.mapError((e) => new QueryUnavailable({ reason: `worker manager: ${e._tag}` })))
          const shard = queryShard(args)
          const worker = pickQueryWorker(ws, shard === undefined ? undefined : shardHosts.coreOf(shard))
          if (worker === undefined) {
            const states = ws.map((w) => `worker ${w.core} is ${w.state}`).join(", ")
            return yield* new QueryUnavailable({ reason: `no data worker is running${states === "" ? "" : ` (${states})`}` })
          }
          const unavailable = (e: { readonly _tag: string }) => new QueryUnavailable({ reason: `worker ${worker.core} did not answer: ${e._tag}` })
          const ref = yield* pool.ref(worker.core, workerActorPath(worker.core, EXECUTION_NAME), ExecutionProtocol).pipe(Effect.mapError(unavailable))
          return yield* ref
            .ask(new Query({ intrinsic, name, args }), ASK_TIMEOUT)
            .pipe(Effect.mapError((e) => (e._tag === "QueryFailed" ? new IntrinsicQueryFailed({ kind: e.kind, reason: e.reason }) : unavailable(e))))
        })
      // `GET /v1/fees`: the global multiplier from the master, each shard's from the worker covering it.
      const masterFees = yield* MasterFeeManagerRef
      const fees = Effect.gen(function* () {
        const global = yield* masterFees.ask(new NextFeeMultiplier({ filter: new Uint8Array() }), ASK_TIMEOUT).pipe(Effect.orDie)
        const ws = yield* manager.ask(new ListWorkers(), ASK_TIMEOUT).pipe(Effect.orDie)
        const windows = yield* Effect.forEach(
          ws.filter((w) => w.state === "running"),
          (w) =>
            pool.ref(w.core, workerActorPath(w.core, FEE_MANAGER_NAME), FeeManagerProtocol).pipe(
              Effect.flatMap((ref) => ref.ask(new FeeSnapshot(), ASK_TIMEOUT)),
              // A worker that does not answer contributes nothing; its shards reappear when it does.
              Effect.orElseSucceed(() => []),
            ),
          { concurrency: "unbounded" },
        )
        const shards: Record<string, number> = {}
        for (const w of windows.flat()) if (w.filter.length > 0) shards[bytesToHex(w.filter)] = Number(w.multiplier)
        return { global: Number(global), shards }
      })
      // Bundles go to the data worker covering their shard (shard-hosts.ts).
      const submitBundle: SubmitFn = shardHosts.submit
      const runtime = yield* Effect.runtime<never>()
      const workers = Effect.zipWith(
        manager.ask(new ListWorkers(), ASK_TIMEOUT).pipe(Effect.orDie),
        relay.ask(new ListRelayedShards(), ASK_TIMEOUT).pipe(Effect.orDie),
        (ws, shards) => ws.map((w) => ({ ...w, shards: shards.filter((s) => s.core === w.core).map((s) => s.appFilter) })),
        { concurrent: true },
      )
      return {
        nodeInfo: Effect.gen(function* () {
          const now = yield* Clock.currentTimeMillis
          const heartbeat = yield* record.heartbeat
          return {
            version: identity.version,
            nodeId: identity.nodeId,
            uptimeMs: now - startedAt,
            roles: identity.roles,
            pid: process.pid,
            config: identity.config,
            store: { boots: record.boots, heartbeat },
          }
        }),
        // Never a 500: a node that gave up, or actors that do not answer, are reasons not to be ready.
        ready: Effect.flatMap(health.status, (h) =>
          h.status === "failed"
            ? Effect.succeed({ ready: false, reasons: [h.reason] })
            : Effect.map(workers, (ws) => {
                const reasons = ws.filter((w) => w.state !== "running").map((w) => `worker ${w.core} is ${w.state}`)
                return { ready: reasons.length === 0, reasons }
              }).pipe(Effect.catchAllCause((cause) => Effect.succeed({ ready: false, reasons: [`worker state unavailable: ${firstLine(cause)}`] }))),
        ),
        health: health.status,
        statusLine: statusLine.pipe(
          Effect.provideService(NodeConsensus, consensus),
          Effect.provideService(WorkerManagerRef, manager),
          Effect.provideService(ShardHosts, shardHosts),
        ),
        actors: Effect.gen(function* () {
          const master = yield* system.snapshot
          const trees = yield* manager.ask(new CollectTrees(), ASK_TIMEOUT).pipe(Effect.orDie)
          return mergeTrees(master, trees)
        }),
        workers,
        intrinsics,
        fees,
        intrinsicRoutes: intrinsicRoutesOf(nodeIntrinsics.intrinsics, query, submitBundle, runtime),
        query,
        submitBundle,
        bundleStatus: shardHosts.status,
        shards: shardHosts.shards,
        restartWorker: (core) =>
          manager.ask(new RestartWorker({ core }), ASK_TIMEOUT).pipe(
            Effect.catchTag("UnknownWorker", () => Effect.fail(new WorkerNotFound({ core }))),
            Effect.catchAll((e) => (e._tag === "WorkerNotFound" ? Effect.fail(e) : Effect.die(e))),
          ),
        setLogLevel: (level) =>
          Effect.zipRight(logLevel.set(level), manager.ask(new SetWorkersLogLevel({ level }), ASK_TIMEOUT).pipe(Effect.orDie)).pipe(
            Effect.zipRight(Effect.logInfo("log level changed").pipe(Effect.annotateLogs({ level }))),
          ),
        globalHead: consensus.head,
        globalFrame: consensus.frame,
        peers: consensus.peers,
        ...(consensus.provers === undefined ? {} : { provers: consensus.provers }),
        ...(consensus.prover === undefined ? {} : { prover: consensus.prover }),
        ...(consensus.lifecycle === undefined ? {} : { submitLifecycle: makeSubmitLifecycle(consensus, shardHosts) }),
        metrics: Effect.gen(function* () {
          const own = withLabels(yield* snapshotFamilies, { core: "0" })
          const fromWorkers = yield* manager.ask(new CollectMetrics(), ASK_TIMEOUT).pipe(Effect.orDie)
          return renderPrometheus(mergeFamilies([own, fromWorkers]))
        }),
      }
    }),
  )
