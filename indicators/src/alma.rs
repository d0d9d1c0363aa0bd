//! ALMA — the Arnaud Legoux Moving Average, single series and parameter grids.
//!
//! # Definition
//!
//! For a window of `period` samples, with `m` the Gaussian centre and
//! `s = period / sigma` its width:
//!
//! ```text
//! m      = offset * (period - 1)                 (floor = false, TradingView)
//! m      = floor(offset * (period - 1))          (floor = true, MT4 / TA-Lib 0.8.3 / pandas-ta)
//! w_i    = exp(-(i - m)^2 / (2 s^2)),   i = 0 .. period-1
//! out[t] = sum_i w_i * x[t - period + 1 + i] / sum_i w_i
//! ```
//!
//! `w_0` weights the **oldest** sample of the window, `w_{period-1}` the newest.
//! With `floor = true` the product `offset * (period - 1)` is computed in binary64
//! first and then floored, with no epsilon: `0.29 * 100 = 28.999999999999996`
//! gives `m = 28`.
//!
//! The weights are normalised once per parameter set (they are computed relative
//! to the largest weight, which makes them well defined even when a very large
//! `sigma` would underflow every `exp` to zero; the ratio above is unchanged).
//!
//! # Missing and non-finite values
//!
//! - `out[t]` is NaN for `t < first_valid + period - 1`, where `first_valid` is
//!   the index of the first **finite** sample (leading NaNs shift the warm-up).
//! - Any non-finite sample (NaN, +inf or -inf) inside a window makes that output
//!   NaN: a non-finite value at `k` poisons outputs `k ..= k + period - 1`.
//!   Infinities are deliberately treated exactly like NaN, because a weighted
//!   mean of a window holding `inf` is not a price.
//!
//! # Errors
//!
//! Inputs are validated in this order, and the first failure is returned
//! ([`AlmaError::code`] gives a stable string):
//! output buffer length (`*_into` only), empty input, period, offset, sigma,
//! all-NaN input, too little valid data after leading NaNs. Batches first check
//! the ranges, then the same list (period bounds are checked for the smallest
//! and largest period of the grid), then the memory limit — before allocating.
//!
//! # Float parameter ranges
//!
//! A float range `(start, end, step)` (used for `offset` and `sigma` in
//! [`AlmaBatchRange`]) has
//!
//! ```text
//! step == 0 or start == end : exactly one value, `start` (`end` is ignored)
//! otherwise                 : count = floor(q * (1 + 1e-12) + 1e-9) + 1,  q = (end - start) / step
//! value_k                   = min(start + k * step, end),  k = 0 .. count-1
//! ```
//!
//! Each value is computed with one multiplication and one addition (never by
//! repeated addition, which drifts: `0.1 + 0.2 = 0.30000000000000004`). The
//! small tolerance makes `(0.1, 0.3, 0.1)` give three values although
//! `(0.3 - 0.1) / 0.1 = 1.9999999999999998`; the last value may then exceed
//! `end` by rounding, and is clamped to `end`. `start > end` with a non-zero
//! step, a negative, NaN or infinite step, or a non-finite start/end is
//! [`AlmaError::InvalidRange`]. Integer period ranges are exact:
//! `start, start + step, ...` while `<= end`.

use crate::kernels::Resolved;
use rayon::prelude::*;
use std::fmt;

/// Parameters of one ALMA.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlmaParams {
    /// Window length, `1 ..= data.len()`.
    pub period: usize,
    /// Position of the Gaussian peak inside the window, in `[0, 1]`
    /// (0 = oldest sample, 1 = newest).
    pub offset: f64,
    /// Sharpness: the Gaussian width is `period / sigma`; must be finite and `> 0`.
    pub sigma: f64,
    /// `true`: floor the centre `offset * (period - 1)` (MT4, TA-Lib 0.8.3,
    /// pandas-ta); `false`: use it as is (TradingView's default).
    pub floor: bool,
}

impl Default for AlmaParams {
    /// Period 9, offset 0.85, sigma 6.0, floor false (TradingView defaults).
    fn default() -> Self {
        AlmaParams { period: 9, offset: 0.85, sigma: 6.0, floor: false }
    }
}

/// Which convolution kernel computes the sums.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Kernel {
    /// The fastest kernel available on this machine (SIMD if any, else scalar).
    #[default]
    Auto,
    /// Plain scalar code, one sequential sum per output (the reference).
    Scalar,
    /// The best SIMD kernel available (AVX-512, then AVX2+FMA natively; simd128
    /// on wasm32); an error if there is none.
    Simd,
    /// AVX2 + FMA (x86_64, detected at run time); an error elsewhere.
    Avx2,
    /// AVX-512F + FMA (x86_64, detected at run time); an error elsewhere.
    Avx512,
    /// wasm32 simd128 (chosen at compile time with `-C target-feature=+simd128`);
    /// an error elsewhere.
    Simd128,
}

