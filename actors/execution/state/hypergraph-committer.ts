// The execution host's StateCommitter over the hypergraph id-set tries (spec §3.2, §3.6, §3.7):
// four vector commitment tries per app address L2 (id-sets.ts), their changed nodes written to
// bucket 12 and the per-frame roots to bucket 14 in the frame's own write transaction, and the
// frame's execution root over every shard key with state (DECISIONS D-TRIE-11..14).
//
// Tries are loaded whole from LMDB on first touch and kept. Memory never runs ahead of disk: what a
// transaction touched is dropped when the host reports it aborted (`settle`), and reloaded next time.
import { sha256 } from "@noble/hashes/sha2.js"
import { bytesToHex } from "@noble/hashes/utils.js"
import { Cause, Effect, Either, Exit } from "effect"
import type { Kzg } from "../../../crates/ts/bls/kzg.ts"
import type { StoreService, WriteTx } from "../../../runtime/store/index.ts"
import { CommitterError, type StateCommitter } from "../committer.ts"
import type { RecordedChange } from "../overlay/index.ts"
import { bloomIndices } from "./bloom-indices.ts"
import { leafCommitment } from "./commitment.ts"
import { type IdSet, forwardEdits, inverseEdits, type SetEdit } from "./id-sets.ts"
import { makeLmdbTrieNodeStore, trieNodeKey, trieNodeRows } from "./lmdb-node-store.ts"
import { fullPath } from "./nibbles.ts"
import { proveMultiple } from "./prove.ts"
import { encodeRoots, latestRoots, SET_COUNT, type SetRoots, shardCommitRows } from "./shard-commits.ts"
import { traversalProofToBytes } from "./traversal-proof.ts"
import type { VectorCommitmentTrie } from "./trie.ts"
import { loadTrie, pendingSave } from "./trie-persistence.ts"

const L2_LENGTH = 32
const EMPTY_ROOT = new Uint8Array(64)
const ID_SETS: ReadonlyArray<IdSet> = [0, 1, 2, 3]

/** The trie's id in bucket 12: `u8 set ‖ L2`. */
const treeId = (l2: Uint8Array, set: IdSet): Uint8Array => {
  const id = new Uint8Array(1 + L2_LENGTH)
  id[0] = set
  id.set(l2, 1)
  return id
}

/** A typed error's tag and reason (their `message` is empty), else the message. */
const reasonOf = (e: unknown): string => {
  if (typeof e === "object" && e !== null && "_tag" in e && "reason" in e) return `${String(e._tag)}: ${String(e.reason)}`
  return e instanceof Error ? e.message : String(e)
}

/** Runs a synchronous effect, throwing its error (inside a store commit a throw aborts the transaction). */
const runOrThrow = <A, E>(effect: Effect.Effect<A, E>): A => {
  const exit = Effect.runSyncExit(effect)
  if (Exit.isSuccess(exit)) return exit.value
  throw new CommitterError({ kind: "failed", reason: reasonOf(Cause.squash(exit.cause)) })
}

const asCommitterError = (e: unknown): CommitterError => (e instanceof CommitterError ? e : new CommitterError({ kind: "failed", reason: reasonOf(e) }))

const unwrap = <A, E>(either: Either.Either<A, E>): A => {
  if (Either.isLeft(either)) throw new CommitterError({ kind: "failed", reason: reasonOf(either.left) })
  return either.right
}

/** A shard key with state: its L1, L2 and the four current roots. */
interface ShardHead {
  readonly l1: Uint8Array
  readonly l2: Uint8Array
  readonly roots: SetRoots
}

const hasState = (roots: SetRoots): boolean => roots.some((r) => r.some((b) => b !== 0))

/**
 * SHA-256 over the shard keys with state, sorted by `L1 ‖ L2`, each contributing
 * `L1 ‖ L2 ‖ (u32BE len ‖ root) × 4` (D-TRIE-13). No shard with state: SHA-256 of nothing.
 */
const executionRoot = (heads: ReadonlyMap<string, ShardHead>): Uint8Array => {
  const entries = [...heads.values()].filter((h) => hasState(h.roots)).map((h) => ({ sortKey: bytesToHex(h.l1) + bytesToHex(h.l2), h }))
  entries.sort((a, b) => (a.sortKey < b.sortKey ? -1 : a.sortKey > b.sortKey ? 1 : 0))
  const digest = sha256.create()
  for (const { h } of entries) {
    digest.update(h.l1)
    digest.update(h.l2)
    digest.update(encodeRoots(h.roots))
  }
  return digest.digest()
}

