// A data worker's shard host (/worker-<n>/app-shards): the shard this worker covers (one per worker:
// its execution host has one frame sequence), with the shard's mempool, its consensus actor, and the
// FinalizedFrameSink that executes each finalized frame and records what became of every bundle.
//
// The data flow of one bundle (design.md §3): SubmitBundle → mempool → `takeRequests` (the leader's
// proposal; the execution host's locks keep conflicting bundles out) → app frame → QC → finalized (2-chain)
// → `finalized`: ApplyFrame on the execution host (one write transaction), the bundle-status rows, the
// fee vote → `BundleStatus` answers committed or rejected on every covering node.
import { bytesToHex, concatBytes } from "@noble/hashes/utils.js"
import { Effect, Either } from "effect"
import { Actor, type ActorRef } from "../../../runtime/kernel/index.ts"
import type { StoreService } from "../../../runtime/store/index.ts"
import { committedAtoms, storeSnapshot } from "../../execution/overlay/index.ts"
import { ApplyFrame, type ExecutionMessage, GetHead, GetShardRoots, SelectForProposal } from "../../execution/protocol.ts"
import type { ResolverConfig } from "../../execution/resolver.ts"
import { routeBundle } from "../../execution/routing.ts"
import { type FeeManagerMessage, ProposerFeeVote, RecordFeeVote } from "../../fee-manager/protocol.ts"
import type { CertifiedFrame } from "../core/chain-kind.ts"
import type { AppShardFrame } from "../core/messages/app-shard-frame.ts"
import { GetStatus } from "../global/protocol.ts"
import { bundleId, bundleStatusRows } from "../../execution/bundle-status.ts"
import type { AppShardWorkerPorts } from "./engine.ts"
import { Mempool, type MempoolLimits } from "./mempool.ts"
import { forgetPending, loadPending, rememberPending } from "./pending-bundles.ts"
import { countShardBundles, recordShardProgress, recordShardRank } from "./metrics.ts"
import { appFrameRows, decodeAppCertifiedFrame } from "./persistence.ts"
import { type AppShardConsensusMessage, GetCoverage } from "./protocol.ts"
import { shardOwner } from "./shard-owner.ts"
import {
  MempoolFull,
  SHARD_HOST_NAME,
  type ShardConsensusParams,
  type ShardHostMessage,
  ShardHostProtocol,
  JoinProofFailed,
  ShardNotCovered,
  type ShardView,
} from "./shard-host-protocol.ts"

/** The reference caps a frame at 100 bundles; the byte budget keeps a proposal well inside one message. */
const MAX_BUNDLES_PER_FRAME = 100
const MAX_FRAME_BUNDLE_BYTES = 4_000_000
const EMPTY_ROOT = new Uint8Array(64)
/** Refusals that committed state may lift (the instance is deployed in a frame not yet finalized, an activation gate opens). */
const TRANSIENT: ReadonlySet<string> = new Set(["unknown-domain", "inactive"])

/** A full mempool asks clients to come back after about one frame. */
const RETRY_AFTER_MS = 2_000

const DEFAULT_MEMPOOL_LIMITS: MempoolLimits = { maxBundles: 10_000, maxBytes: 64 * 1024 * 1024, maxAgeFrames: 360n }

