//! Batches reduced row by row, never materialised.
//!
//! A backtester sweeping a grid rarely wants the rows themselves — 250
//! combinations over a million bars are 2 GB, 20 combinations over a universe
//! of 1000 ten-year series are 400 MB — but one figure per row (what a rule
//! earned, a checksum). [`Engine::batch_reduce`] (one series) and
//! [`Engine::batch_many_reduce`] (many series) compute the rows in chunks of
//! consecutive rows of one series, each into a buffer of its own, hand each
//! row to the caller's `reduce` as soon as its chunk is done, and keep only
//! what `reduce` returns: memory is a few chunks, not `rows * len`, and nothing
//! is copied out of the engine but the reductions.
//!
//! **Same rows.** Each chunk runs the engine's own scheduler over its rows, so
//! every row is bitwise the row [`Engine::batch`] (or [`Engine::batch_many`])
//! computes: kernels are per row and the schedule never changes a result (see
//! `rows.rs`).
//!
//! **Chunks** ([`plan_chunks`], which the wasm exports also use to reserve
//! their memory). With at least four series per pool thread, each series' rows
//! are one chunk; consecutive series whose rows are smaller than
//! [`GROUP_BYTES`] share one. Otherwise each series' rows are cut into about
//! four chunks per thread ([`chunk_rows`]). Either way a chunk holds at most
//! [`CHUNK_BYTES`] (one row when a row alone is larger). With that many chunks each runs on one thread; with
//! fewer (a few long rows) each also uses the pool inside. A FIR chunk
//! recomputes its series' FFT block transforms (`kernels::fft`), which a whole
//! batch computes once: cheap for the series lengths one chunk holds many rows
//! of, and the price of bounded memory for very long series.
//!
//! **Order.** One worker per pool thread takes the chunks from a queue
//! (`queue.rs`), costliest first (estimated as the scheduler does: multiply-adds of the
//! direct form), so the cheap chunks fill the end and the threads finish
//! together; the results are put back in chunk order.
//!
//! **Buffers.** A chunk's rows go into a buffer that the worker running it
//! reuses for its next chunk: a fresh allocation per chunk cost
//! more than the rules evaluated on it natively (above the allocator's mmap
//! threshold every chunk was new pages: 1000 series × 2520 × 20, one thread,
//! a no-op reduction took 163 ms against 134 ms for `batch_many_into`).
//!
//! **Progress** ([`crate::progress`]) counts chunks.

use super::{queue, Engine, Indicator, ParamGrid};
use super::{series::Series, BatchOptions, SeriesSet};
use crate::error::Error;
use crate::progress::{self, Call};

/// Largest buffer of one chunk: 16 MiB, two rows of a million bars.
pub const CHUNK_BYTES: usize = 16 << 20;

/// Rows of `len` values that fit one chunk: at most [`CHUNK_BYTES`] and
/// `max_output_bytes`, at least one.
fn rows_fitting(len: usize, max_output_bytes: usize) -> usize {
    (CHUNK_BYTES.min(max_output_bytes) / len.saturating_mul(8).max(1)).max(1)
}

/// Rows per chunk of a reduced batch of `rows` rows of `len` values on
/// `threads` threads: about four chunks per thread, at most [`CHUNK_BYTES`]
/// (and `max_output_bytes`) each, at least one row. At most `threads` chunks
/// are in memory at once (one buffer per worker; see the module docs).
pub fn chunk_rows(rows: usize, len: usize, threads: usize, max_output_bytes: usize) -> usize {
    rows.div_ceil(4 * threads.max(1)).clamp(1, rows_fitting(len, max_output_bytes))
}

/// Smallest buffer worth a chunk of its own: consecutive whole series whose
/// rows are smaller than this share a chunk. A chunk costs set-up (weights,
/// the NaN scan, a result list, a rayon job); over a million one-bar series,
/// one chunk each made the pool of 2 slower than one thread (2.8 s vs 1.1 s).
pub const GROUP_BYTES: usize = 256 << 10;

