// Typed failures of the vector commitment trie, its byte encodings and its traversal proofs.
import { Data } from "effect"

/** A key the trie cannot hold (the empty key: it has no path). */
export class TrieKeyError extends Data.TaggedError("TrieKeyError")<{ readonly reason: string }> {}

/** Bytes that do not decode as a serialized tree, tree node or traversal proof. */
export class TrieDecodeError extends Data.TaggedError("TrieDecodeError")<{ readonly what: string; readonly offset: number; readonly reason: string }> {}

/** A traversal proof cannot be built (a key absent from the trie, no key, an empty key). */
export class TraversalProofError extends Data.TaggedError("TraversalProofError")<{ readonly reason: string }> {}

/** A change the id-set rules cannot map (a removed atom made present again, or a change to Absent). */
export class IdSetChangeError extends Data.TaggedError("IdSetChangeError")<{ readonly reason: string }> {}
