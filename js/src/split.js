// Declared splits for the `shards` mode: how one call divides into independent
// calls (one per shard, each with its own memory) and how their results join.
//
// A declaration is either data (so a module or a config file can carry it):
//
//   { kind: 'grid-rows', input: 0, range: 1, axis: 'period', cost: 'axis', costCap?: 64, out?: 2 }
//
//     A batch over a parameter grid whose rows are ordered by `axis` first
//     (outermost): `args[range][axis]` is an integer `[start, end, step]`, each
//     value of it owns a contiguous block of rows, every row is `args[input].length`
//     values. The call splits into contiguous blocks of axis values (so each part
//     is again a valid grid), balanced by WORK: `cost: 'axis'` = a row costs its
//     axis value (ALMA: a window of `period` multiply-adds per value) — at most
//     `costCap` (ALMA: rows from the FFT crossover on cost about the same) —, `'rows'` =
//     every row costs the same. Results join by concatenating rows: typed arrays
//     and arrays of the parts' results are concatenated, `rows` summed, anything
//     else taken from the first part. With `out`, `args[out]` is a row-major
//     output array (the `...Into` form): each part fills its block of it.
//
//   { kind: 'series', values: 0, offsets: 1, range: 2, axis: 'period', cost: 'axis', out?: 3 }
//
//     A many-series batch (`values` + CSR `offsets`, every series runs the same
//     grid, output series-major): splits into contiguous groups of series
//     balanced by samples; each part gets its samples (a copy, transferred) and
//     rebased offsets; results join by concatenation (`series` summed, offsets
//     rebased, typed arrays concatenated, `rows` and `combos` from the first part). A rejected series is
//     reported with its index in the whole call (`rebaseError`).
//
// Either data kind may carry `maxOutputBytes` (allocating forms only, no `out`):
// the most bytes of typed arrays one result of the module may hold — its own
// refusal (OUTPUT_TOO_LARGE) of an unsplit call. Each part stays under it on its
// own, so the joined result is checked against it: a call too large for one
// instance is refused in every mode, as the single-threaded build refuses it
// (otherwise a page without COOP/COEP got a 2.4 GB result that the same page
// with the headers is refused). A call whose rows of the split axis alone
// (one per axis value) exceed it is not split, so the module refuses it with its
// own words, at once; larger ones are refused at the join, after the parts ran.
//
// or code, for anything else:
//
//   { split(args, n, minWork, alloc) -> null | [{ args, transfer? }, ...], join(results, args) -> result,
//     outputs?: [argIndex], rebaseError?(error, part) -> error }
//
// Outputs (`out`, `outputs`) are write-only: the module must write every
// element. The host hands the worker a buffer of the right size rather than
// the caller's array, possibly one kept from an earlier call (old contents),
// and copies the filled one into the caller's array. `alloc(part, Ctor,
// length)` gives a split such a buffer for part `part` (js/src/scratch.js):
// shared memory where it can be posted to workers, else an ArrayBuffer to
// move; a part lists it in `transfer` either way (the host sends shared memory
// by reference and moves only ArrayBuffers).
//
// `split` returns null (or one part) when the call should not be split: too
// small to pay for the messages (`minWork`, in the declaration's cost units), or
// arguments it does not understand — the module then sees them unsplit and
// answers (or rejects) exactly as the single-threaded build does.

import { readOptions, invalidArgument, describe } from './options.js';

const isArrayLike = (v) => ArrayBuffer.isView(v) || Array.isArray(v);

/** True for an ArrayBuffer that was transferred away (`.detached` is newer than Node 20). */
export function isDetached(buffer) {
  if (typeof buffer.detached === 'boolean') return buffer.detached;
  try { new Uint8Array(buffer); return false; } catch { return true; }
}
const isDetachedView = (v) => ArrayBuffer.isView(v) && isDetached(v.buffer);

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

/** OUTPUT_TOO_LARGE unless the parts' typed arrays together fit the declaration's `maxOutputBytes`. */
function checkJoinedSize(results, maxOutputBytes) {
  if (maxOutputBytes === undefined) return;
  let bytes = 0;
  for (const r of results) {
    if (!r || typeof r !== 'object') continue;
    for (const v of Object.values(r)) if (isTypedArray(v)) bytes += v.byteLength;
  }
  if (bytes > maxOutputBytes) {
    const mib = (b) => `${(b / 2 ** 20).toFixed(1)} MiB`;
    throw Object.assign(new RangeError(`the result would hold ${mib(bytes)} of values, over the module's limit of ${mib(maxOutputBytes)} for one result — the limit of one instance, which the threaded and single-threaded builds apply to this call too (each shard computed a part under it). Use fewer combinations or series per call, or the ...Into form with a reused Float64Array`), { code: 'OUTPUT_TOO_LARGE' });
  }
}

