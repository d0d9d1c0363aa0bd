//! Batches reduced row by row (`alma_batch_reduce`, `Engine::batch_reduce`)
//! give the rows `alma_batch` gives, bit for bit, whatever the chunking, the
//! kernel and the pool; the same errors; and the rules in `rules` follow their
//! definitions.

use proptest::prelude::*;
use rayon_web_indicators::batch::Engine;
use rayon_web_indicators::rules::{long_above, row_sum, LongAbove};
use rayon_web_indicators::*;

fn bits(row: &[f64]) -> Vec<u64> {
    row.iter().map(|v| v.to_bits()).collect()
}

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![20 => 50.0..150.0f64, 1 => Just(f64::NAN), 1 => Just(f64::INFINITY)]
}

fn kernels() -> Vec<Kernel> {
    [Kernel::Auto, Kernel::Scalar, Kernel::Simd, Kernel::Fft].into_iter().filter(|k| k.resolve().is_ok()).collect()
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 48, ..ProptestConfig::default() })]

    #[test]
    fn reduced_rows_are_the_batch_rows_bitwise(
        x in prop::collection::vec(value(), 1..3000),
        pstart in 1usize..40, pcount in 0usize..12, pstep in 1usize..30,
        offsets in 1usize..4, floor in any::<bool>(), parallel in any::<bool>(),
        // Small limits force chunks of one or a few rows.
        chunk_limit in prop_oneof![Just(usize::MAX), 8usize..50_000],
    ) {
        let range = AlmaBatchRange {
            period: (pstart, pstart + pcount * pstep, pstep),
            offset: (0.1, 0.1 + 0.3 * (offsets - 1) as f64, 0.3),
            sigma: (6.0, 6.0, 0.0),
            floor,
        };
        for k in kernels() {
            let opts = BatchOptions { kernel: k, parallel, ..Default::default() };
            let reduced_opts = BatchOptions { max_output_bytes: chunk_limit.max(8 * x.len()), ..opts };
            let batch = alma_batch_with(&x, &range, &opts);
            let reduced = alma_batch_reduce(&x, &range, &reduced_opts, |r, row| (r, bits(row)));
            match (batch, reduced) {
                (Ok(b), Ok((rows, combos))) => {
                    prop_assert_eq!(&combos, &b.combos);
                    prop_assert_eq!(rows.len(), b.rows);
                    for (i, (r, row)) in rows.iter().enumerate() {
                        prop_assert_eq!(*r, i);
                        prop_assert_eq!(row, &bits(b.row(i).unwrap()), "row {} kernel {:?}", i, k);
                    }
                }
                (Err(a), Err(b)) => prop_assert_eq!(a.code(), b.code()),
                (a, b) => prop_assert!(false, "batch {:?} vs reduce {:?}", a.map(|b| b.rows), b.map(|r| r.0.len())),
            }
        }
    }

    #[test]
    fn long_above_follows_its_definition(
        // Missing closes (NaN) among the prices, and lines NaN often enough that some have no number at all.
        prices in prop::collection::vec(prop_oneof![9 => 1.0..200.0f64, 1 => Just(f64::NAN)], 0..300),
        line in prop::collection::vec(prop_oneof![4 => 1.0..200.0f64, 1 => Just(f64::NAN)], 0..300),
        all_nan_line in prop::bool::weighted(0.1),
    ) {
        let line: Vec<f64> = if all_nan_line { vec![f64::NAN; line.len()] } else { line };
        let n = prices.len().min(line.len());
        let (mut g, mut held, mut decided) = ([1.0f64; 4], 0usize, 0usize);
        for t in 1..n {
            decided += !line[t - 1].is_nan() as usize;
            if !line[t - 1].is_nan() && prices[t - 1] > line[t - 1] {
                let r = prices[t] / prices[t - 1];
                if r.is_finite() {
                    g[t % 4] *= r;
                }
                held += 1;
            }
        }
        let got = long_above(&prices, &line);
        if n >= 2 && decided == 0 {
            prop_assert!(got.total_return.is_nan() && got.time_in_market.is_nan(), "{:?}", got);
        } else {
            prop_assert_eq!(got.total_return.to_bits(), ((g[0] * g[1]) * (g[2] * g[3]) - 1.0).to_bits());
            prop_assert_eq!(got.time_in_market, if n < 2 { 0.0 } else { held as f64 / (n - 1) as f64 });
            prop_assert!(got.total_return.is_finite(), "a missing close never makes the return NaN: {:?}", got);
        }
    }
}

