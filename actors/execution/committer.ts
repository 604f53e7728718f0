// Where state commitments plug in (spec §3.6, §11.2 "the per-frame shard commits"). The vector
// commitment trie lives in actors/execution/state (another module); the host depends only on
// this interface so it can commit and revert frames before the trie exists. The committer is
// called inside the frame's one write transaction, with the frame's sorted changes.
import type { Change } from "./overlay/index.ts"

export interface StateCommitter {
  /** The frame's execution root after `changes` (deterministic: same changes, same bytes). */
  readonly commit: (frameNumber: bigint, changes: ReadonlyArray<Change>) => Uint8Array
  /** Forget the frame's commitment state (called for each reverted frame, newest first). */
  readonly revert: (frameNumber: bigint) => void
}

/** 64 zero bytes: the commitment of an empty vector commitment tree (§1.8), used until the trie lands. */
const EMPTY_ROOT = new Uint8Array(64)

/** The placeholder: every frame's root is the empty root; nothing to revert. */
export const placeholderCommitter: StateCommitter = {
  commit: () => EMPTY_ROOT.slice(),
  revert: () => undefined,
}
