// Can this environment run a threaded (shared-memory) wasm build? Checks the
// capabilities themselves, not just `crossOriginIsolated`: WebKitGTK without
// JSC_useSharedArrayBuffer reports crossOriginIsolated === true and still has
// no SharedArrayBuffer.

// (module (memory 1 1 shared) (func (drop (i32.atomic.load (i32.const 0)))))
// — validates only where wasm threads (shared memory + atomics) are supported.
const THREADS_PROBE = new Uint8Array([
  0, 97, 115, 109, 1, 0, 0, 0, 1, 4, 1, 96, 0, 0, 3, 2, 1, 0, 5, 4, 1, 3, 1, 1,
  10, 11, 1, 9, 0, 65, 0, 254, 16, 2, 0, 26, 11,
]);

/**
 * @returns {{ threads: boolean, reason: string }} whether a threaded build can
 * run here and, either way, why (shown to users in the mode banner).
 */
export function detectThreads() {
  const inNode = typeof process === 'object' && typeof process.versions?.node === 'string' && typeof window === 'undefined';
  if (!inNode && globalThis.crossOriginIsolated !== true) {
    return { threads: false, reason: 'the page is not cross-origin isolated (it needs the headers Cross-Origin-Opener-Policy: same-origin and Cross-Origin-Embedder-Policy: require-corp)' };
  }
  if (typeof SharedArrayBuffer !== 'function') {
    return { threads: false, reason: 'this engine has no SharedArrayBuffer' + (inNode ? '' : ' although the page is cross-origin isolated') };
  }
  if (typeof WebAssembly !== 'object' || !WebAssembly.validate(THREADS_PROBE)) {
    return { threads: false, reason: 'this engine has no WebAssembly threads (shared memory and atomics)' };
  }
  try {
    const memory = new WebAssembly.Memory({ initial: 1, maximum: 1, shared: true });
    if (!(memory.buffer instanceof SharedArrayBuffer)) throw new Error('not shared');
  } catch {
    return { threads: false, reason: 'this engine cannot create shared WebAssembly memory' };
  }
  return { threads: true, reason: inNode ? 'Node has shared memory and worker_threads' : 'the page is cross-origin isolated and has shared WebAssembly memory' };
}

/** The modes a host can run in (see chooseMode). */
export const MODES = Object.freeze(['threads', 'shards', 'single']);

/**
 * Work (in a split declaration's cost units: for ALMA, Σ period × prices.length
 * multiply-adds) below which a call is not split over shards: its messages,
 * copies and join would cost more than the parallel run saves. 1 combo × 1k
 * points is ~10^4; a 2-shard split pays off from a few ms of single-threaded
 * work (see tests/bench/shards.mjs).
 */
export const DEFAULT_SHARD_MIN_WORK = 4_000_000;

/**
 * Cores the environment reports: navigator.hardwareConcurrency (browsers, Deno, Bun,
 * Node 21+), else os.availableParallelism() in Node 20 (the same count: Node 21's
 * navigator.hardwareConcurrency is it).
 */
export async function reportedCores() {
  const n = globalThis.navigator?.hardwareConcurrency;
  if (Number.isInteger(n) && n > 0) return n;
  const inNode = typeof process === 'object' && typeof process.versions?.node === 'string' && typeof window === 'undefined';
  if (inNode) {
    // A variable, not a literal: browser builds fail on a literal `node:` specifier
    // even on a path they never run (esbuild: "Could not resolve", webpack 5:
    // UnhandledSchemeError), so bundlers must not see one.
    const specifier = 'node:os';
    const os = await import(/* @vite-ignore */ /* webpackIgnore: true */ specifier);
    return typeof os.availableParallelism === 'function' ? os.availableParallelism() : os.cpus().length;
  }
  return globalThis.navigator?.hardwareConcurrency || 1;
}

/**
 * The one place the host's mode is chosen. `requested`: 'auto' or a forced mode;
 * `builds`: which builds were given; `env`: detectThreads(); `cores`: reportedCores();
 * `declared`: whether any export has a split declaration (without one, shards would
 * boot N instances and run every call on the first); `threadsError`: why the
 * threaded build failed to start, when it did.
 * Returns {mode, reason} or {error: {code, message}} when a forced mode cannot run.
 *
 *   threads  shared memory works and a threaded build was given
 *   shards   else, more than one core, a single-threaded build and at least one
 *            split declaration: N independent instances; calls with a declared
 *            split run on all, others on one
 *   single   else
 */
export function chooseMode({ requested = 'auto', builds, env, cores, declared = true, threadsError }) {
  const why = threadsError
    ? `the threaded build failed to start (${threadsError.code ?? threadsError.name}: ${threadsError.message})`
    : !builds.threaded ? 'no threaded build was given' : env.reason;
  if (requested === 'threads') {
    if (!builds.threaded) return { error: { code: 'NO_USABLE_BUILD', message: 'mode "threads" was requested but no threaded build was given' } };
    if (threadsError || !env.threads) return { error: { code: 'THREADS_UNAVAILABLE', message: `mode "threads" was requested but ${why}` } };
    return { mode: 'threads', reason: `threads were requested (${env.reason})` };
  }
  if (requested === 'shards' || requested === 'single') {
    if (!builds.single) return { error: { code: 'NO_USABLE_BUILD', message: `mode "${requested}" was requested but no single-threaded build was given` } };
    return { mode: requested, reason: `${requested} mode was requested` };
  }
  if (!threadsError && env.threads && builds.threaded) return { mode: 'threads', reason: env.reason };
  if (!builds.single) return { error: { code: 'NO_USABLE_BUILD', message: `threads are unavailable (${why}) and no single-threaded build was given` } };
  if (cores > 1 && declared) return { mode: 'shards', reason: `no shared memory: ${why}; ${cores} cores are reported, so independent single-threaded instances share the work` };
  if (cores > 1) return { mode: 'single', reason: `${why}; ${cores} cores are reported but no export declares how its calls split (createHost({ declarations }), e.g. ALMA_DECLARATIONS), so one instance runs them` };
  return { mode: 'single', reason: `${why}, and only one core is reported` };
}
