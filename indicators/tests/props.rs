//! Property tests: any input gives Ok-and-correct (against a straightforward
//! f64 reference written here) or a typed error; nothing panics.

use proptest::prelude::*;
use rayon_web_indicators::*;

/// Straightforward f64 ALMA, straight from the definition.
fn naive(x: &[f64], p: &AlmaParams) -> Vec<f64> {
    let n = x.len();
    let mut m = p.offset * (p.period - 1) as f64;
    if p.floor {
        m = m.floor();
    }
    let s = p.period as f64 / p.sigma;
    let w: Vec<f64> = (0..p.period).map(|i| (-((i as f64 - m).powi(2)) / (2.0 * s * s)).exp()).collect();
    let ws: f64 = w.iter().sum();
    let first = x.iter().position(|v| v.is_finite()).unwrap();
    (0..n)
        .map(|t| {
            if t + 1 < first + p.period {
                return f64::NAN;
            }
            let win = &x[t + 1 - p.period..=t];
            if win.iter().any(|v| !v.is_finite()) {
                return f64::NAN;
            }
            w.iter().zip(win).map(|(a, b)| a * b).sum::<f64>() / ws
        })
        .collect()
}

/// Scale of a window's terms, for a tolerance that also holds when the
/// output itself is near 0 (prices crossing zero).
fn assert_close(got: &[f64], exp: &[f64], x: &[f64], period: usize) -> Result<(), TestCaseError> {
    prop_assert_eq!(got.len(), exp.len());
    for t in 0..got.len() {
        if exp[t].is_nan() {
            prop_assert!(got[t].is_nan(), "t={} expected NaN got {}", t, got[t]);
        } else {
            let scale = x[t + 1 - period..=t].iter().fold(1.0f64, |a, v| a.max(v.abs()));
            let tol = 1e-12 * scale * (period as f64).sqrt().max(1.0) * 4.0;
            prop_assert!((got[t] - exp[t]).abs() <= tol, "t={} got {} expected {} tol {}", t, got[t], exp[t], tol);
        }
    }
    Ok(())
}

fn value() -> impl Strategy<Value = f64> {
    prop_oneof![
        20 => -1.0e3..1.0e3f64,
        2 => Just(f64::NAN),
        1 => Just(f64::INFINITY),
        1 => Just(f64::NEG_INFINITY),
        1 => 1.0e4..1.0e6f64,
    ]
}

fn series() -> impl Strategy<Value = Vec<f64>> {
    (0usize..4, prop::collection::vec(value(), 0..200)).prop_map(|(lead, mut v)| {
        for x in v.iter_mut().take(lead) {
            *x = f64::NAN;
        }
        v
    })
}

fn kernels() -> Vec<Kernel> {
    [Kernel::Scalar, Kernel::Auto, Kernel::Avx2, Kernel::Avx512].into_iter().filter(|k| k.resolve().is_ok()).collect()
}

