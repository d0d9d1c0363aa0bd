//! What a pool is asked to be: thread count, stack size, worker names, start-up
//! deadline. Validation is plain Rust (tested natively); the JS parsing of
//! `initThreadPool(n)` / `initThreadPool({ numThreads, stackSize })` is below.

use crate::error::Error;

/// The largest pool rayon-web starts. Each thread is a worker with its own
/// instance of the module and a stack in the shared memory (2 MiB by default),
/// and browsers limit workers per origin (Firefox: `dom.workers.maxPerDomain`,
/// 20 by default in some configurations), so larger pools cost memory and may
/// never start. 64 is far above any core count a browser reports today.
pub const MAX_THREADS: usize = 64;

/// wasm-bindgen's default thread stack size (2 MiB).
pub const DEFAULT_STACK_SIZE: usize = 2 << 20;

/// Largest accepted stack size per thread (256 MiB); the whole memory is at most 4 GiB.
pub const MAX_STACK_SIZE: usize = 256 << 20;

/// A wasm page: stack sizes must be a multiple of it (wasm-bindgen's rule).
pub const WASM_PAGE: usize = 65536;

/// Default deadline for every worker to instantiate the module and report ready.
pub const DEFAULT_TIMEOUT_MS: u32 = 4000;

/// Default time a custom pool's workers stay idle after the pool is dropped,
/// waiting to be reused by the next pool (see [`PoolOptions::keep_alive_ms`]).
pub const DEFAULT_KEEP_ALIVE_MS: u32 = 10_000;

/// Options for a pool. Build with [`PoolOptions::new`] and the setters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolOptions {
    pub(crate) num_threads: usize,
    pub(crate) stack_size: usize,
    pub(crate) name_prefix: String,
    pub(crate) timeout_ms: u32,
    pub(crate) glue_url: Option<String>,
    pub(crate) keep_alive_ms: u32,
}

impl PoolOptions {
    /// Options for `num_threads` threads with default stack size, names and deadline.
    pub fn new(num_threads: usize) -> Self {
        PoolOptions {
            num_threads,
            stack_size: DEFAULT_STACK_SIZE,
            name_prefix: "rayon-web-".into(),
            timeout_ms: DEFAULT_TIMEOUT_MS,
            glue_url: None,
            keep_alive_ms: DEFAULT_KEEP_ALIVE_MS,
        }
    }

    /// Stack size of each thread in bytes: a nonzero multiple of 65536.
    pub fn stack_size(mut self, bytes: usize) -> Self {
        self.stack_size = bytes;
        self
    }

    /// Worker names are this prefix plus the thread index (`rayon-web-0`, …),
    /// visible in browser devtools and Node's `worker.threadName`.
    pub fn name_prefix(mut self, prefix: impl Into<String>) -> Self {
        self.name_prefix = prefix.into();
        self
    }

    /// How long the workers may take to become ready before the start fails.
    pub fn timeout_ms(mut self, ms: u32) -> Self {
        self.timeout_ms = ms;
        self
    }

    /// The URL workers import the wasm-bindgen glue from. Defaults to the glue's
    /// own `import.meta.url`; set it when a bundler merged the glue into a chunk
    /// that must not run in workers.
    pub fn glue_url(mut self, url: impl Into<String>) -> Self {
        self.glue_url = Some(url.into());
        self
    }

    /// Custom pools on wasm: how long each worker stays alive after the pool is
    /// dropped, waiting for a later pool (built by the same thread, with the
    /// same stack size) to reuse it; default [`DEFAULT_KEEP_ALIVE_MS`]. Reused
    /// workers make a new pool ready in microseconds and keep memory flat —
    /// every wasm thread that exits leaks its thread-local values (~2 KB,
    /// Rust std never runs their destructors on wasm). `0` ends the workers as
    /// soon as the pool is dropped; [`release_idle_workers`](crate::release_idle_workers)
    /// ends idle ones at any time. Ignored by the global pool (its threads never
    /// end) and natively (rayon's OS threads exit with their pool).
    pub fn keep_alive_ms(mut self, ms: u32) -> Self {
        self.keep_alive_ms = ms;
        self
    }

    /// The number of threads.
    pub fn num_threads(&self) -> usize {
        self.num_threads
    }

