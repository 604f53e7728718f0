//! `cargo run --release --example timing`: µs per HashBytes (min and 10th percentile of single
//! timed calls, robust to a shared machine's time slicing), without FFI.
use std::time::Instant;

fn main() {
    for len in [64usize, 585] {
        let msg: Vec<u8> = (0..len).map(|i| i as u8).collect();
        let mut sink = 0u8;
        let mut samples: Vec<f64> = (0..3000)
            .map(|_| {
                let start = Instant::now();
                sink ^= quil_poseidon::hash_bytes(std::hint::black_box(&msg)).unwrap()[0];
                start.elapsed().as_secs_f64() * 1e6
            })
            .collect();
        samples.sort_by(f64::total_cmp);
        println!(
            "len={len} min_us={:.1} p10_us={:.1} p50_us={:.1} (sink {sink})",
            samples[0], samples[300], samples[1500]
        );
    }
}
