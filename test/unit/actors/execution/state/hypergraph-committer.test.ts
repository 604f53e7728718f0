// The hypergraph committer (spec §3.2, §3.6, §3.7) under the frame store: leaf rules and the
// execution root layout, deterministic roots whatever the order of changes, byte-exact revert,
// roots that survive a reopen, and memory dropped with an aborted transaction.
import { sha256, sha512 } from "@noble/hashes/sha2.js"
import { bytesToHex, concatBytes } from "@noble/hashes/utils.js"
import { afterAll, describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import type { StateCommitter } from "../../../../../actors/execution/committer.ts"
import { makeFrameStore } from "../../../../../actors/execution/frame-store.ts"
import type { Change } from "../../../../../actors/execution/overlay/index.ts"
import { atomKey } from "../../../../../actors/execution/overlay/write-rules.ts"
import { bloomIndices } from "../../../../../actors/execution/state/bloom-indices.ts"
import { makeHypergraphCommitter } from "../../../../../actors/execution/state/hypergraph-committer.ts"
import { encodeRoots, rootsAsOf, shardCommitRows } from "../../../../../actors/execution/state/shard-commits.ts"
import { Absent, type Lookup, present, Removed } from "../../../../../intrinsics/contract/index.ts"
import { openStore, type StoreService } from "../../../../../runtime/store/index.ts"
import { byteSource, kzg } from "./helpers.ts"

const dir = mkdtempSync(join(tmpdir(), "quilbun-committer-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))
let stores = 0

type OpenStore = StoreService & { readonly close: () => Promise<void> }
const openAt = (path: string): Promise<OpenStore> => Effect.runPromise(openStore({ path }))
const freshPath = (): string => join(dir, `store-${stores++}`)

const hex = bytesToHex
const ZERO = new Uint8Array(64)

/** One host's view: a store, its committer and frame store. */
const host = (store: StoreService, committer: StateCommitter = makeHypergraphCommitter(store, kzg)) => {
  const frames = makeFrameStore(store, committer)
  return {
    store,
    committer,
    apply: (frameNumber: bigint, changes: ReadonlyArray<Change>) => Effect.runPromise(frames.commit(frameNumber, changes)).then(hex),
    revertTo: (toFrame: bigint) => Effect.runPromise(frames.revertTo(toFrame)),
    shardRoots: (address: Uint8Array) => Effect.runPromise(committer.shardRoots(address, [])).then((rs) => rs.map(hex)),
    rows: () =>
      store
        .repository(shardCommitRows)
        .range()
        .map((e) => `${hex(e.key[0])}/${e.key[1]}=${hex(encodeRoots(e.value))}`),
  }
}

const L2S = [new Uint8Array(32).fill(0x42), Uint8Array.from({ length: 32 }, (_, i) => (i * 7 + 0x11) & 0x3f), Uint8Array.from({ length: 32 }, (_, i) => i)]

const atom = (l2: Uint8Array, data: Uint8Array): Uint8Array => concatBytes(l2, data)

/** Random valid frames over 3 shards (adds, re-adds, removals of live atoms, tombstones), sorted as the host sorts. */
const randomFrames = (seed: number, count: number): Array<Array<Change>> => {
  const rnd = byteSource(seed)
  const pool: Array<{ kind: "vertex" | "hyperedge"; id: Uint8Array }> = []
  for (const l2 of L2S)
    for (let i = 0; i < 10; i++) {
      const data = rnd(32)
      data[0] = data[0]! & 0x3f // Poseidon-derived addresses have their top two bits clear
      if (i === 0) data.fill(0xff) // and one reserved 0xff… address outside every sub-shard path
      pool.push({ kind: i % 3 === 0 ? "hyperedge" : "vertex", id: atom(l2, data) })
    }
  const state = new Map<string, Lookup>()
  const frames: Array<Array<Change>> = []
  for (let f = 0; f < count; f++) {
    const picked = new Set<number>()
    const size = 1 + (rnd(1)[0]! % 8)
    while (picked.size < size) picked.add(rnd(1)[0]! % pool.length)
    const changes: Array<Change> = []
    for (const i of picked) {
      const ref = pool[i]!
      const prior = state.get(atomKey(ref)) ?? Absent
      if (prior._tag === "Removed") continue
      const roll = rnd(1)[0]!
      const next = roll < 170 ? present(rnd(4 + (roll % 30))) : Removed
      state.set(atomKey(ref), next)
      changes.push({ ref, prior, next })
    }
    changes.sort((a, b) => (atomKey(a.ref) < atomKey(b.ref) ? -1 : 1))
    frames.push(changes)
  }
  return frames
}

const shuffled = <A>(xs: ReadonlyArray<A>, seed: number): Array<A> => {
  const rnd = byteSource(seed)
  const out = [...xs]
  for (let i = out.length - 1; i > 0; i--) {
    const j = rnd(1)[0]! % (i + 1)
    ;[out[i], out[j]] = [out[j]!, out[i]!]
  }
  return out
}

const leaf = (id: Uint8Array, value: Uint8Array): string => hex(sha512(concatBytes(Uint8Array.of(0), id, value)))

describe("hypergraph committer", () => {
  test("leaf rules per change and the execution root layout", async () => {
    const store = await openAt(freshPath())
    const h = host(store)
    const l2 = L2S[1]!
    const a = atom(l2, new Uint8Array(32).fill(1))
    const b = atom(l2, new Uint8Array(32).fill(2))
    const v = Uint8Array.of(5, 6, 7)
    const roots = (frame: bigint) => (rootsAsOf(store.repository(shardCommitRows), l2, frame) ?? []).map(hex)

    const root1 = await h.apply(1n, [{ ref: { kind: "vertex", id: a }, prior: Absent, next: present(v) }])
    expect(roots(1n)).toEqual([leaf(a, v), hex(ZERO), hex(ZERO), hex(ZERO)])
    // SHA-256 over L1 ‖ L2 ‖ (u32BE len ‖ root) × 4 of the one shard with state
    const expected = concatBytes(bloomIndices(l2), l2, Uint8Array.of(0, 0, 0, 64), sha512(concatBytes(Uint8Array.of(0), a, v)))
    const zeros = concatBytes(Uint8Array.of(0, 0, 0, 64), ZERO)
    expect(root1).toBe(hex(sha256(concatBytes(expected, zeros, zeros, zeros))))

    // removing a live atom: its prior bytes into vertex-removes, vertex-adds unchanged
    await h.apply(2n, [{ ref: { kind: "vertex", id: a }, prior: present(v), next: Removed }])
    expect(roots(2n)).toEqual([leaf(a, v), leaf(a, v), hex(ZERO), hex(ZERO)])
    // removing an absent hyperedge: a tombstone (empty bytes) in hyperedge-adds and -removes
    await h.apply(3n, [{ ref: { kind: "hyperedge", id: b }, prior: Absent, next: Removed }])
    const empty = new Uint8Array(0)
    expect(roots(3n)).toEqual([leaf(a, v), leaf(a, v), leaf(b, empty), leaf(b, empty)])
    // an untouched shard keeps its rows: the lookup at a later frame answers the newest ≤ it
    await h.apply(4n, [{ ref: { kind: "vertex", id: atom(L2S[0]!, new Uint8Array(32)) }, prior: Absent, next: present(v) }])
    expect(roots(4n)).toEqual(roots(3n))
    expect(roots(0n)).toEqual([])
    await store.close()
  })

  test("two committers fed the same frames give byte-identical roots and rows; shuffled changes give the same roots", async () => {
    const frames = randomFrames(11, 25)
    const run = async (order: "sorted" | "shuffled") => {
      const store = await openAt(freshPath())
      const h = host(store)
      const roots: Array<string> = []
      for (const [i, changes] of frames.entries()) roots.push(await h.apply(BigInt(i + 1), order === "sorted" ? changes : shuffled(changes, i)))
      const shards = await Promise.all(L2S.map((l2) => h.shardRoots(l2)))
      const rows = h.rows()
      await store.close()
      return { roots, shards, rows }
    }
    const a = await run("sorted")
    expect(new Set(a.roots).size).toBeGreaterThan(20) // frames whose picks were all removed change nothing
    expect(a.rows.length).toBeGreaterThan(25)
    expect(await run("sorted")).toEqual(a)
    expect(await run("shuffled")).toEqual(a)
  }, 60_000)

  test("reverting k frames restores the roots byte for byte; tries on disk agree with memory and with a fresh build", async () => {
    const frames = randomFrames(23, 30)
    const path = freshPath()
    const store = await openAt(path)
    const h = host(store)
    const roots: Array<string> = []
    const rowsAt: Array<Array<string>> = []
    const shardsAt: Array<Array<Array<string>>> = []
    for (const [i, changes] of frames.entries()) {
      roots.push(await h.apply(BigInt(i + 1), changes))
      rowsAt.push(h.rows())
      shardsAt.push(await Promise.all(L2S.map((l2) => h.shardRoots(l2))))
    }
    for (const k of [1, 4, 9]) {
      const to = roots.length - k
      expect(await h.revertTo(BigInt(to))).toHaveLength(k)
      roots.length = to
      expect(h.rows()).toEqual(rowsAt[to - 1]!)
      expect(await Promise.all(L2S.map((l2) => h.shardRoots(l2)))).toEqual(shardsAt[to - 1]!)
      // An empty frame's root is the root over the unchanged shards: the one of the restored head.
      expect(await h.apply(BigInt(to + 1), [])).toBe(roots[to - 1]!)
      expect(await h.revertTo(BigInt(to))).toEqual([BigInt(to + 1)])
      // A fresh committer over the same store (tries from disk) answers the same.
      const fresh = host(store)
      expect(await Promise.all(L2S.map((l2) => fresh.shardRoots(l2)))).toEqual(shardsAt[to - 1]!)
    }
    // Re-applying after the reverts matches a store that never saw the reverted frames.
    const next = randomFrames(23, 30).slice(roots.length, roots.length + 3)
    const twinStore = await openAt(freshPath())
    const twin = host(twinStore)
    for (const [i, changes] of frames.slice(0, roots.length).entries()) await twin.apply(BigInt(i + 1), changes)
    for (const [i, changes] of next.entries()) {
      const f = BigInt(roots.length + i + 1)
      expect(await h.apply(f, changes)).toBe(await twin.apply(f, changes))
    }
    expect(h.rows()).toEqual(twin.rows())
    await twinStore.close()
    await store.close()
  }, 120_000)

  test("a reopened store gives the same roots and continues like one never closed", async () => {
    const frames = randomFrames(37, 16)
    const path = freshPath()
    let store = await openAt(path)
    const twinStore = await openAt(freshPath())
    const twin = host(twinStore)
    let h = host(store)
    let last = ""
    for (const [i, changes] of frames.slice(0, 12).entries()) {
      last = await h.apply(BigInt(i + 1), changes)
      await twin.apply(BigInt(i + 1), changes)
    }
    const shards = await Promise.all(L2S.map((l2) => h.shardRoots(Uint8Array.of(...l2, 1))))
    await store.close()
    store = await openAt(path)
    h = host(store)
    expect(await Promise.all(L2S.map((l2) => h.shardRoots(Uint8Array.of(...l2, 1))))).toEqual(shards)
    expect(await h.apply(13n, [])).toBe(last)
    await twin.apply(13n, [])
    for (const [i, changes] of frames.slice(12).entries()) expect(await h.apply(BigInt(i + 14), changes)).toBe(await twin.apply(BigInt(i + 14), changes))
    await store.close()
    await twinStore.close()
  }, 60_000)

  test("a transaction that fails after the committer ran leaves memory consistent with disk", async () => {
    const frames = randomFrames(41, 8)
    const store = await openAt(freshPath())
    const real = makeHypergraphCommitter(store, kzg)
    let failNext = false
    const flaky: StateCommitter = {
      ...real,
      commit: (tx, frameNumber, changes) => {
        const root = real.commit(tx, frameNumber, changes)
        if (failNext) throw new Error("injected failure after the committer ran")
        return root
      },
    }
    const h = host(store, flaky)
    const twinStore = await openAt(freshPath())
    const twin = host(twinStore)
    for (const [i, changes] of frames.slice(0, 5).entries()) {
      await h.apply(BigInt(i + 1), changes)
      await twin.apply(BigInt(i + 1), changes)
    }
    failNext = true
    // frame 6 with other changes fails: nothing of it may stay in the committer's memory
    await expect(h.apply(6n, frames[7]!)).rejects.toThrow("injected failure")
    failNext = false
    expect(await Promise.all(L2S.map((l2) => h.shardRoots(l2)))).toEqual(await Promise.all(L2S.map((l2) => twin.shardRoots(l2))))
    for (const [i, changes] of frames.slice(5).entries()) expect(await h.apply(BigInt(i + 6), changes)).toBe(await twin.apply(BigInt(i + 6), changes))
    // and a fresh committer over the same store (all from disk) agrees with the surviving one
    const fresh = host(store)
    expect(await Promise.all(L2S.map((l2) => fresh.shardRoots(l2)))).toEqual(await Promise.all(L2S.map((l2) => h.shardRoots(l2))))
    expect(h.rows()).toEqual(twin.rows())
    await store.close()
    await twinStore.close()
  }, 60_000)

  test("CommitShard of an older frame rewinds a private copy; bad addresses are bad requests", async () => {
    const frames = randomFrames(53, 10)
    const store = await openAt(freshPath())
    const h = host(store)
    const at: Array<Array<Array<string>>> = []
    const addresses = L2S.flatMap((l2) => [l2, Uint8Array.of(...l2, 5), Uint8Array.of(...l2, 5, 9)])
    for (const [i, changes] of frames.entries()) {
      await h.apply(BigInt(i + 1), changes)
      at.push(await Promise.all(addresses.map((a) => h.shardRoots(a))))
    }
    const rewind = frames.slice(3).reverse()
    const old = await Promise.all(addresses.map((a) => Effect.runPromise(h.committer.shardRoots(a, rewind)).then((rs) => rs.map(hex))))
    expect(old).toEqual(at[2]!)
    // the live tries are untouched by the rewind
    expect(await Promise.all(addresses.map((a) => h.shardRoots(a)))).toEqual(at[9]!)
    const bad = await Effect.runPromise(Effect.either(h.committer.shardRoots(new Uint8Array(31), [])))
    expect(bad._tag === "Left" && bad.left.kind).toBe("bad-request")
    const badNibble = await Effect.runPromise(Effect.either(h.committer.shardRoots(Uint8Array.of(...L2S[0]!, 64), [])))
    expect(badNibble._tag === "Left" && badNibble.left.kind).toBe("bad-request")
    await store.close()
  }, 60_000)
})