/** The commitment of the node covering `path` (the first node whose full path extends it), if any. */
const coveringCommitment = (trie: VectorCommitmentTrie, path: ReadonlyArray<number>): Uint8Array | undefined => {
  let node = trie.root
  let depth = 0
  while (node !== undefined) {
    if (node._tag === "Leaf") {
      const full = fullPath(node.key)
      return path.length <= full.length && path.every((p, i) => full[i] === p) ? leafCommitment(node) : undefined
    }
    for (const p of node.prefix) {
      if (depth >= path.length) return node.commitment
      if (path[depth] !== p) return undefined
      depth++
    }
    if (depth >= path.length) return node.commitment
    node = node.children[path[depth]!]
    depth++
  }
  return undefined
}

/** Complete 6-bit nibbles in a 32-byte app address (256 = 42 × 6 + 4). */
const APP_NIBBLES = 42

export const makeHypergraphCommitter = (store: StoreService, kzg: Kzg): StateCommitter => {
  const nodeRows = store.repository(trieNodeRows)
  const commitRows = store.repository(shardCommitRows)
  /** Loaded tries by `set:L2hex`; always equal to the committed rows of bucket 12. */
  const live = new Map<string, VectorCommitmentTrie>()
  /** Current roots of every L2 with rows (loaded on first use). */
  let heads: Map<string, ShardHead> | undefined
  /** What the open transaction changed in memory, dropped if it aborts. */
  const touched = new Set<string>()

  const liveKey = (l2: Uint8Array, set: IdSet): string => `${set}:${bytesToHex(l2)}`
  const loadFromStore = (l2: Uint8Array, set: IdSet): VectorCommitmentTrie => runOrThrow(loadTrie(makeLmdbTrieNodeStore(store, treeId(l2, set))))
  const liveTrie = (l2: Uint8Array, set: IdSet): VectorCommitmentTrie => {
    const key = liveKey(l2, set)
    let trie = live.get(key)
    if (trie === undefined) {
      trie = loadFromStore(l2, set)
      live.set(key, trie)
    }
    return trie
  }
  const currentHeads = (): Map<string, ShardHead> => {
    if (heads === undefined) {
      heads = new Map()
      for (const { l2, roots } of latestRoots(commitRows)) heads.set(bytesToHex(l2), { l1: bloomIndices(l2), l2, roots })
    }
    return heads
  }

  const applyEdit = (trie: VectorCommitmentTrie, id: Uint8Array, edit: SetEdit): void => {
    if (edit.value === undefined) runOrThrow(trie.delete(id))
    else runOrThrow(trie.insert(id, edit.value, new Uint8Array(0), BigInt(edit.value.length)))
  }

  /** Applies each change's edits to the live tries; answers the touched sets per L2 (hex). */
  const edit = <C extends RecordedChange>(
    changes: ReadonlyArray<C>,
    editsOf: (change: C) => Either.Either<ReadonlyArray<SetEdit>, unknown>,
  ): Map<string, { readonly l2: Uint8Array; readonly sets: Set<IdSet> }> => {
    const byL2 = new Map<string, { l2: Uint8Array; sets: Set<IdSet> }>()
    for (const change of changes) {
      const l2 = change.ref.id.subarray(0, L2_LENGTH)
      const hex = bytesToHex(l2)
      let entry = byL2.get(hex)
      if (entry === undefined) {
        entry = { l2: l2.slice(), sets: new Set() }
        byL2.set(hex, entry)
      }
      for (const e of unwrap(editsOf(change))) {
        const trie = liveTrie(entry.l2, e.set)
        touched.add(liveKey(entry.l2, e.set))
        applyEdit(trie, change.ref.id, e)
        entry.sets.add(e.set)
      }
    }
    return byL2
  }

  /** Commits the touched tries, writes their changed nodes in `tx`, answers the L2's four roots. */
  const commitShard = (tx: WriteTx, l2: Uint8Array, sets: ReadonlySet<IdSet>, previous: SetRoots | undefined): SetRoots =>
    ID_SETS.map((set) => {
      if (!sets.has(set)) return previous?.[set] ?? EMPTY_ROOT
      const trie = liveTrie(l2, set)
      const pending = pendingSave(trie) // before the commit clears the dirty marks
      const root = runOrThrow(trie.commit(kzg))
      const id = treeId(l2, set)
      pending.write({
        put: (path, record) => nodeRows.put(tx, trieNodeKey(id, path), record),
        delete: (path) => {
          nodeRows.delete(tx, trieNodeKey(id, path))
        },
      })
      return root
    })

  const shardRoots: StateCommitter["shardRoots"] = (shardAddress, rewind) =>
    Effect.gen(function* () {
      if (shardAddress.length < L2_LENGTH || shardAddress.length > 64) {
        return yield* new CommitterError({ kind: "bad-request", reason: `a shard address is 32 to 64 bytes, got ${shardAddress.length}` })
      }
      const below = shardAddress.subarray(L2_LENGTH)
      if (below.some((n) => n > 63)) return yield* new CommitterError({ kind: "bad-request", reason: "shard path bytes are nibbles (0..63)" })
      const l2 = shardAddress.slice(0, L2_LENGTH)
      // A bare app address covers the whole app: its 42 complete nibbles (D-TRIE-15). The reference
      // pads the 43rd with zero bits, which leaves out every data address whose top bits are set.
      const path = below.length === 0 ? fullPath(l2).slice(0, APP_NIBBLES) : [...fullPath(l2), ...below]
      return yield* Effect.try({
        try: () => {
          // The inverse edits that take this shard back from the head to the asked frame, by set.
          const undo: Array<Array<{ id: Uint8Array; edit: SetEdit }>> = [[], [], [], []]
          for (const changes of rewind) {
            for (let i = changes.length - 1; i >= 0; i--) {
              const change = changes[i]!
              if (bytesToHex(change.ref.id.subarray(0, L2_LENGTH)) !== bytesToHex(l2)) continue
              for (const e of unwrap(inverseEdits(change))) undo[e.set]!.push({ id: change.ref.id, edit: e })
            }
          }
          return ID_SETS.map((set) => {
            const edits = undo[set]!
            // The head's tries answer directly; an older frame gets a private copy, rewound.
            let trie: VectorCommitmentTrie
            if (edits.length === 0) trie = liveTrie(l2, set)
            else {
              trie = loadFromStore(l2, set)
              for (const { id, edit } of edits) applyEdit(trie, id, edit)
            }
            runOrThrow(trie.commit(kzg))
            return coveringCommitment(trie, path) ?? EMPTY_ROOT
          })
        },
        catch: asCommitterError,
      })
    })

  return {
    commit: (tx, frameNumber, changes) => {
      const all = currentHeads()
      for (const [hex, { l2, sets }] of edit(changes, forwardEdits)) {
        if (sets.size === 0) continue // only no-op changes (removed → removed): no new row
        const roots = commitShard(tx, l2, sets, all.get(hex)?.roots)
        commitRows.put(tx, [l2, frameNumber], roots)
        all.set(hex, { l1: all.get(hex)?.l1 ?? bloomIndices(l2), l2, roots })
      }
      return executionRoot(all)
    },
    revert: (tx, frameNumber, changes) => {
      const all = currentHeads()
      for (const [hex, { l2, sets }] of edit([...changes].reverse(), inverseEdits)) {
        if (sets.size === 0) continue // commit wrote no row for it either
        const roots = commitShard(tx, l2, sets, all.get(hex)?.roots)
        commitRows.delete(tx, [l2, frameNumber])
        // The rewound tries are the state of the previous row (the tries are canonical for their content).
        if (hasState(roots)) all.set(hex, { l1: all.get(hex)?.l1 ?? bloomIndices(l2), l2, roots })
        else all.delete(hex)
      }
    },
    settle: (outcome) => {
      if (outcome === "aborted") {
        for (const key of touched) live.delete(key)
        heads = undefined
      }
      touched.clear()
    },
    shardRoots,
    prove: (l2, set, ids) =>
      Effect.gen(function* () {
        if (l2.length !== L2_LENGTH) return yield* new CommitterError({ kind: "bad-request", reason: `an app address is 32 bytes, got ${l2.length}` })
        if (!ID_SETS.includes(set as IdSet)) return yield* new CommitterError({ kind: "bad-request", reason: `id-set ${set} is not 0..${SET_COUNT - 1}` })
        const trie = yield* Effect.try({ try: () => liveTrie(l2, set as IdSet), catch: asCommitterError })
        const proof = yield* proveMultiple(trie, kzg, ids).pipe(
          Effect.mapError((e) => new CommitterError({ kind: e._tag === "TraversalProofError" ? "bad-request" : "failed", reason: reasonOf(e) })),
        )
        return traversalProofToBytes(proof)
      }),
  }
}