proptest! {
    #[test]
    fn row_sum_follows_its_definition(row in prop::collection::vec(prop_oneof![8 => -1e6..1e6f64, 1 => Just(f64::NAN), 1 => Just(f64::INFINITY), 1 => Just(-0.0)], 0..300)) {
        let (mut s, mut nan) = ([0.0f64; 4], 0usize);
        for (i, &v) in row.iter().enumerate() {
            if v.is_finite() {
                s[i % 4] += v;
            } else if v.is_nan() {
                nan += 1;
            }
        }
        let got = row_sum(&row);
        prop_assert_eq!((got.finite_sum.to_bits(), got.nan_count), (((s[0] + s[1]) + (s[2] + s[3])).to_bits(), nan));
    }
}

#[test]
fn long_above_small_cases() {
    // Long on bars 2 and 3 (close above the line at 1 and 2), flat on bar 1 (NaN line).
    let prices = [10.0, 11.0, 12.0, 9.0];
    let line = [f64::NAN, 10.0, 11.0, 20.0];
    let r = long_above(&prices, &line);
    // Bar 2 into accumulator 2, bar 3 into accumulator 3: (1 * 1) * (12/11 * 9/12).
    assert_eq!(r, LongAbove { total_return: (1.0 * 1.0) * ((12.0 / 11.0) * (9.0 / 12.0)) - 1.0, time_in_market: 2.0 / 3.0 });
    assert_eq!(long_above(&[], &[]), LongAbove { total_return: 0.0, time_in_market: 0.0 });
    assert_eq!(long_above(&[5.0], &[1.0]), LongAbove { total_return: 0.0, time_in_market: 0.0 });
    // A missing close while long earns nothing (it made the whole return NaN).
    let r = long_above(&[10.0, 11.0, f64::NAN, 12.0, 13.0], &[1.0, 1.0, 1.0, 1.0, 1.0]);
    assert_eq!(r, LongAbove { total_return: (1.0 * (11.0 / 10.0)) * (1.0 * (13.0 / 12.0)) - 1.0, time_in_market: 3.0 / 4.0 });
    // A line NaN at every decision (no complete window): the rule cannot be evaluated.
    let r = long_above(&[10.0, 11.0, 12.0], &[f64::NAN; 3]);
    assert!(r.total_return.is_nan() && r.time_in_market.is_nan(), "{r:?}");
}

#[test]
fn row_sum_counts_finite_values_and_nans_only() {
    let s = row_sum(&[1.0, f64::NAN, 2.5, f64::INFINITY, f64::NEG_INFINITY, -0.5, f64::NAN]);
    assert_eq!(s.finite_sum, 3.0);
    assert_eq!(s.nan_count, 2);
}

