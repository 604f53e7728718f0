// Bounded per-bitmask inbound queues with an explicit drop policy (node.md §9.5: gossip input is
// bounded and drop-on-full, with drops counted by topic and reason). Pure data structure; the p2p
// actor drains it and exports the counters as metrics.

type DropPolicy =
  /** a full queue refuses the new message (protects what is already queued) */
  | "drop-newest"
  /** a full queue evicts its oldest message (favours fresh traffic, e.g. votes) */
  | "drop-oldest"

type DropReason = "queue-full" | "too-many-bitmasks"

export interface BitmaskQueuesOptions {
  /** capacity of each bitmask's queue */
  readonly capacityPerBitmask: number
  /** cap on distinct bitmasks with a queue, so a peer cannot grow the map without bound */
  readonly maxBitmasks: number
  readonly policy: DropPolicy
}

export type OfferResult = { readonly _tag: "Queued" } | { readonly _tag: "QueuedEvictedOldest" } | { readonly _tag: "Dropped"; readonly reason: DropReason }

export interface QueueCounters {
  readonly depth: number
  /** messages accepted into this bitmask's queue, ever */
  readonly queued: number
  /** messages lost to a full queue (refused, or evicted under drop-oldest), ever */
  readonly droppedFull: number
}

/** A fixed-capacity FIFO ring buffer. */
class Ring<T> {
  private readonly items: Array<T | undefined>
  private head = 0
  private length = 0

  constructor(readonly capacity: number) {
    this.items = new Array<T | undefined>(capacity)
  }

  get size(): number {
    return this.length
  }

  push(item: T): boolean {
    if (this.length === this.capacity) return false
    this.items[(this.head + this.length) % this.capacity] = item
    this.length++
    return true
  }

  shift(): T | undefined {
    if (this.length === 0) return undefined
    const item = this.items[this.head]
    this.items[this.head] = undefined
    this.head = (this.head + 1) % this.capacity
    this.length--
    return item
  }
}

interface Lane<T> {
  readonly ring: Ring<T>
  queued: number
  droppedFull: number
}

export class BitmaskQueues<T> {
  private readonly lanes = new Map<string, Lane<T>>()
  // Counters of released (empty) lanes are kept, bounded by maxBitmasks with the oldest forgotten
  // first, so metrics stay monotonic while a bitmask's lane comes and goes.
  private readonly retired = new Map<string, Lane<T>>()
  /** round-robin order of lanes, so one busy bitmask cannot starve the others */
  private cursor = 0
  private droppedTooMany = 0

  constructor(readonly options: BitmaskQueuesOptions) {
    if (!Number.isInteger(options.capacityPerBitmask) || options.capacityPerBitmask < 1) {
      throw new RangeError("capacityPerBitmask must be a positive integer")
    }
    if (!Number.isInteger(options.maxBitmasks) || options.maxBitmasks < 1) {
      throw new RangeError("maxBitmasks must be a positive integer")
    }
  }

  offer(bitmaskHex: string, item: T): OfferResult {
    let lane = this.lanes.get(bitmaskHex)
    if (lane === undefined) {
      if (this.lanes.size >= this.options.maxBitmasks) {
        this.droppedTooMany++
        return { _tag: "Dropped", reason: "too-many-bitmasks" }
      }
      const previous = this.retired.get(bitmaskHex)
      this.retired.delete(bitmaskHex)
      lane = {
        ring: new Ring<T>(this.options.capacityPerBitmask),
        queued: previous?.queued ?? 0,
        droppedFull: previous?.droppedFull ?? 0,
      }
      this.lanes.set(bitmaskHex, lane)
    }
    if (lane.ring.push(item)) {
      lane.queued++
      return { _tag: "Queued" }
    }
    lane.droppedFull++
    if (this.options.policy === "drop-newest") return { _tag: "Dropped", reason: "queue-full" }
    lane.ring.shift()
    lane.ring.push(item)
    lane.queued++
    return { _tag: "QueuedEvictedOldest" }
  }

  /** Takes the next message, visiting bitmasks round-robin. Empty lanes are released. */
  take(): { readonly bitmaskHex: string; readonly item: T } | undefined {
    const keys = [...this.lanes.keys()]
    for (let step = 0; step < keys.length; step++) {
      const index = (this.cursor + step) % keys.length
      const key = keys[index]
      if (key === undefined) continue
      const lane = this.lanes.get(key)
      if (lane === undefined || lane.ring.size === 0) continue
      const item = lane.ring.shift() as T
      this.cursor = index + 1
      if (lane.ring.size === 0) this.release(key, lane)
      return { bitmaskHex: key, item }
    }
    return undefined
  }

  depth(bitmaskHex?: string): number {
    if (bitmaskHex !== undefined) return this.lanes.get(bitmaskHex)?.ring.size ?? 0
    let total = 0
    for (const lane of this.lanes.values()) total += lane.ring.size
    return total
  }

  get bitmaskCount(): number {
    return this.lanes.size
  }

  counters(bitmaskHex: string): QueueCounters {
    const lane = this.lanes.get(bitmaskHex) ?? this.retired.get(bitmaskHex)
    return {
      depth: this.lanes.get(bitmaskHex)?.ring.size ?? 0,
      queued: lane?.queued ?? 0,
      droppedFull: lane?.droppedFull ?? 0,
    }
  }

  get droppedTooManyBitmasks(): number {
    return this.droppedTooMany
  }

  private release(key: string, lane: Lane<T>): void {
    this.lanes.delete(key)
    this.retired.set(key, lane)
    while (this.retired.size > this.options.maxBitmasks) {
      const oldest = this.retired.keys().next()
      if (oldest.done === true) break
      this.retired.delete(oldest.value)
    }
  }
}
