//! EMA — the exponential moving average, TradingView's `ta.ema` convention.
//! A [`Recursive`] indicator: the worked example of "how to add an indicator"
//! in the crate docs.
//!
//! # Definition
//!
//! With `alpha = 2 / (period + 1)`, over a run of finite samples `x_0, x_1, ...`:
//!
//! ```text
//! y[period - 1] = (x_0 + ... + x_{period-1}) / period      (seed: the SMA of the first `period` samples)
//! y[t]          = alpha * x_t + (1 - alpha) * y[t - 1]      (t >= period)
//! ```
//!
//! exactly as TradingView's reference implementation of `ta.ema`
//! (`sum := na(sum[1]) ? ta.sma(src, length) : alpha * src + (1 - alpha) * nz(sum[1])`),
//! evaluated in that order in binary64 (the seed sums left to right, then divides).
//!
//! # Missing and non-finite values
//!
//! The NaN rule is the engine's ([`crate::batch::series`]), the same as ALMA's:
//!
//! - outputs before `first_valid + period - 1` are NaN (leading NaNs shift the
//!   warm-up);
//! - a non-finite sample (NaN, +inf, -inf) at `k` **restarts** the EMA: outputs
//!   `k ..= k + period - 1` are NaN, and at `k + period` (if the samples
//!   `k + 1 ..= k + period` are finite) the EMA is seeded again by their SMA,
//!   so a gap never leaks into later values. This is what the Pine code above
//!   does: `ta.sma` is `na` while its window holds `na`, so `sum` stays `na`
//!   and is re-seeded once the window is clean.
//!
//! So an EMA output is NaN exactly where an ALMA output of the same period is.
//!
//! # Range
//!
//! Each output is a convex combination of finite samples, so it lies between
//! the smallest and largest sample seen, up to the rounding of each step (a few
//! units in the last place: with `alpha = 2/3` rounded, `alpha * c + (1 - alpha) * c`
//! need not be exactly `c`; the steps are not clamped, to keep TradingView's
//! evaluation order and its bits). No finite input overflows: a seed sum that
//! would overflow is computed as a sum of `x_i / period` instead, and a step
//! that rounds past `±f64::MAX` is clamped to its operands.
//!
//! # Errors
//!
//! In order ([`Error::code`]): output length (`*_into`), unsupported kernel
//! (EMA has one scalar implementation and ignores the kernel choice otherwise),
//! empty input, period (`1 ..= len`), all-NaN input, too little valid data
//! after leading NaNs. Batches and many series follow the engine's order
//! ([`crate::batch`]).

use crate::batch::grid::{usize_axis_count, usize_axis_value};
use crate::batch::{Batch, BatchMany, BatchOptions, Engine, Indicator, ParamGrid, Recursive};
use crate::error::Error;

/// Parameters of one EMA.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmaParams {
    /// Window length of the seed and smoothing length, `1 ..= data.len()`.
    pub period: usize,
}

impl Default for EmaParams {
    /// Period 9 (TradingView's default length for its EMA indicator).
    fn default() -> Self {
        EmaParams { period: 9 }
    }
}

/// A grid of EMA periods `(start, end, step)`, inclusive; step 0 means
/// "start only" (the integer-axis rule of [`crate::batch::grid`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct EmaBatchRange {
    /// Periods `(start, end, step)`: `start, start + step, ...` while `<= end`.
    pub period: (usize, usize, usize),
}

impl Default for EmaBatchRange {
    /// Periods 9..=49 step 4.
    fn default() -> Self {
        EmaBatchRange { period: (9, 49, 4) }
    }
}

impl EmaBatchRange {
    /// Checks the range and returns the number of combinations.
    pub fn combo_count(&self) -> Result<usize, Error> {
        ParamGrid::count(self)
    }

    /// All combinations in row order (increasing period).
    pub fn combos(&self) -> Result<Vec<EmaParams>, Error> {
        ParamGrid::combos(self)
    }
}

impl ParamGrid for EmaBatchRange {
    type Params = EmaParams;

    fn rows(&self) -> Result<u128, Error> {
        Ok(usize_axis_count("period", self.period)? as u128)
    }

    fn period_bounds(&self) -> (usize, usize) {
        let n = usize_axis_count("period", self.period).unwrap_or(1);
        (self.period.0, usize_axis_value(self.period, n - 1))
    }

    fn check_params(&self) -> Result<(), Error> {
        Ok(())
    }

    fn combo(&self, k: usize) -> EmaParams {
        EmaParams { period: usize_axis_value(self.period, k) }
    }
}

/// Result of an EMA batch over one series (see [`Batch`]).
pub type EmaBatch = Batch<EmaParams>;

/// Result of an EMA batch over many series (see [`BatchMany`]).
pub type EmaBatchMany = BatchMany<EmaParams>;

/// EMA as a batch-engine indicator (a recursion).
#[derive(Debug, Clone, Copy, Default)]
pub struct Ema;

