//! The extension tower, following MIRACL's BLS48-581 construction (QNRI = 0, POSITOWER):
//!   Fp2 = Fp[i]/(i^2 + 1)
//!   Fp4 = Fp2[j]/(j^2 + (1 + i))
//!   Fp8 = Fp4[k]/(k^2 + j)
//! which fixes the G2 byte encoding. For the pairing we continue with our own tower over the twist
//! non-residue xi = -k (the D-type twist is y^2 = x^3 + 1/xi):
//!   Fp16 = Fp8[s]/(s^2 - xi),  Fp48 = Fp16[z]/(z^3 - s),  so z^6 = xi.
use crate::field::Field;
use crate::mont::Fp;
use core::marker::PhantomData;
use std::sync::OnceLock;

/// Multiplication by the defining non-residue of an extension, plus its Frobenius constant.
pub trait NonResidue<B: Field>: Copy + Clone + PartialEq + Eq + core::fmt::Debug + 'static {
    fn mul_nr(b: &B) -> B;
    /// u^(p-1) for the adjoined root u (an element of the base field).
    fn frob_coeff() -> &'static B;
    /// The extension's product; levels with a lazily reduced product (`wide`) override it.
    #[inline]
    fn quad_mul(a: &Quad<B, Self>, b: &Quad<B, Self>) -> Quad<B, Self> {
        // Karatsuba: 3 base multiplications.
        let t0 = a.c0.mul(&b.c0);
        let t1 = a.c1.mul(&b.c1);
        let s = a.c0.add(&a.c1).mul(&b.c0.add(&b.c1));
        Quad::new(t0.add(&Self::mul_nr(&t1)), s.sub(&t0).sub(&t1))
    }
    #[inline]
    fn quad_sqr(a: &Quad<B, Self>) -> Quad<B, Self> {
        // (a + bu)^2 = a^2 + nr b^2 + 2ab u, with a^2 + nr b^2 = (a+b)(a+nr b) - ab - nr ab.
        let ab = a.c0.mul(&a.c1);
        let nb = Self::mul_nr(&a.c1);
        let t = a.c0.add(&a.c1).mul(&a.c0.add(&nb));
        Quad::new(t.sub(&ab).sub(&Self::mul_nr(&ab)), ab.dbl())
    }
}

#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct Quad<B: Field, N: NonResidue<B>> {
    pub c0: B,
    pub c1: B,
    _n: PhantomData<N>,
}

impl<B: Field, N: NonResidue<B>> Quad<B, N> {
    #[inline]
    pub fn new(c0: B, c1: B) -> Self {
        Quad { c0, c1, _n: PhantomData }
    }
    #[inline]
    pub fn conj(&self) -> Self {
        Self::new(self.c0, self.c1.neg())
    }
    /// Multiply by an element of the base field.
    #[inline]
    pub fn mul_base(&self, s: &B) -> Self {
        Self::new(self.c0.mul(s), self.c1.mul(s))
    }
    /// Multiply by the adjoined root u: (c0 + c1 u) u = nr*c1 + c0 u.
    #[inline]
    pub fn mul_u(&self) -> Self {
        Self::new(N::mul_nr(&self.c1), self.c0)
    }
}

