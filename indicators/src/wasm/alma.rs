//! ALMA's exports: `alma`, `almaBatch`, `almaBatchInto`, `almaBatchLongAbove`,
//! `almaBatchMany`, `almaBatchManyInto`, `almaBatchManyLongAbove` (declared in
//! `indicators.d.ts`). Argument checks, memory and copies are the shared
//! helpers of the parent module; this file only knows ALMA's parameters and
//! how much working memory ALMA uses.

use super::{
    arg_error, batch_result, boolean, core_error, field, known_keys, float_triple, integer, integer_triple, many_result, new_array, number, object,
    run_batch, Dest, ManyArgs, MemoryPlan, SeriesArg, PARAMS_BYTES,
};
use crate::alma::{
    engine, alma_batch_into_with, alma_batch_many_into_with, alma_batch_many_reduce, alma_batch_reduce, alma_into_with, AlmaBatchRange, AlmaParams,
};
use crate::batch::peak_chunk_bytes;
use crate::kernels::fft;
use crate::rules::{bar_ratios, long_above_with, row_sum, LongAbove, RowSum};
use crate::{BatchOptions, Kernel};
use js_sys::Float64Array;
use wasm_bindgen::prelude::*;

const INDEX_BYTES: u64 = std::mem::size_of::<usize>() as u64;

/// The keys of ALMA's `params` and of a batch's `range` (the same names; a range's are `[start, end, step]`).
const KEYS: [&str; 5] = ["period", "offset", "sigma", "floor", "kernel"];

/// The kernel names JS accepts (`kernel` in params and ranges), and what each is.
const KERNELS: [(&str, Kernel); 4] = [("auto", Kernel::Auto), ("scalar", Kernel::Scalar), ("simd", Kernel::Simd), ("fft", Kernel::Fft)];

/// `obj.kernel` (`what` names the object): one of [`KERNELS`]' names, default `'auto'`.
fn parse_kernel(obj: &JsValue, what: &str) -> Result<BatchOptions, JsValue> {
    let kernel = match field(obj, "kernel", what)? {
        None => Kernel::Auto,
        Some(k) => {
            let name = k.as_string();
            KERNELS.iter().find(|(n, _)| Some(*n) == name.as_deref()).map(|(_, k)| *k).ok_or_else(|| {
                let got = name.as_ref().map_or_else(|| super::describe(&k), |n| format!("'{n}'"));
                arg_error(format!("{what}.kernel must be 'auto', 'scalar', 'simd' or 'fft', got {got}"))
            })?
        }
    };
    Ok(BatchOptions { kernel, ..BatchOptions::default() })
}

fn parse_params(v: &JsValue) -> Result<(AlmaParams, BatchOptions), JsValue> {
    let mut p = AlmaParams::default();
    if v.is_undefined() || v.is_null() {
        return Ok((p, BatchOptions::default()));
    }
    object(v, "params")?;
    known_keys(v, "params", "ALMA's params accept", &KEYS)?;
    if let Some(x) = field(v, "period", "params")? {
        p.period = integer(&x, "params.period")?;
    }
    if let Some(x) = field(v, "offset", "params")? {
        p.offset = number(&x, "params.offset")?;
    }
    if let Some(x) = field(v, "sigma", "params")? {
        p.sigma = number(&x, "params.sigma")?;
    }
    if let Some(x) = field(v, "floor", "params")? {
        p.floor = boolean(&x, "params.floor")?;
    }
    Ok((p, parse_kernel(v, "params")?))
}

fn parse_range(v: &JsValue) -> Result<(AlmaBatchRange, BatchOptions), JsValue> {
    object(v, "range")?;
    known_keys(v, "range", "an ALMA batch's range accepts", &KEYS)?;
    let mut r = AlmaBatchRange { period: (9, 9, 0), offset: (0.85, 0.85, 0.0), sigma: (6.0, 6.0, 0.0), floor: false };
    let period = field(v, "period", "range")?
        .ok_or_else(|| arg_error("range.period [start, end, step] is required".into()))?;
    r.period = integer_triple(&period, "range.period")?;
    if let Some(x) = field(v, "offset", "range")? {
        r.offset = float_triple(&x, "range.offset")?;
    }
    if let Some(x) = field(v, "sigma", "range")? {
        r.sigma = float_triple(&x, "range.sigma")?;
    }
    if let Some(x) = field(v, "floor", "range")? {
        r.floor = boolean(&x, "range.floor")?;
    }
    Ok((r, parse_kernel(v, "range")?))
}

