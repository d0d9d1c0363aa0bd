//! rayon-web under wasm-bindgen-test, in headless Chromium, from a dedicated
//! worker (where parallel calls belong). Users of the old crate saw hangs here
//! (wasm-bindgen-rayon #6, #26).
//!
//! All tests share one module instance and so one global pool: the test that
//! installs it runs the whole global-pool story in order.
#![cfg(target_arch = "wasm32")]

use rayon::prelude::*;
use rayon_web::{ErrorCode, PoolOptions};
use wasm_bindgen_test::*;

wasm_bindgen_test_configure!(run_in_dedicated_worker);

#[wasm_bindgen_test]
async fn global_pool_starts_runs_in_parallel_and_refuses_a_second_start() {
    let n = rayon_web::start_global(PoolOptions::new(2)).await.expect("pool starts");
    assert_eq!(n, 2);
    assert_eq!(rayon::current_num_threads(), 2);

    let par: u64 = (0..1_000_000u64).into_par_iter().map(|x| x * x % 7).sum();
    let seq: u64 = (0..1_000_000u64).map(|x| x * x % 7).sum();
    assert_eq!(par, seq);

    // Work really ran on both threads.
    let mut seen: Vec<usize> = (0..64)
        .into_par_iter()
        .map(|i| {
            // black_box per element: otherwise the sum folds to a few instructions and one
            // thread can finish all 64 tasks before the other wakes up.
            std::hint::black_box((0..200_000u64).map(|x| std::hint::black_box(x ^ i)).sum::<u64>());
            rayon::current_thread_index().unwrap()
        })
        .collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen, vec![0, 1]);

    let again = rayon_web::start_global(PoolOptions::new(2)).await.unwrap_err();
    assert_eq!(again.code(), ErrorCode::AlreadyInitialized);
    assert!(again.message().contains("already called"), "{again}");
}

#[wasm_bindgen_test]
async fn invalid_thread_counts_are_rejected_before_anything_starts() {
    for (n, phrase) in [(0, "at least 1"), (65, "maximum of 64")] {
        let err = rayon_web::start_global(PoolOptions::new(n)).await.unwrap_err();
        assert_eq!(err.code(), ErrorCode::InvalidArgument);
        assert!(err.message().contains(phrase), "{err}");
    }
}
