// The event distributor: ordered control events (consensus.md §7) with typed, bounded subscriptions.
import { Context, Effect, Layer, type Scope } from "effect"
import { type ActorRef, ActorSystem, type AskError } from "../../runtime/kernel/index.ts"
import { eventDistributorActor } from "./event-distributor.ts"
import type { ControlEvent, ControlEventTag } from "./control-event.ts"
import { Publish, PublishAll, Subscribe, Unsubscribe, type EventDistributorMessage, type SubscriberExists } from "./protocol.ts"
import { toSubscription, type OverflowPolicy, type Subscription } from "./subscription.ts"

export * from "./control-event.ts"
export * from "./protocol.ts"
export * from "./subscription.ts"
export { eventDistributorActor } from "./event-distributor.ts"

export type EventDistributorRef = ActorRef<EventDistributorMessage>

/** The node's event distributor (its ref), as wired by `EventDistributorLive`. */
export class EventDistributor extends Context.Tag("quilbun/EventDistributor")<EventDistributor, EventDistributorRef>() {}

/** The one wiring of the event distributor: spawned for the Layer's scope (node, devnet harness, tests). */
export const EventDistributorLive: Layer.Layer<EventDistributor, never, ActorSystem.ActorSystem> = Layer.scoped(
  EventDistributor,
  ActorSystem.spawnScoped(eventDistributorActor),
)

export interface SubscribeParams<T extends ControlEventTag> {
  readonly id: string
  readonly types?: ReadonlyArray<T>
  readonly capacity?: number
  readonly overflow?: OverflowPolicy
}

/**
 * Subscribe for the lifetime of the current Scope (unsubscribed when it closes). With `types`, the
 * subscription is typed to those events.
 */
export const subscribe = <T extends ControlEventTag = ControlEventTag>(
  distributor: EventDistributorRef,
  params: SubscribeParams<T>,
): Effect.Effect<Subscription<Extract<ControlEvent, { readonly _tag: T }>>, SubscriberExists | AskError, Scope.Scope> =>
  Effect.acquireRelease(
    distributor.ask(
      new Subscribe({
        id: params.id,
        ...(params.types === undefined ? {} : { types: params.types }),
        ...(params.capacity === undefined ? {} : { capacity: params.capacity }),
        ...(params.overflow === undefined ? {} : { overflow: params.overflow }),
      }),
    ),
    () => distributor.tell(new Unsubscribe({ id: params.id })).pipe(Effect.ignore),
  ).pipe(Effect.map((channel) => toSubscription<Extract<ControlEvent, { readonly _tag: T }>>(channel)))

/** Publish one event (fire and forget; waits only if the distributor's mailbox is full). */
export const publish = (distributor: EventDistributorRef, event: ControlEvent) => distributor.tell(new Publish({ event }))

/** Publish events back to back, with nothing from other publishers in between. */
export const publishAll = (distributor: EventDistributorRef, events: ReadonlyArray<ControlEvent>) =>
  events.length === 0 ? Effect.void : distributor.tell(new PublishAll({ events }))
