// TS BigInt reference of the class group of a negative discriminant: reduced forms, Cohen
// composition, squaring, exponentiation and the 129-byte two's-complement encoding (crypto.md §2.3).
// Slow but simple; the native NUDUPL/NUCOMP code is cross-checked against it.
import { isqrt } from "./bpsw.ts"

export interface Form {
  readonly a: bigint
  readonly b: bigint
  readonly c: bigint
}

const INT_BYTES = 129
export const FORM_BYTES = 2 * INT_BYTES

const floorDiv = (n: bigint, d: bigint): bigint => {
  const q = n / d
  return n % d !== 0n && n < 0n !== d < 0n ? q - 1n : q
}
const mod = (n: bigint, m: bigint): bigint => ((n % m) + m) % m

/** [g, x, y] with g = gcd(a, b) = x·a + y·b, g ≥ 0. */
const extendedGcd = (a: bigint, b: bigint): [bigint, bigint, bigint] => {
  let [r0, r1, s0, s1, t0, t1] = [a, b, 1n, 0n, 0n, 1n]
  while (r1 !== 0n) {
    const q = r0 / r1
    ;[r0, r1] = [r1, r0 - q * r1]
    ;[s0, s1] = [s1, s0 - q * s1]
    ;[t0, t1] = [t1, t0 - q * t1]
  }
  return r0 < 0n ? [-r0, -s0, -t0] : [r0, s0, t0]
}

const discriminantOf = (f: Form): bigint => f.b * f.b - 4n * f.a * f.c

/** The form (a, b, (b² − D)/4a), or undefined when that is not an integer or a ≤ 0. */
export const fromAB = (a: bigint, b: bigint, D: bigint): Form | undefined => {
  if (a <= 0n) return undefined
  const num = b * b - D
  if (num % (4n * a) !== 0n) return undefined
  return { a, b, c: num / (4n * a) }
}

const isReduced = (f: Form): boolean => -f.a < f.b && f.b <= f.a && f.a <= f.c && !(f.a === f.c && f.b < 0n)

const normalize = (f: Form): Form => {
  if (-f.a < f.b && f.b <= f.a) return f
  const r = floorDiv(f.a - f.b, 2n * f.a)
  return { a: f.a, b: f.b + 2n * r * f.a, c: f.a * r * r + f.b * r + f.c }
}

export const reduce = (f0: Form): Form => {
  let f = normalize(f0)
  while (f.a > f.c) f = normalize({ a: f.c, b: -f.b, c: f.a })
  return f.a === f.c && f.b < 0n ? { a: f.a, b: -f.b, c: f.c } : f
}

/** Product of two primitive forms of the same discriminant (Cohen Alg. 5.4.7), reduced. */
export const compose = (f1: Form, f2: Form): Form => {
  const D = discriminantOf(f1)
  const s = (f1.b + f2.b) >> 1n
  const [d0, , v0] = extendedGcd(f1.a, f2.a)
  const [d, y1, w] = extendedGcd(d0, s)
  const v = y1 * v0
  const A = (f1.a * f2.a) / (d * d)
  const B = mod(f2.b + 2n * (f2.a / d) * (v * (s - f2.b) - w * f2.c), 2n * A)
  const f = fromAB(A, B, D)
  if (f === undefined) throw new Error("composition produced a non-form (inputs not of one discriminant?)")
  return reduce(f)
}

/** floor(|D/4|^(1/4)) = isqrt(isqrt(|D|/4)): where NUDUPL's partial Euclid stops. */
const partialBound = (D: bigint): bigint => isqrt(isqrt(-D >> 2n))
const bounds = new Map<bigint, bigint>()
const boundFor = (D: bigint): bigint => {
  let L = bounds.get(D)
  if (L === undefined) {
    if (bounds.size > 64) bounds.clear()
    L = partialBound(D)
    bounds.set(D, L)
  }
  return L
}

/** f² by Shanks' NUDUPL (Cohen Alg. 5.4.8) with a plain partial Euclid, then reduction. */
export const square = (f: Form): Form => {
  const D = discriminantOf(f)
  const L = boundFor(D)
  const [d1, u] = extendedGcd(f.b, f.a)
  const A = f.a / d1
  const B = f.b / d1
  const C = mod(-f.c * u, A)
  // partial Euclid on (A, C): d ≡ v·C, v3 ≡ v2·C (mod A)
  let [d, v3, v, v2] = [A, C, 0n, 1n]
  let steps = 0
  while (v3 > L) {
    const q = d / v3
    ;[d, v3] = [v3, d - q * v3]
    ;[v, v2] = [v2, v - q * v2]
    steps++
  }
  if (steps % 2 === 1) {
    v2 = -v2
    v3 = -v3
  }
  if (steps === 0) {
    const g = (B * v3 + f.c) / d
    return reduce({ a: d * d, b: f.b + 2n * d * v3, c: v3 * v3 + g * d1 })
  }
  const e = (f.c * v + B * d) / A
  const g = (e * v2 - B) / v
  let b2 = e * v2 + v * g
  if (d1 > 1n) {
    b2 *= d1
    v *= d1
    v2 *= d1
  }
  return reduce({ a: d * d + e * v, b: b2 + 2n * d * v3, c: v3 * v3 + g * v2 })
}

export const identity = (D: bigint): Form => ({ a: 1n, b: 1n, c: (1n - D) / 4n })

/** f^e for e ≥ 0 (left-to-right square and multiply). */
export const pow = (f: Form, e: bigint): Form => {
  if (e === 0n) return identity(discriminantOf(f))
  let r = f
  const bits = e.toString(2)
  for (let i = 1; i < bits.length; i++) {
    r = square(r)
    if (bits[i] === "1") r = compose(r, f)
  }
  return r
}

/** Big-endian two's complement into `width` bytes (RangeError when it does not fit). */
export const encodeInt = (v: bigint, width = INT_BYTES): Uint8Array => {
  const limit = 1n << BigInt(width * 8 - 1)
  if (v >= limit || v < -limit) throw new RangeError(`integer does not fit in ${width} bytes`)
  const out = new Uint8Array(width)
  let x = v < 0n ? (1n << BigInt(width * 8)) + v : v
  for (let i = width - 1; i >= 0; i--) {
    out[i] = Number(x & 0xffn)
    x >>= 8n
  }
  return out
}

export const decodeInt = (bytes: Uint8Array): bigint => {
  let x = 0n
  for (const byte of bytes) x = (x << 8n) | BigInt(byte)
  return bytes.length > 0 && (bytes[0]! & 0x80) !== 0 ? x - (1n << BigInt(bytes.length * 8)) : x
}

/** a ‖ b, 258 bytes. */
export const encodeForm = (f: Form): Uint8Array => {
  const out = new Uint8Array(FORM_BYTES)
  out.set(encodeInt(f.a), 0)
  out.set(encodeInt(f.b), INT_BYTES)
  return out
}

/** Parses a ‖ b; undefined unless it is a canonical reduced form of discriminant D. */
export const decodeForm = (bytes: Uint8Array, D: bigint): Form | undefined => {
  if (bytes.length !== FORM_BYTES) return undefined
  const f = fromAB(decodeInt(bytes.subarray(0, INT_BYTES)), decodeInt(bytes.subarray(INT_BYTES)), D)
  return f !== undefined && isReduced(f) ? f : undefined
}

export const formsEqual = (x: Form, y: Form): boolean => x.a === y.a && x.b === y.b && x.c === y.c
