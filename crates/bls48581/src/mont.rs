//! 10x64-bit Montgomery arithmetic (R = 2^640) for the base field Fp and the scalar field Fr.
use crate::field::Field;
use crate::params::*;

#[inline(always)]
fn mac(t: u64, a: u64, b: u64, c: u64) -> (u64, u64) {
    let v = t as u128 + (a as u128) * (b as u128) + c as u128;
    (v as u64, (v >> 64) as u64)
}

#[inline(always)]
fn geq(a: &[u64; 10], m: &[u64; 10]) -> bool {
    for i in (0..10).rev() {
        if a[i] != m[i] {
            return a[i] > m[i];
        }
    }
    true
}

#[inline(always)]
fn sub_in_place(a: &mut [u64; 10], m: &[u64; 10]) -> u64 {
    let mut borrow = 0u64;
    for i in 0..10 {
        let (d1, b1) = a[i].overflowing_sub(m[i]);
        let (d2, b2) = d1.overflowing_sub(borrow);
        a[i] = d2;
        borrow = (b1 | b2) as u64;
    }
    borrow
}

/// Montgomery product a*b/R mod m. Both moduli have a top limb below 2^62, so the "no-carry"
/// CIOS variant applies: the running total always fits in 10 limbs. Written out limb by limb so
/// the result does not depend on the optimiser's unrolling heuristics.
#[inline(always)]
pub fn mont_mul(a: &[u64; 10], b: &[u64; 10], m: &[u64; 10], n0: u64) -> [u64; 10] {
    let [a0, a1, a2, a3, a4, a5, a6, a7, a8, a9] = *a;
    let [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9] = *m;
    let (mut t0, mut t1, mut t2, mut t3, mut t4, mut t5, mut t6, mut t7, mut t8, mut t9) = (0u64, 0u64, 0u64, 0u64, 0u64, 0u64, 0u64, 0u64, 0u64, 0u64);
    for &bi in b.iter() {
        let (lo, ca) = mac(t0, a0, bi, 0);
        let k = lo.wrapping_mul(n0);
        let (_, cc) = mac(lo, k, m0, 0);
        let (lo, ca) = mac(t1, a1, bi, ca);
        let (lo, cc) = mac(lo, k, m1, cc);
        t0 = lo;
        let (lo, ca) = mac(t2, a2, bi, ca);
        let (lo, cc) = mac(lo, k, m2, cc);
        t1 = lo;
        let (lo, ca) = mac(t3, a3, bi, ca);
        let (lo, cc) = mac(lo, k, m3, cc);
        t2 = lo;
        let (lo, ca) = mac(t4, a4, bi, ca);
        let (lo, cc) = mac(lo, k, m4, cc);
        t3 = lo;
        let (lo, ca) = mac(t5, a5, bi, ca);
        let (lo, cc) = mac(lo, k, m5, cc);
        t4 = lo;
        let (lo, ca) = mac(t6, a6, bi, ca);
        let (lo, cc) = mac(lo, k, m6, cc);
        t5 = lo;
        let (lo, ca) = mac(t7, a7, bi, ca);
        let (lo, cc) = mac(lo, k, m7, cc);
        t6 = lo;
        let (lo, ca) = mac(t8, a8, bi, ca);
        let (lo, cc) = mac(lo, k, m8, cc);
        t7 = lo;
        let (lo, ca) = mac(t9, a9, bi, ca);
        let (lo, cc) = mac(lo, k, m9, cc);
        t8 = lo;
        t9 = ca.wrapping_add(cc);
    }
    let mut t = [t0, t1, t2, t3, t4, t5, t6, t7, t8, t9];
    if geq(&t, m) {
        sub_in_place(&mut t, m);
    }
    t
}

