//! The FFT path (`Kernel::Fft`, and `Kernel::Auto` where it picks FFT) against
//! the mpmath fixture, the direct form, and a compensated (twice-the-working-
//! precision) reference.
//!
//! The accuracy contract checked here (README "ALMA by FFT"):
//! - every output is within `ERROR_BOUND_ULPS * eps * S` of the exact value,
//!   `S` = half the range (max - min) of the samples within `LOCAL` of it (a
//!   superset of its transform block);
//! - hence, on series of one sign (prices), within 1e-12 *relative* wherever
//!   that bound is (walks at any level from 1e-3 to 1e6 are);
//! - on a series that crosses zero, within `1e-12 * S` absolute (relative to
//!   the local range, not to the output, which can be 0).

use rayon_web_indicators::*;
use serde_json::Value;

/// Measured worst `|fft - exact| / (eps * S)`, with margin (see `worst` printed below).
const ERROR_BOUND_ULPS: f64 = 64.0;
/// Half-width of the neighbourhood whose range bounds an output's error:
/// the longest transform (16384) plus the longest period used here.
const LOCAL: usize = 16384 + 300;

struct Rng(u64);
impl Rng {
    /// Uniform in [-0.5, 0.5).
    fn next(&mut self) -> f64 {
        self.0 = self.0.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
        (self.0 >> 11) as f64 / (1u64 << 53) as f64 - 0.5
    }
}

/// A geometric random walk (prices): 1% typical move per step.
fn walk(n: usize, level: f64, seed: u64) -> Vec<f64> {
    let mut r = Rng(seed);
    let mut v = level;
    (0..n)
        .map(|_| {
            v *= (0.035 * r.next()).exp();
            v
        })
        .collect()
}

/// An additive random walk around 0 (crosses zero many times).
fn zero_walk(n: usize, seed: u64) -> Vec<f64> {
    let mut r = Rng(seed);
    let mut v = 0.0;
    (0..n)
        .map(|_| {
            v += r.next();
            // Pull back toward 0 so it keeps crossing.
            v *= 0.999;
            v
        })
        .collect()
}

fn direct() -> Kernel {
    if Kernel::Simd.resolve().is_ok() {
        Kernel::Simd
    } else {
        Kernel::Scalar
    }
}

fn opts(kernel: Kernel) -> BatchOptions {
    BatchOptions { kernel, ..Default::default() }
}

/// `sum w[i] * x[i]` in twice the working precision (Ogita–Rump–Oishi Dot2):
/// error ~ eps * |result| + eps^2 * sum |w x|, far below what is checked.
fn dot2(w: &[f64], x: &[f64]) -> f64 {
    let (mut s, mut c) = (0.0f64, 0.0f64);
    for (&a, &b) in w.iter().zip(x) {
        let p = a * b;
        let pe = a.mul_add(b, -p);
        let t = s + p;
        let z = t - s;
        let se = (s - (t - z)) + (p - z);
        s = t;
        c += pe + se;
    }
    s + c
}

/// Half the range of `x` over `t - LOCAL ..= t + LOCAL`, for every `t`
/// (sliding min/max with monotone deques).
fn local_half_range(x: &[f64]) -> Vec<f64> {
    let n = x.len();
    let mut out = vec![0.0; n];
    let (mut mn, mut mx) = (std::collections::VecDeque::new(), std::collections::VecDeque::<usize>::new());
    let mut hi = 0;
    for (t, o) in out.iter_mut().enumerate() {
        while hi < n && hi <= t + LOCAL {
            while mn.back().is_some_and(|&j: &usize| x[j] >= x[hi]) {
                mn.pop_back();
            }
            mn.push_back(hi);
            while mx.back().is_some_and(|&j| x[j] <= x[hi]) {
                mx.pop_back();
            }
            mx.push_back(hi);
            hi += 1;
        }
        let lo = t.saturating_sub(LOCAL);
        while mn.front().is_some_and(|&j| j < lo) {
            mn.pop_front();
        }
        while mx.front().is_some_and(|&j| j < lo) {
            mx.pop_front();
        }
        *o = (x[*mx.front().unwrap()] - x[*mn.front().unwrap()]) / 2.0;
    }
    out
}

