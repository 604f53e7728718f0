//! C ABI exports for the class-group VDF (crates/vdf).
//! Inputs are (ptr, len) pairs (null accepted when len == 0); outputs are caller-allocated
//! buffers of the exact documented size; every function returns an i32 status (status.rs).
//! Multi-proof id lists are packed as repeated `u32_be(len) ‖ id`.
use crate::buffers::{input, output};
use crate::status::{ERR_CANCELLED, ERR_ENCODING, ERR_INVALID, ERR_LENGTH, OK};
use quil_vdf::discriminant::create_discriminant;
use quil_vdf::form::{decode_int, encode_int, Ctx, Form, Group, FORM_BYTES};
use quil_vdf::wesolowski::{self, Cancel, VdfError, OUTPUT_BYTES};
use std::collections::BTreeSet;
use std::sync::Mutex;

/// Largest integer width accepted by the classgroup helpers (bytes).
const MAX_WIDTH: usize = 1024;

/// Width of each integer in a full form a ‖ b ‖ c of `len` bytes (classgroup helpers only; the VDF
/// itself sends a ‖ b at 129 bytes each). c of a reduced 2048-bit form needs up to 257 bytes.
fn full_form_width(len: usize) -> Option<usize> {
    (len.is_multiple_of(3) && len > 0 && len / 3 <= MAX_WIDTH).then_some(len / 3)
}

fn status_of(e: VdfError) -> i32 {
    match e {
        VdfError::Length => ERR_LENGTH,
        VdfError::Malformed => ERR_ENCODING,
        VdfError::Cancelled => ERR_CANCELLED,
    }
}

/// Ids of solves the caller has abandoned (bounded; ids are expected to increase).
static CANCELLED: Mutex<BTreeSet<u64>> = Mutex::new(BTreeSet::new());

struct SolveId(u64);
impl Cancel for SolveId {
    fn cancelled(&self) -> bool {
        CANCELLED.lock().map(|s| s.contains(&self.0)).unwrap_or(false)
    }
}
impl Drop for SolveId {
    fn drop(&mut self) {
        if let Ok(mut s) = CANCELLED.lock() {
            s.remove(&self.0);
        }
    }
}

/// Asks the solve running (or about to run) under `solve_id` to stop; it returns ERR_CANCELLED.
/// Id 0 means "not cancellable" and is ignored.
#[no_mangle]
pub extern "C" fn quil_vdf_cancel(solve_id: u64) {
    if solve_id == 0 {
        return;
    }
    if let Ok(mut s) = CANCELLED.lock() {
        s.insert(solve_id);
        while s.len() > 4096 {
            s.pop_first();
        }
    }
}

fn parse_ids(packed: &[u8]) -> Option<Vec<&[u8]>> {
    let mut ids = Vec::new();
    let mut rest = packed;
    while !rest.is_empty() {
        if rest.len() < 4 {
            return None;
        }
        let n = u32::from_be_bytes([rest[0], rest[1], rest[2], rest[3]]) as usize;
        rest = &rest[4..];
        if rest.len() < n {
            return None;
        }
        ids.push(&rest[..n]);
        rest = &rest[n..];
    }
    Some(ids)
}

/// `wesolowski_solve(2048, challenge, iterations)` → out[516] = y ‖ π. ERR_LENGTH when
/// iterations > 2^22 (MAX_SOLVE_ITERATIONS), ERR_CANCELLED after quil_vdf_cancel(solve_id).
/// # Safety
/// Pointers must be valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn quil_vdf_solve(
    challenge: *const u8,
    challenge_len: usize,
    iterations: u32,
    solve_id: u64,
    out: *mut u8,
    out_len: usize,
) -> i32 {
    let (Some(ch), Some(out)) = (input(challenge, challenge_len), output(out, out_len, OUTPUT_BYTES)) else {
        return ERR_LENGTH;
    };
    let id = SolveId(solve_id);
    match wesolowski::solve(ch, iterations, &id) {
        Ok(bytes) => {
            out.copy_from_slice(&bytes);
            OK
        }
        Err(e) => status_of(e),
    }
}

