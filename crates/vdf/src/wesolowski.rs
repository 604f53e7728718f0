//! Wesolowski proofs in the class group (crypto.md §2.4–2.6), single and multi-worker.
use crate::discriminant::{create_discriminant, is_accepted, Search};
use crate::form::{form_bytes, DecodeError, Form, Group, Ctx, FORM_BYTES};
use crate::gmp::Mpz;
use sha2::{Digest, Sha256};
use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::Mutex;

pub const BITS: u16 = 2048;

/// Largest iteration count the prover accepts: the proof keeps every k-th power in memory
/// (about 190 MB at 2^22, a ~70 s solve, 50× the mainnet anchor difficulty). Verify has no limit.
pub const MAX_SOLVE_ITERATIONS: u32 = 1 << 22;
pub const OUTPUT_BYTES: usize = 2 * FORM_BYTES;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum VdfError {
    Length,
    Malformed,
    Cancelled,
}

impl From<DecodeError> for VdfError {
    fn from(e: DecodeError) -> Self {
        match e {
            DecodeError::Length => VdfError::Length,
            DecodeError::Malformed => VdfError::Malformed,
        }
    }
}

/// First 16 bytes of SHA-256 outputs as a big-endian integer, for j = 0, 1, …, until one is a
/// probable prime (GMP BPSW).
fn first_prime(mut digest_for: impl FnMut(u64) -> [u8; 32]) -> Mpz {
    let mut p = Mpz::new();
    for j in 0u64.. {
        let h = digest_for(j);
        p.set_bytes_be(&h[..16]);
        if p.probab_prime(1) {
            break;
        }
    }
    p
}

/// hash_prime(x ‖ y, t): SHA-256("prime" ‖ u64_be(j) ‖ x ‖ y ‖ u32_be(t)).
pub fn hash_prime(x: &[u8], y: &[u8], t: u32) -> Mpz {
    first_prime(|j| {
        let mut h = Sha256::new();
        h.update(b"prime");
        h.update(j.to_be_bytes());
        h.update(x);
        h.update(y);
        h.update(t.to_be_bytes());
        h.finalize().into()
    })
}

/// Recently used discriminants: the search costs 30–150 ms, and a node often proves and then
/// verifies (or verifies several outputs) for the same challenge.
static DISCRIMINANTS: Mutex<Vec<(Vec<u8>, Mpz)>> = Mutex::new(Vec::new());
const DISCRIMINANT_CACHE: usize = 8;

fn cached_discriminant(challenge: &[u8]) -> Option<Mpz> {
    let cache = DISCRIMINANTS.lock().ok()?;
    cache.iter().find(|(c, _)| c.as_slice() == challenge).map(|(_, d)| d.clone())
}

fn cache_discriminant(challenge: &[u8], d: &Mpz) {
    if let Ok(mut cache) = DISCRIMINANTS.lock() {
        if cache.len() >= DISCRIMINANT_CACHE {
            cache.remove(0);
        }
        cache.push((challenge.to_vec(), d.clone()));
    }
}

fn discriminant_for(challenge: &[u8]) -> Mpz {
    if let Some(d) = cached_discriminant(challenge) {
        return d;
    }
    let d = create_discriminant(challenge, BITS);
    cache_discriminant(challenge, &d);
    d
}

/// Runs `body` on the challenge's group and generator. A cold challenge runs it speculatively on
/// each candidate that passes the search's Fermat filter while GMP's BPSW confirms that candidate
/// on a second thread (the confirmation and the check cost about the same); a candidate GMP
/// rejects, which takes a base-2 pseudoprime, discards the result and the search moves on. The
/// answer is therefore that of the non-speculative order: search, then check.
fn with_group<R: Send>(challenge: &[u8], body: impl Fn(&Group, &Form) -> R + Sync) -> R {
    if let Some(d) = cached_discriminant(challenge) {
        let g = Group::new(d);
        let x = g.generator();
        return body(&g, &x);
    }
    let mut search = Search::new(challenge, BITS);
    loop {
        let candidate = search.next_candidate();
        let mut d = candidate.clone();
        d.neg_assign();
        let (accepted, result) = std::thread::scope(|s| {
            let confirm = s.spawn(|| is_accepted(&candidate));
            let g = Group::new(d.clone());
            let x = g.generator();
            let result = body(&g, &x);
            (confirm.join().expect("confirm thread"), result)
        });
        if accepted {
            cache_discriminant(challenge, &d);
            return result;
        }
    }
}