impl Kernel {
    /// The concrete kernel this choice runs on this machine (`Auto` and `Simd`
    /// become `Scalar`, `Avx2`, `Avx512` or `Simd128`), or
    /// [`AlmaError::UnsupportedKernel`] if it is not available.
    pub fn resolve(self) -> Result<Kernel, AlmaError> {
        self.resolved().map(|r| match r {
            Resolved::Scalar => Kernel::Scalar,
            #[cfg(target_arch = "x86_64")]
            Resolved::Avx2 => Kernel::Avx2,
            #[cfg(target_arch = "x86_64")]
            Resolved::Avx512 => Kernel::Avx512,
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Resolved::Simd128 => Kernel::Simd128,
        })
    }

    pub(crate) fn resolved(self) -> Result<Resolved, AlmaError> {
        let best_simd = best_simd();
        let r = match self {
            Kernel::Auto => Some(best_simd.unwrap_or(Resolved::Scalar)),
            Kernel::Scalar => Some(Resolved::Scalar),
            Kernel::Simd => best_simd,
            Kernel::Avx2 => avx2(),
            Kernel::Avx512 => avx512(),
            Kernel::Simd128 => simd128(),
        };
        r.ok_or(AlmaError::UnsupportedKernel { kernel: self })
    }
}

#[cfg(target_arch = "x86_64")]
fn avx2() -> Option<Resolved> {
    (std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma"))
        .then_some(Resolved::Avx2)
}
#[cfg(target_arch = "x86_64")]
fn avx512() -> Option<Resolved> {
    (std::arch::is_x86_feature_detected!("avx512f") && std::arch::is_x86_feature_detected!("fma"))
        .then_some(Resolved::Avx512)
}
#[cfg(not(target_arch = "x86_64"))]
fn avx2() -> Option<Resolved> {
    None
}
#[cfg(not(target_arch = "x86_64"))]
fn avx512() -> Option<Resolved> {
    None
}
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn simd128() -> Option<Resolved> {
    Some(Resolved::Simd128)
}
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn simd128() -> Option<Resolved> {
    None
}
fn best_simd() -> Option<Resolved> {
    avx512().or_else(avx2).or_else(simd128)
}

/// Default memory limit of a batch's output (see [`BatchOptions::max_output_bytes`]):
/// 512 MiB on wasm32 (whose memory is at most 1–4 GiB and must also hold the
/// input and the copy handed to JavaScript), 16 GiB natively.
#[cfg(target_pointer_width = "32")]
pub const DEFAULT_MAX_OUTPUT_BYTES: usize = 512 << 20;
/// Default memory limit of a batch's output (see [`BatchOptions::max_output_bytes`]):
/// 512 MiB on wasm32 (whose memory is at most 1–4 GiB and must also hold the
/// input and the copy handed to JavaScript), 16 GiB natively.
#[cfg(not(target_pointer_width = "32"))]
pub const DEFAULT_MAX_OUTPUT_BYTES: usize = 16 << 30;

/// Below this many multiply-adds a call runs on the calling thread only.
pub const SEQUENTIAL_WORK_THRESHOLD: u64 = 200_000;
/// Smallest column block a row is split into when rows alone cannot keep every
/// thread busy.
pub const MIN_COLUMN_BLOCK: usize = 16_384;

/// How to run a computation: kernel, parallelism, memory limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchOptions {
    /// The kernel (default [`Kernel::Auto`]).
    pub kernel: Kernel,
    /// Use rayon's current pool (default `true`). Work below
    /// [`SEQUENTIAL_WORK_THRESHOLD`] multiply-adds runs sequentially anyway.
    pub parallel: bool,
    /// Upper bound, in bytes, of what a batch allocates (its `values` plus its
    /// parameter list and weights), checked before allocating
    /// (default [`DEFAULT_MAX_OUTPUT_BYTES`]). Ignored by single-series calls.
    pub max_output_bytes: usize,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions { kernel: Kernel::Auto, parallel: true, max_output_bytes: DEFAULT_MAX_OUTPUT_BYTES }
    }
}

/// Why an ALMA call was rejected. No input makes these functions panic.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum AlmaError {
    /// The input series has no samples.
    EmptyInput,
    /// Every sample is NaN or infinite.
    AllNan {
        /// Length of the input.
        len: usize,
    },
    /// `period` is 0 or longer than the input.
    InvalidPeriod {
        /// The period asked for.
        period: usize,
        /// Length of the input.
        len: usize,
    },
    /// After the leading non-finite samples fewer than `period` samples remain.
    NotEnoughValidData {
        /// The period asked for.
        period: usize,
        /// Samples from the first finite one to the end.
        valid: usize,
        /// Index of the first finite sample.
        first_valid: usize,
    },
    /// `sigma` is not finite or not `> 0`.
    InvalidSigma {
        /// The sigma asked for.
        sigma: f64,
    },
    /// `offset` is not finite or outside `[0, 1]`.
    InvalidOffset {
        /// The offset asked for.
        offset: f64,
    },
    /// The caller's output buffer has the wrong length.
    OutputLengthMismatch {
        /// Length needed.
        expected: usize,
        /// Length given.
        got: usize,
    },
    /// A batch range is empty, inverted, or has a bad step.
    InvalidRange {
        /// `"period"`, `"offset"` or `"sigma"`.
        parameter: &'static str,
        /// What is wrong with it.
        detail: String,
    },
    /// A batch would allocate more than the memory limit.
    OutputTooLarge {
        /// Bytes the batch needs (saturated at `u128::MAX`).
        requested: u128,
        /// The limit in force ([`BatchOptions::max_output_bytes`]).
        limit: usize,
    },
    /// The requested kernel is not available on this machine or target.
    UnsupportedKernel {
        /// The kernel asked for.
        kernel: Kernel,
    },
}

