// One app shard's consensus with four replicas in one process (in-memory transport, LMDB stores, the
// insecure test crypto, TestClock). Each replica's worker is a deterministic fake: takeRequests hands
// out fresh bundles, the FinalizedFrameSink "executes" a frame by folding its bundles into a running
// SHA-512, and stateRootsAt answers the roots after a frame from that. Checked: every replica finalizes
// the same frames in the same order, each bundle lands in at most one finalized frame (and every
// finalized one was handed out once), each header carries the roots after its D-APP-1 frame A on every
// replica, a same-seed rerun is byte-identical, and with two of four down nothing finalizes until they return.
import { describe, expect, test } from "bun:test"
import { mkdirSync, mkdtempSync, rmSync } from "node:fs"
import { join } from "node:path"
import { sha512 } from "@noble/hashes/sha2.js"
import { bytesToHex } from "@noble/hashes/utils.js"
import { Context, Effect, Exit, Layer, Logger, LogLevel, Scope, TestClock, TestContext } from "effect"
import { appGenesisFrame } from "../../actors/consensus/app/app-chain-kind.ts"
import { MAX_GLOBAL_LEAD } from "../../actors/consensus/app/global-lead.ts"
import { type AppShardConsensusRef, appShardConsensusActor } from "../../actors/consensus/app/app-shard-consensus.ts"
import type { AppShardWorkerPorts } from "../../actors/consensus/app/engine.ts"
import { finalizedAncestor } from "../../actors/consensus/app/finalized-ancestor.ts"
import { decodeAppCertifiedFrame } from "../../actors/consensus/app/persistence.ts"
import { CanonicalWriter } from "../../actors/consensus/core/canonical/writer.ts"
import { AppFrameHeader } from "../../actors/consensus/core/messages/app-frame-header.ts"
import { AppShardFrame, encodeAppShardFrame } from "../../actors/consensus/core/messages/app-shard-frame.ts"
import { devnetConsensusConfig } from "../../actors/consensus/global/config.ts"
import { GetCommitted, GetStatus } from "../../actors/consensus/global/protocol.ts"
import { poseidonHashBytes } from "../../crates/ts/poseidon.ts"
import { BlsVerifier, FrameVdf, Poseidon, ProverSigner, type ProverSignerService } from "../../crates/ts/services.ts"
import { ActorSystem } from "../../runtime/kernel/index.ts"
import { makeInMemoryNetwork } from "../../runtime/kernel/transport/in-memory.ts"
import { Transport } from "../../runtime/kernel/transport/transport.ts"
import { StoreLive } from "../../runtime/store/index.ts"
import { insecureTestBlsVerifier, insecureTestVdf, makeInsecureTestSigner, memoizedPoseidon } from "quilbun/testing"

const ADDRESS = new Uint8Array(32).fill(0x5a)
const REPLICAS = 4
const config = devnetConsensusConfig()

class ShardRef extends Context.Tag("test/ShardRef")<ShardRef, AppShardConsensusRef>() {}

/** A worker's execution host, kept across a replica's crash as a durable host would be. */
interface FakeWorker {
  readonly ports: AppShardWorkerPorts
  /** Finalized frames in the order the sink received them. */
  readonly finalized: Array<AppShardFrame>
  /** Every takeRequests answer (hex bundles). */
  readonly handedOut: Array<ReadonlyArray<string>>
  readonly rootsAt: Map<bigint, ReadonlyArray<Uint8Array>>
}

const rootsOf = (digest: Uint8Array): ReadonlyArray<Uint8Array> => [0, 1, 2, 3].map((i) => sha512(new Uint8Array([i, ...digest])))

/** The global chain as the workers see it: a head the test moves, and how often a held leader asked for it. */
interface GlobalChain {
  head: bigint
  refreshes: number
}

