// Eviction of inactive provers (consensus.md §8.5, `EvictInactiveProvers(frame, 360, haltDurations)`): a
// pure function of (records, frame, params, halt durations). A prover whose status is Active and that holds
// an effectively Active allocation on a shard (non-empty filter; global provers are exempt) is evicted when,
// for any such allocation, `frame − LastActiveFrameNumber − haltDuration(shard)` exceeds the inactivity
// limit — counted only once the allocation has been active (LastActive > 0), and never for a shard halted
// now. Eviction is a kick: KickFrameNumber = frame on the prover and every allocation, all allocations
// status 4, so the prover can never join again (§8.3 join).
import { effectiveStatus } from "./lifecycle-status.ts"
import type { LifecycleParams } from "./params.ts"
import { hexOf, type LifecycleProver, type LifecycleState } from "./records.ts"

/** How long a shard has been halted, in frames, or "halted" while it is halted now (the reference's 2^64−1). */
export type HaltDuration = (filter: Uint8Array) => bigint | "halted"

export interface EvictionOutcome {
  readonly state: LifecycleState
  /** Hex addresses evicted, sorted. */
  readonly evicted: ReadonlyArray<string>
}

const inactiveTooLong = (prover: LifecycleProver, frame: bigint, params: LifecycleParams, halted: HaltDuration): boolean =>
  prover.allocations.some((a) => {
    if (a.filter.length === 0 || effectiveStatus(a, frame, params) !== "Active" || a.lastActiveFrameNumber === 0n) return false
    const halt = halted(a.filter)
    if (halt === "halted") return false
    return frame - a.lastActiveFrameNumber - halt > params.inactivityLimit
  })

export const evictInactive = (state: LifecycleState, frame: bigint, params: LifecycleParams, halted: HaltDuration): EvictionOutcome => {
  const next = new Map(state)
  const evicted: Array<string> = []
  for (const prover of state.values()) {
    if (prover.status !== "Active" || prover.kickFrameNumber !== 0n || !inactiveTooLong(prover, frame, params, halted)) continue
    const key = hexOf(prover.address)
    next.set(key, {
      ...prover,
      status: "Kicked",
      kickFrameNumber: frame,
      allocations: prover.allocations.map((a) => ({ ...a, status: "Rejected" as const, kickFrameNumber: frame })),
    })
    evicted.push(key)
  }
  return { state: next, evicted: evicted.sort() }
}