impl<B: Field, N: NonResidue<B>> Field for Quad<B, N> {
    const BYTES: usize = 2 * B::BYTES;
    #[inline]
    fn zero() -> Self {
        Self::new(B::zero(), B::zero())
    }
    #[inline]
    fn one() -> Self {
        Self::new(B::one(), B::zero())
    }
    #[inline]
    fn is_zero(&self) -> bool {
        self.c0.is_zero() && self.c1.is_zero()
    }
    #[inline]
    fn add(&self, o: &Self) -> Self {
        Self::new(self.c0.add(&o.c0), self.c1.add(&o.c1))
    }
    #[inline]
    fn sub(&self, o: &Self) -> Self {
        Self::new(self.c0.sub(&o.c0), self.c1.sub(&o.c1))
    }
    #[inline]
    fn neg(&self) -> Self {
        Self::new(self.c0.neg(), self.c1.neg())
    }
    #[inline]
    fn mul(&self, o: &Self) -> Self {
        N::quad_mul(self, o)
    }
    #[inline]
    fn sqr(&self) -> Self {
        N::quad_sqr(self)
    }
    fn inv(&self) -> Self {
        let norm = self.c0.sqr().sub(&N::mul_nr(&self.c1.sqr()));
        let ni = norm.inv();
        Self::new(self.c0.mul(&ni), self.c1.mul(&ni).neg())
    }
    fn inv_vartime(&self) -> Self {
        let norm = self.c0.sqr().sub(&N::mul_nr(&self.c1.sqr()));
        let ni = norm.inv_vartime();
        Self::new(self.c0.mul(&ni), self.c1.mul(&ni).neg())
    }
    fn half(&self) -> Self {
        Self::new(self.c0.half(), self.c1.half())
    }
    fn frob(&self) -> Self {
        Self::new(self.c0.frob(), self.c1.frob().mul(N::frob_coeff()))
    }
    fn is_square(&self) -> bool {
        // a is a square in B[u] iff its norm is a square in B.
        self.c0.sqr().sub(&N::mul_nr(&self.c1.sqr())).is_square()
    }
    fn sqrt(&self) -> Option<Self> {
        if self.is_zero() {
            return Some(*self);
        }
        let cand = if self.c1.is_zero() {
            if let Some(r) = self.c0.sqrt() {
                Self::new(r, B::zero())
            } else {
                // (c u)^2 = c^2 nr, so c = sqrt(c0 / nr).
                let nr = N::mul_nr(&B::one());
                Self::new(B::zero(), self.c0.mul(&nr.inv_vartime()).sqrt()?)
            }
        } else {
            let norm = self.c0.sqr().sub(&N::mul_nr(&self.c1.sqr()));
            let s = norm.sqrt()?;
            let x0 = match self.c0.add(&s).half().sqrt() {
                Some(r) => r,
                None => self.c0.sub(&s).half().sqrt()?,
            };
            let x1 = self.c1.mul(&x0.dbl().inv_vartime());
            Self::new(x0, x1)
        };
        if cand.sqr() == *self {
            Some(cand)
        } else {
            None
        }
    }
    fn sgn0(&self) -> bool {
        if self.c0.is_zero() {
            self.c1.sgn0()
        } else {
            self.c0.sgn0()
        }
    }
    fn write_bytes(&self, out: &mut [u8]) {
        self.c1.write_bytes(&mut out[..B::BYTES]);
        self.c0.write_bytes(&mut out[B::BYTES..2 * B::BYTES]);
    }
    fn read_bytes(b: &[u8]) -> Option<Self> {
        if b.len() != Self::BYTES {
            return None;
        }
        let c1 = B::read_bytes(&b[..B::BYTES])?;
        let c0 = B::read_bytes(&b[B::BYTES..])?;
        Some(Self::new(c0, c1))
    }
}

#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct Cubic<B: Field, N: NonResidue<B>> {
    pub c0: B,
    pub c1: B,
    pub c2: B,
    _n: PhantomData<N>,
}

impl<B: Field, N: NonResidue<B>> Cubic<B, N> {
    #[inline]
    pub fn new(c0: B, c1: B, c2: B) -> Self {
        Cubic { c0, c1, c2, _n: PhantomData }
    }
    /// Multiply by the adjoined root v: (c0 + c1 v + c2 v^2) v = nr c2 + c0 v + c1 v^2.
    #[inline]
    pub fn mul_v(&self) -> Self {
        Self::new(N::mul_nr(&self.c2), self.c0, self.c1)
    }
    #[inline]
    pub fn mul_base(&self, s: &B) -> Self {
        Self::new(self.c0.mul(s), self.c1.mul(s), self.c2.mul(s))
    }
}

