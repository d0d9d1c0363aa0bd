//! What a pool is asked to be: thread count, stack size, worker names, start-up
//! deadline. Validation is plain Rust (tested natively); the JS parsing of
//! `initThreadPool(n)` / `initThreadPool({ numThreads, stackSize })` is below.

use crate::error::Error;

/// The largest pool rayon-web starts. Each thread is a worker with its own
/// instance of the module and a stack in the shared memory (2 MiB by default:
/// 128 threads would take a quarter of the threaded build's 1 GiB), and
/// browsers limit workers per origin (Firefox: `dom.workers.maxPerDomain`),
/// so larger pools cost memory and may never start.
///
/// A larger count up to [`MAX_CORE_COUNT`] starts `MAX_THREADS` threads rather
/// than failing: browsers report the real core count in
/// `navigator.hardwareConcurrency` (Chromium and Firefox do not cap it), which
/// is 96–192 on large workstations, and `initThreadPool(navigator.hardwareConcurrency)`
/// — wasm-bindgen-rayon's documented call — must start a pool there too.
/// [`PoolOptions::num_threads`] and `rayon::current_num_threads()` say how many started.
pub const MAX_THREADS: usize = 64;

/// The largest thread count taken as a machine's core count (and capped at
/// [`MAX_THREADS`]); a larger one is refused as no core count at all.
pub const MAX_CORE_COUNT: usize = 65536;

/// wasm-bindgen's default thread stack size (2 MiB).
pub const DEFAULT_STACK_SIZE: usize = 2 << 20;

/// Largest accepted stack size per thread (256 MiB); the whole memory is at most 4 GiB.
pub const MAX_STACK_SIZE: usize = 256 << 20;

/// A wasm page: stack sizes must be a multiple of it (wasm-bindgen's rule).
pub const WASM_PAGE: usize = 65536;

/// Base of the default start-up deadline: see [`default_timeout_ms`].
pub const DEFAULT_TIMEOUT_MS: u32 = 4000;

/// What the default start-up deadline adds per thread: see [`default_timeout_ms`].
pub const DEFAULT_TIMEOUT_PER_THREAD_MS: u32 = 250;

/// The largest `timeoutMs`: 2^31 − 1 ms (24.8 days), the largest delay
/// `setTimeout` takes — browsers and Node store it as a signed 32-bit integer
/// and fire longer ones at once
/// (<https://developer.mozilla.org/en-US/docs/Web/API/Window/setTimeout#maximum_delay_value>).
pub const MAX_TIMEOUT_MS: u32 = i32::MAX as u32;

/// The start-up deadline when none is given:
/// `DEFAULT_TIMEOUT_MS + DEFAULT_TIMEOUT_PER_THREAD_MS × num_threads`
/// (4.5 s for 2 threads, 6 s for 8, 20 s for 64). Workers instantiate the
/// module in parallel, but on a loaded machine with few cores they take turns,
/// so start-up time grows with the count. A deadline that grows with it keeps
/// a large pool from failing only because the machine is busy, while a small
/// pool still fails fast.
pub const fn default_timeout_ms(num_threads: usize) -> u32 {
    let n = if num_threads > MAX_THREADS { MAX_THREADS } else { num_threads };
    DEFAULT_TIMEOUT_MS + DEFAULT_TIMEOUT_PER_THREAD_MS * n as u32
}

/// Default time a custom pool's workers stay idle after the pool is dropped,
/// waiting to be reused by the next pool (see [`PoolOptions::keep_alive_ms`]).
pub const DEFAULT_KEEP_ALIVE_MS: u32 = 10_000;

