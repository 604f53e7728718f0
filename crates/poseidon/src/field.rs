//! The BN254 scalar field (r ≈ 2^253.6) in Montgomery form over four u64 limbs, std only.
//! r's top limb is below 2^62, so the "no final carry" CIOS multiplication applies and a sum of up
//! to 64 unreduced products fits in 9 limbs for the lazily reduced dot products below.
use crate::constants::{MODULUS, NEG_INV, R2};

/// A field element in Montgomery form (x·2^256 mod r), always fully reduced (< r).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Fr(pub [u64; 4]);

/// a + b·c + carry, as (low, high).
#[inline(always)]
fn mac(a: u64, b: u64, c: u64, carry: u64) -> (u64, u64) {
    let t = a as u128 + (b as u128) * (c as u128) + carry as u128;
    (t as u64, (t >> 64) as u64)
}

/// Whether the mulx / adcx / adox kernels can run (std caches the CPUID answer).
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn has_adx() -> bool {
    #[cfg(test)]
    if FORCE_PORTABLE.load(std::sync::atomic::Ordering::Relaxed) {
        return false;
    }
    std::is_x86_feature_detected!("bmi2") && std::is_x86_feature_detected!("adx")
}

/// Tests set this to run the portable multiplication and reduction on a CPU that has BMI2 + ADX.
#[cfg(test)]
pub(crate) static FORCE_PORTABLE: std::sync::atomic::AtomicBool =
    std::sync::atomic::AtomicBool::new(false);

/// a + b + carry, as (low, carry).
#[inline(always)]
fn adc(a: u64, b: u64, carry: u64) -> (u64, u64) {
    let t = a as u128 + b as u128 + carry as u128;
    (t as u64, (t >> 64) as u64)
}

/// a - b - borrow, as (low, borrow ∈ {0, 1}).
#[inline(always)]
fn sbb(a: u64, b: u64, borrow: u64) -> (u64, u64) {
    let t = (a as u128).wrapping_sub(b as u128 + borrow as u128);
    (t as u64, ((t >> 64) as u64) & 1)
}

/// a² as eight limbs: the six cross products once, doubled by a one-bit shift, plus the squares.
#[inline(always)]
fn square_wide(a: [u64; 4]) -> [u64; 8] {
    let (t1, c) = mac(0, a[0], a[1], 0);
    let (t2, c) = mac(0, a[0], a[2], c);
    let (t3, t4) = mac(0, a[0], a[3], c);
    let (t3, c) = mac(t3, a[1], a[2], 0);
    let (t4, t5) = mac(t4, a[1], a[3], c);
    let (t5, t6) = mac(t5, a[2], a[3], 0);
    let d = [
        0,
        t1 << 1,
        (t2 << 1) | (t1 >> 63),
        (t3 << 1) | (t2 >> 63),
        (t4 << 1) | (t3 >> 63),
        (t5 << 1) | (t4 >> 63),
        (t6 << 1) | (t5 >> 63),
        t6 >> 63,
    ];
    let mut out = [0u64; 8];
    let mut carry = 0u64;
    for i in 0..4 {
        let sq = (a[i] as u128) * (a[i] as u128);
        let (lo, c) = adc(d[2 * i], sq as u64, carry);
        let (hi, c) = adc(d[2 * i + 1], (sq >> 64) as u64, c);
        out[2 * i] = lo;
        out[2 * i + 1] = hi;
        carry = c;
    }
    out
}

/// x - r when x ≥ r (x < 2r).
#[inline(always)]
fn reduce_once(x: [u64; 4]) -> [u64; 4] {
    let (d0, b) = sbb(x[0], MODULUS[0], 0);
    let (d1, b) = sbb(x[1], MODULUS[1], b);
    let (d2, b) = sbb(x[2], MODULUS[2], b);
    let (d3, b) = sbb(x[3], MODULUS[3], b);
    // Branch-free select: the outcome is data-dependent and a mispredicted branch costs more than this.
    let keep = 0u64.wrapping_sub(b);
    [
        (x[0] & keep) | (d0 & !keep),
        (x[1] & keep) | (d1 & !keep),
        (x[2] & keep) | (d2 & !keep),
        (x[3] & keep) | (d3 & !keep),
    ]
}

