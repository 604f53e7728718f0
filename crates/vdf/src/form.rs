//! Binary quadratic forms (a, b, c) of a negative discriminant D = b² − 4ac: reduction, NUDUPL
//! squaring and NUCOMP composition (both through FLINT's Lehmer partial xgcd), exponentiation and
//! the reference's 129-byte big-endian two's-complement encoding of a and b.
use crate::gmp::{xgcd_partial, Fmpz, Mpz};
use std::cmp::Ordering;

/// Bytes per encoded integer at 2048 bits: (bits + 16) >> 4.
pub const INT_BYTES: usize = 129;
/// Bytes per encoded form (a ‖ b).
pub const FORM_BYTES: usize = 2 * INT_BYTES;

#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Form {
    pub a: Mpz,
    pub b: Mpz,
    pub c: Mpz,
}

/// Why a byte string is not an element of the class group.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum DecodeError {
    Length,
    /// a ≤ 0, 4a ∤ (b² − D), or the form is not the canonical reduced representative.
    Malformed,
}

/// The discriminant with its derived constants.
pub struct Group {
    pub d: Mpz,
    /// floor(|D/4|^(1/4)): where NUDUPL/NUCOMP stop their partial Euclid.
    pub l: Mpz,
    l_f: Fmpz,
}

impl Group {
    pub fn new(d: Mpz) -> Group {
        let mut t = Mpz::new();
        t.neg(&d);
        let mut q = Mpz::new();
        q.fdiv_q_2exp(&t, 2);
        let mut l = Mpz::new();
        l.root(&q, 4);
        let mut l_f = Fmpz::new();
        l_f.set(&l);
        Group { d, l, l_f }
    }

    /// The generator (2, 1, (1 − D)/8), built without reduction like the reference's
    /// `from_ab_discriminant` (it is already reduced for any 2048-bit D).
    pub fn generator(&self) -> Form {
        self.from_ab(Mpz::from_i64(2), Mpz::from_i64(1)).expect("(2,1) is a form for D ≡ 1 mod 8")
    }

    pub fn identity(&self) -> Form {
        self.from_ab(Mpz::from_i64(1), Mpz::from_i64(1)).expect("(1,1) is a form for odd D")
    }

    /// The form (a, b, (b² − D)/4a), or None when that division is not exact or a ≤ 0.
    pub fn from_ab(&self, a: Mpz, b: Mpz) -> Option<Form> {
        if a.sign() <= 0 {
            return None;
        }
        let mut num = Mpz::new();
        num.mul(&b, &b);
        num.sub_assign(&self.d);
        let mut four_a = Mpz::new();
        four_a.mul_2exp(&a, 2);
        if !num.divisible(&four_a) {
            return None;
        }
        let mut c = Mpz::new();
        c.divexact(&num, &four_a);
        Some(Form { a, b, c })
    }

    /// Parses a ‖ b and rejects anything but a canonical reduced form of this discriminant.
    pub fn decode(&self, bytes: &[u8]) -> Result<Form, DecodeError> {
        if bytes.len() != FORM_BYTES {
            return Err(DecodeError::Length);
        }
        let a = decode_int(&bytes[..INT_BYTES]);
        let b = decode_int(&bytes[INT_BYTES..]);
        let f = self.from_ab(a, b).ok_or(DecodeError::Malformed)?;
        if !is_reduced(&f) {
            return Err(DecodeError::Malformed);
        }
        Ok(f)
    }
}

/// Big-endian two's complement of `INT_BYTES` bytes.
pub fn decode_int(bytes: &[u8]) -> Mpz {
    let mut v = Mpz::from_bytes_be(bytes);
    if bytes[0] & 0x80 != 0 {
        let mut m = Mpz::new();
        m.setbit((bytes.len() * 8) as u64);
        v.sub_assign(&m);
    }
    v
}

/// Writes `v` as big-endian two's complement into `out` (false when it does not fit).
pub fn encode_int(v: &Mpz, out: &mut [u8]) -> bool {
    if v.bits() + 1 > out.len() * 8 {
        return false;
    }
    if !v.write_abs_be(out) {
        return false;
    }
    if v.sign() < 0 {
        // two's complement: invert and add one
        let mut carry = true;
        for byte in out.iter_mut().rev() {
            let inv = !*byte;
            let (s, o) = inv.overflowing_add(carry as u8);
            *byte = s;
            carry = o;
        }
    }
    true
}

pub fn encode_form(f: &Form, out: &mut [u8]) {
    assert!(encode_int(&f.a, &mut out[..INT_BYTES]) && encode_int(&f.b, &mut out[INT_BYTES..FORM_BYTES]));
}

pub fn form_bytes(f: &Form) -> [u8; FORM_BYTES] {
    let mut out = [0u8; FORM_BYTES];
    encode_form(f, &mut out);
    out
}

