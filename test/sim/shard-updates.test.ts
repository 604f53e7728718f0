// Certified app-shard headers in global frames, in one process under TestClock: a 4-node global devnet
// (each node with its shard-update pool, as a master runs it) and one app shard whose 4 replicas are the
// same provers (the shard's committee is the genesis committee). Each replica's FinalizedFrameSink hands
// its finalized frames to its own node's pool through the real sender (forked ask; the answer's global
// head drives the shard's frame numbers, D-APP-5; a leader held by the lead bound asks it, D-APP-17). Checked: global frames carry ProverShardUpdates; every
// node committed byte-identical frames; per shard the updates strictly increase and each is below the
// global frame carrying it (D-GC-17); each carried header is a header the shard finalized; and how often
// the reference's exact "global = shard + 1" held (printed: the reason for D-GC-17). Rewards (§9): every
// node's registry pays each carried update's signers share_r, identically, from its own committed chain.
import { describe, expect, test } from "bun:test"
import { mkdirSync, mkdtempSync, rmSync } from "node:fs"
import { join } from "node:path"
import { sha512 } from "@noble/hashes/sha2.js"
import { bytesToHex } from "@noble/hashes/utils.js"
import { Context, Effect, Either, Exit, Layer, Logger, LogLevel, Scope, TestContext } from "effect"
import { type AppShardConsensusRef, appShardConsensusActor } from "../../actors/consensus/app/app-shard-consensus.ts"
import type { AppShardWorkerPorts } from "../../actors/consensus/app/engine.ts"
import { makeShardUpdateSender } from "../../actors/consensus/app/shard-update-sender.ts"
import { CanonicalWriter } from "../../actors/consensus/core/canonical/writer.ts"
import { encodeAppFrameHeader } from "../../actors/consensus/core/messages/app-frame-header.ts"
import { decodeProverShardUpdate } from "../../actors/consensus/core/messages/prover-shard-update.ts"
import { shardFrameShare } from "../../actors/consensus/core/reward/pomw.ts"
import { bitmaskIndices } from "../../actors/consensus/core/signer-bitmask.ts"
import { devnetConsensusConfig } from "../../actors/consensus/global/config.ts"
import { nominalShardSizes } from "../../actors/consensus/global/shard-reward-feed.ts"
import { GetRewardProgress, ListProvers } from "../../actors/prover-registry/index.ts"
import { decodeCertifiedFrame } from "../../actors/consensus/global/persistence.ts"
import { BlsVerifier, FrameVdf, Poseidon, ProverSigner } from "../../crates/ts/services.ts"
import { ActorSystem } from "../../runtime/kernel/index.ts"
import { makeInMemoryNetwork } from "../../runtime/kernel/transport/in-memory.ts"
import { Transport } from "../../runtime/kernel/transport/transport.ts"
import { StoreLive } from "../../runtime/store/index.ts"
import { type Devnet, insecureTestBlsVerifier, insecureTestVdf, makeDevnet } from "quilbun/testing"
import { allAtLeast, chainsConsistent, runDevnet } from "./helpers.ts"

const ADDRESS = new Uint8Array(32).fill(0x5a)
const NODES = 4
const rootsOf = (digest: Uint8Array): ReadonlyArray<Uint8Array> => [0, 1, 2, 3].map((i) => sha512(new Uint8Array([i, ...digest])))

class ShardRef extends Context.Tag("test/ShardUpdatesShardRef")<ShardRef, AppShardConsensusRef>() {}