impl AlmaError {
    /// A stable, machine-readable code: `EMPTY_INPUT`, `ALL_NAN`, `INVALID_PERIOD`,
    /// `NOT_ENOUGH_VALID_DATA`, `INVALID_SIGMA`, `INVALID_OFFSET`,
    /// `OUTPUT_LENGTH_MISMATCH`, `INVALID_RANGE`, `OUTPUT_TOO_LARGE`,
    /// `UNSUPPORTED_KERNEL`.
    pub fn code(&self) -> &'static str {
        match self {
            AlmaError::EmptyInput => "EMPTY_INPUT",
            AlmaError::AllNan { .. } => "ALL_NAN",
            AlmaError::InvalidPeriod { .. } => "INVALID_PERIOD",
            AlmaError::NotEnoughValidData { .. } => "NOT_ENOUGH_VALID_DATA",
            AlmaError::InvalidSigma { .. } => "INVALID_SIGMA",
            AlmaError::InvalidOffset { .. } => "INVALID_OFFSET",
            AlmaError::OutputLengthMismatch { .. } => "OUTPUT_LENGTH_MISMATCH",
            AlmaError::InvalidRange { .. } => "INVALID_RANGE",
            AlmaError::OutputTooLarge { .. } => "OUTPUT_TOO_LARGE",
            AlmaError::UnsupportedKernel { .. } => "UNSUPPORTED_KERNEL",
        }
    }
}

impl fmt::Display for AlmaError {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            AlmaError::EmptyInput => write!(f, "the input series is empty: pass at least `period` samples"),
            AlmaError::AllNan { len } => write!(
                f,
                "all {len} input samples are NaN or infinite: pass a series with at least `period` finite samples"
            ),
            AlmaError::InvalidPeriod { period, len } => write!(
                f,
                "period {period} is invalid for an input of {len} samples: use a period from 1 to {len}"
            ),
            AlmaError::NotEnoughValidData { period, valid, first_valid } => write!(
                f,
                "only {valid} samples remain after the {first_valid} leading NaN/infinite samples, \
                 fewer than period {period}: use a period of at most {valid} or pass more data"
            ),
            AlmaError::InvalidSigma { sigma } => {
                write!(f, "sigma {sigma} is invalid: use a finite sigma greater than 0 (default 6)")
            }
            AlmaError::InvalidOffset { offset } => {
                write!(f, "offset {offset} is invalid: use a finite offset from 0 to 1 (default 0.85)")
            }
            AlmaError::OutputLengthMismatch { expected, got } => write!(
                f,
                "the output buffer has {got} elements but {expected} are needed: pass a buffer of length {expected}"
            ),
            AlmaError::InvalidRange { parameter, detail } => {
                write!(f, "the {parameter} range is invalid: {detail}")
            }
            AlmaError::OutputTooLarge { requested, limit } => {
                if *requested == u128::MAX {
                    write!(f, "the batch needs more memory than can be counted (limit {limit} bytes): use fewer combinations or a shorter series")
                } else {
                    write!(f, "the batch needs {requested} bytes, over the limit of {limit} bytes: use fewer combinations, a shorter series, or raise max_output_bytes")
                }
            }
            AlmaError::UnsupportedKernel { kernel } => write!(
                f,
                "kernel {kernel:?} is not available on this machine or target: use Kernel::Auto or Kernel::Scalar"
            ),
        }
    }
}

impl std::error::Error for AlmaError {}

// ---------------------------------------------------------------------------
// Parameters and weights

fn check_offset(offset: f64) -> Result<(), AlmaError> {
    if offset.is_finite() && (0.0..=1.0).contains(&offset) {
        Ok(())
    } else {
        Err(AlmaError::InvalidOffset { offset })
    }
}

fn check_sigma(sigma: f64) -> Result<(), AlmaError> {
    if sigma.is_finite() && sigma > 0.0 {
        Ok(())
    } else {
        Err(AlmaError::InvalidSigma { sigma })
    }
}

/// The Gaussian centre `m` of `params` (binary64 product, floored if `floor`).
pub fn alma_center(params: &AlmaParams) -> f64 {
    let m = params.offset * (params.period.saturating_sub(1)) as f64;
    if params.floor {
        m.floor()
    } else {
        m
    }
}

