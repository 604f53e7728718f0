//! Winograd's inner product (1968), for the constant-matrix × vector products of the permutation:
//!   Σ_j a_j·x_j = Σ_j (a_2j + x_2j+1)·(a_2j+1 + x_2j) − Σ_j a_2j·a_2j+1 − Σ_j x_2j·x_2j+1
//! (an odd last term taken directly). The row term Σ a_2j·a_2j+1 is a constant, the vector term
//! Σ x_2j·x_2j+1 is shared by every row multiplied with the same vector, so a row of n costs about
//! n/2 products instead of n. Computed on the Montgomery representatives as plain integers (sums not
//! reduced, products not reduced), the identity holds exactly over the integers, so the subtraction
//! never goes below zero and one Montgomery reduction at the end gives the field result.
use crate::field::{sum_products, wide_add, wide_sub, Fr, Wide};

/// Σ_j v_2j·v_2j+1 over the first P pairs of `v`, as a plain integer.
#[inline(always)]
pub fn pair_sum<const P: usize>(v: &[Fr]) -> Wide {
    let x: [[u64; 4]; P] = std::array::from_fn(|j| v[2 * j].0);
    let y: [[u64; 4]; P] = std::array::from_fn(|j| v[2 * j + 1].0);
    sum_products(&x, &y)
}

/// The factors (a_2j + x_2j+1, a_2j+1 + x_2j) of the first P pairs, into x_out/y_out[..P].
#[inline(always)]
pub fn pair_factors<const P: usize, const N: usize>(
    a: &[Fr],
    x: &[Fr],
    x_out: &mut [[u64; 4]; N],
    y_out: &mut [[u64; 4]; N],
) {
    for j in 0..P {
        x_out[j] = a[2 * j].add_raw(x[2 * j + 1]);
        y_out[j] = a[2 * j + 1].add_raw(x[2 * j]);
    }
}

/// Σ_{j<17} a_j·x_j for a row of 17 (8 pairs and the last term direct), given the row's pair_sum
/// and the vector's, reduced.
#[inline(always)]
pub fn dot17(a: &[Fr; 17], x: &[Fr; 17], a_pairs: &Wide, x_pairs: &Wide) -> Fr {
    let mut f = [[0u64; 4]; 9];
    let mut g = [[0u64; 4]; 9];
    pair_factors::<8, 9>(a, x, &mut f, &mut g);
    f[8] = a[16].0;
    g[8] = x[16].0;
    Fr::from_wide(wide_sub(sum_products(&f, &g), &wide_add(*a_pairs, x_pairs)))
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::constants::{MDS, MODULUS};

    #[test]
    fn matches_plain_dot_products() {
        let mut seed = 0x1234_5678_9abc_def1u64;
        let mut next = || {
            seed ^= seed << 13;
            seed ^= seed >> 7;
            seed ^= seed << 17;
            seed
        };
        let max = Fr([MODULUS[0] - 1, MODULUS[1], MODULUS[2], MODULUS[3]]);
        for round in 0..100 {
            let x: Vec<Fr> = (0..17)
                .map(|_| {
                    if round == 0 {
                        max
                    } else {
                        Fr::from_canonical([next(), next(), next(), next() % MODULUS[3]])
                    }
                })
                .collect();
            let a: [Fr; 17] = if round == 0 { [max; 17] } else { MDS[round % 17] };
            let x: [Fr; 17] = x.try_into().unwrap();
            let want = a.iter().zip(&x).fold(Fr::ZERO, |s, (p, q)| s + *p * *q);
            let got = dot17(&a, &x, &pair_sum::<8>(&a), &pair_sum::<8>(&x));
            assert_eq!(got, want, "round {round}");
        }
    }
}
