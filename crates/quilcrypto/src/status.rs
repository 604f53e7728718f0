//! Status codes shared by every exported function; mirrored in crates/ts/status.ts.
pub const OK: i32 = 0;
pub const ERR_LENGTH: i32 = -1;
pub const ERR_ENCODING: i32 = -2;
pub const ERR_INVALID: i32 = -3;
pub const ERR_INTERNAL: i32 = -4;
/// A long computation stopped because its id was cancelled (quil_vdf_cancel).
pub const ERR_CANCELLED: i32 = -5;
/// A point on the curve that is the identity or outside the prime-order subgroup, or a zero secret key.
pub const ERR_SUBGROUP: i32 = -6;
