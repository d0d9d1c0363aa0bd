//! `WasmFloat64Buffer`: an output that lives in wasm memory, so a batch writes
//! its values where the caller reads them and nothing is copied out.
//!
//! ## Why
//!
//! An `...Into` batch computes into wasm memory and then copies the values into
//! the caller's `Float64Array`: one serial copy on the calling thread (200 MB for
//! 250 periods × 100k samples) while the pool halves only the computation. From
//! the threaded build's shared memory that copy is also ~1.8× slower than from a
//! non-shared one (BENCHMARKS.md, "copying the output out of shared memory"), so
//! it is what caps the pool's speed-up. A caller that can read the values in
//! place — through a `Float64Array` view of wasm memory — skips it.
//!
//! ## The protocol
//!
//! A buffer is a `Vec<f64>` owned by [`REGISTRY`], keyed by the address of its
//! first element, which never changes while the buffer lives (the `Vec` is never
//! resized). `view()` returns a `Float64Array` over exactly that region of the
//! module's memory. A batch export whose `out` is such a view — its `buffer` is
//! the memory's buffer *now*, it starts at a registered address and has exactly
//! that buffer's length — borrows the `Vec` from the registry for the call
//! ([`lend`]), computes into it in place and gives it back on every path
//! ([`Lent`]'s `Drop`). A `Float64Array` of the caller's own takes the copying
//! path, which gives the same values, and so does a `subarray` of a live
//! buffer's view (written through a fresh view at the end: the call's own
//! allocations may have grown the memory, `typed.rs`); any other view of the
//! memory's current buffer (a freed buffer's, one made by hand) is refused,
//! since writing there would overwrite the module's own data ([`holds`] is the
//! check, for inputs too). A view made before an earlier growth cannot be told
//! apart from the caller's own array (its `buffer` is no longer the memory's:
//! detached in the single-threaded build, an older `SharedArrayBuffer` object
//! in the threaded one), so it is copied into — correct while its buffer lives,
//! which is why a view must not be used after `free()`.
//!
//! Lifetimes: `free()` removes the registry entry (dropping the `Vec`); a buffer
//! freed while another JS thread's call has it lent is dropped when that call
//! gives it back. Two calls cannot lend the same buffer at once: the second gets
//! `INVALID_ARGUMENT`.
//!
//! The registry's lock is taken with `try_lock` in a spin loop: the browser's
//! main thread may not block (`Atomics.wait` throws there, and a contended std
//! `Mutex` waits with it), and every critical section is one map operation.

use super::typed::Span;
use super::{arg_error, fits, js_error, memory_bytes, mib, number, zeroed, JsCode, MEMORY_LIMIT};
use js_sys::Float64Array;
use std::collections::BTreeMap;
use std::sync::{Mutex, MutexGuard, TryLockError};
use wasm_bindgen::prelude::*;

/// `Number.MAX_SAFE_INTEGER`: above it a length is not exactly an integer.
const MAX_SAFE_INTEGER: f64 = 9_007_199_254_740_991.0;

/// One live buffer: its values, or `None` while a call has them lent.
struct Slot {
    len: usize,
    values: Option<Vec<f64>>,
}

/// Every live buffer of this instance (all threads), by address.
static REGISTRY: Mutex<BTreeMap<usize, Slot>> = Mutex::new(BTreeMap::new());

/// The registry, locked without blocking the thread (see the module docs).
fn registry() -> MutexGuard<'static, BTreeMap<usize, Slot>> {
    loop {
        match REGISTRY.try_lock() {
            Ok(guard) => return guard,
            // Nothing in a critical section can panic half-way through a map
            // operation that leaves it inconsistent, so a poisoned lock is usable.
            Err(TryLockError::Poisoned(p)) => return p.into_inner(),
            Err(TryLockError::WouldBlock) => core::hint::spin_loop(),
        }
    }
}

/// `new WasmFloat64Buffer(length)`: `length` float64 values (zeros) in wasm
/// memory. `view()` reads them; passing that view as an `...Into` export's
/// `out` makes the batch write straight into it. Free it with `free()`.
#[wasm_bindgen(js_name = WasmFloat64Buffer, skip_typescript)]
pub struct WasmFloat64Buffer {
    addr: usize,
    len: usize,
}