/// Forgets cached discriminants (benchmarks use it to time a cold verify).
pub fn clear_discriminant_cache() {
    if let Ok(mut cache) = DISCRIMINANTS.lock() {
        cache.clear();
    }
}

/// The group and its generator for a challenge.
pub fn setup(challenge: &[u8]) -> (Group, Form) {
    let g = Group::new(discriminant_for(challenge));
    let x = g.generator();
    (g, x)
}

/// Polled every few thousand squarings so a superseded solve can stop early.
pub trait Cancel: Sync {
    fn cancelled(&self) -> bool;
}
impl Cancel for AtomicBool {
    fn cancelled(&self) -> bool {
        self.load(Ordering::Relaxed)
    }
}
pub struct Never;
impl Cancel for Never {
    fn cancelled(&self) -> bool {
        false
    }
}

/// y = x^(2^t) keeping every k-th power (checkpoints[i] = x^(2^(i·k))).
fn square_chain(g: &Group, x: &Form, t: u32, k: u32, cancel: &dyn Cancel) -> Result<(Form, Vec<Form>), VdfError> {
    let mut ctx = Ctx::new();
    let mut y = x.clone();
    let mut checkpoints = Vec::with_capacity((t / k + 1) as usize);
    for i in 0..t {
        if i % k == 0 {
            checkpoints.push(y.clone());
        }
        if i & 4095 == 4095 && cancel.cancelled() {
            return Err(VdfError::Cancelled);
        }
        ctx.square(g, &mut y);
    }
    Ok((y, checkpoints))
}

/// y = x^(2^t) only (no proof); used by benchmarks and cross-checks.
pub fn iterate(g: &Group, x: &Form, t: u32) -> Form {
    let mut ctx = Ctx::new();
    let mut y = x.clone();
    for _ in 0..t {
        ctx.square(g, &mut y);
    }
    y
}

/// Window size k minimising the post-chain work t/(2k) + 2^(k+1) on two threads.
fn window(t: u32) -> u32 {
    (1..=20u32).min_by_key(|&k| (t as u64) / (2 * k as u64) + (1u64 << (k + 1))).unwrap_or(1)
}

/// ∏_{i ∈ idx} C_i^{digit_i} using buckets per digit value: Y_v = ∏ C_i with digit v, then
/// ∏ Y_v^v as a running suffix product.
fn bucket_product(g: &Group, checkpoints: &[Form], digits: &[u32], k: u32) -> Option<Form> {
    let mut ctx = Ctx::new();
    let mut buckets: Vec<Option<Form>> = vec![None; 1 << k];
    for (c, &d) in checkpoints.iter().zip(digits) {
        if d == 0 {
            continue;
        }
        let slot = &mut buckets[d as usize];
        *slot = Some(match slot.take() {
            None => c.clone(),
            Some(acc) => ctx.mul(g, &acc, c),
        });
    }
    let mut suffix: Option<Form> = None;
    let mut result: Option<Form> = None;
    for v in (1..buckets.len()).rev() {
        if let Some(b) = buckets[v].take() {
            suffix = Some(match suffix {
                None => b,
                Some(s) => ctx.mul(g, &s, &b),
            });
        }
        if let Some(s) = &suffix {
            result = Some(match result {
                None => s.clone(),
                Some(r) => ctx.mul(g, &r, s),
            });
        }
    }
    result
}

