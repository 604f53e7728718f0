// Devnet harness: N global-consensus nodes in one process over the in-memory transport, each with its
// own actor system and LMDB store, driven by Effect's Clock (TestClock in tests) and a seed. Fault
// injection: crash/restart a node, partition/heal, link faults (delay, drop, duplicate), and byzantine
// proposers (equivocation, invalid VDF output, bad signature) implemented as message interceptors, so
// the consensus code itself carries no byzantine switches.
//
// Crypto defaults to the INSECURE test stand-in (runtime/testing): devnet only; `crypto`
// swaps in other services (the consensus benchmark runs the real BLS48-581 and native VDF).
import { existsSync, mkdirSync, mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Context, Effect, Exit, Layer, Option, Scope, TestClock } from "effect"
import { type GlobalConsensusConfig, devnetConsensusConfig } from "../../actors/consensus/global/config.ts"
import type { GlobalConsensusRef } from "../../actors/consensus/global/global-consensus.ts"
import { GlobalConsensus, GlobalConsensusLive } from "../../actors/consensus/global/layer.ts"
import { LifecycleRequestPool } from "../../actors/consensus/global/lifecycle-pool.ts"
import type { CertifiedFrame } from "../../actors/consensus/global/persistence.ts"
import { committedFrameBodies } from "../../actors/consensus/global/committed-chain.ts"
import { ShardRewardFeedLive } from "../../actors/consensus/global/shard-reward-feed.ts"
import { ShardUpdates, ShardUpdatesLive, type ShardUpdatesRef } from "../../actors/consensus/global/shard-updates.ts"
import { type ConsensusStatus, GetCommitted, GetStatus } from "../../actors/consensus/global/protocol.ts"
import { Store, StoreLive, type StoreService } from "../store/index.ts"
import { EventDistributor, EventDistributorLive, type EventDistributorRef } from "../../actors/event-distributor/index.ts"
import { ProverRegistry, ProverRegistryLive, type ProverRegistryRef, registryGenesisLayer } from "../../actors/prover-registry/index.ts"
import { GlobalTimeReel, GlobalTimeReelLive, type TimeReelMessage } from "../../actors/time-reel/index.ts"
import { poseidonHashBytes } from "../../crates/ts/poseidon.ts"
import { TypePrefix } from "../../actors/consensus/core/canonical/type-prefix.ts"
import { GlobalFrame } from "../../actors/consensus/core/messages/global-frame.ts"
import { GlobalFrameHeader } from "../../actors/consensus/core/messages/global-frame-header.ts"
import { ProposalVote } from "../../actors/consensus/core/messages/proposal-vote.ts"
import { decodeGlobalProposal, encodeGlobalProposal, GlobalProposal } from "../../actors/consensus/core/messages/proposals.ts"
import { BLS48581AddressedSignature, BLS48581AggregateSignature } from "../../actors/consensus/core/messages/signatures.ts"
import type { PoseidonHash } from "../../crates/ts/services.ts"
import type { ActiveProver } from "../../actors/consensus/core/prover-ring.ts"
import { referenceTsVdf } from "../../crates/ts/vdf/reference-frame-vdf.ts"
import {
  BlsVerifier,
  type BlsVerifierService,
  FrameVdf,
  type FrameVdfService,
  Poseidon,
  ProverSigner,
  type ProverSignerService,
} from "../../crates/ts/services.ts"
import { makeVoteMessage, voteDomain } from "../../actors/consensus/core/signed-messages.ts"
import type { CommitteeSource } from "../../actors/consensus/core/committee-source.ts"
import { insecureTestBlsVerifier, makeInsecureTestSigner } from "./insecure-test-bls.ts"
import { insecureTestVdf } from "./insecure-test-vdf.ts"
import { globalChallenge } from "../../actors/consensus/core/vdf-challenge.ts"
import { requestsRoot } from "../../actors/consensus/core/requests-root.ts"
import { type ActorRef, ActorSystem } from "../kernel/index.ts"
import { type InMemoryNetwork, type LinkFaults, makeInMemoryNetwork } from "../kernel/transport/in-memory.ts"
import { Transport } from "../kernel/transport/transport.ts"

