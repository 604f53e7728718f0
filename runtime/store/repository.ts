// A typed view of one bucket: key codec + value codec over a binary LMDB sub-database. Reads are
// synchronous (LMDB reads are memory-mapped and cheap) and see the staged writes when called
// inside a commit; writes take the commit's WriteTx, so they can only happen inside one.
import { bytesToHex } from "@noble/hashes/utils.js"
import type { Database } from "lmdb"
import type { Bucket } from "./buckets.ts"
import { reasonOf, StoreCorrupt, StoreMisuse } from "./errors.ts"
import { prefixEnd, type KeyCodec } from "./key-codec.ts"
import type { ValueCodec } from "./value-codec.ts"

export interface RepositoryDef<K, V> {
  readonly bucket: Bucket
  readonly key: KeyCodec<K>
  readonly value: ValueCodec<V>
}

/** Keeps the concrete key codec type (e.g. a tuple codec's `prefix`) alongside K and V. */
export const defineRepository = <K, V, C extends KeyCodec<K>>(def: {
  readonly bucket: Bucket
  readonly key: C & KeyCodec<K>
  readonly value: ValueCodec<V>
}): RepositoryDef<K, V> & { readonly key: C } => def

export interface Entry<K, V> {
  readonly key: K
  readonly value: V
}

/** Bounds are on keys: `gte` inclusive, `lt` exclusive, whatever the direction. */
export interface RangeOptions<K> {
  readonly gte?: K
  readonly lt?: K
  /** Encoded key prefix (e.g. `KeyCodec.tuple(...).prefix(owner)`); combined with gte/lt by intersection. */
  readonly prefix?: Uint8Array
  readonly reverse?: boolean
  readonly limit?: number
}

/** Write capability for exactly one commit; dead once the commit returns. */
export class WriteTx {
  #active = true
  constructor(readonly storeId: symbol) {}
  get active(): boolean {
    return this.#active
  }
  /** @internal called by the store when the commit ends */
  end(): void {
    this.#active = false
  }
}

export type BinaryDb = Database<Uint8Array, Uint8Array>

const compare = (a: Uint8Array, b: Uint8Array): number => Buffer.compare(a, b)

const maxKey = (a: Uint8Array | undefined, b: Uint8Array | undefined) => (a === undefined ? b : b === undefined ? a : compare(a, b) >= 0 ? a : b)
const minKey = (a: Uint8Array | undefined, b: Uint8Array | undefined) => (a === undefined ? b : b === undefined ? a : compare(a, b) <= 0 ? a : b)

export class Repository<K, V> {
  constructor(
    readonly def: RepositoryDef<K, V>,
    private readonly db: BinaryDb,
    private readonly path: string,
    private readonly storeId: symbol,
    private readonly isOpen: () => boolean,
  ) {}

  get bucket(): Bucket {
    return this.def.bucket
  }

  private decodeValue(key: Uint8Array, bytes: Uint8Array): V {
    try {
      return this.def.value.decode(bytes)
    } catch (e) {
      throw new StoreCorrupt({ path: this.path, bucket: this.def.bucket.name, key: bytesToHex(key), reason: reasonOf(e) })
    }
  }

  private checkOpen(): void {
    if (!this.isOpen()) throw new StoreMisuse({ path: this.path, reason: "store is closed" })
  }

  private checkTx(tx: WriteTx): void {
    if (tx.storeId !== this.storeId) throw new StoreMisuse({ path: this.path, reason: "transaction belongs to another store" })
    if (!tx.active) throw new StoreMisuse({ path: this.path, reason: "transaction has ended (write outside its commit)" })
  }

  get(key: K): V | undefined {
    this.checkOpen()
    const k = this.def.key.encode(key)
    const bytes = this.db.getBinary(k) // a copy: codecs may keep views into it
    return bytes === undefined ? undefined : this.decodeValue(k, bytes)
  }

  /**
   * `get` without lmdb's copy of the stored bytes: the codec decodes straight from lmdb's read
   * buffer, which the next read overwrites — for a codec whose `decode` copies whatever it keeps
   * (a hot read path: the copy was ~a third of a small row's read).
   */
  getInPlace(key: K): V | undefined {
    this.checkOpen()
    const k = this.def.key.encode(key)
    const shared = this.db.getBinaryFast(k)
    if (shared === undefined) return undefined
    // lmdb's reused buffer only pretends to its length (an own `length` property over a larger
    // array); the codec gets a true view of the value, so `slice`/`subarray` see its real end.
    return this.decodeValue(k, new Uint8Array(shared.buffer, shared.byteOffset, shared.length))
  }

