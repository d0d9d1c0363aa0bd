//! JavaScript API (wasm32 only), built with wasm-bindgen.
//!
//! ```ts
//! alma(prices: Float64Array, params?: AlmaParams): Float64Array
//! almaBatch(prices: Float64Array, range: AlmaBatchRange): AlmaBatchResult
//! ```
//!
//! **Copies.** `prices` is copied once from the JavaScript `Float64Array` into
//! wasm memory (wasm-bindgen does this for a `&[f64]` argument) and freed after
//! the call. The result is computed into a `Vec<f64>` in wasm memory and copied
//! once into a new JavaScript `Float64Array` (for `almaBatch`, `values` is that
//! copy of the whole `rows * cols` matrix); the wasm-side buffer is then freed.
//! So a batch needs, at its peak, its `values` twice: once in wasm memory (at
//! most [`crate::DEFAULT_MAX_OUTPUT_BYTES`], 512 MiB on wasm32) and once in the
//! JavaScript heap.
//!
//! **Errors** are thrown as JavaScript `Error`s whose `message` is the
//! [`AlmaError`] message and whose `code` property is [`AlmaError::code`]
//! (e.g. `"INVALID_PERIOD"`); malformed option objects (a non-number period, a
//! range that is not a 3-element array, ...) throw with code
//! `"INVALID_ARGUMENT"`.
//!
//! **Threads.** In a threaded build (`+atomics`) the work runs on the rayon
//! pool that `initThreadPool` (re-exported from `rayon-web`) installed; without
//! a pool, or in the single-threaded build, it runs on the calling thread.

use crate::alma::{alma, alma_batch, AlmaBatchRange, AlmaError, AlmaParams};
use js_sys::{Array, Error, Float64Array, Object, Reflect};
use wasm_bindgen::prelude::*;

#[cfg(target_feature = "atomics")]
pub use rayon_web::init_thread_pool;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = r#"
/** Parameters of one ALMA. Every field is optional (defaults shown). */
export interface AlmaParams {
  /** Window length, an integer from 1 to prices.length. Default 9. */
  period?: number;
  /** Peak position in [0, 1] (0 = oldest sample, 1 = newest). Default 0.85. */
  offset?: number;
  /** Sharpness, finite and > 0; the Gaussian width is period / sigma. Default 6. */
  sigma?: number;
  /** true: centre floor(offset * (period - 1)) (MT4, TA-Lib); false: TradingView. Default false. */
  floor?: boolean;
}

/** A parameter grid: [start, end, step] per axis, inclusive; step 0 = start only. */
export interface AlmaBatchRange {
  /** Integer periods [start, end, step]. */
  period: [number, number, number];
  /** Offsets [start, end, step]; value k = min(start + k * step, end). Default [0.85, 0.85, 0]. */
  offset?: [number, number, number];
  /** Sigmas [start, end, step]. Default [6, 6, 0]. */
  sigma?: [number, number, number];
  /** Centre convention for every combination. Default false. */
  floor?: boolean;
}

/** One combination of a batch. */
export interface AlmaCombo {
  period: number;
  offset: number;
  sigma: number;
}

/** Result of almaBatch: `values` is row-major, row r = combos[r], `cols` = prices.length. */
export interface AlmaBatchResult {
  values: Float64Array;
  rows: number;
  cols: number;
  combos: AlmaCombo[];
}

/** Errors thrown by alma/almaBatch carry a stable `code`. */
export interface AlmaErrorLike extends Error {
  code: "EMPTY_INPUT" | "ALL_NAN" | "INVALID_PERIOD" | "NOT_ENOUGH_VALID_DATA" | "INVALID_SIGMA"
      | "INVALID_OFFSET" | "OUTPUT_LENGTH_MISMATCH" | "INVALID_RANGE" | "OUTPUT_TOO_LARGE"
      | "UNSUPPORTED_KERNEL" | "INVALID_ARGUMENT";
}
"#;

fn js_error(code: &str, message: &str) -> JsValue {
    let err = Error::new(message);
    // Setting a property on a fresh Error object cannot fail.
    let _ = Reflect::set(&err, &JsValue::from_str("code"), &JsValue::from_str(code));
    err.into()
}

fn alma_error(e: AlmaError) -> JsValue {
    js_error(e.code(), &e.to_string())
}

fn arg_error(message: String) -> JsValue {
    js_error("INVALID_ARGUMENT", &message)
}

