// shopspring/decimal v1.4.0, reproduced where the reward rules use it (consensus.md §9): a value is an
// exact bigint coefficient times 10^exp, and every rounding point is the library's own — DivRound
// (half away from zero at a number of places), Round (half away from zero), rescale and BigInt
// (truncation toward zero), and PowWithPrecision for fractional exponents, which v1.4.0 computes as
// ExpTaylor(Round(Ln(x)) · frac) with Ln a Halley iteration seeded by Go's float64 `math.Log`.
// No floats anywhere else. Written from the algorithm (D-REWARD-2), not copied.
import { Data, Either } from "effect"
import { goLog, goLog2, goLog10 } from "./go-float.ts"
import { LN10_DIGITS } from "./ln10.ts"

export interface Dec {
  readonly value: bigint
  readonly exp: number
}

export class DecimalError extends Data.TaggedError("DecimalError")<{
  readonly reason: "division-by-zero" | "zero-pow-zero" | "zero-pow-negative" | "negative-pow-fraction" | "ln-of-non-positive" | "precision-unsupported"
  readonly message: string
}> {}

const fail = (reason: DecimalError["reason"], message: string) => Either.left(new DecimalError({ reason, message }))

export const dec = (value: bigint, exp = 0): Dec => ({ value, exp })
const ZERO = dec(0n)
const ONE = dec(1n)

const pow10Cache: Array<bigint> = [1n]
const pow10 = (n: number): bigint => {
  for (let i = pow10Cache.length; i <= n; i++) pow10Cache.push((pow10Cache[i - 1] ?? 1n) * 10n)
  return pow10Cache[n] ?? 1n
}

const abs = (x: bigint): bigint => (x < 0n ? -x : x)
const sign = (x: bigint): number => (x < 0n ? -1 : x > 0n ? 1 : 0)

/** `rescale`: to exponent `exp`, truncating toward zero when digits are dropped. */
const rescale = (d: Dec, exp: number): Dec => {
  if (d.exp === exp) return d
  if (exp > d.exp) return dec(d.value / pow10(exp - d.exp), exp)
  return dec(d.value * pow10(d.exp - exp), exp)
}

const add = (a: Dec, b: Dec): Dec => {
  const e = Math.min(a.exp, b.exp)
  return dec(rescale(a, e).value + rescale(b, e).value, e)
}

const sub = (a: Dec, b: Dec): Dec => add(a, dec(-b.value, b.exp))

export const mul = (a: Dec, b: Dec): Dec => dec(a.value * b.value, a.exp + b.exp)

const cmp = (a: Dec, b: Dec): number => {
  const e = Math.min(a.exp, b.exp)
  const x = rescale(a, e).value
  const y = rescale(b, e).value
  return x < y ? -1 : x > y ? 1 : 0
}

const decAbs = (d: Dec): Dec => (d.value < 0n ? dec(-d.value, d.exp) : d)
export const isZero = (d: Dec): boolean => d.value === 0n

/** `QuoRem(d2, precision)`: q a multiple of 10^−precision truncated toward zero, r = d − d2·q. */
const quoRem = (d: Dec, d2: Dec, precision: number): { readonly q: Dec; readonly r: Dec } => {
  const scale = -precision
  const e = d.exp - d2.exp - scale
  if (e < 0) {
    const bb = d2.value * pow10(-e)
    return { q: dec(d.value / bb, scale), r: dec(d.value % bb, d.exp) }
  }
  const aa = d.value * pow10(e)
  return { q: dec(aa / d2.value, scale), r: dec(aa % d2.value, scale + d2.exp) }
}

/** `DivRound` for a divisor known to be non-zero: half away from zero at `precision` places. */
const divRoundNonZero = (d: Dec, d2: Dec, precision: number): Dec => {
  const { q, r } = quoRem(d, d2, precision)
  const twiceRemainder = dec(abs(r.value) * 2n, r.exp + precision)
  if (cmp(twiceRemainder, decAbs(d2)) < 0) return q
  const ulp = dec(1n, -precision)
  return sign(d.value) * sign(d2.value) < 0 ? sub(q, ulp) : add(q, ulp)
}

const divRound = (d: Dec, d2: Dec, precision: number): Either.Either<Dec, DecimalError> =>
  d2.value === 0n ? fail("division-by-zero", "decimal division by 0") : Either.right(divRoundNonZero(d, d2, precision))

/** The library default `DivisionPrecision`. */
const DIVISION_PRECISION = 16

/** `Div`: DivRound to 16 places. */
export const div = (d: Dec, d2: Dec): Either.Either<Dec, DecimalError> => divRound(d, d2, DIVISION_PRECISION)

/** `Round(places)`: truncate to places+1, add ±5, truncate toward zero — half away from zero. */
export const round = (d: Dec, places: number): Dec => {
  if (d.exp === -places) return d
  const t = rescale(d, -places - 1).value
  return dec((t < 0n ? t - 5n : t + 5n) / 10n, -places)
}

