// Routing with two data-worker processes: each holds its own shard, and the master relays each
// shard's traffic to its owner only (an echo arrives on the dispatch channel of the shard that was
// addressed, which only that shard's worker publishes on).
import { bytesToHex } from "@noble/hashes/utils.js"
import { afterAll, beforeAll, expect, test } from "bun:test"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Context, Effect, Exit, Layer, Logger, LogLevel, Scope } from "effect"
import { shardChannels } from "../../../runtime/network/bitmask.ts"
import { ListRelayedShards, ShardRelay, type ShardRelayMessage } from "../../../actors/shard-relay/index.ts"
import type { ActorRef } from "../../../runtime/kernel/index.ts"
import { waitFor } from "../network/helpers.ts"
import { type Libp2pNode, startCluster } from "../network/libp2p-cluster.ts"
import { echoShardMaster } from "./fixtures/echo-shard-master.ts"
import { appFilterOfCore } from "./fixtures/echo-shard.ts"

const run = <A, E>(effect: Effect.Effect<A, E>) => Effect.runPromise(effect.pipe(Logger.withMinimumLogLevel(LogLevel.Warning)))

let scope: Scope.CloseableScope
let dataDir: string
let b: Libp2pNode
let relay: ActorRef<ShardRelayMessage>
/** Echo payloads received by B, per core whose shard's dispatch channel carried them. */
const echoes = new Map<number, Array<string>>([
  [1, []],
  [2, []],
])

beforeAll(async () => {
  scope = Effect.runSync(Scope.make())
  dataDir = mkdtempSync(join(tmpdir(), "quilbun-relay2-"))
  const nodes = await run(startCluster(2).pipe(Scope.extend(scope)))
  const a = nodes[0] as Libp2pNode
  b = nodes[1] as Libp2pNode
  const context = await run(Layer.buildWithScope(echoShardMaster(a.host.pubsub, dataDir, undefined, 2), scope))
  relay = Context.get(context, ShardRelay)
  for (const core of [1, 2]) {
    const dispatch = shardChannels(appFilterOfCore(core)).dispatch
    await run(b.host.pubsub.subscribe(dispatch, { onMessage: (m) => void echoes.get(core)?.push(Buffer.from(m.payload).toString()) }))
  }
  await waitFor(async () => (await run(relay.ask(new ListRelayedShards(), "2 seconds"))).length === 2, 20_000, "both workers to activate")
}, 40_000)

afterAll(async () => {
  await Effect.runPromise(Scope.close(scope, Exit.void))
  rmSync(dataDir, { recursive: true, force: true })
})

test("each shard's traffic goes to the worker that owns it, and only there", async () => {
  const shards = await run(relay.ask(new ListRelayedShards(), "2 seconds"))
  expect([...shards].sort((x, y) => x.core - y.core)).toEqual([
    { core: 1, appFilter: bytesToHex(appFilterOfCore(1)) },
    { core: 2, appFilter: bytesToHex(appFilterOfCore(2)) },
  ])
  for (const core of [1, 2]) {
    const consensus = shardChannels(appFilterOfCore(core)).consensus
    const sent: Array<string> = []
    // New message per attempt until the owner answers (subscriptions may still be propagating).
    await waitFor(
      async () => {
        const text = `for shard ${core} #${sent.length}`
        sent.push(text)
        await run(b.host.pubsub.publish(consensus, new TextEncoder().encode(text)).pipe(Effect.ignore))
        await Bun.sleep(200)
        return sent.some((t) => echoes.get(core)?.includes(`echo:${t}`) === true)
      },
      15_000,
      `an echo from worker ${core}`,
    )
  }
  // nothing addressed to one shard came back on the other's channel
  expect(echoes.get(1)?.some((e) => e.includes("for shard 2"))).toBe(false)
  expect(echoes.get(2)?.some((e) => e.includes("for shard 1"))).toBe(false)
}, 40_000)
