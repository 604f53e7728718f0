// The host's durable side (spec §11.2 "no mid-frame commits", §3.7, design.md §5): a frame is
// committed in ONE write transaction — the overlay's changes into the vertices bucket, the
// execution root from the state committer, and the frame record with prior values — so a crash
// leaves the old head or the new one. Revert undoes frames newest-first in one transaction,
// restoring every atom's prior row byte for byte and deleting the frames' records.
import type * as Effect from "effect/Effect"
import type { StoreCommitFailed, StoreService } from "../../runtime/store/index.ts"
import type { StateCommitter } from "./committer.ts"
import { frameRecords } from "./frame-records.ts"
import { type Change, type CommittedSnapshot, committedAtoms, restoreChanges, storeSnapshot, writeChanges } from "./overlay/index.ts"

export interface FrameStore {
  /** Committed state as of the last commit (LMDB reads; only this module writes the bucket). */
  readonly snapshot: CommittedSnapshot
  /** The newest committed frame, if any. */
  readonly head: () => bigint | undefined
  /** Commits a frame's changes and record; answers the frame's execution root. */
  readonly commit: (frameNumber: bigint, changes: ReadonlyArray<Change>) => Effect.Effect<Uint8Array, StoreCommitFailed>
  /** Undoes every frame above `toFrame`, newest first; answers the reverted frame numbers. */
  readonly revertTo: (toFrame: bigint) => Effect.Effect<Array<bigint>, StoreCommitFailed>
}

export const makeFrameStore = (store: StoreService, committer: StateCommitter): FrameStore => {
  const atoms = store.repository(committedAtoms)
  const records = store.repository(frameRecords)
  const head = (): bigint | undefined => records.keys({ reverse: true, limit: 1 })[0]
  return {
    snapshot: storeSnapshot(atoms),
    head,
    commit: (frameNumber, changes) =>
      store.commit((tx) => {
        writeChanges(tx, atoms, changes)
        const root = committer.commit(frameNumber, changes)
        records.put(tx, frameNumber, { root, changes })
        return root
      }),
    revertTo: (toFrame) =>
      store.commit((tx) => {
        const frames = records.keys({ gte: toFrame + 1n, reverse: true })
        for (const frameNumber of frames) {
          const record = records.get(frameNumber)
          if (record !== undefined) restoreChanges(tx, atoms, record.changes)
          records.delete(tx, frameNumber)
          committer.revert(frameNumber)
        }
        return frames
      }),
  }
}

/** `commit` without Effect, for the benchmark's hot loop (the actor uses `commit`). */
export const commitFrameSync = (store: StoreService, committer: StateCommitter, frameNumber: bigint, changes: ReadonlyArray<Change>): Uint8Array => {
  const atoms = store.repository(committedAtoms)
  const records = store.repository(frameRecords)
  return store.commitSync((tx) => {
    writeChanges(tx, atoms, changes)
    const root = committer.commit(frameNumber, changes)
    records.put(tx, frameNumber, { root, changes })
    return root
  })
}
