// The master's side of the data workers' shard hosts (/worker-<n>/app-shards, shard-host-protocol.ts):
// it routes a submitted bundle to its shard (actors/execution/routing.ts), finds or allocates the worker
// covering that shard (shard-allocation.ts), hands the bundle over, and gathers bundle statuses and
// shard views from every worker for the admin API.
//
// On a network, every bundle this node takes is also gossiped on its shard's prover channel, so that the
// other nodes covering the shard hold it too (whichever of them leads a rank can propose it), and a
// devnet's masters tell each other which shards they cover (shard-coverage.ts) so that every node of
// the genesis committee covers every shard.
//
// Every allocated worker is sent CoverShard every COVER_EVERY and right after its allocation. The
// message is idempotent on the worker, so this is also how a restarted worker gets its shard back
// within seconds: simpler than watching worker link incarnations, and a lost message heals itself.
import { sha3_256 } from "@noble/hashes/sha3.js"
import { bytesToHex, concatBytes } from "@noble/hashes/utils.js"
import { Context, Effect, Either, Layer, Option, Schedule } from "effect"
import {
  BundleStatus,
  CoverShard,
  CreateJoinProof,
  ListShards,
  SHARD_HOST_NAME,
  type ShardConsensusParams,
  ShardHostProtocol,
  SubmitBundle,
  type BundleStatusView,
  type ShardHostMessage,
  type ShardView,
} from "../../actors/consensus/app/shard-host-protocol.ts"
import { routeBundle } from "../../actors/execution/routing.ts"
import type { ResolverConfig } from "../../actors/execution/resolver.ts"
import type { NodeConfig } from "../../config/index.ts"
import { type Intrinsic, loadIntrinsics } from "../../intrinsics/contract/index.ts"
import { type BundleAccepted, BundleInvalid, type BundleStatusAnswer, ShardBusy, type ShardStatusView, ShardUnavailable } from "../api/backend.ts"
import type { ActorRef } from "../kernel/actor/ref.ts"
import { WorkerPool } from "../kernel/process/worker-pool.ts"
import { bloomFilter, shardChannels } from "../network/bitmask.ts"
import { Store } from "../store/index.ts"
import { NodeConsensus, nodeDifficulty } from "./consensus.ts"
import { builtInIntrinsics, instanceTypeTag, nodeCryptoServices } from "./intrinsics.ts"
import { makeRejectedBundles } from "./rejected-bundles.ts"
import { OptionalNodeNetwork } from "./p2p-network.ts"
import { makeShardAllocationTable } from "./shard-allocation.ts"
import { type ShardCoverageGossip, shardCoverageGossip } from "./shard-coverage.ts"
import { workerActorPath } from "./worker-node.ts"

const COVER_EVERY = "2 seconds"
/** One worker's blob of a join multiproof: a VDF solve at the global frame's difficulty (about a frame's solve). */
const JOIN_PROOF_TIMEOUT = "15 seconds"
const ASK_TIMEOUT = "5 seconds"
/** Master-side rejections remembered for `GET /v1/bundles/{id}`. */
const REJECTED_KEPT = 4096

export interface ShardHostsService {
  readonly submit: (bundle: Uint8Array, domain: Uint8Array | undefined) => Effect.Effect<BundleAccepted, BundleInvalid | ShardBusy | ShardUnavailable>
  readonly status: (id: Uint8Array) => Effect.Effect<BundleStatusAnswer>
  readonly shards: Effect.Effect<ReadonlyArray<ShardStatusView>>
  /** The worker covering the shard whose app address is `shard` (32 bytes), if any. */
  readonly coreOf: (shard: Uint8Array) => number | undefined
  /**
   * A join multiproof (consensus.md §4.6): blob i from running worker i mod n (CreateJoinProof), concatenated
   * in id order; fails with the reason when no worker runs or one cannot prove.
   */
  readonly joinProof: (challenge: Uint8Array, difficulty: number, ids: ReadonlyArray<Uint8Array>) => Effect.Effect<Uint8Array, string>
}

