// Eviction at a committed global frame (consensus.md §8.5, §4.7 step 7; D-REG-9): the global intrinsic's
// pure `evictInactive` (intrinsics/global D-GLOB-8) over the registry's records, run by every node at the
// same committed frame, after that frame's lifecycle requests and shard updates. Only provers whose
// signatures are credited can be found inactive (D-REG-11).
import { evictInactive, type LifecycleParams } from "../../intrinsics/global/index.ts"
import { fromLifecycleProver, toLifecycleState } from "./lifecycle-records.ts"
import { isActiveFor, type ProverRecord } from "./prover-record.ts"

export interface EvictionApplied {
  /** The evicted provers' new records, by hex(address). */
  readonly changed: ReadonlyMap<string, ProverRecord>
  /** Hex addresses, sorted. */
  readonly evicted: ReadonlyArray<string>
}

const GLOBAL = new Uint8Array()

/**
 * Halt durations are taken as 0: which shards a node sees halted is its own view (coverage, D-APP-13), and
 * eviction must come out alike on every node. Provers with an Active global allocation are left out: a
 * kick takes the whole prover out of the global chain too, and a global prover's activity is not measured
 * yet (shard updates are credited against the global set; D-REG-9).
 */
export const applyEviction = (
  records: ReadonlyMap<string, ProverRecord>,
  frame: bigint,
  params: LifecycleParams,
  /** Whether the prover's signatures on shard frames move its LastActiveFrameNumber (D-REG-11). */
  credited: (address: Uint8Array) => boolean,
): EvictionApplied => {
  // A cheap superset first (an allocation the pure rule could count), so a frame without candidates maps nothing.
  const mayEvict = (r: ProverRecord): boolean =>
    r.status === "Active" &&
    !isActiveFor(r, GLOBAL) &&
    credited(r.address) &&
    r.allocations.some(
      (a) => a.filter.length > 0 && a.status === "Active" && a.lastActiveFrameNumber > 0n && frame - a.lastActiveFrameNumber > params.inactivityLimit,
    )
  const candidates = new Map([...records].filter(([, r]) => mayEvict(r)))
  if (candidates.size === 0) return { changed: new Map(), evicted: [] }
  const outcome = evictInactive(toLifecycleState(candidates), frame, params, () => 0n)
  const changed = new Map<string, ProverRecord>()
  for (const key of outcome.evicted) {
    const prover = outcome.state.get(key)
    if (prover !== undefined) changed.set(key, fromLifecycleProver(prover))
  }
  return { changed, evicted: outcome.evicted }
}