/// −a < b ≤ a ≤ c, and b ≥ 0 when a = c.
pub fn is_reduced(f: &Form) -> bool {
    let mut neg_a = Mpz::new();
    neg_a.neg(&f.a);
    if f.b.cmp(&neg_a) != Ordering::Greater || f.b.cmp(&f.a) == Ordering::Greater {
        return false;
    }
    match f.a.cmp(&f.c) {
        Ordering::Greater => false,
        Ordering::Equal => f.b.sign() >= 0,
        Ordering::Less => true,
    }
}

/// Scratch integers kept across operations so the hot loop does not reallocate.
#[derive(Default)]
pub struct Ctx {
    t: [Mpz; 24],
    f: [Fmpz; 4],
}

impl Ctx {
    pub fn new() -> Ctx {
        Ctx::default()
    }

    /// Brings b into (−a, a] (c updated to keep the discriminant).
    fn normalize(&mut self, f: &mut Form) {
        let [r, t, u, ..] = &mut self.t;
        // b ∈ (−a, a]  ⟺  |b| < a, or b = a
        match f.b.cmpabs(&f.a) {
            Ordering::Less => return,
            Ordering::Equal if f.b.sign() > 0 => return,
            _ => {}
        }
        // r = floor((a − b) / 2a); b += 2ra; c += r(b_old + ar)
        t.sub(&f.a, &f.b);
        u.mul_2exp(&f.a, 1);
        r.fdiv_q(t, u);
        t.mul(&f.a, r);
        u.add(&f.b, t);
        f.c.addmul(r, u);
        t.shl_assign(1);
        f.b.add_assign(t);
    }

    /// The unique reduced form equivalent to `f`.
    pub fn reduce(&mut self, f: &mut Form) {
        self.normalize(f);
        while f.a.cmp(&f.c) == Ordering::Greater {
            std::mem::swap(&mut f.a, &mut f.c);
            f.b.neg_assign();
            self.normalize(f);
        }
        if f.a == f.c && f.b.sign() < 0 {
            f.b.neg_assign();
        }
    }

    /// Partial Euclid on (r2, r1) = (big, small) until r1 ≤ L. Returns (r2, r1, y, x) with
    /// r2 ≡ y·s, r1 ≡ x·s (mod big) when initially r1 = s, and the step count's parity in x's sign.
    fn partial_euclid(&mut self, g: &Group, big: &Mpz, small: &Mpz) {
        let [co2, co1, r2, r1] = &mut self.f;
        r2.set(big);
        r1.set(small);
        *co2 = Fmpz::new();
        *co1 = Fmpz::new();
        xgcd_partial(co2, co1, r2, r1, &g.l_f);
    }

    /// f ← f² (Shanks' NUDUPL, Cohen Alg. 5.4.8) followed by reduction.
    pub fn square(&mut self, g: &Group, f: &mut Form) {
        // 1. d1 = gcd(b, a) = u·b + _·a; A = a/d1, B = b/d1, C = −c·u mod A.
        let mut t = std::mem::take(&mut self.t);
        let [d1, u, w, aa, bb, cc, d, v3, v, v2, e, gg, a2, b2, c2, tmp, ..] = &mut t;
        Mpz::gcdext(d1, u, w, &f.b, &f.a);
        let d1_is_one = d1.cmp_si(1) == Ordering::Equal;
        if d1_is_one {
            aa.set(&f.a);
            bb.set(&f.b);
        } else {
            aa.divexact(&f.a, d1);
            bb.divexact(&f.b, d1);
        }
        tmp.mul(&f.c, u);
        tmp.neg_assign();
        cc.fdiv_r(tmp, aa);
        // 2. partial Euclid on (A, C): d ≡ v·C, v3 ≡ v2·C (mod A).
        let steps;
        if *cc > g.l {
            self.partial_euclid(g, aa, cc);
            let [co2, co1, r2, r1] = &self.f;
            r2.get(d);
            r1.get(v3);
            co2.get(v);
            co1.get(v2);
            v.neg_assign();
            v2.neg_assign();
            steps = !v.is_zero();
            if v2.sign() < 0 {
                // odd number of steps
                v2.neg_assign();
                v3.neg_assign();
            }
        } else {
            steps = false;
            d.set(aa);
            v3.set(cc);
        }
        if !steps {
            // 3. g = (B·v3 + c)/d; a2 = d², b2 = b + 2·d·v3, c2 = v3² + g·d1
            tmp.mul(bb, v3);
            tmp.add_assign(&f.c);
            gg.divexact(tmp, d);
            a2.mul(d, d);
            b2.mul(d, v3);
            b2.shl_assign(1);
            b2.add_assign(&f.b);
            c2.mul(v3, v3);
            if d1_is_one {
                c2.add_assign(gg);
            } else {
                c2.addmul(gg, d1);
            }
        } else {
            // 4. e = (c·v + B·d)/A; g = (e·v2 − B)/v; b2 = e·v2 + v·g (scaled by d1)
            tmp.mul(&f.c, v);
            tmp.addmul(bb, d);
            e.divexact(tmp, aa);
            tmp.mul(e, v2);
            b2.set(tmp);
            tmp.sub_assign(bb);
            gg.divexact(tmp, v);
            b2.addmul(v, gg);
            if !d1_is_one {
                b2.mul_assign(d1);
                v.mul_assign(d1);
                v2.mul_assign(d1);
            }
            // a2 = d² + e·v; b2 += 2·d·v3; c2 = v3² + g·v2
            a2.mul(d, d);
            a2.addmul(e, v);
            tmp.mul(d, v3);
            tmp.shl_assign(1);
            b2.add_assign(tmp);
            c2.mul(v3, v3);
            c2.addmul(gg, v2);
        }
        f.a.swap(a2);
        f.b.swap(b2);
        f.c.swap(c2);
        self.t = t;
        self.reduce(f);
    }

