import { compareBytes } from "./messages/fields.ts"

/** Ring assignment and eviction (consensus.md §8.5). */

const RING_SIZE = 8

export interface RingMember {
  readonly address: Uint8Array
  readonly seniority: bigint
  readonly joinFrameNumber: bigint
  readonly joinConfirmFrameNumber: bigint
}

/** JoinFrameNumber, or JoinConfirmFrameNumber when the join frame is 0. */
export const effectiveJoinFrame = (m: RingMember): bigint => (m.joinFrameNumber === 0n ? m.joinConfirmFrameNumber : m.joinFrameNumber)

/** Join frame ascending, then seniority descending, then address ascending. */
const compareRingOrder = (a: RingMember, b: RingMember): number => {
  const ja = effectiveJoinFrame(a)
  const jb = effectiveJoinFrame(b)
  if (ja !== jb) return ja < jb ? -1 : 1
  if (a.seniority !== b.seniority) return a.seniority > b.seniority ? -1 : 1
  return compareBytes(a.address, b.address)
}

/** `computeRingAssignments`: members in ring order with ring = ⌊position / 8⌋. */
export const ringAssignments = <M extends RingMember>(members: ReadonlyArray<M>): Array<{ readonly member: M; readonly ring: number }> =>
  [...members].sort(compareRingOrder).map((member, position) => ({ member, ring: Math.floor(position / RING_SIZE) }))

/** Worker-allocator projection: the ring the newest prover is on, and the ring a joiner would land on. */
export const shardRingInfo = (total: number): { readonly currentRing: number; readonly joinerRing: number } => ({
  currentRing: total === 0 ? 0 : Math.floor((total - 1) / RING_SIZE),
  joinerRing: Math.floor(total / RING_SIZE),
})

/** Inactivity above which an archive node evicts (permanently kicks) a shard prover. */
const EVICTION_THRESHOLD_FRAMES = 360n
/** Halt duration meaning "the shard is halted right now": such provers are skipped. */
const HALTED_NOW = (1n << 64n) - 1n

/**
 * `EvictInactiveProvers` rule for one active allocation on a non-empty filter: inactivity counts only
 * when LastActiveFrameNumber > 0, is reduced by the shard's halt duration, and evicts when > 360.
 */
export const shouldEvict = (
  frameNumber: bigint,
  lastActiveFrameNumber: bigint,
  haltDuration: bigint,
  threshold: bigint = EVICTION_THRESHOLD_FRAMES,
): boolean => {
  if (haltDuration === HALTED_NOW) return false
  if (lastActiveFrameNumber === 0n || frameNumber <= lastActiveFrameNumber) return false
  const inactive = frameNumber - lastActiveFrameNumber
  const adjusted = inactive > haltDuration ? inactive - haltDuration : 0n
  return adjusted > threshold
}
