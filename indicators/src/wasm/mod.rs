//! JavaScript API (wasm32 with the `js` feature only), built with wasm-bindgen.
//!
//! ## The model
//!
//! Every export follows the same four steps, written once here so that an
//! indicator's export (`alma`, in `wasm/alma.rs`) is a few lines:
//!
//! 1. **Check the arguments' types, without allocating.** Exports take raw
//!    `JsValue`s (never `&[f64]`: wasm-bindgen's glue would then convert any
//!    array-like, string or typed array itself, allocate before any check and
//!    throw uncoded `TypeError`s). A series (`SeriesArg`) is a `Float64Array`,
//!    a `Float32Array` (widened exactly) or an `Array` of numbers; an output is
//!    a `Float64Array` (`out_arg`); typed arrays are read by their real shape,
//!    and views of this module's own memory re-viewed where used (`typed.rs`);
//!    then the checks that need no samples (`Engine::check_shape`), so a grid
//!    the batch refuses reserves nothing; option objects are read through
//!    `Reflect` (`field`). Anything else is `INVALID_ARGUMENT` naming the
//!    argument and the type received; a getter or `Proxy` trap that throws is
//!    `INVALID_ARGUMENT` quoting the thrown message.
//! 2. **Reserve all the memory the call needs, or fail with a code.**
//!    `MemoryPlan` counts every allocation: the input copy, the wasm-side
//!    output and the indicator's working memory. It first asks the allocator
//!    for the whole sum at once (and frees it), so a call that cannot fit is
//!    refused with `INPUT_TOO_LARGE` / `OUTPUT_TOO_LARGE` *before* anything is
//!    copied, instead of trapping (`RuntimeError: unreachable`) when
//!    `memory.grow` fails in the middle of the computation.
//! 3. **Compute on buffers owned by Rust.** The input copy and the output are
//!    `Vec`s owned by the export's frame (`Buffers`), so every return path,
//!    error or not, frees them. This only holds if no JavaScript exception
//!    unwinds through wasm frames (which skips Rust destructors), so every
//!    JavaScript call this module makes that can throw (getters, `Proxy`
//!    traps, `TypedArray.prototype.set`, allocation of the result) is imported
//!    with `catch` and turned into a coded error.
//! 4. **Copy the result out once** into a new `Float64Array` or the caller's
//!    — or not at all when the caller's `out` is the view of a
//!    `WasmFloat64Buffer` (`buffer.rs`): the values are then computed into it.
//!
//! **Errors** are JavaScript `Error`s with a `code` property: the indicator's
//! [`AlmaError::code`] or one of this layer's `JsCode`s. The list users see is
//! `IndicatorErrorCode` in `indicators.d.ts` (next to this file, the
//! TypeScript declarations of the package); `tests/js_error_codes.rs` checks it
//! equals the codes in the Rust sources.
//!
//! **Threads.** In a threaded build (`+atomics`) the work runs on the rayon
//! pool that `initThreadPool` (re-exported from `rayon-web`) installed; without
//! a pool, or in the single-threaded build, it runs on the calling thread.

mod alma;
mod buffer;
mod ema;
mod heap;
mod host;
mod typed;

use crate::alma::{AlmaError, AlmaParams};
use crate::DEFAULT_MAX_OUTPUT_BYTES;
use js_sys::{Array, Error, Float32Array, Float64Array, Object, Reflect, Uint32Array};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

#[cfg(target_feature = "atomics")]
pub use rayon_web::init_thread_pool;

#[wasm_bindgen(typescript_custom_section)]
const TS_TYPES: &'static str = include_str!("indicators.d.ts");

// JavaScript operations that can throw, imported with `catch` (see step 3 of
// the module docs): a throw must come back as an `Err`, never unwind through
// wasm frames.
#[wasm_bindgen]
extern "C" {
    /// `Array.isArray(v)`: throws for a revoked `Proxy`.
    #[wasm_bindgen(catch, js_namespace = Array, js_name = isArray)]
    fn is_array(v: &JsValue) -> Result<bool, JsValue>;
    /// `Object.keys(v)`: throws for a revoked `Proxy` or an `ownKeys` trap that throws.
    #[wasm_bindgen(catch, js_namespace = Object, js_name = keys)]
    fn object_keys(v: &JsValue) -> Result<Array, JsValue>;
    /// `Float64Array` with the calls that can throw imported with `catch`
    /// (js-sys imports them without). Cast with `unchecked_ref`.
    #[wasm_bindgen(js_name = Float64Array)]
    type CheckedF64;
    /// `new Float64Array(len)`: throws `RangeError` when the JavaScript heap
    /// cannot hold it.
    #[wasm_bindgen(catch, constructor, js_class = "Float64Array")]
    fn new(len: f64) -> Result<CheckedF64, JsValue>;
    /// `dst.set(src)`: throws when `src` is detached, too long, or holds BigInts.
    #[wasm_bindgen(catch, method, js_name = set)]
    fn set(this: &CheckedF64, src: &JsValue) -> Result<(), JsValue>;
}

