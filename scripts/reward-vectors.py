#!/usr/bin/env python3
"""Reward vectors (consensus.md §9) from an independent code path: Python's decimal module.

Writes test/vectors/reward_pomw.json. Each value is computed twice:
  * "reference": shopspring/decimal v1.4.0's rounding points (Div = 16 places half away from zero,
    PowWithPrecision(x, 53) = ExpTaylor(Round(Ln(x)) * frac) with Ln seeded by Go's float64 log,
    BigInt = truncation toward zero), here in Python Decimal with an exact context;
  * "naive": the exact real value, floored (integer roots, no intermediate rounding),
so the vectors record where the two differ. The TS implementation
(actors/consensus/core/reward/) must equal "reference" on every entry (test/unit/.../pomw.test.ts).

Run: python3 scripts/reward-vectors.py  (no arguments; deterministic output)
"""
import functools
import json
import math
import struct
from decimal import ROUND_DOWN, ROUND_HALF_UP, Decimal, localcontext, Context

EXACT = Context(prec=200000, Emax=10**9, Emin=-(10**9))
HIGH = Context(prec=1200)

UNITS = 8_000_000_000
NORMALIZER = 1 << 50


# ---------------------------------------------------------------- Go float64 routines (bit-exact)
def from_bits(bits):
    return struct.unpack(">d", struct.pack(">Q", bits))[0]


LN2_HI, LN2_LO = from_bits(0x3FE62E42FEE00000), from_bits(0x3DEA39EF35793C76)
LS = [from_bits(b) for b in (0x3FE5555555555593, 0x3FD999999997FA04, 0x3FD2492494229359, 0x3FCC71C51D8E78AF,
                             0x3FC7466496CB03DE, 0x3FC39A09D078C69F, 0x3FC2F112DF3E5244)]
SQRT2_2 = from_bits(0x3FE6A09E667F3BCD)
with localcontext(HIGH):
    INV_LN2 = float(1 / Decimal(2).ln())
    LN2_LN10 = float(Decimal(2).ln() / Decimal(10).ln())
    LN10 = Decimal(10).ln()


def go_log(x):
    f1, ki = math.frexp(x)  # same contract as Go's Frexp: [0.5, 1)
    if f1 < SQRT2_2:
        f1 *= 2
        ki -= 1
    f = f1 - 1
    k = float(ki)
    s = f / (2 + f)
    s2 = s * s
    s4 = s2 * s2
    t1 = s2 * (LS[0] + s4 * (LS[2] + s4 * (LS[4] + s4 * LS[6])))
    t2 = s4 * (LS[1] + s4 * (LS[3] + s4 * LS[5]))
    r = t1 + t2
    hfsq = 0.5 * f * f
    return k * LN2_HI - ((hfsq - (s * (hfsq + r) + k * LN2_LO)) - f)


def go_log10(x):
    frac, e = math.frexp(x)
    l2 = float(e - 1) if frac == 0.5 else go_log(frac) * INV_LN2 + float(e)
    return l2 * LN2_LN10


# ---------------------------------------------------------------- shopspring rounding points
def q(places):
    return Decimal(1).scaleb(-places)


def _div_round_slow(a, b, places):
    with localcontext(EXACT):
        scaled = a.scaleb(places)
        quotient = scaled // b  # divide-integer: truncates toward zero, exact
        remainder = scaled - quotient * b
        if 2 * abs(remainder) >= abs(b):
            quotient += 1 if (a < 0) == (b < 0) else -1
        return quotient.scaleb(-places)


def div16(a, b):
    return _div_round_slow(a, b, 16)


def round_half_away(x, places):
    with localcontext(EXACT):
        return x.quantize(q(places), rounding=ROUND_HALF_UP)


def trunc(x):
    with localcontext(EXACT):
        return int(x.to_integral_value(rounding=ROUND_DOWN))


