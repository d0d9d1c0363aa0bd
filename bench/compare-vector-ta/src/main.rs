//! ALMA, 250 periods (9..=258, offset 0.85, sigma 6) x 100k and 1M points, end
//! to end through the allocating batch calls, 2 threads, same process:
//! rayon-web-indicators (`Kernel::Auto`, `Kernel::Fft`, best direct kernel) and
//! vector-ta 0.3.1 (AVX-512 batch if the CPU has it, else AVX2).
//! Prints the median of a few runs and the largest difference between the two
//! crates' outputs (both use TradingView's convention, floor = false).
//!
//! `cargo run --release --manifest-path bench/compare-vector-ta/Cargo.toml`

use rayon_web_indicators as ours;
use std::time::{Duration, Instant};
use vector_ta::indicators::moving_averages::alma as theirs;
use vector_ta::utilities::enums::Kernel as TheirKernel;

fn walk(n: usize) -> Vec<f64> {
    let mut s = 0x9E3779B97F4A7C15u64;
    let mut v = 100.0;
    (0..n)
        .map(|_| {
            s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
            v *= (0.02 * ((s >> 11) as f64 / (1u64 << 53) as f64 - 0.5)).exp();
            v
        })
        .collect()
}

fn median(mut f: impl FnMut() -> Vec<f64>, runs: usize) -> (Duration, Vec<f64>) {
    let mut times = Vec::new();
    let mut last = Vec::new();
    for _ in 0..runs {
        drop(std::mem::take(&mut last));
        let t = Instant::now();
        last = f();
        times.push(t.elapsed());
    }
    times.sort();
    (times[runs / 2], last)
}

fn main() {
    rayon::ThreadPoolBuilder::new().num_threads(2).build_global().expect("global pool of 2");
    let avx512 = std::arch::is_x86_feature_detected!("avx512f");
    let their_kernel = if avx512 { TheirKernel::Avx512Batch } else { TheirKernel::Avx2Batch };
    for cols in [100_000usize, 1_000_000] {
        let x = walk(cols);
        let runs = if cols > 100_000 { 3 } else { 5 };
        let range = ours::AlmaBatchRange { period: (9, 258, 1), offset: (0.85, 0.85, 0.0), sigma: (6.0, 6.0, 0.0), floor: false };
        let direct = if ours::Kernel::Simd.resolve().is_ok() { ours::Kernel::Simd } else { ours::Kernel::Scalar };
        println!("\n250 x {cols}, 2 threads, allocating calls, median of {runs}:");
        let mut reference = Vec::new();
        for k in [ours::Kernel::Auto, ours::Kernel::Fft, direct] {
            let opts = ours::BatchOptions { kernel: k, ..Default::default() };
            let (t, v) = median(|| ours::alma_batch_with(&x, &range, &opts).unwrap().values, runs);
            println!("  rayon-web-indicators {k:<8?} {:>9.1} ms", t.as_secs_f64() * 1e3);
            if k == direct {
                reference = v;
            }
        }
        let sweep = theirs::AlmaBatchRange { period: (9, 258, 1), offset: (0.85, 0.85, 0.0), sigma: (6.0, 6.0, 0.0) };
        let (t, v) = median(|| theirs::alma_batch_with_kernel(&x, &sweep, their_kernel).unwrap().values, runs);
        println!("  vector-ta 0.3.1 {their_kernel:<13?} {:>9.1} ms", t.as_secs_f64() * 1e3);
        let diff = reference
            .iter()
            .zip(&v)
            .filter(|(a, b)| a.is_finite() && b.is_finite())
            .map(|(a, b)| (a - b).abs() / a.abs())
            .fold(0.0f64, f64::max);
        println!("  largest relative difference between the two: {diff:e}");
    }
}
