//! Karabina's compressed squaring in the cyclotomic subgroup of Fp48, for a^|x| in the final
//! exponentiation (17 of them, 32 squarings each: most of a signature check's time).
//!
//! With Fp48 = Fp16[z]/(z^3 - s), Fp16 = Fp8[s]/(s^2 - xi) and an element
//! g = (g0 + g1 s) + (g2 + g3 s) z + (g4 + g5 s) z^2, the square's g2..g5 depend on g2..g5 alone
//! (Aranha, Karabina, Longa, Gebotys, Lopez 2011, section 5.1; here derived from the Granger-Scott
//! formula in `tower`):
//!   h2 = 2 (g2 + 3 xi g4 g5),           h3 = 3 (g4^2 + xi g5^2) - 2 g3,
//!   h4 = 3 (g2^2 + xi g3^2) - 2 g4,      h5 = 2 (g5 + 3 g2 g3),
//! 4 Fp8 products instead of 3 Fp16 squarings. g0, g1 come back from g2..g5 when g2 != 0 (one
//! inversion, shared by the powers decompressed together):
//!   g1 = (xi g5^2 + 3 g4^2 - 2 g3) / (4 g2),  g0 = xi (2 g1^2 + g2 g5 - 3 g3 g4) + 1.
//! Decompressed values are the same field elements the uncompressed squarings give. A zero g2
//! (negligible for pairing values) sends the caller back to uncompressed squarings.
use crate::field::Field;
use crate::tower::{Fp16, Fp48, Fp8, NonResidue, NrFp16};

type Compressed = [Fp8; 4];

#[inline]
fn xi_mul(a: &Fp8) -> Fp8 {
    NrFp16::mul_nr(a)
}

#[inline]
fn triple(a: &Fp8) -> Fp8 {
    a.dbl().add(a)
}

fn compress(a: &Fp48) -> Compressed {
    [a.c1.c0, a.c1.c1, a.c2.c0, a.c2.c1]
}

/// The compressed square of a compressed cyclotomic element.
fn csqr(g: &Compressed) -> Compressed {
    let [g2, g3, g4, g5] = g;
    let b45 = g4.mul(g5);
    let b23 = g2.mul(g3);
    // g4^2 + xi g5^2 = (g4 + g5)(g4 + xi g5) - (1 + xi) g4 g5, and likewise for g2, g3.
    let s45 = g4.add(g5).mul(&g4.add(&xi_mul(g5))).sub(&b45).sub(&xi_mul(&b45));
    let s23 = g2.add(g3).mul(&g2.add(&xi_mul(g3))).sub(&b23).sub(&xi_mul(&b23));
    [
        g2.add(&triple(&xi_mul(&b45))).dbl(),
        triple(&s45).sub(&g3.dbl()),
        triple(&s23).sub(&g4.dbl()),
        g5.add(&triple(&b23)).dbl(),
    ]
}

/// Decompresses several compressed elements with one shared inversion; None when a g2 is zero,
/// for the caller to take the uncompressed path.
fn decompress(gs: &[Compressed]) -> Option<Vec<Fp48>> {
    // Numerators and denominators of g1.
    let mut num = Vec::with_capacity(gs.len());
    let mut den = Vec::with_capacity(gs.len());
    for [g2, g3, g4, g5] in gs {
        if g2.is_zero() {
            return None;
        }
        num.push(xi_mul(&g5.sqr()).add(&triple(&g4.sqr())).sub(&g3.dbl()));
        den.push(g2.dbl().dbl());
    }
    // Montgomery's trick: one inversion for all denominators.
    let mut prefix = Vec::with_capacity(den.len());
    let mut acc = Fp8::one();
    for d in &den {
        prefix.push(acc);
        acc = acc.mul(d);
    }
    let mut inv = acc.inv_vartime();
    let mut g1s = vec![Fp8::zero(); den.len()];
    for i in (0..den.len()).rev() {
        g1s[i] = num[i].mul(&inv.mul(&prefix[i]));
        inv = inv.mul(&den[i]);
    }
    Some(
        gs.iter()
            .zip(g1s)
            .map(|([g2, g3, g4, g5], g1)| {
                let t = g1.sqr().dbl().add(&g2.mul(g5)).sub(&triple(&g3.mul(g4)));
                let g0 = xi_mul(&t).add(&Fp8::one());
                Fp48::new(Fp16::new(g0, g1), Fp16::new(*g2, *g3), Fp16::new(*g4, *g5))
            })
            .collect(),
    )
}

/// a^|x| for |x| = 2^32 + 2^30 + 2^10 - 2^7 + 1 and a in the cyclotomic subgroup: one chain of 32
/// compressed squarings, the four needed powers decompressed together, four multiplications.
/// None in the (negligible) case a decompression denominator vanishes.
pub fn pow_x_abs(a: &Fp48) -> Option<Fp48> {
    let mut g = compress(a);
    let mut saved: Vec<Compressed> = Vec::with_capacity(4);
    for i in 1..=32 {
        g = csqr(&g);
        if matches!(i, 7 | 10 | 30 | 32) {
            saved.push(g);
        }
    }
    let p = decompress(&saved)?; // a^(2^7), a^(2^10), a^(2^30), a^(2^32)
    Some(p[3].mul(&p[2]).mul(&p[1]).mul(&p[0].conj24()).mul(a))
}
