// Messages of the shard relay (design.md §1, node.md §9.1): the master owns the node's one libp2p host;
// a data worker that activates a shard asks the master's relay to subscribe the shard's four bitmasks
// (shardChannels of its 32-byte app filter), the master hands every message that arrives on them to
// that worker's shard-network actor (validate, then deliver), and the worker publishes through the
// master. Every message crosses the master ↔ worker process boundary, hence Schema for all of them.
import { Schema } from "effect"
import { Protocol } from "../../runtime/kernel/index.ts"
import { APP_FILTER_BYTES } from "../../runtime/network/bitmask.ts"
import { NetworkUnavailable, RelayPublishFailed, ShardNotActive, ShardOwnedByOtherWorker, ShardRequestFailed } from "./errors.ts"

/** The four per-shard channels (runtime/network/bitmask.ts `shardChannels`). */
export const ShardChannel = Schema.Literal("frames", "consensus", "dispatch", "prover")
export type ShardChannel = typeof ShardChannel.Type
export const SHARD_CHANNELS: ReadonlyArray<ShardChannel> = ShardChannel.literals

/** A shard's 32-byte app filter (the shard bitmask). */
const AppFilter = Schema.Uint8ArrayFromSelf.pipe(
  Schema.filter((bytes) => bytes.length === APP_FILTER_BYTES || `an app filter is ${APP_FILTER_BYTES} bytes, got ${bytes.length}`),
)

const Core = Schema.Int.pipe(Schema.positive())

/** At most this many messages travel in one validate, deliver or publish batch. */
export const MAX_SHARD_BATCH = 256
const Verdict = Schema.Literal("accept", "ignore", "reject")

// ---- master: /root/shard-relay ------------------------------------------------------------------

/** Worker `core` takes the shard: the master subscribes its four channels and relays them to it. */
export class ActivateShard extends Schema.TaggedRequest<ActivateShard>()("ActivateShard", {
  payload: { core: Core, appFilter: AppFilter },
  success: Schema.Void,
  failure: Schema.Union(ShardOwnedByOtherWorker, NetworkUnavailable),
}) {}

/** Worker `core` leaves the shard: the master unsubscribes its channels. */
export class DeactivateShard extends Schema.TaggedRequest<DeactivateShard>()("DeactivateShard", {
  payload: { core: Core, appFilter: AppFilter },
  success: Schema.Void,
  failure: ShardNotActive,
}) {}

/** Worker `core` publishes on one channel of a shard it has activated. */
export class PublishShard extends Schema.TaggedRequest<PublishShard>()("PublishShard", {
  payload: { core: Core, appFilter: AppFilter, channel: ShardChannel, payload: Schema.Uint8ArrayFromSelf },
  success: Schema.Struct({ recipients: Schema.Int }),
  failure: Schema.Union(ShardNotActive, NetworkUnavailable, RelayPublishFailed),
}) {}

/** A publish of a PublishShards batch that went out: how many peers it was sent to. */
export class Published extends Schema.TaggedClass<Published>()("Published", { recipients: Schema.Int }) {}

/**
 * Worker `core` publishes several messages (those its shards published in one turn of its event
 * loop), in order; the answer holds each one's outcome, as PublishShard would have given it.
 */
export class PublishShards extends Schema.TaggedRequest<PublishShards>()("PublishShards", {
  payload: {
    core: Core,
    publishes: Schema.Array(Schema.Struct({ appFilter: AppFilter, channel: ShardChannel, payload: Schema.Uint8ArrayFromSelf })).pipe(
      Schema.maxItems(MAX_SHARD_BATCH),
    ),
  },
  success: Schema.Array(Schema.Union(Published, ShardNotActive, NetworkUnavailable, RelayPublishFailed)),
  failure: Schema.Never,
}) {}

/**
 * Worker `core` sends a request on a shard it has activated to `peer` (a sync request, say). A tell, not
 * an ask: the network round trip must not hold the relay's mailbox. The answer comes back to the
 * worker's shard-network actor as ShardRequestAnswered with the same `id`.
 */
export class RequestShard extends Schema.TaggedClass<RequestShard>()("RequestShard", {
  core: Core,
  appFilter: AppFilter,
  id: Schema.Int,
  peer: Schema.String,
  protocol: Schema.String,
  data: Schema.Uint8ArrayFromSelf,
}) {}

