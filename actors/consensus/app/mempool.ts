// One shard's mempool (issue: app shards): the bundles waiting for a proposal, in arrival order,
// bounded in count and bytes, deduplicated by bundle id, and aged out after a number of frames so a
// bundle nobody can include (its locks never free, its shard halted) does not sit there forever.
// Bundles stay until a finalized frame carries them (`remove`) or they go stale: a proposal that
// never gets certified must not lose them.
import { bytesToHex } from "@noble/hashes/utils.js"

export interface MempoolLimits {
  readonly maxBundles: number
  readonly maxBytes: number
  /** A bundle still waiting this many frames after it arrived is dropped. */
  readonly maxAgeFrames: bigint
}

export interface PendingBundle {
  /** SHA3-256 of the canonical MessageBundle (what `GET /v1/bundles/{id}` names). */
  readonly id: Uint8Array
  /** What the execution host applies: domain ‖ MessageBundle. */
  readonly routed: Uint8Array
  readonly arrivedAtFrame: bigint
}

export type AddOutcome = "added" | "duplicate" | "full"

export class Mempool {
  // Insertion-ordered: iteration is arrival order, which is the proposal order.
  private readonly entries = new Map<string, PendingBundle>()
  private bytes = 0

  constructor(readonly limits: MempoolLimits) {}

  add(bundle: PendingBundle): AddOutcome {
    const key = bytesToHex(bundle.id)
    if (this.entries.has(key)) return "duplicate"
    if (this.entries.size >= this.limits.maxBundles || this.bytes + bundle.routed.length > this.limits.maxBytes) return "full"
    this.entries.set(key, bundle)
    this.bytes += bundle.routed.length
    return "added"
  }

  has(id: Uint8Array): boolean {
    return this.entries.has(bytesToHex(id))
  }

  /** The oldest bundles, up to `maxBundles` and `maxBytes` in total (they stay until removed). */
  peek(maxBundles: number, maxBytes: number): Array<PendingBundle> {
    const out: Array<PendingBundle> = []
    let bytes = 0
    for (const b of this.entries.values()) {
      if (out.length >= maxBundles) break
      if (bytes + b.routed.length > maxBytes) continue
      out.push(b)
      bytes += b.routed.length
    }
    return out
  }

  /** Forgets bundles a finalized frame carried (or that were rejected); answers how many were here. */
  remove(ids: ReadonlyArray<Uint8Array>): number {
    let removed = 0
    for (const id of ids) {
      const key = bytesToHex(id)
      const b = this.entries.get(key)
      if (b === undefined) continue
      this.entries.delete(key)
      this.bytes -= b.routed.length
      removed++
    }
    return removed
  }

  /** Drops and answers the bundles older than `maxAgeFrames` at `frameNumber`. */
  dropStale(frameNumber: bigint): Array<PendingBundle> {
    const stale: Array<PendingBundle> = []
    for (const [key, b] of this.entries) {
      if (frameNumber - b.arrivedAtFrame < this.limits.maxAgeFrames) continue
      stale.push(b)
      this.entries.delete(key)
      this.bytes -= b.routed.length
    }
    return stale
  }

  get size(): number {
    return this.entries.size
  }

  get sizeBytes(): number {
    return this.bytes
  }
}
