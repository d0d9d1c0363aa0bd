/**
 * A price series. Accepted exactly as follows (anything else throws INVALID_ARGUMENT
 * naming the argument and the type received):
 * - Float64Array: copied once into wasm memory (the fast path);
 * - Float32Array: copied once, each value widened exactly to float64;
 * - Array whose every element is a number (NaN and ±Infinity allowed): read element
 *   by element (slower than a Float64Array; holes and non-numbers are rejected).
 * Not accepted: other typed arrays (Int32Array, BigInt64Array, ...), array-likes
 * ({length}), strings, null, undefined.
 * Memory: a call copies its input and builds its output in wasm memory (at most 1 GiB
 * in the threaded build); when they do not fit it throws INPUT_TOO_LARGE or
 * OUTPUT_TOO_LARGE, naming the sizes, before copying anything.
 */
export type Series = Float64Array | Float32Array | number[];

/**
 * Which kernel computes ALMA: `'auto'` (default: SIMD, and FFT for rows whose period
 * reaches the measured crossover), `'scalar'` (the plain reference sum), `'simd'` (simd128;
 * `UNSUPPORTED_KERNEL` in a build without it), `'fft'` (FFT convolution for every row; within
 * 1e-12 of the exact value relative to the series' local range). Every kernel gives the same
 * bits in the threaded and single-threaded builds.
 */
export type AlmaKernel = 'auto' | 'scalar' | 'simd' | 'fft';

/** Parameters of one ALMA. Every field is optional (defaults shown); null/undefined = default.
 * Any other own key is INVALID_ARGUMENT (a typo never runs with the default). */
export interface AlmaParams {
  /** Window length, an integer from 1 to prices.length. Default 9. */
  period?: number;
  /** Peak position in [0, 1] (0 = oldest sample, 1 = newest). Default 0.85. */
  offset?: number;
  /** Sharpness, finite and > 0; the Gaussian width is period / sigma. Default 6. */
  sigma?: number;
  /** true: centre floor(offset * (period - 1)) (MT4, TA-Lib); false: TradingView. Default false. */
  floor?: boolean;
  /** Default `'auto'`. */
  kernel?: AlmaKernel;
}

/** A parameter grid: [start, end, step] per axis (Arrays of 3 numbers), inclusive; step 0 = start only.
 * Any other own key is INVALID_ARGUMENT. */
export interface AlmaBatchRange {
  /** Integer periods [start, end, step]. */
  period: [number, number, number];
  /** Offsets [start, end, step]; value k = min(start + k * step, end). Default [0.85, 0.85, 0]. */
  offset?: [number, number, number];
  /** Sigmas [start, end, step]. Default [6, 6, 0]. */
  sigma?: [number, number, number];
  /** Centre convention for every combination. Default false. */
  floor?: boolean;
  /** Default `'auto'`. */
  kernel?: AlmaKernel;
}

/** One combination of a batch. */
export interface AlmaCombo {
  period: number;
  offset: number;
  sigma: number;
}

/** Result of almaBatch: `values` is row-major, row r = combos[r], `cols` = prices.length. */
export interface AlmaBatchResult {
  values: Float64Array;
  rows: number;
  cols: number;
  combos: AlmaCombo[];
}

/**
 * Every `code` the indicators report (the crate's `Error::CODES` plus this JS layer's
 * INVALID_ARGUMENT and INPUT_TOO_LARGE). INVALID_SERIES_LAYOUT comes only from the
 * many-series calls (almaBatchMany, emaBatchMany and their Into forms).
 */
export type IndicatorErrorCode =
  | "EMPTY_INPUT" | "ALL_NAN" | "INVALID_PERIOD" | "NOT_ENOUGH_VALID_DATA" | "INVALID_SIGMA"
  | "INVALID_OFFSET" | "OUTPUT_LENGTH_MISMATCH" | "INVALID_RANGE" | "OUTPUT_TOO_LARGE"
  | "UNSUPPORTED_KERNEL" | "INVALID_SERIES_LAYOUT" | "INVALID_ARGUMENT" | "INPUT_TOO_LARGE" | "CANCELLED";

/** Errors thrown by the indicator exports carry a stable `code`. */
export interface AlmaErrorLike extends Error {
  code: IndicatorErrorCode;
  /** Many-series calls: the index of the series that was rejected (absent otherwise). */
  series?: number;
}

/**
 * Many series in one flat buffer, like a CSR matrix: series i is
 * `values[offsets[i] .. offsets[i + 1]]` (lengths may differ). `offsets` has
 * series count + 1 entries, starts at 0, never decreases and ends at
 * values.length (INVALID_SERIES_LAYOUT otherwise); a Uint32Array, a Float64Array
 * or an Array of non-negative integers (INVALID_ARGUMENT otherwise).
 */
export type SeriesOffsets = Uint32Array | Float64Array | number[];

