//! The start-up benchmark's client (Cargo.toml says why), built once on each
//! pool: the same exports as tests/consumer (same inner loop), so only the pool
//! crate differs.
//!
//! Notes on wasm-bindgen-rayon (feature `wbr`):
//! No workaround is needed for wasm-bindgen 0.2.130's `--target web` layout.
//! With `no-bundler`, wasm-bindgen-rayon's snippet
//! (`snippets/wasm-bindgen-rayon-<hash>/src/workerHelpers.no-bundler.js`)
//! never resolves the glue by a relative path: the builder's `mainJS()` reads
//! `import.meta.url` inside the main glue (startup_wbr.js) and posts that
//! absolute URL to each worker, which `import()`s it; the worker script itself
//! is the snippet re-fetched from its own `import.meta.url` as a blob:. So any
//! layout works as long as the page loads the glue by URL (no bundler). The
//! workers call the glue's init with the deprecated positional arguments
//! `(module, memory)`, so each logs one wasm-bindgen deprecation warning.
//!
//! wasm-bindgen-rayon turns on rayon's `web_spin_lock` feature: on a page's
//! main thread, where `Atomics.wait` is forbidden, a blocking parallel call
//! spins instead, so `sumParallel` can be called there (the main thread then
//! busy-waits while the two workers compute).

use rayon::prelude::*;
use wasm_bindgen::prelude::*;

#[cfg(all(feature = "wbr", not(feature = "rayon-web")))]
pub use wasm_bindgen_rayon::init_thread_pool;
#[cfg(all(feature = "rayon-web", not(feature = "wbr")))]
pub use rayon_web::init_thread_pool;
#[cfg(not(any(all(feature = "wbr", not(feature = "rayon-web")), all(feature = "rayon-web", not(feature = "wbr")))))]
compile_error!("build with exactly one of the features `wbr` and `rayon-web`");

// tests/consumer's job, the same file: both pools run the same code.
include!("../../../tests/consumer/src/sums.rs");
