// Prover lifecycle requests waiting for a global frame (D-GC-19, D-GC-20): what this node proposes when it
// leads. Requests come from the node's own admin route and from the GLOBAL_PROVER bitmask (consensus.md
// §4.2); each is forgotten once a committed frame carries it, or once it is too old to apply anywhere
// (a signed operation is admitted only while its frame number is at most `joinMaxAge` frames old,
// intrinsics/global D-GLOB-5), so a request no leader took cannot stay forever.
import { bytesToHex } from "@noble/hashes/utils.js"
import { MAX_LIFECYCLE_REQUESTS } from "./lifecycle-requests.ts"

export type LifecyclePoolOutcome = "added" | "duplicate" | "full"

/** Kept requests at most (a few frames' worth of the per-frame bound). */
const DEFAULT_CAPACITY = 4 * MAX_LIFECYCLE_REQUESTS
/** Committed frames a request may wait after its arrival (twice the devnet's and mainnet's joinMaxAge of 10). */
const DEFAULT_MAX_AGE_FRAMES = 20n

export class LifecycleRequestPool {
  /** By hex(request), in arrival order (Map keeps insertion order): the order a leader proposes them in. */
  private readonly entries = new Map<string, { readonly request: Uint8Array; readonly arrivedAt: bigint }>()

  constructor(
    private readonly capacity: number = DEFAULT_CAPACITY,
    private readonly maxAgeFrames: bigint = DEFAULT_MAX_AGE_FRAMES,
  ) {}

  get size(): number {
    return this.entries.size
  }

  /** `arrivedAt`: the committed global head when it arrived. */
  add(request: Uint8Array, arrivedAt: bigint): LifecyclePoolOutcome {
    const key = bytesToHex(request)
    if (this.entries.has(key)) return "duplicate"
    if (this.entries.size >= this.capacity) return "full"
    this.entries.set(key, { request, arrivedAt })
    return "added"
  }

  /** At most `MAX_LIFECYCLE_REQUESTS`, oldest first (what one frame may carry). */
  pending(): ReadonlyArray<Uint8Array> {
    const out: Array<Uint8Array> = []
    for (const e of this.entries.values()) {
      if (out.length >= MAX_LIFECYCLE_REQUESTS) break
      out.push(e.request)
    }
    return out
  }

  /** A committed frame at `frameNumber` carried `requests`: those are done, and stale ones go. */
  committed(frameNumber: bigint, requests: ReadonlyArray<Uint8Array>): void {
    for (const r of requests) this.entries.delete(bytesToHex(r))
    for (const [key, e] of this.entries) if (frameNumber - e.arrivedAt > this.maxAgeFrames) this.entries.delete(key)
  }
}
