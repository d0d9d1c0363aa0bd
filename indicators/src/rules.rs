//! Trading rules and checksums evaluated over one indicator row, for batches
//! reduced row by row ([`alma_batch_reduce`](crate::alma_batch_reduce),
//! [`alma_batch_many_reduce`](crate::alma_batch_many_reduce)).
//!
//! A parameter sweep asks, for every combination, what a rule would have
//! earned — and the answer is one or two numbers per row. Computing them where
//! the row is computed (on the pool's threads, right after the row) means the
//! rows never have to be stored or copied anywhere.
//!
//! **Fixed arithmetic order.** Each function here fixes the order of its
//! floating-point operations, so its result is the same bits on every build,
//! thread count and platform that computes the same row (and in the JavaScript
//! references of the tests and the demo, `demo/stats.js`). A product or sum
//! along a row is kept in [`LANES`] interleaved accumulators — element `i` goes
//! to accumulator `i % 4`, each one in order — combined as `(a0 ∘ a1) ∘ (a2 ∘
//! a3)`, so consecutive elements do not each wait for the previous one. With
//! the bar ratios computed once and no branch per bar, the two rules over
//! 1000 series × 2520 bars × 20 rows took 62 ms instead of 82 ms on one thread
//! (native, min of 9; BENCHMARKS.md, 2026-12-06 evening).

/// Accumulators of a product or sum along a row (see the module docs).
pub const LANES: usize = 4;

/// What the rule "long while the close is above the line" did over a series.
///
/// The position for bar `t` is decided at the close of bar `t - 1`: long when
/// `prices[t - 1] > line[t - 1]` (never while the line is NaN), and a long bar
/// earns `prices[t] / prices[t - 1]` — or nothing (a factor of 1) when that
/// ratio is not a finite number: a missing close (NaN) inside a long stretch
/// would otherwise make the whole compounded return NaN (a backtester's
/// universe has gaps; the bar after a missing close is flat anyway, decided on
/// a NaN close).
///
/// A row whose line is NaN at every decision (no complete window of the
/// period anywhere in the series: gaps closer than the period) cannot say what
/// the rule did: both figures are NaN, not a "never long" 0 that would rank
/// beside real results.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct LongAbove {
    /// The compounded return of the long bars, minus 1 (0 when never long, NaN
    /// when the line is NaN at every decision):
    /// the factor of bar `t` multiplies accumulator `t % 4`, and the return is
    /// `(g0 * g1) * (g2 * g3) - 1`.
    pub total_return: f64,
    /// The fraction of the `len - 1` bars the rule was long (0 for `len < 2`;
    /// NaN when the line is NaN at every decision).
    pub time_in_market: f64,
}

/// [`LongAbove`] of `line` over `prices` (same length; the shorter one bounds
/// the pass otherwise).
pub fn long_above(prices: &[f64], line: &[f64]) -> LongAbove {
    long_above_with(prices, &bar_ratios(prices), line)
}

/// `prices[t] / prices[t - 1]` for every `t >= 1` (index 0 holds 1.0 and is
/// never read): the factors a long bar compounds. A sweep evaluates many lines
/// over the same prices; computing these once ([`long_above_with`]) takes a
/// division per bar out of every line's pass.
pub fn bar_ratios(prices: &[f64]) -> Vec<f64> {
    let mut ratios = Vec::with_capacity(prices.len());
    ratios.extend(prices.first().map(|_| 1.0));
    ratios.extend(prices.windows(2).map(|w| w[1] / w[0]));
    ratios
}

/// [`long_above`] given `ratios = bar_ratios(prices)` — or the same range of
/// the ratios of a longer buffer that holds `prices` (its index 0 is never
/// read). The same bits as [`long_above`]: the same quotients, multiplied in
/// the same order.
pub fn long_above_with(prices: &[f64], ratios: &[f64], line: &[f64]) -> LongAbove {
    let len = prices.len().min(line.len()).min(ratios.len());
    let mut growth = [1.0f64; LANES];
    // Per accumulator too, so that a group of four bars is one vector operation.
    let mut held = [0usize; LANES];
    // Element j of these is bar t = j + 1: decided on prices[t - 1] and
    // line[t - 1], earning ratios[t], into accumulator t % 4.
    let n = len.saturating_sub(1);
    let (decide, line, earn) = (&prices[..n], &line[..n], &ratios[len.min(1)..len]);
    // No decision possible (the line NaN throughout): nothing to say. Stops at the
    // line's first number — after the warm-up — outside the per-bar loop.
    if n > 0 && line.iter().all(|a| a.is_nan()) {
        return LongAbove { total_return: f64::NAN, time_in_market: f64::NAN };
    }
    // One bar: its factor (1.0 when not long: multiplying by it leaves the
    // accumulator exactly as it was) and whether it was long. Branch-free:
    // whether a bar is long is close to a coin toss, and a mispredicted branch
    // per bar costs more than the arithmetic. `>` is false for a NaN line
    // (never long while the line is NaN) or price; a ratio that is not finite
    // (a NaN close) earns nothing.
    let bar = |p: f64, a: f64, r: f64| {
        let long = p > a;
        (if long && r.is_finite() { r } else { 1.0 }, long as usize)
    };
    let (mut d, mut l, mut e) = (decide.chunks_exact(LANES), line.chunks_exact(LANES), earn.chunks_exact(LANES));
    for ((d, l), e) in (&mut d).zip(&mut l).zip(&mut e) {
        for k in 0..LANES {
            let (f, long) = bar(d[k], l[k], e[k]);
            growth[(k + 1) % LANES] *= f;
            held[k] += long;
        }
    }
    for (k, ((&p, &a), &r)) in d.remainder().iter().zip(l.remainder()).zip(e.remainder()).enumerate() {
        let (f, long) = bar(p, a, r);
        growth[(k + 1) % LANES] *= f;
        held[k] += long;
    }
    let total = (growth[0] * growth[1]) * (growth[2] * growth[3]);
    let held: usize = held.iter().sum();
    LongAbove { total_return: total - 1.0, time_in_market: held as f64 / len.saturating_sub(1).max(1) as f64 }
}

/// A checksum of one row: the sum of its finite values and how many values
/// are NaN (±Infinity counts in neither). Two rows with the same values give
/// the same bits, so builds can be compared without copying rows out.
#[derive(Clone, Copy, Debug, PartialEq)]
pub struct RowSum {
    /// Sum of the finite values: value `i` added to accumulator `i % 4` (each
    /// starting at +0.0, in order), then `(s0 + s1) + (s2 + s3)`.
    pub finite_sum: f64,
    /// Number of NaN values.
    pub nan_count: usize,
}

/// [`RowSum`] of `row`.
pub fn row_sum(row: &[f64]) -> RowSum {
    let mut sums = [0.0f64; LANES];
    let mut nans = [0usize; LANES];
    // Adding +0.0 for a non-finite value leaves an accumulator exactly as it
    // was: it starts at +0.0, so it is never -0.0 (the one value x + 0.0 changes).
    let mut groups = row.chunks_exact(LANES);
    for group in &mut groups {
        for k in 0..LANES {
            let v = group[k];
            sums[k] += if v.is_finite() { v } else { 0.0 };
            nans[k] += v.is_nan() as usize;
        }
    }
    for (k, &v) in groups.remainder().iter().enumerate() {
        sums[k] += if v.is_finite() { v } else { 0.0 };
        nans[k] += v.is_nan() as usize;
    }
    let nan_count = nans.iter().sum();
    RowSum { finite_sum: (sums[0] + sums[1]) + (sums[2] + sums[3]), nan_count }
}
