// Every peer vanishing during a shutdown that is asked for twice: four hosts with requests and
// publishes in flight stop at once, each stop requested twice 10 ms apart. Whatever libp2p aborts
// (dials, streams, pending reads) must end inside the host, never as an unhandled rejection.
import { afterAll, beforeAll, expect, test } from "bun:test"
import { Effect, Exit, Fiber, Logger, LogLevel, Scope } from "effect"
import { makeP2PHost } from "../../../runtime/network/host.ts"
import { protocolId } from "../../../runtime/network/protocol-ids.ts"
import { connectAll, type Libp2pNode, startLibp2pNode, testTransportConfig } from "./libp2p-cluster.ts"
import { TEST_NETWORK, testHostConfig } from "./helpers.ts"

const ECHO = protocolId(TEST_NETWORK, "shutdown-echo", "1.0.0")
const MASK = Uint8Array.of(0x08)
const NODES = 4

const unhandled: Array<unknown> = []
const onUnhandled = (reason: unknown): void => {
  unhandled.push(reason)
}
beforeAll(() => {
  process.on("unhandledRejection", onUnhandled)
  process.on("uncaughtException", onUnhandled)
})
afterAll(() => {
  process.off("unhandledRejection", onUnhandled)
  process.off("uncaughtException", onUnhandled)
})

const describeReason = (reason: unknown): string => (reason instanceof Error ? `${reason.name}: ${reason.message}` : String(reason))

test("four hosts stopped at once, each twice 10 ms apart, with traffic in flight: no unhandled rejection", async () => {
  for (let round = 0; round < 3; round++) {
    const scopes = Array.from({ length: NODES }, () => Effect.runSync(Scope.make()))
    const nodes: ReadonlyArray<Libp2pNode> = await Promise.all(
      scopes.map((scope) => Effect.runPromise(startLibp2pNode(testTransportConfig({ requestTimeoutMillis: 2_000 })).pipe(Scope.extend(scope)))),
    )
    await Effect.runPromise(connectAll(nodes))
    for (const [i, node] of nodes.entries()) {
      const scope = scopes[i] ?? Effect.runSync(Scope.make())
      // a slow handler keeps streams open across the stop
      await Effect.runPromise(node.transport.serve(ECHO, (_from, data) => Effect.as(Effect.sleep("200 millis"), data)).pipe(Scope.extend(scope)))
      await Effect.runPromise(node.host.pubsub.subscribe(MASK, { onMessage: () => undefined }))
    }
    // Everyone asks everyone, and publishes, without pause.
    const traffic = nodes.flatMap((from) =>
      nodes
        .filter((to) => to !== from)
        .map((to) =>
          Effect.runFork(
            Effect.forever(
              Effect.all([
                Effect.ignore(from.transport.requestTyped(to.host.peerId, ECHO, Uint8Array.of(1))),
                Effect.ignore(from.host.pubsub.publish(MASK, Uint8Array.of(2, round))),
                // paced: once the hosts are gone every request fails at once
                Effect.sleep("20 millis"),
              ]),
            ),
          ),
        ),
    )
    await Bun.sleep(300)
    const closes = scopes.map((scope) => Effect.runPromise(Scope.close(scope, Exit.void)))
    await Bun.sleep(10)
    const again = scopes.map((scope) => Effect.runPromise(Scope.close(scope, Exit.void)))
    await Promise.all([...closes, ...again, Effect.runPromise(Effect.forEach(traffic, Fiber.interrupt))])
    // Rejections are reported after the microtask queue drains; give the loop a few turns.
    for (let i = 0; i < 20; i++) await Bun.sleep(10)
  }
  expect(unhandled.map(describeReason)).toEqual([])
}, 60_000)

test("libp2p's stop rejecting with an AbortError (a dial cut short) ends the host's scope cleanly, logged at debug", async () => {
  // A scope's finalizers run with the logger in place when they were added: provide it at start.
  const logged: Array<string> = []
  const capture = Logger.make(({ logLevel, message }) => void logged.push(`${logLevel.label} ${String(message)}`))
  const scope = Effect.runSync(Scope.make())
  const host = await Effect.runPromise(
    makeP2PHost(testHostConfig()).pipe(
      Scope.extend(scope),
      Effect.provide(Logger.replace(Logger.defaultLogger, capture)),
      Logger.withMinimumLogLevel(LogLevel.Debug),
    ),
  )
  // What libp2p's stop does when a component's stop meets in-flight work it aborts: it rejects.
  const libp2p = host.libp2p
  const stop = libp2p.stop.bind(libp2p)
  libp2p.stop = async () => {
    await stop()
    throw new DOMException("The operation was aborted", "AbortError")
  }
  const exit = await Effect.runPromiseExit(Scope.close(scope, Exit.void))
  expect(Exit.isSuccess(exit)).toBe(true)
  expect(logged.filter((l) => l.includes("p2p host stop"))).toEqual(["DEBUG p2p host stop: in-flight work aborted (AbortError: The operation was aborted)"])
})
