//! The discriminant search exactly as crypto.md §2.2 words it, kept as the cross-check for the
//! optimised search (discriminant.rs) and as the baseline of `bun run bench vdf`: one thread, a
//! 65536-bit sieve by the odd primes 17…65521, then GMP's `probab_prime_p(·, 1)` on each unmarked
//! candidate in order.
use crate::discriminant::{first_candidate_base, M, SIEVE_BITS};
use crate::gmp::Mpz;

/// The discriminant D (negative) for `seed` and `bits`, by the straightforward search.
pub fn create_discriminant_reference(seed: &[u8], bits: u16) -> Mpz {
    let is_prime = |p: &u64| (3..).step_by(2).take_while(|d| d * d <= *p).all(|d| !p.is_multiple_of(d));
    // (p, M⁻¹ mod p) with the inverse by Fermat's little theorem: (M mod p)^(p−2)
    let primes: Vec<(u64, u64)> = (17u64..65_536).step_by(2).filter(is_prime).map(|p| (p, pow_mod(M % p, p - 2, p))).collect();
    let mut n = first_candidate_base(seed, bits);
    let mut cand = Mpz::new();
    let mut step = Mpz::new();
    loop {
        let mut sieve = vec![false; SIEVE_BITS];
        for &(p, m_inv) in &primes {
            // offsets i with p | n + M·i: i ≡ (−n mod p)·M⁻¹ (mod p); (−n mod p) is GMP's cdiv_ui
            let neg_n = n.cdiv_ui(p) % p;
            let mut i = (neg_n * m_inv % p) as usize;
            while i < SIEVE_BITS {
                sieve[i] = true;
                i += p as usize;
            }
        }
        for i in (0..SIEVE_BITS).filter(|&i| !sieve[i]) {
            step.set_ui(M * i as u64);
            cand.add(&n, &step);
            if cand.probab_prime(1) {
                cand.neg_assign();
                return cand;
            }
        }
        step.set_ui(M * SIEVE_BITS as u64);
        n.add_assign(&step);
    }
}

fn pow_mod(b: u64, mut e: u64, p: u64) -> u64 {
    let (mut r, mut b) = (1u64, b % p);
    while e > 0 {
        if e & 1 == 1 {
            r = r * b % p;
        }
        b = b * b % p;
        e >>= 1;
    }
    r
}
