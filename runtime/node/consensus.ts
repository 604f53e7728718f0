// The master's global consensus, run by the real actors (event distributor, prover registry, global
// time reel, global consensus) over real crypto (native BLS48-581, the native Wesolowski VDF with its
// automatic TypeScript fallback). Two devnet shapes: without `engine.genesisProvers` a single-prover
// devnet (this node is the whole genesis committee) over a one-endpoint in-memory Transport; with it a
// multi-process devnet whose shared committee talks over libp2p (p2p-network.ts, same Transport interface).
//
// Lifetime: the crypto services (BLS binding, VDF solver Worker, transport) are built inside this
// layer's scope; the actors are spawned after them and explicitly stopped first on release, so an
// in-flight VDF solve is abandoned by interruption before its Worker goes away.
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js"
import { Context, Data, Effect, Layer, Metric, Option, Queue, type Redacted, Schedule } from "effect"
import { ConsensusUnavailable, FrameNotFound, type GlobalFrameHead, type GlobalFrameView, type ProverView } from "../api/backend.ts"
import { proverView } from "./prover-view.ts"
import { EventDistributorLive } from "../../actors/event-distributor/index.ts"
import { consensusConfigFromNode, devnetTimingFor, type GlobalConsensusConfig } from "../../actors/consensus/global/config.ts"
import { GlobalConsensus, GlobalConsensusLive } from "../../actors/consensus/global/layer.ts"
import type { CertifiedFrame } from "../../actors/consensus/global/persistence.ts"
import { GetStatus } from "../../actors/consensus/global/protocol.ts"
import { committedChain, committedFrameBodies } from "../../actors/consensus/global/committed-chain.ts"
import { shardUpdatesOf } from "../../actors/consensus/global/shard-update-history.ts"
import { ShardRewardFeedLive } from "../../actors/consensus/global/shard-reward-feed.ts"
import { ShardUpdatesLive } from "../../actors/consensus/global/shard-updates.ts"
import { SHARD_UPDATES_PATH, ShardUpdatesProtocol } from "../../actors/consensus/global/shard-updates-protocol.ts"
import type { Message, Protocol } from "../kernel/actor/protocol.ts"
import { makeActorEndpoint } from "../kernel/process/actor-endpoint.ts"
import { WorkerPool } from "../kernel/process/worker-pool.ts"
import { CheckLifecycle, ListProvers, ProverDetail, ProverRegistry, ProverRegistryLive, RegistryGenesis } from "../../actors/prover-registry/index.ts"
import { GlobalTimeReelLive } from "../../actors/time-reel/index.ts"
import { Store, type StoreService } from "../store/index.ts"
import type { NodeConfig } from "../../config/index.ts"
import { BlsLive } from "../../crates/ts/bls/bls.ts"
import { BlsProverSignerFromIkm, BlsVerifierOnWorkersFromService } from "../../crates/ts/bls/bls-live.ts"
import { NativeFrameVdfLive } from "../../crates/ts/vdf/frame-vdf-live.ts"
import type { PoseidonHash } from "../../crates/ts/services.ts"
import { PoseidonLive } from "../../crates/ts/poseidon-live.ts"
import { genesisQuorumCertificate, stubGlobalGenesisHeader } from "../../actors/consensus/core/frame-production.ts"
import { GlobalFrame } from "../../actors/consensus/core/messages/global-frame.ts"
import { BlsVerifier, FrameVdf, Poseidon, ProverSigner, type ProverSignerService } from "../../crates/ts/services.ts"
import { isProposableLifecycle } from "../../actors/consensus/global/lifecycle-requests.ts"
import { type LifecyclePoolOutcome, LifecycleRequestPool } from "../../actors/consensus/global/lifecycle-pool.ts"
import { GLOBAL_PROVER } from "../network/bitmask.ts"
import { ActorSystem } from "../kernel/index.ts"
import { makeInMemoryNetwork } from "../kernel/transport/in-memory.ts"
import { Transport } from "../kernel/transport/transport.ts"
import type { PeerInfo } from "../network/peer-info.ts"
import { OptionalNodeNetwork } from "./p2p-network.ts"
import { currentRank, frameIntervalSeconds, headFrameNumber, timeoutsTotal } from "./consensus-metrics.ts"
import { ChainGuard, type ChainIdentity } from "./chain-guard.ts"
import { estimateRankWork } from "./rank-work-estimate.ts"