export interface ShardHostDeps {
  readonly execution: ActorRef<ExecutionMessage>
  readonly fees: ActorRef<FeeManagerMessage>
  readonly store: StoreService
  /** Routes each bundle of a finalized frame to its domain, as the master routed it (no state read). */
  readonly routing: ResolverConfig
  /**
   * Spawns the shard's consensus actor with these ports (the node supplies crypto and transport), or
   * answers the one already running for the address.
   */
  readonly startConsensus: (
    address: Uint8Array,
    committee: ReadonlyArray<Uint8Array>,
    params: ShardConsensusParams,
    ports: AppShardWorkerPorts,
  ) => Effect.Effect<ActorRef<AppShardConsensusMessage>>
  readonly mempool?: MempoolLimits
  /**
   * Each executed finalized (certified) frame goes to the master as a ProverShardUpdate candidate
   * (shard-update-sender.ts). Must return at once: the shard never waits on the master.
   */
  readonly submitCertified?: (certified: CertifiedFrame<AppShardFrame>) => Effect.Effect<void>
  /** The global head the shard's frame numbers follow (D-APP-5); absent: parent + 1. */
  readonly globalHead?: Effect.Effect<bigint | undefined>
  /** Asks the master for a newer global head; returns at once (a leader held by the lead bound, D-APP-17). */
  readonly refreshGlobalHead?: Effect.Effect<void>
  /** Plugin code hashes by intrinsic name, named with the plugin when a shard's roots diverge (D-APP-14). */
  readonly codeHashes?: ReadonlyMap<string, string>
  /**
   * This worker's blob of a join multiproof (the node's VDF `solveMulti`); absent: CreateJoinProof fails.
   * The solve runs in the VDF's own Worker thread, but the host answers nothing else until it is done.
   */
  readonly joinProof?: (challenge: Uint8Array, difficulty: number, ids: ReadonlyArray<Uint8Array>, index: number) => Effect.Effect<Uint8Array, string>
}

interface CoveredShard {
  readonly address: Uint8Array
  readonly committee: number
  readonly mempool: Mempool
  readonly consensus: ActorRef<AppShardConsensusMessage>
  readonly counters: { committed: number; rejected: number }
  /** Why a waiting bundle was not proposable last time (by hex id), for its reason if it expires. */
  readonly refusals: Map<string, string>
}

/** Outlives the actor's incarnations: the consensus actor's ports hold this mempool, whatever restarts. */
interface HostState {
  shard: CoveredShard | undefined
}

const sameBytes = (a: Uint8Array, b: Uint8Array): boolean => a.length === b.length && bytesToHex(a) === bytesToHex(b)

/** The execution host's view of a finalized frame's bundles: each prefixed by the domain it routes to. */
const routedBundles = (deps: ShardHostDeps, frame: AppShardFrame): Array<Uint8Array> =>
  frame.requests.map((bundle) => {
    const route = routeBundle(deps.routing, bundle, frame.header.frameNumber)
    // An unroutable bundle goes to the shard's own address, where the host fails it with its reason.
    const domain = Either.isRight(route) ? route.right.domain : frame.header.address.subarray(0, 32)
    return concatBytes(domain, bundle)
  })

/** The domain a bundle routes to on its own; an unroutable one goes to the shard's address, where the host fails it. */
const ownDomain = (deps: ShardHostDeps, bundle: Uint8Array, shard: Uint8Array, frameNumber: bigint): Uint8Array => {
  const route = routeBundle(deps.routing, bundle, frameNumber)
  return Either.isRight(route) ? route.right.domain : shard.subarray(0, 32)
}