/// Same NaN mask, and `|got - want| <= tol(t, want)`.
fn same(label: &str, got: &[f64], want: &[f64], tol: impl Fn(usize, f64) -> f64) {
    assert_eq!(got.len(), want.len(), "{label}: length");
    for (t, (&g, &e)) in got.iter().zip(want).enumerate() {
        assert_eq!(g.is_nan(), e.is_nan(), "{label}: t={t} NaN mask differs: got {g}, direct {e}");
        if !e.is_nan() {
            assert!((g - e).abs() <= tol(t, e), "{label}: t={t} got {g:e} want {e:e} (diff {:e})", (g - e).abs());
        }
    }
}

const GRID: AlmaBatchRange = AlmaBatchRange { period: (9, 258, 83), offset: (0.85, 0.85, 0.0), sigma: (6.0, 6.0, 0.0), floor: false };

#[test]
fn random_walks_of_a_million_points_match_the_direct_form_within_1e_12_relative() {
    for (seed, level) in [1e-3, 1.0, 100.0, 1e6].into_iter().enumerate() {
        let x = walk(1_000_000, level, 11 + seed as u64);
        let want = alma_batch_with(&x, &GRID, &opts(direct())).unwrap();
        for k in [Kernel::Fft, Kernel::Auto] {
            let got = alma_batch_with(&x, &GRID, &opts(k)).unwrap();
            assert_eq!(got.combos, want.combos);
            same(&format!("level {level} {k:?}"), &got.values, &want.values, |_, e| 1e-12 * e.abs());
        }
    }
}

#[test]
fn many_seeds_and_scales_match_the_direct_form() {
    for seed in 0..12u64 {
        let level = 10f64.powf(-3.0 + 9.0 * (seed as f64) / 11.0);
        let n = 20_000 + 3_001 * seed as usize;
        let x = walk(n, level, 100 + seed);
        let grid = AlmaBatchRange { period: (5 + seed as usize, 400, 37), offset: (0.0, 1.0, 0.5), sigma: (2.0, 8.0, 6.0), floor: seed % 2 == 0 };
        let want = alma_batch_with(&x, &grid, &opts(direct())).unwrap();
        for k in [Kernel::Fft, Kernel::Auto] {
            let got = alma_batch_with(&x, &grid, &opts(k)).unwrap();
            same(&format!("seed {seed} level {level:e} {k:?}"), &got.values, &want.values, |_, e| 1e-12 * e.abs());
        }
    }
}

/// Prices near the top of f64's range: a block's transform sums up to `n`
/// samples, so without scaling a range of ~1e304 overflowed and every output
/// of the row became NaN (prices of 1e307 did) where the direct form is exact.
/// Also one price level, and a zero-crossing walk, scaled into that range.
#[test]
fn prices_near_f64_max_match_the_direct_form() {
    let bounded = |level: f64| (0..30_000).map(|i| level * (1.0 + 0.1 * (i as f64 / 7.0).sin())).collect::<Vec<f64>>();
    for (level, x) in [1e290, 1e300, 1e305, 1e306, 1e307].map(|l| (l, walk(30_000, l, 7))).into_iter().chain([1e308, 1.6e308].map(|l| (l, bounded(l)))) {
        assert!(x.iter().all(|v| v.is_finite()), "level {level:e}: the walk overflowed");
        let want = alma_batch_with(&x, &GRID, &opts(direct())).unwrap();
        assert!(want.values.iter().any(|v| v.is_finite()));
        for k in [Kernel::Fft, Kernel::Auto] {
            let got = alma_batch_with(&x, &GRID, &opts(k)).unwrap();
            same(&format!("level {level:e} {k:?}"), &got.values, &want.values, |_, e| 1e-12 * e.abs());
        }
    }
    // Zero-crossing at 1e306 times unit scale: absolute error bounded by the range.
    let z: Vec<f64> = zero_walk(30_000, 9).iter().map(|v| v * 1e306).collect();
    let want = alma_batch_with(&z, &GRID, &opts(direct())).unwrap();
    let got = alma_batch_with(&z, &GRID, &opts(Kernel::Fft)).unwrap();
    let scale = z.iter().fold(0f64, |a, v| a.max(v.abs()));
    same("zero walk x 1e306, Fft", &got.values, &want.values, |_, _| 1e-12 * scale);
}