/**
 * Devnet VDF difficulty when `engine.difficulty` is not set. The native Wesolowski solver takes about
 * 18–19 µs per iteration on the 2-core development machine, so 50 000 iterations is ≈ 1 s of solving
 * per frame; with signing, validation and commits a frame lands every ≈ 1–1.5 s. Tests pass a small
 * `--set engine.difficulty=…` to run faster.
 */
export const DEVNET_DEFAULT_DIFFICULTY = 50_000

/** BLS verify Worker threads in the master (one: a node verifies its ring's messages one at a time). */
const VERIFY_WORKERS = 1

/** The fixed VDF difficulty of this node's chains: `engine.difficulty`, else the devnet default; undefined = the network's adjuster. */
export const nodeDifficulty = (config: NodeConfig): number | undefined =>
  config.engine.difficulty ?? (config.engine.devnet ? DEVNET_DEFAULT_DIFFICULTY : undefined)

/** Consensus parameters of this node: devnet timing and the devnet default difficulty when unset. */
export const nodeConsensusConfig = (config: NodeConfig): GlobalConsensusConfig =>
  consensusConfigFromNode({
    p2p: config.p2p,
    engine: { devnet: config.engine.devnet, difficulty: nodeDifficulty(config) },
  })

/** Reads of the global chain the admin API serves (from the committed chain in the store, not the mailbox). */
export interface NodeConsensusService {
  readonly head: Effect.Effect<GlobalFrameHead, ConsensusUnavailable>
  readonly frame: (frameNumber: bigint) => Effect.Effect<GlobalFrameView, FrameNotFound | ConsensusUnavailable>
  /** Connected libp2p peers (empty when the node runs without p2p: the single-node devnet). */
  readonly peers: Effect.Effect<ReadonlyArray<PeerInfo>>
  /**
   * The genesis committee's BLS public keys (`engine.genesisProvers`, else this node's own prover key):
   * app shards of a devnet run with the same committee (shard-hosts.ts hands it to the workers).
   */
  readonly committee: ReadonlyArray<Uint8Array>
  /** The measured critical path of one rank (devnet pacemaker sizing); undefined when not measured. */
  readonly rankWorkMs: number | undefined
  /** The prover registry with reward balances (`GET /v1/provers`); absent without consensus. */
  readonly provers?: Effect.Effect<ReadonlyArray<ProverView>>
  readonly prover?: (address: Uint8Array) => Effect.Effect<ProverView | undefined>
  /** The node's own prover key and the registry's dry run, for lifecycle operations it builds (prover-ops.ts). */
  readonly lifecycle?: NodeLifecycleService
}

/** What building and submitting this node's own prover lifecycle operations needs from its consensus. */
interface NodeLifecycleService {
  readonly signer: ProverSignerService
  readonly poseidon: PoseidonHash
  /** Would the operation apply at global frame `frameNumber`? (prover-registry CheckLifecycle) */
  readonly check: (operation: Uint8Array, frameNumber: bigint) => Effect.Effect<{ readonly refusal: string | null; readonly appliedThrough: bigint }>
  /**
   * Into this node's lifecycle pool (proposed when it leads, D-GC-19) and out on the GLOBAL_PROVER bitmask to
   * every other node's pool (D-GC-20): the path `Devnet.submitLifecycle` takes in the harness, from a route.
   */
  readonly submit: (request: Uint8Array) => Effect.Effect<LifecyclePoolOutcome>
}

