//! KZG commitments on the Quilibrium "optimized ceremony" SRS (embedded, as in the reference):
//! data is split into 64-byte big-endian scalars in evaluation form over the roots of unity of
//! the chosen domain (16..256); commitments use the Lagrange basis `G1FFT{n}`, proofs the
//! monomial powers; multiproofs use SHA3-512 Fiat-Shamir.
use crate::field::Field;
use crate::fixed_base::FixedBase;
use crate::groups::*;
use crate::msm::msm;
use crate::mont::{Fp, Fr};
use crate::pairing::pairing_product_is_one;
use sha3::{Digest, Sha3_512};
use std::collections::HashMap;
use std::sync::{Mutex, OnceLock};

pub const BYTES_PER_SCALAR: usize = 64;
pub const POLY_SIZES: [u64; 5] = [16, 32, 64, 128, 256];

static SRS_JSON: &str = include_str!("../srs/bls48581_optimized_ceremony.json");

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum KzgError {
    /// Unsupported poly size, data too long, index out of range, list size mismatch.
    Length,
    /// A commitment or proof did not decode as a curve point.
    Encoding,
}

/// The hex strings of the JSON array stored under `"key"`.
fn json_hex_array(key: &str) -> Vec<&'static str> {
    let pat = format!("\"{}\"", key);
    let at = SRS_JSON.find(&pat).unwrap_or_else(|| panic!("SRS key {key}")) + pat.len();
    let open = at + SRS_JSON[at..].find('[').expect("array");
    let close = open + SRS_JSON[open..].find(']').expect("array end");
    SRS_JSON[open + 1..close]
        .split(',')
        .map(|s| s.trim().trim_matches('"'))
        .filter(|s| !s.is_empty())
        .collect()
}

fn json_hex_value(key: &str) -> &'static str {
    let pat = format!("\"{}\"", key);
    let at = SRS_JSON.find(&pat).unwrap_or_else(|| panic!("SRS key {key}")) + pat.len();
    let q1 = at + SRS_JSON[at..].find('"').unwrap() + 1;
    let q2 = q1 + SRS_JSON[q1..].find('"').unwrap();
    &SRS_JSON[q1..q2]
}

fn decode_g1_hex(h: &str) -> G1 {
    g1_from_bytes(&hex_decode(h).expect("hex")).expect("SRS G1 point")
}

fn g1_powers() -> &'static [G1] {
    static P: OnceLock<Vec<G1>> = OnceLock::new();
    P.get_or_init(|| json_hex_array("G1Powers").into_iter().map(decode_g1_hex).collect())
}

/// tau * G2 (entry 1 of the G2 powers).
fn g2_tau() -> &'static G2 {
    static T: OnceLock<G2> = OnceLock::new();
    T.get_or_init(|| {
        let h = json_hex_array("G2Powers")[1];
        g2_from_bytes(&hex_decode(h).unwrap()).expect("SRS G2 point")
    })
}

struct Domain {
    lagrange: Vec<G1>,
    /// omega^i for i = 0..=n
    roots: Vec<Fr>,
}

fn domain(n: u64) -> Result<&'static Domain, KzgError> {
    static D: OnceLock<HashMap<u64, OnceLock<Domain>>> = OnceLock::new();
    let map = D.get_or_init(|| POLY_SIZES.iter().map(|&n| (n, OnceLock::new())).collect());
    let cell = map.get(&n).ok_or(KzgError::Length)?;
    Ok(cell.get_or_init(|| Domain {
        lagrange: json_hex_array(&format!("G1FFT{n}")).into_iter().map(decode_g1_hex).collect(),
        roots: json_hex_array(&format!("rootsOfUnity{n}"))
            .into_iter()
            .map(|h| Fr::from_be_bytes_reduce(&hex_decode(h).unwrap()))
            .collect(),
    }))
}

/// The domain generator as stored in `rootOfUnity{n}` (for tests).
pub fn root_of_unity(n: u64) -> Option<Fr> {
    if !POLY_SIZES.contains(&n) {
        return None;
    }
    Some(Fr::from_be_bytes_reduce(&hex_decode(json_hex_value(&format!("rootOfUnity{n}"))).unwrap()))
}

