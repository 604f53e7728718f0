//! C ABI exports for the class-group VDF (crates/vdf).