impl Fr {
    pub const ZERO: Fr = Fr([0; 4]);

    #[inline(always)]
    fn add_mod(self, o: Fr) -> Fr {
        // Both < r < 2^254, so the sum fits in four limbs.
        let (s0, c) = adc(self.0[0], o.0[0], 0);
        let (s1, c) = adc(self.0[1], o.0[1], c);
        let (s2, c) = adc(self.0[2], o.0[2], c);
        let (s3, _) = adc(self.0[3], o.0[3], c);
        Fr(reduce_once([s0, s1, s2, s3]))
    }

    /// Montgomery product a·b·2^-256 (CIOS, interleaved reduction).
    #[inline(always)]
    fn mont_mul(self, o: Fr) -> Fr {
        #[cfg(target_arch = "x86_64")]
        if has_adx() {
            return Fr(reduce_once(crate::products::mont_mul_adx(&self.0, &o.0)));
        }
        self.mont_mul_portable(o)
    }

    /// `mont_mul` in plain Rust (CIOS with u128 products).
    #[inline(always)]
    fn mont_mul_portable(self, o: Fr) -> Fr {
        let (a, b, p) = (self.0, o.0, MODULUS);
        let mut t = [0u64; 4];
        for &ai in a.iter() {
            let (t0, mut c) = mac(t[0], ai, b[0], 0);
            let m = t0.wrapping_mul(NEG_INV);
            let (_, mut c2) = mac(t0, m, p[0], 0);
            for j in 1..4 {
                let (x, nc) = mac(t[j], ai, b[j], c);
                c = nc;
                let (y, nc2) = mac(x, m, p[j], c2);
                c2 = nc2;
                t[j - 1] = y;
            }
            t[3] = c.wrapping_add(c2);
        }
        Fr(reduce_once(t))
    }

    /// self² — with the mulx kernels, the 10-product square (cross products doubled) and one
    /// reduction instead of a 16-product Montgomery multiplication.
    #[inline(always)]
    pub fn square(self) -> Fr {
        #[cfg(target_arch = "x86_64")]
        if has_adx() {
            // self < r, so self² < r² < 2^508 and the reduction is below 1.2r: one subtraction.
            let (x, top) = crate::products::redc_adx(square_wide(self.0));
            debug_assert_eq!(top, 0);
            return Fr(reduce_once(x));
        }
        self * self
    }

    /// x^5, the Poseidon S-box.
    #[inline(always)]
    pub fn pow5(self) -> Fr {
        let x2 = self.square();
        x2.square() * self
    }

    /// Σ a[i]·b[i] with one Montgomery reduction at the end instead of one per product.
    #[inline(always)]
    pub fn dot<const N: usize>(a: &[Fr; N], b: &[Fr; N]) -> Fr {
        Fr::dot_by(N, |i| (&a[i], &b[i]))
    }