/// 64-byte big-endian chunks; a shorter final chunk is read as a big-endian integer.
fn bytes_to_scalars(data: &[u8]) -> Vec<Fr> {
    data.chunks(BYTES_PER_SCALAR).map(Fr::from_be_bytes_reduce).collect()
}

fn evaluations(data: &[u8], n: u64) -> Result<Vec<Fr>, KzgError> {
    if data.len() as u64 > n * BYTES_PER_SCALAR as u64 {
        return Err(KzgError::Length);
    }
    let mut e = bytes_to_scalars(data);
    e.resize(n as usize, Fr::zero());
    Ok(e)
}

fn to_scalars(v: &[Fr]) -> Vec<[u64; 10]> {
    v.iter().map(|x| x.to_limbs()).collect()
}

/// Coefficients from evaluations over omega^i (inverse DFT, radix-2).
fn inverse_fft(evals: &[Fr], roots: &[Fr]) -> Vec<Fr> {
    let n = evals.len();
    let log_n = n.trailing_zeros();
    let mut a: Vec<Fr> = (0..n).map(|i| evals[i.reverse_bits() >> (usize::BITS - log_n)]).collect();
    let mut len = 2;
    while len <= n {
        let half = len / 2;
        let step = n / len;
        for start in (0..n).step_by(len) {
            for k in 0..half {
                // omega^-(k*step) = omega^(n - k*step)
                let w = roots[(n - k * step) % n];
                let u = a[start + k];
                let t = a[start + k + half].mul(&w);
                a[start + k] = u.add(&t);
                a[start + k + half] = u.sub(&t);
            }
        }
        len <<= 1;
    }
    let n_inv = Fr::from_u64(n as u64).inv();
    a.iter().map(|x| x.mul(&n_inv)).collect()
}

/// Quotient of f(X) by (X - z) (the remainder f(z) is dropped).
fn div_by_linear(coeffs: &[Fr], z: &Fr) -> Vec<Fr> {
    let n = coeffs.len();
    let mut q = vec![Fr::zero(); n - 1];
    let mut acc = Fr::zero();
    for i in (1..n).rev() {
        acc = coeffs[i].add(&acc.mul(z));
        q[i - 1] = acc;
    }
    q
}

/// Decompressed commitments by their encoding. Commitments are public and a trie update decodes the
/// commitment it produced on the previous commit, so remembering the affine point skips the square
/// root of decompression (a pure memo: a miss decodes as before). Bounded; cleared when full.
const POINT_CACHE_MAX: usize = 1 << 16;
type PointCache = Mutex<HashMap<[u8; G1_BYTES], (Fp, Fp)>>;
fn point_cache() -> &'static PointCache {
    static C: OnceLock<PointCache> = OnceLock::new();
    C.get_or_init(|| Mutex::new(HashMap::new()))
}

/// The compressed commitment (variable-time normalisation: commitments are public), remembered.
fn encode_commitment(p: &G1) -> [u8; G1_BYTES] {
    let affine = p.to_affine_vartime();
    let mut out = [0u8; G1_BYTES];
    G1::compress_affine(affine, &mut out);
    if let (Some(a), Ok(mut cache)) = (affine, point_cache().lock()) {
        if cache.len() >= POINT_CACHE_MAX {
            cache.clear();
        }
        cache.insert(out, a);
    }
    out
}

/// Fixed-base tables for the poly-size-64 Lagrange basis (the trie's), built on first use.
static LAGRANGE64: OnceLock<Vec<FixedBase>> = OnceLock::new();
fn lagrange64_tables() -> Result<&'static [FixedBase], KzgError> {
    let d = domain(64)?;
    Ok(LAGRANGE64.get_or_init(|| d.lagrange.iter().map(FixedBase::new).collect()))
}

