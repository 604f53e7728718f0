//! The 10x10-limb product and the Montgomery reduction behind `wide`, in the shape of `mont_mul`:
//! one row per limb over ten named accumulators (kept in registers), written out so the result does
//! not depend on the optimiser's unrolling heuristics.
use crate::params::{FP_MODULUS, FP_N0};

/// BIAS = 2^30 p^2 (see `wide`), added to a wide value before reducing it; a test recomputes it.
pub const BIAS: [u64; 20] = [0xf30fef4e40000000, 0x29282bd3bc71b442, 0xf585e3324e9ee19a, 0x1d1056d7733687f9, 0xcdf4b62b830e1563, 0x8cb6e59a92db9b9e, 0xda75d8bc48c24b01, 0x3349ed471d0cc4a6, 0x70c9a501d350eb08, 0x9f6ef5b7015c9ac4, 0xdebb8b61e5fee14b, 0x0e854bbd1bb3b3e7, 0xb4fd2ed315812bb2, 0x8fb47486fac8064e, 0xb9f95421bd858ba5, 0x4c7d3946f574f3fb, 0x15915526bf4d8393, 0x729fe681ee9a9677, 0x0000005598ef4b3d, 0x0000000000000000];

#[inline(always)]
fn mac(t: u64, a: u64, b: u64, c: u64) -> (u64, u64) {
    let v = t as u128 + (a as u128) * (b as u128) + c as u128;
    (v as u64, (v >> 64) as u64)
}

/// out = the full 20-limb product of two 10-limb integers (written in place: no copy of the result).
#[inline(never)]
pub fn mul_wide(a: &[u64; 10], b: &[u64; 10], out: &mut [u64; 20]) {
    let [b0, b1, b2, b3, b4, b5, b6, b7, b8, b9] = *b;
    let (mut t0, mut t1, mut t2, mut t3, mut t4, mut t5, mut t6, mut t7, mut t8, mut t9) = (0u64, 0u64, 0u64, 0u64, 0u64, 0u64, 0u64, 0u64, 0u64, 0u64);
    for (i, &ai) in a.iter().enumerate() {
        let (lo, c) = mac(t0, ai, b0, 0);
        out[i] = lo;
        let (x, c) = mac(t1, ai, b1, c);
        t0 = x;
        let (x, c) = mac(t2, ai, b2, c);
        t1 = x;
        let (x, c) = mac(t3, ai, b3, c);
        t2 = x;
        let (x, c) = mac(t4, ai, b4, c);
        t3 = x;
        let (x, c) = mac(t5, ai, b5, c);
        t4 = x;
        let (x, c) = mac(t6, ai, b6, c);
        t5 = x;
        let (x, c) = mac(t7, ai, b7, c);
        t6 = x;
        let (x, c) = mac(t8, ai, b8, c);
        t7 = x;
        let (x, c) = mac(t9, ai, b9, c);
        t8 = x;
        t9 = c;
    }
    out[10..20].copy_from_slice(&[t0, t1, t2, t3, t4, t5, t6, t7, t8, t9]);
}

/// (t + BIAS) / 2^640 mod p for a two's-complement t with |t| < 2^30 p^2, as a value below 2p.
#[inline(never)]
pub fn redc_biased(t: &[u64; 20]) -> [u64; 10] {
    let mut s = [0u64; 20];
    let mut c = 0u64;
    for i in 0..20 {
        let v = t[i] as u128 + BIAS[i] as u128 + c as u128;
        s[i] = v as u64;
        c = (v >> 64) as u64;
    }
    let [m0, m1, m2, m3, m4, m5, m6, m7, m8, m9] = FP_MODULUS;
    let [mut t0, mut t1, mut t2, mut t3, mut t4, mut t5, mut t6, mut t7, mut t8, mut t9] = [s[0], s[1], s[2], s[3], s[4], s[5], s[6], s[7], s[8], s[9]];
    // Carry out of the window's top limb (the value stays below 2^1280, so it is absorbed later).
    let mut extra = 0u64;
    for i in 0..10 {
        let k = t0.wrapping_mul(FP_N0);
        let (_, c) = mac(t0, k, m0, 0);
        let (x, c) = mac(t1, k, m1, c);
        t0 = x;
        let (x, c) = mac(t2, k, m2, c);
        t1 = x;
        let (x, c) = mac(t3, k, m3, c);
        t2 = x;
        let (x, c) = mac(t4, k, m4, c);
        t3 = x;
        let (x, c) = mac(t5, k, m5, c);
        t4 = x;
        let (x, c) = mac(t6, k, m6, c);
        t5 = x;
        let (x, c) = mac(t7, k, m7, c);
        t6 = x;
        let (x, c) = mac(t8, k, m8, c);
        t7 = x;
        let (x, c) = mac(t9, k, m9, c);
        t8 = x;
        let v = s[i + 10] as u128 + c as u128 + extra as u128;
        t9 = v as u64;
        extra = (v >> 64) as u64;
    }
    debug_assert_eq!(extra, 0);
    [t0, t1, t2, t3, t4, t5, t6, t7, t8, t9]
}
