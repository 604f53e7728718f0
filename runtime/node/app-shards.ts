// A data worker's app shards (issue: app shards in the workers): the shard host actor
// (actors/consensus/app/shard-host.ts) wired to this worker's execution host, fee manager and store, and
// the shard's consensus actor wired to the node's crypto (the prover key from the data dir, native BLS,
// VDF and Poseidon — built on the first CoverShard, so an idle worker never loads them) and to the shard
// relay as its Transport. `makeAppShards` is that wiring with the process-specific parts as parameters
// (crypto, the master's shard-update pool); the in-process testnet (runtime/testing, D-TEST-1) runs it too.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Context, Effect, Either, Layer, Scope } from "effect"
import { appShardConsensusActor } from "../../actors/consensus/app/app-shard-consensus.ts"
import type { AppShardConsensusMessage } from "../../actors/consensus/app/protocol.ts"
import { shardHostActor } from "../../actors/consensus/app/shard-host.ts"
import { type ShardConsensusParams, type ShardHostMessage, SubmitBundle } from "../../actors/consensus/app/shard-host-protocol.ts"
import { makeShardUpdateSender } from "../../actors/consensus/app/shard-update-sender.ts"
import { SHARD_UPDATES_PATH, type ShardUpdatesMessage, ShardUpdatesProtocol } from "../../actors/consensus/global/shard-updates-protocol.ts"
import { makeMasterRef } from "../kernel/process/master-ref.ts"
import { WorkerLink } from "../kernel/process/worker-host.ts"
import { consensusConfigFromNode, devnetTimingFor } from "../../actors/consensus/global/config.ts"
import { Execution } from "../../actors/execution/index.ts"
import type { ResolverConfig } from "../../actors/execution/resolver.ts"
import { routeBundle } from "../../actors/execution/routing.ts"
import { feeManagerActor } from "../../actors/fee-manager/index.ts"
import { ShardNetwork } from "../../actors/shard-relay/index.ts"
import { proverAddress } from "../../crates/ts/address.ts"
import { BlsProverSignerLive, BlsVerifierLive } from "../../crates/ts/bls/bls-live.ts"
import { PoseidonLive } from "../../crates/ts/poseidon-live.ts"
import { NativeFrameVdfLive } from "../../crates/ts/vdf/frame-vdf-live.ts"
import { type BlsVerifier, FrameVdf, type Poseidon, type ProverSigner } from "../../crates/ts/services.ts"
import { type CryptoServices, type Intrinsic, loadIntrinsics } from "../../intrinsics/contract/index.ts"
import { type ActorRef, ActorSystem } from "../kernel/index.ts"
import type { WorkerArgs } from "../kernel/process/protocol.ts"
import { Transport } from "../kernel/transport/transport.ts"
import { Store } from "../store/index.ts"
import { instanceTypeTag, nodeCryptoServices } from "./intrinsics.ts"
import { type ShardBundleSink, shardTransport } from "./shard-transport.ts"

const shardConsensusConfig = (params: ShardConsensusParams) => {
  const config = consensusConfigFromNode({ p2p: { networkId: params.network }, engine: { devnet: params.devnet, difficulty: params.difficulty } })
  return params.devnet && params.rankWorkMs !== undefined ? { ...config, timing: devnetTimingFor(params.rankWorkMs) } : config
}

/** How long a gossiped bundle may wait for the shard host (it is dropped, not retried: the sender keeps it). */
const GOSSIP_SUBMIT_TIMEOUT = "5 seconds"

/** How many validated gossip routes wait for their delivery (validation and delivery are two relay messages). */
const GOSSIP_ROUTES_KEPT = 256

/**
 * Bundles other nodes gossip on the shard: routed like a submitted one (frame-gated operations are
 * judged at proposal time, so routing uses frame 0 only to decode and find the shard); a malformed one
 * penalises its sender, one for another shard is ignored. Accepted ones enter the mempool with the
 * domain validation found, so the host does not route them a second time.
 */
const gossipedBundles = (address: Uint8Array, resolver: ResolverConfig, host: () => ActorRef<ShardHostMessage>, scope: Scope.Scope): ShardBundleSink => {
  const routes = new Map<string, Uint8Array>()
  const keyOf = (bundle: Uint8Array) => Buffer.from(bundle.buffer, bundle.byteOffset, bundle.byteLength).toString("latin1")
  return {
    validate: (bundle) => {
      const route = routeBundle(resolver, bundle, 0n)
      if (Either.isLeft(route)) return route.left.reason === "malformed" ? "reject" : "ignore"
      if (bytesToHex(route.right.shard) !== bytesToHex(address)) return "ignore"
      const oldest = routes.size >= GOSSIP_ROUTES_KEPT ? routes.keys().next() : undefined
      if (oldest !== undefined && oldest.done !== true) routes.delete(oldest.value)
      routes.set(keyOf(bundle), route.right.domain)
      return "accept"
    },
    accept: (bundle) =>
      Effect.suspend(() => {
        const key = keyOf(bundle)
        const domain = routes.get(key)
        routes.delete(key)
        // Forked: the relay's delivery must not wait for the shard host (it may be applying a frame).
        return host().ask(new SubmitBundle({ bundle, shard: address, ...(domain === undefined ? {} : { domain }) }), GOSSIP_SUBMIT_TIMEOUT)
      }).pipe(Effect.ignore, Effect.forkIn(scope), Effect.asVoid),
  }
}

