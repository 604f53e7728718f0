// What the time reel needs from a frame, whatever its kind (global or app shard).
import type { AppShardFrame } from "../consensus/core/messages/app-shard-frame.ts"
import type { GlobalFrame } from "../consensus/core/messages/global-frame.ts"

export type ReelFrame = GlobalFrame | AppShardFrame

/** A frame the reel has validated, with everything derived from it once. */
export interface ReelEntry<F extends ReelFrame = ReelFrame> {
  /** Time-reel id (§2.2), hex. */
  readonly id: string
  readonly frame: F
  readonly frameNumber: bigint
  readonly rank: bigint
  /** poseidon(output). */
  readonly selector: Uint8Array
  readonly selectorHex: string
  readonly parentSelectorHex: string
  /** Signer bitmask indices (empty for genesis / unsigned frames). */
  readonly signers: ReadonlyArray<number>
}

/** A frame linked into the tree. */
export interface ReelNode<F extends ReelFrame = ReelFrame> extends ReelEntry<F> {
  parentId: string | undefined
  readonly children: Set<string>
  depth: number
}
