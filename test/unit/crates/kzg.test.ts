// KZG on the BLS48-581 ceremony through bun:ffi: the Go test vector and the poly-size-16 vector
// byte for byte, opening checks, multiproofs, and typed errors.
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import { Effect, Either } from "effect"
import { readFileSync } from "node:fs"
import type { BlsError } from "../../../crates/ts/bls/errors.ts"
import { makeKzg } from "../../../crates/ts/bls/kzg.ts"
import { vectorsDir } from "../../vectors/index.ts"

const DIR = vectorsDir
const goVector = JSON.parse(readFileSync(`${DIR}/bls48581_kzg_go_test.json`, "utf8")) as Record<string, string | number>
const kzgLine = readFileSync(`${DIR}/bls48581_sign_kzg.jsonl`, "utf8")
  .trim()
  .split("\n")
  .map((l) => JSON.parse(l) as Record<string, string | number>)
  .find((l) => l["kzg_poly_size"] !== undefined)
/** A vector field as bytes (an absent field reads as no bytes). */
const fieldBytes = (s: string | number | undefined): Uint8Array => hexToBytes(String(s ?? ""))

const kzg = Effect.runSync(makeKzg())
const run = <A>(e: Effect.Effect<A, BlsError>): A => Effect.runSync(e)
const failTag = <A>(e: Effect.Effect<A, BlsError>): string => {
  const r = Effect.runSync(Effect.either(e))
  return Either.isLeft(r) ? r.left._tag : "succeeded"
}

describe("kzg vectors", () => {
  test("Go TestProveVerify: commit, index-0 proof, verify", () => {
    const data = fieldBytes(goVector["data"])
    const size = Number(goVector["poly_size"])
    const commit = run(kzg.commit(data, size))
    expect(bytesToHex(commit)).toBe(String(goVector["commit_raw"]))
    const proof = run(kzg.prove(data, 0, size))
    expect(bytesToHex(proof)).toBe(String(goVector["prove_raw_index0"]))
    expect(run(kzg.verify(data.subarray(0, 64), commit, 0, proof, size))).toBe(true)
    expect(run(kzg.verify(data.subarray(64, 128), commit, 0, proof, size))).toBe(false)
    expect(run(kzg.verify(data.subarray(0, 64), commit, 1, proof, size))).toBe(false)
  }, 20_000)

  test("poly size 16: commit and index-3 proof", () => {
    expect(kzgLine).toBeDefined()
    const size = Number(kzgLine?.["kzg_poly_size"])
    const data = Uint8Array.from({ length: 16 * 64 }, (_, i) => (i % 64 < 2 ? 0 : i % 251))
    const commit = run(kzg.commit(data, size))
    expect(bytesToHex(commit)).toBe(String(kzgLine?.["commit"]))
    const proof = run(kzg.prove(data, 3, size))
    expect(bytesToHex(proof)).toBe(String(kzgLine?.["proof_index3"]))
    expect(run(kzg.verify(data.subarray(192, 256), commit, 3, proof, size))).toBe(true)
  }, 20_000)
})

describe("kzg multiproofs and errors", () => {
  test("prove/verify multiple openings", () => {
    const blobs = [1, 2, 3].map((k) => Uint8Array.from({ length: 1024 }, (_, i) => (i % 64 < 2 ? 0 : (i * k) & 0xff)))
    const commits = blobs.map((b) => run(kzg.commit(b, 16)))
    const indices = [0, 7, 15]
    const mp = run(kzg.proveMultiple(commits, blobs, indices, 16))
    const evals = blobs.map((b, j) => b.subarray(indices[j]! * 64, indices[j]! * 64 + 64))
    expect(run(kzg.verifyMultiple(commits, evals, indices, 16, mp))).toBe(true)
    expect(run(kzg.verifyMultiple(commits, [evals[1]!, evals[0]!, evals[2]!], indices, 16, mp))).toBe(false)
    expect(run(kzg.verifyMultiple(commits, evals, [0, 7, 14], 16, mp))).toBe(false)
  }, 30_000)

  test("typed errors for sizes, indices and encodings", () => {
    expect(failTag(kzg.commit(new Uint8Array(64), 17))).toBe("BlsLengthError")
    expect(failTag(kzg.commit(new Uint8Array(17 * 64), 16))).toBe("BlsLengthError")
    expect(failTag(kzg.prove(new Uint8Array(64), 16, 16))).toBe("BlsLengthError")
    expect(failTag(kzg.verify(new Uint8Array(64), new Uint8Array(74).fill(0xff), 0, new Uint8Array(74), 16))).toBe("BlsEncodingError")
    expect(failTag(kzg.verify(new Uint8Array(64), new Uint8Array(73), 0, new Uint8Array(74), 16))).toBe("BlsLengthError")
    // Empty data commits to the identity-free zero polynomial without crashing.
    expect(failTag(kzg.commit(new Uint8Array(0), 16))).toBe("succeeded")
  })
})

