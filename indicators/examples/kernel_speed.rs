//! Single-thread kernel throughput, minimum over repeated runs (robust on a
//! busy machine): `cargo run --release -p rayon-web-indicators --example kernel_speed`.
use rayon_web_indicators::*;
use std::time::Instant;

fn main() {
    let n = 100_000;
    let data: Vec<f64> = (0..n).map(|i| 100.0 + (i as f64 * 0.01).sin()).collect();
    let mut out = vec![0.0; n];
    let pool = rayon::ThreadPoolBuilder::new().num_threads(1).build().unwrap();
    for period in [9usize, 30, 100, 258] {
        let p = AlmaParams { period, ..Default::default() };
        let flop = 2.0 * ((n - period + 1) * period) as f64;
        let mut line = format!("period {period:>4}:");
        for (name, k) in [("scalar", Kernel::Scalar), ("avx2", Kernel::Avx2), ("avx512", Kernel::Avx512)] {
            if k.resolve().is_err() {
                continue;
            }
            let opts = BatchOptions { kernel: k, parallel: false, ..Default::default() };
            let reps = if name == "scalar" { 5 } else { 40 };
            let mut best = f64::INFINITY;
            for _ in 0..reps {
                let t = Instant::now();
                pool.install(|| alma_into_with(&data, &p, &opts, &mut out)).unwrap();
                best = best.min(t.elapsed().as_secs_f64());
            }
            line += &format!("  {name} {:.2} GFLOP/s", flop / best / 1e9);
        }
        println!("{line}");
    }
}
