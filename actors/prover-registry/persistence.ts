// Registry rows in the store's `registry` bucket. Keys start with a kind byte so the prover rows form
// one contiguous range: 0x00 ‖ name → metadata, 0x01 ‖ address(32) → ProverRecord, 0x02 ‖ address(32) →
// the prover's reward record (§8.1 `reward:ProverReward`).
import { Schema } from "effect"
import { Buckets, defineRepository, KeyCodec, ValueCodec } from "../../runtime/store/index.ts"
import { ProverRecord } from "./prover-record.ts"

const META = Uint8Array.of(0x00)
const PROVER = Uint8Array.of(0x01)
const REWARD = Uint8Array.of(0x02)

export const proverRows = defineRepository({
  bucket: Buckets.registry,
  key: KeyCodec.tuple(KeyCodec.fixedBytes(1), KeyCodec.fixedBytes(32)),
  value: ValueCodec.schema(ProverRecord),
})

export const proverKey = (address: Uint8Array) => [PROVER, address] as const
export const proverRowsPrefix = (): Uint8Array => proverRows.key.prefix(PROVER)

const RegistryMeta = Schema.Struct({ genesisDigest: Schema.Uint8ArrayFromSelf, seededAt: Schema.String })

export const registryMeta = defineRepository({
  bucket: Buckets.registry,
  key: KeyCodec.tuple(KeyCodec.fixedBytes(1), KeyCodec.string),
  value: ValueCodec.schema(RegistryMeta),
})

export const GENESIS_META_KEY = [META, "genesis"] as const

/** `reward:ProverReward`: the balance (raw units, 8e9 per QUIL) a prover has earned and not minted yet. */
const ProverReward = Schema.Struct({ balance: Schema.BigInt })

export const rewardRows = defineRepository({
  bucket: Buckets.registry,
  key: KeyCodec.tuple(KeyCodec.fixedBytes(1), KeyCodec.fixedBytes(32)),
  value: ValueCodec.schema(ProverReward),
})

export const rewardKey = (address: Uint8Array) => [REWARD, address] as const
export const rewardRowsPrefix = (): Uint8Array => rewardRows.key.prefix(REWARD)

/** The last committed global frame whose shard updates have been credited (written with the balances). */
const RewardCursor = Schema.Struct({ creditedThrough: Schema.BigInt })

export const rewardCursor = defineRepository({
  bucket: Buckets.registry,
  key: KeyCodec.tuple(KeyCodec.fixedBytes(1), KeyCodec.string),
  value: ValueCodec.schema(RewardCursor),
})

export const REWARD_CURSOR_KEY = [META, "rewards"] as const

const COMMITTEES = Uint8Array.of(0x03)

/** One filter's committee history (D-REG-8): the active set from each committed global frame that changed it. */
const CommitteeRow = Schema.Struct({
  entries: Schema.Array(Schema.Struct({ fromFrame: Schema.BigInt, addresses: Schema.Array(Schema.Uint8ArrayFromSelf) })),
})

export const committeeRows = defineRepository({
  bucket: Buckets.registry,
  key: KeyCodec.tuple(KeyCodec.fixedBytes(1), KeyCodec.bytes),
  value: ValueCodec.schema(CommitteeRow),
})

export const committeeKey = (filter: Uint8Array) => [COMMITTEES, filter] as const
export const committeeRowsPrefix = (): Uint8Array => committeeRows.key.prefix(COMMITTEES)

/** The first committed global frame the committee history answers for (0 when it began at genesis). */
const CommitteeHistoryStart = Schema.Struct({ fromFrame: Schema.BigInt })

export const committeeHistoryStart = defineRepository({
  bucket: Buckets.registry,
  key: KeyCodec.tuple(KeyCodec.fixedBytes(1), KeyCodec.string),
  value: ValueCodec.schema(CommitteeHistoryStart),
})

export const COMMITTEE_HISTORY_KEY = [META, "committees"] as const
