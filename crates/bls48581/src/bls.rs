//! The minimal-signature BLS scheme of the reference: signatures in G1 (74 bytes), public keys in
//! G2 (585 bytes), message = domain || msg, HKDF-SHA512 key generation, proof of possession.
use crate::field::Field;
use crate::groups::*;
use crate::hash::hash_to_g1;
use crate::mont::Fr;
use crate::pairing::{final_exp, generator_lines, lines_product_is_one, multi_miller_lines, G2Lines};
use crate::tower::Fp48;
use hkdf::Hkdf;
use sha2::Sha512;
use std::sync::{Arc, Mutex, OnceLock};

pub const SECRET_KEY_BYTES: usize = 73;
pub const POP_PREFIX: &[u8] = b"BLS48_POP_SK";
const KEYGEN_SALT: &[u8] = b"BLS-SIG-KEYGEN-SALT-";
/// L = ceil(3 * ceil(518 / 8) / 2) bytes of HKDF output per key.
const KEYGEN_OKM_BYTES: usize = 98;

#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum BlsError {
    /// A point or scalar did not decode (bad flag, coordinate >= p, not on the curve).
    Encoding,
    /// A point decoded but is the identity or outside the prime-order subgroup; or a zero key.
    Invalid,
    /// Mismatched list sizes or empty lists.
    Length,
}

pub struct KeyPair {
    pub secret_key: [u8; SECRET_KEY_BYTES],
    pub public_key: [u8; G2_BYTES],
}

/// sk = HKDF-SHA512(salt, IKM || 0x00, info = I2OSP(98, 2)) mod r; pk = sk * G2.
pub fn keygen(ikm: &[u8]) -> KeyPair {
    let mut aikm = ikm.to_vec();
    aikm.push(0);
    let hk = Hkdf::<Sha512>::new(Some(KEYGEN_SALT), &aikm);
    let mut okm = [0u8; KEYGEN_OKM_BYTES];
    hk.expand(&(KEYGEN_OKM_BYTES as u16).to_be_bytes(), &mut okm).expect("hkdf length");
    let sk = Fr::from_be_bytes_reduce(&okm);
    let pk = g2_generator().mul_limbs(&sk.to_scalar());
    KeyPair { secret_key: sk.to_be_bytes(), public_key: g2_to_bytes(&pk) }
}

/// Parses a 73-byte big-endian secret key (reduced mod r; zero rejected).
pub fn parse_secret_key(sk: &[u8]) -> Result<Fr, BlsError> {
    if sk.len() != SECRET_KEY_BYTES {
        return Err(BlsError::Length);
    }
    let s = Fr::from_be_bytes_reduce(sk);
    if s.is_zero() {
        return Err(BlsError::Invalid);
    }
    Ok(s)
}

pub fn public_key(sk: &[u8]) -> Result<[u8; G2_BYTES], BlsError> {
    let s = parse_secret_key(sk)?;
    Ok(g2_to_bytes(&g2_generator().mul_limbs(&s.to_scalar())))
}

/// core_sign: sk * H(message).
pub fn core_sign(sk: &[u8], message: &[u8]) -> Result<[u8; G1_BYTES], BlsError> {
    let s = parse_secret_key(sk)?;
    Ok(g1_to_bytes(&hash_to_g1(message).mul_limbs(&s.to_scalar())))
}

pub fn sign(sk: &[u8], domain: &[u8], msg: &[u8]) -> Result<[u8; G1_BYTES], BlsError> {
    core_sign(sk, &[domain, msg].concat())
}

/// A signature point on the curve (length, flag and coordinate checks only).
fn signature_point(sig: &[u8]) -> Result<G1, BlsError> {
    if sig.len() != G1_BYTES {
        return Err(BlsError::Length);
    }
    g1_from_bytes(sig).ok_or(BlsError::Encoding)
}

/// A public-key point on the twist (length, flag and coordinate checks only).
fn public_key_point(pk: &[u8]) -> Result<G2, BlsError> {
    if pk.len() != G2_BYTES {
        return Err(BlsError::Length);
    }
    g2_from_bytes(pk).ok_or(BlsError::Encoding)
}

fn in_g1(p: G1) -> Result<G1, BlsError> {
    if g1_member(&p) {
        Ok(p)
    } else {
        Err(BlsError::Invalid)
    }
}

