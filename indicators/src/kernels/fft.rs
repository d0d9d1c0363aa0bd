//! FFT convolution of one finite run of a series with many weight rows.
//!
//! # The model
//!
//! The direct form costs `period` multiply-adds per output; a batch of 250
//! periods from 9 to 258 costs ~133 per output on average, whatever the SIMD.
//! A convolution by FFT costs a few times `log2(n)` per output instead, and in
//! a batch the series is the same for every row, so its transforms are computed
//! **once** ([`Spectra::new`]) and shared read-only by all rows; each row then
//! pays one spectrum product and one inverse transform per block
//! ([`Spectra::row`]).
//!
//! **Overlap-save.** The run `x` (finite values only: the caller splits the
//! series at its non-finite samples, exactly where the direct form's NaN mask
//! changes) is cut into blocks of `step = n - pmax + 1` outputs, `pmax` the
//! longest period served (a power of two: rows are grouped by their period
//! rounded up, [`class`], so a row's block layout never depends on the other
//! rows of its batch). Block `k` transforms the `n` samples
//! `x[k*step - (pmax-1) .. k*step + step]` (zero outside the run); after the
//! product with a row's zero-padded reversed weights and the inverse transform,
//! the last `step` values of the circular convolution are exactly the linear
//! convolution's — the `pmax - 1` first ones wrap around and are dropped. Any
//! period `<= pmax` reads only that window, so one set of block transforms
//! serves every row.
//!
//! **Accuracy.** Each block is centred before its transform: `c` = the midpoint
//! of its smallest and largest sample, the transform is of `x - c`, and since
//! the weights sum to `sw` (1 up to rounding) the output is
//! `c * sw + conv(w, x - c)`. The FFT's rounding error then scales with the
//! block's *half-range* `S = max |x - c|`, not with the price level: measured
//! error `|fft - exact| <= ERROR_BOUND_ULPS * eps * S` with
//! `ERROR_BOUND_ULPS = 64` (`tests/fft.rs` checks it against a compensated
//! reference on random walks and on a series that crosses zero). For a series of one sign the output is a weighted mean of
//! samples of that sign, so `|out| >= m = min |x|` over the block, and the error
//! relative to the output is at most `ERROR_BOUND_ULPS * eps * S / m`.
//! [`Spectra::well_conditioned`] says whether that is `<= 1e-12` for a block
//! (`S <= MAX_RANGE_RATIO * m`); `Kernel::Auto` computes the other blocks with
//! the direct form, so it is within 1e-12 relative of the direct form on
//! every series of one sign. A block whose samples change sign has `m = 0`:
//! forced FFT still gives `|error| <= 1e-12 * S` there (absolute, relative to the
//! block's half-range), which is what the direct form itself guarantees near
//! zero (its error is `~period * eps * max |x|`).
//!
//! **Block size.** `n` is the power of two minimising the measured inverse
//! transform time per useful output, `t(n) / (n - pmax + 1)` ([`block_len`]).
//!
//! **Memory.** The block transforms of a run take about as many bytes as the
//! run itself (`(n/2 + 1)` complex values per `n - pmax + 1` samples), so they
//! are computed [`SEGMENT_BYTES`] at a time: the blocks of one segment, then
//! every row's outputs from those blocks, then the next segment. Runs up to
//! ~1.8M samples are one segment; a longer one no longer needs a second copy
//! of itself in memory (in wasm32 that copy, uncounted, ran the threaded build
//! out of memory inside a pool thread: a 20M-sample batch hung its caller).
//! Each row task also holds buffers of `n` values ([`working_bytes`]). The
//! layout of blocks, and so every output's bits, does not depend on segments.

use super::Resolved;
use crate::batch::series::Series;
use crate::progress::Call;
use rayon::prelude::*;
use realfft::num_complex::Complex;
use realfft::{ComplexToReal, RealFftPlanner, RealToComplex};
use std::sync::Arc;

/// Largest `S / min|x|` of a block for which `ERROR_BOUND_ULPS * eps * S /
/// min|x| <= 1e-12`, with `ERROR_BOUND_ULPS = 64` the bound checked in
/// `tests/fft.rs` (eps = 2^-52): `1e-12 / (64 * 2.2e-16) ~= 70`.
pub(crate) const MAX_RANGE_RATIO: f64 = 64.0;

/// Smallest transform tried (shorter ones pay more per-call overhead than they save).
const MIN_LEN: usize = 256;
/// Largest transform tried: 16384 f64 keep a block's buffers in L2.
const MAX_LEN: usize = 16384;

/// Relative cost of one inverse real transform of `n = 2^k` points plus its
/// spectrum product, in units of `n * log2(n)`, measured with realfft 3.5.1 /
/// rustfft 6.4.1 on the project's 2-core x86_64 VM (AVX-512 CPU, rustfft's AVX
/// code) with `cargo bench -p rayon-web-indicators --bench fft -- fft_block_len`
/// (2026-12-04, loaded machine): 0.308, 0.664, 1.53, 3.21, 7.63, 18.4, 36.1 µs
/// for n = 256 ..= 16384, i.e. 0.150, 0.144, 0.149, 0.143, 0.155, 0.172, 0.158
/// ns per n·log2(n), normalised by 0.15 below. Index = k - 8.
const COST_PER_NLOGN: [f64; 7] = [1.0, 0.96, 0.99, 0.95, 1.03, 1.15, 1.05];

/// The transform length for the longest period `pmax` and a run of `run`
/// samples: the power of two minimising the estimated time per output
/// `COST_PER_NLOGN * n * log2(n) / (n - pmax + 1)`, never longer than needed
/// to hold the whole run in one block.
pub(crate) fn block_len(pmax: usize, run: usize) -> usize {
    // One block holding the whole run; n >= pmax so that step >= 1.
    let whole = (run + pmax - 1).next_power_of_two().max(MIN_LEN);
    let lo = pmax.next_power_of_two().max(MIN_LEN);
    let hi = whole.min(MAX_LEN.max((2 * pmax).next_power_of_two()));
    let mut best = (f64::INFINITY, lo);
    let mut n = lo;
    while n <= hi {
        let k = n.trailing_zeros() as usize;
        let c = COST_PER_NLOGN.get(k.wrapping_sub(8)).copied().unwrap_or(1.3);
        let per_output = c * (n * k) as f64 / (n - pmax + 1) as f64;
        if per_output < best.0 {
            best = (per_output, n);
        }
        n *= 2;
    }
    best.1
}

