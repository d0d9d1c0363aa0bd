// Type declarations of rayon-web-host (index.js, detect.js, split.js).

/** Whether a threaded build can run here, and why (or why not), in words. */
export interface ThreadSupport {
  threads: boolean;
  reason: string;
}

/** Checks cross-origin isolation, SharedArrayBuffer and wasm threads themselves. */
export function detectThreads(): ThreadSupport;

/**
 * How a host runs the module:
 * - `threads`: one instance of the threaded build with a rayon pool (needs shared memory);
 * - `shards`: N instances of the single-threaded build, each in its own worker with its own
 *   memory; calls with a declared split run on all of them, others on the first;
 * - `single`: one instance of the single-threaded build.
 */
export type Mode = 'threads' | 'shards' | 'single';
export const MODES: readonly Mode[];

/** Work (in declaration cost units) below which a call is not split over shards. */
export const DEFAULT_SHARD_MIN_WORK: number;

/** Cores reported by the environment: navigator.hardwareConcurrency, else os.availableParallelism() (Node 20). */
export function reportedCores(): Promise<number>;

/** The host's mode decision (the only place it is made). */
export function chooseMode(input: {
  requested?: Mode | 'auto';
  builds: { threaded?: string; single?: string };
  env: ThreadSupport;
  cores: number;
  /** Whether any export declares a split (default true); auto picks `shards` only then. */
  declared?: boolean;
  threadsError?: { code?: string; name?: string; message: string };
}): { mode: Mode; reason: string; error?: undefined } | { error: { code: 'NO_USABLE_BUILD' | 'THREADS_UNAVAILABLE'; message: string } };

/**
 * A batch over a parameter grid whose rows are ordered by `axis` first: the call splits
 * into contiguous blocks of that axis's values (balanced by work), results join by rows.
 */
export interface GridRowsDeclaration {
  kind: 'grid-rows';
  /** Index of the input series argument: every row has its length. */
  input: number;
  /** Index of the grid argument; `args[range][axis]` is an integer `[start, end, step]`. */
  range: number;
  /** The outermost axis of the row order. */
  axis: string;
  /** `'axis'`: a row costs its axis value (ALMA: period); `'rows'`: all rows cost the same. Default 'axis'. */
  cost?: 'axis' | 'rows';
  /** With `cost: 'axis'`, a row costs at most this (ALMA: 64, rows from the FFT crossover on cost about the same). */
  costCap?: number;
  /**
   * Index of a row-major Float64Array output argument (the `...Into` form), written back.
   * Write-only: the export must write every element (the worker gets a buffer of the
   * same size, possibly reused from an earlier call, not the caller's array). An index of
   * its own: the same as `input` or `range` is INVALID_ARGUMENT.
   */
  out?: number;
  /**
   * Allocating forms only (no `out`): the most bytes of typed arrays one result may hold —
   * the module's own limit for an unsplit call (rayon-web-indicators: 512 MiB). Shards each
   * compute a part under it, so the host refuses a joined result above it with
   * OUTPUT_TOO_LARGE, as one instance would (a call whose rows of the split axis alone
   * exceed it is not split, and the module refuses it). The module may count a few KiB per
   * row beside the values (ALMA: parameters and weights), so a call within that margin of
   * the limit can pass through shards and be refused unsplit.
   */
  maxOutputBytes?: number;
}

/**
 * A many-series batch (`args[values]` one flat series, `args[offsets]` its CSR offsets,
 * output series-major): splits into contiguous groups of series balanced by samples,
 * results join by concatenation; a rejected series is reported with its index in the
 * whole call.
 */
export interface SeriesDeclaration {
  kind: 'series';
  /** Index of the flat values argument. */
  values: number;
  /** Index of the offsets argument (series count + 1 entries). */
  offsets: number;
  /** Index of the grid argument. */
  range: number;
  /** The grid axis that sets a row's cost (`cost: 'axis'`). */
  axis: string;
  /** `'axis'`: a row costs its axis value; `'rows'`: all rows cost the same. Default 'axis'. */
  cost?: 'axis' | 'rows';
  /** With `cost: 'axis'`, a row costs at most this. */
  costCap?: number;
  /** Index of a Float64Array output argument (the `...Into` form), written back; write-only and an index of its own, as `GridRowsDeclaration.out`. */
  out?: number;
  /** Allocating forms only: the most bytes one result may hold, as `GridRowsDeclaration.maxOutputBytes`. */
  maxOutputBytes?: number;
}

