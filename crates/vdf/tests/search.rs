//! The optimised discriminant search (sieve to 2^21, Fermat filter, two threads) returns the same
//! discriminant as the straightforward search of crypto.md §2.2 (reference.rs) for many seeds.
use quil_vdf::discriminant::create_discriminant;
use quil_vdf::reference::create_discriminant_reference;
use sha2::{Digest, Sha256};

/// Seed i of a fixed pseudo-random sequence (1 to 64 bytes long).
fn seed(i: u32) -> Vec<u8> {
    let h: [u8; 32] = Sha256::digest(format!("discriminant-search-{i}")).into();
    let len = 1 + h[0] as usize % 64;
    h.iter().cycle().skip(1).take(len).copied().collect()
}

fn agree(bits: u16, seeds: std::ops::Range<u32>) {
    for i in seeds {
        let s = seed(i);
        assert_eq!(create_discriminant(&s, bits), create_discriminant_reference(&s, bits), "bits {bits}, seed {i}");
    }
}

#[test]
fn small_discriminants_agree() {
    // Short candidates: many primes per window, and both sieve paths on every seed.
    for bits in [40u16, 64, 100, 128, 256] {
        agree(bits, 0..200);
    }
}

#[test]
fn medium_discriminants_agree() {
    agree(512, 0..100);
    agree(1024, 0..40);
}

#[test]
fn full_size_discriminants_agree() {
    agree(2048, 0..24);
}
