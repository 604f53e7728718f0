// The registry follows committed lifecycle requests (D-REG-7): a leave carried by a committed frame leaves the
// global committee and is persisted (a restarted registry loads it, with its frame number, and applies
// nothing twice); a request that does not verify, or that arrives without verifiers, changes nothing.
import { afterEach, describe, expect, test } from "bun:test"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Either, Layer, type Scope } from "effect"
import {
  ActiveProvers,
  CheckLifecycle,
  CommitteeAt,
  type CommittedCredits,
  CreditCommitted,
  GetRewardProgress,
  ProverInfo,
  proverRegistryActor,
  type RegistryGenesis,
  type RegistryGenesisConfig,
  RewardFeed,
  registryGenesisLayer,
} from "../../../../actors/prover-registry/index.ts"
import { poseidonHashBytes } from "../../../../crates/ts/poseidon.ts"
import { BlsVerifier, FrameVdf, Poseidon } from "../../../../crates/ts/services.ts"
import { buildProverLeave, encodeLifecycleOp, type LifecycleSigner } from "../../../../intrinsics/global/index.ts"
import { ActorSystem } from "../../../../runtime/kernel/index.ts"
import { type Store, StoreLive } from "../../../../runtime/store/index.ts"
import { insecureTestBlsVerifier, makeInsecureTestSigner } from "../../../../runtime/testing/insecure-test-bls.ts"
import { insecureTestVdf } from "../../../../runtime/testing/insecure-test-vdf.ts"

const dirs: Array<string> = []
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), "quilbun-lifecycle-"))
  dirs.push(d)
  return d
}

const signers = [0, 1, 2].map((i) => makeInsecureTestSigner(Uint8Array.of(0x60, i), poseidonHashBytes))
const SHARD = new Uint8Array(32).fill(0x33)
// Every prover is global and on SHARD; a global allocation leaves like a shard's (D-GLOB-9 lifted).
const genesis: RegistryGenesisConfig = {
  network: 99,
  provers: signers.map((s) => ({ publicKey: s.publicKey, seniority: 0n, filters: [new Uint8Array(), SHARD] })),
}
const lifecycleSigner = (i: number): LifecycleSigner => {
  const s = signers[i]
  if (s === undefined) throw new Error("no signer")
  return { publicKey: s.publicKey, sign: (m, d) => Effect.runSync(s.sign(m, d)) }
}
const crypto = { poseidon: poseidonHashBytes }
const leave = encodeLifecycleOp(buildProverLeave(crypto, lifecycleSigner(0), [SHARD], 4n))
const signedBy2 = buildProverLeave(crypto, lifecycleSigner(2), [SHARD], 4n)
const globalLeave = encodeLifecycleOp(buildProverLeave(crypto, lifecycleSigner(1), [new Uint8Array()], 4n))
const forged = encodeLifecycleOp({ ...signedBy2, signature: { ...signedBy2.signature, address: signers[1]?.address ?? new Uint8Array() } })

/** Frames 1..head; frame 5 carries the forged leave, a global leave (prover 1), then the shard leave (prover 0). */
const feed = (head: bigint) =>
  Layer.succeed(RewardFeed, {
    committedHead: Effect.succeed(head),
    committed: (from, to) =>
      Effect.sync(() => {
        const out: Array<CommittedCredits> = []
        for (let n = from; n <= to && n <= head; n++) out.push({ globalFrameNumber: n, updates: [], lifecycle: n === 5n ? [forged, globalLeave, leave] : [] })
        return out
      }),
  })

const withRegistry = <A, E, R>(
  path: string,
  layers: Layer.Layer<R>,
  body: Effect.Effect<A, E, ActorSystem.ActorSystem | Store | Scope.Scope | Poseidon | RegistryGenesis>,
) =>
  Effect.runPromise(
    Effect.scoped(body).pipe(
      Effect.provide(
        Layer.mergeAll(ActorSystem.layer(), StoreLive({ path }), registryGenesisLayer(genesis), Layer.succeed(Poseidon, poseidonHashBytes), layers),
      ),
    ) as Effect.Effect<A, E>,
  )

const verifiers = Layer.mergeAll(Layer.succeed(BlsVerifier, insecureTestBlsVerifier), Layer.succeed(FrameVdf, insecureTestVdf))
const spawn = Effect.flatMap(ActorSystem.ActorSystem, (system) => system.spawn(proverRegistryActor))
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")
const committeeOf = (registry: Effect.Effect.Success<typeof spawn>, filter = SHARD) =>
  Effect.map(registry.ask(new ActiveProvers({ filter })), (ps) => ps.map((p) => hex(p.address)).sort())

