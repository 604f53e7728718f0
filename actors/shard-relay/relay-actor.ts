// The master's shard relay (/root/shard-relay). It keeps the table shard → owning worker, subscribes
// a shard's four channels on the node's bitmask pubsub when a worker activates it, and relays:
// inbound messages go to the owner's shard-network actor (its verdict is the pubsub verdict, then the
// message is delivered), the owner's publishes go out through the host. A shard has one owner. When
// a worker's link closes (crash, restart), its shards are released; when the relay itself restarts,
// it tells the workers it knew to activate their shards again.
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect, Either, Exit, Option, Runtime, type Scope } from "effect"
import { Actor, type ActorRef } from "../../runtime/kernel/index.ts"
import type { RpcPeer } from "../../runtime/kernel/process/rpc.ts"
import { TransportError, type TransportService } from "../../runtime/kernel/transport/transport.ts"
import { shardChannels, type Bitmask } from "../../runtime/network/bitmask.ts"
import type { BitmaskMessage, BitmaskPubsub, Verdict } from "../../runtime/network/bitmask-pubsub.ts"
import { NetworkUnavailable, RelayPublishFailed, ShardNotActive, ShardOwnedByOtherWorker, ShardRequestFailed } from "./errors.ts"
import { countRelayed, countVerdict, relayedShardsGauge } from "./metrics.ts"
import { tickBatcher } from "./tick-batch.ts"
import { decodeShardRequest, encodeShardRequest, SHARD_REQUEST_PROTOCOL } from "./shard-request.ts"
import {
  DeliverShardMessages,
  MAX_SHARD_BATCH,
  Published,
  RelayReset,
  type RequestShard,
  ServeShardRequest,
  SHARD_CHANNELS,
  SHARD_RELAY_NAME,
  ShardRelayProtocol,
  ShardRequestAnswered,
  ValidateShardMessages,
  WorkerLinkClosed,
  type ShardChannel,
  type ShardMessage,
  type ShardNetworkMessage,
} from "./protocol.ts"

/** The pubsub operations the relay needs (BitmaskPubsub in the node, a fake in unit tests). */
export type RelayPubsub = Pick<BitmaskPubsub, "subscribe" | "publish" | "peersInBitmask">

/** Request/response on the node's host (the libp2p Transport in the node, a fake in unit tests). */
export type RelayRequests = Pick<TransportService, "request" | "serve">

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
  /** None without a libp2p host: workers' requests then fail as unreachable. */
  readonly requests: Option.Option<RelayRequests>
  readonly workers: RelayWorkers
  /** How long a worker may take to judge a message before the relay answers "ignore". */
  readonly validateTimeoutMillis?: number
  /** How long a worker may take to answer a peer's request on one of its shards. */
  readonly serveTimeoutMillis?: number
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

/** A message waiting in a validate batch, with the pubsub validator's promise to settle. */
interface PendingVerdict {
  readonly message: ShardMessage
  readonly resolve: (verdict: Verdict) => void
}

/** The worker did not answer (timeout, crash, a broken reply): every message of the batch is ignored. */
const settleUnanswered = (batch: ReadonlyArray<PendingVerdict>): void => {
  for (const pending of batch) {
    countVerdict("unanswered")
    pending.resolve("ignore")
  }
}

const setShardGauge = (state: RelayState) => Effect.sync(() => relayedShardsGauge.unsafeUpdate(state.shards.size, []))

