//! Lazy reduction for the Fp2/Fp4/Fp8 products: each base-field product is kept as an unreduced
//! 1280-bit integer, Karatsuba combines those with plain additions, and each output coefficient is
//! Montgomery-reduced once. An Fp8 product then costs 27 10x10-limb products and 8 reductions
//! instead of 27 full Montgomery multiplications (a reduction costs about as much as a product).
//!
//! Combinations subtract, so wide values are two's complement modulo 2^1280. Inputs to products are
//! non-negative sums of reduced coefficients (< 16p), so every wide value here has magnitude below
//! 2^20 p^2; before reducing we add BIAS = 2^30 p^2 (a multiple of p), which makes it non-negative
//! and below p * 2^640, so REDC returns a value below 2p and one subtraction makes it canonical:
//! exactly the element (and representative) the Montgomery multiplication chain would produce.
use crate::mont::Fp;
use crate::params::FP_MODULUS;
use crate::tower::{Fp16, Fp2, Fp4, Fp8};

pub type Limbs = [u64; 10];

#[derive(Copy, Clone)]
pub struct Wide(pub [u64; 20]);

impl Wide {
    /// self += o (mod 2^1280), one carry chain.
    #[inline(always)]
    pub fn add_assign(&mut self, o: &Wide) {
        #[cfg(target_arch = "x86_64")]
        {
            let mut c = 0u8;
            for i in 0..20 {
                #[allow(unused_unsafe)]
                {
                    c = unsafe { core::arch::x86_64::_addcarry_u64(c, self.0[i], o.0[i], &mut self.0[i]) };
                }
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let mut c = 0u64;
            for i in 0..20 {
                let v = self.0[i] as u128 + o.0[i] as u128 + c as u128;
                self.0[i] = v as u64;
                c = (v >> 64) as u64;
            }
        }
    }
    /// self -= o (mod 2^1280), one borrow chain.
    #[inline(always)]
    pub fn sub_assign(&mut self, o: &Wide) {
        #[cfg(target_arch = "x86_64")]
        {
            let mut b = 0u8;
            for i in 0..20 {
                #[allow(unused_unsafe)]
                {
                    b = unsafe { core::arch::x86_64::_subborrow_u64(b, self.0[i], o.0[i], &mut self.0[i]) };
                }
            }
        }
        #[cfg(not(target_arch = "x86_64"))]
        {
            let mut b = false;
            for i in 0..20 {
                let (d1, b1) = self.0[i].overflowing_sub(o.0[i]);
                let (d2, b2) = d1.overflowing_sub(b as u64);
                self.0[i] = d2;
                b = b1 | b2;
            }
        }
    }
}

/// a + b without reduction (both below 2^639, as every input here is).
#[inline(always)]
pub fn add_raw(a: &Limbs, b: &Limbs) -> Limbs {
    let mut r = [0u64; 10];
    let mut c = 0u64;
    for i in 0..10 {
        let v = a[i] as u128 + b[i] as u128 + c as u128;
        r[i] = v as u64;
        c = (v >> 64) as u64;
    }
    r
}

/// out = the full 20-limb product.
#[inline(always)]
pub fn mul_wide_into(a: &Limbs, b: &Limbs, out: &mut Wide) {
    crate::kernels::mul_wide(a, b, &mut out.0)
}

/// The full 20-limb product.
pub fn mul_wide(a: &Limbs, b: &Limbs) -> Wide {
    let mut w = Wide([0; 20]);
    mul_wide_into(a, b, &mut w);
    w
}

/// Montgomery reduction of a wide value with |t| < 2^30 p^2: t / 2^640 mod p, canonical.
#[inline(always)]
pub fn redc(t: &Wide) -> Fp {
    let r = crate::kernels::redc_biased(&t.0);
    let m = &FP_MODULUS;
    let mut s = [0u64; 10];
    let mut borrow = false;
    for i in 0..10 {
        let (d1, b1) = r[i].overflowing_sub(m[i]);
        let (d2, b2) = d1.overflowing_sub(borrow as u64);
        s[i] = d2;
        borrow = b1 | b2;
    }
    Fp(if borrow { r } else { s })
}

/// Raw (unreduced, non-negative) coefficients of the lower tower levels, little-endian.
pub type R2 = [Limbs; 2];
pub type R4 = [Limbs; 4];
pub type R8 = [Limbs; 8];

#[inline(always)]
fn add_r<const N: usize>(a: &[Limbs; N], b: &[Limbs; N]) -> [Limbs; N] {
    let mut r = [[0u64; 10]; N];
    for i in 0..N {
        r[i] = add_raw(&a[i], &b[i]);
    }
    r
}

#[inline(always)]
fn split<const N: usize, const H: usize>(a: &[Limbs; N]) -> ([Limbs; H], [Limbs; H]) {
    let mut lo = [[0u64; 10]; H];
    let mut hi = [[0u64; 10]; H];
    lo.copy_from_slice(&a[..H]);
    hi.copy_from_slice(&a[H..]);
    (lo, hi)
}

/// out[..2] = a b in Fp2 = Fp[i]/(i^2 + 1), Karatsuba: c0 = t0 - t1, c1 = s - t0 - t1.
#[inline(always)]
fn mul2(a: &R2, b: &R2, out: &mut [Wide]) {
    let mut t1 = Wide([0; 20]);
    mul_wide_into(&a[1], &b[1], &mut t1);
    let (lo, hi) = out.split_at_mut(1);
    mul_wide_into(&a[0], &b[0], &mut lo[0]);
    mul_wide_into(&add_raw(&a[0], &a[1]), &add_raw(&b[0], &b[1]), &mut hi[0]);
    hi[0].sub_assign(&lo[0]);
    hi[0].sub_assign(&t1);
    lo[0].sub_assign(&t1);
}

/// out[..4] = a b in Fp4 = Fp2[j]/(j^2 + 1 + i). With t0 = a0 b0, t1 = a1 b1:
/// c0 = t0 + j^2 t1 = (t0[0] + t1[1] - t1[0], t0[1] - t1[0] - t1[1]), c1 = s - t0 - t1.
#[inline(always)]
fn mul4(a: &R4, b: &R4, out: &mut [Wide]) {
    let (a0, a1) = split::<4, 2>(a);
    let (b0, b1) = split::<4, 2>(b);
    let mut t1 = [Wide([0; 20]); 2];
    mul2(&a1, &b1, &mut t1);
    mul2(&add_r(&a0, &a1), &add_r(&b0, &b1), &mut out[2..4]);
    let (lo, hi) = out.split_at_mut(2);
    mul2(&a0, &b0, lo);
    for i in 0..2 {
        hi[i].sub_assign(&lo[i]);
        hi[i].sub_assign(&t1[i]);
    }
    lo[0].add_assign(&t1[1]);
    lo[0].sub_assign(&t1[0]);
    lo[1].sub_assign(&t1[0]);
    lo[1].sub_assign(&t1[1]);
}

/// lo += k^2 t for t in Fp4 (k^2 = -j): -j t = (t2 - t3, t2 + t3, -t0, -t1).
#[inline(always)]
fn add_nr8(lo: &mut [Wide], t: &[Wide]) {
    lo[0].add_assign(&t[2]);
    lo[0].sub_assign(&t[3]);
    lo[1].add_assign(&t[2]);
    lo[1].add_assign(&t[3]);
    lo[2].sub_assign(&t[0]);
    lo[3].sub_assign(&t[1]);
}

/// out[..8] = a b in Fp8 = Fp4[k]/(k^2 + j): 27 products.
#[inline(never)]
fn mul8(a: &R8, b: &R8, out: &mut [Wide]) {
    let (a0, a1) = split::<8, 4>(a);
    let (b0, b1) = split::<8, 4>(b);
    let mut t1 = [Wide([0; 20]); 4];
    mul4(&a1, &b1, &mut t1);
    mul4(&add_r(&a0, &a1), &add_r(&b0, &b1), &mut out[4..8]);
    let (lo, hi) = out.split_at_mut(4);
    mul4(&a0, &b0, lo);
    for i in 0..4 {
        hi[i].sub_assign(&lo[i]);
        hi[i].sub_assign(&t1[i]);
    }
    add_nr8(lo, &t1);
}

/// lo += s^2 t for t in Fp8 (s^2 = -k): -k t = (t7 - t6, -t6 - t7, t4, t5, -t0, -t1, -t2, -t3).
#[inline(always)]
fn add_nr16(lo: &mut [Wide], t: &[Wide]) {
    lo[0].add_assign(&t[7]);
    lo[0].sub_assign(&t[6]);
    lo[1].sub_assign(&t[6]);
    lo[1].sub_assign(&t[7]);
    lo[2].add_assign(&t[4]);
    lo[3].add_assign(&t[5]);
    for i in 0..4 {
        lo[4 + i].sub_assign(&t[i]);
    }
}

#[inline(always)]
pub fn fp2_raw(a: &Fp2) -> R2 {
    [a.c0.0, a.c1.0]
}
#[inline(always)]
pub fn fp4_raw(a: &Fp4) -> R4 {
    [a.c0.c0.0, a.c0.c1.0, a.c1.c0.0, a.c1.c1.0]
}
#[inline(always)]
pub fn fp8_raw(a: &Fp8) -> R8 {
    let (l, h) = (fp4_raw(&a.c0), fp4_raw(&a.c1));
    [l[0], l[1], l[2], l[3], h[0], h[1], h[2], h[3]]
}

#[inline(always)]
fn fp2_redc(w: &[Wide]) -> Fp2 {
    Fp2::new(redc(&w[0]), redc(&w[1]))
}
#[inline(always)]
fn fp4_redc(w: &[Wide]) -> Fp4 {
    Fp4::new(fp2_redc(&w[0..2]), fp2_redc(&w[2..4]))
}
#[inline(always)]
fn fp8_redc(w: &[Wide]) -> Fp8 {
    Fp8::new(fp4_redc(&w[0..4]), fp4_redc(&w[4..8]))
}

pub fn fp2_mul(a: &Fp2, b: &Fp2) -> Fp2 {
    let mut w = [Wide([0; 20]); 2];
    mul2(&fp2_raw(a), &fp2_raw(b), &mut w);
    fp2_redc(&w)
}
pub fn fp4_mul(a: &Fp4, b: &Fp4) -> Fp4 {
    let mut w = [Wide([0; 20]); 4];
    mul4(&fp4_raw(a), &fp4_raw(b), &mut w);
    fp4_redc(&w)
}
pub fn fp8_mul(a: &Fp8, b: &Fp8) -> Fp8 {
    let mut w = [Wide([0; 20]); 8];
    mul8(&fp8_raw(a), &fp8_raw(b), &mut w);
    fp8_redc(&w)
}

/// Fp8 squaring (a0 + a1 k)^2 = (a0 + a1)(a0 + k^2 a1) - a0a1 - k^2 a0a1 + 2 a0a1 k, the products
/// lazily reduced (k^2 a1 is formed on reduced coefficients, so product inputs stay non-negative).
pub fn fp8_sqr(a: &Fp8) -> Fp8 {
    use crate::field::Field;
    let nb = a.c1.mul_u().neg(); // k^2 = -j
    let a0 = fp4_raw(&a.c0);
    let a1 = fp4_raw(&a.c1);
    let mut ab = [Wide([0; 20]); 4];
    mul4(&a0, &a1, &mut ab);
    let mut t = [Wide([0; 20]); 4];
    mul4(&add_r(&a0, &a1), &add_r(&a0, &fp4_raw(&nb)), &mut t);
    // c0 = t - ab - k^2 ab; k^2 ab = (ab2 - ab3, ab2 + ab3, -ab0, -ab1).
    for i in 0..4 {
        t[i].sub_assign(&ab[i]);
    }
    t[0].sub_assign(&ab[2]);
    t[0].add_assign(&ab[3]);
    t[1].sub_assign(&ab[2]);
    t[1].sub_assign(&ab[3]);
    t[2].add_assign(&ab[0]);
    t[3].add_assign(&ab[1]);
    for w in ab.iter_mut() {
        let c = *w;
        w.add_assign(&c);
    }
    Fp8::new(fp4_redc(&t), fp4_redc(&ab))
}

/// Fp16 product with one reduction per output coefficient (81 products, 16 reductions).
pub fn fp16_mul(a: &Fp16, b: &Fp16) -> Fp16 {
    let (a0, a1) = (fp8_raw(&a.c0), fp8_raw(&a.c1));
    let (b0, b1) = (fp8_raw(&b.c0), fp8_raw(&b.c1));
    let mut w = [Wide([0; 20]); 16];
    let mut t1 = [Wide([0; 20]); 8];
    mul8(&a1, &b1, &mut t1);
    mul8(&add_r(&a0, &a1), &add_r(&b0, &b1), &mut w[8..16]);
    let (lo, hi) = w.split_at_mut(8);
    mul8(&a0, &b0, lo);
    for i in 0..8 {
        hi[i].sub_assign(&lo[i]);
        hi[i].sub_assign(&t1[i]);
    }
    add_nr16(lo, &t1);
    Fp16::new(fp8_redc(&w[0..8]), fp8_redc(&w[8..16]))
}

/// Fp16 squaring, complex method with lazily reduced Fp8 products.
pub fn fp16_sqr(a: &Fp16) -> Fp16 {
    use crate::field::Field;
    let nb = a.c1.mul_u().neg(); // s^2 = -k
    let a0 = fp8_raw(&a.c0);
    let a1 = fp8_raw(&a.c1);
    let mut ab = [Wide([0; 20]); 8];
    mul8(&a0, &a1, &mut ab);
    let mut t = [Wide([0; 20]); 8];
    mul8(&add_r(&a0, &a1), &add_r(&a0, &fp8_raw(&nb)), &mut t);
    // c0 = t - ab - s^2 ab; s^2 ab = (ab7 - ab6, -ab6 - ab7, ab4, ab5, -ab0, -ab1, -ab2, -ab3).
    for i in 0..8 {
        t[i].sub_assign(&ab[i]);
    }
    t[0].sub_assign(&ab[7]);
    t[0].add_assign(&ab[6]);
    t[1].add_assign(&ab[6]);
    t[1].add_assign(&ab[7]);
    t[2].sub_assign(&ab[4]);
    t[3].sub_assign(&ab[5]);
    for i in 0..4 {
        t[4 + i].add_assign(&ab[i]);
    }
    for w in ab.iter_mut() {
        let c = *w;
        w.add_assign(&c);
    }
    Fp16::new(fp8_redc(&t), fp8_redc(&ab))
}
