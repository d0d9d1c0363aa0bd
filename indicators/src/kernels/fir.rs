//! Weighted-window (FIR) kernels, shared by every [`Fir`](crate::batch::Fir) indicator.
//!
//! Every kernel computes `out[j] = sum_i w[i] * x[j + i]` for `j in 0..out.len()`,
//! where `x.len() == out.len() + w.len() - 1`. The weights are already normalised
//! (they sum to one), so no division happens here. Callers only pass windows that
//! contain finite values; kernels never branch per element.
//!
//! The SIMD kernels vectorise across consecutive outputs: weight `w[i]` is
//! broadcast into a register and multiplied with `x` loaded at offset `j + i`,
//! accumulating a vector of consecutive outputs. Several independent
//! accumulators hide the FMA latency.
//!
//! **Position-independent results.** Within one kernel, every output is the same
//! sequence of operations whatever its position in `out` (main loop or tail):
//! `acc = 0; for i in 0..p { acc = w[i] * x[j + i] + acc }`, fused on AVX2/AVX-512
//! (`fma`), unfused on scalar and simd128 (which has no FMA). Zero weights padded in
//! front (two-row form) add exact zeros. So a value never depends on how the work
//! was cut into column blocks, row pairs, threads or series: the engine's outputs
//! are bitwise reproducible for a given kernel.

use super::Resolved;

impl Resolved {
    /// Runs the kernel. Panics only on an internal length mismatch (a bug).
    #[inline]
    pub(crate) fn conv(self, x: &[f64], w: &[f64], out: &mut [f64]) {
        assert!(!w.is_empty() && x.len() + 1 == out.len() + w.len(), "kernel length contract");
        match self {
            Resolved::Scalar => conv_scalar(x, w, out),
            // SAFETY: the variant exists only after `is_x86_feature_detected!`
            // confirmed the features (see `Kernel::resolve`), lengths checked above.
            #[cfg(target_arch = "x86_64")]
            Resolved::Avx2 => unsafe { x86::conv_avx2(x, w, out) },
            // SAFETY: as above, for avx512f + fma.
            #[cfg(target_arch = "x86_64")]
            Resolved::Avx512 => unsafe { x86::conv_avx512(x, w, out) },
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Resolved::Simd128 => wasm::conv_simd128(x, w, out),
        }
    }
}

impl Resolved {
    /// Whether [`Resolved::conv2`] is faster than two [`Resolved::conv`] calls.
    pub(crate) fn pairs(self) -> bool {
        match self {
            #[cfg(target_arch = "x86_64")]
            Resolved::Avx2 | Resolved::Avx512 => true,
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Resolved::Simd128 => true,
            _ => false,
        }
    }

    /// Two rows at once over the same `x`, weights of equal length (the
    /// shorter row's weights zero-padded at the front): each loaded `x`
    /// vector feeds two FMAs, halving the loads per FMA.
    #[inline]
    pub(crate) fn conv2(self, x: &[f64], wa: &[f64], wb: &[f64], oa: &mut [f64], ob: &mut [f64]) {
        assert!(
            !wa.is_empty() && wa.len() == wb.len() && oa.len() == ob.len() && x.len() + 1 == oa.len() + wa.len(),
            "kernel length contract"
        );
        match self {
            // SAFETY: variant exists only after feature detection; lengths checked above.
            #[cfg(target_arch = "x86_64")]
            Resolved::Avx2 => unsafe { x86::conv2_avx2(x, wa, wb, oa, ob) },
            // SAFETY: as above.
            #[cfg(target_arch = "x86_64")]
            Resolved::Avx512 => unsafe { x86::conv2_avx512(x, wa, wb, oa, ob) },
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Resolved::Simd128 => wasm::conv2_simd128(x, wa, wb, oa, ob),
            _ => {
                self.conv(x, wa, oa);
                self.conv(x, wb, ob);
            }
        }
    }
}

/// Plain scalar reference: one sequential sum per output.
pub(crate) fn conv_scalar(x: &[f64], w: &[f64], out: &mut [f64]) {
    let p = w.len();
    for (j, o) in out.iter_mut().enumerate() {
        let win = &x[j..j + p];
        let mut acc = 0.0;
        for (a, b) in w.iter().zip(win) {
            acc += a * b;
        }
        *o = acc;
    }
}

