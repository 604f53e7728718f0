import { afterEach, expect, test } from "bun:test"
import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Cause, Effect, Exit, Layer, Metric, Option, Schema } from "effect"
import { open } from "lmdb"
import { Encoder } from "cbor-x"
import {
  bucketDbName,
  Buckets,
  defineRepository,
  FORMAT_VERSION_KEY,
  KeyCodec,
  openStore,
  recordStoreMetrics,
  Store,
  STORE_FORMAT_VERSION,
  StoreLive,
  storePath,
  ValueCodec,
  type StoreService,
} from "../../../../runtime/store/index.ts"

const dirs: Array<string> = []
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), "quilbun-store-"))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const Frame = Schema.Struct({ number: Schema.Number, parent: Schema.Uint8ArrayFromSelf, difficulty: Schema.BigIntFromSelf })
const frames = defineRepository({ bucket: Buckets.clockFramesGlobal, key: KeyCodec.u64Number, value: ValueCodec.schema(Frame) })
const kv = defineRepository({ bucket: Buckets.kvTest, key: KeyCodec.u64Number, value: ValueCodec.cbor<{ n: number; tag: string }>() })
const owned = defineRepository({
  bucket: Buckets.coins,
  key: KeyCodec.tuple(KeyCodec.fixedBytes(4), KeyCodec.u32),
  value: ValueCodec.raw,
})

/** Runs `body` with a store opened through the Layer; the layer's finalizer closes it. */
const withStore = <A>(path: string, body: (s: StoreService) => Effect.Effect<A, unknown>): Promise<A> =>
  Effect.runPromise(Effect.scoped(Effect.flatMap(Store, body).pipe(Effect.provide(StoreLive({ path })))) as Effect.Effect<A>)

test("round trip through typed repositories; reads inside a commit see its staged writes", async () => {
  const path = storePath(tmp(), "master")
  await withStore(path, (s) =>
    Effect.gen(function* () {
      const f = s.repository(frames)
      const parent = Uint8Array.of(1, 2, 3)
      const seen = yield* s.commit((tx) => {
        f.put(tx, 7, { number: 7, parent, difficulty: 2n ** 70n })
        return f.get(7)?.number
      })
      expect(seen).toBe(7)
      const got = f.get(7)
      expect(got?.difficulty).toBe(2n ** 70n)
      expect(got && [...got.parent]).toEqual([1, 2, 3])
      expect(f.get(8)).toBeUndefined()
      expect(f.has(7)).toBe(true)
      expect(yield* s.commit((tx) => f.delete(tx, 7))).toBe(true)
      expect(f.get(7)).toBeUndefined()
      expect(s.formatVersion).toBe(STORE_FORMAT_VERSION)
    }),
  )
  expect(statSync(path).mode & 0o777).toBe(0o700)
})

test("range reads are ordered, bounded [gte, lt), reversible, limited and prefix-filtered", async () => {
  await withStore(join(tmp(), "master"), (s) =>
    Effect.gen(function* () {
      const r = s.repository(kv)
      const order = [5, 1, 9, 3, 7, 2, 8, 0, 6, 4]
      yield* s.commit((tx) => order.forEach((n) => r.put(tx, n * 10, { n, tag: `t${n}` })))
      expect(r.range().map((e) => e.key)).toEqual([0, 10, 20, 30, 40, 50, 60, 70, 80, 90])
      expect(r.range({ gte: 20, lt: 50 }).map((e) => e.value.n)).toEqual([2, 3, 4])
      expect(r.range({ gte: 20, lt: 50, reverse: true }).map((e) => e.key)).toEqual([40, 30, 20])
      expect(r.range({ gte: 25, lt: 55, reverse: true, limit: 2 }).map((e) => e.key)).toEqual([50, 40])
      expect(r.range({ reverse: true, limit: 3 }).map((e) => e.key)).toEqual([90, 80, 70])
      expect(r.range({ gte: 85 }).map((e) => e.key)).toEqual([90])
      expect(r.range({ lt: 10 }).map((e) => e.key)).toEqual([0])
      expect(r.range({ gte: 50, lt: 50 })).toEqual([])
      expect(r.keys({ gte: 60, limit: 2 })).toEqual([60, 70])
      expect(r.count()).toBe(10)
      expect(r.count({ gte: 20, lt: 50 })).toBe(3)

      const o = s.repository(owned)
      const alice = Uint8Array.of(0, 0, 0, 1)
      const bob = Uint8Array.of(0, 0, 0, 2)
      yield* s.commit((tx) => {
        for (const i of [3, 1, 2]) o.put(tx, [alice, i], Uint8Array.of(i))
        for (const i of [1, 2]) o.put(tx, [bob, i], Uint8Array.of(10 + i))
      })
      const p = owned.key.prefix(alice)
      expect(o.range({ prefix: p }).map((e) => e.key[1])).toEqual([1, 2, 3])
      expect(o.range({ prefix: p, reverse: true }).map((e) => e.key[1])).toEqual([3, 2, 1])
      expect(o.range({ prefix: owned.key.prefix(bob) }).map((e) => [...e.value])).toEqual([[11], [12]])
      expect(o.count({ prefix: p })).toBe(3)
    }),
  )
})