macro_rules! mont_field {
    ($name:ident, $m:expr, $n0:expr, $r2:expr, $one:expr, $inv_exp:expr) => {
        #[derive(Copy, Clone, PartialEq, Eq, Debug, Default)]
        pub struct $name(pub [u64; 10]);

        impl $name {
            pub const MODULUS: [u64; 10] = $m;
            /// From canonical little-endian limbs (< modulus).
            pub fn from_limbs(l: &[u64; 10]) -> Self {
                $name(mont_mul(l, &$r2, &$m, $n0))
            }
            pub fn to_limbs(&self) -> [u64; 10] {
                let mut one = [0u64; 10];
                one[0] = 1;
                mont_mul(&self.0, &one, &$m, $n0)
            }
            pub fn from_u64(v: u64) -> Self {
                let mut l = [0u64; 10];
                l[0] = v;
                Self::from_limbs(&l)
            }
            /// Any-length big-endian integer reduced modulo the modulus.
            pub fn from_be_bytes_reduce(b: &[u8]) -> Self {
                // Horner in base 2^64: acc = acc * 2^64 + limb.
                let base = Self::from_limbs(&{
                    let mut l = [0u64; 10];
                    l[1] = 1;
                    l
                });
                let mut acc = Self::zero();
                let head = b.len() % 8;
                let mut chunks: Vec<u64> = Vec::with_capacity(b.len() / 8 + 1);
                if head > 0 {
                    let mut v = 0u64;
                    for &x in &b[..head] {
                        v = (v << 8) | x as u64;
                    }
                    chunks.push(v);
                }
                for c in b[head..].chunks(8) {
                    chunks.push(u64::from_be_bytes(c.try_into().unwrap()));
                }
                for c in chunks {
                    let mut l = [0u64; 10];
                    l[0] = c;
                    acc = acc.mul(&base).add(&$name(mont_mul(&l, &$r2, &$m, $n0)));
                }
                acc
            }
            pub fn is_odd(&self) -> bool {
                self.to_limbs()[0] & 1 == 1
            }
            pub fn to_be_bytes(&self) -> [u8; 73] {
                let mut out = [0u8; 73];
                self.write_bytes(&mut out);
                out
            }
        }

        impl Field for $name {
            const BYTES: usize = 73;
            #[inline(always)]
            fn zero() -> Self {
                $name([0; 10])
            }
            #[inline(always)]
            fn one() -> Self {
                $name($one)
            }
            #[inline(always)]
            fn is_zero(&self) -> bool {
                self.0.iter().all(|&x| x == 0)
            }
            #[inline(always)]
            fn add(&self, o: &Self) -> Self {
                let mut r = [0u64; 10];
                let mut c = 0u64;
                for i in 0..10 {
                    let v = self.0[i] as u128 + o.0[i] as u128 + c as u128;
                    r[i] = v as u64;
                    c = (v >> 64) as u64;
                }
                if geq(&r, &$m) {
                    sub_in_place(&mut r, &$m);
                }
                $name(r)
            }
            #[inline(always)]
            fn sub(&self, o: &Self) -> Self {
                let mut r = self.0;
                if sub_in_place(&mut r, &o.0) != 0 {
                    let mut c = 0u64;
                    for i in 0..10 {
                        let v = r[i] as u128 + $m[i] as u128 + c as u128;
                        r[i] = v as u64;
                        c = (v >> 64) as u64;
                    }
                }
                $name(r)
            }
            #[inline(always)]
            fn neg(&self) -> Self {
                if self.is_zero() {
                    *self
                } else {
                    let mut r = $m;
                    sub_in_place(&mut r, &self.0);
                    $name(r)
                }
            }
            #[inline(never)]
            fn mul(&self, o: &Self) -> Self {
                $name(mont_mul(&self.0, &o.0, &$m, $n0))
            }
            fn inv(&self) -> Self {
                self.pow(&$inv_exp)
            }
            fn inv_vartime(&self) -> Self {
                // Binary extended Euclid on the Montgomery representative m = aR:
                // m^-1 = a^-1 R^-1, and mont_mul(m^-1, R^3) = a^-1 R.
                if self.is_zero() {
                    return *self;
                }
                let p = $m;
                let is_one = |x: &[u64; 10]| x[0] == 1 && x[1..].iter().all(|&w| w == 0);
                let shr1 = |x: &mut [u64; 10], top: u64| {
                    for i in 0..10 {
                        let next = if i < 9 { x[i + 1] } else { top };
                        x[i] = (x[i] >> 1) | (next << 63);
                    }
                };
                let halve_mod = |x: &mut [u64; 10]| {
                    let mut carry = 0u64;
                    if x[0] & 1 == 1 {
                        for i in 0..10 {
                            let v = x[i] as u128 + p[i] as u128 + carry as u128;
                            x[i] = v as u64;
                            carry = (v >> 64) as u64;
                        }
                    }
                    shr1(x, carry);
                };
                let sub_mod = |x: &mut [u64; 10], y: &[u64; 10]| {
                    if sub_in_place(x, y) != 0 {
                        let mut c = 0u64;
                        for i in 0..10 {
                            let v = x[i] as u128 + p[i] as u128 + c as u128;
                            x[i] = v as u64;
                            c = (v >> 64) as u64;
                        }
                    }
                };
                let mut u = self.0;
                let mut v = p;
                let mut x1 = [0u64; 10];
                x1[0] = 1;
                let mut x2 = [0u64; 10];
                while !is_one(&u) && !is_one(&v) {
                    while u[0] & 1 == 0 {
                        shr1(&mut u, 0);
                        halve_mod(&mut x1);
                    }
                    while v[0] & 1 == 0 {
                        shr1(&mut v, 0);
                        halve_mod(&mut x2);
                    }
                    if geq(&u, &v) {
                        sub_in_place(&mut u, &v);
                        sub_mod(&mut x1, &x2);
                    } else {
                        sub_in_place(&mut v, &u);
                        sub_mod(&mut x2, &x1);
                    }
                }
                let minv = if is_one(&u) { x1 } else { x2 };
                let r3 = mont_mul(&$r2, &$r2, &$m, $n0);
                $name(mont_mul(&minv, &r3, &$m, $n0))
            }
            fn half(&self) -> Self {
                // (a + m*(a odd)) / 2 on the Montgomery representative.
                let mut r = self.0;
                let mut c = 0u64;
                if r[0] & 1 == 1 {
                    for i in 0..10 {
                        let v = r[i] as u128 + $m[i] as u128 + c as u128;
                        r[i] = v as u64;
                        c = (v >> 64) as u64;
                    }
                }
                for i in 0..10 {
                    let next = if i < 9 { r[i + 1] } else { c };
                    r[i] = (r[i] >> 1) | (next << 63);
                }
                $name(r)
            }
            fn frob(&self) -> Self {
                *self
            }
            fn is_square(&self) -> bool {
                legendre_is_square(self)
            }
            fn sqrt(&self) -> Option<Self> {
                sqrt_3mod4(self)
            }
            fn sgn0(&self) -> bool {
                self.is_odd()
            }
            fn write_bytes(&self, out: &mut [u8]) {
                let l = self.to_limbs();
                let mut full = [0u8; 80];
                for i in 0..10 {
                    full[80 - 8 * (i + 1)..80 - 8 * i].copy_from_slice(&l[i].to_be_bytes());
                }
                out[..73].copy_from_slice(&full[7..]);
            }
            fn read_bytes(b: &[u8]) -> Option<Self> {
                if b.len() != 73 {
                    return None;
                }
                let mut full = [0u8; 80];
                full[7..].copy_from_slice(b);
                let mut l = [0u64; 10];
                for i in 0..10 {
                    l[i] = u64::from_be_bytes(full[80 - 8 * (i + 1)..80 - 8 * i].try_into().unwrap());
                }
                if geq(&l, &$m) {
                    return None;
                }
                Some(Self::from_limbs(&l))
            }
        }
    };
}

