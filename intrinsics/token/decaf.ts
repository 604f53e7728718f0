// Decaf448 arithmetic for the token (spec §2.5, crypto.md §8.1), on @noble/curves' prime-order
// decaf448 group: 56-byte compressed points, 56-byte little-endian scalars mod ℓ. Decoding is total
// (undefined for bytes that are not a canonical point or scalar, never a throw), so operations can
// refuse bad keys with a typed error.
import { decaf448 } from "@noble/curves/ed448.js"
import { shake256 } from "@noble/hashes/sha3.js"
import { POINT_BYTES, SCALAR_BYTES } from "./constants.ts"

export type Point = InstanceType<typeof decaf448.Point>
const P = decaf448.Point
/** The group order ℓ. */
const ORDER: bigint = P.Fn.ORDER
// noble precomputes its ed448 base but not Decaf448's (a separate representative), so every `k·G` ran
// the window-1 ladder (~3.3 ms). A W=8 table (~7,400 points, built on first use, ~0.1 s) brings
// it to ~0.5 ms (the Schnorr check's s·G, the builders' one-time keys; openings use `valueRows`). The
// product is the same group element, so every encoding is unchanged (D-TOKEN-18).
const BASE: Point = P.BASE.precompute(8)
export const IDENTITY: Point = P.ZERO

export const mod = (k: bigint): bigint => ((k % ORDER) + ORDER) % ORDER

/** `k·G` for any scalar, 0 included (noble's `multiply` refuses 0; public values may be 0). */
export const mulBase = (k: bigint): Point => {
  const r = mod(k)
  return r === 0n ? IDENTITY : BASE.multiply(r)
}

/** `k·P` for any scalar (variable time: for verification and public values). */
export const mulPublic = (p: Point, k: bigint): Point => p.multiplyUnsafe(mod(k))

/** `k·P` with a secret scalar (constant time; 0 answers the identity). */
export const mulSecret = (p: Point, k: bigint): Point => {
  const r = mod(k)
  return r === 0n ? IDENTITY : p.multiply(r)
}

/** Little-endian integer of any length. */
export const leToBigint = (bytes: Uint8Array): bigint => {
  let n = 0n
  for (let i = bytes.length - 1; i >= 0; i--) n = (n << 8n) | BigInt(bytes[i] ?? 0)
  return n
}

/** `n` as `length` little-endian bytes (the caller keeps `n < 256^length`). */
export const bigintToLe = (n: bigint, length: number): Uint8Array => {
  const out = new Uint8Array(length)
  let x = n
  for (let i = 0; i < length; i++) {
    out[i] = Number(x & 0xffn)
    x >>= 8n
  }
  return out
}

export const scalarToBytes = (k: bigint): Uint8Array => bigintToLe(mod(k), SCALAR_BYTES)

/** A canonical scalar (56 bytes LE, `< ℓ`), else undefined. */
export const scalarFromBytes = (bytes: Uint8Array): bigint | undefined => {
  if (bytes.length !== SCALAR_BYTES) return undefined
  const k = leToBigint(bytes)
  return k < ORDER ? k : undefined
}

/** A canonical Decaf448 encoding, else undefined (noble throws on non-canonical bytes). */
export const decodePoint = (bytes: Uint8Array): Point | undefined => {
  if (bytes.length !== POINT_BYTES) return undefined
  try {
    return P.fromBytes(bytes)
  } catch {
    return undefined
  }
}

/**
 * `hash_to_scalar` (crypto.md §8.1 "Scalar hashing": SHAKE256 → 56 bytes → scalar), read little-endian
 * and reduced mod ℓ. Not yet confirmed against the reference's vectors (DECISIONS.md D-TOKEN-6).
 */
export const hashToScalar = (data: Uint8Array): bigint => mod(leToBigint(shake256(data, { dkLen: SCALAR_BYTES })))

/**
 * A Pedersen commitment with a zero blind (spec §11.4 item 2): `value·G + 0·H = value·G`. A later
 * confidential spend opens it with (value, blind = 0), so transparent coins never need migrating.
 */
export const commitValue = (value: bigint): Uint8Array => (value >= 0n && value < VALUE_LIMIT ? publicValueTimesBase(value) : mulBase(value)).toBytes()

const VALUE_LIMIT = 1n << 128n
const VALUE_WINDOWS = 16
let valueTable: ReadonlyArray<ReadonlyArray<Point>> | undefined

/** Row j holds `d·256^j·G` for d = 1..255 (~4,080 points, built on the first opening, ~30 ms). */
const valueRows = (): ReadonlyArray<ReadonlyArray<Point>> => {
  if (valueTable !== undefined) return valueTable
  const rows: Array<ReadonlyArray<Point>> = []
  let base = BASE
  for (let j = 0; j < VALUE_WINDOWS; j++) {
    const row: Array<Point> = [base]
    for (let d = 1; d < 255; d++) row.push((row[d - 1] ?? base).add(base))
    rows.push(row)
    base = (row[254] ?? base).add(base)
  }
  valueTable = rows
  return rows
}

/**
 * `v·G` for a public `v < 2^128` (an amount): one addition per non-zero byte from `valueRows`, in
 * variable time (amounts are public in transparent operations; a confidential value is never
 * multiplied by the host). ~5× cheaper than the constant-time 446-bit ladder of `mulBase`.
 */
const publicValueTimesBase = (v: bigint): Point => {
  let acc = IDENTITY
  let rest = v
  for (const row of valueRows()) {
    if (rest === 0n) break
    const d = Number(rest & 0xffn)
    const entry = row[d - 1]
    if (entry !== undefined) acc = acc.add(entry)
    rest >>= 8n
  }
  return acc
}