pub fn commit_raw(data: &[u8], poly_size: u64) -> Result<[u8; G1_BYTES], KzgError> {
    let d = domain(poly_size)?;
    let e = evaluations(data, poly_size)?;
    // Once the size-64 tables exist (a trie update built them: every execution host), a commit is one
    // table walk per non-zero slot and no doublings, about twice as fast as the msm for a token
    // record's 7-12 slots. They are not built here: that takes seconds, which a one-shot caller (a
    // CLI building one transaction) would pay for two commits. Same point either way.
    if poly_size == 64 {
        if let Some(tables) = LAGRANGE64.get() {
            let mut acc = G1::identity();
            for (i, (table, x)) in tables.iter().zip(e.iter()).enumerate() {
                if !x.is_zero() {
                    acc = acc.add(&slot_term(i, table, x));
                }
            }
            return Ok(encode_commitment(&acc));
        }
    }
    Ok(encode_commitment(&msm(&d.lagrange, &to_scalars(&e))))
}

/// Slot terms `x·L_i` by (i, x). Records of one kind share slots (a token record's type marker, its
/// frame number, an expiration, equal transparent commitments), so their terms repeat across commits;
/// a hit is one addition instead of ~100. A pure memo of public values; bounded, cleared when full.
const SLOT_TERMS_MAX: usize = 4096;
type SlotTerms = Mutex<HashMap<(usize, [u64; 10]), G1>>;
fn slot_terms() -> &'static SlotTerms {
    static C: OnceLock<SlotTerms> = OnceLock::new();
    C.get_or_init(|| Mutex::new(HashMap::new()))
}

fn slot_term(i: usize, table: &FixedBase, x: &Fr) -> G1 {
    let limbs = x.to_limbs();
    if let Ok(cache) = slot_terms().lock() {
        if let Some(p) = cache.get(&(i, limbs)) {
            return *p;
        }
    }
    let p = table.mul_add(&G1::identity(), &limbs);
    if let Ok(mut cache) = slot_terms().lock() {
        if cache.len() >= SLOT_TERMS_MAX {
            cache.clear();
        }
        cache.insert((i, limbs), p);
    }
    p
}

/// `commit_raw` by the msm alone, whatever tables exist (tests compare the two paths).
#[cfg(test)]
pub(crate) fn commit_raw_by_msm(data: &[u8], poly_size: u64) -> Result<[u8; G1_BYTES], KzgError> {
    let d = domain(poly_size)?;
    let e = evaluations(data, poly_size)?;
    Ok(encode_commitment(&msm(&d.lagrange, &to_scalars(&e))))
}

/// Builds the size-64 fixed-base tables now (tests reach the table path of `commit_raw` with it).
#[cfg(test)]
pub(crate) fn warm_lagrange64() -> Result<(), KzgError> {
    lagrange64_tables().map(|_| ())
}

pub fn prove_raw(data: &[u8], index: u64, poly_size: u64) -> Result<[u8; G1_BYTES], KzgError> {
    let d = domain(poly_size)?;
    if index >= poly_size {
        return Err(KzgError::Length);
    }
    let e = evaluations(data, poly_size)?;
    let c = inverse_fft(&e, &d.roots);
    let q = div_by_linear(&c, &d.roots[index as usize]);
    Ok(g1_to_bytes(&msm(&g1_powers()[..q.len()], &to_scalars(&q))))
}

/// Decodes a commitment; the all-zero encoding `g1_to_bytes` gives the identity (the commitment
/// of an all-zero vector) is accepted as the identity.
fn commitment_from_bytes(b: &[u8]) -> Result<G1, KzgError> {
    if b.len() == G1_BYTES && b.iter().all(|&x| x == 0) {
        return Ok(G1::identity());
    }
    if let (Ok(key), Ok(cache)) = (<[u8; G1_BYTES]>::try_from(b), point_cache().lock()) {
        if let Some((x, y)) = cache.get(&key) {
            return Ok(G1::from_affine(*x, *y));
        }
    }
    g1_from_bytes(b).ok_or(KzgError::Encoding)
}

