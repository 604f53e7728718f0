// The prover-registry actor: the set of provers and their allocations, seeded from the genesis set and
// persisted in the store's registry bucket; answers the committee questions consensus asks on every
// rank (active provers per filter sorted by address, leader for a rank, quorum threshold). The pure
// rules live in actors/consensus/core/prover-ring.ts; this actor only owns the snapshot they run on.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect, Option } from "effect"
import type { PoseidonHash } from "../../crates/ts/services.ts"
import { indexOfAddress, leaderForRank, quorumThreshold, sortByAddress, totalSeniority } from "../consensus/core/prover-ring.ts"
import { Poseidon } from "../../crates/ts/services.ts"
import { Actor } from "../../runtime/kernel/index.ts"
import { Store } from "../../runtime/store/index.ts"
import { genesisDigest, type GenesisInvalid, RegistryGenesis, type RegistryGenesisConfig, validateGenesis } from "./genesis.ts"
import { GENESIS_META_KEY, proverKey, proverRows, proverRowsPrefix, registryMeta } from "./persistence.ts"
import { isActiveFor, type ProverRecord } from "./prover-record.ts"
import { ProverRegistryProtocol, type ActiveProverInfo, type LeaderInfo, type ThresholdInfo } from "./protocol.ts"

const PROVER_REGISTRY_NAME = "prover-registry"

interface RegistryState {
  readonly network: number
  readonly poseidon: PoseidonHash
  /** By hex(address). */
  readonly records: Map<string, ProverRecord>
  /** Sorted committees by hex(filter); rebuilt lazily (the set only changes on joins/leaves). */
  readonly committees: Map<string, ReadonlyArray<ActiveProverInfo>>
}

/** Genesis provers: Active, with an Active allocation per filter (global when no filter is given, §1.7). */
const genesisRecords = (genesis: RegistryGenesisConfig, poseidon: PoseidonHash): Effect.Effect<Array<ProverRecord>, GenesisInvalid> =>
  Effect.map(validateGenesis(genesis), (valid) =>
    valid.provers.map((p) => ({
      address: poseidon(p.publicKey),
      publicKey: p.publicKey,
      status: "Active" as const,
      seniority: p.seniority,
      kickFrameNumber: 0n,
      allocations: (p.filters ?? [new Uint8Array()]).map((filter) => ({ filter, status: "Active" as const, joinFrameNumber: 0n })),
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
  if (records.length === 0) {
    const seeded = yield* genesisRecords(genesis, poseidon)
    yield* store.commit((tx) => {
      for (const r of seeded) rows.put(tx, proverKey(r.address), r)
      meta.put(tx, GENESIS_META_KEY, { genesisDigest: digest, seededAt: new Date(0).toISOString() })
    })
    records = seeded
    yield* Effect.logInfo("prover registry seeded from genesis").pipe(Effect.annotateLogs({ provers: seeded.length }))
  } else {
    const stored = yield* store.read(() => meta.get(GENESIS_META_KEY))
    if (stored === undefined || bytesToHex(stored.genesisDigest) !== bytesToHex(digest)) {
      yield* Effect.logWarning("configured genesis prover set differs from the persisted registry; keeping the persisted set")
    }
  }
  const state: RegistryState = {
    network: genesis.network,
    poseidon,
    records: new Map(records.map((r) => [bytesToHex(r.address), r])),
    committees: new Map(),
  }
  return state
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

export const proverRegistryActor = Actor.make(
  PROVER_REGISTRY_NAME,
  ProverRegistryProtocol,
  {
    init: () => load,
    handlers: {
      ActiveProvers: (state, { filter }) => Effect.sync(() => [state, committee(state, filter)] as const),
      Leader: (state, { filter, rank }) => Effect.sync(() => [state, leaderInfo(state, filter, rank)] as const),
      Threshold: (state, { filter }) => Effect.sync(() => [state, thresholdInfo(state, filter)] as const),
      ProverInfo: (state, { address }) => Effect.sync(() => [state, state.records.get(bytesToHex(address)) ?? null] as const),
    },
  },
  { mailbox: { capacity: 1024, overflow: "backpressure" } },
)