/** Replica i of the shard: node i's signer, its own store and actor system, a fake worker that submits finalized headers to node i's pool. */
const startReplica = (
  devnet: Devnet,
  i: number,
  root: string,
  network: Effect.Effect.Success<ReturnType<typeof makeInMemoryNetwork>>,
  finalized: Map<string, string>,
) =>
  Effect.gen(function* () {
    const scope = yield* Effect.scope
    const node = devnet.nodes[i]
    if (node === undefined) throw new RangeError(`no node ${i}`)
    const sender = makeShardUpdateSender(devnet.shardUpdates(i), scope)
    const rootsAt = new Map<bigint, ReadonlyArray<Uint8Array>>([[0n, rootsOf(new Uint8Array(64))]])
    let digest = new Uint8Array(64)
    let counter = 0
    const ports: AppShardWorkerPorts = {
      takeRequests: () => Effect.sync(() => [new CanonicalWriter(16).u32(0x0312).u32(i).u32(counter++).finish()]),
      stateRootsAt: (n) => Effect.sync(() => rootsAt.get(n)),
      globalHead: sender.globalHead,
      refreshGlobalHead: sender.refreshGlobalHead,
      finalized: (frames) =>
        Effect.gen(function* () {
          for (const certified of frames) {
            const { frame } = certified
            const w = new CanonicalWriter(1_024).raw(digest)
            for (const b of frame.requests) w.bytes(b)
            digest = sha512(w.finish())
            rootsAt.set(frame.header.frameNumber, rootsOf(digest))
            finalized.set(`${i}:${frame.header.frameNumber}`, bytesToHex(encodeAppFrameHeader(frame.header)))
            yield* sender.submit(certified)
          }
        }),
    }
    const dir = join(root, `replica-${i}`)
    mkdirSync(dir, { recursive: true })
    const endpoint = yield* network.endpoint(`replica-${i}`)
    const services = Layer.mergeAll(
      StoreLive({ path: dir }),
      Layer.succeed(Transport, endpoint),
      Layer.succeed(ProverSigner, node.signer),
      Layer.succeed(BlsVerifier, insecureTestBlsVerifier),
      Layer.succeed(Poseidon, devnet.poseidon),
      Layer.succeed(FrameVdf, insecureTestVdf),
    )
    const shard = Layer.scoped(
      ShardRef,
      ActorSystem.spawnScoped(
        appShardConsensusActor({ address: ADDRESS, config: devnetConsensusConfig(), committee: Effect.succeed(devnet.committee), worker: ports }),
      ),
    )
    yield* Layer.build(shard.pipe(Layer.provideMerge(ActorSystem.layer({ rootName: `worker-${i}` })), Layer.provideMerge(services))).pipe(Effect.orDie)
  })

interface Carried {
  readonly global: bigint
  readonly shard: bigint
  readonly header: string
}

const run = (seed: number, minUpdates: number) =>
  Effect.runPromise(
    Effect.gen(function* () {
      const devnet = yield* makeDevnet({ nodes: NODES, seed, shardUpdates: true })
      const root = mkdtempSync(join("/dev/shm", "quilbun-shard-updates-"))
      yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(root, { recursive: true, force: true })))
      const network = yield* makeInMemoryNetwork({ seed })
      const finalized = new Map<string, string>()
      const replicas = yield* Scope.make()
      yield* Effect.addFinalizer(() => Scope.close(replicas, Exit.void))
      for (let i = 0; i < NODES; i++) yield* startReplica(devnet, i, root, network, finalized).pipe(Scope.extend(replicas))
      const carriedBy = (index: number) =>
        Effect.gen(function* () {
          const st = yield* devnet.status(index)
          const frames = yield* devnet.committed(index, 1n, st.committedHead.frameNumber)
          return {
            chain: frames.map(bytesToHex),
            carried: frames.flatMap((bytes): Array<Carried> => {
              const { frame } = decodeCertifiedFrame(bytes)
              return frame.requests.flatMap((r) => {
                const d = decodeProverShardUpdate(r)
                return d._tag === "Right"
                  ? [{ global: frame.header.frameNumber, shard: d.right.header.frameNumber, header: bytesToHex(encodeAppFrameHeader(d.right.header)) }]
                  : []
              })
            }),
          }
        })
      const enough = (n: number) => Effect.map(Effect.forEach([0, 1, 2, 3], carriedBy), (all) => all.every((c) => c.carried.length >= n))
      // Each registry's balances and the frame it has paid through; the ask queues behind the pending credit notes.
      const rewards = Effect.forEach([0, 1, 2, 3], (i) =>
        Effect.all({ progress: devnet.registry(i).ask(new GetRewardProgress()), provers: devnet.registry(i).ask(new ListProvers()) }),
      )
      const halfway = (yield* devnet.runUntil(enough(Math.ceil(minUpdates / 2)), { stepMs: 50, maxMs: 120_000 })) ? yield* rewards : undefined
      const reached = yield* devnet.runUntil(enough(minUpdates), { stepMs: 50, maxMs: 120_000 })
      const views = yield* Effect.forEach([0, 1, 2, 3], carriedBy)
      const committee = devnet.committee.map((p) => p.address).sort(Buffer.compare)
      return {
        reached,
        views,
        finalized,
        halfway,
        end: yield* rewards,
        committee,
        frames: yield* devnet.committed(0, 1n, (yield* devnet.status(0)).committedHead.frameNumber),
      }
    }).pipe(Effect.scoped, Effect.provide(TestContext.TestContext), Logger.withMinimumLogLevel(LogLevel.Error)),
  )

