//! What every wasm-bindgen-test environment checks of the global pool (web.rs in
//! a browser's dedicated worker, node.rs in Node): shared so both hold the same story.

use rayon::prelude::*;
use rayon_web::{ErrorCode, PoolOptions};

/// Starts the global pool of 2, checks a parallel sum and that work really ran
/// on both threads, and that a second start is refused. Call it once per test
/// binary: all its tests share one module instance, hence one global pool.
pub async fn global_pool_story() {
    let n = rayon_web::start_global(PoolOptions::new(2)).await.expect("pool starts");
    assert_eq!(n, 2);
    assert_eq!(rayon::current_num_threads(), 2);

    let par: u64 = (0..1_000_000u64).into_par_iter().map(|x| x * x % 7).sum();
    let seq: u64 = (0..1_000_000u64).map(|x| x * x % 7).sum();
    assert_eq!(par, seq);

    // Work really ran on both threads. Each task records its thread, then waits
    // until both threads have recorded one (or a shared 10 s deadline passes): a
    // fixed amount of work per task was not enough, since on a loaded 2-core machine
    // one thread finished all 64 tasks before the other woke (seen once in CI).
    let threads_seen = std::sync::atomic::AtomicUsize::new(0);
    let deadline = js_sys::Date::now() + 10_000.0;
    let mut seen: Vec<usize> = (0..64)
        .into_par_iter()
        .map(|_| {
            let me = rayon::current_thread_index().unwrap();
            threads_seen.fetch_or(1 << me, std::sync::atomic::Ordering::SeqCst);
            while threads_seen.load(std::sync::atomic::Ordering::SeqCst) != 0b11 && js_sys::Date::now() < deadline {
                std::hint::spin_loop();
            }
            me
        })
        .collect();
    seen.sort_unstable();
    seen.dedup();
    assert_eq!(seen, vec![0, 1]);

    let again = rayon_web::start_global(PoolOptions::new(2)).await.unwrap_err();
    assert_eq!(again.code(), ErrorCode::AlreadyInitialized);
    assert!(again.message().contains("already called"), "{again}");
}