/// `wesolowski_verify`: OK when valid, ERR_INVALID when the proof is wrong, ERR_ENCODING when y or
/// π is not a canonical reduced form, ERR_LENGTH when output_len != 516.
/// # Safety
/// Pointers must be valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn quil_vdf_verify(
    challenge: *const u8,
    challenge_len: usize,
    iterations: u32,
    output_ptr: *const u8,
    output_len: usize,
) -> i32 {
    let (Some(ch), Some(o)) = (input(challenge, challenge_len), input(output_ptr, output_len)) else {
        return ERR_LENGTH;
    };
    match wesolowski::verify(ch, iterations, o) {
        Ok(true) => OK,
        Ok(false) => ERR_INVALID,
        Err(e) => status_of(e),
    }
}

/// `quil_vdf_verify` by the straightforward discriminant search of crypto.md §2.2 (one thread, no
/// cache): the in-run baseline of `bun run bench vdf`'s cold verify line. Same status codes.
/// # Safety
/// Pointers must be valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn quil_vdf_verify_reference(
    challenge: *const u8,
    challenge_len: usize,
    iterations: u32,
    output_ptr: *const u8,
    output_len: usize,
) -> i32 {
    let (Some(ch), Some(o)) = (input(challenge, challenge_len), input(output_ptr, output_len)) else {
        return ERR_LENGTH;
    };
    match wesolowski::verify_reference(ch, iterations, o) {
        Ok(true) => OK,
        Ok(false) => ERR_INVALID,
        Err(e) => status_of(e),
    }
}

/// `wesolowski_solve_multi(2048, challenge, iterations, ids, index)` → out[516].
/// # Safety
/// Pointers must be valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn quil_vdf_solve_multi(
    challenge: *const u8,
    challenge_len: usize,
    iterations: u32,
    ids_packed: *const u8,
    ids_len: usize,
    index: u32,
    solve_id: u64,
    out: *mut u8,
    out_len: usize,
) -> i32 {
    let (Some(ch), Some(packed), Some(out)) =
        (input(challenge, challenge_len), input(ids_packed, ids_len), output(out, out_len, OUTPUT_BYTES))
    else {
        return ERR_LENGTH;
    };
    let Some(ids) = parse_ids(packed) else { return ERR_ENCODING };
    let id = SolveId(solve_id);
    match wesolowski::solve_multi(ch, iterations, &ids, index as usize, &id) {
        Ok(bytes) => {
            out.copy_from_slice(&bytes);
            OK
        }
        Err(e) => status_of(e),
    }
}

/// `wesolowski_verify_multi`: blobs are the n·516 bytes of the workers' outputs, in id order.
/// # Safety
/// Pointers must be valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn quil_vdf_verify_multi(
    challenge: *const u8,
    challenge_len: usize,
    iterations: u32,
    ids_packed: *const u8,
    ids_len: usize,
    blobs: *const u8,
    blobs_len: usize,
) -> i32 {
    let (Some(ch), Some(packed), Some(blobs)) =
        (input(challenge, challenge_len), input(ids_packed, ids_len), input(blobs, blobs_len))
    else {
        return ERR_LENGTH;
    };
    let Some(ids) = parse_ids(packed) else { return ERR_ENCODING };
    if !blobs_len.is_multiple_of(OUTPUT_BYTES) || blobs_len / OUTPUT_BYTES != ids.len() {
        return ERR_LENGTH;
    }
    let parts: Vec<&[u8]> = blobs.chunks(OUTPUT_BYTES).collect();
    match wesolowski::verify_multi(ch, iterations, &ids, &parts) {
        Ok(true) => OK,
        Ok(false) => ERR_INVALID,
        Err(e) => status_of(e),
    }
}

/// |create_discriminant(seed, bits)| as big-endian bytes right-aligned in out (D is negative).
/// # Safety
/// Pointers must be valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn quil_vdf_discriminant(seed: *const u8, seed_len: usize, bits: u16, out: *mut u8, out_len: usize) -> i32 {
    let Some(s) = input(seed, seed_len) else { return ERR_LENGTH };
    if !(16..=4096).contains(&bits) || out.is_null() || out_len * 8 < bits as usize {
        return ERR_LENGTH;
    }
    let out = std::slice::from_raw_parts_mut(out, out_len);
    let d = create_discriminant(s, bits);
    if d.write_abs_be(out) {
        OK
    } else {
        ERR_LENGTH
    }
}

