//! The arithmetic interface shared by the prime fields and every tower level.

pub trait Field: Copy + Clone + PartialEq + Eq + core::fmt::Debug + Sized + 'static {
    /// Encoded size in bytes (73 per prime-field coefficient).
    const BYTES: usize;
    fn zero() -> Self;
    fn one() -> Self;
    fn is_zero(&self) -> bool;
    fn add(&self, o: &Self) -> Self;
    fn sub(&self, o: &Self) -> Self;
    fn neg(&self) -> Self;
    fn mul(&self, o: &Self) -> Self;
    fn sqr(&self) -> Self {
        self.mul(self)
    }
    fn dbl(&self) -> Self {
        self.add(self)
    }
    /// Multiplicative inverse; zero maps to zero.
    fn inv(&self) -> Self;
    /// Variable-time inverse for public data (binary extended Euclid at the prime-field level).
    fn inv_vartime(&self) -> Self {
        self.inv()
    }
    fn half(&self) -> Self;
    /// The p-power Frobenius map.
    fn frob(&self) -> Self;
    fn is_square(&self) -> bool;
    fn sqrt(&self) -> Option<Self>;
    /// MIRACL's `sign()`: parity of the lowest non-zero coefficient (little-endian sign).
    fn sgn0(&self) -> bool;
    /// MIRACL `tobytes`: big-endian, highest tower coefficient first.
    fn write_bytes(&self, out: &mut [u8]);
    /// Inverse of `write_bytes`; rejects non-canonical (>= p) coefficients.
    fn read_bytes(b: &[u8]) -> Option<Self>;

    /// self^e for a little-endian limb exponent.
    fn pow(&self, e: &[u64]) -> Self {
        let mut r = Self::one();
        let mut started = false;
        for i in (0..e.len() * 64).rev() {
            if started {
                r = r.sqr();
            }
            if (e[i / 64] >> (i % 64)) & 1 == 1 {
                r = if started { r.mul(self) } else { *self };
                started = true;
            }
        }
        r
    }
}
