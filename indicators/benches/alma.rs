//! ALMA benchmarks: scalar vs SIMD kernels, 1 vs 2 threads, for
//! - a batch of 250 periods (9..=258) x 100k points, and
//! - one combination (defaults, period 9) x 1M points, and
//! - the backtester's case: 1000 series x 2520 points (10 years of trading days)
//!   x 20 periods (5..=100 step 5), offset 0.85, sigma 6, as one
//!   `alma_batch_many_into` call on 1 and 2 threads, then an alternating pass
//!   (1 thread, 2 threads, 1000 one-series calls on 2 threads, and the sweep
//!   reduced per row by `alma_batch_many_reduce` with the `rules`) printing
//!   same-run medians and ratios (`MANY` lines).
//!
//! `cargo bench -p rayon-web-indicators --bench alma` (about 2 minutes). Besides
//! criterion's report, prints one `SUMMARY` line per case: median time of the
//! measured samples and GFLOP/s = 2 * sum_combos((N - period + 1) * period) / time.
//! Filter cases with criterion's usual argument, e.g. `-- batch`.

use criterion::{BenchmarkId, Criterion};
use rayon_web_indicators::*;
use std::cell::RefCell;
use std::collections::BTreeMap;
use std::hint::black_box;
use std::time::{Duration, Instant};

fn walk(n: usize) -> Vec<f64> {
    let mut s: u64 = 0x9E37_79B9_7F4A_7C15;
    let mut v = 100.0;
    (0..n)
        .map(|_| {
            s ^= s << 13;
            s ^= s >> 7;
            s ^= s << 17;
            v += ((s >> 11) as f64 / (1u64 << 53) as f64 - 0.5) * 0.5;
            v
        })
        .collect()
}

fn flops(n: usize, periods: impl Iterator<Item = usize>) -> f64 {
    periods.map(|p| 2.0 * ((n - p + 1) * p) as f64).sum()
}

/// Per case: flop count, measured sample count, per-iteration time of every sample.
type Samples = BTreeMap<String, (f64, usize, Vec<f64>)>;

thread_local! {
    static SAMPLES: RefCell<Samples> = const { RefCell::new(BTreeMap::new()) };
}

fn record(case: &str, flop: f64, samples: usize, per_iter: f64) {
    SAMPLES.with(|s| s.borrow_mut().entry(case.to_string()).or_insert((flop, samples, Vec::new())).2.push(per_iter));
}

fn kernels() -> Vec<(&'static str, Kernel)> {
    let mut v = vec![("scalar", Kernel::Scalar)];
    if Kernel::Avx2.resolve().is_ok() {
        v.push(("avx2", Kernel::Avx2));
    }
    if Kernel::Avx512.resolve().is_ok() {
        v.push(("avx512", Kernel::Avx512));
    }
    v
}

fn bench_batch(c: &mut Criterion) {
    let n = 100_000;
    let data = walk(n);
    let range = AlmaBatchRange { period: (9, 258, 1), offset: (0.85, 0.85, 0.0), sigma: (6.0, 6.0, 0.0), floor: false };
    let flop = flops(n, 9..=258);
    let mut out = vec![0.0; range.combo_count().unwrap() * n];
    const SAMPLE_SIZE: usize = 10;
    let mut g = c.benchmark_group("batch_250x100k");
    g.sample_size(SAMPLE_SIZE).warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(4));
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        for (name, kernel) in kernels() {
            let case = format!("batch 250x100k {name} {threads}t");
            let opts = BatchOptions { kernel, parallel: true, ..Default::default() };
            g.bench_function(BenchmarkId::new(name, format!("{threads}t")), |b| {
                b.iter_custom(|iters| {
                    let t = Instant::now();
                    for _ in 0..iters {
                        pool.install(|| alma_batch_into_with(black_box(&data), &range, &opts, &mut out)).unwrap();
                    }
                    let e = t.elapsed();
                    record(&case, flop, SAMPLE_SIZE, e.as_secs_f64() / iters as f64);
                    e
                })
            });
        }
    }
    g.finish();
}

fn bench_single(c: &mut Criterion) {
    let n = 1_000_000;
    let data = walk(n);
    let params = AlmaParams::default();
    let flop = flops(n, std::iter::once(params.period));
    let mut out = vec![0.0; n];
    const SAMPLE_SIZE: usize = 20;
    let mut g = c.benchmark_group("single_1x1M");
    g.sample_size(SAMPLE_SIZE).warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(2));
    for threads in [1usize, 2] {
        let pool = rayon::ThreadPoolBuilder::new().num_threads(threads).build().unwrap();
        for (name, kernel) in kernels() {
            let case = format!("single 1x1M p9 {name} {threads}t");
            let opts = BatchOptions { kernel, parallel: true, ..Default::default() };
            g.bench_function(BenchmarkId::new(name, format!("{threads}t")), |b| {
                b.iter_custom(|iters| {
                    let t = Instant::now();
                    for _ in 0..iters {
                        pool.install(|| alma_into_with(black_box(&data), &params, &opts, &mut out)).unwrap();
                    }
                    let e = t.elapsed();
                    record(&case, flop, SAMPLE_SIZE, e.as_secs_f64() / iters as f64);
                    e
                })
            });
        }
    }
    g.finish();
}

/// Median of `v` (sorted copy).
fn median(v: &[f64]) -> f64 {
    let mut m = v.to_vec();
    m.sort_by(|a, b| a.total_cmp(b));
    m[m.len() / 2]
}

