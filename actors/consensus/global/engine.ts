// The global HotStuff engine: the chain-generic core (actors/consensus/core/hotstuff-engine.ts) for the
// global chain kind, with its ports wired to this node's Store (the consensus_state rows of
// persistence.ts) and Transport (bitmask 0x00, the global sync protocol through the actor's timers and
// fibers). The persist port is one Store.commit: the core publishes only after it returned (D-GC-4).
import { type Context, Effect } from "effect"
import type { BlsVerifierService, PoseidonHash, ProverSignerService } from "../../../crates/ts/services.ts"
import type { TransportService } from "../../../runtime/kernel/transport/transport.ts"
import { SyncProgress } from "../../../runtime/network/sync-progress.ts"
import type { StoreService } from "../../../runtime/store/index.ts"
import type { ValidationServices } from "../core/chain-kind.ts"
import type { EnginePorts, StateWrite } from "../core/engine-ports.ts"
import { ChainEngine } from "../core/chain-engine.ts"
import { type CommitteeSource, constantCommitteeSource } from "../core/committee-source.ts"
import { type CommitteeAtFrame, registryCommitteeSource } from "./registry-committees.ts"
import { HotStuffEngine } from "../core/hotstuff-engine.ts"
import type { GlobalFrame } from "../core/messages/global-frame.ts"
import type { GlobalProposal } from "../core/messages/proposals.ts"
import type { QuorumCertificate } from "../core/messages/quorum-certificate.ts"
import type { ActiveProver } from "../core/prover-ring.ts"
import type { GlobalConsensusConfig } from "./config.ts"
import type { AppFrameHeader } from "../core/messages/app-frame-header.ts"
import { globalChainKind, makeGlobalChainKind } from "./global-chain-kind.ts"
import {
  type CertifiedFrame,
  type ConsensusKey,
  committedHeadNumber,
  committedKey,
  consensusRows,
  decodeCertifiedFrame,
  decodeLiveness,
  decodeSafety,
  decodeStoredProposal,
  encodeCertifiedFrame,
  encodeHead,
  encodeLiveness,
  encodeSafety,
  encodeStoredProposal,
  HEAD_KEY,
  LIVENESS_KEY,
  proposalKey,
  proposalPrefix,
  SAFETY_KEY,
} from "./persistence.ts"

/** What the engine asks its host (the actor) to do asynchronously. */
interface EngineEffects {
  /** Tell LocalTimeout{epoch} after `ms` (replacing any earlier timer). */
  readonly armTimer: (ms: number, epoch: number) => Effect.Effect<void>
  /** Tell ProposeDue{rank} after `ms`. */
  readonly proposeAfter: (ms: number, rank: bigint) => Effect.Effect<void>
  /** Run a sync request and tell SyncAnswered with the result. */
  readonly sync: (peer: string, request: Uint8Array) => Effect.Effect<void>
}

export interface EngineDeps {
  readonly config: GlobalConsensusConfig
  /** `GetActiveProvers(nil)`, sorted by address: the leader's shard-update checks, and every frame's voters without `committees`. */
  readonly committee: ReadonlyArray<ActiveProver>
  /** Who votes on each frame (app D-APP-18); absent: from `committeeAt` if given, else `committee` for every frame. */
  readonly committees?: CommitteeSource<GlobalFrame>
  /** The registry's committee by committed frame (D-REG-8): frames are voted on by the registry's set (registry-committees.ts). */
  readonly committeeAt?: CommitteeAtFrame
  readonly store: StoreService
  readonly transport: TransportService
  readonly signer: ProverSignerService
  readonly bls: BlsVerifierService
  readonly poseidon: PoseidonHash
  readonly services: Context.Context<ValidationServices>
  readonly effects: EngineEffects
  /** Called after each commit with the newly committed frames, oldest first. */
  readonly onCommitted?: (frames: ReadonlyArray<CertifiedFrame>) => void
  /** Called when a proposer signed two frames at one rank (§4.3 step 7): the second frame and the first. */
  readonly onDoubleProposal?: (second: GlobalFrame, first: GlobalFrame, proposerIndex: number) => void
  /** Certified shard headers this node proposes when it leads (the master's pool); absent: none. */
  readonly pendingShardUpdates?: Effect.Effect<ReadonlyArray<AppFrameHeader>>
  /** Prover lifecycle requests this node proposes when it leads (D-GC-19); absent: none. */
  readonly pendingLifecycle?: Effect.Effect<ReadonlyArray<Uint8Array>>
}

/** Committed frames the shard-update walk (D-GC-17) reads, by number; it walks at most the window, mostly the same frames. */
const COMMITTED_FRAME_CACHE = 64

/** Committed frame n from the store, remembered: a committed frame never changes. */
const committedFrameReader = (store: StoreService) => {
  const cache = new Map<bigint, CertifiedFrame>()
  const rows = () => store.repository(consensusRows)
  return (n: bigint): Effect.Effect<CertifiedFrame | undefined> => {
    const hit = cache.get(n)
    if (hit !== undefined) return Effect.succeed(hit)
    return store
      .read(() => {
        const bytes = rows().get(committedKey(n))
        return bytes === undefined ? undefined : decodeCertifiedFrame(bytes)
      })
      .pipe(
        Effect.orDie,
        Effect.tap((c) =>
          Effect.sync(() => {
            if (c === undefined) return
            cache.set(n, c)
            for (const old of cache.keys()) {
              if (cache.size <= COMMITTED_FRAME_CACHE) break
              cache.delete(old)
            }
          }),
        ),
      )
  }
}