/// One chunk of a reduced batch: rows `first .. first + count` (combinations
/// in grid order) of the series `series .. series + series_count`, which have
/// `samples` samples together. A chunk holds several series only when it
/// holds all their rows; its buffer is series-major, then row.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct Chunk {
    /// Index of the first series.
    pub series: usize,
    /// Number of series (more than one only with all rows).
    pub series_count: usize,
    /// First row (combination) of the chunk.
    pub first: usize,
    /// Number of rows.
    pub count: usize,
    /// Samples of the chunk's series together (one row of each).
    pub samples: usize,
}

impl Chunk {
    /// Bytes of the chunk's buffer.
    pub fn bytes(&self) -> u64 {
        self.count as u64 * self.samples as u64 * 8
    }
}

/// Rows per chunk of series of `len` samples in a reduced batch of `rows`
/// combinations over `series` series on `threads` threads: the whole series
/// (up to the memory bound) from four series per thread, else [`chunk_rows`].
fn rows_per_chunk(series: usize, len: usize, rows: usize, threads: usize, max_output_bytes: usize) -> usize {
    if series >= 4 * threads.max(1) {
        rows.min(rows_fitting(len, max_output_bytes)).max(1)
    } else {
        chunk_rows(rows, len, threads, max_output_bytes)
    }
}

/// Whether a series of `len` samples cut `per` rows per chunk shares a chunk
/// with its neighbours: it has all `rows` rows in one chunk of fewer than
/// `group_limit` bytes.
fn groupable(per: usize, rows: usize, len: usize, group_limit: u64) -> bool {
    per >= rows && (rows as u64 * len as u64 * 8) < group_limit
}

/// The chunks a reduced batch of `rows` combinations over series of `lengths`
/// samples runs as on `threads` threads (see the module docs), in series
/// order, then row order: concatenating their reductions gives the results
/// series-major.
pub fn plan_chunks(lengths: &[usize], rows: usize, threads: usize, max_output_bytes: usize) -> Vec<Chunk> {
    let group_limit = GROUP_BYTES.min(max_output_bytes) as u64;
    let mut chunks: Vec<Chunk> = Vec::new();
    for (series, &len) in lengths.iter().enumerate() {
        let per = rows_per_chunk(lengths.len(), len, rows, threads, max_output_bytes);
        if groupable(per, rows, len, group_limit) {
            let whole = rows as u64 * len as u64 * 8;
            // Joins the previous chunk if that one is a group of whole series with room left.
            if let Some(last) = chunks.last_mut() {
                if last.count == rows && last.series + last.series_count == series && last.bytes() + whole <= group_limit {
                    last.series_count += 1;
                    last.samples += len;
                    continue;
                }
            }
        }
        let mut first = 0;
        while first < rows {
            let count = per.min(rows - first);
            chunks.push(Chunk { series, series_count: 1, first, count, samples: len });
            first += count;
        }
    }
    chunks
}