export class ShardHosts extends Context.Tag("quilbun/node/ShardHosts")<ShardHosts, ShardHostsService>() {}

/** Which answer wins when workers disagree (a worker that restarted may still list it as pending). */
const STATUS_RANK: Record<BundleStatusView["status"], number> = { committed: 3, rejected: 2, pending: 1, unknown: 0 }

const shardStatus = (core: number, v: ShardView): ShardStatusView => ({
  address: bytesToHex(v.address),
  frameNumber: Number(v.frameNumber),
  rank: Number(v.rank),
  stateRoots: v.stateRoots.map(bytesToHex),
  provers: v.provers,
  core,
  halted: v.halted,
  mempool: v.mempool,
  bundlesCommitted: v.bundlesCommitted,
  bundlesRejected: v.bundlesRejected,
  equivocations: v.equivocations,
})

const statusAnswer = (v: BundleStatusView): BundleStatusAnswer => ({
  status: v.status,
  shard: v.shard === null ? null : bytesToHex(v.shard),
  frameNumber: v.frameNumber === null ? null : Number(v.frameNumber),
  reason: v.reason,
})

/** Needs the master store, the worker pool and the node's consensus (committee, measured rank work). */
export const ShardHostsLive = (config: NodeConfig, intrinsics: ReadonlyArray<Intrinsic> = builtInIntrinsics) =>
  Layer.scoped(
    ShardHosts,
    Effect.gen(function* () {
      const store = yield* Store
      const pool = yield* WorkerPool
      const consensus = yield* NodeConsensus
      const pubsub = Option.map(yield* OptionalNodeNetwork, (n) => n.host.pubsub)
      const registry = yield* Effect.orDie(loadIntrinsics(intrinsics))
      const resolver: ResolverConfig = { registry, network: config.p2p.networkId, crypto: nodeCryptoServices, typeTagOf: instanceTypeTag }
      const table = yield* Effect.orDie(makeShardAllocationTable(store, { cores: pool.cores, devnet: config.engine.devnet }))
      const rejected = makeRejectedBundles(REJECTED_KEPT)
      const difficulty = nodeDifficulty(config)
      const params: ShardConsensusParams = {
        network: config.p2p.networkId,
        devnet: config.engine.devnet,
        ...(difficulty === undefined ? {} : { difficulty }),
        ...(consensus.rankWorkMs === undefined ? {} : { rankWorkMs: consensus.rankWorkMs }),
      }
      const hostOf = (core: number): Effect.Effect<ActorRef<ShardHostMessage>, { readonly _tag: "NoSuchWorker" }> =>
        pool.ref(core, workerActorPath(core, SHARD_HOST_NAME), ShardHostProtocol)
      const running = Effect.map(pool.infos, (infos) => infos.filter((w) => w.state === "running").map((w) => w.core))

      // A worker that does not answer is covered again on the next round.
      const cover = (core: number, address: Uint8Array) =>
        hostOf(core).pipe(
          Effect.flatMap((ref) => ref.ask(new CoverShard({ address, committee: consensus.committee, params }), ASK_TIMEOUT)),
          Effect.asVoid,
          Effect.catchAll((e) => Effect.logDebug("CoverShard not answered").pipe(Effect.annotateLogs({ core, address: bytesToHex(address), error: e._tag }))),
        )
      // A devnet covers the fixed instances of app-placed plugins (e.g. plugins/kv's default instance)
      // from the start, in load order while workers are free: a write to them needs no first-bundle wait,
      // and every node of the devnet, configured alike, covers the same ones. Built-ins' fixed instances
      // (QUIL) are covered by their first bundle, as a hypergraph instance is, so they take no worker
      // from the plugins (intrinsics/token DECISIONS D-TOKEN-8).
      if (config.engine.devnet)
        for (const intrinsic of intrinsics)
          if (intrinsic.manifest.placement === "app" && !builtInIntrinsics.includes(intrinsic))
            for (const instance of intrinsic.manifest.fixedInstances)
              yield* table.allocate(instance.address).pipe(
                Effect.tap(({ fresh }) =>
                  fresh
                    ? Effect.logInfo("fixed instance covered").pipe(Effect.annotateLogs({ intrinsic: intrinsic.manifest.name, instance: instance.label }))
                    : Effect.void,
                ),
                Effect.catchAll((e) =>
                  Effect.logInfo("fixed instance not covered: no free data worker").pipe(
                    Effect.annotateLogs({ intrinsic: intrinsic.manifest.name, instance: instance.label, reason: e._tag }),
                  ),
                ),
              )
      yield* Effect.gen(function* () {
        const live = new Set(yield* running)
        yield* Effect.forEach(
          table.entries().filter((a) => live.has(a.core)),
          (a) => cover(a.core, a.shard),
          { concurrency: "unbounded", discard: true },
        )
      }).pipe(Effect.repeat(Schedule.spaced(COVER_EVERY)), Effect.forkScoped)

      // A shard just allocated here is announced at once; others learn the rest every few seconds.
      const coverage: Option.Option<ShardCoverageGossip> =
        config.engine.devnet && Option.isSome(pubsub)
          ? Option.some(
              yield* shardCoverageGossip(
                pubsub.value,
                () => table.entries().map((a) => a.shard),
                (shard) =>
                  table.allocate(shard).pipe(
                    Effect.flatMap(({ core, fresh }) => (fresh ? cover(core, shard) : Effect.void)),
                    Effect.catchAll((e) =>
                      Effect.logDebug("announced shard not covered here").pipe(Effect.annotateLogs({ address: bytesToHex(shard), reason: e._tag })),
                    ),
                  ),
              ),
            )
          : Option.none()
      const announce = Option.match(coverage, { onNone: () => Effect.void, onSome: (c) => c.announce })

      /** The other nodes covering the shard get the bundle too; true when someone could hear it. */
      const gossip = (shard: Uint8Array, bundle: Uint8Array) =>
        Option.match(pubsub, {
          onNone: () => Effect.succeed(false),
          onSome: (p) =>
            p.publish(shardChannels(bloomFilter(shard)).prover, bundle).pipe(
              Effect.as(true),
              Effect.catchAll((e) =>
                Effect.as(Effect.logDebug("bundle not gossiped").pipe(Effect.annotateLogs({ shard: bytesToHex(shard), reason: e._tag })), false),
              ),
            ),
        })

      const askStatus = (core: number, id: Uint8Array) =>
        hostOf(core).pipe(
          Effect.flatMap((ref) => ref.ask(new BundleStatus({ id }), ASK_TIMEOUT)),
          Effect.option,
        )

      const submit = (bundle: Uint8Array, domain: Uint8Array | undefined) =>
        Effect.gen(function* () {
          // Routing reads no state; the frame number only matters to operations gated by frame.
          const frameNumber = yield* consensus.head.pipe(
            Effect.map((h) => BigInt(h.frameNumber)),
            Effect.orElseSucceed(() => 0n),
          )
          const route = routeBundle(resolver, bundle, frameNumber, domain)
          if (Either.isLeft(route)) return yield* new BundleInvalid({ reason: route.left.reason, detail: route.left.detail })
          const shard = route.right.shard
          const id = sha3_256(bundle)
          const base = { id: bytesToHex(id), shard: bytesToHex(shard) }
          const allocated = yield* table.allocate(shard).pipe(
            Effect.catchTag("StoreCommitFailed", (e) => Effect.fail(new ShardUnavailable({ reason: `allocating shard ${base.shard}: ${e.reason}` }))),
            Effect.either,
          )
          if (Either.isLeft(allocated)) {
            if (allocated.left._tag === "ShardUnavailable") return yield* allocated.left
            // No worker here, but other nodes may cover it: they get it through the shard's channel.
            if (yield* gossip(shard, bundle)) return { ...base, status: "pending" as const }
            const reason = `no data worker covers shard ${base.shard}`
            rejected.remember(id, { shard, reason })
            yield* Effect.logInfo("bundle rejected").pipe(Effect.annotateLogs({ id: base.id, reason, detail: allocated.left.detail }))
            return { ...base, status: "rejected" as const, reason }
          }
          const { core } = allocated.right
          if (allocated.right.fresh) yield* Effect.zipRight(cover(core, shard), announce)
          const unavailable = (e: { readonly _tag: string }) => new ShardUnavailable({ reason: `worker ${core} did not take the bundle: ${e._tag}` })
          const ref = yield* hostOf(core).pipe(Effect.mapError(unavailable))
          // The route's domain is the host's own unless the client named one (the host routes that itself).
          const routed = domain === undefined ? { domain: route.right.domain } : {}
          const hand = ref.ask(new SubmitBundle({ bundle, shard, ...routed }), ASK_TIMEOUT)
          // The worker lost its shard (it restarted before the next cover round): cover it and retry once.
          const answer = yield* hand.pipe(
            Effect.catchTag("ShardNotCovered", () => Effect.zipRight(cover(core, shard), hand)),
            Effect.mapError((e) => (e._tag === "MempoolFull" ? new ShardBusy({ shard: base.shard, retryAfterMs: e.retryAfterMs }) : unavailable(e))),
          )
          if (answer.outcome === "accepted") {
            yield* gossip(shard, bundle)
            return { ...base, status: "pending" as const }
          }
          // A duplicate: answer where it stands now.
          const now = yield* askStatus(core, id)
          if (now._tag === "None" || now.value.status === "unknown" || now.value.status === "pending") return { ...base, status: "pending" as const }
          return { ...base, status: now.value.status, ...(now.value.reason === null ? {} : { reason: now.value.reason }) }
        })

      const status = (id: Uint8Array) =>
        Effect.gen(function* () {
          const answers = yield* Effect.forEach(yield* running, (core) => askStatus(core, id), { concurrency: "unbounded" })
          let best: BundleStatusView | undefined
          for (const a of answers) if (a._tag === "Some" && (best === undefined || STATUS_RANK[a.value.status] > STATUS_RANK[best.status])) best = a.value
          if (best !== undefined && best.status !== "unknown") return statusAnswer(best)
          const own = rejected.get(id)
          if (own !== undefined) return { status: "rejected" as const, shard: bytesToHex(own.shard), frameNumber: null, reason: own.reason }
          return { status: "unknown" as const, shard: null, frameNumber: null, reason: null }
        })

      const shards = Effect.gen(function* () {
        const lists = yield* Effect.forEach(
          yield* running,
          (core) =>
            hostOf(core).pipe(
              Effect.flatMap((ref) => ref.ask(new ListShards(), ASK_TIMEOUT)),
              Effect.map((views) => views.map((v) => shardStatus(core, v))),
              // A worker that does not answer lists nothing; its shard reappears when it does.
              Effect.orElseSucceed((): ReadonlyArray<ShardStatusView> => []),
            ),
          { concurrency: "unbounded" },
        )
        return lists.flat()
      })

      const joinProof = (challenge: Uint8Array, difficulty: number, ids: ReadonlyArray<Uint8Array>) =>
        Effect.gen(function* () {
          const cores = yield* running
          if (cores.length === 0) return yield* Effect.fail("no data worker is running to prove the join")
          const blobs = yield* Effect.forEach(
            ids,
            (_, index) => {
              const core = cores[index % cores.length] ?? 0
              return hostOf(core).pipe(
                Effect.flatMap((ref) => ref.ask(new CreateJoinProof({ challenge, difficulty, ids, index }), JOIN_PROOF_TIMEOUT)),
                Effect.mapError((e) => `worker ${core}, proof ${index}: ${e._tag === "JoinProofFailed" ? e.reason : e._tag}`),
              )
            },
            { concurrency: "unbounded" },
          )
          return concatBytes(...blobs.map((b) => b.proof))
        })

      return { submit, status, shards, coreOf: (shard: Uint8Array) => table.coreOf(shard.subarray(0, 32)), joinProof }
    }),
  )