    /// Checks every field, with a message saying what to change.
    pub fn validate(&self) -> Result<(), Error> {
        if self.num_threads == 0 {
            return Err(Error::invalid(
                "rayon-web: numThreads must be at least 1 (for example navigator.hardwareConcurrency)",
            ));
        }
        if self.num_threads > MAX_THREADS {
            return Err(Error::invalid(format!(
                "rayon-web: numThreads is {}, above the maximum of {MAX_THREADS}; \
                 use at most navigator.hardwareConcurrency",
                self.num_threads
            )));
        }
        if self.stack_size == 0 || !self.stack_size.is_multiple_of(WASM_PAGE) || self.stack_size > MAX_STACK_SIZE {
            return Err(Error::invalid(format!(
                "rayon-web: stackSize is {}; it must be a nonzero multiple of 65536 bytes \
                 up to {MAX_STACK_SIZE} (default {DEFAULT_STACK_SIZE})",
                self.stack_size
            )));
        }
        if self.timeout_ms == 0 {
            return Err(Error::invalid("rayon-web: timeoutMs must be at least 1"));
        }
        Ok(())
    }
}

impl From<usize> for PoolOptions {
    /// `PoolOptions::new(num_threads)`: lets the native
    /// [`init_thread_pool`](crate::init_thread_pool) take a plain count.
    fn from(num_threads: usize) -> Self {
        PoolOptions::new(num_threads)
    }
}

#[cfg(target_arch = "wasm32")]
mod js {
    use super::*;
    use wasm_bindgen::{JsCast, JsValue};

    const ACCEPTED: &str = "initThreadPool takes a thread count or \
        { numThreads, stackSize?, namePrefix?, timeoutMs?, glueUrl? }";

    fn count(value: &JsValue, what: &str, max: f64) -> Result<usize, Error> {
        let Some(n) = value.as_f64() else {
            return Err(Error::invalid(format!(
                "rayon-web: {what} must be a number, got {}; {ACCEPTED}",
                describe(value)
            )));
        };
        if !(n.is_finite() && n.fract() == 0.0) {
            return Err(Error::invalid(format!("rayon-web: {what} must be an integer, got {n}; {ACCEPTED}")));
        }
        if n < 0.0 {
            return Err(Error::invalid(format!("rayon-web: {what} must be positive, got {n}")));
        }
        // Larger values are reported by `validate` with the real cap.
        Ok(n.min(max) as usize)
    }

    fn describe(value: &JsValue) -> String {
        if value.is_undefined() {
            "undefined".into()
        } else if value.is_null() {
            "null".into()
        } else if let Some(s) = value.as_string() {
            format!("the string {s:?}")
        } else {
            format!("a value of type {}", value.js_typeof().as_string().unwrap_or_default())
        }
    }

    fn field(obj: &JsValue, name: &str) -> JsValue {
        js_sys::Reflect::get(obj, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
    }

    impl PoolOptions {
        /// Reads `initThreadPool`'s argument: a thread count or an options object.
        pub fn from_js(arg: &JsValue) -> Result<PoolOptions, Error> {
            // Values above the cap are clamped just past it so `validate` names the cap.
            let over = (MAX_THREADS + 1) as f64;
            let options = if arg.is_object() && !arg.is_function() && !arg.is_instance_of::<js_sys::Number>() {
                let known = ["numThreads", "stackSize", "namePrefix", "timeoutMs", "glueUrl"];
                for key in js_sys::Object::keys(arg.unchecked_ref::<js_sys::Object>()).iter() {
                    let key = key.as_string().unwrap_or_default();
                    if !known.contains(&key.as_str()) {
                        return Err(Error::invalid(format!(
                            "rayon-web: unknown option {key:?}; {ACCEPTED}"
                        )));
                    }
                }
                let mut o = PoolOptions::new(count(&field(arg, "numThreads"), "numThreads", over)?);
                let stack = field(arg, "stackSize");
                if !stack.is_undefined() {
                    o.stack_size = count(&stack, "stackSize", (MAX_STACK_SIZE + 1) as f64)?;
                }
                let prefix = field(arg, "namePrefix");
                if !prefix.is_undefined() {
                    o.name_prefix = prefix.as_string().ok_or_else(|| {
                        Error::invalid(format!("rayon-web: namePrefix must be a string, got {}", describe(&prefix)))
                    })?;
                }
                let timeout = field(arg, "timeoutMs");
                if !timeout.is_undefined() {
                    o.timeout_ms = count(&timeout, "timeoutMs", u32::MAX as f64)? as u32;
                }
                let glue = field(arg, "glueUrl");
                if !glue.is_undefined() {
                    o.glue_url = Some(glue.as_string().ok_or_else(|| {
                        Error::invalid(format!("rayon-web: glueUrl must be a string, got {}", describe(&glue)))
                    })?);
                }
                o
            } else {
                PoolOptions::new(count(arg, "the thread count", over)?)
            };
            options.validate()?;
            Ok(options)
        }
    }
}

#[cfg(test)]
mod test;
