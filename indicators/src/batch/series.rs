//! Series: where the valid windows are, and many series in one buffer.
//!
//! **The NaN rule, shared by every indicator.** Let `first_valid` be the index
//! of the first finite sample. Output `t` of a parameter set with period `p` is
//! NaN when `t < first_valid + p - 1` (the warm-up, shifted by leading
//! NaNs) or when any of the `p` samples ending at `t` is non-finite (NaN, +inf
//! or -inf). So a non-finite sample at `k` makes outputs `k ..= k + p - 1`
//! NaN. Infinities count as NaN because a mean of a window holding `inf` is not
//! a price. Between non-finite samples the valid outputs form *runs*; kernels
//! are called once per run and never branch per element.
//!
//! **Many series** ([`SeriesSet`]) are one flat `values` buffer and `offsets`
//! (`n + 1` entries, like a CSR matrix): series `i` is
//! `values[offsets[i]..offsets[i + 1]]`; lengths may differ.

use crate::error::Error;
use crate::kernels::Resolved;

/// Many series in one flat buffer: series `i` is
/// `values[offsets[i]..offsets[i + 1]]`. `offsets` has one more entry than
/// there are series, starts at 0, never decreases and ends at `values.len()`.
#[derive(Debug, Clone, Copy)]
pub struct SeriesSet<'a> {
    values: &'a [f64],
    offsets: &'a [usize],
}

impl<'a> SeriesSet<'a> {
    /// Checks the layout ([`Error::InvalidSeriesLayout`] says what is wrong).
    /// Empty series are a layout the engine accepts here and rejects per
    /// series ([`Error::EmptyInput`] wrapped in [`Error::Series`]).
    pub fn new(values: &'a [f64], offsets: &'a [usize]) -> Result<Self, Error> {
        check_layout(offsets, values.len())?;
        Ok(SeriesSet { values, offsets })
    }

    /// Number of series.
    pub fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    /// Whether there are no series.
    pub fn is_empty(&self) -> bool {
        self.len() == 0
    }

    /// Series `i`.
    pub fn get(&self, i: usize) -> Option<&'a [f64]> {
        (i < self.len()).then(|| &self.values[self.offsets[i]..self.offsets[i + 1]])
    }

    /// The flat buffer.
    pub fn values(&self) -> &'a [f64] {
        self.values
    }

    /// The offsets.
    pub fn offsets(&self) -> &'a [usize] {
        self.offsets
    }

    /// The series, in order.
    pub fn iter(&self) -> impl Iterator<Item = &'a [f64]> + '_ {
        self.offsets.windows(2).map(|w| &self.values[w[0]..w[1]])
    }
}

/// The layout [`SeriesSet::new`] accepts, checked from the offsets and the
/// number of values alone ([`Error::InvalidSeriesLayout`] says what is wrong).
pub(crate) fn check_layout(offsets: &[usize], len: usize) -> Result<(), Error> {
    let bad = |detail: String| Err(Error::InvalidSeriesLayout { detail });
    match (offsets.first(), offsets.last()) {
        (None, _) => return bad("offsets is empty (it needs series count + 1 entries, starting with 0)".into()),
        (Some(&f), _) if f != 0 => return bad(format!("offsets[0] is {f}, not 0")),
        (_, Some(&l)) if l != len => return bad(format!("the last offset is {l} but values has {len} elements")),
        _ => {}
    }
    if let Some(i) = offsets.windows(2).position(|w| w[1] < w[0]) {
        return bad(format!("offsets[{}] = {} is less than offsets[{i}] = {}", i + 1, offsets[i + 1], offsets[i]));
    }
    Ok(())
}

/// Builds the flat `values` + `offsets` layout from separate series.
pub fn flatten<S: AsRef<[f64]>>(series: &[S]) -> (Vec<f64>, Vec<usize>) {
    let mut values = Vec::with_capacity(series.iter().map(|s| s.as_ref().len()).sum());
    let mut offsets = Vec::with_capacity(series.len() + 1);
    offsets.push(0);
    for s in series {
        values.extend_from_slice(s.as_ref());
        offsets.push(values.len());
    }
    (values, offsets)
}

/// What the kernels need to know about one input series, computed once.
pub(crate) struct Series<'a> {
    pub(crate) data: &'a [f64],
    first_valid: usize,
    /// Sorted positions `>= first_valid` of non-finite samples. A window ending
    /// at `t` is valid iff no entry lies in `t+1-period ..= t`; the outputs
    /// between two such positions form runs computed without any per-element check.
    bad: Vec<usize>,
}

impl<'a> Series<'a> {
    /// [`Error::AllNan`] when no sample is finite.
    pub(crate) fn new(data: &'a [f64]) -> Result<Self, Error> {
        let first_valid = data.iter().position(|v| v.is_finite()).ok_or(Error::AllNan { len: data.len() })?;
        let bad = data[first_valid..]
            .iter()
            .enumerate()
            .filter(|(_, v)| !v.is_finite())
            .map(|(i, _)| i + first_valid)
            .collect();
        Ok(Series { data, first_valid, bad })
    }

