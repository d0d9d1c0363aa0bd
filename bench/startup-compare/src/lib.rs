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

fn work(i: u64) -> u64 {
    // A little arithmetic per element so the job is compute-bound, not memory-bound.
    let mut x = i.wrapping_mul(0x9E37_79B9_7F4A_7C15);
    for _ in 0..64 {
        x ^= x >> 29;
        x = x.wrapping_mul(0xBF58_476D_1CE4_E5B9);
    }
    x & 0xFFFF
}

/// `work(i)` summed over `lo..hi`: the one inner loop both sums below share.
#[inline(never)]
fn sum_range(lo: u64, hi: u64) -> u64 {
    (lo..hi).map(work).sum()
}

const CHUNK: u64 = 1 << 14;

/// Sum of `work(i)` for i in 0..n, in parallel. Returned as f64 (exact below 2^53).
#[wasm_bindgen(js_name = sumParallel)]
pub fn sum_parallel(n: u32) -> f64 {
    let n = n as u64;
    (0..n.div_ceil(CHUNK)).into_par_iter().map(|c| sum_range(c * CHUNK, ((c + 1) * CHUNK).min(n))).sum::<u64>() as f64
}

/// The same sum on the calling thread only, through the same inner loop.
#[wasm_bindgen(js_name = sumSequential)]
pub fn sum_sequential(n: u32) -> f64 {
    let n = n as u64;
    (0..n.div_ceil(CHUNK)).map(|c| sum_range(c * CHUNK, ((c + 1) * CHUNK).min(n))).sum::<u64>() as f64
}
