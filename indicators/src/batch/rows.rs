//! Scheduling: rows, row pairs, column blocks, many series, progress.
//!
//! The output is series-major, then row-major: series `s` (length `len_s`,
//! starting at `offsets[s]` in the flat input) owns
//! `values[rows * offsets[s] .. rows * offsets[s + 1]]`, row `r` of it
//! `len_s` values at `r * len_s`. One series is the case `offsets = [0, len]`.
//!
//! **Units.** A FIR indicator's rows go in units of two (row `2u` and `2u + 1`):
//! when the kernel has a two-row form, the series has no interior non-finite
//! values and the two periods are within 1/8 of each other, the unit runs as
//! a pair: the shorter row's weights are zero-padded to the longer period so
//! both rows share every load of `x` (the padding wastes at most 1/8 of that
//! row's multiply-adds). A recursive indicator's unit is one row. Rows the
//! FFT path computes (`kernels::fft`, chosen per row) leave their unit; the
//! other row of the pair then runs alone — same bits, kernels are per row.
//!
//! **Tasks.** Each (series, unit) is a task; with a pool, tasks whose work
//! (multiply-adds) exceeds `1 / (4 * threads)` of the whole job are cut into
//! column blocks of at least [`MIN_COLUMN_BLOCK`] outputs (FIR only: a recursion
//! cannot be split), so one long series, a few rows, or a thousand short
//! series all give enough balanced tasks; rayon's work stealing evens out
//! the rest. Below [`SEQUENTIAL_WORK_THRESHOLD`] multiply-adds everything
//! stays on the calling thread. Kernels give the same bits whatever the cut
//! (see `kernels::fir`), so the schedule never changes a result.
//!
//! **Progress** ([`crate::progress`]) counts tasks.

use super::queue;
use super::series::Series;
use super::{MIN_COLUMN_BLOCK, SEQUENTIAL_WORK_THRESHOLD};
use crate::kernels::{fft, Resolved};
use crate::error::Error;
use crate::progress::{self, Call};
use rayon::prelude::*;

/// How rows are computed: the part of an indicator the scheduler needs.
pub(crate) enum Rows<'a, P> {
    /// Weighted windows: every row's normalised weights, computed once.
    Fir(FirRows),
    /// Recursions: the row function and the combinations.
    Recursive { combos: &'a [P], period: fn(&P) -> usize, run: fn(&P, &[f64], &mut [f64]) },
}

/// The weights of every row and their zero-padded pair partners.
pub(crate) struct FirRows {
    weights: Vec<f64>,
    /// Row `r` uses `weights[at[r]..at[r + 1]]`.
    at: Vec<usize>,
    /// Zero-padded weights of the shorter row of pairable unit `u`
    /// (`padded[pad_at[u]..pad_at[u + 1]]`, empty when the unit cannot pair).
    padded: Vec<f64>,
    pad_at: Vec<usize>,
    kernel: Resolved,
    /// When units go to the FFT path (`kernels::fft`) instead.
    fft: fft::Mode,
}

impl FirRows {
    /// Computes every row's weights with `fill(p, w)`, `w.len() == period(p)`,
    /// on the current rayon pool when `parallel` and there are many.
    pub(crate) fn new<P: Sync>(combos: &[P], period: fn(&P) -> usize, fill: fn(&P, &mut [f64]), kernel: Resolved, parallel: bool) -> Self {
        let mut at = Vec::with_capacity(combos.len() + 1);
        at.push(0);
        for p in combos {
            at.push(at.last().unwrap() + period(p));
        }
        let total = *at.last().unwrap();
        let mut weights = vec![0.0; total];
        let mut rows_w = Vec::with_capacity(combos.len());
        let mut rest = weights.as_mut_slice();
        for r in 0..combos.len() {
            let (w, tail) = std::mem::take(&mut rest).split_at_mut(at[r + 1] - at[r]);
            rows_w.push(w);
            rest = tail;
        }
        // In parallel from PARALLEL_WEIGHTS values on: ALMA's weights are one
        // `exp` each, a software function in wasm32 (~25 ns), and computed
        // serially they were ~3 % of the demo's 600-row batch (profile of the
        // single build, Node), time the pool's second thread sat idle.
        if parallel && total >= PARALLEL_WEIGHTS && rayon::current_num_threads() > 1 {
            rows_w.into_par_iter().zip(combos).for_each(|(w, p)| fill(p, w));
        } else {
            rows_w.into_iter().zip(combos).for_each(|(w, p)| fill(p, w));
        }
        let rows = combos.len();
        let units = rows.div_ceil(2);
        let len = |r: usize| at[r + 1] - at[r];
        let pairable = |u: usize| {
            let r = 2 * u;
            if !(kernel.pairs() && r + 1 < rows) {
                return false;
            }
            let (a, b) = (len(r), len(r + 1));
            (a.max(b) - a.min(b)) * 8 <= a.max(b)
        };
        let mut pad_at = vec![0usize; units + 1];
        for u in 0..units {
            let n = if pairable(u) { len(2 * u).max(len(2 * u + 1)) } else { 0 };
            pad_at[u + 1] = pad_at[u] + n;
        }
        let mut padded = vec![0.0; pad_at[units]];
        for u in (0..units).filter(|&u| pairable(u)) {
            let (a, b) = (&weights[at[2 * u]..at[2 * u + 1]], &weights[at[2 * u + 1]..at[2 * u + 2]]);
            let short = if a.len() <= b.len() { a } else { b };
            let dst = &mut padded[pad_at[u]..pad_at[u + 1]];
            let lead = dst.len() - short.len();
            dst[lead..].copy_from_slice(short);
        }
        FirRows { weights, at, padded, pad_at, kernel, fft: fft::Mode::Never }
    }

