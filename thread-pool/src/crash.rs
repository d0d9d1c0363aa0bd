//! Telling a host that the pool is broken, through shared memory.
//!
//! With `panic = "abort"` a panic (or any trap) in a pool thread ends that
//! thread for good; the parallel call waiting for it would wait forever. The
//! thread that made the call is blocked inside rayon, and so is its event loop,
//! so no message can reach it. Instead, the failure is written to one
//! [`CrashRecord`] in the module's shared memory, which a host polls from a
//! thread that is not blocked (the page: `js/` `rayon-web-host`):
//!
//! | offset | field | written by |
//! |---|---|---|
//! | 0 | `state`: 0 clear, 2 being written, 1 written (i32, atomic) | the first writer, by compare-exchange 0 → 2 |
//! | 4 | `len`: bytes of `message` (u32) | that writer, before `state = 1` |
//! | 8 | `message`: UTF-8, at most 1016 bytes | that writer |
//!
//! Writers: rayon-web's panic hook (the panic message, before the abort trap)
//! and the worker bootstrap (`js/worker.js`, the trap's own message when no
//! panic was recorded: stack overflow, out-of-bounds, `unreachable`). Readers
//! wait for `state == 1`. The record is never cleared: a broken instance stays
//! broken until it is re-created.

#![cfg_attr(not(target_arch = "wasm32"), allow(dead_code))]

use std::cell::UnsafeCell;
use std::sync::atomic::{AtomicI32, AtomicU32, Ordering};
use std::sync::Once;

const CAPACITY: usize = 1016;

/// The layout documented above.
#[repr(C, align(8))]
pub(crate) struct CrashRecord {
    state: AtomicI32,
    len: AtomicU32,
    message: UnsafeCell<[u8; CAPACITY]>,
}

// SAFETY: `message` is written only by the one thread that won the 0 → 2
// compare-exchange on `state`, and read only after `state == 1` (Release/Acquire).
unsafe impl Sync for CrashRecord {}

static RECORD: CrashRecord = CrashRecord { state: AtomicI32::new(0), len: AtomicU32::new(0), message: UnsafeCell::new([0; CAPACITY]) };

impl CrashRecord {
    /// Records `message` unless something was recorded already.
    fn record(&self, message: &str) {
        if self.state.compare_exchange(0, 2, Ordering::Acquire, Ordering::Relaxed).is_err() {
            return;
        }
        let mut end = message.len().min(CAPACITY);
        while !message.is_char_boundary(end) {
            end -= 1;
        }
        // SAFETY: we won the 0 → 2 exchange, so no other thread writes or reads `message` now.
        unsafe { (&mut *self.message.get())[..end].copy_from_slice(&message.as_bytes()[..end]) };
        self.len.store(end as u32, Ordering::Relaxed);
        self.state.store(1, Ordering::Release);
    }

    /// The recorded message, if any.
    pub(crate) fn message(&self) -> Option<String> {
        if self.state.load(Ordering::Acquire) != 1 {
            return None;
        }
        let len = self.len.load(Ordering::Relaxed) as usize;
        // SAFETY: state == 1, so the writer is done and nobody writes again.
        let bytes = unsafe { &(&*self.message.get())[..len] };
        Some(String::from_utf8_lossy(bytes).into_owned())
    }
}

/// Address of the record, for the bootstrap and hosts.
pub(crate) fn record_addr() -> u32 {
    &RECORD as *const CrashRecord as usize as u32
}

/// The message of the crash that broke this instance's pools, if any.
pub fn crash_message() -> Option<String> {
    RECORD.message()
}

/// Fails with [`ErrorCode::PoolBroken`](crate::ErrorCode::PoolBroken) once a
/// crash has been recorded: a panic on any thread under `panic = "abort"`, or a
/// trap in a pool thread. Call it first in exported functions that use rayon so
/// that, without `rayon-web-host`, every call after a crash rejects at once
/// with the crash's message and how to recover, instead of entering rayon with
/// a dead thread. (The call that was running when a pool thread died stays
/// blocked: only a host on another thread can reject that one.)
///
/// ```no_run
/// use rayon::prelude::*;
/// use wasm_bindgen::prelude::*;
///
/// #[wasm_bindgen]
/// pub fn total(xs: &[f64]) -> Result<f64, JsValue> {
///     rayon_web::check_pool()?; // a RayonWebError with code POOL_BROKEN
///     Ok(xs.par_iter().sum())
/// }
/// ```
pub fn check_pool() -> Result<(), crate::Error> {
    RECORD.check()
}

impl CrashRecord {
    fn check(&self) -> Result<(), crate::Error> {
        match self.message() {
            None => Ok(()),
            Some(crash) => Err(crate::Error::new(
                crate::ErrorCode::PoolBroken,
                format!(
                    "rayon-web: the pool is broken ({crash}); a thread died mid-work, so this \
                     module instance cannot run parallel code any more. Re-create the instance: \
                     with rayon-web-host call host.recreate(), otherwise terminate the worker \
                     that owns it and instantiate the module again (README, \"Lifecycle and errors\")."
                ),
            )),
        }
    }
}

/// Under `panic = "abort"`, records every panic before the trap, then runs the
/// previously installed hook (for example `console_error_panic_hook`).
/// Under `panic = "unwind"` panics reach their caller instead, so nothing is recorded.
pub(crate) fn install_panic_hook() {
    static ONCE: Once = Once::new();
    if cfg!(panic = "unwind") {
        return;
    }
    ONCE.call_once(|| {
        let previous = std::panic::take_hook();
        std::panic::set_hook(Box::new(move |info| {
            let thread = match rayon::current_thread_index() {
                Some(i) => format!("pool thread {i}"),
                None => "a thread outside the pool".to_string(),
            };
            RECORD.record(&format!("panic in {thread}: {info}"));
            previous(info);
        }));
    });
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn first_record_wins_and_is_cut_at_a_char_boundary() {
        let r = CrashRecord { state: AtomicI32::new(0), len: AtomicU32::new(0), message: UnsafeCell::new([0; CAPACITY]) };
        assert_eq!(r.message(), None);
        let long = "é".repeat(CAPACITY);
        r.record(&long);
        r.record("second");
        let got = r.message().unwrap();
        assert!(got.len() <= CAPACITY && got.chars().all(|c| c == 'é'));
    }

    #[test]
    fn check_fails_with_pool_broken_once_a_crash_is_recorded() {
        let r = CrashRecord { state: AtomicI32::new(0), len: AtomicU32::new(0), message: UnsafeCell::new([0; CAPACITY]) };
        assert_eq!(r.check(), Ok(()));
        r.record("panic in pool thread 1: boom");
        let err = r.check().unwrap_err();
        assert_eq!(err.code(), crate::ErrorCode::PoolBroken);
        assert!(err.message().contains("(panic in pool thread 1: boom)"), "{err}");
        assert!(err.message().contains("host.recreate()"), "{err}");
    }
}
