// Shared fixtures of the trie tests: the native KZG and a deterministic byte source.
import { Effect } from "effect"
import { makeKzg } from "../../../../../crates/ts/bls/kzg.ts"

export const kzg = Effect.runSync(makeKzg())

/** Deterministic pseudo-random bytes (LCG), so failures reproduce. */
export const byteSource = (seed: number): ((n: number) => Uint8Array) => {
  let s = seed >>> 0
  return (n) =>
    Uint8Array.from({ length: n }, () => {
      s = (Math.imul(s, 1103515245) + 12345) >>> 0
      return s >>> 24
    })
}