#[test]
fn errors_are_the_batch_errors_and_a_row_above_the_limit_is_output_too_large() {
    let x: Vec<f64> = (0..100).map(|i| 100.0 + i as f64).collect();
    let opts = BatchOptions::default();
    let noop = |_: usize, _: &[f64]| ();
    let bad_period = AlmaBatchRange { period: (5, 200, 5), offset: (0.85, 0.85, 0.0), sigma: (6.0, 6.0, 0.0), floor: false };
    assert_eq!(alma_batch_reduce(&x, &bad_period, &opts, noop).unwrap_err().code(), alma_batch(&x, &bad_period).unwrap_err().code());
    let bad_offset = AlmaBatchRange { offset: (0.85, 1.5, 0.5), period: (5, 10, 5), ..bad_period };
    assert_eq!(alma_batch_reduce(&x, &bad_offset, &opts, noop).unwrap_err().code(), "INVALID_OFFSET");
    assert_eq!(alma_batch_reduce(&[], &bad_offset, &opts, noop).unwrap_err().code(), alma_batch(&[], &bad_offset).unwrap_err().code());
    let ok = AlmaBatchRange { period: (5, 10, 5), offset: (0.85, 0.85, 0.0), ..bad_period };
    let tight = BatchOptions { max_output_bytes: 8 * 99, ..opts };
    assert_eq!(alma_batch_reduce(&x, &ok, &tight, noop).unwrap_err().code(), "OUTPUT_TOO_LARGE");
    // The grid is never materialised: a grid far above the output limit reduces fine.
    let big = BatchOptions { max_output_bytes: 8 * 100, ..opts };
    let (sums, _) = alma_batch_reduce(&x, &ok, &big, |_, row| row_sum(row).nan_count).unwrap();
    assert_eq!(sums, vec![4, 9]);
}

#[test]
fn ema_reduces_through_the_same_engine() {
    let x: Vec<f64> = (0..500).map(|i| 100.0 + (i as f64 * 0.1).sin()).collect();
    let range = EmaBatchRange { period: (2, 40, 2) };
    let engine = Engine::<ema::Ema>::recursive();
    let (rows, combos) = engine.batch_reduce(&x, &range, &BatchOptions::default(), |_, row| bits(row)).unwrap();
    let batch = ema_batch(&x, &range).unwrap();
    assert_eq!(combos, batch.combos);
    for (i, row) in rows.iter().enumerate() {
        assert_eq!(row, &bits(batch.row(i).unwrap()));
    }
}

#[test]
fn chunks_are_about_four_per_thread_and_at_most_chunk_bytes_unless_one_row_is_larger() {
    use rayon_web_indicators::batch::{chunk_rows, CHUNK_BYTES};
    assert_eq!(chunk_rows(600, 10_000, 2, usize::MAX), 75); // 8 chunks of 6 MB
    assert_eq!(chunk_rows(600, 10_000, 64, usize::MAX), 3);
    assert_eq!(chunk_rows(250, 1_000_000, 2, usize::MAX), 2); // 16 MB each
    assert_eq!(chunk_rows(250, 4_000_000, 2, usize::MAX), 1); // one row above CHUNK_BYTES
    assert_eq!(chunk_rows(0, 10, 2, usize::MAX), 1);
    assert_eq!(chunk_rows(100, 1000, 1, 8 * 1000 * 5), 5); // max_output_bytes bounds it too
    for (rows, len, threads) in [(1, 1, 1), (1000, 2520, 2), (7, 3_000_000, 8), (250, 100_000, 2)] {
        let per = chunk_rows(rows, len, threads, usize::MAX);
        assert!(per >= 1 && (per == 1 || per * len * 8 <= CHUNK_BYTES), "{rows} {len} {threads}: {per}");
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 32, ..ProptestConfig::default() })]

    /// Many series: every reduced row is bitwise the `alma_batch_many` row of
    /// its (series, combination), results series-major, whatever the kernel,
    /// the pool, the number of series (whole-series chunks from four per
    /// thread) and the chunk limit; the same error (code and series index).
    #[test]
    fn many_series_reduced_rows_are_the_many_batch_rows_bitwise(
        universe in prop::collection::vec(prop::collection::vec(value(), 0..400), 1..12),
        pstart in 1usize..20, pcount in 0usize..6, pstep in 1usize..15,
        parallel in any::<bool>(),
        chunk_limit in prop_oneof![Just(usize::MAX), 8usize..20_000],
    ) {
        let (values, offsets) = rayon_web_indicators::batch::flatten(&universe);
        let range = AlmaBatchRange { period: (pstart, pstart + pcount * pstep, pstep), offset: (0.85, 0.85, 0.0), sigma: (6.0, 6.0, 0.0), floor: false };
        let longest = universe.iter().map(Vec::len).max().unwrap_or(0);
        for k in kernels() {
            let opts = BatchOptions { kernel: k, parallel, ..Default::default() };
            let reduced_opts = BatchOptions { max_output_bytes: chunk_limit.max(8 * longest), ..opts };
            let batch = alma_batch_many_with(&values, &offsets, &range, &opts);
            let reduced = alma_batch_many_reduce(&values, &offsets, &range, &reduced_opts, |s, r, row| (s, r, bits(row)));
            match (batch, reduced) {
                (Ok(b), Ok((rows, combos))) => {
                    prop_assert_eq!(&combos, &b.combos);
                    prop_assert_eq!(rows.len(), b.rows * universe.len());
                    for (i, (s, r, row)) in rows.iter().enumerate() {
                        prop_assert_eq!((*s, *r), (i / b.rows, i % b.rows));
                        prop_assert_eq!(row, &bits(b.row(*s, *r).unwrap()), "series {} row {} kernel {:?}", s, r, k);
                    }
                }
                (Err(a), Err(b)) => prop_assert_eq!(format!("{a:?}"), format!("{b:?}")),
                (a, b) => prop_assert!(false, "batch {:?} vs reduce {:?}", a.map(|b| b.rows), b.map(|r| r.0.len())),
            }
        }
    }
}