/** `BigInt()`: the integer part, truncated toward zero. */
export const toBigInt = (d: Dec): bigint => rescale(d, 0).value

/** Digits of the coefficient as v1.4.0 counts them: Go's float Log10 for |v| ≤ 2^53, else bit-length estimate + check. */
const numDigits = (d: Dec): number => {
  const v = abs(d.value)
  if (v <= 1n << 53n) return v === 0n ? 1 : Math.trunc(goLog10(Number(v))) + 1
  const estimate = Math.trunc(v.toString(2).length / goLog2(10))
  return v >= pow10(estimate) ? estimate + 1 : estimate
}

/** `InexactFloat64`: the exact rational rounded to the nearest float64 (ties to even), as big.Rat.Float64. */
export const toFloat64 = (d: Dec): number => {
  if (d.value === 0n) return 0
  const negative = d.value < 0n
  let num = abs(d.value)
  let den = 1n
  if (d.exp >= 0) num *= pow10(d.exp)
  else den = pow10(-d.exp)
  // Scale by 2^k so the quotient has 54 significant bits (53 + one rounding bit), then round half even.
  let k = 53 - (num.toString(2).length - den.toString(2).length)
  const scaled = () => (k >= 0 ? (num << BigInt(k)) / den : num / (den << BigInt(-k)))
  while (scaled() >= 1n << 53n) k--
  while (scaled() < 1n << 52n) k++
  const n = k >= 0 ? num << BigInt(k) : num
  const m = k >= 0 ? den : den << BigInt(-k)
  let q = n / m
  const r2 = (n % m) * 2n
  if (r2 > m || (r2 === m && (q & 1n) === 1n)) q++
  const result = Number(q) * 2 ** -k
  return negative ? -result : result
}

/** `NewFromFloat`: the shortest decimal that round-trips (JS and Go both pick it, nearest on ties). */
export const fromFloat = (f: number): Dec => {
  if (f === 0) return ZERO
  const text = f.toString()
  const [mantissa = "0", exponent = "0"] = text.split("e")
  const negative = mantissa.startsWith("-")
  const unsigned = negative ? mantissa.slice(1) : mantissa
  const [int = "0", frac = ""] = unsigned.split(".")
  const value = BigInt(int + frac)
  return dec(negative ? -value : value, Number(exponent) - frac.length)
}

/** `ExpTaylor(precision)`: Taylor series of e^|d| to precision+1 places, reciprocal for d < 0, Round(precision). */
export const expTaylor = (d: Dec, precision: number): Dec => {
  if (isZero(d)) return round(ONE, precision)
  const epsilon = precision < 0 ? dec(1n, -1) : dec(1n, -precision - 1)
  const divPrecision = precision < 0 ? 8 : precision + 1
  const x = decAbs(d)
  let pow = x
  let factorial = ONE
  let result = ONE
  for (let i = 1n; ; ) {
    const step = divRoundNonZero(pow, factorial, divPrecision)
    result = add(result, step)
    if (cmp(step, epsilon) < 0) break
    pow = mul(pow, x)
    i++
    factorial = mul(factorial, dec(i))
  }
  if (d.value < 0n) result = divRoundNonZero(ONE, result, precision + 1)
  return round(result, precision)
}

/**
 * `ln10.withPrecision(p)`: ln 10 truncated to 2^i − 1 places, i = 1 + ⌊log2 p⌋ by the library's
 * 16-then-2 halving (p = 65 → 127 places). The v1.4.0 tag and its successor on master differ only
 * when p is a power of two; the reward rules use p = 65.
 */
const ln10Approximation = (precision: number): Either.Either<Dec, DecimalError> => {
  let i = 0
  let p = precision
  if (p >= 1) i++
  while (p >= 16) {
    p = Math.trunc(p / 16)
    i += 4
  }
  while (p >= 2) {
    p = Math.trunc(p / 2)
    i++
  }
  const places = 2 ** i - 1
  const available = LN10_DIGITS.length - 2
  if (places > available) return fail("precision-unsupported", `ln 10 needed to ${places} places, ${available} kept`)
  return Either.right(dec(BigInt(LN10_DIGITS.slice(0, 2 + places).replace(".", "")), -places))
}

/**
 * `Ln(precision)`: power series near 1, else reduce to [0.1, 1) and run Halley's iteration from a float
 * seed (Go's `math.Log`; `seedLog` lets a test show the result does not hang on that seed's last bits).
 */
