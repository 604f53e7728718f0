//! Fermat test to base 2 (2^(n−1) ≡ 1 mod n), a cheaper filter in front of GMP's
//! `mpz_probab_prime_p` in the discriminant search. Every number GMP's BPSW accepts passes it (a
//! strong base-2 probable prime is a base-2 Fermat probable prime), so the filter never changes
//! which candidate is the first to pass GMP's test; it only spares GMP's own Fermat step (base 210)
//! on the composites. Base 2 makes each multiply of the square-and-multiply ladder a doubling, so
//! the cost is one Montgomery squaring per exponent bit (GMP's `powm` adds ~15% window multiplies).
//! Written on GMP's public mpn layer (`mpn_sqr` and `mpn_addmul_1` are its assembly kernels).
use crate::gmp::Mpz;

#[link(name = "gmp")]
extern "C" {
    fn __gmpn_sqr(rp: *mut u64, ap: *const u64, n: isize);
    fn __gmpn_addmul_1(rp: *mut u64, up: *const u64, n: isize, v: u64) -> u64;
    fn __gmpn_add_n(rp: *mut u64, up: *const u64, vp: *const u64, n: isize) -> u64;
    fn __gmpn_sub_n(rp: *mut u64, up: *const u64, vp: *const u64, n: isize) -> u64;
    fn __gmpn_lshift(rp: *mut u64, up: *const u64, n: isize, cnt: u32) -> u64;
    fn __gmpn_cmp(up: *const u64, vp: *const u64, n: isize) -> i32;
}

/// −m⁻¹ mod 2^64 for odd m (Newton's iteration; each step doubles the number of correct bits).
fn neg_inverse(m: u64) -> u64 {
    let mut inv = m; // correct to 3 bits for odd m
    for _ in 0..5 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(m.wrapping_mul(inv)));
    }
    inv.wrapping_neg()
}

/// Whether 2^(n−1) ≡ 1 (mod n); false for n < 3 and even n.
pub fn is_base2_fermat_probable_prime(n: &Mpz) -> bool {
    let m = n.limbs();
    let k = m.len();
    if n.sign() <= 0 || m[0] & 1 == 0 || (k == 1 && m[0] < 3) {
        return false;
    }
    let ki = k as isize;
    let mp = m.as_ptr();
    let inv = neg_inverse(m[0]);
    // Montgomery form with R = 2^(64k): x stands for x·R⁻¹; one is R mod n.
    let mut r_mod_n = Mpz::new();
    let mut pow = Mpz::new();
    pow.setbit(64 * k as u64);
    r_mod_n.fdiv_r(&pow, n);
    let mut one = vec![0u64; k];
    one[..r_mod_n.limbs().len()].copy_from_slice(r_mod_n.limbs());
    let mut x = one.clone();
    let mut t = vec![0u64; 2 * k];
    // x ← 2x mod n (x < n)
    let double = |x: &mut [u64]| unsafe {
        let cy = __gmpn_lshift(x.as_mut_ptr(), x.as_ptr(), ki, 1);
        if cy != 0 || __gmpn_cmp(x.as_ptr(), mp, ki) >= 0 {
            __gmpn_sub_n(x.as_mut_ptr(), x.as_ptr(), mp, ki);
        }
    };
    let mut e = Mpz::new();
    e.sub_ui(n, 1);
    for i in (0..e.bits()).rev() {
        unsafe {
            // x ← x²·R⁻¹ mod n: mpn_sqr, then word-by-word REDC
            __gmpn_sqr(t.as_mut_ptr(), x.as_ptr(), ki);
            let mut up = t.as_mut_ptr();
            for _ in 0..k {
                let q = (*up).wrapping_mul(inv);
                *up = __gmpn_addmul_1(up, mp, ki, q);
                up = up.add(1);
            }
            let cy = __gmpn_add_n(x.as_mut_ptr(), up, up.sub(k), ki);
            if cy != 0 || __gmpn_cmp(x.as_ptr(), mp, ki) >= 0 {
                __gmpn_sub_n(x.as_mut_ptr(), x.as_ptr(), mp, ki);
            }
        }
        if e.tstbit(i as u64) {
            double(&mut x);
        }
    }
    x == one
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Trial-division primality for small n (the test's own oracle).
    fn is_prime_small(n: u64) -> bool {
        n >= 2 && (2..).take_while(|d| d * d <= n).all(|d| !n.is_multiple_of(d))
    }

    #[test]
    fn agrees_with_fermat_definition_on_small_numbers() {
        // Base-2 Fermat pseudoprimes below 2000 (341 = 11·31, 561, 645, 1105, 1387, 1729, 1905)
        // pass like primes; every other odd composite fails.
        let pseudoprimes = [341u64, 561, 645, 1105, 1387, 1729, 1905];
        for v in (3u64..2000).step_by(2) {
            let expect = is_prime_small(v) || pseudoprimes.contains(&v);
            assert_eq!(is_base2_fermat_probable_prime(&Mpz::from_i64(v as i64)), expect, "{v}");
        }
        assert!(!is_base2_fermat_probable_prime(&Mpz::from_i64(1)));
        assert!(!is_base2_fermat_probable_prime(&Mpz::from_i64(2)));
        assert!(!is_base2_fermat_probable_prime(&Mpz::from_i64(-7)));
    }

    #[test]
    fn agrees_with_gmp_on_large_numbers() {
        // Odd numbers around a 2048-bit prime (|D| for seed "x") without a factor below 50: GMP's
        // BPSW and the Fermat test agree on each (a base-2 pseudoprime among them would be a
        // chance far below 2^-60).
        let mut p = crate::discriminant::create_discriminant(b"x", 2048);
        p.neg_assign();
        let mut n = Mpz::new();
        n.sub_ui(&p, 2002);
        let (mut tested, mut primes) = (0, 0);
        for _ in 0..2000 {
            n.add_ui(&n.clone(), 2);
            if [3u64, 5, 7, 11, 13, 17, 19, 23, 29, 31, 37, 41, 43, 47].iter().any(|&q| n.fdiv_ui(q) == 0) {
                continue;
            }
            let gmp = n.probab_prime(1);
            assert_eq!(is_base2_fermat_probable_prime(&n), gmp);
            tested += 1;
            primes += gmp as u32;
        }
        assert!(tested > 200 && primes >= 1, "{tested} tested, {primes} primes");
    }
}
