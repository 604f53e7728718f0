// Addressing vectors (spec §9.2 authoritative first, then §9.3 derived) for the hypergraph
// intrinsic's pure functions: Poseidon names, type markers, bloom indices and filters, paths.
import { describe, expect, test } from "bun:test"
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js"
import { poseidonHashBytes } from "../../../../crates/ts/poseidon.ts"
import { bloomFilter, bloomFilterIndices } from "../../../../intrinsics/hypergraph/bloom.ts"
import { HYPERGRAPH_ADDRESS_PREFIX, HYPERGRAPH_BASE_DOMAIN } from "../../../../intrinsics/hypergraph/constants.ts"
import { poseidonDomain, poseidonOfAscii, SET_DISCRIMINATORS, typeMarker } from "../../../../intrinsics/hypergraph/markers.ts"
import { fullPath, shardAddress, shardKeyOf, subShardOf } from "../../../../intrinsics/hypergraph/shard.ts"
import { shardInfo } from "../../../../intrinsics/hypergraph/queries.ts"
import vectors from "../../../vectors/hypergraph_addressing.json"

type Tiers<A> = { readonly authoritative: ReadonlyArray<A>; readonly derived: ReadonlyArray<A> }
const tiers = <A>(t: Tiers<A>): Array<[string, ReadonlyArray<A>]> => [
  ["§9.2 authoritative", t.authoritative],
  ["§9.3 derived", t.derived],
]

describe("Poseidon names (§1.8, §3.2)", () => {
  for (const [tier, rows] of tiers(vectors.poseidonAscii)) {
    test(`poseidon(ascii) — ${tier}`, () => {
      for (const row of rows) expect(bytesToHex(poseidonOfAscii(poseidonHashBytes, row.input))).toBe(row.hash)
    })
  }
  for (const [tier, rows] of tiers(vectors.typeMarkers)) {
    test(`type markers poseidon(domain ‖ "prefix:Class") — ${tier}`, () => {
      for (const row of rows) expect(bytesToHex(typeMarker(poseidonHashBytes, hexToBytes(row.domain), row.class))).toBe(row.marker)
    })
  }
  for (const [tier, rows] of tiers(vectors.signatureDomains)) {
    test(`signature domains poseidon(0xff×32 ‖ OP) — ${tier}`, () => {
      for (const row of rows) expect(bytesToHex(poseidonDomain(poseidonHashBytes, hexToBytes(row.domain), row.op))).toBe(row.hash)
    })
  }
  test('HYPERGRAPH_BASE_DOMAIN is poseidon("q_hypergraph") and every discriminator is in the vectors', () => {
    expect(bytesToHex(HYPERGRAPH_BASE_DOMAIN)).toBe(bytesToHex(poseidonOfAscii(poseidonHashBytes, HYPERGRAPH_ADDRESS_PREFIX)))
    const inputs = vectors.poseidonAscii.derived.map((r) => r.input)
    for (const d of SET_DISCRIMINATORS) expect(inputs).toContain(d)
  })
})

describe("bloom routing (§3.3)", () => {
  for (const [tier, rows] of tiers(vectors.bloomIndices)) {
    test(`GetBloomFilterIndices — ${tier}`, () => {
      for (const row of rows) expect(bytesToHex(bloomFilterIndices(hexToBytes(row.data)))).toBe(row.l1)
    })
  }
  for (const [tier, rows] of tiers<{ readonly data: string; readonly bytes: Readonly<Record<string, string | undefined>> }>(vectors.bloomFilter)) {
    test(`GetBloomFilter — ${tier}`, () => {
      for (const row of rows) {
        const expected = new Uint8Array(32)
        for (const [byte, value] of Object.entries(row.bytes)) expected[Number(byte)] = Number.parseInt(value ?? "0", 16)
        expect(bytesToHex(bloomFilter(hexToBytes(row.data)))).toBe(bytesToHex(expected))
      }
    })
  }
  test("32 zero bytes route to 000000, as do addresses with a first byte above 0x3f", () => {
    expect(bytesToHex(bloomFilterIndices(new Uint8Array(32)))).toBe("000000")
    expect(bytesToHex(bloomFilterIndices(Uint8Array.of(0x40, ...new Uint8Array(31))))).toBe("000000")
    expect(bytesToHex(bloomFilterIndices(Uint8Array.of(0x3f, ...new Uint8Array(31))))).not.toBe("000000")
  })
})

describe("6-bit paths and sub-shards (§3.3, §3.4)", () => {
  test("GetFullPath: 32 bytes give 43 nibbles, 64 give 86; nibbles are MSB-first", () => {
    expect(fullPath(new Uint8Array(32)).length).toBe(43)
    expect(fullPath(new Uint8Array(64)).length).toBe(86)
    // 0b111111_00 0b0001_0000 … → nibbles 63, 1, 0
    expect(fullPath(Uint8Array.of(0xfc, 0x10, 0x00)).slice(0, 3)).toEqual([63, 1, 0])
    // a one-byte key k << 2 has first nibble k (why RDF keys are order << 2)
    for (const k of [0, 1, 5, 63]) expect(fullPath(Uint8Array.of(k << 2))[0]).toBe(k)
  })

  test("nibble 42 of app ‖ data is (L2[31] & 0x0f) << 2 | data[0] >> 6, nibble 43 the low six bits of data[0]", () => {
    const app = new Uint8Array(32).fill(0xab)
    const data = Uint8Array.of(0b1101_0110, ...new Uint8Array(31))
    const path = fullPath(new Uint8Array([...app, ...data]))
    expect(path[42]).toBe(((0xab & 0x0f) << 2) | (data[0]! >> 6))
    expect(path[43]).toBe(data[0]! & 0x3f)
  })

  test("coins 00…, 01…, 02… fall into sub-shards 0, 1, 2; reserved 0xff… addresses fall outside every sub-shard", () => {
    for (const n of [0, 1, 2]) expect(subShardOf(Uint8Array.of(n, ...new Uint8Array(31).fill(0x55)))).toBe(n)
    expect(subShardOf(new Uint8Array(32).fill(0xff))).toBeUndefined()
    const quil = hexToBytes(vectors.poseidonAscii.authoritative[0]!.hash)
    expect(bytesToHex(shardAddress(quil, [2]))).toBe(`${bytesToHex(quil)}02`)
    expect(() => shardAddress(quil, [64])).toThrow(RangeError)
  })

  test("shard key and shard info of the hypergraph base domain", () => {
    const key = shardKeyOf(HYPERGRAPH_BASE_DOMAIN)
    expect(bytesToHex(key.l1)).toBe("98caea")
    const info = shardInfo(new Uint8Array([...HYPERGRAPH_BASE_DOMAIN, 0x01, ...new Uint8Array(31)]))
    expect(info).toEqual({
      l1: "98caea",
      l2: bytesToHex(HYPERGRAPH_BASE_DOMAIN),
      bitmask: "0000000000000001000000800000000000008000000000000000000000000000",
      subShard: 1,
      shardAddress: `${bytesToHex(HYPERGRAPH_BASE_DOMAIN)}01`,
    })
  })
})