#[test]
fn many_series_errors_name_the_series_and_a_row_above_the_limit_is_output_too_large() {
    let good: Vec<f64> = (0..100).map(|i| 100.0 + i as f64).collect();
    let short = vec![1.0; 8];
    let (values, offsets) = rayon_web_indicators::batch::flatten(&[good.clone(), short, good.clone()]);
    let range = AlmaBatchRange { period: (5, 10, 5), offset: (0.85, 0.85, 0.0), sigma: (6.0, 6.0, 0.0), floor: false };
    let noop = |_: usize, _: usize, _: &[f64]| ();
    let opts = BatchOptions::default();
    let e = alma_batch_many_reduce(&values, &offsets, &range, &opts, noop).unwrap_err();
    assert_eq!(format!("{e:?}"), format!("{:?}", alma_batch_many(&values, &offsets, &range).unwrap_err()));
    assert_eq!((e.code(), matches!(e, Error::Series { index: 1, .. })), ("INVALID_PERIOD", true), "{e:?}");
    let (values, offsets) = rayon_web_indicators::batch::flatten(&[good.clone(), good]);
    let tight = BatchOptions { max_output_bytes: 8 * 99, ..opts };
    assert_eq!(alma_batch_many_reduce(&values, &offsets, &range, &tight, noop).unwrap_err().code(), "OUTPUT_TOO_LARGE");
    assert_eq!(alma_batch_many_reduce(&values, &[0, 50], &range, &opts, noop).unwrap_err().code(), alma_batch_many(&values, &[0, 50], &range).unwrap_err().code());
}