/** The row a state write goes to (the layout of persistence.ts) and its bytes (undefined = delete). */
const rowOf = (w: StateWrite<GlobalFrame, GlobalProposal>): { readonly key: ConsensusKey; readonly value: Uint8Array | undefined } => {
  if (w._tag === "DeleteProposal") return { key: proposalKey(w.key.rank, w.key.selector), value: undefined }
  const r = w.record
  switch (r._tag) {
    case "Safety":
      return { key: SAFETY_KEY, value: encodeSafety(r.state) }
    case "Liveness":
      return { key: LIVENESS_KEY, value: encodeLiveness(r.state) }
    case "Committed":
      return { key: committedKey(r.certified.frame.header.frameNumber), value: encodeCertifiedFrame(r.certified) }
    case "Head":
      return { key: HEAD_KEY, value: encodeHead(r.frameNumber) }
    case "Proposal":
      return { key: proposalKey(r.rank, r.selector), value: encodeStoredProposal(r.proposal) }
  }
}

/** The core's ports on this node's Store and Transport. */
const storePorts = (deps: EngineDeps): EnginePorts<GlobalFrame, GlobalProposal> => {
  const { store, transport, config, effects } = deps
  // Looked up at each use, as the store checks the bucket then (a misconfigured store fails the call).
  const repo = () => store.repository(consensusRows)
  return {
    peerId: transport.peerId,
    peers: transport.peers,
    publish: (payload) => transport.publish(globalChainKind.bitmask, payload),
    persist: (writes) =>
      store
        .commit((tx) => {
          const rows = repo()
          for (const { key, value } of writes.map(rowOf)) {
            if (value === undefined) rows.delete(tx, key)
            else rows.put(tx, key, value)
          }
        })
        .pipe(Effect.orDie),
    load: store
      .read(() => {
        const rows = repo()
        const head = committedHeadNumber(rows)
        const committed = head === 0n ? undefined : rows.get(committedKey(head))
        const safety = rows.get(SAFETY_KEY)
        const liveness = rows.get(LIVENESS_KEY)
        return {
          committed: committed === undefined ? undefined : decodeCertifiedFrame(committed),
          safety: safety === undefined ? undefined : decodeSafety(safety),
          liveness: liveness === undefined ? undefined : decodeLiveness(liveness),
          proposals: rows.range({ prefix: proposalPrefix() }).map((e) => decodeStoredProposal(e.value)),
        }
      })
      .pipe(Effect.orDie),
    storedProposalKeys: () =>
      repo()
        .keys({ prefix: proposalPrefix() })
        .map((key) => ({ rank: key[1], selector: key[2] })),
    readCommitted: (from, max) =>
      store
        .read(() => {
          const rows = repo()
          const headFrameNumber = committedHeadNumber(rows)
          const frames: Array<CertifiedFrame> = []
          for (let n = from; n <= headFrameNumber && frames.length < max; n++) {
            const bytes = rows.get(committedKey(n))
            if (bytes === undefined) break
            frames.push(decodeCertifiedFrame(bytes))
          }
          return { headFrameNumber, frames }
        })
        .pipe(Effect.orDie),
    armTimer: effects.armTimer,
    proposeAfter: effects.proposeAfter,
    requestSync: effects.sync,
    startSyncProgress: (from, target, peer) =>
      SyncProgress.start(from, target, {
        peer,
        ...(config.syncProgressLogIntervalMs === undefined ? {} : { logIntervalMillis: config.syncProgressLogIntervalMs }),
      }),
    committed: (frames) => deps.onCommitted?.(frames),
    doubleProposal: (second, first, proposerIndex) => deps.onDoubleProposal?.(second, first, proposerIndex),
  }
}

export class GlobalConsensusEngine extends ChainEngine<GlobalFrame, GlobalProposal> {
  protected readonly core: HotStuffEngine<GlobalFrame, GlobalProposal>

  constructor(readonly deps: EngineDeps) {
    super()
    const committedFrame = committedFrameReader(deps.store)
    const fromRegistry = deps.committeeAt === undefined ? undefined : registryCommitteeSource({ committeeAt: deps.committeeAt, committedFrame })
    this.core = new HotStuffEngine({
      kind: makeGlobalChainKind({
        committee: deps.committee,
        committedFrame,
        ...(deps.pendingShardUpdates === undefined ? {} : { pendingShardUpdates: deps.pendingShardUpdates }),
        ...(deps.pendingLifecycle === undefined ? {} : { pendingLifecycle: deps.pendingLifecycle }),
      }),
      config: deps.config,
      committees: deps.committees ?? fromRegistry ?? constantCommitteeSource(deps.committee),
      signer: deps.signer,
      bls: deps.bls,
      poseidon: deps.poseidon,
      services: deps.services,
      ports: storePorts(deps),
    })
  }

  get genesisQc(): QuorumCertificate {
    return this.core.genesisQc
  }

  /** The devnet/stub genesis frame every node derives from the config (§1.7). */
  genesisFrame(): GlobalFrame {
    return this.core.genesisFrame()
  }

  /** Committed frames (canonical CertifiedFrame bytes) with from ≤ n ≤ to, ascending. */
  committed(from: bigint, to: bigint): Effect.Effect<ReadonlyArray<Uint8Array>> {
    const rows = this.deps.store.repository(consensusRows)
    return this.deps.store.read(() => rows.range({ gte: committedKey(from), lt: committedKey(to + 1n) }).map((e) => e.value)).pipe(Effect.orDie)
  }
}
