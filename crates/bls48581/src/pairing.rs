//! Optimal-ate multi-pairing on BLS48-581 and the final exponentiation.
//!
//! The Miller loop runs over |x| = 0x140000381 with affine twist points (one batched inversion per
//! step across all pairs), its line coefficients computed ahead (`G2Lines`, cacheable per point).
//! The sign of x only inverts every pairing value, so product-equals-one checks are unaffected. With P = (xP, yP) in G1 and T = (xT, yT) on E'(Fp8), untwisted by
//! (x z^2, y z^3) where z^3 = s, the line is
//!   l(P) = yP - lambda xP z + (lambda xT - yT) z^3
//! i.e. c0 = yP + (lambda xT - yT) s, c1 = -lambda xP, c2 = 0 in Fp48 = Fp16[z]/(z^3 - s).
use crate::field::Field;
use crate::groups::{G1, G2, X_ABS};
use crate::mont::Fp;
use crate::tower::{Fp16, Fp2, Fp4, Fp48, Fp8};
use std::sync::OnceLock;

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

/// The Miller loop's line coefficients for one G2 point Q, in loop order: (lambda, lambda xT - yT)
/// for each doubling and each addition step. They depend on Q alone, so a point paired again and
/// again (the G2 generator, committee public keys) skips the twist arithmetic and its inversions.
/// Evaluating them performs exactly the operations the interleaved loop did, so every pairing
/// value is unchanged. Empty for the identity (the pair then contributes 1).
pub struct G2Lines {
    steps: Vec<(Fp8, Fp8)>,
}

impl G2Lines {
    pub fn new(q: &G2) -> G2Lines {
        let mut v = G2Lines::batch(&[*q]);
        v.pop().unwrap_or(G2Lines { steps: Vec::new() })
    }

    /// Lines of several points, sharing one inversion per loop step.
    pub fn batch(qs: &[G2]) -> Vec<G2Lines> {
        struct Walk {
            xq: Fp8,
            yq: Fp8,
            xt: Fp8,
            yt: Fp8,
            out: usize,
        }
        let mut lines: Vec<G2Lines> = qs.iter().map(|_| G2Lines { steps: Vec::new() }).collect();
        let mut st: Vec<Walk> = Vec::with_capacity(qs.len());
        for (i, q) in qs.iter().enumerate() {
            if let Some((xq, yq)) = q.to_affine_vartime() {
                st.push(Walk { xq, yq, xt: xq, yt: yq, out: i });
                lines[i].steps.reserve(LOOP_STEPS);
            }
        }
        if st.is_empty() {
            return lines;
        }
        let mut den = vec![Fp8::zero(); st.len()];
        for bit in (0..loop_top()).rev() {
            for (d, s) in den.iter_mut().zip(st.iter()) {
                *d = s.yt.dbl();
            }
            batch_invert(&mut den);
            for (d, s) in den.iter().zip(st.iter_mut()) {
                let x2 = s.xt.sqr();
                let lambda = x2.dbl().add(&x2).mul(d);
                let l = lambda.mul(&s.xt).sub(&s.yt);
                lines[s.out].steps.push((lambda, l));
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
                    let l = lambda.mul(&s.xt).sub(&s.yt);
                    lines[s.out].steps.push((lambda, l));
                    let x3 = lambda.sqr().sub(&s.xt).sub(&s.xq);
                    let y3 = lambda.mul(&s.xt.sub(&x3)).sub(&s.yt);
                    s.xt = x3;
                    s.yt = y3;
                }
            }
        }
        lines
    }

    pub fn is_identity(&self) -> bool {
        self.steps.is_empty()
    }
}

/// Doubling steps (bits below the top one of |x|) plus addition steps (set bits among them).
const LOOP_STEPS: usize = 32 + 5;

fn loop_top() -> usize {
    63 - X_ABS.leading_zeros() as usize
}

/// The lines of the G2 generator (the fixed point of every signature check).
pub fn generator_lines() -> &'static G2Lines {
    static L: OnceLock<G2Lines> = OnceLock::new();
    L.get_or_init(|| G2Lines::new(&crate::groups::g2_generator()))
}

/// Product of Miller loops f_{|x|,Q_i}(P_i) from precomputed lines. Pairs with an identity point
/// contribute 1.
pub fn multi_miller_lines(pairs: &[(G1, &G2Lines)]) -> Fp48 {
    let mut ps: Vec<(Fp, Fp, &G2Lines)> = Vec::with_capacity(pairs.len());
    for (p, lines) in pairs {
        if let (Some((xp, yp)), false) = (p.to_affine_vartime(), lines.is_identity()) {
            ps.push((xp, yp, lines));
        }
    }
    let mut f = Fp48::one();
    if ps.is_empty() {
        return f;
    }
    let mut k = 0;
    for bit in (0..loop_top()).rev() {
        f = f.sqr();
        for (xp, yp, lines) in &ps {
            let (lambda, l) = &lines.steps[k];
            f = mul_by_line(&f, yp, l, &fp8_scale(lambda, xp).neg());
        }
        k += 1;
        if (X_ABS >> bit) & 1 == 1 {
            for (xp, yp, lines) in &ps {
                let (lambda, l) = &lines.steps[k];
                f = mul_by_line(&f, yp, l, &fp8_scale(lambda, xp).neg());
            }
            k += 1;
        }
    }
    f
}

