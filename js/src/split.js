// Declared splits for the `shards` mode: how one call divides into independent
// calls (one per shard, each with its own memory) and how their results join.
//
// A declaration is either data (so a module or a config file can carry it):
//
//   { kind: 'grid-rows', input: 0, range: 1, axis: 'period', cost: 'axis', out?: 2 }
//
//     A batch over a parameter grid whose rows are ordered by `axis` first
//     (outermost): `args[range][axis]` is an integer `[start, end, step]`, each
//     value of it owns a contiguous block of rows, every row is `args[input].length`
//     values. The call splits into contiguous blocks of axis values (so each part
//     is again a valid grid), balanced by WORK: `cost: 'axis'` = a row costs its
//     axis value (ALMA: a window of `period` multiply-adds per value), `'rows'` =
//     every row costs the same. Results join by concatenating rows: typed arrays
//     and arrays of the parts' results are concatenated, `rows` summed, anything
//     else taken from the first part. With `out`, `args[out]` is a row-major
//     output array (the `...Into` form): each part fills its block of it.
//
// or code, for anything else:
//
//   { split(args, n, minWork) -> null | [{ args, transfer? }, ...], join(results, args) -> result,
//     outputs?: [argIndex] }
//
// `split` returns null (or one part) when the call should not be split: too
// small to pay for the messages (`minWork`, in the declaration's cost units), or
// arguments it does not understand — the module then sees them unsplit and
// answers (or rejects) exactly as the single-threaded build does.

const isArrayLike = (v) => ArrayBuffer.isView(v) || Array.isArray(v);

/** The values of an integer `[start, end, step]` axis, or null if it is not one (the module will say why). */
function axisValues(triple) {
  if (!Array.isArray(triple) || triple.length !== 3 || !triple.every(Number.isSafeInteger)) return null;
  const [start, end, step] = triple;
  if (start < 0 || step < 0 || start > end) return null;
  if (step === 0 || start === end) return [start];
  const count = Math.floor((end - start) / step) + 1;
  if (count > 1e6) return null; // the module rejects grids this large itself
  return Array.from({ length: count }, (_, k) => start + k * step);
}

/**
 * Cuts `costs` (one per axis value, in order) into at most `n` contiguous
 * groups whose sums are as even as a cut at a value boundary allows: cut k
 * lands where the running sum is nearest k/n of the total. Returns [from, to) pairs.
 */
export function balance(costs, n) {
  const total = costs.reduce((a, b) => a + b, 0);
  const groups = [];
  let from = 0;
  let acc = 0;
  for (let k = 1; k < n && from < costs.length; k++) {
    const target = (total * k) / n;
    let to = from;
    while (to < costs.length && acc + costs[to] <= target) acc += costs[to++];
    // Take the straddling value too if that lands nearer the target.
    if (to < costs.length && acc + costs[to] - target < target - acc) acc += costs[to++];
    if (to === from) continue;
    groups.push([from, to]);
    from = to;
  }
  if (from < costs.length) groups.push([from, costs.length]);
  return groups;
}

function gridRows(decl) {
  const { input, range, axis, cost = 'axis', out } = decl;
  return {
    outputs: out === undefined ? [] : [out],
    split(args, n, minWork) {
      const prices = args[input];
      const grid = args[range];
      if (!isArrayLike(prices) || !grid || typeof grid !== 'object' || Array.isArray(grid)) return null;
      let triple;
      try { triple = grid[axis]; } catch { return null; } // a throwing getter: the module reports it
      const values = axisValues(triple);
      if (!values || values.length < 2) return null;
      const cols = prices.length;
      // Axis values the module will refuse (ALMA: period 0, period > length) stay
      // unsplit, so the error is exactly the single build's.
      if (values[0] < 1 || values[values.length - 1] > cols) return null;
      const costs = values.map((v) => (cost === 'axis' ? Math.max(1, v) : 1));
      const work = costs.reduce((a, b) => a + b, 0) * cols;
      if (work < minWork) return null;
      let rowsPerValue = 0;
      if (out !== undefined) {
        const o = args[out];
        if (!(o instanceof Float64Array) || cols === 0 || o.length % (cols * values.length) !== 0) return null;
        rowsPerValue = o.length / (cols * values.length);
        if (rowsPerValue === 0) return null;
      }
      const step = triple[2];
      return balance(costs, n).map(([from, to]) => {
        const part = args.slice();
        part[range] = { ...grid, [axis]: [values[from], values[to - 1], step] };
        const transfer = [];
        if (out !== undefined) {
          part[out] = new Float64Array((to - from) * rowsPerValue * cols);
          transfer.push(part[out].buffer);
        }
        return { args: part, transfer, cols, rows: [from * rowsPerValue, to * rowsPerValue] };
      });
    },
    join(results, args, parts, outputs) {
      if (out !== undefined) {
        // Each part's filled block goes to its rows of the caller's array
        // (`args` are the caller's own: its input may be detached by a transfer).
        parts.forEach((p, i) => args[out].set(outputs[i][0], p.rows[0] * p.cols));
      }
      return concatRows(results);
    },
  };
}