const fakeWorker = (replica: number, global?: GlobalChain): FakeWorker => {
  const finalized: Array<AppShardFrame> = []
  const handedOut: Array<ReadonlyArray<string>> = []
  const rootsAt = new Map<bigint, ReadonlyArray<Uint8Array>>([[0n, rootsOf(new Uint8Array(64))]])
  let digest = new Uint8Array(64)
  let counter = 0
  return {
    finalized,
    handedOut,
    rootsAt,
    ports: {
      takeRequests: () =>
        Effect.sync(() => {
          // MessageBundle type prefix, then replica and counter: distinct across replicas and calls.
          const bundles = [0, 1].map(() => new CanonicalWriter(16).u32(0x0312).u32(replica).u32(counter++).finish())
          handedOut.push(bundles.map(bytesToHex))
          return bundles
        }),
      stateRootsAt: (n) => Effect.sync(() => rootsAt.get(n)),
      ...(global === undefined
        ? {}
        : {
            globalHead: Effect.sync(() => global.head),
            refreshGlobalHead: Effect.sync(() => {
              global.refreshes++
            }),
          }),
      finalized: (frames) =>
        Effect.sync(() => {
          for (const { frame } of frames) {
            const last = finalized[finalized.length - 1]?.header.frameNumber ?? 0n
            if (frame.header.frameNumber <= last) throw new Error(`frame ${frame.header.frameNumber} executed twice`)
            // "Execution": the running hash of every bundle finalized so far.
            const w = new CanonicalWriter(1_024).raw(digest)
            for (const b of frame.requests) w.bytes(b)
            digest = sha512(w.finish())
            rootsAt.set(frame.header.frameNumber, rootsOf(digest))
            finalized.push(frame)
          }
        }),
    },
  }
}

const seedBytes = (seed: number, index: number): Uint8Array => new CanonicalWriter(12).u32(0x61707031).u32(seed).u32(index).finish()

interface Replica {
  readonly signer: ProverSignerService
  readonly worker: FakeWorker
  readonly dataDir: string
  scope: Scope.CloseableScope | undefined
  ref: AppShardConsensusRef | undefined
}

const makeShard = (seed: number, global?: GlobalChain) =>
  Effect.gen(function* () {
    const poseidon = memoizedPoseidon(poseidonHashBytes)
    const network = yield* makeInMemoryNetwork({ seed })
    const root = mkdtempSync(join("/dev/shm", "quilbun-app-shard-"))
    yield* Effect.addFinalizer(() => Effect.sync(() => rmSync(root, { recursive: true, force: true })))
    const replicas: Array<Replica> = Array.from({ length: REPLICAS }, (_, i) => ({
      signer: makeInsecureTestSigner(seedBytes(seed, i), poseidon),
      worker: fakeWorker(i, global),
      dataDir: join(root, `replica-${i}`),
      scope: undefined,
      ref: undefined,
    }))
    const committee = replicas.map((r) => ({ address: r.signer.address, publicKey: r.signer.publicKey, seniority: 0n }))
    const replica = (i: number): Replica => {
      const r = replicas[i]
      if (r === undefined) throw new RangeError(`no replica ${i}`)
      return r
    }
    const start = (i: number) =>
      Effect.gen(function* () {
        const r = replica(i)
        mkdirSync(r.dataDir, { recursive: true })
        const scope = yield* Scope.make()
        const endpoint = yield* Scope.extend(network.endpoint(`replica-${i}`), scope)
        const services = Layer.mergeAll(
          StoreLive({ path: r.dataDir }),
          Layer.succeed(Transport, endpoint),
          Layer.succeed(ProverSigner, r.signer),
          Layer.succeed(BlsVerifier, insecureTestBlsVerifier),
          Layer.succeed(Poseidon, poseidon),
          Layer.succeed(FrameVdf, insecureTestVdf),
        )
        const shard = Layer.scoped(
          ShardRef,
          ActorSystem.spawnScoped(appShardConsensusActor({ address: ADDRESS, config, committee: Effect.succeed(committee), worker: r.worker.ports })),
        )
        const context = yield* Layer.build(shard.pipe(Layer.provideMerge(ActorSystem.layer({ rootName: "root" })), Layer.provideMerge(services))).pipe(
          Scope.extend(scope),
          Effect.orDie,
        )
        r.scope = scope
        r.ref = Context.get(context, ShardRef)
      })
    const stop = (i: number) =>
      Effect.gen(function* () {
        const r = replica(i)
        const scope = r.scope
        r.scope = undefined
        r.ref = undefined
        if (scope !== undefined) yield* Scope.close(scope, Exit.void)
      })
    for (let i = 0; i < REPLICAS; i++) yield* start(i)
    yield* Effect.addFinalizer(() => Effect.forEach(replicas, (_, i) => stop(i), { discard: true }))
    const running = () => replicas.flatMap((r, i) => (r.ref === undefined ? [] : [i]))
    const ref = (i: number) => {
      const x = replica(i).ref
      if (x === undefined) throw new Error(`replica ${i} is down`)
      return x
    }
    const head = (i: number) => Effect.map(ref(i).ask(new GetStatus()).pipe(Effect.orDie), (s) => s.committedHead.frameNumber)
    const heads = Effect.suspend(() => Effect.forEach(running(), head))
    const runUntil = (done: Effect.Effect<boolean>, maxMs = 30_000) =>
      Effect.gen(function* () {
        for (let t = 0; t <= maxMs; t += 50) {
          if (yield* done) return true
          yield* TestClock.adjust(50)
        }
        return yield* done
      })
    const allAtLeast = (n: bigint) => Effect.map(heads, (hs) => hs.every((h) => h >= n))
    const committed = (i: number, to: bigint) =>
      ref(i)
        .ask(new GetCommitted({ from: 1n, to }))
        .pipe(Effect.orDie)
    const genesis = yield* appGenesisFrame(ADDRESS, config.genesisDifficulty).pipe(Effect.provideService(FrameVdf, insecureTestVdf), Effect.orDie)
    const status = (i: number) => ref(i).ask(new GetStatus()).pipe(Effect.orDie)
    return { replicas, network, start, stop, head, heads, status, runUntil, allAtLeast, committed, poseidon, genesis }
  })

