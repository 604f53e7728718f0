export * from "./errors.ts"
export * from "./protocol.ts"
export { shardRelayActor, type RelayPubsub } from "./relay-actor.ts"
export { ShardRelay, ShardRelayLive } from "./relay-live.ts"
export {
  ShardNetwork,
  ShardNetworkLive,
  shardNetworkActor,
  shardNetworkPath,
  type ShardHandler,
  type ShardNetworkService,
} from "./shard-network.ts"