fn in_g2(q: G2) -> Result<G2, BlsError> {
    if g2_member(&q) {
        Ok(q)
    } else {
        Err(BlsError::Invalid)
    }
}

pub fn decode_signature(sig: &[u8]) -> Result<G1, BlsError> {
    in_g1(signature_point(sig)?)
}

/// Public keys that decoded and passed the subgroup check, by their exact bytes, with their Miller
/// loop lines once a pairing has needed them. A verifier sees the same committee keys (and the
/// aggregate keys of recurring signer sets) again and again; the decoding (a square root in Fp8)
/// plus the subgroup check cost ~3 ms, and the key's share of the Miller loop (its twist-point
/// arithmetic) a few more. Only keys that passed are kept, so a hit returns exactly what decoding
/// would; the oldest entry goes first.
const CHECKED_KEYS_CAPACITY: usize = 64;
static CHECKED_KEYS: Mutex<Vec<Arc<CheckedKey>>> = Mutex::new(Vec::new());

struct CheckedKey {
    bytes: [u8; G2_BYTES],
    point: G2,
    lines: OnceLock<G2Lines>,
}

impl CheckedKey {
    fn lines(&self) -> &G2Lines {
        self.lines.get_or_init(|| G2Lines::new(&self.point))
    }
}

fn checked_key(pk: &[u8]) -> Option<Arc<CheckedKey>> {
    let keys = CHECKED_KEYS.lock().ok()?;
    keys.iter().find(|k| k.bytes[..] == pk[..]).cloned()
}

fn remember_checked_key(key: &Arc<CheckedKey>) {
    let Ok(mut keys) = CHECKED_KEYS.lock() else {
        return;
    };
    if keys.iter().any(|k| k.bytes == key.bytes) {
        return;
    }
    if keys.len() >= CHECKED_KEYS_CAPACITY {
        keys.remove(0);
    }
    keys.push(Arc::clone(key));
}

/// Decodes and subgroup-checks a public key (`CHECKED_KEYS` first).
fn checked_public_key(pk: &[u8]) -> Result<Arc<CheckedKey>, BlsError> {
    if let Some(k) = checked_key(pk) {
        return Ok(k);
    }
    let point = in_g2(public_key_point(pk)?)?;
    let bytes = <[u8; G2_BYTES]>::try_from(pk).map_err(|_| BlsError::Length)?;
    let key = Arc::new(CheckedKey { bytes, point, lines: OnceLock::new() });
    remember_checked_key(&key);
    Ok(key)
}

/// Decodes and subgroup-checks a public key (`CHECKED_KEYS` first).
pub fn decode_public_key(pk: &[u8]) -> Result<G2, BlsError> {
    checked_public_key(pk).map(|k| k.point)
}

/// core_verify: e(-sig, G2) * e(H(message), pk) = 1, with both points subgroup-checked.
/// Cheap encoding checks on both inputs run before either subgroup check.
pub fn core_verify(pk: &[u8], sig: &[u8], message: &[u8]) -> Result<bool, BlsError> {
    if sig.len() != G1_BYTES || pk.len() != G2_BYTES {
        return Err(BlsError::Length);
    }
    let s = signature_point(sig)?;
    // After the signature's encoding, before its subgroup check: the reference's order of failures.
    let key = checked_public_key(pk)?;
    let s = in_g1(s)?;
    let h = hash_to_g1(message);
    Ok(lines_product_is_one(&[(s.neg(), generator_lines()), (h, key.lines())]))
}

pub fn verify(pk: &[u8], sig: &[u8], domain: &[u8], msg: &[u8]) -> Result<bool, BlsError> {
    core_verify(pk, sig, &[domain, msg].concat())
}

pub fn prove_possession(sk: &[u8]) -> Result<[u8; G1_BYTES], BlsError> {
    let pk = public_key(sk)?;
    core_sign(sk, &[POP_PREFIX, &pk[..]].concat())
}

pub fn verify_possession(pk: &[u8], pop: &[u8]) -> Result<bool, BlsError> {
    core_verify(pk, pop, &[POP_PREFIX, pk].concat())
}