export type DevnetVdf = "insecure-hash" | "reference-ts"

export interface DevnetOptions {
  readonly nodes: number
  readonly seed: number
  /** "insecure-hash" (default, fast, no sequential work) or the TS reference Wesolowski VDF. */
  readonly vdf?: DevnetVdf
  readonly consensus?: Partial<GlobalConsensusConfig>
  readonly faults?: Partial<LinkFaults>
  /** Parent of the node data dirs; a temp dir removed with the scope by default. */
  readonly dataDir?: string
  /**
   * Also run an event distributor and a global time reel per node, fed with the committed frames
   * (slower: the reel hashes each frame id with the TS Poseidon).
   */
  readonly timeReels?: boolean
  /**
   * Crypto instead of the insecure stand-ins (benchmarks run the real BLS48-581 and native VDF): one
   * signer, verifier and VDF per node, in node order. Overrides `vdf`.
   */
  readonly crypto?: DevnetCrypto
  /**
   * Also run a shard-update pool per node (/root/shard-updates, as the master does): its leaders propose
   * the certified app-shard headers submitted to it (`shardUpdates(index)`).
   */
  readonly shardUpdates?: boolean
  /** Instrumentation: called synchronously when node `index` commits frames (benchmarks time commits). */
  readonly onCommitted?: (index: number, frames: ReadonlyArray<CertifiedFrame>) => void
  /**
   * Who votes on each frame, given every node's prover (sorted by address); absent: all of them for
   * every frame. Tests switch committees at a frame boundary with it (app D-APP-18).
   */
  readonly committees?: (provers: ReadonlyArray<ActiveProver>) => CommitteeSource<GlobalFrame>
}

/**
 * Per node, in node order (each a node's own services, as in a node process: a verifier or VDF that
 * caches verified inputs must not let one node's check stand in for another's).
 */
export interface DevnetCrypto {
  readonly signers: ReadonlyArray<ProverSignerService>
  readonly verifiers: ReadonlyArray<BlsVerifierService>
  readonly vdfs: ReadonlyArray<FrameVdfService>
}

export interface DevnetNode {
  readonly index: number
  readonly peerId: string
  readonly signer: ProverSignerService
  readonly dataDir: string
  readonly running: boolean
  /** Frames committed by this node since the devnet started, in commit order (across restarts). */
  readonly commits: ReadonlyArray<CertifiedFrame>
}

/** `bad-shard-update`: the frame also carries a request that is no ProverShardUpdate (root and VDF redone, re-signed). */
export type ProposalFault = "equivocate" | "invalid-vdf" | "bad-signature" | "bad-shard-update"

