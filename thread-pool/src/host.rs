//! What JS hosts (the `rayon-web-host` package in `js/`) need from a threaded
//! module besides its own exports.

use wasm_bindgen::prelude::*;

/// The module's shared `WebAssembly.Memory`. A host posts it to the page so the
/// page can read progress counters while the worker running the call is blocked.
// skip_typescript: for rayon-web-host's JS only, kept out of users' .d.ts.
#[wasm_bindgen(js_name = rayonWebMemory, skip_typescript)]
pub fn shared_memory() -> JsValue {
    wasm_bindgen::memory()
}

/// Address of the crash record in the shared memory (layout in `crash.rs`):
/// a host polls it to learn that a pool thread died under `panic = "abort"`.
#[wasm_bindgen(js_name = rayonWebCrashRecord, skip_typescript)]
pub fn crash_record() -> u32 {
    crate::crash::record_addr()
}