#[cfg(target_arch = "x86_64")]
mod x86 {
    use core::arch::x86_64::*;

    /// AVX2 + FMA: 8 accumulators x 4 lanes = 32 outputs per inner loop.
    ///
    /// # Safety
    /// The CPU must support avx2 and fma; `x.len() == out.len() + w.len() - 1`.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn conv_avx2(x: &[f64], w: &[f64], out: &mut [f64]) {
        let p = w.len();
        let n = out.len();
        let xp = x.as_ptr();
        let wp = w.as_ptr();
        let op = out.as_mut_ptr();
        let mut j = 0usize;
        while j + 32 <= n {
            let mut a0 = _mm256_setzero_pd();
            let mut a1 = _mm256_setzero_pd();
            let mut a2 = _mm256_setzero_pd();
            let mut a3 = _mm256_setzero_pd();
            let mut a4 = _mm256_setzero_pd();
            let mut a5 = _mm256_setzero_pd();
            let mut a6 = _mm256_setzero_pd();
            let mut a7 = _mm256_setzero_pd();
            let mut s = xp.add(j);
            for i in 0..p {
                let wv = _mm256_broadcast_sd(&*wp.add(i));
                a0 = _mm256_fmadd_pd(wv, _mm256_loadu_pd(s), a0);
                a1 = _mm256_fmadd_pd(wv, _mm256_loadu_pd(s.add(4)), a1);
                a2 = _mm256_fmadd_pd(wv, _mm256_loadu_pd(s.add(8)), a2);
                a3 = _mm256_fmadd_pd(wv, _mm256_loadu_pd(s.add(12)), a3);
                a4 = _mm256_fmadd_pd(wv, _mm256_loadu_pd(s.add(16)), a4);
                a5 = _mm256_fmadd_pd(wv, _mm256_loadu_pd(s.add(20)), a5);
                a6 = _mm256_fmadd_pd(wv, _mm256_loadu_pd(s.add(24)), a6);
                a7 = _mm256_fmadd_pd(wv, _mm256_loadu_pd(s.add(28)), a7);
                s = s.add(1);
            }
            let o = op.add(j);
            _mm256_storeu_pd(o, a0);
            _mm256_storeu_pd(o.add(4), a1);
            _mm256_storeu_pd(o.add(8), a2);
            _mm256_storeu_pd(o.add(12), a3);
            _mm256_storeu_pd(o.add(16), a4);
            _mm256_storeu_pd(o.add(20), a5);
            _mm256_storeu_pd(o.add(24), a6);
            _mm256_storeu_pd(o.add(28), a7);
            j += 32;
        }
        // One accumulator per output, in weight order, as in the main loop (see
        // "Position-independent results" in the module docs).
        while j + 4 <= n {
            let mut a0 = _mm256_setzero_pd();
            let mut s = xp.add(j);
            for i in 0..p {
                a0 = _mm256_fmadd_pd(_mm256_broadcast_sd(&*wp.add(i)), _mm256_loadu_pd(s), a0);
                s = s.add(1);
            }
            _mm256_storeu_pd(op.add(j), a0);
            j += 4;
        }
        while j < n {
            let mut acc = 0.0;
            for i in 0..p {
                acc = (*wp.add(i)).mul_add(*xp.add(j + i), acc);
            }
            *op.add(j) = acc;
            j += 1;
        }
    }

    /// Two rows, AVX2 + FMA: 2 rows x 4 accumulators x 4 lanes = 16 outputs
    /// of each row per inner loop (6 loads per 8 FMAs).
    ///
    /// # Safety
    /// avx2 + fma available; `x.len() == oa.len() + wa.len() - 1`, equal
    /// lengths of `wa`/`wb` and `oa`/`ob`.
    #[target_feature(enable = "avx2,fma")]
    pub(super) unsafe fn conv2_avx2(x: &[f64], wa: &[f64], wb: &[f64], oa: &mut [f64], ob: &mut [f64]) {
        let p = wa.len();
        let n = oa.len();
        let xp = x.as_ptr();
        let (pa, pb) = (wa.as_ptr(), wb.as_ptr());
        let mut j = 0usize;
        while j + 16 <= n {
            let mut a0 = _mm256_setzero_pd();
            let mut a1 = _mm256_setzero_pd();
            let mut a2 = _mm256_setzero_pd();
            let mut a3 = _mm256_setzero_pd();
            let mut b0 = _mm256_setzero_pd();
            let mut b1 = _mm256_setzero_pd();
            let mut b2 = _mm256_setzero_pd();
            let mut b3 = _mm256_setzero_pd();
            let mut s = xp.add(j);
            for i in 0..p {
                let va = _mm256_broadcast_sd(&*pa.add(i));
                let vb = _mm256_broadcast_sd(&*pb.add(i));
                let x0 = _mm256_loadu_pd(s);
                let x1 = _mm256_loadu_pd(s.add(4));
                let x2 = _mm256_loadu_pd(s.add(8));
                let x3 = _mm256_loadu_pd(s.add(12));
                a0 = _mm256_fmadd_pd(va, x0, a0);
                b0 = _mm256_fmadd_pd(vb, x0, b0);
                a1 = _mm256_fmadd_pd(va, x1, a1);
                b1 = _mm256_fmadd_pd(vb, x1, b1);
                a2 = _mm256_fmadd_pd(va, x2, a2);
                b2 = _mm256_fmadd_pd(vb, x2, b2);
                a3 = _mm256_fmadd_pd(va, x3, a3);
                b3 = _mm256_fmadd_pd(vb, x3, b3);
                s = s.add(1);
            }
            let o = oa.as_mut_ptr().add(j);
            _mm256_storeu_pd(o, a0);
            _mm256_storeu_pd(o.add(4), a1);
            _mm256_storeu_pd(o.add(8), a2);
            _mm256_storeu_pd(o.add(12), a3);
            let o = ob.as_mut_ptr().add(j);
            _mm256_storeu_pd(o, b0);
            _mm256_storeu_pd(o.add(4), b1);
            _mm256_storeu_pd(o.add(8), b2);
            _mm256_storeu_pd(o.add(12), b3);
            j += 16;
        }
        if j < n {
            let xs = &x[j..];
            conv_avx2(xs, wa, &mut oa[j..]);
            conv_avx2(xs, wb, &mut ob[j..]);
        }
    }

    /// Two rows, AVX-512F + FMA: 2 rows x 4 accumulators x 8 lanes = 32
    /// outputs of each row per inner loop.
    ///
    /// # Safety
    /// avx512f + fma available; lengths as for [`conv2_avx2`].
    #[target_feature(enable = "avx512f,fma")]
    pub(super) unsafe fn conv2_avx512(x: &[f64], wa: &[f64], wb: &[f64], oa: &mut [f64], ob: &mut [f64]) {
        let p = wa.len();
        let n = oa.len();
        let xp = x.as_ptr();
        let (pa, pb) = (wa.as_ptr(), wb.as_ptr());
        let mut j = 0usize;
        while j + 32 <= n {
            let mut a0 = _mm512_setzero_pd();
            let mut a1 = _mm512_setzero_pd();
            let mut a2 = _mm512_setzero_pd();
            let mut a3 = _mm512_setzero_pd();
            let mut b0 = _mm512_setzero_pd();
            let mut b1 = _mm512_setzero_pd();
            let mut b2 = _mm512_setzero_pd();
            let mut b3 = _mm512_setzero_pd();
            let mut s = xp.add(j);
            for i in 0..p {
                let va = _mm512_set1_pd(*pa.add(i));
                let vb = _mm512_set1_pd(*pb.add(i));
                let x0 = _mm512_loadu_pd(s);
                let x1 = _mm512_loadu_pd(s.add(8));
                let x2 = _mm512_loadu_pd(s.add(16));
                let x3 = _mm512_loadu_pd(s.add(24));
                a0 = _mm512_fmadd_pd(va, x0, a0);
                b0 = _mm512_fmadd_pd(vb, x0, b0);
                a1 = _mm512_fmadd_pd(va, x1, a1);
                b1 = _mm512_fmadd_pd(vb, x1, b1);
                a2 = _mm512_fmadd_pd(va, x2, a2);
                b2 = _mm512_fmadd_pd(vb, x2, b2);
                a3 = _mm512_fmadd_pd(va, x3, a3);
                b3 = _mm512_fmadd_pd(vb, x3, b3);
                s = s.add(1);
            }
            let o = oa.as_mut_ptr().add(j);
            _mm512_storeu_pd(o, a0);
            _mm512_storeu_pd(o.add(8), a1);
            _mm512_storeu_pd(o.add(16), a2);
            _mm512_storeu_pd(o.add(24), a3);
            let o = ob.as_mut_ptr().add(j);
            _mm512_storeu_pd(o, b0);
            _mm512_storeu_pd(o.add(8), b1);
            _mm512_storeu_pd(o.add(16), b2);
            _mm512_storeu_pd(o.add(24), b3);
            j += 32;
        }
        if j < n {
            let xs = &x[j..];
            conv_avx512(xs, wa, &mut oa[j..]);
            conv_avx512(xs, wb, &mut ob[j..]);
        }
    }

    /// AVX-512F + FMA: 4 accumulators x 8 lanes = 32 outputs per inner loop,
    /// then single vectors, then one masked vector for the tail.
    ///
    /// # Safety
    /// The CPU must support avx512f and fma; `x.len() == out.len() + w.len() - 1`.
    #[target_feature(enable = "avx512f,fma")]
    pub(super) unsafe fn conv_avx512(x: &[f64], w: &[f64], out: &mut [f64]) {
        let p = w.len();
        let n = out.len();
        let xp = x.as_ptr();
        let wp = w.as_ptr();
        let op = out.as_mut_ptr();
        let mut j = 0usize;
        while j + 32 <= n {
            let mut a0 = _mm512_setzero_pd();
            let mut a1 = _mm512_setzero_pd();
            let mut a2 = _mm512_setzero_pd();
            let mut a3 = _mm512_setzero_pd();
            let mut s = xp.add(j);
            for i in 0..p {
                let wv = _mm512_set1_pd(*wp.add(i));
                a0 = _mm512_fmadd_pd(wv, _mm512_loadu_pd(s), a0);
                a1 = _mm512_fmadd_pd(wv, _mm512_loadu_pd(s.add(8)), a1);
                a2 = _mm512_fmadd_pd(wv, _mm512_loadu_pd(s.add(16)), a2);
                a3 = _mm512_fmadd_pd(wv, _mm512_loadu_pd(s.add(24)), a3);
                s = s.add(1);
            }
            let o = op.add(j);
            _mm512_storeu_pd(o, a0);
            _mm512_storeu_pd(o.add(8), a1);
            _mm512_storeu_pd(o.add(16), a2);
            _mm512_storeu_pd(o.add(24), a3);
            j += 32;
        }
        while j < n {
            let rem = n - j;
            let mask: __mmask8 = if rem >= 8 { 0xff } else { ((1u32 << rem) - 1) as u8 };
            let mut a0 = _mm512_setzero_pd();
            let mut s = xp.add(j);
            // Masked loads never touch masked-off lanes, so the tail stays in bounds.
            // One accumulator in weight order, as in the main loop (module docs).
            for i in 0..p {
                a0 = _mm512_fmadd_pd(_mm512_set1_pd(*wp.add(i)), _mm512_maskz_loadu_pd(mask, s), a0);
                s = s.add(1);
            }
            _mm512_mask_storeu_pd(op.add(j), mask, a0);
            j += rem.min(8);
        }
    }
}