#[test]
fn error_is_bounded_by_the_local_range_and_zero_crossing_is_absolute() {
    let eps = f64::EPSILON;
    let mut worst = 0.0f64;
    let cases: Vec<(&str, Vec<f64>)> = vec![
        ("walk 1e-3", walk(300_000, 1e-3, 5)),
        ("walk 1e6", walk(300_000, 1e6, 6)),
        ("zero-crossing", zero_walk(300_000, 7)),
    ];
    for (name, x) in &cases {
        let crossings = x.windows(2).filter(|p| (p[0] < 0.0) != (p[1] < 0.0)).count();
        if name.starts_with("zero") {
            assert!(crossings > 100, "the zero-crossing series crosses zero ({crossings} times)");
        }
        let s = local_half_range(x);
        let combos = GRID.combos().unwrap();
        for k in [Kernel::Fft, Kernel::Auto] {
            let got = alma_batch_with(x, &GRID, &opts(k)).unwrap();
            for (r, p) in combos.iter().enumerate() {
                let w = alma_weights(p).unwrap();
                let row = got.row(r).unwrap();
                for t in (p.period - 1..x.len()).step_by(97) {
                    let exact = dot2(&w, &x[t + 1 - p.period..=t]);
                    let err = (row[t] - exact).abs();
                    if k == Kernel::Fft {
                        worst = worst.max(err / (eps * s[t]));
                        assert!(err <= ERROR_BOUND_ULPS * eps * s[t], "{name} {k:?} p={} t={t}: err {err:e}, S {:e}", p.period, s[t]);
                    }
                    assert!(err <= 1e-12 * s[t].max(exact.abs()), "{name} {k:?} p={} t={t}: err {err:e}", p.period);
                    if !name.starts_with("zero") {
                        assert!(err <= 1e-12 * exact.abs(), "{name} {k:?} p={} t={t}: relative {:e}", p.period, err / exact.abs());
                    }
                }
            }
        }
    }
    eprintln!("worst |fft - exact| / (eps * S) = {worst:.2} (bound {ERROR_BOUND_ULPS})");
}

#[test]
fn nan_semantics_are_the_direct_forms() {
    let mut x = walk(60_000, 50.0, 9);
    // Leading NaNs; an inf; a NaN gap shorter than a period; one longer; runs
    // shorter than a transform and shorter than the longest period; a -inf at the end.
    x[..37].fill(f64::NAN);
    x[5_000] = f64::INFINITY;
    x[9_000..9_003].fill(f64::NAN);
    x[20_000..20_500].fill(f64::NAN);
    x[20_700] = f64::NAN; // run of 199 samples: shorter than period 258
    x[21_500] = f64::NAN; // run of 799 samples: shorter than MIN_RUN
    x[59_999] = f64::NEG_INFINITY;
    let want = alma_batch_with(&x, &GRID, &opts(direct())).unwrap();
    for k in [Kernel::Fft, Kernel::Auto] {
        for parallel in [false, true] {
            let o = BatchOptions { kernel: k, parallel, ..Default::default() };
            let got = alma_batch_with(&x, &GRID, &o).unwrap();
            same(&format!("batch {k:?} parallel={parallel}"), &got.values, &want.values, |_, e| 1e-12 * e.abs());
            let mut into = vec![0.0; want.values.len()];
            alma_batch_into_with(&x, &GRID, &o, &mut into).unwrap();
            same(&format!("into {k:?}"), &into, &want.values, |_, e| 1e-12 * e.abs());
            for (r, p) in want.combos.iter().enumerate() {
                let one = alma_with(&x, p, &o).unwrap();
                same(&format!("single p={} {k:?}", p.period), &one, want.row(r).unwrap(), |_, e| 1e-12 * e.abs());
            }
        }
    }
    // Many series at once, one of them all gaps but long enough.
    let y = walk(5_000, 3.0, 10);
    let (flat, offs) = batch::flatten(&[&x[..], &y[..]]);
    let want = alma_batch_many_with(&flat, &offs, &GRID, &opts(direct())).unwrap();
    for k in [Kernel::Fft, Kernel::Auto] {
        let got = alma_batch_many_with(&flat, &offs, &GRID, &opts(k)).unwrap();
        same(&format!("many {k:?}"), &got.values, &want.values, |_, e| 1e-12 * e.abs());
    }
}

