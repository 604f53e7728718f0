import { bytesToHex } from "@noble/hashes/utils.js"
import { afterEach, describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { bloomFilter, BULK_SHARD_FRAMES, shardChannels, sliceBitmask, type Bitmask } from "../../../runtime/network/bitmask.ts"
import type { BitmaskMessage, SubscribeOptions } from "../../../runtime/network/bitmask-pubsub.ts"
import { DEFAULT_MESSAGE_ID_FORM, messageId } from "../../../runtime/network/message-id.ts"
import { patternBytes, startHost, waitFor, type RunningHost } from "./helpers.ts"

const running: Array<RunningHost> = []
const start = async (...args: Parameters<typeof startHost>): Promise<RunningHost> => {
  const host = await startHost(...args)
  running.push(host)
  return host
}
afterEach(async () => {
  await Promise.all(running.splice(0).map((h) => h.close()))
})

// Publishes always travel on the first slice here, so tests know which topic carries them.
const firstSlice = { chooseSlice: () => 0 }

const connect = async (a: RunningHost, b: RunningHost) => {
  await Effect.runPromise(b.host.dial(a.host.multiaddrs()[0] ?? ""))
}

const subscribe = (node: RunningHost, mask: Bitmask, options: Partial<SubscribeOptions> = {}) => {
  const received: Array<BitmaskMessage> = []
  const unsubscribe = Effect.runSync(node.host.pubsub.subscribe(mask, { onMessage: (m) => received.push(m), ...options }))
  return { received, unsubscribe }
}

/** The publisher sees `subscriber` on every slice of `mask` and can send to it. */
const waitUntilSubscribed = (publisher: RunningHost, subscriber: RunningHost, mask: Bitmask) =>
  waitFor(
    () => publisher.host.pubsub.peersInBitmask(mask).includes(subscriber.host.peerId) && publisher.host.pubsub.canReach(subscriber.host.peerId),
    3000,
    "subscription",
  )

const publish = (node: RunningHost, mask: Bitmask, payload: Uint8Array) => Effect.runPromise(node.host.pubsub.publish(mask, payload))

const shard = shardChannels(bloomFilter(new TextEncoder().encode("shard-a")))

describe("bitmask pubsub over gossipsub", () => {
  test("a multi-slice bitmask carries 1 KiB and 64 KiB messages intact", async () => {
    const a = await start()
    const b = await start()
    await connect(a, b)
    expect(sliceBitmask(shard.consensus).length).toBe(3)
    subscribe(a, shard.consensus)
    const sub = subscribe(b, shard.consensus)
    await waitUntilSubscribed(a, b, shard.consensus)
    const small = patternBytes(1024, 1)
    const large = patternBytes(64 * 1024, 2)
    expect((await publish(a, shard.consensus, small)).recipients).toBeGreaterThan(0)
    await publish(a, shard.consensus, large)
    await waitFor(() => sub.received.length === 2, 3000, "two deliveries")
    expect(sub.received.map((m) => m.payload)).toEqual([small, large])
    expect(bytesToHex(sub.received[0]!.bitmask)).toBe(bytesToHex(shard.consensus))
    expect(sub.received[0]!.from).toBe(a.host.peerId)
  })

  test("a message is not delivered to a node subscribed to only some of its slices", async () => {
    const a = await start(firstSlice)
    const b = await start()
    await connect(a, b)
    const [first] = sliceBitmask(shard.frames)
    if (first === undefined) throw new Error("no slice")
    // b subscribes to the first slice alone, as a mask of its own
    const partial = subscribe(b, first)
    await waitUntilSubscribed(a, b, first)
    expect(a.host.pubsub.peersInBitmask(shard.frames)).not.toContain(b.host.peerId)
    await publish(a, shard.frames, patternBytes(100, 1)) // travels on `first`, reaches b
    await publish(a, first, patternBytes(100, 2)) // b's own mask: delivered
    await waitFor(() => partial.received.length === 1, 3000, "control message")
    await waitFor(() => b.host.pubsub.stats.notSubscribedToAllSlices === 1, 3000, "filtered message counted")
    expect(partial.received.map((m) => bytesToHex(m.bitmask))).toEqual([bytesToHex(first)])
  })

  test("a broad subscription (archive ff×32) receives a shard's frame mask", async () => {
    const a = await start()
    const archive = await start()
    await connect(a, archive)
    const bulk = subscribe(archive, BULK_SHARD_FRAMES)
    await waitUntilSubscribed(a, archive, shard.frames)
    await publish(a, shard.frames, patternBytes(512, 3))
    await waitFor(() => bulk.received.length === 1, 3000, "bulk delivery")
    expect(bytesToHex(bulk.received[0]!.bitmask)).toBe(bytesToHex(shard.frames))
  })

  test("a rejecting validator drops the message and lowers the sender's score; ignore does not", async () => {
    const a = await start()
    const b = await start()
    await connect(a, b)
    const sub = subscribe(b, shard.consensus, {
      validate: (m) => (m.payload[0] === 1 ? "ignore" : m.payload[0] === 2 ? "reject" : "accept"),
    })
    await waitUntilSubscribed(a, b, shard.consensus)
    const scoreOfA = () => b.host.pubsub.score(a.host.peerId)

    await publish(a, shard.consensus, new Uint8Array([1, 0, 0]))
    await waitFor(() => b.host.pubsub.stats.ignored === 1, 3000, "ignored")
    expect(scoreOfA()).toBeGreaterThanOrEqual(0)

    await publish(a, shard.consensus, new Uint8Array([2, 0, 0]))
    await waitFor(() => b.host.pubsub.stats.rejected === 1, 3000, "rejected")
    await waitFor(() => scoreOfA() < 0, 3000, "negative score")
    // -1000 (invalid deliveries weight) × 0.1 (topic weight) × 1² for one rejected message
    expect(scoreOfA()).toBeLessThanOrEqual(-99)

    await publish(a, shard.consensus, new Uint8Array([3, 0, 0]))
    await waitFor(() => sub.received.length === 1, 3000, "accepted delivery")
    expect(sub.received.map((m) => m.payload[0])).toEqual([3])
  })

  test("asynchronous validators combine with synchronous ones: reject wins, then ignore, and a throwing one ignores", async () => {
    const a = await start()
    const b = await start()
    await connect(a, b)
    // two subscriptions on the same mask: a synchronous validator and an asynchronous one
    const sync = subscribe(b, shard.consensus, { validate: (m) => (m.payload[0] === 4 ? "ignore" : "accept") })
    subscribe(b, shard.consensus, {
      validate: async (m) => {
        await Bun.sleep(1)
        if (m.payload[0] === 5) throw new Error("validator bug")
        return m.payload[0] === 2 ? "reject" : m.payload[0] === 1 ? "ignore" : "accept"
      },
    })
    await waitUntilSubscribed(a, b, shard.consensus)
    const slices = () => [...b.host.pubsub.sliceTraffic.values()]
    const total = (field: "accepted" | "ignored" | "rejected") => slices().reduce((n, t) => n + t[field], 0)

    await publish(a, shard.consensus, new Uint8Array([1, 0]))
    await waitFor(() => total("ignored") === 1, 3000, "async ignore")
    await publish(a, shard.consensus, new Uint8Array([4, 0]))
    await waitFor(() => total("ignored") === 2, 3000, "sync ignore")
    await publish(a, shard.consensus, new Uint8Array([5, 0]))
    await waitFor(() => total("ignored") === 3, 3000, "throwing validator ignores")
    expect(b.host.pubsub.stats.ignored).toBe(3)
    expect(b.host.pubsub.score(a.host.peerId)).toBeGreaterThanOrEqual(0)

    await publish(a, shard.consensus, new Uint8Array([2, 0]))
    await waitFor(() => total("rejected") === 1, 3000, "async reject")
    await waitFor(() => b.host.pubsub.score(a.host.peerId) < 0, 3000, "negative score")

    await publish(a, shard.consensus, new Uint8Array([3, 0]))
    await waitFor(() => sync.received.length === 1, 3000, "accepted delivery")
    expect(sync.received.map((m) => m.payload[0])).toEqual([3])
    expect(total("accepted")).toBe(1)
    expect(b.host.pubsub.stats.delivered).toBe(1)
  })

  test("the router's message id strings are the delivery seen cache's keys (bytesToHex of messageId)", async () => {
    const a = await start()
    const b = await start()
    await connect(a, b)
    const sub = subscribe(b, shard.frames)
    await waitUntilSubscribed(a, b, shard.frames)
    const seen: Array<{ id: string; data: Uint8Array }> = []
    b.host.libp2p.services.pubsub.addEventListener("gossipsub:message", (event) => {
      seen.push({ id: event.detail.msgId, data: event.detail.msg.data })
    })
    await publish(a, shard.frames, patternBytes(100, 9))
    await waitFor(() => sub.received.length === 1, 3000, "delivery")
    expect(seen.length).toBe(1)
    expect(seen[0]!.id).toBe(bytesToHex(messageId(seen[0]!.data, DEFAULT_MESSAGE_ID_FORM)))
  })

  test("in a full mesh of 4, every message is delivered exactly once everywhere (copies dropped as duplicates)", async () => {
    const nodes = [await start(), await start(), await start(), await start()]
    for (let i = 0; i < nodes.length; i++) for (let j = i + 1; j < nodes.length; j++) await connect(nodes[i]!, nodes[j]!)
    const subs = nodes.map((n) => subscribe(n, shard.dispatch))
    for (const a of nodes) for (const b of nodes) if (a !== b) await waitUntilSubscribed(a, b, shard.dispatch)
    const perNode = 5
    for (const [i, node] of nodes.entries()) {
      for (let k = 0; k < perNode; k++) await publish(node, shard.dispatch, patternBytes(2048, i * 16 + k))
    }
    const expected = perNode * (nodes.length - 1)
    await waitFor(() => subs.every((sub) => sub.received.length === expected), 5000, "all deliveries")
    await Bun.sleep(300)
    for (const [i, sub] of subs.entries()) {
      expect(sub.received.length).toBe(expected)
      expect(new Set(sub.received.map((m) => m.payload[0])).size).toBe(expected)
      expect(sub.received.every((m) => m.from !== nodes[i]!.host.peerId)).toBe(true)
    }
  })

  test("a malformed envelope is rejected and penalised", async () => {
    const a = await start()
    const b = await start()
    await connect(a, b)
    subscribe(b, shard.frames)
    await waitUntilSubscribed(a, b, shard.frames)
    const [first] = sliceBitmask(shard.frames)
    // bypass the envelope: raw bytes straight onto the slice topic
    await a.host.libp2p.services.pubsub.publish(b.host.pubsub.topicOf(bytesToHex(first!)), new Uint8Array([9, 9, 9]))
    await waitFor(() => b.host.pubsub.stats.malformed === 1, 3000, "malformed")
    await waitFor(() => b.host.pubsub.score(a.host.peerId) < 0, 3000, "negative score")
  })

  test("unsubscribing leaves slices still used by another subscription", async () => {
    const a = await start()
    const [first] = sliceBitmask(shard.frames)
    const whole = subscribe(a, shard.frames)
    const single = subscribe(a, first!)
    expect(a.host.pubsub.subscribedSlices().size).toBe(3)
    Effect.runSync(whole.unsubscribe)
    expect([...a.host.pubsub.subscribedSlices()]).toEqual([bytesToHex(first!)])
    Effect.runSync(single.unsubscribe)
    expect(a.host.pubsub.subscribedSlices().size).toBe(0)
    expect(a.host.libp2p.services.pubsub.getTopics()).toEqual([])
  })

  test("loopback hands own publishes to local subscribers, even with no peers (1-of-1 quorum)", async () => {
    const solo = await start()
    const own = subscribe(solo, shard.consensus)
    const result = await Effect.runPromise(solo.host.pubsub.publish(shard.consensus, patternBytes(64, 6), { loopback: true }))
    expect(result.recipients).toBe(0)
    expect(own.received.length).toBe(1)
    expect(own.received[0]!.from).toBe(solo.host.peerId)
    // without loopback nothing comes back
    await publish(solo, shard.consensus, patternBytes(64, 7))
    await Bun.sleep(50)
    expect(own.received.length).toBe(1)
  })

  test("a throwing handler does not stop the other handlers", async () => {
    const a = await start()
    const b = await start()
    await connect(a, b)
    subscribe(b, shard.prover, {
      onMessage: () => {
        throw new Error("handler bug")
      },
    })
    const healthy = subscribe(b, shard.prover)
    await waitUntilSubscribed(a, b, shard.prover)
    await publish(a, shard.prover, patternBytes(32, 8))
    await waitFor(() => healthy.received.length === 1, 3000, "healthy handler")
    expect(b.host.pubsub.stats.handlerFailures).toBe(1)
  })

  test("invalid bitmasks and oversized payloads fail with typed errors", async () => {
    const a = await start()
    const empty = await Effect.runPromise(Effect.either(a.host.pubsub.publish(new Uint8Array(0), new Uint8Array(1))))
    expect(empty._tag === "Left" && empty.left._tag).toBe("InvalidBitmask")
    const huge = new Uint8Array(1024 * 1024 + 1)
    const tooBig = await Effect.runPromise(Effect.either(a.host.pubsub.publish(shard.frames, huge)))
    expect(tooBig._tag === "Left" && tooBig.left._tag).toBe("PublishFailed")
  })

  test("pubsub works on the connection that survives a simultaneous dial", async () => {
    const a = await start()
    const b = await start()
    await Promise.allSettled([Effect.runPromise(a.host.dial(b.host.multiaddrs()[0] ?? "")), Effect.runPromise(b.host.dial(a.host.multiaddrs()[0] ?? ""))])
    await waitFor(() => a.host.connectionCount(b.host.peerId) === 1 && b.host.connectionCount(a.host.peerId) === 1)
    const onA = subscribe(a, shard.dispatch)
    const onB = subscribe(b, shard.dispatch)
    await waitUntilSubscribed(a, b, shard.dispatch)
    await waitUntilSubscribed(b, a, shard.dispatch)
    await publish(a, shard.dispatch, patternBytes(2048, 4))
    await publish(b, shard.dispatch, patternBytes(2048, 5))
    await waitFor(() => onA.received.length === 1 && onB.received.length === 1, 3000, "both directions")
  })
})
