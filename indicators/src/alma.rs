//! ALMA — the Arnaud Legoux Moving Average: parameters, centre convention,
//! weights, and its public functions. The batch engine ([`crate::batch`]) does
//! the rest: ALMA is a [`Fir`] indicator.
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
//! and largest period of the grid), then the memory limit — before allocating
//! (the engine's order, [`crate::batch`]).
//!
//! # Parameter grids
//!
//! [`AlmaBatchRange`] has one integer axis (`period`) and two float axes
//! (`offset`, `sigma`), counted and stepped by the engine's exact rule (see
//! [`batch::grid`](crate::batch::grid)): `(0.1, 0.3, 0.1)` gives exactly
//! `0.1, 0.2, 0.3`, with each value computed as `min(start + k * step, end)`.
//! Rows are ordered by period, then offset, then sigma.
//!
//! # Many series
//!
//! [`alma_batch_many`] runs one grid over many series given as one flat buffer
//! plus offsets ([`SeriesSet`](crate::batch::SeriesSet)); its rows are bitwise
//! equal to [`alma_batch`]'s on each series.
use crate::batch::grid::{axis_rows, f64_axis_count, f64_axis_value, f64_count_to_usize, usize_axis_count, usize_axis_value};
use crate::batch::{Batch, BatchMany, Engine, Fir, Indicator, ParamGrid};
use crate::error::Error;

// Kept at their old paths (`alma::Kernel`, ...) from when this module held the engine.
#[doc(no_inline)]
pub use crate::batch::{BatchOptions, DEFAULT_MAX_OUTPUT_BYTES, MIN_COLUMN_BLOCK, SEQUENTIAL_WORK_THRESHOLD};
#[doc(no_inline)]
pub use crate::error::AlmaError;
#[doc(no_inline)]
pub use crate::kernels::Kernel;

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

fn check_offset(offset: f64) -> Result<(), Error> {
    if offset.is_finite() && (0.0..=1.0).contains(&offset) {
        Ok(())
    } else {
        Err(Error::InvalidOffset { offset })
    }
}