fn set_from(dst: &Float64Array, src: &JsValue) -> Result<(), JsValue> {
    dst.unchecked_ref::<CheckedF64>().set(src)
}

fn new_float64_array(len: f64) -> Result<Float64Array, JsValue> {
    CheckedF64::new(len).map(|a| a.unchecked_into())
}

/// Error codes this layer adds to the indicators' own ([`AlmaError::code`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum JsCode {
    /// An argument has the wrong type or shape, or reading it threw.
    InvalidArgument,
    /// The copy of an input series cannot fit in wasm memory.
    InputTooLarge,
    /// The input copy, output and working memory together cannot fit.
    OutputTooLarge,
}

impl JsCode {
    fn as_str(self) -> &'static str {
        match self {
            JsCode::InvalidArgument => "INVALID_ARGUMENT",
            JsCode::InputTooLarge => "INPUT_TOO_LARGE",
            JsCode::OutputTooLarge => "OUTPUT_TOO_LARGE",
        }
    }
}

/// A JavaScript `Error` with `message` and a `code` property.
pub(crate) fn js_error(code: JsCode, message: &str) -> JsValue {
    coded(code.as_str(), message)
}

fn coded(code: &str, message: &str) -> JsValue {
    let err = Error::new(message);
    // Defining a property on a fresh Error cannot fail; the result is ignored
    // rather than unwrapped so this path cannot trap either.
    let _ = Reflect::set(&err, &JsValue::from_str("code"), &JsValue::from_str(code));
    err.into()
}

/// An indicator's error as a coded JavaScript `Error`; a many-series call's
/// rejected series also sets the `series` property to its index.
pub(crate) fn core_error(e: AlmaError) -> JsValue {
    let message = match e {
        // The crate's own words advise raising `BatchOptions::max_output_bytes`,
        // which JavaScript callers cannot set: say what they can do.
        AlmaError::OutputTooLarge { requested, limit } if requested != u128::MAX => format!(
            "the batch needs {}, over its limit of {} in wasm: use fewer parameter combinations or shorter chunks per call",
            mib(u64::try_from(requested).unwrap_or(u64::MAX)),
            mib(limit as u64)
        ),
        _ => e.to_string(),
    };
    let err = coded(e.code(), &message);
    if let Some(i) = e.series_index() {
        let _ = Reflect::set(&err, &JsValue::from_str("series"), &JsValue::from_f64(i as f64));
    }
    err
}

/// `INVALID_ARGUMENT` with `message`.
pub(crate) fn arg_error(message: String) -> JsValue {
    js_error(JsCode::InvalidArgument, &message)
}

/// What a value is, for messages: "undefined", "a string", "Int32Array", ...
/// Never throws (a `Proxy` whose traps throw is "an object").
pub(crate) fn describe(v: &JsValue) -> String {
    if v.is_undefined() {
        return "undefined".into();
    }
    if v.is_null() {
        return "null".into();
    }
    if let Some(x) = v.as_f64() {
        return format!("the number {x}");
    }
    if v.is_function() {
        return "a function".into();
    }
    if !v.is_object() {
        let t = v.js_typeof().as_string().unwrap_or_default();
        return match t.as_str() {
            "string" => "a string".into(),
            "boolean" => "a boolean".into(),
            "bigint" => "a bigint".into(),
            "symbol" => "a symbol".into(),
            other => other.to_string(),
        };
    }
    if let Ok(true) = is_array(v) {
        return "an Array".into();
    }
    let name = Reflect::get(v, &JsValue::from_str("constructor"))
        .ok()
        .filter(|c| c.is_function())
        .and_then(|c| Reflect::get(&c, &JsValue::from_str("name")).ok())
        .and_then(|n| n.as_string())
        .filter(|n| !n.is_empty());
    match name {
        Some(n) if n == "Object" => "a plain object".into(),
        Some(n) => format!("a {n}"),
        None => "an object".into(),
    }
}

