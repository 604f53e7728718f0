// The master's shard relay (/root/shard-relay). It keeps the table shard → owning worker, subscribes
// a shard's four channels on the node's bitmask pubsub when a worker activates it, and relays:
// inbound messages go to the owner's shard-network actor (its verdict is the pubsub verdict, then the
// message is delivered), the owner's publishes go out through the host. A shard has one owner. When
// a worker's link closes (crash, restart), its shards are released; when the relay itself restarts,
// it tells the workers it knew to activate their shards again.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect, Exit, Option, Runtime, type Scope } from "effect"
import { Actor, type ActorRef } from "../../runtime/kernel/index.ts"
import type { RpcPeer } from "../../runtime/kernel/process/rpc.ts"
import { shardChannels, type Bitmask } from "../../runtime/network/bitmask.ts"
import type { BitmaskMessage, BitmaskPubsub, Verdict } from "../../runtime/network/bitmask-pubsub.ts"
import { NetworkUnavailable, RelayPublishFailed, ShardNotActive, ShardOwnedByOtherWorker } from "./errors.ts"
import { countRelayed, countVerdict, relayedShardsGauge } from "./metrics.ts"
import {
  DeliverShardMessage,
  RelayReset,
  SHARD_CHANNELS,
  SHARD_RELAY_NAME,
  ShardRelayProtocol,
  ValidateShardMessage,
  WorkerLinkClosed,
  type ShardChannel,
  type ShardNetworkMessage,
} from "./protocol.ts"

/** The pubsub operations the relay needs (BitmaskPubsub in the node, a fake in unit tests). */
export type RelayPubsub = Pick<BitmaskPubsub, "subscribe" | "publish">

/** How the relay reaches the data workers (the WorkerPool in the node). */
interface RelayWorkers {
  /** The shard-network actor of worker `core`. */
  readonly shardNetwork: (core: number) => Effect.Effect<ActorRef<ShardNetworkMessage>, unknown>
  /** The link to worker `core`'s current process, if it is up (identifies the incarnation). */
  readonly livePeer: (core: number) => RpcPeer | undefined
}

export interface ShardRelayOptions {
  /** None when the node runs without a libp2p host: activation then fails with NetworkUnavailable. */
  readonly pubsub: Option.Option<RelayPubsub>
  readonly workers: RelayWorkers
  /** How long a worker may take to judge a message before the relay answers "ignore". */
  readonly validateTimeoutMillis?: number
}

interface ActiveShard {
  readonly core: number
  readonly release: Effect.Effect<void>
}

interface Incarnation {
  readonly peer: RpcPeer
  readonly id: number
}

interface RelayState {
  readonly shards: Map<string, ActiveShard>
  readonly incarnations: Map<number, Incarnation>
  /** cores this incarnation of the relay served, to reset them if it crashes */
  readonly served: Set<number>
  readonly runtime: Runtime.Runtime<never>
  readonly scope: Scope.Scope
  nextIncarnation: number
}

const channelMasks = (appFilter: Uint8Array): ReadonlyArray<readonly [ShardChannel, Bitmask]> => {
  const masks = shardChannels(appFilter)
  return SHARD_CHANNELS.map((channel) => [channel, masks[channel]] as const)
}

const setShardGauge = (state: RelayState) => Effect.sync(() => relayedShardsGauge.unsafeUpdate(state.shards.size, []))