#[wasm_bindgen(js_class = WasmFloat64Buffer)]
impl WasmFloat64Buffer {
    /// `length` values, zeroed: `INVALID_ARGUMENT` unless `length` is a
    /// positive integer, `OUTPUT_TOO_LARGE` when wasm memory cannot hold them.
    #[wasm_bindgen(constructor)]
    pub fn new(length: JsValue) -> Result<WasmFloat64Buffer, JsValue> {
        let x = number(&length, "length")?;
        // Zero is refused too: a zero-length Vec has no address of its own to key it by.
        if !(x.is_finite() && x >= 1.0 && x.fract() == 0.0 && x <= MAX_SAFE_INTEGER) {
            return Err(arg_error(format!("length must be a positive integer, got {x}")));
        }
        let too_large = || {
            let bytes = x * 8.0;
            js_error(
                JsCode::OutputTooLarge,
                &format!(
                    "WasmFloat64Buffer: {x} values ({:.1} MiB) do not fit in wasm memory (now {}; {MEMORY_LIMIT}). \
                     Use a smaller buffer, or free buffers you no longer need",
                    bytes / (1u64 << 20) as f64,
                    mib(memory_bytes())
                ),
            )
        };
        let len = usize::try_from(x as u64).map_err(|_| too_large())?;
        if !fits(len as u64 * 8) {
            return Err(too_large());
        }
        let values = zeroed(len).ok_or_else(too_large)?;
        let addr = values.as_ptr() as usize;
        registry().insert(addr, Slot { len, values: Some(values) });
        Ok(WasmFloat64Buffer { addr, len })
    }

    /// How many float64 values the buffer holds.
    #[wasm_bindgen(getter)]
    pub fn length(&self) -> f64 {
        self.len as f64
    }

    /// A `Float64Array` over the buffer's values in wasm memory (no copy). It
    /// stays valid until the memory grows — any call may grow it — so take a
    /// new view after each call rather than keeping one.
    pub fn view(&self) -> Float64Array {
        // SAFETY: `addr .. addr + 8 * len` is the registry's `Vec` for this
        // buffer: allocated, initialised (zeroed at creation, then only ever
        // written with whole f64s) and neither moved nor freed while `self`
        // lives (only `Drop` below removes it). The view only lets JavaScript
        // read and write f64s there; Rust writes the region only inside a call
        // that lent it, on that call's threads.
        unsafe { Float64Array::view(std::slice::from_raw_parts(self.addr as *const f64, self.len)) }
    }
}

impl Drop for WasmFloat64Buffer {
    fn drop(&mut self) {
        // Drops the values, unless a call has them lent: `Lent` drops them then.
        let slot = registry().remove(&self.addr);
        drop(slot);
    }
}

/// A registered buffer's values, borrowed by one call; given back when dropped.
pub(crate) struct Lent {
    addr: usize,
    /// The values to compute into.
    pub values: Vec<f64>,
}

impl Drop for Lent {
    fn drop(&mut self) {
        let values = std::mem::take(&mut self.values);
        let mut live = registry();
        match live.get_mut(&self.addr) {
            Some(slot) => slot.values = Some(values),
            // Freed while lent: the values go now (outside the lock).
            None => {
                drop(live);
                drop(values);
            }
        }
    }
}

/// The registered buffer `out` views (see the module docs), lent for one call;
/// `None` when the values must be copied into `out`: a `subarray` of a live
/// buffer's view. `span` is where `out` lies in this module's memory (its real
/// `buffer` and `byteOffset`, `typed.rs`, which has refused views outside every
/// live buffer); `len` is `out`'s length, already checked by the caller
/// ([`super::out_arg`]); `what` names the argument.
pub(crate) fn lend(span: Span, len: usize, what: &str) -> Result<Option<Lent>, JsValue> {
    let addr = span.offset();
    let mut live = registry();
    let Some((&start, slot)) = live.range_mut(..=addr).next_back() else {
        return Err(foreign(what));
    };
    if start == addr && slot.len == len {
        return match slot.values.take() {
            Some(values) => Ok(Some(Lent { addr, values })),
            None => Err(arg_error(format!(
                "{what} is the view of a WasmFloat64Buffer that another call is writing (on another thread, or a \
                 call made from inside this one: a progress hook or a getter); wait for that call or use another buffer"
            ))),
        };
    }
    let inside = (addr - start) % 8 == 0 && (addr - start) / 8 + len <= slot.len;
    if inside && slot.values.is_some() {
        Ok(None)
    } else {
        Err(foreign(what))
    }
}

/// Whether the `bytes` bytes from `addr` lie inside one registered buffer
/// (lent or not): what a view of this module's memory must do to be used.
pub(crate) fn holds(addr: usize, bytes: usize) -> bool {
    let live = registry();
    match live.range(..=addr).next_back() {
        Some((&start, slot)) => addr - start + bytes <= slot.len * 8,
        None => bytes == 0,
    }
}

/// `INVALID_ARGUMENT` for a view of this module's memory that no live buffer holds.
fn foreign(what: &str) -> JsValue {
    arg_error(format!(
        "{what} views this module's own wasm memory outside any live WasmFloat64Buffer (a freed buffer's view, or a view made \
         by hand): writing there would overwrite the module's data. Pass a WasmFloat64Buffer's view() or a Float64Array of your own"
    ))
}