/// Incremental commit: with C = commit_raw(v), returns commit_raw(v') where v' differs from v only
/// at `indices` (old_slots[k] -> new_slots[k], each a 64-byte big-endian slot read mod r as
/// commit_raw reads it): C' = C + sum_k (new_k - old_k) [L_{indices[k]}(tau)]_1. Linear in the
/// number of changed slots instead of poly_size, which is what makes trie root updates cheap.
/// Indices must be distinct and < poly_size.
pub fn update_commitment(
    commitment: &[u8],
    indices: &[u64],
    old_slots: &[&[u8]],
    new_slots: &[&[u8]],
    poly_size: u64,
) -> Result<[u8; G1_BYTES], KzgError> {
    let d = domain(poly_size)?;
    let m = indices.len();
    if old_slots.len() != m || new_slots.len() != m || commitment.len() != G1_BYTES {
        return Err(KzgError::Length);
    }
    if old_slots.iter().chain(new_slots.iter()).any(|s| s.len() != BYTES_PER_SCALAR) {
        return Err(KzgError::Length);
    }
    let mut seen = vec![false; poly_size as usize];
    for &i in indices {
        if i >= poly_size || seen[i as usize] {
            return Err(KzgError::Length);
        }
        seen[i as usize] = true;
    }
    let c = commitment_from_bytes(commitment)?;
    let mut points = Vec::with_capacity(m);
    let mut deltas = Vec::with_capacity(m);
    for k in 0..m {
        let delta = Fr::from_be_bytes_reduce(new_slots[k]).sub(&Fr::from_be_bytes_reduce(old_slots[k]));
        if delta.is_zero() {
            continue;
        }
        points.push(indices[k] as usize);
        deltas.push(delta);
    }
    if poly_size == 64 {
        // The trie's size: fixed-base tables, no doublings.
        let tables = lagrange64_tables()?;
        let mut acc = c;
        for (i, delta) in points.iter().zip(deltas.iter()) {
            acc = tables[*i].mul_add(&acc, &delta.to_limbs());
        }
        return Ok(encode_commitment(&acc));
    }
    let bases: Vec<G1> = points.iter().map(|&i| d.lagrange[i]).collect();
    Ok(encode_commitment(&msm(&bases, &to_scalars(&deltas)).add(&c)))
}

/// e(proof, tau G2 - z G2) * e(G2, -(C - y G1)) = 1.
fn verify_opening(commit: &G1, z: &Fr, y: &Fr, proof: &G1) -> bool {
    let g2 = g2_generator();
    let xz = g2_tau().add(&g2.mul_limbs(&z.to_limbs()).neg());
    let cy = commit.add(&g1_generator().mul_limbs(&y.to_limbs()).neg()).neg();
    pairing_product_is_one(&[(*proof, xz), (cy, g2)])
}

/// `data` is the claimed evaluation (one 64-byte chunk, any length read as big-endian).
pub fn verify_raw(data: &[u8], commit: &[u8], index: u64, proof: &[u8], poly_size: u64) -> Result<bool, KzgError> {
    let d = domain(poly_size)?;
    if index >= poly_size {
        return Err(KzgError::Length);
    }
    let c = g1_from_bytes(commit).ok_or(KzgError::Encoding)?;
    let p = g1_from_bytes(proof).ok_or(KzgError::Encoding)?;
    let g = g1_generator();
    if c.is_identity() || c.equals(&g) || p.is_identity() || p.equals(&g) {
        return Ok(false);
    }
    let y = Fr::from_be_bytes_reduce(data);
    Ok(verify_opening(&c, &d.roots[index as usize], &y, &p))
}

/// SHA3-512 digest as an integer mod r.
fn hash_to_scalar(payload: &[u8]) -> Fr {
    Fr::from_be_bytes_reduce(&Sha3_512::digest(payload))
}

pub struct Multiproof {
    pub d: [u8; G1_BYTES],
    pub proof: [u8; G1_BYTES],
}

fn scalar_bytes(x: &Fr) -> [u8; 73] {
    x.to_be_bytes()
}

