//! Starting workers from Rust: the binding to `js/spawn.js`, plus the two
//! things only Rust can name — the compiled module and the shared memory.

use crate::error::{Error, ErrorCode};
use crate::handoff::Handoff;
use crate::idle;
use crate::options::PoolOptions;
use std::cell::Cell;
use std::sync::Arc;
use wasm_bindgen::prelude::*;
use wasm_bindgen_futures::JsFuture;

#[wasm_bindgen(module = "/js/spawn.js")]
extern "C" {
    /// The workers of one pool (JS class `WorkerGroup`).
    pub(crate) type WorkerGroup;

    #[wasm_bindgen(js_name = startWorkers)]
    fn start_workers(request: &js_sys::Object) -> js_sys::Promise;

    #[wasm_bindgen(js_name = environmentProblem)]
    fn environment_problem(memory: &JsValue) -> JsValue;

    fn delay(ms: u32) -> js_sys::Promise;

    #[wasm_bindgen(js_name = holdEventLoop)]
    fn hold_event_loop() -> JsValue;

    #[wasm_bindgen(js_name = releaseEventLoop)]
    fn release_event_loop(handle: &JsValue);

    #[wasm_bindgen(js_name = liveWorkers)]
    pub(crate) fn live_workers() -> u32;
}

// Called from Rust (rather than by js/spawn.js alone) so that the glue imports
// js/worker.js itself: every worker imports the glue, and a snippet only
// spawn.js imported would be one more round trip down the module graph.
#[wasm_bindgen(module = "/js/worker.js")]
extern "C" {
    #[wasm_bindgen(js_name = workerSource)]
    fn worker_source(glue_url: &str) -> JsValue;
}

// Re-exported from the user's glue as `prewarmThreadPool`: a plain JS function
// (js/spawn.js), so it can run before the glue's `init()` has compiled the
// module — which a wasm export cannot. Rust never calls it. Declared in
// typescript.rs.
#[wasm_bindgen(module = "/js/spawn.js")]
extern "C" {
    #[allow(dead_code)]
    #[wasm_bindgen(js_name = prewarmThreadPool, reexport, skip_typescript)]
    fn prewarm_thread_pool(options: &JsValue) -> u32;
}

#[wasm_bindgen]
extern "C" {
    // Evaluated inside the wasm-bindgen glue, so this is the glue's own URL:
    // the module every worker imports to instantiate the same wasm. Requires an
    // ES-module target (`--target web`; Node loads the same output).
    #[wasm_bindgen(thread_local_v2, js_namespace = ["import", "meta"], js_name = url)]
    static GLUE_URL: String;
}

/// How long a pool being built waits, at least, for the threads of a pool
/// dropped just before it to become idle, rather than start new workers.
/// Measured in Node on a 2-core machine, 300 drops: both threads idle after
/// 0.9 ms (median), 5.6 ms at most; with both cores loaded by other processes
/// 6.2 ms median, 8.9 ms at most. The wait happens only while this thread has
/// busy reusable workers with the pool's stack size — which is also the case,
/// in vain, when another of its pools is still running.
const REUSE_GRACE_MIN_MS: f64 = 25.0;

/// The longest wait for leaving threads, however slow starts have been.
const REUSE_GRACE_MAX_MS: f64 = 500.0;

thread_local! {
    /// How long this thread's last start of new workers took, until all were
    /// ready (0: none yet).
    static LAST_START_MS: Cell<f64> = const { Cell::new(0.0) };
}

/// How long to wait for a dropped pool's leaving threads: as long as starting
/// new workers took this thread last time (bounded by the two constants above),
/// since waiting longer than a start would cost more than it saves. A fixed
/// 25 ms was not enough on a loaded CI machine: in Chromium both threads of a
/// dropped pool took longer to leave rayon's loop, the next pool started two
/// new workers, and the create/drop cycles kept four (tests/lifecycle). Under
/// such load new workers start slowly too (40–60 ms idle, several times that
/// loaded), so this wait grows with the load that delays the leaving threads.
fn reuse_grace_ms() -> f64 {
    LAST_START_MS.with(Cell::get).clamp(REUSE_GRACE_MIN_MS, REUSE_GRACE_MAX_MS)
}

