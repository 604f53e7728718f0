// Messages of the event-distributor actor (/root/event-distributor).
import { Schema } from "effect"
import { Protocol } from "../../runtime/kernel/index.ts"
import { ControlEvent, ControlEventTagSchema } from "./control-event.ts"
import { DEFAULT_SUBSCRIBER_CAPACITY, OverflowPolicy, SubscriptionChannelSchema } from "./subscription.ts"

/** Broadcast one event to every subscriber that wants its type. */
export class Publish extends Schema.TaggedClass<Publish>()("Publish", { event: ControlEvent }) {}

/**
 * Broadcast several events back to back: no other publisher's event can land between them (a time
 * reel's Fork followed by its replayed NewHeads stays contiguous for every subscriber).
 */
export class PublishAll extends Schema.TaggedClass<PublishAll>()("PublishAll", { events: Schema.Array(ControlEvent) }) {}

export class SubscriberExists extends Schema.TaggedError<SubscriberExists>()("SubscriberExists", { id: Schema.String }) {}

const SubscribeOptions = {
  id: Schema.String,
  /** Only these event types are queued for the subscriber; absent = every type. */
  types: Schema.optional(Schema.Array(ControlEventTagSchema)),
  capacity: Schema.optionalWith(Schema.Int.pipe(Schema.between(1, 1_000_000)), { default: () => DEFAULT_SUBSCRIBER_CAPACITY }),
  overflow: Schema.optionalWith(OverflowPolicy, { default: () => "drop-newest" as const }),
}

/** In-process only (the reply holds a queue); see `subscribe` in index.ts for the scoped helper. */
export class Subscribe extends Schema.TaggedRequest<Subscribe>()("Subscribe", {
  payload: SubscribeOptions,
  success: SubscriptionChannelSchema,
  failure: SubscriberExists,
}) {}

/** Ends a subscription: its queue is shut down (the subscriber's stream ends). Unknown ids are ignored. */
export class Unsubscribe extends Schema.TaggedClass<Unsubscribe>()("Unsubscribe", { id: Schema.String }) {}

const SubscriberStats = Schema.Struct({
  id: Schema.String,
  types: Schema.NullOr(Schema.Array(ControlEventTagSchema)),
  capacity: Schema.Number,
  overflow: OverflowPolicy,
  queued: Schema.Number,
  delivered: Schema.Number,
  dropped: Schema.Number,
})

export const DistributorStats = Schema.Struct({
  /** Events published so far (= the last sequence number). */
  published: Schema.Number,
  subscribers: Schema.Array(SubscriberStats),
})
export type DistributorStats = typeof DistributorStats.Type

export class GetDistributorStats extends Schema.TaggedRequest<GetDistributorStats>()("GetDistributorStats", {
  payload: {},
  success: DistributorStats,
  failure: Schema.Never,
}) {}

export const EventDistributorProtocol = Protocol.make("EventDistributor", Publish, PublishAll, Subscribe, Unsubscribe, GetDistributorStats)
export type EventDistributorMessage = Publish | PublishAll | Subscribe | Unsubscribe | GetDistributorStats