/// The message of something JavaScript threw (an `Error`'s `message`, a thrown
/// string itself, or what it is).
pub(crate) fn thrown(e: &JsValue) -> String {
    if let Some(s) = e.as_string() {
        return s;
    }
    if e.is_instance_of::<Error>() {
        if let Some(m) = Reflect::get(e, &JsValue::from_str("message")).ok().and_then(|m| m.as_string()) {
            return m;
        }
    }
    format!("{} was thrown", describe(e))
}

/// Reads `obj[key]` (`what` names it in messages); `None` when absent
/// (undefined or null). A throwing getter or trap is `INVALID_ARGUMENT`
/// quoting its message.
pub(crate) fn field(obj: &JsValue, key: &str, what: &str) -> Result<Option<JsValue>, JsValue> {
    let v = Reflect::get(obj, &JsValue::from_str(key))
        .map_err(|e| arg_error(format!("reading `{what}.{key}` threw: {}", thrown(&e))))?;
    Ok(if v.is_undefined() || v.is_null() { None } else { Some(v) })
}

/// A number (not a numeric string, BigInt or `Number` object).
pub(crate) fn number(v: &JsValue, what: &str) -> Result<f64, JsValue> {
    v.as_f64().ok_or_else(|| arg_error(format!("{what} must be a number, got {}", describe(v))))
}

/// A non-negative integer that fits in `usize`.
pub(crate) fn integer(v: &JsValue, what: &str) -> Result<usize, JsValue> {
    let x = number(v, what)?;
    if x.is_finite() && x >= 0.0 && x.fract() == 0.0 && x <= usize::MAX as f64 {
        Ok(x as usize)
    } else if x.is_finite() && x.fract() == 0.0 && x > 0.0 {
        // An integer, but past what wasm32 can count (or index): say the limit.
        Err(arg_error(format!("{what} is {x}, above the largest count wasm32 can hold ({}); no series or grid can be that long", usize::MAX)))
    } else {
        Err(arg_error(format!("{what} must be a non-negative integer, got {x}")))
    }
}

/// A boolean (not a truthy value).
pub(crate) fn boolean(v: &JsValue, what: &str) -> Result<bool, JsValue> {
    v.as_bool().ok_or_else(|| arg_error(format!("{what} must be a boolean, got {}", describe(v))))
}

/// An object that is not an Array or a function.
pub(crate) fn object(v: &JsValue, what: &str) -> Result<(), JsValue> {
    let array = is_array(v).map_err(|e| arg_error(format!("inspecting `{what}` threw: {}", thrown(&e))))?;
    if v.is_object() && !array {
        Ok(())
    } else {
        Err(arg_error(format!("{what} must be an object, got {}", describe(v))))
    }
}

/// Rejects an option object with an own key not in `known` (`what` names the
/// object, `accepts` is the message's subject and verb: "ALMA's params accept"): a misspelt option
/// (`{ perid: 20 }`) would otherwise be ignored and the call would answer
/// silently with the default. Only own enumerable string keys are looked at:
/// an option on a prototype (a class instance's getter) is read and used by
/// [`field`], but a misspelt one there is not caught.
pub(crate) fn known_keys(obj: &JsValue, what: &str, accepts: &str, known: &[&str]) -> Result<(), JsValue> {
    let keys = object_keys(obj).map_err(|e| arg_error(format!("listing the keys of `{what}` threw: {}", thrown(&e))))?;
    for key in keys.iter() {
        let key = key.as_string().unwrap_or_default();
        if !known.contains(&key.as_str()) {
            let known = known.iter().map(|k| format!("`{k}`")).collect::<Vec<_>>().join(", ");
            return Err(arg_error(format!("{what} has no option {key:?}: {accepts} {known} only")));
        }
    }
    Ok(())
}

/// An `Array` of exactly `N` elements, read through `Reflect` (so a `Proxy`
/// that throws is a coded error).
pub(crate) fn tuple<const N: usize>(v: &JsValue, what: &str, shape: &str) -> Result<[JsValue; N], JsValue> {
    let array = is_array(v).map_err(|e| arg_error(format!("inspecting `{what}` threw: {}", thrown(&e))))?;
    if !array {
        return Err(arg_error(format!("{what} must be an array {shape}, got {}", describe(v))));
    }
    let len = field(v, "length", what)?.and_then(|l| l.as_f64()).unwrap_or(f64::NAN);
    if len != N as f64 {
        return Err(arg_error(format!("{what} must have exactly {N} elements {shape}, got {len}")));
    }
    let mut out: [JsValue; N] = std::array::from_fn(|_| JsValue::UNDEFINED);
    for (i, slot) in out.iter_mut().enumerate() {
        *slot = Reflect::get_u32(v, i as u32)
            .map_err(|e| arg_error(format!("reading `{what}[{i}]` threw: {}", thrown(&e))))?;
    }
    Ok(out)
}