thread_local! {
    /// One planner per thread: it caches its plans (twiddles, algorithm choice)
    /// by length, so the thousand short series of a many-series batch plan once
    /// per thread instead of once per series.
    static PLANNER: std::cell::RefCell<RealFftPlanner<f64>> = std::cell::RefCell::new(RealFftPlanner::new());
}

/// The forward and inverse real transforms of length `n` (cached per thread).
fn plans(n: usize) -> (Arc<dyn RealToComplex<f64>>, Arc<dyn ComplexToReal<f64>>) {
    PLANNER.with(|p| {
        let mut p = p.borrow_mut();
        (p.plan_fft_forward(n), p.plan_fft_inverse(n))
    })
}

/// Bytes of block transforms computed at once per run (see the module docs):
/// 16 MiB, the blocks of ~1.8M samples.
pub(crate) const SEGMENT_BYTES: usize = 16 << 20;

/// The block layout of a run of `len` samples for periods up to `pmax`.
#[derive(Clone, Copy, Debug)]
struct Layout {
    /// Transform length.
    n: usize,
    /// Outputs per block, `n - pmax + 1`.
    step: usize,
    pmax: usize,
    len: usize,
    /// Blocks covering the run.
    blocks: usize,
}

impl Layout {
    fn new(pmax: usize, len: usize) -> Self {
        let n = block_len(pmax, len);
        let step = n - pmax + 1;
        Layout { n, step, pmax, len, blocks: len.div_ceil(step) }
    }

    fn half(&self) -> usize {
        self.n / 2 + 1
    }

    /// Blocks per segment: [`SEGMENT_BYTES`] of spectra, at least one block.
    fn segment_blocks(&self) -> usize {
        (SEGMENT_BYTES / (self.half() * std::mem::size_of::<Complex<f64>>())).max(1)
    }

    /// Length of the part of a row's output (`len - p + 1` values, the
    /// direct-form contract) that blocks `0 .. k` produce.
    fn out_end(&self, p: usize, k: usize) -> usize {
        (k * self.step).min(self.len).saturating_sub(p - 1)
    }
}

/// An upper bound of the bytes one FFT computation over a run of `len`
/// samples for periods up to `pmax` holds: `(segment, task)` — the block
/// transforms of one segment (shared by the rows), and the buffers of one
/// row task or one block transform in progress (per thread). For memory
/// plans (the wasm exports): transforms of long periods have long blocks
/// (`n` up to `2 * pmax` rounded up to a power of two).
// Only the JS exports plan memory (and the tests check this).
#[cfg_attr(not(all(target_arch = "wasm32", feature = "js")), allow(dead_code))]
pub(crate) fn working_bytes(pmax: usize, len: usize) -> (u64, u64) {
    if pmax == 0 || pmax > len {
        return (0, 0);
    }
    let l = Layout::new(class(pmax, len), len);
    let complex = std::mem::size_of::<Complex<f64>>() as u64;
    let per_block = l.half() as u64 * complex + 2 * 8 + 1;
    let segment = per_block * l.segment_blocks().min(l.blocks) as u64;
    // A row task: h, y (n values) and hs, prod, scratch (n/2 + 1 complex
    // each, rustfft's scratch at most n complex: counted as 2 * half).
    let task = 2 * l.n as u64 * 8 + 4 * l.half() as u64 * complex;
    (segment, task)
}

/// The block transforms of one segment of one finite run, shared read-only
/// by every row.
pub(crate) struct Spectra<'a> {
    x: &'a [f64],
    layout: Layout,
    /// The first block held, and one past the last.
    first: usize,
    end: usize,
    /// `(end - first) * (n/2 + 1)` spectra of the centred blocks.
    spec: Vec<Complex<f64>>,
    /// Per block: the centre `c` subtracted before the transform.
    centre: Vec<f64>,
    /// Per block: the power of two the centred block was divided by before its
    /// transform (1 unless its range could overflow; see [`block_scale`]).
    unscale: Vec<f64>,
    /// Per block: `S <= MAX_RANGE_RATIO * min|x|` (see the module docs).
    conditioned: Vec<bool>,
    fwd: Arc<dyn RealToComplex<f64>>,
    inv: Arc<dyn ComplexToReal<f64>>,
}

impl<'a> Spectra<'a> {
    /// Transforms the blocks `blocks` of `x` (finite values only; layout for
    /// periods up to `pmax`, `1 <= pmax <= x.len()`), in parallel on the
    /// current rayon pool when `parallel`.
    fn new(x: &'a [f64], layout: Layout, blocks: std::ops::Range<usize>, parallel: bool) -> Self {
        let Layout { n, step, pmax, .. } = layout;
        debug_assert!(pmax >= 1 && pmax <= x.len() && layout.len == x.len() && blocks.end <= layout.blocks);
        debug_assert!(x.iter().all(|v| v.is_finite()));
        let (first, end) = (blocks.start, blocks.end);
        let blocks = end - first;
        let half = layout.half();
        let (fwd, inv) = plans(n);
        let mut spec = vec![Complex::new(0.0, 0.0); blocks * half];
        let mut centre = vec![0.0; blocks];
        let mut unscale = vec![1.0; blocks];
        let mut conditioned = vec![false; blocks];
        let one = |i: usize, out: &mut [Complex<f64>], (c, u): (&mut f64, &mut f64), ok: &mut bool, buf: &mut Vec<f64>, scratch: &mut Vec<Complex<f64>>| {
            let s = ((first + i) * step) as isize - (pmax as isize - 1);
            let lo = s.max(0) as usize;
            let hi = ((s + n as isize) as usize).min(x.len());
            let seg = &x[lo..hi];
            let (mn, mx) = seg.iter().fold((f64::INFINITY, f64::NEG_INFINITY), |(a, b), &v| (a.min(v), b.max(v)));
            // Midpoint without overflow for |values| near f64::MAX.
            let mid = mn * 0.5 + mx * 0.5;
            let range = mx * 0.5 - mn * 0.5;
            let min_abs = if mn > 0.0 { mn } else if mx < 0.0 { -mx } else { 0.0 };
            *c = mid;
            *ok = range <= MAX_RANGE_RATIO * min_abs;
            let (down, up) = block_scale(range);
            *u = up;
            buf.clear();
            buf.resize(n, 0.0);
            let off = (lo as isize - s) as usize;
            // The power-of-two factor is exact (1 for every ordinary block). Once
            // per block and batch; the rows' loop in `row` is the hot one.
            for (d, &v) in buf[off..off + seg.len()].iter_mut().zip(seg) {
                *d = (v - mid) * down;
            }
            fwd.process_with_scratch(buf, out, scratch).expect("realfft length contract");
        };
        let init = || (Vec::with_capacity(n), vec![Complex::new(0.0, 0.0); fwd.get_scratch_len()]);
        let iter = spec.chunks_mut(half).zip(centre.iter_mut().zip(unscale.iter_mut())).zip(conditioned.iter_mut()).enumerate();
        if parallel && blocks > 1 {
            spec.par_chunks_mut(half)
                .zip(centre.par_iter_mut().zip(unscale.par_iter_mut()))
                .zip(conditioned.par_iter_mut())
                .enumerate()
                .for_each_init(init, |(buf, scratch), (k, ((o, cu), ok))| one(k, o, cu, ok, buf, scratch));
        } else {
            let (mut buf, mut scratch) = init();
            for (k, ((o, cu), ok)) in iter {
                one(k, o, cu, ok, &mut buf, &mut scratch);
            }
        }
        Spectra { x, layout, first, end, spec, centre, unscale, conditioned, fwd, inv }
    }

