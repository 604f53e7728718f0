// The store: LMDB env per process, numbered buckets, typed repositories, one write txn per commit.
export { Buckets, ALL_BUCKETS, RETIRED_BUCKET_IDS, bucketDbName, validateRegistry } from "./buckets.ts"
export type { Bucket } from "./buckets.ts"
export { KeyCodec, prefixEnd } from "./key-codec.ts"
export type { TupleKeyCodec } from "./key-codec.ts"
export { ValueCodec } from "./value-codec.ts"
export { Repository, WriteTx, defineRepository } from "./repository.ts"
export type { RepositoryDef, RangeOptions, Entry } from "./repository.ts"
export {
  Store,
  StoreLive,
  openStore,
  storePath,
  STORE_FORMAT_VERSION,
  FORMAT_VERSION_KEY,
  metaRepositoryDef,
} from "./store.ts"
export type { StoreMigration, StoreOptions, StoreService, StoreStats, StoreOpenError } from "./store.ts"
export {
  StoreOpenFailed,
  StoreDamaged,
  StoreVersionTooNew,
  StoreCommitFailed,
  StoreReadFailed,
  StoreCorrupt,
  StoreMisuse,
} from "./errors.ts"
export { checkDataFile } from "./file-check.ts"
export { recordStoreMetrics } from "./metrics.ts"
