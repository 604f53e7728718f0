//! G1 = E(Fp) and G2 = E'(Fp8): generators, subgroup checks and MIRACL encodings.
use crate::curve::{CurveParams, Point};
use crate::field::Field;
use crate::mont::Fp;
use crate::params::{FP_LEGENDRE_EXP, FP_PM1_DIV3, FR_MODULUS};
use crate::tower::{xi, Fp8};
use std::sync::OnceLock;

/// |x| for x = -0x140000381.
pub const X_ABS: u64 = 0x1_4000_0381;
/// The G1 effective cofactor 1 - x used by MIRACL's `cfp` (CURVE_COF).
pub const G1_COFACTOR: u64 = 0x1_4000_0382;

pub const G1_BYTES: usize = 74;
pub const G2_BYTES: usize = 585;

#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct G1Curve;
impl CurveParams<Fp> for G1Curve {
    fn b() -> Fp {
        Fp::one()
    }
}
#[derive(Copy, Clone, PartialEq, Eq, Debug)]
pub struct G2Curve;
impl CurveParams<Fp8> for G2Curve {
    fn b() -> Fp8 {
        static B: OnceLock<Fp8> = OnceLock::new();
        *B.get_or_init(|| xi().inv())
    }
}

pub type G1 = Point<Fp, G1Curve>;
pub type G2 = Point<Fp8, G2Curve>;

/// MIRACL's generators (ROM CURVE_Gx/Gy and CURVE_Pxaaa..Pybbb) in compressed form; they are also
/// entry 0 of the KZG ceremony's G1/G2 powers.
const G1_GEN_HEX: &str = "0202af59b7ac340f2baf2b73df1e93f860de3f257e0e86868cf61abdbaedffb9f7544550546a9df6f9645847665d859236ebdbc57db368b11786cb74da5d3a1e6d8c3bce8732315af640";
const G2_GEN_HEX: &str = "030827d5c22fb2bdec5282624c4f4aaa2b1e5d7a9defaf47b5211cf741719728a7f9f8cfca93f29cff364a7190b7e2b0d4585479bd6aebf9fc44e56af2fc9e97c3f84e19da00fbc6ae340b9b7951c6061ee3f0197a498908aee660dea41b39d13852b6db908ba2c0b7a449cef11f293b13ced0fd0caa5efcf3432aad1cbe4324c22d63334b5b0e205c3354e41607e60750e0570c96c7797eb0738603f1311e4ecda088f7b8f35dcef0977a3d1a58677bb037418181df63835d28997eb57b40b9c0b15dd7595a9f177612f097fc7960910fce3370f2004d914a3c093a038b91c600b35913a3c598e4caa9dd63007c675d0b1642b5675ff0e7c5805386699981f9e48199d5ac10b2ef492ae589274fad55fc1889aa80c65b5f746c9d4cbb739c3a1c53f8cce50be2218c25ceb6185c78d8012954d4bfe8f5985ac62f3e5821b7b92a393f8be0cc218a95f63e1c776e6ec143b1b279b9468c31c5257c200ca52310b8cb4e80bc3f09a7033cbb7feafe01fccc70198f1334e1b2ea1853ad83bc73a8a6ca9ae237ca7a6d6957ccbab5ab6860161c1dbd19242ffae766f0d2a6d55f028cbdfbb879d5fea8ef4cded6b3f0b46488156ca55a3e6a07c4973ece2258512069b0e86abc07e8b22bb6d980e1623e9526f6da12307f4e1c3943a00abfedf16214a76affa62504f0c3c7630d979630ffd75556a01afa143f1669b36676b47c5705d615d9a7871e4a38237fa45a2775debabbefc70344dbccb7de64db3a2ef156c46ff79baad1a8c42281a63ca0612f400503004d80491f510317b79766322154dec34fd0b4ace8bfab";

pub(crate) fn hex_decode(s: &str) -> Option<Vec<u8>> {
    let s = s.strip_prefix("0x").unwrap_or(s);
    if !s.len().is_multiple_of(2) {
        return None;
    }
    (0..s.len())
        .step_by(2)
        .map(|i| u8::from_str_radix(&s[i..i + 2], 16).ok())
        .collect()
}

pub fn g1_generator() -> G1 {
    static G: OnceLock<G1> = OnceLock::new();
    *G.get_or_init(|| G1::from_compressed(&hex_decode(G1_GEN_HEX).unwrap()).expect("G1 generator"))
}
pub fn g2_generator() -> G2 {
    static G: OnceLock<G2> = OnceLock::new();
    *G.get_or_init(|| G2::from_compressed(&hex_decode(G2_GEN_HEX).unwrap()).expect("G2 generator"))
}

/// G1 membership: not the identity and r*P = O.
pub fn g1_member(p: &G1) -> bool {
    !p.is_identity() && p.mul_limbs(&FR_MODULUS).is_identity()
}

/// psi = untwist-Frobenius-twist on E'(Fp8): (x, y) -> (x^p xi^((p-1)/3), y^p xi^((p-1)/2)).
pub fn psi(q: &G2) -> G2 {
    static C: OnceLock<(Fp8, Fp8)> = OnceLock::new();
    let (cx, cy) = C.get_or_init(|| (xi().pow(&FP_PM1_DIV3), xi().pow(&FP_LEGENDRE_EXP)));
    let mut r = *q;
    r.x = q.x.frob().mul(cx);
    r.y = q.y.frob().mul(cy);
    r.z = q.z.frob();
    r
}

/// G2 membership (Scott's test, as MIRACL): not the identity and psi(Q) = [x]Q with x < 0.
pub fn g2_member(q: &G2) -> bool {
    if q.is_identity() {
        return false;
    }
    psi(q).equals(&q.mul_u64(X_ABS).neg())
}

pub fn g1_to_bytes(p: &G1) -> [u8; G1_BYTES] {
    let mut out = [0u8; G1_BYTES];
    p.to_compressed(&mut out);
    out
}
pub fn g2_to_bytes(p: &G2) -> [u8; G2_BYTES] {
    let mut out = [0u8; G2_BYTES];
    p.to_compressed(&mut out);
    out
}
pub fn g1_from_bytes(b: &[u8]) -> Option<G1> {
    G1::from_compressed(b)
}
pub fn g2_from_bytes(b: &[u8]) -> Option<G2> {
    G2::from_compressed(b)
}
