// Numbers the demo derives from a batch result. Pure functions (no DOM).

/**
 * The checksum shown on the page and compared across modes and browsers: the
 * sum of all finite values, summed row by row (each row left to right, then
 * the row sums in row order: a fixed order, so identical outputs give
 * bit-identical sums), and the count of NaNs. The page gets the row sums from
 * wasm (`almaBatchLongAbove`'s rowSum and nanCount: `checksumOfRows`); this
 * form, over a whole `almaBatch` output, is the tests' reference.
 */
export function checksum(values, cols) {
  if (!(cols > 0) || values.length % cols !== 0) throw new RangeError(`checksum: ${values.length} values are not rows of ${cols}`);
  let sum = 0;
  let nanCount = 0;
  for (let r = 0; r < values.length; r += cols) {
    let row = 0;
    for (let i = r; i < r + cols; i++) {
      const v = values[i];
      if (Number.isFinite(v)) row += v;
      else if (v !== v) nanCount++;
    }
    sum += row;
  }
  return { sum, nanCount };
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
 * alma[t-1]; no position while the ALMA is NaN) and earns close[t]/close[t-1].
 * Returns the compounded return minus 1 and the fraction of bars held.
 */
export function ruleReturn(prices, values, row, cols) {
  const base = row * cols;
  let growth = 1;
  let held = 0;
  for (let t = 1; t < cols; t++) {
    const a = values[base + t - 1];
    if (a === a && prices[t - 1] > a) { growth *= prices[t] / prices[t - 1]; held++; }
  }
  return { ret: growth - 1, held: held / Math.max(1, cols - 1) };
}

/** Buy-and-hold return over the series, for reference. */
export const holdReturn = (prices) => prices[prices.length - 1] / prices[0] - 1;

/**
 * The values of one inclusive parameter range [start, end, step] built as
 * start + k*step (no drift from repeated addition); step 0 = one value. Used to
 * preview the batch size; the batch's own `combos` label the results.
 */
export function axisValues([start, end, step]) {
  if (!step) return [start];
  // The crate's rule (indicators/src/batch/grid.rs), so the preview's count is the batch's.
  const k = Math.floor(((end - start) / step) * (1 + 1e-12) + 1e-9);
  if (!(k >= 0)) return [];
  return Array.from({ length: k + 1 }, (_, i) => start + i * step);
}
