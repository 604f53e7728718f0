import { describe, expect, test } from "bun:test"
import { Effect, Exit, Scope, TestClock, TestContext } from "effect"
import type { ShardHandler, ShardNetworkService } from "../../../../actors/shard-relay/index.ts"
import { shardChannels, bloomFilter } from "../../../../runtime/network/bitmask.ts"
import { shardTransport } from "../../../../runtime/node/shard-transport.ts"

const address = new Uint8Array(32).fill(7)

/** A relay that records the activated handler, so the test can deliver consensus messages itself. */
const capturingNetwork = () => {
  let handler: ShardHandler | undefined
  const peerAsks = { count: 0 }
  const network: ShardNetworkService = {
    activate: (_filter, h) =>
      Effect.sync(() => {
        handler = h
        return Effect.void
      }),
    publish: () => Effect.succeed({ recipients: 0 }),
    request: () => Effect.die("unused"),
    peers: () =>
      Effect.sync(() => {
        peerAsks.count += 1
        return ["peer-b", "peer-a"]
      }),
    activeShards: () => [],
  }
  const deliver = (payload: Uint8Array) =>
    handler === undefined ? Effect.die("not activated") : handler.onMessage({ appFilter: bloomFilter(address), channel: "consensus", payload, from: "peer-a" })
  return { network, deliver, peerAsks }
}

describe("shard transport", () => {
  test("releasing one consensus subscription leaves the others subscribed (release by identity)", async () => {
    const { network, deliver } = capturingNetwork()
    const seen: Array<string> = []
    await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const transport = yield* shardTransport(network, address, "self")
          const consensus = shardChannels(bloomFilter(address)).consensus
          const first = yield* Scope.make()
          yield* Scope.extend(
            transport.subscribe(consensus, () => void seen.push("first")),
            first,
          )
          yield* transport.subscribe(consensus, () => void seen.push("second"))
          yield* deliver(new Uint8Array([1]))
          // Closing the earlier subscription must not drop the later one.
          yield* Scope.close(first, Exit.void)
          yield* deliver(new Uint8Array([2]))
        }),
      ),
    )
    expect(seen).toEqual(["first", "second", "second"])
  })

  test("the engine's gate and the coverage monitor share one answer about peers while it is fresh", async () => {
    const { network, peerAsks } = capturingNetwork()
    const answers = await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const transport = yield* shardTransport(network, address, "self")
          const first = yield* transport.peers
          const second = yield* transport.peers
          const asksWhileFresh = peerAsks.count
          yield* TestClock.adjust("1 second")
          yield* transport.peers
          return { first, second, asksWhileFresh, asksAfter: peerAsks.count }
        }),
      ).pipe(Effect.provide(TestContext.TestContext)),
    )
    expect(answers).toEqual({ first: ["peer-a", "peer-b"], second: ["peer-a", "peer-b"], asksWhileFresh: 1, asksAfter: 2 })
  })
})