/** The peers subscribed to one channel of a shard (what a shard's consensus counts as reachable). */
export class ShardPeers extends Schema.TaggedRequest<ShardPeers>()("ShardPeers", {
  payload: { appFilter: AppFilter, channel: ShardChannel },
  success: Schema.Array(Schema.String),
  failure: Schema.Never,
}) {}

const RelayedShard = Schema.Struct({ core: Schema.Int, appFilter: Schema.String })

/** Which worker relays which shard (app filters in hex). */
export class ListRelayedShards extends Schema.TaggedRequest<ListRelayedShards>()("ListRelayedShards", {
  payload: {},
  success: Schema.Array(RelayedShard),
  failure: Schema.Never,
}) {}

/** The link to worker `core`'s incarnation `incarnation` closed: its shards are released. */
export class WorkerLinkClosed extends Schema.TaggedClass<WorkerLinkClosed>()("WorkerLinkClosed", {
  core: Schema.Int,
  incarnation: Schema.Int,
}) {}

export const ShardRelayProtocol = Protocol.make(
  "ShardRelay",
  ActivateShard,
  DeactivateShard,
  PublishShard,
  PublishShards,
  RequestShard,
  ShardPeers,
  ListRelayedShards,
  WorkerLinkClosed,
)
export type ShardRelayMessage =
  | ActivateShard
  | DeactivateShard
  | PublishShard
  | PublishShards
  | RequestShard
  | ShardPeers
  | ListRelayedShards
  | WorkerLinkClosed

// ---- worker: /worker-<n>/shard-network ----------------------------------------------------------

const ShardMessageFields = {
  appFilter: AppFilter,
  channel: ShardChannel,
  payload: Schema.Uint8ArrayFromSelf,
  /** the original publisher's peer id */
  from: Schema.String,
}
const ShardMessage = Schema.Struct(ShardMessageFields)
export type ShardMessage = typeof ShardMessage.Type

const ShardMessages = Schema.Array(ShardMessage).pipe(Schema.maxItems(MAX_SHARD_BATCH))

/**
 * Messages arrived on relayed shard channels: the worker's validators decide before they spread.
 * Batched (the relay sends what arrived in one turn of its event loop together): the answer holds
 * one verdict per message, in order.
 */
export class ValidateShardMessages extends Schema.TaggedRequest<ValidateShardMessages>()("ValidateShardMessages", {
  payload: { messages: ShardMessages },
  success: Schema.Array(Verdict),
  failure: Schema.Never,
}) {}

/** The messages were accepted (by this worker and the network layer): hand them, in order, to the shards' handlers. */
export class DeliverShardMessages extends Schema.TaggedClass<DeliverShardMessages>()("DeliverShardMessages", { messages: ShardMessages }) {}

/** The answer to the worker's RequestShard `id`: the response bytes, or why there is none. */
export class ShardRequestAnswered extends Schema.TaggedClass<ShardRequestAnswered>()("ShardRequestAnswered", {
  id: Schema.Int,
  outcome: Schema.Union(Schema.Struct({ _tag: Schema.Literal("Answered"), data: Schema.Uint8ArrayFromSelf }), ShardRequestFailed),
}) {}

/** A peer sent a request on a shard this worker holds: the shard's handler answers it. */
export class ServeShardRequest extends Schema.TaggedRequest<ServeShardRequest>()("ServeShardRequest", {
  payload: { appFilter: AppFilter, protocol: Schema.String, from: Schema.String, data: Schema.Uint8ArrayFromSelf },
  success: Schema.Uint8ArrayFromSelf,
  failure: ShardRequestFailed,
}) {}

/** The master's relay restarted and forgot its table: activate every shard again. */
export class RelayReset extends Schema.TaggedClass<RelayReset>()("RelayReset", {}) {}

export const ShardNetworkProtocol = Protocol.make(
  "ShardNetwork",
  ValidateShardMessages,
  DeliverShardMessages,
  ShardRequestAnswered,
  ServeShardRequest,
  RelayReset,
)
export type ShardNetworkMessage = ValidateShardMessages | DeliverShardMessages | ShardRequestAnswered | ServeShardRequest | RelayReset

export const SHARD_RELAY_NAME = "shard-relay"
export const SHARD_RELAY_PATH = `/root/${SHARD_RELAY_NAME}`
export const SHARD_NETWORK_NAME = "shard-network"
