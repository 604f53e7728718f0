// The TypeScript BigInt reference (crates/ts/vdf) against test/vectors: discriminants,
// class-group composition, full solves for small t, verify of every line, tamper rejection.
import { bytesToHex } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import { isProbablePrime } from "../../../../crates/ts/vdf/bpsw.ts"
import { compose, decodeForm, encodeForm, fromAB, identity, pow, reduce, square } from "../../../../crates/ts/vdf/classgroup.ts"
import { createDiscriminant, randomBytesFromSeed } from "../../../../crates/ts/vdf/discriminant.ts"
import * as W from "../../../../crates/ts/vdf/wesolowski.ts"
import { discriminantVectors, multiplyLines, prng, wesolowskiLines } from "./vectors.ts"

const { single, multi } = wesolowskiLines()

describe("TS reference: vectors", () => {
  test("create_discriminant (seed aa: 40, 1024, 2048 bits) and random_bytes_from_seed", () => {
    const v = discriminantVectors()
    expect(bytesToHex(randomBytesFromSeed(new Uint8Array([0xaa]), 7))).toBe(v["random_bytes_from_seed(aa,7)"]!)
    for (const bits of [40, 1024, 2048]) {
      expect(createDiscriminant(new Uint8Array([0xaa]), bits).toString()).toBe(v[`disc(aa,${bits})`]!)
    }
  }, 20_000)

  test("classgroup_multiply.txt: all 100 products (and squares agree with compose)", () => {
    const lines = multiplyLines()
    expect(lines.length).toBe(100)
    for (const [f1, f2, f3] of lines) {
      expect(compose(f1, f2)).toEqual(f3)
      expect(compose(f2, f1)).toEqual(f3)
      expect(square(f1)).toEqual(compose(f1, f1))
    }
  })

  test("solve reproduces every vector with t ≤ 1000 byte for byte", () => {
    const small = single.filter((l) => l.difficulty <= 1000)
    expect(small.length).toBe(3)
    for (const l of small) expect(bytesToHex(W.solve(l.challenge, l.difficulty))).toBe(bytesToHex(l.output))
  }, 30_000)

  test("verify accepts every single line (incl. t = 10 000) and the multi line", () => {
    expect(single.length).toBe(4)
    for (const l of single) expect(W.verify(l.challenge, l.difficulty, l.output)).toBe("valid")
    expect(multi.length).toBe(1)
    for (const m of multi) expect(W.verifyMulti(m.challenge, m.difficulty, m.ids, m.blobs)).toBe("valid")
  }, 30_000)

  test("solveMulti reproduces both multi blobs", () => {
    for (const m of multi) m.ids.forEach((_, i) => expect(bytesToHex(W.solveMulti(m.challenge, m.difficulty, m.ids, i))).toBe(bytesToHex(m.blobs[i]!)))
  }, 30_000)

  test("tampered bytes (sampled over y.a, y.b, π.a, π.b) are rejected", () => {
    const l = single[0]!
    for (const i of [0, 60, 128, 129, 200, 257, 258, 300, 386, 387, 450, 515]) {
      const bad = l.output.slice()
      bad[i]! ^= 0x01
      expect(W.verify(l.challenge, l.difficulty, bad)).not.toBe("valid")
    }
    expect(W.verify(l.challenge, l.difficulty + 1, l.output)).toBe("invalid")
    expect(W.verify(l.challenge, l.difficulty, l.output.subarray(1))).toBe("length")
    const m = multi[0]!
    expect(W.verifyMulti(m.challenge, m.difficulty, m.ids, [m.blobs[0]!, m.blobs[0]!])).toBe("invalid")
  }, 30_000)
})

describe("TS reference: algebra", () => {
  test("BPSW: small primes, Carmichael numbers, strong pseudoprimes base 2", () => {
    const primes = [2n, 3n, 5n, 997n, 1009n, 65521n, (1n << 61n) - 1n, (1n << 127n) - 1n]
    for (const p of primes) expect(isProbablePrime(p)).toBe(true)
    // 561, 1105 Carmichael; 2047, 3277, 4033 base-2 strong pseudoprimes; 2^61+1 composite
    for (const n of [0n, 1n, 4n, 561n, 1105n, 2047n, 3277n, 4033n, 3215031751n, (1n << 61n) + 1n]) expect(isProbablePrime(n)).toBe(false)
  })

  test("pow is consistent with repeated composition; identity is neutral; encoding round trips", () => {
    const { D, x } = W.setup(new Uint8Array([0xaa])) // cached by the vector tests above
    let acc = identity(D)
    for (let i = 0; i < 37; i++) acc = compose(acc, x)
    expect(pow(x, 37n)).toEqual(acc)
    expect(compose(acc, identity(D))).toEqual(acc)
    const enc = encodeForm(acc)
    expect(decodeForm(enc, D)).toEqual(acc)
    // a non-reduced representative of the same class is rejected by the decoder
    const r = prng(7).int(1000) + 2
    const unreduced = fromAB(acc.a, acc.b + 2n * BigInt(r) * acc.a, D)!
    expect(reduce(unreduced)).toEqual(acc)
    const bytes = new Uint8Array(258)
    bytes.set(encodeForm(unreduced).subarray(0, 258))
    expect(decodeForm(bytes, D)).toBeUndefined()
  })
})
