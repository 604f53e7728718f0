//! Multi-scalar multiplication on G1 (interleaved 4-bit windows with shared doublings).
use crate::groups::G1;

/// sum_i k_i P_i for little-endian limb scalars.
pub fn msm(points: &[G1], scalars: &[[u64; 10]]) -> G1 {
    assert_eq!(points.len(), scalars.len());
    let mut tables: Vec<[G1; 16]> = Vec::with_capacity(points.len());
    let mut active = Vec::with_capacity(points.len());
    let mut top = 0usize;
    for (i, (p, k)) in points.iter().zip(scalars.iter()).enumerate() {
        let bits = k.iter().enumerate().rev().find(|(_, &w)| w != 0).map(|(j, &w)| 64 * j + 64 - w.leading_zeros() as usize);
        if let Some(b) = bits {
            if p.is_identity() {
                continue;
            }
            let mut t = [G1::identity(); 16];
            t[1] = *p;
            for j in 2..16 {
                t[j] = if j % 2 == 0 { t[j / 2].dbl() } else { t[j - 1].add(p) };
            }
            tables.push(t);
            active.push(i);
            top = top.max(b);
        }
    }
    let nibbles = top.div_ceil(4);
    let mut acc = G1::identity();
    for n in (0..nibbles).rev() {
        if !acc.is_identity() {
            acc = acc.dbl().dbl().dbl().dbl();
        }
        for (t, &i) in tables.iter().zip(active.iter()) {
            let nib = ((scalars[i][n / 16] >> ((n % 16) * 4)) & 0xf) as usize;
            if nib != 0 {
                acc = acc.add(&t[nib]);
            }
        }
    }
    acc
}
