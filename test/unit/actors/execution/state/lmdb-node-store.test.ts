// The trie saved through the LMDB node store: staged until flush, durable after it, loadable by a
// fresh store object, and separate per tree id.
import { bytesToHex } from "@noble/hashes/utils.js"
import { afterAll, describe, expect, test } from "bun:test"
import { Effect, Option } from "effect"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { makeLmdbTrieNodeStore } from "../../../../../actors/execution/state/lmdb-node-store.ts"
import { serializeNonLazyTree } from "../../../../../actors/execution/state/serialize.ts"
import { VectorCommitmentTrie } from "../../../../../actors/execution/state/trie.ts"
import { loadTrie, saveTrie } from "../../../../../actors/execution/state/trie-persistence.ts"
import { openStore } from "../../../../../runtime/store/index.ts"
import { byteSource, kzg } from "./helpers.ts"

const dir = mkdtempSync(join(tmpdir(), "quilbun-trie-"))
afterAll(() => rmSync(dir, { recursive: true, force: true }))

describe("LMDB trie node store", () => {
  test("save, flush, reload from a fresh store object; tree ids are separate", async () => {
    const store = await Effect.runPromise(openStore({ path: join(dir, "store") }))
    const rnd = byteSource(8)
    const t = new VectorCommitmentTrie()
    for (let i = 0; i < 120; i++) {
      const k = rnd(32)
      k[0] = k[0]! & 1
      Effect.runSync(t.insert(k, rnd(12), new Uint8Array(0), 12n))
    }
    const root = bytesToHex(Effect.runSync(t.commit(kzg)))
    const a = makeLmdbTrieNodeStore(store, new Uint8Array([1, 2]))
    Effect.runSync(saveTrie(t, a))
    // Staged: visible through the same object, not yet in LMDB.
    expect(Option.isSome(Effect.runSync(a.get([])))).toBe(true)
    expect(Option.isNone(Effect.runSync(makeLmdbTrieNodeStore(store, new Uint8Array([1, 2])).get([])))).toBe(true)
    await Effect.runPromise(a.flush)
    const loaded = Effect.runSync(loadTrie(makeLmdbTrieNodeStore(store, new Uint8Array([1, 2]))))
    expect(bytesToHex(serializeNonLazyTree(loaded))).toBe(bytesToHex(serializeNonLazyTree(t)))
    expect(bytesToHex(Effect.runSync(loaded.commit(kzg)))).toBe(root)
    // Another tree id (a prefix of the first) sees nothing.
    expect(Effect.runSync(loadTrie(makeLmdbTrieNodeStore(store, new Uint8Array([1])))).root).toBeUndefined()
    await store.close()
  }, 60_000)
})
