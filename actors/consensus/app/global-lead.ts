// How an app leader numbers its frame against the global head G it knows (§1.6 step 4, D-APP-5), and how
// far past G it may go (D-APP-17): a pure rule, asked by the chain kind before the leader produces.
/** §1.6 step 4 with D-VAL-3: the global head when it is above the parent, else parent + 1. */
export const nextFrameNumber = (prior: bigint, head: bigint | undefined): bigint => (head !== undefined && head > prior ? head : prior + 1n)

/**
 * How far past the global head G it knows an app leader may number a frame (D-APP-17): at most G + 2.
 * The master's pool keeps a shard's newest 4 headers and a global frame g only carries a shard frame
 * below g, so with at most G + 3 some pending header is always admissible; 2 leaves one frame of slack
 * for the head the worker knows lagging the master's.
 */
export const MAX_GLOBAL_LEAD = 2n

/**
 * The lead bound (D-APP-17): a reason to wait, or undefined. The window's last number is only for a
 * child at the rank right after its parent's (certified, it finalizes the parent, 2-chain); any other
 * frame needs room for two. Without that, a window filled by frames that timeouts kept from finalizing
 * could never finalize them, and a shard paced one frame per global frame would finalize nothing
 * whenever the global chain is slower than the shard's rank timeout.
 */
export const globalLeadHold = (parent: { readonly frameNumber: bigint; readonly rank: bigint }, rank: bigint, head: bigint): string | undefined => {
  const next = nextFrameNumber(parent.frameNumber, head)
  const last = head + MAX_GLOBAL_LEAD
  if (next < last || (next === last && rank === parent.rank + 1n)) return undefined
  const room = next === last ? "its parent's rank is not the one before (room for two needed)" : `at most ${MAX_GLOBAL_LEAD} past it`
  return `frame ${next} past the global head ${head}: ${room}; waiting for the global chain`
}
