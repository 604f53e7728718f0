import { bytesToHex } from "@noble/hashes/utils.js"
import { afterEach, describe, expect, test } from "bun:test"
import { mkdtempSync, rmSync } from "node:fs"
import { tmpdir } from "node:os"
import { join } from "node:path"
import { Effect, Layer, type Scope } from "effect"
import {
  ActiveProvers,
  Leader,
  proverRegistryActor,
  ProverInfo,
  registryGenesisLayer,
  Threshold,
  type RegistryGenesisConfig,
} from "../../../../actors/prover-registry/index.ts"
import { Buckets, Store, StoreLive } from "../../../../runtime/store/index.ts"
import { u64BigEndian } from "../../../../actors/consensus/core/canonical/writer.ts"
import { compareBytes } from "../../../../actors/consensus/core/messages/fields.ts"
import { digestToBigInt } from "../../../../actors/consensus/core/poseidon.ts"
import { Poseidon } from "../../../../crates/ts/services.ts"
import { insecureTestPublicKey } from "../../../../runtime/testing/insecure-test-bls.ts"
import { poseidonHashBytes } from "../../../../crates/ts/poseidon.ts"
import { ActorSystem } from "../../../../runtime/kernel/index.ts"

const dirs: Array<string> = []
const tmp = (): string => {
  const d = mkdtempSync(join(tmpdir(), "quilbun-registry-"))
  dirs.push(d)
  return d
}
afterEach(() => {
  for (const d of dirs.splice(0)) rmSync(d, { recursive: true, force: true })
})

const key = (i: number) => insecureTestPublicKey(Uint8Array.of(0x40, i))
const shard = new Uint8Array(32).fill(0x21)
const GLOBAL = new Uint8Array()

const genesis = (network: number, seniorities: ReadonlyArray<bigint>, extra: Partial<RegistryGenesisConfig> = {}): RegistryGenesisConfig => ({
  network,
  provers: seniorities.map((seniority, i) => ({ publicKey: key(i), seniority, filters: i < 2 ? [GLOBAL, shard] : [GLOBAL] })),
  ...extra,
})

const withRegistry = <A, E>(
  path: string,
  config: RegistryGenesisConfig,
  body: (registry: Effect.Effect.Success<ReturnType<typeof spawnRegistry>>) => Effect.Effect<A, E, Store | Scope.Scope>,
): Promise<A> =>
  Effect.runPromise(
    Effect.scoped(Effect.flatMap(spawnRegistry(), body)).pipe(
      Effect.provide(Layer.mergeAll(ActorSystem.layer(), StoreLive({ path }), registryGenesisLayer(config), Layer.succeed(Poseidon, poseidonHashBytes))),
    ) as Effect.Effect<A, E>,
  )

const spawnRegistry = () => Effect.flatMap(ActorSystem.ActorSystem, (system) => system.spawn(proverRegistryActor))

