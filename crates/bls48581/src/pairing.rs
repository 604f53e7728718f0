//! Optimal-ate multi-pairing on BLS48-581 and the final exponentiation.
//!
//! The Miller loop runs over |x| = 0x140000381 with affine twist points (one batched inversion per
//! step across all pairs). The sign of x only inverts every pairing value, so product-equals-one
//! checks are unaffected. With P = (xP, yP) in G1 and T = (xT, yT) on E'(Fp8), untwisted by
//! (x z^2, y z^3) where z^3 = s, the line is
//!   l(P) = yP - lambda xP z + (lambda xT - yT) z^3
//! i.e. c0 = yP + (lambda xT - yT) s, c1 = -lambda xP, c2 = 0 in Fp48 = Fp16[z]/(z^3 - s).
use crate::field::Field;
use crate::groups::{G1, G2, X_ABS};
use crate::mont::Fp;
use crate::tower::{Fp16, Fp2, Fp4, Fp48, Fp8};

/// Fp8 element times an Fp scalar.
#[inline]
fn fp8_scale(a: &Fp8, s: &Fp) -> Fp8 {
    let f2 = |x: &Fp2| Fp2::new(x.c0.mul(s), x.c1.mul(s));
    let f4 = |x: &Fp4| Fp4::new(f2(&x.c0), f2(&x.c1));
    Fp8::new(f4(&a.c0), f4(&a.c1))
}

/// a * (y + l s) for a in Fp16, y in Fp, l in Fp8 (s^2 = xi).
#[inline]
fn fp16_mul_line0(a: &Fp16, y: &Fp, l: &Fp8) -> Fp16 {
    let xi_a1l = Fp16::new(Fp8::zero(), a.c1.mul(l)).mul_u().c0;
    Fp16::new(fp8_scale(&a.c0, y).add(&xi_a1l), fp8_scale(&a.c1, y).add(&a.c0.mul(l)))
}

#[inline]
fn fp16_mul_fp8(a: &Fp16, m: &Fp8) -> Fp16 {
    Fp16::new(a.c0.mul(m), a.c1.mul(m))
}

/// f * line with line = (yP + l s) + m z.
#[inline]
fn mul_by_line(f: &Fp48, y_p: &Fp, l: &Fp8, m: &Fp8) -> Fp48 {
    let al0 = fp16_mul_line0(&f.c0, y_p, l);
    let bl0 = fp16_mul_line0(&f.c1, y_p, l);
    let cl0 = fp16_mul_line0(&f.c2, y_p, l);
    let am = fp16_mul_fp8(&f.c0, m);
    let bm = fp16_mul_fp8(&f.c1, m);
    let cm = fp16_mul_fp8(&f.c2, m);
    Fp48::new(al0.add(&cm.mul_u()), am.add(&bl0), bm.add(&cl0))
}

/// Inverts every element with one field inversion (Montgomery's trick).
fn batch_invert(v: &mut [Fp8]) {
    let mut prefix = Vec::with_capacity(v.len());
    let mut acc = Fp8::one();
    for x in v.iter() {
        prefix.push(acc);
        acc = acc.mul(x);
    }
    let mut inv = acc.inv_vartime();
    for i in (0..v.len()).rev() {
        let xi = v[i];
        v[i] = inv.mul(&prefix[i]);
        inv = inv.mul(&xi);
    }
}

struct PairState {
    xp: Fp,
    yp: Fp,
    xq: Fp8,
    yq: Fp8,
    xt: Fp8,
    yt: Fp8,
}