/// Working memory of one ALMA over `len` samples: the index of non-finite
/// samples (at most one entry per sample) and the weights.
fn single_scratch(len: usize, period: usize) -> u64 {
    len as u64 * INDEX_BYTES + period.min(len) as u64 * 8
}

/// Working memory of a batch of `rows` combinations over `len` samples: the
/// non-finite index, the parameter list, the row offsets and every row's
/// weights (none when the longest period exceeds the series: that is
/// rejected before the weights are allocated).
fn batch_scratch(range: &AlmaBatchRange, rows: usize, len: usize) -> u64 {
    let (start, end, step) = range.period;
    let np = if step == 0 { 1 } else { (end.saturating_sub(start) / step + 1) as u64 };
    let max_period = start as u64 + (np - 1) * step as u64;
    let weights = if max_period > len as u64 {
        0
    } else {
        // sum of the periods, times the offset x sigma combinations of each.
        let sum = np * start as u64 + step as u64 * (np * (np - 1) / 2);
        sum.saturating_mul(rows as u64 / np.max(1)).saturating_mul(8)
    };
    len as u64 * INDEX_BYTES + rows as u64 * (PARAMS_BYTES + INDEX_BYTES) + INDEX_BYTES + weights
}

/// Working memory of the FFT path (`kernels::fft::working_bytes`) for the
/// periods `periods` over series of at most `longest` samples, with up to
/// `in_flight` runs transformed at once: a segment of block transforms per
/// run in flight, and `per_thread` row tasks' (or block transforms') buffers
/// per pool thread — 1 for one series, 2 where several runs are in flight (a
/// thread waiting inside one run's transforms may run another's row). 0 when no period
/// takes the FFT path. Uncounted, a 20M-sample `almaBatchLongAbove` of periods
/// 200..=201 ran the threaded build out of memory inside a pool thread, which
/// left the caller waiting for ever.
fn fft_scratch(periods: (usize, usize, usize), opts: &BatchOptions, longest: usize, in_flight: usize, per_thread: u64) -> u64 {
    let Ok(direct) = opts.kernel.resolved() else { return 0 };
    // Blocks grow with the period (class(p): p rounded up to a power of two), so the
    // largest period that takes the path decides.
    let Some(pmax) = fft::largest_taken(opts.kernel.fft_mode(), periods, longest, direct) else { return 0 };
    let (segment, task) = fft::working_bytes(pmax, longest);
    let threads = rayon::current_num_threads().max(1) as u64;
    segment.saturating_mul(in_flight as u64).saturating_add(task.saturating_mul(per_thread * threads))
}

fn combo(p: &AlmaParams) -> Vec<(&'static str, f64)> {
    vec![("period", p.period as f64), ("offset", p.offset), ("sigma", p.sigma)]
}

/// ALMA of `prices` with optional `params` (`{ period, offset, sigma, floor }`,
/// each optional; defaults 9 / 0.85 / 6 / false). Returns a new
/// `Float64Array` of `prices.length` values (one copy in, one copy out); NaN
/// for the warm-up and for windows containing NaN or ±Infinity. Throws an
/// `Error` with a `code` property on invalid input.
#[wasm_bindgen(js_name = alma, skip_typescript)]
pub fn alma_js(prices: JsValue, params: JsValue) -> Result<Float64Array, JsValue> {
    let series = SeriesArg::parse(&prices, "prices")?;
    let (p, opts) = parse_params(&params)?;
    let n = series.len;
    let scratch = single_scratch(n, p.period).saturating_add(fft_scratch((p.period, p.period, 0), &opts, n, 1, 1));
    let mut buf = MemoryPlan { call: "alma", input: n, output: n, scratch }.reserve()?;
    series.copy_into(&mut buf.input)?;
    alma_into_with(&buf.input, &p, &opts, &mut buf.output).map_err(core_error)?;
    drop(std::mem::take(&mut buf.input));
    new_array(&buf.output, "alma")
}

