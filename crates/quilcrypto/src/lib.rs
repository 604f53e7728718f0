//! The one cdylib loaded by bun:ffi. Plain C ABI: (ptr, len) inputs (null accepted when len == 0),
//! caller-allocated fixed-size outputs, i32 status (0 = ok, negative = error code, see status.rs).
pub mod bls;
pub mod buffers;
pub mod poseidon;
pub mod status;
pub mod vdf;

#[no_mangle]
pub extern "C" fn quilcrypto_abi_version() -> u32 {
    1
}