impl<B: Field, N: NonResidue<B>> Field for Cubic<B, N> {
    const BYTES: usize = 3 * B::BYTES;
    #[inline]
    fn zero() -> Self {
        Self::new(B::zero(), B::zero(), B::zero())
    }
    #[inline]
    fn one() -> Self {
        Self::new(B::one(), B::zero(), B::zero())
    }
    #[inline]
    fn is_zero(&self) -> bool {
        self.c0.is_zero() && self.c1.is_zero() && self.c2.is_zero()
    }
    #[inline]
    fn add(&self, o: &Self) -> Self {
        Self::new(self.c0.add(&o.c0), self.c1.add(&o.c1), self.c2.add(&o.c2))
    }
    #[inline]
    fn sub(&self, o: &Self) -> Self {
        Self::new(self.c0.sub(&o.c0), self.c1.sub(&o.c1), self.c2.sub(&o.c2))
    }
    #[inline]
    fn neg(&self) -> Self {
        Self::new(self.c0.neg(), self.c1.neg(), self.c2.neg())
    }
    #[inline]
    fn mul(&self, o: &Self) -> Self {
        // Karatsuba-style interpolation: 6 base multiplications.
        let (a0, a1, a2) = (&self.c0, &self.c1, &self.c2);
        let (b0, b1, b2) = (&o.c0, &o.c1, &o.c2);
        let v0 = a0.mul(b0);
        let v1 = a1.mul(b1);
        let v2 = a2.mul(b2);
        let t12 = a1.add(a2).mul(&b1.add(b2)).sub(&v1).sub(&v2); // a1b2 + a2b1
        let t01 = a0.add(a1).mul(&b0.add(b1)).sub(&v0).sub(&v1); // a0b1 + a1b0
        let t02 = a0.add(a2).mul(&b0.add(b2)).sub(&v0).sub(&v2); // a0b2 + a2b0
        Self::new(v0.add(&N::mul_nr(&t12)), t01.add(&N::mul_nr(&v2)), t02.add(&v1))
    }
    #[inline]
    fn sqr(&self) -> Self {
        // Chung-Hasan SQR2.
        let (a0, a1, a2) = (&self.c0, &self.c1, &self.c2);
        let s0 = a0.sqr();
        let s1 = a0.mul(a1).dbl();
        let s2 = a0.sub(a1).add(a2).sqr();
        let s3 = a1.mul(a2).dbl();
        let s4 = a2.sqr();
        Self::new(
            s0.add(&N::mul_nr(&s3)),
            s1.add(&N::mul_nr(&s4)),
            s1.add(&s2).add(&s3).sub(&s0).sub(&s4),
        )
    }
    fn inv(&self) -> Self {
        let (a0, a1, a2) = (&self.c0, &self.c1, &self.c2);
        let t0 = a0.sqr().sub(&N::mul_nr(&a1.mul(a2)));
        let t1 = N::mul_nr(&a2.sqr()).sub(&a0.mul(a1));
        let t2 = a1.sqr().sub(&a0.mul(a2));
        let d = a0.mul(&t0).add(&N::mul_nr(&a2.mul(&t1).add(&a1.mul(&t2))));
        let di = d.inv();
        Self::new(t0.mul(&di), t1.mul(&di), t2.mul(&di))
    }
    fn half(&self) -> Self {
        Self::new(self.c0.half(), self.c1.half(), self.c2.half())
    }
    fn frob(&self) -> Self {
        let g = N::frob_coeff();
        let g2 = g.sqr();
        Self::new(self.c0.frob(), self.c1.frob().mul(g), self.c2.frob().mul(&g2))
    }
    fn is_square(&self) -> bool {
        unimplemented_square()
    }
    fn sqrt(&self) -> Option<Self> {
        None
    }
    fn sgn0(&self) -> bool {
        if !self.c0.is_zero() {
            self.c0.sgn0()
        } else if !self.c1.is_zero() {
            self.c1.sgn0()
        } else {
            self.c2.sgn0()
        }
    }
    fn write_bytes(&self, out: &mut [u8]) {
        self.c2.write_bytes(&mut out[..B::BYTES]);
        self.c1.write_bytes(&mut out[B::BYTES..2 * B::BYTES]);
        self.c0.write_bytes(&mut out[2 * B::BYTES..3 * B::BYTES]);
    }
    fn read_bytes(b: &[u8]) -> Option<Self> {
        if b.len() != Self::BYTES {
            return None;
        }
        Some(Self::new(
            B::read_bytes(&b[2 * B::BYTES..])?,
            B::read_bytes(&b[B::BYTES..2 * B::BYTES])?,
            B::read_bytes(&b[..B::BYTES])?,
        ))
    }
}

// Square roots are only needed up to Fp8 (G2 decompression).
fn unimplemented_square() -> bool {
    false
}

