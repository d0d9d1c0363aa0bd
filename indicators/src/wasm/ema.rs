//! EMA's exports: `ema`, `emaBatch`, `emaBatchInto`, `emaBatchMany`,
//! `emaBatchManyInto` (declared in
//! `indicators.d.ts`), on the shared helpers of the parent module.

use super::{
    batch_result, core_error, field, integer, known_keys, integer_triple, many_result, new_array, object, run_batch, Dest, ManyArgs, MemoryPlan,
    SeriesArg,
};
use crate::ema::engine;
use crate::{ema_batch_into, ema_batch_many_into, ema_into, BatchOptions, EmaBatchRange, EmaParams};
use js_sys::Float64Array;
use wasm_bindgen::prelude::*;

const INDEX_BYTES: u64 = std::mem::size_of::<usize>() as u64;
const PARAMS_BYTES: u64 = std::mem::size_of::<EmaParams>() as u64;

fn parse_params(v: &JsValue) -> Result<EmaParams, JsValue> {
    let mut p = EmaParams::default();
    if v.is_undefined() || v.is_null() {
        return Ok(p);
    }
    object(v, "params")?;
    known_keys(v, "params", "EMA's params accept", &["period"])?;
    if let Some(x) = field(v, "period", "params")? {
        p.period = integer(&x, "params.period")?;
    }
    Ok(p)
}

fn parse_range(v: &JsValue) -> Result<EmaBatchRange, JsValue> {
    object(v, "range")?;
    known_keys(v, "range", "an EMA batch's range accepts", &["period"])?;
    let period = field(v, "period", "range")?
        .ok_or_else(|| super::arg_error("range.period [start, end, step] is required".into()))?;
    Ok(EmaBatchRange { period: integer_triple(&period, "range.period")? })
}

/// Working memory of an EMA batch (a recursion: no weights): the non-finite
/// index, the parameter list, per-row bookkeeping and the scheduler's tasks.
fn scratch(rows: usize, len: usize) -> u64 {
    len as u64 * INDEX_BYTES + rows as u64 * (PARAMS_BYTES + 2 * INDEX_BYTES + 64) + 4096
}

fn combo(p: &EmaParams) -> Vec<(&'static str, f64)> {
    vec![("period", p.period as f64)]
}

/// EMA of `prices` (`params`: `{ period }`, default 9; seeded with the SMA of
/// the first `period` samples). Returns a new `Float64Array` of `prices.length`.
#[wasm_bindgen(js_name = ema, skip_typescript)]
pub fn ema_js(prices: JsValue, params: JsValue) -> Result<Float64Array, JsValue> {
    let series = SeriesArg::parse(&prices, "prices")?;
    let p = parse_params(&params)?;
    let n = series.len;
    let mut buf = MemoryPlan { call: "ema", input: n, output: n, scratch: scratch(1, n) }.reserve()?;
    series.copy_into(&mut buf.input)?;
    ema_into(&buf.input, &p, &mut buf.output).map_err(core_error)?;
    drop(std::mem::take(&mut buf.input));
    new_array(&buf.output, "ema")
}

/// `emaBatch` and `emaBatchInto` (`out` given).
fn batch(call: &'static str, prices: &JsValue, range: &JsValue, out: Option<&JsValue>) -> Result<JsValue, JsValue> {
    let series = SeriesArg::parse(prices, "prices")?;
    let r = parse_range(range)?;
    let rows = r.combo_count().map_err(core_error)?;
    let dest = Dest::parse(out, rows.saturating_mul(series.len))?;
    engine().check_shape(&r, series.len, &BatchOptions::default()).map_err(core_error)?;
    let (values, combos) = run_batch(call, &series, rows, scratch(rows, series.len), 0, dest, |x, o| ema_batch_into(x, &r, o))?;
    batch_result(values.as_ref(), &combos, rows, series.len, combo)
}

/// EMA for every period of `range` (`{ period: [start, end, step] }`): `{ values,
/// rows, cols, combos }`, `values` row-major.
#[wasm_bindgen(js_name = emaBatch, skip_typescript)]
pub fn ema_batch_js(prices: JsValue, range: JsValue) -> Result<JsValue, JsValue> {
    batch("emaBatch", &prices, &range, None)
}

/// `emaBatch` into the caller's `out` (a `Float64Array` of `rows * cols`).
#[wasm_bindgen(js_name = emaBatchInto, skip_typescript)]
pub fn ema_batch_into_js(prices: JsValue, range: JsValue, out: JsValue) -> Result<JsValue, JsValue> {
    batch("emaBatchInto", &prices, &range, Some(&out))
}

/// `emaBatchMany` and `emaBatchManyInto` (`out` given).
fn many(call: &'static str, values: &JsValue, offsets: &JsValue, range: &JsValue, out: Option<&JsValue>) -> Result<JsValue, JsValue> {
    let args = ManyArgs::parse(values, offsets)?;
    let r = parse_range(range)?;
    let rows = r.combo_count().map_err(core_error)?;
    let n = args.series.len;
    let dest = Dest::parse(out, rows.saturating_mul(n))?;
    engine().check_shape_many(&args.offsets, n, &r, &BatchOptions::default()).map_err(core_error)?;
    let scratch = scratch(rows, n) + args.extra_scratch();
    let (values, combos) = run_batch(call, &args.series, rows, scratch, 0, dest, |x, o| ema_batch_many_into(x, &args.offsets, &r, o))?;
    many_result(values.as_ref(), &combos, rows, &args.offsets, combo)
}

/// EMA for every period of `range` over every series of `values` + `offsets`
/// (layout and result as `almaBatchMany`).
#[wasm_bindgen(js_name = emaBatchMany, skip_typescript)]
pub fn ema_batch_many_js(values: JsValue, offsets: JsValue, range: JsValue) -> Result<JsValue, JsValue> {
    many("emaBatchMany", &values, &offsets, &range, None)
}

/// `emaBatchMany` into the caller's `out` (a `Float64Array` of `rows * values.length`).
#[wasm_bindgen(js_name = emaBatchManyInto, skip_typescript)]
pub fn ema_batch_many_into_js(values: JsValue, offsets: JsValue, range: JsValue, out: JsValue) -> Result<JsValue, JsValue> {
    many("emaBatchManyInto", &values, &offsets, &range, Some(&out))
}
