// The worker side of an app shard in one process: the shard host with a real execution host (the
// hypergraph intrinsic, the vector-commitment committer over LMDB) and a real app-shard consensus
// (one prover, insecure test crypto, live clock). A deploy and writes to the new instance go in as
// bundles and come out committed, in finalized frames, with the shard's roots moving; a bundle already
// decided is not applied again; a bad bundle is rejected with its reason; the mempool bound answers full;
// each executed finalized frame is handed on (with its QC) for the master's shard-update pool.
import { describe, expect, test } from "bun:test"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { bytesToHex } from "@noble/hashes/utils.js"
import { Effect, Layer, Logger, LogLevel } from "effect"
import { appShardConsensusActor } from "../../actors/consensus/app/app-shard-consensus.ts"
import { pendingBundleRows } from "../../actors/consensus/app/pending-bundles.ts"
import { shardHostActor } from "../../actors/consensus/app/shard-host.ts"
import { BundleStatus, CoverShard, ListShards, SubmitBundle } from "../../actors/consensus/app/shard-host-protocol.ts"
import type { CertifiedFrame } from "../../actors/consensus/core/chain-kind.ts"
import type { AppShardFrame } from "../../actors/consensus/core/messages/app-shard-frame.ts"
import { devnetConsensusConfig } from "../../actors/consensus/global/config.ts"
import { Execution, ExecutionLive, Query } from "../../actors/execution/index.ts"
import { feeManagerActor } from "../../actors/fee-manager/index.ts"
import { poseidonHashBytes } from "../../crates/ts/poseidon.ts"
import { BlsVerifier, FrameVdf, Poseidon, ProverSigner } from "../../crates/ts/services.ts"
import { loadIntrinsics } from "../../intrinsics/contract/index.ts"
import { encodeMessageBundle } from "../../intrinsics/contract/index.ts"
import { hypergraphBuilders as b } from "../../intrinsics/hypergraph/builders.ts"
import { hypergraphIntrinsic } from "../../intrinsics/hypergraph/index.ts"
import { ActorSystem } from "../../runtime/kernel/index.ts"
import { makeInMemoryNetwork } from "../../runtime/kernel/transport/in-memory.ts"
import { Transport } from "../../runtime/kernel/transport/transport.ts"
import { instanceTypeTag } from "../../runtime/node/intrinsics.ts"
import { Store, StoreLive } from "../../runtime/store/index.ts"
import { insecureTestBlsVerifier, insecureTestVdf, makeInsecureTestSigner, memoizedPoseidon } from "quilbun/testing"
import { buildEnv, instanceDomain, testConfig, testCrypto, testSchema, writeSecret } from "../unit/intrinsics/hypergraph/fixtures/hypergraph-env.ts"

const build = <A>(builder: { build: (a: A, e: typeof buildEnv) => Effect.Effect<Uint8Array, unknown> }, args: A) =>
  Effect.runSync(builder.build(args, buildEnv))
let clock = 1_700_000_000_000n
const bundleOf = (op: Uint8Array) => encodeMessageBundle([op], clock++)
const put = (n: number, text: string) =>
  bundleOf(
    build(b.putVertex, {
      domain: instanceDomain,
      entries: [{ key: Uint8Array.of(0), value: new TextEncoder().encode(text) }],
      dataAddress: new Uint8Array(32).fill(n),
      signingKey: writeSecret,
    }),
  )

/** A host over a fresh store, removed after; or over `keep`'s store, left for a second host (a restarted worker). */
const withShardHost = <A>(body: (host: Effect.Effect.Success<typeof spawnHost>) => Effect.Effect<A, unknown>, keep?: string) => {
  const dir = keep ?? mkdtempSync(join(tmpdir(), "quilbun-shard-host-"))
  const base = Layer.mergeAll(ActorSystem.layer({ rootName: "worker-1" }), StoreLive({ path: join(dir, "store") }))
  const execution = ExecutionLive([hypergraphIntrinsic], { crypto: testCrypto, network: 1, feeMultiplier: () => 0n, typeTagOf: instanceTypeTag }).pipe(
    Layer.orDie,
  )
  return Effect.runPromise(
    (Effect.scoped(Effect.flatMap(spawnHost, body)) as Effect.Effect<A, unknown, Store | ActorSystem.ActorSystem | Execution>).pipe(
      Effect.provide(execution.pipe(Layer.provideMerge(base))),
      Logger.withMinimumLogLevel(LogLevel.Warning),
      Effect.ensuring(Effect.sync(() => (keep === undefined ? rmSync(dir, { recursive: true, force: true }) : undefined))),
    ),
  )
}

