// The two float64 routines shopspring/decimal v1.4.0 leans on, reproduced bit for bit: Go's `math.Log`
// (the FreeBSD e_log.c algorithm, which the amd64 assembly follows operation for operation) seeds
// `Decimal.Ln`'s Halley iteration, and `math.Log10` feeds the fast path of `NumDigits`. JS doubles are
// IEEE 754 with correctly rounded + − × ÷ and no fused multiply-add, like Go on amd64, so the same
// operation sequence gives the same bits. Constants are given by their bit patterns so no decimal
// literal parse can shift them.

const scratch = new DataView(new ArrayBuffer(8))

const fromBits = (bits: bigint): number => {
  scratch.setBigUint64(0, bits)
  return scratch.getFloat64(0)
}

const LN2_HI = fromBits(0x3fe62e42fee00000n)
const LN2_LO = fromBits(0x3dea39ef35793c76n)
const L1 = fromBits(0x3fe5555555555593n)
const L2 = fromBits(0x3fd999999997fa04n)
const L3 = fromBits(0x3fd2492494229359n)
const L4 = fromBits(0x3fcc71c51d8e78afn)
const L5 = fromBits(0x3fc7466496cb03den)
const L6 = fromBits(0x3fc39a09d078c69fn)
const L7 = fromBits(0x3fc2f112df3e5244n)
/** Go's untyped constant Sqrt2/2 rounded to float64. */
const SQRT2_OVER_2 = fromBits(0x3fe6a09e667f3bcdn)
/** Go's untyped constants 1/Ln2 (Math.LOG2E is that float64) and Ln2/Ln10, each rounded once to float64. */
const INV_LN2 = Math.LOG2E
const LN2_OVER_LN10 = 0.3010299956639812

/** Go's `math.Frexp` for finite non-zero x: x = frac · 2^exp with |frac| in [0.5, 1). */
const frexp = (x: number): { readonly frac: number; readonly exp: number } => {
  if (x === 0 || !Number.isFinite(x)) return { frac: x, exp: 0 }
  let value = x
  let exp = 0
  // Subnormals: scale into the normal range first, as Go's normalize does.
  if (Math.abs(value) < 2.2250738585072014e-308) {
    value *= 2 ** 52
    exp = -52
  }
  scratch.setFloat64(0, value)
  const bits = scratch.getBigUint64(0)
  exp += Number((bits >> 52n) & 0x7ffn) - 1022
  scratch.setBigUint64(0, (bits & ~(0x7ffn << 52n)) | (1022n << 52n))
  return { frac: scratch.getFloat64(0), exp }
}

/** Go's `math.Log` (special cases as Go: NaN, ±Inf, −Inf for 0, NaN below 0). */
export const goLog = (x: number): number => {
  if (Number.isNaN(x) || x === Number.POSITIVE_INFINITY) return x
  if (x < 0) return Number.NaN
  if (x === 0) return Number.NEGATIVE_INFINITY
  let { frac: f1, exp: ki } = frexp(x)
  if (f1 < SQRT2_OVER_2) {
    f1 *= 2
    ki--
  }
  const f = f1 - 1
  const k = ki
  const s = f / (2 + f)
  const s2 = s * s
  const s4 = s2 * s2
  const t1 = s2 * (L1 + s4 * (L3 + s4 * (L5 + s4 * L7)))
  const t2 = s4 * (L2 + s4 * (L4 + s4 * L6))
  const r = t1 + t2
  const hfsq = 0.5 * f * f
  return k * LN2_HI - (hfsq - (s * (hfsq + r) + k * LN2_LO) - f)
}

/** Go's `math.Log2`: exact for powers of two, else Log(frac)·(1/Ln2) + exp. */
export const goLog2 = (x: number): number => {
  const { frac, exp } = frexp(x)
  if (frac === 0.5) return exp - 1
  return goLog(frac) * INV_LN2 + exp
}

/** Go's `math.Log10` = log2(x) · (Ln2/Ln10) (integral at 10^0 … 10^15, which NumDigits relies on; tested). */
export const goLog10 = (x: number): number => goLog2(x) * LN2_OVER_LN10
