// Traversal proofs: built here they verify, survive their byte encoding, and fail on any flipped
// byte; the checks of spec §3.5 plus quilbun's (KZG always, keys bound).
import { bytesToHex } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import { Effect, Either } from "effect"
import { proveMultiple } from "../../../../../actors/execution/state/prove.ts"
import { type TraversalProof, traversalProofFromBytes, traversalProofToBytes } from "../../../../../actors/execution/state/traversal-proof.ts"
import { VectorCommitmentTrie } from "../../../../../actors/execution/state/trie.ts"
import { verifyTraversalProof } from "../../../../../actors/execution/state/verify.ts"
import { byteSource, kzg } from "./helpers.ts"

const run = <A, E>(e: Effect.Effect<A, E>): A => Effect.runSync(e)
const decode = (bytes: Uint8Array): TraversalProof => {
  const r = traversalProofFromBytes(bytes)
  if (Either.isLeft(r)) throw new Error(r.left.reason)
  return r.right
}

const rnd = byteSource(77)
const trie = new VectorCommitmentTrie()
const keys: Array<Uint8Array> = []
for (let i = 0; i < 200; i++) {
  // Keys under two first bytes: a three-level trie with compressed prefixes.
  const k = rnd(32)
  k[0] = k[0]! & 1
  keys.push(k)
  run(trie.insert(k, rnd(24), i % 4 === 0 ? rnd(64) : new Uint8Array(0), 24n))
}
const root = run(trie.commit(kzg))

describe("traversal proofs", () => {
  test("a proof of several keys verifies, keys bound, and round-trips its bytes", () => {
    const picked = [keys[0]!, keys[57]!, keys[199]!]
    const proof = run(proveMultiple(trie, kzg, picked))
    expect(proof.subProofs.length).toBe(3)
    for (const sp of proof.subProofs) {
      expect(bytesToHex(sp.commits[0]!)).toBe(bytesToHex(root))
      expect(sp.paths.length).toBe(sp.commits.length - 1)
    }
    expect(run(verifyTraversalProof(kzg, root, proof))).toBe(true)
    expect(run(verifyTraversalProof(kzg, root, proof, picked))).toBe(true)
    const bytes = traversalProofToBytes(proof)
    expect(bytesToHex(traversalProofToBytes(decode(bytes)))).toBe(bytesToHex(bytes))
    expect(run(verifyTraversalProof(kzg, root, decode(bytes), picked))).toBe(true)
    // Wrong keys, another root, or a shuffled key order are rejected.
    expect(run(verifyTraversalProof(kzg, root, proof, [keys[1]!, keys[57]!, keys[199]!]))).toBe(false)
    expect(run(verifyTraversalProof(kzg, root, proof, [keys[57]!, keys[0]!, keys[199]!]))).toBe(false)
    expect(run(verifyTraversalProof(kzg, new Uint8Array(74), proof))).toBe(false)
  }, 60_000)

  test("a single-opening proof is still KZG-checked (the reference skips it)", () => {
    const small = new VectorCommitmentTrie()
    run(small.insert(new Uint8Array([0x00]), new Uint8Array([1]), new Uint8Array(0), 1n))
    run(small.insert(new Uint8Array([0x04]), new Uint8Array([2]), new Uint8Array(0), 1n))
    const r = run(small.commit(kzg))
    const proof = run(proveMultiple(small, kzg, [new Uint8Array([0x04])]))
    expect(proof.subProofs[0]!.commits.length).toBe(2)
    expect(run(verifyTraversalProof(kzg, r, proof))).toBe(true)
    // Same structure, a forged multiproof: only the KZG check can catch it.
    const forged = { ...proof, multiproof: { multicommitment: proof.multiproof.proof, proof: proof.multiproof.multicommitment } }
    expect(run(verifyTraversalProof(kzg, r, forged))).toBe(false)
  }, 30_000)

  test("every flipped byte of a small proof is rejected (or fails to decode)", () => {
    const small = new VectorCommitmentTrie()
    for (const k of [0x00, 0x04, 0x40, 0x44]) run(small.insert(new Uint8Array([k, 1]), new Uint8Array([k]), new Uint8Array(0), 1n))
    const r = run(small.commit(kzg))
    const key = new Uint8Array([0x44, 1])
    const bytes = traversalProofToBytes(run(proveMultiple(small, kzg, [key])))
    expect(run(verifyTraversalProof(kzg, r, decode(bytes), [key]))).toBe(true)
    let accepted = 0
    for (let i = 0; i < bytes.length; i++) {
      const flipped = Uint8Array.from(bytes)
      flipped[i] = flipped[i]! ^ 0x01
      const d = traversalProofFromBytes(flipped)
      if (Either.isLeft(d)) continue
      if (run(verifyTraversalProof(kzg, r, d.right, [key]))) accepted++
    }
    expect(accepted).toBe(0)
  }, 600_000)

  test("structural checks: empty multiproof, bad lengths, an absent key", () => {
    const proof = run(proveMultiple(trie, kzg, [keys[3]!]))
    const sp = proof.subProofs[0]!
    const check = (p: TraversalProof): boolean => run(verifyTraversalProof(kzg, root, p))
    expect(check({ ...proof, multiproof: { multicommitment: new Uint8Array(0), proof: proof.multiproof.proof } })).toBe(false)
    expect(check({ ...proof, subProofs: [] })).toBe(false)
    expect(check({ ...proof, subProofs: [{ ...sp, ys: sp.ys.slice(1) }] })).toBe(false)
    expect(check({ ...proof, subProofs: [{ ...sp, paths: sp.paths.slice(1) }] })).toBe(false)
    expect(check({ ...proof, subProofs: [{ ...sp, paths: sp.paths.map((p) => p.map(() => 64n)) }] })).toBe(false)
    const absent = Effect.runSync(Effect.either(proveMultiple(trie, kzg, [new Uint8Array(32).fill(0xee)])))
    expect(Either.isLeft(absent) && absent.left._tag).toBe("TraversalProofError")
    const none = Effect.runSync(Effect.either(proveMultiple(trie, kzg, [])))
    expect(Either.isLeft(none) && none.left._tag).toBe("TraversalProofError")
  }, 60_000)
})
