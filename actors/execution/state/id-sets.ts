// The four id-sets of a shard key (spec §3.2, 2P2P hypergraph): vertex-adds, vertex-removes,
// hyperedge-adds, hyperedge-removes, each a vector commitment trie keyed by the 64-byte atom id.
// A frame change (prior → next) maps to trie edits; a revert applies the exact inverse, so the
// tries (and, the trie being canonical for its key set, their roots) return byte for byte.
// Leaf: value = the atom's stored bytes, hash target empty, size = value length (DECISIONS D-TRIE-11).
import { bytesToHex } from "@noble/hashes/utils.js"
import * as Either from "effect/Either"
import type { Change, RecordedChange } from "../overlay/index.ts"
import { IdSetChangeError } from "./errors.ts"

/** 0 vertex-adds, 1 vertex-removes, 2 hyperedge-adds, 3 hyperedge-removes (the §3.6 root order). */
export type IdSet = 0 | 1 | 2 | 3

/** Insert `value` at the atom's id in `set`, or delete the id (`value` undefined). */
export interface SetEdit {
  readonly set: IdSet
  readonly value: Uint8Array | undefined
}

const EMPTY = new Uint8Array(0)

const setsOf = (change: RecordedChange): { adds: IdSet; removes: IdSet } => (change.ref.kind === "vertex" ? { adds: 0, removes: 1 } : { adds: 2, removes: 3 })

const refused = (change: RecordedChange, why: string): Either.Either<never, IdSetChangeError> =>
  Either.left(new IdSetChangeError({ reason: `${change.ref.kind} ${bytesToHex(change.ref.id)}: ${why}` }))

/**
 * The edits a change makes: next Present → insert into adds (a re-add of a live atom overwrites);
 * next Removed with prior Present → insert the prior bytes into removes, adds unchanged; next Removed
 * with prior Absent → a tombstone, empty bytes into both adds and removes. A removed atom never comes
 * back (the write rules refuse it), so Removed → Present is an error, as is a change to Absent.
 */
export const forwardEdits = (change: Change): Either.Either<ReadonlyArray<SetEdit>, IdSetChangeError> => {
  const { adds, removes } = setsOf(change)
  const { prior, next } = change
  if (next._tag === "Absent") return refused(change, "a change never ends absent")
  if (next._tag === "Present") {
    if (prior._tag === "Removed") return refused(change, "a removed atom cannot be added again (remove wins)")
    return Either.right([{ set: adds, value: next.value }])
  }
  switch (prior._tag) {
    case "Present":
      return Either.right([{ set: removes, value: prior.value }])
    case "Absent":
      return Either.right([
        { set: adds, value: EMPTY },
        { set: removes, value: EMPTY },
      ])
    case "Removed":
      return Either.right([])
  }
}

/**
 * The inverse of `forwardEdits`: delete what it inserted, re-insert the value it replaced. Needs only
 * what a frame record keeps (the prior, the next state's tag): the same cases as `forwardEdits`.
 */
export const inverseEdits = (change: RecordedChange): Either.Either<ReadonlyArray<SetEdit>, IdSetChangeError> => {
  const { adds, removes } = setsOf(change)
  const { prior, next } = change
  if (next._tag === "Absent") return refused(change, "a change never ends absent")
  if (next._tag === "Present") {
    if (prior._tag === "Removed") return refused(change, "a removed atom cannot be added again (remove wins)")
    // Only a live re-add replaced an existing leaf (the prior value); otherwise the id was new.
    return Either.right([{ set: adds, value: prior._tag === "Present" ? prior.value : undefined }])
  }
  switch (prior._tag) {
    case "Present":
      return Either.right([{ set: removes, value: undefined }])
    case "Absent":
      return Either.right([
        { set: adds, value: undefined },
        { set: removes, value: undefined },
      ])
    case "Removed":
      return Either.right([])
  }
}
