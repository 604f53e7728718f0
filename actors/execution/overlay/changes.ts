// The frame overlay's output (spec §11.2 "no mid-frame commits", §3.7 change records): one change
// per atom, with the committed value it replaces so a revert can restore it. The list is sorted by
// (kind, id) and has a canonical encoding, so every node derives identical bytes however its
// maps were filled.
import { type AtomRef, CanonicalWriter, type Lookup } from "../../../intrinsics/contract/index.ts"

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
