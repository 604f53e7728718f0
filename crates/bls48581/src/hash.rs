//! Hash to G1 as MIRACL's `bls_hash_to_point`: expand_message_xmd(SHA-512) into two 105-byte field
//! elements, Shallue-van de Woestijne (RFC 9380 section 6.6.1, Z = 2, sgn0 = parity) on each,
//! add, clear the cofactor with 1 - x, normalise.
use crate::field::Field;
use crate::groups::{G1, G1_COFACTOR};
use crate::mont::Fp;
use sha2::{Digest, Sha512};
use std::sync::OnceLock;

pub const DST_G1: &[u8] = b"BLS_SIG_ZZZG1_XMD:SHA-512_SVDW_RO_NUL_";
/// ceil((581 + 256) / 8): bytes per field element.
pub const FIELD_ELEMENT_BYTES: usize = 105;

/// RFC 9380 expand_message_xmd with SHA-512 (b = 64, r = 128).
pub fn expand_message_xmd(msg: &[u8], dst: &[u8], len: usize) -> Vec<u8> {
    let ell = len.div_ceil(64);
    assert!(ell <= 255 && dst.len() <= 255 && len <= 65535);
    let dst_prime: Vec<u8> = dst.iter().copied().chain(core::iter::once(dst.len() as u8)).collect();
    let mut h = Sha512::new();
    h.update([0u8; 128]);
    h.update(msg);
    h.update((len as u16).to_be_bytes());
    h.update([0u8]);
    h.update(&dst_prime);
    let b0 = h.finalize();
    let mut out = Vec::with_capacity(ell * 64);
    let mut prev = {
        let mut h = Sha512::new();
        h.update(b0);
        h.update([1u8]);
        h.update(&dst_prime);
        h.finalize()
    };
    out.extend_from_slice(&prev);
    for i in 2..=ell {
        let mut h = Sha512::new();
        let x: Vec<u8> = b0.iter().zip(prev.iter()).map(|(a, b)| a ^ b).collect();
        h.update(x);
        h.update([i as u8]);
        h.update(&dst_prime);
        prev = h.finalize();
        out.extend_from_slice(&prev);
    }
    out.truncate(len);
    out
}

pub fn hash_to_field(msg: &[u8], dst: &[u8], count: usize) -> Vec<Fp> {
    let bytes = expand_message_xmd(msg, dst, count * FIELD_ELEMENT_BYTES);
    bytes.chunks(FIELD_ELEMENT_BYTES).map(Fp::from_be_bytes_reduce).collect()
}

struct SvdwConsts {
    z: Fp,
    c1: Fp,
    c2: Fp,
    c3: Fp,
    c4: Fp,
}

fn svdw_consts() -> &'static SvdwConsts {
    static C: OnceLock<SvdwConsts> = OnceLock::new();
    C.get_or_init(|| {
        let z = Fp::from_u64(2);
        let g = |x: &Fp| x.sqr().mul(x).add(&Fp::one());
        let gz = g(&z);
        let three_z2 = z.sqr().mul(&Fp::from_u64(3));
        let c2 = z.half().neg();
        let mut c3 = gz.mul(&three_z2).neg().sqrt().expect("SvdW c3");
        if c3.sgn0() {
            c3 = c3.neg();
        }
        let c4 = gz.dbl().dbl().neg().mul(&three_z2.inv());
        SvdwConsts { z, c1: gz, c2, c3, c4 }
    })
}

/// Shallue-van de Woestijne map to E: y^2 = x^3 + 1.
pub fn map_to_curve_svdw(u: &Fp) -> G1 {
    let c = svdw_consts();
    let g = |x: &Fp| x.sqr().mul(x).add(&Fp::one());
    let tv1 = u.sqr().mul(&c.c1);
    let tv2 = Fp::one().add(&tv1);
    let tv1 = Fp::one().sub(&tv1);
    let tv3 = tv1.mul(&tv2).inv_vartime(); // the message is public
    let tv4 = u.mul(&tv1).mul(&tv3).mul(&c.c3);
    let x1 = c.c2.sub(&tv4);
    let x2 = c.c2.add(&tv4);
    let x3 = c.z.add(&c.c4.mul(&tv2.sqr().mul(&tv3).sqr()));
    // p = 3 mod 4: the candidate root g^((p+1)/4) squares back to g exactly when g is a square,
    // so one exponentiation both tests and extracts (the same root the Legendre test + sqrt gave).
    let (x, mut y) = if let Some(y) = g(&x1).sqrt() {
        (x1, y)
    } else if let Some(y) = g(&x2).sqrt() {
        (x2, y)
    } else {
        (x3, g(&x3).sqrt().expect("SvdW: g(x3) is square"))
    };
    if y.sgn0() != u.sgn0() {
        y = y.neg();
    }
    G1::from_affine(x, y)
}

/// MIRACL `bls_hash_to_point` with the BLS DST.
pub fn hash_to_g1(msg: &[u8]) -> G1 {
    let u = hash_to_field(msg, DST_G1, 2);
    let p = map_to_curve_svdw(&u[0]).add(&map_to_curve_svdw(&u[1]));
    p.mul_u64(G1_COFACTOR)
}
