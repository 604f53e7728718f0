// A data worker's app shards (issue: app shards in the workers): the shard host actor
// (actors/consensus/app/shard-host.ts) wired to this worker's execution host, fee manager and store, and
// the shard's consensus actor wired to the node's crypto (the prover key from the data dir, native BLS,
// VDF and Poseidon — built on the first CoverShard, so an idle worker never loads them) and to the shard
// relay as its Transport.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect, Layer, Scope } from "effect"
import { appShardConsensusActor } from "../../actors/consensus/app/app-shard-consensus.ts"
import type { AppShardConsensusMessage } from "../../actors/consensus/app/protocol.ts"
import { shardHostActor } from "../../actors/consensus/app/shard-host.ts"
import type { ShardConsensusParams } from "../../actors/consensus/app/shard-host-protocol.ts"
import { consensusConfigFromNode, devnetTimingFor } from "../../actors/consensus/global/config.ts"
import { Execution } from "../../actors/execution/index.ts"
import { feeManagerActor } from "../../actors/fee-manager/index.ts"
import { ShardNetwork } from "../../actors/shard-relay/index.ts"
import { proverAddress } from "../../crates/ts/address.ts"
import { BlsProverSignerLive, BlsVerifierLive } from "../../crates/ts/bls/bls-live.ts"
import { PoseidonLive } from "../../crates/ts/poseidon-live.ts"
import { NativeFrameVdfLive } from "../../crates/ts/vdf/frame-vdf-live.ts"
import { type Intrinsic, loadIntrinsics } from "../../intrinsics/contract/index.ts"
import { type ActorRef, ActorSystem } from "../kernel/index.ts"
import type { WorkerArgs } from "../kernel/process/protocol.ts"
import { Transport } from "../kernel/transport/transport.ts"
import { Store } from "../store/index.ts"
import { instanceTypeTag, nodeCryptoServices } from "./intrinsics.ts"
import { shardTransport } from "./shard-transport.ts"

const shardConsensusConfig = (params: ShardConsensusParams) => {
  const config = consensusConfigFromNode({ p2p: { networkId: params.network }, engine: { devnet: params.devnet, difficulty: params.difficulty } })
  return params.devnet && params.rankWorkMs !== undefined ? { ...config, timing: devnetTimingFor(params.rankWorkMs) } : config
}

export const AppShardsLive = (args: WorkerArgs, intrinsics: ReadonlyArray<Intrinsic>, codeHashes: ReadonlyMap<string, string> = new Map()) =>
  Layer.scopedDiscard(
    Effect.gen(function* () {
      const system = yield* ActorSystem.ActorSystem
      const execution = yield* Execution
      const store = yield* Store
      const network = yield* ShardNetwork
      const scope = yield* Effect.scope
      const fees = yield* system.spawn(feeManagerActor()).pipe(Effect.orDie)
      const registry = yield* loadIntrinsics(intrinsics).pipe(Effect.orDie)
      // The prover key, BLS, VDF: loaded once, for the worker's lifetime, when it first covers a shard.
      const crypto = yield* Effect.cached(
        Layer.buildWithScope(Layer.mergeAll(BlsVerifierLive, BlsProverSignerLive(args.dataDir), NativeFrameVdfLive, PoseidonLive), scope).pipe(Effect.orDie),
      )
      const started = new Map<string, ActorRef<AppShardConsensusMessage>>()
      yield* system
        .spawn(
          shardHostActor({
            execution,
            fees,
            store,
            routing: { registry, network: args.networkId, crypto: nodeCryptoServices, typeTagOf: instanceTypeTag },
            codeHashes,
            startConsensus: (address, committee, params, ports) =>
              Effect.gen(function* () {
                // A restarted shard host asks again: the running actor (and its ports) stays.
                const running = started.get(bytesToHex(address))
                if (running !== undefined) return running
                const context = yield* crypto
                const transport = yield* shardTransport(network, address, `worker-${args.core}`).pipe(Scope.extend(scope))
                const provers = committee.map((publicKey) => ({ address: proverAddress(publicKey), publicKey, seniority: 0n }))
                const ref = yield* system
                  .spawn(appShardConsensusActor({ address, config: shardConsensusConfig(params), committee: Effect.succeed(provers), worker: ports }))
                  .pipe(Effect.provide(context), Effect.provideService(Transport, transport), Effect.provideService(Store, store), Effect.orDie)
                // Stopped before the crypto and the transport it uses close (finalizers run newest first).
                yield* Scope.addFinalizer(scope, Effect.ignore(system.stop(ref.path)))
                started.set(bytesToHex(address), ref)
                return ref
              }),
          }),
        )
        .pipe(Effect.orDie)
    }),
  )