const spawnHost = Effect.gen(function* () {
  const system = yield* ActorSystem.ActorSystem
  const store = yield* Store
  const execution = yield* Execution
  const poseidon = memoizedPoseidon(poseidonHashBytes)
  const signer = makeInsecureTestSigner(new Uint8Array(12).fill(7), poseidon)
  const network = yield* makeInMemoryNetwork({ seed: 1 })
  const endpoint = yield* network.endpoint("worker-1")
  const fees = yield* system.spawn(feeManagerActor())
  const registry = yield* loadIntrinsics([hypergraphIntrinsic]).pipe(Effect.orDie)
  // What the host hands to the master's shard-update pool (D-APP-11).
  const submitted: Array<CertifiedFrame<AppShardFrame>> = []
  const host = yield* system.spawn(
    shardHostActor({
      execution,
      fees,
      store,
      routing: { registry, network: 1, crypto: testCrypto, typeTagOf: instanceTypeTag },
      mempool: { maxBundles: 8, maxBytes: 1_000_000, maxAgeFrames: 5n },
      submitCertified: (certified) => Effect.sync(() => submitted.push(certified)),
      startConsensus: (address, committee, _params, ports) =>
        system
          .spawn(
            appShardConsensusActor({
              address,
              config: devnetConsensusConfig(),
              committee: Effect.succeed(committee.map((publicKey) => ({ address: poseidon(publicKey), publicKey, seniority: 0n }))),
              worker: ports,
            }),
          )
          .pipe(
            Effect.provideService(Store, store),
            Effect.provideService(Transport, endpoint),
            Effect.provideService(ProverSigner, signer),
            Effect.provideService(BlsVerifier, insecureTestBlsVerifier),
            Effect.provideService(Poseidon, poseidon),
            Effect.provideService(FrameVdf, insecureTestVdf),
            Effect.orDie,
          ),
    }),
  )
  const coverWith = (committee: ReadonlyArray<Uint8Array>) =>
    host.ask(new CoverShard({ address: instanceDomain, committee, params: { network: 1, devnet: true } }))
  const cover = coverWith([signer.publicKey])
  const submit = (bundle: Uint8Array) => host.ask(new SubmitBundle({ bundle, shard: instanceDomain }))
  const statusOf = (id: Uint8Array) => host.ask(new BundleStatus({ id }))
  const decided = (id: Uint8Array, maxMs = 30_000) =>
    Effect.gen(function* () {
      for (let waited = 0; waited < maxMs; waited += 50) {
        const s = yield* statusOf(id)
        if (s.status === "committed" || s.status === "rejected") return s
        yield* Effect.sleep("50 millis")
      }
      return yield* statusOf(id)
    })
  return { host, execution, store, cover, coverWith, signer, poseidon, submit, statusOf, decided, submitted }
})

