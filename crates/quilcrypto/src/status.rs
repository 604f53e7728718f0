//! Status codes shared by every exported function; mirrored in crates/ffi/status.ts.
pub const OK: i32 = 0;
pub const ERR_LENGTH: i32 = -1;
pub const ERR_ENCODING: i32 = -2;
pub const ERR_INVALID: i32 = -3;
pub const ERR_INTERNAL: i32 = -4;