    /// Sets when the FFT path computes units (default: never).
    pub(crate) fn with_fft(mut self, mode: fft::Mode) -> Self {
        self.fft = mode;
        self
    }

    /// Whether the FFT path computes row `r` on a series of `len` samples
    /// (see `fft::takes`: the row's period, the series and the kernel only).
    fn fft_takes(&self, r: usize, len: usize) -> bool {
        fft::takes(self.fft, self.at[r + 1] - self.at[r], len, self.kernel)
    }

    pub(crate) fn w(&self, r: usize) -> &[f64] {
        &self.weights[self.at[r]..self.at[r + 1]]
    }

    fn rows(&self) -> usize {
        self.at.len() - 1
    }

    /// Outputs `t0 .. t0 + ra.len()` of unit `u`: row `r` alone (either row of
    /// the unit), or with `rb` rows `2u` (`r`) and `2u + 1`.
    fn unit(&self, series: &Series<'_>, u: usize, r: usize, t0: usize, ra: &mut [f64], rb: Option<&mut [f64]>) {
        debug_assert!(r / 2 == u && (rb.is_none() || r == 2 * u));
        let k = self.kernel;
        match rb {
            None => series.fill_block(self.w(r), t0, ra, k),
            Some(rb) if self.pad_at[u + 1] > self.pad_at[u] && !series.has_gaps() => {
                let pad = &self.padded[self.pad_at[u]..self.pad_at[u + 1]];
                let (wa, wb) = (self.w(r), self.w(r + 1));
                if wa.len() <= wb.len() {
                    series.fill_pair(wa, pad, wb, t0, ra, rb, k);
                } else {
                    series.fill_pair(wb, pad, wa, t0, rb, ra, k);
                }
            }
            Some(rb) => {
                series.fill_block(self.w(r), t0, ra, k);
                series.fill_block(self.w(r + 1), t0, rb, k);
            }
        }
    }
}

impl<P: Sync> Rows<'_, P> {
    fn rows(&self) -> usize {
        match self {
            Rows::Fir(f) => f.rows(),
            Rows::Recursive { combos, .. } => combos.len(),
        }
    }

    fn rows_per_unit(&self) -> usize {
        match self {
            Rows::Fir(_) => 2,
            Rows::Recursive { .. } => 1,
        }
    }

    /// Multiply-adds (FIR) or samples (recursive) of row `r` over `len` samples.
    fn work(&self, r: usize, len: usize) -> u64 {
        match self {
            Rows::Fir(f) => row_work(true, f.at[r + 1] - f.at[r], len),
            Rows::Recursive { .. } => row_work(false, 0, len),
        }
    }

    fn unit(&self, series: &Series<'_>, u: usize, r: usize, t0: usize, ra: &mut [f64], rb: Option<&mut [f64]>) {
        match self {
            Rows::Fir(f) => f.unit(series, u, r, t0, ra, rb),
            Rows::Recursive { combos, period, run } => {
                debug_assert!(t0 == 0 && rb.is_none());
                let p = &combos[u];
                series.fill_recursive(period(p), ra, |x, out| run(p, x, out));
            }
        }
    }
}

