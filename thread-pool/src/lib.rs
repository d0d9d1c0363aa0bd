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
//! ## Single-threaded builds
//!
//! The same crate also builds without `+atomics` (no shared memory, any
//! toolchain, stable included): the single-threaded build that
//! `rayon-web-host` falls back to where threads cannot run. There rayon runs
//! every parallel iterator on the calling thread, and `initThreadPool` (or
//! [`PoolOptions::build`]) rejects with `MEMORY_NOT_SHARED`, saying that this is
//! a single-threaded build — so one `Cargo.toml` serves both builds.
//!
//! ## Failures are errors, never hangs
//!
//! Every way start-up can fail rejects within the start-up deadline with an
//! [`Error`] whose [`ErrorCode`] is stable and whose message says what to do.
//!
//! ## Use
//!
//! ```
//! // In your crate (wasm-bindgen, cdylib): exports `initThreadPool` to JS.
//! // Natively the same line re-exports a native `init_thread_pool` (rayon's
//! // OS threads), so the crate's host-side `cargo test` builds and runs too.
//! pub use rayon_web::init_thread_pool;
//!
//! use rayon::prelude::*;
//! use wasm_bindgen::prelude::*;
//!
//! #[wasm_bindgen]
//! pub fn sum(numbers: &[i32]) -> i32 {
//!     numbers.par_iter().sum()
//! }
//! # #[cfg(not(target_arch = "wasm32"))]
//! # { assert_eq!(init_thread_pool(2), Ok(2)); assert_eq!(sum(&[1, 2, 3]), 6); }
//! ```
//!
//! `rayon::join`, `rayon::scope` and `rayon::spawn` run on the pool like
//! parallel iterators do (tested: their tasks spread over every pool thread).
//!
//! ```js
//! import init, { initThreadPool, sum } from './pkg/my_crate.js';
//! await init();
//! await initThreadPool(navigator.hardwareConcurrency);
//! ```
#![deny(missing_docs)]
// docs.rs: wasm-only items appear in native docs too, marked "wasm32 + atomics only".
#![cfg_attr(docsrs, feature(doc_cfg))]

// A wasm32 build without `+atomics` is a single-threaded build and compiles (see
// "Single-threaded builds" above); one whose rustflags ask for `+atomics` while the
// compiler ignored them (a stable rustc without RUSTC_BOOTSTRAP=1) is a mistake that
// would otherwise surface as a single-threaded module or a linker error naming std
// (build.rs detects it).
#[cfg(all(rayon_web_atomics_ignored, not(doc), not(docsrs)))]
compile_error!(
    "rayon-web: the rustflags ask for -C target-feature=+atomics, but this compiler ignored it \
     (cfg(target_feature = \"atomics\") is not set): a stable rustc without RUSTC_BOOTSTRAP=1 \
     ignores unstable target features such as atomics. Build the threaded module with a nightly (rayon-web's README, \"Toolchain\"), \
     or with a stable release, RUSTC_BOOTSTRAP=1 and -Z build-std=std,panic_abort (README, \
     \"Stable Rust\"). For a single-threaded build, leave +atomics and the shared-memory link \
     args out of the rustflags (README, \"The single-threaded build\")."
);

mod crash;
pub mod error;
mod global;
mod typescript;
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
#[cfg(any(docsrs, target_arch = "wasm32"))]
#[cfg_attr(docsrs, doc(cfg(all(target_arch = "wasm32", target_feature = "atomics"))))]
pub mod host;
#[cfg(target_arch = "wasm32")]
mod spawn;
#[cfg(target_arch = "wasm32")]
mod worker;
pub use global::{init_thread_pool, start_global};
