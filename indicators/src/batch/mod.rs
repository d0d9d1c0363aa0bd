//! The batch engine: series × parameter grid → rows.
//!
//! # The model
//!
//! An indicator maps a series of `len` samples and one parameter set to `len`
//! outputs. The engine runs it for every combination of a [`ParamGrid`] over
//! one series ([`Batch`], row-major, one row per combination) or over many
//! series at once ([`BatchMany`], series-major then combination), in parallel
//! on rayon's current pool, with the NaN rule of [`series`],
//! the validation order and memory limits below, and coded [`Error`]s.
//!
//! An indicator plugs in through one of two traits:
//!
//! - [`Fir`] — a **weighted window**: output `t` is `sum_i w[i] * x[t - p + 1 + i]`
//!   with normalised weights that depend only on the parameters (ALMA, SMA,
//!   WMA, ...). It only writes the weights; the engine brings the SIMD kernels
//!   (`kernels::fir`), two-row pairing, column blocks for long series and
//!   bitwise-reproducible results.
//! - [`Recursive`] — a **recursion** along the series (EMA, ...): it writes
//!   one row from one run of finite samples. The engine parallelises over rows
//!   and series only (a recursion cannot be cut into column blocks) and
//!   applies the same NaN rule by restarting the recursion after each
//!   non-finite sample.
//!
//! Both go through an [`Engine`], whose methods are the entry points every
//! indicator's public functions wrap (see `alma.rs` and `ema.rs`).
//!
//! # Validation order
//!
//! The first failure is returned. One series, one parameter set
//! ([`Engine::single_into`]): output length, kernel, empty input, period
//! (`1 ..= len`), the other parameters ([`Indicator::check`]), all-NaN, too
//! little data after leading NaNs. A grid ([`Engine::batch`]): kernel, ranges,
//! then the same list (periods: the smallest and largest of the grid; the
//! other parameters: [`ParamGrid::check_params`]), the memory limit, then
//! all-NaN and too little data — nothing is allocated before the checks pass.
//! `*_into` checks ranges and the output length first. Many series
//! ([`Engine::batch_many`]): kernel, series layout, ranges, the other
//! parameters, the memory limit, then each series in order (empty, period,
//! all-NaN, too little data), its error wrapped in [`Error::Series`] with its
//! index.

pub mod grid;
mod queue;
mod reduce;
pub(crate) mod rows;
pub mod series;

pub use grid::ParamGrid;
pub use reduce::{chunk_rows, peak_chunk_bytes, plan_chunks, Chunk, CHUNK_BYTES, GROUP_BYTES};
pub use series::{flatten, SeriesSet};

use crate::error::Error;
use crate::progress::Call;
use crate::kernels::Kernel;
use rows::{FirRows, Rows};
use series::Series;
use std::marker::PhantomData;

/// Default memory limit of a batch's output (see [`BatchOptions::max_output_bytes`]):
/// 512 MiB on wasm32 (whose memory is at most 1–4 GiB and must also hold the
/// input and the copy handed to JavaScript), 16 GiB natively.
#[cfg(target_pointer_width = "32")]
pub const DEFAULT_MAX_OUTPUT_BYTES: usize = 512 << 20;
/// Default memory limit of a batch's output (see [`BatchOptions::max_output_bytes`]):
/// 512 MiB on wasm32 (whose memory is at most 1–4 GiB and must also hold the
/// input and the copy handed to JavaScript), 16 GiB natively.
#[cfg(not(target_pointer_width = "32"))]
pub const DEFAULT_MAX_OUTPUT_BYTES: usize = 16 << 30;

/// Below this many multiply-adds a call runs on the calling thread only.
///
/// Natively 200k (~20–40 µs of work: a rayon round trip costs a few µs). In
/// wasm32 4M (~0.6 ms of simd128 work): there a call through the pool costs
/// ~0.3 ms more than its work, so below ~4M multiply-adds the pool of 2 was
/// *slower* than the calling thread alone — measured in Node 20 on 2 cores
/// (Intel Xeon VM, medians of 5, `almaBatchInto`, single-threaded build vs pool
/// of 2): 2.6M 0.37 vs 0.48–0.52 ms, 4.1M 0.56 vs 0.56–0.59 ms, 6.1M 0.83 vs
/// 0.70–0.76 ms, 16.4M 1.63 vs 1.09–1.13 ms. A bare `rayon::join` from the
/// calling thread costs 30–60 µs there; most of the rest is the JS export's
/// serial work on the calling thread (weights, input copy, the result's
/// objects) while the pool sleeps (BENCHMARKS.md, 2026-12-07). Results never
/// depend on it: kernels give the same bits whatever the schedule.
#[cfg(not(target_family = "wasm"))]
pub const SEQUENTIAL_WORK_THRESHOLD: u64 = 200_000;
/// Below this many multiply-adds a call runs on the calling thread only
/// (wasm32's value; see the native one for the measurement).
#[cfg(target_family = "wasm")]
pub const SEQUENTIAL_WORK_THRESHOLD: u64 = 4_000_000;
/// Smallest column block a row is split into when rows alone cannot keep every
/// thread busy.
pub const MIN_COLUMN_BLOCK: usize = 16_384;

