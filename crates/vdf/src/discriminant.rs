//! `create_discriminant(seed, bits)`: the reference's deterministic search for D = −p, p prime,
//! p ≡ 7 (mod 8), from SHA-256 of the seed (crypto.md §2.2).
use crate::gmp::Mpz;
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// M = 8·3·5·7·11·13.
const M: u64 = 120_120;
const SIEVE_BITS: usize = 65_536;

/// SHA-256(seed ‖ u16_be(counter)) for counter = 0, 1, … concatenated and cut to `len` bytes.
pub fn random_bytes_from_seed(seed: &[u8], len: usize) -> Vec<u8> {
    let mut out = Vec::with_capacity(len + 32);
    let mut counter: u16 = 0;
    while out.len() < len {
        let mut h = Sha256::new();
        h.update(seed);
        h.update(counter.to_be_bytes());
        out.extend_from_slice(&h.finalize());
        counter = counter.wrapping_add(1);
    }
    out.truncate(len);
    out
}

/// Residues below M that are ≡ 7 (mod 8) and coprime to 3, 5, 7, 11, 13 (5760 of them).
fn residues() -> &'static [u32] {
    static R: OnceLock<Vec<u32>> = OnceLock::new();
    R.get_or_init(|| {
        (0..M as u32).filter(|x| x % 8 == 7 && [3, 5, 7, 11, 13].iter().all(|p| x % p != 0)).collect()
    })
}

/// Primes the reference sieves with (17 ≤ p < 2^16). Extra primes up to SIEVE_PRIME_LIMIT only
/// remove more composites before the costly probable-prime test: the first prime found, and so
/// the discriminant, is unchanged (a 2048-bit candidate is never itself a sieving prime).
const SIEVE_PRIME_LIMIT: usize = 1 << 21;

/// Sieving primes with M⁻¹ mod p, grouped so each group's product fits in a u64 (one bignum
/// remainder per group instead of one per prime).
struct PrimeGroup {
    product: u64,
    primes: Vec<(u32, u32)>,
}

fn sieve_groups() -> &'static [PrimeGroup] {
    static P: OnceLock<Vec<PrimeGroup>> = OnceLock::new();
    P.get_or_init(|| {
        let n = SIEVE_PRIME_LIMIT;
        let mut composite = vec![false; n];
        let mut groups: Vec<PrimeGroup> = Vec::new();
        let mut current = PrimeGroup { product: 1, primes: Vec::new() };
        for i in 2..n {
            if composite[i] {
                continue;
            }
            let mut j = i * i;
            while j < n {
                composite[j] = true;
                j += i;
            }
            if i < 17 {
                continue;
            }
            let p = i as u64;
            let m_inv = mod_pow(M % p, p - 2, p) as u32;
            match current.product.checked_mul(p) {
                Some(prod) => {
                    current.product = prod;
                    current.primes.push((i as u32, m_inv));
                }
                None => {
                    groups.push(std::mem::replace(&mut current, PrimeGroup { product: p, primes: vec![(i as u32, m_inv)] }));
                }
            }
        }
        groups.push(current);
        groups
    })
}

fn mod_pow(mut b: u64, mut e: u64, m: u64) -> u64 {
    let mut r = 1u64;
    b %= m;
    while e > 0 {
        if e & 1 == 1 {
            r = r * b % m;
        }
        b = b * b % m;
        e >>= 1;
    }
    r
}

/// The discriminant D (negative) for `seed` and `bits`.
pub fn create_discriminant(seed: &[u8], bits: u16) -> Mpz {
    let bits = bits as usize;
    let len = bits.div_ceil(8) + 2;
    let bytes = random_bytes_from_seed(seed, len);
    let mut n = Mpz::from_bytes_be(&bytes[..len - 2]);
    let shift = (8 - bits % 8) % 8;
    n.fdiv_q_2exp(&n.clone(), shift as u64);
    n.setbit((bits - 1) as u64);
    let idx = u16::from_be_bytes([bytes[len - 2], bytes[len - 1]]) as usize % residues().len();
    let residue = residues()[idx] as u64;
    let r = n.fdiv_ui(M);
    // n += residue − (n mod M)
    n.add_ui(&n.clone(), residue);
    n.sub_ui(&n.clone(), r);
    let mut cand = Mpz::new();
    let mut step = Mpz::new();
    loop {
        let mut sieve = vec![false; SIEVE_BITS];
        for group in sieve_groups() {
            let r = n.fdiv_ui(group.product);
            for &(p, m_inv) in &group.primes {
                let p64 = p as u64;
                let neg_n = (p64 - r % p64) % p64;
                let mut i = (neg_n * m_inv as u64 % p64) as usize;
                while i < SIEVE_BITS {
                    sieve[i] = true;
                    i += p as usize;
                }
            }
        }
        let offsets: Vec<u32> = (0..SIEVE_BITS as u32).filter(|&i| !sieve[i as usize]).collect();
        if let Some(i) = first_prime_offset(&n, &offsets) {
            step.set_ui(M * i as u64);
            cand.add(&n, &step);
            cand.neg_assign();
            return cand;
        }
        step.set_ui(M * SIEVE_BITS as u64);
        n.add_assign(&step);
    }
}

/// The smallest offset i (in list order) for which n + M·i passes GMP's probable-prime test.
/// Two threads take candidates in order and stop once past the best hit, so the answer is the
/// same as a sequential scan.
fn first_prime_offset(n: &Mpz, offsets: &[u32]) -> Option<u32> {
    let next = AtomicUsize::new(0);
    let best = AtomicUsize::new(usize::MAX);
    let worker = || {
        let mut cand = Mpz::new();
        let mut step = Mpz::new();
        loop {
            let k = next.fetch_add(1, Ordering::Relaxed);
            if k >= offsets.len() || k > best.load(Ordering::Relaxed) {
                return;
            }
            step.set_ui(M * offsets[k] as u64);
            cand.add(n, &step);
            if cand.probab_prime(1) {
                best.fetch_min(k, Ordering::Relaxed);
                return;
            }
        }
    };
    std::thread::scope(|s| {
        s.spawn(worker);
        worker();
    });
    let k = best.load(Ordering::Relaxed);
    offsets.get(k).copied()
}
