use crate::curve::*;
use crate::field::Field;
use crate::groups::*;
use crate::mont::*;
use crate::params::*;
use crate::tower::*;

fn to_big(l: &[u64; 10]) -> Vec<u64> {
    l.to_vec()
}

#[test]
fn params_recomputed_from_x() {
    // p = (x-1)^2 r / 3 + x, r = x^16 - x^8 + 1 with x = -0x140000381, checked with u128-limb bignum.
    // Cheap check via field identities: r = 0 in Fr and p = 0 in Fp encodings.
    let x = Fr::from_u64(X_ABS).neg();
    let x8 = x.sqr().sqr().sqr();
    let r_in_fr = x8.sqr().sub(&x8).add(&Fr::one());
    assert!(r_in_fr.is_zero(), "r = x^16 - x^8 + 1");
    let xp = Fp::from_u64(X_ABS).neg();
    let xp8 = xp.sqr().sqr().sqr();
    let rp = xp8.sqr().sub(&xp8).add(&Fp::one());
    let xm1 = xp.sub(&Fp::one());
    let three_inv = Fp::from_u64(3).inv();
    let p_in_fp = xm1.sqr().mul(&rp).mul(&three_inv).add(&xp);
    assert!(p_in_fp.is_zero(), "p = (x-1)^2 r/3 + x");
    assert_eq!(to_big(&FP_MODULUS)[9], 0x12);
}

#[test]
fn fp_basic() {
    let a = Fp::from_u64(123456789);
    let b = Fp::from_u64(987654321);
    assert_eq!(a.mul(&b), Fp::from_u64(123456789u64 * 987654321u64));
    assert_eq!(a.mul(&a.inv()), Fp::one());
    assert_eq!(a.sub(&b).add(&b), a);
    assert_eq!(a.half().dbl(), a);
    let s = a.sqr();
    let r = s.sqrt().unwrap();
    assert!(r == a || r == a.neg());
    let bytes = a.to_be_bytes();
    assert_eq!(Fp::read_bytes(&bytes).unwrap(), a);
    assert_eq!(Fp::from_be_bytes_reduce(&bytes), a);
    let mut pm = [0u8; 73];
    Fp::from_u64(1).neg().write_bytes(&mut pm); // p - 1
    assert!(Fp::read_bytes(&pm).is_some());
    pm[72] = pm[72].wrapping_add(1); // p
    assert!(Fp::read_bytes(&pm).is_none());
}

fn sample_fp8(seed: u64) -> Fp8 {
    let f = |k: u64| Fp::from_u64(seed.wrapping_mul(1_000_003).wrapping_add(k * 7919)).pow(&[seed + k + 3]);
    Fp8::new(
        Fp4::new(Fp2::new(f(1), f(2)), Fp2::new(f(3), f(4))),
        Fp4::new(Fp2::new(f(5), f(6)), Fp2::new(f(7), f(8))),
    )
}

#[test]
fn tower_axioms() {
    let a = sample_fp8(5);
    let b = sample_fp8(9);
    let c = sample_fp8(13);
    assert_eq!(a.mul(&b), b.mul(&a));
    assert_eq!(a.mul(&b.add(&c)), a.mul(&b).add(&a.mul(&c)));
    assert_eq!(a.mul(&a.inv()), Fp8::one());
    assert_eq!(a.sqr(), a.mul(&a));
    let s = a.sqr().sqrt().unwrap();
    assert_eq!(s.sqr(), a.sqr());
    // Frobenius is the p-power map: check it is a ring homomorphism and has order 8 on Fp8.
    assert_eq!(a.mul(&b).frob(), a.frob().mul(&b.frob()));
    let mut f = a;
    for _ in 0..8 {
        f = f.frob();
    }
    assert_eq!(f, a);
    let e16 = Fp16::new(a, b);
    let d16 = Fp16::new(c, a);
    assert_eq!(e16.mul(&e16.inv()), Fp16::one());
    assert_eq!(e16.sqr(), e16.mul(&e16));
    let e48 = Fp48::new(e16, d16, Fp16::new(b, c));
    assert_eq!(e48.mul(&e48.inv()), Fp48::one());
    assert_eq!(e48.sqr(), e48.mul(&e48));
    let mut g = e48;
    for _ in 0..48 {
        g = g.frob();
    }
    assert_eq!(g, e48);
    assert_eq!(e48.mul(&e48).frob(), e48.frob().mul(&e48.frob()));
    // conj24 is the p^24 power; Granger-Scott squaring agrees on cyclotomic elements.
    let mut h = e48;
    for _ in 0..24 {
        h = h.frob();
    }
    assert_eq!(h, e48.conj24());
    let u = e48.conj24().mul(&e48.inv());
    let mut u8p = u;
    for _ in 0..8 {
        u8p = u8p.frob();
    }
    let cyc = u8p.mul(&u);
    assert_eq!(cyc.cyclotomic_sqr(), cyc.sqr());
}

#[test]
fn generators_on_curve_and_in_subgroup() {
    let g1 = g1_generator();
    assert!(g1_member(&g1));
    let g2 = g2_generator();
    assert!(g2.mul_limbs(&FR_MODULUS).is_identity());
    assert!(g2_member(&g2));
    let (x, y) = g2.to_affine().unwrap();
    assert!(G2::is_on_curve_affine(&x, &y));
    // Encodings round-trip.
    assert_eq!(g1_from_bytes(&g1_to_bytes(&g1)).unwrap().equals(&g1), true);
    assert_eq!(g2_from_bytes(&g2_to_bytes(&g2)).unwrap().equals(&g2), true);
    // A multiple is still in the group and differs.
    let p = g2.mul_limbs(&[12345]);
    assert!(g2_member(&p));
    assert!(!p.equals(&g2));
    let _ = Point::<Fp, G1Curve>::identity();
}

