// The master's pending certified shard headers (consensus.md §4.5 step 1), waiting for a global leader
// to propose them. Per shard the newest few, deduplicated by frame number and never at or below what a
// committed global frame already carried for that shard (the reference's "strictly increasing per
// shard"); a bounded number of shards, the least recently updated forgotten first. A few per shard
// rather than one: the leader proposes the newest the frame-number rule admits (D-GC-17), which need not
// be the newest received when a shard's frame numbers run ahead of the global chain.
import { bytesToHex } from "@noble/hashes/utils.js"
import type { AppFrameHeader } from "../core/messages/app-frame-header.ts"

export interface ShardUpdatePoolLimits {
  readonly maxShards: number
  readonly perShard: number
}

export const DEFAULT_SHARD_UPDATE_POOL_LIMITS: ShardUpdatePoolLimits = { maxShards: 1_024, perShard: 4 }

export type ShardUpdateAdded =
  /** Kept (possibly displacing an older header of the shard). */
  | "added"
  /** That shard frame is already pending. */
  | "duplicate"
  /** At or below what a committed global frame carried for the shard, or older than every pending one of a full shard. */
  | "superseded"

export class ShardUpdatePool {
  /** Shard (hex) → pending headers, newest first; Map order = least recently updated first. */
  private readonly pending = new Map<string, Array<AppFrameHeader>>()
  /** Shard (hex) → the newest shard frame a committed global frame carried. */
  private readonly included = new Map<string, bigint>()

  constructor(readonly limits: ShardUpdatePoolLimits = DEFAULT_SHARD_UPDATE_POOL_LIMITS) {}

  get size(): number {
    let n = 0
    for (const list of this.pending.values()) n += list.length
    return n
  }

  add(header: AppFrameHeader): ShardUpdateAdded {
    const shard = bytesToHex(header.address)
    const floor = this.included.get(shard)
    if (floor !== undefined && header.frameNumber <= floor) return "superseded"
    const list = this.pending.get(shard) ?? []
    if (list.some((h) => h.frameNumber === header.frameNumber)) return "duplicate"
    const oldest = list[list.length - 1]
    if (list.length >= this.limits.perShard && oldest !== undefined && header.frameNumber < oldest.frameNumber) return "superseded"
    const next = [...list, header].sort((a, b) => (a.frameNumber > b.frameNumber ? -1 : a.frameNumber < b.frameNumber ? 1 : 0)).slice(0, this.limits.perShard)
    this.pending.delete(shard)
    this.pending.set(shard, next)
    for (const stale of this.pending.keys()) {
      if (this.pending.size <= this.limits.maxShards) break
      this.pending.delete(stale)
    }
    return "added"
  }

  /** Every pending header, per shard newest first. */
  all(): ReadonlyArray<AppFrameHeader> {
    return [...this.pending.values()].flat()
  }

  /** A committed global frame carried `frameNumber` for `shard` (hex): it and everything older go. */
  committed(shard: string, frameNumber: bigint): void {
    const floor = this.included.get(shard)
    if (floor === undefined || frameNumber > floor) {
      this.included.delete(shard)
      this.included.set(shard, frameNumber)
      for (const stale of this.included.keys()) {
        if (this.included.size <= this.limits.maxShards) break
        this.included.delete(stale)
      }
    }
    const list = this.pending.get(shard)
    if (list === undefined) return
    const kept = list.filter((h) => h.frameNumber > frameNumber)
    if (kept.length === 0) this.pending.delete(shard)
    else this.pending.set(shard, kept)
  }
}
