// The native library (bun:ffi → crates/quilcrypto) against the vectors and the TS reference:
// discriminants, composition (NUCOMP) and squaring (NUDUPL) vs BigInt, every VDF line, a tamper
// of every output byte, and 10 000 random / truncated / mutated inputs that must never crash.
import { bytesToHex } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import { compose, decodeInt, encodeInt, square, type Form } from "../../../../crates/ts/vdf/classgroup.ts"
import { loadNativeVdf, type NativeVdf } from "../../../../crates/ts/vdf/native.ts"
import * as W from "../../../../crates/ts/vdf/wesolowski.ts"
import { Status } from "../../../../crates/ts/status.ts"
import { discriminantVectors, multiplyLines, prng, wesolowskiLines } from "./vectors.ts"

const loaded = loadNativeVdf()
const native: NativeVdf | undefined = "unavailable" in loaded ? undefined : loaded
const { single, multi } = wesolowskiLines()

/** a ‖ b ‖ c at 257 bytes each (c of a reduced 2048-bit form can exceed 129 bytes). */
const W257 = 257
const fullForm = (f: Form): Uint8Array => {
  const out = new Uint8Array(3 * W257)
  out.set(encodeInt(f.a, W257), 0)
  out.set(encodeInt(f.b, W257), W257)
  out.set(encodeInt(f.c, W257), 2 * W257)
  return out
}
const parseFull = (bytes: Uint8Array): Form => ({
  a: decodeInt(bytes.subarray(0, W257)),
  b: decodeInt(bytes.subarray(W257, 2 * W257)),
  c: decodeInt(bytes.subarray(2 * W257, 3 * W257)),
})

// The set-up builds the library (scripts/setup.sh); a missing one is a failure that says why, not a skip.
test("the native library is built and loads", () => {
  expect("unavailable" in loaded ? loaded.unavailable : "loaded").toBe("loaded")
})

