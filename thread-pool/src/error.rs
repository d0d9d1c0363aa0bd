//! One error type for everything that can go wrong while starting or using a
//! pool, with a stable machine-readable [`ErrorCode`] and a message that says
//! what to change. In JS it becomes an `Error` named `RayonWebError` whose
//! `code` property is the code's string ([`Error::to_js`], or `?` in an
//! export returning `Result<_, JsValue>`, through `From<Error> for JsValue`).
//!
//! ```no_run
//! use wasm_bindgen::prelude::*;
//!
//! /// Resolves with the pool's sum, or rejects with a RayonWebError (its `code`
//! /// is e.g. "WORKER_TIMEOUT").
//! #[wasm_bindgen]
//! pub async fn total(n: u32) -> Result<f64, JsValue> {
//!     let pool = rayon_web::PoolOptions::new(2).build().await?;
//!     Ok(pool.install(|| (0..n).map(f64::from).sum()))
//! }
//! ```
//!
//! `?` into [`wasm_bindgen::JsError`] compiles too, through wasm-bindgen's
//! blanket `impl<E: std::error::Error> From<E> for JsError` — but that one
//! makes a plain `Error` with the message only (no `code`, no name), and
//! coherence forbids a more specific impl here. Return `Result<_, JsValue>`
//! to keep the code.

use std::fmt;

/// Stable identifiers for every failure, also used as the JS error's `code`.
///
/// Codes produced by the JS side (worker creation) are listed here too, so
/// this enum is the single list of what a caller can see.
#[derive(Clone, Copy, Debug, PartialEq, Eq, Hash)]
#[non_exhaustive]
pub enum ErrorCode {
    /// The thread count or options object was malformed or out of range.
    InvalidArgument,
    /// `initThreadPool` was already called (or is still running) on this module instance.
    AlreadyInitialized,
    /// rayon's global pool was created earlier by a rayon call before `initThreadPool`.
    GlobalPoolExists,
    /// The page is not cross-origin isolated (missing COOP/COEP headers).
    NotCrossOriginIsolated,
    /// The engine has no `SharedArrayBuffer` (for example WebKit without it enabled).
    SharedMemoryUnavailable,
    /// This context cannot create workers.
    WorkersUnavailable,
    /// The module was built without the shared-memory link flags.
    MemoryNotShared,
    /// A worker could not be created or could not import the wasm-bindgen glue.
    WorkerLoadFailed,
    /// A worker could not instantiate the module, or the wasm memory cannot
    /// hold the new workers' stacks (`num_threads` × `stack_size`).
    WorkerInitFailed,
    /// Workers did not report ready in time.
    WorkerTimeout,
    /// rayon refused to build the pool.
    BuildFailed,
    /// A worker of the pool trapped or died; the pool cannot be used any more.
    PoolBroken,
}

impl ErrorCode {
    /// The code as the string placed in the JS error's `code` property.
    pub const fn as_str(self) -> &'static str {
        match self {
            ErrorCode::InvalidArgument => "INVALID_ARGUMENT",
            ErrorCode::AlreadyInitialized => "ALREADY_INITIALIZED",
            ErrorCode::GlobalPoolExists => "GLOBAL_POOL_EXISTS",
            ErrorCode::NotCrossOriginIsolated => "NOT_CROSS_ORIGIN_ISOLATED",
            ErrorCode::SharedMemoryUnavailable => "SHARED_MEMORY_UNAVAILABLE",
            ErrorCode::WorkersUnavailable => "WORKERS_UNAVAILABLE",
            ErrorCode::MemoryNotShared => "MEMORY_NOT_SHARED",
            ErrorCode::WorkerLoadFailed => "WORKER_LOAD_FAILED",
            ErrorCode::WorkerInitFailed => "WORKER_INIT_FAILED",
            ErrorCode::WorkerTimeout => "WORKER_TIMEOUT",
            ErrorCode::BuildFailed => "BUILD_FAILED",
            ErrorCode::PoolBroken => "POOL_BROKEN",
        }
    }

    /// Every code.
    pub(crate) const ALL: [ErrorCode; 12] = [
        ErrorCode::InvalidArgument,
        ErrorCode::AlreadyInitialized,
        ErrorCode::GlobalPoolExists,
        ErrorCode::NotCrossOriginIsolated,
        ErrorCode::SharedMemoryUnavailable,
        ErrorCode::WorkersUnavailable,
        ErrorCode::MemoryNotShared,
        ErrorCode::WorkerLoadFailed,
        ErrorCode::WorkerInitFailed,
        ErrorCode::WorkerTimeout,
        ErrorCode::BuildFailed,
        ErrorCode::PoolBroken,
    ];

    /// Parses a code string (as sent by the JS side); unknown strings are `None`.
    pub fn parse(code: &str) -> Option<Self> {
        Self::ALL.into_iter().find(|c| c.as_str() == code)
    }
}

