// The prover-registry actor: the set of provers and their allocations, seeded from the genesis set and
// persisted in the store's registry bucket; answers the committee questions consensus asks on every
// rank (active provers per filter sorted by address, leader for a rank, quorum threshold). The pure
// rules live in actors/consensus/core/prover-ring.ts; this actor only owns the snapshot they run on.
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js"
import { Effect, Option } from "effect"
import { ringAssignments } from "../consensus/core/ring-order.ts"
import type { PoseidonHash } from "../../crates/ts/services.ts"
import { indexOfAddress, leaderForRank, quorumThreshold, sortByAddress, totalSeniority } from "../consensus/core/prover-ring.ts"
import { BlsVerifier, FrameVdf, Poseidon } from "../../crates/ts/services.ts"
import type { EffectLifecycleCrypto, LifecycleParams } from "../../intrinsics/global/index.ts"
import { Actor } from "../../runtime/kernel/index.ts"
import { Store, type StoreService } from "../../runtime/store/index.ts"
import { genesisDigest, type GenesisInvalid, RegistryGenesis, type RegistryGenesisConfig, validateGenesis } from "./genesis.ts"
import { type CommitteeHistory, committeeAt, filtersOf, recordCommittees } from "./committee-history.ts"
import { applyEviction } from "./eviction-apply.ts"
import {
  COMMITTEE_HISTORY_KEY,
  committeeHistoryStart,
  committeeKey,
  committeeRows,
  committeeRowsPrefix,
  GENESIS_META_KEY,
  proverKey,
  proverRows,
  proverRowsPrefix,
  REWARD_CURSOR_KEY,
  registryMeta,
  rewardCursor,
  rewardKey,
  rewardRows,
  rewardRowsPrefix,
} from "./persistence.ts"
import { isActiveFor, type ProverRecord } from "./prover-record.ts"
import {
  type ActiveProverInfo,
  CommitteeUnknown,
  CreditCommitted,
  type LeaderInfo,
  type ProverRegistryMessage,
  ProverRegistryProtocol,
  type ProverSummary,
  type ThresholdInfo,
} from "./protocol.ts"
import { applyCommittedLifecycle, lifecycleParamsFor } from "./lifecycle-apply.ts"
import { fromLifecycleProver, toLifecycleState } from "./lifecycle-records.ts"
import { creditShardFrames } from "./reward-crediting.ts"
import { RewardFeed, type RewardFeedService } from "./reward-feed.ts"

const PROVER_REGISTRY_NAME = "prover-registry"

interface RegistryState {
  readonly network: number
  readonly poseidon: PoseidonHash
  /** By hex(address). */
  readonly records: Map<string, ProverRecord>
  /** Sorted committees by hex(filter); rebuilt lazily (the set only changes on joins/leaves). */
  readonly committees: Map<string, ReadonlyArray<ActiveProverInfo>>
  readonly store: StoreService
  /** Reward balances by hex(address) (absent = 0). */
  readonly rewards: Map<string, bigint>
  /** The last committed global frame whose shard updates are paid. */
  creditedThrough: bigint
  /** Where committed shard updates come from; none on a registry that pays nothing. */
  readonly feed: RewardFeedService | undefined
  /** The lifecycle's verifiers (the node's BLS and VDF); without them committed lifecycle requests are not applied. */
  readonly lifecycleCrypto: EffectLifecycleCrypto | undefined
  readonly lifecycleParams: LifecycleParams
  /**
   * The committee shard updates are paid against: the global active set when this registry started, which is
   * the committee the consensus engine validates them with for its whole incarnation (global D-GC-13).
   */
  readonly creditCommittee: ReadonlyArray<Uint8Array>
  /** Every filter's active set by committed global frame (D-REG-8), persisted with the records. */
  readonly history: CommitteeHistory
  /** The first committed global frame the history answers for. */
  readonly historyFrom: bigint
}

/** Committed frames paid per message: a long catch-up is split so queries are answered in between. */
const CREDIT_BATCH = 256n

/** Genesis provers: Active, with an Active allocation per filter (global when no filter is given, §1.7). */
const genesisRecords = (genesis: RegistryGenesisConfig, poseidon: PoseidonHash): Effect.Effect<Array<ProverRecord>, GenesisInvalid> =>
  Effect.map(validateGenesis(genesis), (valid) =>
    valid.provers.map((p) => ({
      address: poseidon(p.publicKey),
      publicKey: p.publicKey,
      status: "Active" as const,
      seniority: p.seniority,
      kickFrameNumber: 0n,
      allocations: (p.filters ?? [new Uint8Array()]).map((filter) => ({ filter, status: "Active" as const, joinFrameNumber: 0n, lastActiveFrameNumber: 0n })),
    })),
  )