/// Workers waiting in their handoffs, ready to run a pool's threads: reused
/// idle workers (`idle.rs`) first, then freshly started ones. Both the global
/// pool (`global.rs`) and custom pools (`pool.rs`) build on this. The caller
/// configures a rayon builder with [`ReadyWorkers::thread_name`] and
/// [`ReadyWorkers::spawn_handler`], then keeps the group or, if rayon refuses
/// the build, [`ReadyWorkers::abandon`]s it.
pub(crate) struct ReadyWorkers {
    /// Thread `i` goes to `handoffs[i]`; the first `reused` were idle workers.
    handoffs: Vec<Arc<Handoff>>,
    reused: usize,
    /// The freshly started workers, if any.
    group: Option<WorkerGroup>,
    name_prefix: String,
}

impl ReadyWorkers {
    /// Checks the environment, claims idle workers and starts the rest of
    /// `options.num_threads`, and waits until all are ready (or one fails, or
    /// the deadline passes — then the new ones that have not entered wasm are
    /// terminated and the others cancelled (they exit by themselves), the
    /// claimed ones go back to the idle list, and the error is returned). After the pool
    /// ends, each worker stays idle for `keep_alive_ms` (0: exits at once).
    pub(crate) async fn start(options: &PoolOptions, keep_alive_ms: u32) -> Result<ReadyWorkers, Error> {
        check_environment()?;
        // Held across every await below, released on every return.
        let _hold = EventLoopHold::new();
        let mut handoffs = claim_idle(options, keep_alive_ms).await;
        let reused = handoffs.len();
        let owner = idle::owner_id();
        let fresh: Vec<_> = (reused..options.num_threads())
            .map(|_| Handoff::new(options.stack_size, owner, keep_alive_ms))
            .collect();
        let group = if fresh.is_empty() {
            None
        } else {
            let since = js_sys::Date::now();
            match start(options, &fresh, reused).await {
                Ok(group) => {
                    LAST_START_MS.with(|ms| ms.set(js_sys::Date::now() - since));
                    Some(group)
                }
                Err(e) => {
                    idle::unclaim(handoffs);
                    return Err(e);
                }
            }
        };
        handoffs.extend(fresh);
        Ok(ReadyWorkers { handoffs, reused, group, name_prefix: options.name_prefix.clone() })
    }

    /// rayon's thread names, the same as new workers' (`rayon-web-0`, …). A
    /// reused worker keeps the name it was started with in devtools.
    pub(crate) fn thread_name(&self) -> impl FnMut(usize) -> String + 'static {
        let prefix = self.name_prefix.clone();
        move |i| format!("{prefix}{i}")
    }

    /// rayon's spawn handler: thread `i` goes to the worker waiting in handoff `i`.
    pub(crate) fn spawn_handler(&self) -> impl FnMut(rayon_core::ThreadBuilder) -> std::io::Result<()> {
        let slots = self.handoffs.clone();
        move |thread| {
            idle::deliver(&slots[thread.index()], thread);
            Ok(())
        }
    }

    /// rayon refused the build: reused workers go back to the idle list, new
    /// ones return from their entry point and exit. Not terminated: every one
    /// is in wasm (waiting in its handoff, or about to free its stack), and a
    /// worker killed there could leave the allocator's lock held for every
    /// thread (js/spawn.js, WorkerGroup's gate); each is terminated once it
    /// posts 'exited'.
    pub(crate) fn abandon(mut self) {
        let fresh = self.handoffs.split_off(self.reused);
        idle::unclaim(self.handoffs);
        for h in &fresh {
            h.cancel();
        }
    }

    /// The new workers, once rayon owns their threads.
    pub(crate) fn into_group(self) -> Option<WorkerGroup> {
        self.group
    }
}

/// Keeps the JS event loop of this thread alive while Rust awaits (see
/// `holdEventLoop` in js/spawn.js for why): without it Deno may exit a script
/// between a JS promise settling and Rust resuming, leaving `initThreadPool`'s
/// promise unsettled forever.
struct EventLoopHold(JsValue);

impl EventLoopHold {
    fn new() -> Self {
        EventLoopHold(hold_event_loop())
    }
}

impl Drop for EventLoopHold {
    fn drop(&mut self) {
        release_event_loop(&self.0);
    }
}

