//! A small crate built exactly as a user builds theirs: it depends on rayon and
//! rayon-web, re-exports `init_thread_pool`, and exposes a few parallel
//! functions the Node and browser tests call.

use rayon::prelude::*;
use wasm_bindgen::prelude::*;

pub use rayon_web::init_thread_pool;

/// rayon's view of the pool size.
#[wasm_bindgen(js_name = numThreads)]
pub fn num_threads() -> usize {
    rayon::current_num_threads()
}

include!("sums.rs");

/// How many distinct rayon threads took part in a parallel job of `tasks` pieces
/// that each take a few milliseconds.
#[wasm_bindgen(js_name = distinctThreads)]
pub fn distinct_threads(tasks: u32) -> usize {
    let mut seen: Vec<usize> = (0..tasks)
        .into_par_iter()
        .map(|t| {
            // Enough work per task that one thread cannot take them all.
            std::hint::black_box((0..20_000u64).map(|i| work(i + t as u64)).sum::<u64>());
            rayon::current_thread_index().unwrap_or(usize::MAX)
        })
        .collect();
    seen.sort_unstable();
    seen.dedup();
    seen.len()
}

/// Builds a custom pool of `threads` workers (keep-alive and stack size
/// default unless given), sums `work` over 0..n in it, and drops it. Resolves
/// with `[sum, distinct threads used, pool size]`; a pool that cannot start
/// rejects with the `RayonWebError` (`code` and all) through `?`
/// (`From<rayon_web::Error> for JsValue`), as in users' async exports.
#[wasm_bindgen(js_name = customPoolSum)]
pub async fn custom_pool_sum(
    threads: usize,
    n: u32,
    keep_alive_ms: Option<u32>,
    stack_size: Option<u32>,
) -> Result<Vec<f64>, JsValue> {
    let mut options = rayon_web::PoolOptions::new(threads).name_prefix("custom-");
    if let Some(ms) = keep_alive_ms {
        options = options.keep_alive_ms(ms);
    }
    if let Some(bytes) = stack_size {
        options = options.stack_size(bytes as usize);
    }
    let pool = options.build().await?;
    let (sum, distinct) = pool.install(|| {
        let sum = (0..n as u64).into_par_iter().map(work).sum::<u64>() as f64;
        (sum, distinct_threads(64))
    });
    Ok(vec![sum, distinct as f64, pool.current_num_threads() as f64])
}

/// Pool workers started by this thread that are still alive.
#[wasm_bindgen(js_name = liveWorkers)]
pub fn live_workers() -> usize {
    rayon_web::live_workers()
}

/// Ends this thread's idle workers (of dropped custom pools); returns how many.
#[wasm_bindgen(js_name = releaseIdleWorkers)]
pub fn release_idle_workers() -> usize {
    rayon_web::release_idle_workers()
}

/// Current size of the shared memory in bytes.
#[wasm_bindgen(js_name = memoryBytes)]
pub fn memory_bytes() -> f64 {
    use wasm_bindgen::JsCast;
    let memory: js_sys::WebAssembly::Memory = wasm_bindgen::memory().unchecked_into();
    memory.buffer().unchecked_into::<js_sys::SharedArrayBuffer>().byte_length() as f64
}

/// Panics inside a parallel loop on item `k` of 64. With `panic = "unwind"`
/// the panic reaches the caller as a JS exception and the pool keeps working;
/// with `panic = "abort"` the pool thread traps and the pool is broken.
#[wasm_bindgen(js_name = panicInParallel)]
pub fn panic_in_parallel(k: u32) -> f64 {
    (0..64u32)
        .into_par_iter()
        .map(|i| {
            if i == k {
                panic!("boom at item {i}");
            }
            (0..10_000u64).map(|x| work(x + i as u64)).sum::<u64>() as f64
        })
        .sum()
}

/// Grows the shared memory from inside a parallel loop: each of `tasks` tasks
/// allocates `mib` MiB, fills it and sums it. Returns `[sum, expected sum]`.
#[wasm_bindgen(js_name = growInParallel)]
pub fn grow_in_parallel(tasks: u32, mib: u32) -> Vec<f64> {
    let len = (mib as usize) << 17; // u64 elements per task
    let sum: u64 = (0..tasks as u64)
        .into_par_iter()
        .map(|t| {
            let v: Vec<u64> = (0..len as u64).map(|i| i ^ t).collect();
            v.iter().sum::<u64>()
        })
        .sum();
    let expected: u64 = (0..tasks as u64).map(|t| (0..len as u64).map(|i| i ^ t).sum::<u64>()).sum();
    vec![sum as f64, expected as f64]
}

/// `n` values `0.5 * i`, returned to JS as a Float64Array (a copy).
#[wasm_bindgen(js_name = halves)]
pub fn halves(n: u32) -> Vec<f64> {
    (0..n).map(|i| 0.5 * i as f64).collect()
}

/// Doubles every value of `values` in place, in parallel: an export that
/// writes into its argument and declares nothing (rayon-web-host must still
/// hand the values back to the caller's array: tests/node/host.test.mjs).
#[wasm_bindgen(js_name = doubleInPlace)]
pub fn double_in_place(values: &mut [f64]) {
    values.par_iter_mut().for_each(|v| *v *= 2.0);
}

