//! Parameter grids: axes, exact counting, validation order, memory limits.
//!
//! A grid is the cartesian product of one axis per parameter, in row order
//! (first axis slowest). Integer axes `(start, end, step)` are exact:
//! `start, start + step, ...` while `<= end`. Float axes use the rule below,
//! shared by every indicator:
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
//! [`Error::InvalidRange`].
//!
//! Grids are counted and checked without allocating: an astronomically large
//! grid is [`Error::OutputTooLarge`] before anything is allocated.

use crate::error::Error;

/// A grid of parameter sets of one indicator (its `Range` type).
///
/// Implementations only describe the axes; counting limits, the validation
/// order and the memory check are the engine's.
pub trait ParamGrid: Sync {
    /// One parameter set.
    type Params: Copy + Send + Sync;

    /// Checks every axis ([`Error::InvalidRange`]) and returns the number of
    /// combinations, saturated at `u128::MAX` when it cannot be counted
    /// (use [`axis_rows`] for float axes).
    fn rows(&self) -> Result<u128, Error>;

    /// The smallest and the largest period of the grid (called after
    /// [`ParamGrid::rows`] succeeded).
    fn period_bounds(&self) -> (usize, usize);

    /// Checks every parameter but the period over the whole grid (for
    /// monotonic checks, both ends of each axis suffice). Called after the
    /// periods were checked against the series.
    fn check_params(&self) -> Result<(), Error>;

    /// Combination `k` in row order, `k < rows`.
    fn combo(&self, k: usize) -> Self::Params;

    /// Number of combinations as a `usize` (without allocating); a grid whose
    /// count overflows is [`Error::OutputTooLarge`].
    fn count(&self) -> Result<usize, Error> {
        let rows = self.rows()?;
        usize::try_from(rows).map_err(|_| Error::OutputTooLarge { requested: u128::MAX, limit: usize::MAX })
    }

    /// All combinations in row order. Allocates one entry per combination:
    /// check [`ParamGrid::count`] first for untrusted ranges.
    fn combos(&self) -> Result<Vec<Self::Params>, Error> {
        let n = self.count()?;
        Ok((0..n).map(|k| self.combo(k)).collect())
    }
}

const COUNT_TOLERANCE_ABS: f64 = 1e-9;
const COUNT_TOLERANCE_REL: f64 = 1e-12;
/// Largest count a float axis may have (beyond it the grid is "too large";
/// below it counts are exact integers in f64).
const MAX_AXIS_COUNT: f64 = 9.0e15;

fn range_err(parameter: &'static str, detail: String) -> Error {
    Error::InvalidRange { parameter, detail }
}

/// Number of values of an integer axis.
pub fn usize_axis_count(parameter: &'static str, r: (usize, usize, usize)) -> Result<usize, Error> {
    let (start, end, step) = r;
    if step == 0 || start == end {
        return Ok(1);
    }
    if start > end {
        return Err(range_err(
            parameter,
            format!("start {start} is after end {end}: use start <= end, or step 0 for a single {parameter}"),
        ));
    }
    // (0, usize::MAX, 1) has one value more than a usize counts.
    ((end - start) / step).checked_add(1).ok_or_else(|| {
        range_err(parameter, format!("{start}..={end} by {step} has more values than can be counted: use a shorter range or a larger step"))
    })
}

/// Value `k` of an integer axis.
pub fn usize_axis_value(r: (usize, usize, usize), k: usize) -> usize {
    if r.2 == 0 {
        r.0
    } else {
        r.0 + k * r.2
    }
}

/// Number of values of a float axis, as f64 (may be huge or infinite).
pub fn f64_axis_count(parameter: &'static str, r: (f64, f64, f64)) -> Result<f64, Error> {
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

/// Value `k` of a float axis.
pub fn f64_axis_value(r: (f64, f64, f64), k: usize) -> f64 {
    let (start, end, step) = r;
    if step == 0.0 || start == end {
        start
    } else {
        (start + k as f64 * step).min(end)
    }
}

/// A float axis count as `usize`, `None` beyond the countable limit.
pub fn f64_count_to_usize(c: f64) -> Option<usize> {
    ((0.0..=MAX_AXIS_COUNT).contains(&c) && c <= usize::MAX as f64).then_some(c as usize)
}

/// The product of axis counts (`usize` integer axes, `f64` float axes from
/// [`f64_axis_count`]), saturated at `u128::MAX`; a float axis beyond the
/// countable limit saturates.
pub fn axis_rows(int_axes: &[usize], float_axes: &[f64]) -> u128 {
    let mut rows: u128 = 1;
    for &n in int_axes {
        rows = rows.saturating_mul(n as u128);
    }
    for &c in float_axes {
        rows = rows.saturating_mul(f64_count_to_usize(c).map_or(u128::MAX, |n| n as u128));
    }
    rows
}

/// Checks the grid's periods against a series of `len` samples (empty input,
/// then periods 0 or longer than the series).
pub(crate) fn check_len<G: ParamGrid>(range: &G, len: usize) -> Result<(), Error> {
    if len == 0 {
        return Err(Error::EmptyInput);
    }
    let (min, max) = range.period_bounds();
    for period in [min, max] {
        if period == 0 || period > len {
            return Err(Error::InvalidPeriod { period, len });
        }
    }
    Ok(())
}

/// The memory check: `rows` rows of `len` outputs (8 bytes each) plus
/// `per_row` bytes of bookkeeping per row (parameters, weights). With a limit
/// (allocating calls), more than `limit` bytes is [`Error::OutputTooLarge`];
/// without (`*_into`, caller-owned output) only what cannot be addressed is.
/// Returns `rows` as `usize`.
pub(crate) fn check_memory(rows: u128, len: usize, per_row: u128, limit: Option<usize>) -> Result<usize, Error> {
    let values = rows.saturating_mul(len as u128).saturating_mul(8);
    let overhead = rows.saturating_mul(per_row);
    if let Some(limit) = limit {
        let requested = values.saturating_add(overhead);
        if requested > limit as u128 {
            return Err(Error::OutputTooLarge { requested, limit });
        }
    } else if rows.saturating_mul(len as u128) > usize::MAX as u128 || overhead > isize::MAX as u128 / 2 {
        return Err(Error::OutputTooLarge { requested: values.saturating_add(overhead), limit: usize::MAX });
    }
    usize::try_from(rows).map_err(|_| Error::OutputTooLarge { requested: values.saturating_add(overhead), limit: usize::MAX })
}
