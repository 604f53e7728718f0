// iden3 Poseidon HashBytes against test/vectors/poseidon_iden3.json, plus the prover
// address helper and the chunking edges (31-byte chunks, 16-element frames).
import { bytesToHex } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import { readFileSync } from "node:fs"
import { poseidon16 } from "poseidon-lite/poseidon16"
import { proverAddress } from "../../../crates/ts/address.ts"
import { poseidonHashBytes, poseidonHashBytesBigInt } from "../../../crates/ts/poseidon.ts"
import { vectorPath } from "../../vectors/index.ts"

const vectorsPath = vectorPath("poseidon_iden3.json")

const typeHashInput = (name: string): Uint8Array => new Uint8Array([...new Uint8Array(32).fill(0xff), ...new TextEncoder().encode(name)])

describe("Poseidon HashBytes (iden3)", () => {
  test("poseidon_iden3.json vectors", () => {
    const file = JSON.parse(readFileSync(vectorsPath, "utf8")) as { vectors: Array<{ msg_hex: string; hash: string }> }
    const names = ["prover:Prover", "allocation:ProverAllocation", "reward:ProverReward"]
    expect(file.vectors.length).toBe(names.length)
    file.vectors.forEach((v, i) => {
      expect(v.msg_hex).toContain(names[i]!)
      expect(bytesToHex(poseidonHashBytes(typeHashInput(names[i]!)))).toBe(v.hash)
    })
  })

  test("chunking: one 31-byte chunk is frame [chunk, 0 × 15]", () => {
    const msg = new Uint8Array(31).map((_, i) => i + 1)
    const chunk = BigInt(`0x${bytesToHex(msg)}`)
    expect(poseidonHashBytesBigInt(msg)).toBe(poseidon16([chunk, ...new Array<bigint>(15).fill(0n)]))
    // a short chunk is right-padded with zeros (big-endian)
    const short = new Uint8Array([0xab])
    expect(poseidonHashBytesBigInt(short)).toBe(poseidon16([0xabn << 240n, ...new Array<bigint>(15).fill(0n)]))
  })

  test("chaining: 16 full chunks hash once; a 17th chains the hash into slot 0", () => {
    const msg16 = new Uint8Array(31 * 16).map((_, i) => (i * 7) & 0xff)
    const chunks = Array.from({ length: 16 }, (_, i) => BigInt(`0x${bytesToHex(msg16.subarray(31 * i, 31 * (i + 1)))}`))
    const h1 = poseidon16(chunks)
    expect(poseidonHashBytesBigInt(msg16)).toBe(h1)
    const msg17 = new Uint8Array([...msg16, 0x01])
    expect(poseidonHashBytesBigInt(msg17)).toBe(poseidon16([h1, 0x01n << 240n, ...new Array<bigint>(14).fill(0n)]))
  })

  test("32-byte big-endian output; empty input rejected", () => {
    const out = poseidonHashBytes(new Uint8Array(516).fill(7))
    expect(out.length).toBe(32)
    expect(BigInt(`0x${bytesToHex(out)}`)).toBe(poseidonHashBytesBigInt(new Uint8Array(516).fill(7)))
    expect(() => poseidonHashBytes(new Uint8Array(0))).toThrow(RangeError)
  })

  test("prover address = Poseidon(BLS public key bytes)", () => {
    const pk = new Uint8Array(585).map((_, i) => (i * 13 + 5) & 0xff)
    expect(bytesToHex(proverAddress(pk))).toBe(bytesToHex(poseidonHashBytes(pk)))
    expect(() => proverAddress(pk.subarray(1))).toThrow(RangeError)
  })
})