#[test]
fn pairing_bilinear_and_nondegenerate() {
    use crate::pairing::*;
    let g1 = g1_generator();
    let g2 = g2_generator();
    let e = pairing(&g1, &g2);
    assert!(e != Fp48::one(), "non-degenerate");
    let a = 0x1234_5678_9abc_u64;
    let b = 0xfedc_ba98_u64;
    let lhs = pairing(&g1.mul_limbs(&[a]), &g2.mul_limbs(&[b]));
    let rhs = e.pow(&[a]).pow(&[b]);
    assert_eq!(lhs, rhs, "e(aP, bQ) = e(P, Q)^(ab)");
    // e(aP, Q) e(-P, aQ) = 1
    assert!(pairing_product_is_one(&[(g1.mul_limbs(&[a]), g2), (g1.neg(), g2.mul_limbs(&[a]))]));
    assert!(!pairing_product_is_one(&[(g1.mul_limbs(&[a]), g2), (g1.neg(), g2.mul_limbs(&[a + 1]))]));
    // e(P,Q)^r = 1
    assert_eq!(e.pow(&FR_MODULUS), Fp48::one());
    // Signed-binary |x| used by the final exponentiation.
    assert_eq!((1u64 << 32) + (1 << 30) + (1 << 10) - (1 << 7) + 1, X_ABS);
}

pub(crate) fn vectors_dir() -> String {
    // The repository's copy (test/vectors, see its README); the env var overrides it.
    std::env::var("QUIL_CRYPTO_VECTORS")
        .unwrap_or_else(|_| format!("{}/../../test/vectors", env!("CARGO_MANIFEST_DIR")))
}

/// Extracts `"key":"value"` from a flat JSON object line.
pub(crate) fn json_str(line: &str, key: &str) -> Option<String> {
    let pat = format!("\"{}\"", key);
    let at = line.find(&pat)? + pat.len();
    let rest = line[at..].trim_start().strip_prefix(':')?.trim_start();
    let rest = rest.strip_prefix('"')?;
    Some(rest[..rest.find('"')?].to_string())
}

fn hx(s: &str) -> Vec<u8> {
    crate::groups::hex_decode(s).unwrap()
}

#[test]
fn bls_vectors_keygen_sign_pop_aggregate() {
    use crate::bls::*;
    let text = std::fs::read_to_string(format!("{}/bls48581_sign_kzg.jsonl", vectors_dir())).unwrap();
    let lines: Vec<&str> = text.lines().collect();
    let mut pks = vec![];
    let mut sigs = vec![];
    for line in &lines[..2] {
        let ikm = hx(&json_str(line, "ikm").unwrap());
        let kp = keygen(&ikm);
        assert_eq!(kp.secret_key.to_vec(), hx(&json_str(line, "sk").unwrap()), "sk");
        assert_eq!(kp.public_key.to_vec(), hx(&json_str(line, "pk").unwrap()), "pk");
        let domain = hx(&json_str(line, "domain").unwrap());
        let msg = hx(&json_str(line, "msg").unwrap());
        let sig = sign(&kp.secret_key, &domain, &msg).unwrap();
        assert_eq!(sig.to_vec(), hx(&json_str(line, "sig").unwrap()), "sig");
        let pop = prove_possession(&kp.secret_key).unwrap();
        assert_eq!(pop.to_vec(), hx(&json_str(line, "pop").unwrap()), "pop");
        assert_eq!(verify(&kp.public_key, &sig, &domain, &msg), Ok(true));
        assert_eq!(verify_possession(&kp.public_key, &pop), Ok(true));
        // Negative: wrong message, wrong domain, PoP is not a signature on the message.
        assert_eq!(verify(&kp.public_key, &sig, &domain, b"other"), Ok(false));
        assert_eq!(verify(&kp.public_key, &sig, b"appshard", &msg), Ok(false));
        assert_eq!(verify(&kp.public_key, &pop, &domain, &msg), Ok(false));
        pks.push(kp.public_key.to_vec());
        sigs.push(sig.to_vec());
    }
    // Wrong key.
    let domain = hx(&json_str(lines[0], "domain").unwrap());
    let msg = hx(&json_str(lines[0], "msg").unwrap());
    assert_eq!(verify(&pks[1], &sigs[0], &domain, &msg), Ok(false));
    let pkr: Vec<&[u8]> = pks.iter().map(|v| v.as_slice()).collect();
    let sgr: Vec<&[u8]> = sigs.iter().map(|v| v.as_slice()).collect();
    let (apk, asig) = aggregate(&pkr, &sgr).unwrap();
    assert_eq!(apk.to_vec(), hx(&json_str(lines[2], "aggregate_pk").unwrap()));
    assert_eq!(asig.to_vec(), hx(&json_str(lines[2], "aggregate_sig").unwrap()));
    // Same message: the aggregate verifies under the aggregate key and via multi-message verify.
    assert_eq!(verify(&apk, &asig, &domain, &msg), Ok(true));
    assert_eq!(verify_multi_message(&pkr, &asig, &[&msg, &msg], &domain), Ok(true));
    assert_eq!(verify_multi_message(&pkr, &asig, &[&msg, b"x"], &domain), Ok(false));
}

