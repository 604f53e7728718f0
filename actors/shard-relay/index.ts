export * from "./errors.ts"
export * from "./protocol.ts"
export { shardRelayActor, type RelayPubsub, type RelayRequests } from "./relay-actor.ts"
export { decodeShardRequest, encodeShardRequest } from "./shard-request.ts"
export { ShardRelay, ShardRelayLive } from "./relay-live.ts"
export {
  ShardNetwork,
  ShardNetworkLive,
  shardNetworkActor,
  shardNetworkPath,
  shardRequester,
  type PendingRequests,
  type ShardHandler,
  type ShardNetworkService,
} from "./shard-network.ts"
