// A pool's workers, started before the page has even imported the glue:
// `prewarmPool({ numThreads, glueUrl })` as the page's first statement creates
// the workers and lets each start importing the glue at once; the next
// `initThreadPool` (or custom pool) started on this thread by a glue that links
// rayon-web takes them and only hands them the module and memory.
//
// Why a file of its own: rayon-web's `prewarmThreadPool` lives in the glue, so
// it can only start after the glue and its snippets are imported (~50 ms of
// the page's start-up in Chromium), and creating a worker is most of a pool's
// start-up (BENCHMARKS.md, "Pool start-up"). This module has no imports, so a
// page fetches it in one request while it starts fetching the glue.
//
// The workers run the same bootstrap as rayon-web's own (`workerMain` below is
// a copy of thread-pool/js/worker.js's, held byte for byte equal by
// tests/node/prewarm-early.test.mjs) and are tagged with the start protocol's
// version (WORKER_PROTOCOL, the same test): a glue that speaks another version
// ends them and starts its own, so a mismatch costs time, never correctness.
//
// Browsers only (a cross-origin isolated page or worker with SharedArrayBuffer):
// elsewhere it starts nothing and returns 0, and in Node the glue's own
// `prewarmThreadPool` is the way (a Node worker starts in ~10 ms anyway).

/** The start protocol this file's workers speak (thread-pool/js/spawn.js's WORKER_PROTOCOL). */
export const WORKER_PROTOCOL = 2;

/** How long unclaimed workers wait (thread-pool/js/spawn.js's PREWARM_KEEP_ALIVE_MS). */
const KEEP_ALIVE_MS = 10_000;

/** The registry thread-pool/js/spawn.js takes workers from (per realm, through Symbol.for). */
const EARLY = Symbol.for('rayon-web.prewarmed-workers');

/** The most workers a pool may have, and the largest count taken as a core count
 * (thread-pool/src/options.rs's MAX_THREADS and MAX_CORE_COUNT): a core count
 * above 64 (navigator.hardwareConcurrency of a large workstation) starts 64. */
const MAX_THREADS = 64;
const MAX_CORE_COUNT = 65536;

const invalid = (message) => Object.assign(new TypeError(`rayon-web-host prewarmPool: ${message}`), { code: 'INVALID_ARGUMENT' });

/**
 * Starts `numThreads` pool workers now, each importing `glueUrl` (the absolute
 * URL of the wasm-bindgen glue whose `initThreadPool` will take them). Calls add
 * up to `numThreads`, never beyond. Returns how many workers now wait: 0 where
 * no pool can run (not cross-origin isolated, no SharedArrayBuffer, no Worker,
 * Node/Deno/Bun). Workers no pool takes within 10 s are ended.
 * Throws a TypeError with code INVALID_ARGUMENT for a bad argument.
 */
export function prewarmPool(options) {
  if (!options || typeof options !== 'object') throw invalid(`options must be an object { numThreads, glueUrl }, got ${options === null ? 'null' : typeof options}`);
  let numThreads, glueUrl, unknown;
  // Read once each, where a throwing getter or a revoked Proxy becomes a coded
  // error; an unknown key is one too (`{ numThread: 2 }` would start nothing).
  // (Not options.js's readOptions: this module is imported first thing by a
  // page, and one more import is one more round trip before workers start.)
  try {
    unknown = Object.keys(options).find((k) => k !== 'numThreads' && k !== 'glueUrl');
    ({ numThreads, glueUrl } = options);
  } catch (e) { throw invalid(`reading the options threw: ${e?.message ?? e}`); }
  if (unknown !== undefined) throw invalid(`options has no option ${JSON.stringify(unknown)}: it accepts numThreads, glueUrl only`);
  if (!Number.isInteger(numThreads) || numThreads < 1 || numThreads > MAX_CORE_COUNT) {
    throw invalid(`numThreads must be an integer from 1 to ${MAX_CORE_COUNT} (a core count; more than ${MAX_THREADS} starts ${MAX_THREADS}), got ${typeof numThreads === 'number' ? numThreads : typeof numThreads}`);
  }
  let url;
  try { url = new URL(glueUrl).href; } catch { throw invalid(`glueUrl must be an absolute URL string (e.g. new URL('./pkg/my_crate.js', import.meta.url).href), got ${typeof glueUrl === 'string' ? JSON.stringify(glueUrl) : typeof glueUrl}`); }
  if (typeof Worker !== 'function' || typeof SharedArrayBuffer !== 'function' || globalThis.crossOriginIsolated !== true) return 0;
  const early = (globalThis[EARLY] ??= []);
  const blob = URL.createObjectURL(new Blob([workerSource(url)], { type: 'text/javascript' }));
  const batch = [];
  try {
    for (let i = prewarmedWorkers(); i < Math.min(numThreads, MAX_THREADS); i++) {
      const entry = { protocol: WORKER_PROTOCOL, worker: null, failed: false };
      try {
        entry.worker = new Worker(blob, { type: 'module', name: `rayon-web-prewarm-${i}` });
      } catch {
        // A CSP without worker-src blob: (WebKit throws here): the pool will say so itself.
        break;
      }
      entry.worker.addEventListener('error', () => { entry.failed = true; });
      batch.push(entry);
    }
  } finally {
    // The workers hold their own reference once constructed.
    setTimeout(() => URL.revokeObjectURL(blob), KEEP_ALIVE_MS);
  }
  early.push(...batch);
  if (batch.length > 0) {
    setTimeout(() => {
      for (const entry of batch) {
        const at = early.indexOf(entry);
        if (at >= 0) { early.splice(at, 1); entry.worker.terminate(); }
      }
    }, KEEP_ALIVE_MS);
  }
  return prewarmedWorkers();
}

