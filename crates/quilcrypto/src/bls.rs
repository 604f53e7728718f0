//! C ABI exports for BLS48-581 and KZG (crates/bls48581).
//! Inputs are (ptr, len) pairs (null accepted when len == 0); outputs are caller-allocated buffers
//! of the exact documented size; every function returns an i32 status (status.rs):
//!   OK               success / the signature or proof is valid
//!   ERR_INVALID      well-formed inputs that do not verify
//!   ERR_LENGTH       wrong buffer sizes, list sizes, poly size or index
//!   ERR_ENCODING     bytes that are not a point on the curve (bad flag, x >= p, no y)
//!   ERR_SUBGROUP a point on the curve that is the identity or outside the r-subgroup, or sk = 0
//! Lists: public keys packed as n x 585 bytes, signatures n x 74, commitments n x 74, messages /
//! blobs / evaluations as repeated `u32_be(len) ‖ bytes`, indices as n x u64 little-endian.
use crate::buffers::{input, output};
use crate::status::{ERR_ENCODING, ERR_INVALID, ERR_LENGTH, ERR_SUBGROUP, OK};
use quil_bls48581::bls::{self, BlsError, SECRET_KEY_BYTES};
use quil_bls48581::groups::{g1_from_bytes, g1_member, g2_from_bytes, g2_member, G1_BYTES, G2_BYTES};
use quil_bls48581::kzg::{self, KzgError};

fn bls_status(e: BlsError) -> i32 {
    match e {
        BlsError::Length => ERR_LENGTH,
        BlsError::Encoding => ERR_ENCODING,
        BlsError::Invalid => ERR_SUBGROUP,
    }
}

fn kzg_status(e: KzgError) -> i32 {
    match e {
        KzgError::Length => ERR_LENGTH,
        KzgError::Encoding => ERR_ENCODING,
    }
}

fn bool_status(r: bool) -> i32 {
    if r {
        OK
    } else {
        ERR_INVALID
    }
}

fn fixed_items(b: &[u8], size: usize) -> Option<Vec<&[u8]>> {
    if b.is_empty() || !b.len().is_multiple_of(size) {
        return None;
    }
    Some(b.chunks(size).collect())
}

/// Splits repeated `u32_be(len) ‖ bytes`.
fn packed_items(mut b: &[u8]) -> Option<Vec<&[u8]>> {
    let mut out = Vec::new();
    while !b.is_empty() {
        if b.len() < 4 {
            return None;
        }
        let n = u32::from_be_bytes([b[0], b[1], b[2], b[3]]) as usize;
        if b.len() - 4 < n {
            return None;
        }
        out.push(&b[4..4 + n]);
        b = &b[4 + n..];
    }
    Some(out)
}

fn u64_items(b: &[u8]) -> Option<Vec<u64>> {
    if !b.len().is_multiple_of(8) {
        return None;
    }
    Some(b.chunks(8).map(|c| u64::from_le_bytes(c.try_into().unwrap())).collect())
}

/// Key pair and proof of possession from input keying material: sk[73], pk[585], pop[74].
/// # Safety
/// Pointers must be valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn quil_bls_keygen(
    ikm: *const u8,
    ikm_len: usize,
    sk_out: *mut u8,
    sk_len: usize,
    pk_out: *mut u8,
    pk_len: usize,
    pop_out: *mut u8,
    pop_len: usize,
) -> i32 {
    let (Some(ikm), Some(sk_o), Some(pk_o), Some(pop_o)) = (
        input(ikm, ikm_len),
        output(sk_out, sk_len, SECRET_KEY_BYTES),
        output(pk_out, pk_len, G2_BYTES),
        output(pop_out, pop_len, G1_BYTES),
    ) else {
        return ERR_LENGTH;
    };
    let kp = bls::keygen(ikm);
    match bls::prove_possession(&kp.secret_key) {
        Ok(pop) => {
            sk_o.copy_from_slice(&kp.secret_key);
            pk_o.copy_from_slice(&kp.public_key);
            pop_o.copy_from_slice(&pop);
            OK
        }
        Err(e) => bls_status(e),
    }
}

/// pk[585] = sk * G2.
/// # Safety
/// Pointers must be valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn quil_bls_public_key(sk: *const u8, sk_len: usize, pk_out: *mut u8, pk_len: usize) -> i32 {
    let (Some(sk), Some(out)) = (input(sk, sk_len), output(pk_out, pk_len, G2_BYTES)) else {
        return ERR_LENGTH;
    };
    match bls::public_key(sk) {
        Ok(pk) => {
            out.copy_from_slice(&pk);
            OK
        }
        Err(e) => bls_status(e),
    }
}