/** Loads the persisted set, or seeds it from the genesis in one commit on first start (D-REG-2). */
const load = Effect.gen(function* () {
  const store = yield* Store
  const genesis = yield* RegistryGenesis
  const poseidon = yield* Poseidon
  const rows = store.repository(proverRows)
  const meta = store.repository(registryMeta)
  const digest = genesisDigest(genesis, poseidon)
  let records = (yield* store.read(() => rows.range({ prefix: proverRowsPrefix() }))).map((e) => e.value)
  const historyRows = store.repository(committeeRows)
  const historyStart = store.repository(committeeHistoryStart)
  if (records.length === 0) {
    const seeded = yield* genesisRecords(genesis, poseidon)
    const history: CommitteeHistory = new Map()
    recordCommittees(history, seeded, filtersOf(seeded), 0n)
    yield* store.commit((tx) => {
      for (const r of seeded) rows.put(tx, proverKey(r.address), r)
      meta.put(tx, GENESIS_META_KEY, { genesisDigest: digest, seededAt: new Date(0).toISOString() })
      for (const [filter, entries] of history) historyRows.put(tx, committeeKey(hexToBytes(filter)), { entries })
      historyStart.put(tx, COMMITTEE_HISTORY_KEY, { fromFrame: 0n })
    })
    records = seeded
    yield* Effect.logInfo("prover registry seeded from genesis").pipe(Effect.annotateLogs({ provers: seeded.length }))
  } else {
    const stored = yield* store.read(() => meta.get(GENESIS_META_KEY))
    if (stored === undefined || bytesToHex(stored.genesisDigest) !== bytesToHex(digest)) {
      yield* Effect.logWarning("configured genesis prover set differs from the persisted registry; keeping the persisted set")
    }
  }
  const rewards = yield* store.read(() => store.repository(rewardRows).range({ prefix: rewardRowsPrefix() }))
  const cursor = yield* store.read(() => store.repository(rewardCursor).get(REWARD_CURSOR_KEY))
  const creditedThrough = cursor?.creditedThrough ?? 0n
  const history: CommitteeHistory = new Map(
    (yield* store.read(() => historyRows.range({ prefix: committeeRowsPrefix() }))).map((e) => [bytesToHex(e.key[1]), e.value.entries]),
  )
  let historyFrom = (yield* store.read(() => historyStart.get(COMMITTEE_HISTORY_KEY)))?.fromFrame
  if (historyFrom === undefined) {
    // A store written before the history existed: it starts at the registry's cursor, with the sets it holds now.
    const from = creditedThrough
    recordCommittees(history, records, filtersOf(records), from)
    yield* store.commit((tx) => {
      for (const [filter, entries] of history) historyRows.put(tx, committeeKey(hexToBytes(filter)), { entries })
      historyStart.put(tx, COMMITTEE_HISTORY_KEY, { fromFrame: from })
    })
    historyFrom = from
  }
  const bls = Option.getOrUndefined(yield* Effect.serviceOption(BlsVerifier))
  const vdf = Option.getOrUndefined(yield* Effect.serviceOption(FrameVdf))
  const lifecycleCrypto: EffectLifecycleCrypto | undefined =
    bls === undefined || vdf === undefined
      ? undefined
      : {
          poseidon,
          // A verifier failure (malformed key, worker error) is a refusal, as the pure step's false is.
          blsVerify: (pk, sig, msg, domain) => Effect.orElseSucceed(bls.verify(pk, sig, msg, domain), () => false),
          vdfVerifyMulti: (challenge, difficulty, ids, blobs) => Effect.orElseSucceed(vdf.verifyMulti(challenge, difficulty, ids, blobs), () => false),
        }
  const state: RegistryState = {
    network: genesis.network,
    poseidon,
    records: new Map(records.map((r) => [bytesToHex(r.address), r])),
    committees: new Map(),
    store,
    rewards: new Map(rewards.map((e) => [bytesToHex(e.key[1]), e.value.balance])),
    creditedThrough,
    feed: Option.getOrUndefined(yield* Effect.serviceOption(RewardFeed)),
    lifecycleCrypto,
    lifecycleParams: lifecycleParamsFor(genesis.network),
    creditCommittee: [],
    history,
    historyFrom,
  }
  const loaded: RegistryState = { ...state, creditCommittee: committee(state, new Uint8Array()).map((p) => p.address) }
  return loaded
})

