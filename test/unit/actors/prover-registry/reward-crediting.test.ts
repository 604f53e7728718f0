import { describe, expect, test } from "bun:test"
import { bytesToHex } from "@noble/hashes/utils.js"
import { Either } from "effect"
import { shardFrameShare } from "../../../../actors/consensus/core/reward/pomw.ts"
import { makeSignerBitmask } from "../../../../actors/consensus/core/signer-bitmask.ts"
import type { ProverRecord } from "../../../../actors/prover-registry/prover-record.ts"
import { creditShardFrames } from "../../../../actors/prover-registry/reward-crediting.ts"
import type { ShardFrameCredit } from "../../../../actors/prover-registry/reward-feed.ts"

const SHARD = new Uint8Array(32).fill(0x33)
const W = 10n << 30n
const S = 1n << 29n

/** Prover i: address i+1 repeated; join frame and seniority as given; a global allocation and, optionally, one on SHARD. */
const prover = (i: number, joinFrameNumber: bigint, seniority: bigint, onShard = false): ProverRecord => ({
  address: new Uint8Array(32).fill(i + 1),
  publicKey: new Uint8Array(585).fill(i + 1),
  status: "Active",
  seniority,
  kickFrameNumber: 0n,
  allocations: [
    { filter: new Uint8Array(), status: "Active", joinFrameNumber, lastActiveFrameNumber: 0n },
    ...(onShard ? [{ filter: SHARD, status: "Active" as const, joinFrameNumber, lastActiveFrameNumber: 0n }] : []),
  ],
})

const update = (signers: ReadonlyArray<number>, size: number, difficulty = 100_000n): ShardFrameCredit => ({
  shard: SHARD,
  difficulty,
  bitmask: makeSignerBitmask(signers, size),
  worldSize: W,
  stateSize: S,
  leafCount: 0n,
})

const share = (ring: number, difficulty = 100_000n) => Either.getOrThrow(shardFrameShare(difficulty, W, ring, 1n, S))

describe("crediting certified shard frames (§4.5 step 3, §9)", () => {
  test("each set bit earns its ring's share; rings follow join frame, then seniority, then address; 8 per ring", () => {
    // 10 provers: 0..7 joined at frame 5 with seniority 100 − i (ring 0), 8 joined at 1 (ring 0, first), 9 at 9 (ring 1).
    const committee = [...Array.from({ length: 8 }, (_, i) => prover(i, 5n, 100n - BigInt(i))), prover(8, 1n, 0n), prover(9, 9n, 1_000n)]
    const outcome = creditShardFrames({
      committee,
      balances: new Map([[bytesToHex(committee[0]?.address ?? new Uint8Array()), 7n]]),
      frames: [{ globalFrameNumber: 12n, updates: [update([0, 7, 8, 9], 10)] }],
    })
    // Ring order: 8 (join 1), then 0..6 (join 5, seniority descending) fill ring 0; 7 is ninth → ring 1; 9 (join 9) ring 1.
    const balance = (i: number) => outcome.balances.get(bytesToHex(committee[i]?.address ?? new Uint8Array()))
    expect(balance(0)).toBe(7n + share(0))
    expect(balance(8)).toBe(share(0))
    expect(balance(7)).toBe(share(1))
    expect(balance(9)).toBe(share(1))
    expect(balance(1)).toBeUndefined()
    expect(share(1)).toBeLessThan(share(0))
    expect(outcome.credits).toBe(4)
  })

  test("LastActiveFrameNumber: the shard's own allocation if the prover has one, else the global one; never moves back", () => {
    const committee = [prover(0, 0n, 1n, true), prover(1, 0n, 1n)]
    const outcome = creditShardFrames({
      committee,
      balances: new Map(),
      frames: [
        { globalFrameNumber: 20n, updates: [update([0, 1], 2)] },
        { globalFrameNumber: 21n, updates: [] },
        { globalFrameNumber: 22n, updates: [update([1], 2)] },
      ],
    })
    const record = (i: number) => outcome.records.get(bytesToHex(committee[i]?.address ?? new Uint8Array()))
    expect(record(0)?.allocations.map((a) => a.lastActiveFrameNumber)).toEqual([0n, 20n])
    expect(record(1)?.allocations.map((a) => a.lastActiveFrameNumber)).toEqual([22n])
    expect(outcome.balances.get(bytesToHex(committee[1]?.address ?? new Uint8Array()))).toBe(2n * share(0))
  })

  test("the shard frame's difficulty sets the generation; bits beyond the committee pay nobody", () => {
    const committee = [prover(0, 0n, 1n), prover(1, 0n, 1n)]
    const outcome = creditShardFrames({
      committee,
      balances: new Map(),
      frames: [{ globalFrameNumber: 3n, updates: [{ ...update([0], 2, 1n), bitmask: Uint8Array.of(0b1000_0001) }] }],
    })
    expect([...outcome.balances.values()]).toEqual([share(0, 1n)])
    expect(share(0, 1n)).not.toBe(share(0, 100_000n))
    expect(outcome.credits).toBe(1)
  })
})
