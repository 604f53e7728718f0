// Saving a trie into a TrieNodeStore and loading it back, by position path (node-store.ts).
// Saving writes every node and deletes every empty slot's path of every branch, so a walk from the
// root only ever meets current nodes; records orphaned below a removed subtree are unreachable
// and are left for the store's own garbage collection (the LMDB step).
import { Effect, Option } from "effect"
import type { TrieDecodeError } from "./errors.ts"
import { isEmptySlot } from "./commitment.ts"
import type { BranchNode, TrieNode } from "./node.ts"
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

/** A synchronous node sink: the rows of one LMDB write transaction. */
export interface NodeWriter {
  readonly put: (path: ReadonlyArray<number>, record: Uint8Array) => void
  readonly delete: (path: ReadonlyArray<number>) => void
}

interface PendingPut {
  readonly path: Array<number>
  readonly node: TrieNode
}

const collectChanged = (branch: BranchNode, path: Array<number>, puts: Array<PendingPut>, deletes: Array<Array<number>>): void => {
  const base = [...path, ...branch.prefix]
  const committed = branch.committedSlots
  for (let i = 0; i < branch.children.length; i++) {
    const child = branch.children[i]
    if (child === undefined) {
      // A slot empty now and at the last commit has no record (deleted then, or never written).
      if (committed === undefined || !isEmptySlot(committed[i])) deletes.push([...base, i])
      continue
    }
    puts.push({ path: [...base, i], node: child })
    if (child._tag === "Branch" && child.dirty) collectChanged(child, [...base, i], puts, deletes)
  }
}

/**
 * An incremental save: the records the trie's changes since its last commit need, found now (the
 * commit clears the dirty marks) and written by `write` after the commit (so records carry
 * commitments). Written: the root, and every child of a changed branch — a new, replaced or moved
 * node always sits in a changed branch's slot, while the children of a moved branch keep their paths
 * (a path is the absolute nibble position: a moved branch takes its prefix along). Deleted: the slot
 * paths of changed branches that emptied since their last commit (every empty slot of a branch
 * without a committed slot vector: new or loaded). Requires that the trie's last commit was saved.
 */
export const pendingSave = (trie: VectorCommitmentTrie): { readonly write: (writer: NodeWriter) => void } => {
  const root = trie.root
  const puts: Array<PendingPut> = []
  const deletes: Array<Array<number>> = []
  if (root !== undefined) {
    puts.push({ path: [], node: root })
    if (root._tag === "Branch" && root.dirty) collectChanged(root, [], puts, deletes)
  }
  return {
    write: (writer) => {
      if (root === undefined) writer.delete([])
      for (const path of deletes) writer.delete(path)
      for (const p of puts) writer.put(p.path, encodeNodeRecord(p.node))
    },
  }
}