#[test]
fn bls_rejects_bad_points() {
    use crate::bls::*;
    let kp = keygen(&[7u8; 64]);
    let sig = sign(&kp.secret_key, b"global", b"m").unwrap();
    // Garbage flag, wrong lengths, x >= p.
    let mut bad = sig;
    bad[0] = 0x04;
    assert_eq!(verify(&kp.public_key, &bad, b"global", b"m"), Err(BlsError::Encoding));
    assert_eq!(verify(&kp.public_key, &sig[..73], b"global", b"m"), Err(BlsError::Length));
    let mut big = [0xffu8; 74];
    big[0] = 2;
    assert_eq!(verify(&kp.public_key, &big, b"global", b"m"), Err(BlsError::Encoding));
    // A curve point outside the r-subgroup: an unhashed SvdW output (cofactor not cleared).
    let raw = crate::hash::map_to_curve_svdw(&Fp::from_u64(5));
    assert!(!g1_member(&raw));
    let raw_bytes = g1_to_bytes(&raw);
    assert_eq!(verify(&kp.public_key, &raw_bytes, b"global", b"m"), Err(BlsError::Invalid));
    // G2 point off the subgroup: find x with a curve point, no cofactor clearing.
    let mut x = Fp8::one();
    let q = loop {
        let y2 = x.sqr().mul(&x).add(&<G2Curve as CurveParams<Fp8>>::b());
        if let Some(y) = y2.sqrt() {
            break G2::from_affine(x, y);
        }
        x = x.add(&Fp8::one());
    };
    assert!(!g2_member(&q));
    assert_eq!(verify(&g2_to_bytes(&q), &sig, b"global", b"m"), Err(BlsError::Invalid));
    // Identity encodings are rejected.
    assert_eq!(verify(&kp.public_key, &[0u8; 74], b"global", b"m"), Err(BlsError::Encoding));
}

#[test]
fn kzg_vectors() {
    use crate::kzg::*;
    let go = std::fs::read_to_string(format!("{}/bls48581_kzg_go_test.json", vectors_dir())).unwrap();
    let data = hx(&json_str(&go, "data").unwrap());
    let commit = commit_raw(&data, 64).unwrap();
    assert_eq!(commit.to_vec(), hx(&json_str(&go, "commit_raw").unwrap()));
    let proof = prove_raw(&data, 0, 64).unwrap();
    assert_eq!(proof.to_vec(), hx(&json_str(&go, "prove_raw_index0").unwrap()));
    assert_eq!(verify_raw(&data[..64], &commit, 0, &proof, 64), Ok(true));
    assert_eq!(verify_raw(&data[64..128], &commit, 0, &proof, 64), Ok(false));
    assert_eq!(verify_raw(&data[..64], &commit, 1, &proof, 64), Ok(false));

    let text = std::fs::read_to_string(format!("{}/bls48581_sign_kzg.jsonl", vectors_dir())).unwrap();
    let line = text.lines().nth(3).unwrap();
    let d16: Vec<u8> = (0..1024).map(|i| if i % 64 < 2 { 0 } else { (i % 251) as u8 }).collect();
    let c16 = commit_raw(&d16, 16).unwrap();
    assert_eq!(c16.to_vec(), hx(&json_str(line, "commit").unwrap()));
    let p3 = prove_raw(&d16, 3, 16).unwrap();
    assert_eq!(p3.to_vec(), hx(&json_str(line, "proof_index3").unwrap()));
    assert_eq!(verify_raw(&d16[3 * 64..4 * 64], &c16, 3, &p3, 16), Ok(true));
    // Root table sanity.
    let w = root_of_unity(16).unwrap();
    assert_eq!(w.pow(&[16]), Fr::one());
    assert!(w.pow(&[8]) != Fr::one());
    assert_eq!(commit_raw(&d16, 17), Err(KzgError::Length));
    assert_eq!(commit_raw(&vec![1u8; 64 * 17], 16), Err(KzgError::Length));
}

#[test]
fn kzg_multiproof_roundtrip() {
    use crate::kzg::*;
    let n = 16u64;
    let blobs: Vec<Vec<u8>> = (0..3u8).map(|k| (0..1024).map(|i| if i % 64 < 2 { 0 } else { (i as u8).wrapping_mul(k + 3) }).collect()).collect();
    let commits: Vec<[u8; 74]> = blobs.iter().map(|b| commit_raw(b, n).unwrap()).collect();
    let indices = [1u64, 5, 9];
    let cr: Vec<&[u8]> = commits.iter().map(|c| &c[..]).collect();
    let br: Vec<&[u8]> = blobs.iter().map(|b| &b[..]).collect();
    let mp = prove_multiple(&cr, &br, &indices, n).unwrap();
    let ys: Vec<&[u8]> = blobs.iter().zip(indices.iter()).map(|(b, &i)| &b[i as usize * 64..(i as usize + 1) * 64]).collect();
    assert_eq!(verify_multiple(&cr, &ys, &indices, n, &mp.d, &mp.proof), Ok(true));
    let wrong: Vec<&[u8]> = vec![ys[1], ys[0], ys[2]];
    assert_eq!(verify_multiple(&cr, &wrong, &indices, n, &mp.d, &mp.proof), Ok(false));
}

