//! Progress of long batches, readable while they run, and a way to stop them.
//!
//! One record per module instance (per process natively): four `u32` in
//! memory,
//!
//! | word | what | written by |
//! |---|---|---|
//! | 0 | `done`: units of the current or last batch done (a row, or a column block of a row) | the batch |
//! | 1 | `total`: units of that batch | the batch |
//! | 2 | `call`: the id of the call running now, 0 between calls | a host (natively: [`begin_call`], per thread) |
//! | 3 | `cancel`: the id of a call asked to stop | whoever wants it stopped ([`cancel`]) |
//!
//! A batch belongs to the call marked on the thread that starts it
//! ([`begin_call`]), or else to the one in the `call` word; it stops early —
//! its remaining rows, column blocks, FFT row tasks and chunks are skipped, and
//! it returns [`Error::Cancelled`](crate::Error::Cancelled) — once `cancel`
//! holds that call's (nonzero) id. Ids make a request for a call that already
//! ended harmless: it never equals a later call's id. Batches of other calls
//! (other threads natively) are not affected. Hosts (the
//! `rayon-web-host` package in `js/`) use the record two ways:
//!
//! - threaded wasm: the memory is shared, so the page reads `done`/`total` at
//!   the address `progressCounter()` returns while the worker running the batch
//!   is blocked in it, and writes `cancel` there when the caller aborts; the
//!   worker writes `call` around each call;
//! - single-threaded wasm: the memory is not shared and the worker is busy, so
//!   the batch calls `globalThis.rayonWebProgress(done, total)` itself, at most
//!   about 100 times per batch; the host's worker forwards it to the page. Such
//!   a call cannot be stopped from outside (the host drops its result instead).
//!
//! Concurrent batches in one instance share the record (hosts run one call at a time).

use std::sync::atomic::{AtomicU32, Ordering};

static COUNTER: [AtomicU32; 4] = [AtomicU32::new(0), AtomicU32::new(0), AtomicU32::new(0), AtomicU32::new(0)];
const CALL: usize = 2;
const CANCEL: usize = 3;

thread_local! {
    /// The call [`begin_call`] marked on this thread (0: none).
    static THREAD_CALL: std::cell::Cell<u32> = const { std::cell::Cell::new(0) };
}

/// Marks the batches this thread starts from now on as call `id` (nonzero),
/// until [`end_call`]: [`cancel`]`(id)`, from any thread, stops them. Batches
/// started on other threads are not part of the call.
pub fn begin_call(id: u32) {
    THREAD_CALL.with(|c| c.set(id));
}

/// Ends the call [`begin_call`] started on this thread: its later batches run to the end.
pub fn end_call() {
    THREAD_CALL.with(|c| c.set(0));
}

/// Asks call `id` to stop (from any thread): its batches skip what they have
/// not started and return [`Error::Cancelled`](crate::Error::Cancelled). A
/// call that has ended, or has not begun, is not affected — unless one begins
/// later with the same id, which then stops at once.
pub fn cancel(id: u32) {
    COUNTER[CANCEL].store(id, Ordering::Release);
}

/// The call a batch belongs to, taken on the thread that starts the batch and
/// carried to every task of it (pool threads have no call of their own).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) struct Call(u32);

impl Call {
    /// No call: never cancelled.
    #[cfg_attr(not(test), allow(dead_code))]
    pub(crate) const NONE: Call = Call(0);

    /// The call of a batch starting on this thread: the one [`begin_call`]
    /// marked here, else the one a host wrote into the record's `call` word
    /// (wasm: rayon-web-host's worker, around each call), else none.
    pub(crate) fn current() -> Call {
        let own = THREAD_CALL.with(|c| c.get());
        Call(if own != 0 { own } else { COUNTER[CALL].load(Ordering::Acquire) })
    }

    /// Whether this call was asked to stop.
    pub(crate) fn cancelled(self) -> bool {
        self.0 != 0 && COUNTER[CANCEL].load(Ordering::Acquire) == self.0
    }
}

/// Starts a batch of `total` units.
pub(crate) fn begin(total: usize) {
    let total = total.min(u32::MAX as usize) as u32;
    COUNTER[1].store(total, Ordering::Relaxed);
    COUNTER[0].store(0, Ordering::Release);
    report(0, total);
}

/// Marks `n` more units done.
pub(crate) fn advance(n: usize) {
    let n = n.min(u32::MAX as usize) as u32;
    let done = COUNTER[0].fetch_add(n, Ordering::AcqRel).saturating_add(n);
    let total = COUNTER[1].load(Ordering::Relaxed);
    // Report on each whole percent crossed (and at the end), not on every unit.
    let percent = |d: u32| (d as u64 * 100) / total.max(1) as u64;
    if percent(done) != percent(done - n) || done == total {
        report(done, total);
    }
}

/// `[done, total]` of the current or last batch.
pub fn progress() -> (u32, u32) {
    (COUNTER[0].load(Ordering::Acquire), COUNTER[1].load(Ordering::Relaxed))
}

#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
fn report(done: u32, total: u32) {
    use wasm_bindgen::{JsCast, JsValue};
    let hook = js_sys::Reflect::get(&js_sys::global(), &JsValue::from_str("rayonWebProgress")).unwrap_or(JsValue::UNDEFINED);
    if let Some(f) = hook.dyn_ref::<js_sys::Function>() {
        // A throwing hook must not abort the batch.
        let _ = f.call2(&JsValue::UNDEFINED, &JsValue::from(done), &JsValue::from(total));
    }
}

#[cfg(not(all(target_arch = "wasm32", not(target_feature = "atomics"))))]
fn report(_done: u32, _total: u32) {
    // Threaded wasm and native: readers poll `COUNTER` (see module docs).
}

/// Address of the record `[done, total, call, cancel]` in the module's memory
/// (see the module docs).
#[cfg(target_arch = "wasm32")]
// Exported to JavaScript only with the `js` feature (declared in wasm/indicators.d.ts).
#[cfg_attr(feature = "js", wasm_bindgen::prelude::wasm_bindgen(js_name = progressCounter, skip_typescript))]
pub fn progress_counter() -> u32 {
    COUNTER.as_ptr() as usize as u32
}

/// Address of the record's `[call, cancel]` words (see the module docs): a
/// host that finds this export may stop a call by writing its id to `cancel`.
#[cfg(target_arch = "wasm32")]
// Exported to JavaScript only with the `js` feature (declared in wasm/indicators.d.ts).
#[cfg_attr(feature = "js", wasm_bindgen::prelude::wasm_bindgen(js_name = rayonWebCallRecord, skip_typescript))]
pub fn call_record() -> u32 {
    COUNTER[CALL..].as_ptr() as usize as u32
}

#[cfg(test)]
mod test {
    #[test]
    fn counts_to_total() {
        // (The cancel words are not touched here: other tests' batches run
        // concurrently in this process; tests/cancel.rs has them to itself.)
        super::begin(250);
        for _ in 0..250 {
            super::advance(1);
        }
        assert_eq!(super::progress(), (250, 250));
    }
}
