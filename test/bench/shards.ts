// `bun run bench shards [bundles=200] [window=32]`: app shards on a 4-node loopback devnet with 2
// shards (real node processes, real BLS48-581 and VDF, libp2p). Two hypergraph deploys give the two
// shards; then `bundles` putVertex bundles, half per shard, go round-robin to the four nodes with at
// most `window` in flight. Each one's latency is submit → `committed` on the node it was sent to (polled
// every 50 ms); throughput is bundles / (last commit − first submit). Baseline, same run: the same
// deploys and bundles applied through one execution host in process (no consensus, no network), in
// frames of at most 100 bundles (the proposal cap). Prints
//   shards.commit p50_ms=<n> p99_ms=<n> bundles=<n>
//   shards.throughput bundles/s=<n> baseline=<n> ratio=<r>
// Targets (issue #15): p50 ≤ 2,000 ms, ≥ 500 committed bundles/s per shard.
import { mkdtempSync, readFileSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { concatBytes } from "@noble/hashes/utils.js"
import { Effect, Either, Layer, Logger, LogLevel } from "effect"
import { ApplyFrame, Execution, ExecutionLive } from "../../actors/execution/index.ts"
import { routeBundle } from "../../actors/execution/routing.ts"
import { loadIntrinsics } from "../../intrinsics/contract/index.ts"
import { makeSoakBundles } from "../../runtime/cli/soak/bundles.ts"
import { nodeApi } from "../../runtime/cli/soak/api.ts"
import { ActorSystem } from "../../runtime/kernel/index.ts"
import { builtInIntrinsics, instanceTypeTag, nodeCryptoServices } from "../../runtime/node/intrinsics.ts"
import { DEVNET_NETWORK_ID } from "../../config/schema.ts"
import { StoreLive } from "../../runtime/store/index.ts"
import { spawnDevnet, stopAllAfter } from "../e2e/devnet-process.ts"
import { pollUntil } from "../e2e/node-process.ts"
import { reportRatio, reportValues } from "./report.ts"

const NODES = 4
const NODE_FLAGS = ["--set", "engine.difficulty=100"]
const MAX_FRAME_BUNDLES = 100

const quantile = (sorted: ReadonlyArray<number>, q: number): number => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))] ?? Number.NaN

/** The same bundles through one execution host: deploys in frame 1, then writes 100 to a frame. */
const baselineBundlesPerSecond = async (deploys: ReadonlyArray<Uint8Array>, writes: ReadonlyArray<Uint8Array>): Promise<number> => {
  const dir = mkdtempSync(join(tmpdir(), "quilbun-bench-shards-base-"))
  try {
    const registry = await Effect.runPromise(loadIntrinsics(builtInIntrinsics))
    const resolver = { registry, network: DEVNET_NETWORK_ID, crypto: nodeCryptoServices, typeTagOf: instanceTypeTag }
    const routed = (bundle: Uint8Array, frame: bigint) => {
      const route = routeBundle(resolver, bundle, frame)
      if (Either.isLeft(route)) throw new Error(`baseline bundle does not route: ${route.left.detail}`)
      return concatBytes(route.right.domain, bundle)
    }
    const layer = ExecutionLive(builtInIntrinsics, {
      crypto: nodeCryptoServices,
      network: DEVNET_NETWORK_ID,
      typeTagOf: instanceTypeTag,
      feeMultiplier: () => 0n,
    }).pipe(Layer.provideMerge(Layer.merge(ActorSystem.layer(), StoreLive({ path: join(dir, "store") }))), Layer.orDie)
    return await Effect.runPromise(
      Effect.scoped(
        Effect.gen(function* () {
          const host = yield* Execution
          const first = yield* host.ask(new ApplyFrame({ frameNumber: 1n, bundles: deploys.map((b) => routed(b, 1n)) }))
          if (first.applied.some((r) => r._tag === "Failed")) return yield* Effect.die(new Error(`baseline deploy failed: ${JSON.stringify(first.applied)}`))
          const start = performance.now()
          let frame = 2n
          for (let i = 0; i < writes.length; i += MAX_FRAME_BUNDLES, frame++) {
            const at = frame
            const applied = yield* host.ask(new ApplyFrame({ frameNumber: at, bundles: writes.slice(i, i + MAX_FRAME_BUNDLES).map((b) => routed(b, at)) }))
            const failed = applied.applied.find((r) => r._tag === "Failed")
            if (failed !== undefined) return yield* Effect.die(new Error(`baseline write failed: ${JSON.stringify(failed)}`))
          }
          return writes.length / ((performance.now() - start) / 1000)
        }),
      ).pipe(Effect.provide(layer), Logger.withMinimumLogLevel(LogLevel.Warning)),
    )
  } finally {
    rmSync(dir, { recursive: true, force: true })
  }
}

