//! Typed-array arguments as they really are.
//!
//! A typed array can claim two things that are not so:
//!
//! - **Its shape.** `length`, `byteOffset` and `buffer` are getters on
//!   `%TypedArray%.prototype`; an own property or a subclass's getter shadows
//!   them. Read through the property, a `Float64Array` of 200 samples that
//!   claimed 1000 was padded with 800 zeros and answered without a word. Here
//!   they are read with the prototype's own getters ([`inspect`]), which a
//!   `Proxy` or an object that only inherits from a typed array's prototype
//!   fails: `INVALID_ARGUMENT`.
//! - **Its memory, when it views this module's own.** In the single-threaded
//!   build the memory is not shared, so every `memory.grow` detaches every view
//!   of it — also a `WasmFloat64Buffer`'s `view()` (or a `subarray` of it)
//!   passed as `prices` or `out`, detached by the call's own allocations before
//!   the call reads or writes it. Such an argument is kept as its place in the
//!   memory ([`Span`]) and viewed afresh where it is used. It must lie inside a
//!   live `WasmFloat64Buffer` when the call starts and when it is used (a
//!   progress hook may free the buffer meanwhile); any other view of this
//!   memory would read or overwrite the module's own data: `INVALID_ARGUMENT`.
//!   (In the threaded build the memory is shared and views stay valid, but the
//!   same rules apply, so both builds answer alike.)

use super::{arg_error, buffer, thrown};
use js_sys::{Float32Array, Float64Array, Function, Object, Reflect, Uint32Array, WebAssembly};
use wasm_bindgen::prelude::*;
use wasm_bindgen::JsCast;

thread_local! {
    /// `%TypedArray%.prototype`'s getters of `length`, `byteOffset`, `buffer`
    /// (one set per JS thread: JS values do not cross threads).
    static GETTERS: Option<[Function; 3]> = getters();
}

fn getters() -> Option<[Function; 3]> {
    let proto = Object::get_prototype_of(&Object::get_prototype_of(&Float64Array::new_with_length(0)));
    let get = |key: &str| -> Option<Function> {
        let desc = Object::get_own_property_descriptor(&proto, &JsValue::from_str(key));
        Reflect::get(&desc, &JsValue::from_str("get")).ok()?.dyn_into().ok()
    };
    Some([get("length")?, get("byteOffset")?, get("buffer")?])
}

/// A typed array's real shape.
pub(crate) struct Typed {
    /// Elements.
    pub len: usize,
    /// Where it starts in this module's memory, if it views that memory.
    pub own: Option<Span>,
}

/// A region of this module's memory a typed argument views: `len` elements
/// of `T` from byte `offset`.
#[derive(Clone, Copy)]
pub(crate) struct Span {
    offset: usize,
    len: usize,
    kind: Kind,
}

#[derive(Clone, Copy)]
enum Kind {
    F64,
    F32,
    U32,
}

/// The shape of `v`, a typed array (`what` names it in messages).
pub(crate) fn inspect(v: &JsValue, what: &str) -> Result<Typed, JsValue> {
    let fail = |e: JsValue| {
        arg_error(format!(
            "`{what}` is not a typed array the engine can read ({}): pass the typed array itself, not a Proxy of one or an object that inherits from one",
            thrown(&e)
        ))
    };
    let [len, offset, buffer] = GETTERS.with(|g| -> Result<[JsValue; 3], JsValue> {
        let Some([l, o, b]) = g else {
            return Err(arg_error(format!("`{what}` cannot be read: this page replaced %TypedArray%.prototype's built-in getters")));
        };
        Ok([l.call0(v).map_err(fail)?, o.call0(v).map_err(fail)?, b.call0(v).map_err(fail)?])
    })?;
    let number = |x: &JsValue| x.as_f64().filter(|n| *n >= 0.0 && n.fract() == 0.0).map(|n| n as usize);
    let (Some(len), Some(offset)) = (number(&len), number(&offset)) else {
        return Err(arg_error(format!("`{what}` reports no valid length or byteOffset")));
    };
    let memory: WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    let own = Object::is(&buffer, &memory.buffer()).then(|| {
        let kind = if v.is_instance_of::<Float32Array>() {
            Kind::F32
        } else if v.is_instance_of::<Uint32Array>() {
            Kind::U32
        } else {
            Kind::F64
        };
        Span { offset, len, kind }
    });
    if let Some(span) = own {
        span.check_live(what)?;
    }
    Ok(Typed { len, own })
}

impl Span {
    /// `INVALID_ARGUMENT` unless the span lies inside a live `WasmFloat64Buffer`.
    pub(crate) fn check_live(&self, what: &str) -> Result<(), JsValue> {
        let size = match self.kind {
            Kind::F64 => 8,
            Kind::F32 | Kind::U32 => 4,
        };
        if buffer::holds(self.offset, self.len * size) {
            return Ok(());
        }
        Err(arg_error(format!(
            "`{what}` views this module's own wasm memory outside any live WasmFloat64Buffer (a freed buffer's view, \
             or a view made by hand): reading or writing there would touch the module's own data. Pass a live \
             WasmFloat64Buffer's view() (or a subarray of it) or a typed array of your own"
        )))
    }

    /// Where the span starts in the memory, in bytes.
    pub(crate) fn offset(&self) -> usize {
        self.offset
    }

    /// A new view of the span over the memory's current buffer (a
    /// `Float64Array`, `Float32Array` or `Uint32Array` as the argument was),
    /// after checking it still lies inside a live buffer.
    pub(crate) fn view(&self, what: &str) -> Result<JsValue, JsValue> {
        self.check_live(what)?;
        let memory: WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
        let (buffer, offset, len) = (memory.buffer(), self.offset as u32, self.len as u32);
        Ok(match self.kind {
            Kind::F64 => Float64Array::new_with_byte_offset_and_length(&buffer, offset, len).into(),
            Kind::F32 => Float32Array::new_with_byte_offset_and_length(&buffer, offset, len).into(),
            Kind::U32 => Uint32Array::new_with_byte_offset_and_length(&buffer, offset, len).into(),
        })
    }
}