mont_field!(Fp, FP_MODULUS, FP_N0, FP_R2, FP_ONE, FP_INV_EXP);
mont_field!(Fr, FR_MODULUS, FR_N0, FR_R2, FR_ONE, FR_INV_EXP);

trait SqrtParams: Field {
    fn legendre_exp() -> Option<&'static [u64; 10]>;
    fn sqrt_exp() -> Option<&'static [u64; 10]>;
}
impl SqrtParams for Fp {
    fn legendre_exp() -> Option<&'static [u64; 10]> {
        Some(&FP_LEGENDRE_EXP)
    }
    fn sqrt_exp() -> Option<&'static [u64; 10]> {
        Some(&FP_SQRT_EXP)
    }
}
impl SqrtParams for Fr {
    fn legendre_exp() -> Option<&'static [u64; 10]> {
        None
    }
    fn sqrt_exp() -> Option<&'static [u64; 10]> {
        None
    }
}
fn legendre_is_square<F: SqrtParams>(a: &F) -> bool {
    match F::legendre_exp() {
        Some(e) => a.is_zero() || a.pow(e) == F::one(),
        None => false,
    }
}
/// p = 3 mod 4, so sqrt(a) = a^((p+1)/4) when a is a square.
fn sqrt_3mod4<F: SqrtParams>(a: &F) -> Option<F> {
    let e = F::sqrt_exp()?;
    let s = a.pow(e);
    if s.sqr() == *a {
        Some(s)
    } else {
        None
    }
}

impl Fr {
    /// Canonical 73-byte big-endian scalar limbs (for scalar multiplication).
    pub fn to_scalar(&self) -> [u64; 10] {
        self.to_limbs()
    }
}
