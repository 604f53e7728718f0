// Limits and validation of the libp2p transport: sizes, per-peer rate, time, request guards and the
// pubsub validators (malformed frames rejected, counted and penalised).
import { describe, expect, test } from "bun:test"
import { Effect, Either, Logger, LogLevel, type Scope } from "effect"
import { globalConsensusTransportConfig, MAX_SYNC_RANGE } from "../../../actors/consensus/global/transport-rules.ts"
import type { RequestFailed } from "../../../runtime/network/errors.ts"
import type { Libp2pTransport } from "../../../runtime/network/libp2p-transport.ts"
import { encodeSyncRequest, GLOBAL_CONSENSUS_BITMASK, GLOBAL_SYNC_PROTOCOL } from "../../../actors/consensus/global/wire.ts"
import type { InboundMessage } from "../../../runtime/kernel/transport/transport.ts"
import { type Libp2pNode, pubsubReady, startCluster, testTransportConfig } from "./libp2p-cluster.ts"

const ECHO = "/limits/echo/1"
const run = (body: Effect.Effect<void, unknown, Scope.Scope>) => Effect.runPromise(Effect.scoped(body).pipe(Logger.withMinimumLogLevel(LogLevel.Warning)))

const node = (nodes: ReadonlyArray<Libp2pNode>, i: number): Libp2pNode => {
  const n = nodes[i]
  if (n === undefined) throw new RangeError(`no node ${i}`)
  return n
}

const reasonOf = (result: Either.Either<Uint8Array, RequestFailed>): string | undefined => (Either.isLeft(result) ? result.left.reason : undefined)

const echo = (t: Libp2pTransport) => t.serve(ECHO, (_from, data) => Effect.succeed(data))

