// The implicit timeouts of consensus.md §8.3: an unconfirmed join or leave expires after the lifecycle
// window (720 frames on mainnet), a pause without resume after the pause timeout (360). Nothing rewrites
// state on expiry; every check reads the status through `effectiveStatus`, so the expiry is a pure
// function of (allocation, frame, params) and every node sees it at the same frame.
import type { LifecycleParams } from "./params.ts"
import type { LifecycleAllocation, LifecycleProver, LifecycleState, ProverStatus } from "./records.ts"
import { sameBytes } from "./records.ts"

/** Whether an unconfirmed join has expired. On mainnet joins of the 2.1 enrollment never expire (§8.3). */
const joinExpired = (a: LifecycleAllocation, frame: bigint, params: LifecycleParams): boolean =>
  a.status === "Joining" &&
  (params.legacyEnrollment === undefined || a.joinFrameNumber >= params.legacyEnrollment.end) &&
  frame > a.joinFrameNumber + params.lifecycleWindow

const leaveExpired = (a: LifecycleAllocation, frame: bigint, params: LifecycleParams): boolean =>
  a.status === "Leaving" && frame > a.leaveFrameNumber + params.lifecycleWindow

const pauseExpired = (a: LifecycleAllocation, frame: bigint, params: LifecycleParams): boolean =>
  a.status === "Paused" && frame - a.pauseFrameNumber > params.pauseTimeout

/**
 * The status an allocation has at `frame`: its stored one, unless a timeout turned it into status 4
 * ("Rejected": an expired join is implicitly rejected, an expired leave or pause has implicitly left).
 */
export const effectiveStatus = (a: LifecycleAllocation, frame: bigint, params: LifecycleParams): ProverStatus =>
  joinExpired(a, frame, params) || leaveExpired(a, frame, params) || pauseExpired(a, frame, params) ? "Rejected" : a.status

/** `GetActiveProvers(filter)` at `frame`: not kicked, with an Active allocation for `filter`, sorted by address. */
export const activeProvers = (state: LifecycleState, filter: Uint8Array, frame: bigint, params: LifecycleParams): Array<LifecycleProver> =>
  [...state.values()]
    .filter((p) => p.status !== "Kicked" && p.kickFrameNumber === 0n)
    .filter((p) => p.allocations.some((a) => sameBytes(a.filter, filter) && effectiveStatus(a, frame, params) === "Active"))
    .sort((a, b) => Buffer.compare(a.address, b.address))