/// How to run a computation: kernel, parallelism, memory limit.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct BatchOptions {
    /// The kernel (default [`Kernel::Auto`]).
    pub kernel: Kernel,
    /// Use rayon's current pool (default `true`). Work below
    /// [`SEQUENTIAL_WORK_THRESHOLD`] multiply-adds runs sequentially anyway.
    pub parallel: bool,
    /// Upper bound, in bytes, of what a batch allocates (its `values` plus its
    /// parameter list and weights), checked before allocating
    /// (default [`DEFAULT_MAX_OUTPUT_BYTES`]). Ignored by single-series calls
    /// and by `*_into` calls (the caller owns the output).
    pub max_output_bytes: usize,
}

impl Default for BatchOptions {
    fn default() -> Self {
        BatchOptions { kernel: Kernel::Auto, parallel: true, max_output_bytes: DEFAULT_MAX_OUTPUT_BYTES }
    }
}

/// What every indicator declares: its parameters, its grid and its checks.
pub trait Indicator {
    /// One parameter set: one output row.
    type Params: Copy + Send + Sync;
    /// A grid of parameter sets.
    type Range: ParamGrid<Params = Self::Params>;
    /// The window length of `p`: output `t` needs the `period` samples ending
    /// at `t` (the NaN rule and the warm-up follow from it).
    fn period(p: &Self::Params) -> usize;
    /// Checks every parameter but the period (e.g. ALMA's offset and sigma).
    fn check(p: &Self::Params) -> Result<(), Error>;
}

/// A weighted-window indicator: `out[t] = sum_i w[i] * x[t - period + 1 + i]`.
pub trait Fir: Indicator {
    /// Writes the normalised weights of `p` (they sum to 1; `w[0]` weights the
    /// oldest sample) into `w`, of length [`Indicator::period`]. `p` has been
    /// validated.
    fn weights(p: &Self::Params, w: &mut [f64]);
}

/// A recursive indicator, computed along the series.
pub trait Recursive: Indicator {
    /// Computes one run: `x` holds `n >= period` finite samples (a maximal run
    /// between non-finite ones); `out` has `n - period + 1` elements, `out[j]`
    /// being the output at `x[j + period - 1]` (so `out[0]` is the first value
    /// after the warm-up). `p` has been validated.
    fn run(p: &Self::Params, x: &[f64], out: &mut [f64]);
}

/// Result of a batch over one series: `rows` rows (one per combination, in
/// `combos` order) of `cols` outputs (the series length), row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct Batch<P> {
    /// Row-major values, `rows * cols` elements.
    pub values: Vec<f64>,
    /// The combination of each row, in grid order.
    pub combos: Vec<P>,
    /// Number of combinations.
    pub rows: usize,
    /// Length of the input series.
    pub cols: usize,
}

impl<P> Batch<P> {
    /// The outputs of combination `row`, or `None` if out of range.
    pub fn row(&self, row: usize) -> Option<&[f64]> {
        (row < self.rows).then(|| &self.values[row * self.cols..(row + 1) * self.cols])
    }
}

/// Result of a batch over many series: for each series (in `offsets` order),
/// `rows` rows of that series' length. Series `s` occupies
/// `values[rows * offsets[s] .. rows * offsets[s + 1]]`, row-major.
#[derive(Debug, Clone, PartialEq)]
pub struct BatchMany<P> {
    /// Series-major, then row-major values: `rows * offsets.last()` elements.
    pub values: Vec<f64>,
    /// The combination of each row, in grid order (the same for every series).
    pub combos: Vec<P>,
    /// Number of combinations.
    pub rows: usize,
    /// The input's offsets (series `s` has `offsets[s + 1] - offsets[s]` samples).
    pub offsets: Vec<usize>,
}

impl<P> BatchMany<P> {
    /// Number of series.
    pub fn series_count(&self) -> usize {
        self.offsets.len().saturating_sub(1)
    }

    /// All rows of series `s`, row-major, or `None` if out of range.
    pub fn series(&self, s: usize) -> Option<&[f64]> {
        (s < self.series_count()).then(|| &self.values[self.rows * self.offsets[s]..self.rows * self.offsets[s + 1]])
    }

    /// Row `row` (combination) of series `s`, or `None` if out of range.
    pub fn row(&self, s: usize, row: usize) -> Option<&[f64]> {
        let block = self.series(s)?;
        let len = self.offsets[s + 1] - self.offsets[s];
        (row < self.rows).then(|| &block[row * len..(row + 1) * len])
    }
}

