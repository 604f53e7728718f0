// Commitment rules (empty tree, single leaf, branch KZG) and the incremental update: after any mix
// of inserts, replacements and deletes the incrementally updated root equals a from-scratch build.
import { sha512 } from "@noble/hashes/sha2.js"
import { bytesToHex } from "@noble/hashes/utils.js"
import { describe, expect, test } from "bun:test"
import { Effect } from "effect"
import { VectorCommitmentTrie } from "../../../../../actors/execution/state/trie.ts"
import { byteSource, kzg } from "./helpers.ts"

const run = <A, E>(e: Effect.Effect<A, E>): A => Effect.runSync(e)
const hex = (t: VectorCommitmentTrie, mode?: "incremental" | "recommit"): string => bytesToHex(run(t.commit(kzg, mode)))

describe("trie commitments", () => {
  test("empty tree: 64 zero bytes; one leaf: its SHA-512; hash target replaces the value", () => {
    const t = new VectorCommitmentTrie()
    expect(hex(t)).toBe("00".repeat(64))
    run(t.insert(new Uint8Array([4]), new Uint8Array([1, 2]), new Uint8Array(0), 2n))
    expect(hex(t)).toBe(bytesToHex(sha512(new Uint8Array([0, 4, 1, 2]))))
    run(t.insert(new Uint8Array([4]), new Uint8Array([1, 2]), new Uint8Array([9]), 2n))
    expect(hex(t)).toBe(bytesToHex(sha512(new Uint8Array([0, 4, 9]))))
  })

  test("incremental root updates equal a fresh build over random inserts, replacements and deletes", () => {
    const rnd = byteSource(2024)
    const live = new Map<string, { key: Uint8Array; value: Uint8Array; size: bigint }>()
    const t = new VectorCommitmentTrie()
    const put = (key: Uint8Array): void => {
      const value = rnd(16)
      const size = BigInt(value.length)
      live.set(bytesToHex(key), { key, value, size })
      run(t.insert(key, value, new Uint8Array(0), size))
    }
    // 3-byte keys whose first byte is one of four values share long prefixes, so splits, prefix
    // splits and collapses all happen.
    const key = (): Uint8Array => {
      const k = rnd(3)
      k[0] = k[0]! & 3
      return k
    }
    for (let i = 0; i < 400; i++) put(key())
    hex(t)
    for (let round = 0; round < 6; round++) {
      const keys = [...live.values()].map((l) => l.key)
      for (let i = 0; i < 40; i++) {
        const pick = keys[rnd(2)[0]! % keys.length]!
        const op = rnd(1)[0]! % 3
        if (op === 0) put(key())
        else if (op === 1) put(pick)
        else {
          live.delete(bytesToHex(pick))
          run(t.delete(pick))
        }
      }
      const incremental = hex(t)
      const fresh = new VectorCommitmentTrie()
      for (const l of live.values()) run(fresh.insert(l.key, l.value, new Uint8Array(0), l.size))
      expect(incremental).toBe(hex(fresh, "recommit"))
    }
  }, 120_000)
})
