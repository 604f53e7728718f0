// The relay's table and lifecycle rules, in one process: the master's relay actor and a worker's
// shard-network actor in the same actor system, over a fake pubsub and fake worker links.
import { bytesToHex } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import { Deferred, Effect, Either, Logger, LogLevel, Option } from "effect"
import { shardChannels } from "../../../../runtime/network/bitmask.ts"
import {
  ActivateShard,
  DeactivateShard,
  ListRelayedShards,
  MAX_SHARD_BATCH,
  PublishShard,
  shardNetworkActor,
  shardRelayActor,
  ValidateShardMessages,
  type PendingRequests,
  type RelayPubsub,
  type RelayRequests,
  shardRequester,
  type ShardHandler,
  type ShardNetworkMessage,
  type ShardRelayMessage,
} from "../../../../actors/shard-relay/index.ts"
import { ActorSystem, type ActorRef } from "../../../../runtime/kernel/index.ts"
import type { RpcPeer } from "../../../../runtime/kernel/process/rpc.ts"
import { type RequestHandler, TransportError } from "../../../../runtime/kernel/transport/transport.ts"
import type { WorkerCrashed } from "../../../../runtime/kernel/process/errors.ts"
import { FakePubsub } from "../../support/fake-pubsub.ts"
import { batchedPublisher } from "../../../../actors/shard-relay/shard-publisher.ts"

const FILTER = Uint8Array.from({ length: 32 }, (_, i) => i + 1)
const OTHER = Uint8Array.from({ length: 32 }, (_, i) => 255 - i)

/** A worker link whose `closed` completes when `crash()` is called. */
const fakeLink = Effect.map(Deferred.make<WorkerCrashed>(), (closed) => ({
  peer: { closed: Deferred.await(closed) } as unknown as RpcPeer,
  crash: Deferred.succeed(closed, {} as WorkerCrashed),
}))

/** Request/response between fake hosts: each relay serves on its own name. */
class FakeHosts {
  readonly handlers = new Map<string, RequestHandler>()
  host(name: string): RelayRequests {
    return {
      request: (peer, protocol, data) =>
        Effect.suspend(() => {
          const handler = this.handlers.get(`${peer} ${protocol}`)
          return handler === undefined ? Effect.fail(new TransportError({ reason: "unreachable", detail: peer })) : handler(name, data)
        }),
      serve: (protocol, handler) =>
        Effect.acquireRelease(
          Effect.sync(() => void this.handlers.set(`${name} ${protocol}`, handler)),
          () => Effect.sync(() => void this.handlers.delete(`${name} ${protocol}`)),
        ),
    }
  }
}

const setup = (pubsub: Option.Option<RelayPubsub>, requests: Option.Option<RelayRequests> = Option.none(), relayName = "shard-relay") =>
  Effect.gen(function* () {
    const system = yield* ActorSystem.ActorSystem
    const links = new Map<number, RpcPeer>()
    const workers = new Map<number, ActorRef<ShardNetworkMessage>>()
    const relay: ActorRef<ShardRelayMessage> = yield* system.spawn({
      ...shardRelayActor({
        pubsub,
        requests,
        workers: {
          shardNetwork: (core) => Option.match(Option.fromNullable(workers.get(core)), { onNone: () => Effect.fail("no worker"), onSome: Effect.succeed }),
          livePeer: (core) => links.get(core),
        },
        validateTimeoutMillis: 500,
      }),
      name: relayName,
    })
    const delivered: Array<{ core: number; payload: string }> = []
    /** A worker: its shard-network actor (as spawned in the worker) and its registry of handlers. */
    const addWorker = (core: number) =>
      Effect.gen(function* () {
        const registry = new Map<string, { appFilter: Uint8Array; handler: ShardHandler }>()
        const pending: PendingRequests = new Map()
        const ref = yield* system.spawn({ ...shardNetworkActor(core, registry, relay, pending), name: `${relayName}-shard-network-${core}` })
        workers.set(core, ref)
        const link = yield* fakeLink
        links.set(core, link.peer)
        const activate = (filter: Uint8Array) =>
          Effect.gen(function* () {
            registry.set(bytesToHex(filter), {
              appFilter: filter,
              handler: {
                validate: (m) => Effect.succeed(m.payload[0] === 0xff ? "reject" : "accept"),
                onMessage: (m) => Effect.sync(() => void delivered.push({ core, payload: Buffer.from(m.payload).toString() })),
              },
            })
            return yield* relay.ask(new ActivateShard({ core, appFilter: filter }))
          })
        return { ref, link, activate, registry, ...shardRequester(core, relay, pending) }
      })
    return { system, relay, addWorker, delivered, links }
  })

