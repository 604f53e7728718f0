// The worker's side of the shard relay: the ShardNetwork service through which a worker's shard
// engine reaches the network (activate a shard with its handler, publish on its channels), and the
// /worker-<n>/shard-network actor that receives the master's relayed messages: it asks the shard's
// validator for a verdict, then hands accepted messages to the shard's handler. The worker has no
// libp2p host of its own (design.md §1).
import { bytesToHex } from "@noble/hashes/utils.js"
import { Context, Effect, Layer } from "effect"
import { ActorSystem, Actor, type ActorRef } from "../../runtime/kernel/index.ts"
import type { AskError } from "../../runtime/kernel/actor/errors.ts"
import { makeMasterRef } from "../../runtime/kernel/process/master-ref.ts"
import { WorkerLink } from "../../runtime/kernel/process/worker-host.ts"
import type { Verdict } from "../../runtime/network/bitmask-pubsub.ts"
import type { NetworkUnavailable, RelayPublishFailed, ShardNotActive, ShardOwnedByOtherWorker } from "./errors.ts"
import {
  ActivateShard,
  DeactivateShard,
  PublishShard,
  SHARD_NETWORK_NAME,
  SHARD_RELAY_PATH,
  ShardNetworkProtocol,
  ShardRelayProtocol,
  type ShardChannel,
  type ShardRelayMessage,
} from "./protocol.ts"

interface ShardMessage {
  readonly appFilter: Uint8Array
  readonly channel: ShardChannel
  readonly payload: Uint8Array
  /** the original publisher's peer id */
  readonly from: string
}

export interface ShardHandler {
  /** Runs before the message spreads; reject penalises the peer that sent it. Default: accept. */
  readonly validate?: (message: ShardMessage) => Effect.Effect<Verdict>
  readonly onMessage: (message: ShardMessage) => Effect.Effect<void>
}

export interface ShardNetworkService {
  /** Takes the shard: the master subscribes its channels and relays them here. The effect returned leaves it. */
  readonly activate: (
    appFilter: Uint8Array,
    handler: ShardHandler,
  ) => Effect.Effect<Effect.Effect<void, ShardNotActive | AskError>, ShardOwnedByOtherWorker | NetworkUnavailable | AskError>
  readonly publish: (
    appFilter: Uint8Array,
    channel: ShardChannel,
    payload: Uint8Array,
  ) => Effect.Effect<{ readonly recipients: number }, ShardNotActive | NetworkUnavailable | RelayPublishFailed | AskError>
  /** App filters (hex) this worker has activated. */
  readonly activeShards: () => ReadonlyArray<string>
}

export class ShardNetwork extends Context.Tag("quilbun/ShardNetwork")<ShardNetwork, ShardNetworkService>() {}

interface Registered {
  readonly appFilter: Uint8Array
  readonly handler: ShardHandler
}

/** Relay requests get this long; the master answers from memory, so only a stalled link takes longer. */
const RELAY_ASK_TIMEOUT = "10 seconds"

export const shardNetworkActor = (core: number, registry: ReadonlyMap<string, Registered>, relay: ActorRef<ShardRelayMessage>) =>
  Actor.make(SHARD_NETWORK_NAME, ShardNetworkProtocol, {
    init: () => Effect.void,
    handlers: {
      // A message for a shard we no longer hold (it raced a deactivation) is ignored, not rejected.
      ValidateShardMessage: (state, m) => {
        const registered = registry.get(bytesToHex(m.appFilter))
        if (registered === undefined) return Effect.succeed([state, "ignore"] as const)
        const validate = registered.handler.validate
        if (validate === undefined) return Effect.succeed([state, "accept"] as const)
        return validate(m).pipe(
          Effect.catchAllDefect((defect) => Effect.as(Effect.logWarning("shard validator failed", defect), "ignore" as const)),
          Effect.map((verdict) => [state, verdict] as const),
        )
      },
      DeliverShardMessage: (state, m) => {
        const registered = registry.get(bytesToHex(m.appFilter))
        if (registered === undefined) return Effect.succeed(state)
        return registered.handler.onMessage(m).pipe(
          Effect.catchAllCause((cause) => Effect.logWarning("shard message handler failed", cause)),
          Effect.as(state),
        )
      },
      RelayReset: (state) =>
        Effect.forEach(
          Array.from(registry.values()),
          ({ appFilter }) =>
            relay
              .ask(new ActivateShard({ core, appFilter }), RELAY_ASK_TIMEOUT)
              .pipe(
                Effect.catchAll((error) =>
                  Effect.logWarning("could not activate a shard again after the relay restarted").pipe(
                    Effect.annotateLogs({ appFilter: bytesToHex(appFilter), error: error._tag }),
                  ),
                ),
              ),
          { discard: true },
        ).pipe(Effect.as(state)),
    },
  })

/** The path the master asks: exported by the worker node. */
export const shardNetworkPath = (workerRoot: string): string => `/${workerRoot}/${SHARD_NETWORK_NAME}`

/** Spawns the shard-network actor in this worker and provides ShardNetwork (needs the master link). */
export const ShardNetworkLive = (core: number): Layer.Layer<ShardNetwork, never, ActorSystem.ActorSystem | WorkerLink> =>
  Layer.effect(
    ShardNetwork,
    Effect.gen(function* () {
      const system = yield* ActorSystem.ActorSystem
      const link = yield* WorkerLink
      const relay = makeMasterRef(link, SHARD_RELAY_PATH, ShardRelayProtocol)
      const registry = new Map<string, Registered>()
      yield* system.spawn(shardNetworkActor(core, registry, relay)).pipe(Effect.orDie)
      return {
        activate: (appFilter, handler) =>
          Effect.gen(function* () {
            const hex = bytesToHex(appFilter)
            // Registered first: the master may relay a message before our ask's reply arrives.
            registry.set(hex, { appFilter: appFilter.slice(), handler })
            yield* relay.ask(new ActivateShard({ core, appFilter }), RELAY_ASK_TIMEOUT).pipe(Effect.tapError(() => Effect.sync(() => registry.delete(hex))))
            return Effect.suspend(() => {
              registry.delete(hex)
              return relay.ask(new DeactivateShard({ core, appFilter }), RELAY_ASK_TIMEOUT)
            })
          }),
        publish: (appFilter, channel, payload) => relay.ask(new PublishShard({ core, appFilter, channel, payload }), RELAY_ASK_TIMEOUT),
        activeShards: () => Array.from(registry.keys()),
      }
    }),
  )