fn expected_error(x: &[f64], p: &AlmaParams) -> Option<&'static str> {
    if x.is_empty() {
        return Some("EMPTY_INPUT");
    }
    if p.period == 0 || p.period > x.len() {
        return Some("INVALID_PERIOD");
    }
    if !(p.offset.is_finite() && (0.0..=1.0).contains(&p.offset)) {
        return Some("INVALID_OFFSET");
    }
    if !(p.sigma.is_finite() && p.sigma > 0.0) {
        return Some("INVALID_SIGMA");
    }
    match x.iter().position(|v| v.is_finite()) {
        None => Some("ALL_NAN"),
        Some(f) if x.len() - f < p.period => Some("NOT_ENOUGH_VALID_DATA"),
        _ => None,
    }
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 2000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn single_is_correct_or_typed_error(
        x in series(),
        period in 0usize..40,
        offset in prop_oneof![8 => 0.0..=1.0f64, 1 => Just(0.0), 1 => Just(1.0), 1 => -1.0..2.0f64, 1 => Just(f64::NAN)],
        sigma in prop_oneof![8 => 0.05..50.0f64, 1 => Just(0.0), 1 => -5.0..0.0f64, 1 => Just(f64::INFINITY), 1 => Just(f64::NAN)],
        floor in any::<bool>(),
    ) {
        let p = AlmaParams { period, offset, sigma, floor };
        let want = expected_error(&x, &p);
        for k in kernels() {
            let opts = BatchOptions { kernel: k, ..Default::default() };
            match alma_with(&x, &p, &opts) {
                Ok(got) => {
                    prop_assert!(want.is_none(), "expected {:?}", want);
                    assert_close(&got, &naive(&x, &p), &x, period)?;
                }
                Err(e) => {
                    prop_assert_eq!(Some(e.code()), want, "{}", e);
                    prop_assert!(!e.to_string().is_empty());
                }
            }
        }
    }

    /// Huge or tiny sigma: never panics; masks follow the NaN rule; finite
    /// windows give finite outputs within the window's range (a weighted mean).
    #[test]
    fn extreme_sigma_is_a_weighted_mean(
        x in prop::collection::vec(-1.0e3..1.0e3f64, 1..100),
        period in 1usize..40,
        offset in 0.0..=1.0f64,
        sigma in prop_oneof![Just(1e-300), Just(5e-324), Just(1e300), Just(f64::MAX), 1e3..1e9f64],
        floor in any::<bool>(),
    ) {
        let period = period.min(x.len());
        let p = AlmaParams { period, offset, sigma, floor };
        for k in kernels() {
            let out = alma_with_kernel(&x, &p, k).unwrap();
            for t in 0..x.len() {
                if t + 1 < period {
                    prop_assert!(out[t].is_nan());
                } else {
                    let win = &x[t + 1 - period..=t];
                    let lo = win.iter().cloned().fold(f64::INFINITY, f64::min);
                    let hi = win.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
                    let eps = 1e-9 * lo.abs().max(hi.abs()).max(1.0);
                    prop_assert!(out[t] >= lo - eps && out[t] <= hi + eps, "t={} {} not in [{}, {}]", t, out[t], lo, hi);
                }
            }
        }
    }

    #[test]
    fn batch_rows_equal_single_or_typed_error(
        x in series(),
        pstart in 0usize..30, pcount in 0usize..4, pstep in 0usize..5,
        ostart in -0.2..1.1f64, ospan in -0.1..0.6f64, ostep in prop_oneof![Just(0.0), 0.05..0.4f64, Just(-0.1), Just(f64::NAN)],
        sstart in -1.0..10.0f64, sspan in 0.0..5.0f64, sstep in prop_oneof![Just(0.0), 0.5..3.0f64],
        floor in any::<bool>(),
        parallel in any::<bool>(),
    ) {
        let range = AlmaBatchRange {
            period: (pstart, pstart + pcount * pstep.max(1), pstep),
            offset: (ostart, ostart + ospan, ostep),
            sigma: (sstart, sstart + sspan, sstep),
            floor,
        };
        for k in kernels() {
            let opts = BatchOptions { kernel: k, parallel, ..Default::default() };
            match alma_batch_with(&x, &range, &opts) {
                Ok(b) => {
                    prop_assert_eq!(b.rows, b.combos.len());
                    prop_assert_eq!(b.rows, range.combo_count().unwrap());
                    prop_assert_eq!(b.values.len(), b.rows * b.cols);
                    prop_assert_eq!(&b.combos, &range.combos().unwrap());
                    for (r, c) in b.combos.iter().enumerate() {
                        prop_assert!(c.offset >= range.offset.0 && c.offset <= range.offset.1.max(range.offset.0));
                        assert_close(b.row(r).unwrap(), &naive(&x, c), &x, c.period)?;
                    }
                }
                Err(e) => {
                    // The batch fails exactly when the range is malformed or
                    // some combination would fail on its own.
                    let code = e.code();
                    match range.combos() {
                        Err(re) => prop_assert_eq!(re.code(), code),
                        Ok(combos) => {
                            let errs: Vec<_> = combos.iter().filter_map(|c| expected_error(&x, c)).collect();
                            prop_assert!(!errs.is_empty(), "batch failed with {} but every combo is valid", e);
                            prop_assert!(errs.contains(&code), "{} not among {:?}", code, errs);
                        }
                    }
                }
            }
        }
    }
}

// ---------------------------------------------------------------------------
// EMA

/// Straightforward f64 EMA with the documented NaN rule, written per window
/// (not per run) so the run/restart logic of the engine is checked.
fn naive_ema(x: &[f64], period: usize) -> Vec<f64> {
    let alpha = 2.0 / (period as f64 + 1.0);
    (0..x.len())
        .map(|t| {
            if t + 1 < period || x[t + 1 - period..=t].iter().any(|v| !v.is_finite()) {
                return f64::NAN;
            }
            // Start of the finite run holding t.
            let a = x[..=t].iter().rposition(|v| !v.is_finite()).map_or(0, |k| k + 1);
            let mut y = x[a..a + period].iter().sum::<f64>() / period as f64;
            for &v in &x[a + period..=t] {
                y = alpha * v + (1.0 - alpha) * y;
            }
            y
        })
        .collect()
}

