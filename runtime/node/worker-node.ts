// The layer graph of one data-worker process, bottom to top:
//   logging → process metrics → store (<dataDir>/worker-<n>) → actor system "worker-<n>" → the link
//   to the master (its endpoint finds exported actors by path when asked) → the actors (probe,
//   shard-network, which reaches the master's shard relay over the link; the execution host with the
//   node's intrinsics) → "ready", announced last.
// Shutdown runs in reverse: actors stop, the link closes, the store closes.
import { Effect, Layer } from "effect"
import { StoreLive, storePath } from "../store/index.ts"
import { storeMigrations } from "./store-migrations.ts"
import { ActorSystem } from "../kernel/index.ts"
import { LoggingLive } from "../kernel/logging.ts"
import { ProcessMetricsLive } from "../kernel/metrics/process-metrics.ts"
import type { WorkerArgs } from "../kernel/process/protocol.ts"
import type { WorkerTransport } from "../kernel/process/transport.ts"
import { announceReady, WorkerHostLive } from "../kernel/process/worker-host.ts"
import { NodeRecordLive } from "./node-record.ts"
import { PROBE_NAME, probeActor, ProbeProtocol } from "./probe.ts"
import { StoreMetricsLive } from "./store-metrics.ts"
import { makeActorEndpoint, type Exports } from "../kernel/process/actor-endpoint.ts"
import { ShardNetworkLive, ShardNetworkProtocol, shardNetworkPath } from "../../actors/shard-relay/index.ts"
import type { Message, Protocol } from "../kernel/actor/protocol.ts"
import { EXECUTION_NAME, ExecutionLive, ExecutionProtocol } from "../../actors/execution/index.ts"
import { builtInIntrinsics, instanceTypeTag, nodeCryptoServices } from "./intrinsics.ts"
import { FEE_MANAGER_NAME, FeeManagerProtocol } from "../../actors/fee-manager/index.ts"
import { SHARD_HOST_NAME, ShardHostProtocol } from "../../actors/consensus/app/shard-host-protocol.ts"
import { AppShardsLive } from "./app-shards.ts"
import type { Intrinsic } from "../../intrinsics/contract/index.ts"

export const workerRootName = (core: number): string => `worker-${core}`

/** Path of an actor directly under a worker's root supervisor. */
export const workerActorPath = (core: number, name: string): string => `/${workerRootName(core)}/${name}`

const ActorsLive = (core: number) =>
  Layer.effectDiscard(
    Effect.gen(function* () {
      const system = yield* ActorSystem.ActorSystem
      yield* system.spawn(probeActor(core)).pipe(Effect.orDie)
    }),
  )

export const WorkerNodeLive = (
  args: WorkerArgs,
  transport: WorkerTransport,
  intrinsics: ReadonlyArray<Intrinsic> = builtInIntrinsics,
  /** Plugin code hashes by intrinsic name (named when a shard's state roots diverge). */
  codeHashes: ReadonlyMap<string, string> = new Map(),
) => {
  const { core } = args
  const exports: Exports = new Map<string, Protocol<Message>>([
    [workerActorPath(core, PROBE_NAME), ProbeProtocol as unknown as Protocol<Message>],
    [shardNetworkPath(workerRootName(core)), ShardNetworkProtocol as unknown as Protocol<Message>],
    [workerActorPath(core, EXECUTION_NAME), ExecutionProtocol as unknown as Protocol<Message>],
    [workerActorPath(core, FEE_MANAGER_NAME), FeeManagerProtocol as unknown as Protocol<Message>],
    // The shard host the master hands shards and bundles to (shard-hosts.ts).
    [workerActorPath(core, SHARD_HOST_NAME), ShardHostProtocol as unknown as Protocol<Message>],
  ])
  // Every data worker executes with the node's intrinsics (app shards feed it frames).
  // No fee market before the token intrinsic: off mainnet every consumer pays 0 (multiplier 0), so a
  // devnet's hypergraph writes commit; mainnet keeps the rule and refuses fee-consuming bundles until then.
  const feeMultiplier = args.networkId === 0 ? () => 1n : () => 0n
  const execution = ExecutionLive(intrinsics, { crypto: nodeCryptoServices, network: args.networkId, typeTagOf: instanceTypeTag, feeMultiplier }).pipe(
    Layer.orDie,
  )
  const logging = LoggingLive({ format: args.logFormat, level: args.logLevel, fields: { core } })
  const store = StoreLive({ path: storePath(args.dataDir, { worker: core }), migrations: storeMigrations })
  const system = ActorSystem.layer({ rootName: workerRootName(core) })
  const host = Layer.unwrapEffect(Effect.map(ActorSystem.ActorSystem, (sys) => WorkerHostLive({ core, transport, endpoint: makeActorEndpoint(sys, exports) })))
  const ready = Layer.effectDiscard(announceReady(core))
  return ready.pipe(
    // The shard host (and the shard's consensus) over the execution host, the shard network and the store.
    Layer.provideMerge(AppShardsLive(args, intrinsics, codeHashes)),
    Layer.provideMerge(Layer.mergeAll(ActorsLive(core), ShardNetworkLive(core), execution)),
    Layer.provideMerge(host),
    Layer.provideMerge(system),
    Layer.provideMerge(Layer.mergeAll(NodeRecordLive(), StoreMetricsLive("5 seconds"))),
    Layer.provideMerge(store),
    Layer.provideMerge(ProcessMetricsLive()),
    Layer.provideMerge(logging),
  )
}