fn bench_many(c: &mut Criterion) {
    let (series, len) = (1000usize, 2520usize);
    // One long walk cut into 1000 series of 2520 points.
    let values = walk(series * len);
    let offsets: Vec<usize> = (0..=series).map(|s| s * len).collect();
    let range = AlmaBatchRange { period: (5, 100, 5), offset: (0.85, 0.85, 0.0), sigma: (6.0, 6.0, 0.0), floor: false };
    let rows = range.combo_count().unwrap();
    let flop = series as f64 * flops(len, (5..=100).step_by(5));
    let mut out = vec![0.0; rows * values.len()];
    let pools: Vec<rayon::ThreadPool> = [1, 2].iter().map(|&t| rayon::ThreadPoolBuilder::new().num_threads(t).build().unwrap()).collect();
    const SAMPLE_SIZE: usize = 10;
    let mut g = c.benchmark_group("many_1000x2520x20");
    g.sample_size(SAMPLE_SIZE).warm_up_time(Duration::from_millis(300)).measurement_time(Duration::from_secs(3));
    for (i, pool) in pools.iter().enumerate() {
        let case = format!("many 1000x2520x20 {}t", i + 1);
        g.bench_function(BenchmarkId::new("auto", format!("{}t", i + 1)), |b| {
            b.iter_custom(|iters| {
                let t = Instant::now();
                for _ in 0..iters {
                    pool.install(|| alma_batch_many_into(black_box(&values), &offsets, &range, &mut out)).unwrap();
                }
                let e = t.elapsed();
                record(&case, flop, SAMPLE_SIZE, e.as_secs_f64() / iters as f64);
                e
            })
        });
    }
    g.finish();

    // Same run, variants alternated so the machine's noise hits all alike.
    let time = |f: &mut dyn FnMut()| {
        let t = Instant::now();
        f();
        t.elapsed().as_secs_f64()
    };
    // The reduced sweep (almaBatchManyLongAbove's work): rule and checksum per
    // (series, combination), no rows stored; and the same with a reduction that
    // does nothing (what the rules themselves cost).
    let ratios = rules::bar_ratios(&values);
    let rule = |s: usize, _: usize, row: &[f64]| {
        let r = offsets[s]..offsets[s + 1];
        (rules::long_above_with(&values[r.clone()], &ratios[r], row), rules::row_sum(row))
    };
    let opts = BatchOptions::default();
    let (mut one, mut two, mut calls) = (Vec::new(), Vec::new(), Vec::new());
    let (mut reduced, mut reduced_one, mut noop_one) = (Vec::new(), Vec::new(), Vec::new());
    for _ in 0..11 {
        reduced_one.push(time(&mut || {
            black_box(pools[0].install(|| alma_batch_many_reduce(&values, &offsets, &range, &opts, rule)).unwrap());
        }));
        noop_one.push(time(&mut || {
            black_box(pools[0].install(|| alma_batch_many_reduce(&values, &offsets, &range, &opts, |_, _, row| row[0])).unwrap());
        }));
        reduced.push(time(&mut || {
            black_box(pools[1].install(|| alma_batch_many_reduce(&values, &offsets, &range, &opts, rule)).unwrap());
        }));
        one.push(time(&mut || {
            pools[0].install(|| alma_batch_many_into(&values, &offsets, &range, &mut out)).unwrap();
        }));
        two.push(time(&mut || {
            pools[1].install(|| alma_batch_many_into(&values, &offsets, &range, &mut out)).unwrap();
        }));
        calls.push(time(&mut || {
            pools[1].install(|| {
                for (x, o) in values.chunks(len).zip(out.chunks_mut(rows * len)) {
                    alma_batch_into(x, &range, o).unwrap();
                }
            })
        }));
    }
    let ratio = |a: &[f64], b: &[f64]| median(&a.iter().zip(b).map(|(x, y)| x / y).collect::<Vec<_>>());
    println!(
        "MANY 1000x2520x20 alternated x11: 1 thread {:.1} ms ({:.2} GFLOP/s), 2 threads {:.1} ms ({:.2} GFLOP/s), 2t/1t speed-up {:.2}x (median of per-round ratios)",
        median(&one) * 1e3,
        flop / median(&one) / 1e9,
        median(&two) * 1e3,
        flop / median(&two) / 1e9,
        ratio(&one, &two)
    );
    println!(
        "MANY same work as 1000 alma_batch_into calls on 2 threads: {:.1} ms; the many-series call is {:.2}x faster",
        median(&calls) * 1e3,
        ratio(&calls, &two)
    );
    println!(
        "MANY reduced (long_above + row_sum per series and combination, no rows stored): 1 thread {:.1} ms, 2 threads {:.1} ms, 2t/1t speed-up {:.2}x; the rules cost {:.1} ms of the 1-thread time (a no-op reduction: {:.1} ms)",
        median(&reduced_one) * 1e3,
        median(&reduced) * 1e3,
        ratio(&reduced_one, &reduced),
        (median(&reduced_one) - median(&noop_one)) * 1e3,
        median(&noop_one) * 1e3
    );
}

fn summary() {
    SAMPLES.with(|s| {
        for (case, (flop, samples, v)) in s.borrow().iter() {
            // Criterion's warm-up calls come first; keep the last (measured) samples.
            let keep = v.len().min(*samples);
            let mut m: Vec<f64> = v[v.len() - keep..].to_vec();
            m.sort_by(|a, b| a.total_cmp(b));
            let med = m[m.len() / 2];
            println!(
                "SUMMARY {case:<32} median {:>9.3} ms  {:>7.2} GFLOP/s  ({} samples)",
                med * 1e3,
                flop / med / 1e9,
                m.len()
            );
        }
    });
}

fn main() {
    let mut c = Criterion::default().configure_from_args();
    bench_batch(&mut c);
    bench_single(&mut c);
    bench_many(&mut c);
    c.final_summary();
    summary();
}
