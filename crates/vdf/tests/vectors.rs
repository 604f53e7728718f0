//! Cross-checks against the repository's crypto vectors (test/vectors; QUIL_CRYPTO_VECTORS overrides).
use quil_vdf::discriminant::{create_discriminant, random_bytes_from_seed};
use quil_vdf::form::{form_bytes, Ctx, Form, Group};
use quil_vdf::gmp::Mpz;
use quil_vdf::reference::create_discriminant_reference;
use quil_vdf::wesolowski::{self, Never};
use std::path::PathBuf;

/// A vector file from test/vectors; a missing file fails the test (never a silent pass).
fn vectors(name: &str) -> String {
    let dir = std::env::var("QUIL_CRYPTO_VECTORS")
        .map(PathBuf::from)
        .unwrap_or_else(|_| PathBuf::from(env!("CARGO_MANIFEST_DIR")).join("../../test/vectors"));
    let p = dir.join(name);
    std::fs::read_to_string(&p).unwrap_or_else(|e| panic!("{}: {e}", p.display()))
}

fn dec(s: &str) -> Mpz {
    let (neg, digits) = s.strip_prefix('-').map(|d| (true, d)).unwrap_or((false, s));
    let mut r = Mpz::new();
    let ten = Mpz::from_i64(10);
    for ch in digits.trim().bytes() {
        r.mul_assign(&ten);
        r.add_ui(&r.clone(), (ch - b'0') as u64);
    }
    if neg {
        r.neg_assign();
    }
    r
}

fn field<'a>(json: &'a str, key: &str) -> &'a str {
    let k = format!("\"{key}\":");
    let i = json.find(&k).expect(key) + k.len();
    let rest = json[i..].trim_start();
    if let Some(r) = rest.strip_prefix('"') {
        &r[..r.find('"').unwrap()]
    } else {
        let end = rest.find([',', '}']).unwrap();
        &rest[..end]
    }
}

fn hex(s: &str) -> Vec<u8> {
    (0..s.len()).step_by(2).map(|i| u8::from_str_radix(&s[i..i + 2], 16).unwrap()).collect()
}

#[test]
fn discriminants() {
    let j = vectors("vdf_discriminants.json");
    assert_eq!(random_bytes_from_seed(&[0xaa], 7), hex(field(&j, "random_bytes_from_seed(aa,7)")));
    for bits in [40u16, 1024, 2048] {
        let want = dec(field(&j, &format!("disc(aa,{bits})")));
        assert_eq!(create_discriminant(&[0xaa], bits), want, "bits {bits}");
        assert_eq!(create_discriminant_reference(&[0xaa], bits), want, "reference search, bits {bits}");
    }
}

fn form(g: &Group, s: &str) -> Form {
    let v: Vec<Mpz> = s.split(',').map(dec).collect();
    let f = Form { a: v[0].clone(), b: v[1].clone(), c: v[2].clone() };
    assert_eq!(g.from_ab(f.a.clone(), f.b.clone()).unwrap(), f);
    f
}

/// One `a,b,c|a,b,c|a,b,c` line: its group (D = b² − 4ac of the first form) and the three forms.
fn multiply_line(line: &str) -> (Group, Form, Form, Form) {
    let parts: Vec<&str> = line.split('|').collect();
    let v: Vec<Mpz> = parts[0].split(',').map(dec).collect();
    let mut d = Mpz::new();
    d.mul(&v[1], &v[1]);
    let mut ac = Mpz::new();
    ac.mul(&v[0], &v[2]);
    ac.shl_assign(2);
    d.sub_assign(&ac);
    let g = Group::new(d);
    let (f1, f2, f3) = (form(&g, parts[0]), form(&g, parts[1]), form(&g, parts[2]));
    (g, f1, f2, f3)
}

#[test]
fn classgroup_multiply() {
    let txt = vectors("classgroup_multiply.txt");
    let mut ctx = Ctx::new();
    for line in txt.lines().filter(|l| !l.is_empty()) {
        let (g, f1, f2, f3) = multiply_line(line);
        assert_eq!(ctx.mul_slow(&g, &f1, &f2), f3, "slow");
        assert_eq!(ctx.mul(&g, &f1, &f2), f3, "nucomp");
        assert_eq!(ctx.mul(&g, &f2, &f1), f3, "nucomp swapped");
        let mut sq = f1.clone();
        ctx.square(&g, &mut sq);
        assert_eq!(sq, ctx.mul_slow(&g, &f1, &f1), "square");
        assert_eq!(ctx.mul(&g, &f1, &f1), sq, "nucomp square");
    }
}