function gridRows(decl) {
  const { input, range, axis, cost = 'axis', costCap = Infinity, out, maxOutputBytes } = decl;
  return {
    declarative: true,
    outputs: out === undefined ? [] : [out],
    split(args, n, minWork, alloc = (_, Ctor, length) => new Ctor(length)) {
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
      const costs = values.map((v) => (cost === 'axis' ? Math.max(1, Math.min(v, costCap)) : 1));
      const work = costs.reduce((a, b) => a + b, 0) * cols;
      if (work < minWork) return null;
      // At least one row per axis value: already over the limit, the module refuses it unsplit.
      if (maxOutputBytes !== undefined && values.length * cols * 8 > maxOutputBytes) return null;
      let rowsPerValue = 0;
      if (out !== undefined) {
        const o = args[out];
        if (!(o instanceof Float64Array) || cols === 0 || o.length % (cols * values.length) !== 0) return null;
        rowsPerValue = o.length / (cols * values.length);
        if (rowsPerValue === 0) return null;
      }
      const step = triple[2];
      return balance(costs, n).map(([from, to], i) => {
        const part = args.slice();
        part[range] = { ...grid, [axis]: [values[from], values[to - 1], step] };
        const transfer = [];
        if (out !== undefined) {
          part[out] = alloc(i, Float64Array, (to - from) * rowsPerValue * cols);
          transfer.push(part[out].buffer);
        }
        return { args: part, transfer, cols, rows: [from * rowsPerValue, to * rowsPerValue] };
      });
    },
    join(results, args, parts, outputs) {
      if (out !== undefined) {
        // Each part's filled block goes to its rows of the caller's array
        // (`args` are the caller's own: its input may be detached by a transfer;
        // an output the caller detached meanwhile is skipped, as unsplit calls do).
        if (!isDetachedView(args[out])) parts.forEach((p, i) => args[out].set(outputs[i][0], p.rows[0] * p.cols));
      }
      checkJoinedSize(results, maxOutputBytes);
      return concatRows(results);
    },
  };
}

/** `offsets` of a many-series call as numbers, or null unless it is a valid layout of `count` values. */
function seriesOffsets(offsets, count) {
  if (!(Array.isArray(offsets) || offsets instanceof Uint32Array || offsets instanceof Float64Array)) return null;
  const o = Array.from(offsets);
  if (o.length < 2 || o[0] !== 0 || o[o.length - 1] !== count) return null;
  for (let i = 1; i < o.length; i++) if (!Number.isSafeInteger(o[i]) || o[i] < o[i - 1]) return null;
  return o;
}

function seriesGroups(decl) {
  const { values: vi, offsets: oi, range, axis, cost = 'axis', costCap = Infinity, out, maxOutputBytes } = decl;
  return {
    declarative: true,
    outputs: out === undefined ? [] : [out],
    split(args, n, minWork, alloc = (_, Ctor, length) => new Ctor(length)) {
      const values = args[vi];
      if (!isArrayLike(values)) return null;
      const offsets = seriesOffsets(args[oi], values.length);
      if (!offsets || offsets.length < 3) return null; // one series: nothing to split by series
      const grid = args[range];
      if (!grid || typeof grid !== 'object' || Array.isArray(grid)) return null;
      let triple;
      try { triple = grid[axis]; } catch { return null; } // a throwing getter: the module reports it
      const axisVals = axisValues(triple);
      if (!axisVals) return null;
      // Every series runs the same grid, so a series costs its length times the grid's cost.
      const perSample = axisVals.reduce((a, v) => a + (cost === 'axis' ? Math.max(1, Math.min(v, costCap)) : 1), 0);
      if (perSample * values.length < minWork) return null;
      // At least one row per axis value and series: already over the limit, the module refuses it unsplit.
      if (maxOutputBytes !== undefined && axisVals.length * values.length * 8 > maxOutputBytes) return null;
      let rows = axisVals.length;
      if (out !== undefined) {
        const o = args[out];
        if (!(o instanceof Float64Array) || values.length === 0 || o.length % values.length !== 0) return null;
        rows = o.length / values.length;
      }
      const lengths = offsets.slice(1).map((end, i) => end - offsets[i]);
      return balance(lengths, n).map(([from, to], i) => {
        const start = offsets[from];
        const end = offsets[to];
        const part = args.slice();
        // A copy of the part's samples (typed arrays: one memcpy), moved to the shard.
        part[vi] = values.slice(start, end);
        part[oi] = offsets.slice(from, to + 1).map((x) => x - start);
        const transfer = ArrayBuffer.isView(part[vi]) ? [part[vi].buffer] : [];
        if (out !== undefined) {
          part[out] = alloc(i, Float64Array, rows * (end - start));
          transfer.push(part[out].buffer);
        }
        return { args: part, transfer, seriesBase: from, at: rows * start };
      });
    },
    join(results, args, parts, outputs) {
      if (out !== undefined && !isDetachedView(args[out])) parts.forEach((p, i) => args[out].set(outputs[i][0], p.at));
      checkJoinedSize(results, maxOutputBytes);
      const first = results[0];
      const joined = { ...first, series: 0, offsets: [0] };
      for (const r of results) {
        const base = joined.offsets[joined.offsets.length - 1];
        joined.offsets.push(...r.offsets.slice(1).map((x) => x + base));
        joined.series += r.series;
      }
      // Every typed array of the result is series-major (`values`, and per-row
      // figures such as almaBatchManyLongAbove's): the parts' arrays concatenate.
      for (const [key, v] of Object.entries(first)) if (isTypedArray(v)) joined[key] = concatTyped(results, key);
      return joined;
    },
    rebaseError(err, part) {
      if (err && Number.isInteger(err.series) && part.seriesBase) {
        const local = err.series;
        err.series = local + part.seriesBase;
        if (typeof err.message === 'string') err.message = err.message.replace(`series ${local}:`, `series ${err.series}:`);
      }
      return err;
    },
  };
}