describe("libp2p transport limits", () => {
  test("an oversize request is refused by the server, and by the client before sending", () =>
    run(
      Effect.gen(function* () {
        // The client allows 8 KiB, the server only 1 KiB: the server's limit is what protects it.
        const nodes = yield* startCluster(2, (i) => testTransportConfig({ maxRequestBytes: i === 0 ? 8 * 1024 : 1024 }))
        const [client, server] = [node(nodes, 0).transport, node(nodes, 1).transport]
        yield* echo(server)
        expect((yield* client.requestTyped(server.peerId, ECHO, new Uint8Array(1024))).length).toBe(1024)
        expect(reasonOf(yield* Effect.either(client.requestTyped(server.peerId, ECHO, new Uint8Array(1025))))).toBe("request-too-large")
        expect(server.stats().refusedTooLarge).toBe(1)
        expect(reasonOf(yield* Effect.either(client.requestTyped(server.peerId, ECHO, new Uint8Array(8 * 1024 + 1))))).toBe("request-too-large")
        expect(server.stats().refusedTooLarge).toBe(1) // never left the client
        // Through the Transport interface the precise reason stays in the detail.
        const coarse = yield* Effect.either(client.request(server.peerId, ECHO, new Uint8Array(2000)))
        expect(Either.isLeft(coarse) && coarse.left.reason).toBe("remote-error")
        expect(Either.isLeft(coarse) && coarse.left.detail.startsWith("request-too-large")).toBe(true)
      }),
    ))

  test("an oversize response is refused by the client", () =>
    run(
      Effect.gen(function* () {
        const nodes = yield* startCluster(2, (i) => testTransportConfig({ maxResponseBytes: i === 0 ? 4096 : 1024 * 1024 }))
        const [client, server] = [node(nodes, 0).transport, node(nodes, 1).transport]
        yield* server.serve(ECHO, (_from, data) => Effect.succeed(new Uint8Array(data[0] === 1 ? 4096 : 4097)))
        expect((yield* client.requestTyped(server.peerId, ECHO, Uint8Array.of(1))).length).toBe(4096)
        expect(reasonOf(yield* Effect.either(client.requestTyped(server.peerId, ECHO, Uint8Array.of(2))))).toBe("response-too-large")
      }),
    ))

  test("a peer over its request rate is refused; other peers are still served", () =>
    run(
      Effect.gen(function* () {
        const nodes = yield* startCluster(3, (i) => testTransportConfig(i === 0 ? { inboundRate: { capacity: 3, refillPerSecond: 0.01, maxPeers: 16 } } : {}))
        const [server, greedy, polite] = [node(nodes, 0).transport, node(nodes, 1).transport, node(nodes, 2).transport]
        yield* echo(server)
        const results = yield* Effect.forEach([1, 2, 3, 4, 5], (i) => Effect.either(greedy.requestTyped(server.peerId, ECHO, Uint8Array.of(i))))
        expect(results.map(reasonOf)).toEqual([undefined, undefined, undefined, "rate-limited", "rate-limited"])
        expect(server.stats().refusedRateLimited).toBe(2)
        expect([...(yield* polite.requestTyped(server.peerId, ECHO, Uint8Array.of(9)))]).toEqual([9])
      }),
    ))

  test("a slow handler: the client gives up at its timeout, the server at its own", () =>
    run(
      Effect.gen(function* () {
        const nodes = yield* startCluster(3, (i) =>
          testTransportConfig(i === 0 ? { serveTimeoutMillis: 400 } : i === 1 ? { requestTimeoutMillis: 200 } : { requestTimeoutMillis: 5_000 }),
        )
        const [server, impatient, patient] = [node(nodes, 0).transport, node(nodes, 1).transport, node(nodes, 2).transport]
        yield* server.serve(ECHO, (_from, data) => Effect.as(Effect.sleep(data[0] === 0 ? 0 : 2_000), data))
        // The client's own timeout (its detail names its 200 ms), not the server's 400 ms answer.
        const clientSide = yield* Effect.either(impatient.requestTyped(server.peerId, ECHO, Uint8Array.of(1)))
        expect(reasonOf(clientSide)).toBe("timeout")
        expect(Either.isLeft(clientSide) && clientSide.left.detail).toBe("no response within 200 ms")
        const serverSide = yield* Effect.either(patient.requestTyped(server.peerId, ECHO, Uint8Array.of(1)))
        expect(reasonOf(serverSide)).toBe("timeout")
        expect(Either.isLeft(serverSide) && serverSide.left.detail).toContain("handler took longer")
        expect(server.stats().serveTimeouts).toBeGreaterThanOrEqual(1)
        // The server is fine afterwards.
        expect([...(yield* patient.requestTyped(server.peerId, ECHO, Uint8Array.of(0)))]).toEqual([0])
        const coarse = yield* Effect.either(impatient.request(server.peerId, ECHO, Uint8Array.of(1)))
        expect(Either.isLeft(coarse) && coarse.left.reason).toBe("timeout")
      }),
    ))

  test("the sync guard refuses malformed requests and ranges over the limit before the handler runs", () =>
    run(
      Effect.gen(function* () {
        const nodes = yield* startCluster(2, () => globalConsensusTransportConfig(testTransportConfig()))
        const [client, server] = [node(nodes, 0).transport, node(nodes, 1).transport]
        let calls = 0
        yield* server.serve(GLOBAL_SYNC_PROTOCOL, () => Effect.sync(() => (calls++, Uint8Array.of(42))))
        const ok = yield* client.requestTyped(server.peerId, GLOBAL_SYNC_PROTOCOL, encodeSyncRequest({ fromFrameNumber: 1n, limit: MAX_SYNC_RANGE }))
        expect([...ok]).toEqual([42])
        const tooWide = yield* Effect.either(
          client.requestTyped(server.peerId, GLOBAL_SYNC_PROTOCOL, encodeSyncRequest({ fromFrameNumber: 1n, limit: MAX_SYNC_RANGE + 1 })),
        )
        expect(reasonOf(tooWide)).toBe("bad-request")
        expect(Either.isLeft(tooWide) && tooWide.left.detail).toContain("exceeds")
        expect(reasonOf(yield* Effect.either(client.requestTyped(server.peerId, GLOBAL_SYNC_PROTOCOL, Uint8Array.of(1, 2, 3))))).toBe("bad-request")
        expect(calls).toBe(1)
        expect(server.stats().refusedBadRequest).toBe(2)
      }),
    ))

  test("malformed consensus frames are rejected at the pubsub layer, counted and penalised; valid-looking ones pass", () =>
    run(
      Effect.gen(function* () {
        const TEST_MASK = Uint8Array.of(0x00, 0x40)
        const nodes = yield* startCluster(2, () =>
          globalConsensusTransportConfig(
            testTransportConfig({ validators: [{ bitmask: TEST_MASK, validate: (p) => (p[0] === 0xff ? "reject" : p[0] === 0xfe ? "ignore" : "accept") }] }),
          ),
        )
        const [sender, receiver] = [node(nodes, 0), node(nodes, 1)]
        const consensus: Array<InboundMessage> = []
        const test: Array<InboundMessage> = []
        yield* receiver.transport.subscribe(GLOBAL_CONSENSUS_BITMASK, (m) => consensus.push(m))
        yield* receiver.transport.subscribe(TEST_MASK, (m) => test.push(m))
        yield* pubsubReady(nodes, GLOBAL_CONSENSUS_BITMASK)
        yield* pubsubReady(nodes, TEST_MASK)
        // Not a consensus message (unknown type prefix), and a truncated one.
        yield* sender.transport.publish(GLOBAL_CONSENSUS_BITMASK, Uint8Array.of(0xde, 0xad, 0xbe, 0xef, 1, 2, 3))
        yield* sender.transport.publish(GLOBAL_CONSENSUS_BITMASK, Uint8Array.of(1))
        yield* sender.transport.publish(TEST_MASK, Uint8Array.of(0xff, 1))
        yield* sender.transport.publish(TEST_MASK, Uint8Array.of(0xfe, 2))
        yield* sender.transport.publish(TEST_MASK, Uint8Array.of(0x01, 3))
        const deadline = Date.now() + 5_000
        while ((test.length < 1 || receiver.transport.stats().rejected < 3) && Date.now() < deadline) yield* Effect.sleep(20)
        expect(test.map((m) => [...m.data])).toEqual([[0x01, 3]])
        expect(consensus).toEqual([])
        const stats = receiver.transport.stats()
        expect(stats.rejected).toBe(3)
        expect(stats.ignored).toBe(1)
        expect(stats.delivered).toBe(1)
        // Scores are recomputed on the router's heartbeat.
        const scoreDeadline = Date.now() + 3_000
        while (receiver.host.pubsub.score(sender.host.peerId) >= 0 && Date.now() < scoreDeadline) yield* Effect.sleep(20)
        expect(receiver.host.pubsub.score(sender.host.peerId)).toBeLessThan(0)
      }),
    ))
})