describe("prover registry: committed lifecycle requests", () => {
  test("a committed shard leave leaves that shard's committee and is persisted; a forged one changes nothing; a global one leaves the global committee only", async () => {
    const path = tmp()
    const all = signers.map((s) => hex(s.address)).sort()
    const first = await withRegistry(
      path,
      Layer.mergeAll(feed(6n), verifiers),
      Effect.gen(function* () {
        const registry = yield* spawn
        yield* registry.tell(new CreditCommitted({ upTo: 6n }))
        return {
          committee: yield* committeeOf(registry),
          global: yield* committeeOf(registry, new Uint8Array()),
          leaver: yield* registry.ask(new ProverInfo({ address: signers[0]?.address ?? new Uint8Array() })),
          other: yield* registry.ask(new ProverInfo({ address: signers[1]?.address ?? new Uint8Array() })),
        }
      }),
    )
    expect(first.committee).toEqual(all.filter((a) => a !== hex(signers[0]?.address ?? new Uint8Array())))
    expect(first.global).toEqual(all.filter((a) => a !== hex(signers[1]?.address ?? new Uint8Array())))
    expect(first.leaver?.allocations.map((a) => a.status)).toEqual(["Active", "Leaving"])
    expect(first.leaver?.allocations[1]?.leaveFrameNumber).toBe(4n)
    expect(first.other?.status).toBe("Active")

    // Restarted on the same store: the records come back as written, and frame 5 is not applied again.
    const second = await withRegistry(
      path,
      Layer.mergeAll(feed(7n), verifiers),
      Effect.gen(function* () {
        const registry = yield* spawn
        yield* registry.tell(new CreditCommitted({ upTo: 7n }))
        return { committee: yield* committeeOf(registry), leaver: yield* registry.ask(new ProverInfo({ address: signers[0]?.address ?? new Uint8Array() })) }
      }),
    )
    expect(second.committee).toEqual(first.committee)
    expect(second.leaver).toEqual(first.leaver)
  })

  test("CheckLifecycle dry-runs an operation at a frame over the applied records: the step's reason, or null; nothing changes; unchecked without verifiers", async () => {
    const leaveAt7 = encodeLifecycleOp(buildProverLeave(crypto, lifecycleSigner(1), [SHARD], 7n))
    const out = await withRegistry(
      tmp(),
      Layer.mergeAll(feed(6n), verifiers),
      Effect.gen(function* () {
        const registry = yield* spawn
        yield* registry.tell(new CreditCommitted({ upTo: 6n }))
        return {
          fresh: yield* registry.ask(new CheckLifecycle({ operation: leaveAt7, frameNumber: 8n })),
          // Prover 0 already left SHARD at frame 5: a second leave is refused, with the step's reason.
          again: yield* registry.ask(new CheckLifecycle({ operation: leave, frameNumber: 8n })),
          forged: yield* registry.ask(new CheckLifecycle({ operation: forged, frameNumber: 8n })),
          committee: yield* committeeOf(registry),
        }
      }),
    )
    expect(out.fresh).toEqual({ refusal: null, unchecked: false, appliedThrough: 6n })
    expect(out.again.refusal).not.toBeNull()
    expect(out.forged.refusal).not.toBeNull()
    // Prover 1's leave was only checked: it is still on the shard.
    expect(out.committee).toContain(hex(signers[1]?.address ?? new Uint8Array()))
    const bare = await withRegistry(
      tmp(),
      feed(6n),
      Effect.flatMap(spawn, (registry) => registry.ask(new CheckLifecycle({ operation: leaveAt7, frameNumber: 8n }))),
    )
    expect(bare.unchecked).toBe(true)
  })

  test("without BLS/VDF verifiers nothing is applied (and the frames are still paid: the cursor moves)", async () => {
    const out = await withRegistry(
      tmp(),
      feed(6n),
      Effect.gen(function* () {
        const registry = yield* spawn
        yield* registry.tell(new CreditCommitted({ upTo: 6n }))
        return { committee: yield* committeeOf(registry), progress: yield* registry.ask(new GetRewardProgress()) }
      }),
    )
    expect(out.committee.length).toBe(3)
    expect(out.progress.creditedThrough).toBe(6n)
  })

  test("committees by committed frame (D-REG-8): the shard's set changes at the leave's frame, later frames are not yet known, and a restart answers alike", async () => {
    const path = tmp()
    const all = signers.map((s) => hex(s.address)).sort()
    const at = (registry: Effect.Effect.Success<typeof spawn>, frameNumber: bigint, filter = SHARD) =>
      Effect.map(Effect.either(registry.ask(new CommitteeAt({ filter, frameNumber }))), (e) =>
        Either.isRight(e)
          ? e.right.map((p) => hex(p.address))
          : e.left._tag === "CommitteeUnknown"
            ? `${e.left._tag}:${e.left.reason}:${e.left.appliedThrough}`
            : e.left._tag,
      )
    const ask = (registry: Effect.Effect.Success<typeof spawn>) =>
      Effect.all({
        shard: Effect.forEach([0n, 4n, 5n, 6n, 7n], (n) => at(registry, n)),
        global: Effect.forEach([0n, 5n, 6n], (n) => at(registry, n, new Uint8Array())),
        elsewhere: at(registry, 6n, new Uint8Array(32).fill(0x44)),
      })
    const first = await withRegistry(
      path,
      Layer.mergeAll(feed(6n), verifiers),
      Effect.gen(function* () {
        const registry = yield* spawn
        yield* registry.tell(new CreditCommitted({ upTo: 6n }))
        return yield* ask(registry)
      }),
    )
    const without0 = all.filter((a) => a !== hex(signers[0]?.address ?? new Uint8Array()))
    expect(first.shard).toEqual([all, all, without0, without0, "CommitteeUnknown:not-yet-applied:6"])
    const without1 = all.filter((a) => a !== hex(signers[1]?.address ?? new Uint8Array()))
    expect(first.global).toEqual([all, without1, without1])
    expect(first.elsewhere).toEqual([])
    // Restarted on the same store, before and after it applies frame 7: the same answers from the persisted history.
    const second = await withRegistry(
      path,
      Layer.mergeAll(feed(6n), verifiers),
      Effect.flatMap(spawn, (registry) => ask(registry)),
    )
    expect(second).toEqual(first)
    const third = await withRegistry(
      path,
      Layer.mergeAll(feed(7n), verifiers),
      Effect.gen(function* () {
        const registry = yield* spawn
        yield* registry.tell(new CreditCommitted({ upTo: 7n }))
        return yield* at(registry, 7n)
      }),
    )
    expect(third).toEqual(without0)
  })
})