pub fn prove_multiple(commitments: &[&[u8]], polys: &[&[u8]], indices: &[u64], poly_size: u64) -> Result<Multiproof, KzgError> {
    let d = domain(poly_size)?;
    let m = polys.len();
    if m == 0 || commitments.len() != m || indices.len() != m || indices.iter().any(|&i| i >= poly_size) {
        return Err(KzgError::Length);
    }
    let n = poly_size as usize;
    let mut fs = Vec::new();
    for c in commitments {
        let p = g1_from_bytes(c).ok_or(KzgError::Encoding)?;
        fs.extend_from_slice(&g1_to_bytes(&p));
    }
    let mut evals = Vec::with_capacity(m);
    for (blob, &idx) in polys.iter().zip(indices) {
        let e = evaluations(blob, poly_size)?;
        fs.extend_from_slice(&scalar_bytes(&e[idx as usize]));
        evals.push(e);
    }
    for &idx in indices {
        fs.extend_from_slice(&idx.to_le_bytes());
    }
    let rho = hash_to_scalar(&fs);
    // Q(X) = sum rho^i (f_i(X) - y_i)/(X - z_i), committed with one zero coefficient appended.
    let mut coeffs = Vec::with_capacity(m);
    let mut qx = vec![Fr::zero(); n];
    let mut pow = Fr::one();
    for (e, &idx) in evals.iter().zip(indices) {
        let c = inverse_fft(e, &d.roots);
        let q = div_by_linear(&c, &d.roots[idx as usize]);
        for (dst, qi) in qx.iter_mut().zip(q.iter()) {
            *dst = dst.add(&qi.mul(&pow));
        }
        coeffs.push(c);
        pow = pow.mul(&rho);
    }
    let c_q = g1_to_bytes(&msm(&g1_powers()[..n], &to_scalars(&qx)));
    let t = hash_to_scalar(&c_q);
    // h(X) = sum rho^i f_i(X)/(t - z_i); proof opens h - Q at t.
    let mut hx = vec![Fr::zero(); n];
    let mut pow = Fr::one();
    for (c, &idx) in coeffs.iter().zip(indices) {
        let den = t.sub(&d.roots[idx as usize]).inv().mul(&pow);
        for (dst, ci) in hx.iter_mut().zip(c.iter()) {
            *dst = dst.add(&ci.mul(&den));
        }
        pow = pow.mul(&rho);
    }
    let g: Vec<Fr> = hx.iter().zip(qx.iter()).map(|(h, q)| h.sub(q)).collect();
    let quotient = div_by_linear(&g, &t);
    let proof = g1_to_bytes(&msm(&g1_powers()[..quotient.len()], &to_scalars(&quotient)));
    Ok(Multiproof { d: c_q, proof })
}

/// `evaluations[i]` are the claimed y_i (64-byte big-endian values).
pub fn verify_multiple(
    commitments: &[&[u8]],
    evaluations: &[&[u8]],
    indices: &[u64],
    poly_size: u64,
    d_bytes: &[u8],
    proof_bytes: &[u8],
) -> Result<bool, KzgError> {
    let dom = domain(poly_size)?;
    let m = commitments.len();
    if m == 0 || evaluations.len() != m || indices.len() != m || indices.iter().any(|&i| i >= poly_size) {
        return Err(KzgError::Length);
    }
    if evaluations.iter().any(|y| y.len() > 64) {
        return Err(KzgError::Length);
    }
    let c_q = g1_from_bytes(d_bytes).ok_or(KzgError::Encoding)?;
    let proof = g1_from_bytes(proof_bytes).ok_or(KzgError::Encoding)?;
    let mut points = Vec::with_capacity(m);
    for c in commitments {
        points.push(g1_from_bytes(c).ok_or(KzgError::Encoding)?);
    }
    let mut fs = Vec::new();
    for c in commitments {
        fs.extend_from_slice(c);
    }
    for y in evaluations {
        fs.extend_from_slice(&[0u8; 9]);
        fs.extend_from_slice(y);
    }
    for &idx in indices {
        fs.extend_from_slice(&idx.to_le_bytes());
    }
    let rho = hash_to_scalar(&fs);
    let t = hash_to_scalar(d_bytes);
    let mut scalars = Vec::with_capacity(m);
    let mut y = Fr::zero();
    let mut pow = Fr::one();
    for (yb, &idx) in evaluations.iter().zip(indices) {
        let den = t.sub(&dom.roots[idx as usize]).inv();
        y = y.add(&pow.mul(&Fr::from_be_bytes_reduce(yb)).mul(&den));
        scalars.push(pow.mul(&den).to_limbs());
        pow = pow.mul(&rho);
    }
    let e = msm(&points, &scalars);
    let commit = e.add(&c_q.neg());
    Ok(verify_opening(&commit, &t, &y, &proof))
}