const runShard = <A>(seed: number, body: (shard: Effect.Effect.Success<ReturnType<typeof makeShard>>) => Effect.Effect<A>, global?: GlobalChain): Promise<A> =>
  Effect.runPromise(
    Effect.gen(function* () {
      return yield* body(yield* makeShard(seed, global))
    }).pipe(Effect.scoped, Effect.provide(TestContext.TestContext), Logger.withMinimumLogLevel(LogLevel.Error)),
  )

const TARGET = 10n

/** A committed frame's bytes without the QC and the header signature it gave the frame. */
const uncertified = (bytes: Uint8Array): string => {
  const { frame } = decodeAppCertifiedFrame(bytes)
  const { publicKeySignatureBls48581: _signature, ...header } = frame.header
  return bytesToHex(encodeAppShardFrame(new AppShardFrame({ header: new AppFrameHeader(header), requests: frame.requests })))
}

/** Runs the shard to TARGET and returns each replica's committed chain 1..TARGET (frame ‖ QC bytes, hex) and worker. */
const runToTarget = (seed: number) =>
  runShard(seed, (shard) =>
    Effect.gen(function* () {
      const reached = yield* shard.runUntil(shard.allAtLeast(TARGET))
      const chains: Array<ReadonlyArray<string>> = []
      for (let i = 0; i < REPLICAS; i++) chains.push((yield* shard.committed(i, TARGET)).map(bytesToHex))
      return { reached, chains, workers: shard.replicas.map((r) => r.worker), poseidon: shard.poseidon, genesis: shard.genesis }
    }),
  )