#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
mod wasm {
    use core::arch::wasm32::*;

    /// Two rows, simd128: 2 rows x 4 accumulators x 2 lanes = 8 outputs of
    /// each row per inner loop (4 loads + 2 splats per 8 multiply-adds).
    pub(super) fn conv2_simd128(x: &[f64], wa: &[f64], wb: &[f64], oa: &mut [f64], ob: &mut [f64]) {
        let n = oa.len();
        let xp = x.as_ptr();
        let mut j = 0usize;
        // SAFETY: loads read x[j + i .. j + i + 8] with j + 8 <= n, i < p, inside
        // x (len n + p - 1); stores write oa/ob[j .. j + 8].
        unsafe {
            while j + 8 <= n {
                let z = f64x2_splat(0.0);
                let (mut a0, mut a1, mut a2, mut a3) = (z, z, z, z);
                let (mut b0, mut b1, mut b2, mut b3) = (z, z, z, z);
                let mut s = xp.add(j);
                for (&u, &v) in wa.iter().zip(wb) {
                    let va = f64x2_splat(u);
                    let vb = f64x2_splat(v);
                    let x0 = v128_load(s as *const v128);
                    let x1 = v128_load(s.add(2) as *const v128);
                    let x2 = v128_load(s.add(4) as *const v128);
                    let x3 = v128_load(s.add(6) as *const v128);
                    a0 = f64x2_add(a0, f64x2_mul(va, x0));
                    b0 = f64x2_add(b0, f64x2_mul(vb, x0));
                    a1 = f64x2_add(a1, f64x2_mul(va, x1));
                    b1 = f64x2_add(b1, f64x2_mul(vb, x1));
                    a2 = f64x2_add(a2, f64x2_mul(va, x2));
                    b2 = f64x2_add(b2, f64x2_mul(vb, x2));
                    a3 = f64x2_add(a3, f64x2_mul(va, x3));
                    b3 = f64x2_add(b3, f64x2_mul(vb, x3));
                    s = s.add(1);
                }
                let o = oa.as_mut_ptr().add(j);
                v128_store(o as *mut v128, a0);
                v128_store(o.add(2) as *mut v128, a1);
                v128_store(o.add(4) as *mut v128, a2);
                v128_store(o.add(6) as *mut v128, a3);
                let o = ob.as_mut_ptr().add(j);
                v128_store(o as *mut v128, b0);
                v128_store(o.add(2) as *mut v128, b1);
                v128_store(o.add(4) as *mut v128, b2);
                v128_store(o.add(6) as *mut v128, b3);
                j += 8;
            }
        }
        if j < n {
            conv_simd128(&x[j..], wa, &mut oa[j..]);
            conv_simd128(&x[j..], wb, &mut ob[j..]);
        }
    }

