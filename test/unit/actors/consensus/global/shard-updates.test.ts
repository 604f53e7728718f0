// The master's pool of certified shard headers: bounded, a few newest per shard, deduplicated, nothing at
// or below what a committed global frame carried; and the /root/shard-updates actor in front of it,
// which keeps only a header its QC certifies and answers with the global head.
import { describe, expect, test } from "bun:test"
import { Effect, Either } from "effect"
import { encodeAppFrameHeader } from "../../../../../actors/consensus/core/messages/app-frame-header.ts"
import { encodeQuorumCertificate, QuorumCertificate } from "../../../../../actors/consensus/core/messages/quorum-certificate.ts"
import { ShardUpdatePool } from "../../../../../actors/consensus/global/shard-update-pool.ts"
import { shardUpdatesActor } from "../../../../../actors/consensus/global/shard-updates.ts"
import { PendingShardUpdates, ShardUpdatesCommitted, SubmitShardUpdate } from "../../../../../actors/consensus/global/shard-updates-protocol.ts"
import { ActorSystem } from "../../../../../runtime/kernel/index.ts"
import { certify, unsignedShardHeader } from "../core/support/certified-shard-header.ts"
import { makeCommittee } from "../core/support/devnet-crypto.ts"
import { testPoseidonHashBytes as poseidon } from "../core/support/poseidon.ts"

const { provers } = makeCommittee(4)
const A = new Uint8Array(32).fill(0x5a)
const B = new Uint8Array(32).fill(0x5b)
const C = new Uint8Array(32).fill(0x5c)
const hex = (b: Uint8Array) => Buffer.from(b).toString("hex")
const prover = provers[0]?.address ?? new Uint8Array(32)
const certifiedOf = (address: Uint8Array, n: bigint) => certify(unsignedShardHeader(address, n, prover), provers, [0, 1, 2])
const header = (address: Uint8Array, n: bigint) => certifiedOf(address, n).header
const numbers = (pool: ShardUpdatePool) => pool.all().map((h) => `${hex(h.address).slice(0, 2)}:${h.frameNumber}`)

describe("shard update pool", () => {
  test("newest first per shard, deduplicated, at most perShard kept", () => {
    const pool = new ShardUpdatePool({ maxShards: 8, perShard: 3 })
    expect(pool.add(header(A, 5n))).toBe("added")
    expect(pool.add(header(A, 7n))).toBe("added")
    expect(pool.add(header(A, 5n))).toBe("duplicate")
    expect(pool.add(header(A, 6n))).toBe("added")
    expect(pool.add(header(A, 9n))).toBe("added")
    expect(numbers(pool)).toEqual(["5a:9", "5a:7", "5a:6"])
    // Older than every pending one of a full shard: nothing to gain.
    expect(pool.add(header(A, 4n))).toBe("superseded")
    expect(pool.size).toBe(3)
  })

  test("a committed global frame's update removes it and older ones, and bars them from coming back", () => {
    const pool = new ShardUpdatePool({ maxShards: 8, perShard: 4 })
    for (const n of [3n, 4n, 6n]) pool.add(header(A, n))
    pool.add(header(B, 2n))
    pool.committed(hex(A), 4n)
    expect(numbers(pool)).toEqual(["5a:6", "5b:2"])
    expect(pool.add(header(A, 4n))).toBe("superseded")
    expect(pool.add(header(A, 3n))).toBe("superseded")
    expect(pool.add(header(A, 5n))).toBe("added")
    // An older commit note changes nothing.
    pool.committed(hex(A), 2n)
    expect(numbers(pool)).toEqual(["5b:2", "5a:6", "5a:5"])
    pool.committed(hex(B), 2n)
    expect(numbers(pool)).toEqual(["5a:6", "5a:5"])
  })

  test("bounded in shards: the least recently updated shard goes first", () => {
    const pool = new ShardUpdatePool({ maxShards: 2, perShard: 2 })
    pool.add(header(A, 1n))
    pool.add(header(B, 1n))
    pool.add(header(A, 2n))
    pool.add(header(C, 1n))
    expect(numbers(pool)).toEqual(["5a:2", "5a:1", "5c:1"])
  })
})

const withPool = <A, E>(body: (ref: Effect.Effect.Success<ReturnType<typeof spawn>>) => Effect.Effect<A, E>) =>
  Effect.runPromise(Effect.scoped(Effect.flatMap(spawn(), body)).pipe(Effect.provide(ActorSystem.layer())) as Effect.Effect<A, E>)
const spawn = () => ActorSystem.spawnScoped(shardUpdatesActor({ globalHead: Effect.succeed(41n), poseidon }))

describe("/root/shard-updates", () => {
  test("a header its QC certifies is kept, answered with the global head; the leader sees it until a frame carried it", () =>
    withPool((ref) =>
      Effect.gen(function* () {
        const { header: h, qc } = certifiedOf(A, 10n)
        const submit = new SubmitShardUpdate({ header: encodeAppFrameHeader(h), quorumCertificate: encodeQuorumCertificate(qc) })
        expect(yield* ref.ask(submit)).toEqual({ outcome: "added", globalHead: 41n })
        expect((yield* ref.ask(submit)).outcome).toBe("duplicate")
        expect((yield* ref.ask(new PendingShardUpdates())).map((x) => x.frameNumber)).toEqual([10n])
        yield* ref.tell(new ShardUpdatesCommitted({ updates: [{ address: hex(A), frameNumber: 10n }] }))
        expect(yield* ref.ask(new PendingShardUpdates())).toEqual([])
      }),
    ))

  test("refused, with the reason, when the QC does not certify the header; nothing is kept", () =>
    withPool((ref) =>
      Effect.gen(function* () {
        const { header: h, qc } = certifiedOf(A, 10n)
        const other = certifiedOf(A, 11n).qc
        const reasonOf = (headerBytes: Uint8Array, qcBytes: Uint8Array) =>
          Effect.map(Effect.either(ref.ask(new SubmitShardUpdate({ header: headerBytes, quorumCertificate: qcBytes }))), (r) =>
            Either.match(r, { onLeft: (e) => (e._tag === "ShardUpdateRefused" ? e.reason : e._tag), onRight: (a) => a.outcome }),
          )
        expect(yield* reasonOf(encodeAppFrameHeader(h), encodeQuorumCertificate(other))).toBe("certificate-mismatch")
        expect(yield* reasonOf(encodeAppFrameHeader(h), encodeQuorumCertificate(new QuorumCertificate({ ...qc, filter: B })))).toBe("certificate-mismatch")
        const { aggregateSignature: _dropped, ...bare } = qc
        expect(yield* reasonOf(encodeAppFrameHeader(h), encodeQuorumCertificate(new QuorumCertificate(bare)))).toBe("uncertified")
        expect(yield* reasonOf(Uint8Array.of(1, 2, 3), encodeQuorumCertificate(qc))).toBe("undecodable")
        const genesis = certifiedOf(A, 0n)
        expect(yield* reasonOf(encodeAppFrameHeader(genesis.header), encodeQuorumCertificate(genesis.qc))).toBe("genesis")
        expect(yield* ref.ask(new PendingShardUpdates())).toEqual([])
      }),
    ))
})