const committee = (state: RegistryState, filter: Uint8Array): ReadonlyArray<ActiveProverInfo> => {
  const key = bytesToHex(filter)
  const cached = state.committees.get(key)
  if (cached !== undefined) return cached
  const active = sortByAddress(
    [...state.records.values()].filter((r) => isActiveFor(r, filter)).map((r) => ({ address: r.address, publicKey: r.publicKey, seniority: r.seniority })),
  )
  state.committees.set(key, active)
  return active
}

/** D-REG-8: the set as of committed frame `frameNumber`, or why it cannot be answered. */
const committeeAtFrame = (state: RegistryState, filter: Uint8Array, frameNumber: bigint) => {
  if (frameNumber > state.creditedThrough)
    return Effect.fail(new CommitteeUnknown({ frameNumber, reason: "not-yet-applied", appliedThrough: state.creditedThrough }))
  if (frameNumber < state.historyFrom)
    return Effect.fail(new CommitteeUnknown({ frameNumber, reason: "before-history", appliedThrough: state.creditedThrough }))
  // Keys and seniority from the records: a prover's row is never deleted and its key never changes.
  return Effect.succeed(
    committeeAt(state.history, filter, frameNumber).flatMap((address): Array<ActiveProverInfo> => {
      const r = state.records.get(bytesToHex(address))
      return r === undefined ? [] : [{ address: r.address, publicKey: r.publicKey, seniority: r.seniority }]
    }),
  )
}

const leaderInfo = (state: RegistryState, filter: Uint8Array, rank: bigint): LeaderInfo => {
  const provers = committee(state, filter)
  const leader = leaderForRank(state.poseidon, state.network, filter, provers, rank)
  return Option.match(leader, {
    onNone: () => ({ address: null, index: null, committeeSize: provers.length }),
    onSome: (address) => ({ address, index: Option.getOrNull(indexOfAddress(provers, address)), committeeSize: provers.length }),
  })
}

const thresholdInfo = (state: RegistryState, filter: Uint8Array): ThresholdInfo => {
  const provers = committee(state, filter)
  return { threshold: quorumThreshold(filter, provers), totalSeniority: totalSeniority(provers), committeeSize: provers.length }
}

/** The prover's ring among each allocation's filter's active provers (§8.5), null where not active. */
const summary = (state: RegistryState, record: ProverRecord): ProverSummary => ({
  record,
  reward: state.rewards.get(bytesToHex(record.address)) ?? 0n,
  rings: record.allocations.map((a) => {
    if (a.status !== "Active") return null
    const members = [...state.records.values()]
      .filter((r) => isActiveFor(r, a.filter))
      .map((r) => ({
        address: r.address,
        seniority: r.seniority,
        joinFrameNumber: r.allocations.find((x) => x.status === "Active" && bytesToHex(x.filter) === bytesToHex(a.filter))?.joinFrameNumber ?? 0n,
        joinConfirmFrameNumber: 0n,
      }))
    return ringAssignments(members).find((m) => bytesToHex(m.member.address) === bytesToHex(record.address))?.ring ?? null
  }),
})

/**
 * Pays the committed frames after `creditedThrough` up to `upTo` (at most CREDIT_BATCH now, the rest by a
 * note to itself): balances, LastActiveFrameNumbers and the cursor in one commit, so a crash pays a frame
 * either fully or not at all, and a restart resumes at the cursor. A failed read or commit keeps the old
 * state (the next note retries).
 */
