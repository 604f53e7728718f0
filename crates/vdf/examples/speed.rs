//! `cargo run --release --example speed [t]`: squaring and multiplication cost, solve(t) and verify
//! times, and the discriminant search time over a few seeds (quick native-only numbers; the
//! project benchmark is `bun run bench vdf`).
use quil_vdf::wesolowski::{self, Never};
use std::time::Instant;

fn ms(s: Instant) -> f64 {
    s.elapsed().as_secs_f64() * 1e3
}

fn main() {
    let t: u32 = std::env::args().nth(1).and_then(|s| s.parse().ok()).unwrap_or(80_000);
    let (g, x) = wesolowski::setup(b"speed");
    let n = 20_000;
    let s = Instant::now();
    let y = wesolowski::iterate(&g, &x, n);
    println!("square: {:.2} us", ms(s) * 1e3 / n as f64);
    let mut ctx = quil_vdf::form::Ctx::new();
    let s = Instant::now();
    let mut acc = y.clone();
    for _ in 0..5000 {
        acc = ctx.mul(&g, &acc, &y);
    }
    println!("mul: {:.2} us", ms(s) * 1e3 / 5000.0);
    let s = Instant::now();
    let out = wesolowski::solve(b"speed", t, &Never).expect("solve");
    println!("solve({t}): {:.0} ms", ms(s));
    wesolowski::clear_discriminant_cache();
    let s = Instant::now();
    let ok = wesolowski::verify(b"speed", t, &out).expect("verify");
    println!("verify (cold): {ok} {:.1} ms", ms(s));
    let s = Instant::now();
    let _ = wesolowski::verify(b"speed", t, &out);
    println!("verify (warm): {:.1} ms", ms(s));
    let mut total = 0.0;
    for seed in 0u8..16 {
        let s = Instant::now();
        let _ = quil_vdf::discriminant::create_discriminant(&[seed], 2048);
        total += ms(s);
    }
    println!("discriminant: {:.1} ms average over 16 seeds", total / 16.0);
}
