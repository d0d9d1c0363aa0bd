//! # rayon-web
//!
//! rayon's parallel iterators in WebAssembly: a pool of Web Workers (browsers)
//! or `worker_threads` (Node) that share one `WebAssembly.Memory` and run
//! rayon's threads. The maintained replacement for `wasm-bindgen-rayon`.
//!
//! ## The model
//!
//! - **One module, one memory, many instances.** The module is compiled once;
//!   each worker instantiates the same `WebAssembly.Module` against the same
//!   shared memory (built with the flags in the README, "Build flags"). Every
//!   instance has its own stack and thread-local storage inside that memory.
//! - **Who blocks where.** Workers block (`Atomics.wait`) inside rayon while
//!   idle. The thread that calls `init_thread_pool` never waits on a worker:
//!   it awaits a promise while the workers start, then hands each one its rayon
//!   thread through shared memory. A parallel call (`par_iter`, `join`) blocks
//!   its caller until the work is done — so make parallel calls from a Web
//!   Worker, not the page's main thread: there, browsers forbid `Atomics.wait`
//!   and rayon has to spin (no faster than one thread, and the page freezes).
//! - **Where workers come from.** `js/spawn.js` starts blob: module workers in
//!   browsers and `worker_threads` in Node; each runs `js/worker.js`, which
//!   imports the wasm-bindgen glue (`--target web`) by its URL, calls
//!   `initSync({ module, memory })` and enters Rust in `worker.rs`.
//!   One `wasm-bindgen --target web` build serves plain pages, bundlers and Node.
//! - **Workers outlive custom pools.** Dropping a custom pool ends its rayon
//!   threads; their workers wait idle (`PoolOptions::keep_alive_ms`) and the
//!   next pool the same thread builds runs on them (`idle.rs`). A wasm thread
//!   that exits leaks its thread-locals (std runs no TLS destructors on wasm),
//!   so reuse is what keeps memory flat — and a reused worker needs no start-up.
//!
//! ## Failures are errors, never hangs
//!
//! Every way start-up can fail rejects within the start-up deadline with an
//! [`Error`] whose [`ErrorCode`] is stable and whose message says what to do.
//!
//! ## Use
//!
//! ```ignore
//! // In your crate (wasm-bindgen, cdylib):
//! pub use rayon_web::init_thread_pool;
//! ```
//! ```js
//! import init, { initThreadPool, sum } from './pkg/my_crate.js';
//! await init();
//! await initThreadPool(navigator.hardwareConcurrency);
//! ```
#![deny(missing_docs)]

#[cfg(all(target_arch = "wasm32", not(target_feature = "atomics")))]
compile_error!(
    "rayon-web needs a threaded wasm build: add the rustflags from rayon-web's README \
     (\"Build flags\": -C target-feature=+atomics and the shared-memory link args) and \
     build with -Z build-std=std,panic_abort on nightly"
);

mod crash;
pub mod error;
mod global;
pub mod options;
mod pool;

pub use error::{Error, ErrorCode};
pub use options::{PoolOptions, DEFAULT_KEEP_ALIVE_MS, MAX_THREADS};
pub use crash::{check_pool, crash_message};
pub use pool::{idle_workers, live_workers, release_idle_workers};

#[cfg(target_arch = "wasm32")]
mod handoff;
#[cfg(target_arch = "wasm32")]
mod idle;
#[cfg(target_arch = "wasm32")]
pub mod host;
#[cfg(target_arch = "wasm32")]
mod spawn;
#[cfg(target_arch = "wasm32")]
mod worker;
pub use global::{init_thread_pool, start_global};