    /// Whether block `k`'s outputs are within 1e-12 relative of the exact ones
    /// when computed by FFT (see the module docs).
    #[allow(dead_code)]
    pub(crate) fn well_conditioned(&self, k: usize) -> bool {
        self.conditioned[k - self.first]
    }

    fn out_end(&self, p: usize, k: usize) -> usize {
        self.layout.out_end(p, k)
    }

    /// Writes `out[j] = sum_i w[i] * x[j + i]` for the outputs produced by
    /// blocks `k0 .. k1`, i.e. `out` is
    /// `full_out[out_end(p, k0) .. out_end(p, k1)]` of a row of `w.len() <= pmax`
    /// weights, `first <= k0 <= k1 <= end` (the blocks this segment holds).
    /// Blocks that are not [`Self::well_conditioned`] are computed by `direct`
    /// instead when it is given.
    pub(crate) fn row(&self, w: &[f64], k0: usize, k1: usize, out: &mut [f64], direct: Option<Resolved>) {
        let p = w.len();
        assert!(p >= 1 && p <= self.layout.pmax && self.first <= k0 && k0 <= k1 && k1 <= self.end, "fft row contract");
        assert_eq!(out.len(), self.out_end(p, k1) - self.out_end(p, k0), "fft row length contract");
        if out.is_empty() {
            return;
        }
        let Layout { n, step, pmax, .. } = self.layout;
        let half = self.layout.half();
        // The row's filter: weights reversed (so the circular convolution is the
        // ALMA sum), scaled by 1/n because realfft's inverse is unnormalised.
        let mut h = vec![0.0; n];
        let scale = 1.0 / n as f64;
        for (d, &v) in h.iter_mut().zip(w.iter().rev()) {
            *d = v * scale;
        }
        let mut hs = vec![Complex::new(0.0, 0.0); half];
        let mut cscratch = vec![Complex::new(0.0, 0.0); self.fwd.get_scratch_len().max(self.inv.get_scratch_len())];
        self.fwd.process_with_scratch(&mut h, &mut hs, &mut cscratch).expect("realfft length contract");
        let sw: f64 = w.iter().sum();
        let mut prod = vec![Complex::new(0.0, 0.0); half];
        let mut y = vec![0.0; n];
        let base = self.out_end(p, k0);
        for k in k0..k1 {
            let (a, b) = (self.out_end(p, k) - base, self.out_end(p, k + 1) - base);
            if a == b {
                continue;
            }
            let dst = &mut out[a..b];
            let i = k - self.first;
            if let (Some(kernel), false) = (direct, self.conditioned[i]) {
                let j0 = a + base;
                kernel.conv(&self.x[j0..j0 + dst.len() + p - 1], w, dst);
                continue;
            }
            let xs = &self.spec[i * half..(i + 1) * half];
            for ((d, &u), &v) in prod.iter_mut().zip(xs).zip(&hs) {
                *d = u * v;
            }
            // The DC and Nyquist bins of a real signal's spectrum are real; the
            // product of two of them is too, up to nothing: clear the sign of a
            // zero imaginary part so realfft's input check never fires.
            prod[0].im = 0.0;
            prod[half - 1].im = 0.0;
            self.inv.process_with_scratch(&mut prod, &mut y, &mut cscratch).expect("realfft length contract");
            // Output j (window x[j .. j + p]) ends at run index t = j + p - 1,
            // which sits at y[t - (k*step - (pmax - 1))].
            let c = self.centre[i] * sw;
            let up = self.unscale[i];
            let t0 = a + base + p - 1;
            let y0 = t0 + pmax - 1 - k * step;
            let ys = &y[y0..y0 + (b - a)];
            // Two loops, not one with a factor of 1: every row runs this, and
            // ordinary blocks (all but prices near f64::MAX) pay nothing for the scaling.
            if up == 1.0 {
                dst.iter_mut().zip(ys).for_each(|(d, &v)| *d = c + v);
            } else {
                dst.iter_mut().zip(ys).for_each(|(d, &v)| *d = c + v * up);
            }
        }
    }
}

/// Blocks whose half-range exceeds this are scaled down before their transform
/// (2^960 ~ 9.7e288). The transform's bins, the product with a row's spectrum
/// (`|h| <= 1/n`) and the inverse each add at most a factor `n <= 2^14`, so a
/// block of half-range `S` peaks at `n * S`: above ~2^1010 (1e304) it overflows
/// to infinity and the row's outputs become NaN — prices of 1e307 did, where the
/// direct form is exact.
const SCALE_ABOVE: f64 = f64::from_bits((1023 + 960) << 52);

