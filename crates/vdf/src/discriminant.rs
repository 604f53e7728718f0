//! `create_discriminant(seed, bits)`: the reference's deterministic search for D = −p, p prime,
//! p ≡ 7 (mod 8), from SHA-256 of the seed (crypto.md §2.2).
use crate::fermat::is_base2_fermat_probable_prime;
use crate::gmp::Mpz;
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicUsize, Ordering};
use std::sync::OnceLock;

/// M = 8·3·5·7·11·13.
pub(crate) const M: u64 = 120_120;
pub(crate) const SIEVE_BITS: usize = 65_536;

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
pub(crate) fn residues() -> &'static [u32] {
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
            let m_inv = mod_inverse(M % p, p) as u32;
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

/// a⁻¹ mod p for gcd(a, p) = 1 (extended Euclid; the table is built once, on first use).
fn mod_inverse(a: u64, p: u64) -> u64 {
    let (mut r0, mut r1) = (p as i64, a as i64);
    let (mut t0, mut t1) = (0i64, 1i64);
    while r1 != 0 {
        let q = r0 / r1;
        (r0, r1) = (r1, r0 - q * r1);
        (t0, t1) = (t1, t0 - q * t1);
    }
    t0.rem_euclid(p as i64) as u64
}

/// The start n of the candidate sequence n + M·i (i = 0, 1, …) for `seed` and `bits`
/// (crypto.md §2.2 steps 1–3).
pub(crate) fn first_candidate_base(seed: &[u8], bits: u16) -> Mpz {
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
    n
}

/// Offsets i < SIEVE_BITS (ascending) for which n + M·i has no prime factor in 17..2^21. The
/// prime groups are split between two threads, each marking its own bitmap.
fn sieve_window(n: &Mpz) -> Vec<u32> {
    let groups = sieve_groups();
    let mark = |part: &[PrimeGroup]| {
        let mut sieve = vec![false; SIEVE_BITS];
        for group in part {
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
        sieve
    };
    // the small primes mark far more positions: split by group count past the first quarter
    let split = groups.len() * 9 / 16;
    let (low, high) = std::thread::scope(|s| {
        let h = s.spawn(|| mark(&groups[split..]));
        let low = mark(&groups[..split]);
        (low, h.join().expect("sieve thread"))
    });
    (0..SIEVE_BITS as u32).filter(|&i| !low[i as usize] && !high[i as usize]).collect()
}

/// The candidates of the discriminant search, in the defined order, that pass the base-2 Fermat
/// filter. The discriminant is minus the first of them that GMP's `probab_prime_p(·, 1)` accepts;
/// callers that want to start using a candidate before GMP confirms it (verify) drive it.
pub struct Search {
    base: Mpz,
    offsets: Vec<u32>,
    next: usize,
}

impl Search {
    pub fn new(seed: &[u8], bits: u16) -> Search {
        let base = first_candidate_base(seed, bits);
        let offsets = sieve_window(&base);
        Search { base, offsets, next: 0 }
    }

    /// The next candidate (positive) after those already returned that passes the Fermat filter.
    pub fn next_candidate(&mut self) -> Mpz {
        loop {
            if let Some(k) = first_fermat_index(&self.base, &self.offsets, self.next) {
                self.next = k + 1;
                let mut step = Mpz::new();
                step.set_ui(M * self.offsets[k] as u64);
                let mut cand = Mpz::new();
                cand.add(&self.base, &step);
                return cand;
            }
            let mut step = Mpz::new();
            step.set_ui(M * SIEVE_BITS as u64);
            self.base.add_assign(&step);
            self.offsets = sieve_window(&self.base);
            self.next = 0;
        }
    }
}

/// GMP's verdict on a candidate: the definition of "prime" in the discriminant search.
pub fn is_accepted(candidate: &Mpz) -> bool {
    candidate.probab_prime(1)
}

/// The discriminant D (negative) for `seed` and `bits`.
pub fn create_discriminant(seed: &[u8], bits: u16) -> Mpz {
    let mut search = Search::new(seed, bits);
    loop {
        let mut cand = search.next_candidate();
        if is_accepted(&cand) {
            cand.neg_assign();
            return cand;
        }
    }
}

/// The smallest index k ≥ `start` for which n + M·offsets[k] passes the Fermat filter. Two threads
/// take indices in order and stop once past the best hit, so the answer is that of a sequential
/// scan.
fn first_fermat_index(n: &Mpz, offsets: &[u32], start: usize) -> Option<usize> {
    let next = AtomicUsize::new(start);
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
            if is_base2_fermat_probable_prime(&cand) {
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
    (k < offsets.len()).then_some(k)
}