/// sig[74] = sk * H(domain ‖ msg).
/// # Safety
/// Pointers must be valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn quil_bls_sign(
    sk: *const u8,
    sk_len: usize,
    domain: *const u8,
    domain_len: usize,
    msg: *const u8,
    msg_len: usize,
    sig_out: *mut u8,
    sig_len: usize,
) -> i32 {
    let (Some(sk), Some(d), Some(m), Some(out)) =
        (input(sk, sk_len), input(domain, domain_len), input(msg, msg_len), output(sig_out, sig_len, G1_BYTES))
    else {
        return ERR_LENGTH;
    };
    match bls::sign(sk, d, m) {
        Ok(s) => {
            out.copy_from_slice(&s);
            OK
        }
        Err(e) => bls_status(e),
    }
}

/// OK when sig is a valid signature of domain ‖ msg under pk, ERR_INVALID when it is not.
/// # Safety
/// Pointers must be valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn quil_bls_verify(
    pk: *const u8,
    pk_len: usize,
    sig: *const u8,
    sig_len: usize,
    domain: *const u8,
    domain_len: usize,
    msg: *const u8,
    msg_len: usize,
) -> i32 {
    let (Some(pk), Some(sig), Some(d), Some(m)) = (input(pk, pk_len), input(sig, sig_len), input(domain, domain_len), input(msg, msg_len)) else {
        return ERR_LENGTH;
    };
    match bls::verify(pk, sig, d, m) {
        Ok(v) => bool_status(v),
        Err(e) => bls_status(e),
    }
}

/// pop[74] = core_sign("BLS48_POP_SK" ‖ pk).
/// # Safety
/// Pointers must be valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn quil_bls_prove_possession(sk: *const u8, sk_len: usize, pop_out: *mut u8, pop_len: usize) -> i32 {
    let (Some(sk), Some(out)) = (input(sk, sk_len), output(pop_out, pop_len, G1_BYTES)) else {
        return ERR_LENGTH;
    };
    match bls::prove_possession(sk) {
        Ok(p) => {
            out.copy_from_slice(&p);
            OK
        }
        Err(e) => bls_status(e),
    }
}

/// # Safety
/// Pointers must be valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn quil_bls_verify_possession(pk: *const u8, pk_len: usize, pop: *const u8, pop_len: usize) -> i32 {
    let (Some(pk), Some(pop)) = (input(pk, pk_len), input(pop, pop_len)) else {
        return ERR_LENGTH;
    };
    match bls::verify_possession(pk, pop) {
        Ok(v) => bool_status(v),
        Err(e) => bls_status(e),
    }
}

/// Sums n public keys (n x 585) and n signatures (n x 74) into apk[585] and asig[74].
/// # Safety
/// Pointers must be valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn quil_bls_aggregate(
    pks: *const u8,
    pks_len: usize,
    sigs: *const u8,
    sigs_len: usize,
    apk_out: *mut u8,
    apk_len: usize,
    asig_out: *mut u8,
    asig_len: usize,
) -> i32 {
    let (Some(pks), Some(sigs), Some(apk_o), Some(asig_o)) =
        (input(pks, pks_len), input(sigs, sigs_len), output(apk_out, apk_len, G2_BYTES), output(asig_out, asig_len, G1_BYTES))
    else {
        return ERR_LENGTH;
    };
    let (Some(pk_list), Some(sig_list)) = (fixed_items(pks, G2_BYTES), fixed_items(sigs, G1_BYTES)) else {
        return ERR_LENGTH;
    };
    match bls::aggregate(&pk_list, &sig_list) {
        Ok((apk, asig)) => {
            apk_o.copy_from_slice(&apk);
            asig_o.copy_from_slice(&asig);
            OK
        }
        Err(e) => bls_status(e),
    }
}

/// Sum of public keys only: pks n x 585 -> apk 585.
/// # Safety
/// Pointers must be valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn quil_bls_aggregate_public_keys(pks: *const u8, pks_len: usize, apk_out: *mut u8, apk_len: usize) -> i32 {
    let (Some(pks), Some(apk_o)) = (input(pks, pks_len), output(apk_out, apk_len, G2_BYTES)) else {
        return ERR_LENGTH;
    };
    let Some(pk_list) = fixed_items(pks, G2_BYTES) else {
        return ERR_LENGTH;
    };
    match bls::aggregate_public_keys(&pk_list) {
        Ok(apk) => {
            apk_o.copy_from_slice(&apk);
            OK
        }
        Err(e) => bls_status(e),
    }
}