/** A registry query waits at most this long (it answers between credit batches). */
const REGISTRY_ASK_TIMEOUT = "5 seconds"

export class NodeConsensus extends Context.Tag("quilbun/node/NodeConsensus")<NodeConsensus, NodeConsensusService>() {}

/** Without a consensus engine (non-devnet until the p2p and genesis work lands) every read is 503. */
const NodeConsensusUnavailable = (config: NodeConfig, reason: string) =>
  Layer.succeed(NodeConsensus, {
    head: Effect.fail(new ConsensusUnavailable({ reason })),
    frame: () => Effect.fail(new ConsensusUnavailable({ reason })),
    peers: Effect.succeed([]),
    committee: genesisProverKeys(config),
    rankWorkMs: undefined,
  })

class CorruptFrame extends Data.TaggedError("CorruptFrame")<{ readonly frameNumber: bigint; readonly detail: string }> {}

const num = (n: bigint): number => Number(n)

const frameView = (poseidon: PoseidonHash, c: CertifiedFrame): GlobalFrameView => {
  const h = c.frame.header
  const sig = h.publicKeySignatureBls48581
  return {
    frameNumber: num(h.frameNumber),
    rank: num(h.rank),
    timestamp: num(h.timestamp),
    difficulty: h.difficulty,
    selector: bytesToHex(poseidon(h.output)),
    parentSelector: bytesToHex(h.parentSelector),
    output: bytesToHex(h.output),
    prover: bytesToHex(h.prover),
    proverTreeCommitment: bytesToHex(h.proverTreeCommitment),
    requestsRoot: bytesToHex(h.requestsRoot),
    globalCommitments: h.globalCommitments.map(bytesToHex),
    signature:
      sig === undefined
        ? null
        : { signature: bytesToHex(sig.signature), publicKey: sig.publicKey === undefined ? null : bytesToHex(sig.publicKey), bitmask: bytesToHex(sig.bitmask) },
    requests: c.frame.requests.map(bytesToHex),
    shardUpdates: shardUpdatesOf(c.frame).map((u) => ({ address: u.address, frameNumber: num(u.frameNumber) })),
    quorumCertificate: { rank: num(c.qc.rank), frameNumber: num(c.qc.frameNumber), selector: bytesToHex(c.qc.selector), timestamp: num(c.qc.timestamp) },
  }
}

/** Frame 0: the config-derived genesis with the QC every node derives for it (never stored). */
const genesisOf = (poseidon: PoseidonHash, config: GlobalConsensusConfig) => {
  const header = stubGlobalGenesisHeader({ timestamp: config.genesisTimestamp, difficulty: config.genesisDifficulty })
  const selector = poseidon(header.output)
  const head: GlobalFrameHead = { frameNumber: 0, rank: num(header.rank), selector: bytesToHex(selector), timestamp: num(header.timestamp) }
  const certified: CertifiedFrame = {
    frame: new GlobalFrame({ header, requests: [] }),
    qc: genesisQuorumCertificate({ filter: new Uint8Array(), frameNumber: 0n, selector, timestamp: config.genesisTimestamp }),
  }
  return { head, certified, selectorHex: head.selector }
}

/**
 * Reads of the committed chain through the consensus module's reader (committed-chain.ts), not its
 * storage layout, and not through the actor's mailbox: a handler of that actor may be waiting on a VDF
 * solve or a batch of verifications for seconds, and the API must answer meanwhile.
 */
