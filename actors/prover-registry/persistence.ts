// Registry rows in the store's `registry` bucket. Keys start with a kind byte so the prover rows form
// one contiguous range: 0x00 ‖ name → metadata, 0x01 ‖ address(32) → ProverRecord.
import { Schema } from "effect"
import { Buckets, defineRepository, KeyCodec, ValueCodec } from "../../runtime/store/index.ts"
import { ProverRecord } from "./prover-record.ts"

const META = Uint8Array.of(0x00)
const PROVER = Uint8Array.of(0x01)

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
