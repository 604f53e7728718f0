// The master's side of the shard hosts, in process: two fake hosts (local actors standing in for the
// workers' /worker-<n>/app-shards) behind a fake worker pool, over a real master store. Allocation on
// submit with CoverShard first, the retry after ShardNotCovered, a full mempool, duplicates, status
// precedence across workers, the master's own rejections, and re-covering after a restart.
import { afterEach, describe, expect, test } from "bun:test"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { sha3_256 } from "@noble/hashes/sha3.js"
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect, Layer, Logger, LogLevel, Option } from "effect"
import {
  type BundleStatusView,
  type CoverShard,
  type ShardHostMessage,
  MempoolFull,
  ShardHostProtocol,
  ShardNotCovered,
  SHARD_HOST_NAME,
} from "../../../../actors/consensus/app/shard-host-protocol.ts"
import { loadConfig } from "../../../../config/index.ts"
import { encodeMessageBundle } from "../../../../intrinsics/contract/index.ts"
import { hypergraphBuilders as b } from "../../../../intrinsics/hypergraph/builders.ts"
import { ConsensusUnavailable } from "../../../../runtime/api/backend.ts"
import { Actor, ActorSystem } from "../../../../runtime/kernel/index.ts"
import type { ActorRef } from "../../../../runtime/kernel/actor/ref.ts"
import { WorkerPool, type WorkerPoolService } from "../../../../runtime/kernel/process/worker-pool.ts"
import { NodeConsensus } from "../../../../runtime/node/consensus.ts"
import { builtInIntrinsics } from "../../../../runtime/node/intrinsics.ts"
import type { Intrinsic } from "../../../../intrinsics/contract/index.ts"
import kv from "../../../../plugins/kv/index.ts"
import { KV_DEFAULT_DOMAIN } from "../../../../plugins/kv/kv.ts"
import { bloomFilter, DEVNET_SHARD_COVERAGE, shardChannels } from "../../../../runtime/network/bitmask.ts"
import { type NodeNetworkService, OptionalNodeNetwork } from "../../../../runtime/node/p2p-network.ts"
import { decodeCoverage, encodeCoverage } from "../../../../runtime/node/shard-coverage.ts"
import { ShardHosts, ShardHostsLive, type ShardHostsService } from "../../../../runtime/node/shard-hosts.ts"
import { storeMigrations } from "../../../../runtime/node/store-migrations.ts"
import { StoreLive } from "../../../../runtime/store/index.ts"
import { buildEnv, writeSecret } from "../../intrinsics/hypergraph/fixtures/hypergraph-env.ts"
import { FakePubsub } from "../../support/fake-pubsub.ts"

const dirs: Array<string> = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const domain = (n: number) => new Uint8Array(32).fill(n)
let seq = 0
/** A vertex write to instance `n`: it routes to shard `domain(n)`; every call is a new bundle. */
const bundleFor = (n: number) =>
  encodeMessageBundle(
    [
      Effect.runSync(
        b.putVertex.build(
          { domain: domain(n), entries: [{ key: Uint8Array.of(1), value: Uint8Array.of(++seq) }], dataAddress: domain(seq), signingKey: writeSecret },
          buildEnv,
        ),
      ),
    ],
    1_700_000_000_000n,
  )

/** What a fake host saw and how it answers. */
interface FakeControl {
  covers: Array<CoverShard>
  covered: Set<string>
  submitted: Array<string>
  full: boolean
  statuses: Map<string, BundleStatusView>
}

const newControl = (): FakeControl => ({ covers: [], covered: new Set(), submitted: [], full: false, statuses: new Map() })

