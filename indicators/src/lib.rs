//! # rayon-web-indicators
//!
//! Technical indicators computed over whole parameter grids at once, in
//! parallel with rayon — natively, and in WebAssembly on a `rayon-web` pool.
//! ALMA (Arnaud Legoux Moving Average) is the first indicator.
//!
//! ## The model
//!
//! - **One series, many parameter sets.** A *batch* takes one price series of
//!   `cols` samples and a grid of parameters ([`AlmaBatchRange`]); it returns a
//!   row-major matrix with one row per combination ([`AlmaBatch`]). A single
//!   call ([`alma()`]) is the one-row case.
//! - **Same length in, same length out.** Output `t` depends on the window
//!   ending at `t`; the warm-up and any window touching a NaN or infinite
//!   sample are NaN. Nothing is dropped or shifted.
//! - **Exact semantics, two conventions.** `floor: false` is TradingView's
//!   ALMA, `floor: true` the MT4/TA-Lib 0.8.3/pandas-ta one (see [`alma`](mod@alma)).
//!   Every kernel agrees with an independent high-precision reference to
//!   `1e-12 * max(1, |exact|)`, with identical NaN masks (tests/fixtures).
//! - **How it is fast.** Weights are normalised once per combination; SIMD
//!   kernels (AVX-512 / AVX2+FMA, chosen at run time; simd128 on wasm32)
//!   vectorise across consecutive outputs, two rows at a time in a batch (each
//!   loaded vector of prices feeds both rows; the shorter period's weights are
//!   zero-padded when the periods differ by at most 1/8); the positions of
//!   non-finite samples are collected once per series, so valid windows come
//!   in runs and kernels never branch per element. Work is split across
//!   rows and, when there are few rows, across column blocks of the same row,
//!   on rayon's current pool; small work stays on the calling thread.
//! - **Errors, never panics.** Every rejected input gives a typed
//!   [`AlmaError`] with a stable [`AlmaError::code`]. A batch's memory
//!   ([`BatchOptions::max_output_bytes`]) is checked before allocating.
//!
//! ```
//! use rayon_web_indicators::{alma, alma_batch, AlmaBatchRange, AlmaParams};
//! let prices: Vec<f64> = (0..100).map(|i| 100.0 + (i as f64 * 0.1).sin()).collect();
//! let out = alma(&prices, &AlmaParams::default()).unwrap();
//! assert!(out[7].is_nan() && out[8].is_finite());
//! let grid = AlmaBatchRange { period: (5, 20, 5), offset: (0.8, 0.9, 0.05), sigma: (6.0, 6.0, 0.0), floor: false };
//! let batch = alma_batch(&prices, &grid).unwrap();
//! assert_eq!((batch.rows, batch.cols), (4 * 3, 100));
//! ```
//!
//! In wasm32 builds the module `wasm` (not shown natively) exports `alma` and
//! `almaBatch` to JavaScript.
#![deny(missing_docs)]

pub mod alma;
mod fft;
mod kernels;
pub mod progress;

#[cfg(target_arch = "wasm32")]
pub mod wasm;

pub use alma::{
    alma, alma_batch, alma_batch_into, alma_batch_into_with, alma_batch_with, alma_center, alma_into,
    alma_into_with, alma_weights, alma_with, alma_with_kernel, AlmaBatch, AlmaBatchRange, AlmaError, AlmaParams,
    BatchOptions, Kernel, DEFAULT_MAX_OUTPUT_BYTES,
};