/**
 * Result of a many-series batch. Series s has `offsets[s + 1] - offsets[s]`
 * samples; its `rows` rows (one per combination, in `combos` order) start at
 * `rows * offsets[s]` of `values`, each one series long:
 * row (s, r) = values.subarray(rows * offsets[s] + r * len_s, ... + len_s).
 */
export interface BatchManyResult<Combo> {
  values: Float64Array;
  /** Combinations per series. */
  rows: number;
  /** Number of series. */
  series: number;
  /** The offsets the call was given, as numbers. */
  offsets: number[];
  combos: Combo[];
}

/**
 * ALMA of `prices` (copied once into wasm memory). Returns a new Float64Array of
 * prices.length values; NaN for the warm-up and windows holding NaN or ±Infinity.
 * `params`: an AlmaParams object, or undefined/null for the defaults.
 * @throws Error with a stable `code` (see AlmaErrorLike).
 */
export function alma(prices: Series, params?: AlmaParams | null): Float64Array;
/**
 * ALMA for every combination of the grid; `values` is row-major rows x cols.
 * At most 512 MiB of values (OUTPUT_TOO_LARGE beyond: use almaBatchInto or fewer combinations).
 * @throws Error with a stable `code` (see AlmaErrorLike).
 */
export function almaBatch(prices: Series, range: AlmaBatchRange): AlmaBatchResult;
/**
 * almaBatch into `out`: a Float64Array (no other type) of exactly rows x cols elements,
 * reusable across calls (faster for large batches than a fresh array). Returns the shape
 * and the combinations. When `out` is `buffer.view()` of a WasmFloat64Buffer of exactly
 * that length, the values are computed straight into it and nothing is copied (fastest;
 * every `...Into` export does this).
 * @throws Error with a stable `code`; OUTPUT_LENGTH_MISMATCH when `out` has the wrong length.
 */
export function almaBatchInto(prices: Series, range: AlmaBatchRange, out: Float64Array): Omit<AlmaBatchResult, "values">;
/**
 * Result of almaBatchLongAbove: one value per combination (row r = combos[r]) in each
 * array; the rows themselves are never returned.
 */
export interface AlmaLongAboveResult {
  rows: number;
  /** prices.length */
  cols: number;
  combos: AlmaCombo[];
  /**
   * "Long while the close is above the ALMA" (decided at the previous close): compounded return of the
   * long bars, minus 1. A long bar into a missing close (NaN) earns nothing; NaN when the ALMA is NaN at
   * every decision (no complete window of the period: gaps closer than the period), as timeInMarket.
   */
  totalReturn: Float64Array;
  /** Fraction of the cols - 1 bars that rule was long (NaN when the ALMA is NaN at every decision). */
  timeInMarket: Float64Array;
  /** Sum of the row's finite values in a fixed order (value i into accumulator i % 4, then (s0 + s1) + (s2 + s3)): equal rows give equal bits (a checksum). */
  rowSum: Float64Array;
  /** Number of NaN values in the row. */
  nanCount: Float64Array;
}
/**
 * For every combination of the grid: what "long while the close is above the ALMA"
 * earned, and a checksum of the row, computed on the pool's threads right after each
 * row — the rows are never stored together nor copied out, so a grid far larger than
 * almaBatch can return runs in a few MiB. Rows are almaBatch's rows bit for bit.
 * @throws Error with a stable `code` (the same as almaBatch's).
 */
export function almaBatchLongAbove(prices: Series, range: AlmaBatchRange): AlmaLongAboveResult;
/**
 * ALMA for every combination of the grid over every series of `values` + `offsets`,
 * as one parallel job (far better use of the pool than one almaBatch per series).
 * Each row equals almaBatch's row of that series bit for bit. At most 512 MiB of
 * values (OUTPUT_TOO_LARGE beyond: use almaBatchManyInto or fewer series per call).
 * @throws Error with a stable `code`; a rejected series also sets `series` to its index.
 */
export function almaBatchMany(values: Series, offsets: SeriesOffsets, range: AlmaBatchRange): BatchManyResult<AlmaCombo>;
/** almaBatchMany into `out`, a Float64Array of exactly rows x values.length elements. */
export function almaBatchManyInto(
  values: Series,
  offsets: SeriesOffsets,
  range: AlmaBatchRange,
  out: Float64Array,
): Omit<BatchManyResult<AlmaCombo>, "values">;
/**
 * Result of almaBatchManyLongAbove: one value per (series, combination), series-major
 * (series s, combination r = combos[r] at index s * rows + r) in each array.
 */
