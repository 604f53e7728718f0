// The bottom layer (spec §11.2): committed state as of the start of the frame. Only a read
// function, so the host can back it with an LMDB read snapshot (store-snapshot.ts) and tests
// with a map; nothing above it can write committed state — the host commits the frame's
// changes once, after the last bundle.
import type { AtomRef, Lookup } from "../../../intrinsics/contract/index.ts"
import type { Change } from "./changes.ts"
import { atomKey, copyLookup } from "./write-rules.ts"

export interface CommittedSnapshot {
  /**
   * Must answer the same for the same ref for the whole frame (a read snapshot). Each answer is
   * the caller's own (a fresh value, never shared with the snapshot or another answer): the frame
   * overlay keeps it as it is rather than copying it again.
   */
  readonly read: (ref: AtomRef) => Lookup
}

/** Committed state in a map: for tests and for tools that replay frames without a store. */
export class MemoryCommitted implements CommittedSnapshot {
  readonly #atoms = new Map<string, Lookup>()

  readonly read = (ref: AtomRef): Lookup => copyLookup(this.#atoms.get(atomKey(ref)) ?? { _tag: "Absent" })

  /** Commits a frame's changes (what the host does in its one write transaction). */
  commit(changes: ReadonlyArray<Change>): void {
    for (const change of changes) this.#atoms.set(atomKey(change.ref), copyLookup(change.next))
  }
}
