//! Kernels: which code computes the inner sums, chosen once per call.
//!
//! [`Kernel`] is the caller's choice; [`Kernel::resolve`] turns it into the
//! concrete kernel this machine runs, after run-time CPU feature detection
//! (x86_64) or from the compile-time target features (wasm32 simd128). The
//! private `Resolved` value is what the engine passes down: holding one proves
//! the features were detected, which is what makes the `unsafe` SIMD calls sound.
//!
//! One file per family of kernels: [`fir`] (weighted windows: scalar, AVX2+FMA,
//! AVX-512, simd128) and [`fft`] (the same sums by FFT convolution, for long
//! windows; [`Kernel::Auto`] uses it for the rows where it wins). To add a family,
//! add a file here, a [`Kernel`] variant and its `Resolved` counterpart, and a
//! line in `Kernel::resolved`; the engine (`crate::batch`) picks the kernel per
//! call from `BatchOptions::kernel`.
//!
//! [`fir`]: self::fir
//! [`fft`]: self::fft

use crate::error::Error;

pub(crate) mod fft;
pub(crate) mod fir;

/// Which kernel computes the sums. Recursive indicators (EMA) have one scalar
/// implementation and ignore the choice, but still reject an unsupported one.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
#[non_exhaustive]
pub enum Kernel {
    /// The fastest kernel available on this machine: SIMD if any, else scalar,
    /// and FFT convolution for the rows of a weighted-window batch whose period
    /// is long enough for it to win (see `kernels::fft`: the crossover is
    /// measured, and blocks whose values span too wide a range for 1e-12
    /// relative accuracy stay on the direct form).
    #[default]
    Auto,
    /// Plain scalar code, one sequential sum per output (the reference).
    Scalar,
    /// The best SIMD kernel available (AVX-512, then AVX2+FMA natively; simd128
    /// on wasm32); an error if there is none.
    Simd,
    /// AVX2 + FMA (x86_64, detected at run time); an error elsewhere.
    Avx2,
    /// AVX-512F + FMA (x86_64, detected at run time); an error elsewhere.
    Avx512,
    /// wasm32 simd128 (chosen at compile time with `-C target-feature=+simd128`);
    /// an error elsewhere.
    Simd128,
    /// FFT convolution (overlap-save, the series' block transforms shared by all
    /// rows) for every row of a weighted-window indicator, on runs of finite
    /// samples long enough to pay for a transform; shorter runs use the best
    /// direct kernel. Available everywhere. Accuracy: see the README section
    /// "ALMA by FFT" (within 1e-12 of the exact value relative to the local
    /// half-range of the series). Recursive indicators ignore it.
    Fft,
}

/// A concrete, verified-available kernel. Only constructed by
/// [`Kernel::resolved`] after feature detection, which is what makes the
/// `unsafe` calls in [`fir`] sound.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub(crate) enum Resolved {
    Scalar,
    #[cfg(target_arch = "x86_64")]
    Avx2,
    #[cfg(target_arch = "x86_64")]
    Avx512,
    #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
    Simd128,
}

impl Kernel {
    /// The concrete kernel this choice runs on this machine (`Auto` and `Simd`
    /// become `Scalar`, `Avx2`, `Avx512` or `Simd128`), or
    /// [`Error::UnsupportedKernel`] if it is not available.
    pub fn resolve(self) -> Result<Kernel, Error> {
        if self == Kernel::Fft {
            return Ok(Kernel::Fft);
        }
        self.resolved().map(|r| match r {
            Resolved::Scalar => Kernel::Scalar,
            #[cfg(target_arch = "x86_64")]
            Resolved::Avx2 => Kernel::Avx2,
            #[cfg(target_arch = "x86_64")]
            Resolved::Avx512 => Kernel::Avx512,
            #[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
            Resolved::Simd128 => Kernel::Simd128,
        })
    }

    pub(crate) fn resolved(self) -> Result<Resolved, Error> {
        let best_simd = best_simd();
        let r = match self {
            Kernel::Auto => Some(best_simd.unwrap_or(Resolved::Scalar)),
            Kernel::Scalar => Some(Resolved::Scalar),
            Kernel::Simd => best_simd,
            Kernel::Avx2 => avx2(),
            Kernel::Avx512 => avx512(),
            Kernel::Simd128 => simd128(),
            // The direct kernel for the runs too short to transform.
            Kernel::Fft => Some(best_simd.unwrap_or(Resolved::Scalar)),
        };
        r.ok_or(Error::UnsupportedKernel { kernel: self })
    }
}

impl Kernel {
    /// When the FFT path runs for this choice.
    pub(crate) fn fft_mode(self) -> fft::Mode {
        match self {
            Kernel::Auto => fft::Mode::Auto,
            Kernel::Fft => fft::Mode::Always,
            _ => fft::Mode::Never,
        }
    }
}

#[cfg(target_arch = "x86_64")]
fn avx2() -> Option<Resolved> {
    (std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma"))
        .then_some(Resolved::Avx2)
}
#[cfg(target_arch = "x86_64")]
fn avx512() -> Option<Resolved> {
    (std::arch::is_x86_feature_detected!("avx512f") && std::arch::is_x86_feature_detected!("fma"))
        .then_some(Resolved::Avx512)
}
#[cfg(not(target_arch = "x86_64"))]
fn avx2() -> Option<Resolved> {
    None
}
#[cfg(not(target_arch = "x86_64"))]
fn avx512() -> Option<Resolved> {
    None
}
#[cfg(all(target_arch = "wasm32", target_feature = "simd128"))]
fn simd128() -> Option<Resolved> {
    Some(Resolved::Simd128)
}
#[cfg(not(all(target_arch = "wasm32", target_feature = "simd128")))]
fn simd128() -> Option<Resolved> {
    None
}
fn best_simd() -> Option<Resolved> {
    avx512().or_else(avx2).or_else(simd128)
}
