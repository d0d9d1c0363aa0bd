//! ALMA by FFT against the best direct kernel, natively, on a pool of 2 threads.
//!
//! ```text
//! cargo bench -p rayon-web-indicators --bench fft                # everything
//! cargo bench -p rayon-web-indicators --bench fft -- 250x100k    # one group
//! cargo bench -p rayon-web-indicators --bench fft -- crossover   # the table
//! ```
//!
//! Groups:
//! - `250x100k`, `250x1m`: periods 9..=258, into a reused (already touched)
//!   buffer: `Kernel::Fft`, the best direct kernel (`Kernel::Simd`, else
//!   `Scalar`) and `Kernel::Auto`, same run, and the write-only floor (every
//!   output stored once, no arithmetic). The 1M group needs 2 GB.
//! - `alloc`: 250 x 100k through the allocating `alma_batch` vs `alma_batch_into`
//!   into a reused buffer (what the page faults of a fresh output cost).
//! - `crossover`: 16 rows of one period (offsets 0.8..0.95) per period x length,
//!   FFT vs every direct kernel the machine has (AVX-512, AVX2, scalar): where
//!   FFT starts to win (sets `CROSSOVER_PERIOD` and `CROSSOVER_PERIOD_SCALAR` in
//!   `src/kernels/fft.rs`).
//! - `fft_block_len`: one inverse real transform plus its spectrum product per
//!   transform length (sets `COST_PER_NLOGN`).

use criterion::{criterion_group, criterion_main, BenchmarkId, Criterion, Throughput};
use rayon_web_indicators::*;
use rayon::prelude::*;
use realfft::num_complex::Complex;
use realfft::RealFftPlanner;
use std::hint::black_box;
use std::time::Duration;

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

fn pool() -> rayon::ThreadPool {
    rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap()
}

fn direct() -> Kernel {
    if Kernel::Simd.resolve().is_ok() {
        Kernel::Simd
    } else {
        Kernel::Scalar
    }
}

const GRID: AlmaBatchRange = AlmaBatchRange { period: (9, 258, 1), offset: (0.85, 0.85, 0.0), sigma: (6.0, 6.0, 0.0), floor: false };

fn grid_group(c: &mut Criterion, name: &str, cols: usize) {
    let pool = pool();
    let x = walk(cols);
    let rows = GRID.combo_count().unwrap();
    let mut out = vec![0.0; rows * cols];
    let mut g = c.benchmark_group(name);
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.throughput(Throughput::Elements((rows * cols) as u64));
    for k in [Kernel::Fft, direct(), Kernel::Auto] {
        let opts = BatchOptions { kernel: k, ..Default::default() };
        pool.install(|| alma_batch_into_with(&x, &GRID, &opts, &mut out)).unwrap();
        g.bench_function(format!("{k:?}"), |b| {
            b.iter(|| pool.install(|| alma_batch_into_with(black_box(&x), &GRID, &opts, &mut out)).unwrap())
        });
    }
    // The floor no kernel can beat: every output written once, no arithmetic
    // (one row per task, as the kernels split the output). At 1M points this is
    // 2 GB of stores, which is why FFT cannot reach 0.4x the direct time there.
    g.bench_function("write-only floor", |b| {
        b.iter(|| pool.install(|| out.par_chunks_mut(cols).for_each(|row| row.fill(black_box(1.0)))))
    });
    g.finish();
}

fn b250x100k(c: &mut Criterion) {
    grid_group(c, "250x100k", 100_000);
}

fn b250x1m(c: &mut Criterion) {
    grid_group(c, "250x1m", 1_000_000);
}

fn alloc(c: &mut Criterion) {
    let pool = pool();
    let x = walk(100_000);
    let rows = GRID.combo_count().unwrap();
    let mut out = vec![0.0; rows * x.len()];
    let mut g = c.benchmark_group("alloc");
    g.sample_size(10).measurement_time(Duration::from_secs(10));
    g.bench_function("alma_batch (fresh output)", |b| b.iter(|| pool.install(|| alma_batch(black_box(&x), &GRID)).unwrap()));
    g.bench_function("alma_batch_into (reused output)", |b| {
        b.iter(|| pool.install(|| alma_batch_into(black_box(&x), &GRID, &mut out)).unwrap())
    });
    g.finish();
}

/// FFT and every direct kernel this machine has: the crossover depends on the
/// direct kernel `Auto` would otherwise use (AVX-512, AVX2 or scalar).
fn crossover_kernels() -> Vec<Kernel> {
    let mut ks = vec![Kernel::Fft];
    ks.extend([Kernel::Avx512, Kernel::Avx2, Kernel::Scalar].into_iter().filter(|k| k.resolve().is_ok()));
    ks
}

fn crossover(c: &mut Criterion) {
    let pool = pool();
    let mut g = c.benchmark_group("crossover");
    g.sample_size(10).measurement_time(Duration::from_secs(2)).warm_up_time(Duration::from_millis(500));
    for cols in [2520usize, 10_000, 100_000, 1_000_000] {
        let x = walk(cols);
        for period in [4usize, 8, 12, 16, 24, 32, 48, 64, 96, 128, 256] {
            let grid = AlmaBatchRange { period: (period, period, 0), offset: (0.8, 0.95, 0.01), ..GRID };
            let mut out = vec![0.0; grid.combo_count().unwrap() * cols];
            for k in crossover_kernels() {
                let opts = BatchOptions { kernel: k, ..Default::default() };
                g.bench_with_input(BenchmarkId::new(format!("{k:?}/n{cols}"), period), &period, |b, _| {
                    b.iter(|| pool.install(|| alma_batch_into_with(black_box(&x), &grid, &opts, &mut out)).unwrap())
                });
            }
        }
    }
    g.finish();
}

fn fft_block_len(c: &mut Criterion) {
    let mut g = c.benchmark_group("fft_block_len");
    let mut planner = RealFftPlanner::<f64>::new();
    for k in 8..=14 {
        let n = 1usize << k;
        let inv = planner.plan_fft_inverse(n);
        let x: Vec<Complex<f64>> = (0..n / 2 + 1).map(|i| Complex::new(i as f64, 0.5)).collect();
        let h = x.clone();
        let mut prod = x.clone();
        let mut y = vec![0.0; n];
        let mut scratch = vec![Complex::new(0.0, 0.0); inv.get_scratch_len()];
        g.throughput(Throughput::Elements((n * k) as u64));
        g.bench_with_input(BenchmarkId::from_parameter(n), &n, |b, _| {
            b.iter(|| {
                for ((d, u), v) in prod.iter_mut().zip(&x).zip(&h) {
                    *d = u * v;
                }
                prod[0].im = 0.0;
                prod[n / 2].im = 0.0;
                inv.process_with_scratch(&mut prod, &mut y, &mut scratch).unwrap();
                black_box(&y);
            })
        });
    }
    g.finish();
}

criterion_group!(benches, b250x100k, b250x1m, alloc, crossover, fft_block_len);
criterion_main!(benches);
