//! The crate's one error type.
//!
//! Every indicator, the batch engine and the many-series layout report
//! rejected input as an [`Error`] with a stable machine-readable
//! [`Error::code`] and a message that says what to do. [`Error::CODES`] lists
//! every code once; the JavaScript bindings' TypeScript union is tested against it.
//! No input makes the crate panic.

use crate::kernels::Kernel;
use std::fmt;

/// Why a call was rejected. No input makes this crate's functions panic.
#[derive(Debug, Clone, PartialEq)]
#[non_exhaustive]
pub enum Error {
    /// The input series has no samples.
    EmptyInput,
    /// Every sample is NaN or infinite.
    AllNan {
        /// Length of the input.
        len: usize,
    },
    /// `period` is 0 or longer than the input.
    InvalidPeriod {
        /// The period asked for.
        period: usize,
        /// Length of the input.
        len: usize,
    },
    /// After the leading non-finite samples fewer than `period` samples remain.
    NotEnoughValidData {
        /// The period asked for.
        period: usize,
        /// Samples from the first finite one to the end.
        valid: usize,
        /// Index of the first finite sample.
        first_valid: usize,
    },
    /// `sigma` is not finite or not `> 0`.
    InvalidSigma {
        /// The sigma asked for.
        sigma: f64,
    },
    /// `offset` is not finite or outside `[0, 1]`.
    InvalidOffset {
        /// The offset asked for.
        offset: f64,
    },
    /// The caller's output buffer has the wrong length.
    OutputLengthMismatch {
        /// Length needed.
        expected: usize,
        /// Length given.
        got: usize,
    },
    /// A batch range is empty, inverted, or has a bad step.
    InvalidRange {
        /// The parameter, e.g. `"period"`, `"offset"` or `"sigma"`.
        parameter: &'static str,
        /// What is wrong with it.
        detail: String,
    },
    /// A batch would allocate more than the memory limit.
    OutputTooLarge {
        /// Bytes the batch needs (saturated at `u128::MAX`).
        requested: u128,
        /// The limit in force ([`BatchOptions::max_output_bytes`](crate::BatchOptions::max_output_bytes)).
        limit: usize,
    },
    /// The requested kernel is not available on this machine or target.
    UnsupportedKernel {
        /// The kernel asked for.
        kernel: Kernel,
    },
    /// The `offsets` of a many-series call do not describe the `values`
    /// buffer (see [`crate::batch::SeriesSet`]).
    InvalidSeriesLayout {
        /// What is wrong with them.
        detail: String,
    },
    /// The call was asked to stop ([`crate::progress::cancel`]; `rayon-web-host`:
    /// the call's `AbortSignal`) and skipped what it had not started: its output
    /// holds some rows and not others.
    Cancelled,
    /// Series `index` of a many-series call was rejected; [`Error::code`] is
    /// the code of `error`, so callers match on codes as for one series.
    Series {
        /// Index of the offending series (0-based, in `offsets` order).
        index: usize,
        /// Why it was rejected.
        error: Box<Error>,
    },
}

/// The name the crate's error had when ALMA was its only indicator.
pub type AlmaError = Error;

impl Error {
    /// Every code [`Error::code`] can return, in declaration order.
    pub const CODES: &'static [&'static str] = &[
        "EMPTY_INPUT",
        "ALL_NAN",
        "INVALID_PERIOD",
        "NOT_ENOUGH_VALID_DATA",
        "INVALID_SIGMA",
        "INVALID_OFFSET",
        "OUTPUT_LENGTH_MISMATCH",
        "INVALID_RANGE",
        "OUTPUT_TOO_LARGE",
        "UNSUPPORTED_KERNEL",
        "INVALID_SERIES_LAYOUT",
        "CANCELLED",
    ];

    /// A stable, machine-readable code: `EMPTY_INPUT`, `ALL_NAN`, `INVALID_PERIOD`,
    /// `NOT_ENOUGH_VALID_DATA`, `INVALID_SIGMA`, `INVALID_OFFSET`,
    /// `OUTPUT_LENGTH_MISMATCH`, `INVALID_RANGE`, `OUTPUT_TOO_LARGE`,
    /// `UNSUPPORTED_KERNEL`, `INVALID_SERIES_LAYOUT`, `CANCELLED` (see [`Error::CODES`]).
    /// An [`Error::Series`] has the code of the error it wraps.
    pub fn code(&self) -> &'static str {
        match self {
            Error::EmptyInput => "EMPTY_INPUT",
            Error::AllNan { .. } => "ALL_NAN",
            Error::InvalidPeriod { .. } => "INVALID_PERIOD",
            Error::NotEnoughValidData { .. } => "NOT_ENOUGH_VALID_DATA",
            Error::InvalidSigma { .. } => "INVALID_SIGMA",
            Error::InvalidOffset { .. } => "INVALID_OFFSET",
            Error::OutputLengthMismatch { .. } => "OUTPUT_LENGTH_MISMATCH",
            Error::InvalidRange { .. } => "INVALID_RANGE",
            Error::OutputTooLarge { .. } => "OUTPUT_TOO_LARGE",
            Error::UnsupportedKernel { .. } => "UNSUPPORTED_KERNEL",
            Error::InvalidSeriesLayout { .. } => "INVALID_SERIES_LAYOUT",
            Error::Cancelled => "CANCELLED",
            Error::Series { error, .. } => error.code(),
        }
    }

    /// The index of the series a many-series call rejected, if any.
    pub fn series_index(&self) -> Option<usize> {
        match self {
            Error::Series { index, .. } => Some(*index),
            _ => None,
        }
    }

    /// Wraps `self` as the error of series `index`.
    pub(crate) fn in_series(self, index: usize) -> Error {
        Error::Series { index, error: Box::new(self) }
    }
}