const creditCommitted = (state: RegistryState, upTo: bigint, self: { readonly unsafeTell: (m: ProverRegistryMessage) => boolean }) =>
  Effect.gen(function* () {
    const feed = state.feed
    if (feed === undefined) return state
    const head = yield* feed.committedHead
    const target = upTo < head ? upTo : head
    if (target <= state.creditedThrough) return state
    const from = state.creditedThrough + 1n
    const to = target < from + CREDIT_BATCH - 1n ? target : from + CREDIT_BATCH - 1n
    // Only a contiguous run from the cursor is paid: a frame missing from the store stops the batch there.
    const fetched = yield* feed.committed(from, to)
    const frames = fetched.filter((f, i) => f.globalFrameNumber === from + BigInt(i))
    if (frames.length === 0) return state
    const last = frames[frames.length - 1]?.globalFrameNumber ?? state.creditedThrough
    if (state.lifecycleCrypto === undefined && frames.some((f) => (f.lifecycle?.length ?? 0) > 0)) {
      yield* Effect.logWarning("committed prover lifecycle requests not applied: this registry has no BLS/VDF verifier")
    }
    // Frame by frame, as its materialization (§4.7 step 4): its lifecycle requests, then its shard updates paid
    // over the result. Per frame, so the outcome does not depend on how frames are batched (a catching-up
    // node batches differently from a live one).
    const records = new Map(state.records)
    const balances = new Map(state.rewards)
    const written = new Set<string>()
    const paid = new Set<string>()
    const lifecycle = { applied: 0, refused: [] as Array<string>, changed: 0 }
    let credits = 0
    const skipped: Array<string> = []
    // Copies until the commit: a failed commit leaves the history as it was.
    const history: CommitteeHistory = new Map(state.history)
    const historyTouched = new Set<string>()
    const evicted: Array<string> = []
    // Shard updates are credited against this committee only, so only its members can be found inactive (D-REG-11).
    const creditable = new Set(state.creditCommittee.map((a) => bytesToHex(a)))
    for (const frame of frames) {
      const changedAt = new Set<string>()
      if (state.lifecycleCrypto !== undefined && (frame.lifecycle?.length ?? 0) > 0) {
        const out = yield* applyCommittedLifecycle(
          toLifecycleState(records),
          [frame],
          state.lifecycleParams,
          state.lifecycleCrypto,
          feed.joinChallenge ?? (() => Effect.succeed(undefined)),
        )
        for (const key of out.changed) {
          const prover = out.state.get(key)
          if (prover !== undefined) records.set(key, fromLifecycleProver(prover))
          written.add(key)
          changedAt.add(key)
        }
        lifecycle.applied += out.applied
        lifecycle.refused.push(...out.refused)
        lifecycle.changed += out.changed.size
      }
      if (frame.updates.length > 0) {
        // The committee every shard update was validated against (global D-GC-17, D-GC-13).
        const committeeRecords = state.creditCommittee.flatMap((address) => {
          const r = records.get(bytesToHex(address))
          return r === undefined ? [] : [r]
        })
        const outcome = creditShardFrames({ committee: committeeRecords, balances, frames: [frame] })
        for (const [key, balance] of outcome.balances) {
          balances.set(key, balance)
          paid.add(key)
        }
        for (const [key, record] of outcome.records) {
          records.set(key, record)
          written.add(key)
        }
        credits += outcome.credits
        skipped.push(...outcome.skipped)
      }
      // §4.7 step 7, after the frame's shard updates moved LastActiveFrameNumber (D-REG-9).
      const eviction = applyEviction(records, frame.globalFrameNumber, state.lifecycleParams, (address) => creditable.has(bytesToHex(address)))
      for (const [key, record] of eviction.changed) {
        records.set(key, record)
        written.add(key)
        changedAt.add(key)
      }
      evicted.push(...eviction.evicted.map((a) => `${frame.globalFrameNumber}/${a}`))
      // D-REG-8: the committees of the filters the changed provers hold, as of this frame.
      if (changedAt.size > 0) {
        const changedRecords = [...changedAt].flatMap((key) => {
          const r = records.get(key)
          return r === undefined ? [] : [r]
        })
        for (const f of recordCommittees(history, records.values(), filtersOf(changedRecords), frame.globalFrameNumber)) historyTouched.add(f)
      }
    }
    const rewards = state.store.repository(rewardRows)
    const rows = state.store.repository(proverRows)
    const cursor = state.store.repository(rewardCursor)
    const historyRows = state.store.repository(committeeRows)
    yield* state.store.commit((tx) => {
      for (const key of paid) rewards.put(tx, rewardKey(hexToBytes(key)), { balance: balances.get(key) ?? 0n })
      for (const key of written) {
        const record = records.get(key)
        if (record !== undefined) rows.put(tx, proverKey(record.address), record)
      }
      for (const f of historyTouched) historyRows.put(tx, committeeKey(hexToBytes(f)), { entries: history.get(f) ?? [] })
      cursor.put(tx, REWARD_CURSOR_KEY, { creditedThrough: last })
    })
    for (const f of historyTouched) state.history.set(f, history.get(f) ?? [])
    for (const key of paid) state.rewards.set(key, balances.get(key) ?? 0n)
    for (const key of written) {
      const record = records.get(key)
      if (record !== undefined) state.records.set(key, record)
    }
    // Committees follow the committed records (the engine's own snapshot does not, D-GC-13).
    if (lifecycle.changed > 0 || evicted.length > 0) state.committees.clear()
    if (evicted.length > 0) yield* Effect.logInfo(`inactive provers evicted: ${evicted.join(", ")}`)
    state.creditedThrough = last
    if (lifecycle.applied > 0 || lifecycle.refused.length > 0) {
      yield* Effect.logInfo("prover lifecycle requests applied").pipe(
        Effect.annotateLogs({ through: String(last), applied: lifecycle.applied, refused: lifecycle.refused.length }),
      )
      for (const r of lifecycle.refused) yield* Effect.logDebug(`prover lifecycle request refused: ${r}`)
    }
    if (skipped.length > 0) yield* Effect.logWarning(`shard updates paid nothing (reward not computable): ${skipped.join(", ")}`)
    yield* Effect.logDebug("shard-frame rewards credited").pipe(Effect.annotateLogs({ from: String(from), through: String(last), credits }))
    if (last < target) self.unsafeTell(new CreditCommitted({ upTo: target }))
    return state
  }).pipe(Effect.catchAll((e) => Effect.as(Effect.logWarning(`shard-frame rewards not credited: ${e._tag}`), state)))

