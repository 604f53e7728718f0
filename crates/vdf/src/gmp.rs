//! Hand-written bindings to Debian's libgmp (the `mpz_*` names are macros for `__gmpz_*`) and the
//! one FLINT routine used (`fmpz_xgcd_partial`, the Lehmer partial extended gcd NUDUPL/NUCOMP need).
#![allow(non_camel_case_types)]
use std::cmp::Ordering;
use std::os::raw::{c_int, c_long, c_ulong, c_void};

#[repr(C)]
pub struct mpz_struct {
    alloc: c_int,
    size: c_int,
    d: *mut u64,
}

#[link(name = "gmp")]
extern "C" {
    fn __gmpz_init(x: *mut mpz_struct);
    fn __gmpz_clear(x: *mut mpz_struct);
    fn __gmpz_set(r: *mut mpz_struct, x: *const mpz_struct);
    fn __gmpz_set_si(r: *mut mpz_struct, x: c_long);
    fn __gmpz_set_ui(r: *mut mpz_struct, x: c_ulong);
    fn __gmpz_swap(a: *mut mpz_struct, b: *mut mpz_struct);
    fn __gmpz_add(r: *mut mpz_struct, a: *const mpz_struct, b: *const mpz_struct);
    fn __gmpz_add_ui(r: *mut mpz_struct, a: *const mpz_struct, b: c_ulong);
    fn __gmpz_sub(r: *mut mpz_struct, a: *const mpz_struct, b: *const mpz_struct);
    fn __gmpz_sub_ui(r: *mut mpz_struct, a: *const mpz_struct, b: c_ulong);
    fn __gmpz_mul(r: *mut mpz_struct, a: *const mpz_struct, b: *const mpz_struct);
    fn __gmpz_mul_si(r: *mut mpz_struct, a: *const mpz_struct, b: c_long);
    fn __gmpz_mul_ui(r: *mut mpz_struct, a: *const mpz_struct, b: c_ulong);
    fn __gmpz_addmul(r: *mut mpz_struct, a: *const mpz_struct, b: *const mpz_struct);
    fn __gmpz_submul(r: *mut mpz_struct, a: *const mpz_struct, b: *const mpz_struct);
    fn __gmpz_mul_2exp(r: *mut mpz_struct, a: *const mpz_struct, b: c_ulong);
    fn __gmpz_fdiv_q_2exp(r: *mut mpz_struct, a: *const mpz_struct, b: c_ulong);
    fn __gmpz_neg(r: *mut mpz_struct, a: *const mpz_struct);
    fn __gmpz_fdiv_q(q: *mut mpz_struct, n: *const mpz_struct, d: *const mpz_struct);
    fn __gmpz_fdiv_r(r: *mut mpz_struct, n: *const mpz_struct, d: *const mpz_struct);
    fn __gmpz_fdiv_qr(q: *mut mpz_struct, r: *mut mpz_struct, n: *const mpz_struct, d: *const mpz_struct);
    fn __gmpz_tdiv_q(q: *mut mpz_struct, n: *const mpz_struct, d: *const mpz_struct);
    fn __gmpz_tdiv_qr(q: *mut mpz_struct, r: *mut mpz_struct, n: *const mpz_struct, d: *const mpz_struct);
    fn __gmpz_divexact(q: *mut mpz_struct, n: *const mpz_struct, d: *const mpz_struct);
    fn __gmpz_divisible_p(n: *const mpz_struct, d: *const mpz_struct) -> c_int;
    fn __gmpz_cdiv_ui(n: *const mpz_struct, d: c_ulong) -> c_ulong;
    fn __gmpz_fdiv_ui(n: *const mpz_struct, d: c_ulong) -> c_ulong;
    fn __gmpz_cmp(a: *const mpz_struct, b: *const mpz_struct) -> c_int;
    fn __gmpz_cmpabs(a: *const mpz_struct, b: *const mpz_struct) -> c_int;
    fn __gmpz_cmp_si(a: *const mpz_struct, b: c_long) -> c_int;
    fn __gmpz_gcd(r: *mut mpz_struct, a: *const mpz_struct, b: *const mpz_struct);
    fn __gmpz_gcdext(g: *mut mpz_struct, s: *mut mpz_struct, t: *mut mpz_struct, a: *const mpz_struct, b: *const mpz_struct);
    fn __gmpz_root(r: *mut mpz_struct, a: *const mpz_struct, n: c_ulong) -> c_int;
    fn __gmpz_powm_ui(r: *mut mpz_struct, b: *const mpz_struct, e: c_ulong, m: *const mpz_struct);
    fn __gmpz_probab_prime_p(a: *const mpz_struct, reps: c_int) -> c_int;
    fn __gmpz_import(r: *mut mpz_struct, count: usize, order: c_int, size: usize, endian: c_int, nails: usize, op: *const c_void);
    fn __gmpz_export(out: *mut c_void, count: *mut usize, order: c_int, size: usize, endian: c_int, nails: usize, op: *const mpz_struct) -> *mut c_void;
    fn __gmpz_sizeinbase(a: *const mpz_struct, base: c_int) -> usize;
    fn __gmpz_tstbit(a: *const mpz_struct, bit: c_ulong) -> c_int;
    fn __gmpz_setbit(a: *mut mpz_struct, bit: c_ulong);
    fn __gmpz_get_si(a: *const mpz_struct) -> c_long;
}