macro_rules! nonresidue {
    ($marker:ident, $base:ty, |$b:ident| $body:expr, $exp:expr $(, mul = $mulf:path, sqr = $sqrf:path)?) => {
        #[derive(Copy, Clone, PartialEq, Eq, Debug)]
        pub struct $marker;
        impl NonResidue<$base> for $marker {
            #[inline]
            fn mul_nr($b: &$base) -> $base {
                $body
            }
            fn frob_coeff() -> &'static $base {
                static C: OnceLock<$base> = OnceLock::new();
                C.get_or_init(|| <$marker as NonResidue<$base>>::mul_nr(&<$base>::one()).pow(&$exp))
            }
            $(
                #[inline]
                fn quad_mul(a: &Quad<$base, Self>, b: &Quad<$base, Self>) -> Quad<$base, Self> {
                    $mulf(a, b)
                }
                #[inline]
                fn quad_sqr(a: &Quad<$base, Self>) -> Quad<$base, Self> {
                    $sqrf(a)
                }
            )?
        }
    };
}

use crate::params::{FP_LEGENDRE_EXP, FP_PM1_DIV3};

// i^2 = -1
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct NrFp2;
impl NonResidue<Fp> for NrFp2 {
    #[inline(always)]
    fn mul_nr(b: &Fp) -> Fp {
        b.neg()
    }
    fn frob_coeff() -> &'static Fp {
        static C: OnceLock<Fp> = OnceLock::new();
        C.get_or_init(|| Fp::one().neg().pow(&FP_LEGENDRE_EXP))
    }
    #[inline]
    fn quad_mul(a: &Fp2, b: &Fp2) -> Fp2 {
        crate::wide::fp2_mul(a, b)
    }
}
pub type Fp2 = Quad<Fp, NrFp2>;
// j^2 = -(1 + i): -(a + b i)(1 + i) = (b - a) - (a + b) i
nonresidue!(NrFp4, Fp2, |b| Fp2::new(b.c1.sub(&b.c0), b.c0.add(&b.c1).neg()), FP_LEGENDRE_EXP, mul = crate::wide::fp4_mul, sqr = fp4_sqr_default);
pub type Fp4 = Quad<Fp2, NrFp4>;
/// Fp4 squaring keeps the complex method (two Fp2 products, themselves lazily reduced).
fn fp4_sqr_default(a: &Fp4) -> Fp4 {
    let ab = a.c0.mul(&a.c1);
    let nb = NrFp4::mul_nr(&a.c1);
    let t = a.c0.add(&a.c1).mul(&a.c0.add(&nb));
    Fp4::new(t.sub(&ab).sub(&NrFp4::mul_nr(&ab)), ab.dbl())
}
// k^2 = -j
nonresidue!(NrFp8, Fp4, |b| b.mul_u().neg(), FP_LEGENDRE_EXP, mul = crate::wide::fp8_mul, sqr = crate::wide::fp8_sqr);
pub type Fp8 = Quad<Fp4, NrFp8>;
// s^2 = xi = -k
nonresidue!(NrFp16, Fp8, |b| b.mul_u().neg(), FP_LEGENDRE_EXP, mul = crate::wide::fp16_mul, sqr = crate::wide::fp16_sqr);
pub type Fp16 = Quad<Fp8, NrFp16>;
// z^3 = s, so z^6 = xi
nonresidue!(NrFp48, Fp16, |b| b.mul_u(), FP_PM1_DIV3);
pub type Fp48 = Cubic<Fp16, NrFp48>;

impl Fp48 {
    /// The p^24-power Frobenius (z -> -z, s -> -s): the inverse of a unitary element.
    #[inline]
    pub fn conj24(&self) -> Self {
        Self::new(self.c0.conj(), self.c1.conj().neg(), self.c2.conj())
    }
    /// Granger-Scott squaring, valid in the cyclotomic subgroup (order dividing p^16 - p^8 + 1):
    /// (a + b z + c z^2)^2 = (3a^2 - 2 conj a) + (3 s c^2 + 2 conj b) z + (3 b^2 - 2 conj c) z^2.
    #[inline]
    pub fn cyclotomic_sqr(&self) -> Self {
        let three = |x: &Fp16| x.dbl().add(x);
        let a2 = self.c0.sqr();
        let b2 = self.c1.sqr();
        let c2 = self.c2.sqr();
        Self::new(
            three(&a2).sub(&self.c0.conj().dbl()),
            three(&c2.mul_u()).add(&self.c1.conj().dbl()),
            three(&b2).sub(&self.c2.conj().dbl()),
        )
    }
}

/// The D-type twist non-residue xi = -k in Fp8.
pub fn xi() -> Fp8 {
    Fp8::new(Fp4::zero(), Fp4::one().neg())
}
