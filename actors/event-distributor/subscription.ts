// One subscriber's bounded queue and its slow-subscriber policy. The distributor never waits for a
// subscriber: when a queue is full the overflow policy decides which event that subscriber loses, the
// loss is counted, and the gap is visible in the sequence numbers (DECISIONS.md D-EV-2).
import { Effect, Option, Queue, Schema, Stream } from "effect"
import type { ControlEvent, ControlEventTag } from "./control-event.ts"

/**
 * - `drop-newest` (default, the reference's behaviour): the event that does not fit is dropped.
 * - `drop-oldest`: the oldest queued event is evicted to make room (the subscriber keeps the latest).
 */
export const OverflowPolicy = Schema.Literal("drop-newest", "drop-oldest")
export type OverflowPolicy = typeof OverflowPolicy.Type

/** The reference's subscriber channel holds 100 events. */
export const DEFAULT_SUBSCRIBER_CAPACITY = 100

/** An event as a subscriber receives it: `sequence` is the distributor's publish order (1, 2, …). */
export interface Delivered<E extends ControlEvent = ControlEvent> {
  readonly sequence: number
  readonly event: E
}

/** Distributor-side end of a subscription (lives in the actor's state). */
export class SubscriberSlot {
  delivered = 0
  dropped = 0
  constructor(
    readonly id: string,
    readonly types: ReadonlySet<ControlEventTag> | undefined,
    readonly capacity: number,
    readonly overflow: OverflowPolicy,
    readonly queue: Queue.Queue<Delivered>,
  ) {}

  wants(tag: ControlEventTag): boolean {
    return this.types === undefined || this.types.has(tag)
  }

  /**
   * Never suspends: a dropping or sliding queue completes `offer` at once. The actor is the only
   * producer, so the size read before the offer tells whether this offer overflowed.
   */
  offer(item: Delivered): Effect.Effect<void> {
    return Effect.suspend(() => {
      const full = Option.getOrElse(this.queue.unsafeSize(), () => 0) >= this.capacity
      return Effect.map(Queue.offer(this.queue, item), (accepted) => {
        if (full) this.dropped++
        // A sliding queue evicts its oldest item and reports false, but the new item is queued.
        if (accepted || this.overflow === "drop-oldest") this.delivered++
      })
    })
  }
}

export const makeSlotQueue = (capacity: number, overflow: OverflowPolicy): Effect.Effect<Queue.Queue<Delivered>> =>
  overflow === "drop-oldest" ? Queue.sliding<Delivered>(capacity) : Queue.dropping<Delivered>(capacity)

/**
 * Subscriber-side handle. `take` suspends until an event arrives; after the distributor stops (or the
 * subscription ends) the queue is shut down: `stream` ends and `take` is interrupted.
 */
export interface Subscription<E extends ControlEvent = ControlEvent> {
  readonly id: string
  readonly take: Effect.Effect<Delivered<E>>
  /** Every event queued right now (possibly none), without waiting. */
  readonly drain: Effect.Effect<ReadonlyArray<Delivered<E>>>
  readonly stream: Stream.Stream<Delivered<E>>
}

/** What the Subscribe ask hands back in-process: the queue's receiving end. */
export interface SubscriptionChannel {
  readonly _tag: "SubscriptionChannel"
  readonly id: string
  readonly queue: Queue.Dequeue<Delivered>
}

/**
 * Declared (not structural) schema: a queue cannot cross a process boundary, so Subscribe is an
 * in-process ask; a remote subscriber would be a forwarding actor in its own process (D-EV-4).
 */
export const SubscriptionChannelSchema = Schema.declare(
  (u: unknown): u is SubscriptionChannel => typeof u === "object" && u !== null && (u as { readonly _tag?: unknown })._tag === "SubscriptionChannel",
  { identifier: "SubscriptionChannel" },
)

export const toSubscription = <E extends ControlEvent>(channel: SubscriptionChannel): Subscription<E> => {
  // The distributor only enqueues events whose tag the subscriber asked for, so the narrowing holds.
  const queue = channel.queue as Queue.Dequeue<Delivered<E>>
  return {
    id: channel.id,
    take: Queue.take(queue),
    drain: Effect.map(Queue.takeAll(queue), (chunk) => Array.from(chunk)),
    stream: Stream.fromQueue(queue),
  }
}