    /// Σ pair(i).0 · pair(i).1 for i < n ≤ 64, reduced once. The 64-bit halves of every limb product
    /// are summed per column in u128 accumulators (each stays below 2^64·8·n, far from overflow), so
    /// the columns are independent add chains rather than one long carry chain; the carries are
    /// resolved once at the end, then one Montgomery reduction of the 9-limb sum (< 64·r²).
    #[inline(always)]
    pub fn dot_by<'a>(n: usize, pair: impl Fn(usize) -> (&'a Fr, &'a Fr)) -> Fr {
        assert!(
            n <= 64,
            "the 9-limb sum holds at most 64 products of values < r"
        );
        let mut acc = [0u128; 8];
        for i in 0..n {
            let (Fr(x), Fr(y)) = pair(i);
            for k in 0..4 {
                for l in 0..4 {
                    let p = (x[k] as u128) * (y[l] as u128);
                    acc[k + l] += p as u64 as u128;
                    acc[k + l + 1] += p >> 64;
                }
            }
        }
        let mut t = [0u64; 9];
        let mut carry: u128 = 0;
        for c in 0..8 {
            let v = acc[c] + carry;
            t[c] = v as u64;
            carry = v >> 64;
        }
        t[8] = carry as u64;
        Fr(redc_wide(t))
    }

    /// self + o as a plain integer, not reduced (< 2^255 for operands < r): a Winograd factor.
    #[inline(always)]
    pub fn add_raw(self, o: Fr) -> [u64; 4] {
        let (s0, c) = adc(self.0[0], o.0[0], 0);
        let (s1, c) = adc(self.0[1], o.0[1], c);
        let (s2, c) = adc(self.0[2], o.0[2], c);
        let (s3, _) = adc(self.0[3], o.0[3], c);
        [s0, s1, s2, s3]
    }

    /// Montgomery reduction T·2^-256 mod r of an unreduced sum T < 21·r² (at most 21 products of
    /// values < r, or fewer plus a value < r shifted up by 256 bits), fully reduced.
    #[inline(always)]
    pub fn from_wide(t: Wide) -> Fr {
        Fr(redc_small(t))
    }

    /// From a plain value (little-endian limbs, < r).
    pub fn from_canonical(limbs: [u64; 4]) -> Fr {
        Fr(limbs) * Fr(R2)
    }

    /// The plain value (little-endian limbs, < r).
    pub fn to_canonical(self) -> [u64; 4] {
        (self * Fr([1, 0, 0, 0])).0
    }

    /// From 32 big-endian bytes; None unless the value is < r.
    pub fn from_be_bytes(bytes: &[u8; 32]) -> Option<Fr> {
        let mut l = [0u64; 4];
        for (i, limb) in l.iter_mut().enumerate() {
            let mut w = [0u8; 8];
            w.copy_from_slice(&bytes[32 - 8 * (i + 1)..32 - 8 * i]);
            *limb = u64::from_be_bytes(w);
        }
        let (_, b) = sbb(l[0], MODULUS[0], 0);
        let (_, b) = sbb(l[1], MODULUS[1], b);
        let (_, b) = sbb(l[2], MODULUS[2], b);
        let (_, b) = sbb(l[3], MODULUS[3], b);
        (b == 1).then(|| Fr::from_canonical(l))
    }

    /// The plain value as 32 big-endian bytes.
    pub fn to_be_bytes(self) -> [u8; 32] {
        let l = self.to_canonical();
        let mut out = [0u8; 32];
        for (i, limb) in l.iter().enumerate() {
            out[32 - 8 * (i + 1)..32 - 8 * i].copy_from_slice(&limb.to_be_bytes());
        }
        out
    }
}

/// An unreduced sum of products as a 9-limb little-endian integer (below 2^576).
pub type Wide = [u64; 9];

/// Σ x[k]·y[k] over N products of 4-limb integers (any values below 2^256), as one integer (below
/// 2^576 for N < 2^60). On x86_64 a generated product-scanning kernel (products.rs) for the sizes the
/// permutation uses; elsewhere, or for other sizes, the portable version.
#[inline(always)]
pub fn sum_products<const N: usize>(x: &[[u64; 4]; N], y: &[[u64; 4]; N]) -> Wide {
    #[cfg(target_arch = "x86_64")]
    {
        use crate::products::*;
        // N is a constant, so the match and the slice conversions fold away.
        let (xs, ys) = (x.as_slice(), y.as_slice());
        match N {
            1 => return sum_1(xs.try_into().unwrap(), ys.try_into().unwrap()),
            2 => return sum_2(xs.try_into().unwrap(), ys.try_into().unwrap()),
            3 => return sum_3(xs.try_into().unwrap(), ys.try_into().unwrap()),
            8 => return sum_8(xs.try_into().unwrap(), ys.try_into().unwrap()),
            9 => return sum_9(xs.try_into().unwrap(), ys.try_into().unwrap()),
            _ => {}
        }
    }
    sum_products_portable(x, y)
}