#[test]
#[ignore]
fn timing_breakdown() {
    use crate::pairing::*;
    use std::time::Instant;
    let g1 = g1_generator();
    let g2 = g2_generator();
    let t = |name: &str, n: u32, f: &mut dyn FnMut()| {
        let s = Instant::now();
        for _ in 0..n {
            f();
        }
        println!("{name}: {:.3} ms", s.elapsed().as_secs_f64() * 1000.0 / n as f64);
    };
    let a = Fp::from_u64(12345).inv();
    let b = Fp::from_u64(777).inv();
    t("fp mul x1000", 100, &mut || {
        let mut x = a;
        for _ in 0..1000 {
            x = x.mul(&b);
        }
        std::hint::black_box(x);
    });
    t("fp inv", 100, &mut || {
        std::hint::black_box(a.inv());
    });
    let f8 = sample_fp8(3);
    t("fp8 mul x100", 100, &mut || {
        let mut x = f8;
        for _ in 0..100 {
            x = x.mul(&f8);
        }
        std::hint::black_box(x);
    });
    let f48 = pairing(&g1, &g2);
    t("fp48 mul", 100, &mut || {
        std::hint::black_box(f48.mul(&f48));
    });
    t("fp48 sqr", 100, &mut || {
        std::hint::black_box(f48.sqr());
    });
    t("g1_member", 20, &mut || {
        std::hint::black_box(g1_member(&g1));
    });
    t("g2_member", 20, &mut || {
        std::hint::black_box(g2_member(&g2));
    });
    t("hash_to_g1", 20, &mut || {
        std::hint::black_box(crate::hash::hash_to_g1(b"abc"));
    });
    let enc = g2_to_bytes(&g2);
    t("g2 decode", 20, &mut || {
        std::hint::black_box(g2_from_bytes(&enc));
    });
    let m = multi_miller(&[(g1, g2), (g1.neg(), g2)]);
    t("miller x2", 10, &mut || {
        std::hint::black_box(multi_miller(&[(g1, g2), (g1.neg(), g2)]));
    });
    t("final_exp", 5, &mut || {
        std::hint::black_box(final_exp(&m));
    });
    let kp = crate::bls::keygen(&[1u8; 64]);
    let sig = crate::bls::sign(&kp.secret_key, b"d", b"m").unwrap();
    t("verify", 5, &mut || {
        std::hint::black_box(crate::bls::verify(&kp.public_key, &sig, b"d", b"m").unwrap());
    });
}

#[test]
fn vartime_inverse_matches() {
    for k in [1u64, 2, 3, 12345, u64::MAX] {
        let a = Fp::from_u64(k).pow(&[k ^ 0x5555]);
        assert_eq!(a.inv_vartime(), a.inv());
        assert_eq!(a.mul(&a.inv_vartime()), Fp::one());
    }
    let e = sample_fp8(11);
    assert_eq!(e.inv_vartime(), e.inv());
    assert_eq!(Fp::zero().inv_vartime(), Fp::zero());
}

#[test]
fn multi_message_verify_many_signers_uses_both_halves() {
    use crate::bls::*;
    let keys: Vec<KeyPair> = (0..10u8).map(|i| keygen(&[i + 1; 64])).collect();
    let msgs: Vec<Vec<u8>> = (0..10u8).map(|i| vec![i; 5]).collect();
    let sigs: Vec<[u8; 74]> = keys.iter().zip(msgs.iter()).map(|(k, m)| sign(&k.secret_key, b"d", m).unwrap()).collect();
    let pks: Vec<&[u8]> = keys.iter().map(|k| &k.public_key[..]).collect();
    let sr: Vec<&[u8]> = sigs.iter().map(|s| &s[..]).collect();
    let (_, asig) = aggregate(&pks, &sr).unwrap();
    let mr: Vec<&[u8]> = msgs.iter().map(|m| &m[..]).collect();
    assert_eq!(verify_multi_message(&pks, &asig, &mr, b"d"), Ok(true));
    // A wrong message in either half fails.
    for bad in [1usize, 8] {
        let mut m2 = mr.clone();
        m2[bad] = b"zzz";
        assert_eq!(verify_multi_message(&pks, &asig, &m2, b"d"), Ok(false));
    }
    // A malformed key in the spawned half is a typed error, not a crash.
    let mut bad_pk = keys[9].public_key;
    bad_pk[0] = 0x07;
    let mut p2 = pks.clone();
    p2[9] = &bad_pk;
    assert_eq!(verify_multi_message(&p2, &asig, &mr, b"d"), Err(BlsError::Encoding));
}

#[test]
#[ignore]
fn timing_aggregate64() {
    use crate::bls::*;
    let keys: Vec<KeyPair> = (0..64u8).map(|i| keygen(&[i + 1; 64])).collect();
    let msgs: Vec<Vec<u8>> = (0..64u8).map(|i| vec![i; 5]).collect();
    let sigs: Vec<[u8; 74]> = keys.iter().zip(msgs.iter()).map(|(k, m)| sign(&k.secret_key, b"d", m).unwrap()).collect();
    let pks: Vec<&[u8]> = keys.iter().map(|k| &k.public_key[..]).collect();
    let sr: Vec<&[u8]> = sigs.iter().map(|s| &s[..]).collect();
    let (_, asig) = aggregate(&pks, &sr).unwrap();
    let mr: Vec<&[u8]> = msgs.iter().map(|m| &m[..]).collect();
    let start = std::time::Instant::now();
    for _ in 0..3 {
        assert_eq!(verify_multi_message(&pks, &asig, &mr, b"d"), Ok(true));
    }
    println!("aggregate64: {:.1} ms", start.elapsed().as_secs_f64() * 1000.0 / 3.0);
}

