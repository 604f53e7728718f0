// The behaviour every Transport implementation owes the consensus (runtime/kernel/transport/transport.ts),
// as one suite run against the in-memory transport and the libp2p transport alike. Real clock.
import { describe, expect, test } from "bun:test"
import { Effect, Either, Exit, Logger, LogLevel, Scope } from "effect"
import { type InboundMessage, TransportError, type TransportService } from "../../../../runtime/kernel/transport/transport.ts"

interface ContractCluster {
  readonly endpoints: ReadonlyArray<TransportService>
  /** Resolves once every endpoint's publishes on `bitmask` reach every other subscribed endpoint. */
  readonly ready: (bitmask: Uint8Array) => Effect.Effect<void>
}

export type MakeCluster = (size: number) => Effect.Effect<ContractCluster, unknown, Scope.Scope>

const MASK = Uint8Array.of(0x00, 0x80)
const PROTOCOL = "/contract/echo/1"

const waitUntil = (check: () => boolean, timeoutMillis: number, what: string) =>
  Effect.gen(function* () {
    const deadline = Date.now() + timeoutMillis
    while (!check()) {
      if (Date.now() > deadline) return yield* Effect.die(new Error(`timed out waiting for ${what}`))
      yield* Effect.sleep(10)
    }
  })

const endpoint = (cluster: ContractCluster, index: number): TransportService => {
  const e = cluster.endpoints[index]
  if (e === undefined) throw new RangeError(`no endpoint ${index}`)
  return e
}

