// Where state commitments plug in (spec §3.6, §11.2 "the per-frame shard commits"). The host depends
// only on this interface; the hypergraph id-set tries (state/hypergraph-committer.ts) implement it.
// `commit` and `revert` run inside the frame's one LMDB write transaction and write through `tx`, so
// the commitments land with the frame or not at all; `settle` then tells the committer how that
// transaction ended, so in-memory state touched by an aborted one can be dropped.
import { Data, Effect } from "effect"
import type { WriteTx } from "../../runtime/store/index.ts"
import type { Change, RecordedChange } from "./overlay/index.ts"

/** A shard query that cannot be answered: a malformed request, or a store / trie / KZG failure. */
export class CommitterError extends Data.TaggedError("CommitterError")<{ readonly kind: "bad-request" | "failed"; readonly reason: string }> {
  // Thrown inside a store commit, the message becomes the StoreCommitFailed reason.
  override get message(): string {
    return this.reason
  }
}

export interface StateCommitter {
  /** Writes the frame's commitments in `tx`; answers its execution root (same changes, same bytes). */
  readonly commit: (tx: WriteTx, frameNumber: bigint, changes: ReadonlyArray<Change>) => Uint8Array
  /** Undoes one frame's `changes` in `tx` (called for each reverted frame, newest first), as its record keeps them. */
  readonly revert: (tx: WriteTx, frameNumber: bigint, changes: ReadonlyArray<RecordedChange>) => void
  /** After every transaction that called commit/revert: whether it committed or was aborted. */
  readonly settle: (outcome: "committed" | "aborted") => void
  /**
   * CommitShard (§3.6): the commitments covering `shardAddress` (32–64 bytes) in the four id-sets,
   * as of the state after undoing `rewind` (the changes of the newest frames, newest first).
   */
  readonly shardRoots: (
    shardAddress: Uint8Array,
    rewind: ReadonlyArray<ReadonlyArray<RecordedChange>>,
  ) => Effect.Effect<ReadonlyArray<Uint8Array>, CommitterError>
  /** A traversal proof (§3.5 bytes) of `ids` in id-set `set` (0..3) of app `l2`, on the committed tries. */
  readonly prove: (l2: Uint8Array, set: number, ids: ReadonlyArray<Uint8Array>) => Effect.Effect<Uint8Array, CommitterError>
}

/** 64 zero bytes: the commitment of an empty vector commitment tree (§3.4). */
const EMPTY_ROOT = new Uint8Array(64)

/**
 * Every root is the empty root and nothing is stored: for benchmarks that measure execution with
 * commitments excluded, and tests of the host alone.
 */
export const placeholderCommitter: StateCommitter = {
  commit: () => EMPTY_ROOT.slice(),
  revert: () => undefined,
  settle: () => undefined,
  shardRoots: () => Effect.succeed([0, 1, 2, 3].map(() => EMPTY_ROOT.slice())),
  prove: () => Effect.fail(new CommitterError({ kind: "failed", reason: "the placeholder committer keeps no tries" })),
}