/// Reads `obj[key]`; `None` when absent (undefined or null).
fn field(obj: &JsValue, key: &str) -> Result<Option<JsValue>, JsValue> {
    let v = Reflect::get(obj, &JsValue::from_str(key)).map_err(|_| arg_error(format!("cannot read `{key}`")))?;
    Ok(if v.is_undefined() || v.is_null() { None } else { Some(v) })
}

fn number(v: &JsValue, what: &str) -> Result<f64, JsValue> {
    v.as_f64().ok_or_else(|| arg_error(format!("{what} must be a number")))
}

fn integer(v: &JsValue, what: &str) -> Result<usize, JsValue> {
    let x = number(v, what)?;
    if x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x <= 9_007_199_254_740_991.0 && x <= usize::MAX as f64 {
        Ok(x as usize)
    } else {
        Err(arg_error(format!("{what} must be a non-negative integer, got {x}")))
    }
}

fn boolean(v: &JsValue, what: &str) -> Result<bool, JsValue> {
    v.as_bool().ok_or_else(|| arg_error(format!("{what} must be a boolean")))
}

fn object(v: &JsValue, what: &str) -> Result<(), JsValue> {
    if v.is_object() && !Array::is_array(v) {
        Ok(())
    } else {
        Err(arg_error(format!("{what} must be an object")))
    }
}

fn triple(v: &JsValue, what: &str) -> Result<[JsValue; 3], JsValue> {
    if !Array::is_array(v) {
        return Err(arg_error(format!("{what} must be an array [start, end, step]")));
    }
    let a = Array::from(v);
    if a.length() != 3 {
        return Err(arg_error(format!("{what} must have exactly 3 elements [start, end, step], got {}", a.length())));
    }
    Ok([a.get(0), a.get(1), a.get(2)])
}

fn parse_params(v: &JsValue) -> Result<AlmaParams, JsValue> {
    let mut p = AlmaParams::default();
    if v.is_undefined() || v.is_null() {
        return Ok(p);
    }
    object(v, "params")?;
    if let Some(x) = field(v, "period")? {
        p.period = integer(&x, "params.period")?;
    }
    if let Some(x) = field(v, "offset")? {
        p.offset = number(&x, "params.offset")?;
    }
    if let Some(x) = field(v, "sigma")? {
        p.sigma = number(&x, "params.sigma")?;
    }
    if let Some(x) = field(v, "floor")? {
        p.floor = boolean(&x, "params.floor")?;
    }
    Ok(p)
}

fn parse_range(v: &JsValue) -> Result<AlmaBatchRange, JsValue> {
    object(v, "range")?;
    let mut r = AlmaBatchRange {
        period: (9, 9, 0),
        offset: (0.85, 0.85, 0.0),
        sigma: (6.0, 6.0, 0.0),
        floor: false,
    };
    let period = field(v, "period")?.ok_or_else(|| arg_error("range.period [start, end, step] is required".into()))?;
    let [a, b, c] = triple(&period, "range.period")?;
    r.period = (integer(&a, "range.period[0]")?, integer(&b, "range.period[1]")?, integer(&c, "range.period[2]")?);
    if let Some(x) = field(v, "offset")? {
        let [a, b, c] = triple(&x, "range.offset")?;
        r.offset = (number(&a, "range.offset[0]")?, number(&b, "range.offset[1]")?, number(&c, "range.offset[2]")?);
    }
    if let Some(x) = field(v, "sigma")? {
        let [a, b, c] = triple(&x, "range.sigma")?;
        r.sigma = (number(&a, "range.sigma[0]")?, number(&b, "range.sigma[1]")?, number(&c, "range.sigma[2]")?);
    }
    if let Some(x) = field(v, "floor")? {
        r.floor = boolean(&x, "range.floor")?;
    }
    Ok(r)
}

/// ALMA of `prices` (copied once into wasm memory) with optional `params`
/// (`{ period, offset, sigma, floor }`, each optional; defaults 9 / 0.85 / 6 /
/// false). Returns a new `Float64Array` of `prices.length` values (one copy
/// out); NaN for the warm-up and for windows containing NaN or ±Infinity.
/// Throws an `Error` with a `code` property on invalid input.
#[wasm_bindgen(js_name = alma, skip_typescript)]
pub fn alma_js(prices: &[f64], params: JsValue) -> Result<Vec<f64>, JsValue> {
    let p = parse_params(&params)?;
    alma(prices, &p).map_err(alma_error)
}