/// Sum of signatures only: sigs n x 74 -> asig 74.
/// # Safety
/// Pointers must be valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn quil_bls_aggregate_signatures(sigs: *const u8, sigs_len: usize, asig_out: *mut u8, asig_len: usize) -> i32 {
    let (Some(sigs), Some(asig_o)) = (input(sigs, sigs_len), output(asig_out, asig_len, G1_BYTES)) else {
        return ERR_LENGTH;
    };
    let Some(sig_list) = fixed_items(sigs, G1_BYTES) else {
        return ERR_LENGTH;
    };
    match bls::aggregate_signatures(&sig_list) {
        Ok(asig) => {
            asig_o.copy_from_slice(&asig);
            OK
        }
        Err(e) => bls_status(e),
    }
}

/// Aggregate signature over distinct messages: pks n x 585, msgs n x (u32_be len ‖ msg).
/// # Safety
/// Pointers must be valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn quil_bls_verify_multi_message(
    pks: *const u8,
    pks_len: usize,
    sig: *const u8,
    sig_len: usize,
    msgs: *const u8,
    msgs_len: usize,
    domain: *const u8,
    domain_len: usize,
) -> i32 {
    let (Some(pks), Some(sig), Some(msgs), Some(d)) = (input(pks, pks_len), input(sig, sig_len), input(msgs, msgs_len), input(domain, domain_len)) else {
        return ERR_LENGTH;
    };
    let (Some(pk_list), Some(msg_list)) = (fixed_items(pks, G2_BYTES), packed_items(msgs)) else {
        return ERR_LENGTH;
    };
    match bls::verify_multi_message(&pk_list, sig, &msg_list, d) {
        Ok(v) => bool_status(v),
        Err(e) => bls_status(e),
    }
}

/// OK when `p` decodes to a G1 point in the r-subgroup (74 bytes).
/// # Safety
/// Pointers must be valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn quil_bls_g1_check(p: *const u8, len: usize) -> i32 {
    let Some(b) = input(p, len) else { return ERR_LENGTH };
    if b.len() != G1_BYTES {
        return ERR_LENGTH;
    }
    match g1_from_bytes(b) {
        None => ERR_ENCODING,
        Some(pt) if g1_member(&pt) => OK,
        Some(_) => ERR_SUBGROUP,
    }
}

/// OK when `p` decodes to a G2 point in the r-subgroup (585 bytes).
/// # Safety
/// Pointers must be valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn quil_bls_g2_check(p: *const u8, len: usize) -> i32 {
    let Some(b) = input(p, len) else { return ERR_LENGTH };
    if b.len() != G2_BYTES {
        return ERR_LENGTH;
    }
    match g2_from_bytes(b) {
        None => ERR_ENCODING,
        Some(pt) if g2_member(&pt) => OK,
        Some(_) => ERR_SUBGROUP,
    }
}

/// commit[74] of data (64-byte big-endian evaluations, zero-padded) for poly_size in 16..256.
/// # Safety
/// Pointers must be valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn quil_kzg_commit(data: *const u8, data_len: usize, poly_size: u64, out: *mut u8, out_len: usize) -> i32 {
    let (Some(d), Some(o)) = (input(data, data_len), output(out, out_len, G1_BYTES)) else {
        return ERR_LENGTH;
    };
    match kzg::commit_raw(d, poly_size) {
        Ok(c) => {
            o.copy_from_slice(&c);
            OK
        }
        Err(e) => kzg_status(e),
    }
}

/// proof[74] opening the data polynomial at omega^index.
/// # Safety
/// Pointers must be valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn quil_kzg_prove(data: *const u8, data_len: usize, index: u64, poly_size: u64, out: *mut u8, out_len: usize) -> i32 {
    let (Some(d), Some(o)) = (input(data, data_len), output(out, out_len, G1_BYTES)) else {
        return ERR_LENGTH;
    };
    match kzg::prove_raw(d, index, poly_size) {
        Ok(p) => {
            o.copy_from_slice(&p);
            OK
        }
        Err(e) => kzg_status(e),
    }
}

/// OK when `proof` opens `commit` at omega^index to the evaluation `eval` (<= 64 bytes).
/// # Safety
/// Pointers must be valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn quil_kzg_verify(
    eval: *const u8,
    eval_len: usize,
    commit: *const u8,
    commit_len: usize,
    index: u64,
    proof: *const u8,
    proof_len: usize,
    poly_size: u64,
) -> i32 {
    let (Some(e), Some(c), Some(p)) = (input(eval, eval_len), input(commit, commit_len), input(proof, proof_len)) else {
        return ERR_LENGTH;
    };
    if e.len() > 73 || c.len() != G1_BYTES || p.len() != G1_BYTES {
        return ERR_LENGTH;
    }
    match kzg::verify_raw(e, c, index, p, poly_size) {
        Ok(v) => bool_status(v),
        Err(err) => kzg_status(err),
    }
}