/// Writes the normalised weights of `params` (summing to 1, `w[0]` for the
/// oldest sample) into `w`, whose length must be `params.period`. Parameters
/// must have been validated.
fn fill_weights(params: &AlmaParams, w: &mut [f64]) {
    let p = w.len();
    let m = alma_center(params);
    // 1/s = sigma / period. Exponents are taken relative to the largest weight
    // (the index nearest m), so the nearest weight is exactly 1 and the sum is
    // never 0 or NaN, whatever sigma is.
    let k = params.sigma / p as f64;
    let dmin = (0..p).map(|i| (i as f64 - m).abs()).fold(f64::INFINITY, f64::min);
    let mut sum = 0.0;
    for (i, wi) in w.iter_mut().enumerate() {
        let d = (i as f64 - m).abs();
        let v = if d == dmin {
            1.0
        } else {
            // (d^2 - dmin^2) / (2 s^2), arranged so overflow gives +inf (weight 0).
            let e = ((d - dmin) * k) * ((d + dmin) * k) * 0.5;
            (-e).exp()
        };
        *wi = v;
        sum += v;
    }
    let inv = 1.0 / sum;
    for wi in w.iter_mut() {
        *wi *= inv;
    }
}

/// The normalised ALMA weights of `params` (they sum to 1; `w[0]` weights the
/// oldest sample). Validates `period >= 1`, `offset` and `sigma`.
pub fn alma_weights(params: &AlmaParams) -> Result<Vec<f64>, AlmaError> {
    if params.period == 0 {
        return Err(AlmaError::InvalidPeriod { period: 0, len: 0 });
    }
    check_offset(params.offset)?;
    check_sigma(params.sigma)?;
    let mut w = vec![0.0; params.period];
    fill_weights(params, &mut w);
    Ok(w)
}

// ---------------------------------------------------------------------------
// The series: first finite sample and later non-finite positions

/// What the kernels need to know about the input series, computed once.
struct Series<'a> {
    data: &'a [f64],
    first_valid: usize,
    /// Sorted positions `>= first_valid` of non-finite samples. A window ending
    /// at `t` is valid iff no entry lies in `t+1-period ..= t`; the outputs
    /// between two such positions form runs computed without any per-element check.
    bad: Vec<usize>,
}

impl<'a> Series<'a> {
    fn new(data: &'a [f64]) -> Result<Self, AlmaError> {
        let first_valid =
            data.iter().position(|v| v.is_finite()).ok_or(AlmaError::AllNan { len: data.len() })?;
        let bad = data[first_valid..]
            .iter()
            .enumerate()
            .filter(|(_, v)| !v.is_finite())
            .map(|(i, _)| i + first_valid)
            .collect();
        Ok(Series { data, first_valid, bad })
    }

    fn check_period(&self, period: usize) -> Result<(), AlmaError> {
        let valid = self.data.len() - self.first_valid;
        if period > valid {
            Err(AlmaError::NotEnoughValidData { period, valid, first_valid: self.first_valid })
        } else {
            Ok(())
        }
    }

    /// Fills `out`, the outputs `t0 .. t0 + out.len()`, for weights `w`.
    fn fill_block(&self, w: &[f64], t0: usize, out: &mut [f64], kernel: Resolved) {
        let p = w.len();
        let t1 = t0 + out.len();
        let warm = self.first_valid + p - 1;
        let mut cur = t0.max(warm).min(t1);
        out[..cur - t0].fill(f64::NAN);
        let mut idx = self.bad.partition_point(|&b| b + p <= cur);
        let run = |a: usize, b: usize, out: &mut [f64]| {
            kernel.conv(&self.data[a + 1 - p..b], w, &mut out[a - t0..b - t0]);
        };
        while cur < t1 {
            match self.bad.get(idx) {
                Some(&b) if b < t1 => {
                    if b > cur {
                        run(cur, b, out);
                        cur = b;
                    }
                    let end = (b + p).min(t1);
                    if end > cur {
                        out[cur - t0..end - t0].fill(f64::NAN);
                        cur = end;
                    }
                    idx += 1;
                }
                _ => {
                    run(cur, t1, out);
                    cur = t1;
                }
            }
        }
    }
}

impl Series<'_> {
    /// Two rows over outputs `t0 .. t0 + os.len()` of a series without
    /// interior non-finite values: `ws` (short period) and `wl` (long period,
    /// `ws_pad` = `ws` zero-padded to its length). Where only the short
    /// window is valid, the short row runs alone.
    #[allow(clippy::too_many_arguments)]
    fn fill_pair(
        &self,
        ws: &[f64],
        ws_pad: &[f64],
        wl: &[f64],
        t0: usize,
        os: &mut [f64],
        ol: &mut [f64],
        kernel: Resolved,
    ) {
        debug_assert!(self.bad.is_empty() && ws.len() <= wl.len() && ws_pad.len() == wl.len());
        let t1 = t0 + os.len();
        let (ps, pl) = (ws.len(), wl.len());
        let cs = (self.first_valid + ps - 1).clamp(t0, t1);
        let cl = (self.first_valid + pl - 1).clamp(t0, t1);
        os[..cs - t0].fill(f64::NAN);
        ol[..cl - t0].fill(f64::NAN);
        if cl > cs {
            kernel.conv(&self.data[cs + 1 - ps..cl], ws, &mut os[cs - t0..cl - t0]);
        }
        if t1 > cl {
            kernel.conv2(&self.data[cl + 1 - pl..t1], ws_pad, wl, &mut os[cl - t0..], &mut ol[cl - t0..]);
        }
    }
}

