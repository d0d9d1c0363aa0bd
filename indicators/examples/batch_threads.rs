//! One ALMA batch (250 periods 9..=258 x 100k points) on a pool of N threads,
//! repeated; prints each wall time. Run under `/usr/bin/time -v` to see how
//! much CPU the threads really got on a shared machine:
//! `cargo run --release -p rayon-web-indicators --example batch_threads -- 2 scalar 3`.
use rayon_web_indicators::*;
use std::time::Instant;

fn main() {
    let args: Vec<String> = std::env::args().collect();
    let threads: usize = args.get(1).and_then(|s| s.parse().ok()).unwrap_or(2);
    let kernel = match args.get(2).map(String::as_str) {
        Some("scalar") => Kernel::Scalar,
        Some("avx2") => Kernel::Avx2,
        Some("avx512") => Kernel::Avx512,
        _ => Kernel::Auto,
    };
    let reps: usize = args.get(3).and_then(|s| s.parse().ok()).unwrap_or(5);
    let n = 100_000;
    let data: Vec<f64> = (0..n).map(|i| 100.0 + (i as f64 * 0.37).sin() * 3.0).collect();
    let range = AlmaBatchRange { period: (9, 258, 1), offset: (0.85, 0.85, 0.0), sigma: (6.0, 6.0, 0.0), floor: false };
    let flop: f64 = (9..=258usize).map(|p| 2.0 * ((n - p + 1) * p) as f64).sum();
    let mut out = vec![0.0; 250 * n];
    let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
    let opts = BatchOptions { kernel, ..Default::default() };
    for _ in 0..reps {
        let t = Instant::now();
        pool.install(|| alma_batch_into_with(&data, &range, &opts, &mut out)).unwrap();
        let s = t.elapsed().as_secs_f64();
        println!("{threads}t {kernel:?}: {:.1} ms, {:.2} GFLOP/s", s * 1e3, flop / s / 1e9);
    }
}