/** Joins the parts' results by rows: arrays concatenated, `rows` summed, the rest from the first part. */
export function concatRows(results) {
  const first = results[0];
  if (!first || typeof first !== 'object') return first;
  const joined = { ...first };
  for (const [key, v] of Object.entries(first)) {
    if (key === 'rows' && typeof v === 'number') joined.rows = results.reduce((a, r) => a + r.rows, 0);
    else if (ArrayBuffer.isView(v) && !(v instanceof DataView)) {
      const all = new v.constructor(results.reduce((a, r) => a + r[key].length, 0));
      let at = 0;
      for (const r of results) { all.set(r[key], at); at += r[key].length; }
      joined[key] = all;
    } else if (Array.isArray(v)) joined[key] = results.flatMap((r) => r[key]);
  }
  return joined;
}

/**
 * Turns a declaration (data or code) into `{ split, join, outputs }`, or throws
 * a TypeError saying what is wrong with it.
 */
export function compileDeclaration(name, decl) {
  if (!decl || typeof decl !== 'object') throw new TypeError(`declaration of ${JSON.stringify(name)} must be an object`);
  if (decl.kind === 'grid-rows') {
    for (const k of ['input', 'range']) {
      if (!Number.isInteger(decl[k]) || decl[k] < 0) throw new TypeError(`declaration of ${JSON.stringify(name)}: ${k} must be an argument index`);
    }
    if (decl.out !== undefined && (!Number.isInteger(decl.out) || decl.out < 0)) throw new TypeError(`declaration of ${JSON.stringify(name)}: out must be an argument index`);
    if (typeof decl.axis !== 'string') throw new TypeError(`declaration of ${JSON.stringify(name)}: axis must be the name of the outermost grid axis`);
    if (decl.cost !== undefined && decl.cost !== 'axis' && decl.cost !== 'rows') throw new TypeError(`declaration of ${JSON.stringify(name)}: cost must be 'axis' or 'rows'`);
    return gridRows(decl);
  }
  if (decl.kind !== undefined) throw new TypeError(`declaration of ${JSON.stringify(name)}: unknown kind ${JSON.stringify(decl.kind)} (known: 'grid-rows')`);
  const outputs = decl.outputs ?? [];
  if (!Array.isArray(outputs) || !outputs.every((i) => Number.isInteger(i) && i >= 0)) throw new TypeError(`declaration of ${JSON.stringify(name)}: outputs must be argument indices`);
  if (decl.split !== undefined && typeof decl.split !== 'function') throw new TypeError(`declaration of ${JSON.stringify(name)}: split must be a function`);
  if (decl.split && typeof decl.join !== 'function') throw new TypeError(`declaration of ${JSON.stringify(name)}: a split needs a join function`);
  return { outputs, split: decl.split, join: decl.join };
}

/**
 * rayon-web-indicators' batch exports. Rows are ordered by period first, and a
 * row of period p costs p multiply-adds per value, so blocks of periods are
 * balanced by Σ period. `almaBatchInto`'s `out` (argument 2) is written back
 * into the caller's array in every mode.
 */
export const ALMA_DECLARATIONS = Object.freeze({
  almaBatch: Object.freeze({ kind: 'grid-rows', input: 0, range: 1, axis: 'period', cost: 'axis' }),
  almaBatchInto: Object.freeze({ kind: 'grid-rows', input: 0, range: 1, axis: 'period', cost: 'axis', out: 2 }),
});