export interface Devnet {
  readonly nodes: ReadonlyArray<DevnetNode>
  readonly network: InMemoryNetwork
  readonly committee: ReadonlyArray<ActiveProver>
  readonly poseidon: PoseidonHash
  readonly ref: (index: number) => GlobalConsensusRef
  /** The node's global time reel and event distributor (with `timeReels: true`). */
  readonly reel: (index: number) => ActorRef<TimeReelMessage>
  readonly distributor: (index: number) => EventDistributorRef
  /** The node's shard-update pool (with `shardUpdates: true`). */
  readonly shardUpdates: (index: number) => ShardUpdatesRef
  /** The node's prover registry (committees, reward balances). */
  readonly registry: (index: number) => ProverRegistryRef
  /** The node's store while it runs (tests read persisted consensus state through it). */
  readonly store: (index: number) => StoreService
  readonly crash: (index: number) => Effect.Effect<void>
  readonly restart: (index: number) => Effect.Effect<void>
  /** Peers in different groups (by node index) cannot talk. */
  readonly partition: (groups: ReadonlyArray<ReadonlyArray<number>>) => void
  readonly heal: () => void
  /** Make node `index`'s proposals byzantine (or honest again with undefined). */
  readonly byzantine: (index: number, fault: ProposalFault | undefined) => void
  readonly status: (index: number) => Effect.Effect<ConsensusStatus>
  readonly statuses: Effect.Effect<ReadonlyArray<ConsensusStatus>>
  /** Committed frames of a running node (canonical frame ‖ QC bytes), from..to. */
  readonly committed: (index: number, from: bigint, to: bigint) => Effect.Effect<ReadonlyArray<Uint8Array>>
  /**
   * Hand a prover lifecycle request (an `encodeLifecycleRequest` bundle, actors/consensus/global) to every node: whichever
   * leads proposes it in a global frame (D-GC-19); each node's pool (the node's own, D-GC-20) forgets it once a committed frame carried it.
   */
  readonly submitLifecycle: (request: Uint8Array) => void
  /** Advance the TestClock in `stepMs` steps until `done` holds or `maxMs` of virtual time passed. */
  readonly runUntil: (done: Effect.Effect<boolean>, options?: { readonly stepMs?: number; readonly maxMs?: number }) => Effect.Effect<boolean>
}

/** Caches poseidon(input): every node hashes the same outputs; the TS Poseidon costs ms per 516 bytes. */
export const memoizedPoseidon = (hash: PoseidonHash, maxEntries = 50_000): PoseidonHash => {
  const cache = new Map<string, Uint8Array>()
  return (data) => {
    const key = Buffer.from(data).toString("base64")
    const hit = cache.get(key)
    if (hit !== undefined) return hit.slice()
    const digest = hash(data)
    if (cache.size >= maxEntries) {
      const oldest = cache.keys().next()
      if (oldest.done !== true) cache.delete(oldest.value)
    }
    cache.set(key, digest)
    return digest.slice()
  }
}

const seedBytes = (seed: number, index: number): Uint8Array => {
  const b = new Uint8Array(16)
  const v = new DataView(b.buffer)
  v.setUint32(0, 0x64657631) // "dev1"
  v.setUint32(4, seed >>> 0)
  v.setUint32(8, index)
  return b
}

const isProposal = (data: Uint8Array): boolean =>
  data.length >= 4 && new DataView(data.buffer, data.byteOffset, 4).getUint32(0, false) === TypePrefix.GlobalProposal

interface NodeSlot {
  index: number
  peerId: string
  signer: ProverSignerService
  verifier: BlsVerifierService
  vdf: FrameVdfService
  dataDir: string
  scope: Scope.CloseableScope | undefined
  ref: GlobalConsensusRef | undefined
  store: StoreService | undefined
  reel: ActorRef<TimeReelMessage> | undefined
  distributor: EventDistributorRef | undefined
  shardUpdates: ShardUpdatesRef | undefined
  registry: ProverRegistryRef | undefined
  commits: Array<CertifiedFrame>
  /** Lifecycle requests this node proposes when it leads, until a committed frame carries them. */
  readonly lifecycle: LifecycleRequestPool
}

