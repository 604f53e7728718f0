// A TrieNodeStore over the node's LMDB store (bucket trieNodes). Keys are u16BE len(treeId) ‖ treeId
// ‖ one byte per path nibble, so each tree's nodes are contiguous and a subtree's records share a
// key prefix. Writes are staged (reads see them) and reach LMDB in one write transaction at
// `flush`, because a trie save touches many nodes and LMDB commits are the expensive part.
import { Effect, Option } from "effect"
import { Buckets, defineRepository, KeyCodec, type StoreService, ValueCodec } from "../../../runtime/store/index.ts"
import type { TrieNodeStore } from "./node-store.ts"

/** The bucket's rows: key `trieNodeKey(treeId, path)`, value a node record (serialize.ts). */
export const trieNodeRows = defineRepository({ bucket: Buckets.trieNodes, key: KeyCodec.bytes, value: ValueCodec.raw })

/** `u16BE len(treeId) ‖ treeId ‖ one byte per path nibble`. */
export const trieNodeKey = (treeId: Uint8Array, path: ReadonlyArray<number>): Uint8Array => {
  if (treeId.length > 0xffff) throw new RangeError("tree id longer than 65535 bytes")
  const k = new Uint8Array(2 + treeId.length + path.length)
  k[0] = treeId.length >> 8
  k[1] = treeId.length & 0xff
  k.set(treeId, 2)
  k.set(path, 2 + treeId.length)
  return k
}

type StoreRead = Effect.Effect.Error<ReturnType<StoreService["read"]>>
type StoreCommit = Effect.Effect.Error<ReturnType<StoreService["commit"]>>

export const makeLmdbTrieNodeStore = (
  store: StoreService,
  treeId: Uint8Array,
): TrieNodeStore<StoreRead> & { readonly flush: Effect.Effect<void, StoreCommit> } => {
  if (treeId.length > 0xffff) throw new RangeError("tree id longer than 65535 bytes")
  const repo = store.repository(trieNodeRows)
  const key = (path: ReadonlyArray<number>): Uint8Array => trieNodeKey(treeId, path)
  // Staged writes (undefined = delete), by path; kept until a flush commits them.
  const staged = new Map<string, { path: ReadonlyArray<number>; record: Uint8Array | undefined }>()
  const id = (path: ReadonlyArray<number>): string => String.fromCharCode(...path)
  return {
    get: (path) =>
      Effect.suspend(() => {
        const s = staged.get(id(path))
        if (s !== undefined) return Effect.succeed(Option.fromNullable(s.record))
        return Effect.map(
          store.read(() => repo.get(key(path))),
          (v) => Option.fromNullable(v),
        )
      }),
    put: (path, record) =>
      Effect.sync(() => {
        staged.set(id(path), { path, record })
      }),
    delete: (path) =>
      Effect.sync(() => {
        staged.set(id(path), { path, record: undefined })
      }),
    flush: Effect.suspend(() => {
      const writes = [...staged.values()]
      return Effect.tap(
        store.commit((tx) => {
          for (const w of writes) {
            if (w.record === undefined) repo.delete(tx, key(w.path))
            else repo.put(tx, key(w.path), w.record)
          }
        }),
        // Only a committed batch leaves the stage; a failed commit can be retried.
        () => staged.clear(),
      )
    }),
  }
}