/// Options for a pool. Build with [`PoolOptions::new`] and the setters.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct PoolOptions {
    pub(crate) num_threads: usize,
    pub(crate) stack_size: usize,
    pub(crate) name_prefix: String,
    /// `None`: [`default_timeout_ms`] of the thread count.
    pub(crate) timeout_ms: Option<u32>,
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
            timeout_ms: None,
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

    /// How long the workers may take to become ready before the start fails:
    /// 1 to [`MAX_TIMEOUT_MS`]; default [`default_timeout_ms`] of the thread count.
    pub fn timeout_ms(mut self, ms: u32) -> Self {
        self.timeout_ms = Some(ms);
        self
    }

    /// The start-up deadline in effect: the one set, or the default for the thread count.
    pub fn start_timeout_ms(&self) -> u32 {
        self.timeout_ms.unwrap_or_else(|| default_timeout_ms(self.num_threads()))
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

    /// The number of threads the pool starts: the count asked for, at most
    /// [`MAX_THREADS`] (a larger core count starts that many; see there).
    pub fn num_threads(&self) -> usize {
        self.num_threads.min(MAX_THREADS)
    }

    /// Checks every field, with a message saying what to change.
    pub fn validate(&self) -> Result<(), Error> {
        check_threads(self.num_threads as f64, &self.num_threads.to_string())?;
        check_stack_size(self.stack_size as f64, &self.stack_size.to_string())?;
        if let Some(ms) = self.timeout_ms {
            check_timeout(f64::from(ms), &ms.to_string())?;
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

// One check per field, on the value as a number and as the caller wrote it
// (`shown`), so a message names what was passed — `1e300`, `NaN`, `-0` from JS —
// never a converted or clamped value. Rust setters and the JS parser both use them.

fn integer(n: f64, what: &str, shown: &str) -> Result<(), Error> {
    if n.is_finite() && n.fract() == 0.0 {
        Ok(())
    } else {
        Err(Error::invalid(format!("rayon-web: {what} must be an integer, got {shown}")))
    }
}

pub(crate) fn check_threads(n: f64, shown: &str) -> Result<usize, Error> {
    integer(n, "numThreads", shown)?;
    if n < 1.0 {
        return Err(Error::invalid(format!(
            "rayon-web: numThreads must be at least 1, got {shown} (for example the core count: navigator.hardwareConcurrency in JS, std::thread::available_parallelism() in Rust)"
        )));
    }
    if n > MAX_CORE_COUNT as f64 {
        return Err(Error::invalid(format!(
            "rayon-web: numThreads is {shown}, more than any machine's core count \
             (at most {MAX_CORE_COUNT}; a pool has at most {MAX_THREADS} threads); \
             use the core count (navigator.hardwareConcurrency, available_parallelism())"
        )));
    }
    // A core count above the pool's maximum starts the maximum (see MAX_THREADS).
    Ok((n as usize).min(MAX_THREADS))
}

pub(crate) fn check_stack_size(n: f64, shown: &str) -> Result<usize, Error> {
    let ok = n.is_finite() && n.fract() == 0.0 && n >= 1.0 && n <= MAX_STACK_SIZE as f64 && (n as usize).is_multiple_of(WASM_PAGE);
    if !ok {
        return Err(Error::invalid(format!(
            "rayon-web: stackSize is {shown}; it must be a nonzero multiple of 65536 bytes \
             up to {MAX_STACK_SIZE} (default {DEFAULT_STACK_SIZE})"
        )));
    }
    Ok(n as usize)
}

pub(crate) fn check_timeout(n: f64, shown: &str) -> Result<u32, Error> {
    integer(n, "timeoutMs", shown)?;
    if !(1.0..=MAX_TIMEOUT_MS as f64).contains(&n) {
        return Err(Error::invalid(format!(
            "rayon-web: timeoutMs is {shown}; it must be from 1 to {MAX_TIMEOUT_MS} ms (2^31 - 1, \
             the longest delay setTimeout supports); leave it out for the default \
             ({DEFAULT_TIMEOUT_MS} ms + {DEFAULT_TIMEOUT_PER_THREAD_MS} ms per thread)"
        )));
    }
    Ok(n as u32)
}

#[cfg(any(docsrs, target_arch = "wasm32"))]
mod js {
    use super::*;
    use wasm_bindgen::prelude::*;

    #[wasm_bindgen(module = "/js/options.js")]
    extern "C" {
        // `catch`: readOptions catches everything itself, but an exception must
        // never unwind through wasm frames into the promise machinery.
        #[wasm_bindgen(js_name = readOptions, catch)]
        fn read_options(arg: &JsValue) -> Result<JsValue, JsValue>;
    }

    const ACCEPTED: &str = "initThreadPool takes a thread count or \
        { numThreads, stackSize?, namePrefix?, timeoutMs?, glueUrl? }";

    /// A property of an object `readOptions` made (plain data, no getters).
    fn get(obj: &JsValue, name: &str) -> JsValue {
        js_sys::Reflect::get(obj, &JsValue::from_str(name)).unwrap_or(JsValue::UNDEFINED)
    }

    /// One option as `readOptions` copied it: the value and how to show it.
    struct Field {
        value: JsValue,
        shown: String,
    }

    impl Field {
        fn number(&self, what: &str) -> Result<f64, Error> {
            self.value.as_f64().ok_or_else(|| {
                Error::invalid(format!("rayon-web: {what} must be a number, got {}; {ACCEPTED}", self.shown))
            })
        }

        fn string(&self, what: &str) -> Result<String, Error> {
            self.value
                .as_string()
                .ok_or_else(|| Error::invalid(format!("rayon-web: {what} must be a string, got {}", self.shown)))
        }
    }

    impl PoolOptions {
        /// Reads `initThreadPool`'s argument: a thread count or an options
        /// object (wasm32 only; what `init_thread_pool` does with its `JsValue`). Any bad argument, including one that throws when read,
        /// is an `InvalidArgument` error naming the value as passed.
        #[cfg_attr(docsrs, doc(cfg(all(target_arch = "wasm32", target_feature = "atomics"))))]
        pub fn from_js(arg: &JsValue) -> Result<PoolOptions, Error> {
            let read = read_options(arg).map_err(|_| {
                Error::invalid(format!("rayon-web: the argument could not be read; {ACCEPTED}"))
            })?;
            if let Some(what) = get(&read, "error").as_string() {
                return Err(Error::invalid(format!("rayon-web: {what}; {ACCEPTED}")));
            }
            if let Some(key) = get(&read, "unknown").as_string() {
                return Err(Error::invalid(format!("rayon-web: unknown option {key:?}; {ACCEPTED}")));
            }
            let fields = get(&read, "fields");
            let field = |name: &str| {
                let f = get(&fields, name);
                (!f.is_undefined()).then(|| Field { value: get(&f, "value"), shown: get(&f, "shown").as_string().unwrap_or_default() })
            };
            let threads = field("numThreads")
                .unwrap_or(Field { value: JsValue::UNDEFINED, shown: "undefined".into() });
            let mut o = PoolOptions::new(check_threads(threads.number("numThreads")?, &threads.shown)?);
            if let Some(f) = field("stackSize") {
                o.stack_size = check_stack_size(f.number("stackSize")?, &f.shown)?;
            }
            if let Some(f) = field("namePrefix") {
                o.name_prefix = f.string("namePrefix")?;
            }
            if let Some(f) = field("timeoutMs") {
                o.timeout_ms = Some(check_timeout(f.number("timeoutMs")?, &f.shown)?);
            }
            if let Some(f) = field("glueUrl") {
                o.glue_url = Some(f.string("glueUrl")?);
            }
            o.validate()?;
            Ok(o)
        }
    }
}

#[cfg(test)]
mod test;
