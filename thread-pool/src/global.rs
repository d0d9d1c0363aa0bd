//! `initThreadPool`: rayon's global pool, backed by workers on wasm and by
//! rayon's own OS threads natively (so a crate that re-exports
//! `init_thread_pool` also builds and runs its host-side tests).

use crate::error::{Error, ErrorCode};
use crate::options::PoolOptions;
use std::sync::atomic::{AtomicU8, Ordering};

const IDLE: u8 = 0;
const STARTING: u8 = 1;
const READY: u8 = 2;

/// Whether this module instance has a global pool (shared by all threads).
static STATE: AtomicU8 = AtomicU8::new(IDLE);

/// Runs `start` unless a global pool exists or is starting; records the outcome.
async fn once<F: std::future::Future<Output = Result<usize, Error>>>(start: F) -> Result<usize, Error> {
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
    let result = start.await;
    STATE.store(if result.is_ok() { READY } else { IDLE }, Ordering::Release);
    result
}

/// rayon's `build_global` failed: almost always because a rayon call came first.
fn build_global_failed(e: rayon::ThreadPoolBuildError) -> Error {
    let msg = e.to_string();
    if msg.contains("already") {
        Error::new(
            ErrorCode::GlobalPoolExists,
            "rayon-web: rayon's global pool already exists: a rayon call (a parallel \
             iterator, join, scope, current_num_threads…) ran before initThreadPool and \
             created its default pool, which cannot be replaced. Await initThreadPool before \
             the first rayon call.",
        )
    } else {
        Error::build_failed(e)
    }
}

#[cfg(target_arch = "wasm32")]
pub use wasm::*;
#[cfg(not(target_arch = "wasm32"))]
pub use native::*;

#[cfg(target_arch = "wasm32")]
mod wasm {
    use super::*;
    use crate::spawn::{ReadyWorkers, WorkerGroup};
    use std::cell::RefCell;
    use wasm_bindgen::prelude::*;

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
    /// global pool that cannot be replaced). Native builds have an
    /// `init_thread_pool` of their own (a thread count or [`PoolOptions`] in,
    /// `Result<usize, Error>` out, rayon's OS threads) so the same `pub use`
    /// compiles there too.
    // skip_typescript: declared precisely in typescript.rs instead of `(options: any): Promise<any>`.
    #[cfg_attr(docsrs, doc(cfg(all(target_arch = "wasm32", target_feature = "atomics"))))]
    #[wasm_bindgen(js_name = initThreadPool, skip_typescript)]
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
        once(start_global_inner(&options)).await
    }

    async fn start_global_inner(options: &PoolOptions) -> Result<usize, Error> {
        // Keep-alive 0: the global pool's threads never end, so never become idle.
        let workers = ReadyWorkers::start(options, 0).await?;
        // Every worker is now waiting in its handoff, so rayon's wait for the
        // threads to prime (inside build_global) lasts microseconds; on a page's
        // main thread it spins (rayon-core's web_spin_lock) instead of Atomics.wait.
        let built = rayon_core::ThreadPoolBuilder::new()
            .num_threads(options.num_threads())
            .thread_name(workers.thread_name())
            .spawn_handler(workers.spawn_handler())
            .build_global();
        if let Err(e) = built {
            workers.abandon();
            return Err(build_global_failed(e));
        }
        GLOBAL_WORKERS.with(|w| *w.borrow_mut() = workers.into_group());
        Ok(options.num_threads())
    }
}

#[cfg(not(target_arch = "wasm32"))]
mod native {
    use super::*;

    /// Native builds: configures rayon's global pool with `options`' thread
    /// count, stack size and thread names (OS threads), at once, and returns
    /// `Ok(thread count)`.
    ///
    /// Exists so that a crate saying `pub use rayon_web::init_thread_pool;`
    /// also compiles and runs natively (its host-side `cargo test`). On wasm32
    /// the same name is the `#[wasm_bindgen]` export `initThreadPool`, which
    /// takes a `JsValue` and returns a `Promise`; natively it takes a thread
    /// count or [`PoolOptions`] (`init_thread_pool(4)`,
    /// `init_thread_pool(PoolOptions::new(4).stack_size(8 << 20))`).
    /// `timeout_ms`, `glue_url` and `keep_alive_ms` do not apply natively.
    ///
    /// The same rules as on wasm: options are validated the same way
    /// (`InvalidArgument`: 1..=65536 threads, of which at most 64 start; stack size
    /// in whole 64 KiB pages);
    /// a second call fails with `AlreadyInitialized`; a call after rayon
    /// created its default pool (any rayon call first) fails with
    /// `GlobalPoolExists`.
    ///
    /// ```
    /// use rayon::prelude::*;
    /// assert_eq!(rayon_web::init_thread_pool(3), Ok(3));
    /// assert_eq!(rayon::current_num_threads(), 3);
    /// assert_eq!((1..=100u32).into_par_iter().sum::<u32>(), 5050);
    /// let again = rayon_web::init_thread_pool(3).unwrap_err();
    /// assert_eq!(again.code(), rayon_web::ErrorCode::AlreadyInitialized);
    /// ```
    #[cfg_attr(docsrs, doc(cfg(not(target_arch = "wasm32"))))]
    pub fn init_thread_pool(options: impl Into<PoolOptions>) -> Result<usize, Error> {
        let options = options.into();
        options.validate()?;
        let mut start = std::pin::pin!(once(async { start_native(&options) }));
        // `once` awaits only the ready future above, so one poll finishes it.
        match start.as_mut().poll(&mut std::task::Context::from_waker(std::task::Waker::noop())) {
            std::task::Poll::Ready(result) => result,
            std::task::Poll::Pending => unreachable!("the native start never waits"),
        }
    }

    /// Natively: [`init_thread_pool`] as a future (ready at once), so code
    /// written for wasm's `start_global(options).await` compiles for both.
    pub async fn start_global(options: PoolOptions) -> Result<usize, Error> {
        init_thread_pool(options)
    }

    fn start_native(options: &PoolOptions) -> Result<usize, Error> {
        let prefix = options.name_prefix.clone();
        rayon::ThreadPoolBuilder::new()
            .num_threads(options.num_threads())
            .stack_size(options.stack_size)
            .thread_name(move |i| format!("{prefix}{i}"))
            .build_global()
            .map_err(build_global_failed)?;
        Ok(options.num_threads())
    }

    use std::future::Future;
}