/// `almaBatch` and `almaBatchInto` (`out` given): one series, one grid.
fn batch(call: &'static str, prices: &JsValue, range: &JsValue, out: Option<&JsValue>) -> Result<JsValue, JsValue> {
    let series = SeriesArg::parse(prices, "prices")?;
    let (r, opts) = parse_range(range)?;
    let rows = r.combo_count().map_err(core_error)?;
    let dest = Dest::parse(out, rows.saturating_mul(series.len))?;
    engine().check_shape(&r, series.len, &opts).map_err(core_error)?;
    // One series: its classes of rows are transformed one after another.
    let (scratch, fft) = (batch_scratch(&r, rows, series.len), fft_scratch(r.period, &opts, series.len, 1, 1));
    let (values, combos) = run_batch(call, &series, rows, scratch, fft, dest, |x, o| alma_batch_into_with(x, &r, &opts, o))?;
    batch_result(values.as_ref(), &combos, rows, series.len, combo)
}

/// ALMA for every combination of `range` (`{ period: [start, end, step],
/// offset?: [..], sigma?: [..], floor? }`) over `prices`. Returns `{ values:
/// Float64Array, rows, cols, combos }` with `values` row-major (`rows * cols`,
/// one row per combination ordered by period, then offset, then sigma).
/// Throws an `Error` with a `code` property on invalid input; a grid whose
/// output would exceed 512 MiB throws `OUTPUT_TOO_LARGE` before allocating.
#[wasm_bindgen(js_name = almaBatch, skip_typescript)]
pub fn alma_batch_js(prices: JsValue, range: JsValue) -> Result<JsValue, JsValue> {
    batch("almaBatch", &prices, &range, None)
}

/// `almaBatch` writing `values` into the caller's `out` (a `Float64Array` of
/// exactly `rows * cols` elements) instead of a new array; returns `{ rows,
/// cols, combos }`. The output is still copied once out of wasm memory, but
/// into pages already in use: for large batches, reusing one `out` avoids a
/// fresh allocation whose first touch costs more than the copy (200 MB in
/// V8: ~100 ms against ~15 ms), a serial step that caps the parallel speed-up.
#[wasm_bindgen(js_name = almaBatchInto, skip_typescript)]
pub fn alma_batch_into_js(prices: JsValue, range: JsValue, out: JsValue) -> Result<JsValue, JsValue> {
    batch("almaBatchInto", &prices, &range, Some(&out))
}

/// For every combination of `range` over `prices`: what the rule "long while
/// the close is above the ALMA" earned, and a checksum of the row — computed on
/// the pool's threads right after each row, so the rows are never stored
/// together nor copied out (`rules.rs`, `batch/reduce.rs`). Returns `{ rows,
/// cols, combos, totalReturn, timeInMarket, rowSum, nanCount }`, the last four
/// `Float64Array`s of `rows` values in `combos` order: compounded return of the
/// long bars minus 1, fraction of bars long, sum of the row's finite values
/// (in `rules::row_sum`'s fixed order) and its count of NaN. Same errors as `almaBatch`.
#[wasm_bindgen(js_name = almaBatchLongAbove, skip_typescript)]
pub fn alma_batch_long_above_js(prices: JsValue, range: JsValue) -> Result<JsValue, JsValue> {
    const CALL: &str = "almaBatchLongAbove";
    let series = SeriesArg::parse(&prices, "prices")?;
    let (r, opts) = parse_range(&range)?;
    let rows = r.combo_count().map_err(core_error)?;
    let n = series.len;
    engine().check_shape(&r, n, &opts).map_err(core_error)?;
    // One chunk per pool thread at once, each transforming its own rows.
    let threads = rayon::current_num_threads().max(1);
    let scratch = batch_scratch(&r, rows, n).saturating_add(reduce_scratch(&[n], rows, &opts)).saturating_add(fft_scratch(r.period, &opts, n, threads, 2));
    let mut buf = MemoryPlan { call: CALL, input: n, output: rows.saturating_mul(4), scratch }.reserve()?;
    series.copy_into(&mut buf.input)?;
    let input = &buf.input;
    let ratios = bar_ratios(input);
    let (stats, combos) =
        alma_batch_reduce(input, &r, &opts, |_, row| (long_above_with(input, &ratios, row), row_sum(row))).map_err(core_error)?;
    drop(ratios);
    drop(std::mem::take(&mut buf.input));
    let out = batch_result(None, &combos, rows, n, combo)?;
    set_long_above(&out, &stats, &mut buf.output, CALL)?;
    Ok(out)
}

