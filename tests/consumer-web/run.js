// What the consumer page runs, either in its module worker or on the page's
// main thread. `glue` is the wasm-bindgen --target web module of
// tests/consumer (threaded build).

const now = () => performance.now();

function describe(err) {
  return {
    code: err?.code ?? null,
    name: err?.name ?? null,
    message: String(err?.message ?? err),
    // Firefox's err.stack omits the message: keep String(err) too.
    string: String(err),
  };
}

// Workers rayon-web-host's standalone prewarmPool left for the next pool (thread-pool/js/spawn.js).
const earlyWaiting = () => (globalThis[Symbol.for('rayon-web.prewarmed-workers')] ?? []).length;
// The registry entries the pool sent a message to (prewarmEarly instruments them).
const earlyUsed = { ours: new Set(), stale: new Set() };

/**
 * `prewarm=early` (or `early-stale`): what the page (or its worker) does before it
 * imports the glue — rayon-web-host's prewarmPool, plus with `early-stale` one
 * registry entry of another protocol version, which the pool must end, not use.
 */
export async function prewarmEarly(params, glueUrl) {
  const kind = params.get('prewarm');
  if (kind !== 'early' && kind !== 'early-stale') return {};
  // A runtime URL (served from the repository root): the Vite consumer bundles this
  // file, and its build must leave this import alone.
  const prewarmUrl = new URL('/js/src/prewarm.js', location.origin).href;
  const { prewarmPool } = await import(/* @vite-ignore */ prewarmUrl);
  if (kind === 'early-stale') {
    const stale = new Worker(URL.createObjectURL(new Blob([''], { type: 'text/javascript' })), { type: 'module' });
    (globalThis[Symbol.for('rayon-web.prewarmed-workers')] ??= []).push({ protocol: -1, worker: stale, failed: false });
  }
  const earlyStarted = prewarmPool({ numThreads: Number(params.get('threads') ?? 2), glueUrl });
  // Which registered workers the pool then talks to (each gets its start message):
  // proof that it used them rather than ending them and making its own.
  for (const entry of globalThis[Symbol.for('rayon-web.prewarmed-workers')] ?? []) {
    const post = entry.worker.postMessage.bind(entry.worker);
    entry.worker.postMessage = (...args) => { (entry.protocol === -1 ? earlyUsed.stale : earlyUsed.ours).add(entry); return post(...args); };
  }
  return { earlyStarted, earlyWaiting: earlyWaiting() };
}

export async function run(glue, params, mode, pre = {}) {
  const threads = Number(params.get('threads') ?? 2);
  const base = {
    ...pre,
    crossOriginIsolated: globalThis.crossOriginIsolated,
    sharedArrayBuffer: typeof SharedArrayBuffer,
    context: typeof document === 'undefined' ? 'worker' : 'page',
  };
  // prewarm=1: prewarmThreadPool before init() (README "Start-up"); the
  // result says how many workers waited and how many were alive around the pool.
  if (params.get('prewarm') === '1') base.prewarmed = glue.prewarmThreadPool(threads);
  const t0 = now();
  await glue.default();
  const loadMs = now() - t0;
  if (params.get('prewarm') === '1') base.liveBefore = glue.liveWorkers();

  if (mode === 'reject') {
    const t1 = now();
    try {
      const n = await glue.initThreadPool(threads);
      throw Object.assign(new Error(`initThreadPool(${threads}) resolved with ${n}; a rejection was expected`), { code: 'TEST_NO_REJECTION' });
    } catch (err) {
      if (err?.code === 'TEST_NO_REJECTION') throw err;
      const rejected = { ...base, rejected: true, ...describe(err), rejectMs: now() - t1, liveAfter: glue.liveWorkers() };
      // The same module still runs rayon code, on the calling thread (README's error table).
      rejected.after = { parallel: glue.sumParallel(100_000), sequential: glue.sumSequential(100_000), threads: glue.numThreads() };
      return rejected;
    }
  }

  const t1 = now();
  const got = await glue.initThreadPool(threads);
  const initMs = now() - t1;
  const result = { ...base, loadMs, initMs, resolvedWith: got, threads: glue.numThreads(), liveAfter: glue.liveWorkers(), earlyAfter: earlyWaiting(),
    earlyUsed: earlyUsed.ours.size, earlyStaleUsed: earlyUsed.stale.size };

  if (mode === 'main') {
    // Parallel calls from the main thread work but spin; keep them small.
    const n = 100_000;
    result.parallel = glue.sumParallel(n);
    result.sequential = glue.sumSequential(n);
    return result;
  }

  const n = Number(params.get('n') ?? 2_000_000);
  const reps = Number(params.get('reps') ?? 3);
  // Warm-up (JIT tiers, first-touch of the pool).
  glue.sumSequential(n / 10);
  glue.sumParallel(n / 10);
  const par = [], seq = [];
  for (let i = 0; i < reps; i++) {
    let t = now();
    result.sequential = glue.sumSequential(n);
    seq.push(now() - t);
    t = now();
    result.parallel = glue.sumParallel(n);
    par.push(now() - t);
    if (result.parallel !== result.sequential) break;
  }
  result.n = n;
  result.seqMs = Math.min(...seq);
  result.parMs = Math.min(...par);
  result.distinct = glue.distinctThreads(64);
  // rayon::join / scope / spawn: [distinct pool threads, tasks outside the pool, tasks] each.
  result.scopeSpawnJoin = ['join', 'scope', 'spawn'].flatMap((api) => Array.from(glue.poolThreadsUsed(api, 16)));
  return result;
}

export { describe };
