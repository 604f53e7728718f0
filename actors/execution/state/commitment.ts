// Commitments (execution spec §3.4): a leaf commits to SHA-512(0x00 ‖ key ‖ target); a branch is the
// KZG commitment (poly size 64, Lagrange basis) to its 64 slots, where a slot is 64 zero bytes, the
// child leaf's commitment, or SHA-512(0x01 ‖ u32BE(p) for each prefix nibble ‖ child commitment).
//
// A dirty branch that already has a commitment is updated incrementally: only the slots whose value
// changed since the last commit are applied (C' = C + Σ (new − old)·L_i, crates kzg update), so the
// cost of a root update follows the number of changed slots, not 64 per touched branch.
import { sha512 } from "@noble/hashes/sha2.js"
import { Effect } from "effect"
import type { BlsError } from "../../../crates/ts/bls/errors.ts"
import type { Kzg } from "../../../crates/ts/bls/kzg.ts"
import type { BranchNode, LeafNode, TrieNode } from "./node.ts"

/** Slot value of an empty child; compared by reference, so one shared instance. */
const EMPTY_SLOT: Uint8Array = new Uint8Array(64)
const POLY_SIZE = 64

/** Whether a committed slot value stands for an empty child. */
export const isEmptySlot = (slot: Uint8Array | undefined): boolean => slot === EMPTY_SLOT

/**
 * "incremental": apply changed slots to the previous commitment (the default); "recommit": commit
 * every dirty branch from its 64 slots (the baseline the benchmark compares against).
 */
export type CommitMode = "incremental" | "recommit"

export const leafCommitment = (leaf: LeafNode): Uint8Array => {
  if (leaf.commitment === undefined) {
    const target = leaf.hashTarget.length > 0 ? leaf.hashTarget : leaf.value
    const h = sha512.create()
    h.update(new Uint8Array([0]))
    h.update(leaf.key)
    h.update(target)
    leaf.commitment = h.digest()
  }
  return leaf.commitment
}

/** The slot a committed branch occupies in its parent. */
const branchSlot = (branch: BranchNode, commitment: Uint8Array): Uint8Array => {
  if (branch.slot === undefined) {
    const pre = new Uint8Array(1 + 4 * branch.prefix.length)
    const view = new DataView(pre.buffer)
    pre[0] = 1
    for (const [i, p] of branch.prefix.entries()) view.setUint32(1 + 4 * i, p)
    const h = sha512.create()
    h.update(pre)
    h.update(commitment)
    branch.slot = h.digest()
  }
  return branch.slot
}

const concatSlots = (slots: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(slots.length * 64)
  for (const [i, s] of slots.entries()) out.set(s, i * 64)
  return out
}

/** The slot of a node that needs no KZG work (empty, a leaf, a clean branch), else undefined. */
const readySlot = (node: TrieNode | undefined): Uint8Array | undefined => {
  if (node === undefined) return EMPTY_SLOT
  if (node._tag === "Leaf") return leafCommitment(node)
  return !node.dirty && node.commitment !== undefined ? branchSlot(node, node.commitment) : undefined
}

/** The node's slot value in its parent, committing whatever is dirty below it. */
export const commitSlot = (node: TrieNode | undefined, kzg: Kzg, mode: CommitMode): Effect.Effect<Uint8Array, BlsError> => {
  if (node === undefined) return Effect.succeed(EMPTY_SLOT)
  if (node._tag === "Leaf") return Effect.succeed(leafCommitment(node))
  return Effect.map(commitBranch(node, kzg, mode), (c) => branchSlot(node, c))
}

/** The branch's commitment (74 bytes), recomputed only where something changed. */
export const commitBranch = (branch: BranchNode, kzg: Kzg, mode: CommitMode): Effect.Effect<Uint8Array, BlsError> =>
  Effect.gen(function* () {
    if (!branch.dirty && branch.commitment !== undefined) return branch.commitment
    const slots: Array<Uint8Array> = []
    // Most children need no KZG work; only dirty sub-branches go through the effectful path.
    for (const child of branch.children) slots.push(readySlot(child) ?? (yield* commitSlot(child, kzg, mode)))
    const old = branch.committedSlots
    let commitment: Uint8Array
    if (mode === "incremental" && branch.commitment !== undefined && old !== undefined) {
      // Unchanged children hand back the very same slot object, so reference inequality finds the changes.
      const changed: Array<number> = []
      for (let i = 0; i < slots.length; i++) if (slots[i] !== old[i]) changed.push(i)
      commitment =
        changed.length === 0
          ? branch.commitment
          : yield* kzg.updateCommitment(
              branch.commitment,
              changed,
              changed.map((i) => old[i]!),
              changed.map((i) => slots[i]!),
              POLY_SIZE,
            )
    } else {
      commitment = yield* kzg.commit(concatSlots(slots), POLY_SIZE)
    }
    if (commitment !== branch.commitment) branch.slot = undefined
    branch.commitment = commitment
    branch.committedSlots = slots
    branch.dirty = false
    return commitment
  })
