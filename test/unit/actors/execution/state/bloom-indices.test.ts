// The execution layer's copy of GetBloomFilterIndices (spec §3.3) against the same vectors as the
// hypergraph intrinsic's (test/vectors/hypergraph_addressing.json).
import { describe, expect, test } from "bun:test"
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js"
import { bloomIndices } from "../../../../../actors/execution/state/bloom-indices.ts"
import vectors from "../../../../vectors/hypergraph_addressing.json"

describe("bloom indices (L1 of a shard key)", () => {
  test("§9.2 authoritative and §9.3 derived vectors", () => {
    for (const row of [...vectors.bloomIndices.authoritative, ...vectors.bloomIndices.derived]) {
      expect(bytesToHex(bloomIndices(hexToBytes(row.data)))).toBe(row.l1)
    }
  })
  test("32 zero bytes and first bytes above 0x3f route to 000000", () => {
    expect(bytesToHex(bloomIndices(new Uint8Array(32)))).toBe("000000")
    expect(bytesToHex(bloomIndices(Uint8Array.of(0x40, ...new Uint8Array(31))))).toBe("000000")
    expect(bytesToHex(bloomIndices(Uint8Array.of(0x3f, ...new Uint8Array(31))))).not.toBe("000000")
  })
})
