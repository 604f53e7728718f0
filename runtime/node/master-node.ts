// The master process's layer graph (its static supervision tree), bottom to top:
//   logging → process metrics → store <dataDir>/master → chain guard (chain.json; refuses a chain
//   whose store lost its frames) → node record, store metrics
//   → worker pool (data-worker processes, cores 1..N)
//   → the libp2p host when engine.genesisProvers is set (p2p-network.ts)
//   → actor system "root" with its actors (probe, worker-manager, shard-relay: workers reach the
//     network through it)
//   → global consensus (devnet: event distributor, prover registry, global time reel, global consensus
//     over native BLS48-581 and VDF, over libp2p when the host runs; see consensus.ts)
//   → shard hosts (the shard allocation table; bundles to the worker covering their shard, shard-hosts.ts)
//   → admin backend → admin API server (Bun.serve).
// Layers release in reverse, which is the shutdown order: the API stops accepting requests,
// actors stop (reverse start order), the workers are stopped and awaited, the store closes.
import { Context, Duration, Effect, Layer, Option, type Redacted } from "effect"
import type { NodeConfig } from "../../config/index.ts"
import { AdminServer, AdminServerLive } from "../api/server.ts"
import { StoreLive, storePath } from "../store/index.ts"
import { storeMigrations } from "./store-migrations.ts"
import { workerManagerActor } from "../../actors/worker-manager/index.ts"
import { ActorSystem } from "../kernel/index.ts"
import { LoggingLive } from "../kernel/logging.ts"
import { ProcessMetricsLive } from "../kernel/metrics/process-metrics.ts"
import type { RestartPolicy } from "../kernel/process/restart-policy.ts"
import { WorkerPoolLive } from "../kernel/process/worker-pool.ts"
import { AdminBackendLive, MasterFeeManagerRef, type NodeIdentity } from "./admin-backend.ts"
import { WorkerManagerRef } from "./worker-manager-ref.ts"
import { MasterConsensusLive } from "./consensus.ts"
import { NodeRecordLive } from "./node-record.ts"
import { probeActor } from "./probe.ts"
import { StoreMetricsLive } from "./store-metrics.ts"
import { ApiAddressFileLive } from "./api-address-file.ts"
import { ChainGuardLive } from "./chain-guard.ts"
import { NodeHealth, NodeHealthLive } from "./node-health.ts"
import { ShardRelayLive } from "../../actors/shard-relay/index.ts"
import { OptionalNodeNetwork, OptionalNodeNetworkLive } from "./p2p-network.ts"
import { workerRootName } from "./worker-node.ts"
import { StartupReportLive, type StartupReport } from "./startup-report.ts"
import { StatusLineLive } from "./status-line.ts"
import { feeManagerActor } from "../../actors/fee-manager/index.ts"
import { ShardHostsLive } from "./shard-hosts.ts"
import { AutoJoinLive } from "./auto-join.ts"
import { builtInsOnly, type NodeIntrinsics } from "./plugins.ts"

export interface MasterNodeOptions {
  readonly config: NodeConfig
  /** Built-ins plus the configured plugins (plugins.ts); built-ins only when absent. */
  readonly intrinsics?: NodeIntrinsics
  readonly identity: NodeIdentity
  readonly apiToken: string
  /** The prover key material (keys/prover.key); the devnet genesis committee is this one key. */
  readonly proverIkm: Redacted.Redacted<Uint8Array>
  /** keys/peer.key (Ed25519 seed), the libp2p identity used when `engine.genesisProvers` is set. */
  readonly peerKey?: Redacted.Redacted<Uint8Array>
  /** Worker entry script (default runtime/node/worker.ts). */
  readonly workerEntry?: string
  readonly restartPolicy?: RestartPolicy
  /** Log sink (default stderr); embedders may capture or silence logs. */
  readonly logWrite?: (line: string) => void
  readonly heartbeatEvery?: Duration.DurationInput
  /** What preparing the data dir found (permissions narrowed, a stale lock taken over, warnings); logged at start. */
  readonly startupReport?: StartupReport
  /** `--reset-store`: a chain whose store is gone may start over (chain-guard.ts). */
  readonly resetStore?: boolean
  /** The boot check already announced the reset (the store files were gone). */
  readonly resetAnnounced?: boolean
}

/** The data-worker entry script every worker process runs unless the embedder names another. */
const defaultWorkerEntry = new URL("./worker.ts", import.meta.url).pathname

