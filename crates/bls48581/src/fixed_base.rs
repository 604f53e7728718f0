//! Fixed-base scalar multiplication for points known in advance (the KZG Lagrange basis G1FFT64 used
//! by the vector commitment trie): per point, the multiples m * 2^(5j) * P for m = 1..16 over every
//! 5-bit window j, stored affine. A 518-bit scalar recoded into signed 5-bit digits then costs one
//! mixed addition per non-zero window and no doubling, several times cheaper than the 4-bit
//! double-and-add of `msm` for the few points an incremental commitment update touches.
use crate::field::Field;
use crate::groups::G1;
use crate::mont::Fp;

const W: usize = 5;
const HALF: usize = 1 << (W - 1);
/// ceil(519 / 5): enough windows for any scalar below 2^518 plus the recoding carry.
const WINDOWS: usize = 104;

pub struct FixedBase {
    /// entries[j * HALF + m - 1] = m * 2^(W j) * P (affine).
    entries: Vec<(Fp, Fp)>,
}

/// Jacobian points to affine with one inversion (Montgomery's trick); none may be the identity.
fn batch_affine(points: &[G1]) -> Vec<(Fp, Fp)> {
    let mut prefix = Vec::with_capacity(points.len());
    let mut acc = Fp::one();
    for p in points {
        prefix.push(acc);
        acc = acc.mul(&p.z);
    }
    let mut inv = acc.inv_vartime();
    let mut out = vec![(Fp::zero(), Fp::zero()); points.len()];
    for i in (0..points.len()).rev() {
        let zi = inv.mul(&prefix[i]);
        inv = inv.mul(&points[i].z);
        let zi2 = zi.sqr();
        out[i] = (points[i].x.mul(&zi2), points[i].y.mul(&zi2).mul(&zi));
    }
    out
}

impl FixedBase {
    /// Tables for a non-identity point of prime order (every multiple used is then non-identity).
    pub fn new(p: &G1) -> FixedBase {
        assert!(!p.is_identity(), "fixed-base tables need a non-identity point");
        let mut jac = Vec::with_capacity(WINDOWS * HALF);
        let mut base = *p;
        for _ in 0..WINDOWS {
            let mut acc = base;
            for m in 1..=HALF {
                jac.push(acc);
                if m < HALF {
                    acc = acc.add(&base);
                }
            }
            for _ in 0..W {
                base = base.dbl();
            }
        }
        FixedBase { entries: batch_affine(&jac) }
    }

    /// acc + k * P for a little-endian limb scalar k < 2^518.
    pub fn mul_add(&self, acc: &G1, k: &[u64; 10]) -> G1 {
        let mut r = *acc;
        let mut carry = 0u64;
        for j in 0..WINDOWS {
            let bit = j * W;
            let (limb, off) = (bit / 64, bit % 64);
            let mut bits = k[limb] >> off;
            if off + W > 64 && limb + 1 < k.len() {
                bits |= k[limb + 1] << (64 - off);
            }
            let mut digit = (bits & ((1 << W) - 1)) as i64 + carry as i64;
            carry = 0;
            if digit > HALF as i64 {
                digit -= 1 << W;
                carry = 1;
            }
            if digit != 0 {
                let (x, y) = &self.entries[j * HALF + digit.unsigned_abs() as usize - 1];
                r = if digit > 0 { r.add_affine(x, y) } else { r.add_affine(x, &y.neg()) };
            }
        }
        debug_assert_eq!(carry, 0, "scalar above 2^518");
        r
    }
}
