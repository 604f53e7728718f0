// Insert / get / delete and the reference's size, leafCount and longestBranch bookkeeping.
import { describe, expect, test } from "bun:test"
import { Effect, Option } from "effect"
import { VectorCommitmentTrie } from "../../../../../actors/execution/state/trie.ts"
import { byteSource } from "./helpers.ts"

const run = <A, E>(e: Effect.Effect<A, E>): A => Effect.runSync(e)
const b = (...xs: Array<number>): Uint8Array => new Uint8Array(xs)

describe("VectorCommitmentTrie structure", () => {
  test("insert, replace, get, and the empty key", () => {
    const t = new VectorCommitmentTrie()
    expect(t.leafCount).toBe(0)
    run(t.insert(b(0x00), b(1), b(), 1n))
    expect(t.root?._tag).toBe("Leaf")
    expect(t.leafCount).toBe(1)
    expect(t.longestBranch).toBe(0)
    run(t.insert(b(0x04), b(2), b(), 2n))
    run(t.insert(b(0x40), b(3), b(), 3n))
    expect(t.leafCount).toBe(3)
    expect(t.size).toBe(6n)
    expect(t.longestBranch).toBe(1)
    expect(Option.getOrNull(t.get(b(0x04)))).toEqual(b(2))
    expect(Option.isNone(t.get(b(0x08)))).toBe(true)
    run(t.insert(b(0x04), b(9), b(), 5n))
    expect(Option.getOrNull(t.get(b(0x04)))).toEqual(b(9))
    expect(t.leafCount).toBe(3)
    // As the reference: replacing a leaf does not propagate its size change to the branches.
    expect(t.size).toBe(6n)
    const r = Effect.runSync(Effect.either(t.insert(b(), b(1), b(), 1n)))
    expect(r._tag).toBe("Left")
  })

  test("a split compresses the shared nibbles into the new branch's prefix", () => {
    const t = new VectorCommitmentTrie()
    const k1 = new Uint8Array(32).fill(0xaa)
    const k2 = Uint8Array.from(k1)
    k2[31] = 0xab
    run(t.insert(k1, b(1), b(), 1n))
    run(t.insert(k2, b(2), b(), 1n))
    const root = t.root
    if (root?._tag !== "Branch") throw new Error("expected a branch")
    // Keys differ in the last bit of byte 31 = bit 255, inside nibble 42 (bits 252..257).
    expect(root.prefix.length).toBe(42)
    expect(root.leafCount).toBe(2)
    // A key that leaves the prefix early splits it: new branch above, old branch keeps the rest.
    const k3 = Uint8Array.from(k1)
    k3[1] = 0x00
    run(t.insert(k3, b(3), b(), 1n))
    const top = t.root
    if (top?._tag !== "Branch") throw new Error("expected a branch")
    expect(top.leafCount).toBe(3)
    expect(top.longestBranch).toBe(2)
    expect(top.size).toBe(3n)
    expect(Option.getOrNull(t.get(k2))).toEqual(b(2))
    expect(Option.getOrNull(t.get(k3))).toEqual(b(3))
  })

  test("delete collapses branches and restores the bookkeeping", () => {
    const t = new VectorCommitmentTrie()
    const rnd = byteSource(42)
    const keys = Array.from({ length: 300 }, () => rnd(32))
    for (const [i, k] of keys.entries()) run(t.insert(k, rnd(8), b(), BigInt(i + 1)))
    expect(t.leafCount).toBe(300)
    expect(t.size).toBe(BigInt((300 * 301) / 2))
    for (const [i, k] of keys.entries()) {
      if (i % 3 === 0) continue
      run(t.delete(k))
    }
    expect(t.leafCount).toBe(100)
    expect(t.size).toBe(keys.reduce((s, _, i) => (i % 3 === 0 ? s + BigInt(i + 1) : s), 0n))
    for (const [i, k] of keys.entries()) expect(Option.isSome(t.get(k))).toBe(i % 3 === 0)
    // Deleting an absent key changes nothing.
    run(t.delete(rnd(32)))
    expect(t.leafCount).toBe(100)
    for (const [i, k] of keys.entries()) if (i % 3 === 0) run(t.delete(k))
    expect(t.root).toBeUndefined()
  })

  test("a key whose path ends where another continues is rejected and changes nothing", () => {
    const t = new VectorCommitmentTrie()
    run(t.insert(b(0x00, 0x00), b(1), b(), 1n))
    run(t.insert(b(0x00, 0x10), b(2), b(), 1n))
    const before = t.root
    const r = Effect.runSync(Effect.either(t.insert(b(0x00), b(3), b(), 1n)))
    expect(r._tag === "Left" && r.left._tag).toBe("TrieKeyError")
    expect(t.root).toBe(before)
    expect(t.leafCount).toBe(2)
    expect(Option.isNone(t.get(b(0x00)))).toBe(true)
  })

  test("a branch left with one branch child merges prefixes", () => {
    const t = new VectorCommitmentTrie()
    const a = new Uint8Array(8).fill(0)
    const a2 = Uint8Array.from(a)
    a2[7] = 1
    const c = new Uint8Array(8).fill(0xff)
    run(t.insert(a, b(1), b(), 1n))
    run(t.insert(a2, b(2), b(), 1n))
    run(t.insert(c, b(3), b(), 1n))
    run(t.delete(c))
    const root = t.root
    if (root?._tag !== "Branch") throw new Error("expected a branch")
    expect(root.prefix).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0])
    expect(Option.getOrNull(t.get(a2))).toEqual(b(2))
  })
})