describe("native VDF", () => {
  if (native === undefined) return
  const lib = native

  test("create_discriminant vectors (40, 1024, 2048 bits)", () => {
    const v = discriminantVectors()
    for (const [bits, bytes] of [
      [40, 5],
      [1024, 128],
      [2048, 256],
    ] as const) {
      const r = lib.discriminant(new Uint8Array([0xaa]), bits, bytes)
      expect(r.status).toBe(Status.Ok)
      expect((-BigInt(`0x${bytesToHex(r.output)}`)).toString()).toBe(v[`disc(aa,${bits})`]!)
    }
  })

  test("classgroup_multiply.txt: native NUCOMP = expected = TS composition", () => {
    const lines = multiplyLines()
    expect(lines.length).toBe(100)
    for (const [f1, f2, f3] of lines) {
      const r = lib.classgroupMul(fullForm(f1), fullForm(f2))
      expect(r.status).toBe(Status.Ok)
      expect(parseFull(r.output)).toEqual(f3)
      expect(compose(f1, f2)).toEqual(f3)
      // NUDUPL squaring agrees with the BigInt square
      const s = lib.classgroupSquare(fullForm(f1), 1)
      expect(s.status).toBe(Status.Ok)
      expect(parseFull(s.output)).toEqual(square(f1))
    }
  })

  test("NUDUPL chains and NUCOMP products agree with the TS reference on a 2048-bit discriminant", () => {
    const { x } = W.setup(new Uint8Array([0xaa]))
    let tsForm = x
    let f = fullForm(x)
    for (let i = 0; i < 40; i++) {
      const r = lib.classgroupSquare(f, 7)
      expect(r.status).toBe(Status.Ok)
      for (let k = 0; k < 7; k++) tsForm = square(tsForm)
      expect(parseFull(r.output)).toEqual(tsForm)
      const p = lib.classgroupMul(r.output, fullForm(x))
      tsForm = compose(tsForm, x)
      expect(parseFull(p.output)).toEqual(tsForm)
      f = p.output
    }
  })

  test("small random discriminants: native NUCOMP / NUDUPL = TS composition (no crash on edge cases)", () => {
    const rng = prng(4242)
    const big = (bits: number): bigint => BigInt(`0x${bytesToHex(rng.bytes(Math.ceil(bits / 8)))}`) >> BigInt((8 - (bits % 8)) % 8)
    const gcd = (x: bigint, y: bigint): bigint => (y === 0n ? (x < 0n ? -x : x) : gcd(y, x % y))
    let checked = 0
    for (let n = 0; n < 600; n++) {
      const bits = 2 + rng.int(120)
      const b = big(bits) | 1n
      const a = big(bits) + 1n
      const c = (b * b) / (4n * a) + 1n + big(1 + rng.int(bits))
      if (gcd(gcd(a, b), c) !== 1n) continue
      const f = { a, b, c }
      // a second form of the same discriminant: a power of f
      const g = square(compose(f, f))
      const r = lib.classgroupMul(fullForm(f), fullForm(g))
      expect(r.status).toBe(Status.Ok)
      expect(parseFull(r.output)).toEqual(compose(f, g))
      const s = lib.classgroupSquare(fullForm(f), 3)
      expect(s.status).toBe(Status.Ok)
      expect(parseFull(s.output)).toEqual(square(square(square(f))))
      checked++
    }
    expect(checked).toBeGreaterThan(300)
  })

  test("solve reproduces every single line; iterate gives y; verify accepts", () => {
    expect(single.length).toBe(4)
    for (const l of single) {
      const r = lib.solve(l.challenge, l.difficulty, 0)
      expect(r.status).toBe(Status.Ok)
      expect(bytesToHex(r.output)).toBe(bytesToHex(l.output))
      expect(bytesToHex(lib.iterate(l.challenge, l.difficulty).output)).toBe(bytesToHex(l.output.subarray(0, 258)))
      expect(lib.verify(l.challenge, l.difficulty, l.output)).toBe(Status.Ok)
      expect(lib.verify(l.challenge, l.difficulty + 1, l.output)).toBe(Status.Invalid)
    }
  }, 20_000)

  test("cold verify (discriminant cache cleared) = the reference-search verify, valid and tampered", () => {
    for (const l of single) {
      const bad = l.output.slice()
      bad[300]! ^= 1
      for (const [output, want] of [
        [l.output, Status.Ok],
        [bad, lib.verifyReference(l.challenge, l.difficulty, bad)],
      ] as const) {
        lib.clearCache()
        expect(lib.verify(l.challenge, l.difficulty, output)).toBe(want)
      }
      expect(lib.verifyReference(l.challenge, l.difficulty, l.output)).toBe(Status.Ok)
      expect(lib.verifyReference(l.challenge, l.difficulty, bad)).not.toBe(Status.Ok)
    }
  }, 60_000)

  test("multi line: both blobs reproduced, verify_multi accepts, swaps/duplicates rejected", () => {
    expect(multi.length).toBe(1)
    for (const m of multi) {
      m.ids.forEach((_, i) => {
        const r = lib.solveMulti(m.challenge, m.difficulty, m.ids, i, 0)
        expect(r.status).toBe(Status.Ok)
        expect(bytesToHex(r.output)).toBe(bytesToHex(m.blobs[i]!))
      })
      expect(lib.verifyMulti(m.challenge, m.difficulty, m.ids, m.blobs)).toBe(Status.Ok)
      expect(lib.verifyMulti(m.challenge, m.difficulty, m.ids, [m.blobs[0]!, m.blobs[0]!])).toBe(Status.Invalid)
      expect(lib.verifyMulti(m.challenge, m.difficulty, m.ids.slice(0, 1), m.blobs)).toBe(Status.Length)
      expect(lib.solveMulti(m.challenge, m.difficulty, m.ids, 2, 0).status).toBe(Status.Length)
    }
  }, 20_000)

  test("native solve = TS reference solve on a fresh challenge (t = 0..300)", () => {
    const ch = prng(99).bytes(32)
    for (const t of [0, 1, 2, 3, 17, 300]) {
      const r = lib.solve(ch, t, 0)
      expect(r.status).toBe(Status.Ok)
      expect(bytesToHex(r.output)).toBe(bytesToHex(W.solve(ch, t)))
      expect(lib.verify(ch, t, r.output)).toBe(Status.Ok)
    }
  }, 30_000)

  test("a hostile iteration count (2^32 − 1) is rejected quickly, native and TS", () => {
    // 2^32 squarings would take hours: finishing within the test's timeout is the check.
    const l = single[0]!
    expect(lib.verify(l.challenge, 0xffffffff, l.output)).toBe(Status.Invalid)
    expect(W.verify(l.challenge, 0xffffffff, l.output)).toBe("invalid")
  }, 20_000)

  test("a tampered byte anywhere in an output is rejected (all 516 positions)", () => {
    const l = single.find((x) => x.difficulty === 1000) ?? single[0]!
    for (let i = 0; i < 516; i++) {
      const bad = l.output.slice()
      bad[i]! ^= 1 << (i % 8)
      const status = lib.verify(l.challenge, l.difficulty, bad)
      expect([Status.Invalid, Status.Encoding] as Array<number>).toContain(status)
    }
    // well-formed but wrong: π and y swapped, π replaced by y, y replaced by π
    const y = l.output.subarray(0, 258)
    const pi = l.output.subarray(258)
    for (const [a, b] of [
      [pi, y],
      [y, y],
      [pi, pi],
    ] as const) {
      expect(lib.verify(l.challenge, l.difficulty, new Uint8Array([...a, ...b]))).toBe(Status.Invalid)
    }
  }, 30_000)

  test("10 000 random, truncated and mutated verify inputs never crash", () => {
    const rng = prng(20260101)
    const l = single[0]
    const challenge = l?.challenge ?? new Uint8Array(32).fill(3)
    const t = l?.difficulty ?? 100
    const good = l?.output ?? lib.solve(challenge, t, 0).output
    const counts: Record<number, number> = {}
    for (let n = 0; n < 10_000; n++) {
      let input: Uint8Array
      switch (n % 4) {
        case 0: // random length, random bytes
          input = rng.bytes(rng.int(700))
          break
        case 1: // truncated or extended valid output
          input = rng.int(2) === 0 ? good.subarray(0, rng.int(516)) : new Uint8Array([...good, ...rng.bytes(1 + rng.int(8))])
          break
        case 2: {
          // right length, random bytes (mostly not forms)
          input = rng.bytes(516)
          break
        }
        default: {
          // valid output with a few random byte mutations
          input = good.slice()
          for (let k = 1 + rng.int(4); k > 0; k--) input[rng.int(516)] = rng.int(256)
        }
      }
      const status = lib.verify(challenge, t, input)
      counts[status] = (counts[status] ?? 0) + 1
      expect([Status.Ok, Status.Invalid, Status.Encoding, Status.Length] as Array<number>).toContain(status)
    }
    // only untouched mutations (a byte rewritten with its own value) may still verify
    expect(counts[Status.Length]! + counts[Status.Encoding]! + (counts[Status.Invalid] ?? 0)).toBeGreaterThan(9_000)
    // random multi inputs and composition inputs are rejected cleanly as well
    for (let n = 0; n < 200; n++) {
      expect(lib.verifyMulti(challenge, t, [rng.bytes(rng.int(5))], [rng.bytes(516)])).not.toBe(Status.Ok)
      const width = 1 + rng.int(300)
      const r = lib.classgroupMul(rng.bytes(3 * width), rng.bytes(rng.int(2) === 0 ? 3 * width : rng.int(900)))
      expect([Status.Ok, Status.Encoding, Status.Length] as Array<number>).toContain(r.status)
    }
  }, 60_000)

  test("null / empty inputs: empty challenge is a valid seed, empty output is a length error", () => {
    const r = lib.solve(new Uint8Array(0), 5, 0)
    expect(r.status).toBe(Status.Ok)
    expect(bytesToHex(r.output)).toBe(bytesToHex(W.solve(new Uint8Array(0), 5)))
    expect(lib.verify(new Uint8Array(0), 5, new Uint8Array(0))).toBe(Status.Length)
    expect(lib.solve(new Uint8Array(0), 2 ** 22 + 1, 0).status).toBe(Status.Length)
    expect(lib.discriminant(new Uint8Array([1]), 8, 8).status).toBe(Status.Length)
  }, 20_000)
})

describe("TS reference fuzz (smaller: BigInt decode is slower)", () => {
  test("1 000 random / truncated / mutated inputs to the TS verifier never throw", () => {
    const rng = prng(5)
    const l = single[0]
    if (l === undefined) return
    for (let n = 0; n < 1000; n++) {
      const input = n % 3 === 0 ? rng.bytes(rng.int(600)) : n % 3 === 1 ? rng.bytes(516) : l.output.slice()
      if (n % 3 === 2) {
        const i = rng.int(516)
        input[i] = input[i]! ^ (1 + rng.int(255))
      }
      expect(["invalid", "malformed", "length"]).toContain(W.verify(l.challenge, l.difficulty, input))
    }
  }, 60_000)
})
