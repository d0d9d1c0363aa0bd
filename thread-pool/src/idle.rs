//! Workers whose pool has ended, waiting to run a thread of the next pool.
//!
//! Why reuse at all: Rust's std never runs thread-local destructors on wasm
//! threads (std `sys/thread_local/mod.rs`: "For now we just leak everything"),
//! so every wasm thread that exits leaks its thread-locals' heap values (about
//! 2 KB per thread: crossbeam-epoch's per-thread record, std's destructor list,
//! wasm-bindgen's externref slab…). A worker that stays alive keeps its
//! thread-locals and uses them again, so pools created and dropped in a loop
//! leave memory flat — and a reused worker is ready in microseconds instead of
//! the tens of milliseconds a new one takes to instantiate the module.
//! Emscripten keeps exited pthreads' workers for reuse for the same reasons.
//!
//! The list lives in shared memory, but a thread only reuses the workers it
//! created itself (`owner_id`): a worker dies with the thread that created it
//! (browsers end nested workers with their parent), and only that thread
//! would notice.
//!
//! Each idle worker waits in its [`Handoff`] with a deadline (the keep-alive of
//! the pool it last ran for). See `handoff.rs` for the slot's states; the
//! lists add these rules, all under [`WORKERS`]' lock:
//!
//! - a worker is *busy* from the moment a pool delivers it a thread of a
//!   reusable pool (keep-alive > 0) until it is back in the idle list;
//! - a worker is claimed by removing it from the idle list;
//! - a worker whose deadline passed exits only if it can still remove itself
//!   from the idle list ([`withdraw`]) — otherwise someone has claimed it and
//!   will deliver, cancel, or put it back;
//! - a busy worker whose keep-alive was set to 0 meanwhile
//!   ([`release_all`]) exits instead of going idle.

use crate::handoff::{Handoff, Next};
use rayon_core::ThreadBuilder;
use std::cell::Cell;
use std::sync::atomic::{AtomicU32, Ordering};
use std::sync::{Arc, MutexGuard};
use std::time::Duration;
use wasm_sync::Mutex;

/// Workers of reusable pools, of every owner.
struct Lists {
    /// Waiting for a pool, oldest first.
    idle: Vec<Arc<Handoff>>,
    /// Running a thread of a reusable pool (or leaving it).
    busy: Vec<Arc<Handoff>>,
}

static WORKERS: Mutex<Lists> = Mutex::new(Lists { idle: Vec::new(), busy: Vec::new() });

static NEXT_OWNER: AtomicU32 = AtomicU32::new(1);

thread_local! {
    static OWNER: Cell<u32> = const { Cell::new(0) };
}

fn lists() -> MutexGuard<'static, Lists> {
    // Nothing panics while holding the lock; recover the lists anyway.
    WORKERS.lock().unwrap_or_else(|e| e.into_inner())
}

fn remove(list: &mut Vec<Arc<Handoff>>, handoff: &Arc<Handoff>) -> bool {
    match list.iter().position(|h| Arc::ptr_eq(h, handoff)) {
        Some(i) => {
            list.remove(i);
            true
        }
        None => false,
    }
}

/// This thread's id as an owner of workers (nonzero, unique in the instance).
pub(crate) fn owner_id() -> u32 {
    OWNER.with(|o| {
        if o.get() == 0 {
            o.set(NEXT_OWNER.fetch_add(1, Ordering::Relaxed));
        }
        o.get()
    })
}

/// How many of this thread's workers with this stack size are busy: a pool
/// dropped just now has its threads here while they leave rayon's loop.
pub(crate) fn busy(stack_size: usize) -> usize {
    let owner = owner_id();
    lists().busy.iter().filter(|h| h.owner == owner && h.stack_size == stack_size).count()
}

/// How many of this thread's workers are idle.
pub(crate) fn idle_count() -> usize {
    let owner = owner_id();
    lists().idle.iter().filter(|h| h.owner == owner).count()
}