const isTypedArray = (v) => ArrayBuffer.isView(v) && !(v instanceof DataView);

/** The typed arrays `results[i][key]` end to end, in a new array of the first one's type. */
function concatTyped(results, key) {
  const all = new results[0][key].constructor(results.reduce((a, r) => a + r[key].length, 0));
  let at = 0;
  for (const r of results) { all.set(r[key], at); at += r[key].length; }
  return all;
}

/** Joins the parts' results by rows: arrays concatenated, `rows` summed, the rest from the first part. */
export function concatRows(results) {
  const first = results[0];
  if (!first || typeof first !== 'object') return first;
  const joined = { ...first };
  for (const [key, v] of Object.entries(first)) {
    if (key === 'rows' && typeof v === 'number') joined.rows = results.reduce((a, r) => a + r.rows, 0);
    else if (isTypedArray(v)) joined[key] = concatTyped(results, key);
    else if (Array.isArray(v)) joined[key] = results.flatMap((r) => r[key]);
  }
  return joined;
}

const GRID_ROWS_KEYS = ['kind', 'input', 'range', 'axis', 'cost', 'costCap', 'out', 'maxOutputBytes'];
const SERIES_KEYS = ['kind', 'values', 'offsets', 'range', 'axis', 'cost', 'costCap', 'out', 'maxOutputBytes'];
const CODE_KEYS = ['split', 'join', 'outputs', 'rebaseError'];

/**
 * Turns a declaration (data or code) into `{ split, join, outputs }`, or throws
 * a TypeError with code INVALID_ARGUMENT saying what is wrong with it.
 */
export function compileDeclaration(name, decl) {
  const what = `declaration of ${JSON.stringify(name)}`;
  const fail = (message) => invalidArgument(`${what}: ${message}`);
  let kind;
  try { kind = decl?.kind; } catch (e) { throw fail(`reading its kind threw: ${e?.message ?? e}`); }
  const known = kind === 'grid-rows' ? GRID_ROWS_KEYS : kind === 'series' ? SERIES_KEYS : kind === undefined ? CODE_KEYS : null;
  if (!known) throw fail(`unknown kind ${JSON.stringify(kind)} (known: 'grid-rows', 'series')`);
  if (!decl || typeof decl !== 'object') throw invalidArgument(`${what} must be an object, got ${describe(decl)}`);
  // Read once each; an unknown key (`costcap`) is an error, not a silently even split.
  const d = readOptions(decl, what, known);
  const index = (k) => {
    if (!Number.isInteger(d[k]) || d[k] < 0) throw fail(`${k} must be an argument index, got ${describe(d[k])}`);
  };
  if (kind !== undefined) {
    const uses = kind === 'grid-rows' ? ['input', 'range'] : ['values', 'offsets', 'range'];
    uses.forEach(index);
    if (d.out !== undefined) {
      index('out');
      // The worker gets a fresh buffer in place of args[out] (outputs are write-only):
      // an `out` that is also an input would hand the module that buffer as its input
      // and then copy the result over the caller's input array.
      const same = uses.find((k) => d[k] === d.out);
      if (same) throw fail(`out (${d.out}) is also ${same}: the output must be an argument of its own (the module gets a fresh buffer in its place)`);
    }
    if (typeof d.axis !== 'string') throw fail(kind === 'grid-rows' ? 'axis must be the name of the outermost grid axis' : "axis must be the name of the grid axis that sets a row's cost");
    if (d.cost !== undefined && d.cost !== 'axis' && d.cost !== 'rows') throw fail(`cost must be 'axis' or 'rows', got ${describe(d.cost)}`);
    if (d.costCap !== undefined && !(typeof d.costCap === 'number' && d.costCap >= 1)) throw fail(`costCap must be a number >= 1, got ${describe(d.costCap)}`);
    if (d.maxOutputBytes !== undefined) {
      if (!(Number.isSafeInteger(d.maxOutputBytes) && d.maxOutputBytes >= 1)) throw fail(`maxOutputBytes must be a whole number of bytes >= 1, got ${describe(d.maxOutputBytes)}`);
      if (d.out !== undefined) throw fail('maxOutputBytes bounds the result an allocating form returns; with out (the ...Into form) the caller sized the output');
    }
    return kind === 'grid-rows' ? gridRows(d) : seriesGroups(d);
  }
  const outputs = d.outputs ?? [];
  if (!Array.isArray(outputs) || !outputs.every((i) => Number.isInteger(i) && i >= 0)) throw fail('outputs must be argument indices');
  if (d.split !== undefined && typeof d.split !== 'function') throw fail('split must be a function');
  if (d.split && typeof d.join !== 'function') throw fail('a split needs a join function');
  if (d.rebaseError !== undefined && typeof d.rebaseError !== 'function') throw fail('rebaseError must be a function');
  return { outputs, split: d.split, join: d.join, rebaseError: d.rebaseError };
}

