export * from "./errors.ts"
export * from "./protocol.ts"
export { countRelayed, countVerdict, relayMessagesTotal, relayVerdictsTotal, relayedShardsGauge } from "./metrics.ts"
export { shardRelayActor, type RelayPubsub, type RelayWorkers, type ShardRelayOptions, type ShardRelayRef } from "./relay-actor.ts"
export { ShardRelay, ShardRelayLive, type ShardRelayLiveOptions } from "./relay-live.ts"
export {
  ShardNetwork,
  ShardNetworkLive,
  shardNetworkActor,
  shardNetworkPath,
  type ShardHandler,
  type ShardMessage,
  type ShardNetworkService,
} from "./shard-network.ts"