/// `(down, up)`: the power of two to multiply a centred block by before its
/// transform, and its inverse to multiply the outputs by — `(1, 1)` for every
/// block of half-range `<= SCALE_ABOVE`, so such blocks compute exactly as
/// without scaling, bit for bit; otherwise `down = 2^-e` bringing the range to
/// at most `SCALE_ABOVE`. Multiplying by a power of two is exact (no sample of
/// a block that wide is small enough to become subnormal where it matters: the
/// error bound is relative to the range), so scaled blocks keep the accuracy
/// of unscaled ones.
fn block_scale(range: f64) -> (f64, f64) {
    if range <= SCALE_ABOVE {
        return (1.0, 1.0);
    }
    // range <= f64::MAX / 2 (it is a half-range), so e <= 64 keeps both factors finite.
    let e = (range / SCALE_ABOVE).log2().ceil() as i32;
    (2f64.powi(-e), 2f64.powi(e))
}

/// Convolves the finite run `x` with every row: `rows[r] = (w, out)` with
/// `out.len() == x.len() - w.len() + 1` receives `out[j] = sum_i w[i] * x[j + i]`
/// (the contract of the direct kernels), computed by overlap-save FFT with the
/// run's block transforms for periods up to `pmax` (`>=` every row's period)
/// shared by all rows. Rows, and blocks of a row when
/// there are fewer rows than `4 * threads`, run in parallel on the current
/// rayon pool when `parallel`. With `direct = Some(kernel)`, blocks whose
/// range is too wide for 1e-12 relative accuracy use that kernel instead (see
/// the module docs).
pub(crate) fn conv_rows(x: &[f64], pmax: usize, rows: Vec<(&[f64], &mut [f64])>, direct: Option<Resolved>, parallel: bool, call: Call) {
    conv_rows_in_segments(x, pmax, rows, direct, parallel, None, call);
}

/// [`conv_rows`] with `segment` blocks transformed at a time (default
/// [`SEGMENT_BYTES`] of them; a test sets it: the outputs do not depend on it).
fn conv_rows_in_segments(x: &[f64], pmax: usize, rows: Vec<(&[f64], &mut [f64])>, direct: Option<Resolved>, parallel: bool, segment: Option<usize>, call: Call) {
    if rows.is_empty() {
        return;
    }
    for (w, o) in &rows {
        assert!(!w.is_empty() && w.len() <= pmax && x.len() + 1 == o.len() + w.len(), "kernel length contract");
    }
    let layout = Layout::new(pmax, x.len());
    let segment = segment.unwrap_or_else(|| layout.segment_blocks()).max(1);
    let threads = if parallel { rayon::current_num_threads().max(1) } else { 1 };
    // Each row's outputs not computed yet (segments consume them in order).
    let mut rows = rows;
    let mut s0 = 0;
    // A cancelled call (progress::cancel) computes no more segments or row tasks.
    let cancelled = || call.cancelled();
    while s0 < layout.blocks && !cancelled() {
        let s1 = s0.saturating_add(segment).min(layout.blocks);
        let spectra = Spectra::new(x, layout, s0..s1, parallel);
        let groups = (4 * threads).div_ceil(rows.len()).clamp(1, s1 - s0);
        let per = (s1 - s0).div_ceil(groups);
        let mut tasks = Vec::with_capacity(rows.len() * groups);
        for (w, rest) in rows.iter_mut() {
            let p = w.len();
            let mut k = s0;
            while k < s1 {
                let k1 = (k + per).min(s1);
                let len = layout.out_end(p, k1) - layout.out_end(p, k);
                let (head, tail) = std::mem::take(rest).split_at_mut(len);
                tasks.push((*w, k, k1, head));
                *rest = tail;
                k = k1;
            }
        }
        let run = |(w, k0, k1, out): (&[f64], usize, usize, &mut [f64])| {
            if !cancelled() {
                spectra.row(w, k0, k1, out, direct);
            }
        };
        if threads > 1 && tasks.len() > 1 {
            tasks.into_par_iter().for_each(run);
        } else {
            tasks.into_iter().for_each(run);
        }
        s0 = s1;
    }
    debug_assert!(cancelled() || rows.iter().all(|(_, rest)| rest.is_empty()));
}

/// When the FFT path runs (from [`super::Kernel::fft_mode`]).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Mode {
    /// Direct kernels only.
    Never,
    /// FFT for units whose period reaches the measured crossover, with the
    /// direct form for ill-conditioned blocks.
    Auto,
    /// FFT for every unit (forced by `Kernel::Fft`).
    Always,
}

/// The shortest period from which `Kernel::Auto` computes a row by FFT (with
/// two or more such rows the series' transforms, about one more row's cost,
/// are shared; a lone row pays them alone, but the choice must not depend on
/// the other rows — see [`class`]). Measured with `cargo bench -p rayon-web-indicators
/// --bench fft -- crossover` (16 rows of one period, 2 threads, into a reused
/// buffer; AVX-512 direct kernel; 2026-12-04 on the loaded 2-core VM, so
/// rough — the lead re-measures on a quiet machine), median ms FFT / direct:
///
/// ```text
/// period        16         32         48         64         96          128         256
/// n = 10k    0.35/0.16  0.59/0.29  0.95/0.49  0.62/0.55  0.89/1.15   0.96/1.22   0.55/1.53
/// n = 100k   5.2/2.7    4.5/2.2    4.0/3.2    4.2/4.3    5.2/5.5     5.6/7.6     4.8/14.7
/// n = 1M     33.7/11.7  24.4/10.0  20.9/14.5  22.4/18.8  24.3/28.2   53.1/74.3   60.2/147.9
/// ```
/// FFT ties at 64 and wins from 96 at
/// every length: the crossover is set between them. The AVX2 + FMA kernel gives
/// the same picture (same bench, 2026-12-06, a 2-core AMD EPYC Zen 3 VM without
/// AVX-512, noisy; FFT / AVX2 time):
///
/// ```text
/// period      48     64     96     128    256
/// n = 10k    1.40   0.73   0.84   0.62   0.44
/// n = 100k   1.23   0.70   0.83   0.54   0.31
/// n = 1M     1.43   1.13   0.66   0.47   0.36
/// ```
#[cfg(not(target_arch = "wasm32"))]
pub(crate) const CROSSOVER_PERIOD: usize = 80;