describe("shard host (worker side of an app shard, in process)", () => {
  test(
    "a deploy and writes to its instance commit through app consensus and execution; roots move; nothing applies twice",
    () =>
      withShardHost((h) =>
        Effect.gen(function* () {
          expect((yield* h.cover).address).toEqual(instanceDomain)
          // Covering again is idempotent (the master re-sends it every few seconds).
          yield* h.cover
          const deploy = bundleOf(build(b.deploy, { config: testConfig, schema: testSchema }))
          const accepted = yield* h.submit(deploy)
          expect(accepted.outcome).toBe("accepted")
          expect((yield* h.submit(deploy)).outcome).toBe("duplicate")
          const deployed = yield* h.decided(accepted.id)
          expect(deployed).toMatchObject({ status: "committed", reason: null })
          const writes = [put(1, "alice"), put(2, "bob")]
          const ids = []
          for (const w of writes) ids.push((yield* h.submit(w)).id)
          for (const id of ids) expect((yield* h.decided(id)).status).toBe("committed")
          // A decided bundle submitted again is a duplicate, never a second application.
          expect((yield* h.submit(writes[0] ?? new Uint8Array())).outcome).toBe("duplicate")
          // Decided bundles leave the durable mempool too: nothing is reloaded after a restart.
          expect(h.store.repository(pendingBundleRows).range().length).toBe(0)
          const vertex = yield* h.execution.ask(
            new Query({ intrinsic: "hypergraph", name: "vertex", args: { id: bytesToHex(instanceDomain) + bytesToHex(new Uint8Array(32).fill(2)) } }),
          )
          expect(JSON.stringify(vertex)).toContain(bytesToHex(new TextEncoder().encode("bob")))
          const [shard] = yield* h.host.ask(new ListShards())
          expect(shard?.bundlesCommitted).toBe(3)
          expect(shard?.frameNumber).toBeGreaterThan(1n)
          expect(shard?.stateRoots.length).toBe(4)
          expect(bytesToHex(shard?.stateRoots[0] ?? new Uint8Array())).not.toBe("00".repeat(64))
          // Every executed finalized frame went to the master, in order, as the header its QC certifies.
          const numbers = h.submitted.map((c) => c.frame.header.frameNumber)
          expect(numbers).toContain(deployed.frameNumber ?? -1n)
          for (let i = 1; i < numbers.length; i++) expect(numbers[i] ?? 0n).toBeGreaterThan(numbers[i - 1] ?? 0n)
          for (const c of h.submitted) {
            expect(c.qc.frameNumber).toBe(c.frame.header.frameNumber)
            expect(c.frame.header.publicKeySignatureBls48581?.signature).toEqual(c.qc.aggregateSignature?.signature)
          }
        }),
      ),
    60_000,
  )

  test(
    "a bundle the host refuses is rejected with its reason; a bundle for another shard is refused up front",
    () =>
      withShardHost((h) =>
        Effect.gen(function* () {
          yield* h.cover
          // A write to an instance that was never deployed: routed fine, refused by execution.
          const orphan = yield* h.submit(put(3, "nobody deployed this"))
          const status = yield* h.decided(orphan.id)
          expect(status.status).toBe("rejected")
          expect(status.reason ?? "").toContain("expired: not proposable within 5 frames")
          expect(status.reason ?? "").toContain("unknown-domain")
          const other = yield* Effect.either(h.host.ask(new SubmitBundle({ bundle: put(4, "x"), shard: new Uint8Array(32).fill(9) })))
          expect(other._tag === "Left" && other.left._tag).toBe("ShardNotCovered")
        }),
      ),
    60_000,
  )

  test(
    "a full mempool refuses with MempoolFull (the API's 503 + Retry-After) and takes bundles again once frames drain it",
    () =>
      withShardHost((h) =>
        Effect.gen(function* () {
          yield* h.cover
          yield* h.decided((yield* h.submit(bundleOf(build(b.deploy, { config: testConfig, schema: testSchema })))).id)
          // Nine writes in one burst: the ninth finds the pool (8) full before any frame finalizes.
          const outcomes = yield* Effect.forEach(
            Array.from({ length: 9 }, (_, i) => put(20 + i, `v${i}`)),
            (w) => Effect.either(h.submit(w)),
          )
          const full = outcomes.filter((o) => o._tag === "Left")
          expect(full.length).toBeGreaterThanOrEqual(1)
          expect(full[0]?._tag === "Left" && full[0].left._tag === "MempoolFull" && full[0].left.retryAfterMs).toBeGreaterThan(0)
          const accepted = outcomes.flatMap((o) => (o._tag === "Right" ? [o.right.id] : []))
          for (const id of accepted) expect((yield* h.decided(id)).status).toBe("committed")
          // Drained: a new write is accepted and commits.
          expect((yield* h.decided((yield* h.submit(put(40, "after"))).id)).status).toBe("committed")
        }),
      ),
    60_000,
  )

  test("an acknowledged bundle outlives its worker: after a restart on the same store it is pending again, not unknown", async () => {
    const dir = mkdtempSync(join(tmpdir(), "quilbun-shard-host-restart-"))
    try {
      // A second prover that never answers: no quorum, so nothing is proposed or decided meanwhile.
      const committeeOf = (h: Effect.Effect.Success<typeof spawnHost>) => [
        h.signer.publicKey,
        makeInsecureTestSigner(new Uint8Array(12).fill(9), h.poseidon).publicKey,
      ]
      const id = await withShardHost(
        (h) =>
          Effect.gen(function* () {
            yield* h.coverWith(committeeOf(h))
            const accepted = yield* h.submit(put(9, "kept"))
            expect(accepted.outcome).toBe("accepted")
            expect((yield* h.statusOf(accepted.id)).status).toBe("pending")
            return accepted.id
          }),
        dir,
      )
      const after = await withShardHost(
        (h) =>
          Effect.gen(function* () {
            yield* h.coverWith(committeeOf(h))
            const shards = yield* h.host.ask(new ListShards())
            return { status: (yield* h.statusOf(id)).status, mempool: shards[0]?.mempool }
          }),
        dir,
      )
      expect(after).toEqual({ status: "pending", mempool: 1 })
    } finally {
      rmSync(dir, { recursive: true, force: true })
    }
  }, 60_000)
})
