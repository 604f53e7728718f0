// A trie saved into the in-memory node store by path loads back with the same bytes and root; a
// save after deletions leaves no stale node reachable.
import { bytesToHex } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import { Effect, Option } from "effect"
import { makeMemoryTrieNodeStore } from "../../../../../actors/execution/state/node-store.ts"
import { serializeNonLazyTree } from "../../../../../actors/execution/state/serialize.ts"
import { VectorCommitmentTrie } from "../../../../../actors/execution/state/trie.ts"
import { loadTrie, pendingSave, saveTrie } from "../../../../../actors/execution/state/trie-persistence.ts"
import { byteSource, kzg } from "./helpers.ts"

const run = <A, E>(e: Effect.Effect<A, E>): A => Effect.runSync(e)

describe("trie persistence by path", () => {
  test("save, load, mutate, save again, load again", () => {
    const rnd = byteSource(31)
    const t = new VectorCommitmentTrie()
    const keys = Array.from({ length: 150 }, () => {
      const k = rnd(32)
      k[0] = k[0]! & 3
      return k
    })
    for (const k of keys) run(t.insert(k, rnd(10), new Uint8Array(0), 10n))
    const root = bytesToHex(run(t.commit(kzg)))
    const store = makeMemoryTrieNodeStore()
    run(saveTrie(t, store))
    // Records are keyed by position: the root at [], a root child in slot i at [...prefix, i].
    expect(Option.isSome(run(store.get([])))).toBe(true)
    const loaded = run(loadTrie(store))
    expect(bytesToHex(serializeNonLazyTree(loaded))).toBe(bytesToHex(serializeNonLazyTree(t)))
    expect(bytesToHex(run(loaded.commit(kzg)))).toBe(root)

    for (const k of keys.slice(0, 120)) run(t.delete(k))
    run(t.commit(kzg))
    run(saveTrie(t, store))
    const again = run(loadTrie(store))
    expect(again.leafCount).toBe(30)
    expect(bytesToHex(serializeNonLazyTree(again))).toBe(bytesToHex(serializeNonLazyTree(t)))

    for (const k of keys.slice(120)) run(t.delete(k))
    run(saveTrie(t, store))
    expect(run(loadTrie(store)).root).toBeUndefined()
  }, 60_000)

  test("a corrupt record is a typed decode error", () => {
    const store = makeMemoryTrieNodeStore()
    run(store.put([], new Uint8Array([2, 0, 0])))
    const r = Effect.runSync(Effect.either(loadTrie(store)))
    expect(r._tag === "Left" && r.left._tag).toBe("TrieDecodeError")
  })

  test("incremental saves (only what changed since the last commit) load back byte for byte after every batch", () => {
    const rnd = byteSource(77)
    // Few distinct byte values: long shared prefixes, deep branches, splits inside prefixes and collapses.
    const alphabet = [0x00, 0x01, 0x40, 0x41, 0x80]
    const key = (): Uint8Array => Uint8Array.from({ length: 4 }, () => alphabet[rnd(1)[0]! % alphabet.length]!)
    const store = makeMemoryTrieNodeStore()
    const writer = {
      put: (path: ReadonlyArray<number>, record: Uint8Array) => run(store.put(path, record)),
      delete: (path: ReadonlyArray<number>) => run(store.delete(path)),
    }
    const t = new VectorCommitmentTrie()
    let live = new Set<string>()
    for (let batch = 0; batch < 40; batch++) {
      const n = 1 + (rnd(1)[0]! % 12)
      for (let i = 0; i < n; i++) {
        const k = key()
        const hexKey = bytesToHex(k)
        // Deletes get likelier as the trie fills, so it also shrinks back to one leaf and to empty.
        if (live.has(hexKey) && rnd(1)[0]! < 150) {
          run(t.delete(k))
          live.delete(hexKey)
        } else {
          run(t.insert(k, rnd(1 + (rnd(1)[0]! % 8)), new Uint8Array(0), 3n))
          live.add(hexKey)
        }
      }
      if (batch === 20) {
        for (const k of live) run(t.delete(Buffer.from(k, "hex")))
        live = new Set()
      }
      const pending = pendingSave(t)
      const root = bytesToHex(run(t.commit(kzg)))
      pending.write(writer)
      const loaded = run(loadTrie(store))
      expect(bytesToHex(serializeNonLazyTree(loaded))).toBe(bytesToHex(serializeNonLazyTree(t)))
      expect(bytesToHex(run(loaded.commit(kzg)))).toBe(root)
    }
  }, 30_000) // KZG commits over many batches: seconds on a loaded machine (a correctness test, not a speed target)
})
