// Trie nodes (execution spec §3.4). Mutable on purpose: the trie edits in place and keeps, per
// branch, the slot vector its commitment was computed over, so a later commit can apply only the
// changed slots (commitment.ts).
import { ARITY } from "./nibbles.ts"

export interface LeafNode {
  readonly _tag: "Leaf"
  readonly key: Uint8Array
  value: Uint8Array
  /** When non-empty the leaf commits to this instead of the value (e.g. a sealed subtree's root). */
  hashTarget: Uint8Array
  size: bigint
  /** SHA-512(0x00 ‖ key ‖ target), computed lazily; undefined after a change. */
  commitment: Uint8Array | undefined
}

export interface BranchNode {
  readonly _tag: "Branch"
  /** Compressed nibbles shared by every key below, consumed before the child nibble. */
  prefix: Array<number>
  readonly children: Array<TrieNode | undefined>
  size: bigint
  leafCount: number
  longestBranch: number
  /** The last computed commitment; stale while `dirty`, kept as the base of an incremental update. */
  commitment: Uint8Array | undefined
  /** Something below changed since `commitment` was computed. */
  dirty: boolean
  /** The 64 slot values `commitment` commits to (same objects as the children's slots, no copies). */
  committedSlots: Array<Uint8Array> | undefined
  /** This branch's slot in its parent: SHA-512(0x01 ‖ u32BE(p) for p in prefix ‖ commitment); cached. */
  slot: Uint8Array | undefined
}

export type TrieNode = LeafNode | BranchNode

export const makeLeaf = (key: Uint8Array, value: Uint8Array, hashTarget: Uint8Array, size: bigint): LeafNode => ({
  _tag: "Leaf",
  key,
  value,
  hashTarget,
  size,
  commitment: undefined,
})

export const makeBranch = (prefix: Array<number>, size: bigint, leafCount: number, longestBranch: number): BranchNode => ({
  _tag: "Branch",
  prefix,
  children: new Array<TrieNode | undefined>(ARITY).fill(undefined),
  size,
  leafCount,
  longestBranch,
  commitment: undefined,
  dirty: true,
  committedSlots: undefined,
  slot: undefined,
})