/// `almaBatchLongAbove` over every series of `values` + `offsets` (the layout
/// of `almaBatchMany`): the backtester's sweep of a universe, one figure per
/// (series, combination), the rows never stored together nor copied out.
/// Returns `{ rows, series, offsets, combos, totalReturn, timeInMarket, rowSum,
/// nanCount }`, the last four `Float64Array`s of `series * rows` values,
/// series-major: series `s`, combination `r` at `s * rows + r`. Each value
/// equals `almaBatchLongAbove`'s for that series alone, bit for bit. Same
/// errors as `almaBatchMany` (a rejected series names its index in `series`).
#[wasm_bindgen(js_name = almaBatchManyLongAbove, skip_typescript)]
pub fn alma_batch_many_long_above_js(values: JsValue, offsets: JsValue, range: JsValue) -> Result<JsValue, JsValue> {
    const CALL: &str = "almaBatchManyLongAbove";
    let args = ManyArgs::parse(&values, &offsets)?;
    let (r, opts) = parse_range(&range)?;
    let rows = r.combo_count().map_err(core_error)?;
    let n = args.series.len;
    engine().check_shape_many(&args.offsets, n, &r, &opts).map_err(core_error)?;
    let lengths = args.lengths();
    let count = lengths.len();
    let longest = lengths.iter().copied().max().unwrap_or(0);
    // One chunk per worker, one series' runs per chunk at once — except chunks of
    // whole small series run with the pool inside when there are few chunks: 2 per thread.
    let in_flight = count.min(2 * rayon::current_num_threads().max(1));
    let scratch = batch_scratch(&r, rows, n)
        .saturating_add(args.extra_scratch())
        .saturating_add(reduce_scratch(&lengths, rows, &opts))
        .saturating_add(fft_scratch(r.period, &opts, longest, in_flight, 2));
    let mut buf = MemoryPlan { call: CALL, input: n, output: rows.saturating_mul(count).saturating_mul(4), scratch }.reserve()?;
    args.series.copy_into(&mut buf.input)?;
    let (input, offs) = (&buf.input, &args.offsets);
    // Series s's ratios are the same range of the flat buffer's (bar_ratios).
    let ratios = bar_ratios(input);
    let (stats, combos) = alma_batch_many_reduce(input, offs, &r, &opts, |s, _, row| {
        let series = offs[s]..offs[s + 1];
        (long_above_with(&input[series.clone()], &ratios[series], row), row_sum(row))
    })
    .map_err(core_error)?;
    drop(ratios);
    drop(std::mem::take(&mut buf.input));
    let out = many_result(None, &combos, rows, offs, combo)?;
    set_long_above(&out, &stats, &mut buf.output, CALL)?;
    Ok(out)
}

/// Working memory of a reduced LongAbove batch: the chunk buffers in memory at
/// once (`batch::peak_chunk_bytes` of the plan the crate runs), the bar ratios
/// (one per sample) and the per-row results.
fn reduce_scratch(lengths: &[usize], rows: usize, opts: &BatchOptions) -> u64 {
    let threads = rayon::current_num_threads().max(1);
    let ratios = lengths.iter().map(|&n| n as u64 * 8).sum::<u64>();
    let results = (rows as u64).saturating_mul(lengths.len() as u64).saturating_mul(std::mem::size_of::<(LongAbove, RowSum)>() as u64);
    peak_chunk_bytes(lengths, rows, threads, opts.max_output_bytes).saturating_add(ratios).saturating_add(results)
}

