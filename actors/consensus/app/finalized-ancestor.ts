// D-APP-1: which frame's post-state a new app header commits to. Execution happens at finalization
// (2-chain, D-GC-2), so a leader cannot know the state after an uncertified frame. A frame N whose parent
// is P carries the shard roots after executing A: the newest ancestor at or below P's parent whose child
// on N's branch has rank A.rank + 1 — the newest frame that N's parent QC (with the QCs below it on the
// branch) finalizes — or genesis when there is none. Leader and validators compute it from the same
// branch, so they agree on A whatever else each has seen.
import type { AppShardFrame } from "../core/messages/app-shard-frame.ts"

/** A frame by its selector: this node's uncommitted states, its committed chain and genesis. */
export type FrameLookup = (selector: Uint8Array) => AppShardFrame | undefined

/**
 * A for a frame whose parent is `parent`; undefined when the branch leaves what `lookup` knows (a node
 * holds every frame from genesis to its uncommitted tip, so this only happens to a broken store).
 */
export const finalizedAncestor = (parent: AppShardFrame, lookup: FrameLookup): AppShardFrame | undefined => {
  if (parent.header.frameNumber === 0n) return parent
  let child = parent
  let candidate = lookup(parent.header.parentSelector)
  while (candidate !== undefined) {
    if (child.header.rank === candidate.header.rank + 1n || candidate.header.frameNumber === 0n) return candidate
    child = candidate
    candidate = lookup(candidate.header.parentSelector)
  }
  return undefined
}