/// π = x^floor(2^t / prime) from the checkpoints x^(2^(i·k)), split over two threads.
fn prove_pi(g: &Group, checkpoints: &[Form], t: u32, k: u32, prime: &Mpz) -> Form {
    let mut q = Mpz::new();
    let mut pow2 = Mpz::new();
    pow2.setbit(t as u64);
    q.fdiv_q(&pow2, prime);
    // base-2^k digits of q, least significant first
    let digits: Vec<u32> = (0..checkpoints.len())
        .map(|i| {
            let mut d = 0u32;
            for b in 0..k {
                if q.tstbit((i as u32 * k + b) as u64) {
                    d |= 1 << b;
                }
            }
            d
        })
        .collect();
    let half = checkpoints.len() / 2;
    let (lo, hi) = std::thread::scope(|s| {
        let h = s.spawn(|| bucket_product(g, &checkpoints[half..], &digits[half..], k));
        let lo = bucket_product(g, &checkpoints[..half], &digits[..half], k);
        (lo, h.join().expect("proof thread"))
    });
    let mut ctx = Ctx::new();
    match (lo, hi) {
        (Some(a), Some(b)) => ctx.mul(g, &a, &b),
        (Some(a), None) | (None, Some(a)) => a,
        (None, None) => g.identity(),
    }
}

/// Proves on `x`: returns y ‖ π where the prime is computed from (x, y).
fn prove_on(
    g: &Group,
    x: &Form,
    t: u32,
    prime_of: impl FnOnce(&Form) -> Mpz,
    cancel: &dyn Cancel,
) -> Result<[u8; OUTPUT_BYTES], VdfError> {
    if t > MAX_SOLVE_ITERATIONS {
        return Err(VdfError::Length);
    }
    let k = window(t);
    let (y, checkpoints) = square_chain(g, x, t, k, cancel)?;
    let prime = prime_of(&y);
    let pi = prove_pi(g, &checkpoints, t, k, &prime);
    let mut out = [0u8; OUTPUT_BYTES];
    out[..FORM_BYTES].copy_from_slice(&form_bytes(&y));
    out[FORM_BYTES..].copy_from_slice(&form_bytes(&pi));
    Ok(out)
}

/// `wesolowski_solve(2048, challenge, t)`.
pub fn solve(challenge: &[u8], t: u32, cancel: &dyn Cancel) -> Result<[u8; OUTPUT_BYTES], VdfError> {
    let (g, x) = setup(challenge);
    let xb = form_bytes(&x);
    prove_on(&g, &x, t, |y| hash_prime(&xb, &form_bytes(y), t), cancel)
}

/// Checks π^B · x^r == y with r = 2^t mod B.
fn check(g: &Group, x: &Form, y: &Form, pi: &Form, t: u32, prime: &Mpz, x_exp_factor: Option<&Mpz>) -> bool {
    let mut ctx = Ctx::new();
    // r = 2^t mod B without materialising 2^t (t may be up to 2^32 − 1 in a hostile header)
    let mut r = Mpz::new();
    r.powm_ui(&Mpz::from_i64(2), t as u64, prime);
    if let Some(f) = x_exp_factor {
        r.mul_assign(f);
    }
    ctx.pow2(g, pi, prime, x, &r) == *y
}

/// `check` as first written (two separate ladders), the baseline's half of `verify_reference`.
fn check_reference(g: &Group, x: &Form, y: &Form, pi: &Form, t: u32, prime: &Mpz) -> bool {
    let mut ctx = Ctx::new();
    let mut r = Mpz::new();
    r.powm_ui(&Mpz::from_i64(2), t as u64, prime);
    let lhs = ctx.pow(g, pi, prime);
    let xr = ctx.pow(g, x, &r);
    ctx.mul(g, &lhs, &xr) == *y
}

/// `wesolowski_verify(2048, challenge, t, output)`; Err only for a wrong length or a malformed form.
pub fn verify(challenge: &[u8], t: u32, output: &[u8]) -> Result<bool, VdfError> {
    if output.len() != OUTPUT_BYTES {
        return Err(VdfError::Length);
    }
    with_group(challenge, |g, x| {
        let y = g.decode(&output[..FORM_BYTES])?;
        let pi = g.decode(&output[FORM_BYTES..])?;
        let prime = hash_prime(&form_bytes(x), &output[..FORM_BYTES], t);
        Ok(check(g, x, &y, &pi, t, &prime, None))
    })
}

