//! BLS48-581 signatures, aggregation and KZG commitments, byte-exact with the Quilibrium reference
//! (MIRACL Core conventions for the tower, encodings, hash-to-curve and key generation).
//!
//! Layers, bottom up (each with unit tests in `tests.rs`):
//! - `params`, `mont`: 10x64-bit Montgomery arithmetic for Fp (581-bit) and Fr (518-bit).
//! - `field`, `tower`: the generic Field trait; Fp2/Fp4/Fp8 as MIRACL builds them (fixes the G2
//!   encoding), then Fp16/Fp48 over the twist non-residue for the pairing.
//! - `curve`, `groups`: Jacobian points, G1 over Fp and G2 over Fp8, subgroup checks, the
//!   74/585-byte compressed encodings.
//! - `wide`, `kernels`: lazily reduced Fp2..Fp16 products (one Montgomery reduction per output
//!   coefficient) on 10x10-limb product/reduction kernels (mulx/adx when the CPU has them).
//! - `pairing`: multi-Miller loop from per-point line coefficients (cacheable), final
//!   exponentiation with `karabina` compressed squarings (product-equals-one checks).
//! - `hash`: expand_message_xmd(SHA-512) + SvdW hash to G1 with the reference DST.
//! - `bls`: keygen (HKDF-SHA512), sign/verify over domain || msg, PoP, aggregation.
//! - `msm`, `kzg`: commitments on the embedded ceremony SRS (`srs/`, the public
//!   `bls48581_optimized_ceremony.json`), proofs, multiproofs, incremental commitment updates.
//! - `fixed_base`: precomputed window tables for the poly-size-64 Lagrange basis (trie updates).
pub mod bls;
pub mod curve;
pub mod field;
pub mod fixed_base;
pub mod groups;
pub mod hash;
mod karabina;
mod kernels;
pub mod kzg;
pub mod mont;
pub mod msm;
pub mod pairing;
pub mod params;
pub mod tower;
pub mod wide;

#[cfg(test)]
mod tests;