test("a commit whose function throws writes nothing; a commit's writes are all-or-nothing", async () => {
  await withStore(join(tmp(), "master"), (s) =>
    Effect.gen(function* () {
      const r = s.repository(kv)
      yield* s.commit((tx) => r.put(tx, 1, { n: 1, tag: "before" }))
      const exit = yield* Effect.exit(
        s.commit((tx) => {
          r.put(tx, 1, { n: 1, tag: "overwritten" })
          r.put(tx, 2, { n: 2, tag: "new" })
          throw new Error("boom")
        }),
      )
      expect(Exit.isFailure(exit)).toBe(true)
      if (Exit.isFailure(exit)) {
        const err = Option.getOrThrow(Cause.failureOption(exit.cause))
        expect(err._tag).toBe("StoreCommitFailed")
        expect(err.reason).toBe("boom")
      }
      expect(r.get(1)?.tag).toBe("before")
      expect(r.get(2)).toBeUndefined()
      expect(r.count()).toBe(1)
      // a WriteTx is dead after its commit
      let leaked: Parameters<Parameters<typeof s.commit>[0]>[0] | undefined
      yield* s.commit((tx) => {
        leaked = tx
      })
      expect(() => r.put(leaked!, 3, { n: 3, tag: "late" })).toThrow("transaction has ended")
      // async commit functions are refused (they would hold the write txn across turns)
      const asyncExit = yield* Effect.exit(s.commit(async () => 1))
      expect(Exit.isFailure(asyncExit)).toBe(true)
    }),
  )
})

test("reopen reads back what was committed; stats and metrics report it", async () => {
  const path = join(tmp(), "worker-1")
  await withStore(path, (s) => s.commit((tx) => [1, 2, 3].forEach((n) => s.repository(kv).put(tx, n, { n, tag: "x" }))))
  await withStore(path, (s) =>
    Effect.gen(function* () {
      expect(
        s
          .repository(kv)
          .range()
          .map((e) => e.value.n),
      ).toEqual([1, 2, 3])
      const stats = yield* s.stats
      expect(stats.entries["kv_test"]).toBe(3)
      expect(stats.entries["meta"]).toBe(1)
      expect(stats.lastTxnId).toBeGreaterThan(0)
      expect(stats.mapSizeBytes).toBeGreaterThan(0)
      yield* recordStoreMetrics(stats)
      const snapshot = yield* Metric.snapshot
      const entries = snapshot.find(
        (m) =>
          m.metricKey.name === "quilbun_store_entries" &&
          m.metricKey.tags.some((t) => t.key === "store" && t.value === "worker-1") &&
          m.metricKey.tags.some((t) => t.key === "bucket" && t.value === "kv_test"),
      )
      expect(entries?.metricState).toMatchObject({ value: 3 })
    }),
  )
})