/// The scheduler's cost of one row over `len` samples: the direct form's
/// multiply-adds for a FIR row of period `period`, the samples for a recursive
/// one (whose `period` is not used).
pub(crate) fn row_work(fir: bool, period: usize, len: usize) -> u64 {
    if fir {
        (len.saturating_sub(period) as u64 + 1).saturating_mul(period as u64)
    } else {
        len as u64
    }
}

/// Weights from which [`FirRows::new`] computes them in parallel.
const PARALLEL_WEIGHTS: usize = 16_384;

/// One task: unit `u` of series `s`, outputs `t0 ..` of row `r` (`a`) and,
/// with `b`, of row `r + 1`.
struct Task<'v> {
    s: usize,
    u: usize,
    r: usize,
    t0: usize,
    a: &'v mut [f64],
    b: Option<&'v mut [f64]>,
}

/// Computes every row of every series into `values` (layout in the module
/// docs). Every series is non-empty and was validated against every row.
pub(crate) fn run<P: Sync>(rows: &Rows<'_, P>, series: &[Series<'_>], values: &mut [f64], parallel: bool, report: bool, call: Call) {
    let n_rows = rows.rows();
    let per_unit = rows.rows_per_unit();
    let units = n_rows.div_ceil(per_unit);
    debug_assert_eq!(values.len(), n_rows * series.iter().map(|s| s.data.len()).sum::<usize>());
    if n_rows == 0 || series.is_empty() {
        return;
    }
    let unit_work = |s: &Series<'_>, u: usize| -> u64 {
        (per_unit * u..(per_unit * (u + 1)).min(n_rows)).map(|r| rows.work(r, s.data.len())).fold(0, u64::saturating_add)
    };
    let total = series.iter().flat_map(|s| (0..units).map(move |u| (s, u))).map(|(s, u)| unit_work(s, u)).fold(0, u64::saturating_add);
    let threads = rayon::current_num_threads().max(1);
    let sequential = !parallel || threads == 1 || total < SEQUENTIAL_WORK_THRESHOLD;
    let cap = total.div_ceil(threads as u64 * 4).max(1);
    let splittable = matches!(rows, Rows::Fir(_)) && !sequential;

    let by_fft = |r: usize, len: usize| matches!(rows, Rows::Fir(f) if f.fft_takes(r, len));
    // Per series: the rows (weights, output) the FFT path computes.
    let mut fft_jobs: Vec<(usize, Vec<(&[f64], &mut [f64])>)> = Vec::new();
    let mut tasks = Vec::with_capacity(series.len() * units);
    let mut rest = values;
    for (si, s) in series.iter().enumerate() {
        let len = s.data.len();
        let (mine, tail) = rest.split_at_mut(n_rows * len);
        rest = tail;
        for (u, chunk) in mine.chunks_mut(per_unit * len).enumerate() {
            // The unit's rows (index, output); those the FFT path takes leave it.
            let mut outs: Vec<(usize, &mut [f64])> = chunk.chunks_mut(len).enumerate().map(|(i, o)| (per_unit * u + i, o)).collect();
            if let Rows::Fir(f) = rows {
                if outs.iter().any(|(r, _)| by_fft(*r, len)) {
                    if fft_jobs.last().map(|j| j.0) != Some(si) {
                        fft_jobs.push((si, Vec::new()));
                    }
                    let job = &mut fft_jobs.last_mut().expect("pushed above").1;
                    let (fft, direct): (Vec<_>, Vec<_>) = outs.into_iter().partition(|(r, _)| by_fft(*r, len));
                    job.extend(fft.into_iter().map(|(r, out)| (f.w(r), out)));
                    outs = direct;
                }
            }
            let work = outs.iter().map(|(r, _)| rows.work(*r, len)).fold(0, u64::saturating_add);
            let mut outs = outs.into_iter();
            let Some((r, a)) = outs.next() else { continue };
            let b = outs.next().map(|(_, b)| b);
            let blocks = if splittable { work.div_ceil(cap) as usize } else { 1 };
            let block = if blocks <= 1 { len } else { len.div_ceil(blocks).max(MIN_COLUMN_BLOCK) };
            match b {
                None => tasks.extend(a.chunks_mut(block).enumerate().map(|(k, a)| Task { s: si, u, r, t0: k * block, a, b: None })),
                Some(b) => {
                    let pairs = a.chunks_mut(block).zip(b.chunks_mut(block)).enumerate();
                    tasks.extend(pairs.map(|(k, (a, b))| Task { s: si, u, r, t0: k * block, a, b: Some(b) }));
                }
            }
        }
    }
    // `report`: false when a caller (batch::reduce) counts progress itself.
    if report {
        progress::begin(tasks.len() + fft_jobs.len());
    }
    // A cancelled call (progress::cancel) skips every task it has not started.
    let fft_job = |(si, job): (usize, Vec<(&[f64], &mut [f64])>)| {
        if call.cancelled() {
            return;
        }
        if let Rows::Fir(f) = rows {
            fft::run_series(&series[si], job, f.kernel, f.fft, !sequential, call);
        }
        if report {
            progress::advance(1);
        }
    };
    let exec = |t: Task<'_>| {
        if call.cancelled() {
            return;
        }
        rows.unit(&series[t.s], t.u, t.r, t.t0, t.a, t.b);
        if report {
            progress::advance(1);
        }
    };
    if sequential {
        fft_jobs.into_iter().for_each(fft_job);
        tasks.into_iter().for_each(exec);
    } else {
        // The series' FFT jobs in parallel with each other and with the direct
        // tasks: many short series each hold too little FFT work to fill the
        // pool alone (1000 series x 2520 points ran 1.2x on 2 threads when the
        // FFT jobs ran one series after another). From a queue (`queue.rs`),
        // longest series first: at most one series' block transforms per pool
        // thread are in memory, which the wasm memory plans count.
        fft_jobs.sort_by_key(|(si, _)| std::cmp::Reverse(series[*si].data.len()));
        let fft_side = || {
            queue::run(fft_jobs, threads, || (), |_, job| fft_job(job), |_| false);
        };
        rayon::join(fft_side, || tasks.into_par_iter().for_each(exec));
    }
}