  has(key: K): boolean {
    this.checkOpen()
    return this.db.doesExist(this.def.key.encode(key))
  }

  /** Stages `key -> value` in the commit's transaction. */
  put(tx: WriteTx, key: K, value: V): void {
    this.checkTx(tx)
    this.db.putSync(this.def.key.encode(key), this.def.value.encode(value))
  }

  /**
   * `put` of bytes already encoded with this repository's codecs, for a hot loop that encodes rows
   * into buffers it reuses: inside a commit lmdb copies the key and value into the transaction
   * before `putSync` returns (the write is synchronous), so the caller may overwrite them at once.
   */
  putEncoded(tx: WriteTx, key: Uint8Array, value: Uint8Array): void {
    this.checkTx(tx)
    this.db.putSync(key, value)
  }

  /** Stages a delete; returns whether the key existed. */
  delete(tx: WriteTx, key: K): boolean {
    this.checkTx(tx)
    return this.db.removeSync(this.def.key.encode(key))
  }

  private bounds(opts: RangeOptions<K>): { lo: Uint8Array | undefined; hi: Uint8Array | undefined } {
    const lo = maxKey(opts.gte === undefined ? undefined : this.def.key.encode(opts.gte), opts.prefix)
    const hi = minKey(opts.lt === undefined ? undefined : this.def.key.encode(opts.lt), opts.prefix === undefined ? undefined : prefixEnd(opts.prefix))
    return { lo, hi }
  }

  /** Visits raw keys (and values, when `values`) in key order or reverse, honouring bounds and limit. */
  private scan(opts: RangeOptions<K>, values: boolean, visit: (key: Uint8Array, value: Uint8Array) => void): void {
    this.checkOpen()
    const { lo, hi } = this.bounds(opts)
    const limit = opts.limit ?? Infinity
    if (limit <= 0 || (lo !== undefined && hi !== undefined && compare(lo, hi) >= 0)) return
    const empty = new Uint8Array(0)
    if (opts.reverse !== true) {
      const range = {
        ...(lo === undefined ? {} : { start: lo }),
        ...(hi === undefined ? {} : { end: hi }),
        ...(Number.isFinite(limit) ? { limit } : {}),
      }
      if (values) for (const { key, value } of this.db.getRange(range)) visit(key, value)
      else for (const key of this.db.getKeys(range)) visit(key, empty)
      return
    }
    // lmdb's reverse range starts *at* `start` and stops *before* `end`, the opposite of our
    // [gte, lt); so reverse scans start at `hi` and apply both bounds here.
    const range = { ...(hi === undefined ? {} : { start: hi }), reverse: true }
    let n = 0
    const step = (key: Uint8Array, value: Uint8Array): boolean => {
      if (hi !== undefined && compare(key, hi) >= 0) return true
      if (lo !== undefined && compare(key, lo) < 0) return false
      visit(key, value)
      return ++n < limit
    }
    if (values) {
      for (const { key, value } of this.db.getRange(range)) if (!step(key, value)) return
    } else for (const key of this.db.getKeys(range)) if (!step(key, empty)) return
  }

  range(opts: RangeOptions<K> = {}): Array<Entry<K, V>> {
    const out: Array<Entry<K, V>> = []
    this.scan(opts, true, (key, value) => out.push({ key: this.def.key.decode(key), value: this.decodeValue(key, value) }))
    return out
  }

  keys(opts: RangeOptions<K> = {}): Array<K> {
    const out: Array<K> = []
    this.scan(opts, false, (key) => out.push(this.def.key.decode(key)))
    return out
  }

  /** Entries in the bucket, or within the bounds when given (limit is ignored). */
  count(opts: Omit<RangeOptions<K>, "reverse" | "limit"> = {}): number {
    this.checkOpen()
    const { lo, hi } = this.bounds(opts)
    if (lo === undefined && hi === undefined) return (this.db.getStats() as { entryCount: number }).entryCount
    if (lo !== undefined && hi !== undefined && compare(lo, hi) >= 0) return 0
    return this.db.getKeysCount({ ...(lo === undefined ? {} : { start: lo }), ...(hi === undefined ? {} : { end: hi }) })
  }
}