/**
 * rayon-web-indicators' batch exports (the same list the module itself ships:
 * `rayonWebHostDeclarations()`, indicators/src/wasm/host.rs, which the host uses
 * for exports the caller did not declare). Rows are ordered by period first; an
 * ALMA row of period p costs p multiply-adds per value, so blocks of periods are
 * balanced by Σ period, and EMA rows all cost the same. The many-series calls split by series (contiguous
 * groups balanced by samples: every series runs the whole grid; EMA's rows all
 * cost the same). The `...Into` forms' `out` is written back into the caller's
 * array in every mode. `costCap: 64`: in wasm, `Kernel::Auto` computes rows of
 * period >= 64 by FFT, at about the cost of a direct row of period 64 (the
 * module derives its own copy from that crossover; a test checks they agree).
 * `maxOutputBytes`: the allocating forms' limit (the indicators' DEFAULT_MAX_OUTPUT_BYTES,
 * 512 MiB), which shards' joined result keeps too.
 */
export const ALMA_DECLARATIONS = Object.freeze({
  // One-series calls: no split, no output argument (declared so the host does not watch `prices` for writes).
  alma: Object.freeze({ outputs: Object.freeze([]) }),
  ema: Object.freeze({ outputs: Object.freeze([]) }),
  almaBatch: Object.freeze({ kind: 'grid-rows', input: 0, range: 1, axis: 'period', cost: 'axis', costCap: 64, maxOutputBytes: 536870912 }),
  almaBatchInto: Object.freeze({ kind: 'grid-rows', input: 0, range: 1, axis: 'period', cost: 'axis', costCap: 64, out: 2 }),
  almaBatchLongAbove: Object.freeze({ kind: 'grid-rows', input: 0, range: 1, axis: 'period', cost: 'axis', costCap: 64 }),
  almaBatchMany: Object.freeze({ kind: 'series', values: 0, offsets: 1, range: 2, axis: 'period', cost: 'axis', costCap: 64, maxOutputBytes: 536870912 }),
  almaBatchManyInto: Object.freeze({ kind: 'series', values: 0, offsets: 1, range: 2, axis: 'period', cost: 'axis', costCap: 64, out: 3 }),
  almaBatchManyLongAbove: Object.freeze({ kind: 'series', values: 0, offsets: 1, range: 2, axis: 'period', cost: 'axis', costCap: 64 }),
  emaBatch: Object.freeze({ kind: 'grid-rows', input: 0, range: 1, axis: 'period', cost: 'rows', maxOutputBytes: 536870912 }),
  emaBatchInto: Object.freeze({ kind: 'grid-rows', input: 0, range: 1, axis: 'period', cost: 'rows', out: 2 }),
  emaBatchMany: Object.freeze({ kind: 'series', values: 0, offsets: 1, range: 2, axis: 'period', cost: 'rows', maxOutputBytes: 536870912 }),
  emaBatchManyInto: Object.freeze({ kind: 'series', values: 0, offsets: 1, range: 2, axis: 'period', cost: 'rows', out: 3 }),
});
