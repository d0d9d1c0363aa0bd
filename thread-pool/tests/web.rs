//! rayon-web under wasm-bindgen-test, in headless Chromium, from a dedicated
//! worker (where parallel calls belong). Users of the old crate saw hangs here
//! (wasm-bindgen-rayon #6, #26).
//!
//! All tests share one module instance and so one global pool: the test that
//! installs it runs the whole global-pool story in order.
#![cfg(target_arch = "wasm32")]

mod common;

use rayon::prelude::*;
use rayon_web::{ErrorCode, PoolOptions};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

#[wasm_bindgen_test]
async fn global_pool_starts_runs_in_parallel_and_refuses_a_second_start() {
    common::global_pool_story().await;
}

#[wasm_bindgen_test]
async fn invalid_thread_counts_are_rejected_before_anything_starts() {
    for (n, phrase) in [(0, "at least 1"), (65537, "more than any machine's core count")] {
        let err = rayon_web::start_global(PoolOptions::new(n)).await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidArgument);
        assert!(err.message().contains(phrase), "{err}");
    }
}

#[wasm_bindgen::prelude::wasm_bindgen]
extern "C" {
    #[wasm_bindgen(js_name = setTimeout)]
    fn set_timeout(callback: &js_sys::Function, ms: i32);
}

/// Waits (bounded, 3 s) until `done()` holds; returns whether it did.
async fn eventually(done: impl Fn() -> bool) -> bool {
    for _ in 0..300 {
        if done() {
            return true;
        }
        let tick = js_sys::Promise::new(&mut |resolve, _| set_timeout(&resolve, 10));
        let _ = wasm_bindgen_futures::JsFuture::from(tick).await;
    }
    done()
}

#[wasm_bindgen_test]
async fn a_dropped_custom_pool_s_workers_are_reused_by_the_next_pool_then_released() {
    // Other tests of this instance may own workers (the global pool's): count ours on top.
    let base = rayon_web::live_workers();
    let pool = PoolOptions::new(2).build().await.expect("first pool");
    assert_eq!(pool.install(|| (0..1000u64).into_par_iter().sum::<u64>()), 499_500);
    drop(pool);
    assert!(eventually(|| rayon_web::idle_workers() == 2).await, "both workers go idle after the drop");
    assert_eq!(rayon_web::live_workers(), base + 2);

    let pool = PoolOptions::new(2).name_prefix("again-").build().await.expect("second pool");
    assert_eq!(rayon_web::idle_workers(), 0, "the second pool took both idle workers");
    assert_eq!(rayon_web::live_workers(), base + 2, "and started none");
    let indices = pool.broadcast(|ctx| (ctx.index(), rayon::current_thread_index()));
    assert_eq!(indices, [(0, Some(0)), (1, Some(1))], "each reused worker runs one of the new pool's threads");
    assert_eq!(pool.install(|| (0..1000u64).into_par_iter().sum::<u64>()), 499_500);
    drop(pool);

    assert_eq!(rayon_web::release_idle_workers(), 2);
    assert!(eventually(|| rayon_web::live_workers() == base).await, "released workers exit");
    assert_eq!(rayon_web::idle_workers(), 0);
}