/** Executes finalized frames the execution host has not applied yet, oldest first, and records the outcome. */
const executeFinalized = (deps: ShardHostDeps, shard: () => CoveredShard | undefined, frames: ReadonlyArray<CertifiedFrame<AppShardFrame>>) =>
  Effect.gen(function* () {
    const bundleRows = deps.store.repository(bundleStatusRows)
    for (const certified of frames) {
      const { frame } = certified
      const head = yield* deps.execution.ask(new GetHead()).pipe(Effect.orDie)
      const frameNumber = frame.header.frameNumber
      // Replayed after a crash between the consensus commit and execution: already applied.
      if (head !== null && frameNumber <= head) continue
      // A bundle decided by an earlier frame (or twice in this one) is not applied again: every covering
      // node holds the same decisions, so every node skips the same bundles.
      const seen = new Set<string>()
      const fresh: Array<{ readonly id: Uint8Array; readonly routed: Uint8Array }> = []
      const routed = routedBundles(deps, frame)
      for (let i = 0; i < frame.requests.length; i++) {
        const id = bundleId(frame.requests[i] ?? new Uint8Array())
        const key = bytesToHex(id)
        if (seen.has(key)) continue
        seen.add(key)
        if ((yield* deps.store.read(() => bundleRows.get(id)).pipe(Effect.orDie)) !== undefined) continue
        fresh.push({ id, routed: routed[i] ?? new Uint8Array() })
      }
      const ids = fresh.map((b) => b.id)
      // The decisions are written in the frame's execution transaction: applied and decided, or neither.
      const applied = yield* deps.execution
        .ask(new ApplyFrame({ frameNumber, bundles: fresh.map((b) => b.routed), decisions: { shard: frame.header.address, ids } }))
        .pipe(Effect.orDie)
      const current = shard()
      const committedNow = applied.applied.filter((r) => r._tag === "Applied").length
      if (current !== undefined) {
        current.counters.committed += committedNow
        current.counters.rejected += applied.applied.length - committedNow
      }
      yield* countShardBundles(frame.header.address, "committed", committedNow)
      yield* countShardBundles(frame.header.address, "rejected", applied.applied.length - committedNow)
      const carried = frame.requests.map(bundleId)
      const held = carried.filter((id) => current?.mempool.has(id) === true)
      current?.mempool.remove(held)
      if (held.length > 0) yield* deps.store.commit((tx) => forgetPending(tx, deps.store, frame.header.address, held)).pipe(Effect.orDie)
      for (const id of carried) current?.refusals.delete(bytesToHex(id))
      const stale = current?.mempool.dropStale(frameNumber) ?? []
      if (stale.length > 0) {
        const maxAge = current?.mempool.limits.maxAgeFrames ?? 0n
        const expired = stale.map((b) => {
          const last = current?.refusals.get(bytesToHex(b.id))
          return { id: b.id, reason: `expired: not proposable within ${maxAge} frames${last === undefined ? "" : ` (${last})`}` }
        })
        yield* recordRejections(deps, frame.header.address, frameNumber, expired, shard)
      }
      // A full fee-manager mailbox loses one vote of a 360-vote average, not the frame.
      yield* recordShardProgress(frame.header.address, frameNumber, current?.mempool.size ?? 0)
      yield* deps.fees.tell(new RecordFeeVote({ filter: frame.header.address, frameNumber, vote: frame.header.feeMultiplierVote })).pipe(Effect.ignore)
      if (deps.submitCertified !== undefined) yield* deps.submitCertified(certified)
    }
  })

/** Bundles refused outside a frame (never proposable, or expired): rejected rows, out of the mempool. */
const recordRejections = (
  deps: ShardHostDeps,
  address: Uint8Array,
  frameNumber: bigint,
  rejected: ReadonlyArray<{ readonly id: Uint8Array; readonly reason: string }>,
  shard: () => CoveredShard | undefined,
) =>
  Effect.gen(function* () {
    const rows = deps.store.repository(bundleStatusRows)
    yield* deps.store
      .commit((tx) => {
        for (const r of rejected) rows.put(tx, r.id, { status: "rejected", shard: address, frameNumber, reason: r.reason })
        forgetPending(
          tx,
          deps.store,
          address,
          rejected.map((r) => r.id),
        )
      })
      .pipe(Effect.orDie)
    const current = shard()
    if (current === undefined) return
    current.mempool.remove(rejected.map((r) => r.id))
    for (const r of rejected) current.refusals.delete(bytesToHex(r.id))
    current.counters.rejected += rejected.length
    yield* countShardBundles(address, "rejected", rejected.length)
  })