/// Sets `totalReturn`, `timeInMarket`, `rowSum` and `nanCount` on `out`: four
/// `Float64Array`s of `stats.len()` values, staged in `buf` (`4 * stats.len()`).
fn set_long_above(out: &JsValue, stats: &[(LongAbove, RowSum)], buf: &mut [f64], call: &'static str) -> Result<(), JsValue> {
    let n = stats.len();
    let (ret, rest) = buf.split_at_mut(n);
    let (held, rest) = rest.split_at_mut(n);
    let (sum, nan) = rest.split_at_mut(n);
    for (i, (rule, check)) in stats.iter().enumerate() {
        (ret[i], held[i], sum[i], nan[i]) = (rule.total_return, rule.time_in_market, check.finite_sum, check.nan_count as f64);
    }
    for (key, values) in [("totalReturn", &*ret), ("timeInMarket", &*held), ("rowSum", &*sum), ("nanCount", &*nan)] {
        let array: JsValue = new_array(values, call)?.into();
        js_sys::Reflect::set(out, &JsValue::from_str(key), &array)?;
    }
    Ok(())
}

/// `almaBatchMany` and `almaBatchManyInto` (`out` given).
fn many(call: &'static str, values: &JsValue, offsets: &JsValue, range: &JsValue, out: Option<&JsValue>) -> Result<JsValue, JsValue> {
    let args = ManyArgs::parse(values, offsets)?;
    let (r, opts) = parse_range(range)?;
    let rows = r.combo_count().map_err(core_error)?;
    let n = args.series.len;
    let dest = Dest::parse(out, rows.saturating_mul(n))?;
    engine().check_shape_many(&args.offsets, n, &r, &opts).map_err(core_error)?;
    // Series from a queue, one per pool thread at once, each transforming its own runs one after another.
    let lengths = args.lengths();
    let longest = lengths.iter().copied().max().unwrap_or(0);
    let in_flight = lengths.len().min(rayon::current_num_threads().max(1));
    let (scratch, fft) = (batch_scratch(&r, rows, n) + args.extra_scratch(), fft_scratch(r.period, &opts, longest, in_flight, 2));
    let (values, combos) = run_batch(call, &args.series, rows, scratch, fft, dest, |x, o| alma_batch_many_into_with(x, &args.offsets, &r, &opts, o))?;
    many_result(values.as_ref(), &combos, rows, &args.offsets, combo)
}

/// ALMA for every combination of `range` over every series of `values` (one
/// flat series; series `i` is `values[offsets[i] .. offsets[i + 1]]`, lengths
/// may differ). Returns `{ values, rows, series, offsets, combos }`: series
/// `s`'s `rows` rows (one per combination, in `combos` order) start at
/// `rows * offsets[s]`, each `offsets[s + 1] - offsets[s]` long; every row
/// equals `almaBatch`'s row of that series bit for bit. One copy in, one copy
/// out, one parallel job over all (series, combination) pairs. A rejected
/// series throws the code it would alone, with `series` set to its index.
#[wasm_bindgen(js_name = almaBatchMany, skip_typescript)]
pub fn alma_batch_many_js(values: JsValue, offsets: JsValue, range: JsValue) -> Result<JsValue, JsValue> {
    many("almaBatchMany", &values, &offsets, &range, None)
}

/// `almaBatchMany` into the caller's `out` (a `Float64Array` of exactly
/// `rows * values.length` elements); returns `{ rows, series, offsets, combos }`.
#[wasm_bindgen(js_name = almaBatchManyInto, skip_typescript)]
pub fn alma_batch_many_into_js(values: JsValue, offsets: JsValue, range: JsValue, out: JsValue) -> Result<JsValue, JsValue> {
    many("almaBatchManyInto", &values, &offsets, &range, Some(&out))
}