/// A zeroed output buffer, written by all pool threads when it is large: a
/// 200 MB batch output zeroed on one thread is a serial step that caps the
/// speed-up (Amdahl), and the kernels overwrite every element anyway.
fn zeroed(len: usize, parallel: bool) -> Vec<f64> {
    let mut v = Vec::with_capacity(len);
    if parallel && len >= 1 << 20 {
        v.par_extend(rayon::iter::repeat_n(0.0, len));
    } else {
        v.resize(len, 0.0);
    }
    v
}

fn work_of(cols: usize, period: usize) -> u64 {
    (cols.saturating_sub(period) as u64 + 1).saturating_mul(period as u64)
}

/// Computes `rows` rows of `cols` outputs into `values` (row-major); row `r`
/// uses `weights[offsets[r]..offsets[r + 1]]`.
///
/// Rows are handled in units of two. When the kernel has a two-row form, the
/// series has no interior non-finite values and the two periods are within
/// 1/8 of each other, the unit runs as a pair: the shorter row's weights are
/// zero-padded to the longer period so both rows share every load of `x`
/// (the padding wastes at most 1/8 of that row's multiply-adds).
fn run_rows(
    series: &Series<'_>,
    weights: &[f64],
    offsets: &[usize],
    values: &mut [f64],
    kernel: Resolved,
    parallel: bool,
) {
    let cols = series.data.len();
    let rows = offsets.len() - 1;
    debug_assert_eq!(values.len(), rows * cols);
    if cols == 0 || rows == 0 {
        return;
    }
    let w_of = |r: usize| &weights[offsets[r]..offsets[r + 1]];
    let units = rows.div_ceil(2);
    let paired = |u: usize| -> bool {
        let r = 2 * u;
        if !(kernel.pairs() && series.bad.is_empty() && r + 1 < rows) {
            return false;
        }
        let (a, b) = (w_of(r).len(), w_of(r + 1).len());
        (a.max(b) - a.min(b)) * 8 <= a.max(b)
    };
    // Zero-padded copies of the shorter row's weights, one per paired unit.
    let mut pad_at = vec![0usize; units + 1];
    for u in 0..units {
        let len = if paired(u) { w_of(2 * u).len().max(w_of(2 * u + 1).len()) } else { 0 };
        pad_at[u + 1] = pad_at[u] + len;
    }
    let mut padded = vec![0.0; pad_at[units]];
    for u in (0..units).filter(|&u| paired(u)) {
        let (a, b) = (w_of(2 * u), w_of(2 * u + 1));
        let short = if a.len() <= b.len() { a } else { b };
        let dst = &mut padded[pad_at[u]..pad_at[u + 1]];
        let lead = dst.len() - short.len();
        dst[lead..].copy_from_slice(short);
    }

    // One unit's outputs t0 .. t0 + len, rows given as slices of that range.
    let unit_block = |u: usize, t0: usize, ra: &mut [f64], rb: Option<&mut [f64]>| {
        let r = 2 * u;
        match rb {
            None => series.fill_block(w_of(r), t0, ra, kernel),
            Some(rb) if pad_at[u + 1] > pad_at[u] => {
                let pad = &padded[pad_at[u]..pad_at[u + 1]];
                let (wa, wb) = (w_of(r), w_of(r + 1));
                if wa.len() <= wb.len() {
                    series.fill_pair(wa, pad, wb, t0, ra, rb, kernel);
                } else {
                    series.fill_pair(wb, pad, wa, t0, rb, ra, kernel);
                }
            }
            Some(rb) => {
                series.fill_block(w_of(r), t0, ra, kernel);
                series.fill_block(w_of(r + 1), t0, rb, kernel);
            }
        }
    };

    let total: u64 = (0..rows).map(|r| work_of(cols, offsets[r + 1] - offsets[r])).fold(0, u64::saturating_add);
    let threads = rayon::current_num_threads().max(1);
    if !parallel || threads == 1 || total < SEQUENTIAL_WORK_THRESHOLD {
        crate::progress::begin(units);
        for (u, chunk) in values.chunks_mut(2 * cols).enumerate() {
            let (ra, rb) = chunk.split_at_mut(cols);
            unit_block(u, 0, ra, (!rb.is_empty()).then_some(rb));
            crate::progress::advance(1);
        }
        return;
    }
    let target_tasks = threads * 4;
    let block = if units >= target_tasks {
        cols
    } else {
        let per_unit = target_tasks.div_ceil(units);
        cols.div_ceil(per_unit).max(MIN_COLUMN_BLOCK)
    };
    // Progress (see `crate::progress`) counts (unit, column block) tasks.
    crate::progress::begin(units * cols.div_ceil(block));
    values.par_chunks_mut(2 * cols).enumerate().for_each(|(u, chunk)| {
        let (ra, rb) = chunk.split_at_mut(cols);
        if block >= cols {
            unit_block(u, 0, ra, (!rb.is_empty()).then_some(rb));
            crate::progress::advance(1);
        } else if rb.is_empty() {
            ra.par_chunks_mut(block).enumerate().for_each(|(b, blk)| {
                unit_block(u, b * block, blk, None);
                crate::progress::advance(1);
            });
        } else {
            ra.par_chunks_mut(block).zip(rb.par_chunks_mut(block)).enumerate().for_each(|(b, (ba, bb))| {
                unit_block(u, b * block, ba, Some(bb));
                crate::progress::advance(1);
            });
        }
    });
}