/// A zeroed output buffer for an allocating call, which pays its page faults.
///
/// Natively, `vec![0.0; len]` is `calloc`: a large allocation gets fresh pages
/// the OS guarantees zero, so nothing is written here and each page is first
/// touched by the kernel task that computes it — page faults spread over the
/// pool's threads, and one pass over the memory fewer than zeroing it first.
/// Measured on the project's 2-core Linux VM (200 MB, 2 threads, loaded
/// machine, rough): zeroing with all threads then computing ~1.0–1.1 s,
/// calloc then computing ~0.85–0.9 s, computing into an already-touched
/// buffer ~0.2 s (hence README: reuse a buffer with `*_into` for repeated
/// large batches). Transparent huge pages (`madvise(MADV_HUGEPAGE)`) were
/// 2–4x *slower* there (`defrag = madvise` compacts memory on each fault), so
/// they are not requested. In wasm32 the memory is zeroed by the engine when
/// it grows, but `calloc` may reuse freed memory, which it must clear: that
/// zeroing is spread over the pool's threads when large.
///
/// An allocation the memory cannot hold is [`Error::OutputTooLarge`], not an
/// abort (the limit check passed, but the machine may have less memory free —
/// a `ulimit`, a container — than `max_output_bytes` allows).
pub(crate) fn zeroed(len: usize, parallel: bool) -> Result<Vec<f64>, Error> {
    let too_large = || Error::OutputTooLarge { requested: (len as u128).saturating_mul(8), limit: isize::MAX as usize };
    if cfg!(not(target_arch = "wasm32")) {
        // calloc, fallibly: try_reserve then resize would write every zero.
        let layout = std::alloc::Layout::array::<f64>(len).map_err(|_| too_large())?;
        if layout.size() == 0 {
            return Ok(Vec::new());
        }
        // SAFETY: `layout` has a nonzero size; a non-null result is `len` zeroed
        // f64s (all-zero bits are 0.0) allocated by the global allocator with the
        // layout `Vec<f64>` uses for capacity `len`, so the Vec may own and free it.
        let ptr = unsafe { std::alloc::alloc_zeroed(layout) } as *mut f64;
        if ptr.is_null() {
            return Err(too_large());
        }
        // SAFETY: as above: `ptr` owns `len` initialised f64s in `Vec<f64>`'s layout.
        return Ok(unsafe { Vec::from_raw_parts(ptr, len, len) });
    }
    let mut v = Vec::new();
    v.try_reserve_exact(len).map_err(|_| too_large())?;
    if parallel && len >= 1 << 20 {
        v.par_extend(rayon::iter::repeat_n(0.0, len));
    } else {
        v.resize(len, 0.0);
    }
    Ok(v)
}
