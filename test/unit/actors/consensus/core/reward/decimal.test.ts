import { describe, expect, test } from "bun:test"
import { Either } from "effect"
import {
  type Dec,
  dec,
  div,
  expTaylor,
  fromFloat,
  fromRatio,
  ln,
  powWithPrecision,
  round,
  toBigInt,
  toFloat64,
  toPlainString,
} from "../../../../../../actors/consensus/core/reward/decimal.ts"
import { goLog, goLog10 } from "../../../../../../actors/consensus/core/reward/go-float.ts"

const text = (d: Either.Either<Dec, unknown> | Dec): string => toPlainString("value" in d ? d : Either.getOrThrow(d))

// The outputs shopspring/decimal v1.4.0 documents for its own methods: what "the library's rounding
// points" means, checked on the paths the rewards take (Div, Round, NewFromBigRat, Ln with its Halley
// iteration and power series, ExpTaylor, PowWithPrecision with a fractional exponent).
describe("shopspring/decimal v1.4.0 semantics", () => {
  test("Div rounds half away from zero at 16 places", () => {
    expect(text(div(dec(2n), dec(3n)))).toBe("0.6666666666666667")
    expect(text(div(dec(2n), dec(30_000n)))).toBe("0.0000666666666667")
    expect(text(div(dec(20_000n), dec(3n)))).toBe("6666.6666666666666667")
    expect(text(div(dec(-2n), dec(3n)))).toBe("-0.6666666666666667")
    expect(Either.isLeft(div(dec(1n), dec(0n)))).toBe(true)
  })

  test("NewFromBigRat, Round and BigInt", () => {
    expect(text(fromRatio(2n, 7n, 4))).toBe("0.2857")
    expect(text(fromRatio(1000n, 3n, 3))).toBe("333.333")
    expect(text(round(dec(545n, -2), 1))).toBe("5.5")
    expect(text(round(dec(545n), -1))).toBe("550")
    expect(text(round(dec(-545n, -2), 1))).toBe("-5.5")
    expect(toBigInt(dec(-19n, -1))).toBe(-1n)
    expect(toBigInt(dec(19n, -1))).toBe(1n)
  })

  test("ExpTaylor at positive and negative precision", () => {
    expect(text(expTaylor(fromFloat(26.1), 2))).toBe("216314672147.06")
    expect(text(expTaylor(fromFloat(26.1), 20))).toBe("216314672147.05767284062928674083")
    expect(text(expTaylor(fromFloat(26.1), -10))).toBe("220000000000")
  })

  test("Ln: Halley's iteration after reduction, and the power series near 1", () => {
    expect(text(ln(fromFloat(13.3), 2))).toBe("2.59")
    expect(text(ln(fromFloat(579.161), 10))).toBe("6.3615805046")
    expect(text(ln(dec(1n), 5))).toBe("0.00000")
  })

  test("PowWithPrecision: integer and fractional exponents", () => {
    expect(text(powWithPrecision(dec(4n), dec(4n), 2))).toBe("256")
    // Precision 5 is raised to 15 (+10) for the fractional part; the library documents exactly this string.
    expect(text(powWithPrecision(dec(5n), fromFloat(5.73), 5))).toBe("10118.080371595015625")
    expect(text(powWithPrecision(dec(-3n), dec(-6n), 10))).toBe("0.0013717421")
    expect(Either.isLeft(powWithPrecision(dec(0n), dec(0n), 5))).toBe(true)
    expect(Either.isLeft(powWithPrecision(dec(-2n), dec(5n, -1), 5))).toBe(true)
    expect(text(powWithPrecision(dec(0n), dec(5n, -1), 5))).toBe("0")
  })

  test("the float seed only steers Halley's path: other seeds give the same 63-place results", () => {
    const half = Either.getOrThrow(fromRatio(1n, 2n, 53))
    const quarter = Either.getOrThrow(div(dec(1n), dec(4n)))
    const nudged = (ulps: number) => (x: number) => goLog(x) * (1 + ulps * 2 ** -52)
    for (const w of [3n, 1000n, 10n << 30n, (1n << 50n) - 1n, 10n << 50n, (1n << 60n) - 1n]) {
      const base = Either.getOrThrow(div(dec(1n << 50n), dec(w)))
      for (const e of [half, quarter]) {
        const reference = text(powWithPrecision(base, e, 53))
        for (const seed of [Math.log, nudged(4), nudged(-4), nudged(1024)]) expect(text(powWithPrecision(base, e, 53, seed))).toBe(reference)
      }
    }
  })

  test("floats: exact rational → nearest double, shortest round-trip back, Go's Log10 exact at powers of ten", () => {
    expect(toFloat64(dec(1n, -1))).toBe(0.1)
    expect(toFloat64(dec(123456789012345678901234567890n, -30))).toBe(0.12345678901234568)
    expect(toPlainString(fromFloat(-Math.LN10))).toBe("-2.302585092994046")
    for (let k = 0; k <= 15; k++) expect(Math.trunc(goLog10(10 ** k))).toBe(k)
  })
})