export interface AlmaManyLongAboveResult {
  /** Combinations per series. */
  rows: number;
  /** Number of series. */
  series: number;
  /** The offsets the call was given, as numbers. */
  offsets: number[];
  combos: AlmaCombo[];
  /** "Long while the close is above the ALMA" over the series, as almaBatchLongAbove's (missing closes earn nothing; NaN when the series has no complete window of the period). */
  totalReturn: Float64Array;
  /** Fraction of the series' len - 1 bars that rule was long (NaN when the series has no complete window of the period). */
  timeInMarket: Float64Array;
  /** Sum of the row's finite values in almaBatchLongAbove's fixed order (a checksum). */
  rowSum: Float64Array;
  /** Number of NaN values in the row. */
  nanCount: Float64Array;
}
/**
 * almaBatchLongAbove over every series of `values` + `offsets` (almaBatchMany's layout)
 * as one parallel job: the backtester's sweep of a universe of securities, one figure
 * per (series, combination), the rows never stored together nor copied out. Each value
 * equals almaBatchLongAbove's for that series alone, bit for bit.
 * @throws Error with a stable `code` (almaBatchMany's); a rejected series also sets `series` to its index.
 */
export function almaBatchManyLongAbove(values: Series, offsets: SeriesOffsets, range: AlmaBatchRange): AlmaManyLongAboveResult;
/**
 * Address of the `[done, total]` progress pair (two uint32) of the current or last batch
 * in the module's memory (threaded build: readable while a batch runs on the pool).
 */
export function progressCounter(): number;
/**
 * Address of the `[call, cancel]` pair (two uint32) that follows the progress pair:
 * while `call` holds a call's id (written by whoever runs calls: rayon-web-host's
 * worker), writing that id to `cancel` stops the call's batch — it skips what it has
 * not started and throws CANCELLED. rayon-web-host does this for a call whose
 * AbortSignal fires (threaded build; the memory must be shared to write it meanwhile).
 */
export function rayonWebCallRecord(): number;
/**
 * `length` float64 values in wasm memory, for the `...Into` exports' `out`: pass
 * `buffer.view()` and the batch writes its values straight into it — no copy out of
 * wasm memory, no second array in the JavaScript heap. Read the values through a view
 * taken after the call (any call may grow the memory, which detaches older views in
 * the single-threaded build; an older view passed as `out` still works, through a copy).
 * The values stay until the next call that writes them or `free()`; they count against
 * wasm memory (the memory rule), so free buffers you no longer need. Keep the buffer
 * object alive while you use its views: a buffer the garbage collector reclaims is
 * freed. After `free()` its methods throw wasm-bindgen's "null pointer passed to rust".
 */
export class WasmFloat64Buffer {
  /**
   * `length` zeros. @throws INVALID_ARGUMENT unless `length` is a positive integer;
   * OUTPUT_TOO_LARGE when wasm memory cannot hold them.
   */
  constructor(length: number);
  /** How many values the buffer holds. */
  readonly length: number;
  /** A Float64Array over the values in wasm memory (no copy); valid until the memory grows. */
  view(): Float64Array;
  /** Releases the values; the object cannot be used afterwards. */
  free(): void;
}
/**
 * Bytes currently allocated on the module's Rust heap (diagnostics: after any call,
 * failed or not, it returns to its level before the call).
 */
export function wasmHeapBytes(): number;

/** Parameters of one EMA (any other own key is INVALID_ARGUMENT). */
export interface EmaParams {
  /** Seed window and smoothing length, an integer from 1 to prices.length. Default 9. */
  period?: number;
}
/** An EMA grid: integer periods [start, end, step], inclusive; step 0 = start only (any other own key is INVALID_ARGUMENT). */
export interface EmaBatchRange {
  period: [number, number, number];
}
/** Result of emaBatch: `values` is row-major, row r = combos[r], `cols` = prices.length. */
export interface EmaBatchResult {
  values: Float64Array;
  rows: number;
  cols: number;
  combos: { period: number }[];
}
/**
 * EMA of `prices` (TradingView's ta.ema: seeded with the SMA of the first `period`
 * samples, then alpha = 2 / (period + 1)). Same input rules and memory rule as alma.
 * @throws Error with a stable `code` (see AlmaErrorLike).
 */
export function ema(prices: Series, params?: EmaParams | null): Float64Array;
/** EMA for every period of the grid; `values` row-major rows x cols (at most 512 MiB). */
export function emaBatch(prices: Series, range: EmaBatchRange): EmaBatchResult;
/** emaBatch into `out`, a Float64Array of exactly rows x cols elements. */
export function emaBatchInto(prices: Series, range: EmaBatchRange, out: Float64Array): Omit<EmaBatchResult, "values">;
/** EMA for every period of the grid over every series of `values` + `offsets` (as almaBatchMany). */
export function emaBatchMany(values: Series, offsets: SeriesOffsets, range: EmaBatchRange): BatchManyResult<{ period: number }>;
/** emaBatchMany into `out`, a Float64Array of exactly rows x values.length elements. */
export function emaBatchManyInto(
  values: Series,
  offsets: SeriesOffsets,
  range: EmaBatchRange,
  out: Float64Array,
): Omit<BatchManyResult<{ period: number }>, "values">;