impl fmt::Display for Error {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        match self {
            Error::EmptyInput => write!(f, "the input series is empty: pass at least `period` samples"),
            Error::AllNan { len } => write!(
                f,
                "all {len} input samples are NaN or infinite: pass a series with at least `period` finite samples"
            ),
            // len 0: no input to measure against (`alma_weights`).
            Error::InvalidPeriod { period, len: 0 } => write!(f, "period {period} is invalid: use a period of at least 1"),
            Error::InvalidPeriod { period, len } => write!(
                f,
                "period {period} is invalid for an input of {len} samples: use a period from 1 to {len}"
            ),
            Error::NotEnoughValidData { period, valid, first_valid } => write!(
                f,
                "only {valid} samples remain after the {first_valid} leading NaN/infinite samples, \
                 fewer than period {period}: use a period of at most {valid} or pass more data"
            ),
            Error::InvalidSigma { sigma } => {
                write!(f, "sigma {sigma} is invalid: use a finite sigma greater than 0 (default 6)")
            }
            Error::InvalidOffset { offset } => {
                write!(f, "offset {offset} is invalid: use a finite offset from 0 to 1 (default 0.85)")
            }
            Error::OutputLengthMismatch { expected, got } => write!(
                f,
                "the output buffer has {got} elements but {expected} are needed: pass a buffer of length {expected}"
            ),
            Error::InvalidRange { parameter, detail } => {
                write!(f, "the {parameter} range is invalid: {detail}")
            }
            Error::OutputTooLarge { requested, limit } => {
                if *requested == u128::MAX {
                    write!(f, "the batch needs more memory than can be counted (limit {limit} bytes): use fewer combinations or a shorter series")
                } else {
                    write!(f, "the batch needs {requested} bytes, over the limit of {limit} bytes: use fewer combinations, a shorter series, or raise max_output_bytes")
                }
            }
            Error::UnsupportedKernel { kernel } => write!(
                f,
                "kernel {kernel:?} is not available on this machine or target: use Kernel::Auto or Kernel::Scalar"
            ),
            Error::InvalidSeriesLayout { detail } => write!(
                f,
                "the series offsets are invalid: {detail}; offsets must start at 0, never decrease and end at values.length \
                 (series i is values[offsets[i]..offsets[i + 1]])"
            ),
            Error::Cancelled => write!(f, "the call was cancelled by its caller before it finished; its output is incomplete"),
            Error::Series { index, error } => write!(f, "series {index}: {error}"),
        }
    }
}

impl std::error::Error for Error {
    fn source(&self) -> Option<&(dyn std::error::Error + 'static)> {
        match self {
            Error::Series { error, .. } => Some(error.as_ref()),
            _ => None,
        }
    }
}

#[cfg(test)]
mod test {
    use super::*;

    #[test]
    fn codes_list_is_complete_and_series_wraps() {
        let all = [
            Error::EmptyInput,
            Error::AllNan { len: 1 },
            Error::InvalidPeriod { period: 0, len: 1 },
            Error::NotEnoughValidData { period: 2, valid: 1, first_valid: 0 },
            Error::InvalidSigma { sigma: 0.0 },
            Error::InvalidOffset { offset: 2.0 },
            Error::OutputLengthMismatch { expected: 1, got: 0 },
            Error::InvalidRange { parameter: "period", detail: String::new() },
            Error::OutputTooLarge { requested: 1, limit: 0 },
            Error::UnsupportedKernel { kernel: Kernel::Avx512 },
            Error::InvalidSeriesLayout { detail: String::new() },
            Error::Cancelled,
        ];
        assert_eq!(all.iter().map(Error::code).collect::<Vec<_>>(), Error::CODES);
        let e = Error::EmptyInput.in_series(7);
        assert_eq!((e.code(), e.series_index()), ("EMPTY_INPUT", Some(7)));
        assert!(e.to_string().starts_with("series 7: the input series is empty"));
    }
}
