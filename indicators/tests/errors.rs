//! Typed errors, range rules, memory limits, infinities, parallel blocks.

use rayon_web_indicators::*;

fn code<T: std::fmt::Debug>(r: Result<T, AlmaError>) -> &'static str {
    r.expect_err("expected an error").code()
}

const P: AlmaParams = AlmaParams { period: 3, offset: 0.85, sigma: 6.0, floor: false };

#[test]
fn single_errors_have_codes_and_messages() {
    let x = [1.0, 2.0, 3.0, 4.0];
    assert_eq!(code(alma(&[], &P)), "EMPTY_INPUT");
    assert_eq!(code(alma(&x, &AlmaParams { period: 0, ..P })), "INVALID_PERIOD");
    assert_eq!(code(alma(&x, &AlmaParams { period: 5, ..P })), "INVALID_PERIOD");
    assert_eq!(code(alma(&x, &AlmaParams { offset: -0.1, ..P })), "INVALID_OFFSET");
    assert_eq!(code(alma(&x, &AlmaParams { offset: f64::NAN, ..P })), "INVALID_OFFSET");
    assert_eq!(code(alma(&x, &AlmaParams { sigma: 0.0, ..P })), "INVALID_SIGMA");
    assert_eq!(code(alma(&x, &AlmaParams { sigma: f64::INFINITY, ..P })), "INVALID_SIGMA");
    assert_eq!(code(alma(&[f64::NAN; 4], &P)), "ALL_NAN");
    assert_eq!(code(alma(&[f64::NAN, f64::NAN, 1.0, 2.0], &P)), "NOT_ENOUGH_VALID_DATA");
    let mut out = [0.0; 3];
    let e = alma_into(&x, &P, &mut out).unwrap_err();
    assert_eq!(e.code(), "OUTPUT_LENGTH_MISMATCH");
    assert!(e.to_string().contains("length 4"), "{e}");
    let e = alma(&x, &AlmaParams { period: 7, ..P }).unwrap_err();
    assert!(e.to_string().contains("use a period from 1 to 4"), "{e}");
    let _: &dyn std::error::Error = &e;
}

#[test]
fn infinities_poison_their_windows_like_nan() {
    let mut x: Vec<f64> = (0..20).map(|i| i as f64).collect();
    x[10] = f64::INFINITY;
    let out = alma(&x, &P).unwrap();
    for (t, v) in out.iter().enumerate() {
        let poisoned = t < 2 || (10..=12).contains(&t);
        assert_eq!(v.is_nan(), poisoned, "t={t} {v}");
    }
    // Leading infinities shift the warm-up like leading NaNs.
    let y = [f64::NEG_INFINITY, f64::NAN, 1.0, 2.0, 3.0];
    let out = alma(&y, &P).unwrap();
    assert!(out[..4].iter().all(|v| v.is_nan()) && out[4].is_finite());
}

#[test]
fn float_ranges_count_exactly_without_drift() {
    let r = AlmaBatchRange { period: (5, 5, 0), offset: (0.1, 0.3, 0.1), sigma: (6.0, 6.0, 0.0), floor: false };
    let c = r.combos().unwrap();
    assert_eq!(c.iter().map(|c| c.offset).collect::<Vec<_>>(), vec![0.1, 0.1 + 0.1, 0.3]);
    let r = AlmaBatchRange { offset: (0.0, 1.0, 0.1), ..r };
    let c = r.combos().unwrap();
    assert_eq!(c.len(), 11);
    for (k, p) in c.iter().enumerate() {
        assert_eq!(p.offset, (k as f64 * 0.1).min(1.0), "value {k} is start + k*step");
    }
    let r = AlmaBatchRange { offset: (0.7, 1.0, 0.1), ..r };
    assert_eq!(r.combos().unwrap().last().unwrap().offset, 1.0);
    // step 0 = start only; start == end = one value
    let r = AlmaBatchRange { offset: (0.5, 0.2, 0.0), ..r };
    assert_eq!(r.combo_count().unwrap(), 1);
    let r = AlmaBatchRange { period: (3, 10, 3), ..r };
    assert_eq!(r.combos().unwrap().iter().map(|c| c.period).collect::<Vec<_>>(), vec![3, 6, 9]);
}