// One devnet run serves the carrying test and the rewards test.
let shared: ReturnType<typeof run> | undefined
const sharedRun = () => {
  shared ??= run(21, 8)
  return shared
}

/** What a registry that paid through global frame `through` must hold: Σ share(ring 0) per set bit of every carried update (4 provers: one ring). */
const expectedBalances = (frames: ReadonlyArray<Uint8Array>, committee: ReadonlyArray<Uint8Array>, through: bigint) => {
  const sizes = nominalShardSizes(ADDRESS)
  const balances = new Map<string, bigint>()
  const lastActive = new Map<string, bigint>()
  for (const bytes of frames) {
    const { frame } = decodeCertifiedFrame(bytes)
    if (frame.header.frameNumber > through) break
    for (const request of frame.requests) {
      const update = decodeProverShardUpdate(request)
      if (update._tag === "Left") continue
      const header = update.right.header
      const share = Either.getOrThrow(shardFrameShare(BigInt(header.difficulty), sizes.worldSize, 0, sizes.leafCount, sizes.stateSize))
      for (const index of bitmaskIndices(header.publicKeySignatureBls48581?.bitmask ?? new Uint8Array())) {
        const key = bytesToHex(committee[index] ?? new Uint8Array())
        balances.set(key, (balances.get(key) ?? 0n) + share)
        lastActive.set(key, frame.header.frameNumber)
      }
    }
  }
  return { balances, lastActive }
}