/// Up to `options.num_threads` idle workers to reuse, waiting up to
/// [`reuse_grace_ms`] for threads that are still leaving a dropped pool.
async fn claim_idle(options: &PoolOptions, keep_alive_ms: u32) -> Vec<Arc<Handoff>> {
    let n = options.num_threads();
    let mut claimed = idle::claim(n, options.stack_size, keep_alive_ms);
    let since = js_sys::Date::now();
    let grace = reuse_grace_ms();
    while claimed.len() < n && idle::busy(options.stack_size) > 0 && js_sys::Date::now() - since < grace {
        // Yield to the event loop: the threads we wait for need no help from
        // this one, but a page's main thread must not spin.
        let _ = JsFuture::from(delay(1)).await;
        claimed.extend(idle::claim(n - claimed.len(), options.stack_size, keep_alive_ms));
    }
    claimed
}

/// The alignment wasm-bindgen's injected start function asks of a thread's
/// stack when it `malloc`s it (`transforms/threads` in wasm-bindgen-cli-support).
const STACK_ALIGN: usize = 16;

/// From this total of new stacks on, [`start`] allocates them once on this
/// thread and frees them before starting the workers ([`fits_stacks`]). Why:
/// - When the memory cannot hold them, a worker's stack `malloc` (wasm-bindgen's
///   injected start function) aborts inside wasm-bindgen's thread-start lock,
///   which stays held: later pools of this instance time out (seen with 8
///   stacks of 256 MiB). Checked first, nothing starts, the error names the
///   options, and the instance can still start a smaller pool.
/// - The allocator keeps the freed pages, so the workers take their stacks from
///   memory that existed before they received it, instead of up to 64 workers
///   growing it while the others instantiate: an instance can act on a stale
///   length of a memory grown by another thread
///   (https://github.com/dotnet/runtime/pull/94299), and once, at 64 threads
///   under CPU load, a worker failed with "memory access out of bounds".
///
/// Not for every pool: allocating stacks early raises the memory's high-water
/// mark when a pool is built while the previous one's workers are still
/// freeing theirs (measured: +2 MiB after 80 create/drop cycles of 2 threads,
/// tests/lifecycle). 16 default stacks.
const RESERVE_STACKS_FROM: usize = 32 << 20;

/// A worker whose stack `malloc` fails aborts, and its start-up reports only
/// "RuntimeError: unreachable". When that is what `error` says and the memory
/// cannot hold `threads` stacks now, says so instead; otherwise returns `error`.
fn explain_stack_failure(error: Error, threads: usize, stack_size: usize) -> Error {
    if error.code() != ErrorCode::WorkerInitFailed || !error.message().contains("unreachable") {
        return error;
    }
    let fits = fits_stacks(threads, stack_size);
    if fits == threads {
        return error;
    }
    stacks_do_not_fit(threads, stack_size, fits, Some(&error))
}

/// The coded error for stacks the memory cannot hold.
fn stacks_do_not_fit(threads: usize, stack_size: usize, fits: usize, reported: Option<&Error>) -> Error {
    const MIB: u64 = 1 << 20;
    let now = (core::arch::wasm32::memory_size(0) * crate::options::WASM_PAGE) as u64;
    // See RESERVE_STACKS_FROM: the lock is `with_temp_stack` in wasm-bindgen's threads transform.
    let reported = reported.map_or(String::new(), |e| {
        format!(
            " This module instance cannot start workers any more (the worker died holding wasm-bindgen's \
             thread-start lock): load it again. The worker reported: {}",
            e.message()
        )
    });
    Error::new(
        ErrorCode::WorkerInitFailed,
        format!(
            "rayon-web: the wasm memory cannot hold the stacks of {threads} new worker(s) of stackSize {stack_size} \
             bytes ({} MiB; room is left for {fits}; the memory is {} MiB now and cannot grow past its maximum: \
             --max-memory at link time, or that of a WebAssembly.Memory passed to the glue's init). Use fewer \
             threads (numThreads) or a smaller stackSize, or raise that maximum (at most 4 GiB).{reported}",
            (threads as u64 * stack_size as u64).div_ceil(MIB),
            now / MIB,
        ),
    )
}