/// [`CROSSOVER_PERIOD`] when the direct kernel is the scalar one (a machine
/// without AVX2 + FMA: aarch64, older x86_64): one sequential sum per output
/// is ~8x slower than AVX2, so FFT wins from much shorter periods. Same bench
/// (2026-12-06, the Zen 3 VM, rustfft's AVX code; `Kernel::Scalar` as the
/// direct kernel), FFT / scalar time:
///
/// ```text
/// period      4      8      12     16     24     32
/// n = 2520   1.18   0.83   0.66   0.51   0.31   0.28
/// n = 10k    1.06   1.14   0.84   0.39   0.30   0.19
/// n = 100k   1.08   0.80   0.57   0.40   0.27   0.17
/// n = 1M     1.12   0.87   0.53   0.42   0.23   0.21
/// ```
///
/// FFT ties at 8 and wins from 12 at every length; 16 leaves room for FFT
/// code slower than rustfft's AVX (its NEON code on aarch64 has half the
/// lanes), not measured here. Before this value Auto kept periods 16–79 on the
/// scalar kernel there, 2–7x slower than FFT.
#[cfg(not(target_arch = "wasm32"))]
pub(crate) const CROSSOVER_PERIOD_SCALAR: usize = 16;

/// [`CROSSOVER_PERIOD`] for the AVX-512 kernel on AMD Zen 5 (CPU family 0x1A
/// and later), whose AVX-512 runs at full 512-bit width: the direct kernel is
/// ~1.5x faster there relative to the transforms than on the Zen 4 and Intel
/// VMs, and FFT loses at 96. Same bench (2026-12-07, a 2-core AMD EPYC family
/// 26 model 2 VM), FFT / AVX-512 time:
///
/// ```text
/// period      48     64     96     128    256
/// n = 2520   1.78   1.72   1.94   1.28   0.93
/// n = 10k    1.88   1.37   1.19   0.92   0.55
/// n = 100k   1.74   1.41   1.08   0.84   0.51
/// n = 1M     1.82   1.41   1.21   0.92   0.53
/// ```
///
/// FFT loses at 96 and wins at 128 from 10k samples on: the crossover is set
/// between them (short runs raise it by [`crossover_for_run`]'s factors, which
/// keep n = 2520 on the direct kernel below 224). With 80 here, Auto computed
/// periods 80–111 by FFT 8–21 % slower than directly.
#[cfg(target_arch = "x86_64")]
pub(crate) const CROSSOVER_PERIOD_FULL_WIDTH_AVX512: usize = 112;

/// The shortest period `Kernel::Auto` computes by FFT on long runs when the
/// direct kernel it would otherwise use is `direct` on this machine (natively
/// the scalar kernel has its own crossover, and so has AVX-512 on a CPU that
/// runs it at full width; wasm32 builds use one value for all).
pub(crate) fn crossover_period(direct: Resolved) -> usize {
    #[cfg(not(target_arch = "wasm32"))]
    return crossover_for_cpu(direct, amd_family());
    #[cfg(target_arch = "wasm32")]
    {
        let _ = direct;
        CROSSOVER_PERIOD
    }
}

/// [`crossover_period`] for `direct` on a CPU whose AMD family is
/// `amd_family` (`None`: another vendor or unknown). A pure function, so the
/// rule is tested on every machine.
#[cfg(not(target_arch = "wasm32"))]
fn crossover_for_cpu(direct: Resolved, amd_family: Option<u32>) -> usize {
    // Elsewhere than x86_64 the scalar kernel is the only direct one, and no
    // vendor rule applies (aarch64: checked by `cargo check --target aarch64-apple-darwin`).
    #[cfg(not(target_arch = "x86_64"))]
    let _ = amd_family;
    #[allow(unreachable_patterns)]
    match direct {
        Resolved::Scalar => CROSSOVER_PERIOD_SCALAR,
        #[cfg(target_arch = "x86_64")]
        Resolved::Avx512 if amd_family.is_some_and(|f| f >= 0x1A) => CROSSOVER_PERIOD_FULL_WIDTH_AVX512,
        _ => CROSSOVER_PERIOD,
    }
}

/// The CPU's family if its vendor is AMD (CPUID leaf 0 vendor string, leaf 1
/// base + extended family), read once; `None` elsewhere.
#[cfg(not(target_arch = "wasm32"))]
fn amd_family() -> Option<u32> {
    #[cfg(target_arch = "x86_64")]
    {
        static FAMILY: std::sync::OnceLock<Option<u32>> = std::sync::OnceLock::new();
        *FAMILY.get_or_init(|| {
            use std::arch::x86_64::__cpuid;
            // `unsafe` for the compilers of the crate's rust-version (1.89), where
            // `__cpuid` is an unsafe fn; newer ones made it safe (hence the allow).
            #[allow(unused_unsafe)]
            // SAFETY: CPUID exists on every x86_64 CPU; leaves 0 and 1 are always valid.
            let (vendor, leaf1) = unsafe { (__cpuid(0), __cpuid(1)) };
            let amd = [vendor.ebx, vendor.edx, vendor.ecx] == [0x6874_7541, 0x6974_6e65, 0x444d_4163]; // "AuthenticAMD"
            let base = (leaf1.eax >> 8) & 0xF;
            let family = if base == 0xF { base + ((leaf1.eax >> 20) & 0xFF) } else { base };
            amd.then_some(family)
        })
    }
    #[cfg(not(target_arch = "x86_64"))]
    None
}

/// The shortest period from which `Kernel::Auto` computes a row by FFT in
/// wasm32 (on long runs; [`crossover_for_run`] raises it on short ones). The
/// direct simd128 kernels are 2 lanes wide against AVX-512's 8, so FFT wins
/// earlier than natively. Measured with `node tests/bench/crossover-node.mjs`
/// (`cargo xtask bench`: 16 rows of one period, `kernel: 'fft'` vs `'simd'`
/// alternated, medians of 9; Node 20, 2026-12-05, the 2-core AMD EPYC Zen 4
/// VM, quiet), FFT / direct time, single-threaded build (pool of 2 within ±0.1):
///
/// ```text
/// period       32     48     64     96     128    192    256
/// n = 1024    1.28   1.19   1.03   1.40   1.16   0.91   0.81
/// n = 1500    1.30   1.14   0.94   1.07   0.88   0.65   0.55
/// n = 2520    1.30   1.00   0.81   0.98   0.78   0.56   0.47
/// n = 5000    1.35   0.95   0.79   0.71   0.54   0.39   0.33
/// n = 10000   1.32   0.88   0.72   0.65   0.49   0.36   0.27
/// n = 20000   1.27   0.87   0.70   0.59   0.45   0.34   0.25
/// n = 100000  1.26   0.96   0.79   0.58   0.45   0.31   0.24
/// ```
///
/// FFT ties at 48 and wins from 64 from 5000 samples on; below, see
/// [`crossover_for_run`]. Both wasm builds use the same value, so they keep
/// giving the same bits.
#[cfg(target_arch = "wasm32")]
pub(crate) const CROSSOVER_PERIOD: usize = 64;