def num_digits(coefficient):
    v = abs(coefficient)
    if v <= 1 << 53:
        return 1 if v == 0 else int(go_log10(float(v))) + 1
    return len(str(v))


def ln10_approx(precision):
    i = 0
    p = precision
    if p >= 1:
        i += 1
    while p >= 16:
        p //= 16
        i += 4
    while p >= 2:
        p //= 2
        i += 1
    places = 2**i - 1
    with localcontext(EXACT):
        return LN10.quantize(q(places), rounding=ROUND_DOWN)


def exp_taylor(d, precision):
    with localcontext(EXACT):
        if d == 0:
            return round_half_away(Decimal(1), precision)
        eps = Decimal(1).scaleb(-precision - 1)
        x = abs(d)
        power, fact, result, i = x, Decimal(1), Decimal(1), 1
        while True:
            step = _div_round_slow(power, fact, precision + 1)
            result += step
            if step < eps:
                break
            power *= x
            i += 1
            fact *= i
        if d < 0:
            result = _div_round_slow(Decimal(1), result, precision + 1)
        return round_half_away(result, precision)


def ln(d, d_exp, precision):
    """Ln; d_exp is shopspring's exponent of d (its NumDigits, float fast path included, sets the reduction)."""
    calc = precision + 2
    with localcontext(EXACT):
        z = d
        adjust = Decimal(0)
        y = z - 1
        series = abs(y) <= Decimal("0.1")
        if not series:
            delta = num_digits(int(z.scaleb(-d_exp))) + d_exp
            z = z.scaleb(-delta)
            adjust = delta * ln10_approx(calc)
            y = z - 1
            series = abs(y) <= Decimal("0.1")
            if not series:
                a = Decimal(repr(go_log(float(z))))
        eps = Decimal(1).scaleb(-calc)
        if series:
            ratio = _div_round_slow(y, y + 2, calc)
            a = ratio + ratio
            power = a
            n = 1
            while True:
                power = power * ratio * ratio
                term = _div_round_slow(power, Decimal(2 * n + 1), calc)
                a += term
                if abs(term) <= eps:
                    break
                n += 1
        else:
            prev = Decimal(0)
            for _ in range(calc * 2 + 10):
                e = exp_taylor(a, calc)
                step = _div_round_slow(2 * (e - z), e + z, calc)
                a -= step
                if prev + step == 0 or abs(step) <= eps:
                    break
                prev = step
        return round_half_away(a + adjust, precision)


def pow_fraction(base, base_exp, exponent, exponent_exp, precision):
    """PowWithPrecision for 0 < exponent < 1; *_exp are shopspring's exponents (they set the digit counts)."""
    with localcontext(EXACT):
        work = precision
        digits_base = num_digits(int(base.scaleb(-base_exp)))
        digits_exponent = num_digits(int(exponent.scaleb(-exponent_exp)))
        if digits_base > work:
            work = digits_base
        if digits_exponent > work:
            work += digits_exponent
        work += 10
        return exp_taylor(ln(base, base_exp, work) * exponent, work)


# ---------------------------------------------------------------- §9 with those rounding points
def generation(d):
    n = 0
    while d >= 10000:
        d //= 10000
        n += 1
    return n


def world(w):
    return 1 if w == 0 else w  # W = 0 guard (D-REWARD-3)


def pomw_basis(d, w, units=UNITS):
    w = world(w)
    n = generation(d)
    normalized = div16(Decimal(NORMALIZER), Decimal(w))
    if n == 0:
        result = normalized
    else:
        result = pow_fraction(normalized, -16, div16(Decimal(1), Decimal(2**n)), -16, 53)
    with localcontext(EXACT):
        return trunc(result * units)


@functools.lru_cache(maxsize=None)
def sqrt_shards(shards):
    if shards == 0:
        return None
    return pow_fraction(Decimal(shards), 0, Decimal("0.5"), -53, 53)


