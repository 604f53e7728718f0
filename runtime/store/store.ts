// The Store service: one LMDB environment per process (`<dataDir>/master`, `<dataDir>/worker-<n>`),
// one named sub-database per registered bucket, typed repositories on top, and exactly one LMDB
// write transaction per commit. Commits are durable when they return: a synchronous LMDB commit
// fsyncs before returning (the env is opened without overlappingSync, so there is no deferred
// flush), and a commit whose function throws is aborted and leaves nothing behind.
import { existsSync, mkdirSync, statSync } from "node:fs"
import { basename, join } from "node:path"
import { open, type RootDatabase } from "lmdb"
import { Context, Effect, Layer } from "effect"
import { ALL_BUCKETS, bucketDbName, Buckets, validateRegistry, type Bucket } from "./buckets.ts"
import {
  isDamageError,
  reasonOf,
  writeReasonOf,
  StoreCommitFailed,
  StoreDamaged,
  StoreMisuse,
  StoreOpenFailed,
  StoreReadFailed,
  StoreVersionTooNew,
} from "./errors.ts"
import { KeyCodec } from "./key-codec.ts"
import { Repository, WriteTx, type BinaryDb, type RepositoryDef } from "./repository.ts"
import { ValueCodec } from "./value-codec.ts"
import { commitsTotal } from "./metrics.ts"
import { checkDataFile } from "./file-check.ts"

/**
 * Bumped when the on-disk layout changes incompatibly; a store with a higher number is refused, one
 * with a lower number is migrated on open by the `migrations` its opener passes (one per step).
 * 1 → 2: the committed global chain is stored once (the time reel keeps ids, not bodies).
 */
export const STORE_FORMAT_VERSION = 2

/**
 * One format step, `from` → `from + 1`. `run` does its writes in `tx`, the same transaction that
 * records the new version, so a crash leaves the store at `from` or at `from + 1`, never between.
 * It returns one line saying what it did (logged).
 */
export interface StoreMigration {
  readonly from: number
  readonly run: (store: StoreService, tx: WriteTx) => string
}

const FORMAT_VERSION_KEY = "formatVersion"

const metaRepository = (bucket: Bucket) => ({ bucket, key: KeyCodec.string, value: ValueCodec.cbor<number>() }) satisfies RepositoryDef<string, number>

export interface StoreOptions {
  /** Directory of the LMDB environment (created with mode 0700). */
  readonly path: string
  /** Buckets to open; defaults to the whole registry. Must include `Buckets.meta`. */
  readonly buckets?: ReadonlyArray<Bucket>
  /** Upper bound on LMDB named databases (default 64). */
  readonly maxDbs?: number
  /** Steps from older formats to STORE_FORMAT_VERSION; an older store without its steps is refused. */
  readonly migrations?: ReadonlyArray<StoreMigration>
}

export interface StoreStats {
  readonly path: string
  readonly formatVersion: number
  readonly mapSizeBytes: number
  readonly usedBytes: number
  readonly lastTxnId: number
  readonly readers: number
  /** Entries per bucket, by bucket name. */
  readonly entries: Readonly<Record<string, number>>
}

export interface StoreService {
  readonly path: string
  readonly formatVersion: number
  /** A typed repository over one of the opened buckets. */
  readonly repository: <K, V>(def: RepositoryDef<K, V>) => Repository<K, V>
  /** Runs `fn` in one LMDB write transaction and commits it (durable on success); all or nothing. */
  readonly commit: <A>(fn: (tx: WriteTx) => A) => Effect.Effect<A, StoreCommitFailed>
  /** `commit` without Effect, for hot loops already inside an Effect; throws StoreCommitFailed. */
  readonly commitSync: <A>(fn: (tx: WriteTx) => A) => A
  /** Runs synchronous repository reads, turning a throw (closed store, corrupt value) into StoreReadFailed. */
  readonly read: <A>(fn: () => A) => Effect.Effect<A, StoreReadFailed>
  readonly stats: Effect.Effect<StoreStats>
}

export class Store extends Context.Tag("quilbun/Store")<Store, StoreService>() {}

/** `<dataDir>/master` for the master, `<dataDir>/worker-<n>` for data worker n. */
export const storePath = (dataDir: string, role: "master" | { readonly worker: number }): string =>
  join(dataDir, role === "master" ? "master" : `worker-${role.worker}`)

interface RootStats {
  readonly pageSize: number
  readonly mapSize: number
  readonly lastPageNumber: number
  readonly lastTxnId: number
  readonly numReaders: number
  readonly entryCount: number
}

const isThenable = (x: unknown): boolean => typeof x === "object" && x !== null && typeof (x as { then?: unknown }).then === "function"

class LmdbStore implements StoreService {
  readonly #id = Symbol("store")
  #open = true
  #inCommit = false
  readonly #label: string

  #formatVersion: number