/** One part of a split call. */
export interface SplitPart {
  args: unknown[];
  /** ArrayBuffers to move to this part's worker (a SharedArrayBuffer here is sent by reference). */
  transfer?: Transferable[];
}

/** A declaration in code: how a call splits, and how the parts' results join. */
export interface CodeDeclaration {
  /**
   * At most `n` independent parts, or null to run the call unsplit on one shard (anything
   * else — not an array, more than `n` parts, a part without an `args` array — rejects the
   * call with INVALID_ARGUMENT).
   * `alloc(part, Ctor, length)` returns an output buffer for part `part` (kept between
   * calls by the host, old contents: outputs are write-only). It is shared memory where
   * the environment can post it to workers (Node, Deno, Bun, cross-origin isolated
   * pages), else an ArrayBuffer to move; list its buffer in the part's `transfer`
   * either way — shared memory there is sent by reference, not moved.
   */
  split?: (args: unknown[], n: number, minWork: number,
    alloc: <T extends Float64Array | Float32Array | Int32Array | Uint32Array | Uint8Array>(part: number, Ctor: { new (length: number): T; BYTES_PER_ELEMENT: number }, length: number) => T) => SplitPart[] | null;
  /** The parts' results, in order, back into one result. */
  join?: (results: unknown[], args: unknown[], parts: SplitPart[], outputs: unknown[][]) => unknown;
  /**
   * Indices of output arguments (typed arrays the export fills): written back into the
   * caller's arrays. Write-only: the export must write every element (the worker gets a
   * buffer of the same type and size, possibly reused, not the caller's array).
   * An export with no declaration at all has its kept typed-array arguments watched
   * instead (copied before the call, compared after, changed ones written back);
   * `{ outputs: [] }` declares that it writes none and skips that.
   */
  outputs?: number[];
  /** A failed part's error, said as the whole call would say it (e.g. a series index rebased). */
  rebaseError?: (error: unknown, part: SplitPart) => unknown;
}

export type Declaration = GridRowsDeclaration | SeriesDeclaration | CodeDeclaration;

/**
 * rayon-web-indicators' batch declarations: almaBatch / almaBatchInto / almaBatchLongAbove / emaBatch / emaBatchInto
 * split by rows (ALMA: cost ∝ period); almaBatchMany / almaBatchManyInto / almaBatchManyLongAbove /
 * emaBatchMany / emaBatchManyInto split by series; alma / ema (one series) neither split nor
 * write into an argument. The module ships the same list (`rayonWebHostDeclarations()`),
 * used for exports the caller did not declare.
 */
export const ALMA_DECLARATIONS: Readonly<
  Record<'alma' | 'ema', CodeDeclaration> &
  Record<'almaBatch' | 'almaBatchInto' | 'almaBatchLongAbove' | 'emaBatch' | 'emaBatchInto', GridRowsDeclaration> &
  Record<'almaBatchMany' | 'almaBatchManyInto' | 'almaBatchManyLongAbove' | 'emaBatchMany' | 'emaBatchManyInto', SeriesDeclaration>
>;

/** True for an ArrayBuffer that was transferred away (detached): reading it throws, and Node 20's postMessage drops it silently. */
export function isDetached(buffer: ArrayBufferLike): boolean;
/** Cuts per-value costs into at most `n` contiguous [from, to) groups of near-equal sums. */
export function balance(costs: number[], n: number): [number, number][];
/** Joins results by rows: typed arrays and arrays concatenated, `rows` summed, the rest from the first. */
export function concatRows<T>(results: T[]): T;
/** Validates a declaration; throws a TypeError with code INVALID_ARGUMENT saying what is wrong (an unknown key too). */
export function compileDeclaration(name: string, decl: Declaration): CodeDeclaration;

