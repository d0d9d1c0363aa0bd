// Numbers the demo derives from a batch result. Pure functions (no DOM).

/**
 * The checksum shown on the page and compared across modes and browsers: the
 * sum of all finite values, summed row by row (each row in wasm's fixed order,
 * `rowSum`, then the row sums in row order), and the count of NaNs. Identical
 * outputs give bit-identical sums. The page gets the row sums from wasm
 * (`almaBatchLongAbove`'s rowSum and nanCount: `checksumOfRows`); this form,
 * over a whole `almaBatch` output, is the tests' reference.
 */
export function checksum(values, cols) {
  if (!(cols > 0) || values.length % cols !== 0) throw new RangeError(`checksum: ${values.length} values are not rows of ${cols}`);
  let sum = 0;
  let nanCount = 0;
  for (let r = 0; r < values.length; r += cols) {
    const row = rowSum(values.subarray(r, r + cols));
    sum += row.sum;
    nanCount += row.nanCount;
  }
  return { sum, nanCount };
}

/**
 * One row's checksum exactly as wasm computes it (rules.rs `row_sum`): value i
 * of the row added to accumulator i % 4 (finite values only, each accumulator
 * in order from +0), then (s0 + s1) + (s2 + s3); and the count of NaNs.
 */
export function rowSum(row) {
  const s = [0, 0, 0, 0];
  let nanCount = 0;
  for (let i = 0; i < row.length; i++) {
    const v = row[i];
    if (Number.isFinite(v)) s[i & 3] += v;
    else if (v !== v) nanCount++;
  }
  return { sum: (s[0] + s[1]) + (s[2] + s[3]), nanCount };
}

/** `checksum` from per-row sums and NaN counts (in row order). */
export function checksumOfRows(rowSum, nanCount) {
  let sum = 0;
  let nans = 0;
  for (let r = 0; r < rowSum.length; r++) { sum += rowSum[r]; nans += nanCount[r]; }
  return { sum, nanCount: nans };
}

/**
 * Total return of the rule "long while the close is above the ALMA" (the
 * reference of what wasm computes per row, rules.rs `long_above`): the
 * position for bar t is decided at the close of bar t-1 (close[t-1] >
 * alma[t-1]; no position while the ALMA is NaN) and earns close[t]/close[t-1]
 * (nothing when that ratio is not finite: a missing close), compounded in
 * wasm's fixed order (bar t into accumulator t % 4, then (g0 * g1) * (g2 * g3)).
 * Returns the compounded return minus 1 and the fraction of bars held; both NaN
 * when the ALMA is NaN at every decision (indicators/src/rules.rs, LongAbove).
 */
export function ruleReturn(prices, values, row, cols) {
  const base = row * cols;
  const g = [1, 1, 1, 1];
  // No decision possible (the ALMA NaN throughout): nothing to say.
  let decided = false;
  for (let t = 1; t < cols && !decided; t++) decided = values[base + t - 1] === values[base + t - 1];
  if (cols > 1 && !decided) return { ret: NaN, held: NaN };
  let held = 0;
  for (let t = 1; t < cols; t++) {
    const a = values[base + t - 1];
    if (a === a && prices[t - 1] > a) {
      const r = prices[t] / prices[t - 1];
      if (Number.isFinite(r)) g[t & 3] *= r;
      held++;
    }
  }
  return { ret: (g[0] * g[1]) * (g[2] * g[3]) - 1, held: held / Math.max(1, cols - 1) };
}

/** Buy-and-hold return over the series, for reference. */
export const holdReturn = (prices) => prices[prices.length - 1] / prices[0] - 1;

/**
 * How many values the inclusive range [start, end, step] has, counted
 * arithmetically (the preview runs on every keystroke: a tiny step must not
 * build an array of billions of values): the crate's rule
 * (indicators/src/batch/grid.rs), start + k*step for k = 0..K; step 0 = one value.
 * NaN when the range has no value or cannot be counted.
 */
export function axisCount([start, end, step]) {
  if (!step) return 1;
  const k = Math.floor(((end - start) / step) * (1 + 1e-12) + 1e-9);
  return k >= 0 ? k + 1 : NaN;
}

/** The largest value of a range (for the preview's check against the series length). */
export function axisMax([start, end, step]) {
  const n = axisCount([start, end, step]);
  return Number.isFinite(n) ? Math.max(start, start + (n - 1) * (step || 0)) : NaN;
}

/**
 * The values of one inclusive parameter range [start, end, step] built as
 * start + k*step (no drift from repeated addition); step 0 = one value.
 * Refuses more than `limit` values (RangeError) instead of allocating them.
 */
export function axisValues(range, limit = 1e6) {
  const n = axisCount(range);
  if (!(n >= 1)) return [];
  if (n > limit) throw new RangeError(`${n} values in one range: more than ${limit}`);
  return Array.from({ length: n }, (_, i) => range[0] + i * range[2]);
}

/**
 * The row with the highest finite total return (`stats[row] = { ret, held }`), or 0 when
 * none is finite: a row whose series has no complete window has a NaN return, which
 * must neither win nor block the comparison.
 */
export function bestRow(stats) {
  let best = 0;
  stats.forEach((s, r) => { if (Number.isFinite(s.ret) && !(stats[best].ret >= s.ret)) best = r; });
  return best;
}