/// With `Kernel::Auto`, a run of finite samples shorter than this (or than
/// `2 * pmax`) is computed by the direct form: its transforms would cost more
/// than they save. `Kernel::Fft` transforms every run that holds a window.
pub(crate) const MIN_RUN: usize = 1024;

/// With `Kernel::Auto`, the shortest period whose row is transformed in a run
/// of `run` samples: on short runs the transforms (and each row's weight
/// transform) are spread over few outputs, so FFT needs longer periods to win.
/// Measured with `cargo bench -p rayon-web-indicators --bench fft -- crossover`
/// (16 rows of one period, 2 threads, planners cached; 2026-12-05 on the
/// 2-core AMD EPYC VM, AVX-512 direct kernel), median FFT / direct time:
///
/// ```text
/// period       64     96     128    192    256
/// n = 2520    1.48   1.81   1.23   0.85   0.69
/// n = 5000    1.24   1.04   0.88   0.65   0.51
/// n = 10000   1.19   0.98   0.83   0.56   0.45
/// n = 20000   1.15   0.77   0.56   0.42   0.33
/// ```
///
/// (1000 series x 2520 points x periods 5..=100 ran 177 ms by FFT for its
/// periods >= 80, 107 ms all direct, before this rule.) Natively; wasm32 has
/// its own measured table (at its `CROSSOVER_PERIOD`).
/// The same factors apply to the scalar kernel's crossover (conservative: the
/// table there shows FFT winning from 12 even on 2520 samples).
#[cfg(not(target_arch = "wasm32"))]
pub(crate) fn crossover_for_run(run: usize, direct: Resolved) -> usize {
    let c = crossover_period(direct);
    match run {
        0..4096 => 2 * c,
        4096..8192 => 3 * c / 2,
        8192..16384 => 6 * c / 5,
        _ => c,
    }
}

/// [`crossover_for_run`] in wasm32, from the wasm table at
/// [`CROSSOVER_PERIOD`]: below 2048 samples FFT wins from period 192 (128 is a
/// tie), below 4096 from 128 (96 ties), from 4096 on from 64.
#[cfg(target_arch = "wasm32")]
pub(crate) fn crossover_for_run(run: usize, direct: Resolved) -> usize {
    let _ = direct;
    match run {
        0..2048 => 3 * CROSSOVER_PERIOD,
        2048..4096 => 2 * CROSSOVER_PERIOD,
        _ => CROSSOVER_PERIOD,
    }
}

/// Whether a run of `run` samples is transformed for a row of period `p`
/// (a function of `p`, the run and the machine's direct kernel only: see [`takes`]).
fn run_pays(mode: Mode, run: usize, p: usize, direct: Resolved) -> bool {
    match mode {
        Mode::Always => run >= p,
        _ => run >= MIN_RUN.max(2 * p) && p >= crossover_for_run(run, direct),
    }
}

/// Whether the FFT path takes a row of period `p` on a series of `len`
/// samples ([`run_series`] then decides per finite run), `direct` being the
/// direct kernel of the call. A function of `p`, `len`, the mode and the
/// machine's kernel only — never of the other rows — so a row has the same
/// bits alone, in any batch, and in any part of a split batch (rayon-web-host's
/// shards split batches by rows and promise the single build's bits). Rows it
/// declines stay in the direct kernels' row pairs.
pub(crate) fn takes(mode: Mode, p: usize, len: usize, direct: Resolved) -> bool {
    match mode {
        Mode::Never => false,
        Mode::Always => true,
        Mode::Auto => p >= crossover_period(direct) && run_pays(mode, len, p, direct),
    }
}

/// The largest period of the grid `periods` (`(start, end, step)`, as
/// [`crate::batch::grid`] counts it) that [`takes`] takes over `len` samples,
/// found without a scan: whatever the direct kernel, `takes` holds for an
/// upper range of periods that ends at `len / 2` (`Auto`: a run must hold two
/// windows, and the crossovers are lower bounds) or at `len` (`Always`), so the
/// grid's largest value within that end decides. The wasm exports size the FFT
/// path's working memory from it; a grid may hold billions of periods.
#[cfg_attr(not(all(target_arch = "wasm32", feature = "js")), allow(dead_code))]
pub(crate) fn largest_taken(mode: Mode, periods: (usize, usize, usize), len: usize, direct: Resolved) -> Option<usize> {
    let (start, end, step) = periods;
    let top = match mode {
        Mode::Never => return None,
        Mode::Auto => len / 2,
        Mode::Always => len,
    }
    .min(end);
    if start > top || start == 0 {
        return None;
    }
    let p = if step == 0 { start } else { start + (top - start) / step * step };
    takes(mode, p, len, direct).then_some(p)
}

/// The longest period the block transforms serving a row of period `p` in a
/// run of `run >= p` samples are built for: `p` rounded up to a power of two
/// (at most `run`). Rows of one class share one set of block transforms; the
/// block layout (and so a row's bits) is a function of the row's own period
/// and the run, not of the batch the row is in. A batch of periods 9..=258
/// makes at most 3 sets (128, 256, 512) — each costs about one row.
pub(crate) fn class(p: usize, run: usize) -> usize {
    debug_assert!(p >= 1 && p <= run);
    p.next_power_of_two().min(run)
}

