//! Custom pools: `PoolOptions::build().await` returns a `rayon::ThreadPool`
//! backed by workers of its own, usable with `install`, `scope` and `join`
//! whether the global pool exists or not. Dropping the pool ends its threads:
//! each worker leaves rayon's loop and waits, idle, for the keep-alive
//! ([`PoolOptions::keep_alive_ms`]) to run a thread of the next pool this
//! thread builds (`idle.rs`); past it (or on [`release_idle_workers`]) it frees
//! its stack and TLS (`__wbindgen_thread_destroy`) and is terminated.
//!
//! Natively the same call builds a plain rayon pool, so code using it compiles
//! for both.

use crate::error::Error;
use crate::options::PoolOptions;

impl PoolOptions {
    /// Starts a custom pool (its own workers on wasm, OS threads natively).
    ///
    /// Resolves once every worker is ready; fails with the same coded errors
    /// as `initThreadPool` (see [`ErrorCode`](crate::ErrorCode)).
    pub async fn build(self) -> Result<rayon::ThreadPool, Error> {
        self.validate()?;
        build_pool(&self).await
    }
}

#[cfg(target_arch = "wasm32")]
async fn build_pool(options: &PoolOptions) -> Result<rayon::ThreadPool, Error> {
    let workers = crate::spawn::ReadyWorkers::start(options, options.keep_alive_ms).await?;
    // `build` (unlike `build_global`) does not wait for the threads to prime,
    // so nothing here blocks the calling thread. The pool owns the threads; each
    // worker goes idle (or ends) by itself when the pool is dropped.
    let built = rayon::ThreadPoolBuilder::new()
        .num_threads(options.num_threads())
        .thread_name(workers.thread_name())
        .spawn_handler(workers.spawn_handler())
        .build();
    match built {
        Ok(pool) => Ok(pool),
        Err(e) => {
            workers.abandon();
            Err(Error::build_failed(e))
        }
    }
}

#[cfg(not(target_arch = "wasm32"))]
async fn build_pool(options: &PoolOptions) -> Result<rayon::ThreadPool, Error> {
    let prefix = options.name_prefix.clone();
    rayon::ThreadPoolBuilder::new()
        .num_threads(options.num_threads())
        .stack_size(options.stack_size)
        .thread_name(move |i| format!("{prefix}{i}"))
        .build()
        .map_err(Error::build_failed)
}

/// How many pool workers this thread has started that are still alive
/// (starting, running a rayon thread, or idle after their pool was dropped).
/// Natively: 0. For tests and leak checks: after a custom pool is dropped, its
/// workers leave this count once they have exited (past the keep-alive, or
/// after [`release_idle_workers`]).
pub fn live_workers() -> usize {
    #[cfg(target_arch = "wasm32")]
    {
        crate::spawn::live_workers() as usize
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0
    }
}

/// How many workers this thread started are idle: their custom pool was
/// dropped and they wait to be reused (see [`PoolOptions::keep_alive_ms`]).
/// Natively: 0.
pub fn idle_workers() -> usize {
    #[cfg(target_arch = "wasm32")]
    {
        crate::idle::idle_count()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0
    }
}

/// Ends the idle workers this thread started (workers of dropped custom pools
/// waiting to be reused, see [`PoolOptions::keep_alive_ms`]), and makes the
/// workers of its custom pools still running exit when their pool is dropped
/// instead of waiting — which also covers a pool dropped a moment ago whose
/// threads are still leaving rayon's loop. Returns how many workers that is.
/// They exit asynchronously; [`live_workers`] drops once they have.
/// Natively: 0 (rayon's threads exit with their pool).
pub fn release_idle_workers() -> usize {
    #[cfg(target_arch = "wasm32")]
    {
        crate::idle::release_all()
    }
    #[cfg(not(target_arch = "wasm32"))]
    {
        0
    }
}

#[cfg(all(test, not(target_arch = "wasm32")))]
mod test;