/// Multiproof {d[74], proof[74]}: commitments n x 74, polys n x (u32_be len ‖ blob), indices n x u64 LE.
/// # Safety
/// Pointers must be valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn quil_kzg_prove_multiple(
    commits: *const u8,
    commits_len: usize,
    polys: *const u8,
    polys_len: usize,
    indices: *const u8,
    indices_len: usize,
    poly_size: u64,
    d_out: *mut u8,
    d_len: usize,
    proof_out: *mut u8,
    proof_len: usize,
) -> i32 {
    let (Some(c), Some(p), Some(i), Some(d_o), Some(p_o)) = (
        input(commits, commits_len),
        input(polys, polys_len),
        input(indices, indices_len),
        output(d_out, d_len, G1_BYTES),
        output(proof_out, proof_len, G1_BYTES),
    ) else {
        return ERR_LENGTH;
    };
    let (Some(cl), Some(pl), Some(il)) = (fixed_items(c, G1_BYTES), packed_items(p), u64_items(i)) else {
        return ERR_LENGTH;
    };
    match kzg::prove_multiple(&cl, &pl, &il, poly_size) {
        Ok(mp) => {
            d_o.copy_from_slice(&mp.d);
            p_o.copy_from_slice(&mp.proof);
            OK
        }
        Err(e) => kzg_status(e),
    }
}

/// OK when the multiproof (d, proof) opens every commitment i at omega^indices[i] to evals[i].
/// # Safety
/// Pointers must be valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn quil_kzg_verify_multiple(
    commits: *const u8,
    commits_len: usize,
    evals: *const u8,
    evals_len: usize,
    indices: *const u8,
    indices_len: usize,
    poly_size: u64,
    d: *const u8,
    d_len: usize,
    proof: *const u8,
    proof_len: usize,
) -> i32 {
    let (Some(c), Some(e), Some(i), Some(d), Some(p)) =
        (input(commits, commits_len), input(evals, evals_len), input(indices, indices_len), input(d, d_len), input(proof, proof_len))
    else {
        return ERR_LENGTH;
    };
    let (Some(cl), Some(el), Some(il)) = (fixed_items(c, G1_BYTES), packed_items(e), u64_items(i)) else {
        return ERR_LENGTH;
    };
    if d.len() != G1_BYTES || p.len() != G1_BYTES {
        return ERR_LENGTH;
    }
    match kzg::verify_multiple(&cl, &el, &il, poly_size, d, p) {
        Ok(v) => bool_status(v),
        Err(err) => kzg_status(err),
    }
}

/// out[74] = the commitment after replacing slot indices[k] (old[k] -> new[k]) of the committed
/// vector: commit + sum (new - old) L_i. indices n x u64 LE (distinct, < poly_size); old and new
/// n x 64-byte slots packed back to back; commit is 74 bytes (all zeros = the identity).
/// # Safety
/// Pointers must be valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn quil_kzg_update_commitment(
    commit: *const u8,
    commit_len: usize,
    indices: *const u8,
    indices_len: usize,
    old_slots: *const u8,
    old_len: usize,
    new_slots: *const u8,
    new_len: usize,
    poly_size: u64,
    out: *mut u8,
    out_len: usize,
) -> i32 {
    let (Some(c), Some(i), Some(o), Some(n), Some(dst)) = (
        input(commit, commit_len),
        input(indices, indices_len),
        input(old_slots, old_len),
        input(new_slots, new_len),
        output(out, out_len, G1_BYTES),
    ) else {
        return ERR_LENGTH;
    };
    let Some(il) = u64_items(i) else {
        return ERR_LENGTH;
    };
    if il.is_empty() || o.len() != il.len() * kzg::BYTES_PER_SCALAR || n.len() != o.len() {
        return ERR_LENGTH;
    }
    let ol: Vec<&[u8]> = o.chunks(kzg::BYTES_PER_SCALAR).collect();
    let nl: Vec<&[u8]> = n.chunks(kzg::BYTES_PER_SCALAR).collect();
    match kzg::update_commitment(c, &il, &ol, &nl, poly_size) {
        Ok(r) => {
            dst.copy_from_slice(&r);
            OK
        }
        Err(e) => kzg_status(e),
    }
}