const fakeHost = (control: FakeControl, core: number) =>
  Actor.make(`${SHARD_HOST_NAME}-${core}`, ShardHostProtocol, {
    init: () => Effect.succeed(control),
    handlers: {
      CoverShard: (c, m) => {
        c.covers.push(m)
        c.covered.add(bytesToHex(m.address))
        return Effect.succeed([c, { address: m.address, head: null }] as const)
      },
      SubmitBundle: (c, m) => {
        if (!c.covered.has(bytesToHex(m.shard))) return Effect.fail(new ShardNotCovered({ address: m.shard }))
        if (c.full) return Effect.fail(new MempoolFull({ address: m.shard, retryAfterMs: 2500 }))
        const id = sha3_256(m.bundle)
        const duplicate = c.submitted.includes(bytesToHex(id))
        c.submitted.push(bytesToHex(id))
        return Effect.succeed([c, { id, outcome: duplicate ? ("duplicate" as const) : ("accepted" as const) }] as const)
      },
      BundleStatus: (c, m) =>
        Effect.succeed([c, c.statuses.get(bytesToHex(m.id)) ?? { status: "unknown" as const, shard: null, frameNumber: null, reason: null }] as const),
      ListShards: (c) => Effect.succeed([c, []] as const),
      // Blob = this fake's core, then the index it was asked for (which worker proved which index).
      CreateJoinProof: (c, m) => Effect.succeed([c, { proof: Uint8Array.of(core, m.index, m.ids.length) }] as const),
    },
  })

const COMMITTEE = [Uint8Array.of(7, 7, 7)]

/** Runs `body` with ShardHosts over two fake hosts and a store at `path`. */
const withHosts = <A>(
  path: string,
  controls: Record<number, FakeControl>,
  body: (hosts: ShardHostsService) => Effect.Effect<A, unknown>,
  committee: ReadonlyArray<Uint8Array> = COMMITTEE,
  pubsub?: FakePubsub,
  intrinsics: ReadonlyArray<Intrinsic> = builtInIntrinsics,
) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const config = yield* loadConfig({ argv: ["--data-dir", path, "--workers", "2"], env: {}, cores: 2, cwd: tmpdir() })
      const system = yield* ActorSystem.ActorSystem
      const refs = new Map<number, ActorRef<ShardHostMessage>>()
      for (const core of [1, 2]) {
        const control = controls[core]
        if (control !== undefined) refs.set(core, yield* system.spawn(fakeHost(control, core)))
      }
      // Only what ShardHostsLive uses of the pool: its cores, their states, refs into them.
      const pool = {
        cores: [1, 2],
        infos: Effect.succeed([1, 2].map((core) => ({ core, pid: core, state: "running" as const, restarts: 0, uptimeMs: 1, lastExit: null }))),
        ref: (core: number) => Effect.succeed(refs.get(core)),
      } as unknown as WorkerPoolService
      const consensus = Layer.succeed(NodeConsensus, {
        head: Effect.fail(new ConsensusUnavailable({ reason: "none in this test" })),
        frame: () => Effect.die("unused"),
        peers: Effect.succeed([]),
        committee,
        rankWorkMs: 123,
      })
      const layer = ShardHostsLive(config, intrinsics).pipe(
        Layer.provide(
          Layer.mergeAll(
            consensus,
            Layer.succeed(WorkerPool, pool),
            StoreLive({ path: join(path, "master"), migrations: storeMigrations }),
            Layer.succeed(OptionalNodeNetwork, pubsub === undefined ? Option.none() : Option.some({ host: { pubsub } } as unknown as NodeNetworkService)),
          ),
        ),
      )
      return yield* Effect.flatMap(ShardHosts, body).pipe(Effect.provide(layer))
    }).pipe(Effect.scoped, Effect.provide(ActorSystem.layer()), Logger.withMinimumLogLevel(LogLevel.None)),
  )

const tmp = () => {
  const d = mkdtempSync(join(tmpdir(), "quilbun-shard-hosts-"))
  dirs.push(d)
  return d
}

