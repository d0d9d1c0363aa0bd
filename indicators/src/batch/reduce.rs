//! Batches reduced row by row, never materialised.
//!
//! A backtester sweeping a grid rarely wants the rows themselves — 250
//! combinations over a million bars are 2 GB — but one figure per row (what
//! a rule earned, a checksum). [`Engine::batch_reduce`] computes the rows in
//! chunks of consecutive rows, each into a buffer of its own, hands each row
//! to the caller's `reduce` as soon as its chunk is done, and keeps only what
//! `reduce` returns: memory is a few chunks, not `rows * len`, and nothing is
//! copied out of the engine but the reductions.
//!
//! **Same rows.** Each chunk runs the engine's own scheduler over its rows, so
//! every row is bitwise the row [`Engine::batch`] computes: kernels are per row
//! and the schedule never changes a result (see `rows.rs`).
//!
//! **Chunks.** About four per pool thread (so rayon can balance them), at most
//! [`CHUNK_BYTES`] each (one row when a row alone is larger). With that many
//! chunks each runs on one thread; with fewer (a few long rows) each also uses
//! the pool inside. A FIR chunk recomputes the series' FFT block transforms
//! (`kernels::fft`), which a whole batch computes once: cheap for the
//! series lengths one chunk holds many rows of, and the price of bounded
//! memory for very long series.
//!
//! **Progress** ([`crate::progress`]) counts chunks.

use super::{Engine, Indicator, ParamGrid};
use super::{series::Series, BatchOptions};
use crate::error::Error;
use crate::progress;
use rayon::prelude::*;

/// Largest buffer of one chunk: 16 MiB, two rows of a million bars.
pub const CHUNK_BYTES: usize = 16 << 20;

/// Rows per chunk of a reduced batch of `rows` rows of `len` values on
/// `threads` threads: about four chunks per thread, at most [`CHUNK_BYTES`]
/// (and `max_output_bytes`) each, at least one row. At most `2 * threads`
/// chunks are in memory at once (a thread waiting inside one may start another).
pub fn chunk_rows(rows: usize, len: usize, threads: usize, max_output_bytes: usize) -> usize {
    let by_memory = (CHUNK_BYTES.min(max_output_bytes) / len.saturating_mul(8).max(1)).max(1);
    rows.div_ceil(4 * threads.max(1)).clamp(1, by_memory)
}

impl<I: Indicator> Engine<I> {
    /// Every combination of `range` over one series, each row passed to
    /// `reduce(row_index, row)` and only its result kept: the results in row
    /// order, and the combinations. Same validation and errors as
    /// [`Engine::batch_into`]; [`BatchOptions::max_output_bytes`] bounds one
    /// chunk (a single row longer than it is [`Error::OutputTooLarge`]).
    /// `reduce` runs on the pool's threads, in any order.
    pub fn batch_reduce<R, F>(&self, data: &[f64], range: &I::Range, opts: &BatchOptions, reduce: F) -> Result<(Vec<R>, Vec<I::Params>), Error>
    where
        R: Send,
        F: Fn(usize, &[f64]) -> R + Sync,
    {
        opts.kernel.resolved()?;
        let rows = self.check_grid(range, data.len(), None)?;
        let len = data.len();
        let row_bytes = len.saturating_mul(8);
        if row_bytes > opts.max_output_bytes {
            return Err(Error::OutputTooLarge { requested: row_bytes as u128, limit: opts.max_output_bytes });
        }
        let series = Series::new(data)?;
        series.check_period(range.period_bounds().1)?;
        let combos = range.combos()?;
        let threads = if opts.parallel { rayon::current_num_threads().max(1) } else { 1 };
        let per_chunk = chunk_rows(rows, len, threads, opts.max_output_bytes);
        let chunks: Vec<&[I::Params]> = combos.chunks(per_chunk).collect();
        // Enough chunks to share out: each runs on one thread. Otherwise each uses the pool too.
        let inner = BatchOptions { parallel: opts.parallel && chunks.len() < 4 * threads, ..*opts };
        progress::begin(chunks.len());
        let one = |(c, chunk): (usize, &&[I::Params])| -> Result<Vec<R>, Error> {
            let mut values = vec![0.0; chunk.len() * len];
            self.compute_rows(chunk, std::slice::from_ref(&series), &mut values, &inner, false)?;
            let first = c * per_chunk;
            let out = values.chunks(len.max(1)).enumerate().map(|(i, row)| reduce(first + i, row)).collect();
            progress::advance(1);
            Ok(out)
        };
        let parts: Vec<Result<Vec<R>, Error>> = if opts.parallel {
            chunks.par_iter().enumerate().map(one).collect()
        } else {
            chunks.iter().enumerate().map(one).collect()
        };
        let mut results = Vec::with_capacity(rows);
        for part in parts {
            results.extend(part?);
        }
        Ok((results, combos))
    }
}
