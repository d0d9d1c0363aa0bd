//! Starting workers from Rust: the binding to `js/spawn.js`, plus the two
//! things only Rust can name — the compiled module and the shared memory.

use crate::error::{Error, ErrorCode};
use crate::handoff::Handoff;
use crate::options::PoolOptions;
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

    #[wasm_bindgen(js_name = liveWorkers)]
    pub(crate) fn live_workers() -> u32;

    #[wasm_bindgen(method)]
    fn terminate(this: &WorkerGroup);
}

#[wasm_bindgen(module = "/js/worker.js")]
extern "C" {
    #[wasm_bindgen(js_name = workerSource)]
    fn worker_source(glue_url: &str) -> JsValue;
}

#[wasm_bindgen]
extern "C" {
    // Evaluated inside the wasm-bindgen glue, so this is the glue's own URL:
    // the module every worker imports to instantiate the same wasm. Requires an
    // ES-module target (`--target web`; Node loads the same output).
    #[wasm_bindgen(thread_local_v2, js_namespace = ["import", "meta"], js_name = url)]
    static GLUE_URL: String;
}

/// Workers that have instantiated the module and wait in their handoffs: what
/// both the global pool (`global.rs`) and custom pools (`pool.rs`) build on.
/// The caller configures a rayon builder with [`ReadyWorkers::thread_name`]
/// and [`ReadyWorkers::spawn_handler`], then keeps the group or, if rayon
/// refuses the build, [`ReadyWorkers::abandon`]s it.
pub(crate) struct ReadyWorkers {
    handoffs: Vec<Arc<Handoff>>,
    group: WorkerGroup,
    name_prefix: String,
}

impl ReadyWorkers {
    /// Checks the environment, starts `options.num_threads` workers and waits
    /// until all are ready (or one fails, or the deadline passes — then all are
    /// terminated and the error returned).
    pub(crate) async fn start(options: &PoolOptions) -> Result<ReadyWorkers, Error> {
        check_environment()?;
        let handoffs: Vec<_> = (0..options.num_threads).map(|_| Handoff::new()).collect();
        let group = start(options, &handoffs).await?;
        Ok(ReadyWorkers { handoffs, group, name_prefix: options.name_prefix.clone() })
    }

    /// rayon's thread names, the same as the workers' (`rayon-web-0`, …).
    pub(crate) fn thread_name(&self) -> impl FnMut(usize) -> String + 'static {
        let prefix = self.name_prefix.clone();
        move |i| format!("{prefix}{i}")
    }

    /// rayon's spawn handler: thread `i` goes to the worker waiting in handoff `i`.
    pub(crate) fn spawn_handler(&self) -> impl FnMut(rayon_core::ThreadBuilder) -> std::io::Result<()> {
        let slots = self.handoffs.clone();
        move |thread| {
            slots[thread.index()].deliver(thread);
            Ok(())
        }
    }

    /// rayon refused the build: the waiting workers return from their entry
    /// point, and are terminated in case one is stuck.
    pub(crate) fn abandon(self) {
        for h in &self.handoffs {
            h.cancel();
        }
        self.group.terminate();
    }

    /// The workers, once rayon owns their threads.
    pub(crate) fn into_group(self) -> WorkerGroup {
        self.group
    }
}

/// Fails with a coded error when this environment cannot run workers sharing our memory.
fn check_environment() -> Result<(), Error> {
    let problem = environment_problem(&wasm_bindgen::memory());
    if problem.is_null() || problem.is_undefined() {
        return Ok(());
    }
    let pair: js_sys::Array = problem.unchecked_into();
    let code = pair.get(0).as_string().and_then(|c| ErrorCode::parse(&c)).unwrap_or(ErrorCode::SharedMemoryUnavailable);
    Err(Error::new(code, pair.get(1).as_string().unwrap_or_default()))
}

/// Starts one worker per handoff; see [`ReadyWorkers::start`].
async fn start(options: &PoolOptions, handoffs: &[Arc<Handoff>]) -> Result<WorkerGroup, Error> {
    crate::crash::install_panic_hook();
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
    set("timeoutMs", &JsValue::from(options.timeout_ms));
    set("handoffs", &addrs);
    set("crashRecord", &JsValue::from(crate::crash::record_addr()));
    match JsFuture::from(start_workers(&request)).await {
        Ok(group) => Ok(group.unchecked_into()),
        Err(e) => Err(Error::from_js(&e, ErrorCode::WorkerLoadFailed)),
    }
}
