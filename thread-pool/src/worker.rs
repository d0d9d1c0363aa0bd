//! The entry point a worker calls after it has instantiated the module
//! (`js/worker.js`): receive a rayon thread through the handoff and run it.

use crate::handoff::Handoff;
use wasm_bindgen::prelude::*;

/// Runs the rayon thread handed to this worker; returns when its pool ends
/// (custom pools) or the start was cancelled. Never returns for the global pool.
///
/// Called by rayon-web's worker bootstrap only; not part of the API.
#[doc(hidden)]
#[wasm_bindgen(js_name = __rayonWebWorkerEntry)]
pub fn worker_entry(handoff: u32) {
    // SAFETY: the bootstrap passes the address it received in its `start`
    // message, which `Handoff::share_with_worker` created for this worker
    // alone, and calls this entry point once.
    let handoff = unsafe { Handoff::claim(handoff) };
    if let Some(thread) = handoff.take() {
        drop(handoff);
        thread.run();
    }
}