fn ema_expected_error(x: &[f64], period: usize) -> Option<&'static str> {
    if x.is_empty() {
        return Some("EMPTY_INPUT");
    }
    if period == 0 || period > x.len() {
        return Some("INVALID_PERIOD");
    }
    match x.iter().position(|v| v.is_finite()) {
        None => Some("ALL_NAN"),
        Some(f) if x.len() - f < period => Some("NOT_ENOUGH_VALID_DATA"),
        _ => None,
    }
}

fn bits(v: &[f64]) -> Vec<u64> {
    v.iter().map(|x| x.to_bits()).collect()
}

/// Many series: 0..6 series of 0..120 samples (some empty or all-NaN).
fn many_series() -> impl Strategy<Value = Vec<Vec<f64>>> {
    prop::collection::vec(series().prop_map(|mut v| {
        v.truncate(120);
        v
    }), 0..6)
}

proptest! {
    #![proptest_config(ProptestConfig { cases: 1000, failure_persistence: None, ..ProptestConfig::default() })]

    #[test]
    fn ema_is_correct_or_typed_error(x in series(), period in 0usize..40, parallel in any::<bool>()) {
        let p = EmaParams { period };
        let opts = BatchOptions { parallel, ..Default::default() };
        match ema_with(&x, &p, &opts) {
            Ok(got) => {
                prop_assert!(ema_expected_error(&x, period).is_none());
                let want = naive_ema(&x, period);
                for t in 0..x.len() {
                    prop_assert_eq!(got[t].is_nan(), want[t].is_nan(), "t={}", t);
                    if !want[t].is_nan() {
                        let scale = x[..=t].iter().filter(|v| v.is_finite()).fold(1.0f64, |a, v| a.max(v.abs()));
                        prop_assert!((got[t] - want[t]).abs() <= 1e-12 * scale, "t={} {} vs {}", t, got[t], want[t]);
                    }
                }
            }
            Err(e) => prop_assert_eq!(Some(e.code()), ema_expected_error(&x, period), "{}", e),
        }
    }

    /// EMA never overflows on finite input: outputs are finite and lie within the
    /// samples' range up to rounding (a few ulps; see the ema module's "Range").
    #[test]
    fn ema_of_huge_values_stays_in_range(
        x in prop::collection::vec(prop_oneof![Just(f64::MAX), Just(-f64::MAX), Just(f64::MAX / 3.0), -1e308..1e308f64], 1..60),
        period in 1usize..20,
    ) {
        let period = period.min(x.len());
        let out = ema(&x, &EmaParams { period }).unwrap();
        let lo = x.iter().cloned().fold(f64::INFINITY, f64::min);
        let hi = x.iter().cloned().fold(f64::NEG_INFINITY, f64::max);
        // 8 ulps of slack at the ends (the bound itself may round to ±inf; finiteness is checked apart).
        let slack = |b: f64| 8.0 * f64::EPSILON * b.abs();
        for (t, v) in out.iter().enumerate().skip(period - 1) {
            prop_assert!(v.is_finite(), "t={} {} is not finite", t, v);
            prop_assert!(*v >= lo - slack(lo) && *v <= hi + slack(hi), "t={} {} not in [{}, {}] (+- 8 ulps)", t, v, lo, hi);
        }
    }

    #[test]
    fn ema_batch_rows_equal_single_bitwise(x in series(), pstart in 0usize..30, pcount in 0usize..4, pstep in 0usize..5) {
        let range = EmaBatchRange { period: (pstart, pstart + pcount * pstep.max(1), pstep) };
        match ema_batch(&x, &range) {
            Ok(b) => {
                prop_assert_eq!(&b.combos, &range.combos().unwrap());
                for (r, c) in b.combos.iter().enumerate() {
                    prop_assert_eq!(bits(b.row(r).unwrap()), bits(&ema(&x, c).unwrap()));
                }
            }
            Err(e) => {
                let errs: Vec<_> = range.combos().unwrap().iter().filter_map(|c| ema_expected_error(&x, c.period)).collect();
                prop_assert!(errs.contains(&e.code()), "{} not among {:?}", e.code(), errs);
            }
        }
    }

    /// Many-series ALMA rows equal single-series batch rows bitwise, on every
    /// kernel; a rejected series is named, with its own batch's code.
    #[test]
    fn alma_many_rows_equal_single_series_bitwise(
        list in many_series(),
        pstart in 1usize..12, pcount in 0usize..4, pstep in 0usize..4,
        ospan in 0.0..0.3f64, bad_offset in prop::bool::weighted(0.05),
        parallel in any::<bool>(),
    ) {
        let range = AlmaBatchRange {
            period: (pstart, pstart + pcount * pstep.max(1), pstep),
            offset: (0.6, if bad_offset { 1.5 } else { 0.6 + ospan }, 0.1),
            sigma: (6.0, 6.0, 0.0),
            floor: false,
        };
        let (values, offsets) = rayon_web_indicators::batch::flatten(&list);
        for k in kernels() {
            let opts = BatchOptions { kernel: k, parallel, ..Default::default() };
            let singles: Vec<_> = list.iter().map(|s| alma_batch_with(s, &range, &opts)).collect();
            match alma_batch_many_with(&values, &offsets, &range, &opts) {
                Ok(m) => {
                    prop_assert_eq!(m.series_count(), list.len());
                    prop_assert_eq!(m.values.len(), m.rows * values.len());
                    for (s, single) in singles.iter().enumerate() {
                        let single = single.as_ref().expect("every series valid when the job is");
                        prop_assert_eq!(&m.combos, &single.combos);
                        prop_assert_eq!(bits(m.series(s).unwrap()), bits(&single.values));
                    }
                    let mut out = vec![f64::NAN; m.values.len()];
                    alma_batch_many_into_with(&values, &offsets, &range, &opts, &mut out).unwrap();
                    prop_assert_eq!(bits(&out), bits(&m.values));
                }
                Err(e) if bad_offset => prop_assert_eq!(e.code(), "INVALID_OFFSET"),
                Err(e) => {
                    let first = singles.iter().position(|r| r.is_err());
                    prop_assert_eq!(e.series_index(), first, "{}", e);
                    let code = singles[first.unwrap()].as_ref().unwrap_err().code();
                    prop_assert_eq!(e.code(), code);
                    let prefix = format!("series {}: ", first.unwrap());
                    prop_assert!(e.to_string().starts_with(&prefix), "{}", e);
                }
            }
        }
    }

    #[test]
    fn ema_many_rows_equal_single_series_bitwise(
        list in many_series(), pstart in 1usize..12, pcount in 0usize..4, pstep in 0usize..4, parallel in any::<bool>(),
    ) {
        let range = EmaBatchRange { period: (pstart, pstart + pcount * pstep.max(1), pstep) };
        let (values, offsets) = rayon_web_indicators::batch::flatten(&list);
        let opts = BatchOptions { parallel, ..Default::default() };
        let singles: Vec<_> = list.iter().map(|s| ema_batch_with(s, &range, &opts)).collect();
        match ema_batch_many_with(&values, &offsets, &range, &opts) {
            Ok(m) => {
                for (s, single) in singles.iter().enumerate() {
                    prop_assert_eq!(bits(m.series(s).unwrap()), bits(&single.as_ref().unwrap().values));
                }
                let mut out = vec![0.0; m.values.len()];
                ema_batch_many_into(&values, &offsets, &range, &mut out).unwrap();
                prop_assert_eq!(bits(&out), bits(&m.values));
            }
            Err(e) => {
                let first = singles.iter().position(|r| r.is_err()).expect("a failing series");
                prop_assert_eq!(e.series_index(), Some(first));
                prop_assert_eq!(e.code(), singles[first].as_ref().unwrap_err().code());
            }
        }
    }
}

/// The case CI's proptest run found: three `f64::MAX` samples, period 2. The
/// output is finite and within 8 ulps of `f64::MAX` (the rounded `alpha` makes
/// `alpha * c + (1 - alpha) * c` one ulp below `c` here).
#[test]
fn ema_of_max_values_is_finite_and_within_rounding() {
    let x = [f64::MAX; 3];
    let out = ema(&x, &EmaParams { period: 2 }).unwrap();
    assert!(out[0].is_nan());
    for &v in &out[1..] {
        assert!(v.is_finite() && v >= f64::MAX * (1.0 - 8.0 * f64::EPSILON), "{v}");
    }
}