describe("prover registry", () => {
  test("active provers per filter are sorted by address and carry seniority; thresholds follow ⌊2Σ/3⌋", () =>
    withRegistry(tmp(), genesis(99, [5n, 7n, 11n, 13n]), (registry) =>
      Effect.gen(function* () {
        const global = yield* registry.ask(new ActiveProvers({ filter: GLOBAL }))
        expect(global.length).toBe(4)
        const addresses = global.map((p) => bytesToHex(p.address))
        expect(addresses).toEqual([...addresses].sort())
        const expected = [0, 1, 2, 3].map((i) => ({ address: bytesToHex(poseidonHashBytes(key(i))), seniority: [5n, 7n, 11n, 13n][i]! }))
        expect(global.map((p) => ({ address: bytesToHex(p.address), seniority: p.seniority }))).toEqual(
          expected.sort((a, b) => (a.address < b.address ? -1 : 1)),
        )
        const app = yield* registry.ask(new ActiveProvers({ filter: shard }))
        expect(app.map((p) => bytesToHex(p.address)).sort()).toEqual([0, 1].map((i) => bytesToHex(poseidonHashBytes(key(i)))).sort())
        expect(yield* registry.ask(new ActiveProvers({ filter: new Uint8Array(32).fill(0x22) }))).toEqual([])

        const t = yield* registry.ask(new Threshold({ filter: GLOBAL }))
        expect(t).toEqual({ threshold: (36n * 2n) / 3n, totalSeniority: 36n, committeeSize: 4 })
        const ta = yield* registry.ask(new Threshold({ filter: shard }))
        expect(ta).toEqual({ threshold: 8n, totalSeniority: 12n, committeeSize: 2 })

        const info = yield* registry.ask(new ProverInfo({ address: poseidonHashBytes(key(2)) }))
        expect(info?.status).toBe("Active")
        expect(info?.seniority).toBe(11n)
        expect(yield* registry.ask(new ProverInfo({ address: new Uint8Array(32) }))).toBeNull()
      }),
    ))

  test("leaders rotate with the rank: index = poseidon(u64_be(rank)) mod n over the sorted committee", () =>
    withRegistry(tmp(), genesis(99, [1n, 1n, 1n, 1n]), (registry) =>
      Effect.gen(function* () {
        const committee = yield* registry.ask(new ActiveProvers({ filter: GLOBAL }))
        const sorted = [...committee].sort((a, b) => compareBytes(a.address, b.address))
        const leaders: Array<string> = []
        for (let rank = 0n; rank < 48n; rank++) {
          const leader = yield* registry.ask(new Leader({ filter: GLOBAL, rank }))
          const index = Number(digestToBigInt(poseidonHashBytes(u64BigEndian(rank))) % 4n)
          expect(leader.index).toBe(index)
          expect(bytesToHex(leader.address ?? new Uint8Array())).toBe(bytesToHex(sorted[index]!.address))
          expect(leader.committeeSize).toBe(4)
          leaders.push(bytesToHex(leader.address ?? new Uint8Array()))
        }
        expect(new Set(leaders).size).toBe(4)
        expect(leaders.filter((l, i) => i > 0 && l !== leaders[i - 1]).length).toBeGreaterThan(10)
        // App shard: poseidon(address ‖ u64_be(rank)) over the shard's two provers.
        const app = yield* registry.ask(new Leader({ filter: shard, rank: 7n }))
        expect(app.index).toBe(Number(digestToBigInt(poseidonHashBytes(new Uint8Array([...shard, ...u64BigEndian(7n)]))) % 2n))
      }),
    ))

  test("mainnet: an app shard with fewer than 3 provers has no leader; an empty committee has none anywhere", () =>
    withRegistry(tmp(), genesis(0, [1n, 1n, 1n]), (registry) =>
      Effect.gen(function* () {
        expect(yield* registry.ask(new Leader({ filter: shard, rank: 3n }))).toEqual({ address: null, index: null, committeeSize: 2 })
        expect((yield* registry.ask(new Leader({ filter: GLOBAL, rank: 3n }))).address).not.toBeNull()
        const none = new Uint8Array(40).fill(1)
        expect(yield* registry.ask(new Leader({ filter: none, rank: 3n }))).toEqual({ address: null, index: null, committeeSize: 0 })
        expect(yield* registry.ask(new Threshold({ filter: none }))).toEqual({ threshold: 0n, totalSeniority: 0n, committeeSize: 0 })
      }),
    ))

  test("the set is persisted in the registry bucket; a restart keeps it even if the configured genesis changed", async () => {
    const path = tmp()
    const first = await withRegistry(path, genesis(99, [3n, 4n, 5n]), (registry) =>
      Effect.gen(function* () {
        const store = yield* Store
        const stats = yield* store.stats
        // three provers + the genesis digest + a committee history per filter (global, shard) and its start (D-REG-8)
        expect(stats.entries[Buckets.registry.name]).toBe(3 + 1 + 2 + 1)
        return (yield* registry.ask(new ActiveProvers({ filter: GLOBAL }))).map((p) => [bytesToHex(p.address), p.seniority])
      }),
    )
    const second = await withRegistry(path, genesis(99, [100n]), (registry) =>
      Effect.map(registry.ask(new ActiveProvers({ filter: GLOBAL })), (ps) => ps.map((p) => [bytesToHex(p.address), p.seniority])),
    )
    expect(second).toEqual(first)
    expect(second.length).toBe(3)
  })

  test("an invalid genesis fails when the layer is built, before any actor starts", async () => {
    const bad = (provers: RegistryGenesisConfig["provers"]) =>
      Effect.runPromise(Effect.flip(Layer.build(registryGenesisLayer({ network: 99, provers })).pipe(Effect.scoped))).then((e) => e.message)
    expect(await bad([{ publicKey: new Uint8Array(584), seniority: 1n }])).toContain("public key is 584 bytes")
    expect(
      await bad([
        { publicKey: key(1), seniority: 1n },
        { publicKey: key(1), seniority: 2n },
      ]),
    ).toContain("duplicate")
    expect(await bad([{ publicKey: key(1), seniority: 1n, filters: [new Uint8Array(20)] }])).toContain("filter of 20 bytes")
    expect(await bad([{ publicKey: key(1), seniority: 1n << 64n }])).toContain("u64")
  })
})