    /// r ← f1·f2 (NUCOMP, Jacobson–van der Poorten) followed by reduction.
    pub fn mul(&mut self, g: &Group, f1: &Form, f2: &Form) -> Form {
        let (f1, f2) = if f1.a.cmp(&f2.a) == Ordering::Less { (f2, f1) } else { (f1, f2) };
        let mut t = std::mem::take(&mut self.t);
        let [s, m, ff, bco, cco, gg, yco, zco, by_, cy, dy, bx, x, y, cx, dx, q1, q2, q3, q4, cy2, dy2, tmp, tmp2] =
            &mut t;
        // s = (b1 + b2)/2, m = b2 − s
        s.add(&f1.b, &f2.b);
        s.shr_assign(1);
        m.sub(&f2.b, s);
        // F = gcd(a2, a1) = b·a2 + c·a1; G = gcd(F, s) = y·F + z·s.
        Mpz::gcdext(ff, bco, cco, &f2.a, &f1.a);
        // Bx ≡ b·y·m + z·c2 (mod By), with G = (y·b)·a2 + (y·c)·a1 + z·s.
        let g_is_one = ff.cmp_si(1) == Ordering::Equal;
        if g_is_one || s.divisible(ff) {
            gg.set(ff);
            tmp.mul(bco, m);
        } else {
            Mpz::gcdext(gg, yco, zco, ff, s);
            tmp.mul(bco, yco);
            tmp.mul_assign(m);
            tmp.addmul(zco, &f2.c);
        }
        let g_is_one = gg.cmp_si(1) == Ordering::Equal;
        if g_is_one {
            by_.set(&f1.a);
            cy.set(&f2.a);
            dy.set(s);
        } else {
            by_.divexact(&f1.a, gg);
            cy.divexact(&f2.a, gg);
            dy.divexact(s, gg);
        }
        bx.fdiv_r(tmp, by_);
        // Partial Euclid on (by, bx): by ≡ y·Bx, bx ≡ x·Bx (mod By).
        let by_orig = by_.clone();
        let mut steps = false;
        if *bx > g.l {
            self.partial_euclid(g, &by_orig, bx);
            let [co2, co1, r2, r1] = &self.f;
            r2.get(by_);
            r1.get(bx);
            co2.get(y);
            co1.get(x);
            y.neg_assign();
            x.neg_assign();
            steps = !y.is_zero();
            if x.sign() < 0 {
                by_.neg_assign();
                y.neg_assign();
            }
        }
        let mut r = Form { a: Mpz::new(), b: Mpz::new(), c: Mpz::new() };
        if !steps {
            // unreduced product: (By·Cy, b2 − 2·Cy·Bx, ...)
            q1.mul(cy, bx);
            cx.sub(q1, m);
            cx.divexact_assign(&by_orig);
            tmp.mul(bx, dy);
            tmp.sub_assign(&f2.c);
            dx.divexact(tmp, &by_orig);
            r.a.mul(&by_orig, cy);
            r.c.mul(bx, cx);
            tmp.mul(gg, dx);
            r.c.sub_assign(tmp);
            r.b.mul_2exp(q1, 1);
            r.b.sub(&f2.b, &r.b.clone());
        } else {
            // cx = (Cy·bx − m·x)/By; Q1 = by·cx; Q2 = Q1 + m
            tmp.mul(cy, bx);
            tmp.submul(m, x);
            cx.divexact(tmp, &by_orig);
            q1.mul(by_, cx);
            q2.add(q1, m);
            // dx = (Dy·bx − c2·x)/By; Q3 = y·dx; Q4 = Q3 + Dy; dy = Q4/x
            tmp.mul(dy, bx);
            tmp.submul(&f2.c, x);
            dx.divexact(tmp, &by_orig);
            q3.mul(y, dx);
            q4.add(q3, dy);
            dy2.divexact(q4, x);
            // cy = Q2/bx. bx = 0 (the Euclid ran to completion above L) only happens for degenerate
            // inputs; take the plain composition rather than risk a division by zero.
            if bx.is_zero() {
                self.t = t;
                return self.mul_slow(g, f1, f2);
            }
            cy2.divexact(q2, bx);
            // a3 = by·cy − G·y·dy; c3 = bx·cx − G·x·dx; b3 = G(Q3 + Q4) − Q1 − Q2
            r.a.mul(by_, cy2);
            tmp.mul(y, dy2);
            tmp2.mul(tmp, gg);
            r.a.sub_assign(tmp2);
            r.c.mul(bx, cx);
            tmp.mul(x, dx);
            tmp2.mul(tmp, gg);
            r.c.sub_assign(tmp2);
            tmp.add(q3, q4);
            r.b.mul(tmp, gg);
            r.b.sub_assign(q1);
            r.b.sub_assign(q2);
        }
        self.t = t;
        self.reduce(&mut r);
        r
    }

