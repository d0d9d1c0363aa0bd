//! How a rayon `ThreadBuilder` reaches a worker that is already waiting.
//!
//! ## Protocol (shared memory)
//!
//! A [`Handoff`] is one worker's mailbox in the module's shared memory,
//! allocated by the thread that starts the worker (its *owner*) and kept for the
//! worker's whole life. Its address travels to the worker in the `start`
//! message (see `js/spawn.js`). Then:
//!
//! 1. the worker instantiates the module, posts `ready`, and waits in
//!    [`Handoff::wait_for_thread`] (a real `Atomics.wait` — workers may block);
//! 2. once *every* worker of a pool is ready, the host builds the rayon pool;
//!    rayon calls our spawn handler once per thread, which
//!    [`Handoff::deliver`]s the `ThreadBuilder` and wakes the worker; or, if the
//!    build fails, the host [`Handoff::cancel`]s every fresh worker's slot and
//!    those workers return and exit;
//! 3. when a custom pool is dropped its threads leave rayon's loop; each worker
//!    empties its slot and parks in `idle.rs`'s list for another pool, waiting
//!    here again with a deadline (its keep-alive). A later pool *claims* it
//!    from that list and delivers a new `ThreadBuilder` (back to 2), or
//!    `release_idle_workers` cancels it, or the deadline passes and the worker
//!    withdraws itself from the list and exits.
//!
//! States of the slot: `Empty` (waiting) → `Delivered` (by the host) → `Busy`
//! (taken by the worker) → `Empty` (its pool ended) → …, or `Empty` →
//! `Cancelled` (the worker exits). Only the worker leaves `Delivered` and
//! `Busy`; only others move `Empty` to `Delivered` or `Cancelled`, and only a
//! thread that has claimed the worker (or the start-up that created it) does.
//!
//! The host never blocks on the slot: on a browser's main thread `Atomics.wait`
//! throws, so the lock is `wasm_sync`'s, which spins there instead — and the only
//! contention is the worker's few-instruction check of the slot.
//!
//! Ownership: the host keeps one `Arc`, the worker receives another as a raw
//! pointer (`Arc::into_raw`) and takes it back with `Arc::from_raw`. If a worker
//! never reaches its entry point (failed start), that reference leaks: a few
//! dozen bytes per failed worker, in exchange for never freeing memory a
//! half-started worker might still read.

use rayon_core::ThreadBuilder;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::Arc;
use std::time::Duration;
use wasm_sync::{Condvar, Mutex};

enum Slot {
    Empty,
    Delivered(ThreadBuilder),
    Busy,
    Cancelled,
}

/// What a waiting worker got.
pub(crate) enum Next {
    /// A rayon thread to run.
    Thread(ThreadBuilder),
    /// No thread will come: exit.
    Cancelled,
    /// The deadline passed with the slot still empty.
    TimedOut,
}

/// One worker's mailbox for its rayon threads, plus what a later pool needs to
/// know to reuse the worker.
pub(crate) struct Handoff {
    slot: Mutex<Slot>,
    wake: Condvar,
    /// The worker's stack size: only a pool asking for the same size reuses it.
    pub(crate) stack_size: usize,
    /// The thread that created the worker (`idle::owner_id`): only it can see the
    /// worker die, so only its pools reuse it.
    pub(crate) owner: u32,
    /// How long to wait for another pool once the current one ends (0: exit at once).
    keep_alive_ms: AtomicU32,
}

impl Handoff {
    pub(crate) fn new(stack_size: usize, owner: u32, keep_alive_ms: u32) -> Arc<Handoff> {
        Arc::new(Handoff {
            slot: Mutex::new(Slot::Empty),
            wake: Condvar::new(),
            stack_size,
            owner,
            keep_alive_ms: AtomicU32::new(keep_alive_ms),
        })
    }

    /// The address a worker gets in its `start` message; one reference moves with it.
    pub(crate) fn share_with_worker(this: &Arc<Handoff>) -> u32 {
        Arc::into_raw(Arc::clone(this)) as usize as u32
    }

    /// Takes back the reference sent with [`Handoff::share_with_worker`].
    ///
    /// # Safety
    /// `addr` must come from `share_with_worker` and be claimed exactly once.
    pub(crate) unsafe fn claim(addr: u32) -> Arc<Handoff> {
        // SAFETY: per this function's contract, addr is an `Arc::into_raw`
        // pointer whose reference has not been taken back yet.
        unsafe { Arc::from_raw(addr as usize as *const Handoff) }
    }

    pub(crate) fn keep_alive_ms(&self) -> u32 {
        self.keep_alive_ms.load(Ordering::Relaxed)
    }

    /// Set by the pool that claims (or creates) the worker, before delivering.
    pub(crate) fn set_keep_alive_ms(&self, ms: u32) {
        self.keep_alive_ms.store(ms, Ordering::Relaxed);
    }

    fn lock(&self) -> std::sync::MutexGuard<'_, Slot> {
        // No code panics while holding the lock; recover the slot anyway.
        self.slot.lock().unwrap_or_else(|e| e.into_inner())
    }

    /// Hands the thread to the worker and wakes it (host side, never blocks for long).
    pub(crate) fn deliver(&self, thread: ThreadBuilder) {
        let mut slot = self.lock();
        debug_assert!(matches!(*slot, Slot::Empty), "delivered to a worker that is not waiting");
        *slot = Slot::Delivered(thread);
        self.wake.notify_one();
    }

    /// Tells a waiting worker that no thread will come, so it exits.
    pub(crate) fn cancel(&self) {
        let mut slot = self.lock();
        if matches!(*slot, Slot::Empty) {
            *slot = Slot::Cancelled;
            self.wake.notify_one();
        }
    }

    /// Worker side, once its rayon thread has returned: ready for another.
    pub(crate) fn empty(&self) {
        let mut slot = self.lock();
        if matches!(*slot, Slot::Busy) {
            *slot = Slot::Empty;
        }
    }

    /// Worker side: blocks until a thread is delivered, the slot is cancelled,
    /// or `timeout` (if any) passes with the slot still empty.
    pub(crate) fn wait_for_thread(&self, timeout: Option<Duration>) -> Next {
        let mut slot = self.lock();
        loop {
            match std::mem::replace(&mut *slot, Slot::Busy) {
                Slot::Delivered(thread) => return Next::Thread(thread),
                Slot::Cancelled => {
                    *slot = Slot::Cancelled;
                    return Next::Cancelled;
                }
                // Not reachable: the worker itself leaves Busy before waiting.
                Slot::Busy => return Next::Cancelled,
                Slot::Empty => {
                    *slot = Slot::Empty;
                    match timeout {
                        None => slot = self.wake.wait(slot).unwrap_or_else(|e| e.into_inner()),
                        Some(t) => {
                            let (guard, result) = self.wake.wait_timeout(slot, t).unwrap_or_else(|e| e.into_inner());
                            slot = guard;
                            // The only notifications are deliver and cancel,
                            // which change the slot; a timed-out wait with an
                            // empty slot is the deadline.
                            if result.timed_out() && matches!(*slot, Slot::Empty) {
                                return Next::TimedOut;
                            }
                        }
                    }
                }
            }
        }
    }
}
