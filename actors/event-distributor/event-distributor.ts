// The event-distributor actor: one ordered stream of control events fanned out to typed, bounded
// subscriber queues. Ordering comes from the mailbox (one message at a time): every publish gets the
// next sequence number and is offered to every subscriber before the next publish is looked at, so all
// subscribers see the same total order (each one a subsequence of it when it filters or drops).
import { Effect, Metric, Queue } from "effect"
import { Actor } from "../../runtime/kernel/index.ts"
import type { ControlEvent, ControlEventTag } from "./control-event.ts"
import { EventDistributorProtocol, SubscriberExists, type DistributorStats } from "./protocol.ts"
import { makeSlotQueue, SubscriberSlot, type SubscriptionChannel } from "./subscription.ts"

const EVENT_DISTRIBUTOR_NAME = "event-distributor"

interface DistributorState {
  sequence: number
  readonly subscribers: Map<string, SubscriberSlot>
}

const publishedTotal = Metric.counter("quilbun_events_published_total", { description: "control events published", incremental: true })
const droppedTotal = Metric.counter("quilbun_events_dropped_total", {
  description: "control events a slow subscriber lost (its queue was full)",
  incremental: true,
})

const broadcast = (state: DistributorState, events: ReadonlyArray<ControlEvent>): Effect.Effect<DistributorState> =>
  Effect.gen(function* () {
    let dropped = 0
    for (const event of events) {
      state.sequence++
      const item = { sequence: state.sequence, event }
      for (const slot of state.subscribers.values()) {
        if (!slot.wants(event._tag)) continue
        const before = slot.dropped
        yield* slot.offer(item)
        dropped += slot.dropped - before
      }
    }
    if (events.length > 0) yield* Metric.incrementBy(publishedTotal, events.length)
    if (dropped > 0) yield* Metric.incrementBy(droppedTotal, dropped)
    return state
  })

const stats = (state: DistributorState): DistributorStats => ({
  published: state.sequence,
  subscribers: [...state.subscribers.values()].map((s) => ({
    id: s.id,
    types: s.types === undefined ? null : [...s.types],
    capacity: s.capacity,
    overflow: s.overflow,
    queued: queuedOf(s),
    delivered: s.delivered,
    dropped: s.dropped,
  })),
})

const queuedOf = (slot: SubscriberSlot): number => {
  const size = slot.queue.unsafeSize()
  return size._tag === "Some" ? size.value : 0
}

const shutdownAll = (state: DistributorState): Effect.Effect<void> =>
  Effect.forEach([...state.subscribers.values()], (slot) => Queue.shutdown(slot.queue), { discard: true })

export const eventDistributorActor = Actor.make(
  EVENT_DISTRIBUTOR_NAME,
  EventDistributorProtocol,
  {
    // Effect.sync: a fresh state per incarnation (Effect.succeed would share one object across restarts).
    init: () => Effect.sync((): DistributorState => ({ sequence: 0, subscribers: new Map() })),
    handlers: {
      Publish: (state, { event }) => broadcast(state, [event]),
      PublishAll: (state, { events }) => broadcast(state, events),
      Subscribe: (state, options) =>
        Effect.gen(function* () {
          if (state.subscribers.has(options.id)) return yield* Effect.fail(new SubscriberExists({ id: options.id }))
          const queue = yield* makeSlotQueue(options.capacity, options.overflow)
          const types = options.types === undefined ? undefined : new Set<ControlEventTag>(options.types)
          state.subscribers.set(options.id, new SubscriberSlot(options.id, types, options.capacity, options.overflow, queue))
          const channel: SubscriptionChannel = { _tag: "SubscriptionChannel", id: options.id, queue }
          return [state, channel] as const
        }),
      Unsubscribe: (state, { id }) =>
        Effect.suspend(() => {
          const slot = state.subscribers.get(id)
          if (slot === undefined) return Effect.succeed(state)
          state.subscribers.delete(id)
          return Effect.as(Queue.shutdown(slot.queue), state)
        }),
      GetDistributorStats: (state) => Effect.succeed([state, stats(state)] as const),
    },
    // Subscribers are told the stream ended (their queue shuts down) whenever this incarnation ends,
    // including a restart, which starts with no subscribers: they must subscribe again (D-EV-4).
    terminate: (state) => (state._tag === "Some" ? shutdownAll(state.value) : Effect.void),
  },
  { mailbox: { capacity: 1000, overflow: "backpressure" } },
)