describe("ProverShardUpdates: certified app-shard headers in global frames", () => {
  test("global frames carry the shard's certified headers; every node agrees; numbers increase and trail the global frame", async () => {
    const r = await sharedRun()
    expect(r.reached).toBe(true)
    // Byte-identical committed global chains up to the shortest.
    const shortest = Math.min(...r.views.map((v) => v.chain.length))
    for (const v of r.views) expect(v.chain.slice(0, shortest)).toEqual(r.views[0]?.chain.slice(0, shortest) ?? [])
    const carried = r.views[0]?.carried ?? []
    expect(carried.length).toBeGreaterThanOrEqual(8)
    // Per shard strictly increasing, each below (and within the window of) the global frame that carries it.
    for (let k = 0; k < carried.length; k++) {
      const c = carried[k]
      if (c === undefined) continue
      expect(c.shard).toBeLessThan(c.global)
      expect(c.global - c.shard).toBeLessThanOrEqual(32n)
      if (k > 0) expect(c.shard).toBeGreaterThan(carried[k - 1]?.shard ?? 0n)
    }
    // Each carried header is one the shard finalized (identical on the replica that finalized it).
    const finalizedHeaders = new Set(r.finalized.values())
    for (const c of carried) expect(finalizedHeaders.has(c.header)).toBe(true)
    // The reference's "global = shard + 1": how often it held here.
    const exact = carried.filter((c) => c.global === c.shard + 1n).length
    const lags = carried.map((c) => Number(c.global - c.shard))
    console.log(
      `shard updates: ${carried.length} carried; global = shard + 1 in ${exact} (${Math.round((100 * exact) / carried.length)}%); lag global − shard min ${Math.min(...lags)} max ${Math.max(...lags)}`,
    )
  }, 180_000)

  test("every node pays each carried shard frame's signers the same share_r: balances and last-active frames equal the chain's, and grow", async () => {
    const r = await sharedRun()
    expect(r.reached).toBe(true)
    const snapshots = [r.halfway, r.end]
    for (const snapshot of snapshots) {
      expect(snapshot).toBeDefined()
      for (const node of snapshot ?? []) {
        expect(node.progress.paying).toBe(true)
        const want = expectedBalances(r.frames, r.committee, node.progress.creditedThrough)
        expect(node.provers.map((p) => bytesToHex(p.record.address))).toEqual(r.committee.map(bytesToHex))
        for (const p of node.provers) {
          const key = bytesToHex(p.record.address)
          expect(p.reward).toBe(want.balances.get(key) ?? 0n)
          expect(p.record.allocations[0]?.lastActiveFrameNumber).toBe(want.lastActive.get(key) ?? 0n)
          expect(p.rings).toEqual([0])
        }
      }
    }
    // Nodes that paid through the same frame hold identical balances; by the end every prover has earned, and more than halfway.
    const total = (node: { readonly provers: ReadonlyArray<{ readonly reward: bigint }> }) => node.provers.reduce((sum, p) => sum + p.reward, 0n)
    const end = r.end
    for (const node of end) for (const p of node.provers) expect(p.reward).toBeGreaterThan(0n)
    for (const [i, node] of end.entries()) expect(total(node)).toBeGreaterThan(total(r.halfway?.[i] ?? { provers: [] }))
    const byCursor = new Map<bigint, string>()
    for (const node of [...(r.halfway ?? []), ...end]) {
      const key = node.progress.creditedThrough
      const balances = JSON.stringify(node.provers.map((p) => [bytesToHex(p.record.address), String(p.reward)]))
      expect(byCursor.get(key) ?? balances).toBe(balances)
      byCursor.set(key, balances)
    }
    console.log(
      `rewards: paid through frames ${end.map((n) => n.progress.creditedThrough).join("/")}; per-prover balances ${end[0]?.provers.map((p) => p.reward).join(", ")}`,
    )
  }, 180_000)

  test("a leader whose frame carries a bad update: the others reject it (BadShardUpdate, its reason) and do not vote; the chain goes on without it", async () => {
    const r = await runDevnet({ nodes: NODES, seed: 22 }, (devnet) =>
      Effect.gen(function* () {
        devnet.byzantine(1, "bad-shard-update")
        const rejected = Effect.map(devnet.statuses, (all) => all.some((st) => st.rejections.some((x) => x.reason === "BadShardUpdate")))
        const reached = yield* devnet.runUntil(
          Effect.zipWith(rejected, allAtLeast(devnet, 8n, [0, 2, 3]), (a, b) => a && b),
          { maxMs: 120_000 },
        )
        const statuses = yield* devnet.statuses
        const byzantine = devnet.nodes[1]?.signer.address ?? new Uint8Array()
        const head = yield* devnet.status(0)
        const frames = yield* devnet.committed(0, 1n, head.committedHead.frameNumber)
        return { reached, statuses, byzantine, frames, consistent: yield* chainsConsistent(devnet) }
      }),
    )
    expect(r.reached).toBe(true)
    expect(r.consistent).toBe(true)
    const rejections = r.statuses.flatMap((st) => st.rejections).filter((x) => x.reason === "BadShardUpdate")
    expect(rejections.length).toBeGreaterThan(0)
    for (const x of rejections) {
      expect(x.kind).toBe("proposal")
      expect(x.prover).toBe(bytesToHex(r.byzantine))
      expect(x.detail).toContain("undecodable")
    }
    // No committed frame carries the bad request; the byzantine leader's rounds time out instead.
    for (const bytes of r.frames) expect(decodeCertifiedFrame(bytes).frame.requests).toEqual([])
  }, 180_000)
})
