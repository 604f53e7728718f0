// Per-peer token buckets for inbound requests: a burst of `capacity`, refilled at `refillPerSecond`.
// The peer table is capped (least recently seen peer evicted first) so a flood of fresh peer ids
// cannot grow it without bound; an evicted peer comes back with a full bucket, which is no worse
// than a new peer.

export interface TokenBucketConfig {
  readonly capacity: number
  readonly refillPerSecond: number
  readonly maxPeers: number
}

interface Bucket {
  tokens: number
  updatedAt: number
}

export class PeerTokenBuckets {
  private readonly buckets = new Map<string, Bucket>()

  constructor(
    private readonly config: TokenBucketConfig,
    private readonly now: () => number = Date.now,
  ) {}

  /** Takes one token for `peer`; false when its bucket is empty (the request must be refused). */
  tryTake(peer: string): boolean {
    const now = this.now()
    const bucket = this.buckets.get(peer) ?? { tokens: this.config.capacity, updatedAt: now }
    const elapsed = Math.max(0, now - bucket.updatedAt) / 1000
    bucket.tokens = Math.min(this.config.capacity, bucket.tokens + elapsed * this.config.refillPerSecond)
    bucket.updatedAt = now
    // Re-insert so Map order is least-recently-seen first.
    this.buckets.delete(peer)
    this.buckets.set(peer, bucket)
    while (this.buckets.size > this.config.maxPeers) {
      const oldest = this.buckets.keys().next()
      if (oldest.done === true) break
      this.buckets.delete(oldest.value)
    }
    if (bucket.tokens < 1) return false
    bucket.tokens -= 1
    return true
  }

  get trackedPeers(): number {
    return this.buckets.size
  }
}
