//! Short-Weierstrass points y^2 = x^3 + b (a = 0) in Jacobian coordinates, generic over the field:
//! G1 lives over Fp (b = 1), G2 over Fp8 on the D-type twist (b = 1/xi).
use crate::field::Field;

pub trait CurveParams<F: Field>: Copy + Clone + PartialEq + Eq + core::fmt::Debug + 'static {
    fn b() -> F;
}

#[derive(Copy, Clone, Debug)]
pub struct Point<F: Field, C: CurveParams<F>> {
    pub x: F,
    pub y: F,
    pub z: F,
    _c: core::marker::PhantomData<C>,
}

impl<F: Field, C: CurveParams<F>> Point<F, C> {
    pub fn identity() -> Self {
        Point { x: F::zero(), y: F::one(), z: F::zero(), _c: core::marker::PhantomData }
    }
    pub fn from_affine(x: F, y: F) -> Self {
        Point { x, y, z: F::one(), _c: core::marker::PhantomData }
    }
    pub fn is_identity(&self) -> bool {
        self.z.is_zero()
    }
    pub fn is_on_curve_affine(x: &F, y: &F) -> bool {
        y.sqr() == x.sqr().mul(x).add(&C::b())
    }
    /// (x, y) affine, or None for the identity.
    pub fn to_affine(&self) -> Option<(F, F)> {
        if self.is_identity() {
            return None;
        }
        let zi = self.z.inv();
        let zi2 = zi.sqr();
        Some((self.x.mul(&zi2), self.y.mul(&zi2).mul(&zi)))
    }
    /// Like `to_affine` with a variable-time inversion: only for public points.
    pub fn to_affine_vartime(&self) -> Option<(F, F)> {
        if self.is_identity() {
            return None;
        }
        let zi = self.z.inv_vartime();
        let zi2 = zi.sqr();
        Some((self.x.mul(&zi2), self.y.mul(&zi2).mul(&zi)))
    }
    pub fn neg(&self) -> Self {
        Point { x: self.x, y: self.y.neg(), z: self.z, _c: core::marker::PhantomData }
    }
    /// self + (x2, y2) for an affine, non-identity (x2, y2) (madd-2007-bl: 7M + 4S instead of 11M + 5S).
    pub fn add_affine(&self, x2: &F, y2: &F) -> Self {
        if self.is_identity() {
            return Self::from_affine(*x2, *y2);
        }
        let z1z1 = self.z.sqr();
        let u2 = x2.mul(&z1z1);
        let s2 = y2.mul(&self.z).mul(&z1z1);
        let h = u2.sub(&self.x);
        let rr = s2.sub(&self.y);
        if h.is_zero() {
            return if rr.is_zero() { self.dbl() } else { Self::identity() };
        }
        let hh = h.sqr();
        let i = hh.dbl().dbl();
        let j = h.mul(&i);
        let r = rr.dbl();
        let v = self.x.mul(&i);
        let x3 = r.sqr().sub(&j).sub(&v.dbl());
        let y3 = r.mul(&v.sub(&x3)).sub(&self.y.mul(&j).dbl());
        let z3 = self.z.add(&h).sqr().sub(&z1z1).sub(&hh);
        Point { x: x3, y: y3, z: z3, _c: core::marker::PhantomData }
    }
    pub fn dbl(&self) -> Self {
        if self.is_identity() {
            return *self;
        }
        // dbl-2009-l (a = 0)
        let a = self.x.sqr();
        let b = self.y.sqr();
        let c = b.sqr();
        let d = self.x.add(&b).sqr().sub(&a).sub(&c).dbl();
        let e = a.dbl().add(&a);
        let f = e.sqr();
        let x3 = f.sub(&d.dbl());
        let c8 = c.dbl().dbl().dbl();
        let y3 = e.mul(&d.sub(&x3)).sub(&c8);
        let z3 = self.y.mul(&self.z).dbl();
        Point { x: x3, y: y3, z: z3, _c: core::marker::PhantomData }
    }
    pub fn add(&self, o: &Self) -> Self {
        if self.is_identity() {
            return *o;
        }
        if o.is_identity() {
            return *self;
        }
        // add-2007-bl
        let z1z1 = self.z.sqr();
        let z2z2 = o.z.sqr();
        let u1 = self.x.mul(&z2z2);
        let u2 = o.x.mul(&z1z1);
        let s1 = self.y.mul(&o.z).mul(&z2z2);
        let s2 = o.y.mul(&self.z).mul(&z1z1);
        let h = u2.sub(&u1);
        let rr = s2.sub(&s1);
        if h.is_zero() {
            return if rr.is_zero() { self.dbl() } else { Self::identity() };
        }
        let i = h.dbl().sqr();
        let j = h.mul(&i);
        let r = rr.dbl();
        let v = u1.mul(&i);
        let x3 = r.sqr().sub(&j).sub(&v.dbl());
        let y3 = r.mul(&v.sub(&x3)).sub(&s1.mul(&j).dbl());
        let z3 = self.z.add(&o.z).sqr().sub(&z1z1).sub(&z2z2).mul(&h);
        Point { x: x3, y: y3, z: z3, _c: core::marker::PhantomData }
    }
    pub fn equals(&self, o: &Self) -> bool {
        match (self.is_identity(), o.is_identity()) {
            (true, true) => return true,
            (true, false) | (false, true) => return false,
            _ => {}
        }
        let z1z1 = self.z.sqr();
        let z2z2 = o.z.sqr();
        self.x.mul(&z2z2) == o.x.mul(&z1z1) && self.y.mul(&o.z).mul(&z2z2) == o.y.mul(&self.z).mul(&z1z1)
    }
    /// Scalar multiplication by a small public scalar (plain double-and-add).
    pub fn mul_u64(&self, k: u64) -> Self {
        let mut r = Self::identity();
        for bit in (0..64 - k.leading_zeros()).rev() {
            r = r.dbl();
            if (k >> bit) & 1 == 1 {
                r = r.add(self);
            }
        }
        r
    }
    /// Scalar multiplication by a little-endian limb integer (4-bit fixed window).
    pub fn mul_limbs(&self, k: &[u64]) -> Self {
        let mut table = [Self::identity(); 16];
        for i in 1..16 {
            table[i] = table[i - 1].add(self);
        }
        let mut r = Self::identity();
        let nibbles = k.len() * 16;
        let mut started = false;
        for i in (0..nibbles).rev() {
            let nib = ((k[i / 16] >> ((i % 16) * 4)) & 0xf) as usize;
            if started {
                r = r.dbl().dbl().dbl().dbl();
            }
            if nib != 0 {
                r = r.add(&table[nib]);
                started = true;
            }
        }
        r
    }
    /// MIRACL compressed encoding: 0x02 | sign(y), then x.
    pub fn to_compressed(&self, out: &mut [u8]) {
        Self::compress_affine(self.to_affine(), out)
    }
    /// MIRACL compressed encoding of an affine point (None = the identity).
    pub fn compress_affine(affine: Option<(F, F)>, out: &mut [u8]) {
        match affine {
            None => {
                // MIRACL writes the identity as an all-zero x with flag 0; we mirror that shape.
                for b in out.iter_mut() {
                    *b = 0;
                }
            }
            Some((x, y)) => {
                out[0] = if y.sgn0() { 0x03 } else { 0x02 };
                x.write_bytes(&mut out[1..1 + F::BYTES]);
            }
        }
    }
    /// Decodes a compressed point (flag 0x02/0x03). Rejects bad lengths, flags, x >= p,
    /// and x with no point on the curve. Does not check subgroup membership.
    pub fn from_compressed(b: &[u8]) -> Option<Self> {
        if b.len() != 1 + F::BYTES {
            return None;
        }
        let want_odd = match b[0] {
            0x02 => false,
            0x03 => true,
            _ => return None,
        };
        let x = F::read_bytes(&b[1..])?;
        let y2 = x.sqr().mul(&x).add(&C::b());
        let mut y = y2.sqrt()?;
        if y.sgn0() != want_odd {
            y = y.neg();
        }
        if y.sgn0() != want_odd {
            return None; // y == 0 cannot carry the odd flag
        }
        Some(Self::from_affine(x, y))
    }
}