/// Takes up to `n` of this thread's idle workers with this stack size, oldest
/// first, and sets the keep-alive of the pool they will run for. Each is then
/// delivered a thread, or handed back with [`unclaim`].
pub(crate) fn claim(n: usize, stack_size: usize, keep_alive_ms: u32) -> Vec<Arc<Handoff>> {
    let owner = owner_id();
    let mut taken = Vec::new();
    lists().idle.retain(|h| {
        let take = taken.len() < n && h.owner == owner && h.stack_size == stack_size;
        if take {
            taken.push(Arc::clone(h));
        }
        !take
    });
    for h in &taken {
        h.set_keep_alive_ms(keep_alive_ms);
    }
    taken
}

/// Puts claimed workers back, unused (their pool was not built).
pub(crate) fn unclaim(handoffs: Vec<Arc<Handoff>>) {
    lists().idle.extend(handoffs);
}

/// Ends this thread's idle workers, and makes its busy ones exit when their
/// pool ends instead of going idle; returns how many workers that is.
pub(crate) fn release_all() -> usize {
    let owner = owner_id();
    let mut released = Vec::new();
    let busy = {
        let mut lists = lists();
        lists.idle.retain(|h| {
            let mine = h.owner == owner;
            if mine {
                released.push(Arc::clone(h));
            }
            !mine
        });
        let busy: Vec<_> = lists.busy.iter().filter(|h| h.owner == owner).cloned().collect();
        // Under the lock, so that none of them goes idle with the old keep-alive.
        for h in &busy {
            h.set_keep_alive_ms(0);
        }
        busy.len()
    };
    for h in &released {
        h.cancel();
    }
    released.len() + busy
}

/// Removes `handoff` from the idle list if it is still there (its worker may exit).
fn withdraw(handoff: &Arc<Handoff>) -> bool {
    remove(&mut lists().idle, handoff)
}

/// Host side: hands `thread` to the worker waiting in `handoff`; a thread of a
/// reusable pool makes its worker busy (see the module docs).
pub(crate) fn deliver(handoff: &Arc<Handoff>, thread: ThreadBuilder) {
    if handoff.keep_alive_ms() > 0 {
        lists().busy.push(Arc::clone(handoff));
    }
    handoff.deliver(thread);
}

/// Worker side: runs every rayon thread this worker is handed, first by its
/// start-up, then by later pools while it is kept alive. Returns when the
/// worker should exit.
pub(crate) fn run_threads(handoff: Arc<Handoff>) {
    // The first thread comes from the start-up that created this worker, which
    // delivers or cancels within its own deadline.
    let Next::Thread(mut thread) = handoff.wait_for_thread(None) else { return };
    loop {
        thread.run();
        let keep_alive = {
            let mut lists = lists();
            if !remove(&mut lists.busy, &handoff) {
                // Not a reusable pool's thread (the global pool's never return).
                return;
            }
            let keep_alive = handoff.keep_alive_ms();
            if keep_alive == 0 {
                return;
            }
            handoff.empty();
            // In one step with leaving `busy`, so a pool being built always
            // finds it in one list or the other.
            lists.idle.push(Arc::clone(&handoff));
            keep_alive
        };
        match wait_while_idle(&handoff, keep_alive) {
            Some(next) => thread = next,
            None => return,
        }
    }
}

/// Waits in the idle list until a pool claims this worker (`Some`), or it is
/// released or its keep-alive passes (`None`).
fn wait_while_idle(handoff: &Arc<Handoff>, keep_alive_ms: u32) -> Option<ThreadBuilder> {
    loop {
        match handoff.wait_for_thread(Some(Duration::from_millis(keep_alive_ms.into()))) {
            Next::Thread(thread) => return Some(thread),
            Next::Cancelled => return None,
            // Claimed meanwhile: whoever claimed it delivers, cancels or puts it
            // back; in the last case the next deadline ends it.
            Next::TimedOut if !withdraw(handoff) => continue,
            Next::TimedOut => return None,
        }
    }
}