#[test]
fn range_and_size_errors() {
    let x: Vec<f64> = (0..50).map(|i| i as f64).collect();
    let ok = AlmaBatchRange { period: (3, 9, 3), offset: (0.8, 0.9, 0.05), sigma: (4.0, 6.0, 2.0), floor: true };
    let b = alma_batch(&x, &ok).unwrap();
    assert_eq!((b.rows, b.cols), (3 * 3 * 2, 50));
    assert_eq!(code(alma_batch(&x, &AlmaBatchRange { period: (9, 3, 1), ..ok })), "INVALID_RANGE");
    assert_eq!(code(alma_batch(&x, &AlmaBatchRange { offset: (0.9, 0.8, 0.1), ..ok })), "INVALID_RANGE");
    assert_eq!(code(alma_batch(&x, &AlmaBatchRange { offset: (0.1, 0.8, -0.1), ..ok })), "INVALID_RANGE");
    assert_eq!(code(alma_batch(&x, &AlmaBatchRange { sigma: (1.0, 2.0, f64::NAN), ..ok })), "INVALID_RANGE");
    assert_eq!(code(alma_batch(&x, &AlmaBatchRange { sigma: (f64::NAN, 2.0, 1.0), ..ok })), "INVALID_RANGE");
    assert_eq!(code(alma_batch(&x, &AlmaBatchRange { period: (0, 9, 3), ..ok })), "INVALID_PERIOD");
    assert_eq!(code(alma_batch(&x, &AlmaBatchRange { period: (3, 60, 3), ..ok })), "INVALID_PERIOD");
    assert_eq!(code(alma_batch(&x, &AlmaBatchRange { offset: (0.5, 1.2, 0.1), ..ok })), "INVALID_OFFSET");
    assert_eq!(code(alma_batch(&x, &AlmaBatchRange { sigma: (0.0, 2.0, 1.0), ..ok })), "INVALID_SIGMA");
    assert_eq!(code(alma_batch(&[], &ok)), "EMPTY_INPUT");
    // Astronomically many combinations: rejected before allocating anything.
    let huge = AlmaBatchRange { offset: (0.0, 1.0, 1e-300), ..ok };
    assert_eq!(code(alma_batch(&x, &huge)), "OUTPUT_TOO_LARGE");
    assert_eq!(code(huge.combo_count()), "OUTPUT_TOO_LARGE");
    let huge = AlmaBatchRange { period: (1, 50, 1), offset: (0.0, 1.0, 1e-12), sigma: (1.0, 100.0, 1e-12), ..ok };
    assert_eq!(code(alma_batch(&x, &huge)), "OUTPUT_TOO_LARGE");
    // A configurable limit.
    let opts = BatchOptions { max_output_bytes: 18 * 50 * 8, ..Default::default() };
    assert_eq!(code(alma_batch_with(&x, &ok, &opts)), "OUTPUT_TOO_LARGE");
    let opts = BatchOptions { max_output_bytes: 1 << 20, ..Default::default() };
    assert!(alma_batch_with(&x, &ok, &opts).is_ok());
    // into: wrong buffer length
    let mut out = vec![0.0; 10];
    assert_eq!(code(alma_batch_into(&x, &ok, &mut out)), "OUTPUT_LENGTH_MISMATCH");
    let mut out = vec![0.0; 18 * 50];
    let combos = alma_batch_into(&x, &ok, &mut out).unwrap();
    assert_eq!(combos, b.combos);
    let bits = |v: &[f64]| v.iter().map(|x| x.to_bits()).collect::<Vec<_>>();
    assert!(bits(&out) == bits(&b.values), "into and allocating batch agree bitwise");
}

#[test]
fn kernels_resolve_and_unsupported_is_typed() {
    assert!(Kernel::Scalar.resolve().is_ok());
    let auto = Kernel::Auto.resolve().unwrap();
    assert_ne!(auto, Kernel::Auto);
    #[cfg(not(target_arch = "wasm32"))]
    assert_eq!(code(alma_with_kernel(&[1.0, 2.0], &AlmaParams { period: 1, ..P }, Kernel::Simd128)), "UNSUPPORTED_KERNEL");
}