test("2,000 random or mutated KZG verify inputs never crash", () => {
  const data = Uint8Array.from({ length: 1024 }, (_, i) => (i % 64 < 2 ? 0 : i % 251))
  const commit = run(kzg.commit(data, 16))
  const proof = run(kzg.prove(data, 3, 16))
  let seed = 12345
  const rnd = (): number => {
    seed = (seed * 1103515245 + 12345) >>> 0
    return seed >>> 8
  }
  const mutate = (b: Uint8Array): Uint8Array => {
    const c = Uint8Array.from(b)
    c[rnd() % c.length] = rnd() & 0xff
    return c
  }
  let accepted = 0
  for (let i = 0; i < 2_000; i++) {
    const c = i % 50 === 0 ? mutate(commit) : Uint8Array.from({ length: i % 3 === 0 ? 74 : rnd() % 80 }, () => rnd() & 0xff)
    const p = i % 50 === 25 ? mutate(proof) : i % 50 === 0 ? proof : Uint8Array.from({ length: 74 }, () => rnd() & 0xff)
    const r = Effect.runSync(Effect.either(kzg.verify(data.subarray(192, 256), c, 3, p, 16)))
    if (Either.isLeft(r)) expect(["BlsLengthError", "BlsEncodingError"]).toContain(r.left._tag)
    else if (r.right) accepted++
  }
  expect(accepted).toBeLessThan(5)
}, 60_000)

describe("kzg updateCommitment (incremental commit)", () => {
  test("equals a fresh commit byte for byte over random slot changes (poly size 64)", () => {
    let seed = 777
    const rnd = (): number => {
      seed = (seed * 1103515245 + 12345) >>> 0
      return seed >>> 8
    }
    const slots = Uint8Array.from({ length: 64 * 64 }, () => rnd() & 0xff)
    let commitment = run(kzg.commit(slots, 64))
    for (const changed of [1, 2, 5, 17, 64]) {
      const indices: Array<number> = []
      while (indices.length < changed) {
        const i = rnd() % 64
        if (!indices.includes(i)) indices.push(i)
      }
      const olds = indices.map((i) => slots.slice(i * 64, i * 64 + 64))
      // Every fourth change empties the slot (a removed child), the rest are random 64-byte values.
      for (const [n, i] of indices.entries()) {
        slots.set(
          Uint8Array.from({ length: 64 }, () => (n % 4 === 3 ? 0 : rnd() & 0xff)),
          i * 64,
        )
      }
      const news = indices.map((i) => slots.slice(i * 64, i * 64 + 64))
      commitment = run(kzg.updateCommitment(commitment, indices, olds, news, 64))
      expect(bytesToHex(commitment)).toBe(bytesToHex(run(kzg.commit(slots, 64))))
    }
  }, 60_000)

  test("rejects duplicate or out-of-range indices, wrong slot sizes and bad points", () => {
    const z = new Uint8Array(64)
    const c = run(
      kzg.commit(
        Uint8Array.from({ length: 128 }, (_, i) => i),
        64,
      ),
    )
    expect(failTag(kzg.updateCommitment(c, [1, 1], [z, z], [z, z], 64))).toBe("BlsLengthError")
    expect(failTag(kzg.updateCommitment(c, [64], [z], [z], 64))).toBe("BlsLengthError")
    expect(failTag(kzg.updateCommitment(c, [1], [z.subarray(1)], [z], 64))).toBe("BlsLengthError")
    expect(failTag(kzg.updateCommitment(c, [], [], [], 64))).toBe("BlsLengthError")
    expect(failTag(kzg.updateCommitment(c, [1], [z], [z], 48))).toBe("BlsLengthError")
    expect(
      failTag(
        kzg.updateCommitment(
          Uint8Array.from(c, (b, i) => (i === 0 ? 7 : b)),
          [1],
          [z],
          [z],
          64,
        ),
      ),
    ).toBe("BlsEncodingError")
  })
})