/// An upper bound of the bytes the chunk buffers of [`plan_chunks`]`(lengths,
/// rows, threads, max_output_bytes)` hold at once: the largest `2 * threads`
/// chunks (at most `threads` are in memory at once; the bound keeps the
/// margin it had when rayon's split could nest a second chunk in a waiting
/// thread), a group of small series counted as [`GROUP_BYTES`]. Computed per series, without making the plan
/// (which, for a huge grid over many tiny series, could itself be large: the
/// wasm exports call this before any memory check).
pub fn peak_chunk_bytes(lengths: &[usize], rows: usize, threads: usize, max_output_bytes: usize) -> u64 {
    let group_limit = GROUP_BYTES.min(max_output_bytes) as u64;
    // (bytes of the series' largest chunk, how many chunks it has)
    let mut largest: Vec<(u64, u64)> = lengths
        .iter()
        .map(|&len| {
            let per = rows_per_chunk(lengths.len(), len, rows, threads, max_output_bytes);
            if groupable(per, rows, len, group_limit) {
                (group_limit, 1) // in a group of at most group_limit bytes
            } else {
                (per.min(rows) as u64 * len as u64 * 8, rows.div_ceil(per) as u64)
            }
        })
        .collect();
    largest.sort_unstable_by(|a, b| b.0.cmp(&a.0));
    let (mut left, mut sum) = (2 * threads.max(1) as u64, 0u64);
    for (bytes, count) in largest {
        let take = count.min(left);
        sum = sum.saturating_add(bytes.saturating_mul(take));
        left -= take;
        if left == 0 {
            break;
        }
    }
    sum
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
        check_row_bytes(data.len(), opts)?;
        check_results::<R, I::Params>(rows as u128, 1, opts)?;
        let series = Series::new(data)?;
        series.check_period(range.period_bounds().1)?;
        let combos = range.combos()?;
        let results = self.reduce_chunks(&combos, &[series], &[data.len()], opts, |_, row, values| reduce(row, values))?;
        Ok((results, combos))
    }

    /// Every combination of `range` over every series of `values` + `offsets`
    /// (see [`SeriesSet`]), each row passed to `reduce(series_index,
    /// row_index, row)` and only its result kept: the results series-major
    /// (series `s`, combination `r` at `s * combos.len() + r`), and the
    /// combinations. Same validation and errors as
    /// [`Engine::batch_many_into`] (a rejected series is [`Error::Series`]
    /// with its index); [`BatchOptions::max_output_bytes`] bounds one chunk (a
    /// single row longer than it is [`Error::OutputTooLarge`]). `reduce` runs
    /// on the pool's threads, in any order.
    pub fn batch_many_reduce<R, F>(
        &self,
        values: &[f64],
        offsets: &[usize],
        range: &I::Range,
        opts: &BatchOptions,
        reduce: F,
    ) -> Result<(Vec<R>, Vec<I::Params>), Error>
    where
        R: Send,
        F: Fn(usize, usize, &[f64]) -> R + Sync,
    {
        opts.kernel.resolved()?;
        let set = SeriesSet::new(values, offsets)?;
        let series = self.check_many(&set, range, None)?;
        let lengths: Vec<usize> = set.iter().map(<[f64]>::len).collect();
        check_row_bytes(lengths.iter().copied().max().unwrap_or(0), opts)?;
        check_results::<R, I::Params>(range.rows()?, lengths.len(), opts)?;
        let combos = range.combos()?;
        let results = self.reduce_chunks(&combos, &series, &lengths, opts, reduce)?;
        Ok((results, combos))
    }

    /// Runs the chunks of [`plan_chunks`] (checks done), each row through `reduce`.
    fn reduce_chunks<R, F>(&self, combos: &[I::Params], series: &[Series<'_>], lengths: &[usize], opts: &BatchOptions, reduce: F) -> Result<Vec<R>, Error>
    where
        R: Send,
        F: Fn(usize, usize, &[f64]) -> R + Sync,
    {
        // The caller's call, taken here: the chunks run on pool threads.
        let call = Call::current();
        let threads = if opts.parallel { rayon::current_num_threads().max(1) } else { 1 };
        let chunks = plan_chunks(lengths, combos.len(), threads, opts.max_output_bytes);
        // Enough chunks to share out: each runs on one thread. Otherwise each uses the pool too.
        let inner = BatchOptions { parallel: opts.parallel && chunks.len() < 4 * threads, ..*opts };
        progress::begin(chunks.len());
        // `values`: a buffer one worker reuses from chunk to chunk. Not cleared:
        // the engine writes every value of a chunk's rows (NaN included), and
        // zeroing a chunk first cost a pass over it (6 MB per chunk of the
        // demo's batch, ~5 % of the call in wasm).
        let one = |values: &mut Vec<f64>, c: &Chunk| -> Result<Vec<R>, Error> {
            let need = c.count * c.samples;
            if values.len() < need {
                values.resize(need, 0.0);
            }
            let values = &mut values[..need];
            let rows = &combos[c.first..c.first + c.count];
            let group = &series[c.series..c.series + c.series_count];
            self.compute_rows(rows, group, values, &inner, false, call)?;
            // Series-major, then row: each series' rows are one series long.
            let mut out = Vec::with_capacity(c.count * c.series_count);
            let mut at = 0;
            for (s, &len) in (c.series..).zip(&lengths[c.series..c.series + c.series_count]) {
                for r in 0..c.count {
                    out.push(reduce(s, c.first + r, &values[at..at + len]));
                    at += len;
                }
            }
            progress::advance(1);
            Ok(out)
        };
        let mut parts: Vec<Option<Result<Vec<R>, Error>>> = (0..chunks.len()).map(|_| None).collect();
        if opts.parallel && chunks.len() > 1 {
            // Costliest chunk first, from a queue (`queue.rs`): a single series'
            // chunks are consecutive rows, so with periods ascending the last
            // chunks cost several times the first, and rayon's halving of the
            // list gave one thread the cheap half — then the other's last chunk
            // ran alone (the demo's 600 x 10k batch: 1.75-1.79x on 2 threads).
            // One buffer per worker: at most `threads` chunks in memory.
            let work = |c: &Chunk| -> u64 {
                let rows = &combos[c.first..c.first + c.count];
                lengths[c.series..c.series + c.series_count]
                    .iter()
                    .flat_map(|&len| rows.iter().map(move |p| (p, len)))
                    .map(|(p, len)| self.row_work(p, len))
                    .fold(0, u64::saturating_add)
            };
            let mut order: Vec<(u64, usize)> = chunks.iter().map(work).zip(0..).collect();
            order.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(&b.1)));
            let order: Vec<usize> = order.into_iter().map(|(_, c)| c).collect();
            let answers = queue::run(order, threads, Vec::new, |values, c| (c, one(values, &chunks[c])), |(_, part)| part.is_err());
            for (c, part) in answers.into_iter().flatten() {
                parts[c] = Some(part);
            }
        } else {
            let mut values = Vec::new();
            for (slot, c) in parts.iter_mut().zip(&chunks) {
                let part = one(&mut values, c);
                let failed = part.is_err();
                *slot = Some(part);
                if failed {
                    break;
                }
            }
        }
        // A chunk is skipped (None) only after another failed: the first error
        // in chunk order is returned; without one, every chunk ran.
        let parts = parts.into_iter().flatten().collect::<Result<Vec<Vec<R>>, Error>>()?;
        assert_eq!(parts.len(), chunks.len(), "every chunk ran when none failed");
        let mut results = Vec::with_capacity(combos.len() * series.len());
        for part in parts {
            results.extend(part);
        }
        Ok(results)
    }
}

/// What a reduced batch keeps for good: the combinations and one `R` per
/// (series, combination). Over `max_output_bytes` it is
/// [`Error::OutputTooLarge`] before anything is allocated (a grid of 10⁹
/// combinations aborted the process on allocating its parameter list).
fn check_results<R, P>(rows: u128, series: usize, opts: &BatchOptions) -> Result<(), Error> {
    let per_row = (std::mem::size_of::<R>() as u128).saturating_mul(series as u128).saturating_add(std::mem::size_of::<P>() as u128);
    super::grid::check_memory(rows, 0, per_row, Some(opts.max_output_bytes)).map(|_| ())
}

/// A reduced batch holds at least one row of the longest series at once.
fn check_row_bytes(longest: usize, opts: &BatchOptions) -> Result<(), Error> {
    let row_bytes = longest.saturating_mul(8);
    if row_bytes > opts.max_output_bytes {
        return Err(Error::OutputTooLarge { requested: row_bytes as u128, limit: opts.max_output_bytes });
    }
    Ok(())
}