export const run = async (args: ReadonlyArray<string>): Promise<void> => {
  const total = Number(args[0] ?? 200)
  const window = Number(args[1] ?? 32)
  if (!Number.isInteger(total) || total < 2 || !Number.isInteger(window) || window < 1)
    throw new Error(`usage: bun run bench shards [bundles ≥ 2] [window ≥ 1], got ${args.join(" ")}`)
  const base = mkdtempSync(join(tmpdir(), "quilbun-bench-shards-"))
  const devnet = spawnDevnet(NODES, base, NODE_FLAGS, ["--shards", "2"])
  try {
    const lines = await devnet.ready(180_000)
    const apis = lines.map((l) => nodeApi(l.api, readFileSync(join(base, `node-${l.index}`, "api.token"), "utf8").trim()))
    const call = <A, E>(e: Effect.Effect<A, E>) => Effect.runPromise(Effect.either(e))
    // Two shards: one deploy each (the write key, hence the domain, is a function of the seed).
    const shards = await Promise.all([1, 2].map((seed) => Effect.runPromise(makeSoakBundles(Date.now() + seed))))
    const writes: Array<{ readonly bundle: Uint8Array }> = []
    for (let i = 0; i < total; i++) {
      const shard = shards[i % 2]
      if (shard === undefined) throw new Error("two shards")
      writes.push({ bundle: await Effect.runPromise(shard.write(Math.floor(i / 2) + 1)) })
    }
    const committedOn = (node: number, id: string, ms: number) =>
      pollUntil(`bundle ${id} committed on node ${node}`, ms, async () => {
        const api = apis[node]
        if (api === undefined) throw new Error(`no node ${node}`)
        const status = await call(api.bundleStatus(id))
        if (Either.isLeft(status)) return undefined
        if (status.right.status === "rejected") throw new Error(`bundle ${id} rejected: ${status.right.reason}`)
        return status.right.status === "committed" ? performance.now() : undefined
      })
    for (const [i, shard] of shards.entries()) {
      const node = apis[i]
      if (node === undefined) throw new Error(`no node ${i}`)
      // The first bundle for a shard allocates and covers it on a worker (a VDF genesis): the answer may
      // take longer than one request's timeout, and the worker answers 503 while it starts; send again.
      let accepted = await call(node.submit(shard.deploy))
      for (let attempt = 0; Either.isLeft(accepted) && attempt < 30; attempt++) {
        await Bun.sleep(2_000)
        accepted = await call(node.submit(shard.deploy))
      }
      if (Either.isLeft(accepted)) throw new Error(`deploy refused: ${JSON.stringify(accepted.left)}`)
      await committedOn(i, accepted.right.id, 180_000)
    }
    // Every node covers both shards before the clock starts.
    await pollUntil("every node covering both shards", 120_000, async () => {
      const views = await Promise.all(apis.map((a) => call(a.shards)))
      const hex = shards.map((s) => Buffer.from(s.domain).toString("hex"))
      return views.every((v) => Either.isRight(v) && hex.every((h) => v.right.some((s) => s.address === h))) ? true : undefined
    })

    const latencies: Array<number> = []
    let next = 0
    let lastCommit = 0
    const firstSubmit = performance.now()
    const lane = async () => {
      while (next < writes.length) {
        const i = next++
        const node = i % NODES
        const api = apis[node]
        const write = writes[i]
        if (api === undefined || write === undefined) throw new Error("lane out of range")
        const submittedAt = performance.now()
        let accepted = await call(api.submit(write.bundle))
        // A busy shard answers 503 with Retry-After: a client waits and sends again (counted in its latency).
        for (let retry = 0; Either.isLeft(accepted) && retry < 20; retry++) {
          await Bun.sleep(500)
          accepted = await call(api.submit(write.bundle))
        }
        if (Either.isLeft(accepted)) throw new Error(`bundle ${i} refused: ${JSON.stringify(accepted.left)}`)
        const committedAt = await committedOn(node, accepted.right.id, 300_000)
        latencies.push(committedAt - submittedAt)
        lastCommit = Math.max(lastCommit, committedAt)
        await Bun.sleep(0)
      }
    }
    await Promise.all(Array.from({ length: Math.min(window, total) }, lane))
    const sorted = [...latencies].sort((a, b) => a - b)
    const measured = total / ((lastCommit - firstSubmit) / 1000)
    const baseline = await baselineBundlesPerSecond(
      shards.map((s) => s.deploy),
      writes.map((w) => w.bundle),
    )
    reportValues("shards.commit", { p50_ms: Math.round(quantile(sorted, 0.5)), p99_ms: Math.round(quantile(sorted, 0.99)), bundles: total })
    reportRatio("shards.throughput", "bundles/s", measured, baseline)
  } finally {
    await stopAllAfter([devnet])
    rmSync(base, { recursive: true, force: true })
  }
}