#[test]
fn checked_key_cache_keeps_verdicts() {
    use crate::bls::*;
    // More distinct keys than the cache holds: decoding fills it and evicts the first keys; verdicts
    // are the same for a remembered key (the last), an evicted one (the first) and on repeats.
    let kps: Vec<KeyPair> = (0..70u8).map(|i| keygen(&[i, 0x5a, 3, 4])).collect();
    for k in &kps {
        assert_eq!(decode_public_key(&k.public_key).map(|q| g2_to_bytes(&q)), Ok(k.public_key));
        assert_eq!(decode_public_key(&k.public_key).map(|q| g2_to_bytes(&q)), Ok(k.public_key));
    }
    let sigs: Vec<[u8; G1_BYTES]> = kps.iter().map(|k| sign(&k.secret_key, b"d", b"m").unwrap()).collect();
    for i in [kps.len() - 1, 0] {
        for _ in 0..2 {
            assert_eq!(verify(&kps[i].public_key, &sigs[i], b"d", b"m"), Ok(true));
        }
        assert_eq!(verify(&kps[i].public_key, &sigs[1], b"d", b"m"), Ok(false));
    }
    // A key outside the subgroup is never remembered: rejected on every call.
    let mut x = Fp8::one().dbl();
    let q = loop {
        let y2 = x.sqr().mul(&x).add(&<G2Curve as CurveParams<Fp8>>::b());
        if let Some(y) = y2.sqrt() {
            break G2::from_affine(x, y);
        }
        x = x.add(&Fp8::one());
    };
    assert!(!g2_member(&q));
    for _ in 0..2 {
        assert_eq!(verify(&g2_to_bytes(&q), &sigs[0], b"d", b"m"), Err(BlsError::Invalid));
        assert_eq!(decode_public_key(&g2_to_bytes(&q)).err(), Some(BlsError::Invalid));
    }
}

#[test]
fn kzg_update_commitment_matches_fresh_commit() {
    use crate::groups::{g1_from_bytes, g1_to_bytes};
    use crate::kzg::*;
    // Deterministic xorshift so the test is reproducible without a rand dependency.
    let mut state = 0x9e37_79b9_7f4a_7c15u64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    let mut slots = vec![0u8; 64 * 64];
    for (i, b) in slots.iter_mut().enumerate() {
        *b = if i % 7 == 0 { 0 } else { next() as u8 };
    }
    let mut c = commit_raw(&slots, 64).unwrap();
    for round in 0..4 {
        // 1, 3, 9 and 27 changed slots, some set to zero (an emptied child) and some from zero.
        let k = [1usize, 3, 9, 27][round];
        let mut idx: Vec<u64> = Vec::new();
        while idx.len() < k {
            let i = next() % 64;
            if !idx.contains(&i) {
                idx.push(i);
            }
        }
        let olds: Vec<Vec<u8>> = idx.iter().map(|&i| slots[i as usize * 64..i as usize * 64 + 64].to_vec()).collect();
        for (n, &i) in idx.iter().enumerate() {
            let s = &mut slots[i as usize * 64..i as usize * 64 + 64];
            for b in s.iter_mut() {
                *b = if n % 4 == 3 { 0 } else { next() as u8 };
            }
        }
        let news: Vec<Vec<u8>> = idx.iter().map(|&i| slots[i as usize * 64..i as usize * 64 + 64].to_vec()).collect();
        let o: Vec<&[u8]> = olds.iter().map(|v| v.as_slice()).collect();
        let n: Vec<&[u8]> = news.iter().map(|v| v.as_slice()).collect();
        c = update_commitment(&c, &idx, &o, &n, 64).unwrap();
        assert_eq!(c, commit_raw(&slots, 64).unwrap(), "round {round}");
    }
    // The msm path (other poly sizes) agrees with a fresh commit too.
    let small: Vec<u8> = (0..16 * 64).map(|_| next() as u8).collect();
    let cs = commit_raw(&small, 16).unwrap();
    let mut small2 = small.clone();
    small2[3 * 64..4 * 64].copy_from_slice(&slots[..64]);
    let up = update_commitment(&cs, &[3], &[&small[3 * 64..4 * 64]], &[&slots[..64]], 16).unwrap();
    assert_eq!(up, commit_raw(&small2, 16).unwrap());
    // Decoding without the point cache (a fresh decode) gives the same point as the cache.
    let fresh = g1_from_bytes(&c).unwrap();
    assert_eq!(g1_to_bytes(&fresh), c);
    // From and back to the all-zero vector (the identity commitment).
    let zero = vec![0u8; 64];
    let z = commit_raw(&[], 64).unwrap();
    let one = update_commitment(&z, &[5], &[&zero], &[&slots[..64]], 64).unwrap();
    let mut v = vec![0u8; 64 * 64];
    v[5 * 64..6 * 64].copy_from_slice(&slots[..64]);
    assert_eq!(one, commit_raw(&v, 64).unwrap());
    assert_eq!(update_commitment(&one, &[5], &[&slots[..64]], &[&zero], 64).unwrap(), z);
    // Rejections: duplicate index, index out of range, short slot, bad poly size, bad point.
    assert_eq!(update_commitment(&c, &[1, 1], &[&zero, &zero], &[&zero, &zero], 64), Err(KzgError::Length));
    assert_eq!(update_commitment(&c, &[64], &[&zero], &[&zero], 64), Err(KzgError::Length));
    assert_eq!(update_commitment(&c, &[1], &[&zero[..63]], &[&zero], 64), Err(KzgError::Length));
    assert_eq!(update_commitment(&c, &[1], &[&zero], &[&zero], 48), Err(KzgError::Length));
    let mut bad = c;
    bad[0] = 0x07;
    assert_eq!(update_commitment(&bad, &[1], &[&zero], &[&zero], 64), Err(KzgError::Encoding));
}