/// `Kernel::Auto` really runs the FFT for long periods: its long-period rows
/// are bit-identical to `Kernel::Fft`'s and its short ones to the direct form's.
#[test]
fn auto_uses_fft_for_long_periods_only() {
    let x = walk(200_000, 100.0, 12);
    let grid = AlmaBatchRange { period: (8, 512, 8), ..GRID };
    let auto = alma_batch_with(&x, &grid, &opts(Kernel::Auto)).unwrap();
    let fft = alma_batch_with(&x, &grid, &opts(Kernel::Fft)).unwrap();
    let dir = alma_batch_with(&x, &grid, &opts(direct())).unwrap();
    let (mut by_fft, mut by_direct) = (0, 0);
    // No row below these by FFT: the scalar kernel's crossover is 16, the SIMD ones' 80 or 112.
    let lowest = if direct() == Kernel::Scalar { 16 } else { 32 };
    for r in 0..auto.rows {
        let a = auto.row(r).unwrap();
        let bits = |v: &[f64]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
        if bits(a) == bits(fft.row(r).unwrap()) {
            by_fft += 1;
            assert!(auto.combos[r].period >= lowest, "row {r} period {} by FFT", auto.combos[r].period);
        } else if bits(a) == bits(dir.row(r).unwrap()) {
            by_direct += 1;
        } else {
            panic!("row {r} (period {}) is neither the FFT's nor the direct form's", auto.combos[r].period);
        }
    }
    eprintln!("auto: {by_fft} rows by FFT, {by_direct} by the direct form");
    assert!(by_fft > auto.rows / 2 && by_direct > 0, "{by_fft} by FFT, {by_direct} direct");
}

// ---------------------------------------------------------------------------
// The mpmath fixture, by forced FFT, 1e-12 relative (tests/reference.rs checks
// every kernel with its 1e-12 * max(1, |exact|) rule as well).

fn dec(v: &Value) -> f64 {
    match v {
        Value::Null => f64::NAN,
        Value::String(s) if s == "inf" => f64::INFINITY,
        Value::String(s) if s == "-inf" => f64::NEG_INFINITY,
        Value::Number(n) => n.as_f64().unwrap(),
        other => panic!("bad value {other}"),
    }
}

#[test]
fn mpmath_fixture_by_fft_within_1e_12_relative() {
    let path = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/fixtures/alma_reference.json");
    let doc: Value = serde_json::from_str(&std::fs::read_to_string(path).unwrap()).unwrap();
    let mut n = 0;
    let mut worst = 0.0f64;
    for case in doc["cases"].as_array().unwrap() {
        let data: Vec<f64> = doc["series"][case["series"].as_str().unwrap()].as_array().unwrap().iter().map(dec).collect();
        let p = AlmaParams {
            period: case["period"].as_u64().unwrap() as usize,
            offset: case["offset"].as_f64().unwrap(),
            sigma: case["sigma"].as_f64().unwrap(),
            floor: case["floor"].as_bool().unwrap(),
        };
        let want: Vec<f64> = case["expected"].as_array().unwrap().iter().map(dec).collect();
        for parallel in [false, true] {
            let got = alma_with(&data, &p, &BatchOptions { kernel: Kernel::Fft, parallel, ..Default::default() }).unwrap();
            same(&format!("{} {p:?}", case["series"]), &got, &want, |_, e| 1e-12 * e.abs());
            for (g, e) in got.iter().zip(&want).filter(|(_, e)| e.is_finite()) {
                worst = worst.max((g - e).abs() / e.abs());
            }
            n += 1;
        }
    }
    assert!(n >= 40);
    eprintln!("fixture by FFT: {n} runs, worst relative error {worst:e}");
}