    /// Composition by Cohen's Alg. 5.4.7 then plain reduction: slow, used to cross-check NUCOMP.
    pub fn mul_slow(&mut self, g: &Group, f1: &Form, f2: &Form) -> Form {
        let mut s = Mpz::new();
        s.add(&f1.b, &f2.b);
        s.fdiv_q_2exp(&s.clone(), 1);
        let (mut d0, mut u0, mut v0) = (Mpz::new(), Mpz::new(), Mpz::new());
        Mpz::gcdext(&mut d0, &mut u0, &mut v0, &f1.a, &f2.a);
        let (mut d, mut y1, mut z1) = (Mpz::new(), Mpz::new(), Mpz::new());
        Mpz::gcdext(&mut d, &mut y1, &mut z1, &d0, &s);
        // d = y1·(u0 a1 + v0 a2) + z1·s
        let mut v = Mpz::new();
        v.mul(&y1, &v0);
        let w = z1;
        let mut a = Mpz::new();
        a.mul(&f1.a, &f2.a);
        let mut d2 = Mpz::new();
        d2.mul(&d, &d);
        a.divexact(&a.clone(), &d2);
        // B = b2 + 2(a2/d)(v(s − b2) − w c2) mod 2A
        let mut k = Mpz::new();
        k.sub(&s, &f2.b);
        k.mul_assign(&v);
        k.submul(&w, &f2.c);
        let mut a2d = Mpz::new();
        a2d.divexact(&f2.a, &d);
        let mut b = Mpz::new();
        b.mul(&a2d, &k);
        b.mul_2exp(&b.clone(), 1);
        b.add_assign(&f2.b);
        let mut two_a = Mpz::new();
        two_a.mul_2exp(&a, 1);
        b.fdiv_r(&b.clone(), &two_a);
        let mut r = g.from_ab(a, b).expect("composition yields a form");
        self.reduce(&mut r);
        r
    }

    /// f^e for a non-negative exponent given as an Mpz (left-to-right square and multiply).
    pub fn pow(&mut self, g: &Group, f: &Form, e: &Mpz) -> Form {
        if e.is_zero() {
            return g.identity();
        }
        let mut r = f.clone();
        let bits = e.bits();
        for i in (0..bits - 1).rev() {
            self.square(g, &mut r);
            if e.tstbit(i as u64) {
                r = self.mul(g, &r, f);
            }
        }
        r
    }

    /// f1^e1 · f2^e2 by one shared square-and-multiply ladder (Shamir's trick): max(bits) squarings
    /// instead of the sum, with f1·f2 precomputed for the bit positions set in both exponents.
    pub fn pow2(&mut self, g: &Group, f1: &Form, e1: &Mpz, f2: &Form, e2: &Mpz) -> Form {
        let both = self.mul(g, f1, f2);
        let mut r: Option<Form> = None;
        for i in (0..e1.bits().max(e2.bits())).rev() {
            if let Some(acc) = r.as_mut() {
                self.square(g, acc);
            }
            let factor = match (e1.tstbit(i as u64), e2.tstbit(i as u64)) {
                (true, true) => &both,
                (true, false) => f1,
                (false, true) => f2,
                (false, false) => continue,
            };
            r = Some(match r {
                None => factor.clone(),
                Some(acc) => self.mul(g, &acc, factor),
            });
        }
        r.unwrap_or_else(|| g.identity())
    }
}