export const shardRelayActor = (options: ShardRelayOptions) => {
  const validateTimeout = options.validateTimeoutMillis ?? 2_000
  // A worker's store answers a sync request in milliseconds; the host's own serve limit is 10 s.
  const serveTimeout = options.serveTimeoutMillis ?? 8_000

  /** Inbound SHARD_REQUEST_PROTOCOL: the envelope names the shard; its owner answers. */
  const serveShardRequest = (state: RelayState, from: string, bytes: Uint8Array) =>
    Effect.gen(function* () {
      const envelope = decodeShardRequest(bytes)
      if (Either.isLeft(envelope)) return yield* new TransportError({ reason: "remote-error", detail: envelope.left.detail })
      const { appFilter, protocol, data } = envelope.right
      const owner = state.shards.get(bytesToHex(appFilter))
      if (owner === undefined) return yield* new TransportError({ reason: "no-handler", detail: `shard ${bytesToHex(appFilter)} is not held here` })
      countRelayed("to_worker", "request")
      const worker = yield* options.workers
        .shardNetwork(owner.core)
        .pipe(Effect.mapError(() => new TransportError({ reason: "closed", detail: "worker unreachable" })))
      return yield* worker
        .ask(new ServeShardRequest({ appFilter, protocol, from, data }), serveTimeout)
        .pipe(
          Effect.mapError((e) =>
            e._tag === "ShardRequestFailed"
              ? new TransportError({ reason: e.reason, detail: e.detail })
              : new TransportError({ reason: "closed", detail: `worker ${owner.core}: ${e._tag}` }),
          ),
        )
    })

  /** Outbound: the request runs in its own fiber and the answer is told to the worker. */
  const requestForWorker = (state: RelayState, m: RequestShard) =>
    Effect.gen(function* () {
      const answer = (outcome: ShardRequestAnswered["outcome"]) =>
        options.workers.shardNetwork(m.core).pipe(
          Effect.flatMap((worker) => worker.tell(new ShardRequestAnswered({ id: m.id, outcome }))),
          Effect.ignore,
        )
      const hex = bytesToHex(m.appFilter)
      if (state.shards.get(hex)?.core !== m.core)
        return yield* answer(new ShardRequestFailed({ reason: "closed", detail: `shard ${hex} is not active on worker ${m.core}` }))
      if (Option.isNone(options.requests))
        return yield* answer(new ShardRequestFailed({ reason: "unreachable", detail: "the node runs without a libp2p host" }))
      const envelope = encodeShardRequest({ appFilter: m.appFilter, protocol: m.protocol, data: m.data })
      countRelayed("from_worker", "request")
      yield* options.requests.value.request(m.peer, SHARD_REQUEST_PROTOCOL, envelope).pipe(
        Effect.match({
          onFailure: (e) => new ShardRequestFailed({ reason: e.reason, detail: e.detail }),
          onSuccess: (data) => ({ _tag: "Answered" as const, data }),
        }),
        Effect.flatMap(answer),
        Effect.forkIn(state.scope),
      )
    })

  /** One publish of worker `core` on a shard it owns, from the node's host. */
  const publishFor = (state: RelayState, core: number, p: { readonly appFilter: Uint8Array; readonly channel: ShardChannel; readonly payload: Uint8Array }) =>
    Effect.gen(function* () {
      const hex = bytesToHex(p.appFilter)
      if (state.shards.get(hex)?.core !== core) return yield* new ShardNotActive({ appFilter: hex, core })
      if (Option.isNone(options.pubsub)) return yield* new NetworkUnavailable({ reason: "the node runs without a libp2p host" })
      const mask = shardChannels(p.appFilter)[p.channel]
      const sent = yield* options.pubsub.value
        .publish(mask, p.payload)
        .pipe(Effect.mapError((e) => new RelayPublishFailed({ appFilter: hex, reason: `${e._tag}: ${e.message}` })))
      countRelayed("from_worker", p.channel)
      return { recipients: sent.recipients }
    })

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

  /**
   * Subscribes one shard's four channels for `core`; returns the effect that unsubscribes them.
   * Messages go to the worker in batches (tick-batch.ts): those whose validation starts in one turn
   * of the event loop share one ValidateShardMessages ask, and those delivered in one turn share one
   * DeliverShardMessages tell. Each message still gets its own verdict, and deliveries keep their
   * order (both travel on the same link, in order).
   */
  const subscribeShard = (pubsub: RelayPubsub, state: RelayState, core: number, appFilter: Uint8Array) =>
    Effect.gen(function* () {
      const worker = yield* options.workers.shardNetwork(core).pipe(Effect.orDie)
      const runFork = Runtime.runFork(state.runtime)
      const askVerdicts = tickBatcher<PendingVerdict>(MAX_SHARD_BATCH, (batch) => {
        runFork(
          worker.ask(new ValidateShardMessages({ messages: batch.map((p) => p.message) }), validateTimeout).pipe(
            // One verdict per message, or the answer is not usable.
            Effect.filterOrDieMessage((verdicts) => verdicts.length === batch.length, "the worker answered a different number of verdicts"),
            Effect.matchCause({
              onSuccess: (verdicts) =>
                batch.forEach((pending, i) => {
                  const verdict = verdicts[i] ?? "ignore"
                  countVerdict(verdict)
                  pending.resolve(verdict)
                }),
              // Our worker failing to answer (or any defect on the way) is not the sender's fault: no penalty.
              onFailure: () => settleUnanswered(batch),
            }),
            // The node stopping mid-ask: the router still gets an answer for every message.
            Effect.onInterrupt(() => Effect.sync(() => settleUnanswered(batch))),
          ),
        )
      })
      const deliver = tickBatcher<ShardMessage>(MAX_SHARD_BATCH, (messages) => {
        worker.unsafeTell(new DeliverShardMessages({ messages }))
      })
      const releases: Array<Effect.Effect<void>> = []
      for (const [channel, mask] of channelMasks(appFilter)) {
        const fields = (m: BitmaskMessage): ShardMessage => ({ appFilter, channel, payload: m.payload, from: m.from })
        const validate = (m: BitmaskMessage): Promise<Verdict> => {
          countRelayed("to_worker", channel)
          return new Promise((resolve) => askVerdicts({ message: fields(m), resolve }))
        }
        const onMessage = (m: BitmaskMessage): void => deliver(fields(m))
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
        if (Option.isSome(options.requests)) yield* options.requests.value.serve(SHARD_REQUEST_PROTOCOL, (from, data) => serveShardRequest(state, from, data))
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
      PublishShard: (state, m) => Effect.map(publishFor(state, m.core, m), (sent) => [state, sent] as const),
      // Each publish of the batch in order, each with its own outcome (one failing stops none of the others).
      PublishShards: (state, m) =>
        Effect.forEach(m.publishes, (p) =>
          publishFor(state, m.core, p).pipe(Effect.match({ onFailure: (error) => error, onSuccess: (sent) => new Published({ recipients: sent.recipients }) })),
        ).pipe(Effect.map((outcomes) => [state, outcomes] as const)),
      RequestShard: (state, m) => Effect.as(requestForWorker(state, m), state),
      ShardPeers: (state, m) =>
        Effect.succeed([
          state,
          Option.match(options.pubsub, { onNone: () => [], onSome: (p) => p.peersInBitmask(shardChannels(m.appFilter)[m.channel]) }),
        ] as const),
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