export const ln = (d: Dec, precision: number, seedLog: (x: number) => number = goLog): Either.Either<Dec, DecimalError> => {
  if (d.value <= 0n) return fail("ln-of-non-positive", "cannot calculate natural logarithm of a non-positive decimal")
  const calcPrecision = precision + 2
  let z = d
  let comp1 = sub(z, ONE)
  const tenth = dec(1n, -1)
  let reduceAdjust = ZERO
  let usePowerSeries = cmp(decAbs(comp1), tenth) <= 0
  if (!usePowerSeries) {
    const expDelta = numDigits(z) + z.exp
    z = dec(z.value, z.exp - expDelta)
    const ln10 = ln10Approximation(calcPrecision)
    if (Either.isLeft(ln10)) return ln10
    reduceAdjust = mul(dec(BigInt(expDelta)), ln10.right)
    comp1 = sub(z, ONE)
    usePowerSeries = cmp(decAbs(comp1), tenth) <= 0
    if (!usePowerSeries) comp1 = fromFloat(seedLog(toFloat64(z)))
  }
  const epsilon = dec(1n, -calcPrecision)
  if (usePowerSeries) {
    // ln(1+y) = 2 Σ (y/(y+2))^(2n+1) / (2n+1)
    const ratio = divRoundNonZero(comp1, add(comp1, dec(2n)), calcPrecision)
    comp1 = add(ratio, ratio)
    let power = comp1
    for (let n = 1n; ; n++) {
      power = mul(mul(power, ratio), ratio)
      const term = divRoundNonZero(power, dec(2n * n + 1n), calcPrecision)
      comp1 = add(comp1, term)
      if (cmp(decAbs(term), epsilon) <= 0) break
    }
  } else {
    // a ← a − 2(e^a − z)/(e^a + z) until the step is at most 10^−calcPrecision (or oscillates).
    let prevStep = ZERO
    const maxIterations = calcPrecision * 2 + 10
    for (let i = 0; i < maxIterations; i++) {
      const e = expTaylor(comp1, calcPrecision)
      const numerator = sub(e, z)
      const step = divRoundNonZero(add(numerator, numerator), add(e, z), calcPrecision)
      comp1 = sub(comp1, step)
      if (isZero(add(prevStep, step))) break
      if (cmp(decAbs(step), epsilon) <= 0) break
      prevStep = step
    }
  }
  return Either.right(round(add(comp1, reduceAdjust), precision))
}

/** `powBigIntWithPrecision` for the integer part of an exponent (square and multiply; 1/x^n rounded for n < 0). */
const powInteger = (d: Dec, exponent: bigint, precision: number): Dec => {
  let e = abs(exponent)
  let n = d
  let result = ONE
  while (e > 0n) {
    if ((e & 1n) === 1n) result = mul(result, n)
    e >>= 1n
    if (e > 0n) n = mul(n, n)
  }
  return exponent < 0n ? divRoundNonZero(ONE, result, precision) : result
}

/**
 * `PowWithPrecision(d2, precision)`: d^int(d2) · exp(Ln(d) · frac(d2)); for a fractional part the
 * working precision is raised to the operands' digit counts, plus 10.
 */
export const powWithPrecision = (d: Dec, d2: Dec, precision: number, seedLog: (x: number) => number = goLog): Either.Either<Dec, DecimalError> => {
  const baseSign = sign(d.value)
  const expSign = sign(d2.value)
  if (baseSign === 0) {
    if (expSign === 0) return fail("zero-pow-zero", "cannot represent undefined value of 0**0")
    if (expSign > 0) return Either.right(ZERO)
    return fail("zero-pow-negative", "cannot represent infinity value of 0 ** y, where y < 0")
  }
  if (expSign === 0) return Either.right(ONE)
  const { q: intPart, r: fracPart } = quoRem(d2, ONE, 0)
  if (baseSign < 0 && !isZero(fracPart))
    return fail("negative-pow-fraction", "cannot represent imaginary value of x ** y, where x < 0 and y is non-integer decimal")
  if (isZero(fracPart)) return Either.right(powInteger(d, intPart.value, precision))
  const intPow = powInteger(d, intPart.value, precision)
  let working = precision
  const digitsBase = numDigits(d)
  const digitsExponent = numDigits(d2)
  if (digitsBase > working) working = digitsBase
  if (digitsExponent > working) working += digitsExponent
  working += 10
  return Either.map(ln(decAbs(d), working, seedLog), (logarithm) => mul(intPow, expTaylor(mul(logarithm, fracPart), working)))
}

/** `NewFromBigRat(num/den, precision)`: DivRound of the two integers. */
export const fromRatio = (num: bigint, den: bigint, precision: number): Either.Either<Dec, DecimalError> => divRound(dec(num), dec(den), precision)

/** Plain decimal text (no exponent), for vectors and logs. */
export const toPlainString = (d: Dec): string => {
  if (d.exp >= 0) return (d.value * pow10(d.exp)).toString()
  const digits = abs(d.value)
    .toString()
    .padStart(-d.exp + 1, "0")
  const cut = digits.length + d.exp
  return `${d.value < 0n ? "-" : ""}${digits.slice(0, cut)}.${digits.slice(cut)}`
}