pub type fmpz = c_long;

#[link(name = "flint")]
extern "C" {
    fn fmpz_clear(f: *mut fmpz);
    fn fmpz_set_mpz(f: *mut fmpz, x: *const mpz_struct);
    fn fmpz_get_mpz(x: *mut mpz_struct, f: *const fmpz);
    fn fmpz_xgcd_partial(co2: *mut fmpz, co1: *mut fmpz, r2: *mut fmpz, r1: *mut fmpz, l: *const fmpz);
}

/// An owned GMP integer. Moving it is fine (the limbs live on the heap).
pub struct Mpz(mpz_struct);
unsafe impl Send for Mpz {}
unsafe impl Sync for Mpz {}

impl Drop for Mpz {
    fn drop(&mut self) {
        unsafe { __gmpz_clear(&mut self.0) }
    }
}

impl Default for Mpz {
    fn default() -> Self {
        Self::new()
    }
}

impl Clone for Mpz {
    fn clone(&self) -> Self {
        let mut r = Mpz::new();
        r.set(self);
        r
    }
}

impl std::fmt::Debug for Mpz {
    fn fmt(&self, f: &mut std::fmt::Formatter<'_>) -> std::fmt::Result {
        let neg = self.sign() < 0;
        let mut v = Vec::new();
        let mut t = self.clone();
        if neg {
            t.neg_assign();
        }
        let ten = Mpz::from_i64(10);
        let mut r = Mpz::new();
        while t.sign() > 0 {
            let mut q = Mpz::new();
            q.fdiv_qr(&mut r, &t, &ten);
            v.push(b'0' + r.to_i64() as u8);
            t = q;
        }
        if v.is_empty() {
            v.push(b'0');
        }
        if neg {
            v.push(b'-');
        }
        v.reverse();
        write!(f, "{}", String::from_utf8(v).unwrap_or_default())
    }
}

impl Ord for Mpz {
    fn cmp(&self, o: &Self) -> Ordering {
        unsafe { __gmpz_cmp(&self.0, &o.0) }.cmp(&0)
    }
}
impl PartialOrd for Mpz {
    fn partial_cmp(&self, o: &Self) -> Option<Ordering> {
        Some(self.cmp(o))
    }
}
impl PartialEq for Mpz {
    fn eq(&self, o: &Self) -> bool {
        self.cmp(o) == Ordering::Equal
    }
}
impl Eq for Mpz {}

macro_rules! p {
    ($x:expr) => {
        &$x.0 as *const mpz_struct
    };
}

