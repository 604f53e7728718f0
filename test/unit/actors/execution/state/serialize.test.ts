// SerializeNonLazyTree against the reference's vectors (execution spec §9.2), round trips, and a
// total decoder.
import { sha512 } from "@noble/hashes/sha2.js"
import { bytesToHex, hexToBytes } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import { Effect, Either } from "effect"
import { readFileSync } from "node:fs"
import { deserializeNonLazyTree, serializeNonLazyTree } from "../../../../../actors/execution/state/serialize.ts"
import { VectorCommitmentTrie } from "../../../../../actors/execution/state/trie.ts"
import { vectorPath } from "../../../../vectors/index.ts"
import { byteSource, kzg } from "./helpers.ts"

interface Vectors {
  readonly kzg_vct: {
    readonly leaves: ReadonlyArray<{ readonly key: string; readonly value: string; readonly size: number }>
    readonly root: string
    readonly serialized_prefix: string
    readonly serialized_suffix: string
  }
  readonly go_coin_trees: { readonly trees: ReadonlyArray<string> }
}
const vectors = JSON.parse(readFileSync(vectorPath("vector_commitment_trie.json"), "utf8")) as Vectors
const run = <A, E>(e: Effect.Effect<A, E>): A => Effect.runSync(e)
const decode = (bytes: Uint8Array): VectorCommitmentTrie => {
  const r = deserializeNonLazyTree(bytes)
  if (Either.isLeft(r)) throw new Error(`${r.left.what}@${r.left.offset}: ${r.left.reason}`)
  return r.right
}

describe("SerializeNonLazyTree vectors (reference tests)", () => {
  test("KZG VCT vector: root commitment and serialized head and tail", () => {
    const t = new VectorCommitmentTrie()
    for (const l of vectors.kzg_vct.leaves) run(t.insert(hexToBytes(l.key), hexToBytes(l.value), new Uint8Array(0), BigInt(l.size)))
    expect(bytesToHex(run(t.commit(kzg)))).toBe(vectors.kzg_vct.root)
    const hex = bytesToHex(serializeNonLazyTree(t))
    expect(hex.startsWith(vectors.kzg_vct.serialized_prefix)).toBe(true)
    expect(hex.endsWith(vectors.kzg_vct.serialized_suffix)).toBe(true)
    // The root's commitment is written just before the tail: u64 length 74 ‖ root ‖ size ‖ counts.
    expect(hex.endsWith(`000000000000004a${vectors.kzg_vct.root}${vectors.kzg_vct.serialized_suffix}`)).toBe(true)
    expect(bytesToHex(serializeNonLazyTree(decode(hexToBytes(hex))))).toBe(hex)
  }, 30_000)

  for (const [i, treeHex] of vectors.go_coin_trees.trees.entries()) {
    test(`Go coin tree ${i}: decode, facts of §9.2, rebuild from leaves byte for byte`, () => {
      const bytes = hexToBytes(treeHex)
      expect(bytes.length).toBe(1266)
      const decoded = decode(bytes)
      const root = decoded.root
      if (root?._tag !== "Branch") throw new Error("expected a branch root")
      expect(root.prefix).toEqual([])
      expect(decoded.size).toBe(320n)
      expect(decoded.leafCount).toBe(7)
      expect(decoded.longestBranch).toBe(1)
      const leaves = root.children.flatMap((c) => (c?._tag === "Leaf" ? [c] : []))
      expect(leaves.map((l) => bytesToHex(l.key))).toEqual(["00", "04", "08", "0c", "10", "14", "ff".repeat(32)])
      expect(leaves.map((l) => l.value.length)).toEqual([8, 56, 56, 56, 56, 56, 32])
      for (const l of leaves) {
        const expected = sha512(new Uint8Array([0, ...l.key, ...l.value]))
        expect(bytesToHex(l.commitment ?? new Uint8Array(0))).toBe(bytesToHex(expected))
      }
      // Rebuild from the leaves alone: commitments and every serialized byte must come out the same.
      const t = new VectorCommitmentTrie()
      for (const l of leaves) run(t.insert(l.key, l.value, l.hashTarget, l.size))
      const commitment = run(t.commit(kzg))
      expect(bytesToHex(commitment)).toBe(bytesToHex(root.commitment ?? new Uint8Array(0)))
      expect(bytesToHex(serializeNonLazyTree(t))).toBe(treeHex)
      if (i === 0) expect(bytesToHex(commitment).startsWith("0308df5528")).toBe(true)
    }, 30_000)
  }
})

describe("SerializeNonLazyTree round trip and decoder", () => {
  test("an empty tree is one nil byte; a random tree round-trips", () => {
    expect(serializeNonLazyTree(new VectorCommitmentTrie())).toEqual(new Uint8Array([0]))
    const t = new VectorCommitmentTrie()
    const rnd = byteSource(5)
    for (let i = 0; i < 200; i++) {
      const key = rnd(32)
      key[0] = key[0]! & 7
      run(t.insert(key, rnd(i % 7), i % 5 === 0 ? rnd(64) : new Uint8Array(0), BigInt(i * 1000)))
    }
    run(t.commit(kzg))
    const bytes = serializeNonLazyTree(t)
    const back = decode(bytes)
    expect(bytesToHex(serializeNonLazyTree(back))).toBe(bytesToHex(bytes))
    expect(bytesToHex(run(back.commit(kzg)))).toBe(bytesToHex(run(t.commit(kzg))))
  }, 60_000)

  test("total: every truncation, bad type bytes, >1 GiB lengths and trailing bytes are typed errors", () => {
    const bytes = hexToBytes(vectors.go_coin_trees.trees[0]!)
    for (let n = 0; n < bytes.length; n++) {
      const r = deserializeNonLazyTree(bytes.subarray(0, n))
      expect(Either.isLeft(r) && r.left._tag === "TrieDecodeError").toBe(true)
    }
    const bad = (mutate: (b: Uint8Array, view: DataView) => void): string => {
      const copy = Uint8Array.from(bytes)
      mutate(copy, new DataView(copy.buffer))
      const r = deserializeNonLazyTree(copy)
      return Either.isLeft(r) ? r.left.reason : "decoded"
    }
    expect(
      bad((b) => {
        b[0] = 3
      }),
    ).toContain("unknown node type")
    // The first leaf's key length (u64 at offset 6) set to 2^40: over the 1 GiB cap.
    expect(bad((_, v) => v.setBigUint64(6, 1n << 40n))).toContain("1 GiB")
    expect(bad((_, v) => v.setBigUint64(6, 1n << 20n))).toContain("remaining")
    expect(bad((_, v) => v.setUint32(1, 0xffffffff))).toContain("exceeds")
    const trailing = deserializeNonLazyTree(Uint8Array.from([...bytes, 0]))
    expect(Either.isLeft(trailing) && trailing.left.reason).toContain("trailing")
    // Random garbage never throws.
    const rnd = byteSource(9)
    for (let i = 0; i < 2000; i++) {
      const r = deserializeNonLazyTree(rnd(i % 300))
      if (Either.isLeft(r)) expect(r.left._tag).toBe("TrieDecodeError")
    }
  })
})
