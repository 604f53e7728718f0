// The shard relay end to end: a "master" (actor system, worker pool with one real worker process,
// the relay over a real libp2p host A) and a remote libp2p peer B. The worker reaches the network
// only through the master's relay.
import { bytesToHex } from "@noble/hashes/utils.js"
import { afterAll, beforeAll, describe, expect, test } from "bun:test"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Context, Effect, Exit, Layer, Logger, LogLevel, Scope } from "effect"
import { shardChannels, sliceBitmask } from "../../../runtime/network/bitmask.ts"
import type { BitmaskMessage } from "../../../runtime/network/bitmask-pubsub.ts"
import { ActivateShard, ListRelayedShards, ShardRelay, type ShardRelayMessage } from "../../../actors/shard-relay/index.ts"
import type { ActorRef } from "../../../runtime/kernel/index.ts"
import { WorkerPool, type WorkerPoolService } from "../../../runtime/kernel/process/worker-pool.ts"
import { type Libp2pNode, pubsubReady, startCluster } from "../network/libp2p-cluster.ts"
import { waitFor } from "../network/helpers.ts"
import { ECHO_PREFIX, REJECT_MARK, TEST_APP_FILTER } from "./fixtures/echo-shard.ts"
import { echoShardMaster } from "./fixtures/echo-shard-master.ts"

const channels = shardChannels(TEST_APP_FILTER)
const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect.pipe(Logger.withMinimumLogLevel(LogLevel.Warning)))

let scope: Scope.CloseableScope
let dataDir: string
let a: Libp2pNode
let b: Libp2pNode
let relay: ActorRef<ShardRelayMessage>
let pool: WorkerPoolService
const echoes: Array<BitmaskMessage> = []

const relayed = () => run(relay.ask(new ListRelayedShards(), "2 seconds"))

beforeAll(async () => {
  scope = Effect.runSync(Scope.make())
  dataDir = mkdtempSync(join(tmpdir(), "quilbun-relay-"))
  const nodes = await run(startCluster(2).pipe(Scope.extend(scope)))
  ;[a, b] = nodes as [Libp2pNode, Libp2pNode]
  const master = echoShardMaster(a.host.pubsub, dataDir, {
    backoffBase: "50 millis",
    backoffCap: "200 millis",
    maxRestarts: 5,
    window: "1 minute",
  })
  const context = await run(Layer.buildWithScope(master, scope))
  relay = Context.get(context, ShardRelay)
  pool = Context.get(context, WorkerPool)
  // B listens for the worker's echoes on the shard's dispatch channel.
  await run(b.host.pubsub.subscribe(channels.dispatch, { onMessage: (m) => void echoes.push(m) }))
  await waitFor(async () => (await relayed()).length === 1, 15_000, "the worker to activate its shard")
  await run(pubsubReady([a, b], channels.consensus))
  await run(pubsubReady([a, b], channels.dispatch))
}, 30_000)

afterAll(async () => {
  await Effect.runPromise(Scope.close(scope, Exit.void))
  rmSync(dataDir, { recursive: true, force: true })
})

const echoOf = (payload: Uint8Array) => Buffer.concat([ECHO_PREFIX, payload])
const hasEcho = (payload: Uint8Array) => echoes.some((m) => Buffer.from(m.payload).equals(echoOf(payload)))

/**
 * B publishes on the shard's consensus channel until the worker echoes one of its messages; returns
 * that message. Each attempt is a new message: while subscriptions propagate (or the restarted worker
 * activates its shard) an attempt may be dropped or ignored, and the router would drop a resend of
 * the same bytes as already seen.
 */
const publishUntilEcho = async (label: string): Promise<Uint8Array> => {
  const sent: Array<Uint8Array> = []
  await waitFor(
    async () => {
      const payload = new TextEncoder().encode(`${label} ${sent.length} ${Date.now()}`)
      sent.push(payload)
      await run(b.host.pubsub.publish(channels.consensus, payload).pipe(Effect.ignore))
      await Bun.sleep(200)
      return sent.some(hasEcho)
    },
    15_000,
    `an echo (${label})`,
  )
  const answered = sent.find(hasEcho)
  if (answered === undefined) throw new Error("unreachable")
  return answered
}

describe("shard relay between the master's host and a data worker process", () => {
  test("the worker activated the shard through the master", async () => {
    expect(await relayed()).toEqual([{ core: 1, appFilter: bytesToHex(TEST_APP_FILTER) }])
    // every slice of every channel of the shard is subscribed on the master's one host
    const subscribed = a.host.pubsub.subscribedSlices()
    for (const mask of Object.values(channels)) for (const slice of sliceBitmask(mask)) expect(subscribed.has(bytesToHex(slice))).toBe(true)
    // and the remote peer sees the master in each channel's mesh view (the subscription propagated)
    for (const mask of Object.values(channels)) expect(b.host.pubsub.peersInBitmask(mask)).toContain(a.host.peerId)
  })

  test("a peer's message reaches the worker, and the worker's answer reaches the peer", async () => {
    const payload = await publishUntilEcho("hello")
    const echo = echoes.find((m) => Buffer.from(m.payload).equals(echoOf(payload)))
    // published by the master's host: the worker has no libp2p identity of its own
    expect(echo?.from).toBe(a.host.peerId)
  }, 20_000)

  test("a message the worker rejects is not answered and penalises the sender", async () => {
    const before = a.host.pubsub.score(b.host.peerId)
    const rejected = Uint8Array.of(REJECT_MARK, 1, 2, 3)
    await run(b.host.pubsub.publish(channels.consensus, rejected))
    await waitFor(() => a.host.pubsub.score(b.host.peerId) < before, 10_000, "B's score to drop")
    // a later valid message still goes through: the relay keeps working
    await publishUntilEcho("after a rejection")
    expect(hasEcho(rejected)).toBe(false)
  }, 25_000)

  test("a shard has one owner: another worker cannot take it", async () => {
    const exit = await Effect.runPromiseExit(relay.ask(new ActivateShard({ core: 2, appFilter: TEST_APP_FILTER }), "2 seconds"))
    expect(Exit.isFailure(exit)).toBe(true)
    if (Exit.isFailure(exit)) expect(String(exit.cause)).toContain("ShardOwnedByOtherWorker")
  })

  test("a crashed worker's shard is released, and relayed again once the restarted worker activates it", async () => {
    const [info] = await run(pool.infos)
    expect(info?.pid).toBeNumber()
    process.kill(info?.pid ?? 0, "SIGKILL")
    await waitFor(async () => (await run(pool.infos))[0]?.pid !== info?.pid && (await run(pool.infos))[0]?.state === "running", 15_000, "the restart")
    await waitFor(async () => (await relayed()).length === 1, 15_000, "the restarted worker to activate its shard")
    await publishUntilEcho("after the restart")
  }, 40_000)
})