impl Mpz {
    pub fn new() -> Self {
        let mut s = mpz_struct { alloc: 0, size: 0, d: std::ptr::null_mut() };
        unsafe { __gmpz_init(&mut s) };
        Mpz(s)
    }
    pub fn from_i64(v: i64) -> Self {
        let mut r = Mpz::new();
        r.set_si(v);
        r
    }
    #[inline]
    fn m(&mut self) -> *mut mpz_struct {
        &mut self.0
    }
    #[inline]
    pub fn sign(&self) -> i32 {
        self.0.size.signum()
    }
    #[inline]
    pub fn is_zero(&self) -> bool {
        self.0.size == 0
    }
    pub fn set(&mut self, a: &Mpz) {
        unsafe { __gmpz_set(self.m(), p!(a)) }
    }
    pub fn set_si(&mut self, v: i64) {
        unsafe { __gmpz_set_si(self.m(), v) }
    }
    pub fn set_ui(&mut self, v: u64) {
        unsafe { __gmpz_set_ui(self.m(), v) }
    }
    pub fn to_i64(&self) -> i64 {
        unsafe { __gmpz_get_si(p!(self)) }
    }
    pub fn swap(&mut self, o: &mut Mpz) {
        unsafe { __gmpz_swap(self.m(), o.m()) }
    }
    pub fn add(&mut self, a: &Mpz, b: &Mpz) {
        unsafe { __gmpz_add(self.m(), p!(a), p!(b)) }
    }
    pub fn add_assign(&mut self, b: &Mpz) {
        let s = self.m();
        unsafe { __gmpz_add(s, s, p!(b)) }
    }
    pub fn add_ui(&mut self, a: &Mpz, b: u64) {
        unsafe { __gmpz_add_ui(self.m(), p!(a), b) }
    }
    pub fn sub(&mut self, a: &Mpz, b: &Mpz) {
        unsafe { __gmpz_sub(self.m(), p!(a), p!(b)) }
    }
    pub fn sub_assign(&mut self, b: &Mpz) {
        let s = self.m();
        unsafe { __gmpz_sub(s, s, p!(b)) }
    }
    pub fn sub_ui(&mut self, a: &Mpz, b: u64) {
        unsafe { __gmpz_sub_ui(self.m(), p!(a), b) }
    }
    pub fn mul(&mut self, a: &Mpz, b: &Mpz) {
        unsafe { __gmpz_mul(self.m(), p!(a), p!(b)) }
    }
    pub fn mul_assign(&mut self, b: &Mpz) {
        let s = self.m();
        unsafe { __gmpz_mul(s, s, p!(b)) }
    }
    pub fn mul_si(&mut self, a: &Mpz, b: i64) {
        unsafe { __gmpz_mul_si(self.m(), p!(a), b) }
    }
    pub fn mul_ui(&mut self, a: &Mpz, b: u64) {
        unsafe { __gmpz_mul_ui(self.m(), p!(a), b) }
    }
    pub fn addmul(&mut self, a: &Mpz, b: &Mpz) {
        unsafe { __gmpz_addmul(self.m(), p!(a), p!(b)) }
    }
    pub fn submul(&mut self, a: &Mpz, b: &Mpz) {
        unsafe { __gmpz_submul(self.m(), p!(a), p!(b)) }
    }
    pub fn mul_2exp(&mut self, a: &Mpz, e: u64) {
        unsafe { __gmpz_mul_2exp(self.m(), p!(a), e) }
    }
    pub fn fdiv_q_2exp(&mut self, a: &Mpz, e: u64) {
        unsafe { __gmpz_fdiv_q_2exp(self.m(), p!(a), e) }
    }
    pub fn neg(&mut self, a: &Mpz) {
        unsafe { __gmpz_neg(self.m(), p!(a)) }
    }
    pub fn shl_assign(&mut self, e: u64) {
        let s = self.m();
        unsafe { __gmpz_mul_2exp(s, s, e) }
    }
    pub fn shr_assign(&mut self, e: u64) {
        let s = self.m();
        unsafe { __gmpz_fdiv_q_2exp(s, s, e) }
    }
    pub fn divexact_assign(&mut self, d: &Mpz) {
        let s = self.m();
        unsafe { __gmpz_divexact(s, s, p!(d)) }
    }
    pub fn neg_assign(&mut self) {
        self.0.size = -self.0.size;
    }
    pub fn fdiv_q(&mut self, n: &Mpz, d: &Mpz) {
        unsafe { __gmpz_fdiv_q(self.m(), p!(n), p!(d)) }
    }
    pub fn fdiv_r(&mut self, n: &Mpz, d: &Mpz) {
        unsafe { __gmpz_fdiv_r(self.m(), p!(n), p!(d)) }
    }
    pub fn fdiv_qr(&mut self, r: &mut Mpz, n: &Mpz, d: &Mpz) {
        unsafe { __gmpz_fdiv_qr(self.m(), r.m(), p!(n), p!(d)) }
    }
    pub fn tdiv_q(&mut self, n: &Mpz, d: &Mpz) {
        unsafe { __gmpz_tdiv_q(self.m(), p!(n), p!(d)) }
    }
    pub fn tdiv_qr(&mut self, r: &mut Mpz, n: &Mpz, d: &Mpz) {
        unsafe { __gmpz_tdiv_qr(self.m(), r.m(), p!(n), p!(d)) }
    }
    pub fn divexact(&mut self, n: &Mpz, d: &Mpz) {
        unsafe { __gmpz_divexact(self.m(), p!(n), p!(d)) }
    }
    pub fn divisible(&self, d: &Mpz) -> bool {
        unsafe { __gmpz_divisible_p(p!(self), p!(d)) != 0 }
    }
    pub fn cdiv_ui(&self, d: u64) -> u64 {
        unsafe { __gmpz_cdiv_ui(p!(self), d) }
    }
    pub fn fdiv_ui(&self, d: u64) -> u64 {
        unsafe { __gmpz_fdiv_ui(p!(self), d) }
    }
    pub fn cmpabs(&self, o: &Mpz) -> Ordering {
        unsafe { __gmpz_cmpabs(p!(self), p!(o)) }.cmp(&0)
    }
    pub fn cmp_si(&self, v: i64) -> Ordering {
        unsafe { __gmpz_cmp_si(p!(self), v) }.cmp(&0)
    }
    pub fn gcd(&mut self, a: &Mpz, b: &Mpz) {
        unsafe { __gmpz_gcd(self.m(), p!(a), p!(b)) }
    }
    /// g = gcd(a, b) = s*a + t*b.
    pub fn gcdext(g: &mut Mpz, s: &mut Mpz, t: &mut Mpz, a: &Mpz, b: &Mpz) {
        unsafe { __gmpz_gcdext(g.m(), s.m(), t.m(), p!(a), p!(b)) }
    }
    pub fn root(&mut self, a: &Mpz, n: u64) {
        unsafe { __gmpz_root(self.m(), p!(a), n) };
    }
    /// self = b^e mod m.
    pub fn powm_ui(&mut self, b: &Mpz, e: u64, m: &Mpz) {
        unsafe { __gmpz_powm_ui(self.m(), p!(b), e, p!(m)) }
    }
    pub fn probab_prime(&self, reps: i32) -> bool {
        unsafe { __gmpz_probab_prime_p(p!(self), reps) != 0 }
    }
    /// The magnitude's limbs, least significant first (empty for zero).
    pub fn limbs(&self) -> &[u64] {
        let n = self.0.size.unsigned_abs() as usize;
        if n == 0 {
            return &[];
        }
        unsafe { std::slice::from_raw_parts(self.0.d, n) }
    }
    pub fn bits(&self) -> usize {
        unsafe { __gmpz_sizeinbase(p!(self), 2) }
    }
    pub fn tstbit(&self, bit: u64) -> bool {
        unsafe { __gmpz_tstbit(p!(self), bit) != 0 }
    }
    pub fn setbit(&mut self, bit: u64) {
        unsafe { __gmpz_setbit(self.m(), bit) }
    }
    pub fn is_odd(&self) -> bool {
        self.tstbit(0)
    }
    /// Sets self to the unsigned big-endian integer in `bytes`.
    pub fn set_bytes_be(&mut self, bytes: &[u8]) {
        if bytes.is_empty() {
            self.set_ui(0);
            return;
        }
        unsafe { __gmpz_import(self.m(), bytes.len(), 1, 1, 1, 0, bytes.as_ptr() as *const c_void) }
    }
    pub fn from_bytes_be(bytes: &[u8]) -> Mpz {
        let mut r = Mpz::new();
        r.set_bytes_be(bytes);
        r
    }
    /// |self| as big-endian bytes, right-aligned into `out`; false if it does not fit.
    pub fn write_abs_be(&self, out: &mut [u8]) -> bool {
        out.fill(0);
        if self.is_zero() {
            return true;
        }
        let n = self.bits().div_ceil(8);
        if n > out.len() {
            return false;
        }
        let start = out.len() - n;
        let mut count = 0usize;
        unsafe { __gmpz_export(out[start..].as_mut_ptr() as *mut c_void, &mut count, 1, 1, 1, 0, p!(self)) };
        debug_assert_eq!(count, n);
        true
    }
    pub fn to_bytes_be(&self) -> Vec<u8> {
        let mut v = vec![0u8; self.bits().div_ceil(8)];
        self.write_abs_be(&mut v);
        v
    }
}

/// A FLINT integer used only as scratch for the partial xgcd.
pub struct Fmpz(fmpz);
unsafe impl Send for Fmpz {}
impl Fmpz {
    pub fn new() -> Self {
        Fmpz(0)
    }
    pub fn set(&mut self, v: &Mpz) {
        unsafe { fmpz_set_mpz(&mut self.0, p!(v)) }
    }
    pub fn get(&self, v: &mut Mpz) {
        unsafe { fmpz_get_mpz(v.m(), &self.0) }
    }
}
impl Default for Fmpz {
    fn default() -> Self {
        Self::new()
    }
}
impl Drop for Fmpz {
    fn drop(&mut self) {
        unsafe { fmpz_clear(&mut self.0) }
    }
}

/// FLINT's Lehmer partial extended gcd: runs Euclid on the successive remainders (r2, r1) until
/// they drop below `l`, tracking cofactors (co2, co1).
pub fn xgcd_partial(co2: &mut Fmpz, co1: &mut Fmpz, r2: &mut Fmpz, r1: &mut Fmpz, l: &Fmpz) {
    unsafe { fmpz_xgcd_partial(&mut co2.0, &mut co1.0, &mut r2.0, &mut r1.0, &l.0) }
}