/// Sum of public keys and of signatures. Points must decode (on the curve); no subgroup check,
/// like the reference (verification checks the aggregate).
pub fn aggregate(pks: &[&[u8]], sigs: &[&[u8]]) -> Result<([u8; G2_BYTES], [u8; G1_BYTES]), BlsError> {
    if pks.len() != sigs.len() {
        return Err(BlsError::Length);
    }
    Ok((aggregate_public_keys(pks)?, aggregate_signatures(sigs)?))
}

/// Sum of public keys (at least one); an identity sum is refused.
pub fn aggregate_public_keys(pks: &[&[u8]]) -> Result<[u8; G2_BYTES], BlsError> {
    if pks.is_empty() {
        return Err(BlsError::Length);
    }
    let mut apk = G2::identity();
    for pk in pks {
        if pk.len() != G2_BYTES {
            return Err(BlsError::Length);
        }
        apk = apk.add(&g2_from_bytes(pk).ok_or(BlsError::Encoding)?);
    }
    if apk.is_identity() {
        return Err(BlsError::Invalid);
    }
    Ok(g2_to_bytes(&apk))
}

/// Sum of signatures (at least one); an identity sum is refused.
pub fn aggregate_signatures(sigs: &[&[u8]]) -> Result<[u8; G1_BYTES], BlsError> {
    if sigs.is_empty() {
        return Err(BlsError::Length);
    }
    let mut asig = G1::identity();
    for s in sigs {
        if s.len() != G1_BYTES {
            return Err(BlsError::Length);
        }
        asig = asig.add(&g1_from_bytes(s).ok_or(BlsError::Encoding)?);
    }
    if asig.is_identity() {
        return Err(BlsError::Invalid);
    }
    Ok(g1_to_bytes(&asig))
}

/// Below this many signers the work stays on the calling thread.
const PARALLEL_MIN_SIGNERS: usize = 8;

/// Decodes, subgroup-checks and hashes each (pk, msg) into a pairing input.
fn signer_pairs(pks: &[&[u8]], msgs: &[&[u8]], domain: &[u8]) -> Result<Vec<(G1, Arc<CheckedKey>)>, BlsError> {
    let mut out = Vec::with_capacity(pks.len());
    for (pk, m) in pks.iter().zip(msgs.iter()) {
        out.push((hash_to_g1(&[domain, m].concat()), checked_public_key(pk)?));
    }
    Ok(out)
}

/// Miller loops of the signer pairs, plus e(-sig, G2) when given.
fn signer_miller(pairs: &[(G1, Arc<CheckedKey>)], sig: Option<&G1>) -> Fp48 {
    let mut with_lines: Vec<(G1, &G2Lines)> = pairs.iter().map(|(h, k)| (*h, k.lines())).collect();
    if let Some(s) = sig {
        with_lines.push((s.neg(), generator_lines()));
    }
    multi_miller_lines(&with_lines)
}

/// Multi-message aggregate verify: e(-sig, G2) * prod_i e(H(domain || msg_i), pk_i) = 1.
/// With many signers the decoding, hashing and Miller loops are split over two threads (the
/// product of Miller loops is independent of how the pairs are grouped).
pub fn verify_multi_message(pks: &[&[u8]], sig: &[u8], msgs: &[&[u8]], domain: &[u8]) -> Result<bool, BlsError> {
    if pks.is_empty() || pks.len() != msgs.len() {
        return Err(BlsError::Length);
    }
    if pks.iter().any(|pk| pk.len() != G2_BYTES) {
        return Err(BlsError::Length);
    }
    let s = decode_signature(sig)?;
    if pks.len() < PARALLEL_MIN_SIGNERS {
        let pairs = signer_pairs(pks, msgs, domain)?;
        return Ok(final_exp(&signer_miller(&pairs, Some(&s))) == Fp48::one());
    }
    let mid = pks.len() / 2;
    let (f_a, f_b) = std::thread::scope(|scope| {
        let other = scope.spawn(|| signer_pairs(&pks[mid..], &msgs[mid..], domain).map(|p| signer_miller(&p, None)));
        let mine = signer_pairs(&pks[..mid], &msgs[..mid], domain).map(|p| signer_miller(&p, Some(&s)));
        (mine, other.join().unwrap_or(Err(BlsError::Length)))
    });
    let f = f_a?.mul(&f_b?);
    Ok(final_exp(&f) == Fp48::one())
}
