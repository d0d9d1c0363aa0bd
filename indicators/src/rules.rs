//! Trading rules and checksums evaluated over one indicator row, for batches
//! reduced row by row ([`alma_batch_reduce`](crate::alma_batch_reduce)).
//!
//! A parameter sweep asks, for every combination, what a rule would have
//! earned — and the answer is one or two numbers per row. Computing them where
//! the row is computed (on the pool's threads, right after the row) means the
//! rows never have to be stored or copied anywhere.
//!
//! Each function here fixes its arithmetic order (a left-to-right pass), so
//! its result is the same bits on every build, thread count and platform that
//! computes the same row.

/// What the rule "long while the close is above the line" did over a series.
///
/// The position for bar `t` is decided at the close of bar `t - 1`: long when
/// `prices[t - 1] > line[t - 1]` (never while the line is NaN), and a long bar
/// earns `prices[t] / prices[t - 1]`.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LongAbove {
    /// The compounded return of the long bars, minus 1 (0 when never long).
    pub total_return: f64,
    /// The fraction of the `len - 1` bars the rule was long (0 for `len < 2`).
    pub time_in_market: f64,
}

/// [`LongAbove`] of `line` over `prices` (same length; the shorter one bounds
/// the pass otherwise).
pub fn long_above(prices: &[f64], line: &[f64]) -> LongAbove {
    let len = prices.len().min(line.len());
    let mut growth = 1.0;
    let mut held = 0usize;
    for t in 1..len {
        let a = line[t - 1];
        // `a == a`: not NaN (the comparison below is false for NaN anyway; kept explicit).
        if a == a && prices[t - 1] > a {
            growth *= prices[t] / prices[t - 1];
            held += 1;
        }
    }
    LongAbove { total_return: growth - 1.0, time_in_market: held as f64 / len.saturating_sub(1).max(1) as f64 }
}

/// A checksum of one row: the sum of its finite values, left to right, and
/// how many values are NaN (±Infinity counts in neither). Two rows with the
/// same values give the same bits, so builds can be compared without copying
/// rows out.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RowSum {
    /// Sum of the finite values, in order.
    pub finite_sum: f64,
    /// Number of NaN values.
    pub nan_count: usize,
}

/// [`RowSum`] of `row`.
pub fn row_sum(row: &[f64]) -> RowSum {
    let mut finite_sum = 0.0;
    let mut nan_count = 0;
    for &v in row {
        if v.is_finite() {
            finite_sum += v;
        } else if v.is_nan() {
            nan_count += 1;
        }
    }
    RowSum { finite_sum, nan_count }
}