// ---------------------------------------------------------------------------
// Single series

fn validate_single<'a>(data: &'a [f64], params: &AlmaParams) -> Result<Series<'a>, AlmaError> {
    if data.is_empty() {
        return Err(AlmaError::EmptyInput);
    }
    if params.period == 0 || params.period > data.len() {
        return Err(AlmaError::InvalidPeriod { period: params.period, len: data.len() });
    }
    check_offset(params.offset)?;
    check_sigma(params.sigma)?;
    let series = Series::new(data)?;
    series.check_period(params.period)?;
    Ok(series)
}

/// ALMA of `data` with `params`, on the fastest kernel, in parallel when the
/// work is large enough. The output has `data.len()` elements.
pub fn alma(data: &[f64], params: &AlmaParams) -> Result<Vec<f64>, AlmaError> {
    alma_with(data, params, &BatchOptions::default())
}

/// [`alma`] on a chosen kernel.
pub fn alma_with_kernel(data: &[f64], params: &AlmaParams, kernel: Kernel) -> Result<Vec<f64>, AlmaError> {
    alma_with(data, params, &BatchOptions { kernel, ..BatchOptions::default() })
}

/// [`alma`] with explicit options (kernel, parallelism).
pub fn alma_with(data: &[f64], params: &AlmaParams, opts: &BatchOptions) -> Result<Vec<f64>, AlmaError> {
    let kernel = opts.kernel.resolved()?;
    let series = validate_single(data, params)?;
    let mut out = vec![0.0; data.len()];
    compute_single(&series, params, &mut out, kernel, opts.parallel);
    Ok(out)
}

/// ALMA of `data` written into `out`, which must have `data.len()` elements.
pub fn alma_into(data: &[f64], params: &AlmaParams, out: &mut [f64]) -> Result<(), AlmaError> {
    alma_into_with(data, params, &BatchOptions::default(), out)
}

/// [`alma_into`] with explicit options (kernel, parallelism).
pub fn alma_into_with(
    data: &[f64],
    params: &AlmaParams,
    opts: &BatchOptions,
    out: &mut [f64],
) -> Result<(), AlmaError> {
    if out.len() != data.len() {
        return Err(AlmaError::OutputLengthMismatch { expected: data.len(), got: out.len() });
    }
    let kernel = opts.kernel.resolved()?;
    let series = validate_single(data, params)?;
    compute_single(&series, params, out, kernel, opts.parallel);
    Ok(())
}

fn compute_single(series: &Series<'_>, params: &AlmaParams, out: &mut [f64], kernel: Resolved, parallel: bool) {
    let mut w = vec![0.0; params.period];
    fill_weights(params, &mut w);
    run_rows(series, &w, &[0, params.period], out, kernel, parallel);
}

// ---------------------------------------------------------------------------
// Batch

/// A grid of parameters: every combination of the period, offset and sigma
/// ranges, with one `floor` convention. Each range is `(start, end, step)`,
/// inclusive; step 0 means "start only". See the [module docs](self) for the
/// exact rule that builds float ranges.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct AlmaBatchRange {
    /// Periods `(start, end, step)`: `start, start + step, ...` while `<= end`.
    pub period: (usize, usize, usize),
    /// Offsets `(start, end, step)`.
    pub offset: (f64, f64, f64),
    /// Sigmas `(start, end, step)`.
    pub sigma: (f64, f64, f64),
    /// The centre convention of every combination.
    pub floor: bool,
}

impl Default for AlmaBatchRange {
    /// Periods 9..=49 step 4, offset 0.85, sigma 6, floor false.
    fn default() -> Self {
        AlmaBatchRange { period: (9, 49, 4), offset: (0.85, 0.85, 0.0), sigma: (6.0, 6.0, 0.0), floor: false }
    }
}

/// Result of a batch: `rows` rows (one per combination, in `combos` order) of
/// `cols` outputs (the series length), row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct AlmaBatch {
    /// Row-major values, `rows * cols` elements.
    pub values: Vec<f64>,
    /// The combination of each row, ordered by period, then offset, then sigma.
    pub combos: Vec<AlmaParams>,
    /// Number of combinations.
    pub rows: usize,
    /// Length of the input series.
    pub cols: usize,
}

impl AlmaBatch {
    /// The outputs of combination `row`, or `None` if out of range.
    pub fn row(&self, row: usize) -> Option<&[f64]> {
        (row < self.rows).then(|| &self.values[row * self.cols..(row + 1) * self.cols])
    }
}

const COUNT_TOLERANCE_ABS: f64 = 1e-9;
const COUNT_TOLERANCE_REL: f64 = 1e-12;
/// Largest count a float axis may have (beyond it the grid is "too large").
const MAX_AXIS_COUNT: f64 = 9.0e15;

fn range_err(parameter: &'static str, detail: String) -> AlmaError {
    AlmaError::InvalidRange { parameter, detail }
}

