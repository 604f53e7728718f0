// One app shard's HotStuff engine: the chain-generic core for `appChainKind`, its ports wired to this
// node's Store (the per-shard rows of persistence.ts, one Store.commit per persist, D-GC-4), the
// Transport (the shard's consensus bitmask and sync protocol), and the worker that runs the shard:
// bundles to propose, state roots, fee vote, global head, and the FinalizedFrameSink that applies each
// finalized frame, in order, after it is durable (D-APP-3).
import { type Context, Effect } from "effect"
import type { BlsVerifierService, PoseidonHash, ProverSignerService } from "../../../crates/ts/services.ts"
import type { TransportService } from "../../../runtime/kernel/transport/transport.ts"
import { SyncProgress } from "../../../runtime/network/sync-progress.ts"
import type { StoreService } from "../../../runtime/store/index.ts"
import type { CertifiedFrame, ValidationServices } from "../core/chain-kind.ts"
import type { ConsensusConfig } from "../core/consensus-config.ts"
import type { EnginePorts, StateWrite } from "../core/engine-ports.ts"
import { ChainEngine } from "../core/chain-engine.ts"
import { constantCommitteeSource } from "../core/committee-source.ts"
import { HotStuffEngine } from "../core/hotstuff-engine.ts"
import type { AppShardFrame } from "../core/messages/app-shard-frame.ts"
import { bytesEqual } from "../core/messages/fields.ts"
import type { AppShardProposal } from "../core/messages/proposals.ts"
import type { ActiveProver } from "../core/prover-ring.ts"
import { decodeHead, decodeLiveness, decodeSafety, encodeHead, encodeLiveness, encodeSafety } from "../global/persistence.ts"
import { type AppChainPorts, appChainKind } from "./app-chain-kind.ts"
import {
  appConsensusRows,
  appFrameRows,
  decodeAppCertifiedFrame,
  decodeStoredAppProposal,
  encodeAppCertifiedFrame,
  encodeStoredAppProposal,
  headKey,
  livenessKey,
  proposalKey,
  proposalPrefix,
  safetyKey,
  selectorKey,
} from "./persistence.ts"

type AppCertifiedFrame = CertifiedFrame<AppShardFrame>

/** What the worker running the shard provides (the prover registry and execution host behind it). */
export interface AppShardWorkerPorts extends Omit<AppChainPorts, "committedFrame"> {
  /**
   * The FinalizedFrameSink: called with each batch of newly finalized frames, oldest first, once they are
   * durable. The engine handles nothing else until it returns, and `stateRootsAt(n)` must answer for
   * every frame handed here (D-APP-1, D-APP-3).
   */
  readonly finalized: (frames: ReadonlyArray<AppCertifiedFrame>) => Effect.Effect<void>
}

/** What the engine asks its host (the actor) to do asynchronously. */
interface EngineEffects {
  readonly armTimer: (ms: number, epoch: number) => Effect.Effect<void>
  readonly proposeAfter: (ms: number, rank: bigint) => Effect.Effect<void>
  readonly sync: (peer: string, request: Uint8Array) => Effect.Effect<void>
}

export interface AppEngineDeps {
  readonly address: Uint8Array
  readonly genesis: AppShardFrame
  readonly config: ConsensusConfig
  /** The shard's active provers, sorted by address. */
  readonly committee: ReadonlyArray<ActiveProver>
  readonly store: StoreService
  readonly transport: TransportService
  readonly signer: ProverSignerService
  readonly bls: BlsVerifierService
  readonly poseidon: PoseidonHash
  readonly services: Context.Context<ValidationServices>
  readonly effects: EngineEffects
  readonly worker: AppShardWorkerPorts
}

/** The rows a state write touches (undefined value = delete). */
const rowsOf = (
  address: Uint8Array,
  poseidon: PoseidonHash,
  w: StateWrite<AppShardFrame, AppShardProposal>,
): { readonly consensus: ReadonlyArray<readonly [ReturnType<typeof safetyKey>, Uint8Array | undefined]>; readonly frame?: readonly [bigint, Uint8Array] } => {
  if (w._tag === "DeleteProposal") return { consensus: [[proposalKey(address, w.key.rank, w.key.selector), undefined]] }
  const r = w.record
  switch (r._tag) {
    case "Safety":
      return { consensus: [[safetyKey(address), encodeSafety(r.state)]] }
    case "Liveness":
      return { consensus: [[livenessKey(address), encodeLiveness(r.state)]] }
    case "Head":
      return { consensus: [[headKey(address), encodeHead(r.frameNumber)]] }
    case "Proposal":
      return { consensus: [[proposalKey(address, r.rank, r.selector), encodeStoredAppProposal(r.proposal)]] }
    case "Committed": {
      const h = r.certified.frame.header
      const index = new Uint8Array(8)
      new DataView(index.buffer).setBigUint64(0, h.frameNumber, false)
      return {
        consensus: [[selectorKey(address, poseidon(h.output)), index]],
        frame: [h.frameNumber, encodeAppCertifiedFrame(r.certified)],
      }
    }
  }
}