describe("shard hosts (master side)", () => {
  test("a join multiproof: blob i from running worker i mod n, asked with the same challenge, difficulty and ids, concatenated in id order", async () => {
    const ids = [Uint8Array.of(1), Uint8Array.of(2), Uint8Array.of(3)]
    const proof = await withHosts(tmp(), { 1: newControl(), 2: newControl() }, (hosts) => hosts.joinProof(new Uint8Array(32), 100, ids))
    // The fake's blob is (its core, the index asked, the id count).
    expect([...proof]).toEqual([1, 0, 3, 2, 1, 3, 1, 2, 3])
  })

  test("a bundle for a new shard allocates a worker, covers the shard with the committee and params, then hands the bundle over", async () => {
    const one = newControl()
    const accepted = await withHosts(tmp(), { 1: one, 2: newControl() }, (hosts) => hosts.submit(bundleFor(1), undefined))
    expect(accepted.status).toBe("pending")
    expect(accepted.shard).toBe(bytesToHex(domain(1)))
    // The cover loop's first round may run after the allocation too: covering is idempotent.
    expect(one.covers.length).toBeGreaterThanOrEqual(1)
    expect(new Set(one.covers.map((c) => bytesToHex(c.address)))).toEqual(new Set([bytesToHex(domain(1))]))
    expect(one.covers[0]?.committee).toEqual(COMMITTEE)
    expect(one.covers[0]?.params).toEqual({ network: 99, devnet: true, difficulty: 50_000, rankWorkMs: 123 })
    expect(one.submitted).toEqual([accepted.id])
  })

  test("on a network a taken bundle is gossiped on its shard's prover channel and a new shard is announced at once", async () => {
    const one = newControl()
    const pubsub = new FakePubsub()
    const r = await withHosts(
      tmp(),
      { 1: one, 2: newControl() },
      (hosts) => hosts.submit(bundleFor(1), undefined),
      [Uint8Array.of(1), Uint8Array.of(2)],
      pubsub,
    )
    expect(r.status).toBe("pending")
    expect(one.submitted).toEqual([r.id])
    const gossiped = pubsub.on(shardChannels(bloomFilter(domain(1))).prover)
    expect(gossiped.map((b) => bytesToHex(sha3_256(b)))).toEqual([r.id])
    const announced = pubsub.on(DEVNET_SHARD_COVERAGE).map((p) => decodeCoverage(p))
    expect(announced.length).toBeGreaterThanOrEqual(1)
    expect(announced[0]).toEqual(expect.objectContaining({ right: [domain(1)] }))
  })

  test("a shard another node announces is covered by a free worker here; a malformed announcement is rejected", async () => {
    const one = newControl()
    const two = newControl()
    const pubsub = new FakePubsub()
    await withHosts(
      tmp(),
      { 1: one, 2: two },
      () =>
        Effect.gen(function* () {
          expect(yield* Effect.promise(() => pubsub.arrive(DEVNET_SHARD_COVERAGE, encodeCoverage(1n, [domain(5), domain(6), domain(7)])))).toBe("accept")
          expect(yield* Effect.promise(() => pubsub.arrive(DEVNET_SHARD_COVERAGE, Uint8Array.of(1, 2, 3)))).toBe("reject")
          expect(yield* Effect.promise(() => pubsub.arrive(DEVNET_SHARD_COVERAGE, new Uint8Array(8)))).toBe("reject")
          for (let i = 0; i < 100 && one.covered.size + two.covered.size < 2; i++) yield* Effect.sleep("10 millis")
        }),
      [Uint8Array.of(1), Uint8Array.of(2)],
      pubsub,
    )
    // Two workers, three shards: the first two are covered, one each; the third has no free worker.
    expect([...one.covered, ...two.covered].sort()).toEqual([bytesToHex(domain(5)), bytesToHex(domain(6))])
  })

  test("with no free worker here a bundle goes to the nodes covering its shard; with nobody to hear it, it is rejected", async () => {
    const pubsub = new FakePubsub()
    const r = await withHosts(
      tmp(),
      { 1: newControl(), 2: newControl() },
      (hosts) =>
        Effect.gen(function* () {
          yield* hosts.submit(bundleFor(1), undefined)
          yield* hosts.submit(bundleFor(2), undefined)
          const third = yield* hosts.submit(bundleFor(3), undefined)
          pubsub.failPublish = "error"
          const fourth = yield* hosts.submit(bundleFor(4), undefined)
          return { third, fourth }
        }),
      [Uint8Array.of(1), Uint8Array.of(2)],
      pubsub,
    )
    expect(r.third.status).toBe("pending")
    expect(pubsub.on(shardChannels(bloomFilter(domain(3))).prover).map((b) => bytesToHex(sha3_256(b)))).toEqual([r.third.id])
    expect(r.fourth).toMatchObject({ status: "rejected", reason: `no data worker covers shard ${bytesToHex(domain(4))}` })
  })

  test("a devnet covers the fixed instances of loaded app intrinsics at start (kv's default instance) on the first free worker", async () => {
    const one = newControl()
    const two = newControl()
    await withHosts(
      tmp(),
      { 1: one, 2: two },
      () =>
        Effect.gen(function* () {
          for (let i = 0; i < 100 && one.covered.size === 0; i++) yield* Effect.sleep("10 millis")
        }),
      COMMITTEE,
      undefined,
      [...builtInIntrinsics, kv],
    )
    expect([...one.covered]).toEqual([bytesToHex(KV_DEFAULT_DOMAIN)])
    expect(two.covered.size).toBe(0)
  })

  test("one shard per worker: the second shard takes the other worker, the third is rejected and remembered", async () => {
    const [one, two] = [newControl(), newControl()]
    const r = await withHosts(tmp(), { 1: one, 2: two }, (hosts) =>
      Effect.gen(function* () {
        const a = yield* hosts.submit(bundleFor(1), undefined)
        const b2 = yield* hosts.submit(bundleFor(2), undefined)
        const c = yield* hosts.submit(bundleFor(3), undefined)
        return { a, b2, c, status: yield* hosts.status(Buffer.from(c.id, "hex")) }
      }),
    )
    expect(one.submitted).toEqual([r.a.id])
    expect(two.submitted).toEqual([r.b2.id])
    const reason = `no data worker covers shard ${bytesToHex(domain(3))}`
    expect(r.c).toMatchObject({ status: "rejected", reason, shard: bytesToHex(domain(3)) })
    expect(r.status).toEqual({ status: "rejected", shard: bytesToHex(domain(3)), frameNumber: null, reason })
  })

  test("a worker that lost its shard is covered again and the bundle retried once; a full mempool is ShardBusy", async () => {
    const one = newControl()
    const r = await withHosts(tmp(), { 1: one, 2: newControl() }, (hosts) =>
      Effect.gen(function* () {
        yield* hosts.submit(bundleFor(1), undefined)
        one.covered.clear() // the worker restarted
        const again = yield* hosts.submit(bundleFor(1), undefined)
        one.full = true
        const busy = yield* Effect.flip(hosts.submit(bundleFor(1), undefined))
        return { again, busy }
      }),
    )
    expect(r.again.status).toBe("pending")
    expect(one.covers.length).toBeGreaterThanOrEqual(2)
    expect(r.busy).toMatchObject({ _tag: "ShardBusy", retryAfterMs: 2500, shard: bytesToHex(domain(1)) })
  })

  test("a duplicate answers its current status; statuses: committed beats pending, unknown everywhere is unknown", async () => {
    const [one, two] = [newControl(), newControl()]
    const bundle = bundleFor(1)
    const id = bytesToHex(sha3_256(bundle))
    const r = await withHosts(tmp(), { 1: one, 2: two }, (hosts) =>
      Effect.gen(function* () {
        yield* hosts.submit(bundle, undefined)
        one.statuses.set(id, { status: "pending", shard: domain(1), frameNumber: null, reason: null })
        two.statuses.set(id, { status: "committed", shard: domain(1), frameNumber: 4n, reason: null })
        const status = yield* hosts.status(sha3_256(bundle))
        one.statuses.set(id, { status: "rejected", shard: domain(1), frameNumber: 5n, reason: "insufficient-fee" })
        const duplicate = yield* hosts.submit(bundle, undefined)
        const unknown = yield* hosts.status(new Uint8Array(32))
        return { status, duplicate, unknown }
      }),
    )
    expect(r.status).toEqual({ status: "committed", shard: bytesToHex(domain(1)), frameNumber: 4, reason: null })
    expect(r.duplicate).toEqual({ id, shard: bytesToHex(domain(1)), status: "rejected", reason: "insufficient-fee" })
    expect(r.unknown).toEqual({ status: "unknown", shard: null, frameNumber: null, reason: null })
  })

  test("a bundle that does not route is BundleInvalid with the routing reason", async () => {
    const e = await withHosts(tmp(), { 1: newControl() }, (hosts) => Effect.flip(hosts.submit(Uint8Array.of(1, 2, 3), undefined)))
    expect(e).toMatchObject({ _tag: "BundleInvalid", reason: "malformed" })
  })

  test("a restarted master covers its allocated shards again right away", async () => {
    const path = tmp()
    await withHosts(path, { 1: newControl(), 2: newControl() }, (hosts) => hosts.submit(bundleFor(9), undefined))
    const one = newControl()
    await withHosts(path, { 1: one, 2: newControl() }, () => Effect.sleep("300 millis"))
    expect(one.covers.map((c) => bytesToHex(c.address))).toContain(bytesToHex(domain(9)))
  })
})