/// `verify` with the discriminant recomputed by the straightforward search of crypto.md §2.2
/// (reference.rs: one thread, no cache, no filter) and two separate ladders: the baseline the
/// benchmark measures `verify` against in the same run, and a cross-check in tests.
pub fn verify_reference(challenge: &[u8], t: u32, output: &[u8]) -> Result<bool, VdfError> {
    if output.len() != OUTPUT_BYTES {
        return Err(VdfError::Length);
    }
    let g = Group::new(crate::reference::create_discriminant_reference(challenge, BITS));
    let x = g.generator();
    let y = g.decode(&output[..FORM_BYTES])?;
    let pi = g.decode(&output[FORM_BYTES..])?;
    let prime = hash_prime(&form_bytes(&x), &output[..FORM_BYTES], t);
    Ok(check_reference(&g, &x, &y, &pi, t, &prime))
}

/// SHA-256("wesolowski-ids-multicommit" ‖ for sorted ids: u64_be(len) ‖ id).
fn ids_commitment(ids: &[&[u8]]) -> [u8; 32] {
    let mut sorted: Vec<&[u8]> = ids.to_vec();
    sorted.sort();
    let mut h = Sha256::new();
    h.update(b"wesolowski-ids-multicommit");
    for id in sorted {
        h.update((id.len() as u64).to_be_bytes());
        h.update(id);
    }
    h.finalize().into()
}

fn multi_prime(challenge: &[u8], t: u32, ids: &[&[u8]]) -> Mpz {
    let commit = ids_commitment(ids);
    first_prime(|j| {
        let mut h = Sha256::new();
        h.update(b"wesolowski-fixed-multicommit");
        h.update(challenge);
        h.update(BITS.to_be_bytes());
        h.update((t as u64).to_be_bytes());
        h.update(commit);
        h.update(j.to_be_bytes());
        h.finalize().into()
    })
}

/// h_i = SHA-256("wesolowski-exp-multicommit" ‖ challenge ‖ u64_be(len) ‖ id), 0 replaced by 1.
fn multi_exponent(challenge: &[u8], id: &[u8]) -> Mpz {
    let mut h = Sha256::new();
    h.update(b"wesolowski-exp-multicommit");
    h.update(challenge);
    h.update((id.len() as u64).to_be_bytes());
    h.update(id);
    let d: [u8; 32] = h.finalize().into();
    let mut e = Mpz::from_bytes_be(&d);
    if e.is_zero() {
        e.set_ui(1);
    }
    e
}

/// `wesolowski_solve_multi(2048, challenge, t, ids, i)`: worker i's 516-byte blob.
pub fn solve_multi(challenge: &[u8], t: u32, ids: &[&[u8]], index: usize, cancel: &dyn Cancel) -> Result<[u8; OUTPUT_BYTES], VdfError> {
    let id = ids.get(index).ok_or(VdfError::Length)?;
    let (g, x) = setup(challenge);
    let prime = multi_prime(challenge, t, ids);
    let xi = Ctx::new().pow(&g, &x, &multi_exponent(challenge, id));
    prove_on(&g, &xi, t, |_| prime, cancel)
}

/// `wesolowski_verify_multi`: (∏π_i)^b · x^(r·Σh_i) == ∏y_i.
pub fn verify_multi(challenge: &[u8], t: u32, ids: &[&[u8]], blobs: &[&[u8]]) -> Result<bool, VdfError> {
    if ids.is_empty() || ids.len() != blobs.len() || blobs.iter().any(|b| b.len() != OUTPUT_BYTES) {
        return Err(VdfError::Length);
    }
    with_group(challenge, |g, x| {
        let mut ctx = Ctx::new();
        let mut ys: Option<Form> = None;
        let mut pis: Option<Form> = None;
        for blob in blobs {
            let y = g.decode(&blob[..FORM_BYTES])?;
            let pi = g.decode(&blob[FORM_BYTES..])?;
            ys = Some(match ys {
                None => y,
                Some(acc) => ctx.mul(g, &acc, &y),
            });
            pis = Some(match pis {
                None => pi,
                Some(acc) => ctx.mul(g, &acc, &pi),
            });
        }
        let mut sum_h = Mpz::new();
        for id in ids {
            sum_h.add_assign(&multi_exponent(challenge, id));
        }
        let prime = multi_prime(challenge, t, ids);
        let (ys, pis) = (ys.expect("non-empty"), pis.expect("non-empty"));
        Ok(check(g, x, &ys, &pis, t, &prime, Some(&sum_h)))
    })
}
