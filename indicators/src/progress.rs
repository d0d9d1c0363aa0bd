//! Progress of long batches, readable while they run.
//!
//! One counter pair per module instance, `[done, total]` as two `u32` in
//! memory, in units of output blocks (a row, or a column block of a row).
//! Hosts (the `rayon-web-host` package in `js/`) read it two ways:
//!
//! - threaded wasm: the memory is shared, so the page reads the pair at the
//!   address `progressCounter()` returns while the worker running the batch
//!   is blocked in it;
//! - single-threaded wasm: the memory is not shared and the worker is busy, so
//!   the batch calls `globalThis.rayonWebProgress(done, total)` itself, at most
//!   about 100 times per batch; the host's worker forwards it to the page.
//!
//! Concurrent batches in one instance share the pair (hosts run one call at a time).

use std::sync::atomic::{AtomicU32, Ordering};

static COUNTER: [AtomicU32; 2] = [AtomicU32::new(0), AtomicU32::new(0)];

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

/// Address of `[done, total]` in the module's memory (see the module docs).
#[cfg(target_arch = "wasm32")]
// Exported to JavaScript only with the `js` feature (declared in wasm/indicators.d.ts).
#[cfg_attr(feature = "js", wasm_bindgen::prelude::wasm_bindgen(js_name = progressCounter, skip_typescript))]
pub fn progress_counter() -> u32 {
    COUNTER.as_ptr() as usize as u32
}

#[cfg(test)]
mod test {
    #[test]
    fn counts_to_total() {
        super::begin(250);
        for _ in 0..250 {
            super::advance(1);
        }
        assert_eq!(super::progress(), (250, 250));
    }
}
