// The frame overlay's output (spec §11.2 "no mid-frame commits", §3.7 change records): one change
// per atom, with the committed value it replaces so a revert can restore it. The list is sorted by
// (kind, id) and has a canonical encoding, so every node derives identical bytes however its
// maps were filled.
import * as Either from "effect/Either"
import {
  Absent,
  type AtomRef,
  type CanonicalReader,
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

/**
 * What a frame record keeps of a change (frame-records.ts): enough to undo it. The prior is whole
 * (revert restores it); of the next state only its tag (the inverse trie edits depend on it; the new
 * value itself is in the vertices row, and nothing that reads records back needs it). A `Change`
 * is a `RecordedChange`.
 */
export interface RecordedChange {
  readonly ref: AtomRef
  readonly prior: Lookup
  readonly next: { readonly _tag: Lookup["_tag"] }
}

const lookupLength = (l: Lookup): number => (l._tag === "Present" ? 5 + l.value.length : 1)

const putU32 = (out: Uint8Array, at: number, n: number): void => {
  out[at] = n >>> 24
  out[at + 1] = (n >>> 16) & 0xff
  out[at + 2] = (n >>> 8) & 0xff
  out[at + 3] = n & 0xff
}

const putLookup = (out: Uint8Array, at: number, l: Lookup): number => {
  switch (l._tag) {
    case "Absent":
      out[at] = 0
      return at + 1
    case "Removed":
      out[at] = 1
      return at + 1
    case "Present":
      out[at] = 2
      putU32(out, at + 1, l.value.length)
      out.set(l.value, at + 5)
      return at + 5 + l.value.length
  }
}

/**
 * The buffer of a change list with `bodyLength` bytes of entries: `header` as it is, then the u32 count.
 * Answers the buffer and where the first entry goes.
 */
const openChangeList = (count: number, bodyLength: number, header: Uint8Array | undefined): { readonly out: Uint8Array; readonly at: number } => {
  if (count > 0xffff_ffff) throw new RangeError(`u32 out of range: ${count}`)
  const start = header?.length ?? 0
  const out = new Uint8Array(start + 4 + bodyLength)
  if (header !== undefined) out.set(header, 0)
  putU32(out, start, count)
  return { out, at: start + 4 }
}

/**
 * `u32 count ‖ (u8 kind ‖ id(64) ‖ prior ‖ next)*`, a lookup being `u8 tag [‖ u32 len ‖ value]`
 * (the CanonicalWriter layout, written straight into one buffer sized up front). `header` goes
 * first, as it is (a frame record's root), so a record is built without another copy.
 */
export const encodeChanges = (changes: ReadonlyArray<Change>, header?: Uint8Array): Uint8Array => {
  let length = 0
  for (const c of changes) length += 1 + c.ref.id.length + lookupLength(c.prior) + lookupLength(c.next)
  const opened = openChangeList(changes.length, length, header)
  const out = opened.out
  let at = opened.at
  for (const c of changes) {
    out[at] = c.ref.kind === "vertex" ? 0 : 1
    out.set(c.ref.id, at + 1)
    at = putLookup(out, putLookup(out, at + 1 + c.ref.id.length, c.prior), c.next)
  }
  return out
}

const TAG_OF: Readonly<Record<Lookup["_tag"], number>> = { Absent: 0, Removed: 1, Present: 2 }
const TAGS: ReadonlyArray<{ readonly _tag: Lookup["_tag"] }> = [{ _tag: "Absent" }, { _tag: "Removed" }, { _tag: "Present" }]

/**
 * `u32 count ‖ (u8 kind ‖ id(64) ‖ prior ‖ u8 next tag)*`: `encodeChanges` without the next values
 * (a frame record's body, D-EXEC-26). `header` goes first, as in `encodeChanges`.
 */
export const encodeRecordedChanges = (changes: ReadonlyArray<RecordedChange>, header?: Uint8Array): Uint8Array => {
  let length = 0
  for (const c of changes) length += 2 + c.ref.id.length + lookupLength(c.prior)
  const opened = openChangeList(changes.length, length, header)
  const out = opened.out
  let at = opened.at
  for (const c of changes) {
    out[at] = c.ref.kind === "vertex" ? 0 : 1
    out.set(c.ref.id, at + 1)
    at = putLookup(out, at + 1 + c.ref.id.length, c.prior)
    out[at++] = TAG_OF[c.next._tag]
  }
  return out
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

/** Reads what `encodeRecordedChanges` wrote after its header; total, like every canonical decoder. */
export const readRecordedChanges = (r: CanonicalReader): Either.Either<Array<RecordedChange>, OpError> =>
  r.list(
    "changes",
    (reader) =>
      Either.gen(function* () {
        const kind = yield* reader.u8("kind")
        if (kind > 1) return yield* Either.left(malformed(undefined, `atom kind ${kind}`))
        const id = yield* reader.fixed("id", ID_LENGTH)
        const prior = yield* readLookup(reader)
        const tag = yield* reader.u8("next tag")
        const next = TAGS[tag]
        if (next === undefined) return yield* Either.left(malformed(undefined, `lookup tag ${tag}`))
        const ref: AtomRef = { kind: kind === 0 ? "vertex" : "hyperedge", id }
        return { ref, prior, next }
      }),
    0xffff_ffff,
  )
