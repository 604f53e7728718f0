import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import { Option } from "effect"
import {
  type ActiveProver,
  appLeader,
  appLeaderIndex,
  appQuorumThreshold,
  bitmaskSigners,
  globalLeader,
  globalLeaderIndex,
  globalQuorumThreshold,
  indexOfAddress,
  leaderForRank,
  meetsQuorum,
  NO_LEADER,
  quorumThreshold,
  sortByAddress,
  totalSeniority,
} from "../../../../../actors/consensus/core/prover-ring.ts"
import { bitmaskIndices, bitmaskLength, isBitSet, makeSignerBitmask } from "../../../../../actors/consensus/core/signer-bitmask.ts"
import { filled } from "./support/hex.ts"
import { testPoseidonHashBytes as poseidon } from "./support/poseidon.ts"

const prover = (firstByte: number, seniority: bigint): ActiveProver => {
  const address = filled(0, 32)
  address[0] = firstByte
  return { address, publicKey: filled(firstByte, 585), seniority }
}

describe("signer bitmask (§0)", () => {
  test("bit i is in byte i/8 at bit i%8, least-significant first", () => {
    expect(bytesToHex(makeSignerBitmask([0], 8))).toBe("01")
    expect(bytesToHex(makeSignerBitmask([7], 8))).toBe("80")
    expect(bytesToHex(makeSignerBitmask([0, 9, 15], 16))).toBe("0182")
    expect(bitmaskIndices(hexToBytes("0182"))).toEqual([0, 9, 15])
    expect(isBitSet(hexToBytes("0182"), 9)).toBe(true)
    expect(isBitSet(hexToBytes("0182"), 10)).toBe(false)
  })

  test("length is ceil(n/8) capped at 32", () => {
    expect(bitmaskLength(0)).toBe(0)
    expect(bitmaskLength(1)).toBe(1)
    expect(bitmaskLength(8)).toBe(1)
    expect(bitmaskLength(9)).toBe(2)
    expect(bitmaskLength(256)).toBe(32)
    expect(bitmaskLength(300)).toBe(32)
    expect(() => makeSignerBitmask([3], 3)).toThrow(RangeError)
  })
})

