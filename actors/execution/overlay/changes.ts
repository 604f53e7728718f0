// The frame overlay's output (spec §11.2 "no mid-frame commits", §3.7 change records): one change
// per atom, with the committed value it replaces so a revert can restore it. The list is sorted by
// (kind, id) and has a canonical encoding, so every node derives identical bytes however its
// maps were filled.
import * as Either from "effect/Either"
import {
  Absent,
  type AtomRef,
  type CanonicalReader,
  CanonicalWriter,
  ID_LENGTH,
  type Lookup,
  malformed,
  type OpError,
  present,
  Removed,
} from "../../../intrinsics/contract/index.ts"

export interface Change {
  readonly ref: AtomRef
  /** The committed state before the frame (`Absent`, `Removed` or the old value). */
  readonly prior: Lookup
  /** The staged state after the frame: `Present` or `Removed`. */
  readonly next: Lookup
}

const writeLookup = (w: CanonicalWriter, l: Lookup): CanonicalWriter => {
  switch (l._tag) {
    case "Absent":
      return w.u8(0)
    case "Removed":
      return w.u8(1)
    case "Present":
      return w.u8(2).bytes(l.value)
  }
}

/** `u32 count ‖ (u8 kind ‖ id(64) ‖ prior ‖ next)*`, a lookup being `u8 tag [‖ u32 len ‖ value]`. */
export const encodeChanges = (changes: ReadonlyArray<Change>): Uint8Array => {
  const w = new CanonicalWriter().u32(changes.length)
  for (const c of changes) {
    writeLookup(writeLookup(w.u8(c.ref.kind === "vertex" ? 0 : 1).fixed(c.ref.id), c.prior), c.next)
  }
  return w.finish()
}

const readLookup = (r: CanonicalReader): Either.Either<Lookup, OpError> =>
  Either.flatMap(r.u8("lookup tag"), (tag): Either.Either<Lookup, OpError> => {
    switch (tag) {
      case 0:
        return Either.right(Absent)
      case 1:
        return Either.right(Removed)
      case 2:
        return Either.map(r.bytes("value"), present)
      default:
        return Either.left(malformed(undefined, `lookup tag ${tag}`))
    }
  })

/** Reads `count` changes from `r` (the inverse of `encodeChanges`); total, like every canonical decoder. */
export const readChanges = (r: CanonicalReader): Either.Either<Array<Change>, OpError> =>
  r.list(
    "changes",
    (reader) =>
      Either.gen(function* () {
        const kind = yield* reader.u8("kind")
        if (kind > 1) return yield* Either.left(malformed(undefined, `atom kind ${kind}`))
        const id = yield* reader.fixed("id", ID_LENGTH)
        const prior = yield* readLookup(reader)
        const next = yield* readLookup(reader)
        const ref: AtomRef = { kind: kind === 0 ? "vertex" : "hyperedge", id }
        return { ref, prior, next }
      }),
    0xffff_ffff,
  )