const chainReader = (store: StoreService, poseidon: PoseidonHash, genesis: ReturnType<typeof genesisOf>) => {
  const chain = committedChain(store)
  const unavailable = (e: { readonly _tag: string; readonly detail?: string }) =>
    new ConsensusUnavailable({ reason: `store read failed: ${e._tag}${e.detail === undefined ? "" : ` (${e.detail})`}` })
  const headNumber = store.read(chain.headNumber).pipe(Effect.mapError(unavailable))
  const certified = (n: bigint): Effect.Effect<CertifiedFrame | undefined, ConsensusUnavailable> =>
    store.read(() => chain.frame(n)).pipe(Effect.mapError(unavailable))
  const head: Effect.Effect<GlobalFrameHead, ConsensusUnavailable> = Effect.gen(function* () {
    const n = yield* headNumber
    if (n === 0n) return genesis.head
    const c = yield* certified(n)
    if (c === undefined) return yield* unavailable(new CorruptFrame({ frameNumber: n, detail: "head points at a missing frame" }))
    const h = c.frame.header
    return { frameNumber: num(h.frameNumber), rank: num(h.rank), selector: bytesToHex(c.qc.selector), timestamp: num(h.timestamp) }
  })
  const frame = (n: bigint): Effect.Effect<GlobalFrameView, FrameNotFound | ConsensusUnavailable> =>
    Effect.gen(function* () {
      if (n === 0n) return frameView(poseidon, genesis.certified)
      const c = yield* certified(n)
      if (c !== undefined) return frameView(poseidon, c)
      return yield* new FrameNotFound({ frameNumber: n, head: yield* headNumber })
    })
  return { head, frame, headNumber }
}

export interface NodeConsensusOptions {
  readonly config: NodeConfig
  /** This node's prover key material (keys/prover.key). */
  readonly proverIkm: Redacted.Redacted<Uint8Array>
  /** The in-memory transport's peer id (the node id); with p2p the libp2p peer id is used instead. */
  readonly peerId: string
}

/** The shared genesis committee from `engine.genesisProvers` (hex BLS48-581 keys); empty = single node. */
const genesisProverKeys = (config: NodeConfig): ReadonlyArray<Uint8Array> => (config.engine.genesisProvers ?? []).map((hex) => hexToBytes(hex))

/** Frame interval from consecutive committed header timestamps; head gauge from the last frame. */
const recordCommits = (frames: ReadonlyArray<CertifiedFrame>, previous: { timestamp: bigint | undefined }) =>
  Effect.gen(function* () {
    for (const f of frames) {
      const h = f.frame.header
      if (previous.timestamp !== undefined && h.timestamp >= previous.timestamp) {
        yield* Metric.set(frameIntervalSeconds, Number(h.timestamp - previous.timestamp) / 1000)
      }
      previous.timestamp = h.timestamp
      yield* Metric.set(headFrameNumber, Number(h.frameNumber))
    }
  })

/**
 * The devnet: genesis committee = `engine.genesisProvers` over libp2p when set (a multi-process devnet),
 * else this node's BLS key alone over the in-memory transport; equal weight either way (seniority 0,
 * the D-GC-1 one-vote-per-prover rule). Requires the actor system and the master store.
 */