export const proverRegistryActor = Actor.make(
  PROVER_REGISTRY_NAME,
  ProverRegistryProtocol,
  {
    init: (ctx) =>
      Effect.tap(load, (state) =>
        // Catch up with frames committed while this registry was down (or before it started).
        Effect.sync(() => (state.feed === undefined ? undefined : ctx.self.unsafeTell(new CreditCommitted({ upTo: (1n << 64n) - 1n })))),
      ),
    handlers: {
      ActiveProvers: (state, { filter }) => Effect.sync(() => [state, committee(state, filter)] as const),
      CommitteeAt: (state, { filter, frameNumber }) => Effect.map(committeeAtFrame(state, filter, frameNumber), (c) => [state, c] as const),
      Leader: (state, { filter, rank }) => Effect.sync(() => [state, leaderInfo(state, filter, rank)] as const),
      Threshold: (state, { filter }) => Effect.sync(() => [state, thresholdInfo(state, filter)] as const),
      ProverInfo: (state, { address }) => Effect.sync(() => [state, state.records.get(bytesToHex(address)) ?? null] as const),
      CreditCommitted: (state, { upTo }, ctx) => creditCommitted(state, upTo, ctx.self),
      ListProvers: (state) =>
        Effect.sync(() => {
          const all = [...state.records.values()].sort((a, b) => Buffer.compare(a.address, b.address)).map((r) => summary(state, r))
          return [state, all] as const
        }),
      ProverDetail: (state, { address }) =>
        Effect.sync(() => {
          const record = state.records.get(bytesToHex(address))
          return [state, record === undefined ? null : summary(state, record)] as const
        }),
      GetRewardProgress: (state) => Effect.sync(() => [state, { creditedThrough: state.creditedThrough, paying: state.feed !== undefined }] as const),
      CheckLifecycle: (state, { operation, frameNumber }) =>
        Effect.gen(function* () {
          const base = { appliedThrough: state.creditedThrough }
          if (state.lifecycleCrypto === undefined) return [state, { ...base, refusal: null, unchecked: true }] as const
          const out = yield* applyCommittedLifecycle(
            toLifecycleState(state.records),
            [{ globalFrameNumber: frameNumber, updates: [], lifecycle: [operation] }],
            state.lifecycleParams,
            state.lifecycleCrypto,
            state.feed?.joinChallenge ?? (() => Effect.succeed(undefined)),
          )
          // "frame/index: reason" → the reason.
          const refusal = out.refused[0]?.replace(/^\d+\/\d+: /, "") ?? null
          return [state, { ...base, refusal, unchecked: false }] as const
        }),
    },
  },
  { mailbox: { capacity: 1024, overflow: "backpressure" } },
)
