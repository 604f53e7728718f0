// The bounded actor mailbox: a growable ring buffer with exactly one consumer (the actor loop).
// Hand-rolled instead of effect/Mailbox because the kernel must see evicted messages (to fail an
// evicted ask with MailboxFull), must drain a closed mailbox (to fail queued asks with ActorStopped),
// and the actor loop polls one message at a time without allocating a Chunk per batch.
import { Effect } from "effect"

/** What happens when a message arrives at a full mailbox. */
export type OverflowPolicy = "backpressure" | "drop-oldest" | "reject"

/** Result of a synchronous offer. */
export const Offer = { accepted: 0, full: 1, closed: 2 } as const
export type OfferResult = (typeof Offer)[keyof typeof Offer]

const ACCEPTED = Effect.succeed<OfferResult>(Offer.accepted)
const CLOSED = Effect.succeed<OfferResult>(Offer.closed)

interface Putter<T> {
  readonly item: T
  readonly resume: ((effect: Effect.Effect<OfferResult>) => void) | undefined
}

export class ActorMailbox<T> {
  // Power-of-two ring so indexes wrap with a mask; it grows on demand up to the capacity.
  private ring: Array<T | undefined>
  private mask: number
  private head = 0
  private count = 0
  private waiter: ((effect: Effect.Effect<void>) => void) | undefined = undefined
  private readonly putters: Array<Putter<T>> = []
  private isClosed = false

  /** Wait until a message is available, the mailbox is closed, or `wake` is called. */
  readonly awaitItem: Effect.Effect<void>

  constructor(
    readonly capacity: number,
    readonly policy: OverflowPolicy,
    /** Called with a message evicted by `drop-oldest`. */
    private readonly onEvict: (item: T) => void,
  ) {
    if (!(capacity >= 1) || !Number.isFinite(capacity)) throw new RangeError(`mailbox capacity must be >= 1, got ${capacity}`)
    this.ring = new Array<T | undefined>(16)
    this.mask = 15
    // No canceler (it would cost an onInterrupt frame per wait): the consumer calls `clearWaiter`
    // when it ends, so an interrupted wait is never resumed.
    this.awaitItem = Effect.async<void>((resume) => {
      if (this.count > 0 || this.isClosed) resume(Effect.void)
      else this.waiter = resume
    })
  }

  /** Messages waiting, including senders suspended by backpressure. */
  get depth(): number {
    return this.count + this.putters.length
  }

  get closed(): boolean {
    return this.isClosed
  }

  /** Synchronous offer; never suspends. `drop-oldest` evicts instead of reporting `full`. */
  unsafeOffer(item: T): OfferResult {
    if (this.isClosed) return Offer.closed
    if (this.count < this.capacity && this.putters.length === 0) {
      this.push(item)
      return Offer.accepted
    }
    if (this.policy === "drop-oldest") {
      const evicted = this.shift()
      this.push(item)
      if (evicted !== undefined) this.onEvict(evicted)
      return Offer.accepted
    }
    return Offer.full
  }

  /** Offer that suspends while the mailbox is full under `backpressure` (FIFO among waiters). */
  offer(item: T): Effect.Effect<OfferResult> {
    return Effect.suspend(() => {
      const result = this.unsafeOffer(item)
      if (result !== Offer.full || this.policy !== "backpressure") return Effect.succeed(result)
      return Effect.async<OfferResult>((resume) => {
        const putter: Putter<T> = { item, resume }
        this.putters.push(putter)
        return Effect.sync(() => {
          const i = this.putters.indexOf(putter)
          if (i >= 0) this.putters.splice(i, 1)
        })
      })
    })
  }

  /**
   * Like `unsafeOffer`, but under `backpressure` a full mailbox queues the message behind the
   * suspended senders instead of refusing it. Used by `ask`: the asker is held back by waiting for
   * its reply (which also lets a timeout cover the time spent waiting for room).
   */
  unsafeOfferOrQueue(item: T): OfferResult {
    const result = this.unsafeOffer(item)
    if (result !== Offer.full || this.policy !== "backpressure") return result
    this.putters.push({ item, resume: undefined })
    return Offer.accepted
  }

  /** Take the oldest message, or undefined when empty. Admits one suspended sender if any. */
  poll(): T | undefined {
    if (this.count === 0) return undefined
    const item = this.shift()
    const putter = this.putters.shift()
    if (putter !== undefined) {
      this.push(putter.item)
      putter.resume?.(ACCEPTED)
    }
    return item
  }

  /** Release the consumer from `awaitItem` (used to ask the loop to stop). */
  wake(): void {
    const waiter = this.waiter
    if (waiter !== undefined) {
      this.waiter = undefined
      waiter(Effect.void)
    }
  }

  /** Forget a pending `awaitItem` (its consumer has ended). */
  clearWaiter(): void {
    this.waiter = undefined
  }

  /** Close for good and return everything still queued (including suspended senders' messages). */
  close(): Array<T> {
    this.isClosed = true
    const rest: Array<T> = []
    for (let item = this.shift(); item !== undefined; item = this.shift()) rest.push(item)
    for (const putter of this.putters.splice(0)) {
      rest.push(putter.item)
      putter.resume?.(CLOSED)
    }
    this.wake()
    return rest
  }

  private push(item: T): void {
    if (this.count === this.ring.length) this.grow()
    this.ring[(this.head + this.count) & this.mask] = item
    this.count++
    if (this.waiter !== undefined) this.wake()
  }

  private shift(): T | undefined {
    if (this.count === 0) return undefined
    const item = this.ring[this.head]
    this.ring[this.head] = undefined
    this.head = (this.head + 1) & this.mask
    this.count--
    return item
  }

  private grow(): void {
    const next = new Array<T | undefined>(this.ring.length * 2)
    for (let i = 0; i < this.count; i++) next[i] = this.ring[(this.head + i) & this.mask]
    this.ring = next
    this.mask = next.length - 1
    this.head = 0
  }
}