/// `sum_products` in plain Rust: per product, each 64-bit half of a limb product into its column's
/// u128 (columns are independent add chains; carries resolved once at the end).
#[inline(always)]
pub fn sum_products_portable<const N: usize>(x: &[[u64; 4]; N], y: &[[u64; 4]; N]) -> Wide {
    let mut acc = [0u128; 8];
    for (x, y) in x.iter().zip(y) {
        for k in 0..4 {
            for l in 0..4 {
                let p = (x[k] as u128) * (y[l] as u128);
                acc[k + l] += p as u64 as u128;
                acc[k + l + 1] += p >> 64;
            }
        }
    }
    let mut t = [0u64; 9];
    let mut carry: u128 = 0;
    for c in 0..8 {
        let v = acc[c] + carry;
        t[c] = v as u64;
        carry = v >> 64;
    }
    t[8] = carry as u64;
    t
}

/// a - b for a ≥ b (the caller's invariant; checked in debug builds).
#[inline(always)]
pub fn wide_sub(a: Wide, b: &Wide) -> Wide {
    let mut out = [0u64; 9];
    let mut borrow = 0;
    for i in 0..9 {
        let (d, nb) = sbb(a[i], b[i], borrow);
        out[i] = d;
        borrow = nb;
    }
    debug_assert_eq!(borrow, 0, "wide_sub underflow");
    out
}

/// a + b (no overflow for the sums built here, far below 2^576; checked in debug builds).
#[inline(always)]
pub fn wide_add(a: Wide, b: &Wide) -> Wide {
    let mut out = [0u64; 9];
    let mut carry = 0;
    for i in 0..9 {
        let (s, nc) = adc(a[i], b[i], carry);
        out[i] = s;
        carry = nc;
    }
    debug_assert_eq!(carry, 0, "wide_add overflow");
    out
}

impl std::ops::Add for Fr {
    type Output = Fr;
    #[inline(always)]
    fn add(self, o: Fr) -> Fr {
        self.add_mod(o)
    }
}

/// Montgomery multiplication: for operands in Montgomery form the product is too.
impl std::ops::Mul for Fr {
    type Output = Fr;
    #[inline(always)]
    fn mul(self, o: Fr) -> Fr {
        self.mont_mul(o)
    }
}

/// Montgomery reduction of a 9-limb value T < 64·r² to T·2^-256 mod r, fully reduced.
#[inline(always)]
fn redc_wide(mut t: [u64; 9]) -> [u64; 4] {
    let p = MODULUS;
    for i in 0..4 {
        let m = t[i].wrapping_mul(NEG_INV);
        let mut c = 0u64;
        for j in 0..4 {
            let (lo, hi) = mac(t[i + j], m, p[j], c);
            t[i + j] = lo;
            c = hi;
        }
        // Fixed-length carry chain (no data-dependent branch).
        for limb in t.iter_mut().skip(i + 4) {
            let (s, nc) = adc(*limb, c, 0);
            *limb = s;
            c = nc;
        }
    }
    // Now t[4..9] = (T + m·r)/2^256 < T/2^256 + r < 64·r·(r/2^256) + r < 17r: subtract 16r, 8r, 4r, 2r, r
    // when they fit (each conditional subtraction halves the bound).
    let mut x = [t[4], t[5], t[6], t[7], t[8]];
    for shift in (0..5).rev() {
        let m = shifted_modulus(shift);
        let (d0, b) = sbb(x[0], m[0], 0);
        let (d1, b) = sbb(x[1], m[1], b);
        let (d2, b) = sbb(x[2], m[2], b);
        let (d3, b) = sbb(x[3], m[3], b);
        let (d4, b) = sbb(x[4], m[4], b);
        let keep = 0u64.wrapping_sub(b);
        let d = [d0, d1, d2, d3, d4];
        for k in 0..5 {
            x[k] = (x[k] & keep) | (d[k] & !keep);
        }
    }
    [x[0], x[1], x[2], x[3]]
}