#[test]
fn random_products_agree() {
    let (g, x) = wesolowski::setup(b"random-products");
    let mut ctx = Ctx::new();
    let mut forms = vec![x.clone()];
    let mut f = x.clone();
    for i in 0..200 {
        ctx.square(&g, &mut f);
        if i % 3 == 0 {
            f = ctx.mul(&g, &f, &x);
        }
        forms.push(f.clone());
    }
    // small-a forms too: powers of (2,1,c) times each other exercise gcd(a1,a2) > 1
    for i in 0..forms.len() {
        for j in [0usize, 1, 2, 7, i / 2] {
            let (a, b) = (&forms[i], &forms[j]);
            assert_eq!(ctx.mul(&g, a, b), ctx.mul_slow(&g, a, b), "i={i} j={j}");
        }
    }
    let e = Mpz::from_i64(12345);
    let p = ctx.pow(&g, &x, &e);
    let mut acc = g.identity();
    for _ in 0..12345 {
        acc = ctx.mul_slow(&g, &acc, &x);
    }
    assert_eq!(p, acc);
}

#[test]
fn wesolowski_lines() {
    let txt = vectors("vdf_wesolowski_2048.jsonl");
    for line in txt.lines().filter(|l| !l.is_empty()) {
        if line.contains("multi_challenge") {
            let ch = hex(field(line, "multi_challenge"));
            let t: u32 = field(line, "difficulty").parse().unwrap();
            let ids_part = &line[line.find("\"ids\":[").unwrap() + 7..];
            let ids: Vec<Vec<u8>> = ids_part[..ids_part.find(']').unwrap()].split(',').map(|s| hex(s.trim_matches('"'))).collect();
            let blobs_part = &line[line.find("\"blobs\":[").unwrap() + 9..];
            let blobs: Vec<Vec<u8>> = blobs_part[..blobs_part.find(']').unwrap()].split(',').map(|s| hex(s.trim_matches('"'))).collect();
            let id_refs: Vec<&[u8]> = ids.iter().map(|v| v.as_slice()).collect();
            let blob_refs: Vec<&[u8]> = blobs.iter().map(|v| v.as_slice()).collect();
            for i in 0..ids.len() {
                let out = wesolowski::solve_multi(&ch, t, &id_refs, i, &Never).unwrap();
                assert_eq!(out.to_vec(), blobs[i], "multi blob {i}");
            }
            assert_eq!(wesolowski::verify_multi(&ch, t, &id_refs, &blob_refs), Ok(true));
            continue;
        }
        let ch = hex(field(line, "challenge"));
        let t: u32 = field(line, "difficulty").parse().unwrap();
        let want = hex(field(line, "output"));
        let (g, x) = wesolowski::setup(&ch);
        assert_eq!(form_bytes(&wesolowski::iterate(&g, &x, t)).to_vec(), want[..258].to_vec(), "y t={t}");
        let out = wesolowski::solve(&ch, t, &Never).unwrap();
        assert_eq!(out.to_vec(), want, "solve t={t}");
        assert_eq!(wesolowski::verify(&ch, t, &want), Ok(true));
        let mut bad = want.clone();
        bad[300] ^= 1;
        assert_ne!(wesolowski::verify(&ch, t, &bad), Ok(true));
    }
}

#[test]
fn classgroup_multiply_fresh_ctx() {
    let txt = vectors("classgroup_multiply.txt");
    for (i, line) in txt.lines().filter(|l| !l.is_empty()).enumerate() {
        let (g, f1, f2, f3) = multiply_line(line);
        assert_eq!(Ctx::new().mul(&g, &f1, &f2), f3, "line {i} fresh");
        assert_eq!(Ctx::new().mul(&g, &f2, &f1), f3, "line {i} fresh swapped");
    }
}

/// Cold verifies (cache cleared, so the speculative search-and-check path runs) accept every
/// single-proof vector and reject a tampered one, as the reference-search verifier does.
#[test]
fn cold_verify_lines() {
    let txt = vectors("vdf_wesolowski_2048.jsonl");
    let mut lines = 0;
    for line in txt.lines().filter(|l| !l.is_empty() && !l.contains("multi_challenge")) {
        let ch = hex(field(line, "challenge"));
        let t: u32 = field(line, "difficulty").parse().unwrap();
        let want = hex(field(line, "output"));
        let mut bad = want.clone();
        bad[300] ^= 1;
        wesolowski::clear_discriminant_cache();
        assert_eq!(wesolowski::verify(&ch, t, &want), Ok(true), "cold t={t}");
        wesolowski::clear_discriminant_cache();
        let cold_bad = wesolowski::verify(&ch, t, &bad);
        assert_ne!(cold_bad, Ok(true), "cold tampered t={t}");
        assert_eq!(wesolowski::verify_reference(&ch, t, &want), Ok(true), "reference t={t}");
        assert_eq!(wesolowski::verify_reference(&ch, t, &bad), cold_bad, "reference tampered t={t}");
        lines += 1;
    }
    assert!(lines >= 4, "{lines} single-proof lines");
}