fn check_sigma(sigma: f64) -> Result<(), Error> {
    if sigma.is_finite() && sigma > 0.0 {
        Ok(())
    } else {
        Err(Error::InvalidSigma { sigma })
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
/// oldest sample). Validates `period >= 1`, `offset` and `sigma`; a period
/// whose weights cannot be allocated is [`Error::OutputTooLarge`] (never an
/// abort: a hostile period is a `usize` like any other).
pub fn alma_weights(params: &AlmaParams) -> Result<Vec<f64>, Error> {
    if params.period == 0 {
        return Err(Error::InvalidPeriod { period: 0, len: 0 });
    }
    check_offset(params.offset)?;
    check_sigma(params.sigma)?;
    let bytes = (params.period as u128).saturating_mul(8);
    let too_large = || Error::OutputTooLarge { requested: bytes, limit: isize::MAX as usize };
    let mut w = Vec::new();
    w.try_reserve_exact(params.period).map_err(|_| too_large())?;
    w.resize(params.period, 0.0);
    fill_weights(params, &mut w);
    Ok(w)
}

/// ALMA as a batch-engine indicator (a weighted window).
#[derive(Debug, Clone, Copy, Default)]
pub struct Alma;

impl Indicator for Alma {
    type Params = AlmaParams;
    type Range = AlmaBatchRange;
    fn period(p: &AlmaParams) -> usize {
        p.period
    }
    fn check(p: &AlmaParams) -> Result<(), Error> {
        check_offset(p.offset)?;
        check_sigma(p.sigma)
    }
}

impl Fir for Alma {
    fn weights(p: &AlmaParams, w: &mut [f64]) {
        fill_weights(p, w)
    }
}

pub(crate) fn engine() -> Engine<Alma> {
    Engine::fir()
}

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

/// Result of an ALMA batch over one series (see [`Batch`]).
pub type AlmaBatch = Batch<AlmaParams>;

/// Result of an ALMA batch over many series (see [`BatchMany`]).
pub type AlmaBatchMany = BatchMany<AlmaParams>;

impl AlmaBatchRange {
    /// Checks the three ranges and returns the number of combinations
    /// (without allocating). A grid whose count overflows is
    /// [`Error::OutputTooLarge`].
    pub fn combo_count(&self) -> Result<usize, Error> {
        ParamGrid::count(self)
    }

    /// All combinations in row order (period, then offset, then sigma).
    /// Allocates one entry per combination: check [`Self::combo_count`] first
    /// for untrusted ranges.
    pub fn combos(&self) -> Result<Vec<AlmaParams>, Error> {
        ParamGrid::combos(self)
    }

    /// Counts of the offset and sigma axes (after [`ParamGrid::rows`] succeeded).
    fn float_counts(&self) -> (usize, usize) {
        let n = |name, r| f64_axis_count(name, r).ok().and_then(f64_count_to_usize).unwrap_or(1);
        (n("offset", self.offset), n("sigma", self.sigma))
    }
}

impl ParamGrid for AlmaBatchRange {
    type Params = AlmaParams;

    fn rows(&self) -> Result<u128, Error> {
        let np = usize_axis_count("period", self.period)?;
        let no = f64_axis_count("offset", self.offset)?;
        let ns = f64_axis_count("sigma", self.sigma)?;
        Ok(axis_rows(&[np], &[no, ns]))
    }

    fn period_bounds(&self) -> (usize, usize) {
        let np = usize_axis_count("period", self.period).unwrap_or(1);
        (self.period.0, usize_axis_value(self.period, np - 1))
    }

    fn check_params(&self) -> Result<(), Error> {
        // Every value lies in [start, last] (values are clamped to `end`), so
        // checking both ends checks the whole axis.
        let last = |name, r| {
            let c = f64_axis_count(name, r).ok().and_then(f64_count_to_usize).unwrap_or(usize::MAX);
            f64_axis_value(r, c.saturating_sub(1))
        };
        check_offset(self.offset.0)?;
        check_offset(last("offset", self.offset))?;
        check_sigma(self.sigma.0)?;
        check_sigma(last("sigma", self.sigma))
    }

    fn combo(&self, k: usize) -> AlmaParams {
        let (no, ns) = self.float_counts();
        AlmaParams {
            period: usize_axis_value(self.period, k / (no * ns)),
            offset: f64_axis_value(self.offset, (k / ns) % no),
            sigma: f64_axis_value(self.sigma, k % ns),
            floor: self.floor,
        }
    }
}

// ---------------------------------------------------------------------------
// Single series

/// ALMA of `data` with `params`, on the fastest kernel, in parallel when the
/// work is large enough. The output has `data.len()` elements.
pub fn alma(data: &[f64], params: &AlmaParams) -> Result<Vec<f64>, Error> {
    alma_with(data, params, &BatchOptions::default())
}

/// [`alma`] on a chosen kernel.
pub fn alma_with_kernel(data: &[f64], params: &AlmaParams, kernel: Kernel) -> Result<Vec<f64>, Error> {
    alma_with(data, params, &BatchOptions { kernel, ..BatchOptions::default() })
}

/// [`alma`] with explicit options (kernel, parallelism).
pub fn alma_with(data: &[f64], params: &AlmaParams, opts: &BatchOptions) -> Result<Vec<f64>, Error> {
    engine().single(data, params, opts)
}

/// ALMA of `data` written into `out`, which must have `data.len()` elements.
pub fn alma_into(data: &[f64], params: &AlmaParams, out: &mut [f64]) -> Result<(), Error> {
    alma_into_with(data, params, &BatchOptions::default(), out)
}

/// [`alma_into`] with explicit options (kernel, parallelism).
pub fn alma_into_with(data: &[f64], params: &AlmaParams, opts: &BatchOptions, out: &mut [f64]) -> Result<(), Error> {
    engine().single_into(data, params, opts, out)
}

// ---------------------------------------------------------------------------
// One series, a grid

/// ALMA for every combination of `range`, with default [`BatchOptions`].
pub fn alma_batch(data: &[f64], range: &AlmaBatchRange) -> Result<AlmaBatch, Error> {
    alma_batch_with(data, range, &BatchOptions::default())
}

/// [`alma_batch`] with explicit options. The memory limit
/// ([`BatchOptions::max_output_bytes`]) is checked before anything is allocated.
pub fn alma_batch_with(data: &[f64], range: &AlmaBatchRange, opts: &BatchOptions) -> Result<AlmaBatch, Error> {
    engine().batch(data, range, opts)
}

/// ALMA for every combination of `range`, written row-major into `out`
/// (which must have `combo_count * data.len()` elements); returns the
/// combinations in row order. Only the parameter list and the weights are
/// allocated.
pub fn alma_batch_into(data: &[f64], range: &AlmaBatchRange, out: &mut [f64]) -> Result<Vec<AlmaParams>, Error> {
    alma_batch_into_with(data, range, &BatchOptions::default(), out)
}

/// [`alma_batch_into`] with explicit options (`max_output_bytes` is not
/// applied to the caller's buffer).
pub fn alma_batch_into_with(
    data: &[f64],
    range: &AlmaBatchRange,
    opts: &BatchOptions,
    out: &mut [f64],
) -> Result<Vec<AlmaParams>, Error> {
    engine().batch_into(data, range, opts, out)
}

/// Every combination of `range` over `data`, each row passed to
/// `reduce(row_index, row)` as soon as it is computed and only the result kept
/// (the rows are never stored together; see [`Engine::batch_reduce`](crate::batch::Engine::batch_reduce)):
/// the results in row order and the combinations. Rows are bitwise those of
/// [`alma_batch`]. For example, what "long while the close is above the ALMA"
/// earned for every combination:
///
/// ```
/// use rayon_web_indicators::{alma_batch_reduce, rules, AlmaBatchRange, BatchOptions};
/// let prices: Vec<f64> = (0..500).map(|i| 100.0 + (i as f64 * 0.05).sin()).collect();
/// let grid = AlmaBatchRange { period: (5, 50, 5), offset: (0.85, 0.85, 0.0), sigma: (6.0, 6.0, 0.0), floor: false };
/// let (stats, combos) =
///     alma_batch_reduce(&prices, &grid, &BatchOptions::default(), |_, row| rules::long_above(&prices, row)).unwrap();
/// assert_eq!((stats.len(), combos.len()), (10, 10));
/// ```
pub fn alma_batch_reduce<R, F>(data: &[f64], range: &AlmaBatchRange, opts: &BatchOptions, reduce: F) -> Result<(Vec<R>, Vec<AlmaParams>), Error>
where
    R: Send,
    F: Fn(usize, &[f64]) -> R + Sync,
{
    engine().batch_reduce(data, range, opts, reduce)
}

/// [`alma_batch_many`]'s rows passed to `reduce(series_index, row_index, row)`
/// as soon as they are computed, only the results kept (see
/// [`Engine::batch_many_reduce`](crate::batch::Engine::batch_many_reduce)):
/// the results series-major (series `s`, combination `r` at
/// `s * combos.len() + r`) and the combinations. The backtester's sweep — one
/// figure per security and combination — without holding `rows * values.len()`
/// values. For example, the rule "long while the close is above the ALMA" over
/// three securities:
///
/// ```
/// use rayon_web_indicators::{alma_batch_many_reduce, batch::flatten, rules, AlmaBatchRange, BatchOptions};
/// let universe: Vec<Vec<f64>> = (1..=3).map(|k| (0..400).map(|i| 100.0 + (i as f64 * 0.01 * k as f64).sin()).collect()).collect();
/// let (values, offsets) = flatten(&universe);
/// let grid = AlmaBatchRange { period: (5, 50, 5), offset: (0.85, 0.85, 0.0), sigma: (6.0, 6.0, 0.0), floor: false };
/// let (stats, combos) = alma_batch_many_reduce(&values, &offsets, &grid, &BatchOptions::default(), |s, _, row| {
///     rules::long_above(&universe[s], row)
/// })
/// .unwrap();
/// assert_eq!((stats.len(), combos.len()), (30, 10)); // series 1, combination 4: stats[10 + 4]
/// ```
pub fn alma_batch_many_reduce<R, F>(
    values: &[f64],
    offsets: &[usize],
    range: &AlmaBatchRange,
    opts: &BatchOptions,
    reduce: F,
) -> Result<(Vec<R>, Vec<AlmaParams>), Error>
where
    R: Send,
    F: Fn(usize, usize, &[f64]) -> R + Sync,
{
    engine().batch_many_reduce(values, offsets, range, opts, reduce)
}

// ---------------------------------------------------------------------------
// Many series, a grid

/// ALMA for every combination of `range` over every series of the flat
/// `values` buffer (series `i` is `values[offsets[i]..offsets[i + 1]]`;
/// lengths may differ), with default [`BatchOptions`]. The output is
/// series-major, then combination ([`AlmaBatchMany::row`]`(series, combo)`);
/// each row equals the [`alma_batch`] row of that series bitwise. A rejected
/// series gives [`Error::Series`] naming its index, with the code of the
/// underlying error.
pub fn alma_batch_many(values: &[f64], offsets: &[usize], range: &AlmaBatchRange) -> Result<AlmaBatchMany, Error> {
    alma_batch_many_with(values, offsets, range, &BatchOptions::default())
}

/// [`alma_batch_many`] with explicit options (the memory limit applies to the
/// whole output).
pub fn alma_batch_many_with(
    values: &[f64],
    offsets: &[usize],
    range: &AlmaBatchRange,
    opts: &BatchOptions,
) -> Result<AlmaBatchMany, Error> {
    engine().batch_many(values, offsets, range, opts)
}

/// [`alma_batch_many`] written into `out` (`combo_count * values.len()`
/// elements, same layout); returns the combinations.
pub fn alma_batch_many_into(
    values: &[f64],
    offsets: &[usize],
    range: &AlmaBatchRange,
    out: &mut [f64],
) -> Result<Vec<AlmaParams>, Error> {
    alma_batch_many_into_with(values, offsets, range, &BatchOptions::default(), out)
}

/// [`alma_batch_many_into`] with explicit options.
pub fn alma_batch_many_into_with(
    values: &[f64],
    offsets: &[usize],
    range: &AlmaBatchRange,
    opts: &BatchOptions,
    out: &mut [f64],
) -> Result<Vec<AlmaParams>, Error> {
    engine().batch_many_into(values, offsets, range, opts, out)
}