/// Montgomery reduction of T < 21·r² (< 2^511, so T's ninth limb is zero): (T + m·r)/2^256 <
/// 21·r·(r/2^256) + r < 4.97·r < 2^256, so four limbs hold it and subtracting 4r, 2r, r when they
/// fit reduces it fully. The carry out of each row's top limb is carried into the next row's
/// instead of through every limb above it.
#[inline(always)]
fn redc_small(t: Wide) -> [u64; 4] {
    debug_assert_eq!(t[8], 0, "redc_small input out of range");
    #[cfg(target_arch = "x86_64")]
    if has_adx() {
        let (x, top) = crate::products::redc_adx([t[0], t[1], t[2], t[3], t[4], t[5], t[6], t[7]]);
        debug_assert_eq!(top, 0, "redc_small result out of range");
        return reduce_below_8r(x);
    }
    redc_small_portable(t)
}

/// `redc_small` in plain Rust.
#[inline(always)]
fn redc_small_portable(mut t: Wide) -> [u64; 4] {
    let p = MODULUS;
    let mut top = 0u64;
    for i in 0..4 {
        let m = t[i].wrapping_mul(NEG_INV);
        let (_, mut c) = mac(t[i], m, p[0], 0);
        for j in 1..4 {
            let (lo, hi) = mac(t[i + j], m, p[j], c);
            t[i + j] = lo;
            c = hi;
        }
        let (s, nc) = adc(t[i + 4], c, top);
        t[i + 4] = s;
        top = nc;
    }
    debug_assert_eq!(top, 0, "redc_small result out of range");
    reduce_below_8r([t[4], t[5], t[6], t[7]])
}

/// x mod r for x < 8r: subtract 4r, 2r, r when they fit.
#[inline(always)]
fn reduce_below_8r(mut x: [u64; 4]) -> [u64; 4] {
    for shift in (0..3).rev() {
        let m = shifted_modulus(shift);
        let (d0, b) = sbb(x[0], m[0], 0);
        let (d1, b) = sbb(x[1], m[1], b);
        let (d2, b) = sbb(x[2], m[2], b);
        let (d3, b) = sbb(x[3], m[3], b);
        let keep = 0u64.wrapping_sub(b);
        let d = [d0, d1, d2, d3];
        for k in 0..4 {
            x[k] = (x[k] & keep) | (d[k] & !keep);
        }
    }
    x
}