export const makeDevnet = (options: DevnetOptions): Effect.Effect<Devnet, never, Scope.Scope> =>
  Effect.gen(function* () {
    const poseidon = memoizedPoseidon(poseidonHashBytes)
    const defaultVdf: FrameVdfService = options.vdf === "reference-ts" ? referenceTsVdf : insecureTestVdf
    const config = devnetConsensusConfig(options.consensus)
    const network = yield* makeInMemoryNetwork({ seed: options.seed, ...(options.faults === undefined ? {} : { faults: options.faults }) })
    // RAM-backed by default (tmpfs, where LMDB's fsync is nearly free): a devnet commits several times per frame.
    const root = options.dataDir ?? mkdtempSync(join(existsSync("/dev/shm") ? "/dev/shm" : tmpdir(), "quilbun-devnet-"))
    if (options.dataDir === undefined) yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(root, { recursive: true, force: true })))

    const slots: Array<NodeSlot> = Array.from({ length: options.nodes }, (_, index) => ({
      index,
      peerId: `node-${index}`,
      signer: options.crypto?.signers[index] ?? makeInsecureTestSigner(seedBytes(options.seed, index), poseidon),
      verifier: options.crypto?.verifiers[index] ?? insecureTestBlsVerifier,
      vdf: options.crypto?.vdfs[index] ?? defaultVdf,
      dataDir: join(root, `node-${index}`),
      scope: undefined,
      ref: undefined,
      store: undefined,
      reel: undefined,
      distributor: undefined,
      shardUpdates: undefined,
      registry: undefined,
      commits: [],
      lifecycle: new LifecycleRequestPool(),
    }))
    const committee: ReadonlyArray<ActiveProver> = slots
      .map((s) => ({ address: s.signer.address, publicKey: s.signer.publicKey, seniority: 0n }))
      .sort((a, b) => Buffer.compare(a.address, b.address))

    const slot = (index: number): NodeSlot => {
      const s = slots[index]
      if (s === undefined) throw new RangeError(`no devnet node ${index}`)
      return s
    }

    const start = (s: NodeSlot) =>
      Effect.gen(function* () {
        mkdirSync(s.dataDir, { recursive: true })
        const scope = yield* Scope.make()
        const endpoint = yield* Scope.extend(network.endpoint(s.peerId), scope)
        const services = Layer.mergeAll(
          StoreLive({ path: s.dataDir }),
          Layer.succeed(Transport, endpoint),
          Layer.succeed(ProverSigner, s.signer),
          Layer.succeed(BlsVerifier, s.verifier),
          Layer.succeed(Poseidon, poseidon),
          Layer.succeed(FrameVdf, s.vdf),
        )
        // The subsystems' own wiring Layers, as the node uses them; the registry is seeded with the committee
        // and pays the shard updates its node commits.
        const registry = ProverRegistryLive.pipe(
          Layer.provide(ShardRewardFeedLive()),
          Layer.provide(registryGenesisLayer({ network: config.network, provers: committee.map((p) => ({ publicKey: p.publicKey, seniority: p.seniority })) })),
          Layer.orDie,
        )
        const below =
          options.timeReels === true
            ? GlobalTimeReelLive({ certified: true, frameBodies: committedFrameBodies }).pipe(
                Layer.provideMerge(EventDistributorLive.pipe(Layer.provideMerge(registry))),
              )
            : registry
        const pools = options.shardUpdates === true ? ShardUpdatesLive().pipe(Layer.provideMerge(below)) : below
        const consensus = GlobalConsensusLive({
          config,
          onCommitted: (frames) => {
            s.commits.push(...frames)
            for (const f of frames) s.lifecycle.committed(f.frame.header.frameNumber, f.frame.requests)
            options.onCommitted?.(s.index, frames)
          },
          pendingLifecycle: Effect.sync(() => s.lifecycle.pending()),
          ...(options.committees === undefined ? {} : { committees: options.committees(committee) }),
        }).pipe(Layer.provideMerge(pools))
        const context = yield* Layer.build(consensus.pipe(Layer.provideMerge(ActorSystem.layer({ rootName: "root" })), Layer.provideMerge(services))).pipe(
          Scope.extend(scope),
          Effect.orDie,
        )
        const ref = Context.get(context, GlobalConsensus)
        const reel = Option.getOrUndefined(Context.getOption(context, GlobalTimeReel))
        const distributor = Option.getOrUndefined(Context.getOption(context, EventDistributor))
        s.scope = scope
        s.ref = ref
        s.store = Context.get(context, Store)
        s.reel = reel
        s.distributor = distributor
        s.shardUpdates = Option.getOrUndefined(Context.getOption(context, ShardUpdates))
        s.registry = Context.get(context, ProverRegistry)
      })

    const stop = (s: NodeSlot) =>
      Effect.gen(function* () {
        const scope = s.scope
        s.scope = undefined
        s.ref = undefined
        s.store = undefined
        s.reel = undefined
        s.distributor = undefined
        s.shardUpdates = undefined
        s.registry = undefined
        if (scope !== undefined) yield* Scope.close(scope, Exit.void)
      })

    for (const s of slots) yield* start(s)
    yield* Effect.addFinalizer(() => Effect.forEach(slots, stop, { discard: true }))

    // Byzantine proposers, as interceptors on their outgoing proposals.
    const faults = new Map<string, ProposalFault>()
    const alternates = new Map<string, Uint8Array>()
    const resign = (s: NodeSlot, proposal: GlobalProposal, header: GlobalFrameHeader, requests = proposal.state.requests): GlobalProposal => {
      const selector = poseidon(header.output)
      const signature = Effect.runSync(s.signer.sign(makeVoteMessage(new Uint8Array(), header.rank, selector), voteDomain(new Uint8Array())))
      const vote = new ProposalVote({
        ...proposal.vote,
        selector,
        publicKeySignatureBls48581: new BLS48581AddressedSignature({ signature, address: s.signer.address }),
      })
      const signed = new GlobalFrameHeader({
        ...header,
        publicKeySignatureBls48581: new BLS48581AggregateSignature({
          signature,
          publicKey: s.signer.publicKey,
          bitmask: header.publicKeySignatureBls48581?.bitmask ?? new Uint8Array(32),
        }),
      })
      return new GlobalProposal({ ...proposal, state: new GlobalFrame({ header: signed, requests }), vote })
    }
    const rewrite = (s: NodeSlot, fault: ProposalFault, data: Uint8Array): Uint8Array => {
      const key = `${fault}:${Buffer.from(data).toString("base64")}`
      const cached = alternates.get(key)
      if (cached !== undefined) return cached
      const decoded = decodeGlobalProposal(data)
      if (decoded._tag === "Left") return data
      const p = decoded.right
      const h = p.state.header
      let out: GlobalProposal
      if (fault === "equivocate") {
        // A second, fully valid frame at the same rank: a different timestamp, a fresh VDF and vote.
        const unsolved = { ...h, timestamp: h.timestamp + 1n }
        const output = Effect.runSync(s.vdf.solve(globalChallenge(unsolved), h.difficulty).pipe(Effect.orDie))
        out = resign(s, p, new GlobalFrameHeader({ ...unsolved, output }))
      } else if (fault === "bad-shard-update") {
        // A MessageBundle with no requests: it decodes as a bundle, not as a ProverShardUpdate.
        const requests = [...p.state.requests, new Uint8Array([0, 0, 0x03, 0x12, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 1])]
        const unsolved = { ...h, requestsRoot: requestsRoot(requests) }
        const output = Effect.runSync(s.vdf.solve(globalChallenge(unsolved), h.difficulty).pipe(Effect.orDie))
        out = resign(s, p, new GlobalFrameHeader({ ...unsolved, output }), requests)
      } else if (fault === "invalid-vdf") {
        const output = h.output.slice()
        output[5] = (output[5] ?? 0) ^ 0x01
        out = resign(s, p, new GlobalFrameHeader({ ...h, output }))
      } else {
        const sig = p.vote.publicKeySignatureBls48581
        const bad = (sig?.signature ?? new Uint8Array(74)).slice()
        bad[10] = (bad[10] ?? 0) ^ 0xff
        out = new GlobalProposal({
          ...p,
          vote: new ProposalVote({
            ...p.vote,
            publicKeySignatureBls48581: new BLS48581AddressedSignature({ signature: bad, address: sig?.address ?? new Uint8Array(32) }),
          }),
        })
      }
      const encoded = encodeGlobalProposal(out)
      alternates.set(key, encoded)
      return encoded
    }
    network.intercept((m) => {
      const fault = faults.get(m.from)
      if (fault === undefined || !isProposal(m.data)) return [m.data]
      const s = slots.find((x) => x.peerId === m.from)
      if (s === undefined) return [m.data]
      if (fault !== "equivocate") return [rewrite(s, fault, m.data)]
      // Equivocation: the first honest peer sees both frames, the last only the second, the rest the first.
      const others = slots.filter((x) => x.peerId !== m.from).map((x) => x.peerId)
      if (m.to === others[0]) return [m.data, rewrite(s, fault, m.data)]
      if (m.to === others[others.length - 1]) return [rewrite(s, fault, m.data)]
      return [m.data]
    })

    const ref = (index: number): GlobalConsensusRef => {
      const r = slot(index).ref
      if (r === undefined) throw new Error(`devnet node ${index} is not running`)
      return r
    }
    const status = (index: number) => ref(index).ask(new GetStatus()).pipe(Effect.orDie)

    const devnet: Devnet = {
      get nodes() {
        return slots.map((s) => ({ index: s.index, peerId: s.peerId, signer: s.signer, dataDir: s.dataDir, running: s.ref !== undefined, commits: s.commits }))
      },
      network,
      committee,
      poseidon,
      ref,
      reel: (index) => {
        const r = slot(index).reel
        if (r === undefined) throw new Error(`devnet node ${index} runs no time reel`)
        return r
      },
      distributor: (index) => {
        const d = slot(index).distributor
        if (d === undefined) throw new Error(`devnet node ${index} runs no event distributor`)
        return d
      },
      shardUpdates: (index) => {
        const p = slot(index).shardUpdates
        if (p === undefined) throw new Error(`devnet node ${index} runs no shard-update pool`)
        return p
      },
      registry: (index) => {
        const r = slot(index).registry
        if (r === undefined) throw new Error(`devnet node ${index} is not running`)
        return r
      },
      store: (index) => {
        const st = slot(index).store
        if (st === undefined) throw new Error(`devnet node ${index} is not running`)
        return st
      },
      crash: (index) => stop(slot(index)),
      restart: (index) => start(slot(index)),
      partition: (groups) => network.partition(groups.map((g) => g.map((i) => slot(i).peerId))),
      heal: () => network.heal(),
      byzantine: (index, fault) => {
        if (fault === undefined) faults.delete(slot(index).peerId)
        else faults.set(slot(index).peerId, fault)
      },
      status,
      statuses: Effect.suspend(() =>
        Effect.forEach(
          slots.filter((s) => s.ref !== undefined),
          (s) => status(s.index),
        ),
      ),
      committed: (index, from, to) => ref(index).ask(new GetCommitted({ from, to })).pipe(Effect.orDie),
      submitLifecycle: (request) => {
        for (const s of slots) s.lifecycle.add(request, s.commits.at(-1)?.frame.header.frameNumber ?? 0n)
      },
      runUntil: (done, o) =>
        Effect.gen(function* () {
          const step = o?.stepMs ?? 50
          const max = o?.maxMs ?? 60_000
          for (let t = 0; t <= max; t += step) {
            if (yield* done) return true
            yield* TestClock.adjust(step)
          }
          return yield* done
        }),
    }
    return devnet
  })

/** The committed head (frame number) of each running node. */
export const committedHeads = (devnet: Devnet): Effect.Effect<ReadonlyArray<bigint>> =>
  Effect.map(devnet.statuses, (all) => all.map((s) => s.committedHead.frameNumber))

export const minHead = (heads: ReadonlyArray<bigint>): bigint => heads.reduce((a, b) => (b < a ? b : a), heads[0] ?? 0n)