export const shardRelayActor = (options: ShardRelayOptions) => {
  const validateTimeout = options.validateTimeoutMillis ?? 2_000

  const releaseShard = (state: RelayState, hex: string) =>
    Effect.suspend(() => {
      const active = state.shards.get(hex)
      if (active === undefined) return Effect.void
      state.shards.delete(hex)
      return active.release.pipe(Effect.zipRight(setShardGauge(state)))
    })

  const releaseCore = (state: RelayState, core: number) =>
    Effect.forEach(
      Array.from(state.shards.entries()).filter(([, a]) => a.core === core),
      ([hex]) => releaseShard(state, hex),
      { discard: true },
    )

  /** Subscribes one shard's four channels for `core`; returns the effect that unsubscribes them. */
  const subscribeShard = (pubsub: RelayPubsub, state: RelayState, core: number, appFilter: Uint8Array) =>
    Effect.gen(function* () {
      const worker = yield* options.workers.shardNetwork(core).pipe(Effect.orDie)
      const runPromise = Runtime.runPromise(state.runtime)
      const releases: Array<Effect.Effect<void>> = []
      for (const [channel, mask] of channelMasks(appFilter)) {
        const fields = (m: BitmaskMessage) => ({ appFilter, channel, payload: m.payload, from: m.from })
        const validate = (m: BitmaskMessage): Promise<Verdict> => {
          countRelayed("to_worker", channel)
          return runPromise(
            worker.ask(new ValidateShardMessage(fields(m)), validateTimeout).pipe(
              Effect.tap((verdict) => Effect.sync(() => countVerdict(verdict))),
              // Our worker failing to answer (or any defect on the way) is not the sender's fault: no penalty.
              Effect.catchAllCause(() => Effect.sync(() => (countVerdict("unanswered"), "ignore" as const))),
            ),
          )
        }
        const onMessage = (m: BitmaskMessage): void => {
          worker.unsafeTell(new DeliverShardMessage(fields(m)))
        }
        const unsubscribe = yield* pubsub.subscribe(mask, { validate, onMessage }).pipe(Effect.orDie)
        releases.push(unsubscribe)
      }
      return Effect.all(releases, { discard: true })
    })

  return Actor.make(SHARD_RELAY_NAME, ShardRelayProtocol, {
    init: () =>
      Effect.gen(function* () {
        const state: RelayState = {
          shards: new Map(),
          incarnations: new Map(),
          served: new Set(),
          runtime: yield* Effect.runtime<never>(),
          scope: yield* Effect.scope,
          nextIncarnation: 1,
        }
        yield* setShardGauge(state)
        return state
      }),
    handlers: {
      ActivateShard: (state, m, ctx) =>
        Effect.gen(function* () {
          if (Option.isNone(options.pubsub)) return yield* new NetworkUnavailable({ reason: "the node runs without a libp2p host" })
          const hex = bytesToHex(m.appFilter)
          // A new process of this worker: whatever its predecessor held is gone with it.
          const peer = options.workers.livePeer(m.core)
          if (peer !== undefined && state.incarnations.get(m.core)?.peer !== peer) {
            yield* releaseCore(state, m.core)
            const incarnation = { peer, id: state.nextIncarnation++ }
            state.incarnations.set(m.core, incarnation)
            const closed = new WorkerLinkClosed({ core: m.core, incarnation: incarnation.id })
            yield* peer.closed.pipe(Effect.zipRight(ctx.self.tell(closed)), Effect.forkIn(state.scope))
          }
          const owner = state.shards.get(hex)
          if (owner !== undefined) {
            if (owner.core !== m.core) return yield* new ShardOwnedByOtherWorker({ appFilter: hex, owner: owner.core })
            return [state, undefined] as const // already relayed to this worker
          }
          const release = yield* subscribeShard(options.pubsub.value, state, m.core, m.appFilter)
          state.shards.set(hex, { core: m.core, release })
          state.served.add(m.core)
          yield* setShardGauge(state)
          yield* Effect.logInfo("shard relayed to worker").pipe(Effect.annotateLogs({ core: m.core, appFilter: hex }))
          return [state, undefined] as const
        }),
      DeactivateShard: (state, m) =>
        Effect.gen(function* () {
          const hex = bytesToHex(m.appFilter)
          if (state.shards.get(hex)?.core !== m.core) return yield* new ShardNotActive({ appFilter: hex, core: m.core })
          yield* releaseShard(state, hex)
          yield* Effect.logInfo("shard no longer relayed").pipe(Effect.annotateLogs({ core: m.core, appFilter: hex }))
          return [state, undefined] as const
        }),
      PublishShard: (state, m) =>
        Effect.gen(function* () {
          const hex = bytesToHex(m.appFilter)
          if (state.shards.get(hex)?.core !== m.core) return yield* new ShardNotActive({ appFilter: hex, core: m.core })
          if (Option.isNone(options.pubsub)) return yield* new NetworkUnavailable({ reason: "the node runs without a libp2p host" })
          const mask = shardChannels(m.appFilter)[m.channel]
          const sent = yield* options.pubsub.value
            .publish(mask, m.payload)
            .pipe(Effect.mapError((e) => new RelayPublishFailed({ appFilter: hex, reason: `${e._tag}: ${e.message}` })))
          countRelayed("from_worker", m.channel)
          return [state, { recipients: sent.recipients }] as const
        }),
      ListRelayedShards: (state) => Effect.succeed([state, Array.from(state.shards.entries(), ([appFilter, a]) => ({ core: a.core, appFilter }))] as const),
      WorkerLinkClosed: (state, m) =>
        Effect.gen(function* () {
          if (state.incarnations.get(m.core)?.id !== m.incarnation) return state
          state.incarnations.delete(m.core)
          const before = state.shards.size
          yield* releaseCore(state, m.core)
          if (before > state.shards.size)
            yield* Effect.logInfo("worker link closed; its shards are no longer relayed").pipe(
              Effect.annotateLogs({ core: m.core, released: before - state.shards.size }),
            )
          return state
        }),
    },
    terminate: (state, exit) =>
      Option.match(state, {
        onNone: () => Effect.void,
        onSome: (s) =>
          Effect.gen(function* () {
            yield* Effect.forEach(Array.from(s.shards.keys()), (hex) => releaseShard(s, hex), { discard: true })
            // A crash loses the table, not the workers' shards: they activate them again.
            if (Exit.isFailure(exit))
              yield* Effect.forEach(
                s.served,
                (core) =>
                  options.workers.shardNetwork(core).pipe(
                    Effect.flatMap((ref) => ref.tell(new RelayReset())),
                    Effect.ignore,
                  ),
                { discard: true },
              )
          }),
      }),
  })
}
