// `bun run bench relay`: shard traffic through the master's relay and a data-worker process
// (actors/shard-relay). Host B publishes 1 KiB messages on a shard's consensus channel; whoever holds
// the shard answers each with an echo on its dispatch channel; B counts echoes/s with at most WINDOW
// unanswered. Relayed: the shard belongs to a real worker process (validate ask + deliver tell +
// publish ask over IPC per message). Baseline, same run, same two hosts: the master answers on its own
// subscription. The ratio is what the process boundary costs on this path.
// Optional args: `[millis=3000]`.
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Context, Effect, Exit, Layer, Logger, LogLevel, Scope } from "effect"
import { shardChannels } from "../../runtime/network/bitmask.ts"
import { ListRelayedShards, ShardRelay } from "../../actors/shard-relay/index.ts"
import { type Libp2pNode, pubsubReady, startCluster } from "../e2e/network/libp2p-cluster.ts"
import { appFilterOfCore, ECHO_PREFIX, TEST_APP_FILTER } from "../e2e/shard-relay/fixtures/echo-shard.ts"
import { echoShardMaster } from "../e2e/shard-relay/fixtures/echo-shard-master.ts"
import { reportRatio } from "./report.ts"

const WINDOW = 32
const SIZE = 1024
const STALL_MILLIS = 10_000
/** The master's own shard for the baseline: another worker's shard in the fixture's scheme. */
const BASELINE_FILTER = appFilterOfCore(99)

const quiet = <A, E>(effect: Effect.Effect<A, E>): Promise<A> => Effect.runPromise(effect.pipe(Logger.withMinimumLogLevel(LogLevel.Warning)))

let sequence = 0
const payload = (): Uint8Array => {
  const bytes = new Uint8Array(SIZE)
  new DataView(bytes.buffer).setUint32(0, sequence++)
  bytes.fill(0x42, 4)
  return bytes
}

/** B publishes for `millis` with at most WINDOW echoes outstanding; returns echoes per second. */
const echoRate = async (b: Libp2pNode, filter: Uint8Array, millis: number): Promise<number> => {
  const channels = shardChannels(filter)
  let received = 0
  let wake: (() => void) | undefined
  const unsubscribe = await quiet(
    b.host.pubsub.subscribe(channels.dispatch, {
      onMessage: () => {
        received++
        const w = wake
        wake = undefined
        w?.()
      },
    }),
  )
  const next = async () => {
    const before = received
    await Promise.race([new Promise<void>((resolve) => (wake = resolve)), Bun.sleep(STALL_MILLIS)])
    if (received === before) throw new Error(`no echo within ${STALL_MILLIS} ms (received ${before})`)
  }
  try {
    await quiet(pubsubReady([b], channels.consensus))
    // the holder's dispatch subscription is not needed to publish; wait until B's consensus publishes are answered
    const primed = received
    const deadline = Date.now() + STALL_MILLIS
    while (received === primed) {
      if (Date.now() > deadline) throw new Error("the shard holder never answered")
      await quiet(b.host.pubsub.publish(channels.consensus, payload()).pipe(Effect.ignore))
      await Bun.sleep(100)
    }
    await Bun.sleep(200)
    received = 0
    const start = performance.now()
    let sent = 0
    while (performance.now() - start < millis) {
      while (sent - received >= WINDOW) await next()
      await quiet(b.host.pubsub.publish(channels.consensus, payload()))
      sent++
    }
    while (received < sent) await next()
    return received / ((performance.now() - start) / 1000)
  } finally {
    await quiet(unsubscribe)
  }
}

export const run = async (args: ReadonlyArray<string>): Promise<void> => {
  const millis = Number(args[0] ?? 3_000)
  const scope = Effect.runSync(Scope.make())
  const dataDir = mkdtempSync(join(tmpdir(), "quilbun-bench-relay-"))
  try {
    const nodes = await quiet(startCluster(2).pipe(Scope.extend(scope)))
    const [a, b] = nodes
    if (a === undefined || b === undefined) throw new Error("cluster did not start")

    // Baseline: the master holds the shard itself.
    const base = shardChannels(BASELINE_FILTER)
    await quiet(
      a.host.pubsub
        .subscribe(base.consensus, {
          onMessage: (m) => void Effect.runFork(a.host.pubsub.publish(base.dispatch, Buffer.concat([ECHO_PREFIX, m.payload])).pipe(Effect.ignore)),
        })
        .pipe(Effect.flatMap((unsubscribe) => Scope.addFinalizer(scope, unsubscribe))),
    )

    // Relayed: a worker process holds TEST_APP_FILTER (the echo worker of the relay tests).
    const master = echoShardMaster(a.host.pubsub, dataDir)
    const relay = Context.get(await quiet(Layer.buildWithScope(master, scope)), ShardRelay)
    const deadline = Date.now() + 20_000
    while ((await quiet(relay.ask(new ListRelayedShards(), "2 seconds"))).length === 0) {
      if (Date.now() > deadline) throw new Error("the worker did not activate its shard")
      await Bun.sleep(50)
    }

    // Warm-up of both paths, then interleaved rounds so machine noise hits both alike.
    await echoRate(b, BASELINE_FILTER, 300)
    await echoRate(b, TEST_APP_FILTER, 300)
    const totals = { direct: 0, relayed: 0 }
    for (let round = 0; round < 2; round++) {
      totals.direct += await echoRate(b, BASELINE_FILTER, millis / 2)
      totals.relayed += await echoRate(b, TEST_APP_FILTER, millis / 2)
    }
    reportRatio("relay.echo_1k", "ops/s", totals.relayed / 2, totals.direct / 2)
  } finally {
    await Effect.runPromise(Scope.close(scope, Exit.void))
    rmSync(dataDir, { recursive: true, force: true })
  }
}