/// A `[start, end, step]` triple of numbers.
pub(crate) fn float_triple(v: &JsValue, what: &str) -> Result<(f64, f64, f64), JsValue> {
    let [a, b, c] = tuple::<3>(v, what, "[start, end, step]")?;
    Ok((number(&a, &format!("{what}[0]"))?, number(&b, &format!("{what}[1]"))?, number(&c, &format!("{what}[2]"))?))
}

/// A `[start, end, step]` triple of non-negative integers.
pub(crate) fn integer_triple(v: &JsValue, what: &str) -> Result<(usize, usize, usize), JsValue> {
    let [a, b, c] = tuple::<3>(v, what, "[start, end, step]")?;
    Ok((integer(&a, &format!("{what}[0]"))?, integer(&b, &format!("{what}[1]"))?, integer(&c, &format!("{what}[2]"))?))
}

// ---------------------------------------------------------------------------
// Series in, results out

enum SeriesKind {
    /// A `Float64Array` or `Float32Array` (`own`: it views this module's memory).
    Typed { own: Option<typed::Span> },
    Array,
}

/// A checked series argument: its kind and length, nothing copied yet.
pub(crate) struct SeriesArg {
    value: JsValue,
    kind: SeriesKind,
    what: &'static str,
    /// Number of samples.
    pub len: usize,
}

impl SeriesArg {
    /// Accepts a `Float64Array`, a `Float32Array` or an `Array`; anything else
    /// (other typed arrays, array-likes, strings, null, ...) is `INVALID_ARGUMENT`.
    /// A typed array's length is its real one (`typed.rs`).
    pub(crate) fn parse(value: &JsValue, what: &'static str) -> Result<SeriesArg, JsValue> {
        let (kind, len) = if value.is_instance_of::<Float64Array>() || value.is_instance_of::<Float32Array>() {
            let t = typed::inspect(value, what)?;
            (SeriesKind::Typed { own: t.own }, t.len)
        } else if is_array(value).map_err(|e| arg_error(format!("inspecting `{what}` threw: {}", thrown(&e))))? {
            let len = field(value, "length", what)?.map(|l| integer(&l, &format!("{what}.length"))).transpose()?.unwrap_or(0);
            (SeriesKind::Array, len)
        } else {
            return Err(arg_error(format!(
                "{what} must be a Float64Array, a Float32Array or an Array of numbers, got {}",
                describe(value)
            )));
        };
        Ok(SeriesArg { value: value.clone(), kind, what, len })
    }

    /// Copies the series into `dst` (already `len` long; see [`Buffers`]).
    pub(crate) fn copy_into(&self, dst: &mut [f64]) -> Result<(), JsValue> {
        debug_assert_eq!(dst.len(), self.len);
        let what = self.what;
        match &self.kind {
            // `set` converts each float32 to the float64 of the same value (exact).
            SeriesKind::Typed { own: None } => copy_typed(dst, &self.value, what),
            // A view of this memory, detached by the call's allocations in the
            // single-threaded build: viewed afresh (typed.rs).
            SeriesKind::Typed { own: Some(span) } => copy_typed(dst, &span.view(what)?, what),
            SeriesKind::Array => {
                for (i, slot) in dst.iter_mut().enumerate() {
                    let v = Reflect::get_u32(&self.value, i as u32)
                        .map_err(|e| arg_error(format!("reading `{what}[{i}]` threw: {}", thrown(&e))))?;
                    *slot = v.as_f64().ok_or_else(|| {
                        arg_error(format!("{what}[{i}] must be a number, got {} (an Array must hold only numbers)", describe(&v)))
                    })?;
                }
                Ok(())
            }
        }
    }
}

/// `dst.copy_from(src)` through a view of wasm memory, with the throw caught.
fn copy_typed(dst: &mut [f64], src: &JsValue, what: &str) -> Result<(), JsValue> {
    // SAFETY: the view covers exactly `dst`, which stays borrowed (so neither
    // freed nor moved) while the view is used; nothing allocates between the
    // view's creation and its use, so the memory cannot grow (which would
    // detach the view of a non-shared memory).
    let view = unsafe { Float64Array::view_mut_raw(dst.as_mut_ptr(), dst.len()) };
    set_from(&view, src).map_err(|e| arg_error(format!("copying `{what}` into wasm memory threw: {}", thrown(&e))))
}