const portsFor = (deps: ShardHostDeps, address: Uint8Array, mempool: Mempool, shard: () => CoveredShard | undefined): AppShardWorkerPorts => ({
  takeRequests: (frameNumber, inFlight) =>
    Effect.gen(function* () {
      const carried = new Set(inFlight.map((b) => bytesToHex(bundleId(b))))
      const candidates = mempool.peek(MAX_BUNDLES_PER_FRAME + carried.size, MAX_FRAME_BUNDLE_BYTES).filter((c) => !carried.has(bytesToHex(c.id)))
      if (candidates.length === 0) return []
      const choice = yield* deps.execution.ask(new SelectForProposal({ frameNumber, candidates: candidates.map((c) => c.routed) })).pipe(Effect.orDie)
      // A bundle that can never resolve is rejected now; one that may once its instance exists waits,
      // with the reason kept for when it expires.
      const rejected: Array<{ readonly id: Uint8Array; readonly reason: string }> = []
      for (const r of choice.refused) {
        const c = candidates[r.index]
        if (c === undefined) continue
        const reason = `${r.detail}`
        if (TRANSIENT.has(r.reason)) shard()?.refusals.set(bytesToHex(c.id), reason)
        else rejected.push({ id: c.id, reason })
      }
      if (rejected.length > 0) yield* recordRejections(deps, address, frameNumber, rejected, shard)
      return choice.selected.flatMap((i) => {
        const c = candidates[i]
        return c === undefined ? [] : [c.routed.subarray(32)]
      })
    }),
  stateRootsAt: (frameNumber) =>
    Effect.gen(function* () {
      const head = yield* deps.execution.ask(new GetHead()).pipe(Effect.orDie)
      if (frameNumber > 0n && (head === null || head < frameNumber)) return undefined
      const answer = yield* deps.execution.ask(new GetShardRoots({ frameNumber, shardAddress: address })).pipe(Effect.orDie)
      return answer.roots.map((r) => (r.length === 0 ? EMPTY_ROOT : r))
    }),
  feeVote: deps.fees.ask(new ProposerFeeVote({ filter: address })).pipe(Effect.orDie),
  ...(deps.globalHead === undefined ? {} : { globalHead: deps.globalHead }),
  ...(deps.refreshGlobalHead === undefined ? {} : { refreshGlobalHead: deps.refreshGlobalHead }),
  // Only asked when a proposal's roots differ from this node's; a failed read names no owner rather than hiding the rejection.
  stateOwner: deps.store
    .read(() => shardOwner(deps.routing, storeSnapshot(deps.store.repository(committedAtoms)).read, address, deps.codeHashes))
    .pipe(Effect.orElseSucceed(() => undefined)),
  finalized: (frames) => executeFinalized(deps, shard, frames),
})

/** Finalized frames stored by consensus but not executed (a crash between the two, D-APP-3), oldest first. */
const unexecutedFrames = (deps: ShardHostDeps, address: Uint8Array) =>
  Effect.gen(function* () {
    const head = yield* deps.execution.ask(new GetHead()).pipe(Effect.orDie)
    const rows = deps.store.repository(appFrameRows)
    const from = head === null ? 0n : head + 1n
    const stored = yield* deps.store.read(() => rows.range({ prefix: appFrameRows.key.prefix(address), gte: [address, from] })).pipe(Effect.orDie)
    return stored.map((row) => decodeAppCertifiedFrame(row.value))
  })

const shardView = (deps: ShardHostDeps, shard: CoveredShard) =>
  Effect.gen(function* () {
    const status = yield* shard.consensus.ask(new GetStatus()).pipe(Effect.orDie)
    const coverage = yield* shard.consensus.ask(new GetCoverage()).pipe(Effect.orDie)
    yield* recordShardRank(shard.address, status.currentRank)
    const head = yield* deps.execution.ask(new GetHead()).pipe(Effect.orDie)
    const frameNumber = head ?? 0n
    const roots = yield* deps.execution.ask(new GetShardRoots({ frameNumber, shardAddress: shard.address })).pipe(Effect.orDie)
    const view: ShardView = {
      address: shard.address,
      frameNumber,
      rank: status.currentRank,
      stateRoots: roots.roots.map((r) => (r.length === 0 ? EMPTY_ROOT : r)),
      provers: shard.committee,
      halted: coverage.halted,
      mempool: shard.mempool.size,
      bundlesCommitted: shard.counters.committed,
      bundlesRejected: shard.counters.rejected,
      equivocations: status.equivocationsDetected,
    }
    return view
  })