const MasterActorsLive = Layer.effectContext(
  Effect.gen(function* () {
    const system = yield* ActorSystem.ActorSystem
    yield* system.spawn(probeActor(0))
    // The global chain's fee window (global headers carry no vote, so it answers the default).
    const fees = yield* system.spawn(feeManagerActor())
    const manager = yield* system.spawn(workerManagerActor)
    return Context.make(WorkerManagerRef, manager).pipe(Context.add(MasterFeeManagerRef, fees))
  }).pipe(Effect.orDie),
)

export const MasterNodeLive = (options: MasterNodeOptions) => {
  const { config } = options
  const intrinsics = options.intrinsics ?? builtInsOnly
  const logging = LoggingLive({
    format: config.log.format,
    level: config.log.level,
    fields: { core: 0 },
    ...(options.logWrite === undefined ? {} : { write: options.logWrite }),
  })
  const store = StoreLive({ path: storePath(config.dataDir, "master"), migrations: storeMigrations })
  const guard = ChainGuardLive(config.dataDir, options.resetStore === true, options.resetAnnounced === true)
  const record = Layer.mergeAll(NodeRecordLive(options.heartbeatEvery ?? "1 second"), StoreMetricsLive("5 seconds"))
  const pool = WorkerPoolLive({
    workers: config.workers,
    dataDir: config.dataDir,
    logFormat: config.log.format,
    logLevel: config.log.level,
    networkId: config.p2p.networkId,
    // Resolved files, so a worker imports exactly what the master loaded.
    plugins: intrinsics.plugins.map((p) => p.path),
    liveness: {
      interval: Duration.millis(config.workerLiveness.intervalMs),
      unresponsiveAfter: Duration.millis(config.workerLiveness.unresponsiveAfterMs),
      restartAfter: Duration.millis(config.workerLiveness.restartAfterMs),
    },
    entry: options.workerEntry ?? defaultWorkerEntry,
    ...(options.restartPolicy === undefined ? {} : { policy: options.restartPolicy }),
  })
  const system = ActorSystem.layer({
    rootName: "root",
    shutdownTimeout: Duration.millis(Math.max(1000, config.shutdown.deadlineMs / 2)),
  })
  const server = AdminServerLive(
    { hostname: config.api.listen.host, port: config.api.listen.port },
    {
      token: options.apiToken,
      maxBodyBytes: config.api.bodyLimitBytes,
      version: options.identity.version,
      requestTimeoutMs: config.api.requestTimeoutMs,
      mutationsPerMinute: config.api.mutationsPerMinute,
    },
  )
  const shardRelay = Layer.unwrapEffect(
    Effect.map(OptionalNodeNetwork, (network) =>
      ShardRelayLive({
        pubsub: Option.map(network, (n) => n.host.pubsub),
        requests: Option.map(network, (n) => n.transport),
        workerRoot: workerRootName,
      }),
    ),
  )
  const started = Layer.effectDiscard(
    Effect.flatMap(AdminServer, (api) =>
      Effect.logInfo("node started").pipe(Effect.annotateLogs({ api: api.url, workers: config.workers, nodeId: options.identity.nodeId })),
    ),
  )
  return Layer.mergeAll(started, ApiAddressFileLive(config.dataDir), StatusLineLive, AutoJoinLive(config)).pipe(
    Layer.provideMerge(server),
    Layer.provideMerge(AdminBackendLive(options.identity, intrinsics)),
    Layer.provideMerge(ShardHostsLive(config, intrinsics.intrinsics)),
    Layer.provideMerge(MasterConsensusLive({ config, proverIkm: options.proverIkm, peerId: options.identity.nodeId })),
    Layer.provideMerge(shardRelay),
    Layer.provideMerge(MasterActorsLive),
    Layer.provideMerge(NodeHealthLive),
    Layer.provideMerge(system),
    Layer.provideMerge(OptionalNodeNetworkLive(config, options.peerKey)),
    Layer.provideMerge(pool),
    Layer.provideMerge(record),
    Layer.provideMerge(guard),
    Layer.provideMerge(store),
    Layer.provideMerge(ProcessMetricsLive()),
    Layer.provideMerge(Layer.scopedDiscard(Effect.addFinalizer(() => Effect.logInfo("node stopped")))),
    Layer.provideMerge(options.startupReport === undefined ? Layer.empty : StartupReportLive(options.startupReport)),
    Layer.provideMerge(logging),
  )
}

export { NodeHealth }