test("a store written by a newer format version is refused and left byte-for-byte unchanged", async () => {
  const path = join(tmp(), "master")
  await withStore(path, (s) => s.commit((tx) => s.repository(kv).put(tx, 1, { n: 1, tag: "x" })))
  // simulate a future build: bump the version with raw lmdb
  const root = open({ path, maxDbs: 64 })
  const meta = root.openDB<Uint8Array, Uint8Array>({ name: bucketDbName(Buckets.meta), keyEncoding: "binary", encoding: "binary" })
  root.transactionSync(() => {
    meta.putSync(KeyCodec.string.encode(FORMAT_VERSION_KEY), new Encoder({ useRecords: false }).encode(STORE_FORMAT_VERSION + 1))
  })
  await root.close()
  const file = join(path, "data.mdb")
  const before = readFileSync(file)
  const mtime = statSync(file).mtimeMs
  await Bun.sleep(20)
  const exit = await Effect.runPromiseExit(Effect.scoped(Layer.build(StoreLive({ path }))))
  expect(Exit.isFailure(exit)).toBe(true)
  if (Exit.isFailure(exit)) {
    const err = Option.getOrThrow(Cause.failureOption(exit.cause))
    expect(err).toMatchObject({ _tag: "StoreVersionTooNew", path, found: STORE_FORMAT_VERSION + 1, supported: STORE_FORMAT_VERSION })
  }
  expect(readFileSync(file).equals(before)).toBe(true)
  expect(statSync(file).mtimeMs).toBe(mtime)
})

test("an unopenable path fails with StoreOpenFailed naming the path and the reason", async () => {
  const dir = tmp()
  const file = join(dir, "master")
  writeFileSync(file, "not a database")
  const exit = await Effect.runPromiseExit(openStore({ path: file }))
  expect(Exit.isFailure(exit)).toBe(true)
  if (Exit.isFailure(exit)) {
    const err = Option.getOrThrow(Cause.failureOption(exit.cause))
    expect(err).toMatchObject({ _tag: "StoreOpenFailed", path: file, reason: "not a directory" })
    expect(err.message).toBe(`store ${file}: cannot open: not a directory`)
  }
  // a parent that is a file: lmdb's own error is passed through, still with the path
  const nested = join(file, "sub")
  const e2 = await Effect.runPromiseExit(openStore({ path: nested }))
  if (Exit.isSuccess(e2)) throw new Error("expected failure")
  const err2 = Option.getOrThrow(Cause.failureOption(e2.cause))
  expect(err2._tag).toBe("StoreOpenFailed")
  expect(err2.path).toBe(nested)
  expect(err2.message.length).toBeGreaterThan(nested.length + 20)
  // a directory with a foreign LMDB env (no meta bucket) is refused, not adopted
  const foreign = join(dir, "foreign")
  const root = open({ path: foreign, maxDbs: 4 })
  const other = root.openDB<Uint8Array, Uint8Array>({ name: "other", keyEncoding: "binary", encoding: "binary" })
  root.transactionSync(() => other.putSync(Uint8Array.of(1), Uint8Array.of(1)))
  await root.close()
  const e3 = await Effect.runPromiseExit(openStore({ path: foreign }))
  if (Exit.isSuccess(e3)) throw new Error("expected failure")
  expect(Option.getOrThrow(Cause.failureOption(e3.cause))).toMatchObject({ _tag: "StoreOpenFailed", path: foreign })
})

test("the layer's finalizer closes the env: later use fails with typed errors", async () => {
  const path = join(tmp(), "master")
  const leaked = await withStore(path, (s) => Effect.succeed(s))
  const exit = await Effect.runPromiseExit(leaked.commit(() => undefined))
  if (Exit.isSuccess(exit)) throw new Error("expected failure")
  expect(Option.getOrThrow(Cause.failureOption(exit.cause))).toMatchObject({ _tag: "StoreCommitFailed", reason: "store is closed" })
  const read = await Effect.runPromiseExit(leaked.read(() => leaked.repository(kv).get(1)))
  if (Exit.isSuccess(read)) throw new Error("expected failure")
  expect(Option.getOrThrow(Cause.failureOption(read.cause))).toMatchObject({ _tag: "StoreReadFailed", reason: `store ${path}: store is closed` })
  // and the env can be opened again by a new layer
  await withStore(path, (s) => Effect.sync(() => expect(s.repository(kv).count()).toBe(0)))
})
