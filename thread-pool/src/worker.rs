//! The entry point a worker calls after it has instantiated the module
//! (`js/worker.js`): run the rayon threads handed to it through its handoff.

use crate::handoff::Handoff;
use wasm_bindgen::prelude::*;

/// Runs the rayon threads handed to this worker; returns when the worker
/// should exit: its start was cancelled, or its last pool ended and no other
/// pool claimed it within the keep-alive (`idle.rs`). Never returns while the
/// worker runs a thread of the global pool.
///
/// Called by rayon-web's worker bootstrap only; not part of the API.
#[doc(hidden)]
// skip_typescript: internal, kept out of users' .d.ts (typescript.rs).
#[wasm_bindgen(js_name = __rayonWebWorkerEntry, skip_typescript)]
pub fn worker_entry(handoff: u32) {
    // SAFETY: the bootstrap passes the address it received in its `start`
    // message, which `Handoff::share_with_worker` created for this worker
    // alone, and calls this entry point once.
    let handoff = unsafe { Handoff::claim(handoff) };
    crate::idle::run_threads(handoff);
}
