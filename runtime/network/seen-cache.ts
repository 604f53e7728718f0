// Bounded seen-message cache (node.md §4.3 step 4, §9.5): a hard entry cap (LRU eviction of the
// oldest entries, never a wholesale clear() that would re-admit messages) plus a time-to-live.
// Pure: the caller passes the time, so tests and TestClock drive it deterministically.

export interface SeenCacheOptions {
  /** hard cap on entries; the oldest entry is evicted first */
  readonly maxEntries: number
  /** an entry older than this no longer counts as seen */
  readonly ttlMillis: number
}

export interface SeenCacheStats {
  readonly size: number
  readonly evictedForCapacity: number
  readonly expired: number
}

export class SeenCache {
  readonly maxEntries: number
  readonly ttlMillis: number
  // Map iteration order is insertion order; an entry is re-inserted when touched, so the first
  // entry is always the least recently seen one (and, with a monotonic clock, the oldest).
  private readonly entries = new Map<string, number>()
  private evictedForCapacity = 0
  private expired = 0

  constructor(options: SeenCacheOptions) {
    if (!Number.isInteger(options.maxEntries) || options.maxEntries < 1) {
      throw new RangeError("SeenCache.maxEntries must be a positive integer")
    }
    if (!(options.ttlMillis > 0)) throw new RangeError("SeenCache.ttlMillis must be positive")
    this.maxEntries = options.maxEntries
    this.ttlMillis = options.ttlMillis
  }

  get size(): number {
    return this.entries.size
  }

  /** Whether `key` was seen within the TTL (does not refresh it). */
  has(key: string, nowMillis: number): boolean {
    this.expire(nowMillis)
    return this.entries.has(key)
  }

  /**
   * Records `key` as seen now. Returns true when it was already seen within the TTL (a duplicate).
   * A duplicate is refreshed: a message still being re-gossiped stays suppressed.
   */
  checkAndAdd(key: string, nowMillis: number): boolean {
    this.expire(nowMillis)
    const duplicate = this.entries.delete(key)
    this.entries.set(key, nowMillis)
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next()
      if (oldest.done === true) break
      this.entries.delete(oldest.value)
      this.evictedForCapacity++
    }
    return duplicate
  }

  stats(): SeenCacheStats {
    return { size: this.entries.size, evictedForCapacity: this.evictedForCapacity, expired: this.expired }
  }

  private expire(nowMillis: number): void {
    for (const [key, at] of this.entries) {
      if (nowMillis - at < this.ttlMillis) break
      this.entries.delete(key)
      this.expired++
    }
  }
}