/// Number of values of an integer axis; `None` when it cannot be counted.
fn usize_axis_count(r: (usize, usize, usize)) -> Result<usize, AlmaError> {
    let (start, end, step) = r;
    if step == 0 || start == end {
        return Ok(1);
    }
    if start > end {
        return Err(range_err(
            "period",
            format!("start {start} is after end {end}: use start <= end, or step 0 for a single period"),
        ));
    }
    Ok((end - start) / step + 1)
}

fn usize_axis_value(r: (usize, usize, usize), k: usize) -> usize {
    if r.2 == 0 {
        r.0
    } else {
        r.0 + k * r.2
    }
}

/// Number of values of a float axis, as f64 (may be huge; see MAX_AXIS_COUNT).
fn f64_axis_count(parameter: &'static str, r: (f64, f64, f64)) -> Result<f64, AlmaError> {
    let (start, end, step) = r;
    if !start.is_finite() || !end.is_finite() {
        return Err(range_err(parameter, format!("start {start} and end {end} must be finite numbers")));
    }
    if !(step.is_finite() && step >= 0.0) {
        return Err(range_err(parameter, format!("step {step} must be a finite number >= 0 (0 = start only)")));
    }
    if step == 0.0 || start == end {
        return Ok(1.0);
    }
    if start > end {
        return Err(range_err(
            parameter,
            format!("start {start} is after end {end}: use start <= end, or step 0 for a single value"),
        ));
    }
    let q = (end - start) / step;
    let c = (q * (1.0 + COUNT_TOLERANCE_REL) + COUNT_TOLERANCE_ABS).floor() + 1.0;
    Ok(if c.is_finite() { c } else { f64::INFINITY })
}

fn f64_axis_value(r: (f64, f64, f64), k: usize) -> f64 {
    let (start, end, step) = r;
    if step == 0.0 || start == end {
        start
    } else {
        (start + k as f64 * step).min(end)
    }
}

/// The validated shape of a grid.
struct Grid {
    n_period: usize,
    n_offset: usize,
    n_sigma: usize,
    rows: usize,
    max_period: usize,
    min_period: usize,
    weights_len: usize,
}

impl AlmaBatchRange {
    /// Checks the three ranges and returns the number of combinations
    /// (without allocating). A grid whose count overflows is
    /// [`AlmaError::OutputTooLarge`].
    pub fn combo_count(&self) -> Result<usize, AlmaError> {
        self.axes().and_then(|(p, o, s)| {
            let too_large = AlmaError::OutputTooLarge { requested: u128::MAX, limit: usize::MAX };
            let o = to_usize(o).ok_or(too_large.clone())?;
            let s = to_usize(s).ok_or(too_large.clone())?;
            p.checked_mul(o).and_then(|x| x.checked_mul(s)).ok_or(too_large)
        })
    }

    /// All combinations in row order (period, then offset, then sigma).
    /// Allocates one entry per combination: check [`Self::combo_count`] first
    /// for untrusted ranges.
    pub fn combos(&self) -> Result<Vec<AlmaParams>, AlmaError> {
        let (np, _, _) = self.axes()?;
        let n = self.combo_count()?;
        let no = to_usize(f64_axis_count("offset", self.offset)?).unwrap_or(1);
        let ns = to_usize(f64_axis_count("sigma", self.sigma)?).unwrap_or(1);
        let mut v = Vec::with_capacity(n);
        for a in 0..np {
            for b in 0..no {
                for c in 0..ns {
                    v.push(AlmaParams {
                        period: usize_axis_value(self.period, a),
                        offset: f64_axis_value(self.offset, b),
                        sigma: f64_axis_value(self.sigma, c),
                        floor: self.floor,
                    });
                }
            }
        }
        Ok(v)
    }

    fn axes(&self) -> Result<(usize, f64, f64), AlmaError> {
        Ok((
            usize_axis_count(self.period)?,
            f64_axis_count("offset", self.offset)?,
            f64_axis_count("sigma", self.sigma)?,
        ))
    }