/// r·2^shift over five limbs.
#[inline(always)]
const fn shifted_modulus(shift: u32) -> [u64; 5] {
    let p = MODULUS;
    if shift == 0 {
        return [p[0], p[1], p[2], p[3], 0];
    }
    [
        p[0] << shift,
        (p[1] << shift) | (p[0] >> (64 - shift)),
        (p[2] << shift) | (p[1] >> (64 - shift)),
        (p[3] << shift) | (p[2] >> (64 - shift)),
        p[3] >> (64 - shift),
    ]
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Small deterministic generator for test values (not cryptographic).
    fn next(seed: &mut u64) -> u64 {
        *seed ^= *seed << 13;
        *seed ^= *seed >> 7;
        *seed ^= *seed << 17;
        *seed
    }

    fn random(seed: &mut u64) -> Fr {
        // The top limb kept below r's, so the value is < r.
        Fr::from_canonical([next(seed), next(seed), next(seed), next(seed) % MODULUS[3]])
    }

    #[test]
    fn canonical_round_trip_and_identities() {
        let mut s = 7u64;
        let one = Fr::from_canonical([1, 0, 0, 0]);
        for _ in 0..200 {
            let a = random(&mut s);
            let b = random(&mut s);
            assert_eq!(a * one, a);
            assert_eq!(a * b, b * a);
            assert_eq!(Fr::from_canonical(a.to_canonical()), a);
            assert_eq!(Fr::from_be_bytes(&a.to_be_bytes()), Some(a));
        }
        // r - 1 squared is 1.
        let minus_one = Fr::from_canonical([MODULUS[0] - 1, MODULUS[1], MODULUS[2], MODULUS[3]]);
        assert_eq!(minus_one.square(), one);
        assert_eq!(minus_one + one, Fr::ZERO);
        assert_eq!(Fr::from_be_bytes(&[0xff; 32]), None);
    }

    /// The x86_64 kernels against the portable sum, random and all-ones operands.
    #[test]
    fn kernels_match_portable_sums() {
        let mut s = 5u64;
        fn check<const N: usize>(s: &mut u64) {
            for round in 0..50 {
                let limb = |s: &mut u64| if round == 0 { u64::MAX } else { next(s) };
                let x: [[u64; 4]; N] = std::array::from_fn(|_| std::array::from_fn(|_| limb(s)));
                let y: [[u64; 4]; N] = std::array::from_fn(|_| std::array::from_fn(|_| limb(s)));
                assert_eq!(sum_products(&x, &y), sum_products_portable(&x, &y), "N {N}");
            }
        }
        check::<1>(&mut s);
        check::<2>(&mut s);
        check::<3>(&mut s);
        check::<8>(&mut s);
        check::<9>(&mut s);
        check::<5>(&mut s);
    }

    /// The mulx kernel against the portable CIOS, random and extreme operands.
    #[test]
    fn mont_mul_kernel_matches_portable() {
        let mut s = 11u64;
        let max = Fr([MODULUS[0] - 1, MODULUS[1], MODULUS[2], MODULUS[3]]);
        let mut vals = vec![Fr::ZERO, max, Fr([1, 0, 0, 0])];
        vals.extend((0..300).map(|_| random(&mut s)));
        for a in &vals {
            for b in vals.iter().take(20) {
                assert_eq!(*a * *b, a.mont_mul_portable(*b));
            }
        }
    }

    /// redc_small (the mulx kernel on x86_64) and its portable twin against the 64r² reduction, up
    /// to its bound 21r².
    #[test]
    fn small_reduction_matches_wide_one() {
        let mut s = 13u64;
        let max = [MODULUS[0] - 1, MODULUS[1], MODULUS[2], MODULUS[3]];
        for round in 0..300 {
            let x: [[u64; 4]; 21] = std::array::from_fn(|_| if round == 0 { max } else { random(&mut s).0 });
            let y: [[u64; 4]; 21] = std::array::from_fn(|_| if round == 0 { max } else { random(&mut s).0 });
            let t = sum_products_portable(&x, &y);
            assert_eq!(redc_small(t), redc_wide(t));
            assert_eq!(redc_small_portable(t), redc_wide(t));
        }
    }

    #[test]
    fn square_matches_product() {
        let mut s = 17u64;
        let max = Fr([MODULUS[0] - 1, MODULUS[1], MODULUS[2], MODULUS[3]]);
        for a in [Fr::ZERO, max, Fr([1, 0, 0, 0])].into_iter().chain((0..500).map(|_| random(&mut s))) {
            assert_eq!(a.square(), a.mont_mul_portable(a));
        }
    }

    #[test]
    fn dot_matches_sum_of_products() {
        let mut s = 99u64;
        let a: [Fr; 17] = std::array::from_fn(|_| random(&mut s));
        let b: [Fr; 17] = std::array::from_fn(|_| random(&mut s));
        let want = a.iter().zip(&b).fold(Fr::ZERO, |acc, (x, y)| acc + *x * *y);
        assert_eq!(Fr::dot(&a, &b), want);
        // Largest operands: every entry r - 1.
        let big = Fr([MODULUS[0] - 1, MODULUS[1], MODULUS[2], MODULUS[3]]);
        let want = (0..17).fold(Fr::ZERO, |acc, _| acc + big * big);
        assert_eq!(Fr::dot(&[big; 17], &[big; 17]), want);
    }
}
