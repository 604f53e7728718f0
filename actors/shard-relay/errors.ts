// Typed failures of the shard relay; Schema errors, because they travel back over the worker link.
import { Schema } from "effect"

export class ShardOwnedByOtherWorker extends Schema.TaggedError<ShardOwnedByOtherWorker>()("ShardOwnedByOtherWorker", {
  appFilter: Schema.String,
  owner: Schema.Int,
}) {}

export class ShardNotActive extends Schema.TaggedError<ShardNotActive>()("ShardNotActive", {
  appFilter: Schema.String,
  core: Schema.Int,
}) {}

/** The node runs without a libp2p host (e.g. the single-node devnet): nothing to relay to. */
export class NetworkUnavailable extends Schema.TaggedError<NetworkUnavailable>()("NetworkUnavailable", {
  reason: Schema.String,
}) {}

export class RelayPublishFailed extends Schema.TaggedError<RelayPublishFailed>()("RelayPublishFailed", {
  appFilter: Schema.String,
  reason: Schema.String,
}) {}

/** A request a worker sent through the relay, or one it was asked to serve, failed (TransportError's reasons). */
export class ShardRequestFailed extends Schema.TaggedError<ShardRequestFailed>()("ShardRequestFailed", {
  reason: Schema.Literal("unreachable", "timeout", "no-handler", "closed", "remote-error"),
  detail: Schema.String,
}) {}
