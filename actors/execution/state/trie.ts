// The in-memory vector commitment trie (execution spec §3.4; the reference's VectorCommitmentTree).
// Insert, delete and the size / leafCount / longestBranch bookkeeping follow the reference exactly,
// because those fields are part of the serialized bytes (serialize.ts) that other nodes hash.
import { Effect, Option } from "effect"
import type { BlsError } from "../../../crates/ts/bls/errors.ts"
import type { Kzg } from "../../../crates/ts/bls/kzg.ts"
import { type CommitMode, commitBranch, leafCommitment } from "./commitment.ts"
import { TrieKeyError } from "./errors.ts"
import { makeBranch, makeLeaf, type BranchNode, type TrieNode } from "./node.ts"
import { NIBBLE_BITS, nextNibble } from "./nibbles.ts"
import { bytesEqual } from "../../../intrinsics/contract/index.ts"

const emptyKey = (): TrieKeyError => new TrieKeyError({ reason: "empty key not allowed" })

/**
 * Thrown inside insertAt, before anything is modified, when the key's nibbles run out where the trie
 * needs one more (a key whose path is a prefix of another key's path, e.g. 0x00 beside 0x0000). The
 * reference panics there (Children[-1]); here the insert fails with a TrieKeyError and changes nothing.
 */
class PathEnded extends Error {}

const nibbleAt = (key: Uint8Array, bitPos: number): number => {
  const n = nextNibble(key, bitPos)
  if (n < 0) throw new PathEnded()
  return n
}

/** Nibbles shared by both keys from `depth` on, and the bit depth where they first differ. */
const sharedUntilDiverge = (a: Uint8Array, b: Uint8Array, depth: number): { shared: Array<number>; diverge: number } => {
  const shared: Array<number> = []
  let d = depth
  for (;;) {
    const x = nextNibble(a, d)
    if (x !== nextNibble(b, d)) return { shared, diverge: d }
    shared.push(x)
    d += NIBBLE_BITS
  }
}

/** A branch whose prefix matches the key at `depth`: the bit depth after the prefix, else undefined. */
const afterPrefix = (branch: BranchNode, key: Uint8Array, depth: number): number | undefined => {
  for (let i = 0; i < branch.prefix.length; i++) if (nextNibble(key, depth + i * NIBBLE_BITS) !== branch.prefix[i]) return undefined
  return depth + branch.prefix.length * NIBBLE_BITS
}

export class VectorCommitmentTrie {
  root: TrieNode | undefined

  constructor(root?: TrieNode) {
    this.root = root
  }

  /** Adds the key, or replaces its value, hash target and size (clearing the cached leaf commitment). */
  insert(key: Uint8Array, value: Uint8Array, hashTarget: Uint8Array, size: bigint): Effect.Effect<void, TrieKeyError> {
    if (key.length === 0) return Effect.fail(emptyKey())
    return Effect.try({
      try: () => {
        this.root = this.insertAt(this.root, key, value, hashTarget, size, 0).node
      },
      catch: (e) => {
        if (e instanceof PathEnded) return new TrieKeyError({ reason: "the key's path ends where another key's path continues" })
        throw e
      },
    })
  }

  private insertAt(
    node: TrieNode | undefined,
    key: Uint8Array,
    value: Uint8Array,
    hashTarget: Uint8Array,
    size: bigint,
    depth: number,
  ): { added: number; node: TrieNode } {
    if (node === undefined) return { added: 1, node: makeLeaf(key, value, hashTarget, size) }
    if (node._tag === "Leaf") {
      if (bytesEqual(node.key, key)) {
        node.value = value
        node.hashTarget = hashTarget
        node.size = size
        node.commitment = undefined
        return { added: 0, node }
      }
      // Split: one branch at the first differing nibble, both leaves directly below it.
      const { shared, diverge } = sharedUntilDiverge(node.key, key, depth)
      const oldNibble = nibbleAt(node.key, diverge)
      const newNibble = nibbleAt(key, diverge)
      const branch = makeBranch(shared, node.size + size, 2, 1)
      branch.children[oldNibble] = node
      branch.children[newNibble] = makeLeaf(key, value, hashTarget, size)
      return { added: 1, node: branch }
    }
    for (let i = 0; i < node.prefix.length; i++) {
      const actual = nibbleAt(key, depth + i * NIBBLE_BITS)
      const expected = node.prefix[i]!
      if (actual !== expected) {
        // The key leaves the compressed prefix at i: a new branch takes the shared part.
        const branch = makeBranch(node.prefix.slice(0, i), node.size + size, node.leafCount + 1, node.longestBranch + 1)
        branch.children[expected] = node
        node.prefix = node.prefix.slice(i + 1)
        node.slot = undefined
        branch.children[actual] = makeLeaf(key, value, hashTarget, size)
        return { added: 1, node: branch }
      }
    }
    const at = depth + node.prefix.length * NIBBLE_BITS
    const nibble = nibbleAt(key, at)
    const r = this.insertAt(node.children[nibble], key, value, hashTarget, size, at + NIBBLE_BITS)
    node.children[nibble] = r.node
    node.dirty = true
    node.leafCount += r.added
    // As the reference: a leaf child resets longestBranch to 1 (even beside deeper branches).
    if (r.node._tag === "Branch") {
      if (node.longestBranch <= r.node.longestBranch) node.longestBranch = r.node.longestBranch + 1
    } else {
      node.longestBranch = 1
    }
    // As the reference: the size grows only for a new key (a replaced leaf's size change is not propagated).
    if (r.added !== 0) node.size += size
    return { added: r.added, node }
  }