/** How many workers `prewarmPool` started that no pool has taken yet (this realm). */
export function prewarmedWorkers() {
  const early = globalThis[EARLY];
  return Array.isArray(early) ? early.filter((e) => e.protocol === WORKER_PROTOCOL && !e.failed).length : 0;
}

/**
 * The bootstrap's source for `glueUrl`: thread-pool/js/worker.js's workerSource
 * with the browser's message port (`self`) where that one also looks for Node's
 * (exported for the agreement test).
 */
export function workerSource(glueUrl) {
  return `(${workerMain.toString()})(${JSON.stringify(glueUrl)}, self, (url) => import(url));\n`;
}

// ---- a copy of thread-pool/js/worker.js's workerMain (do not edit here) ----
function workerMain(preloadUrl, port, load) {
  const post = (msg) => port.postMessage(msg);
  const describe = (e) => {
    // Firefox's `err.stack` omits the message: report both.
    const text = String(e && e.message !== undefined ? `${e.name}: ${e.message}` : e);
    return e && e.stack && !String(e.stack).includes(text) ? `${text}\n${e.stack}` : text;
  };

  // Writes the crash record (layout in src/crash.rs) unless the panic hook
  // already did: state 0 -> 2 (ours), len, message, state = 1.
  const recordCrash = (memory, addr, message) => {
    const state = new Int32Array(memory.buffer, addr, 2);
    if (Atomics.compareExchange(state, 0, 0, 2) !== 0) return;
    const bytes = new TextEncoder().encode(message).slice(0, 1016);
    // TextDecoder cannot read shared memory directly, but writing into it is fine.
    new Uint8Array(memory.buffer, addr + 8, bytes.length).set(bytes);
    Atomics.store(state, 1, bytes.length);
    Atomics.store(state, 0, 1);
  };

  // Start fetching and evaluating the glue while the `start` message is still on
  // its way: worker start-up is dominated by module loading, not by the message.
  // `load` is `import()`, written in workerSource's text rather than here:
  // bundlers rewrite an `import(x)` they see in this body — webpack into its own
  // module loader, Vite's dev server into `import(__vite__injectQuery(x, 'import'))`
  // with a helper imported at the top of this module, which the blob: worker
  // does not have (ReferenceError: __vite__injectQuery is not defined) — and
  // magic comments stop webpack only.
  const preload = preloadUrl ? load(preloadUrl) : null;
  // Reported when `start` arrives, not as an unhandled rejection now.
  if (preload) preload.catch(() => {});

  const onStart = async (data) => {
    if (!data || data.rayonWeb !== 'start') return;
    if (typeof self === 'undefined') port.off('message', onStart);
    else self.removeEventListener('message', onBrowserMessage);

    let glue;
    try {
      glue = await (preload && data.glueUrl === preloadUrl ? preload : load(data.glueUrl));
    } catch (e) {
      post({ rayonWeb: 'error', stage: 'import', message: describe(e) });
      return;
    }
    let wasm;
    try {
      if (typeof glue.initSync !== 'function' || typeof glue.__rayonWebWorkerEntry !== 'function') {
        throw new Error(`${data.glueUrl} is not the wasm-bindgen --target web glue of a module ` +
          'that links rayon-web (no initSync / __rayonWebWorkerEntry export). If it is, a ' +
          'bundler kept only the exports your code names: import the package as a namespace ' +
          '(const pkg = await import(...)), not destructured names, or pass glueUrl to a ' +
          'verbatim copy (rayon-web\'s README, "Vite")');
      }
      // grow(0) refreshes this agent's view of the memory's length before the
      // instance is made from it: other workers may have grown it since it was
      // posted, and engines update other agents lazily (V8 until the agent grows
      // it itself: https://github.com/toyobayashi/emnapi/issues/217,
      // https://github.com/dotnet/runtime/pull/94299).
      data.memory.grow(0);
      // The gate (spawn.js, WorkerGroup): from here on this worker runs wasm, and
      // only it may end itself — a worker killed inside malloc or wasm-bindgen's
      // start lock leaves that lock held for every thread of the instance. If the
      // pool gave up on this worker first (start-up failed), it never enters.
      if (Atomics.compareExchange(new Int32Array(data.gate), data.gateIndex, 0, 1) !== 0) return;
      wasm = glue.initSync({ module: data.module, memory: data.memory, thread_stack_size: data.stackSize });
    } catch (e) {
      post({ rayonWeb: 'error', stage: 'init', message: describe(e) });
      return;
    }
    post({ rayonWeb: 'ready', index: data.index });
    try {
      // Blocks until the pool that owns this thread ends (never, for the global pool).
      glue.__rayonWebWorkerEntry(data.handoff);
    } catch (e) {
      // A trap (panic=abort, out of bounds, unreachable) ends this thread's Rust
      // state for good; its stack cannot be trusted, so it is not freed.
      const message = `pool thread ${data.index} trapped: ${describe(e)}`;
      recordCrash(data.memory, data.crashRecord, message);
      post({ rayonWeb: 'crashed', message });
      return;
    }
    // Must be the last wasm call on this thread: frees its stack and TLS.
    wasm.__wbindgen_thread_destroy();
    post({ rayonWeb: 'exited' });
    if (typeof self !== 'undefined') self.close();
    else port.close();
  };
  const onBrowserMessage = (e) => onStart(e.data);

  if (typeof self === 'undefined') port.on('message', onStart);
  else self.addEventListener('message', onBrowserMessage);
}