/// How rows of an indicator are computed (chosen by [`Engine::fir`] or
/// [`Engine::recursive`]).
enum Method<P> {
    Fir(fn(&P, &mut [f64])),
    Recursive(fn(&P, &[f64], &mut [f64])),
}

/// The batch engine for indicator `I`: every entry point of the crate runs
/// through one of its methods.
pub struct Engine<I: Indicator> {
    method: Method<I::Params>,
    _indicator: PhantomData<fn() -> I>,
}

impl<I: Fir> Engine<I> {
    /// The engine of a weighted-window indicator.
    pub fn fir() -> Self {
        Engine { method: Method::Fir(I::weights), _indicator: PhantomData }
    }
}

impl<I: Recursive> Engine<I> {
    /// The engine of a recursive indicator.
    pub fn recursive() -> Self {
        Engine { method: Method::Recursive(I::run), _indicator: PhantomData }
    }
}

impl<I: Indicator> Engine<I> {
    /// Bytes of bookkeeping per row: the parameters, and a FIR row's weights.
    fn per_row_bytes(&self, max_period: usize) -> u128 {
        let params = std::mem::size_of::<I::Params>() as u128;
        match self.method {
            Method::Fir(_) => params + 8 * max_period as u128,
            Method::Recursive(_) => params,
        }
    }

    fn compute(&self, combos: &[I::Params], series: &[Series<'_>], out: &mut [f64], opts: &BatchOptions) -> Result<(), Error> {
        self.compute_rows(combos, series, out, opts, true, Call::current())
    }

    /// The scheduler's cost estimate of the row of `p` over `len` samples (`rows::row_work`).
    fn row_work(&self, p: &I::Params, len: usize) -> u64 {
        rows::row_work(matches!(self.method, Method::Fir(_)), I::period(p), len)
    }

    /// [`Engine::compute`]; `report: false` leaves the progress counter to the caller.
    /// `call`: the call the batch belongs to (taken where it started), which may cancel it.
    fn compute_rows(&self, combos: &[I::Params], series: &[Series<'_>], out: &mut [f64], opts: &BatchOptions, report: bool, call: Call) -> Result<(), Error> {
        let kernel = opts.kernel.resolved()?;
        let rows = match self.method {
            Method::Fir(fill) => Rows::Fir(FirRows::new(combos, I::period, fill, kernel, opts.parallel).with_fft(opts.kernel.fft_mode())),
            Method::Recursive(run) => Rows::Recursive { combos, period: I::period, run },
        };
        rows::run(&rows, series, out, opts.parallel, report, call);
        if call.cancelled() {
            return Err(Error::Cancelled);
        }
        Ok(())
    }

    /// One parameter set over one series, into `out` (`data.len()` elements).
    pub fn single_into(&self, data: &[f64], p: &I::Params, opts: &BatchOptions, out: &mut [f64]) -> Result<(), Error> {
        if out.len() != data.len() {
            return Err(Error::OutputLengthMismatch { expected: data.len(), got: out.len() });
        }
        opts.kernel.resolved()?;
        if data.is_empty() {
            return Err(Error::EmptyInput);
        }
        let period = I::period(p);
        if period == 0 || period > data.len() {
            return Err(Error::InvalidPeriod { period, len: data.len() });
        }
        I::check(p)?;
        let series = Series::new(data)?;
        series.check_period(period)?;
        self.compute(std::slice::from_ref(p), std::slice::from_ref(&series), out, opts)
    }

    /// One parameter set over one series, allocating the output.
    pub fn single(&self, data: &[f64], p: &I::Params, opts: &BatchOptions) -> Result<Vec<f64>, Error> {
        opts.kernel.resolved()?;
        let mut out = vec![0.0; data.len()];
        self.single_into(data, p, opts, &mut out)?;
        Ok(out)
    }

    /// Every combination of `range` over one series (memory limit checked
    /// before allocating).
    pub fn batch(&self, data: &[f64], range: &I::Range, opts: &BatchOptions) -> Result<Batch<I::Params>, Error> {
        opts.kernel.resolved()?;
        let rows = self.check_grid(range, data.len(), Some(opts.max_output_bytes))?;
        let series = Series::new(data)?;
        series.check_period(range.period_bounds().1)?;
        let mut values = rows::zeroed(rows * data.len(), opts.parallel)?;
        let combos = range.combos()?;
        self.compute(&combos, std::slice::from_ref(&series), &mut values, opts)?;
        Ok(Batch { values, combos, rows, cols: data.len() })
    }

    /// Every combination of `range` over one series, written row-major into
    /// `out` (`combo_count * data.len()` elements); returns the combinations.
    pub fn batch_into(&self, data: &[f64], range: &I::Range, opts: &BatchOptions, out: &mut [f64]) -> Result<Vec<I::Params>, Error> {
        let expected = range
            .count()?
            .checked_mul(data.len())
            .ok_or(Error::OutputTooLarge { requested: u128::MAX, limit: usize::MAX })?;
        if out.len() != expected {
            return Err(Error::OutputLengthMismatch { expected, got: out.len() });
        }
        opts.kernel.resolved()?;
        self.check_grid(range, data.len(), None)?;
        let series = Series::new(data)?;
        series.check_period(range.period_bounds().1)?;
        let combos = range.combos()?;
        self.compute(&combos, std::slice::from_ref(&series), out, opts)?;
        Ok(combos)
    }

    /// The checks of [`Engine::batch_into`] that need no samples — kernel,
    /// ranges, periods against `len`, the other parameters — in its order.
    /// The wasm exports run them before they reserve memory for a call, so a
    /// grid the batch refuses is refused with the batch's own code before
    /// anything is allocated for it (not as a memory error after growing the
    /// memory for nothing). The batch makes them again (they cost nothing).
    pub fn check_shape(&self, range: &I::Range, len: usize, opts: &BatchOptions) -> Result<(), Error> {
        opts.kernel.resolved()?;
        range.rows()?;
        grid::check_len(range, len)?;
        range.check_params()
    }

    /// [`Engine::check_shape`] for [`Engine::batch_many_into`]: the layout of
    /// `offsets` over `len` values, the kernel, the grid, and each series'
    /// length against the periods (a rejected series named, as the batch does).
    pub fn check_shape_many(&self, offsets: &[usize], len: usize, range: &I::Range, opts: &BatchOptions) -> Result<(), Error> {
        series::check_layout(offsets, len)?;
        opts.kernel.resolved()?;
        range.rows()?;
        range.check_params()?;
        offsets.windows(2).enumerate().try_for_each(|(i, w)| grid::check_len(range, w[1] - w[0]).map_err(|e| e.in_series(i)))
    }

    /// Ranges, periods against `len`, other parameters, memory; the row count.
    fn check_grid(&self, range: &I::Range, len: usize, limit: Option<usize>) -> Result<usize, Error> {
        let rows = range.rows()?;
        grid::check_len(range, len)?;
        range.check_params()?;
        grid::check_memory(rows, len, self.per_row_bytes(range.period_bounds().1), limit)
    }

    /// Many-series checks after the layout (see the module docs for the order).
    fn check_many<'a>(&self, set: &SeriesSet<'a>, range: &I::Range, limit: Option<usize>) -> Result<Vec<Series<'a>>, Error> {
        let rows = range.rows()?;
        range.check_params()?;
        let (_, max_period) = range.period_bounds();
        grid::check_memory(rows, set.values().len(), self.per_row_bytes(max_period), limit)?;
        set.iter()
            .enumerate()
            .map(|(i, data)| {
                let check = || {
                    grid::check_len(range, data.len())?;
                    let s = Series::new(data)?;
                    s.check_period(max_period)?;
                    Ok(s)
                };
                check().map_err(|e: Error| e.in_series(i))
            })
            .collect()
    }

