//! C ABI exports for BLS48-581 and KZG (crates/bls48581).
