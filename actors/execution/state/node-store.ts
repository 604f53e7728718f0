// Where trie nodes live between uses. Nodes are keyed by their position path: the root at [], and
// the child in slot i of a branch at position P with prefix X at P ‖ X ‖ [i]. A lazy trie can so
// load exactly the nodes a walk needs (get by path), and the LMDB implementation (later) keeps
// one key per node with the path nibbles as key bytes, which sorts subtrees together.
import { Effect, Option } from "effect"

/** Path nibbles → key bytes (one byte per nibble; no two paths share a key). */
const pathKey = (path: ReadonlyArray<number>): string => String.fromCharCode(...path)

/** `E`: what a read or write of the backing store can fail with (never for memory). */
export interface TrieNodeStore<E = never> {
  /** The node record (serialize.ts encodeNodeRecord) at this path, if any. */
  readonly get: (path: ReadonlyArray<number>) => Effect.Effect<Option.Option<Uint8Array>, E>
  readonly put: (path: ReadonlyArray<number>, record: Uint8Array) => Effect.Effect<void, E>
  readonly delete: (path: ReadonlyArray<number>) => Effect.Effect<void, E>
}

/** The in-memory store (tests, ephemeral tries). */
export const makeMemoryTrieNodeStore = (): TrieNodeStore => {
  const nodes = new Map<string, Uint8Array>()
  return {
    get: (path) => Effect.sync(() => Option.fromNullable(nodes.get(pathKey(path)))),
    put: (path, record) =>
      Effect.sync(() => {
        nodes.set(pathKey(path), record)
      }),
    delete: (path) =>
      Effect.sync(() => {
        nodes.delete(pathKey(path))
      }),
  }
}