/** createHost's options; any other own key is INVALID_ARGUMENT (null/undefined values = default). */
export interface HostOptions {
  /**
   * URL of the threaded build's wasm-bindgen glue (`--target web`), built with rayon-web.
   * A relative string is resolved against the page's location; where there is none (Node)
   * it is INVALID_ARGUMENT: pass an absolute URL, e.g. `new URL('./pkg/x.js', import.meta.url)`.
   */
  threaded?: string | URL;
  /** URL of the single-threaded build's glue: used by `shards` and `single` (relative strings as for `threaded`). */
  single?: string | URL;
  /** `'auto'` (default) chooses (see chooseMode); a forced mode rejects with a code if it cannot run. */
  mode?: Mode | 'auto';
  /**
   * Pool size for the threaded build, 1 to 65536; a pool has at most 64 threads (more starts 64).
   * Default: one thread per reported core (`reportedCores()`), at most 64.
   */
  threads?: number;
  /** Number of shards, 1 to 65536, of which at most 64 start. Default: the reported cores minus one (the page's), at least 2, at most 64. */
  shards?: number;
  /** Split declarations per export name (and output arguments, used in every mode): a plain object (a Map or an array is INVALID_ARGUMENT). */
  declarations?: Record<string, Declaration>;
  /** Calls whose work is below this run on one shard. Default DEFAULT_SHARD_MIN_WORK. */
  shardMinWork?: number;
  /** Same as `mode: 'single'` (kept for compatibility); together with a `mode` it contradicts, INVALID_ARGUMENT. */
  forceSingle?: boolean;
  /** Deadline for a host worker to load and start the module, 1 to 2147483647 ms. Default 15000 ms. */
  startTimeoutMs?: number;
}

/**
 * What a call can move to the worker instead of copying: ArrayBuffers. Declared
 * here rather than using the DOM lib's `Transferable`, which does not exist in
 * Node-only TypeScript projects (lib es2022 + @types/node).
 */
type Transferable = ArrayBuffer;

export interface CallOptions {
  /** ArrayBuffers to move to the worker instead of copying (they become unusable here). */
  transfer?: Transferable[];
  /**
   * Called while the call runs, if the module reports progress (summed over shards); with
   * threads, with this call's own counter only, and once more with its final value if the
   * polling missed it. If it throws, the call rejects with INVALID_ARGUMENT naming
   * `options.onProgress` and the thrown message, its result is dropped, and it is not
   * called again.
   */
  onProgress?: (done: number, total: number) => void;
  /**
   * Aborts the call: its promise rejects at once with code ABORTED (name 'AbortError',
   * `cause` = the signal's reason) and nothing is written into your arrays; a call still
   * queued is never sent. With threads, a module that can stop a call (rayon-web-indicators'
   * batches: CANCELLED inside) skips what it has not started, so the next call runs soon;
   * any other call — shards, single, other modules — runs to its end in the worker, its
   * result dropped (`host.recreate()` stops everything at once).
   */
  signal?: AbortSignal;
}

/** Error codes the host itself produces (the module adds its own). */
export type HostErrorCode =
  /** No build that can run here was given, or a forced mode's build is missing. */
  | 'NO_USABLE_BUILD'
  /** mode 'threads' was forced, and threads cannot run here or the threaded build failed to start. */
  | 'THREADS_UNAVAILABLE'
  /** A host worker did not report ready within startTimeoutMs. */
  | 'HOST_TIMEOUT'
  /**
   * The module failed to load (its glue or wasm file missing or unreadable: the loader's
   * message is kept) or to initialise (then the module's own code when it had one).
   */
  | 'HOST_START_FAILED'
  /** A host worker died; every call fails until recreate(). */
  | 'HOST_DIED'
  /**
   * terminate() or recreate() ended the instance the call ran on, or the host has no
   * instance (terminated, or the last recreate() failed: the message says which); also a
   * call queued or a recreate() waiting for a start that terminate() abandoned.
   */
  | 'HOST_TERMINATED'
  /** The module has no such function export (its init functions and its classes, e.g. WasmFloat64Buffer, are not callable through the host). */
  | 'NO_SUCH_EXPORT'
  /** An instance trapped (panic=abort, unreachable): every call fails until recreate(). */
  | 'POOL_BROKEN'
  /**
   * The name, arguments, transfer list or options cannot be used (an unknown option key
   * too; an argument that is a class instance, whose getters and private fields a copy to
   * the worker would lose); the call's `onProgress` threw; a code declaration's `split`,
   * `join` threw or its split returned parts that cannot be used. The message names which.
   */
  | 'INVALID_ARGUMENT'
  /** The export returned something that cannot be sent back from the worker. */
  | 'RESULT_NOT_CLONEABLE'
  /** The call's `signal` was aborted (before or during the call). */
  | 'ABORTED';

/** An error thrown by the host or the module; `code` is the module's or one of HostErrorCode. */
export class HostError extends Error {
  code?: HostErrorCode | string;
  /** A many-series call's rejected series (its index in the whole call, in every mode). */
  series?: number;
}

/** A module's exports as the host sees them when it is not told their types: any name, any arguments. */
export type UntypedModule = { [name: string]: (...args: any[]) => any };

