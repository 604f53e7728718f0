// The host's durable side (spec §11.2 "no mid-frame commits", §3.7, design.md §5): a frame is
// committed in ONE write transaction — the overlay's changes into the vertices bucket, the state
// committer's tries and shard commits with the execution root, and the frame record with prior
// values — so a crash leaves the old head or the new one. Revert undoes frames newest-first in one
// transaction, restoring every atom's prior row byte for byte and deleting the frames' records.
// The committer hears how each transaction ended (`settle`), so its memory never runs ahead of disk.
import * as Effect from "effect/Effect"
import * as Exit from "effect/Exit"
import type { StoreCommitFailed, StoreReadFailed, StoreService, WriteTx } from "../../runtime/store/index.ts"
import type { QueryCtx } from "../../intrinsics/contract/index.ts"
import type { StateCommitter } from "./committer.ts"
import { frameRecords } from "./frame-records.ts"
import { type Change, type CommittedSnapshot, committedAtoms, type RecordedChange, restoreChanges, storeSnapshot, writeChanges } from "./overlay/index.ts"

export interface FrameStore {
  /** Committed state as of the last commit (LMDB reads; only this module writes the bucket). */
  readonly snapshot: CommittedSnapshot
  /** The newest committed frame, if any. */
  readonly head: () => bigint | undefined
  /** Commits a frame's changes and record; answers the frame's execution root. */
  /** `alongside` writes more rows in the same transaction (the frame's bundle decisions). */
  readonly commit: (frameNumber: bigint, changes: ReadonlyArray<Change>, alongside?: (tx: WriteTx) => void) => Effect.Effect<Uint8Array, StoreCommitFailed>
  /** Undoes every frame above `toFrame`, newest first; answers the reverted frame numbers. `alongside` as in `commit`. */
  readonly revertTo: (toFrame: bigint, alongside?: (tx: WriteTx) => void) => Effect.Effect<Array<bigint>, StoreCommitFailed>
  /**
   * The newest committed frame at or below `frameNumber` (undefined: none), and the changes of every
   * committed frame above it, newest first (what undoes the head back to it).
   */
  /** Vertices created after `afterFrame` under `domain`, whole frames, until `limit` ids (QueryCtx.createdSince). */
  readonly createdSince: NonNullable<QueryCtx["createdSince"]>
  readonly asOf: (
    frameNumber: bigint,
  ) => Effect.Effect<{ readonly frame: bigint | undefined; readonly above: Array<ReadonlyArray<RecordedChange>> }, StoreReadFailed>
}

/** Tells the committer how the transaction ended, whatever the outcome. */
const settled = <A, E>(committer: StateCommitter, commit: Effect.Effect<A, E>): Effect.Effect<A, E> =>
  Effect.onExit(commit, (exit) => Effect.sync(() => committer.settle(Exit.isSuccess(exit) ? "committed" : "aborted")))

export const makeFrameStore = (store: StoreService, committer: StateCommitter): FrameStore => {
  const atoms = store.repository(committedAtoms)
  const records = store.repository(frameRecords)
  const head = (): bigint | undefined => records.keys({ reverse: true, limit: 1 })[0]
  return {
    snapshot: storeSnapshot(atoms),
    head,
    createdSince: (domain, afterFrame, limit) => {
      const ids: Array<{ frameNumber: bigint; id: Uint8Array }> = []
      let scannedTo = afterFrame
      // One frame at a time so a long history is not read whole; stops at a frame boundary.
      for (;;) {
        const [entry] = records.range(scannedTo === undefined ? { limit: 1 } : { gte: scannedTo + 1n, limit: 1 })
        if (entry === undefined) break
        for (const c of entry.value.changes) {
          if (c.ref.kind !== "vertex" || c.prior._tag === "Present" || c.next._tag !== "Present") continue
          if (domain.every((b, i) => c.ref.id[i] === b)) ids.push({ frameNumber: entry.key, id: c.ref.id })
        }
        scannedTo = entry.key
        if (ids.length >= limit) break
      }
      return { ids, scannedTo }
    },
    commit: (frameNumber, changes, alongside) =>
      settled(
        committer,
        store.commit((tx) => {
          alongside?.(tx)
          writeChanges(tx, atoms, changes)
          const root = committer.commit(tx, frameNumber, changes)
          records.put(tx, frameNumber, { root, changes })
          return root
        }),
      ),
    revertTo: (toFrame, alongside) =>
      settled(
        committer,
        store.commit((tx) => {
          alongside?.(tx)
          const frames = records.keys({ gte: toFrame + 1n, reverse: true })
          for (const frameNumber of frames) {
            const changes = records.get(frameNumber)?.changes ?? []
            restoreChanges(tx, atoms, changes)
            committer.revert(tx, frameNumber, changes)
            records.delete(tx, frameNumber)
          }
          return frames
        }),
      ),
    asOf: (frameNumber) =>
      store.read(() => {
        const newest = head()
        // `lt: frameNumber + 1` would overflow u64 for the largest frame number; the head answers that.
        const frame = newest === undefined || frameNumber >= newest ? newest : records.keys({ lt: frameNumber + 1n, reverse: true, limit: 1 })[0]
        const above = records.range({ ...(frame === undefined ? {} : { gte: frame + 1n }), reverse: true }).map((e) => e.value.changes)
        return { frame, above }
      }),
  }
}

/** `commit` without Effect, for the benchmark's hot loop (the actor uses `commit`). */
export const commitFrameSync = (store: StoreService, committer: StateCommitter, frameNumber: bigint, changes: ReadonlyArray<Change>): Uint8Array => {
  const atoms = store.repository(committedAtoms)
  const records = store.repository(frameRecords)
  let root: Uint8Array
  try {
    root = store.commitSync((tx) => {
      writeChanges(tx, atoms, changes)
      const r = committer.commit(tx, frameNumber, changes)
      records.put(tx, frameNumber, { root: r, changes })
      return r
    })
  } catch (e) {
    committer.settle("aborted")
    throw e
  }
  committer.settle("committed")
  return root
}
