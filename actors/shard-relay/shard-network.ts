// The worker's side of the shard relay: the ShardNetwork service through which a worker's shard
// engine reaches the network (activate a shard with its handler, publish on its channels), and the
// /worker-<n>/shard-network actor that receives the master's relayed messages: it asks the shard's
// validator for a verdict, then hands accepted messages to the shard's handler. The worker has no
// libp2p host of its own (design.md §1).
import { bytesToHex } from "@noble/hashes/utils.js"
import { Context, Deferred, Duration, Effect, Layer } from "effect"
import { ActorSystem, Actor, type ActorRef } from "../../runtime/kernel/index.ts"
import type { AskError } from "../../runtime/kernel/actor/errors.ts"
import { makeMasterRef } from "../../runtime/kernel/process/master-ref.ts"
import { WorkerLink } from "../../runtime/kernel/process/worker-host.ts"
import type { Verdict } from "../../runtime/network/bitmask-pubsub.ts"
import { TransportError } from "../../runtime/kernel/transport/transport.ts"
import { type NetworkUnavailable, type RelayPublishFailed, type ShardNotActive, type ShardOwnedByOtherWorker, ShardRequestFailed } from "./errors.ts"
import { batchedPublisher } from "./shard-publisher.ts"
import {
  ActivateShard,
  DeactivateShard,
  RequestShard,
  SHARD_NETWORK_NAME,
  SHARD_RELAY_PATH,
  ShardNetworkProtocol,
  ShardPeers,
  ShardRelayProtocol,
  type ShardChannel,
  type ShardMessage,
  type ShardRelayMessage,
} from "./protocol.ts"

export interface ShardHandler {
  /** Runs before the message spreads; reject penalises the peer that sent it. Default: accept. */
  readonly validate?: (message: ShardMessage) => Effect.Effect<Verdict>
  readonly onMessage: (message: ShardMessage) => Effect.Effect<void>
  /** Answers a peer's request on this shard (e.g. its sync protocol); none: every request is refused. */
  readonly serve?: (protocol: string, from: string, data: Uint8Array) => Effect.Effect<Uint8Array, TransportError>
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
  /** One request to `peer` on a shard this worker has activated, sent from the master's host. */
  readonly request: (appFilter: Uint8Array, peer: string, protocol: string, data: Uint8Array) => Effect.Effect<Uint8Array, TransportError>
  /** Peers subscribed to a channel of the shard (none without a host). */
  readonly peers: (appFilter: Uint8Array, channel: ShardChannel) => Effect.Effect<ReadonlyArray<string>>
  /** App filters (hex) this worker has activated. */
  readonly activeShards: () => ReadonlyArray<string>
}

export class ShardNetwork extends Context.Tag("quilbun/ShardNetwork")<ShardNetwork, ShardNetworkService>() {}

interface Registered {
  readonly appFilter: Uint8Array
  readonly handler: ShardHandler
}

/** The shard's validator's verdict on one relayed message. */
const verdictOf =
  (registry: ReadonlyMap<string, Registered>) =>
  (message: ShardMessage): Effect.Effect<Verdict> => {
    const registered = registry.get(bytesToHex(message.appFilter))
    if (registered === undefined) return Effect.succeed("ignore")
    if (registered.handler.validate === undefined) return Effect.succeed("accept")
    return registered.handler
      .validate(message)
      .pipe(Effect.catchAllDefect((defect) => Effect.as(Effect.logWarning("shard validator failed", defect), "ignore" as const)))
  }

/** Relay requests get this long; the master answers from memory, so only a stalled link takes longer. */
const RELAY_ASK_TIMEOUT = "10 seconds"
/** A peer request through the master: the host's own limit (30 s) plus the link both ways. */
const PEER_REQUEST_TIMEOUT = Duration.seconds(35)

/** Requests this worker sent through the relay, by id, until their ShardRequestAnswered arrives. */
export type PendingRequests = Map<number, Deferred.Deferred<Uint8Array, TransportError>>