/// Times one custom pool of `threads`: `[build ms, first install ms]`
/// (for the pool benchmark: new workers against reused idle ones).
#[wasm_bindgen(js_name = customPoolTimes)]
pub async fn custom_pool_times(threads: usize) -> Result<Vec<f64>, JsValue> {
    let now = || js_sys::Reflect::get(&js_sys::global(), &"performance".into())
        .ok()
        .and_then(|p| js_sys::Reflect::get(&p, &"now".into()).ok().map(|f| (p, f)))
        .and_then(|(p, f)| f.unchecked_into::<js_sys::Function>().call0(&p).ok())
        .and_then(|v| v.as_f64())
        .unwrap_or_else(js_sys::Date::now);
    let t0 = now();
    let pool = rayon_web::PoolOptions::new(threads).build().await?;
    let t1 = now();
    let distinct = pool.install(|| distinct_threads(64));
    let t2 = now();
    drop(pool);
    Ok(vec![t1 - t0, t2 - t1, distinct as f64])
}

/// Idle workers of dropped custom pools started by this thread.
#[wasm_bindgen(js_name = idleWorkers)]
pub fn idle_workers() -> usize {
    rayon_web::idle_workers()
}

/// `sumParallel`, refusing at once (`POOL_BROKEN`) once a crash is recorded.
#[wasm_bindgen(js_name = checkedSumParallel)]
pub fn checked_sum_parallel(n: u32) -> Result<f64, JsValue> {
    rayon_web::check_pool()?;
    Ok(sum_parallel(n))
}

/// Panics on the calling thread (under `panic = "abort"`: records the crash, then traps).
#[wasm_bindgen(js_name = panicHere)]
pub fn panic_here() {
    panic!("boom on the caller");
}

/// Pool thread of the caller after a few milliseconds of work (`None` outside the pool).
fn busy_index(seed: u64) -> Option<usize> {
    std::hint::black_box((0..20_000u64).map(|i| work(i + seed)).sum::<u64>());
    rayon::current_thread_index()
}

/// `rayon::join` splitting `lo..hi` down to single tasks; pushes where each ran.
fn join_tree(lo: u64, hi: u64, seen: &std::sync::Mutex<Vec<Option<usize>>>) {
    if hi - lo == 1 {
        let i = busy_index(lo);
        seen.lock().unwrap().push(i);
    } else {
        let mid = lo + (hi - lo) / 2;
        rayon::join(|| join_tree(lo, mid, seen), || join_tree(mid, hi, seen));
    }
}

/// Runs `tasks` tasks of a few milliseconds each through `api` on the global
/// pool: `"join"` (`rayon::join` splitting the range in halves), `"scope"`
/// (`rayon::scope` + `Scope::spawn`) or `"spawn"` (`rayon::spawn`, waiting for
/// the tasks on a channel). Returns `[distinct pool threads that ran tasks,
/// tasks that ran outside the pool, tasks run]`.
#[wasm_bindgen(js_name = poolThreadsUsed)]
pub fn pool_threads_used(api: &str, tasks: u32) -> Result<Vec<f64>, JsValue> {
    use std::sync::Mutex;
    let tasks = u64::from(tasks.max(1));
    let seen: Vec<Option<usize>> = match api {
        "join" => {
            let joined = Mutex::new(Vec::new());
            join_tree(0, tasks, &joined);
            joined.into_inner().unwrap()
        }
        "scope" => {
            let scoped = Mutex::new(Vec::new());
            rayon::scope(|s| {
                for t in 0..tasks {
                    let scoped = &scoped;
                    s.spawn(move |_| {
                        let i = busy_index(t);
                        scoped.lock().unwrap().push(i);
                    });
                }
            });
            scoped.into_inner().unwrap()
        }
        "spawn" => {
            let done = std::sync::Arc::new((Mutex::new(Vec::new()), std::sync::Condvar::new()));
            for t in 0..tasks {
                let done = std::sync::Arc::clone(&done);
                rayon::spawn(move || {
                    let i = busy_index(t);
                    done.0.lock().unwrap().push(i);
                    done.1.notify_all();
                });
            }
            let (list, cv) = &*done;
            let seen = cv.wait_while(list.lock().unwrap(), |v| (v.len() as u64) < tasks).unwrap();
            seen.clone()
        }
        _ => return Err(JsValue::from_str("api must be \"join\", \"scope\" or \"spawn\"")),
    };
    let outside = seen.iter().filter(|i| i.is_none()).count();
    let mut inside: Vec<usize> = seen.iter().flatten().copied().collect();
    inside.sort_unstable();
    inside.dedup();
    Ok(vec![inside.len() as f64, outside as f64, seen.len() as f64])
}

/// Native `cargo test` of this crate: the same `pub use rayon_web::init_thread_pool`
/// that wasm exports as `initThreadPool` configures rayon's global pool natively.
/// One test, because the global pool is per process and tests run concurrently.
#[cfg(all(test, not(target_arch = "wasm32")))]
mod native {
    use super::*;
    use rayon_web::ErrorCode;

    #[test]
    fn init_thread_pool_configures_the_native_global_pool() {
        assert_eq!(init_thread_pool(3), Ok(3));
        assert_eq!(num_threads(), 3);
        assert_eq!(sum_parallel(300_000), sum_sequential(300_000));
        let name = rayon::broadcast(|_| std::thread::current().name().map(String::from));
        assert!(name.iter().all(|n| n.as_deref().is_some_and(|n| n.starts_with("rayon-web-"))), "{name:?}");
        for api in ["join", "scope", "spawn"] {
            let r = pool_threads_used(api, 24).unwrap();
            assert!(r[0] >= 2.0, "{api}: ran on {} pool threads", r[0]);
            assert_eq!(r[1], 0.0, "{api}: tasks outside the pool");
            assert_eq!(r[2], 24.0, "{api}: tasks run");
        }
        let again = init_thread_pool(2).unwrap_err();
        assert_eq!(again.code(), ErrorCode::AlreadyInitialized);
        assert!(again.message().contains("already called"), "{again}");
        let bad = init_thread_pool(rayon_web::PoolOptions::new(0)).unwrap_err();
        assert_eq!(bad.code(), ErrorCode::InvalidArgument);
    }
}
