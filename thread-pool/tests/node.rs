//! rayon-web under wasm-bindgen-test in **Node** — where `cargo test` of a
//! user's crate runs by default. wasm-bindgen-test's default Node mode loads
//! CommonJS glue, which `require`s rayon-web's JS snippets — ES modules — and
//! fails before any test runs ("require is not defined in ES module scope");
//! its ES-module mode, `run_in_node_experimental`, loads them (README
//! "Testing with wasm-bindgen-test"). Node's worker_threads are `unref()`ed,
//! so the runner's process ends when the tests do.
#![cfg(target_arch = "wasm32")]

mod common;

use rayon::prelude::*;
use rayon_web::PoolOptions;
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_node_experimental);

#[wasm_bindgen_test]
async fn the_global_pool_starts_in_node_and_both_threads_work() {
    common::global_pool_story().await;
}

#[wasm_bindgen_test]
async fn a_custom_pool_runs_beside_it() {
    let pool = PoolOptions::new(3).build().await.expect("custom pool starts");
    assert_eq!(pool.current_num_threads(), 3);
    let par: u64 = pool.install(|| (0..100_000u64).into_par_iter().sum());
    assert_eq!(par, (0..100_000u64).sum::<u64>());
}
