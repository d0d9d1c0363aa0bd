//! `initThreadPool`: rayon's global pool, backed by workers.

use crate::error::{Error, ErrorCode};
use crate::options::PoolOptions;
use crate::spawn::{ReadyWorkers, WorkerGroup};
use std::cell::RefCell;
use std::sync::atomic::{AtomicU8, Ordering};
use wasm_bindgen::prelude::*;

const IDLE: u8 = 0;
const STARTING: u8 = 1;
const READY: u8 = 2;

/// Whether this module instance has a global pool (shared by all threads).
static STATE: AtomicU8 = AtomicU8::new(IDLE);

thread_local! {
    // The global pool's workers, kept by the thread that started them (the
    // only one that can talk to them): their JS handles live as long as the pool.
    static GLOBAL_WORKERS: RefCell<Option<WorkerGroup>> = const { RefCell::new(None) };
}

/// Starts rayon's global thread pool on `num_threads` workers.
///
/// From JS: `await initThreadPool(navigator.hardwareConcurrency)` or
/// `await initThreadPool({ numThreads, stackSize })`; other options:
/// `namePrefix` (worker names, default `"rayon-web-"`), `timeoutMs` (start-up
/// deadline, default 4000) and `glueUrl` (see the README, "Bundlers").
/// Resolves with the number of threads once every worker runs its rayon
/// thread; rejects with an `Error` named `RayonWebError` whose `code` is one of
/// [`ErrorCode`]'s strings and whose message says what to change.
///
/// A drop-in for `wasm_bindgen_rayon::init_thread_pool`: re-export it with
/// `pub use rayon_web::init_thread_pool;`. Call it once per module instance,
/// before any rayon call (the first rayon call otherwise creates a one-thread
/// global pool that cannot be replaced).
#[wasm_bindgen(js_name = initThreadPool)]
pub fn init_thread_pool(options: JsValue) -> js_sys::Promise {
    wasm_bindgen_futures::future_to_promise(async move {
        match PoolOptions::from_js(&options) {
            Ok(options) => match start_global(options).await {
                Ok(n) => Ok(JsValue::from(n as u32)),
                Err(e) => Err(e.to_js()),
            },
            Err(e) => Err(e.to_js()),
        }
    })
}

/// The Rust form of [`init_thread_pool`]: starts the global pool with `options`.
/// Returns the number of threads.
pub async fn start_global(options: PoolOptions) -> Result<usize, Error> {
    options.validate()?;
    if let Err(state) = STATE.compare_exchange(IDLE, STARTING, Ordering::AcqRel, Ordering::Acquire) {
        return Err(Error::new(
            ErrorCode::AlreadyInitialized,
            if state == READY {
                "rayon-web: initThreadPool was already called and its pool is running; it can \
                 be called once per module instance. To change the pool size, re-create the \
                 instance (README, \"Lifecycle and errors\") or build a custom pool."
            } else {
                "rayon-web: initThreadPool is already starting a pool; await the first call \
                 instead of calling it again."
            },
        ));
    }
    let result = start_global_inner(&options).await;
    STATE.store(if result.is_ok() { READY } else { IDLE }, Ordering::Release);
    result
}

async fn start_global_inner(options: &PoolOptions) -> Result<usize, Error> {
    // Keep-alive 0: the global pool's threads never end, so never become idle.
    let workers = ReadyWorkers::start(options, 0).await?;
    // Every worker is now waiting in its handoff, so rayon's wait for the
    // threads to prime (inside build_global) lasts microseconds; on a page's
    // main thread it spins (rayon-core's web_spin_lock) instead of Atomics.wait.
    let built = rayon_core::ThreadPoolBuilder::new()
        .num_threads(options.num_threads)
        .thread_name(workers.thread_name())
        .spawn_handler(workers.spawn_handler())
        .build_global();
    if let Err(e) = built {
        workers.abandon();
        let msg = e.to_string();
        return Err(if msg.contains("already") {
            Error::new(
                ErrorCode::GlobalPoolExists,
                "rayon-web: rayon's global pool already exists: a rayon call (a parallel \
                 iterator, join, scope, current_num_threads…) ran before initThreadPool and \
                 created a one-thread pool that cannot be replaced. Await initThreadPool before \
                 the first rayon call.",
            )
        } else {
            Error::build_failed(e)
        });
    }
    GLOBAL_WORKERS.with(|w| *w.borrow_mut() = workers.into_group());
    Ok(options.num_threads)
}