export const shardNetworkActor = (
  core: number,
  registry: ReadonlyMap<string, Registered>,
  relay: ActorRef<ShardRelayMessage>,
  pending: PendingRequests = new Map(),
) =>
  Actor.make(SHARD_NETWORK_NAME, ShardNetworkProtocol, {
    init: () => Effect.void,
    handlers: {
      // One verdict per message, in order. A message for a shard we no longer hold (it raced a
      // deactivation) is ignored, not rejected; so is one whose validator fails.
      ValidateShardMessages: (state, m) => Effect.forEach(m.messages, verdictOf(registry)).pipe(Effect.map((verdicts) => [state, verdicts] as const)),
      DeliverShardMessages: (state, m) =>
        Effect.forEach(
          m.messages,
          (message) => {
            const registered = registry.get(bytesToHex(message.appFilter))
            if (registered === undefined) return Effect.void
            return registered.handler.onMessage(message).pipe(Effect.catchAllCause((cause) => Effect.logWarning("shard message handler failed", cause)))
          },
          { discard: true },
        ).pipe(Effect.as(state)),
      ShardRequestAnswered: (state, m) =>
        Effect.suspend(() => {
          const waiting = pending.get(m.id)
          if (waiting === undefined) return Effect.succeed(state) // timed out already
          pending.delete(m.id)
          const outcome = m.outcome
          return Deferred.complete(
            waiting,
            outcome._tag === "Answered" ? Effect.succeed(outcome.data) : Effect.fail(new TransportError({ reason: outcome.reason, detail: outcome.detail })),
          ).pipe(Effect.as(state))
        }),
      ServeShardRequest: (state, m) => {
        const serve = registry.get(bytesToHex(m.appFilter))?.handler.serve
        if (serve === undefined)
          return Effect.fail(new ShardRequestFailed({ reason: "no-handler", detail: `shard ${bytesToHex(m.appFilter)} serves no requests here` }))
        return serve(m.protocol, m.from, m.data).pipe(
          Effect.mapError((e) => new ShardRequestFailed({ reason: e.reason, detail: e.detail })),
          Effect.map((data) => [state, data] as const),
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

/** A worker's requests through the master's relay (the RequestShard / ShardRequestAnswered pair) and shard peers. */
export const shardRequester = (core: number, relay: ActorRef<ShardRelayMessage>, pending: PendingRequests): Pick<ShardNetworkService, "request" | "peers"> => {
  let nextId = 1
  const lastPeers = new Map<string, ReadonlyArray<string>>()
  return {
    request: (appFilter, peer, protocol, data) =>
      Effect.suspend(() => {
        const id = nextId++
        return Effect.gen(function* () {
          const answer = yield* Deferred.make<Uint8Array, TransportError>()
          pending.set(id, answer)
          yield* relay
            .tell(new RequestShard({ core, appFilter, id, peer, protocol, data }))
            .pipe(Effect.catchAll((e) => Deferred.fail(answer, new TransportError({ reason: "closed", detail: `the master's relay: ${e._tag}` }))))
          return yield* Deferred.await(answer).pipe(
            Effect.timeoutFail({
              duration: PEER_REQUEST_TIMEOUT,
              onTimeout: () => new TransportError({ reason: "timeout", detail: `no answer from ${peer} through the relay` }),
            }),
          )
        }).pipe(Effect.ensuring(Effect.sync(() => pending.delete(id))))
      }),
    // A slow or restarting master answers with the last list it gave: "nobody" would read as a halt.
    peers: (appFilter, channel) => {
      const key = `${bytesToHex(appFilter)}/${channel}`
      return relay.ask(new ShardPeers({ appFilter, channel }), RELAY_ASK_TIMEOUT).pipe(
        Effect.tap((peers) => Effect.sync(() => lastPeers.set(key, peers))),
        Effect.orElseSucceed((): ReadonlyArray<string> => lastPeers.get(key) ?? []),
      )
    },
  }
}

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
      const pending: PendingRequests = new Map()
      yield* system.spawn(shardNetworkActor(core, registry, relay, pending)).pipe(Effect.orDie)
      const publish = yield* batchedPublisher(core, relay, RELAY_ASK_TIMEOUT)
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
        publish,
        ...shardRequester(core, relay, pending),
        activeShards: () => Array.from(registry.keys()),
      }
    }),
  )
