//! C ABI export of iden3 Poseidon HashBytes (crates/poseidon), bound by crates/ts/poseidon-native.ts.
use crate::buffers::input;
use crate::status::{ERR_LENGTH, OK};

/// Digest size: the field element as 32 big-endian bytes (same as crates/ts/poseidon.ts).
pub const DIGEST_BYTES: usize = 32;

/// HashBytes(in) → out[32]. ERR_LENGTH for an empty input (the reference defines no hash for it), a
/// null input with a non-zero length, or a null output.
///
/// # Safety
/// `in_ptr` must point to `in_len` readable bytes; `out_ptr` to 32 writable bytes.
#[no_mangle]
pub unsafe extern "C" fn quil_poseidon_hash_bytes(
    in_ptr: *const u8,
    in_len: usize,
    out_ptr: *mut u8,
) -> i32 {
    let Some(msg) = input(in_ptr, in_len) else {
        return ERR_LENGTH;
    };
    if out_ptr.is_null() {
        return ERR_LENGTH;
    }
    match quil_poseidon::hash_bytes(msg) {
        Some(digest) => {
            std::slice::from_raw_parts_mut(out_ptr, DIGEST_BYTES).copy_from_slice(&digest);
            OK
        }
        None => ERR_LENGTH,
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn export_writes_the_digest_and_rejects_empty_input() {
        let msg = [0xffu8; 100];
        let mut out = [0u8; DIGEST_BYTES];
        assert_eq!(
            unsafe { quil_poseidon_hash_bytes(msg.as_ptr(), msg.len(), out.as_mut_ptr()) },
            OK
        );
        assert_eq!(Some(out), quil_poseidon::hash_bytes(&msg));
        assert_eq!(
            unsafe { quil_poseidon_hash_bytes(std::ptr::null(), 0, out.as_mut_ptr()) },
            ERR_LENGTH
        );
        assert_eq!(
            unsafe { quil_poseidon_hash_bytes(std::ptr::null(), 5, out.as_mut_ptr()) },
            ERR_LENGTH
        );
        assert_eq!(
            unsafe { quil_poseidon_hash_bytes(msg.as_ptr(), msg.len(), std::ptr::null_mut()) },
            ERR_LENGTH
        );
    }
}