/// Computes the rows `(weights, output)` (each output `series.data.len()`
/// long) of one series with the NaN rule of the direct form: output `t` is
/// NaN unless the `p` samples ending at `t` are finite. Each maximal run of
/// finite samples long enough ([`run_pays`]) is convolved by FFT, shared by
/// every row that fits in it; shorter runs use the direct kernel `direct`.
/// With [`Mode::Auto`], blocks too wide for 1e-12 relative accuracy use
/// `direct` too (see the module docs).
pub(crate) fn run_series(series: &Series<'_>, rows: Vec<(&[f64], &mut [f64])>, direct: Resolved, mode: Mode, parallel: bool, call: Call) {
    let len = series.data.len();
    let runs: Vec<(usize, usize)> = series.finite_runs().collect();
    // Per (run, class): the rows whose block transforms that class serves.
    let mut per_class: std::collections::BTreeMap<(usize, usize), Vec<(&[f64], &mut [f64])>> = Default::default();
    let mut by_direct: Vec<(&[f64], usize, &mut [f64])> = Vec::new();
    for (w, out) in rows {
        debug_assert_eq!(out.len(), len);
        let p = w.len();
        let mut rest = out;
        let mut cur = 0;
        for (i, &(a, b)) in runs.iter().enumerate() {
            let (gap, tail) = std::mem::take(&mut rest).split_at_mut(a - cur);
            gap.fill(f64::NAN);
            let (run_out, tail) = tail.split_at_mut(b - a);
            rest = tail;
            cur = b;
            if b - a < p {
                run_out.fill(f64::NAN);
            } else if run_pays(mode, b - a, p, direct) {
                let (warm, body) = run_out.split_at_mut(p - 1);
                warm.fill(f64::NAN);
                per_class.entry((i, class(p, b - a))).or_default().push((w, body));
            } else {
                by_direct.push((w, a, run_out));
            }
        }
        rest.fill(f64::NAN);
    }
    let guard = (mode == Mode::Auto).then_some(direct);
    for ((i, pmax), rows) in per_class {
        // A cancelled call (progress::cancel) skips the classes and row tasks not started.
        if call.cancelled() {
            return;
        }
        let (a, b) = runs[i];
        conv_rows(&series.data[a..b], pmax, rows, guard, parallel, call);
    }
    let exec = |(w, t0, out): (&[f64], usize, &mut [f64])| series.fill_block(w, t0, out, direct);
    if parallel {
        by_direct.into_par_iter().for_each(exec);
    } else {
        by_direct.into_iter().for_each(exec);
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::kernels::fir::conv_scalar;

    fn walk(n: usize, level: f64, seed: u64) -> Vec<f64> {
        let mut s = seed;
        let mut v = level;
        (0..n)
            .map(|_| {
                s = s.wrapping_mul(6364136223846793005).wrapping_add(1442695040888963407);
                let u = (s >> 11) as f64 / (1u64 << 53) as f64 - 0.5;
                v *= (0.02 * u).exp();
                v
            })
            .collect()
    }

    fn weights(p: usize) -> Vec<f64> {
        let m = 0.85 * (p - 1) as f64;
        let s = p as f64 / 6.0;
        let w: Vec<f64> = (0..p).map(|i| (-(i as f64 - m).powi(2) / (2.0 * s * s)).exp()).collect();
        let sum: f64 = w.iter().sum();
        w.iter().map(|v| v / sum).collect()
    }

    /// `largest_taken` agrees with a scan of the grid from the top (what it replaced).
    #[test]
    fn largest_taken_is_the_scan() {
        let direct = crate::Kernel::Auto.resolved().unwrap();
        for mode in [Mode::Never, Mode::Auto, Mode::Always] {
            for len in [0, 1, 100, 1023, 1024, 2047, 5000, 100_000] {
                for grid in [(1, 10, 1), (9, 258, 1), (1, 1_000_000, 1), (3, 4000, 7), (600, 600, 0), (64, 50_000, 64), (2, 3, 5)] {
                    let count = if grid.2 == 0 { 1 } else { (grid.1 - grid.0) / grid.2 + 1 };
                    let scan = (0..count)
                        .rev()
                        .map(|k| grid.0 + k * grid.2)
                        .find(|&p| p <= len && takes(mode, p, len, direct));
                    assert_eq!(largest_taken(mode, grid, len, direct), scan, "{mode:?} len {len} grid {grid:?}");
                }
            }
        }
    }

    /// The block transforms of a run are computed a segment at a time (bounded
    /// memory); the outputs are the same bits whatever the segment size,
    /// including segments of one block and a last segment shorter than the
    /// others, with and without the pool.
    #[test]
    fn segments_do_not_change_a_bit() {
        let x = walk(50_000, 100.0, 7);
        let ws: Vec<Vec<f64>> = [9, 64, 100, 128].iter().map(|&p| weights(p)).collect();
        let layout = Layout::new(128, x.len());
        assert!(layout.blocks >= 20, "{layout:?}");
        let run = |segment: usize, parallel: bool| {
            let mut outs: Vec<Vec<f64>> = ws.iter().map(|w| vec![f64::NAN; x.len() - w.len() + 1]).collect();
            let rows = ws.iter().zip(outs.iter_mut()).map(|(w, o)| (w.as_slice(), o.as_mut_slice())).collect();
            conv_rows_in_segments(&x, 128, rows, None, parallel, Some(segment), Call::NONE);
            outs.iter().map(|o| o.iter().map(|v| v.to_bits()).collect::<Vec<_>>()).collect::<Vec<_>>()
        };
        let whole = run(usize::MAX, false);
        assert!(whole.iter().flatten().all(|&b| f64::from_bits(b).is_finite()));
        for segment in [1, 2, 3, 7, layout.blocks - 1] {
            for parallel in [false, true] {
                assert!(run(segment, parallel) == whole, "segment of {segment} blocks, parallel {parallel}");
            }
        }
    }

    /// `working_bytes` bounds a segment by SEGMENT_BYTES (one block at least)
    /// and grows a task's buffers with the period.
    #[test]
    fn working_bytes_are_bounded_by_the_segment() {
        let (seg, task) = working_bytes(200, 20_000_000);
        assert!(seg <= SEGMENT_BYTES as u64 + (1 << 16) && seg > (SEGMENT_BYTES / 2) as u64, "{seg}");
        assert!(task < 1 << 20, "{task}");
        let (small, _) = working_bytes(200, 100_000);
        assert!(small < 2 << 20 && small > 800_000, "{small}");
        let (_, long) = working_bytes(4_000_000, 20_000_000);
        assert!(long > 4_000_000 * 8, "{long}");
        assert_eq!(working_bytes(10, 5), (0, 0));
    }

    /// Blocks up to SCALE_ABOVE are not scaled (their bits are as before the
    /// scaling existed); wider ones get exact power-of-two factors that bring
    /// them under it, finite up to the widest possible half-range.
    #[test]
    fn block_scale_is_one_below_the_threshold_and_a_power_of_two_above() {
        for r in [0.0, 1e-300, 1.0, 1e288, SCALE_ABOVE] {
            assert_eq!(block_scale(r), (1.0, 1.0), "{r:e}");
        }
        for r in [SCALE_ABOVE * 1.0000001, 1e300, 1e307, f64::MAX / 2.0, f64::MAX] {
            let (down, up) = block_scale(r);
            assert!(down.is_finite() && up.is_finite() && down > 0.0, "{r:e}: {down:e} {up:e}");
            assert_eq!(down * up, 1.0, "{r:e}");
            assert_eq!(down.to_bits() & ((1u64 << 52) - 1), 0, "{r:e}: down is a power of two");
            assert!(r * down <= SCALE_ABOVE && r * down > SCALE_ABOVE / 2.0, "{r:e} scaled to {:e}", r * down);
        }
    }

    /// The crossover follows the direct kernel and, for AVX-512, whether the
    /// CPU runs it at full width (AMD family 0x1A, Zen 5, on); checked as a pure
    /// function so it holds on every machine, and this machine's value is one
    /// of the rule's.
    #[test]
    #[cfg(target_arch = "x86_64")]
    fn crossover_depends_on_kernel_and_cpu() {
        assert_eq!(crossover_for_cpu(Resolved::Scalar, Some(0x1A)), CROSSOVER_PERIOD_SCALAR);
        assert_eq!(crossover_for_cpu(Resolved::Avx512, Some(0x1A)), CROSSOVER_PERIOD_FULL_WIDTH_AVX512);
        assert_eq!(crossover_for_cpu(Resolved::Avx512, Some(0x1B)), CROSSOVER_PERIOD_FULL_WIDTH_AVX512);
        assert_eq!(crossover_for_cpu(Resolved::Avx512, Some(0x19)), CROSSOVER_PERIOD); // Zen 3 / Zen 4
        assert_eq!(crossover_for_cpu(Resolved::Avx512, None), CROSSOVER_PERIOD); // Intel
        assert_eq!(crossover_for_cpu(Resolved::Avx2, Some(0x1A)), CROSSOVER_PERIOD); // not measured there
        let k = crate::Kernel::Auto.resolved().unwrap();
        assert_eq!(crossover_period(k), crossover_for_cpu(k, amd_family()));
        if std::fs::read_to_string("/proc/cpuinfo").is_ok_and(|c| c.contains("AuthenticAMD") && c.contains("cpu family\t: 26")) {
            assert_eq!(amd_family(), Some(0x1A));
        }
    }

    /// `Kernel::Auto` on a machine whose direct kernel is scalar (no AVX2:
    /// aarch64, older x86_64) transforms from period 16 on long runs, where the
    /// SIMD kernels keep periods below 80 on the direct form. Run through
    /// `run_series` with the scalar kernel forced, so the rule is checked on
    /// every machine, not only on one without SIMD.
    #[test]
    fn auto_crossover_depends_on_the_direct_kernel() {
        let bits = |v: &[f64]| v.iter().map(|f| f.to_bits()).collect::<Vec<_>>();
        let x = walk(20_000, 100.0, 7);
        let series = Series::new(&x).unwrap();
        let row = |p: usize, mode: Mode| {
            let w = weights(p);
            let mut out = vec![0.0; x.len()];
            run_series(&series, vec![(&w, &mut out)], Resolved::Scalar, mode, false, Call::NONE);
            out
        };
        for (p, want_fft) in [(12, false), (15, false), (16, true), (24, true), (79, true)] {
            let auto = bits(&row(p, Mode::Auto)[p - 1..]);
            let fft = bits(&row(p, Mode::Always)[p - 1..]);
            let mut dir = vec![0.0; x.len() - p + 1];
            conv_scalar(&x, &weights(p), &mut dir);
            let dir = bits(&dir);
            assert!(fft != dir, "period {p}: FFT and direct give the same bits; the test cannot tell them apart");
            assert!(auto == if want_fft { fft } else { dir }, "scalar direct kernel, period {p}: Auto by FFT should be {want_fft}");
        }
        // Short runs raise it as for the SIMD kernels (2x below 4096 samples).
        assert!(!takes(Mode::Auto, 24, 2520, Resolved::Scalar) && takes(Mode::Auto, 32, 2520, Resolved::Scalar));
        #[cfg(target_arch = "x86_64")]
        for k in [Resolved::Avx2, Resolved::Avx512] {
            // 80, or 112 for AVX-512 on a full-width CPU (crossover_depends_on_kernel_and_cpu).
            let c = crossover_period(k);
            assert!(c == CROSSOVER_PERIOD || c == CROSSOVER_PERIOD_FULL_WIDTH_AVX512, "{k:?}: {c}");
            assert!(!takes(Mode::Auto, 16, 100_000, k) && !takes(Mode::Auto, c - 1, 100_000, k) && takes(Mode::Auto, c, 100_000, k), "{k:?}");
        }
    }

    #[test]
    fn block_len_is_a_power_of_two_longer_than_pmax() {
        for pmax in [1, 2, 9, 100, 255, 256, 257, 1000, 5000, 20000, 100000] {
            for run in [pmax, pmax + 1, 3 * pmax, 10_000, 1_000_000] {
                if run < pmax {
                    continue;
                }
                let n = block_len(pmax, run);
                assert!(n.is_power_of_two() && n > pmax.saturating_sub(1) && n >= pmax, "pmax {pmax} run {run}: {n}");
            }
        }
    }

    #[test]
    fn matches_the_direct_form_on_every_shape() {
        // Every period against runs around block boundaries, one block and many.
        for &len in &[1usize, 2, 7, 300, 767, 768, 769, 5000] {
            let x = walk(len, 100.0, len as u64);
            for &p in &[1usize, 2, 9, 64, 258] {
                if p > len {
                    continue;
                }
                let w = weights(p);
                let mut want = vec![0.0; len - p + 1];
                conv_scalar(&x, &w, &mut want);
                for parallel in [false, true] {
                    let mut got = vec![f64::NAN; len - p + 1];
                    let w2 = weights(p.max(2) - 1);
                    let mut other = vec![0.0; len - w2.len() + 1];
                    conv_rows(&x, p, vec![(&w, &mut got), (&w2, &mut other)], None, parallel, Call::NONE);
                    for (j, (g, e)) in got.iter().zip(&want).enumerate() {
                        assert!((g - e).abs() <= 1e-12 * e.abs(), "len {len} p {p} j {j}: {g} vs {e}");
                    }
                }
            }
        }
    }
}