    /// Every combination of `range` over every series of `values` + `offsets`
    /// (see [`SeriesSet`]); output layout as in [`BatchMany`].
    pub fn batch_many(&self, values: &[f64], offsets: &[usize], range: &I::Range, opts: &BatchOptions) -> Result<BatchMany<I::Params>, Error> {
        opts.kernel.resolved()?;
        let set = SeriesSet::new(values, offsets)?;
        let series = self.check_many(&set, range, Some(opts.max_output_bytes))?;
        let combos = range.combos()?;
        let mut out = rows::zeroed(combos.len() * values.len(), opts.parallel)?;
        self.compute(&combos, &series, &mut out, opts)?;
        Ok(BatchMany { values: out, rows: combos.len(), combos, offsets: offsets.to_vec() })
    }

    /// [`Engine::batch_many`] into `out` (`combo_count * values.len()`
    /// elements); returns the combinations.
    pub fn batch_many_into(
        &self,
        values: &[f64],
        offsets: &[usize],
        range: &I::Range,
        opts: &BatchOptions,
        out: &mut [f64],
    ) -> Result<Vec<I::Params>, Error> {
        let set = SeriesSet::new(values, offsets)?;
        let expected = range
            .count()?
            .checked_mul(values.len())
            .ok_or(Error::OutputTooLarge { requested: u128::MAX, limit: usize::MAX })?;
        if out.len() != expected {
            return Err(Error::OutputLengthMismatch { expected, got: out.len() });
        }
        opts.kernel.resolved()?;
        let series = self.check_many(&set, range, None)?;
        let combos = range.combos()?;
        self.compute(&combos, &series, out, opts)?;
        Ok(combos)
    }
}
