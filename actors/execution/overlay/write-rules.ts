// The write rules every overlay layer applies before staging (spec §11.1 "the view"): checked
// against the newest visible state, so a rule broken by an earlier operation of the same bundle
// or an earlier bundle of the frame is caught at the write that breaks it.
import { bytesToHex } from "@noble/hashes/utils.js"
import * as Either from "effect/Either"
import { type AtomRef, ID_LENGTH, type Lookup, MalformedAtomId, type WriteMode, WriteRefused } from "../../../intrinsics/contract/index.ts"

/**
 * Map key of an atom, a string whose order is (kind, id) byte order (for sorted change lists): a
 * vertex is its id's hex, a hyperedge `h` ‖ hex — `h` sorts after every hex digit, so every
 * hyperedge after every vertex. No prefix for vertices, the common case: the concatenation made a
 * rope that every map lookup had to flatten.
 */
export const atomKey = (ref: AtomRef): string => (ref.kind === "vertex" ? bytesToHex(ref.id) : `h${bytesToHex(ref.id)}`)

export const checkId = (ref: AtomRef): Either.Either<void, MalformedAtomId> =>
  ref.id.length === ID_LENGTH ? Either.void : Either.left(new MalformedAtomId({ length: ref.id.length }))

const accepts = (mode: WriteMode, found: Lookup["_tag"]): boolean => {
  switch (mode) {
    case "create":
      return found === "Absent"
    case "update":
      return found === "Present"
    case "upsert":
      // A removed id is never re-added (2P2P sets, spec §3.2).
      return found !== "Removed"
  }
}

export const checkPut = (ref: AtomRef, current: Lookup, mode: WriteMode): Either.Either<void, WriteRefused> =>
  accepts(mode, current._tag) ? Either.void : Either.left(new WriteRefused({ ref, mode, found: current._tag }))

/** Only a present atom can be removed (spec §1.4 `Delete`: fails if missing or already removed). */
export const checkRemove = (ref: AtomRef, current: Lookup): Either.Either<void, WriteRefused> =>
  current._tag === "Present" ? Either.void : Either.left(new WriteRefused({ ref, mode: "remove", found: current._tag }))

/**
 * A private copy of a whole array: the copy constructor, not `slice`, which looks up a species
 * constructor first (~1.5–3× the cost for these small arrays).
 */
export const copyBytes = (bytes: Uint8Array): Uint8Array => new Uint8Array(bytes)

/** Values cross layer boundaries as copies, so a caller mutating its array cannot change staged or committed state. */
export const copyLookup = (l: Lookup): Lookup => (l._tag === "Present" ? { _tag: "Present", value: copyBytes(l.value) } : l)

export const copyRef = (ref: AtomRef): AtomRef => ({ kind: ref.kind, id: copyBytes(ref.id) })