/// The `offsets` of a many-series call: a `Uint32Array`, a `Float64Array` or
/// an `Array` of non-negative integers (`INVALID_ARGUMENT` otherwise). Only
/// the types are checked here; the layout against the values (starts at 0,
/// never decreases, ends at `values.length`) is the crate's
/// `INVALID_SERIES_LAYOUT`.
pub(crate) fn offsets_arg(value: &JsValue, what: &str) -> Result<Vec<usize>, JsValue> {
    let array = is_array(value).map_err(|e| arg_error(format!("inspecting `{what}` threw: {}", thrown(&e))))?;
    let typed = value.is_instance_of::<Uint32Array>() || value.is_instance_of::<Float64Array>();
    if !array && !typed {
        return Err(arg_error(format!(
            "{what} must be a Uint32Array, a Float64Array or an Array of non-negative integers \
             (series count + 1 entries: series i is values[offsets[i] .. offsets[i + 1]]), got {}",
            describe(value)
        )));
    }
    let shape = if typed { Some(typed::inspect(value, what)?) } else { None };
    let len = match &shape {
        Some(t) => t.len,
        None => field(value, "length", what)?.map(|l| integer(&l, &format!("{what}.length"))).transpose()?.unwrap_or(0),
    };
    let too_many = || js_error(JsCode::InputTooLarge, &format!("{what}: {len} offsets do not fit in wasm memory (now {})", mib(memory_bytes())));
    let mut out = Vec::new();
    out.try_reserve_exact(len).map_err(|_| too_many())?;
    if let Some(t) = shape {
        // One copy through a float64 view (exact for both types), read from a
        // fresh view if the array views this memory (the reserve may have grown it).
        let mut staged = Vec::new();
        staged.try_reserve_exact(len).map_err(|_| too_many())?;
        staged.resize(len, 0.0);
        let src = match t.own {
            Some(span) => span.view(what)?,
            None => value.clone(),
        };
        copy_typed(&mut staged, &src, what)?;
        for (i, x) in staged.into_iter().enumerate() {
            out.push(integer(&JsValue::from_f64(x), &format!("{what}[{i}]"))?);
        }
        return Ok(out);
    }
    for i in 0..len {
        let v = Reflect::get_u32(value, i as u32).map_err(|e| arg_error(format!("reading `{what}[{i}]` threw: {}", thrown(&e))))?;
        out.push(integer(&v, &format!("{what}[{i}]"))?);
    }
    Ok(out)
}

/// A checked `Float64Array` output argument of exactly `expected` elements
/// (`OUTPUT_LENGTH_MISMATCH` otherwise; its real length, `typed.rs`), and where
/// it lies in this module's memory if it views that memory.
pub(crate) fn out_arg(value: &JsValue, what: &str, expected: usize) -> Result<(Float64Array, Option<typed::Span>), JsValue> {
    let Some(out) = value.dyn_ref::<Float64Array>() else {
        return Err(arg_error(format!(
            "{what} must be a Float64Array (no other typed array or Array: values would be truncated or rounded), got {}",
            describe(value)
        )));
    };
    let shape = typed::inspect(value, what)?;
    if shape.len != expected {
        return Err(core_error(AlmaError::OutputLengthMismatch { expected, got: shape.len }));
    }
    Ok((out.clone(), shape.own))
}

/// Copies `src` into the caller's `out`.
pub(crate) fn copy_out(src: &[f64], out: &JsValue, what: &str) -> Result<(), JsValue> {
    // SAFETY: as in `copy_typed`; the view is only read.
    let view = unsafe { Float64Array::view(src) };
    set_from(out.unchecked_ref(), &view).map_err(|e| arg_error(format!("writing the result into `{what}` threw: {}", thrown(&e))))
}

/// A new `Float64Array` holding `src`.
pub(crate) fn new_array(src: &[f64], call: &str) -> Result<Float64Array, JsValue> {
    let out = new_float64_array(src.len() as f64).map_err(|e| {
        js_error(
            JsCode::OutputTooLarge,
            &format!(
                "{call}: JavaScript could not allocate the result ({} values, {}): {}. Use smaller chunks, or the `...Into` form with a preallocated Float64Array",
                src.len(),
                mib(src.len() as u64 * 8),
                thrown(&e)
            ),
        )
    })?;
    copy_out(src, out.as_ref(), "the result")?;
    Ok(out)
}

