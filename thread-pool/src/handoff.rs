//! How a rayon `ThreadBuilder` reaches a worker that is already waiting.
//!
//! ## Protocol (shared memory)
//!
//! A [`Handoff`] is a slot in the module's shared memory, allocated by the
//! thread that starts the pool (the *host*), one per worker. Its address
//! travels to the worker in the `start` message (see `js/spawn.js`). Then:
//!
//! 1. the worker instantiates the module, posts `ready`, and calls
//!    [`Handoff::take`], which blocks (a real `Atomics.wait` — workers may block);
//! 2. once *every* worker is ready, the host builds the rayon pool; rayon calls
//!    our spawn handler once per thread, which [`Handoff::deliver`]s the
//!    `ThreadBuilder` and wakes the worker; or, if the build fails, the host
//!    [`Handoff::cancel`]s every slot and the workers return and exit.
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
use std::sync::Arc;
use wasm_sync::{Condvar, Mutex};

enum Slot {
    Waiting,
    Delivered(ThreadBuilder),
    Taken,
    Cancelled,
}

/// One worker's mailbox for its rayon thread.
pub(crate) struct Handoff {
    slot: Mutex<Slot>,
    wake: Condvar,
}

impl Handoff {
    pub(crate) fn new() -> Arc<Handoff> {
        Arc::new(Handoff { slot: Mutex::new(Slot::Waiting), wake: Condvar::new() })
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

    /// Hands the thread to the worker and wakes it (host side, never blocks for long).
    pub(crate) fn deliver(&self, thread: ThreadBuilder) {
        let mut slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
        *slot = Slot::Delivered(thread);
        self.wake.notify_one();
    }

    /// Tells a waiting worker that no thread will come, so it exits.
    pub(crate) fn cancel(&self) {
        let mut slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
        if matches!(*slot, Slot::Waiting) {
            *slot = Slot::Cancelled;
            self.wake.notify_one();
        }
    }

    /// Worker side: blocks until a thread is delivered (`Some`) or the start is cancelled.
    pub(crate) fn take(&self) -> Option<ThreadBuilder> {
        let mut slot = self.slot.lock().unwrap_or_else(|e| e.into_inner());
        loop {
            match std::mem::replace(&mut *slot, Slot::Taken) {
                Slot::Delivered(thread) => return Some(thread),
                Slot::Cancelled => {
                    *slot = Slot::Cancelled;
                    return None;
                }
                waiting @ Slot::Waiting => {
                    *slot = waiting;
                    slot = self.wake.wait(slot).unwrap_or_else(|e| e.into_inner());
                }
                Slot::Taken => return None,
            }
        }
    }
}