const storePorts = (
  deps: AppEngineDeps,
  kindBitmask: Uint8Array,
  syncProgressLogIntervalMs: number | undefined,
): EnginePorts<AppShardFrame, AppShardProposal> => {
  const { store, transport, effects, address, poseidon } = deps
  const consensus = () => store.repository(appConsensusRows)
  const frames = () => store.repository(appFrameRows)
  const headNumber = (): bigint => {
    const bytes = consensus().get(headKey(address))
    return bytes === undefined ? 0n : decodeHead(bytes)
  }
  return {
    peerId: transport.peerId,
    peers: transport.peers,
    publish: (payload) => transport.publish(kindBitmask, payload),
    persist: (writes) =>
      store
        .commit((tx) => {
          const c = consensus()
          const f = frames()
          for (const w of writes) {
            const rows = rowsOf(address, poseidon, w)
            for (const [key, value] of rows.consensus) {
              if (value === undefined) c.delete(tx, key)
              else c.put(tx, key, value)
            }
            if (rows.frame !== undefined) f.put(tx, [address, rows.frame[0]], rows.frame[1])
          }
        })
        .pipe(Effect.orDie),
    load: store
      .read(() => {
        const c = consensus()
        const head = headNumber()
        const committed = head === 0n ? undefined : frames().get([address, head])
        const safety = c.get(safetyKey(address))
        const liveness = c.get(livenessKey(address))
        return {
          committed: committed === undefined ? undefined : decodeAppCertifiedFrame(committed),
          safety: safety === undefined ? undefined : decodeSafety(safety),
          liveness: liveness === undefined ? undefined : decodeLiveness(liveness),
          proposals: c.range({ prefix: proposalPrefix(address) }).map((e) => decodeStoredAppProposal(e.value)),
        }
      })
      .pipe(Effect.orDie),
    storedProposalKeys: () =>
      consensus()
        .keys({ prefix: proposalPrefix(address) })
        .map((key) => ({ rank: key[2], selector: key[3] })),
    // App frame numbers may skip (they follow the global head), so this reads the next rows, not n, n+1, ….
    readCommitted: (from, max) =>
      store
        .read(() => {
          const headFrameNumber = headNumber()
          const rows = frames().range({ gte: [address, from], lt: [address, headFrameNumber + 1n], limit: max })
          return { headFrameNumber, frames: rows.map((e) => decodeAppCertifiedFrame(e.value)) }
        })
        .pipe(Effect.orDie),
    armTimer: effects.armTimer,
    proposeAfter: effects.proposeAfter,
    requestSync: effects.sync,
    startSyncProgress: (from, target, peer) =>
      SyncProgress.start(from, target, { peer, ...(syncProgressLogIntervalMs === undefined ? {} : { logIntervalMillis: syncProgressLogIntervalMs }) }),
    committed: () => undefined,
    executeCommitted: deps.worker.finalized,
    doubleProposal: () => undefined,
  }
}

export class AppShardEngine extends ChainEngine<AppShardFrame, AppShardProposal> {
  protected readonly core: HotStuffEngine<AppShardFrame, AppShardProposal>

  constructor(readonly deps: AppEngineDeps) {
    super()
    const { address, genesis, poseidon, store, worker } = deps
    const genesisSelector = poseidon(genesis.header.output)
    // Committed ancestors below the Forks root (rare: only D-APP-1 walks past a timed-out rank reach them).
    const committedFrame = (selector: Uint8Array): AppShardFrame | undefined => {
      if (bytesEqual(selector, genesisSelector)) return genesis
      const index = store.repository(appConsensusRows).get(selectorKey(address, selector))
      if (index === undefined) return undefined
      const bytes = store.repository(appFrameRows).get([address, new DataView(index.buffer, index.byteOffset, 8).getBigUint64(0, false)])
      return bytes === undefined ? undefined : decodeAppCertifiedFrame(bytes).frame
    }
    const kind = appChainKind({ address, genesis, ports: { ...worker, committedFrame } })
    this.core = new HotStuffEngine({
      kind,
      config: deps.config,
      committees: constantCommitteeSource(deps.committee),
      signer: deps.signer,
      bls: deps.bls,
      poseidon,
      services: deps.services,
      ports: storePorts(deps, kind.bitmask, deps.config.syncProgressLogIntervalMs),
    })
  }

  /** Committed frames (canonical AppShardFrame ‖ QC bytes) with from ≤ n ≤ to, ascending. */
  committed(from: bigint, to: bigint): Effect.Effect<ReadonlyArray<Uint8Array>> {
    const rows = this.deps.store.repository(appFrameRows)
    const address = this.deps.address
    return this.deps.store.read(() => rows.range({ gte: [address, from], lt: [address, to + 1n] }).map((e) => e.value)).pipe(Effect.orDie)
  }
}