/// ALMA for every combination of `range` (`{ period: [start, end, step],
/// offset?: [..], sigma?: [..], floor? }`) over `prices` (copied once into
/// wasm memory). Returns `{ values: Float64Array, rows, cols, combos }` with
/// `values` row-major (`rows * cols`, one row per combination ordered by
/// period, then offset, then sigma), copied once out of wasm memory.
/// Throws an `Error` with a `code` property on invalid input; a grid whose
/// output would exceed 512 MiB throws `OUTPUT_TOO_LARGE` before allocating.
#[wasm_bindgen(js_name = almaBatch, skip_typescript)]
pub fn alma_batch_js(prices: &[f64], range: JsValue) -> Result<JsValue, JsValue> {
    let r = parse_range(&range)?;
    let batch = alma_batch(prices, &r).map_err(alma_error)?;
    let values = Float64Array::from(&batch.values[..]);
    drop(batch.values);
    batch_result(Some(&values), &batch.combos, batch.rows, batch.cols)
}

/// `almaBatch` writing `values` into the caller's `out` (length `rows * cols`)
/// instead of a new array; returns `{ rows, cols, combos }`. The output is still
/// copied once out of wasm memory, but into pages already in use: for large
/// batches, reusing one `out` avoids a fresh allocation whose first touch costs
/// more than the copy (200 MB in V8: ~100 ms against ~15 ms), a serial step
/// that caps the parallel speed-up.
#[wasm_bindgen(js_name = almaBatchInto, skip_typescript)]
pub fn alma_batch_into_js(prices: &[f64], range: JsValue, out: &Float64Array) -> Result<JsValue, JsValue> {
    let r = parse_range(&range)?;
    let rows = r.combo_count().map_err(alma_error)?;
    let expected = rows.saturating_mul(prices.len());
    if out.length() as usize != expected {
        return Err(alma_error(AlmaError::OutputLengthMismatch { expected, got: out.length() as usize }));
    }
    let batch = alma_batch(prices, &r).map_err(alma_error)?;
    out.copy_from(&batch.values);
    drop(batch.values);
    batch_result(None, &batch.combos, batch.rows, batch.cols)
}

fn batch_result(values: Option<&Float64Array>, combos: &[AlmaParams], rows: usize, cols: usize) -> Result<JsValue, JsValue> {
    let list = Array::new_with_length(combos.len() as u32);
    for (i, c) in combos.iter().enumerate() {
        let o = Object::new();
        let set = |k: &str, v: f64| Reflect::set(&o, &JsValue::from_str(k), &JsValue::from_f64(v));
        set("period", c.period as f64)?;
        set("offset", c.offset)?;
        set("sigma", c.sigma)?;
        list.set(i as u32, o.into());
    }
    let out = Object::new();
    if let Some(values) = values {
        Reflect::set(&out, &JsValue::from_str("values"), values)?;
    }
    Reflect::set(&out, &JsValue::from_str("rows"), &JsValue::from_f64(rows as f64))?;
    Reflect::set(&out, &JsValue::from_str("cols"), &JsValue::from_f64(cols as f64))?;
    Reflect::set(&out, &JsValue::from_str("combos"), &list)?;
    Ok(out.into())
}

#[wasm_bindgen(typescript_custom_section)]
const TS_FUNCTIONS: &'static str = r#"
/**
 * ALMA of `prices` (copied once into wasm memory). Returns a new Float64Array of
 * prices.length values; NaN for the warm-up and windows holding NaN or ±Infinity.
 * @throws Error with a stable `code` (see AlmaErrorLike).
 */
export function alma(prices: Float64Array, params?: AlmaParams): Float64Array;
/**
 * ALMA for every combination of the grid; `values` is row-major rows x cols.
 * @throws Error with a stable `code` (see AlmaErrorLike).
 */
export function almaBatch(prices: Float64Array, range: AlmaBatchRange): AlmaBatchResult;
/**
 * almaBatch into `out` (length rows x cols, reusable across calls; faster for large
 * batches than a fresh array). Returns the shape and the combinations.
 * @throws Error with a stable `code`; OUTPUT_LENGTH_MISMATCH when `out` has the wrong length.
 */
export function almaBatchInto(prices: Float64Array, range: AlmaBatchRange, out: Float64Array): Omit<AlmaBatchResult, "values">;
"#;