#[test]
fn fixed_base_matches_double_and_add() {
    use crate::fixed_base::FixedBase;
    use crate::groups::{g1_generator, g1_to_bytes};
    use crate::mont::Fr;
    let g = g1_generator().mul_u64(12345);
    let t = FixedBase::new(&g);
    let acc = g1_generator().mul_u64(7);
    // Small, random-looking, all-ones and r - 1 scalars (the recoding's carry edge cases).
    let mut ks = vec![Fr::from_u64(1), Fr::from_u64(16), Fr::from_u64(17), Fr::from_u64(31), Fr::zero().sub(&Fr::one())];
    ks.push(Fr::from_be_bytes_reduce(&[0xffu8; 64]));
    ks.push(Fr::from_be_bytes_reduce(&(0..64u8).map(|i| i.wrapping_mul(97)).collect::<Vec<_>>()));
    for k in ks {
        let l = k.to_limbs();
        assert_eq!(g1_to_bytes(&t.mul_add(&acc, &l)), g1_to_bytes(&acc.add(&g.mul_limbs(&l))));
    }
}

/// Schoolbook/Karatsuba products on fully reduced Montgomery multiplications (the tower as it was
/// before lazy reduction), to check `wide` against.
fn ref_quad<B: Field>(a0: &B, a1: &B, b0: &B, b1: &B, mul: &dyn Fn(&B, &B) -> B, nr: &dyn Fn(&B) -> B) -> (B, B) {
    let t0 = mul(a0, b0);
    let t1 = mul(a1, b1);
    let s = mul(&a0.add(a1), &b0.add(b1));
    (t0.add(&nr(&t1)), s.sub(&t0).sub(&t1))
}
fn ref_fp2(a: &Fp2, b: &Fp2) -> Fp2 {
    let (c0, c1) = ref_quad(&a.c0, &a.c1, &b.c0, &b.c1, &|x, y| x.mul(y), &|x| x.neg());
    Fp2::new(c0, c1)
}
fn ref_fp4(a: &Fp4, b: &Fp4) -> Fp4 {
    let (c0, c1) = ref_quad(&a.c0, &a.c1, &b.c0, &b.c1, &ref_fp2, &|x| Fp2::new(x.c1.sub(&x.c0), x.c0.add(&x.c1).neg()));
    Fp4::new(c0, c1)
}
fn ref_fp8(a: &Fp8, b: &Fp8) -> Fp8 {
    let (c0, c1) = ref_quad(&a.c0, &a.c1, &b.c0, &b.c1, &ref_fp4, &|x| x.mul_u().neg());
    Fp8::new(c0, c1)
}
fn ref_fp16(a: &Fp16, b: &Fp16) -> Fp16 {
    let (c0, c1) = ref_quad(&a.c0, &a.c1, &b.c0, &b.c1, &ref_fp8, &|x| x.mul_u().neg());
    Fp16::new(c0, c1)
}

#[test]
fn compressed_squaring_exponentiation_matches_granger_scott() {
    use crate::pairing::{exp_x, exp_x_gs};
    let (a, b, c) = (sample_fp8(31), sample_fp8(32), sample_fp8(33));
    let e = Fp48::new(Fp16::new(a, b), Fp16::new(c, a.sqr()), Fp16::new(b.sqr(), c.sqr()));
    // e^((p^24 - 1)(p^8 + 1)) lies in the cyclotomic subgroup.
    let u = e.conj24().mul(&e.inv());
    let cyc = crate::pairing::frob_pow(&u, 8).mul(&u);
    assert_eq!(cyc.cyclotomic_sqr(), cyc.sqr());
    let mut v = cyc;
    for _ in 0..3 {
        assert_eq!(exp_x(&v), exp_x_gs(&v));
        v = exp_x(&v).mul(&cyc);
    }
    // One (g2 = 0) cannot be decompressed: the Granger-Scott fallback answers.
    let s_elem = Fp48::new(Fp16::new(Fp8::zero(), Fp8::one()), Fp16::zero(), Fp16::zero());
    let w = s_elem.conj24().mul(&s_elem.inv());
    let w = crate::pairing::frob_pow(&w, 8).mul(&w);
    assert_eq!(exp_x(&w), exp_x_gs(&w));
}

#[test]
fn one_pass_frobenius_matches_repeated() {
    use crate::pairing::{frob_n, frob_pow};
    let (a, b, c) = (sample_fp8(21), sample_fp8(22), sample_fp8(23));
    let e = Fp48::new(Fp16::new(a, b), Fp16::new(c, a.sqr()), Fp16::new(b.sqr(), c.sqr()));
    for n in [1usize, 2, 3, 4, 8] {
        assert_eq!(frob_pow(&e, n), frob_n(&e, n), "p^{n}");
    }
}