impl Indicator for Ema {
    type Params = EmaParams;
    type Range = EmaBatchRange;
    fn period(p: &EmaParams) -> usize {
        p.period
    }
    fn check(_: &EmaParams) -> Result<(), Error> {
        Ok(())
    }
}

impl Recursive for Ema {
    fn run(p: &EmaParams, x: &[f64], out: &mut [f64]) {
        let n = p.period;
        debug_assert!(x.len() >= n && out.len() == x.len() + 1 - n);
        let mut sum = 0.0;
        for &v in &x[..n] {
            sum += v;
        }
        let mut y = sum / n as f64;
        if !y.is_finite() {
            // The sum overflowed although every sample is finite: the mean
            // itself is finite, so sum the samples pre-divided instead.
            y = x[..n].iter().map(|&v| v / n as f64).sum();
            let (lo, hi) = x[..n].iter().fold((f64::MAX, f64::MIN), |(lo, hi), &v| (lo.min(v), hi.max(v)));
            y = y.clamp(lo, hi);
        }
        let alpha = 2.0 / (n as f64 + 1.0);
        let beta = 1.0 - alpha;
        out[0] = y;
        for (o, &v) in out[1..].iter_mut().zip(&x[n..]) {
            let next = alpha * v + beta * y;
            // Only near ±f64::MAX can the rounded terms sum past the range; the
            // exact value lies between `v` and `y`.
            y = if next.is_finite() { next } else { next.clamp(v.min(y), v.max(y)) };
            *o = y;
        }
    }
}

pub(crate) fn engine() -> Engine<Ema> {
    Engine::recursive()
}

/// EMA of `data` with `params` (default options). The output has `data.len()` elements.
pub fn ema(data: &[f64], params: &EmaParams) -> Result<Vec<f64>, Error> {
    ema_with(data, params, &BatchOptions::default())
}

/// [`ema`] with explicit options.
pub fn ema_with(data: &[f64], params: &EmaParams, opts: &BatchOptions) -> Result<Vec<f64>, Error> {
    engine().single(data, params, opts)
}

/// EMA of `data` written into `out`, which must have `data.len()` elements.
pub fn ema_into(data: &[f64], params: &EmaParams, out: &mut [f64]) -> Result<(), Error> {
    ema_into_with(data, params, &BatchOptions::default(), out)
}

/// [`ema_into`] with explicit options.
pub fn ema_into_with(data: &[f64], params: &EmaParams, opts: &BatchOptions, out: &mut [f64]) -> Result<(), Error> {
    engine().single_into(data, params, opts, out)
}

/// EMA for every period of `range` (rows in increasing period), default options.
pub fn ema_batch(data: &[f64], range: &EmaBatchRange) -> Result<EmaBatch, Error> {
    ema_batch_with(data, range, &BatchOptions::default())
}

/// [`ema_batch`] with explicit options (memory limit checked before allocating).
pub fn ema_batch_with(data: &[f64], range: &EmaBatchRange, opts: &BatchOptions) -> Result<EmaBatch, Error> {
    engine().batch(data, range, opts)
}

/// [`ema_batch`] written row-major into `out` (`combo_count * data.len()`
/// elements); returns the combinations.
pub fn ema_batch_into(data: &[f64], range: &EmaBatchRange, out: &mut [f64]) -> Result<Vec<EmaParams>, Error> {
    ema_batch_into_with(data, range, &BatchOptions::default(), out)
}

/// [`ema_batch_into`] with explicit options.
pub fn ema_batch_into_with(
    data: &[f64],
    range: &EmaBatchRange,
    opts: &BatchOptions,
    out: &mut [f64],
) -> Result<Vec<EmaParams>, Error> {
    engine().batch_into(data, range, opts, out)
}

/// EMA for every period of `range` over every series of `values` + `offsets`
/// (see [`crate::alma_batch_many`] for the layout, ordering and errors).
pub fn ema_batch_many(values: &[f64], offsets: &[usize], range: &EmaBatchRange) -> Result<EmaBatchMany, Error> {
    ema_batch_many_with(values, offsets, range, &BatchOptions::default())
}

/// [`ema_batch_many`] with explicit options.
pub fn ema_batch_many_with(
    values: &[f64],
    offsets: &[usize],
    range: &EmaBatchRange,
    opts: &BatchOptions,
) -> Result<EmaBatchMany, Error> {
    engine().batch_many(values, offsets, range, opts)
}

/// [`ema_batch_many`] written into `out` (`combo_count * values.len()`
/// elements); returns the combinations.
pub fn ema_batch_many_into(
    values: &[f64],
    offsets: &[usize],
    range: &EmaBatchRange,
    out: &mut [f64],
) -> Result<Vec<EmaParams>, Error> {
    ema_batch_many_into_with(values, offsets, range, &BatchOptions::default(), out)
}

/// [`ema_batch_many_into`] with explicit options.
pub fn ema_batch_many_into_with(
    values: &[f64],
    offsets: &[usize],
    range: &EmaBatchRange,
    opts: &BatchOptions,
    out: &mut [f64],
) -> Result<Vec<EmaParams>, Error> {
    engine().batch_many_into(values, offsets, range, opts, out)
}