const NodeConsensusLive = (options: NodeConsensusOptions) =>
  Layer.scoped(
    NodeConsensus,
    Effect.gen(function* () {
      const configured = nodeConsensusConfig(options.config)
      const system = yield* ActorSystem.ActorSystem
      const store = yield* Store
      const genesisKeys = genesisProverKeys(options.config)
      const guard = yield* ChainGuard
      // A shared genesis committee means other processes: the node runs a libp2p host, the transport here.
      const p2p = Option.getOrUndefined(yield* OptionalNodeNetwork)
      const endpoint =
        p2p === undefined ? yield* Effect.flatMap(makeInMemoryNetwork({ seed: 1 }), (network) => network.endpoint(options.peerId)) : p2p.transport
      // Pairing checks (~50 ms each) run on a Worker thread, so the master's event loop (admin API,
      // libp2p, the actors) never stalls behind one (actors/consensus/core DECISIONS D-LIVE-4).
      const crypto = Layer.mergeAll(BlsVerifierOnWorkersFromService(VERIFY_WORKERS), BlsProverSignerFromIkm(options.proverIkm)).pipe(
        Layer.provide(BlsLive),
        Layer.merge(NativeFrameVdfLive),
        Layer.merge(PoseidonLive),
      )
      const cryptoContext = yield* Layer.build(crypto)
      // Devnet pacemaker sized to this machine's work per rank (see devnetTimingFor).
      const work = options.config.engine.devnet
        ? yield* estimateRankWork(
            { vdf: Context.get(cryptoContext, FrameVdf), verifier: Context.get(cryptoContext, BlsVerifier), signer: Context.get(cryptoContext, ProverSigner) },
            configured.genesisDifficulty,
          )
        : undefined
      const config: GlobalConsensusConfig = work === undefined ? configured : { ...configured, timing: devnetTimingFor(work.rankWorkMs) }
      if (work !== undefined) {
        yield* Effect.logInfo("devnet pacemaker sized to this machine").pipe(
          Effect.annotateLogs({
            vdfSolveMs: Math.round(work.vdfSolveMs),
            blsVerifyMs: Math.round(work.blsVerifyMs),
            blsSignMs: Math.round(work.blsSignMs),
            minTimeoutMs: config.timing.timeouts.minReplicaTimeoutMs,
          }),
        )
      }
      const signer = Context.get(cryptoContext, ProverSigner)
      const poseidon = Context.get(cryptoContext, Poseidon)
      const committee = genesisKeys.length === 0 ? [signer.publicKey] : genesisKeys
      const context = cryptoContext.pipe(
        Context.add(ActorSystem.ActorSystem, system),
        Context.add(Transport, endpoint),
        Context.add(Store, store),
        Context.add(RegistryGenesis, {
          network: config.network,
          provers: committee.map((publicKey) => ({ publicKey, seniority: 0n })),
        }),
      )
      const genesis = genesisOf(poseidon, config)
      const chain: ChainIdentity = { network: config.network, genesisSelector: genesis.selectorHex, committee: committee.map(bytesToHex) }
      const reader = chainReader(store, poseidon, genesis)

      const commits = yield* Queue.unbounded<ReadonlyArray<CertifiedFrame>>()
      // Lifecycle requests this node proposes when it leads (D-GC-20): its own route's and the prover bitmask's.
      const lifecycle = new LifecycleRequestPool()
      const seen = { head: yield* reader.headNumber.pipe(Effect.orElseSucceed(() => 0n)) }
      const onCommitted = (frames: ReadonlyArray<CertifiedFrame>) => {
        for (const f of frames) {
          seen.head = f.frame.header.frameNumber
          lifecycle.committed(f.frame.header.frameNumber, f.frame.requests)
        }
        Queue.unsafeOffer(commits, frames)
      }
      // The subsystems' own wiring Layers (as the devnet harness and the tests use them), built in this
      // scope after the crypto services: released first, consensus before what it talks to.
      const subsystems = GlobalConsensusLive({ config, onCommitted, pendingLifecycle: Effect.sync(() => lifecycle.pending()) }).pipe(
        // The pool of certified app-shard headers the workers submit (exported to them below).
        Layer.provideMerge(ShardUpdatesLive()),
        Layer.provideMerge(GlobalTimeReelLive({ name: "global-time-reel", certified: true, frameBodies: committedFrameBodies })),
        // One after the other, as the devnet harness does (built concurrently there, under TestClock, it hung).
        // The registry pays the shard updates committed global frames carry (prover-registry D-REG-6).
        Layer.provideMerge(EventDistributorLive.pipe(Layer.provideMerge(ProverRegistryLive.pipe(Layer.provide(ShardRewardFeedLive()))))),
      )
      const built = yield* Layer.build(subsystems).pipe(Effect.provide(context))
      const consensus = Context.get(built, GlobalConsensus)
      const workers = yield* WorkerPool
      yield* workers.serveActors(makeActorEndpoint(system, new Map([[SHARD_UPDATES_PATH, ShardUpdatesProtocol as unknown as Protocol<Message>]])))

      yield* Metric.set(headFrameNumber, Number(yield* reader.headNumber))
      // Registers the counter, so the family is exposed (at 0) before the first timeout.
      yield* Metric.incrementBy(timeoutsTotal, 0)
      const previous: { timestamp: bigint | undefined } = { timestamp: undefined }
      yield* Queue.take(commits).pipe(
        Effect.flatMap((frames) =>
          Effect.zipRight(
            recordCommits(frames, previous),
            // chain.json: the data dir now holds a chain (chain-guard.ts)
            // The QC names the frame's selector: no second Poseidon hash per committed frame.
            guard.committed(
              chain,
              frames.map((f) => ({ frameNumber: f.frame.header.frameNumber, selector: bytesToHex(f.qc.selector) })),
            ),
          ),
        ),
        Effect.forever,
        Effect.forkScoped,
      )
      // Other nodes' lifecycle requests (the transport's validator let through only decodable ones).
      yield* endpoint.subscribe(GLOBAL_PROVER, (m) => {
        if (isProposableLifecycle(m.data)) lifecycle.add(m.data, seen.head)
      })
      // Rank and timeouts come from the engine's status; its counters restart with each incarnation.
      const timeouts = { sent: 0 }
      yield* consensus.ask(new GetStatus(), "2 seconds").pipe(
        Effect.flatMap((status) =>
          Effect.gen(function* () {
            yield* Metric.set(currentRank, Number(status.currentRank))
            const delta = status.timeoutsSent >= timeouts.sent ? status.timeoutsSent - timeouts.sent : status.timeoutsSent
            timeouts.sent = status.timeoutsSent
            if (delta > 0) yield* Metric.incrementBy(timeoutsTotal, delta)
          }),
        ),
        Effect.ignore,
        Effect.repeat(Schedule.spaced("1 second")),
        Effect.forkScoped,
      )
      yield* Effect.logInfo("global consensus started").pipe(
        Effect.annotateLogs({
          prover: bytesToHex(signer.address),
          network: config.network,
          difficulty: config.genesisDifficulty,
          head: String(yield* reader.headNumber),
        }),
      )
      if (p2p !== undefined) {
        const member = genesisKeys.some((k) => Buffer.compare(Buffer.from(k), Buffer.from(signer.publicKey)) === 0)
        yield* Effect.logInfo("multi-process devnet").pipe(Effect.annotateLogs({ peerId: p2p.host.peerId, genesisProvers: genesisKeys.length, member }))
      }
      const registry = Context.get(built, ProverRegistry)
      return {
        head: reader.head,
        frame: reader.frame,
        peers: p2p === undefined ? Effect.succeed([]) : p2p.peers,
        committee,
        rankWorkMs: work?.rankWorkMs,
        provers: registry.ask(new ListProvers(), REGISTRY_ASK_TIMEOUT).pipe(
          Effect.map((all) => all.map(proverView)),
          Effect.orDie,
        ),
        prover: (address: Uint8Array) =>
          registry.ask(new ProverDetail({ address }), REGISTRY_ASK_TIMEOUT).pipe(
            Effect.map((p) => (p === null ? undefined : proverView(p))),
            Effect.orDie,
          ),
        lifecycle: {
          signer,
          poseidon,
          check: (operation, frameNumber) => registry.ask(new CheckLifecycle({ operation, frameNumber }), REGISTRY_ASK_TIMEOUT).pipe(Effect.orDie),
          submit: (request) =>
            Effect.gen(function* () {
              const outcome = lifecycle.add(request, seen.head)
              // Published even when already pooled here: the client asked again, maybe because the first was lost.
              if (outcome !== "full") yield* endpoint.publish(GLOBAL_PROVER, request)
              return outcome
            }),
        },
      }
    }),
  )

/** Devnet engines run consensus; other engines wait for p2p and a real genesis (reads answer 503). */
export const MasterConsensusLive = (options: NodeConsensusOptions) =>
  options.config.engine.devnet ? NodeConsensusLive(options) : NodeConsensusUnavailable(options.config, "global consensus runs only with engine.devnet for now")