/// y = x^(2^iterations) for the challenge's generator, no proof → out[258] = a ‖ b.
/// # Safety
/// Pointers must be valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn quil_vdf_iterate(challenge: *const u8, challenge_len: usize, iterations: u32, out: *mut u8, out_len: usize) -> i32 {
    let (Some(ch), Some(out)) = (input(challenge, challenge_len), output(out, out_len, FORM_BYTES)) else {
        return ERR_LENGTH;
    };
    let (g, x) = wesolowski::setup(ch);
    let y = wesolowski::iterate(&g, &x, iterations);
    quil_vdf::form::encode_form(&y, out);
    OK
}

/// A full form a ‖ b ‖ c (equal-width big-endian two's complement) with D = b² − 4ac < 0, a > 0.
fn read_full_form(bytes: &[u8]) -> Option<(Group, Form)> {
    let w = full_form_width(bytes.len())?;
    let a = decode_int(&bytes[..w]);
    let b = decode_int(&bytes[w..2 * w]);
    let c = decode_int(&bytes[2 * w..]);
    let mut d = quil_vdf::gmp::Mpz::new();
    d.mul(&b, &b);
    let mut ac = quil_vdf::gmp::Mpz::new();
    ac.mul(&a, &c);
    ac.shl_assign(2);
    d.sub_assign(&ac);
    if a.sign() <= 0 || d.sign() >= 0 || !d.is_odd() {
        return None;
    }
    Some((Group::new(d), Form { a, b, c }))
}

fn write_full_form(f: &Form, out: &mut [u8]) -> i32 {
    let w = out.len() / 3;
    let ok = encode_int(&f.a, &mut out[..w]) && encode_int(&f.b, &mut out[w..2 * w]) && encode_int(&f.c, &mut out[2 * w..]);
    if ok {
        OK
    } else {
        ERR_LENGTH
    }
}

/// Reduced product of two forms of the same (odd, negative) discriminant: a ‖ b ‖ c in, out, all
/// three buffers of the same length 3·w (ERR_LENGTH when the result does not fit in w bytes).
/// Forms must be primitive (always true for the VDF's prime discriminants).
/// # Safety
/// Pointers must be valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn quil_classgroup_mul(f1: *const u8, f1_len: usize, f2: *const u8, f2_len: usize, out: *mut u8, out_len: usize) -> i32 {
    if f1_len != out_len || f2_len != out_len || full_form_width(out_len).is_none() {
        return ERR_LENGTH;
    }
    let (Some(b1), Some(b2), Some(out)) = (input(f1, f1_len), input(f2, f2_len), output(out, out_len, out_len)) else {
        return ERR_LENGTH;
    };
    let (Some((g, x1)), Some((g2, x2))) = (read_full_form(b1), read_full_form(b2)) else { return ERR_ENCODING };
    if g.d != g2.d || !primitive(&x1) || !primitive(&x2) {
        return ERR_ENCODING;
    }
    let r = Ctx::new().mul(&g, &x1, &x2);
    write_full_form(&r, out)
}

/// f^(2^iterations) by NUDUPL squarings, reduced; a ‖ b ‖ c in and out, both 3·w bytes.
/// # Safety
/// Pointers must be valid for their lengths.
#[no_mangle]
pub unsafe extern "C" fn quil_classgroup_square(f: *const u8, f_len: usize, iterations: u32, out: *mut u8, out_len: usize) -> i32 {
    if f_len != out_len || full_form_width(out_len).is_none() {
        return ERR_LENGTH;
    }
    let (Some(b), Some(out)) = (input(f, f_len), output(out, out_len, out_len)) else {
        return ERR_LENGTH;
    };
    let Some((g, mut x)) = read_full_form(b) else { return ERR_ENCODING };
    if !primitive(&x) {
        return ERR_ENCODING;
    }
    let mut ctx = Ctx::new();
    ctx.reduce(&mut x);
    for _ in 0..iterations {
        ctx.square(&g, &mut x);
    }
    write_full_form(&x, out)
}

fn primitive(f: &Form) -> bool {
    let mut g = quil_vdf::gmp::Mpz::new();
    g.gcd(&f.a, &f.b);
    let g2 = g.clone();
    g.gcd(&g2, &f.c);
    g.cmp_si(1) == std::cmp::Ordering::Equal
}

/// Drops the process's cached discriminants (so a benchmark can time a cold verify).
#[no_mangle]
pub extern "C" fn quil_vdf_clear_cache() {
    wesolowski::clear_discriminant_cache();
}
