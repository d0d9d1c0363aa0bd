//! # rayon-web-indicators
//!
//! Technical indicators computed over whole parameter grids and many series at
//! once, in parallel with rayon — natively, and in WebAssembly on a
//! `rayon-web` pool. ALMA (Arnaud Legoux Moving Average) and EMA are the
//! indicators; the batch engine under them is public, for more.
//!
//! ## The model: series × grid → rows
//!
//! - **Series × parameter grid → rows.** An indicator maps a series of `len`
//!   samples and one parameter set to `len` outputs. A *batch* takes a grid of
//!   parameter sets ([`AlmaBatchRange`], [`EmaBatchRange`]) and returns one row
//!   per combination, row-major ([`AlmaBatch`]); a single call ([`alma()`],
//!   [`ema()`]) is the one-row case. A *many-series* batch
//!   ([`alma_batch_many`], [`ema_batch_many`]) takes many series of any lengths
//!   as one flat buffer plus offsets and returns, series after series, the same
//!   rows — bitwise equal to one batch per series, but scheduled as one job.
//! - **Or one figure per row.** When a sweep only needs a figure per
//!   combination (what a rule earned), [`alma_batch_reduce`]
//!   ([`batch::Engine::batch_reduce`]) computes the rows in chunks and keeps
//!   only what a closure returns for each — never `rows * len` values at once;
//!   [`alma_batch_many_reduce`] does the same over many series (a universe of
//!   securities × a grid, one figure per security and combination);
//!   [`rules`] has a trading rule and a row checksum for it.
//! - **Same length in, same length out.** Output `t` depends on the samples up
//!   to `t`; the warm-up and any output whose last `period` samples hold a NaN
//!   or infinite sample are NaN (one rule for every indicator, see
//!   [`batch::series`]). Nothing is dropped or shifted.
//! - **Exact semantics.** ALMA: `floor: false` is TradingView's, `floor: true`
//!   the MT4/TA-Lib 0.8.3/pandas-ta one (see [`alma`](mod@alma)); EMA is
//!   TradingView's `ta.ema` (SMA seed, see [`ema`](mod@ema)). Every kernel
//!   agrees with an independent high-precision reference to
//!   `1e-12 * max(1, |exact|)`, with identical NaN masks (tests/fixtures).
//! - **How it is fast.** Weighted-window indicators (ALMA) run on SIMD kernels
//!   (AVX-512 / AVX2+FMA, chosen at run time; simd128 on wasm32) that
//!   vectorise across consecutive outputs, two rows at a time (each loaded
//!   vector of prices feeds both rows); the positions of non-finite samples
//!   are collected once per series, so valid windows come in runs and kernels
//!   never branch per element. Work is cut into (series, row pair, column
//!   block) tasks of balanced size on rayon's current pool; small work stays
//!   on the calling thread. A kernel computes each output the same way
//!   wherever it falls, so results never depend on the schedule.
//! - **Errors, never panics.** Every rejected input gives an [`Error`] with a
//!   stable [`Error::code`] (a many-series call names the series:
//!   [`Error::series_index`]). A batch's memory
//!   ([`BatchOptions::max_output_bytes`]) is checked before allocating.
//!
//! ```
//! use rayon_web_indicators::{alma, alma_batch, alma_batch_many, AlmaBatchRange, AlmaParams};
//! let prices: Vec<f64> = (0..100).map(|i| 100.0 + (i as f64 * 0.1).sin()).collect();
//! let out = alma(&prices, &AlmaParams::default()).unwrap();
//! assert!(out[7].is_nan() && out[8].is_finite());
//! let grid = AlmaBatchRange { period: (5, 20, 5), offset: (0.8, 0.9, 0.05), sigma: (6.0, 6.0, 0.0), floor: false };
//! let batch = alma_batch(&prices, &grid).unwrap();
//! assert_eq!((batch.rows, batch.cols), (4 * 3, 100));
//! // Two series (100 and 60 samples) in one buffer, one job.
//! let values: Vec<f64> = prices.iter().chain(&prices[..60]).copied().collect();
//! let many = alma_batch_many(&values, &[0, 100, 160], &grid).unwrap();
//! let bits = |r: &[f64]| r.iter().map(|v| v.to_bits()).collect::<Vec<_>>();
//! assert_eq!(bits(many.row(0, 3).unwrap()), bits(batch.row(3).unwrap()));
//! ```
//!
//! ## How to add an indicator
//!
//! 1. **Pick the trait.** A weighted window over the last `period` samples
//!    (SMA, WMA, ALMA, ...) implements [`batch::Fir`]: it only writes its
//!    normalised weights, and gets the SIMD kernels, row pairing, column blocks
//!    and many series for free. A recursion (EMA, RMA, ...) implements
//!    [`batch::Recursive`]: it writes one row over one run of finite samples;
//!    the engine restarts it after each non-finite sample (the NaN rule) and
//!    parallelises over rows and series.
//! 2. **One file**, `src/<name>.rs`, like `src/ema.rs`:
//!    - the parameter struct and a grid struct implementing
//!      [`batch::ParamGrid`] (axes from [`batch::grid`]'s exact counting
//!      helpers; `check_params` for anything but the period);
//!    - a unit struct implementing [`batch::Indicator`] (`period`, `check`) and
//!      the chosen trait — for EMA, `Recursive::run` seeds with the SMA of the
//!      first `period` samples, then `y = alpha * x + (1 - alpha) * y`;
//!    - the public functions, each one line over [`batch::Engine`]
//!      (`Engine::<Ema>::recursive().batch(data, range, opts)`): `ema`,
//!      `ema_into`, `ema_batch`, `ema_batch_into`, `ema_batch_many`,
//!      `ema_batch_many_into`, and `_with` forms taking [`BatchOptions`];
//!    - module docs: the definition, exactly what a NaN does, the error order.
//!
//!    Then `pub mod` + re-exports here, and the JavaScript exports in `src/wasm`.
//! 3. **Tests** in `tests/`: an independent high-precision reference
//!    (`tests/fixtures/gen_<name>_reference.py` writes a JSON fixture; EMA's
//!    uses exact fractions) checked by `tests/reference.rs`; property tests in
//!    `tests/props.rs` (against a naive f64 version, batch rows equal single
//!    calls, many-series rows equal single-series rows bitwise); error codes in
//!    `tests/errors.rs`.
//!
//! **From outside this crate** the same traits work: your crate defines the
//! parameter, grid and indicator types and calls [`batch::Engine`] itself —
//! for example a WMA:
//!
//! ```
//! use rayon_web_indicators::batch::{grid, Engine, Fir, Indicator, ParamGrid};
//! use rayon_web_indicators::{BatchOptions, Error};
//!
//! #[derive(Clone, Copy)]
//! struct WmaParams { period: usize }
//! #[derive(Clone, Copy)]
//! struct WmaRange { period: (usize, usize, usize) }
//!
//! impl ParamGrid for WmaRange {
//!     type Params = WmaParams;
//!     fn rows(&self) -> Result<u128, Error> { Ok(grid::usize_axis_count("period", self.period)? as u128) }
//!     fn period_bounds(&self) -> (usize, usize) {
//!         let n = grid::usize_axis_count("period", self.period).unwrap_or(1);
//!         (self.period.0, grid::usize_axis_value(self.period, n - 1))
//!     }
//!     fn check_params(&self) -> Result<(), Error> { Ok(()) }
//!     fn combo(&self, k: usize) -> WmaParams { WmaParams { period: grid::usize_axis_value(self.period, k) } }
//! }
//!
//! struct Wma;
//! impl Indicator for Wma {
//!     type Params = WmaParams;
//!     type Range = WmaRange;
//!     fn period(p: &WmaParams) -> usize { p.period }
//!     fn check(_: &WmaParams) -> Result<(), Error> { Ok(()) }
//! }
//! impl Fir for Wma {
//!     // Weights 1..=period, normalised; w[0] weights the oldest sample. A weighted
//!     // mean (non-negative weights summing to 1) is what the FFT path's accuracy
//!     // guard assumes for long periods (kernels: `Kernel::Auto`).
//!     fn weights(p: &WmaParams, w: &mut [f64]) {
//!         let sum = (p.period * (p.period + 1) / 2) as f64;
//!         for (i, wi) in w.iter_mut().enumerate() { *wi = (i + 1) as f64 / sum; }
//!     }
//! }
//!
//! let prices: Vec<f64> = (0..50).map(|i| 100.0 + i as f64).collect();
//! let wma = Engine::<Wma>::fir();
//! let batch = wma.batch(&prices, &WmaRange { period: (2, 10, 4) }, &BatchOptions::default()).unwrap();
//! assert_eq!(batch.rows, 3);
//! // WMA(2) at t = 1: (1 * 100 + 2 * 101) / 3
//! assert!((batch.row(0).unwrap()[1] - 302.0 / 3.0).abs() < 1e-12);
//! ```
//!
//! ## Good to know
//!
//! - **Inside your own parallel loop** (one call per security in an outer
//!   `par_iter`), pass `BatchOptions { parallel: false, .. }`: the outer loop
//!   already fills the pool, and nested splitting only adds scheduling
//!   overhead. Better still, give the whole universe to one
//!   many-series call ([`alma_batch_many`], or [`alma_batch_many_reduce`]).
//! - **Float grids are binary.** A float axis `(start, end, step)` holds
//!   `start + k * step` as computed in f64 (and `end` itself when it is within
//!   rounding of the last step; [`batch::grid`] has the exact rule), so `(0.0,
//!   1.0, 0.1)` holds `0.7000000000000001`, not `0.7`. With `floor: true`
//!   ALMA's centre is `floor(offset * (period - 1))`, and for a few periods
//!   (91, 171, 181, ...) that lands one bar from what a typed `0.7` gives. To
//!   reproduce a row, use the parameters the batch returns in its combinations,
//!   not the decimal you had in mind.
//! - **`max_output_bytes`** bounds what a call keeps: an allocating batch's
//!   output (plus its parameters and weights); a reduced batch's results and
//!   parameters, and each of its chunks; `*_into` and single calls allocate no
//!   output and ignore it. The default is [`DEFAULT_MAX_OUTPUT_BYTES`] (16 GiB
//!   natively, 512 MiB in wasm32); an allocation the machine cannot make is
//!   [`Error::OutputTooLarge`] too, never an abort.
//! - **Progress and cancelling** ([`progress`]) are one record per process:
//!   meant for one call at a time (what hosts run); concurrent batches share
//!   the `[done, total]` counter. Cancelling is per call
//!   ([`progress::begin_call`] on the thread that starts the batch).
//! - **Accuracy of the FFT path** (long periods under [`Kernel::Auto`], or
//!   [`Kernel::Fft`] forced): within `1e-12` relative of the exact value for
//!   price series (see the README's "ALMA by FFT" for the bound and the
//!   inputs it holds for); `Kernel::Auto` falls back to the direct form for
//!   blocks too wide for it, `Kernel::Fft` does not: forced, it can miss
//!   `1e-12` on series whose values span orders of magnitude within a window.
//!
//! With the `js` feature (off by default), wasm32 builds also export the JS API
//! (`alma`, `almaBatch`, `almaBatchInto`, ...; module `wasm`, not shown
//! natively). A Rust crate that only calls the indicators leaves it off, so
//! its own `#[wasm_bindgen]` exports (even one named `alma`) do not clash.
#![deny(missing_docs)]

pub mod alma;
pub mod batch;
pub mod ema;
pub mod error;
mod kernels;
pub mod progress;
pub mod rules;

#[cfg(all(target_arch = "wasm32", feature = "js"))]
pub mod wasm;

pub use alma::{
    alma, alma_batch, alma_batch_into, alma_batch_into_with, alma_batch_many, alma_batch_many_into,
    alma_batch_many_into_with, alma_batch_many_reduce, alma_batch_many_with, alma_batch_reduce, alma_batch_with, alma_center, alma_into, alma_into_with,
    alma_weights, alma_with, alma_with_kernel, AlmaBatch, AlmaBatchMany, AlmaBatchRange, AlmaParams,
};
pub use batch::{BatchOptions, DEFAULT_MAX_OUTPUT_BYTES};
pub use ema::{
    ema, ema_batch, ema_batch_into, ema_batch_into_with, ema_batch_many, ema_batch_many_into,
    ema_batch_many_into_with, ema_batch_many_with, ema_batch_with, ema_into, ema_into_with, ema_with, EmaBatch,
    EmaBatchMany, EmaBatchRange, EmaParams,
};
pub use error::{AlmaError, Error};
pub use kernels::Kernel;