/// One long row on a 2-thread pool (column blocks) and a many-row batch agree
/// with the sequential scalar path, including NaN gaps across block borders.
#[test]
fn parallel_blocks_match_sequential_scalar() {
    let n = 200_000;
    let mut x: Vec<f64> = (0..n).map(|i| 100.0 + (i as f64 * 0.001).sin() * 10.0).collect();
    for i in [0usize, 1, 16_380, 16_390, 50_000, 99_999, 100_000, 150_001] {
        x[i] = f64::NAN;
    }
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let range = AlmaBatchRange { period: (1, 200, 67), offset: (0.0, 1.0, 0.5), sigma: (6.0, 6.0, 0.0), floor: false };
    let seq = BatchOptions { kernel: Kernel::Scalar, parallel: false, ..Default::default() };
    let want = alma_batch_with(&x, &range, &seq).unwrap();
    for kernel in [Kernel::Scalar, Kernel::Auto] {
        let par = BatchOptions { kernel, parallel: true, ..Default::default() };
        let got = pool.install(|| alma_batch_with(&x, &range, &par)).unwrap();
        for (g, w) in got.values.iter().zip(&want.values) {
            assert_eq!(g.is_nan(), w.is_nan());
            if !w.is_nan() {
                assert!((g - w).abs() <= 1e-12 * w.abs().max(1.0));
            }
        }
        for c in &want.combos {
            let single = pool.install(|| alma_with(&x, c, &par)).unwrap();
            let r = want.combos.iter().position(|d| d == c).unwrap();
            for (g, w) in single.iter().zip(want.row(r).unwrap()) {
                assert_eq!(g.is_nan(), w.is_nan());
            }
        }
    }
}

/// Many adjacent periods without NaN (rows run as padded pairs on the SIMD
/// kernels), with column blocks on a 2-thread pool, against sequential scalar.
#[test]
fn paired_rows_match_scalar() {
    let n = 70_001;
    let x: Vec<f64> = (0..n).map(|i| 50.0 + (i as f64 * 0.003).cos() * 5.0 + (i % 7) as f64 * 0.01).collect();
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    for floor in [false, true] {
        let range = AlmaBatchRange { period: (1, 41, 1), offset: (0.85, 0.85, 0.0), sigma: (6.0, 6.0, 0.0), floor };
        let seq = BatchOptions { kernel: Kernel::Scalar, parallel: false, ..Default::default() };
        let want = alma_batch_with(&x, &range, &seq).unwrap();
        for parallel in [false, true] {
            let opts = BatchOptions { parallel, ..Default::default() };
            let got = pool.install(|| alma_batch_with(&x, &range, &opts)).unwrap();
            for (i, (g, w)) in got.values.iter().zip(&want.values).enumerate() {
                assert_eq!(g.is_nan(), w.is_nan(), "index {i}");
                if !w.is_nan() {
                    assert!((g - w).abs() <= 1e-12 * w.abs().max(1.0), "index {i}: {g} vs {w}");
                }
            }
        }
    }
}

#[test]
fn ema_errors_have_codes() {
    let x = [1.0, 2.0, 3.0, 4.0];
    let p = |period| EmaParams { period };
    assert_eq!(code(ema(&[], &p(3))), "EMPTY_INPUT");
    assert_eq!(code(ema(&x, &p(0))), "INVALID_PERIOD");
    assert_eq!(code(ema(&x, &p(5))), "INVALID_PERIOD");
    assert_eq!(code(ema(&[f64::NAN; 4], &p(3))), "ALL_NAN");
    assert_eq!(code(ema(&[f64::NAN, f64::NAN, 1.0, 2.0], &p(3))), "NOT_ENOUGH_VALID_DATA");
    assert_eq!(code(ema_with(&x, &p(2), &BatchOptions { kernel: Kernel::Simd128, ..Default::default() })), if cfg!(target_arch = "wasm32") { "" } else { "UNSUPPORTED_KERNEL" });
    let mut out = [0.0; 3];
    assert_eq!(code(ema_into(&x, &p(2), &mut out)), "OUTPUT_LENGTH_MISMATCH");
    assert_eq!(code(ema_batch(&x, &EmaBatchRange { period: (3, 2, 1) })), "INVALID_RANGE");
    assert_eq!(code(ema_batch(&x, &EmaBatchRange { period: (2, 9, 1) })), "INVALID_PERIOD");
    let opts = BatchOptions { max_output_bytes: 100, ..Default::default() };
    assert_eq!(code(ema_batch_with(&x, &EmaBatchRange { period: (1, 4, 1) }, &opts)), "OUTPUT_TOO_LARGE");
    // period 1 is the series itself; a NaN restarts the EMA (no leak past the gap).
    assert_eq!(ema(&x, &p(1)).unwrap(), x.to_vec());
    let y = [1.0, 2.0, f64::NAN, 10.0, 20.0, 30.0];
    let out = ema(&y, &p(2)).unwrap();
    let want = [f64::NAN, 1.5, f64::NAN, f64::NAN, 15.0, 30.0 * 2.0 / 3.0 + 15.0 / 3.0];
    for (g, w) in out.iter().zip(want) {
        assert!(g.is_nan() && w.is_nan() || (g - w).abs() < 1e-12, "{out:?}");
    }
}