export const shardHostActor = (deps: ShardHostDeps) => {
  const held: HostState = { shard: undefined }
  return Actor.make<ShardHostMessage, HostState, never>(
    SHARD_HOST_NAME,
    ShardHostProtocol,
    {
      init: () => Effect.succeed(held),
      handlers: {
        CoverShard: (state, { address, committee, params }) =>
          Effect.gen(function* () {
            const covered = state.shard
            if (covered !== undefined) {
              if (!sameBytes(covered.address, address)) {
                yield* Effect.logWarning("this worker covers another shard already; one shard per worker").pipe(
                  Effect.annotateLogs({ covered: bytesToHex(covered.address), asked: bytesToHex(address) }),
                )
              }
              const head = yield* deps.execution.ask(new GetHead()).pipe(Effect.orDie)
              return [state, { address: covered.address, head }] as const
            }
            const mempool = new Mempool(deps.mempool ?? DEFAULT_MEMPOOL_LIMITS)
            const current = (): CoveredShard | undefined => state.shard
            // Catch up execution with what consensus finalized before a crash, before consensus resumes.
            yield* executeFinalized(deps, current, yield* unexecutedFrames(deps, address))
            // What this worker acknowledged before it stopped and no frame has decided yet waits again.
            const pending = yield* deps.store.read(() => loadPending(deps.store, address)).pipe(Effect.orDie)
            for (const b of pending.waiting) mempool.add(b)
            if (pending.decided.length > 0) yield* deps.store.commit((tx) => forgetPending(tx, deps.store, address, pending.decided)).pipe(Effect.orDie)
            const consensus = yield* deps.startConsensus(address, committee, params, portsFor(deps, address, mempool, current))
            state.shard = { address, committee: committee.length, mempool, consensus, counters: { committed: 0, rejected: 0 }, refusals: new Map() }
            const head = yield* deps.execution.ask(new GetHead()).pipe(Effect.orDie)
            yield* Effect.logInfo("app shard covered").pipe(
              Effect.annotateLogs({ shard: bytesToHex(address), head: String(head ?? 0n), provers: committee.length }),
            )
            return [state, { address, head }] as const
          }),
        SubmitBundle: (state, { bundle, shard, domain }) =>
          Effect.gen(function* () {
            const covered = state.shard
            if (covered === undefined || !sameBytes(covered.address, shard)) return yield* new ShardNotCovered({ address: shard })
            const id = bundleId(bundle)
            const decided = yield* deps.store.read(() => deps.store.repository(bundleStatusRows).get(id)).pipe(Effect.orDie)
            if (decided !== undefined) return [state, { id, outcome: "duplicate" as const }] as const
            const head = yield* deps.execution.ask(new GetHead()).pipe(Effect.orDie)
            const entry = { id, routed: concatBytes(domain ?? ownDomain(deps, bundle, shard, head ?? 0n), bundle), arrivedAtFrame: head ?? 0n }
            const outcome = covered.mempool.add(entry)
            if (outcome === "full") return yield* new MempoolFull({ address: shard, retryAfterMs: RETRY_AFTER_MS })
            // Durable before it is acknowledged: a worker killed now reloads it when it covers the shard again.
            if (outcome === "added") yield* deps.store.commit((tx) => rememberPending(tx, deps.store, covered.address, entry)).pipe(Effect.orDie)
            return [state, { id, outcome: outcome === "added" ? ("accepted" as const) : ("duplicate" as const) }] as const
          }),
        BundleStatus: (state, { id }) =>
          Effect.gen(function* () {
            const covered = state.shard
            if (covered?.mempool.has(id)) return [state, { status: "pending" as const, shard: covered.address, frameNumber: null, reason: null }] as const
            const decided = yield* deps.store.read(() => deps.store.repository(bundleStatusRows).get(id)).pipe(Effect.orDie)
            if (decided === undefined) return [state, { status: "unknown" as const, shard: null, frameNumber: null, reason: null }] as const
            return [state, decided] as const
          }),
        ListShards: (state) =>
          Effect.gen(function* () {
            const covered = state.shard
            if (covered === undefined) return [state, []] as const
            return [state, [yield* shardView(deps, covered)]] as const
          }),
        CreateJoinProof: (state, { challenge, difficulty, ids, index }) =>
          (deps.joinProof === undefined ? Effect.fail("this worker has no VDF prover") : deps.joinProof(challenge, difficulty, ids, index)).pipe(
            Effect.map((proof) => [state, { proof }] as const),
            Effect.mapError((reason) => new JoinProofFailed({ reason })),
          ),
      },
    },
    { mailbox: { capacity: 16_384, overflow: "backpressure" } },
  )
}
