//! Borrowing caller buffers across the C ABI: inputs may be (null, 0); outputs must be non-null and
//! exactly the documented size, so a wrong size is a status code, never an out-of-bounds write.

/// The input slice, or None for a null pointer with a non-zero length.
///
/// # Safety
/// `ptr` must point to `len` readable bytes that stay valid and unaliased for `'a`.
pub unsafe fn input<'a>(ptr: *const u8, len: usize) -> Option<&'a [u8]> {
    if len == 0 {
        Some(&[])
    } else if ptr.is_null() {
        None
    } else {
        Some(std::slice::from_raw_parts(ptr, len))
    }
}

/// The output slice, or None when the pointer is null or the length is not `want`.
///
/// # Safety
/// `ptr` must point to `len` writable bytes that stay valid and unaliased for `'a`.
pub unsafe fn output<'a>(ptr: *mut u8, len: usize, want: usize) -> Option<&'a mut [u8]> {
    if ptr.is_null() || len != want {
        None
    } else {
        Some(std::slice::from_raw_parts_mut(ptr, len))
    }
}
