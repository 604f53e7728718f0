// The store: LMDB env per process, numbered buckets, typed repositories, one write txn per commit.
export { Buckets, ALL_BUCKETS, bucketDbName, validateRegistry } from "./buckets.ts"
export type { Bucket } from "./buckets.ts"
export { KeyCodec, prefixEnd } from "./key-codec.ts"
export { ValueCodec } from "./value-codec.ts"
export { Repository, WriteTx, defineRepository } from "./repository.ts"
export type { RepositoryDef } from "./repository.ts"
export {
  Store,
  StoreLive,
  openStore,
  storePath,
  STORE_FORMAT_VERSION,
  FORMAT_VERSION_KEY,
} from "./store.ts"
export type { StoreMigration, StoreService } from "./store.ts"
export { recordStoreMetrics } from "./metrics.ts"
export type { StoreCommitFailed, StoreReadFailed } from "./errors.ts"