/// Product of Miller loops f_{|x|,Q_i}(P_i). Pairs with an identity point contribute 1.
pub fn multi_miller(pairs: &[(G1, G2)]) -> Fp48 {
    let mut st: Vec<PairState> = Vec::with_capacity(pairs.len());
    for (p, q) in pairs {
        if let (Some((xp, yp)), Some((xq, yq))) = (p.to_affine_vartime(), q.to_affine_vartime()) {
            st.push(PairState { xp, yp, xq, yq, xt: xq, yt: yq });
        }
    }
    let mut f = Fp48::one();
    if st.is_empty() {
        return f;
    }
    let mut den = vec![Fp8::zero(); st.len()];
    let top = 63 - X_ABS.leading_zeros() as usize;
    for bit in (0..top).rev() {
        f = f.sqr();
        for (d, s) in den.iter_mut().zip(st.iter()) {
            *d = s.yt.dbl();
        }
        batch_invert(&mut den);
        for (d, s) in den.iter().zip(st.iter_mut()) {
            let x2 = s.xt.sqr();
            let lambda = x2.dbl().add(&x2).mul(d);
            let m = fp8_scale(&lambda, &s.xp).neg();
            let l = lambda.mul(&s.xt).sub(&s.yt);
            f = mul_by_line(&f, &s.yp, &l, &m);
            let x3 = lambda.sqr().sub(&s.xt.dbl());
            let y3 = lambda.mul(&s.xt.sub(&x3)).sub(&s.yt);
            s.xt = x3;
            s.yt = y3;
        }
        if (X_ABS >> bit) & 1 == 1 {
            for (d, s) in den.iter_mut().zip(st.iter()) {
                *d = s.xq.sub(&s.xt);
            }
            batch_invert(&mut den);
            for (d, s) in den.iter().zip(st.iter_mut()) {
                let lambda = s.yq.sub(&s.yt).mul(d);
                let m = fp8_scale(&lambda, &s.xp).neg();
                let l = lambda.mul(&s.xt).sub(&s.yt);
                f = mul_by_line(&f, &s.yp, &l, &m);
                let x3 = lambda.sqr().sub(&s.xt).sub(&s.xq);
                let y3 = lambda.mul(&s.xt.sub(&x3)).sub(&s.yt);
                s.xt = x3;
                s.yt = y3;
            }
        }
    }
    f
}

fn frob_n(a: &Fp48, n: usize) -> Fp48 {
    let mut r = *a;
    for _ in 0..n {
        r = r.frob();
    }
    r
}

/// |x| = 2^32 + 2^30 + 2^10 - 2^7 + 1 in signed binary (one multiplication fewer than binary).
const X_NAF: [(u32, bool); 4] = [(30, true), (10, true), (7, false), (0, true)];

/// a^x for x = -|x|, in the cyclotomic subgroup (cheap squarings; the inverse is conj24).
fn exp_x(a: &Fp48) -> Fp48 {
    let a_inv = a.conj24();
    let mut r = *a;
    for bit in (0..32u32).rev() {
        r = r.cyclotomic_sqr();
        if let Some(&(_, positive)) = X_NAF.iter().find(|(b, _)| *b == bit) {
            r = r.mul(if positive { a } else { &a_inv });
        }
    }
    r.conj24()
}

/// f^((p^48 - 1)/r), with the hard part as 3 (p^16 - p^8 + 1)/r =
/// (x-1)^2 (x+p)(x^2+p^2)(x^4+p^4)(x^8+p^8-1) + 3 (a power of the reduced pairing; fine for
/// identity tests since gcd(3, r) = 1).
pub fn final_exp(f: &Fp48) -> Fp48 {
    let t = f.conj24().mul(&f.inv()); // ^(p^24 - 1)
    let t = frob_n(&t, 8).mul(&t); // ^(p^8 + 1)
    let a = exp_x(&t).mul(&t.conj24()); // ^(x - 1)
    let a = exp_x(&a).mul(&a.conj24()); // ^((x - 1)^2)
    let b = exp_x(&a).mul(&a.frob()); // ^(x + p)
    let c = exp_x(&exp_x(&b)).mul(&frob_n(&b, 2)); // ^(x^2 + p^2)
    let mut d = c;
    for _ in 0..4 {
        d = exp_x(&d);
    }
    let d = d.mul(&frob_n(&c, 4)); // ^(x^4 + p^4)
    let mut e = d;
    for _ in 0..8 {
        e = exp_x(&e);
    }
    let e = e.mul(&frob_n(&d, 8)).mul(&d.conj24()); // ^(x^8 + p^8 - 1)
    e.mul(&t.cyclotomic_sqr().mul(&t))
}

/// The reduced pairing value (up to a fixed power coprime to r).
pub fn pairing(p: &G1, q: &G2) -> Fp48 {
    final_exp(&multi_miller(&[(*p, *q)]))
}

/// True when the product of pairings is one.
pub fn pairing_product_is_one(pairs: &[(G1, G2)]) -> bool {
    final_exp(&multi_miller(pairs)) == Fp48::one()
}
