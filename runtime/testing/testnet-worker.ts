// One data worker of a testnet node, in process: its own LMDB store and actor system (as a worker
// process has), the execution host with the testnet's intrinsics, and the node's own app-shard wiring
// (runtime/node/app-shards.ts: shard host, fee manager, one consensus actor per covered shard) over the
// in-memory ShardNetwork of its shard instead of the master's relay, and the testnet node's shard-update
// pool instead of the master link.
import { Context, Effect, Layer, type Scope } from "effect"
import { appShardConsensusName } from "../../actors/consensus/app/app-shard-consensus.ts"
import { AppShardConsensusProtocol } from "../../actors/consensus/app/protocol.ts"
import type { ShardHostMessage } from "../../actors/consensus/app/shard-host-protocol.ts"
import { type ConsensusStatus, GetStatus } from "../../actors/consensus/global/protocol.ts"
import type { ShardUpdatesMessage } from "../../actors/consensus/global/shard-updates-protocol.ts"
import { Execution, ExecutionLive, type ExecutionRef } from "../../actors/execution/index.ts"
import { ShardNetwork } from "../../actors/shard-relay/index.ts"
import type { BlsVerifier, FrameVdf, Poseidon, ProverSigner } from "../../crates/ts/services.ts"
import type { CryptoServices, Intrinsic } from "../../intrinsics/contract/index.ts"
import { type ActorNotFound, type ActorRef, ActorSystem } from "../kernel/index.ts"
import type { TransportService } from "../kernel/transport/transport.ts"
import { makeAppShards } from "../node/app-shards.ts"
import { instanceTypeTag } from "../node/intrinsics.ts"
import { storeMigrations } from "../node/store-migrations.ts"
import { Store, StoreLive, type StoreService } from "../store/index.ts"
import { inMemoryShardNetwork } from "./in-memory-shard-network.ts"

export interface TestnetWorkerOptions {
  readonly dataDir: string
  readonly rootName: string
  /** The worker's endpoint on its shard's in-memory network (its peer id is the node's). */
  readonly endpoint: TransportService
  readonly networkId: number
  readonly intrinsics: ReadonlyArray<Intrinsic>
  readonly cryptoServices: CryptoServices
  /** The node's prover key and the consensus crypto (the devnet node's insecure stand-ins). */
  readonly consensusCrypto: Context.Context<BlsVerifier | ProverSigner | FrameVdf | Poseidon>
  readonly shardUpdates: ActorRef<ShardUpdatesMessage>
}

export interface TestnetWorker {
  readonly host: ActorRef<ShardHostMessage>
  readonly execution: ExecutionRef
  /** The worker's store (its shard's committed app frames: actors/consensus/app/persistence.ts). */
  readonly store: StoreService
  /** The status of the worker's consensus for that shard (its records: rejections, equivocations). */
  readonly consensusStatus: (address: Uint8Array) => Effect.Effect<ConsensusStatus, ActorNotFound>
}

/** Starts the worker for the Scope; closing it is the worker's crash (its store closes last). */
export const startTestnetWorker = (options: TestnetWorkerOptions): Effect.Effect<TestnetWorker, never, Scope.Scope> =>
  Effect.gen(function* () {
    // Off mainnet the fee multiplier is 0, as in a devnet worker (worker-node.ts).
    const execution = ExecutionLive(options.intrinsics, {
      crypto: options.cryptoServices,
      network: options.networkId,
      typeTagOf: instanceTypeTag,
      feeMultiplier: options.networkId === 0 ? () => 1n : () => 0n,
    })
    const context = yield* Layer.build(
      execution.pipe(
        Layer.provideMerge(ActorSystem.layer({ rootName: options.rootName })),
        Layer.provideMerge(StoreLive({ path: options.dataDir, migrations: storeMigrations })),
      ),
    ).pipe(Effect.orDie)
    const network = yield* inMemoryShardNetwork(options.endpoint)
    const host = yield* makeAppShards({
      networkId: options.networkId,
      peerId: options.endpoint.peerId,
      intrinsics: options.intrinsics,
      crypto: Effect.succeed(options.consensusCrypto),
      cryptoServices: options.cryptoServices,
      shardUpdates: options.shardUpdates,
    }).pipe(Effect.provide(context), Effect.provideService(ShardNetwork, network))
    const system = Context.get(context, ActorSystem.ActorSystem)
    const consensusStatus = (address: Uint8Array) =>
      Effect.flatMap(system.lookup(`${system.rootPath}/${appShardConsensusName(address)}`, AppShardConsensusProtocol), (ref) =>
        ref.ask(new GetStatus()).pipe(Effect.orDie),
      )
    return { host, execution: Context.get(context, Execution), store: Context.get(context, Store), consensusStatus }
  })