#[test]
fn wide_kernels_match_schoolbook() {
    use crate::wide::{mul_wide, redc, Wide};
    // Operand-scanning reference product.
    let school = |a: &[u64; 10], b: &[u64; 10]| {
        let mut t = [0u64; 20];
        for i in 0..10 {
            let mut c = 0u64;
            for j in 0..10 {
                let v = t[i + j] as u128 + (a[i] as u128) * (b[j] as u128) + c as u128;
                t[i + j] = v as u64;
                c = (v >> 64) as u64;
            }
            t[i + 10] = c;
        }
        t
    };
    let mut pp = school(&FP_MODULUS, &FP_MODULUS);
    for i in (0..20).rev() {
        pp[i] = (pp[i] << 30) | if i > 0 { pp[i - 1] >> 34 } else { 0 };
    }
    assert_eq!(crate::kernels::BIAS, pp, "BIAS = 2^30 p^2");
    let ones = [u64::MAX; 10];
    let vals = [sample_fp8(4).c0.c0.c0.0, sample_fp8(6).c1.c1.c1.0, FP_MODULUS, ones, [0u64; 10]];
    for a in &vals {
        for b in &vals {
            assert_eq!(mul_wide(a, b).0, school(a, b));
            let mut o = [0u64; 20];
            crate::kernels::mul_wide_portable(a, b, &mut o);
            assert_eq!(o, school(a, b));
            #[cfg(target_arch = "x86_64")]
            if std::is_x86_feature_detected!("bmi2") && std::is_x86_feature_detected!("adx") {
                let mut o = [7u64; 20];
                crate::kernels::mul_wide_adx(a, b, &mut o);
                assert_eq!(o, school(a, b), "mulx kernel");
                // Both reductions of a (non-negative, below p 2^640) product agree.
                let mut s = school(a, b);
                if s[19] < 0x12 {
                    let portable = crate::kernels::redc_portable(&s);
                    assert_eq!(crate::kernels::redc_adx(&mut s), portable, "mulx reduction");
                }
            }
            // Reduction of a product of canonical values is the Montgomery product.
            if a != &ones && b != &ones && a != &FP_MODULUS && b != &FP_MODULUS {
                assert_eq!(redc(&mul_wide(a, b)), Fp(*a).mul(&Fp(*b)));
                // Negative wide values (two's complement) reduce to the negated product.
                let neg = Wide([0; 20]);
                let mut n = neg;
                n.sub_assign(&mul_wide(a, b));
                assert_eq!(redc(&n), Fp(*a).mul(&Fp(*b)).neg());
            }
        }
    }
}

#[test]
fn lazy_reduction_matches_reduced_products() {
    // Random-looking and extreme (p - 1 everywhere: the largest raw inputs) operands.
    let pm1 = Fp::one().neg();
    let f2 = Fp2::new(pm1, pm1);
    let f4 = Fp4::new(f2, f2);
    let big = Fp8::new(f4, f4);
    let samples = [sample_fp8(1), sample_fp8(2), sample_fp8(3), big, Fp8::zero(), Fp8::one()];
    for a in &samples {
        for b in &samples {
            assert_eq!(a.c0.c0.mul(&b.c0.c0), ref_fp2(&a.c0.c0, &b.c0.c0));
            assert_eq!(a.c0.mul(&b.c0), ref_fp4(&a.c0, &b.c0));
            assert_eq!(a.mul(b), ref_fp8(a, b));
            let (x, y) = (Fp16::new(*a, *b), Fp16::new(*b, a.add(b)));
            assert_eq!(x.mul(&y), ref_fp16(&x, &y));
            assert_eq!(x.sqr(), ref_fp16(&x, &x));
        }
        assert_eq!(a.sqr(), ref_fp8(a, a));
        assert_eq!(a.c0.sqr(), ref_fp4(&a.c0, &a.c0));
    }
}

/// CPU time of this thread (the machine is shared: wall time includes other processes' turns).
fn thread_cpu_seconds() -> f64 {
    #[repr(C)]
    struct Timespec {
        sec: i64,
        nsec: i64,
    }
    extern "C" {
        fn clock_gettime(clk: i32, ts: *mut Timespec) -> i32;
    }
    let mut ts = Timespec { sec: 0, nsec: 0 };
    // CLOCK_THREAD_CPUTIME_ID = 3 on Linux.
    unsafe { clock_gettime(3, &mut ts) };
    ts.sec as f64 + ts.nsec as f64 * 1e-9
}