    /// [`Error::NotEnoughValidData`] when fewer than `period` samples follow
    /// the leading non-finite ones.
    pub(crate) fn check_period(&self, period: usize) -> Result<(), Error> {
        let valid = self.data.len() - self.first_valid;
        if period > valid {
            Err(Error::NotEnoughValidData { period, valid, first_valid: self.first_valid })
        } else {
            Ok(())
        }
    }

    /// Whether every sample after the leading non-finite ones is finite.
    pub(crate) fn has_gaps(&self) -> bool {
        !self.bad.is_empty()
    }

    /// The maximal runs `a..b` of finite samples (from `first_valid` on).
    pub(crate) fn finite_runs(&self) -> impl Iterator<Item = (usize, usize)> + '_ {
        let starts = std::iter::once(self.first_valid).chain(self.bad.iter().map(|&b| b + 1));
        let ends = self.bad.iter().copied().chain(std::iter::once(self.data.len()));
        starts.zip(ends).filter(|(a, b)| b > a)
    }

    /// Fills `out`, the outputs `t0 .. t0 + out.len()`, for FIR weights `w`.
    pub(crate) fn fill_block(&self, w: &[f64], t0: usize, out: &mut [f64], kernel: Resolved) {
        let p = w.len();
        let t1 = t0 + out.len();
        let warm = self.first_valid + p - 1;
        let mut cur = t0.max(warm).min(t1);
        out[..cur - t0].fill(f64::NAN);
        let mut idx = self.bad.partition_point(|&b| b + p <= cur);
        let run = |a: usize, b: usize, out: &mut [f64]| {
            kernel.conv(&self.data[a + 1 - p..b], w, &mut out[a - t0..b - t0]);
        };
        while cur < t1 {
            match self.bad.get(idx) {
                Some(&b) if b < t1 => {
                    if b > cur {
                        run(cur, b, out);
                        cur = b;
                    }
                    let end = (b + p).min(t1);
                    if end > cur {
                        out[cur - t0..end - t0].fill(f64::NAN);
                        cur = end;
                    }
                    idx += 1;
                }
                _ => {
                    run(cur, t1, out);
                    cur = t1;
                }
            }
        }
    }

    /// Two FIR rows over outputs `t0 .. t0 + os.len()` of a series without
    /// interior non-finite values: `ws` (short period) and `wl` (long period,
    /// `ws_pad` = `ws` zero-padded to its length). Where only the short
    /// window is valid, the short row runs alone.
    #[allow(clippy::too_many_arguments)]
    pub(crate) fn fill_pair(
        &self,
        ws: &[f64],
        ws_pad: &[f64],
        wl: &[f64],
        t0: usize,
        os: &mut [f64],
        ol: &mut [f64],
        kernel: Resolved,
    ) {
        debug_assert!(self.bad.is_empty() && ws.len() <= wl.len() && ws_pad.len() == wl.len());
        let t1 = t0 + os.len();
        let (ps, pl) = (ws.len(), wl.len());
        let cs = (self.first_valid + ps - 1).clamp(t0, t1);
        let cl = (self.first_valid + pl - 1).clamp(t0, t1);
        os[..cs - t0].fill(f64::NAN);
        ol[..cl - t0].fill(f64::NAN);
        if cl > cs {
            kernel.conv(&self.data[cs + 1 - ps..cl], ws, &mut os[cs - t0..cl - t0]);
        }
        if t1 > cl {
            kernel.conv2(&self.data[cl + 1 - pl..t1], ws_pad, wl, &mut os[cl - t0..], &mut ol[cl - t0..]);
        }
    }

    /// One recursive row: NaN everywhere except, in each finite run of at least
    /// `period` samples, the outputs `run(x_run) -> out[a + period - 1 .. b]`.
    pub(crate) fn fill_recursive(&self, period: usize, out: &mut [f64], run: impl Fn(&[f64], &mut [f64])) {
        out.fill(f64::NAN);
        for (a, b) in self.finite_runs() {
            if b - a >= period {
                run(&self.data[a..b], &mut out[a + period - 1..b]);
            }
        }
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn layout_errors_and_runs() {
        let v = [1.0, 2.0, 3.0];
        assert!(SeriesSet::new(&v, &[0, 1, 3]).is_ok());
        assert_eq!(SeriesSet::new(&v, &[0]).unwrap_err().code(), "INVALID_SERIES_LAYOUT");
        for bad in [&[][..], &[1, 3], &[0, 2], &[0, 2, 1, 3]] {
            let e = SeriesSet::new(&v, bad).unwrap_err();
            assert_eq!(e.code(), "INVALID_SERIES_LAYOUT", "{bad:?}");
        }
        let x = [f64::NAN, 1.0, 2.0, f64::INFINITY, f64::NAN, 3.0, 4.0, 5.0, f64::NAN];
        let s = Series::new(&x).unwrap();
        assert_eq!(s.finite_runs().collect::<Vec<_>>(), vec![(1, 3), (5, 8)]);
        let (vals, offs) = flatten(&[vec![1.0], vec![], vec![2.0, 3.0]]);
        assert_eq!((vals, offs), (vec![1.0, 2.0, 3.0], vec![0, 1, 1, 3]));
    }
}