/** What one data worker's shards run on, besides the execution host, store and shard network in context. */
export interface AppShardsOptions {
  readonly networkId: number
  /** This worker's peer id on a shard's local network (no p2p host). */
  readonly peerId: string
  readonly intrinsics: ReadonlyArray<Intrinsic>
  /** Plugin code hashes by intrinsic name (named when a shard's roots diverge). */
  readonly codeHashes?: ReadonlyMap<string, string>
  /** The prover key, BLS, VDF and Poseidon the shards' consensus runs on: built once, on the first CoverShard. */
  readonly crypto: Effect.Effect<Context.Context<BlsVerifier | ProverSigner | FrameVdf | Poseidon>>
  /** The intrinsics' crypto, for routing bundles (the execution host's). */
  readonly cryptoServices: CryptoServices
  /** The master's shard-update pool: it takes each certified frame and answers with the global head. */
  readonly shardUpdates: ActorRef<ShardUpdatesMessage>
}

/**
 * The shard host and, per covered shard, its consensus actor, for the Scope: the one wiring of a data
 * worker's app shards (AppShardsLive below; the in-process testnet of runtime/testing uses it too).
 * Needs the execution host, the store and the shard network; answers the shard host's ref.
 */
export const makeAppShards = (options: AppShardsOptions) =>
  Effect.gen(function* () {
    const system = yield* ActorSystem.ActorSystem
    const execution = yield* Execution
    const store = yield* Store
    const network = yield* ShardNetwork
    const scope = yield* Effect.scope
    const fees = yield* system.spawn(feeManagerActor()).pipe(Effect.orDie)
    const registry = yield* loadIntrinsics(options.intrinsics).pipe(Effect.orDie)
    const crypto = yield* Effect.cached(options.crypto)
    const started = new Map<string, ActorRef<AppShardConsensusMessage>>()
    const routing: ResolverConfig = { registry, network: options.networkId, crypto: options.cryptoServices, typeTagOf: instanceTypeTag }
    // Certified headers to the master's shard-update pool, which answers with the global head.
    const updates = makeShardUpdateSender(options.shardUpdates, scope)
    const host: ActorRef<ShardHostMessage> = yield* system
      .spawn(
        shardHostActor({
          execution,
          fees,
          store,
          routing,
          submitCertified: updates.submit,
          globalHead: updates.globalHead,
          refreshGlobalHead: updates.refreshGlobalHead,
          ...(options.codeHashes === undefined ? {} : { codeHashes: options.codeHashes }),
          // The node's VDF (built on first use, as for a covered shard) proves this worker's index of a join.
          joinProof: (challenge, difficulty, ids, index) =>
            Effect.flatMap(crypto, (context) => Context.get(context, FrameVdf).solveMulti(challenge, difficulty, ids, index)).pipe(
              Effect.mapError((e) => `${e.operation}: ${e.reason}`),
            ),
          startConsensus: (address, committee, params, ports) =>
            Effect.gen(function* () {
              // A restarted shard host asks again: the running actor (and its ports) stays.
              const running = started.get(bytesToHex(address))
              if (running !== undefined) return running
              const context = yield* crypto
              const bundles = gossipedBundles(address, routing, () => host, scope)
              const transport = yield* shardTransport(network, address, options.peerId, bundles).pipe(Scope.extend(scope))
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
    return host
  })

export const AppShardsLive = (args: WorkerArgs, intrinsics: ReadonlyArray<Intrinsic>, codeHashes: ReadonlyMap<string, string> = new Map()) =>
  Layer.scopedDiscard(
    Effect.gen(function* () {
      const scope = yield* Effect.scope
      yield* makeAppShards({
        networkId: args.networkId,
        peerId: `worker-${args.core}`,
        intrinsics,
        codeHashes,
        // The prover key, BLS, VDF: loaded once, for the worker's lifetime, when it first covers a shard.
        crypto: Layer.buildWithScope(Layer.mergeAll(BlsVerifierLive, BlsProverSignerLive(args.dataDir), NativeFrameVdfLive, PoseidonLive), scope).pipe(
          Effect.orDie,
        ),
        cryptoServices: nodeCryptoServices,
        shardUpdates: makeMasterRef(yield* WorkerLink, SHARD_UPDATES_PATH, ShardUpdatesProtocol),
      })
    }),
  )