/// Product of Miller loops f_{|x|,Q_i}(P_i). Pairs with an identity point contribute 1.
pub fn multi_miller(pairs: &[(G1, G2)]) -> Fp48 {
    let live: Vec<&(G1, G2)> = pairs.iter().filter(|(p, q)| !p.is_identity() && !q.is_identity()).collect();
    let lines = G2Lines::batch(&live.iter().map(|(_, q)| *q).collect::<Vec<G2>>());
    let with_lines: Vec<(G1, &G2Lines)> = live.iter().zip(lines.iter()).map(|((p, _), l)| (*p, l)).collect();
    multi_miller_lines(&with_lines)
}

pub(crate) fn frob_n(a: &Fp48, n: usize) -> Fp48 {
    let mut r = *a;
    for _ in 0..n {
        r = r.frob();
    }
    r
}

/// The six Fp8 coefficients of an Fp48 element over 1, z, ..., z^5 (s = z^3): c0.c0, c1.c0, c2.c0,
/// c0.c1, c1.c1, c2.c1.
fn coeffs(a: &Fp48) -> [Fp8; 6] {
    [a.c0.c0, a.c1.c0, a.c2.c0, a.c0.c1, a.c1.c1, a.c2.c1]
}
fn from_coeffs(c: &[Fp8; 6]) -> Fp48 {
    Fp48::new(Fp16::new(c[0], c[3]), Fp16::new(c[1], c[4]), Fp16::new(c[2], c[5]))
}

/// The p^n-power Frobenius in one pass: (c z^e)^(p^n) = c^(p^n) gamma z^e with
/// gamma = xi^(e (p^n - 1)/6) in Fp8 (z^6 = xi, p = 1 mod 6), read off the n-fold `frob` of z^e
/// once. On Fp8 coefficients the map has order 8, so n = 8 costs five Fp8 multiplications instead
/// of eight full Fp48 Frobenius maps. For n <= 8.
pub fn frob_pow(a: &Fp48, n: usize) -> Fp48 {
    static GAMMA: OnceLock<Vec<[Fp8; 6]>> = OnceLock::new();
    let gamma = GAMMA.get_or_init(|| {
        (0..=8)
            .map(|n| {
                let mut g = [Fp8::one(); 6];
                for (e, ge) in g.iter_mut().enumerate() {
                    let mut basis = [Fp8::zero(); 6];
                    basis[e] = Fp8::one();
                    *ge = coeffs(&frob_n(&from_coeffs(&basis), n))[e];
                }
                g
            })
            .collect()
    });
    let g = &gamma[n];
    let mut c = coeffs(a);
    for (e, ce) in c.iter_mut().enumerate() {
        for _ in 0..n % 8 {
            *ce = ce.frob();
        }
        if e > 0 {
            *ce = ce.mul(&g[e]);
        }
    }
    from_coeffs(&c)
}

/// |x| = 2^32 + 2^30 + 2^10 - 2^7 + 1 in signed binary (one multiplication fewer than binary).
const X_NAF: [(u32, bool); 4] = [(30, true), (10, true), (7, false), (0, true)];

/// a^x for x = -|x|, in the cyclotomic subgroup: compressed squarings (`karabina`), or
/// Granger-Scott squarings if a decompression would divide by zero.
pub(crate) fn exp_x(a: &Fp48) -> Fp48 {
    match crate::karabina::pow_x_abs(a) {
        Some(r) => r.conj24(),
        None => exp_x_gs(a),
    }
}

/// a^x with Granger-Scott squarings (cheap squarings; the inverse is conj24).
pub(crate) fn exp_x_gs(a: &Fp48) -> Fp48 {
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
    let t = frob_pow(&t, 8).mul(&t); // ^(p^8 + 1)
    let a = exp_x(&t).mul(&t.conj24()); // ^(x - 1)
    let a = exp_x(&a).mul(&a.conj24()); // ^((x - 1)^2)
    let b = exp_x(&a).mul(&frob_pow(&a, 1)); // ^(x + p)
    let c = exp_x(&exp_x(&b)).mul(&frob_pow(&b, 2)); // ^(x^2 + p^2)
    let mut d = c;
    for _ in 0..4 {
        d = exp_x(&d);
    }
    let d = d.mul(&frob_pow(&c, 4)); // ^(x^4 + p^4)
    let mut e = d;
    for _ in 0..8 {
        e = exp_x(&e);
    }
    let e = e.mul(&frob_pow(&d, 8)).mul(&d.conj24()); // ^(x^8 + p^8 - 1)
    e.mul(&t.cyclotomic_sqr().mul(&t))
}

/// The reduced pairing value (up to a fixed power coprime to r).
pub fn pairing(p: &G1, q: &G2) -> Fp48 {
    final_exp(&multi_miller(&[(*p, *q)]))
}

/// True when the product of pairings (from precomputed lines) is one.
pub fn lines_product_is_one(pairs: &[(G1, &G2Lines)]) -> bool {
    final_exp(&multi_miller_lines(pairs)) == Fp48::one()
}

/// True when the product of pairings is one.
pub fn pairing_product_is_one(pairs: &[(G1, G2)]) -> bool {
    final_exp(&multi_miller(pairs)) == Fp48::one()
}