  constructor(
    readonly path: string,
    formatVersion: number,
    private readonly root: RootDatabase,
    private readonly dbs: ReadonlyMap<number, { readonly bucket: Bucket; readonly db: BinaryDb }>,
  ) {
    this.#label = basename(path)
    this.#formatVersion = formatVersion
  }

  get formatVersion(): number {
    return this.#formatVersion
  }

  /** Runs one migration step and records its new version in the same transaction. */
  migrate(step: StoreMigration): Effect.Effect<string, StoreCommitFailed> {
    const meta = this.repository(metaRepository(Buckets.meta))
    return Effect.map(
      this.commit((tx) => {
        const summary = step.run(this, tx)
        meta.put(tx, FORMAT_VERSION_KEY, step.from + 1)
        return summary
      }),
      (summary) => {
        this.#formatVersion = step.from + 1
        return summary
      },
    )
  }

  repository = <K, V>(def: RepositoryDef<K, V>): Repository<K, V> => {
    const entry = this.dbs.get(def.bucket.id)
    if (entry === undefined || entry.bucket.name !== def.bucket.name) {
      throw new StoreMisuse({ path: this.path, reason: `bucket ${def.bucket.id}:${def.bucket.name} is not open in this store` })
    }
    return new Repository(def, entry.db, this.path, this.#id, () => this.#open)
  }

  commitSync = <A>(fn: (tx: WriteTx) => A): A => {
    if (!this.#open) throw new StoreCommitFailed({ path: this.path, reason: "store is closed", cause: undefined })
    if (this.#inCommit) throw new StoreCommitFailed({ path: this.path, reason: "nested commit", cause: undefined })
    const tx = new WriteTx(this.#id)
    this.#inCommit = true
    try {
      return this.root.transactionSync(() => {
        const result = fn(tx)
        // an async function would let lmdb keep the transaction open across event turns
        if (isThenable(result)) throw new Error("commit function must be synchronous (it returned a promise)")
        return result
      })
    } catch (e) {
      throw e instanceof StoreCommitFailed ? e : new StoreCommitFailed({ path: this.path, reason: writeReasonOf(this.path, e), cause: e })
    } finally {
      tx.end()
      this.#inCommit = false
    }
  }

  commit = <A>(fn: (tx: WriteTx) => A): Effect.Effect<A, StoreCommitFailed> =>
    Effect.try({
      try: () => this.commitSync(fn),
      catch: (e) => (e instanceof StoreCommitFailed ? e : new StoreCommitFailed({ path: this.path, reason: writeReasonOf(this.path, e), cause: e })),
    }).pipe(
      Effect.tapBoth({
        onFailure: () => commitsTotal(this.#label, "failed"),
        onSuccess: () => commitsTotal(this.#label, "ok"),
      }),
    )

  read = <A>(fn: () => A): Effect.Effect<A, StoreReadFailed> =>
    Effect.try({
      try: fn,
      catch: (e) => new StoreReadFailed({ path: this.path, reason: reasonOf(e), cause: e }),
    })

  stats: Effect.Effect<StoreStats> = Effect.sync(() => {
    const s = this.root.getStats() as RootStats
    const entries: Record<string, number> = {}
    for (const { bucket, db } of this.dbs.values()) entries[bucket.name] = (db.getStats() as RootStats).entryCount
    return {
      path: this.path,
      formatVersion: this.formatVersion,
      mapSizeBytes: s.mapSize,
      usedBytes: (s.lastPageNumber + 1) * s.pageSize,
      lastTxnId: s.lastTxnId,
      readers: s.numReaders,
      entries,
    }
  })

  close = (): Promise<void> => {
    if (!this.#open) return Promise.resolve()
    this.#open = false
    return this.root.close()
  }
}

const openDb = (root: RootDatabase, bucket: Bucket, create: boolean): BinaryDb => {
  // `create` is honoured by lmdb-js (create: false opens without a write txn's MDB_CREATE) but missing from its types.
  const options = { name: bucketDbName(bucket), keyEncoding: "binary", encoding: "binary", create } as const
  return root.openDB<Uint8Array, Uint8Array>(options as Omit<typeof options, "create">)
}

export type StoreOpenError = StoreOpenFailed | StoreDamaged | StoreVersionTooNew

/**
 * Opens (creating on first use) the store at `options.path`; fails without writing on a newer format,
 * and with StoreDamaged (before LMDB maps anything) when data.mdb is not a sound LMDB file.
 */
export const openStore = (options: StoreOptions): Effect.Effect<StoreService & { readonly close: () => Promise<void> }, StoreOpenError> =>
  Effect.suspend((): Effect.Effect<LmdbStore, StoreOpenError> => {
    const path = options.path
    const buckets = options.buckets ?? ALL_BUCKETS
    const failed = (reason: string) => Effect.fail(new StoreOpenFailed({ path, reason }))
    const damaged = (reason: string) => Effect.fail(new StoreDamaged({ path, reason }))
    try {
      validateRegistry(buckets)
    } catch (e) {
      return failed(`bad bucket registry: ${reasonOf(e)}`)
    }
    const metaBucket = buckets.find((b) => b.id === Buckets.meta.id)
    if (metaBucket === undefined) return failed("the bucket list must include the meta bucket")
    // Checked up front: lmdb's own errors for these cases do not say what is wrong.
    if (existsSync(path) && !statSync(path).isDirectory()) return failed("not a directory")
    const file = checkDataFile(join(path, "data.mdb"))
    if (file._tag === "Left") return damaged(file.left)
    const fresh = file.right === "empty"
    let root: RootDatabase
    try {
      if (fresh) mkdirSync(path, { recursive: true, mode: 0o700 })
      root = open({ path, maxDbs: options.maxDbs ?? 64, overlappingSync: false, compression: false })
    } catch (e) {
      return isDamageError(e) ? damaged(reasonOf(e)) : failed(reasonOf(e))
    }
    const abandon = <E>(error: E) => Effect.promise(() => root.close().catch(() => undefined)).pipe(Effect.zipRight(Effect.fail(error)))
    try {
      // An env without any named database is a first start that crashed before its first commit.
      const empty = (root.getStats() as RootStats).entryCount === 0
      let version: number
      if (fresh || empty) {
        const meta = openDb(root, metaBucket, true)
        root.transactionSync(() => {
          meta.putSync(KeyCodec.string.encode(FORMAT_VERSION_KEY), ValueCodec.cbor<number>().encode(STORE_FORMAT_VERSION))
        })
        version = STORE_FORMAT_VERSION
      } else {
        // Read-only probe first: `create: false` opens without a write, so a refused store stays untouched.
        let meta: BinaryDb
        try {
          meta = openDb(root, metaBucket, false)
        } catch {
          return abandon(new StoreOpenFailed({ path, reason: "no meta bucket: not a quilbun store" }))
        }
        const found = new Repository(metaRepository(metaBucket), meta, path, Symbol("probe"), () => true).get(FORMAT_VERSION_KEY)
        if (typeof found !== "number" || !Number.isInteger(found) || found < 1) {
          return abandon(new StoreOpenFailed({ path, reason: `missing or invalid format version ${JSON.stringify(found)}` }))
        }
        if (found > STORE_FORMAT_VERSION) {
          return abandon(new StoreVersionTooNew({ path, found, supported: STORE_FORMAT_VERSION }))
        }
        version = found
        for (let v = found; v < STORE_FORMAT_VERSION; v++) {
          if (options.migrations?.some((m) => m.from === v) !== true) {
            return abandon(new StoreOpenFailed({ path, reason: `format ${v} is older than ${STORE_FORMAT_VERSION} and no migration from ${v} was given` }))
          }
        }
      }
      const dbs = new Map<number, { bucket: Bucket; db: BinaryDb }>()
      for (const bucket of buckets) dbs.set(bucket.id, { bucket, db: openDb(root, bucket, true) })
      const store = new LmdbStore(path, version, root, dbs)
      if (version === STORE_FORMAT_VERSION) return Effect.succeed(store)
      return migrateToCurrent(store, options.migrations ?? []).pipe(
        Effect.as(store),
        Effect.catchAll((e) => abandon(new StoreOpenFailed({ path, reason: `migration failed: ${e.reason}` }))),
      )
    } catch (e) {
      return abandon(isDamageError(e) ? new StoreDamaged({ path, reason: reasonOf(e) }) : new StoreOpenFailed({ path, reason: reasonOf(e) }))
    }
  })

/** Applies the steps from the store's version up to STORE_FORMAT_VERSION, one transaction each, logging each. */
const migrateToCurrent = (store: LmdbStore, migrations: ReadonlyArray<StoreMigration>): Effect.Effect<void, StoreCommitFailed> =>
  Effect.gen(function* () {
    while (store.formatVersion < STORE_FORMAT_VERSION) {
      const from = store.formatVersion
      const step = migrations.find((m) => m.from === from)
      if (step === undefined) return yield* new StoreCommitFailed({ path: store.path, reason: `no migration from format ${from}`, cause: undefined })
      const summary = yield* store.migrate(step)
      yield* Effect.logInfo(`store ${store.path}: format ${from} → ${from + 1}: ${summary}`)
    }
  })

/** The store as a scoped resource: opened on acquire, `await root.close()` in the finalizer. */
export const StoreLive = (options: StoreOptions): Layer.Layer<Store, StoreOpenError> =>
  Layer.scoped(Store, Effect.acquireRelease(openStore(options), (s) => Effect.promise(() => s.close())).pipe(Effect.map((s): StoreService => s)))
export { FORMAT_VERSION_KEY }