/// A row's bits depend on its own period, the series and the kernel only —
/// never on the other rows of its batch: a row alone, in the whole grid, or in
/// any contiguous part of it (how rayon-web-host's shards split a batch, which
/// promises the single build's bits) is the same, under `Auto` (rows on both
/// sides of the crossover, pairs split between FFT and direct) and `Fft`.
#[test]
fn a_rows_bits_do_not_depend_on_the_rest_of_the_batch() {
    let mut x = walk(30_000, 100.0, 31);
    // Two finite runs, both long enough to be transformed.
    for v in &mut x[12_000..12_003] {
        *v = f64::NAN;
    }
    let bits = |v: &[f64]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
    for kernel in [Kernel::Auto, Kernel::Fft] {
        let grid = AlmaBatchRange { period: (59, 300, 7), ..GRID };
        let whole = alma_batch_with(&x, &grid, &opts(kernel)).unwrap();
        let period = |r: usize| whole.combos[r].period;
        for split in [1, 2, 3, whole.rows / 2, whole.rows - 1] {
            for (lo, hi) in [(0, split), (split, whole.rows)] {
                let part = AlmaBatchRange { period: (period(lo), period(hi - 1), 7), ..GRID };
                let b = alma_batch_with(&x, &part, &opts(kernel)).unwrap();
                assert_eq!(b.rows, hi - lo);
                for r in 0..b.rows {
                    assert_eq!(bits(b.row(r).unwrap()), bits(whole.row(lo + r).unwrap()), "{kernel:?}: rows {lo}..{hi}, row {r} (period {})", period(lo + r));
                }
            }
        }
        for (r, c) in whole.combos.iter().enumerate() {
            let alone = alma_with(&x, c, &opts(kernel)).unwrap();
            assert_eq!(bits(&alone), bits(whole.row(r).unwrap()), "{kernel:?}: period {} alone", c.period);
        }
    }
}

/// On short series FFT needs longer periods to win (`crossover_for_run`):
/// on 2520 points (10 years of daily bars) `Auto` keeps period 120 on the
/// direct form and transforms period 240; on 50k points it transforms both
/// (the SIMD kernels' crossover is 80, or 112 for AVX-512 on a full-width CPU
/// such as Zen 5; 2520 points double it). Where the direct kernel is scalar (no
/// AVX2: aarch64, older x86_64) the crossover is 16, so the same rule holds at
/// 24 / 40.
#[test]
fn auto_crossover_rises_on_short_series() {
    let bits = |v: &[f64]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
    let (lo, hi) = if direct() == Kernel::Scalar { (24, 40) } else { (120, 240) };
    for (len, p, want_fft) in [(2520, lo, false), (2520, hi, true), (50_000, lo, true), (50_000, hi, true)] {
        let x = walk(len, 100.0, len as u64 + p as u64);
        let params = AlmaParams { period: p, ..AlmaParams::default() };
        let auto = alma_with(&x, &params, &opts(Kernel::Auto)).unwrap();
        let fft = alma_with(&x, &params, &opts(Kernel::Fft)).unwrap();
        let dir = alma_with(&x, &params, &opts(direct())).unwrap();
        assert_ne!(bits(&fft), bits(&dir), "len {len} p {p}: FFT and direct give the same bits; the test cannot tell them apart");
        let got = if bits(&auto) == bits(&fft) { true } else if bits(&auto) == bits(&dir) { false } else { panic!("len {len} p {p}: neither") };
        assert_eq!(got, want_fft, "len {len} period {p}: Auto by FFT = {got}");
    }
}