describe("app shard consensus, 4 replicas", () => {
  test("every replica finalizes the same frames in order; bundles land once; headers carry the roots after their frame A", async () => {
    const r = await runToTarget(11)
    expect(r.reached).toBe(true)
    const [first, ...others] = r.chains
    expect(first).toHaveLength(Number(TARGET))
    for (const c of others) expect(c).toEqual(first ?? [])
    // The sink saw the stored chain, in order, on every replica.
    const stored = (first ?? []).map((hex) => decodeAppCertifiedFrame(Buffer.from(hex, "hex")).frame)
    for (const w of r.workers) {
      expect(w.finalized.slice(0, stored.length).map((f) => bytesToHex(encodeAppShardFrame(f)))).toEqual(stored.map((f) => bytesToHex(encodeAppShardFrame(f))))
    }
    // Bundles: none twice, each finalized one handed out by exactly one takeRequests answer, as a whole.
    const handedOut = r.workers.flatMap((w) => w.handedOut)
    const finalizedBundles = stored.flatMap((f) => f.requests.map(bytesToHex))
    expect(new Set(finalizedBundles).size).toBe(finalizedBundles.length)
    expect(finalizedBundles.length).toBeGreaterThan(0)
    for (const f of stored) {
      const answers = handedOut.filter((a) => a.length === f.requests.length && a.every((b, i) => b === bytesToHex(f.requests[i] ?? new Uint8Array())))
      expect(answers).toHaveLength(1)
    }
    // State roots (D-APP-1): each header's roots are what stateRootsAt answers at its frame A, on every replica.
    const bySelector = new Map([r.genesis, ...stored].map((f) => [bytesToHex(r.poseidon(f.header.output)), f]))
    const lookup = (selector: Uint8Array) => bySelector.get(bytesToHex(selector))
    const anchors: Array<bigint> = []
    for (const f of stored) {
      const parent = lookup(f.header.parentSelector)
      if (parent === undefined) throw new Error(`parent of frame ${f.header.frameNumber} not finalized`)
      const a = finalizedAncestor(parent, lookup)
      if (a === undefined) throw new Error(`no frame A for ${f.header.frameNumber}`)
      anchors.push(a.header.frameNumber)
      for (const w of r.workers) expect(f.header.stateRoots).toEqual([...(w.rootsAt.get(a.header.frameNumber) ?? [])])
    }
    // On a healthy run A is the grandparent: frame n carries the state after frame n − 2.
    expect(anchors.slice(2)).toEqual(stored.slice(2).map((f) => f.header.frameNumber - 2n))
  }, 60_000)

  test("a replica that learns each QC only from the next proposal finalizes (and executes) frame A before validating it", async () => {
    const r = await runShard(14, (shard) =>
      Effect.gen(function* () {
        // Votes never reach replica 3: it cannot build a QC, so the parent QC first arrives inside a proposal,
        // and that proposal's roots are those of a frame the same QC finalizes (the core's settle step).
        shard.network.intercept((m) =>
          m.to === "replica-3" && m.data.length >= 4 && new DataView(m.data.buffer, m.data.byteOffset, 4).getUint32(0) === 0x030c ? [] : [m.data],
        )
        const reached = yield* shard.runUntil(shard.allAtLeast(6n), 60_000)
        const lagging = yield* shard.status(3)
        const chains: Array<ReadonlyArray<string>> = []
        for (let i = 0; i < REPLICAS; i++) chains.push((yield* shard.committed(i, 6n)).map(uncertified))
        return { reached, lagging, chains }
      }),
    )
    expect(r.reached).toBe(true)
    expect(r.lagging.rejections).toEqual([])
    expect(r.lagging.votesSent).toBeGreaterThan(0)
    const [first, ...others] = r.chains
    for (const c of others) expect(c).toEqual(first ?? [])
  }, 60_000)

  test("a same-seed rerun gives byte-identical app chains", async () => {
    const a = await runToTarget(12)
    const b = await runToTarget(12)
    expect(a.reached && b.reached).toBe(true)
    expect(b.chains).toEqual(a.chains)
  }, 60_000)

  test("with two of four replicas down nothing is finalized; after they return the chain continues", async () => {
    const r = await runShard(13, (shard) =>
      Effect.gen(function* () {
        const started = yield* shard.runUntil(shard.allAtLeast(3n))
        yield* shard.stop(2)
        yield* shard.stop(3)
        // Let what was already in flight settle, then watch the two survivors for a while.
        yield* TestClock.adjust(2_000)
        const stalledAt = yield* shard.heads
        yield* TestClock.adjust(20_000)
        const stillAt = yield* shard.heads
        yield* shard.start(2)
        yield* shard.start(3)
        const target = (stillAt[0] ?? 0n) + 4n
        const resumed = yield* shard.runUntil(shard.allAtLeast(target), 60_000)
        // Frames without their certificate: after the outage two QCs (different signer sets, both valid) may
        // certify one frame, and each replica keeps the one its finalizing child carried.
        const chains: Array<ReadonlyArray<string>> = []
        for (let i = 0; i < REPLICAS; i++) chains.push((yield* shard.committed(i, target)).map(uncertified))
        return { started, stalledAt, stillAt, resumed, chains, target }
      }),
    )
    expect(r.started).toBe(true)
    expect(r.stillAt).toEqual(r.stalledAt)
    expect(r.resumed).toBe(true)
    const [first, ...others] = r.chains
    expect(first).toHaveLength(Number(r.target))
    for (const c of others) expect(c).toEqual(first ?? [])
  }, 90_000)

  test("a leader numbers no frame more than MAX_GLOBAL_LEAD past the global head it knows: the shard waits, then follows the global chain", async () => {
    const global: GlobalChain = { head: 3n, refreshes: 0 }
    const r = await runShard(
      15,
      (shard) =>
        Effect.gen(function* () {
          // The global chain stands still for many shard rounds (a round is well under a second here).
          yield* TestClock.adjust(5_000)
          const held = yield* shard.heads
          const refreshes = global.refreshes
          const waiting = (yield* shard.status(0)).currentRank
          // It moves: one jump, then a frame a second, as a global chain slower than the shard's rounds.
          global.head = 9n
          const jumped = yield* shard.runUntil(shard.allAtLeast(9n), 30_000)
          for (let g = 10n; g <= 14n; g++) {
            global.head = g
            yield* TestClock.adjust(1_000)
          }
          const followed = yield* shard.runUntil(shard.allAtLeast(14n), 30_000)
          const heads = yield* shard.heads
          const chains: Array<ReadonlyArray<string>> = []
          for (let i = 0; i < REPLICAS; i++) chains.push((yield* shard.committed(i, 14n)).map(bytesToHex))
          return { held, refreshes, waiting, jumped, followed, heads, chains }
        }),
      global,
    )
    // Held at the bound, not short of it and not past it: frames 4 and 5 are proposed, 4 finalized by 5's QC.
    for (const h of r.held) {
      expect(h).toBeGreaterThanOrEqual(3n)
      expect(h).toBeLessThanOrEqual(3n + MAX_GLOBAL_LEAD)
    }
    // The held leaders kept asking for a newer head (a waiting shard submits nothing, so hears nothing
    // otherwise): at every retry, far more often than the few frames proposed.
    expect(r.refreshes).toBeGreaterThan(20)
    expect(r.waiting).toBeGreaterThan(1n)
    // No stall once the global chain moves, and never past the bound of the last head.
    expect(r.jumped).toBe(true)
    expect(r.followed).toBe(true)
    for (const h of r.heads) expect(h).toBeLessThanOrEqual(14n + MAX_GLOBAL_LEAD)
    const [first, ...others] = r.chains
    expect(first?.length ?? 0).toBeGreaterThan(0)
    for (const c of others) expect(c).toEqual(first ?? [])
    const numbers = (first ?? []).map((hex) => decodeAppCertifiedFrame(Buffer.from(hex, "hex")).frame.header.frameNumber)
    // The jump: the first frame proposed after it takes the global head's number (§1.6 step 4), skipping 6–8.
    expect(numbers).toContain(9n)
    for (const skipped of [6n, 7n, 8n]) expect(numbers).not.toContain(skipped)
    console.log(`held at ${r.held.join(",")} (global 3), ${r.refreshes} refreshes; frames ${numbers.join(",")}`)
  }, 90_000)
})