  get(key: Uint8Array): Option.Option<Uint8Array> {
    let node = this.root
    let depth = 0
    while (node !== undefined) {
      if (node._tag === "Leaf") return bytesEqual(node.key, key) ? Option.some(node.value) : Option.none()
      const at = afterPrefix(node, key, depth)
      if (at === undefined) return Option.none()
      const nibble = nextNibble(key, at)
      if (nibble < 0) return Option.none()
      node = node.children[nibble]
      depth = at + NIBBLE_BITS
    }
    return Option.none()
  }

  /** Removes the key if present; a branch left with one child collapses into it. */
  delete(key: Uint8Array): Effect.Effect<void, TrieKeyError> {
    if (key.length === 0) return Effect.fail(emptyKey())
    return Effect.sync(() => {
      this.root = this.removeAt(this.root, key, 0).node
    })
  }

  private removeAt(node: TrieNode | undefined, key: Uint8Array, depth: number): { removed: bigint; node: TrieNode | undefined } {
    if (node === undefined) return { removed: 0n, node }
    if (node._tag === "Leaf") return bytesEqual(node.key, key) ? { removed: node.size, node: undefined } : { removed: 0n, node }
    const at = afterPrefix(node, key, depth)
    if (at === undefined) return { removed: 0n, node }
    const nibble = nextNibble(key, at)
    if (nibble < 0) return { removed: 0n, node }
    const r = this.removeAt(node.children[nibble], key, at + NIBBLE_BITS)
    node.children[nibble] = r.node
    node.dirty = true
    let count = 0
    let last: TrieNode | undefined
    let lastIndex = 0
    let longest = 1
    let leaves = 0
    node.children.forEach((child, i) => {
      if (child === undefined) return
      count++
      last = child
      lastIndex = i
      if (child._tag === "Branch") {
        leaves += child.leafCount
        longest = Math.max(longest, child.longestBranch + 1)
      } else {
        leaves += 1
      }
    })
    if (count === 0) return { removed: r.removed, node: undefined }
    if (count === 1) {
      const only = last!
      if (only._tag === "Branch") {
        // The lone child branch absorbs this prefix and its slot nibble; its own commitment is
        // unchanged (a commitment does not cover its prefix), only its slot in the parent moves.
        only.prefix = [...node.prefix, lastIndex, ...only.prefix]
        only.slot = undefined
      }
      return { removed: r.removed, node: only }
    }
    node.longestBranch = longest
    node.leafCount = leaves
    node.size -= r.removed
    return { removed: r.removed, node }
  }

  /** Root commitment: 64 zero bytes when empty, the leaf's SHA-512 for a single leaf, else 74-byte KZG. */
  commit(kzg: Kzg, mode: CommitMode = "incremental"): Effect.Effect<Uint8Array, BlsError> {
    const root = this.root
    if (root === undefined) return Effect.succeed(new Uint8Array(64))
    if (root._tag === "Leaf") return Effect.succeed(leafCommitment(root))
    return commitBranch(root, kzg, mode)
  }

  /** Sum of the leaves' size fields (as the reference maintains it). */
  get size(): bigint {
    return this.root?.size ?? 0n
  }

  /** Leaf count and longest branch as the reference's GetMetadata reports them. */
  get leafCount(): number {
    const r = this.root
    return r === undefined ? 0 : r._tag === "Leaf" ? 1 : r.leafCount
  }

  get longestBranch(): number {
    const r = this.root
    return r === undefined || r._tag === "Leaf" ? 0 : r.longestBranch
  }
}
