// Saving a trie into a TrieNodeStore and loading it back, by position path (node-store.ts).
// Saving writes every node and deletes every empty slot's path of every branch, so a walk from the
// root only ever meets current nodes; records orphaned below a removed subtree are unreachable
// and are left for the store's own garbage collection (the LMDB step).
import { Effect, Option } from "effect"
import type { TrieDecodeError } from "./errors.ts"
import type { TrieNode } from "./node.ts"
import type { TrieNodeStore } from "./node-store.ts"
import { decodeNodeRecord, encodeNodeRecord } from "./serialize.ts"
import { VectorCommitmentTrie } from "./trie.ts"

const saveNode = <E>(store: TrieNodeStore<E>, node: TrieNode, path: Array<number>): Effect.Effect<void, E> =>
  Effect.gen(function* () {
    yield* store.put(path, encodeNodeRecord(node))
    if (node._tag === "Leaf") return
    const base = [...path, ...node.prefix]
    for (let i = 0; i < node.children.length; i++) {
      const child = node.children[i]
      if (child === undefined) yield* store.delete([...base, i])
      else yield* saveNode(store, child, [...base, i])
    }
  })

/** Writes the trie (commit it first if the records should carry commitments). */
export const saveTrie = <E>(trie: VectorCommitmentTrie, store: TrieNodeStore<E>): Effect.Effect<void, E> =>
  trie.root === undefined ? store.delete([]) : saveNode(store, trie.root, [])

const loadNode = <E>(store: TrieNodeStore<E>, path: Array<number>): Effect.Effect<TrieNode | undefined, TrieDecodeError | E> =>
  Effect.gen(function* () {
    const record = yield* store.get(path)
    if (Option.isNone(record)) return undefined
    const node = yield* decodeNodeRecord(record.value)
    if (node._tag === "Leaf") return node
    const base = [...path, ...node.prefix]
    for (let i = 0; i < node.children.length; i++) node.children[i] = yield* loadNode(store, [...base, i])
    return node
  })

/** Loads the whole trie (an empty store is an empty trie). */
export const loadTrie = <E>(store: TrieNodeStore<E>): Effect.Effect<VectorCommitmentTrie, TrieDecodeError | E> =>
  Effect.map(loadNode(store, []), (root) => new VectorCommitmentTrie(root))
