// Wiring of the master's shard relay: spawns /root/shard-relay over the node's pubsub (if it runs a
// host) and the worker pool, and exports it to the workers over their links.
import { Context, Effect, Layer, type Option } from "effect"
import { ActorSystem, type ActorRef } from "../../runtime/kernel/index.ts"
import type { Message, Protocol } from "../../runtime/kernel/actor/protocol.ts"
import { makeActorEndpoint } from "../../runtime/kernel/process/actor-endpoint.ts"
import { WorkerPool } from "../../runtime/kernel/process/worker-pool.ts"
import type { BitmaskPubsub } from "../../runtime/network/bitmask-pubsub.ts"
import type { TransportService } from "../../runtime/kernel/transport/transport.ts"
import { SHARD_RELAY_PATH, ShardNetworkProtocol, ShardRelayProtocol, type ShardRelayMessage } from "./protocol.ts"
import { shardRelayActor } from "./relay-actor.ts"
import { shardNetworkPath } from "./shard-network.ts"

export class ShardRelay extends Context.Tag("quilbun/ShardRelay")<ShardRelay, ActorRef<ShardRelayMessage>>() {}

export interface ShardRelayLiveOptions {
  /** The node's bitmask pubsub; None without a libp2p host. */
  readonly pubsub: Option.Option<Pick<BitmaskPubsub, "subscribe" | "publish" | "peersInBitmask">>
  /** The node's request/response transport; None without a libp2p host. */
  readonly requests: Option.Option<Pick<TransportService, "request" | "serve">>
  /** Root supervisor name of worker `core` (runtime/node/worker-node.ts `workerRootName`). */
  readonly workerRoot: (core: number) => string
  readonly validateTimeoutMillis?: number
}

export const ShardRelayLive = (options: ShardRelayLiveOptions): Layer.Layer<ShardRelay, never, ActorSystem.ActorSystem | WorkerPool> =>
  Layer.scoped(
    ShardRelay,
    Effect.gen(function* () {
      const system = yield* ActorSystem.ActorSystem
      const pool = yield* WorkerPool
      const relay = yield* system
        .spawn(
          shardRelayActor({
            pubsub: options.pubsub,
            requests: options.requests,
            workers: {
              shardNetwork: (core) => pool.ref(core, shardNetworkPath(options.workerRoot(core)), ShardNetworkProtocol),
              livePeer: pool.livePeer,
            },
            ...(options.validateTimeoutMillis === undefined ? {} : { validateTimeoutMillis: options.validateTimeoutMillis }),
          }),
        )
        .pipe(Effect.orDie)
      const exports = new Map<string, Protocol<Message>>([[SHARD_RELAY_PATH, ShardRelayProtocol as unknown as Protocol<Message>]])
      yield* pool.serveActors(makeActorEndpoint(system, exports))
      return relay
    }),
  )