/// A failure to start or use a pool.
#[derive(Clone, Debug, PartialEq, Eq)]
pub struct Error {
    code: ErrorCode,
    message: String,
}

impl Error {
    /// Creates an error; `message` should say what to change.
    pub fn new(code: ErrorCode, message: impl Into<String>) -> Self {
        Error { code, message: message.into() }
    }

    /// The stable code.
    pub fn code(&self) -> ErrorCode {
        self.code
    }

    /// The human-readable message.
    pub fn message(&self) -> &str {
        &self.message
    }

    pub(crate) fn invalid(message: impl Into<String>) -> Self {
        Error::new(ErrorCode::InvalidArgument, message)
    }

    pub(crate) fn build_failed(cause: impl fmt::Display) -> Self {
        Error::new(ErrorCode::BuildFailed, format!("rayon-web: rayon could not build the pool: {cause}"))
    }

    /// The JS form: an `Error` named `RayonWebError` with a `code` property —
    /// the same object `initThreadPool` rejects with. Also available as
    /// `JsValue::from(error)` (so `?` works in exports returning
    /// `Result<_, JsValue>`). Compiles on every target so that code using it
    /// builds natively too, but like every `JsValue` it can only be created on
    /// wasm32 (wasm-bindgen panics when a native build creates one).
    pub fn to_js(&self) -> wasm_bindgen::JsValue {
        use wasm_bindgen::JsValue;
        let err = js_sys::Error::new(&self.message);
        err.set_name("RayonWebError");
        // Reflect::set on a fresh Error object cannot fail.
        let _ = js_sys::Reflect::set(&err, &JsValue::from_str("code"), &JsValue::from_str(self.code.as_str()));
        err.into()
    }

    /// Reads an error thrown or rejected by the JS side back into this type.
    #[cfg(target_arch = "wasm32")]
    pub(crate) fn from_js(value: &wasm_bindgen::JsValue, fallback: ErrorCode) -> Self {
        use wasm_bindgen::{JsCast, JsValue};
        let code = js_sys::Reflect::get(value, &JsValue::from_str("code"))
            .ok()
            .and_then(|c| c.as_string())
            .and_then(|c| ErrorCode::parse(&c))
            .unwrap_or(fallback);
        let message = match value.dyn_ref::<js_sys::Error>() {
            Some(e) => String::from(e.message()),
            None => format!("rayon-web: {value:?}"),
        };
        Error::new(code, message)
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(&self.message)
    }
}

impl std::error::Error for Error {}

impl From<Error> for wasm_bindgen::JsValue {
    /// [`Error::to_js`]: a `RayonWebError` with `code` and `message`.
    fn from(error: Error) -> Self {
        error.to_js()
    }
}

impl From<&Error> for wasm_bindgen::JsValue {
    /// [`Error::to_js`].
    fn from(error: &Error) -> Self {
        error.to_js()
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn codes_round_trip() {
        for code in [ErrorCode::InvalidArgument, ErrorCode::PoolBroken, ErrorCode::WorkerTimeout] {
            assert_eq!(ErrorCode::parse(code.as_str()), Some(code));
        }
        assert_eq!(ErrorCode::parse("NOPE"), None);
    }
}