    /// simd128: 8 accumulators x 2 lanes = 16 outputs per inner loop (no FMA in
    /// baseline wasm SIMD: multiply then add).
    pub(super) fn conv_simd128(x: &[f64], w: &[f64], out: &mut [f64]) {
        let n = out.len();
        let xp = x.as_ptr();
        let op = out.as_mut_ptr();
        let mut j = 0usize;
        // SAFETY: every load reads x[j + i .. j + i + 16] with j + 16 <= n and
        // i < p, inside x (len n + p - 1); every store writes out[j .. j + 16].
        unsafe {
            while j + 16 <= n {
                let mut a = [f64x2_splat(0.0); 8];
                let mut s = xp.add(j);
                for &wi in w {
                    let wv = f64x2_splat(wi);
                    a[0] = f64x2_add(a[0], f64x2_mul(wv, v128_load(s as *const v128)));
                    a[1] = f64x2_add(a[1], f64x2_mul(wv, v128_load(s.add(2) as *const v128)));
                    a[2] = f64x2_add(a[2], f64x2_mul(wv, v128_load(s.add(4) as *const v128)));
                    a[3] = f64x2_add(a[3], f64x2_mul(wv, v128_load(s.add(6) as *const v128)));
                    a[4] = f64x2_add(a[4], f64x2_mul(wv, v128_load(s.add(8) as *const v128)));
                    a[5] = f64x2_add(a[5], f64x2_mul(wv, v128_load(s.add(10) as *const v128)));
                    a[6] = f64x2_add(a[6], f64x2_mul(wv, v128_load(s.add(12) as *const v128)));
                    a[7] = f64x2_add(a[7], f64x2_mul(wv, v128_load(s.add(14) as *const v128)));
                    s = s.add(1);
                }
                let o = op.add(j);
                for (k, v) in a.iter().enumerate() {
                    v128_store(o.add(2 * k) as *mut v128, *v);
                }
                j += 16;
            }
            while j + 2 <= n {
                let mut acc = f64x2_splat(0.0);
                let mut s = xp.add(j);
                for &wi in w {
                    acc = f64x2_add(acc, f64x2_mul(f64x2_splat(wi), v128_load(s as *const v128)));
                    s = s.add(1);
                }
                v128_store(op.add(j) as *mut v128, acc);
                j += 2;
            }
        }
        if j < n {
            super::conv_scalar(&x[j..], w, &mut out[j..]);
        }
    }
}
