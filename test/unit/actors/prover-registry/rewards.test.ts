import { afterEach, describe, expect, test } from "bun:test"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Either, Layer, type Scope } from "effect"
import { shardFrameShare } from "../../../../actors/consensus/core/reward/pomw.ts"
import { makeSignerBitmask } from "../../../../actors/consensus/core/signer-bitmask.ts"
import {
  ActiveProvers,
  CreditCommitted,
  type CommittedCredits,
  GetRewardProgress,
  ListProvers,
  ProverDetail,
  proverRegistryActor,
  RewardFeed,
  type RegistryGenesis,
  registryGenesisLayer,
  type RegistryGenesisConfig,
} from "../../../../actors/prover-registry/index.ts"
import { poseidonHashBytes } from "../../../../crates/ts/poseidon.ts"
import { Poseidon } from "../../../../crates/ts/services.ts"
import { ActorSystem } from "../../../../runtime/kernel/index.ts"
import { type Store, StoreLive } from "../../../../runtime/store/index.ts"
import { insecureTestPublicKey } from "../../../../runtime/testing/insecure-test-bls.ts"

const dirs: Array<string> = []
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), "quilbun-rewards-"))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const SHARD = new Uint8Array(32).fill(0x44)
const genesis: RegistryGenesisConfig = {
  network: 99,
  provers: [0, 1, 2].map((i) => ({ publicKey: insecureTestPublicKey(Uint8Array.of(0x50, i)), seniority: 1n })),
}
const sizes = { worldSize: 10n << 30n, stateSize: 1n << 29n, leafCount: 1n }
const share = Either.getOrThrow(shardFrameShare(100_000n, sizes.worldSize, 0, 1n, sizes.stateSize))

/** A committed chain of `head` frames; frame n carries one update signed by the indices `signers(n)` of the 3-prover committee. */
const feedOf = (head: { value: bigint }, signers: (n: bigint) => ReadonlyArray<number>, reads: { count: number }) =>
  Layer.succeed(RewardFeed, {
    committedHead: Effect.sync(() => head.value),
    committed: (from, to) =>
      Effect.sync(() => {
        reads.count++
        const out: Array<CommittedCredits> = []
        for (let n = from; n <= to && n <= head.value; n++) {
          const s = signers(n)
          out.push({
            globalFrameNumber: n,
            updates: s.length === 0 ? [] : [{ shard: SHARD, difficulty: 100_000n, bitmask: makeSignerBitmask(s, 3), ...sizes }],
          })
        }
        return out
      }),
  })

const withRegistry = <A, E>(
  path: string,
  feed: Layer.Layer<RewardFeed> | undefined,
  body: Effect.Effect<A, E, ActorSystem.ActorSystem | Store | Scope.Scope | Poseidon | RegistryGenesis>,
) =>
  Effect.runPromise(
    Effect.scoped(body).pipe(
      Effect.provide(
        Layer.mergeAll(
          ActorSystem.layer(),
          StoreLive({ path }),
          registryGenesisLayer(genesis),
          Layer.succeed(Poseidon, poseidonHashBytes),
          feed ?? Layer.empty,
        ),
      ),
    ) as Effect.Effect<A, E>,
  )

const spawn = Effect.flatMap(ActorSystem.ActorSystem, (system) => system.spawn(proverRegistryActor))

describe("prover registry: shard-frame rewards", () => {
  test("pays each committed frame once, in one commit with its cursor; a restart resumes at the cursor, repeated notes pay nothing more", async () => {
    const path = tmp()
    const head = { value: 5n }
    const reads = { count: 0 }
    // Frame n is signed by prover n mod 3, and frame 4 by all three; odd frames carry nothing.
    const signers = (n: bigint) => (n === 4n ? [0, 1, 2] : n % 2n === 0n ? [Number(n % 3n)] : [])
    const first = await withRegistry(
      path,
      feedOf(head, signers, reads),
      Effect.gen(function* () {
        const registry = yield* spawn
        yield* registry.tell(new CreditCommitted({ upTo: 5n }))
        yield* registry.tell(new CreditCommitted({ upTo: 5n }))
        return { progress: yield* registry.ask(new GetRewardProgress()), provers: yield* registry.ask(new ListProvers()) }
      }),
    )
    expect(first.progress).toEqual({ creditedThrough: 5n, paying: true })
    const committee = first.provers.map((p) => p.record.address)
    // Frames 2 (prover 2), 4 (all). Addresses sorted: the committee order is the bitmask order.
    expect(first.provers.map((p) => p.reward)).toEqual([share, share, 2n * share])
    expect(first.provers.map((p) => p.record.allocations[0]?.lastActiveFrameNumber)).toEqual([4n, 4n, 4n])

    head.value = 8n
    const second = await withRegistry(
      path,
      feedOf(head, signers, reads),
      Effect.gen(function* () {
        const registry = yield* spawn
        // No note: the restart itself catches up to the committed head (frames 6, 8 → provers 0, 2).
        const progress = yield* registry.ask(new GetRewardProgress())
        const detail = yield* registry.ask(new ProverDetail({ address: committee[2] ?? new Uint8Array() }))
        yield* registry.tell(new CreditCommitted({ upTo: 3n }))
        return {
          progress,
          detail,
          provers: yield* registry.ask(new ListProvers()),
          committee: yield* registry.ask(new ActiveProvers({ filter: new Uint8Array() })),
        }
      }),
    )
    expect(second.progress.creditedThrough).toBe(8n)
    expect(second.provers.map((p) => p.reward)).toEqual([2n * share, share, 3n * share])
    expect(second.detail?.reward).toBe(3n * share)
    expect(second.detail?.record.allocations[0]?.lastActiveFrameNumber).toBe(8n)
    expect(second.detail?.rings).toEqual([0])
    expect(second.committee.map((p) => p.address)).toEqual(committee)
  })

  test("without a feed nothing is paid and the progress says so; an unknown prover is null", async () => {
    const r = await withRegistry(
      tmp(),
      undefined,
      Effect.gen(function* () {
        const registry = yield* spawn
        yield* registry.tell(new CreditCommitted({ upTo: 10n }))
        return {
          progress: yield* registry.ask(new GetRewardProgress()),
          provers: yield* registry.ask(new ListProvers()),
          unknown: yield* registry.ask(new ProverDetail({ address: new Uint8Array(32) })),
        }
      }),
    )
    expect(r.progress).toEqual({ creditedThrough: 0n, paying: false })
    expect(r.provers.map((p) => p.reward)).toEqual([0n, 0n, 0n])
    expect(r.unknown).toBeNull()
  })
})