export const describeTransportContract = (name: string, makeCluster: MakeCluster, timeoutMillis = 15_000): void => {
  const run = (body: (cluster: ContractCluster) => Effect.Effect<void, unknown, Scope.Scope>, size = 3) =>
    Effect.runPromise(Effect.scoped(Effect.flatMap(makeCluster(size), body)).pipe(Logger.withMinimumLogLevel(LogLevel.Warning)))

  describe(`transport contract: ${name}`, () => {
    test(
      "publish reaches every other subscriber with the sender's peer id, never the sender itself",
      () =>
        run((cluster) =>
          Effect.gen(function* () {
            const inbox = cluster.endpoints.map(() => [] as Array<InboundMessage>)
            yield* Effect.forEach(cluster.endpoints, (e, i) => e.subscribe(MASK, (m) => inbox[i]?.push(m)), { discard: true })
            yield* cluster.ready(MASK)
            const a = endpoint(cluster, 0)
            const payload = Uint8Array.from({ length: 300 }, (_, i) => (i * 7) & 0xff)
            yield* a.publish(MASK, payload)
            yield* waitUntil(() => (inbox[1]?.length ?? 0) >= 1 && (inbox[2]?.length ?? 0) >= 1, 5_000, "deliveries")
            for (const i of [1, 2]) {
              const got = inbox[i]?.[0]
              expect(got?.from).toBe(a.peerId)
              expect([...(got?.bitmask ?? [])]).toEqual([...MASK])
              expect(Buffer.from(got?.data ?? []).equals(Buffer.from(payload))).toBe(true)
            }
            yield* Effect.sleep(100)
            expect(inbox[0]?.length).toBe(0)
            expect(inbox[1]?.length).toBe(1)
          }),
        ),
      timeoutMillis,
    )

    test(
      "a subscription ends with its scope",
      () =>
        run(
          (cluster) =>
            Effect.gen(function* () {
              const got: Array<InboundMessage> = []
              const scope = yield* Scope.make()
              yield* Scope.extend(
                endpoint(cluster, 1).subscribe(MASK, (m) => got.push(m)),
                scope,
              )
              yield* cluster.ready(MASK)
              yield* endpoint(cluster, 0).publish(MASK, Uint8Array.of(1))
              yield* waitUntil(() => got.length === 1, 5_000, "first delivery")
              yield* Scope.close(scope, Exit.void)
              yield* endpoint(cluster, 0).publish(MASK, Uint8Array.of(2))
              yield* Effect.sleep(300)
              expect(got.length).toBe(1)
            }),
          2,
        ),
      timeoutMillis,
    )

    test(
      "request/response: the handler sees the requester's peer id and its answer comes back",
      () =>
        run(
          (cluster) =>
            Effect.gen(function* () {
              const [a, b] = [endpoint(cluster, 0), endpoint(cluster, 1)]
              const seen: Array<string> = []
              const big = Uint8Array.from({ length: 200_000 }, (_, i) => (i * 13) & 0xff)
              yield* b.serve(PROTOCOL, (from, data) =>
                Effect.sync(() => {
                  seen.push(from)
                  return data.length === 1 && data[0] === 9 ? big : Uint8Array.from([...data].reverse())
                }),
              )
              const reply = yield* a.request(b.peerId, PROTOCOL, Uint8Array.of(1, 2, 3))
              expect([...reply]).toEqual([3, 2, 1])
              expect(seen).toEqual([a.peerId])
              const large = yield* a.request(b.peerId, PROTOCOL, Uint8Array.of(9))
              expect(Buffer.from(large).equals(Buffer.from(big))).toBe(true)
              expect(seen).toEqual([a.peerId, a.peerId])
            }),
          2,
        ),
      timeoutMillis,
    )

    test(
      "request failures are TransportErrors: no handler, a failing handler, an unknown peer",
      () =>
        run(
          (cluster) =>
            Effect.gen(function* () {
              const [a, b] = [endpoint(cluster, 0), endpoint(cluster, 1)]
              const noHandler = yield* Effect.either(a.request(b.peerId, "/contract/nobody/1", Uint8Array.of(1)))
              expect(Either.isLeft(noHandler) && noHandler.left.reason).toBe("no-handler")
              yield* b.serve(PROTOCOL, () => Effect.fail(new TransportError({ reason: "remote-error", detail: "boom" })))
              const failed = yield* Effect.either(a.request(b.peerId, PROTOCOL, Uint8Array.of(1)))
              expect(Either.isLeft(failed) && failed.left._tag).toBe("TransportError")
              expect(Either.isLeft(failed) && failed.left.reason).toBe("remote-error")
              const unknown = yield* Effect.either(a.request("no-such-peer", PROTOCOL, Uint8Array.of(1)))
              expect(Either.isLeft(unknown) && unknown.left.reason).toBe("unreachable")
            }),
          2,
        ),
      timeoutMillis,
    )

    test(
      "serving ends with its scope",
      () =>
        run(
          (cluster) =>
            Effect.gen(function* () {
              const [a, b] = [endpoint(cluster, 0), endpoint(cluster, 1)]
              const scope = yield* Scope.make()
              yield* Scope.extend(
                b.serve(PROTOCOL, (_from, data) => Effect.succeed(data)),
                scope,
              )
              expect([...(yield* a.request(b.peerId, PROTOCOL, Uint8Array.of(7)))]).toEqual([7])
              yield* Scope.close(scope, Exit.void)
              const after = yield* Effect.either(a.request(b.peerId, PROTOCOL, Uint8Array.of(7)))
              expect(Either.isLeft(after) && after.left.reason).toBe("no-handler")
            }),
          2,
        ),
      timeoutMillis,
    )

    test(
      "a request to itself reaches its own handler",
      () =>
        run(
          (cluster) =>
            Effect.gen(function* () {
              const a = endpoint(cluster, 0)
              yield* a.serve(PROTOCOL, (from, data) => Effect.succeed(Uint8Array.of(from === a.peerId ? 1 : 0, ...data)))
              expect([...(yield* a.request(a.peerId, PROTOCOL, Uint8Array.of(5)))]).toEqual([1, 5])
            }),
          1,
        ),
      timeoutMillis,
    )

    test(
      "peers lists every other endpoint, sorted, without itself",
      () =>
        run((cluster) =>
          Effect.gen(function* () {
            const ids = cluster.endpoints.map((e) => e.peerId)
            for (const e of cluster.endpoints) {
              const peers = yield* e.peers
              expect(peers).toEqual(ids.filter((id) => id !== e.peerId).sort())
            }
          }),
        ),
      timeoutMillis,
    )
  })
}