def ring_divisor(ring):
    v = (1 << ((ring + 1) & 0xFF)) & ((1 << 64) - 1)
    return v - (1 << 64) if v >= 1 << 63 else v


def calculate(d, w, allocations, units=UNITS):
    w = world(w)
    basis = pomw_basis(d, w, units)
    total = 0
    for ring, shards, size in allocations:
        divisor = ring_divisor(ring)
        if divisor == 0:
            continue
        root = sqrt_shards(shards)
        if root is None:
            return None
        factor = div16(Decimal(size), Decimal(w))
        with localcontext(EXACT):
            scaled = div16(factor * basis, Decimal(divisor))
        total += trunc(div16(scaled, root))
    return total


def baseline_fee(d, w, added, units=UNITS):
    w = world(w)
    cur = pomw_basis(d, w, units)
    aff = pomw_basis(d, (w + added) & ((1 << 64) - 1), units)
    return max((cur - aff) ** 2 // w, added)


# ---------------------------------------------------------------- naive: exact reals, floored once
def iroot_floor(n, k):
    """Largest x with x**k <= n."""
    lo, hi = 0, 1 << (n.bit_length() // k + 2)
    while lo < hi:
        mid = (lo + hi + 1) // 2
        if mid**k <= n:
            lo = mid
        else:
            hi = mid - 1
    return lo


def naive_basis(d, w, units=UNITS):
    w = world(w)
    k = 2 ** generation(d)
    # floor(((2^50/W)^(1/k)) * units) = largest B with B^k * W <= 2^50 * units^k
    num = NORMALIZER * units**k
    b = iroot_floor(num // w, k)
    while (b + 1) ** k * w <= num:
        b += 1
    while b**k * w > num:
        b -= 1
    return b


def naive_allocation(d, w, ring, shards, size, units=UNITS):
    w = world(w)
    basis = naive_basis(d, w, units)
    div = 1 << (ring + 1)
    # largest R >= 0 with R * W * div * sqrt(L) <= S * basis  <=>  R^2 W^2 div^2 L <= (S basis)^2
    top = size * basis
    r = iroot_floor(top * top // (w * w * div * div * shards), 2)
    while (r + 1) ** 2 * w * w * div * div * shards <= top * top:
        r += 1
    while r > 0 and r * r * w * w * div * div * shards > top * top:
        r -= 1
    return r


# ---------------------------------------------------------------- the vector set
DIFFICULTIES = [1, 9_999, 10_000, 100_000, 99_999_999, 100_000_000, 1_234_567_890, 999_999_999_999, 10**12, 5 * 10**13, 10**16 - 1]
GIB = 1 << 30
WORLDS = [0, 1, 2, 3, 7, 1000, 1 << 20, 10**9, GIB, 10 * GIB, 3 * (1 << 40) + 17, 1 << 46, 1 << 48, (1 << 50) - 1, 1 << 50,
          (1 << 50) + 1, 10 << 50, 100 << 50, 1000 << 50, 1 << 52, 1 << 55, (1 << 60) - 1, 1 << 60]
RING_CASES = [0, 1, 2, 7, 61, 62, 63, 64, 254, 255]
SHARD_CASES = [1, 2, 3, 4, 10, 16, 100, 1000, 1 << 32]


def main():
    basis = []
    for d in DIFFICULTIES:
        for w in WORLDS:
            basis.append({"difficulty": str(d), "worldSize": str(w), "reference": str(pomw_basis(d, w)), "naive": str(naive_basis(d, w))})
    calc = []
    for d, w, size in [(100_000, 10 * GIB, GIB // 2), (1, GIB, 1 << 20), (100_000_000, 1 << 40, 3 * GIB + 5), (10**12, 1 << 60, 1 << 50), (9_999, 1000, 999)]:
        for ring in RING_CASES:
            for shards in SHARD_CASES:
                ref = calculate(d, w, [(ring, shards, size)])
                naive = naive_allocation(d, w, ring, shards, size) if 0 <= ring <= 60 else None
                calc.append({"difficulty": str(d), "worldSize": str(w), "allocations": [{"ring": ring, "shards": str(shards), "stateSize": str(size)}],
                             "reference": str(ref), "naive": None if naive is None else str(naive)})
        calc.append({"difficulty": str(d), "worldSize": str(w), "allocations": [{"ring": 0, "shards": "0", "stateSize": str(size)}], "reference": "error:shards-zero", "naive": None})
    twenty = [(0, 1, GIB // 2)] * 20
    calc.append({"difficulty": "100000", "worldSize": str(10 * GIB), "allocations": [{"ring": 0, "shards": "1", "stateSize": str(GIB // 2)}] * 20,
                 "reference": str(calculate(100_000, 10 * GIB, twenty)), "naive": None})
    fees = []
    for d in [1, 100_000, 100_000_000, 10**12]:
        for w in [0, 1, 1000, GIB, 10 * GIB, 1 << 60]:
            for added in [0, 1, 1000, 1 << 20, GIB]:
                fees.append({"difficulty": str(d), "worldSize": str(w), "added": str(added), "reference": str(baseline_fee(d, w, added))})
    # Where the 16-place / 53-digit rounding points change the answer: searched, then kept.
    divergent = []
    u64 = (1 << 64) - 1
    # Generation 0: W = floor(N/k) leaves N mod W < k, so the exact basis sits just above an integer and a
    # 16-place Div that rounds down drops it below (N = 2^50 * 8e9).
    n0 = NORMALIZER * UNITS
    for k in range(10**6, 10**6 + 5000):
        for w in (n0 // k, -(-n0 // k)):
            if w <= u64 and pomw_basis(1, w) != naive_basis(1, w):
                divergent.append({"difficulty": "1", "worldSize": str(w), "reference": str(pomw_basis(1, w)), "naive": str(naive_basis(1, w))})
        if len(divergent) >= 3:
            break
    # Generations 1-3: W = round(2^50 * 8e9^(2^n) / B^(2^n)) puts the exact basis within ~1e-12 of B; the
    # 16-place normalized value (W near 2^63) moves it by ~1e-5, which a truncation then shows.
    for n in range(1, 4):
        found = 0
        k = 2**n
        first = iroot_floor(NORMALIZER * UNITS**k // u64, k) + 1
        for b in range(first, first + 400):
            w = (NORMALIZER * UNITS**k + b**k // 2) // b**k
            if w > u64:
                continue
            d = 10 ** (4 * n)
            ref, nv = pomw_basis(d, w), naive_basis(d, w)
            if ref != nv:
                divergent.append({"difficulty": str(d), "worldSize": str(w), "reference": str(ref), "naive": str(nv)})
                found += 1
                if found >= 2:
                    break
    small = []
    for size in range(1, 200_000, 7):
        ref = calculate(1, 1 << 40, [(0, 1, size)])
        nv = naive_allocation(1, 1 << 40, 0, 1, size)
        if ref != nv:
            small.append({"difficulty": "1", "worldSize": str(1 << 40), "allocations": [{"ring": 0, "shards": "1", "stateSize": str(size)}], "reference": str(ref), "naive": str(nv)})
            if len(small) >= 4:
                break
    out = {
        "source": "scripts/reward-vectors.py (Python decimal, shopspring/decimal v1.4.0 rounding points; naive = exact real floored)",
        "units": str(UNITS),
        "pomwBasis": basis,
        "calculate": calc,
        "baselineFee": fees,
        "divergentBasis": divergent,
        "divergentCalculate": small,
    }
    with open("test/vectors/reward_pomw.json", "w") as fh:
        json.dump(out, fh, indent=1)
        fh.write("\n")
    print(f"basis {len(basis)}, calculate {len(calc)}, fees {len(fees)}, divergent basis {len(divergent)}, divergent calculate {len(small)}")


if __name__ == "__main__":
    main()