/// `cargo test --release -p quil-bls48581 timing_cpu -- --ignored --nocapture`: CPU ms per operation
/// (best of 5 rounds).
#[test]
#[ignore]
fn timing_cpu() {
    use crate::pairing::*;
    let g1 = g1_generator();
    let g2 = g2_generator();
    let t = |name: &str, n: u32, f: &mut dyn FnMut()| {
        let mut best = f64::MAX;
        for _ in 0..5 {
            let s = thread_cpu_seconds();
            for _ in 0..n {
                f();
            }
            best = best.min((thread_cpu_seconds() - s) * 1000.0 / n as f64);
        }
        println!("{name}: {best:.4} ms");
    };
    let a = Fp::from_u64(12345).inv();
    let b = Fp::from_u64(777).inv();
    t("fp mul x1000", 20, &mut || {
        let mut x = a;
        for _ in 0..1000 {
            x = x.mul(&b);
        }
        std::hint::black_box(x);
    });
    let f8 = sample_fp8(3);
    t("fp8 mul x100", 20, &mut || {
        let mut x = f8;
        for _ in 0..100 {
            x = x.mul(&f8);
        }
        std::hint::black_box(x);
    });
    t("fp8 mul (unlazy reference) x100", 20, &mut || {
        let mut x = f8;
        for _ in 0..100 {
            x = ref_fp8(&x, &f8);
        }
        std::hint::black_box(x);
    });
    let (wa, wb) = (a.0, b.0);
    t("mul_wide x1000", 20, &mut || {
        for _ in 0..1000 {
            std::hint::black_box(crate::wide::mul_wide(std::hint::black_box(&wa), &wb));
        }
    });
    let w = crate::wide::mul_wide(&wa, &wb);
    t("redc x1000", 20, &mut || {
        for _ in 0..1000 {
            std::hint::black_box(crate::wide::redc(std::hint::black_box(&w)));
        }
    });
    let f16 = Fp16::new(f8, f8.sqr());
    t("fp16 mul x100", 20, &mut || {
        let mut x = f16;
        for _ in 0..100 {
            x = x.mul(&f16);
        }
        std::hint::black_box(x);
    });
    t("fp16 mul (unlazy reference) x100", 20, &mut || {
        let mut x = f16;
        for _ in 0..100 {
            x = ref_fp16(&x, &f16);
        }
        std::hint::black_box(x);
    });
    t("fp8 sqr x100", 20, &mut || {
        let mut x = f8;
        for _ in 0..100 {
            x = x.sqr();
        }
        std::hint::black_box(x);
    });
    let f48 = pairing(&g1, &g2);
    t("fp48 mul", 50, &mut || {
        std::hint::black_box(f48.mul(&f48));
    });
    t("fp48 cyclotomic sqr", 50, &mut || {
        std::hint::black_box(f48.cyclotomic_sqr());
    });
    t("g1_member", 5, &mut || {
        std::hint::black_box(g1_member(&g1));
    });
    t("hash_to_g1", 5, &mut || {
        std::hint::black_box(crate::hash::hash_to_g1(b"abc"));
    });
    let m = multi_miller(&[(g1, g2), (g1.neg(), g2)]);
    t("miller x2", 3, &mut || {
        std::hint::black_box(multi_miller(&[(g1, g2), (g1.neg(), g2)]));
    });
    let gl = crate::pairing::generator_lines();
    t("miller x2 (cached lines)", 3, &mut || {
        std::hint::black_box(multi_miller_lines(&[(g1, gl), (g1.neg(), gl)]));
    });
    assert_eq!(multi_miller_lines(&[(g1, gl), (g1.neg(), gl)]), m);
    t("final_exp", 2, &mut || {
        std::hint::black_box(final_exp(&m));
    });
    let kp = crate::bls::keygen(&[1u8; 64]);
    let sig = crate::bls::sign(&kp.secret_key, b"d", b"m").unwrap();
    t("sign", 3, &mut || {
        std::hint::black_box(crate::bls::sign(&kp.secret_key, b"d", b"m").unwrap());
    });
    t("verify (cached key)", 2, &mut || {
        assert_eq!(crate::bls::verify(&kp.public_key, &sig, b"d", b"m"), Ok(true));
    });
}

/// For `perf stat -e instructions:u,cycles:u <test binary> verify_repeat --ignored`: 20 signature
/// checks with a remembered key (instruction counts do not depend on the machine's load).
#[test]
#[ignore]
fn verify_repeat() {
    let kp = crate::bls::keygen(&[1u8; 64]);
    let sig = crate::bls::sign(&kp.secret_key, b"d", b"m").unwrap();
    assert_eq!(crate::bls::verify(&kp.public_key, &sig, b"d", b"m"), Ok(true));
    let start = thread_cpu_seconds();
    for _ in 0..20 {
        assert_eq!(crate::bls::verify(&kp.public_key, &sig, b"d", b"m"), Ok(true));
    }
    println!("verify: {:.2} ms CPU", (thread_cpu_seconds() - start) * 1000.0 / 20.0);
}

/// As `verify_repeat`, for signing.
#[test]
#[ignore]
fn sign_repeat() {
    let kp = crate::bls::keygen(&[1u8; 64]);
    let start = thread_cpu_seconds();
    for _ in 0..50 {
        std::hint::black_box(crate::bls::sign(&kp.secret_key, b"d", b"m").unwrap());
    }
    println!("sign: {:.3} ms CPU", (thread_cpu_seconds() - start) * 1000.0 / 50.0);
}

#[test]
fn kzg_commit_raw_table_path_matches_msm() {
    use crate::kzg::*;
    let go = std::fs::read_to_string(format!("{}/bls48581_kzg_go_test.json", vectors_dir())).unwrap();
    let data = hx(&json_str(&go, "data").unwrap());
    warm_lagrange64().unwrap();
    // The reference vector through the table path.
    assert_eq!(commit_raw(&data, 64).unwrap().to_vec(), hx(&json_str(&go, "commit_raw").unwrap()));
    let mut state = 0x2545_f491_4f6c_dd1du64;
    let mut next = move || {
        state ^= state << 13;
        state ^= state >> 7;
        state ^= state << 17;
        state
    };
    // Sparse (a token record's 7-12 slots), dense, short (zero-padded), all-zero and all-0xff slots
    // (read mod r), each equal to the msm's commitment.
    for round in 0..6 {
        let mut slots = vec![0u8; 64 * 64];
        for i in 0..64 {
            let used = match round {
                0 => i < 7 || i == 63,
                1 => next() % 5 == 0,
                2 => true,
                3 => false,
                _ => i % 9 == 0,
            };
            if used {
                for b in &mut slots[i * 64..(i + 1) * 64] {
                    *b = if round == 5 { 0xff } else { next() as u8 };
                }
            }
        }
        assert_eq!(commit_raw(&slots, 64).unwrap(), commit_raw_by_msm(&slots, 64).unwrap(), "round {round}");
        // Again: every slot term now comes from the memo.
        assert_eq!(commit_raw(&slots, 64).unwrap(), commit_raw_by_msm(&slots, 64).unwrap(), "memo round {round}");
        // One slot changed: the other terms are hits, the changed one a miss.
        let mut moved = slots.clone();
        moved[64 * 3] ^= 0x5a;
        assert_eq!(commit_raw(&moved, 64).unwrap(), commit_raw_by_msm(&moved, 64).unwrap(), "one changed {round}");
        assert_eq!(commit_raw(&slots[..64 * 13 + 5], 64).unwrap(), commit_raw_by_msm(&slots[..64 * 13 + 5], 64).unwrap(), "short {round}");
    }
}