const list = (relay: ActorRef<ShardRelayMessage>) => relay.ask(new ListRelayedShards())
const waitUntil = (check: () => boolean) =>
  Effect.gen(function* () {
    for (let i = 0; i < 200 && !check(); i++) yield* Effect.sleep("10 millis")
    expect(check()).toBe(true)
  })
const runTest = <A, E>(effect: Effect.Effect<A, E, ActorSystem.ActorSystem>) =>
  Effect.runPromise(Effect.scoped(effect.pipe(Effect.provide(ActorSystem.layer({ rootName: "root" })))).pipe(Logger.withMinimumLogLevel(LogLevel.Error)))

describe("shard relay actor", () => {
  test("activating subscribes the shard's four channels; messages are validated by the owner, then delivered", () =>
    runTest(
      Effect.gen(function* () {
        const pubsub = new FakePubsub(3)
        const { relay, addWorker, delivered } = yield* setup(Option.some(pubsub))
        const w1 = yield* addWorker(1)
        yield* w1.activate(FILTER)
        const masks = Object.values(shardChannels(FILTER)).map(bytesToHex).sort()
        expect(Array.from(pubsub.subs.keys()).sort()).toEqual(masks)
        expect(yield* list(relay)).toEqual([{ core: 1, appFilter: bytesToHex(FILTER) }])
        const channels = shardChannels(FILTER)
        expect(yield* Effect.promise(() => pubsub.arrive(channels.consensus, new TextEncoder().encode("vote")))).toBe("accept")
        expect(yield* Effect.promise(() => pubsub.arrive(channels.frames, Uint8Array.of(0xff)))).toBe("reject")
        yield* waitUntil(() => delivered.length === 1)
        expect(delivered).toEqual([{ core: 1, payload: "vote" }])
        // activating again is idempotent for the owner
        yield* w1.activate(FILTER)
        expect(pubsub.subs.size).toBe(4)
      }),
    ))

  test("a burst of messages travels in batches: each gets its own verdict, accepted ones are delivered in order", () =>
    runTest(
      Effect.gen(function* () {
        const pubsub = new FakePubsub(3)
        const { addWorker, delivered } = yield* setup(Option.some(pubsub))
        const w1 = yield* addWorker(1)
        yield* w1.activate(FILTER)
        const channels = shardChannels(FILTER)
        // More than one batch's worth, arriving in the same turn; every third one is rejected.
        const payloads = Array.from({ length: MAX_SHARD_BATCH + 40 }, (_, i) =>
          i % 3 === 2 ? Uint8Array.of(0xff, i & 0xff) : new TextEncoder().encode(`m${i}`),
        )
        const verdicts = yield* Effect.promise(() => Promise.all(payloads.map((p) => pubsub.arrive(channels.consensus, p))))
        expect(verdicts).toEqual(payloads.map((_, i) => (i % 3 === 2 ? "reject" : "accept")))
        const accepted = payloads.flatMap((_, i) => (i % 3 === 2 ? [] : [{ core: 1, payload: `m${i}` }]))
        yield* waitUntil(() => delivered.length === accepted.length)
        expect(delivered).toEqual(accepted)
      }),
    ))

  test("a worker's publishes in one turn travel as one batch; each caller gets its own outcome, in order", () =>
    runTest(
      Effect.gen(function* () {
        const pubsub = new FakePubsub(3)
        const { relay, addWorker } = yield* setup(Option.some(pubsub))
        const w1 = yield* addWorker(1)
        yield* w1.activate(FILTER)
        const publish = yield* batchedPublisher(1, relay, "2 seconds")
        const payloads = Array.from({ length: MAX_SHARD_BATCH + 10 }, (_, i) => Uint8Array.of(i & 0xff, i >> 8))
        const outcomes = yield* Effect.all(
          payloads.map((payload, i) => Effect.either(publish(i === 5 ? OTHER : FILTER, "dispatch", payload))),
          { concurrency: "unbounded" },
        )
        outcomes.forEach((outcome, i) => {
          if (i === 5) expect(Either.isLeft(outcome) && outcome.left._tag).toBe("ShardNotActive")
          else expect(outcome).toEqual(Either.right({ recipients: 3 }))
        })
        expect(pubsub.on(shardChannels(FILTER).dispatch)).toEqual(payloads.filter((_, i) => i !== 5))
        pubsub.failPublish = "error"
        const failed = yield* Effect.flip(publish(FILTER, "dispatch", Uint8Array.of(1)))
        expect(failed._tag).toBe("RelayPublishFailed")
      }),
    ))

  test("one owner per shard; deactivation and publishing need ownership", () =>
    runTest(
      Effect.gen(function* () {
        const pubsub = new FakePubsub(3)
        const { relay, addWorker } = yield* setup(Option.some(pubsub))
        const w1 = yield* addWorker(1)
        const w2 = yield* addWorker(2)
        yield* w1.activate(FILTER)
        const taken = yield* Effect.flip(w2.activate(FILTER))
        expect(taken._tag).toBe("ShardOwnedByOtherWorker")
        const notMine = yield* Effect.flip(relay.ask(new PublishShard({ core: 2, appFilter: FILTER, channel: "frames", payload: Uint8Array.of(1) })))
        expect(notMine._tag).toBe("ShardNotActive")
        const notMineToLeave = yield* Effect.flip(relay.ask(new DeactivateShard({ core: 2, appFilter: FILTER })))
        expect(notMineToLeave._tag).toBe("ShardNotActive")
        const sent = yield* relay.ask(new PublishShard({ core: 1, appFilter: FILTER, channel: "prover", payload: Uint8Array.of(7) }))
        expect(sent.recipients).toBe(3)
        expect(pubsub.published).toEqual([{ mask: bytesToHex(shardChannels(FILTER).prover), payload: Uint8Array.of(7) }])
        pubsub.failPublish = "error"
        const failed = yield* Effect.flip(relay.ask(new PublishShard({ core: 1, appFilter: FILTER, channel: "prover", payload: Uint8Array.of(8) })))
        expect(failed._tag).toBe("RelayPublishFailed")
        yield* relay.ask(new DeactivateShard({ core: 1, appFilter: FILTER }))
        expect(pubsub.subs.size).toBe(0)
        // now free for another worker
        yield* w2.activate(FILTER)
        expect(yield* list(relay)).toEqual([{ core: 2, appFilter: bytesToHex(FILTER) }])
      }),
    ))

  test("a closed worker link releases that worker's shards only", () =>
    runTest(
      Effect.gen(function* () {
        const pubsub = new FakePubsub(3)
        const { relay, addWorker } = yield* setup(Option.some(pubsub))
        const w1 = yield* addWorker(1)
        const w2 = yield* addWorker(2)
        yield* w1.activate(FILTER)
        yield* w2.activate(OTHER)
        expect(pubsub.subs.size).toBe(8)
        yield* w1.link.crash
        yield* waitUntil(() => pubsub.subs.size === 4)
        expect(yield* list(relay)).toEqual([{ core: 2, appFilter: bytesToHex(OTHER) }])
      }),
    ))

  test("a new process of the same worker replaces what its predecessor held", () =>
    runTest(
      Effect.gen(function* () {
        const pubsub = new FakePubsub(3)
        const { relay, addWorker, links } = yield* setup(Option.some(pubsub))
        const w1 = yield* addWorker(1)
        yield* w1.activate(FILTER)
        yield* w1.activate(OTHER)
        // the worker restarted (new link) before the old link's close was seen; it activates one shard
        const next = yield* fakeLink
        links.set(1, next.peer)
        yield* w1.activate(OTHER)
        expect(yield* list(relay)).toEqual([{ core: 1, appFilter: bytesToHex(OTHER) }])
        // the old link's late close must not release what the new process holds
        yield* w1.link.crash
        yield* Effect.sleep("50 millis")
        expect(yield* list(relay)).toEqual([{ core: 1, appFilter: bytesToHex(OTHER) }])
        expect(pubsub.subs.size).toBe(4)
      }),
    ))

  test("after the relay crashes, the workers activate their shards again", () =>
    runTest(
      Effect.gen(function* () {
        const pubsub = new FakePubsub(3)
        const { relay, addWorker } = yield* setup(Option.some(pubsub))
        const w1 = yield* addWorker(1)
        yield* w1.activate(FILTER)
        pubsub.failPublish = "defect"
        const crashed = yield* Effect.flip(relay.ask(new PublishShard({ core: 1, appFilter: FILTER, channel: "frames", payload: Uint8Array.of(1) })))
        expect(crashed._tag).toBe("ActorRestarted")
        pubsub.failPublish = "no"
        // the crashed incarnation released its subscriptions; the worker's RelayReset re-activates
        yield* Effect.iterate(0, {
          while: (i) => i < 200,
          body: (i) => Effect.map(list(relay), (l) => (l.length === 1 ? 200 : i + 1)).pipe(Effect.tap(() => Effect.sleep("10 millis"))),
        })
        expect(yield* list(relay)).toEqual([{ core: 1, appFilter: bytesToHex(FILTER) }])
        expect(pubsub.subs.size).toBe(4)
      }),
    ))

  test("without a libp2p host activation fails with NetworkUnavailable and nothing changes", () =>
    runTest(
      Effect.gen(function* () {
        const { relay, addWorker } = yield* setup(Option.none())
        const w1 = yield* addWorker(1)
        const refused = yield* Effect.flip(w1.activate(FILTER))
        expect(refused._tag).toBe("NetworkUnavailable")
        expect(yield* list(relay)).toEqual([])
      }),
    ))

  test("the worker side ignores messages for shards it no longer holds and survives a failing validator", () =>
    runTest(
      Effect.gen(function* () {
        const pubsub = new FakePubsub(3)
        const { addWorker } = yield* setup(Option.some(pubsub))
        const w1 = yield* addWorker(1)
        const message = { appFilter: FILTER, channel: "frames" as const, payload: Uint8Array.of(1), from: "p" }
        const verdicts = (messages: ReadonlyArray<typeof message>) => w1.ref.ask(new ValidateShardMessages({ messages }))
        expect(yield* verdicts([message])).toEqual(["ignore"])
        w1.registry.set(bytesToHex(FILTER), { appFilter: FILTER, handler: { validate: () => Effect.die("boom"), onMessage: () => Effect.void } })
        expect(yield* verdicts([message])).toEqual(["ignore"])
        w1.registry.set(bytesToHex(FILTER), { appFilter: FILTER, handler: { onMessage: () => Effect.void } })
        expect(yield* verdicts([message])).toEqual(["accept"])
        // A batch gets one verdict per message, in order: the validator judges each on its own.
        w1.registry.set(bytesToHex(FILTER), {
          appFilter: FILTER,
          handler: {
            validate: (m) => Effect.succeed(m.payload[0] === 0xff ? "reject" : m.payload[0] === 0 ? "ignore" : "accept"),
            onMessage: () => Effect.void,
          },
        })
        const batch = [1, 0xff, 0, 2].map((b) => ({ ...message, payload: Uint8Array.of(b) }))
        expect(yield* verdicts([...batch, { ...message, appFilter: OTHER }])).toEqual(["accept", "reject", "ignore", "accept", "ignore"])
      }),
    ))

  test("a worker's request travels through its relay and the peer's relay to the worker holding the shard, and back", () =>
    runTest(
      Effect.gen(function* () {
        const hosts = new FakeHosts()
        const nodeA = yield* setup(Option.some(new FakePubsub(3)), Option.some(hosts.host("node-a")), "relay-a")
        const nodeB = yield* setup(Option.some(new FakePubsub(3)), Option.some(hosts.host("node-b")), "relay-b")
        const a1 = yield* nodeA.addWorker(1)
        const b2 = yield* nodeB.addWorker(2)
        yield* a1.activate(FILTER)
        yield* b2.activate(FILTER)
        const seen: Array<string> = []
        b2.registry.set(bytesToHex(FILTER), {
          appFilter: FILTER,
          handler: {
            onMessage: () => Effect.void,
            serve: (protocol, from, data) =>
              Effect.sync(() => {
                seen.push(`${protocol} from ${from}`)
                return Uint8Array.from([...data].reverse())
              }),
          },
        })
        expect(yield* a1.request(FILTER, "node-b", "/test/sync/1", Uint8Array.of(1, 2, 3))).toEqual(Uint8Array.of(3, 2, 1))
        expect(seen).toEqual(["/test/sync/1 from node-a"])
        // A shard the peer does not hold, a peer nobody serves as, a shard this worker never activated.
        const absent = yield* Effect.flip(a1.request(OTHER, "node-b", "/test/sync/1", Uint8Array.of(1)))
        expect(absent.reason).toBe("closed") // OTHER is not active on worker 1
        yield* a1.activate(OTHER)
        expect((yield* Effect.flip(a1.request(OTHER, "node-b", "/test/sync/1", Uint8Array.of(1)))).reason).toBe("no-handler")
        expect((yield* Effect.flip(a1.request(FILTER, "node-z", "/test/sync/1", Uint8Array.of(1)))).reason).toBe("unreachable")
        // The handler's own failure reaches the requester with its reason.
        b2.registry.set(bytesToHex(FILTER), {
          appFilter: FILTER,
          handler: { onMessage: () => Effect.void, serve: () => Effect.fail(new TransportError({ reason: "remote-error", detail: "bad range" })) },
        })
        const refused = yield* Effect.flip(a1.request(FILTER, "node-b", "/test/sync/1", Uint8Array.of(1)))
        expect([refused.reason, refused.detail]).toEqual(["remote-error", "bad range"])
        // Shard peers come from the host's pubsub subscription of that channel.
        expect(yield* a1.peers(FILTER, "consensus")).toEqual(["peer-b", "peer-c"])
      }),
    ))

  test("without a host a worker's request fails as unreachable, and there are no shard peers", () =>
    runTest(
      Effect.gen(function* () {
        const pubsub = new FakePubsub(3)
        const { addWorker } = yield* setup(Option.some(pubsub))
        const w1 = yield* addWorker(1)
        yield* w1.activate(FILTER)
        expect((yield* Effect.flip(w1.request(FILTER, "node-b", "/p", Uint8Array.of(1)))).reason).toBe("unreachable")
        const { addWorker: addOffline } = yield* setup(Option.none(), Option.none(), "offline-relay")
        const w2 = yield* addOffline(2)
        expect(yield* w2.peers(FILTER, "consensus")).toEqual([])
      }),
    ))
})