describe("committee (§3.7, §3.9, §3.11)", () => {
  const provers = sortByAddress([prover(0x30, 10n), prover(0x10, 20n), prover(0x20, 30n)])

  test("sorted lexicographically by address", () => {
    expect(provers.map((p) => p.address[0])).toEqual([0x10, 0x20, 0x30])
    expect(indexOfAddress(provers, provers[2]?.address ?? new Uint8Array())).toEqual(Option.some(2))
    expect(Option.isNone(indexOfAddress(provers, filled(0xee, 32)))).toBe(true)
  })

  test("threshold = floor(2·Σseniority/3); the global form floor(4Σ/6) is the same number", () => {
    expect(totalSeniority(provers)).toBe(60n)
    expect(appQuorumThreshold(provers)).toBe(40n)
    expect(globalQuorumThreshold(provers)).toBe(40n)
    const odd = [prover(1, 1n), prover(2, 1n), prover(3, 2n)] // Σ = 4 → ⌊8/3⌋ = 2
    expect(appQuorumThreshold(odd)).toBe(2n)
    expect(globalQuorumThreshold(odd)).toBe(2n)
    expect(quorumThreshold(new Uint8Array(), odd)).toBe(2n)
    expect(quorumThreshold(filled(1, 32), odd)).toBe(2n)
  })

  test("quorum is weight ≥ threshold (exactly two thirds suffices), with at least one signer", () => {
    // Σ = 60, threshold 40: signers {0x10 (20), 0x20 (30)} = 50 ≥ 40; {0x10, 0x30} = 30 < 40
    const a = bitmaskSigners(provers, makeSignerBitmask([0, 1], 3))
    const b = bitmaskSigners(provers, makeSignerBitmask([0, 2], 3))
    expect(a._tag === "Ok" && meetsQuorum(a.weight, a.signers.length, 40n)).toBe(true)
    expect(b._tag === "Ok" && meetsQuorum(b.weight, b.signers.length, 40n)).toBe(false)
    expect(meetsQuorum(40n, 2, 40n)).toBe(true)
    expect(meetsQuorum(39n, 2, 40n)).toBe(false)
    // A zero-seniority committee (every non-mainnet network) has threshold 0: one signer suffices, none does not.
    const zero = [prover(1, 0n), prover(2, 0n), prover(3, 0n), prover(4, 0n)]
    expect(appQuorumThreshold(zero)).toBe(0n)
    expect(meetsQuorum(0n, 1, 0n)).toBe(true)
    expect(meetsQuorum(0n, 0, 0n)).toBe(false)
  })

  test("bitmask validation: too short, index beyond the committee", () => {
    const nine = sortByAddress(Array.from({ length: 9 }, (_, i) => prover(i + 1, 1n)))
    expect(bitmaskSigners(nine, hexToBytes("ff"))._tag).toBe("BitmaskTooShort")
    expect(bitmaskSigners(nine, hexToBytes("0002"))._tag).toBe("BitmaskIndexOutOfRange")
    const ok = bitmaskSigners(nine, hexToBytes("0101"))
    expect(ok._tag === "Ok" ? ok.signers.map((p) => p.address[0]) : []).toEqual([1, 9])
  })

  test("global leader index = poseidon(u64_be(rank)) mod n", () => {
    for (const rank of [0n, 1n, 2n, 1_000n, (1n << 64n) - 1n]) {
      const rankBytes = new Uint8Array(8)
      new DataView(rankBytes.buffer).setBigUint64(0, rank, false)
      const digest = BigInt(`0x${bytesToHex(poseidon(rankBytes))}`)
      for (const n of [1, 3, 7, 64]) {
        expect(globalLeaderIndex(poseidon, rank, n)).toEqual(Option.some(Number(digest % BigInt(n))))
      }
    }
    expect(Option.isNone(globalLeaderIndex(poseidon, 5n, 0))).toBe(true)
    expect(globalLeader(poseidon, provers, 3n)).toEqual(Option.map(globalLeaderIndex(poseidon, 3n, 3), (i) => provers[i]?.address ?? new Uint8Array()))
  })

  test("app leader index = poseidon(address ‖ u64_be(rank)) mod n; mainnet needs 3 provers", () => {
    const app = filled(0xab, 32)
    const input = new Uint8Array(40)
    input.set(app)
    new DataView(input.buffer).setBigUint64(32, 12n, false)
    const digest = BigInt(`0x${bytesToHex(poseidon(input))}`)
    expect(appLeaderIndex(poseidon, app, 12n, 3)).toEqual(Option.some(Number(digest % 3n)))
    expect(bytesToHex(appLeader(poseidon, 0, app, provers, 12n))).toBe(bytesToHex(provers[Number(digest % 3n)]?.address ?? new Uint8Array()))
    const two = provers.slice(0, 2)
    expect(appLeader(poseidon, 0, app, two, 12n)).toEqual(NO_LEADER)
    expect(appLeader(poseidon, 99, app, two, 12n)).not.toEqual(NO_LEADER)
    expect(appLeader(poseidon, 99, app, [], 12n)).toEqual(NO_LEADER)
    expect(Option.isNone(leaderForRank(poseidon, 0, app, two, 12n))).toBe(true)
    expect(Option.isSome(leaderForRank(poseidon, 0, new Uint8Array(), two, 12n))).toBe(true)
  })

  test("leaders rotate: over 300 ranks every one of 5 provers leads", () => {
    const five = sortByAddress(Array.from({ length: 5 }, (_, i) => prover(i + 1, 1n)))
    const seen = new Set<number>()
    for (let r = 0n; r < 300n; r++) Option.map(globalLeaderIndex(poseidon, r, five.length), (i) => seen.add(i))
    expect(seen.size).toBe(5)
  })
})