/// `{ values?, rows, combos }`, the part every batch result shares; `combo`
/// turns one row's parameters into `[key, value]` pairs.
fn result_object<P>(
    values: Option<&Float64Array>,
    combos: &[P],
    rows: usize,
    combo: impl Fn(&P) -> Vec<(&'static str, f64)>,
) -> Result<Object, JsValue> {
    let list = Array::new_with_length(combos.len() as u32);
    // Each key made into a JavaScript string once per call, not once per
    // combination: decoding it from wasm memory each time was a measurable
    // share of a mid-size batch's serial time (96 combinations, ~0.1 ms).
    let mut keys: Vec<(&'static str, JsValue)> = Vec::new();
    for (i, c) in combos.iter().enumerate() {
        let o = Object::new();
        for (k, v) in combo(c) {
            let key = match keys.iter().find(|(s, _)| *s == k) {
                Some((_, key)) => key.clone(),
                None => {
                    let key = JsValue::from_str(k);
                    keys.push((k, key.clone()));
                    key
                }
            };
            Reflect::set(&o, &key, &JsValue::from_f64(v))?;
        }
        list.set(i as u32, o.into());
    }
    let out = Object::new();
    if let Some(values) = values {
        Reflect::set(&out, &JsValue::from_str("values"), values)?;
    }
    Reflect::set(&out, &JsValue::from_str("rows"), &JsValue::from_f64(rows as f64))?;
    Reflect::set(&out, &JsValue::from_str("combos"), &list)?;
    Ok(out)
}

/// `{ values?, rows, cols, combos }`: the result shape of every one-series
/// batch export.
pub(crate) fn batch_result<P>(
    values: Option<&Float64Array>,
    combos: &[P],
    rows: usize,
    cols: usize,
    combo: impl Fn(&P) -> Vec<(&'static str, f64)>,
) -> Result<JsValue, JsValue> {
    let out = result_object(values, combos, rows, combo)?;
    Reflect::set(&out, &JsValue::from_str("cols"), &JsValue::from_f64(cols as f64))?;
    Ok(out.into())
}

/// `{ values?, rows, series, offsets, combos }`: the result shape of every
/// many-series export. Series `s` has `offsets[s + 1] - offsets[s]` samples and
/// its `rows` rows start at `rows * offsets[s]` of `values`.
pub(crate) fn many_result<P>(
    values: Option<&Float64Array>,
    combos: &[P],
    rows: usize,
    offsets: &[usize],
    combo: impl Fn(&P) -> Vec<(&'static str, f64)>,
) -> Result<JsValue, JsValue> {
    let out = result_object(values, combos, rows, combo)?;
    let list = Array::new_with_length(offsets.len() as u32);
    for (i, &o) in offsets.iter().enumerate() {
        list.set(i as u32, JsValue::from_f64(o as f64));
    }
    Reflect::set(&out, &JsValue::from_str("series"), &JsValue::from_f64(offsets.len().saturating_sub(1) as f64))?;
    Reflect::set(&out, &JsValue::from_str("offsets"), &list)?;
    Ok(out.into())
}

/// The checked arguments of a many-series call: the flat series and its
/// offsets (types only; the crate checks the layout).
pub(crate) struct ManyArgs {
    /// The flat `values` buffer.
    pub series: SeriesArg,
    /// `offsets`, copied.
    pub offsets: Vec<usize>,
}

impl ManyArgs {
    /// Checks `values` (as any series) and `offsets` ([`offsets_arg`]).
    pub(crate) fn parse(values: &JsValue, offsets: &JsValue) -> Result<ManyArgs, JsValue> {
        Ok(ManyArgs { series: SeriesArg::parse(values, "values")?, offsets: offsets_arg(offsets, "offsets")? })
    }

    /// Working memory a many-series call needs on top of a one-series batch
    /// over all the samples: the offsets copy and each series' bookkeeping.
    pub(crate) fn extra_scratch(&self) -> u64 {
        self.offsets.len() as u64 * (2 * std::mem::size_of::<usize>() as u64 + 64)
    }

    /// Each series' length. For a layout the crate will refuse the values are
    /// irrelevant (it refuses before computing), so decreasing offsets give 0.
    pub(crate) fn lengths(&self) -> Vec<usize> {
        self.offsets.windows(2).map(|w| w[1].saturating_sub(w[0])).collect()
    }
}

// ---------------------------------------------------------------------------
// Memory

/// Everything one call allocates, in elements / bytes.
pub(crate) struct MemoryPlan {
    /// The export's name, for messages.
    pub call: &'static str,
    /// Samples of the input copy.
    pub input: usize,
    /// Elements of the wasm-side output.
    pub output: usize,
    /// Upper bound of the indicator's own working memory, in bytes.
    pub scratch: u64,
}

/// The input copy and the output of one call, freed when dropped (on every path).
pub(crate) struct Buffers {
    pub input: Vec<f64>,
    pub output: Vec<f64>,
}

/// Room for allocator bookkeeping and small allocations (rayon jobs, strings).
const SLACK: u64 = 256 << 10;

/// `bytes` in MiB with one decimal, for messages.
pub(crate) fn mib(bytes: u64) -> String {
    format!("{:.1} MiB", bytes as f64 / (1u64 << 20) as f64)
}

/// Bytes of the module's memory right now.
fn memory_bytes() -> u64 {
    core::arch::wasm32::memory_size(0) as u64 * 65_536
}

const MEMORY_LIMIT: &str = if cfg!(target_feature = "atomics") {
    "the threaded build's shared memory cannot grow past its maximum (1 GiB as this project builds it)"
} else {
    "a wasm32 memory cannot grow past 4 GiB, and engines may stop earlier"
};

/// Can the allocator hand out `bytes` right now (growing the memory if
/// needed)? The probe is freed at once; a failed `memory.grow` leaves the
/// memory as it was.
fn fits(bytes: u64) -> bool {
    let Ok(bytes) = usize::try_from(bytes) else { return false };
    let mut probe: Vec<u8> = Vec::new();
    probe.try_reserve_exact(bytes).is_ok()
}

/// `try_with_capacity` + zero fill, no abort on failure.
fn zeroed(len: usize) -> Option<Vec<f64>> {
    let mut v = Vec::new();
    v.try_reserve_exact(len).ok()?;
    v.resize(len, 0.0);
    Some(v)
}

impl MemoryPlan {
    /// `INPUT_TOO_LARGE` unless the input copy alone fits.
    pub(crate) fn check_input(&self) -> Result<(), JsValue> {
        let input = self.input as u64 * 8;
        if fits(input.saturating_add(SLACK)) {
            return Ok(());
        }
        Err(js_error(
            JsCode::InputTooLarge,
            &format!(
                "{}: the copy of the input ({} samples, {}) does not fit in wasm memory (now {}; {MEMORY_LIMIT}). \
                 Pass the series in chunks (consecutive chunks overlapping by period - 1 samples give the same values)",
                self.call,
                self.input,
                mib(input),
                mib(memory_bytes())
            ),
        ))
    }

    /// Reserves the input copy and the output, after checking that they and
    /// the working memory fit together; `INPUT_TOO_LARGE` / `OUTPUT_TOO_LARGE`
    /// naming the sizes otherwise.
    pub(crate) fn reserve(&self) -> Result<Buffers, JsValue> {
        let input = self.input as u64 * 8;
        let output = self.output as u64 * 8;
        let total = input.saturating_add(output).saturating_add(self.scratch).saturating_add(SLACK);
        if !fits(total) {
            self.check_input()?;
            return Err(js_error(
                JsCode::OutputTooLarge,
                &format!(
                    "{}: needs {} of wasm memory (input copy {} + output {} + working memory {}), more than it can hold \
                     (now {}; {MEMORY_LIMIT}). Use fewer parameter combinations or shorter chunks per call",
                    self.call,
                    mib(total),
                    mib(input),
                    mib(output),
                    mib(self.scratch),
                    mib(memory_bytes())
                ),
            ));
        }
        let too_large = || {
            js_error(
                JsCode::OutputTooLarge,
                &format!("{}: wasm memory is too fragmented to hold {} more; use smaller calls", self.call, mib(total)),
            )
        };
        let input = zeroed(self.input).ok_or_else(too_large)?;
        let output = zeroed(self.output).ok_or_else(too_large)?;
        Ok(Buffers { input, output })
    }
}

/// Bytes the crate's parameters list holds per row.
pub(crate) const PARAMS_BYTES: u64 = std::mem::size_of::<AlmaParams>() as u64;

/// Plans a batch of `rows` combinations over `n` samples with `scratch` bytes
/// of working memory into `dest`: `INPUT_TOO_LARGE` first, then, for
/// [`Dest::New`] (`almaBatch`/`emaBatch`, whose values also need a copy in the
/// JavaScript heap), the cap on its values, then everything together
/// ([`MemoryPlan`]; no wasm-side output for [`Dest::InPlace`]).
///
/// `kernel_scratch` is the kernels' own working memory (the FFT path's block
/// transforms and row buffers): counted against what wasm memory can hold, not
/// against the output limit, which bounds the values plus the parameters and
/// weights (`BatchOptions::max_output_bytes`).
pub(crate) fn plan_batch(call: &'static str, n: usize, rows: usize, scratch: u64, kernel_scratch: u64, dest: &Dest) -> Result<Buffers, JsValue> {
    let too_large = || core_error(AlmaError::OutputTooLarge { requested: u128::MAX, limit: usize::MAX });
    let cells = rows.checked_mul(n).ok_or_else(too_large)?;
    let output = if matches!(dest, Dest::InPlace(_)) { 0 } else { cells };
    let plan = MemoryPlan { call, input: n, output, scratch: scratch.saturating_add(kernel_scratch) };
    plan.check_input()?;
    if let Dest::New = dest {
        let limit = DEFAULT_MAX_OUTPUT_BYTES;
        let requested = cells as u64 * 8 + scratch;
        if requested > limit as u64 {
            return Err(js_error(
                JsCode::OutputTooLarge,
                &format!(
                    "{call}: {rows} combinations x {n} samples need {} (values {} + working memory {}), over its limit of {} \
                     (the values also need a copy in the JavaScript heap). Use fewer combinations or shorter chunks per call, \
                     or the ...Into form with a reused Float64Array",
                    mib(requested),
                    mib(cells as u64 * 8),
                    mib(scratch),
                    mib(limit as u64)
                ),
            ));
        }
    }
    plan.reserve()
}

/// Where a batch export's values go.
pub(crate) enum Dest {
    /// A new `Float64Array` in the result (the allocating form, capped at
    /// `DEFAULT_MAX_OUTPUT_BYTES`: its values need a second copy in the JS heap).
    New,
    /// The caller's `out`, checked by [`out_arg`] (the `...Into` form): the
    /// values are computed in wasm memory and copied into it (viewed afresh
    /// when it is a `subarray` of a `WasmFloat64Buffer`'s view, `typed.rs`).
    Into(Float64Array, Option<typed::Span>),
    /// The caller's `out` is the `view()` of a `WasmFloat64Buffer`: the values
    /// are computed straight into it, nothing is copied (`buffer.rs`).
    InPlace(buffer::Lent),
}

impl Dest {
    /// `New` without `out`; with it, `out` checked to hold exactly `expected`
    /// values, and lent in place when it views a `WasmFloat64Buffer`.
    pub(crate) fn parse(out: Option<&JsValue>, expected: usize) -> Result<Dest, JsValue> {
        let Some(out) = out else { return Ok(Dest::New) };
        let (out, own) = out_arg(out, "out", expected)?;
        Ok(match own.map(|span| buffer::lend(span, expected, "out")).transpose()?.flatten() {
            Some(lent) => Dest::InPlace(lent),
            None => Dest::Into(out, own),
        })
    }
}

/// What every batch export does once its arguments are parsed: plan and
/// reserve the memory ([`plan_batch`]: `rows * series.len` values, `scratch`
/// bytes of working memory), copy `series` in, let `compute` fill the output
/// from the input, then hand the values over as `dest` says. Returns the new
/// array (for [`Dest::New`]) and the combinations. Every buffer is freed (and
/// a lent `WasmFloat64Buffer` given back) on every path, errors included (the
/// input before the result array is made, to lower the peak).
pub(crate) fn run_batch<P>(
    call: &'static str,
    series: &SeriesArg,
    rows: usize,
    scratch: u64,
    kernel_scratch: u64,
    mut dest: Dest,
    compute: impl FnOnce(&[f64], &mut [f64]) -> Result<Vec<P>, AlmaError>,
) -> Result<(Option<Float64Array>, Vec<P>), JsValue> {
    let mut buf = plan_batch(call, series.len, rows, scratch, kernel_scratch, &dest)?;
    series.copy_into(&mut buf.input)?;
    match &mut dest {
        Dest::New => {
            let combos = compute(&buf.input, &mut buf.output).map_err(core_error)?;
            drop(std::mem::take(&mut buf.input));
            Ok((Some(new_array(&buf.output, call)?), combos))
        }
        Dest::Into(out, own) => {
            let combos = compute(&buf.input, &mut buf.output).map_err(core_error)?;
            let out: JsValue = match own {
                Some(span) => span.view("out")?,
                None => out.clone().into(),
            };
            copy_out(&buf.output, &out, "out")?;
            Ok((None, combos))
        }
        Dest::InPlace(lent) => {
            let combos = compute(&buf.input, &mut lent.values).map_err(core_error)?;
            Ok((None, combos))
        }
    }
}
