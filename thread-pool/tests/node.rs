//! rayon-web under wasm-bindgen-test in **Node** — where `cargo test` of a
//! user's crate runs by default. wasm-bindgen-test's default Node mode loads
//! CommonJS glue, which `require`s rayon-web's JS snippets — ES modules — and
//! fails before any test runs ("require is not defined in ES module scope");
//! its ES-module mode, `run_in_node_experimental`, loads them (README
//! "Testing with wasm-bindgen-test"). Node's worker_threads are `unref()`ed,
//! so the runner's process ends when the tests do.
#![cfg(target_arch = "wasm32")]

use rayon::prelude::*;
use rayon_web::{ErrorCode, PoolOptions};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_node_experimental);

#[wasm_bindgen_test]
async fn the_global_pool_starts_in_node_and_both_threads_work() {
    let n = rayon_web::start_global(PoolOptions::new(2)).await.expect("pool starts");
    assert_eq!(n, 2);
    assert_eq!(rayon::current_num_threads(), 2);
    let par: u64 = (0..1_000_000u64).into_par_iter().map(|x| x * x % 7).sum();
    let seq: u64 = (0..1_000_000u64).map(|x| x * x % 7).sum();
    assert_eq!(par, seq);
    // Both threads took part: each task waits (bounded) until both have recorded one.
    let seen = std::sync::atomic::AtomicUsize::new(0);
    let deadline = js_sys::Date::now() + 10_000.0;
    (0..64).into_par_iter().for_each(|_| {
        seen.fetch_or(1 << rayon::current_thread_index().unwrap(), std::sync::atomic::Ordering::SeqCst);
        while seen.load(std::sync::atomic::Ordering::SeqCst) != 0b11 && js_sys::Date::now() < deadline {
            std::hint::spin_loop();
        }
    });
    assert_eq!(seen.load(std::sync::atomic::Ordering::SeqCst), 0b11);
    let again = rayon_web::start_global(PoolOptions::new(2)).await.unwrap_err();
    assert_eq!(again.code(), ErrorCode::AlreadyInitialized);
}

#[wasm_bindgen_test]
async fn a_custom_pool_runs_beside_it() {
    let pool = PoolOptions::new(3).build().await.expect("custom pool starts");
    assert_eq!(pool.current_num_threads(), 3);
    let par: u64 = pool.install(|| (0..100_000u64).into_par_iter().sum());
    assert_eq!(par, (0..100_000u64).sum::<u64>());
}
