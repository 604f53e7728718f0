import { Schema } from "effect"

/** Schema building blocks for consensus message fields (fixed-width integers as the wire has them). */

const U64_MAX = (1n << 64n) - 1n

/** Raw bytes. */
export const Bytes = Schema.Uint8ArrayFromSelf

/** uint64 as bigint: frame numbers, ranks and u64 timestamps can exceed 2^53 on the wire. */
export const U64 = Schema.BigIntFromSelf.pipe(Schema.betweenBigInt(0n, U64_MAX))

/** int64 as bigint (header timestamps are Go int64). */
export const I64 = Schema.BigIntFromSelf.pipe(Schema.betweenBigInt(-(1n << 63n), (1n << 63n) - 1n))

/** uint32 as number (difficulty). */
export const U32 = Schema.Number.pipe(Schema.int(), Schema.between(0, 0xffff_ffff))

export const bytesEqual = (a: Uint8Array, b: Uint8Array): boolean => {
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

/** Lexicographic byte comparison (Go `bytes.Compare`). */
export const compareBytes = (a: Uint8Array, b: Uint8Array): number => {
  const n = Math.min(a.length, b.length)
  for (let i = 0; i < n; i++) {
    const d = (a[i] ?? 0) - (b[i] ?? 0)
    if (d !== 0) return d < 0 ? -1 : 1
  }
  return a.length === b.length ? 0 : a.length < b.length ? -1 : 1
}