/// How many of `threads` blocks of `stack_size` bytes the allocator can give
/// at once now (it keeps the pages after they are freed).
fn fits_stacks(threads: usize, stack_size: usize) -> usize {
    let Ok(layout) = std::alloc::Layout::from_size_align(stack_size, STACK_ALIGN) else {
        return 0;
    };
    let mut blocks = Vec::with_capacity(threads);
    while blocks.len() < threads {
        // SAFETY: `layout` has a non-zero size (stack sizes are at least one
        // wasm page, options.rs); null means out of memory.
        let block = unsafe { std::alloc::alloc(layout) };
        if block.is_null() {
            break;
        }
        blocks.push(block);
    }
    let fits = blocks.len();
    for block in blocks {
        // SAFETY: allocated just above with the same layout, freed once.
        unsafe { std::alloc::dealloc(block, layout) };
    }
    fits
}

/// Fails with a coded error when this environment cannot run workers sharing our memory.
fn check_environment() -> Result<(), Error> {
    // A single-threaded build (no `atomics` target feature: lib.rs, "Single-threaded
    // builds") compiles rayon-web too, so that one Cargo.toml serves both builds;
    // it can never share its memory, whatever the page.
    if !cfg!(target_feature = "atomics") {
        return Err(Error::new(ErrorCode::MemoryNotShared, SINGLE_THREADED_BUILD));
    }
    let problem = environment_problem(&wasm_bindgen::memory());
    if problem.is_null() || problem.is_undefined() {
        return Ok(());
    }
    let pair: js_sys::Array = problem.unchecked_into();
    let code = pair.get(0).as_string().and_then(|c| ErrorCode::parse(&c)).unwrap_or(ErrorCode::SharedMemoryUnavailable);
    Err(Error::new(code, pair.get(1).as_string().unwrap_or_default()))
}

/// What a pool start says in a single-threaded build.
const SINGLE_THREADED_BUILD: &str = "rayon-web: this build of the module is single-threaded (compiled without the \
     `atomics` target feature), so it cannot start a pool: here rayon runs parallel iterators on the calling \
     thread. In a single-threaded build that is expected; do not start a pool there (rayon-web-host's `single` \
     and `shards` modes never do). For a threaded build, build with the rustflags of rayon-web's README \
     (\"Build flags\": -C target-feature=+atomics and the shared-memory link args) and -Z build-std=std,panic_abort, \
     on a nightly or a stable release with RUSTC_BOOTSTRAP=1.";

/// Starts one worker per handoff; see [`ReadyWorkers::start`].
/// `first_index` is the rayon index of the first (names and messages use it).
async fn start(options: &PoolOptions, handoffs: &[Arc<Handoff>], first_index: usize) -> Result<WorkerGroup, Error> {
    crate::crash::install_panic_hook();
    let stacks = handoffs.len().saturating_mul(options.stack_size);
    if stacks >= RESERVE_STACKS_FROM {
        let fits = fits_stacks(handoffs.len(), options.stack_size);
        if fits < handoffs.len() {
            return Err(stacks_do_not_fit(handoffs.len(), options.stack_size, fits, None));
        }
    }
    let addrs: js_sys::Array = handoffs.iter().map(|h| JsValue::from(Handoff::share_with_worker(h))).collect();
    let glue_url = match &options.glue_url {
        Some(url) => url.clone(),
        None => GLUE_URL.with(String::clone),
    };
    let request = js_sys::Object::new();
    let set = |k: &str, v: &JsValue| {
        // Reflect::set on a plain fresh object cannot fail.
        let _ = js_sys::Reflect::set(&request, &JsValue::from_str(k), v);
    };
    set("workerSource", &worker_source(&glue_url));
    set("module", &wasm_bindgen::module());
    set("memory", &wasm_bindgen::memory());
    set("glueUrl", &JsValue::from_str(&glue_url));
    set("stackSize", &JsValue::from(options.stack_size as u32));
    set("namePrefix", &JsValue::from_str(&options.name_prefix));
    set("timeoutMs", &JsValue::from(options.start_timeout_ms()));
    set("handoffs", &addrs);
    set("firstIndex", &JsValue::from(first_index as u32));
    set("crashRecord", &JsValue::from(crate::crash::record_addr()));
    match JsFuture::from(start_workers(&request)).await {
        Ok(group) => Ok(group.unchecked_into()),
        Err(e) => {
            // The workers that had entered wasm were not terminated (js/spawn.js,
            // WorkerGroup's gate): they wait, or will, in their handoffs. Cancelled,
            // they return, free their stacks and exit by themselves.
            for h in handoffs {
                h.cancel();
            }
            Err(explain_stack_failure(Error::from_js(&e, ErrorCode::WorkerLoadFailed), handoffs.len(), options.stack_size))
        }
    }
}