    /// Full validation against a series of `len` samples; `limit` = memory
    /// limit (bytes) or `None` for `*_into` (caller-owned output).
    fn grid(&self, len: usize, limit: Option<usize>) -> Result<Grid, AlmaError> {
        let (np, no, ns) = self.axes()?;
        if len == 0 {
            return Err(AlmaError::EmptyInput);
        }
        let min_period = self.period.0;
        let max_period = usize_axis_value(self.period, np - 1);
        for period in [min_period, max_period] {
            if period == 0 || period > len {
                return Err(AlmaError::InvalidPeriod { period, len });
            }
        }
        // Every value lies in [start, last] (values are clamped to `end`), so
        // checking both ends checks the whole axis.
        check_offset(self.offset.0)?;
        check_offset(f64_axis_value(self.offset, to_usize(no - 1.0).unwrap_or(usize::MAX)))?;
        check_sigma(self.sigma.0)?;
        check_sigma(f64_axis_value(self.sigma, to_usize(ns - 1.0).unwrap_or(usize::MAX)))?;
        // Memory: values + combos + weights, in u128 so nothing overflows.
        let rows128 = (np as u128).saturating_mul(sat_u128(no)).saturating_mul(sat_u128(ns));
        let values = rows128.saturating_mul(len as u128).saturating_mul(8);
        let combos = rows128.saturating_mul(std::mem::size_of::<AlmaParams>() as u128);
        let weights = rows128.saturating_mul(max_period as u128).saturating_mul(8);
        let overhead = combos.saturating_add(weights);
        if let Some(limit) = limit {
            let requested = values.saturating_add(overhead);
            if requested > limit as u128 {
                return Err(AlmaError::OutputTooLarge { requested, limit });
            }
        } else if rows128.saturating_mul(len as u128) > usize::MAX as u128 || overhead > isize::MAX as u128 / 2 {
            return Err(AlmaError::OutputTooLarge { requested: values.saturating_add(overhead), limit: usize::MAX });
        }
        let n_offset = to_usize(no).expect("bounded by the memory check");
        let n_sigma = to_usize(ns).expect("bounded by the memory check");
        let rows = np * n_offset * n_sigma;
        // Exact weights length: sum over combos of their period.
        let sum_periods: usize = (0..np).map(|a| usize_axis_value(self.period, a)).sum();
        let weights_len = sum_periods * n_offset * n_sigma;
        Ok(Grid { n_period: np, n_offset, n_sigma, rows, max_period, min_period, weights_len })
    }
}

fn to_usize(c: f64) -> Option<usize> {
    ((0.0..=MAX_AXIS_COUNT).contains(&c) && c <= usize::MAX as f64).then_some(c as usize)
}

fn sat_u128(c: f64) -> u128 {
    if c.is_finite() && c < 1e38 {
        c as u128
    } else {
        u128::MAX
    }
}

/// ALMA for every combination of `range`, with default [`BatchOptions`].
pub fn alma_batch(data: &[f64], range: &AlmaBatchRange) -> Result<AlmaBatch, AlmaError> {
    alma_batch_with(data, range, &BatchOptions::default())
}

/// [`alma_batch`] with explicit options. The memory limit
/// ([`BatchOptions::max_output_bytes`]) is checked before anything is allocated.
pub fn alma_batch_with(data: &[f64], range: &AlmaBatchRange, opts: &BatchOptions) -> Result<AlmaBatch, AlmaError> {
    let kernel = opts.kernel.resolved()?;
    let grid = range.grid(data.len(), Some(opts.max_output_bytes))?;
    let series = Series::new(data)?;
    series.check_period(grid.max_period)?;
    let cols = data.len();
    let mut values = zeroed(grid.rows * cols, opts.parallel);
    let combos = compute_batch(&series, range, &grid, &mut values, kernel, opts.parallel);
    Ok(AlmaBatch { values, combos, rows: grid.rows, cols })
}

/// ALMA for every combination of `range`, written row-major into `out`
/// (which must have `combo_count * data.len()` elements); returns the
/// combinations in row order. Only the parameter list and the weights are
/// allocated.
pub fn alma_batch_into(data: &[f64], range: &AlmaBatchRange, out: &mut [f64]) -> Result<Vec<AlmaParams>, AlmaError> {
    alma_batch_into_with(data, range, &BatchOptions::default(), out)
}

/// [`alma_batch_into`] with explicit options (`max_output_bytes` is not
/// applied to the caller's buffer).
pub fn alma_batch_into_with(
    data: &[f64],
    range: &AlmaBatchRange,
    opts: &BatchOptions,
    out: &mut [f64],
) -> Result<Vec<AlmaParams>, AlmaError> {
    let n = range.combo_count()?;
    let expected = n
        .checked_mul(data.len())
        .ok_or(AlmaError::OutputTooLarge { requested: u128::MAX, limit: usize::MAX })?;
    if out.len() != expected {
        return Err(AlmaError::OutputLengthMismatch { expected, got: out.len() });
    }
    let kernel = opts.kernel.resolved()?;
    let grid = range.grid(data.len(), None)?;
    let series = Series::new(data)?;
    series.check_period(grid.max_period)?;
    Ok(compute_batch(&series, range, &grid, out, kernel, opts.parallel))
}

fn compute_batch(
    series: &Series<'_>,
    range: &AlmaBatchRange,
    grid: &Grid,
    values: &mut [f64],
    kernel: Resolved,
    parallel: bool,
) -> Vec<AlmaParams> {
    debug_assert!(grid.min_period >= 1);
    let mut combos = Vec::with_capacity(grid.rows);
    let mut weights = vec![0.0; grid.weights_len];
    let mut offsets = Vec::with_capacity(grid.rows + 1);
    offsets.push(0usize);
    let mut at = 0usize;
    for a in 0..grid.n_period {
        for b in 0..grid.n_offset {
            for c in 0..grid.n_sigma {
                let p = AlmaParams {
                    period: usize_axis_value(range.period, a),
                    offset: f64_axis_value(range.offset, b),
                    sigma: f64_axis_value(range.sigma, c),
                    floor: range.floor,
                };
                fill_weights(&p, &mut weights[at..at + p.period]);
                at += p.period;
                offsets.push(at);
                combos.push(p);
            }
        }
    }
    run_rows(series, &weights, &offsets, values, kernel, parallel);
    combos
}