#[test]
fn many_series_layout_and_per_series_errors() {
    let r = AlmaBatchRange { period: (2, 3, 1), offset: (0.85, 0.85, 0.0), sigma: (6.0, 6.0, 0.0), floor: false };
    let v = [1.0, 2.0, 3.0, 4.0, 5.0, 6.0];
    for offs in [&[][..], &[1, 6], &[0, 4], &[0, 4, 2, 6]] {
        let e = alma_batch_many(&v, offs, &r).unwrap_err();
        assert_eq!(e.code(), "INVALID_SERIES_LAYOUT", "{offs:?}");
        assert!(e.to_string().contains("offsets must start at 0"), "{e}");
    }
    // No series: an empty result, not an error.
    let m = alma_batch_many(&[], &[0], &r).unwrap();
    assert_eq!((m.series_count(), m.rows, m.values.len()), (0, 2, 0));
    // The failing series is named; the code is the underlying one.
    let cases: [(&[usize], &str, usize); 3] = [(&[0, 3, 3, 6], "EMPTY_INPUT", 1), (&[0, 4, 5, 6], "INVALID_PERIOD", 1), (&[0, 3, 6], "", 0)];
    for (offs, want, index) in cases {
        let got = alma_batch_many(&v, offs, &r);
        if want.is_empty() {
            assert!(got.is_ok());
            continue;
        }
        let e = got.unwrap_err();
        assert_eq!((e.code(), e.series_index()), (want, Some(index)), "{e}");
        assert!(e.to_string().starts_with(&format!("series {index}: ")), "{e}");
        assert!(std::error::Error::source(&e).is_some());
    }
    let w = [1.0, 2.0, 3.0, f64::NAN, f64::NAN, f64::NAN, f64::NAN, f64::NAN, 1.0];
    let e = ema_batch_many(&w, &[0, 3, 6, 9], &EmaBatchRange { period: (2, 2, 0) }).unwrap_err();
    assert_eq!((e.code(), e.series_index()), ("ALL_NAN", Some(1)));
    let e = ema_batch_many(&w, &[0, 3, 4, 9], &EmaBatchRange { period: (2, 2, 0) }).unwrap_err();
    assert_eq!((e.code(), e.series_index()), ("INVALID_PERIOD", Some(1)));
    let e = ema_batch_many(&w, &[0, 3, 9], &EmaBatchRange { period: (2, 2, 0) }).unwrap_err();
    assert_eq!((e.code(), e.series_index()), ("NOT_ENOUGH_VALID_DATA", Some(1)));
    // Global errors are not wrapped: ranges, parameters, memory, output length.
    assert_eq!(code(alma_batch_many(&v, &[0, 6], &AlmaBatchRange { offset: (0.5, 2.0, 0.5), ..r })), "INVALID_OFFSET");
    assert_eq!(alma_batch_many(&v, &[0, 6], &AlmaBatchRange { offset: (0.5, 2.0, 0.5), ..r }).unwrap_err().series_index(), None);
    assert_eq!(code(alma_batch_many(&v, &[0, 6], &AlmaBatchRange { period: (3, 2, 1), ..r })), "INVALID_RANGE");
    let opts = BatchOptions { max_output_bytes: 2 * 6 * 8, ..Default::default() };
    assert_eq!(code(alma_batch_many_with(&v, &[0, 3, 6], &r, &opts)), "OUTPUT_TOO_LARGE");
    let mut out = vec![0.0; 11];
    assert_eq!(code(alma_batch_many_into(&v, &[0, 3, 6], &r, &mut out)), "OUTPUT_LENGTH_MISMATCH");
    let mut out = vec![0.0; 12];
    assert_eq!(alma_batch_many_into(&v, &[0, 3, 6], &r, &mut out).unwrap().len(), 2);
    let huge = AlmaBatchRange { offset: (0.0, 1.0, 1e-300), ..r };
    assert_eq!(code(alma_batch_many(&v, &[0, 6], &huge)), "OUTPUT_TOO_LARGE");
    assert_eq!(code(alma_batch_many_into(&v, &[0, 6], &huge, &mut out)), "OUTPUT_TOO_LARGE");
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// On a 2-thread pool (tasks, row pairs, column blocks), many series of mixed
/// lengths — a long one forcing column blocks, NaN gaps, leading NaNs — give
/// exactly the bits of one sequential batch per series, on every kernel.
#[test]
fn many_series_parallel_equals_per_series_sequential_bitwise() {
    let mut seed: u64 = 0x2545_F491_4F6C_DD1D;
    let mut rnd = move || {
        seed ^= seed << 13;
        seed ^= seed >> 7;
        seed ^= seed << 17;
        seed
    };
    let mut list: Vec<Vec<f64>> = Vec::new();
    for i in 0..120 {
        let len = if i == 7 { 90_001 } else { 60 + (rnd() % 900) as usize };
        let mut v = 100.0;
        let mut s: Vec<f64> = (0..len).map(|_| { v += ((rnd() % 1000) as f64 - 500.0) * 1e-3; v }).collect();
        if i % 5 == 1 {
            s[(rnd() % len as u64) as usize] = f64::NAN;
        }
        if i % 7 == 2 {
            s[0] = f64::NAN;
            s[1] = f64::INFINITY;
        }
        list.push(s);
    }
    let (values, offsets) = rayon_web_indicators::batch::flatten(&list);
    let pool = rayon::ThreadPoolBuilder::new().num_threads(2).build().unwrap();
    let alma_range = AlmaBatchRange { period: (9, 48, 3), offset: (0.85, 0.85, 0.0), sigma: (6.0, 6.0, 0.0), floor: false };
    let ema_range = EmaBatchRange { period: (2, 50, 8) };
    let mut ks = vec![Kernel::Scalar, Kernel::Auto];
    ks.extend([Kernel::Avx2, Kernel::Avx512].into_iter().filter(|k| k.resolve().is_ok()));
    for kernel in ks {
        let par = BatchOptions { kernel, parallel: true, ..Default::default() };
        let seq = BatchOptions { parallel: false, ..par };
        let many = pool.install(|| alma_batch_many_with(&values, &offsets, &alma_range, &par)).unwrap();
        for (s, x) in list.iter().enumerate() {
            let one = alma_batch_with(x, &alma_range, &seq).unwrap();
            assert!(bits(many.series(s).unwrap()) == bits(&one.values), "alma series {s} {kernel:?}");
        }
        // One long series, one row: column blocks against the sequential call.
        let long = &list[7];
        let p = AlmaParams { period: 30, ..Default::default() };
        let blocks = pool.install(|| alma_with(long, &p, &par)).unwrap();
        assert!(bits(&blocks) == bits(&alma_with(long, &p, &seq).unwrap()), "blocks {kernel:?}");
        let ema_many = pool.install(|| ema_batch_many_with(&values, &offsets, &ema_range, &par)).unwrap();
        for (s, x) in list.iter().enumerate() {
            let one = ema_batch_with(x, &ema_range, &seq).unwrap();
            assert!(bits(ema_many.series(s).unwrap()) == bits(&one.values), "ema series {s}");
        }
    }
}

/// The sample-free checks (`Engine::check_shape`, `check_shape_many`) refuse what
/// the batches refuse, with the batches' codes, and accept what they accept:
/// the wasm exports run them before reserving memory for a call.
#[test]
fn shape_checks_agree_with_the_batches() {
    use rayon_web_indicators::batch::Engine;
    let alma = Engine::<rayon_web_indicators::alma::Alma>::fir();
    let x: Vec<f64> = (0..100).map(|i| 100.0 + (i as f64).sin()).collect();
    let opts = BatchOptions::default();
    let r = |period, offset: (f64, f64, f64)| AlmaBatchRange { period, offset, sigma: (6.0, 6.0, 0.0), floor: false };
    let cases = [
        r((1, 1_000_000, 1), (0.85, 0.85, 0.0)),
        r((0, 10, 1), (0.85, 0.85, 0.0)),
        r((101, 101, 0), (0.85, 0.85, 0.0)),
        r((5, 50, 5), (0.5, 1.5, 0.5)),
        r((10, 5, 1), (0.85, 0.85, 0.0)),
        r((5, 100, 5), (0.1, 0.9, 0.2)),
    ];
    for range in cases {
        let shape = alma.check_shape(&range, x.len(), &opts).map(|_| ());
        let batch = alma_batch(&x, &range).map(|_| ());
        assert_eq!(shape.as_ref().err().map(|e| e.code()), batch.as_ref().err().map(|e| e.code()), "{range:?}");
    }
    // Many series: the layout first, then each series named (series 1 has 30 samples).
    let offsets = [0, 50, 80, 100];
    let range = r((5, 40, 5), (0.85, 0.85, 0.0));
    let e = alma.check_shape_many(&offsets, 100, &range, &opts).unwrap_err();
    assert_eq!((e.code(), e.to_string().contains("series 1")), ("INVALID_PERIOD", true), "{e}");
    assert_eq!(alma_batch_many(&x, &offsets, &range).unwrap_err().to_string(), e.to_string());
    assert_eq!(alma.check_shape_many(&[0, 60, 30, 100], 100, &range, &opts).unwrap_err().code(), "INVALID_SERIES_LAYOUT");
    assert_eq!(alma.check_shape_many(&[0, 100], 99, &range, &opts).unwrap_err().code(), "INVALID_SERIES_LAYOUT");
    assert!(alma.check_shape_many(&[0, 50, 100], 100, &range, &opts).is_ok());
}

/// Hostile sizes are errors, never a panic or an abort: an integer axis of
/// usize::MAX + 1 values, weights of a period no memory holds, a reduced grid
/// whose parameter list alone is over the limit.
#[test]
fn hostile_sizes_are_errors() {
    let r = AlmaBatchRange { period: (0, usize::MAX, 1), offset: (0.85, 0.85, 0.0), sigma: (6.0, 6.0, 0.0), floor: false };
    assert_eq!(r.combo_count().unwrap_err().code(), "INVALID_RANGE");
    assert_eq!(code(alma_batch(&[1.0; 10], &r)), "INVALID_RANGE");
    assert_eq!(EmaBatchRange { period: (0, usize::MAX, 1) }.combo_count().unwrap_err().code(), "INVALID_RANGE");
    assert_eq!(code(alma_weights(&AlmaParams { period: usize::MAX, ..P })), "OUTPUT_TOO_LARGE");
    assert_eq!(code(alma_weights(&AlmaParams { period: 1 << 50, ..P })), "OUTPUT_TOO_LARGE");
    let e = alma_weights(&AlmaParams { period: 0, ..P }).unwrap_err();
    assert_eq!((e.code(), e.to_string().contains("at least 1")), ("INVALID_PERIOD", true), "{e}");
    // ~10^9 combinations: 32 GB of parameters alone.
    let huge = AlmaBatchRange { period: (1, 10, 1), offset: (0.0, 1.0, 1e-8), sigma: (6.0, 6.0, 0.0), floor: false };
    let x: Vec<f64> = (0..100).map(|i| 100.0 + i as f64).collect();
    let e = alma_batch_reduce(&x, &huge, &BatchOptions::default(), |_, row| row[0]).unwrap_err();
    assert_eq!(e.code(), "OUTPUT_TOO_LARGE", "{e}");
    let e = alma_batch_many_reduce(&x, &[0, 50, 100], &huge, &BatchOptions::default(), |_, _, row| row[0]).unwrap_err();
    assert_eq!(e.code(), "OUTPUT_TOO_LARGE", "{e}");
}

/// An output the memory cannot hold is OUTPUT_TOO_LARGE even when the caller
/// lifted the limit: the allocation itself fails with an error, not an abort
/// (2^61 bytes: no address space holds it).
#[test]
fn an_output_no_memory_holds_is_an_error_not_an_abort() {
    let x: Vec<f64> = (0..1usize << 20).map(|i| 100.0 + (i as f64 * 0.01).sin()).collect();
    let count = (1u64 << 38) as f64;
    let r = AlmaBatchRange { period: (10, 10, 0), offset: (0.0, 1.0, 1.0 / (count - 1.0)), sigma: (6.0, 6.0, 0.0), floor: false };
    let opts = BatchOptions { max_output_bytes: usize::MAX, ..BatchOptions::default() };
    let e = alma_batch_with(&x, &r, &opts).unwrap_err();
    assert_eq!(e.code(), "OUTPUT_TOO_LARGE", "{e}");
}
