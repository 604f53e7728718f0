// TS BigInt reference of the Wesolowski VDF (crypto.md §2.4–2.6): the verifier (used as the
// fallback when the native library is missing) and a prover meant for small iteration counts.
import { bytesToHex } from "@noble/hashes/utils.js"
import { sha256 } from "@noble/hashes/sha2.js"
import { isProbablePrime, modPow } from "./bpsw.ts"
import { compose, decodeForm, encodeForm, formsEqual, fromAB, FORM_BYTES, pow, square, type Form } from "./classgroup.ts"
import { createDiscriminant } from "./discriminant.ts"

const BITS = 2048
const OUTPUT_BYTES = 2 * FORM_BYTES

export type VerifyResult = "valid" | "invalid" | "length" | "malformed"

const u64be = (v: bigint | number): Uint8Array => {
  const out = new Uint8Array(8)
  new DataView(out.buffer).setBigUint64(0, BigInt(v))
  return out
}
const u32be = (v: number): Uint8Array => {
  const out = new Uint8Array(4)
  new DataView(out.buffer).setUint32(0, v)
  return out
}
const concat = (...parts: ReadonlyArray<Uint8Array>): Uint8Array => {
  const out = new Uint8Array(parts.reduce((n, p) => n + p.length, 0))
  let off = 0
  for (const p of parts) {
    out.set(p, off)
    off += p.length
  }
  return out
}
const bigFrom = (bytes: Uint8Array): bigint => bytes.reduce((x, b) => (x << 8n) | BigInt(b), 0n)
const text = (s: string): Uint8Array => new TextEncoder().encode(s)

const firstPrime = (digestFor: (j: number) => Uint8Array): bigint => {
  for (let j = 0; ; j++) {
    const p = bigFrom(digestFor(j).subarray(0, 16))
    if (isProbablePrime(p)) return p
  }
}

/** hash_prime(x ‖ y, t) = first probable prime among SHA-256("prime" ‖ u64(j) ‖ x ‖ y ‖ u32(t))[0..16]. */
const hashPrime = (x: Uint8Array, y: Uint8Array, t: number): bigint => firstPrime((j) => sha256(concat(text("prime"), u64be(j), x, y, u32be(t))))

export interface Setup {
  readonly D: bigint
  readonly x: Form
}

/** Recent discriminants by challenge hex: the BigInt search costs around a second. */
const discriminants = new Map<string, bigint>()

const discriminantFor = (challenge: Uint8Array): bigint => {
  const key = bytesToHex(challenge)
  const hit = discriminants.get(key)
  if (hit !== undefined) return hit
  const D = createDiscriminant(challenge, BITS)
  if (discriminants.size >= 8) discriminants.delete(discriminants.keys().next().value ?? "")
  discriminants.set(key, D)
  return D
}

export const setup = (challenge: Uint8Array): Setup => {
  const D = discriminantFor(challenge)
  const x = fromAB(2n, 1n, D)
  if (x === undefined) throw new Error("unreachable: (2,1) is a form for D ≡ 1 mod 8")
  return { D, x }
}

/** Thrown out of a solve whose `shouldStop` returned true. */
export class SolveStopped extends Error {}

/** Polled every 256 squarings by the provers. */
export type ShouldStop = () => boolean

/** x^(2^t) by t squarings. */
const iterate = (x: Form, t: number, shouldStop?: ShouldStop): Form => {
  let y = x
  for (let i = 0; i < t; i++) {
    if ((i & 255) === 255 && shouldStop?.() === true) throw new SolveStopped("solve stopped")
    y = square(y)
  }
  return y
}

const proveOn = (x: Form, t: number, primeOf: (y: Form) => bigint, shouldStop?: ShouldStop): Uint8Array => {
  const y = iterate(x, t, shouldStop)
  const B = primeOf(y)
  const pi = pow(x, (1n << BigInt(t)) / B)
  return concat(encodeForm(y), encodeForm(pi))
}

/** wesolowski_solve(2048, challenge, t) — O(t) BigInt squarings twice; for small t only. */
export const solve = (challenge: Uint8Array, t: number, shouldStop?: ShouldStop): Uint8Array => {
  const { x } = setup(challenge)
  const xb = encodeForm(x)
  return proveOn(x, t, (y) => hashPrime(xb, encodeForm(y), t), shouldStop)
}

const check = (x: Form, y: Form, pi: Form, t: number, B: bigint, factor = 1n): boolean => {
  const r = modPow(2n, BigInt(t), B) * factor // never materialise 2^t (t is attacker-chosen)
  return formsEqual(compose(pow(pi, B), pow(x, r)), y)
}

export const verify = (challenge: Uint8Array, t: number, output: Uint8Array): VerifyResult => {
  if (output.length !== OUTPUT_BYTES) return "length"
  const { D, x } = setup(challenge)
  const y = decodeForm(output.subarray(0, FORM_BYTES), D)
  const pi = decodeForm(output.subarray(FORM_BYTES), D)
  if (y === undefined || pi === undefined) return "malformed"
  const B = hashPrime(encodeForm(x), output.subarray(0, FORM_BYTES), t)
  return check(x, y, pi, t, B) ? "valid" : "invalid"
}

const idsCommitment = (ids: ReadonlyArray<Uint8Array>): Uint8Array => {
  const sorted = [...ids].sort((p, q) => Buffer.compare(p, q))
  return sha256(concat(text("wesolowski-ids-multicommit"), ...sorted.flatMap((id) => [u64be(id.length), id])))
}

const multiPrime = (challenge: Uint8Array, t: number, ids: ReadonlyArray<Uint8Array>): bigint => {
  const commit = idsCommitment(ids)
  const bits = new Uint8Array([BITS >> 8, BITS & 0xff])
  return firstPrime((j) => sha256(concat(text("wesolowski-fixed-multicommit"), challenge, bits, u64be(t), commit, u64be(j))))
}

const multiExponent = (challenge: Uint8Array, id: Uint8Array): bigint => {
  const h = bigFrom(sha256(concat(text("wesolowski-exp-multicommit"), challenge, u64be(id.length), id)))
  return h === 0n ? 1n : h
}

export const solveMulti = (challenge: Uint8Array, t: number, ids: ReadonlyArray<Uint8Array>, index: number, shouldStop?: ShouldStop): Uint8Array => {
  const id = ids[index]
  if (id === undefined) throw new RangeError(`index ${index} outside ${ids.length} ids`)
  const { x } = setup(challenge)
  const B = multiPrime(challenge, t, ids)
  return proveOn(pow(x, multiExponent(challenge, id)), t, () => B, shouldStop)
}

export const verifyMulti = (challenge: Uint8Array, t: number, ids: ReadonlyArray<Uint8Array>, blobs: ReadonlyArray<Uint8Array>): VerifyResult => {
  if (ids.length === 0 || ids.length !== blobs.length || blobs.some((b) => b.length !== OUTPUT_BYTES)) return "length"
  const { D, x } = setup(challenge)
  let ys: Form | undefined
  let pis: Form | undefined
  for (const blob of blobs) {
    const y = decodeForm(blob.subarray(0, FORM_BYTES), D)
    const pi = decodeForm(blob.subarray(FORM_BYTES), D)
    if (y === undefined || pi === undefined) return "malformed"
    ys = ys === undefined ? y : compose(ys, y)
    pis = pis === undefined ? pi : compose(pis, pi)
  }
  if (ys === undefined || pis === undefined) return "length"
  const sumH = ids.reduce((s, id) => s + multiExponent(challenge, id), 0n)
  return check(x, ys, pis, t, multiPrime(challenge, t, ids), sumH) ? "valid" : "invalid"
}