#[test]
fn chunk_plans_cut_few_series_by_rows_and_many_series_whole_grouping_small_ones() {
    use rayon_web_indicators::batch::{peak_chunk_bytes, plan_chunks, Chunk, GROUP_BYTES};
    // One series: about four chunks per thread (chunk_rows).
    let one = plan_chunks(&[10_000], 600, 2, usize::MAX);
    assert_eq!(one.len(), 8);
    assert!(one.iter().all(|c| c.series == 0 && c.series_count == 1 && c.count == 75 && c.samples == 10_000));
    // The backtester's universe: 403 KB per series, above GROUP_BYTES: whole series, in order.
    let universe = plan_chunks(&vec![2520; 1000], 20, 2, usize::MAX);
    assert_eq!(universe.len(), 1000);
    assert!(universe.iter().enumerate().all(|(s, c)| *c == Chunk { series: s, series_count: 1, first: 0, count: 20, samples: 2520 }));
    assert_eq!(peak_chunk_bytes(&vec![2520; 1000], 20, 2, usize::MAX), 4 * 20 * 2520 * 8);
    // A whole series larger than CHUNK_BYTES is still cut.
    let long = plan_chunks(&[1_000_000; 8], 10, 2, usize::MAX);
    assert!(long.iter().all(|c| c.count == 2 && c.series_count == 1) && long.len() == 40);
    // Many tiny series share chunks of at most GROUP_BYTES: a million one-bar series, one row.
    let tiny = plan_chunks(&vec![1; 1_000_000], 1, 2, usize::MAX);
    assert_eq!(tiny.len(), 1_000_000usize.div_ceil(GROUP_BYTES / 8));
    assert!(tiny.iter().all(|c| c.count == 1 && c.bytes() <= GROUP_BYTES as u64));
    // Every (series, row) once, in order, whatever the lengths; the peak bound holds.
    for (lengths, rows, threads, limit) in [
        (vec![5, 0, 3_000_000, 70], 7, 3, 1usize << 20),
        (vec![10_000], 600, 2, usize::MAX),
        (vec![100, 90_000, 7], 300, 1, 50_000),
        (vec![3; 40], 9, 2, 64),
        ((0..200).map(|i| (i * 37) % 500 + 1).collect(), 12, 2, usize::MAX),
        (vec![40_000, 1, 1, 1, 40_000, 2, 2, 90_000, 1, 1, 1, 1], 5, 2, usize::MAX),
    ] {
        let plan = plan_chunks(&lengths, rows, threads, limit);
        let mut want = Vec::new();
        for s in 0..lengths.len() {
            want.extend((0..rows).map(|r| (s, r)));
        }
        let got: Vec<(usize, usize)> =
            plan.iter().flat_map(|c| (c.series..c.series + c.series_count).flat_map(move |s| (c.first..c.first + c.count).map(move |r| (s, r)))).collect();
        assert_eq!(got, want, "{lengths:?} {rows} {threads}");
        for c in &plan {
            assert_eq!(c.samples, lengths[c.series..c.series + c.series_count].iter().sum::<usize>());
            assert!(c.series_count == 1 || c.count == rows, "groups hold whole series");
        }
        let mut sizes: Vec<u64> = plan.iter().map(Chunk::bytes).collect();
        sizes.sort_unstable_by(|a, b| b.cmp(a));
        let exact: u64 = sizes.iter().take(2 * threads).sum();
        let bound = peak_chunk_bytes(&lengths, rows, threads, limit);
        assert!(bound >= exact && bound <= exact + 2 * threads as u64 * GROUP_BYTES as u64, "{lengths:?}: {bound} vs {exact}");
    }
    // A huge grid over many tiny series: no plan is made, the figure saturates at worst.
    assert!(peak_chunk_bytes(&vec![1; 100_000], usize::MAX / 2, 2, usize::MAX) > 0);
}

proptest! {
    /// The precomputed ratios, also taken as a range of a longer buffer's (the
    /// many-series case), give `long_above`'s bits.
    #[test]
    fn long_above_with_ratios_is_long_above_bitwise(
        before in prop::collection::vec(1.0..200.0f64, 0..20),
        prices in prop::collection::vec(prop_oneof![8 => 1.0..200.0f64, 1 => Just(f64::NAN), 1 => Just(0.0)], 0..300),
        line in prop::collection::vec(prop_oneof![4 => 1.0..200.0f64, 1 => Just(f64::NAN)], 0..300),
    ) {
        use rayon_web_indicators::rules::{bar_ratios, long_above_with};
        let mut flat = before.clone();
        flat.extend_from_slice(&prices);
        let ratios = bar_ratios(&flat);
        let want = long_above(&prices, &line);
        let got = long_above_with(&prices, &ratios[before.len()..], &line);
        prop_assert_eq!((got.total_return.to_bits(), got.time_in_market.to_bits()), (want.total_return.to_bits(), want.time_in_market.to_bits()));
    }
}
