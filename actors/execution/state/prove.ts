// ProveMultiple (execution spec §3.5): one sub-proof per key — the commitments on the way down, the
// slot opened at each branch and the leaf's target — plus one KZG multiproof over every opening.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect } from "effect"
import type { BlsError } from "../../../crates/ts/bls/errors.ts"
import type { Kzg } from "../../../crates/ts/bls/kzg.ts"
import { commitBranch, commitSlot, leafCommitment } from "./commitment.ts"
import { TraversalProofError } from "./errors.ts"
import type { BranchNode } from "./node.ts"
import { NIBBLE_BITS, nextNibble } from "./nibbles.ts"
import type { TraversalProof, TraversalSubProof } from "./traversal-proof.ts"
import type { VectorCommitmentTrie } from "./trie.ts"
import { bytesEqual } from "../../../intrinsics/contract/index.ts"

const prefixMatches = (node: BranchNode, key: Uint8Array, depth: number): boolean => node.prefix.every((p, i) => nextNibble(key, depth + i * NIBBLE_BITS) === p)

interface Opening {
  readonly commitment: Uint8Array
  readonly polynomial: Uint8Array
  readonly index: number
}

const proveKey = (
  trie: VectorCommitmentTrie,
  kzg: Kzg,
  key: Uint8Array,
): Effect.Effect<{ sub: TraversalSubProof; openings: Array<Opening> }, BlsError | TraversalProofError> =>
  Effect.gen(function* () {
    const commits: Array<Uint8Array> = []
    const ys: Array<Uint8Array> = []
    const paths: Array<Array<bigint>> = []
    const openings: Array<Opening> = []
    let node = trie.root
    let depth = 0
    while (node?._tag === "Branch" && prefixMatches(node, key, depth)) {
      const at = depth + node.prefix.length * NIBBLE_BITS
      const nibble = nextNibble(key, at)
      const commitment = yield* commitBranch(node, kzg, "incremental")
      const polynomial = new Uint8Array(64 * 64)
      for (let i = 0; i < node.children.length; i++) polynomial.set(yield* commitSlot(node.children[i], kzg, "incremental"), i * 64)
      commits.push(commitment)
      ys.push(polynomial.slice(nibble * 64, nibble * 64 + 64))
      paths.push([...node.prefix, nibble].map(BigInt))
      openings.push({ commitment, polynomial, index: nibble })
      node = node.children[nibble]
      depth = at + NIBBLE_BITS
    }
    if (node === undefined || node._tag !== "Leaf" || !bytesEqual(node.key, key)) {
      return yield* Effect.fail(new TraversalProofError({ reason: `key not in the trie: ${bytesToHex(key)}` }))
    }
    commits.push(leafCommitment(node))
    ys.push(node.hashTarget.length > 0 ? node.hashTarget : node.value)
    return { sub: { commits, ys, paths }, openings }
  })

/**
 * A proof that every key is in the trie. Unlike the reference (which returns nil for an absent
 * key's path and proves what it found) an absent key is an error.
 */
export const proveMultiple = (
  trie: VectorCommitmentTrie,
  kzg: Kzg,
  keys: ReadonlyArray<Uint8Array>,
): Effect.Effect<TraversalProof, BlsError | TraversalProofError> =>
  Effect.gen(function* () {
    if (keys.length === 0 || keys.some((k) => k.length === 0)) {
      return yield* Effect.fail(new TraversalProofError({ reason: "at least one key, none empty" }))
    }
    const subProofs: Array<TraversalSubProof> = []
    const openings: Array<Opening> = []
    for (const key of keys) {
      const r = yield* proveKey(trie, kzg, key)
      subProofs.push(r.sub)
      openings.push(...r.openings)
    }
    if (openings.length === 0) {
      // A single-leaf trie has no branch to open; the KZG multiproof cannot be formed over nothing.
      return yield* Effect.fail(new TraversalProofError({ reason: "the trie has no branch to open (single-leaf root)" }))
    }
    const mp = yield* kzg.proveMultiple(
      openings.map((o) => o.commitment),
      openings.map((o) => o.polynomial),
      openings.map((o) => o.index),
      64,
    )
    return { multiproof: { multicommitment: mp.d, proof: mp.proof }, subProofs }
  })