/**
 * The exports of module `M` (its glue's type: `typeof import('./pkg/my_crate.js')`) the host
 * can call: its functions, without the glue's init functions (`default`, `initSync`) and
 * its classes (not callable through the host: NO_SUCH_EXPORT).
 */
export type CallableExports<M> = {
  [K in keyof M & string as K extends 'default' | 'initSync' ? never : M[K] extends (...args: any[]) => any ? K : never]: M[K] extends (...args: infer A) => infer R ? (...args: A) => R : never;
};

/** `host.call` of a typed host: the name must be an export, the arguments its parameters; resolves with its result. */
export interface TypedCall<M> {
  <K extends keyof CallableExports<M> & string>(
    name: K,
    args: Parameters<CallableExports<M>[K]>,
    options?: CallOptions,
  ): Promise<Awaited<ReturnType<CallableExports<M>[K]>>>;
}

/** `host.call` of an untyped host: any name and arguments; `T` is what you expect back. */
export interface UntypedCall {
  <T = unknown>(name: string, args?: unknown[], options?: CallOptions): Promise<T>;
}

/**
 * A host running module `M`. Untyped by default; give the glue's type to have names,
 * arguments and results checked:
 *
 *     const host = await createHost<typeof import('./pkg-threads/my_crate.js')>({ ... });
 *     const r = await host.call('almaBatch', [prices, { period: [9, 258, 1] }]);  // r: AlmaBatchResult
 *     host.call('almaBatc', [prices]);                                             // compile error
 */
export class Host<M = UntypedModule> {
  /**
   * Which mode runs. Null while the host has no instance — after terminate(), while
   * recreate() starts, after a failed recreate() — as `reason` is; `threads` and
   * `shards` are then 0. Non-null after createHost or a recreate() that resolved.
   */
  readonly mode: Mode | null;
  /** Why that mode was chosen, in words (for a banner); null without an instance. */
  readonly reason: string | null;
  /** Pool size (threads), shard count (shards), or 1 (single); 0 without an instance. */
  readonly threads: number;
  /** Shard count in shards mode, else 0. */
  readonly shards: number;
  /** Set once an instance broke or died; every call then rejects with its code until recreate(). */
  readonly broken: { code: 'POOL_BROKEN' | 'HOST_DIED'; message: string } | null;
  /**
   * Calls an export in the worker(s). Always settles: the result, the module's coded error,
   * or a HostError with a HostErrorCode. Calls made while the host (re)starts are queued:
   * their arguments are cloned (and transfers taken) at once, and they run once it is ready
   * (or reject with HOST_TERMINATED if terminate() comes first). Arguments are sent as
   * structured clones: plain objects, arrays, typed arrays and the built-ins a clone keeps;
   * a class instance (a getter, a private field) is INVALID_ARGUMENT naming its path (`args[1].grid`).
   */
  call: string extends keyof M ? UntypedCall : TypedCall<M>;
  /**
   * Every export of the module as an async function — except `then`, `toJSON`, `valueOf`, `toString` and Object.prototype's names, which the language calls implicitly (use `call` for such an export).
   * `in` and `Object.keys` list the module's callable exports while an instance runs (for feature detection: `'almaBatchMany' in host.exports`).
   */
  readonly exports: string extends keyof M
    ? Record<string, (...args: unknown[]) => Promise<any>>
    : { readonly [K in keyof CallableExports<M>]: (...args: Parameters<CallableExports<M>[K]>) => Promise<Awaited<ReturnType<CallableExports<M>[K]>>> };
  /**
   * Terminates every worker and starts fresh ones (calls in flight reject with HOST_TERMINATED,
   * calls made meanwhile wait). A forced mode that cannot start rejects with its code, and
   * calls then reject with HOST_TERMINATED saying that the last recreate() failed and why.
   * A recreate() superseded by a later one settles as that one does; one cut off by
   * terminate() rejects with HOST_TERMINATED.
   */
  recreate(options?: { threads?: number; shards?: number; mode?: Mode | 'auto'; forceSingle?: boolean }): Promise<Host<M>>;
  /**
   * Terminates the instance(s); pending and later calls reject with HOST_TERMINATED, and so
   * do calls queued during a start and the recreate() that started it (even if another
   * recreate() follows at once).
   */
  terminate(): void;
}

/** Starts a host: chooses the mode, starts the dedicated worker(s) and (threaded) the pool. */
export function createHost<M = UntypedModule>(options: HostOptions): Promise<Host<M>>;
